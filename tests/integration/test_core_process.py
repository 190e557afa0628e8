"""The three ways to run the binary, and the standalone master's life:
reload on SIGHUP without a failed request (and refused when the new config
is broken), drain on SIGTERM, a killed worker replaced; plain CGI; under a
FastCGI parent (spawn-fcgi) with the config named by the first request.
Each on a backend of its own, spoken to over FastCGI."""
import os
import shutil
import signal
import subprocess
import threading
import time
import unittest

import fcgi
import harness
from harness import Backend, fr, page_texts, wait_until


class Load(threading.Thread):
    """Light load: one request after another until stopped; counts what
    did not come back as a 200 with the expected text."""

    def __init__(self, backend, path='/aparte/good/hello/x', expect=b'hello'):
        super().__init__()
        self.backend, self.path, self.expect = backend, path, expect
        self.ok = 0
        self.failures = []
        self.stopping = False
        self.start()

    def run(self):
        while not self.stopping:
            try:
                st, h, body = self.backend.request(self.path, timeout=20)
                if st == 200 and self.expect in body:
                    self.ok += 1
                else:
                    self.failures.append((st, body[:200]))
            except Exception as e:  # noqa: BLE001 - counted as a failure
                self.failures.append(repr(e))
            time.sleep(0.01)

    def stop(self):
        self.stopping = True
        self.join(30)


def greeting(backend):
    st, h, body = backend.request('/aparte/good/greeting')
    texts = page_texts(body)
    return st, texts


class Slow(threading.Thread):
    def __init__(self, backend, ms):
        super().__init__()
        self.backend, self.ms = backend, ms
        self.result = None
        self.start()

    def run(self):
        try:
            self.result = self.backend.request('/aparte/good/slow',
                                               query='ms=%d' % self.ms,
                                               timeout=30)
        except Exception as e:  # noqa: BLE001
            self.result = e


