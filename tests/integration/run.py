#!/usr/bin/python3
"""Runs the integration tests against a private site: MariaDB, the
backend and nginx, all started here and stopped at the end.  Every page
the tests kept is checked with the Nu Html Checker at the end.

Usage: run.py --prefix PREFIX --build BUILD_DIR [--run DIR] [--no-browser]
              [PATTERN...]
PATTERNs pick the test modules (test_PATTERN.py); the browser suite
(tests/browser, screenshots in RUN/browser) runs after them while the site
is still up, unless --no-browser, or PATTERNs are given and none is
"browser".  Ends with the line "N passed, N failed" (and the skipped, if
any), the browser tests included.
"""
import argparse
import glob
import importlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, 'tools'))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, 'demo'))

import content  # noqa: E402
import harness  # noqa: E402
from stack import ApacheSite, Stack  # noqa: E402


class MarkupTest(unittest.TestCase):
    """Runs last: every page kept by the other tests passes the checker."""

    def test_zz_pages_pass_the_nu_checker(self):
        files = sorted(glob.glob(os.path.join(harness.pages_dir, '*')))
        self.assertGreaterEqual(len(files), 5, 'the tests kept too few pages')
        jar = os.path.join(ROOT, 'tests', 'node_modules', 'vnu-jar', 'build',
                           'dist', 'vnu.jar')
        r = subprocess.run(['java', '-jar', jar, '--errors-only', '--stdout']
                           + files, capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, 'Nu checker errors:\n' + r.stdout +
                         r.stderr)


class LogTest(unittest.TestCase):
    """Runs last: the backend logged no sanitizer report and no crash."""

    def test_zz_backend_log_has_no_sanitizer_report_or_crash(self):
        path = os.path.join(harness.stack.run, 'aparte.log')
        text = open(path, encoding='utf-8', errors='replace').read()
        for bad in ('AddressSanitizer', 'LeakSanitizer', 'runtime error:',
                    'died (signal'):
            self.assertNotIn(bad, text, 'found in %s' % path)
        # the backends the tests started apart (one is killed on purpose)
        for path in self.other_logs():
            text = open(path, encoding='utf-8', errors='replace').read()
            for bad in ('AddressSanitizer', 'LeakSanitizer', 'runtime error:'):
                self.assertNotIn(bad, text, 'found in %s' % path)

    def other_logs(self):
        run = os.path.dirname(harness.stack.run)
        return (glob.glob(os.path.join(run, 'side', '*', '*.log')) +
                glob.glob(os.path.join(harness.stack.run, 'apache',
                                       'error.log')))

    def test_zz_logs_hold_no_secret(self):
        st = harness.stack
        secrets = [open(os.path.join(st.run, name)).read().strip()
                   for name in ('secret', 'db-password')]
        for tok in harness.secrets_seen:
            secrets.append(tok)
            secrets.append(tok.rsplit('.', 1)[-1])   # its MAC alone
        for path in [os.path.join(st.run, 'aparte.log')] + self.other_logs():
            text = open(path, encoding='utf-8', errors='replace').read()
            for s in secrets:
                self.assertNotIn(s, text, 'a secret is in %s' % path)


class Result(unittest.TextTestResult):
    pass


