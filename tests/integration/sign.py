"""Tokens signed as the core signs them (cgi-bin/token.c), with the test
site's secret: for tests that need a token the site would have made at
another time (an expired form, an old link)."""
import base64
import hashlib
import os

import harness


def _b64(b):
    return base64.urlsafe_b64encode(b).rstrip(b'=').decode()


def _unb64(s):
    return base64.urlsafe_b64decode(s + '=' * (-len(s) % 4))


def secret():
    with open(os.path.join(harness.stack.run, 'secret')) as f:
        return bytes.fromhex(f.read().strip())


def token(purpose, payload, ts):
    """The token the site would have made for purpose at time ts."""
    key = hashlib.blake2b(purpose.encode(), digest_size=32,
                          key=secret()).digest()
    pb = _b64(payload.encode())
    mac = hashlib.blake2b(('%d.%s' % (ts, pb)).encode(), digest_size=32,
                          key=key).digest()
    return '%d.%s.%s' % (ts, pb, _b64(mac))


def payload(tok):
    return _unb64(tok.split('.')[1]).decode()
