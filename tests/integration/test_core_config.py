"""aparte.conf: whatever is wrong in it stops the start (and fails
--check-config) with a message that names the file and the line."""
import os
import subprocess
import time
import unittest

import harness

# (name, changes, drop, the line to find in the file, what the message says)
BROKEN = [
    ('unknown key', {('site', 'colour'): 'blue'}, (), 'colour = blue',
     "unknown key 'colour' in [site]"),
    ('unknown section', {('nowhere', 'a'): '1'}, (), 'a = 1',
     'unknown section [nowhere]'),
    ('bad integer', {('server', 'threads'): 'many'}, (), 'threads = many',
     "[server] threads: 'many' is not an integer"),
    ('out of range', {('server', 'threads'): '5000'}, (), 'threads = 5000',
     '[server] threads: 5000 is out of range [1, 1024]'),
    ('bad size', {('limits', 'body_max'): '1X'}, (), 'body_max = 1X',
     "[limits] body_max: '1X' is not a size"),
    ('size out of range', {('limits', 'body_max'): '2G'}, (), 'body_max = 2G',
     '[limits] body_max: 2G is out of range'),
    ('bad duration', {('mail', 'retry'): '5y'}, (), 'retry = 5y',
     "[mail] retry: '5y' is not a duration"),
    ('socket mode not octal', {('server', 'socket_mode'): '689'}, (),
     'socket_mode = 689', "[server] socket_mode: '689' is not an octal mode"),
    ('plugin setting out of range', {('good', 'times'): '11'}, (),
     'times = 11', '[good] times: 11 is out of range [1, 10]'),
    ('bad log level', {('server', 'log_level'): 'verbose'}, (),
     'log_level = verbose', "[server] log_level: 'verbose' is not error"),
    ('bad mount', {('site', 'mount'): 'aparte'}, (), 'mount = aparte',
     '[site] mount: must start with /'),
    ('bad base url', {('site', 'base_url'): 'ftp://example.org'}, (),
     'base_url = ftp://example.org',
     '[site] base_url: must start with http:// or https://'),
    ('language not offered', {('site', 'language'): 'de'}, (),
     'language = de', '[site] language: language de is not among'),
    ('bad secret', {('site', 'secret'): 'abc', ('site', 'secret_file'): ''},
     (), 'secret = abc', '[site] secret: must be 64 hex digits'),
    ('missing password file', {('database', 'password_file'):
                               '/nonexistent/pw'}, (),
     'password_file = /nonexistent/pw',
     '[database] password_file: /nonexistent/pw: No such file or directory'),
    ('key set twice', {}, (), None, 'set twice (first on line'),
    ('no equals sign', {}, (), None, 'expected key = value'),
]


def line_of(path, text):
    for i, l in enumerate(open(path, encoding='utf-8').read().splitlines(), 1):
        if l.strip() == text:
            return i
    raise AssertionError('%r not in %s' % (text, path))


class BrokenConfigTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.dir = harness.side_dir('configs')

    def make(self, name, changes, drop):
        path = os.path.join(self.dir, name.replace(' ', '-') + '.conf')
        harness.write_conf(path, changes, drop)
        if name == 'key set twice':
            with open(path, 'a') as f:
                f.write('[server]\nthreads = 3\n')
            return path, len(open(path).read().splitlines())
        if name == 'no equals sign':
            with open(path, 'a') as f:
                f.write('[server]\nthreads\n')
            return path, len(open(path).read().splitlines())
        return path, None

    def test_check_config_names_file_and_line(self):
        for name, changes, drop, text, says in BROKEN:
            with self.subTest(name):
                path, line = self.make(name, changes, drop)
                line = line or line_of(path, text)
                r = subprocess.run([harness.stack.bin('aparte.fcgi'),
                                    '--check-config', '--config', path],
                                   capture_output=True, text=True, timeout=30)
                self.assertNotEqual(r.returncode, 0)
                self.assertIn('%s:%d: ' % (path, line), r.stderr)
                self.assertIn(says, r.stderr)

    def test_start_refused_with_file_and_line(self):
        for name, changes, drop, text, says in BROKEN:
            with self.subTest(name):
                path, line = self.make(name, changes, drop)
                line = line or line_of(path, text)
                sock = os.path.join(self.dir, 'never.sock')
                r = subprocess.run([harness.stack.bin('aparte.fcgi'),
                                    '--config', path, '--listen',
                                    'unix:' + sock], capture_output=True,
                                   text=True, timeout=30,
                                   stdin=subprocess.DEVNULL)
                self.assertNotEqual(r.returncode, 0)
                self.assertIn('%s:%d: ' % (path, line), r.stderr)
                self.assertIn(says, r.stderr)
                self.assertFalse(os.path.exists(sock))
                # the admin's command says the same
                r = subprocess.run([harness.stack.bin('aparte-admin'),
                                    '--config', path, 'status'],
                                   capture_output=True, text=True, timeout=30)
                self.assertEqual(r.returncode, 1)
                self.assertIn('%s:%d: ' % (path, line), r.stderr)

    def test_missing_file(self):
        path = os.path.join(self.dir, 'nothere.conf')
        r = subprocess.run([harness.stack.bin('aparte.fcgi'), '--check-config',
                            '--config', path], capture_output=True, text=True)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn('%s: No such file or directory' % path, r.stderr)

    def test_good_config_passes(self):
        path = os.path.join(self.dir, 'good.conf')
        # the section of a plugin that failed to load is tolerated
        harness.write_conf(path, {('badabi', 'anything'): 'x'})
        r = subprocess.run([harness.stack.bin('aparte.fcgi'), '--check-config',
                            '--config', path], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, '%s: ok\n' % path)
        # also when the config comes from the environment
        env = dict(os.environ, APARTE_CONF=path)
        r = subprocess.run([harness.stack.bin('aparte.fcgi'), '--check-config'],
                           capture_output=True, text=True, env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, '%s: ok\n' % path)


if __name__ == '__main__':
    unittest.main()