def run_browser(base, out):
    """Runs tests/browser/run.mjs against the site; returns (passed,
    failed).  Its lines go to our output as they come."""
    script = os.path.join(ROOT, 'tests', 'browser', 'run.mjs')
    print('== browser tests', flush=True)
    try:
        p = subprocess.Popen(['node', script, base, out], stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
    except OSError as e:
        print('not ok - the browser suite did not start: %s' % e, flush=True)
        return 0, 1
    counts = None
    try:
        for line in p.stdout:
            m = re.match(r'^(\d+) passed, (\d+) failed', line)
            if m:
                counts = int(m.group(1)), int(m.group(2))
                line = 'browser: ' + line
            print(line, end='', flush=True)
        p.wait(timeout=600)
    except subprocess.TimeoutExpired:
        p.kill()
        print('not ok - the browser suite took too long', flush=True)
        return (counts[0] if counts else 0), (counts[1] if counts else 0) + 1
    except BaseException:
        p.kill()      # the run is being stopped: the browser goes too
        p.wait()
        raise
    if counts is None:
        print('not ok - the browser suite ended without its counts (exit %d)'
              % p.returncode, flush=True)
        return 0, 1
    return counts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--prefix', required=True)
    ap.add_argument('--build', required=True)
    ap.add_argument('--run', default=os.path.join(ROOT, 'run', 'itest'))
    ap.add_argument('--no-browser', action='store_true')
    ap.add_argument('patterns', nargs='*')
    args = ap.parse_args()
    args.run = os.path.abspath(args.run)

    if os.path.isdir(args.run):
        shutil.rmtree(args.run)
    os.makedirs(args.run)
    # The installed plugins, and the loader's test plugins beside them.
    pdir = os.path.join(args.run, 'plugins')
    os.makedirs(pdir)
    inst = os.path.join(os.path.abspath(args.prefix), 'lib', 'aparte', 'plugins')
    for so in glob.glob(os.path.join(inst, '*.so')):
        os.symlink(so, os.path.join(pdir, os.path.basename(so)))
    test_plugins = ('good', 'badabi', 'helper', 'needy', 'judge')
    # They are built by `make check`: a build made by tools/build alone
    # has none yet, and the console's tests would meet dangling links.
    missing = [n for n in test_plugins if not os.path.exists(os.path.join(
        os.path.abspath(args.build), 'tests', 'plugins', '.libs', n + '.so'))]
    if missing:
        subprocess.run(['make', '-C', args.build, '-s'] +
                       ['tests/plugins/%s.la' % n for n in missing],
                       check=True, stdout=subprocess.DEVNULL)
    for name in test_plugins:
        so = os.path.join(os.path.abspath(args.build), 'tests', 'plugins', '.libs',
                          name + '.so')
        os.symlink(so, os.path.join(pdir, name + '.so'))
    harness.pages_dir = os.path.join(args.run, 'pages')
    os.makedirs(harness.pages_dir)
    harness.build_dir = os.path.abspath(args.build)
    # Settings for the test site: one file per plugin in conf.d/.
    extra = ''
    for f in sorted(glob.glob(os.path.join(HERE, 'conf.d', '*.conf'))):
        extra += open(f, encoding='utf-8').read() + '\n'
    # Static pages the tests write (with SSI), served by nginx at /essai/.
    harness.pages_www = os.path.join(args.run, 'essai')
    os.makedirs(harness.pages_www)
    st = Stack(os.path.join(args.run, 'site'), args.prefix, plugin_dir=pdir,
               conf_extra=extra, nginx_extra='        location /essai/ '
               '{ alias %s/; }' % harness.pages_www)
    harness.stack = st

    # Stopped from outside (tools/check's time limit, Ctrl-C): the site's
    # processes are stopped on the way out, as after the last test.
    def stopped(signum, frame):
        raise KeyboardInterrupt('signal %d' % signum)
    signal.signal(signal.SIGTERM, stopped)
    t0 = time.time()
    try:
        st.start()
        # Every installed plugin on, with the demo content: the tests use
        # it as their data.
        harness.demo_info = content.load(st)
    except BaseException:
        st.stop()
        raise
    # The plugins were enabled while the backend ran: every worker thread
    # sees the new set within a second.
    time.sleep(1.1)
    print('site up in %.1fs on %s' % (time.time() - t0, st.base), flush=True)

    loader = unittest.TestLoader()
    suite = unittest.TestSuite()
    mods = sorted(os.path.basename(p)[:-3] for p in glob.glob(os.path.join(HERE, 'test_*.py')))
    for m in mods:
        if args.patterns and not any(p in m for p in args.patterns):
            continue
        suite.addTests(loader.loadTestsFromModule(importlib.import_module(m)))
    last = unittest.TestSuite()
    last.addTests(loader.loadTestsFromTestCase(MarkupTest))
    last.addTests(loader.loadTestsFromTestCase(LogTest))
    runner = unittest.TextTestRunner(stream=sys.stdout, verbosity=2,
                                     resultclass=Result)
    browser = (0, 0)
    try:
        res = runner.run(suite)
        if not args.no_browser and (not args.patterns or
                                    'browser' in args.patterns):
            browser = run_browser(st.base, os.path.join(args.run, 'browser'))
        # Last: the markup of every page kept, the backend's log.
        res2 = runner.run(last)
    finally:
        # What a test left running (it failed, or the run was stopped
        # before its cleanup), then the site.
        for b in harness.started:
            try:
                b.stop()
            except Exception:
                pass
        for a in ApacheSite.started:
            a.stop()
        st.stop()
    for k in ('failures', 'errors', 'unexpectedSuccesses', 'skipped'):
        getattr(res, k).extend(getattr(res2, k))
    res.testsRun += res2.testsRun
    failed = len(res.failures) + len(res.errors) + len(res.unexpectedSuccesses)
    skipped = len(res.skipped)
    passed = res.testsRun - failed - skipped + browser[0]
    failed += browser[1]
    line = '%d passed, %d failed' % (passed, failed)
    if skipped:
        line += ', %d skipped' % skipped
    print(line)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
