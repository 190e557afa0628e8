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
pages_www = None      # static pages of the tests, served by nginx at /essai/
secrets_seen = []     # tokens the tests used: never in a log
started = []          # the Backends started: run.py stops what is left
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
                 lang='fr-FR,fr;q=0.9', ip=None, port=None):
        self.cookies = {}
        self.accept = accept
        self.lang = lang
        self.ip = ip          # source address on the loopback (127.0.0.N)
        self.port = port      # another web server than the site's nginx

    def request(self, method, path, body=None, headers=None, ctype=None):
        conn = http.client.HTTPConnection(
            '127.0.0.1', self.port or stack.port, timeout=30,
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


# Under the sanitizers (tools/check sets APARTE_SANITIZED) the backend is
# several times slower: waits for something to happen last longer there.
SLOW = 3 if os.environ.get('APARTE_SANITIZED') else 1


def wait_until(fn, timeout=5.0, step=0.05):
    """Calls fn until it returns something true; returns that, or the last
    value after the timeout (longer under the sanitizers)."""
    end = time.time() + timeout * SLOW
    v = fn()
    while not v and time.time() < end:
        time.sleep(step)
        v = fn()
    return v


# ---- for the core's tests: raw HTTP, other backends, configs -------------

def raw_http(data, timeout=10):
    """Sends bytes as they are to nginx (what http.client would refuse to
    send, e.g. a byte that is not UTF-8 in the request line); returns
    (status, headers dict, body bytes)."""
    import socket
    s = socket.create_connection(('127.0.0.1', stack.port), timeout)
    s.sendall(data)
    buf = b''
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        buf += chunk
    s.close()
    head, _, body = buf.partition(b'\r\n\r\n')
    lines = head.decode('latin-1').split('\r\n')
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(':')
        headers[k.strip().lower()] = v.strip()
    return status, headers, body


def fr(text):
    """text as the site writes its own French texts (cgi-bin/i18n.c): a
    no-break space before a colon and inside « », a narrow one before
    ; ! ? (the sources, and so the tests, write plain spaces)."""
    text = re.sub(r' (?=:|»)', '\u00a0', text)
    text = re.sub(r' (?=[;!?])', '\u202f', text)
    return text.replace('« ', '«\u00a0')


def page_texts(body):
    """The texts of the h1 and p elements of a page, for the asserts."""
    if isinstance(body, bytes):
        body = body.decode('utf-8', 'replace')
    return [unescape(re.sub(r'<[^>]+>', '', m)) for m in
            re.findall(r'<(?:h1|p)\b[^>]*>(.*?)</(?:h1|p)>', body, re.S)]


CORE_SECTIONS = ('database', 'site', 'server', 'limits', 'mail')


def _without_absent_plugins(text, plugin_dir):
    """text without the sections of plugins that have no NAME.so in
    plugin_dir (conf.d's settings of the site's plugins would be unknown
    sections for a core started with another plugin folder)."""
    present = set()
    if os.path.isdir(plugin_dir):
        present = {f[:-3] for f in os.listdir(plugin_dir) if f.endswith('.so')}
    out, keep = [], True
    for line in text.splitlines():
        m = re.match(r'\s*\[([a-z0-9_]+)\]\s*$', line)
        if m:
            keep = m.group(1) in CORE_SECTIONS or m.group(1) in present
        if keep:
            out.append(line)
    return '\n'.join(out) + '\n'


def conf_text(changes=None, drop=(), base=None):
    """The text of the test site's aparte.conf with changes applied:
    {('section', 'key'): value} sets (or adds) a key, drop lists
    (section, key) to remove.  With another [server] plugin_dir, the
    sections of plugins absent from it go."""
    changes = dict(changes or {})
    text = open(base or stack.conf, encoding='utf-8').read()
    if ('server', 'plugin_dir') in changes:
        text = _without_absent_plugins(text, changes[('server', 'plugin_dir')])
    out, section = [], None
    seen = set()

    def flush(sec):
        for (s, k), v in changes.items():
            if s == sec and (s, k) not in seen:
                out.append('%s = %s' % (k, v))
                seen.add((s, k))

    for line in text.splitlines():
        m = re.match(r'\s*\[([a-z0-9_]+)\]\s*$', line)
        if m:
            flush(section)
            section = m.group(1)
            out.append(line)
            continue
        m = re.match(r'\s*([a-z0-9_]+)\s*=', line)
        if m and section is not None:
            key = (section, m.group(1))
            if key in drop:
                continue
            if key in changes:
                out.append('%s = %s' % (key[1], changes[key]))
                seen.add(key)
                continue
        out.append(line)
    flush(section)
    for (s, k), v in changes.items():
        if (s, k) not in seen:
            out.append('[%s]\n%s = %s' % (s, k, v))
    return '\n'.join(out) + '\n'


def write_conf(path, changes=None, drop=()):
    with open(path, 'w', encoding='utf-8') as f:
        f.write(conf_text(changes, drop))
    return path


def side_dir(name):
    """A fresh folder of the run for one test's own files."""
    import shutil
    d = os.path.join(os.path.dirname(stack.run), 'side', name)
    if os.path.isdir(d):
        shutil.rmtree(d)
    os.makedirs(d)
    os.chmod(d, 0o755)
    return d


def log_lines(path, since=0):
    """The lines of a log from byte offset since."""
    with open(path, 'rb') as f:
        f.seek(since)
        return f.read().decode('utf-8', 'replace').splitlines()


def log_size(path):
    return os.path.getsize(path) if os.path.exists(path) else 0


class Backend:
    """Another aparte.fcgi, standalone on its own socket, with its own
    config and log, on the test site's database (unless the config says
    otherwise): for what must not disturb the shared site (restarts,
    signals, a database stopped at start).  Spoken to with the FastCGI
    client."""

    def __init__(self, name, changes=None, drop=(), workers=1, threads=2):
        import fcgi
        self.fcgi = fcgi
        self.dir = side_dir(name)
        self.sock = os.path.join(self.dir, 'aparte.sock')
        self.conf = os.path.join(self.dir, 'aparte.conf')
        self.log = os.path.join(self.dir, 'aparte.log')
        ch = {('server', 'workers'): workers, ('server', 'threads'): threads}
        ch.update(changes or {})
        write_conf(self.conf, ch, drop)
        self.proc = None
        self.nworkers = workers

    def start(self, wait=True, env=None, extra_args=(), binary=None):
        import subprocess
        logf = open(self.log, 'ab')
        e = dict(os.environ)
        e.pop('APARTE_CONF', None)
        e.update(env or {})
        self.proc = subprocess.Popen(
            [binary or stack.bin('aparte.fcgi'), '--config', self.conf,
             '--listen',
             'unix:' + self.sock] + list(extra_args),
            stdin=subprocess.DEVNULL, stdout=logf, stderr=logf, env=e)
        logf.close()
        started.append(self)
        if wait:
            ok = wait_until(lambda: os.path.exists(self.sock) or
                            self.proc.poll() is not None, 20)
            if not ok or self.proc.poll() is not None:
                raise AssertionError('backend %s did not start:\n%s' % (
                    self.dir, open(self.log, errors='replace').read()[-2000:]))
            # The socket file exists from its bind, before the listen and
            # before the workers are forked: on a loaded machine, wait for
            # both (without failing: a test may want less).
            wait_until(lambda: self._accepts() or
                       self.proc.poll() is not None, 10)
            wait_until(lambda: len(self.workers()) >= self.nworkers or
                       self.proc.poll() is not None, 10)
        return self

    def _accepts(self):
        import socket
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(self.sock)
            return True
        except OSError:
            return False
        finally:
            s.close()

    def request(self, path, method='GET', query='', body=b'', timeout=20,
                **params):
        p = self.fcgi.base_params(path, method=method, query=query)
        if body:
            p.setdefault('CONTENT_TYPE', 'application/x-www-form-urlencoded')
            p['CONTENT_LENGTH'] = str(len(body))
        p.update(params)
        st, h, b, _ = self.fcgi.request(self.sock, p, body=body,
                                        timeout=timeout)
        return st, h, b

    def workers(self):
        """Pids of the master's children."""
        out = []
        for d in os.listdir('/proc'):
            if not d.isdigit():
                continue
            try:
                stat = open('/proc/%s/stat' % d).read()
            except OSError:
                continue
            fields = stat.rsplit(')', 1)[1].split()
            if int(fields[1]) == self.proc.pid and fields[0] != 'Z':
                out.append(int(d))
        return sorted(out)

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self, timeout=30):
        import signal
        import subprocess
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError('backend %s did not stop on SIGTERM' % self.dir)

    def log_text(self):
        return open(self.log, encoding='utf-8', errors='replace').read()