class StandaloneTest(unittest.TestCase):

    def test_reload_keeps_serving_and_takes_the_new_config(self):
        b = Backend('reload', workers=2, threads=2).start()
        try:
            self.assertIn('salut', greeting(b)[1])
            master = b.proc.pid
            old = b.workers()
            self.assertEqual(len(old), 2)
            load = Load(b)
            time.sleep(0.3)
            # a request in progress when the reload comes
            slow = Slow(b, 1500)
            time.sleep(0.2)
            harness.write_conf(b.conf, {('server', 'workers'): 2,
                                        ('server', 'threads'): 2,
                                        ('good', 'greeting'): 'coucou'})
            b.signal(signal.SIGHUP)
            new = wait_until(lambda: (lambda w: w if len(w) == 2 and
                                      not set(w) & set(old) else None)(
                b.workers()), 15)
            self.assertTrue(new, 'the workers were not replaced')
            self.assertIn('coucou', wait_until(lambda: greeting(b)[1]
                                               if 'coucou' in greeting(b)[1]
                                               else None, 5))
            # a second reload, same config
            time.sleep(0.3)
            b.signal(signal.SIGHUP)
            time.sleep(1.5)
            load.stop()
            slow.join(30)
            self.assertEqual(load.failures, [])
            self.assertGreater(load.ok, 20)
            st, h, body = slow.result
            self.assertEqual(st, 200)
            self.assertIn('slow done 1500', page_texts(body))
            self.assertEqual(b.proc.pid, master)
            self.assertIsNone(b.proc.poll())
            self.assertEqual(b.log_text().count('core: reloading'), 2)
        finally:
            self.assertEqual(b.stop(), 0)

    def test_reload_with_a_broken_config_is_refused(self):
        b = Backend('reload-broken', workers=1, threads=2).start()
        try:
            old = b.workers()
            good = open(b.conf).read()
            with open(b.conf, 'a') as f:
                f.write('[good]\nvolume = 11\n')
            load = Load(b)
            b.signal(signal.SIGHUP)
            refused = wait_until(lambda: 'reload refused' in b.log_text(), 15)
            time.sleep(0.3)
            load.stop()
            self.assertTrue(refused, b.log_text()[-2000:])
            self.assertIn("unknown key 'volume' in [good]", b.log_text())
            self.assertEqual(load.failures, [])
            self.assertGreater(load.ok, 5)
            # still the old workers, the old settings
            self.assertEqual(b.workers(), old)
            self.assertIn('salut', greeting(b)[1])
            # once fixed, a reload goes through
            with open(b.conf, 'w') as f:
                f.write(good.replace('greeting = salut', 'greeting = re'))
            b.signal(signal.SIGHUP)
            self.assertTrue(wait_until(lambda: 're' in greeting(b)[1], 15))
        finally:
            self.assertEqual(b.stop(), 0)

    def test_reload_runs_the_binary_installed_since(self):
        b = Backend('upgrade', workers=1, threads=2)
        exe = os.path.join(b.dir, 'aparte.fcgi')
        shutil.copy(harness.stack.bin('aparte.fcgi'), exe)
        b.start(binary=exe)
        try:
            # an upgrade: a new file in its place (as install(1) does)
            os.unlink(exe)
            shutil.copy(harness.stack.bin('aparte.fcgi'), exe)
            self.assertTrue(os.readlink('/proc/%d/exe' % b.proc.pid)
                            .endswith(' (deleted)'))
            old = b.workers()
            b.signal(signal.SIGHUP)
            self.assertTrue(wait_until(lambda: b.workers() and
                                       not set(b.workers()) & set(old), 15))
            self.assertEqual(os.readlink('/proc/%d/exe' % b.proc.pid), exe)
            self.assertEqual(b.request('/aparte/good/hello/x')[0], 200)
        finally:
            self.assertEqual(b.stop(), 0)

    def test_sigterm_lets_the_request_in_progress_finish(self):
        b = Backend('drain', workers=2, threads=2).start()
        slow = Slow(b, 1500)
        time.sleep(0.4)
        t0 = time.time()
        b.signal(signal.SIGTERM)
        code = b.proc.wait(30)
        slow.join(30)
        self.assertEqual(code, 0)
        st, h, body = slow.result
        self.assertEqual(st, 200)
        self.assertIn('slow done 1500', page_texts(body))
        # it waited for the request, then stopped
        self.assertGreater(time.time() - t0, 0.8)
        self.assertFalse(os.path.exists(b.sock))
        log = b.log_text()
        self.assertIn('stopping; workers finish what they serve', log)
        self.assertIn('master stopped', log)
        self.assertNotIn('died', log)

    def test_a_killed_worker_is_replaced(self):
        b = Backend('kill-worker', workers=2, threads=2).start()
        try:
            old = b.workers()
            self.assertEqual(len(old), 2)
            load = Load(b)
            time.sleep(0.2)
            os.kill(old[0], signal.SIGKILL)
            back = wait_until(lambda: (lambda w: w if len(w) == 2 and
                                       old[0] not in w else None)(
                b.workers()), 10)
            time.sleep(0.3)
            load.stop()
            self.assertTrue(back, 'the worker was not replaced')
            self.assertIn(old[1], back)
            self.assertLessEqual(len(load.failures), 1)   # its request, if any
            self.assertGreater(load.ok, 10)
            self.assertIn('worker %d died (signal 9)' % old[0], b.log_text())
            for _ in range(10):
                self.assertEqual(b.request('/aparte/good/hello/x')[0], 200)
            self.assertEqual(b.request('/aparte/good/worker')[2],
                             b'worker_init ran\n')
        finally:
            self.assertEqual(b.stop(), 0)


