#!/usr/bin/python3
"""The whole site on one machine, privately: MariaDB (own datadir and
socket), the backend (standalone, a Unix socket), nginx on 127.0.0.1, all
under one run folder, all stopped together.

Used by tools/demo (the site for a person), tests/integration (the site for
the tests) and tools/bench (the site for wrk).  Python's standard library
only.

    stack = Stack(run_dir, prefix, port=8080)
    stack.start()            # db, migrate, backend, nginx
    ...
    stack.stop()
"""
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class StackError(Exception):
    pass


class Stack:
    """One private site.  `prefix` is where `make install` put the build
    (its bin/, lib/, share/ are used); `www` is the site's document root."""

    def __init__(self, run, prefix, port=None, www=None, workers=2, threads=8,
                 conf_extra='', languages='fr en', mail_command=None,
                 nginx_workers=1, quiet=False, plugin_dir=None,
                 nginx_extra=''):
        self.run = os.path.abspath(run)
        self.prefix = os.path.abspath(prefix)
        self.port = port or free_port()
        self.www = os.path.abspath(www or os.path.join(ROOT, 'www', 'demo'))
        self.workers = workers
        self.threads = threads
        self.conf_extra = conf_extra
        self.languages = languages
        self.nginx_workers = nginx_workers
        self.quiet = quiet
        self.db_sock = os.path.join(self.run, 'mysql.sock')
        self.app_sock = os.path.join(self.run, 'aparte.sock')
        self.conf = os.path.join(self.run, 'aparte.conf')
        self.mail_dir = os.path.join(self.run, 'mail')
        self.mail_command = mail_command or '%s %s' % (
            os.path.join(ROOT, 'tools', 'mail-capture'), self.mail_dir)
        self.procs = {}
        self.base = 'http://127.0.0.1:%d' % self.port
        self._plugin_dir = plugin_dir
        self.nginx_extra = nginx_extra   # more of nginx's server block

    # -- paths of the installed build --
    def bin(self, name):
        for d in ('bin', 'lib/cgi-bin', 'sbin'):
            p = os.path.join(self.prefix, d, name)
            if os.path.exists(p):
                return p
        raise StackError('%s is not installed under %s' % (name, self.prefix))

    @property
    def plugin_dir(self):
        return self._plugin_dir or os.path.join(self.prefix, 'lib', 'aparte',
                                                'plugins')

    @property
    def share(self):
        return os.path.join(self.prefix, 'share', 'aparte')

    # -- MariaDB --
    def db_init(self):
        datadir = os.path.join(self.run, 'db')
        if os.path.isdir(os.path.join(datadir, 'mysql')):
            return
        # On a busy machine mariadb-install-db has been seen to fail
        # once ("Unknown table 'mysql.tmp_user_sys'"): start afresh.
        for attempt in range(3):
            shutil.rmtree(datadir, ignore_errors=True)
            os.makedirs(datadir)
            try:
                self._run(['mariadb-install-db', '--no-defaults',
                           '--datadir=' + datadir, '--user=root',
                           '--auth-root-authentication-method=socket',
                           '--skip-test-db'], 'mariadb-install-db')
                return
            except StackError:
                if attempt == 2:
                    raise
                time.sleep(1)

    def db_start(self):
        datadir = os.path.join(self.run, 'db')
        args = ['mariadbd', '--no-defaults', '--datadir=' + datadir,
                '--socket=' + self.db_sock, '--skip-networking', '--user=root',
                '--character-set-server=utf8mb4',
                '--collation-server=utf8mb4_unicode_ci',
                '--innodb-buffer-pool-size=128M',
                '--innodb-flush-log-at-trx-commit=2',
                '--max-connections=500',
                '--log-error=' + os.path.join(self.run, 'mysql.err'),
                '--pid-file=' + os.path.join(self.run, 'mysql.pid')]
        self.procs['db'] = subprocess.Popen(args, stdin=subprocess.DEVNULL,
                                            stdout=subprocess.DEVNULL,
                                            stderr=subprocess.DEVNULL)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.procs['db'].poll() is not None:
                raise StackError('mariadbd stopped; see %s/mysql.err' % self.run)
            if os.path.exists(self.db_sock):
                r = subprocess.run(['mariadb', '--no-defaults', '-S', self.db_sock,
                                    '-u', 'root', '-e', 'SELECT 1'],
                                   capture_output=True)
                if r.returncode == 0:
                    return
            time.sleep(0.1)
        raise StackError('mariadbd did not start; see %s/mysql.err' % self.run)

    def db_stop(self):
        self._stop('db', signal.SIGTERM, 60)

    def sql(self, statement, database='aparte'):
        """Runs SQL as root through the socket; returns rows as lists of
        strings (tab-separated output, NULL as None)."""
        r = subprocess.run(['mariadb', '--no-defaults', '-S', self.db_sock, '-u',
                            'root', '-N', '-B', '--default-character-set=utf8mb4',
                            database, '-e', statement],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise StackError('SQL failed: %s\n%s' % (statement, r.stderr))
        rows = []
        for line in r.stdout.splitlines():
            rows.append([None if c == 'NULL' else
                         c.replace('\\n', '\n').replace('\\t', '\t')
                         for c in line.split('\t')])
        return rows

    def db_create(self):
        pw_file = os.path.join(self.run, 'db-password')
        if not os.path.exists(pw_file):
            with open(pw_file, 'w') as f:
                f.write(secrets.token_hex(16) + '\n')
            os.chmod(pw_file, 0o600)
        pw = open(pw_file).read().strip()
        self.sql("CREATE DATABASE IF NOT EXISTS aparte CHARACTER SET utf8mb4 "
                 "COLLATE utf8mb4_unicode_ci", database='mysql')
        self.sql("CREATE USER IF NOT EXISTS 'aparte'@'localhost' IDENTIFIED BY "
                 "'%s'" % pw, database='mysql')
        self.sql("GRANT ALL ON aparte.* TO 'aparte'@'localhost'", database='mysql')

    # -- the backend --
    def write_conf(self):
        secret_file = os.path.join(self.run, 'secret')
        if not os.path.exists(secret_file):
            with open(secret_file, 'w') as f:
                f.write(secrets.token_hex(32) + '\n')
            os.chmod(secret_file, 0o600)
        os.makedirs(self.mail_dir, exist_ok=True)
        with open(self.conf, 'w') as f:
            f.write("""# Written by tools/stack.py for a private site.
[database]
socket = {db_sock}
user = aparte
password_file = {run}/db-password
name = aparte

[site]
base_url = {base}
mount = /aparte
static = /aparte-static
home = /
title = Réseau Temps Partagé
language = fr
languages = {languages}
secret_file = {run}/secret

[server]
workers = {workers}
threads = {threads}
plugin_dir = {plugin_dir}
schema_dir = {share}/schema
locale_dir = {prefix}/share/locale

[mail]
command = {mail}
from = Réseau Temps Partagé <ne-pas-repondre@reseau-temps-partage.invalid>

{extra}
""".format(db_sock=self.db_sock, run=self.run, base=self.base,
           languages=self.languages, workers=self.workers,
           threads=self.threads, plugin_dir=self.plugin_dir, share=self.share,
           prefix=self.prefix, mail=self.mail_command, extra=self.conf_extra))

    def admin(self, *args, check=True, input=None):
        r = subprocess.run([self.bin('aparte-admin'), '--config', self.conf] +
                           list(args), capture_output=True, text=True,
                           input=input)
        if check and r.returncode != 0:
            raise StackError('aparte-admin %s failed (%d):\n%s%s' % (
                ' '.join(args), r.returncode, r.stdout, r.stderr))
        return r

    def app_start(self, env=None):
        logf = open(os.path.join(self.run, 'aparte.log'), 'ab')
        e = dict(os.environ)
        e.update(env or {})
        self.procs['app'] = subprocess.Popen(
            [self.bin('aparte.fcgi'), '--config', self.conf, '--listen',
             'unix:' + self.app_sock], stdin=subprocess.DEVNULL, stdout=logf,
            stderr=logf, env=e)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.procs['app'].poll() is not None:
                raise StackError('aparte.fcgi stopped; see %s/aparte.log' % self.run)
            if os.path.exists(self.app_sock):
                return
            time.sleep(0.05)
        raise StackError('aparte.fcgi did not start')

    def app_stop(self):
        self._stop('app', signal.SIGTERM, 40)

    def app_reload(self):
        self.procs['app'].send_signal(signal.SIGHUP)

    # -- nginx --
    def write_nginx(self):
        tmp = os.path.join(self.run, 'nginx-tmp')
        os.makedirs(tmp, exist_ok=True)
        os.chmod(tmp, 0o777)
        with open(os.path.join(self.run, 'nginx.conf'), 'w') as f:
            f.write("""# Written by tools/stack.py for a private site.
worker_processes {nw};
pid {run}/nginx.pid;
error_log {run}/nginx-error.log warn;
daemon off;
events {{ worker_connections 4096; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path {tmp}/body;
    fastcgi_temp_path {tmp}/fastcgi;
    proxy_temp_path {tmp}/proxy;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    server_tokens off;
    sendfile on;
    charset utf-8;
    charset_types text/css application/javascript;
    server {{
        listen 127.0.0.1:{port};
        server_name localhost;
        root {www};
        index index.html;
        ssi on;
        location / {{
            try_files $uri $uri.html $uri/ =404;
        }}
        location /aparte-static/ {{
            alias {share}/www/static/;
            ssi off;
        }}
        location /bench/ {{
            alias {run}/bench/;
        }}
        location = /aparte {{
            return 301 /aparte/;
        }}
        location /aparte/ {{
            # the backend's pages are not parsed for SSI (and keep their
            # Content-Length)
            ssi off;
            include /etc/nginx/fastcgi_params;
            fastcgi_pass unix:{sock};
            # above the backend's own limit: the backend answers 413 itself
            client_max_body_size 16m;
        }}
{extra}
    }}
}}
""".format(nw=self.nginx_workers, run=self.run, tmp=tmp, port=self.port,
           www=self.www, share=self.share, sock=self.app_sock,
           extra=self.nginx_extra))

    def nginx_start(self):
        logf = open(os.path.join(self.run, 'nginx.log'), 'ab')
        self.procs['nginx'] = subprocess.Popen(
            ['nginx', '-c', os.path.join(self.run, 'nginx.conf'), '-p', self.run],
            stdin=subprocess.DEVNULL, stdout=logf, stderr=logf)
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.procs['nginx'].poll() is not None:
                raise StackError('nginx stopped; see %s/nginx-error.log' % self.run)
            try:
                with socket.create_connection(('127.0.0.1', self.port), 0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise StackError('nginx did not start')

    def nginx_stop(self):
        self._stop('nginx', signal.SIGQUIT, 20)

    def port_free(self):
        # As nginx binds: a connection of the last run still in TIME_WAIT
        # (a demo started again at once) does not make the port taken.
        with socket.socket() as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind(('127.0.0.1', self.port))
            except OSError:
                return False
        return True

    # -- all of it --
    def start(self, plugins=None):
        if not self.port_free():
            raise StackError('port %d of 127.0.0.1 is taken by another program: '
                             'choose another (--port N or PORT=N)' % self.port)
        os.makedirs(self.run, exist_ok=True)
        os.chmod(self.run, 0o755)
        self.db_init()
        self.db_start()
        self.db_create()
        self.write_conf()
        self.admin('migrate')
        for p in plugins or []:
            self.admin('plugin', 'enable', p)
        self.app_start()
        self.write_nginx()
        self.nginx_start()
        self.wait_ready()

    def wait_ready(self, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(self.base + '/aparte/status',
                                            timeout=2) as r:
                    if r.status == 200:
                        return
            except Exception:
                pass
            time.sleep(0.1)
        raise StackError('the site did not answer on %s/aparte/status' % self.base)

    def stop(self):
        self.nginx_stop()
        self.app_stop()
        self.db_stop()

    def _stop(self, name, sig, timeout):
        p = self.procs.pop(name, None)
        if p is None or p.poll() is not None:
            return
        p.send_signal(sig)
        try:
            p.wait(timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()

    def _run(self, args, what):
        r = subprocess.run(args, capture_output=True, text=True)
        if r.returncode != 0:
            raise StackError('%s failed:\n%s%s' % (what, r.stdout, r.stderr))
        return r

    def mails(self):
        """The captured messages, oldest first, as (path, text)."""
        out = []
        for name in sorted(os.listdir(self.mail_dir)):
            if name.endswith('.eml'):
                p = os.path.join(self.mail_dir, name)
                out.append((p, open(p, encoding='utf-8', errors='replace').read()))
        return out


class ApacheSite:
    """The same site behind a private Apache: the static pages with SSI
    (mod_include), the backend through mod_fcgid (which starts it with the
    socket on fd 0 and APARTE_CONF in its environment), /aparte-static/
    aliased.  Own config, ServerRoot, PidFile and logs under run/apache;
    Listen on a loopback port; no system service is touched.

    Apache's children (and so the backend) run as www-data: the backend
    gets its own config, with copies of the secret and the database
    password that www-data can read.

        apache = ApacheSite(stack, www=...)
        apache.start() ... apache.stop()
    """

    MODULES = ('mpm_event', 'authz_core', 'mime', 'dir', 'alias', 'include',
               'fcgid')
    # a shared host without FastCGI: CGI, .htaccess, mod_rewrite
    CGI_MODULES = ('mpm_prefork', 'authz_core', 'mime', 'dir', 'alias',
                   'include', 'cgi', 'rewrite', 'env')
    USER = 'www-data'
    started = []   # every one started, for a last stop after a failure
    # what the site owner puts in the folder aparte/ of the site (the
    # README's, with the config's path filled in)
    HTACCESS = """Options +ExecCGI
AddHandler cgi-script .cgi
SetEnv APARTE_CONF {conf}
RewriteEngine On
RewriteRule ^aparte\\.cgi(/|$) - [L]
RewriteRule ^(.*)$ aparte.cgi/$1 [L]
"""

    def __init__(self, stack, port=None, www=None, extra='', cgi=False,
                 htaccess=None, site_conf=None):
        """cgi: the backend as a plain CGI in the folder aparte/ of the
        site (aparte.cgi, and htaccess, HTACCESS by default, with {conf}
        for the config's path), as on a host that offers nothing else.
        site_conf: the site's part of the config (pages, static files,
        backend) instead of the one written here, with {www}, {share},
        {cgibin} and {conf} for the paths (e.g. the README's)."""
        self.stack = stack
        self.cgi = cgi
        self.site_conf = site_conf
        self.htaccess = htaccess or self.HTACCESS
        self.dir = os.path.join(stack.run, 'apache-cgi' if cgi else 'apache')
        self.port = port or free_port()
        self.www = os.path.abspath(www or stack.www)
        self.extra = extra
        self.base = 'http://127.0.0.1:%d' % self.port
        self.conf = os.path.join(self.dir, 'apache2.conf')
        self.app_conf = os.path.join(self.dir, 'aparte.conf')
        self.error_log = os.path.join(self.dir, 'error.log')
        self.proc = None

    def write_conf(self):
        import pwd
        pw = pwd.getpwnam(self.USER)
        os.makedirs(os.path.join(self.dir, 'fcgid'), exist_ok=True)
        os.chmod(self.dir, 0o755)
        # the backend's config: the test site's, with secrets www-data reads
        text = open(self.stack.conf, encoding='utf-8').read()
        for name in ('secret', 'db-password'):
            src = os.path.join(self.stack.run, name)
            dst = os.path.join(self.dir, name)
            shutil.copy(src, dst)
            os.chown(dst, pw.pw_uid, pw.pw_gid)
            os.chmod(dst, 0o600)
            text = text.replace(src, dst)
        with open(self.app_conf, 'w', encoding='utf-8') as f:
            f.write(text)
        os.chown(os.path.join(self.dir, 'fcgid'), pw.pw_uid, pw.pw_gid)
        mods = '\n'.join('LoadModule %s_module /usr/lib/apache2/modules/'
                         'mod_%s.so' % (m, m) for m in
                         (self.CGI_MODULES if self.cgi else self.MODULES))
        cgibin = os.path.dirname(self.stack.bin('aparte.fcgi'))
        if self.cgi:
            # the site's own folder: its pages, and aparte/ with the CGI
            www = os.path.join(self.dir, 'htdocs')
            folder = os.path.join(www, 'aparte')
            os.makedirs(folder, exist_ok=True)
            shutil.copy(self.stack.bin('aparte.fcgi'),
                        os.path.join(folder, 'aparte.cgi'))
            with open(os.path.join(folder, '.htaccess'), 'w') as f:
                f.write(self.htaccess.replace('{conf}', self.app_conf))
            for name in os.listdir(self.www):
                src = os.path.join(self.www, name)
                if os.path.isfile(src):
                    shutil.copy(src, www)
            backend = """# The backend: a plain CGI, set up by aparte/.htaccess.
<Directory {www}/aparte>
    AllowOverride All
</Directory>
""".format(www=www)
        else:
            www = self.www
            backend = """# The backend: mod_fcgid starts it with the socket on fd 0.
FcgidInitialEnv APARTE_CONF {app_conf}
FcgidMaxRequestLen 16777216
FcgidMaxProcessesPerClass 4
FcgidConnectTimeout 20
FcgidIOTimeout 60
Alias /aparte {cgibin}/aparte.fcgi
<Directory {cgibin}>
    Options +ExecCGI
    SetHandler fcgid-script
    Require all granted
</Directory>
""".format(dir=self.dir, app_conf=self.app_conf, cgibin=cgibin)
        if self.site_conf is not None:
            site = self.site_conf.format(www=www, share=self.stack.share,
                                         cgibin=cgibin, conf=self.app_conf)
        else:
            site = """# The site's pages, with SSI.
<Directory {www}>
    Options +Includes
    AddType text/html .html
    AddOutputFilter INCLUDES .html
</Directory>

Alias /aparte-static/ {share}/www/static/
<Directory {share}/www/static>
    Require all granted
</Directory>

{backend}""".format(www=www, share=self.stack.share, backend=backend)
        with open(self.conf, 'w') as f:
            f.write("""# Written by tools/stack.py for a private site.
ServerRoot {dir}
DefaultRuntimeDir {dir}
PidFile {dir}/httpd.pid
ErrorLog {dir}/error.log
LogLevel warn
Listen 127.0.0.1:{port}
ServerName 127.0.0.1
User {user}
Group {user}
{mods}
TypesConfig /etc/mime.types
AddDefaultCharset utf-8

<Directory />
    AllowOverride None
    Require all denied
</Directory>

DocumentRoot {www}
<Directory {www}>
    DirectoryIndex index.html
    Require all granted
</Directory>
<IfModule mod_fcgid.c>
    FcgidIPCDir {dir}/fcgid
    FcgidProcessTableFile {dir}/fcgid/shm
</IfModule>

{site}
{extra}
""".format(dir=self.dir, port=self.port, user=self.USER, mods=mods,
           www=www, site=site, extra=self.extra))

    def start(self):
        self.write_conf()
        r = subprocess.run(['apache2', '-t', '-f', self.conf],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise StackError('apache2 -t: %s%s' % (r.stdout, r.stderr))
        logf = open(os.path.join(self.dir, 'apache.out'), 'ab')
        # its own session: the prefork MPM stops by signalling its whole
        # process group
        self.proc = subprocess.Popen(['apache2', '-f', self.conf,
                                      '-DFOREGROUND'],
                                     stdin=subprocess.DEVNULL, stdout=logf,
                                     stderr=logf, start_new_session=True)
        ApacheSite.started.append(self)
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise StackError('apache2 stopped; see %s' % self.error_log)
            try:
                with socket.create_connection(('127.0.0.1', self.port), 0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise StackError('apache2 did not start')

    def stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def main():
    import argparse
    ap = argparse.ArgumentParser(description='Start the private site.')
    ap.add_argument('--run', default=os.path.join(ROOT, 'run', 'demo'))
    ap.add_argument('--prefix', default=os.path.join(ROOT, 'run', 'prefix'))
    ap.add_argument('--port', type=int, default=int(os.environ.get('PORT', 8080)))
    args = ap.parse_args()
    st = Stack(args.run, args.prefix, port=args.port)
    st.start()
    print(st.base)


if __name__ == '__main__':
    main()
