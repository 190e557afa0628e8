"""What the integration tests share: the running site (one private
MariaDB + backend + nginx for the whole run), an HTTP client that keeps
cookies and never follows redirects, and the pages kept for the markup
check."""
import http.client
import os
import re
import time
import urllib.parse

stack = None          # set by run.py
pages_dir = None      # pages saved for the Nu checker
_saved = 0


class Resp:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers        # lower-case names; lists for repeats
        self.body = body
        self.text = body.decode('utf-8', 'replace')

    def header(self, name):
        v = self.headers.get(name.lower())
        return v[0] if v else None

    @property
    def ctype(self):
        return self.header('content-type') or ''

    def __repr__(self):
        return '<Resp %d %s %d bytes>' % (self.status, self.ctype, len(self.body))


class Client:
    """A visitor: its cookies, its language, its Accept header."""

    def __init__(self, accept='text/html,application/xhtml+xml;q=0.9',
                 lang='fr-FR,fr;q=0.9', ip=None):
        self.cookies = {}
        self.accept = accept
        self.lang = lang
        self.ip = ip      # source address on the loopback (127.0.0.N)

    def request(self, method, path, body=None, headers=None, ctype=None):
        conn = http.client.HTTPConnection(
            '127.0.0.1', stack.port, timeout=30,
            source_address=(self.ip, 0) if self.ip else None)
        h = {'Accept': self.accept, 'Accept-Language': self.lang,
             'User-Agent': 'aparte-tests'}
        if self.cookies:
            h['Cookie'] = '; '.join('%s=%s' % kv for kv in self.cookies.items())
        if body is not None:
            h['Content-Type'] = ctype or 'application/x-www-form-urlencoded'
        h.update(headers or {})
        conn.request(method, path, body=body, headers=h)
        r = conn.getresponse()
        data = r.read()
        hdrs = {}
        for k, v in r.getheaders():
            hdrs.setdefault(k.lower(), []).append(v)
        conn.close()
        for sc in hdrs.get('set-cookie', []):
            name, _, rest = sc.partition('=')
            value = rest.split(';')[0]
            if 'Max-Age=0' in sc:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return Resp(r.status, hdrs, data)

    def get(self, path, **kw):
        return self.request('GET', path, **kw)

    def post(self, path, fields, **kw):
        if isinstance(fields, (bytes, str)):
            body = fields
        else:
            body = urllib.parse.urlencode(fields)
        return self.request('POST', path, body=body, **kw)

    def form_fields(self, resp, form_index=0):
        """The hidden fields of a form of a page (its tokens), as a dict."""
        forms = re.findall(r'<form\b.*?</form>', resp.text, re.S)
        f = forms[form_index]
        out = {}
        for m in re.finditer(r'<input\b[^>]*>', f):
            tag = m.group(0)
            if 'type="hidden"' not in tag:
                continue
            n = re.search(r'name="([^"]*)"', tag)
            v = re.search(r'value="([^"]*)"', tag)
            if n:
                out[unescape(n.group(1))] = unescape(v.group(1) if v else '')
        return out


def unescape(s):
    return (s.replace('&quot;', '"').replace('&lt;', '<').replace('&gt;', '>')
            .replace('&#39;', "'").replace('&amp;', '&'))


def save_page(name, resp):
    """Keeps a full page for the markup check at the end of the run."""
    global _saved
    if pages_dir is None:
        return
    _saved += 1
    ext = '.xhtml' if 'xhtml' in resp.ctype else '.html'
    safe = re.sub(r'[^a-zA-Z0-9_-]+', '-', name)
    with open(os.path.join(pages_dir, '%03d-%s%s' % (_saved, safe, ext)), 'wb') as f:
        f.write(resp.body)


def wait_until(fn, timeout=5.0, step=0.05):
    """Calls fn until it returns something true; returns that, or the last
    value after the timeout."""
    end = time.time() + timeout
    v = fn()
    while not v and time.time() < end:
        time.sleep(step)
        v = fn()
    return v