def cgi(conf, path, method='GET', query='', body=b'', close_stdin=True,
        **env):
    e = {'PATH': os.environ.get('PATH', '/usr/bin:/bin'),
         'GATEWAY_INTERFACE': 'CGI/1.1', 'SERVER_PROTOCOL': 'HTTP/1.1',
         'SERVER_NAME': 'localhost', 'SERVER_PORT': '80',
         'REMOTE_ADDR': '127.0.0.1', 'REQUEST_METHOD': method,
         'REQUEST_URI': path + ('?' + query if query else ''),
         'SCRIPT_NAME': path, 'QUERY_STRING': query, 'APARTE_CONF': conf}
    if body:
        e['CONTENT_TYPE'] = 'application/x-www-form-urlencoded'
        e['CONTENT_LENGTH'] = str(len(body))
    e.update(env)
    p = subprocess.Popen([harness.stack.bin('aparte.fcgi')], env=e,
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    if close_stdin:
        out, err = p.communicate(body, timeout=30)
    else:
        killer = threading.Timer(15, p.kill)   # do not hang the run
        killer.start()
        p.stdin.write(body)
        p.stdin.flush()
        out = p.stdout.read()
        err = p.stderr.read()
        p.wait(30)
        killer.cancel()
        p.stdin.close()
    head, _, content = out.partition(b'\r\n\r\n')
    headers = {}
    for line in head.decode('utf-8', 'replace').split('\r\n'):
        k, _, v = line.partition(':')
        headers[k.strip().lower()] = v.strip()
    status = int(headers.get('status', '200').split()[0])
    return p.returncode, status, headers, content, err


class CgiTest(unittest.TestCase):
    """Plain CGI: the request in the environment and on stdin, the answer
    on stdout, then exit."""

    @classmethod
    def setUpClass(cls):
        d = harness.side_dir('cgi')
        cls.conf = harness.write_conf(os.path.join(d, 'aparte.conf'))

    def test_status_and_a_page(self):
        rc, st, h, body, err = cgi(self.conf, '/aparte/status')
        self.assertEqual((rc, st), (0, 200))
        self.assertIn(b'database: ok', body)
        self.assertRegex(body.decode(), r'plugins enabled:.* good')
        rc, st, h, body, err = cgi(self.conf, '/aparte/good/hello/x')
        self.assertEqual((rc, st), (0, 200))
        self.assertIn('hello', page_texts(body))
        self.assertEqual(int(h['content-length']), len(body))

    def test_plugins_worker_init_runs(self):
        rc, st, h, body, err = cgi(self.conf, '/aparte/good/worker')
        self.assertEqual((rc, st, body), (0, 200, b'worker_init ran\n'))

    def test_a_form_on_stdin(self):
        rc, st, h, body, err = cgi(self.conf, '/aparte/good/echo', 'POST',
                                   query='n=a', body=b'a=%C3%A9t%C3%A9&a=2')
        self.assertEqual((rc, st), (0, 200))
        self.assertIn(b'f a 2 [\xc3\xa9t\xc3\xa9] [2]', body)

    def test_a_get_does_not_wait_for_stdin(self):
        # some servers leave a CGI's input open
        rc, st, h, body, err = cgi(self.conf, '/aparte/good/hello/x',
                                   close_stdin=False)
        self.assertEqual(st, 200)

    def test_bad_input_and_too_large(self):
        rc, st, h, body, err = cgi(self.conf, '/aparte/good/echo',
                                   query='a=%zz')
        self.assertEqual(st, 400)
        self.assertIn(fr('La requête contient un échappement « % » mal formé.'),
                      page_texts(body))
        rc, st, h, body, err = cgi(self.conf, '/aparte/good/echo', 'POST',
                                   body=b'a=1', CONTENT_LENGTH=str(10 ** 9))
        self.assertEqual(st, 413)
        rc, st, h, body, err = cgi(self.conf, '/aparte/good/echo', 'POST',
                                   body=b'a=1', CONTENT_LENGTH='10')
        self.assertEqual(st, 400)



def housekeeping_due():
    """Makes the site's once-a-minute housekeeping due now."""
    harness.stack.sql("INSERT INTO ap_counters (name, value) VALUES "
                      "('housekeeping', 0) ON DUPLICATE KEY UPDATE value = 0")


class BetweenRequestsTest(unittest.TestCase):
    """The housekeeping runs after the answer has gone (the test plugin's
    cron listener logs what its request still tells): it gets nothing of
    the request answered, whose parameters and streams libfcgi has freed,
    and writes nowhere."""

    def test_cron_after_a_fastcgi_request(self):
        b = Backend('cron-fcgi', workers=1, threads=1)
        housekeeping_due()
        b.start()
        try:
            st, h, body = b.request('/aparte/good/hello/x',
                                    REMOTE_ADDR='192.0.2.77',
                                    REQUEST_URI='/aparte/good/hello/x?m=1')
            self.assertEqual(st, 200)
            line = wait_until(lambda: [l for l in b.log_text().splitlines()
                                       if 'good: cron:' in l], 10)
            self.assertTrue(line, b.log_text()[-2000:])
            self.assertIn('good: cron: client [], REQUEST_URI [(none)]',
                          line[0])
            self.assertNotIn(b'written by cron', body)
            # the worker is alive and serves on
            self.assertEqual(b.request('/aparte/good/hello/x')[0], 200)
        finally:
            self.assertEqual(b.stop(), 0)
        self.assertNotIn('died', b.log_text())

    def test_cron_after_a_cgi_request(self):
        d = harness.side_dir('cron-cgi')
        conf = harness.write_conf(os.path.join(d, 'aparte.conf'))
        housekeeping_due()
        rc, st, h, body, err = cgi(conf, '/aparte/good/hello/x',
                                   REMOTE_ADDR='192.0.2.78')
        self.assertEqual((rc, st), (0, 200))
        self.assertIn(b'good: cron: client [], REQUEST_URI [(none)]', err)
        self.assertNotIn(b'written by cron', body)
        self.assertEqual(int(h['content-length']), len(body))


class FastCgiParentTest(unittest.TestCase):
    """Under spawn-fcgi, as under mod_fcgid: the socket is fd 0."""

    def spawn(self, name, env_conf=None):
        d = harness.side_dir(name)
        conf = harness.write_conf(os.path.join(d, 'aparte.conf'),
                                  {('server', 'threads'): 2})
        sock = os.path.join(d, 'spawn.sock')
        env = dict(os.environ)
        env.pop('APARTE_CONF', None)
        if env_conf:
            env['APARTE_CONF'] = conf
        log = open(os.path.join(d, 'aparte.log'), 'ab')
        p = subprocess.Popen(['spawn-fcgi', '-n', '-s', sock, '-M', '0600',
                              '--', harness.stack.bin('aparte.fcgi')],
                             stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                             env=env)
        log.close()
        self.addCleanup(lambda: p.poll() is None and (p.kill(), p.wait()))

        def listening():
            # spawn-fcgi binds, listens, then becomes the backend (-n: in
            # the same process); a connection to probe would be taken
            # as the first request
            try:
                return os.readlink('/proc/%d/exe' % p.pid).endswith(
                    'aparte.fcgi')
            except OSError:
                return False
        self.assertTrue(wait_until(listening, 10))
        return p, sock, conf, os.path.join(d, 'aparte.log')

    def ask(self, sock, path, **params):
        p = fcgi.base_params(path)
        p.update(params)
        st, h, body, _ = fcgi.request(sock, p, timeout=20)
        return st, body

    def stop(self, p):
        p.send_signal(signal.SIGTERM)
        self.assertEqual(p.wait(20), 0)

    def test_plugins_worker_init_before_the_first_request(self):
        # the request that names the config is served in the process
        # that serves the others: its plugins are ready for it too
        p, sock, conf, log = self.spawn('spawn-worker-init')
        try:
            st, body = self.ask(sock, '/aparte/good/worker',
                                APARTE_CONF=conf)
            self.assertEqual((st, body), (200, b'worker_init ran\n'))
        finally:
            self.stop(p)

    def test_sigterm_lets_the_first_request_finish(self):
        # the request that names the config is answered before the
        # threads start: a SIGTERM meanwhile waits for it, as for the
        # others
        p, sock, conf, log = self.spawn('spawn-first-term')
        out = {}

        def first():
            try:
                out['r'] = self.ask(sock, '/aparte/good/slow',
                                    QUERY_STRING='ms=1500',
                                    REQUEST_URI='/aparte/good/slow?ms=1500',
                                    APARTE_CONF=conf)
            except Exception as e:  # noqa: BLE001
                out['r'] = e
        t = threading.Thread(target=first)
        t.start()
        time.sleep(0.7)
        p.send_signal(signal.SIGTERM)
        t.join(30)
        self.assertEqual(p.wait(20), 0)
        st, body = out['r']
        self.assertEqual(st, 200)
        self.assertIn('slow done 1500', page_texts(body))

    def test_config_from_the_first_request(self):
        p, sock, conf, log = self.spawn('spawn-param')
        try:
            st, body = self.ask(sock, '/aparte/good/hello/x', APARTE_CONF=conf)
            self.assertEqual(st, 200)
            self.assertIn('hello', page_texts(body))
            st, body = self.ask(sock, '/aparte/good/worker')
            self.assertEqual(body, b'worker_init ran\n')
            # later requests need not say it again; threads serve them
            results = []
            ts = [threading.Thread(target=lambda: results.append(
                self.ask(sock, '/aparte/status')[0])) for _ in range(6)]
            for t in ts:
                t.start()
            for t in ts:
                t.join()
            self.assertEqual(results, [200] * 6)
            st, body = self.ask(sock, '/aparte/good/greeting')
            self.assertIn('salut', page_texts(body))
        finally:
            self.stop(p)
        self.assertIn('serving with 2 threads', open(log).read())

    def test_first_request_without_a_config(self):
        p, sock, conf, log = self.spawn('spawn-noconf')
        st, body = self.ask(sock, '/aparte/status')
        self.assertEqual(st, 500)
        self.assertIn(b'configuration error', body)
        self.assertEqual(p.wait(20), 1)
        # the log says which file it looked for
        self.assertIn('aparte.conf: No such file or directory',
                      open(log).read())

    def test_config_from_the_environment(self):
        p, sock, conf, log = self.spawn('spawn-env', env_conf=True)
        try:
            st, body = self.ask(sock, '/aparte/status')
            self.assertEqual(st, 200)
            self.assertIn(b'database: ok', body)
        finally:
            self.stop(p)


if __name__ == '__main__':
    unittest.main()
