"""What the login plugin's tests share: accounts made through the command
line, signing in through the form, the mail capture, the limits reset."""
import itertools
import re
import secrets
import time
import urllib.parse

import harness
from harness import Client

_seq = itertools.count(1)


def new_password():
    return 'Pré-' + secrets.token_urlsafe(12)


def make_user(role='member', name=None, password=None):
    """A fresh active account (aparte-admin user add); returns
    (email, password)."""
    n = next(_seq)
    email = 't%d-%s-%s@example.org' % (n, role, secrets.token_hex(3))
    password = password or new_password()
    harness.stack.admin('user', 'add', email, '--role', role, '--name',
                        name or 'Test %s %d' % (role, n), '--password-file',
                        '-', input=password + '\n')
    return email, password


def sign_in(client, email, password, remember=False, target=None,
            extra=None):
    """Opens the form, sends it; returns the answer to the POST."""
    path = '/aparte/login'
    if target is not None:
        path += '?redirect_to=' + urllib.parse.quote(target, safe='')
    page = client.get(path)
    fields = client.form_fields(page)
    fields.update({'email': email, 'password': password})
    if remember:
        fields['remember'] = '1'
    fields.update(extra or {})
    return client.post('/aparte/login', fields)


def signed_in(email, password, **kw):
    c = Client(**kw)
    r = sign_in(c, email, password)
    assert r.status == 303, (r.status, r.text[:2000])
    return c


def sql(stmt):
    return harness.stack.sql(stmt)


def user_id(email):
    return int(sql("SELECT id FROM login_users WHERE email = '%s'" % email)[0][0])


def clear_limits():
    """Forgets every failure counted: each test starts from none."""
    sql('DELETE FROM login_failures')
    sql('DELETE FROM ap_rates')


def mails_to(addr):
    return [text for _, text in harness.stack.mails()
            if re.search(r'^To: %s\r?$' % re.escape(addr), text, re.M)]


def wait_mail(addr, count=1, timeout=30):
    return harness.wait_until(lambda: len(mails_to(addr)) >= count and
                              mails_to(addr), timeout)


def link_in(mail, path):
    m = re.search(r'(http://[^\s]*%s\?token=[A-Za-z0-9_-]+)' % re.escape(path),
                  mail)
    assert m, mail
    return m.group(1)


def local(url):
    """The path and query of an absolute link of the site."""
    u = urllib.parse.urlsplit(url)
    return u.path + ('?' + u.query if u.query else '')


def csrf_of(client, path, index=0):
    return client.form_fields(client.get(path), index)


def is_guest(client):
    r = client.get('/aparte/account')
    return r.status == 303 and '/aparte/login' in (r.header('location') or '')


def timed(fn):
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0
