#!/usr/bin/python3
"""tools/bench, after the build: measures each dynamic page beside nginx
serving the same bytes as a static file, in one run, with wrk at
concurrency 32; and each backend worker's peak memory (VmHWM: the kernel's peak resident
set, the figure /usr/bin/time reports as maximum resident set size).

Scenarios: the core's (the status route) and those of tests/bench/*.py;
each such file defines scenarios(stack) returning a list of
Scenario(name, path, prepare=None, method='GET', body=None, static=True).
A scenario with static=False (a POST) has no static twin; its figure
stands alone.

On a machine of shared, noisy cores only ratios measured together mean
something: static and dynamic runs alternate, and the medians are kept.
"""
import argparse
import glob
import importlib.util
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from stack import Stack, ROOT  # noqa: E402

sys.path.insert(0, os.path.join(ROOT, 'demo'))


class Scenario:
    def __init__(self, name, path, prepare=None, method='GET', body=None,
                 static=True, lua=None, reference=False):
        self.reference = reference
        self.name = name
        self.path = path
        self.prepare = prepare
        self.method = method
        self.body = body
        self.static = static
        self.lua = lua


def wrk(url, seconds, conns, threads=2, lua=None):
    """Runs wrk; returns (requests/s, p50 ms, p99 ms, non-2xx/3xx, errors)."""
    args = ['wrk', '-t%d' % threads, '-c%d' % conns, '-d%ds' % seconds,
            '--latency', '--timeout', '5s']
    if lua:
        args += ['-s', lua]
    out = subprocess.run(args + [url], capture_output=True, text=True).stdout

    def ms(label):
        m = re.search(r'^\s+%s\s+([\d.]+)(us|ms|s)\s*$' % re.escape(label), out, re.M)
        if not m:
            return float('nan')
        v = float(m.group(1))
        return v / 1000 if m.group(2) == 'us' else v * 1000 if m.group(2) == 's' else v

    rps = re.search(r'Requests/sec:\s+([\d.]+)', out)
    bad = re.search(r'Non-2xx or 3xx responses:\s+(\d+)', out)
    err = re.search(r'Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)', out)
    return (float(rps.group(1)) if rps else 0.0, ms('50%'), ms('99%'),
            int(bad.group(1)) if bad else 0,
            sum(int(x) for x in err.groups()) if err else 0, out)


def worker_pids(master):
    pids = []
    for d in os.listdir('/proc'):
        if not d.isdigit():
            continue
        try:
            st = open('/proc/%s/status' % d).read()
        except OSError:
            continue
        m = re.search(r'^PPid:\s+(\d+)', st, re.M)
        if m and int(m.group(1)) == master:
            pids.append(int(d))
    return sorted(pids)


def peak_rss_kb(pid):
    try:
        st = open('/proc/%d/status' % pid).read()
    except OSError:
        return 0
    m = re.search(r'^VmHWM:\s+(\d+) kB', st, re.M)
    return int(m.group(1)) if m else 0


def load_scenarios(st):
    out = [Scenario('status', '/aparte/status', reference=True)]
    for f in sorted(glob.glob(os.path.join(ROOT, 'tests', 'bench', '*.py'))):
        spec = importlib.util.spec_from_file_location(
            'bench_' + os.path.basename(f)[:-3], f)
        mod = importlib.util.module_from_spec(spec)
        mod.Scenario = Scenario
        spec.loader.exec_module(mod)
        out += mod.scenarios(st)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--seconds', type=int, default=8)
    ap.add_argument('--rounds', type=int, default=2)
    ap.add_argument('--conns', type=int, default=32)
    ap.add_argument('--workers', type=int, default=2)
    ap.add_argument('--threads', type=int, default=8)
    ap.add_argument('--prefix', default=os.path.join(ROOT, 'run', 'bench-prefix'))
    ap.add_argument('--json', help='write the figures to this file too')
    ap.add_argument('only', nargs='*', help='scenario names to run')
    args = ap.parse_args()

    run = os.path.join(ROOT, 'run', 'bench')
    subprocess.run(['rm', '-rf', run])
    os.makedirs(run)
    # The reference: the barest libfcgi program, same processes and
    # threads, answering the same bytes.
    hello = os.path.join(run, 'fcgi-hello')
    subprocess.run(['cc', '-O2', '-o', hello,
                    os.path.join(ROOT, 'tests', 'bench', 'fcgi-hello.c'),
                    '-lfcgi', '-lpthread'], check=True)
    hello_sock = os.path.join(run, 'hello.sock')
    extra = ''
    for f in sorted(glob.glob(os.path.join(ROOT, 'tests', 'bench', '*.conf'))):
        extra += open(f, encoding='utf-8').read() + '\n'
    st = Stack(run, args.prefix, workers=args.workers, threads=args.threads,
               nginx_workers=2, conf_extra=extra, nginx_extra='''
        location = /reference {
            include /etc/nginx/fastcgi_params;
            fastcgi_pass unix:%s;
        }''' % hello_sock)
    results = []
    ref = None

    def stopped(signum, frame):   # SIGTERM: stop everything, as Ctrl-C
        raise KeyboardInterrupt('signal %d' % signum)
    signal.signal(signal.SIGTERM, stopped)
    try:
        st.start()
        import content
        content.load(st)
        os.makedirs(os.path.join(run, 'bench'), exist_ok=True)
        scen = [s for s in load_scenarios(st) if not args.only or s.name in args.only]
        print('Aparté benchmark: wrk -c%d, %ds x %d rounds, backend %d workers x %d '
              'threads, nginx 2 workers, %d cores' % (
                  args.conns, args.seconds, args.rounds, args.workers,
                  args.threads, os.cpu_count()), flush=True)
        for s in scen:
            if s.prepare:
                s.prepare(st)
            dyn_url = st.base + s.path
            stat_url = None
            if s.static:
                with urllib.request.urlopen(dyn_url) as r:
                    data = r.read()
                    ctype = r.headers.get('Content-Type', '')
                ext = '.html' if 'html' in ctype else '.txt'
                fn = s.name + ext
                with open(os.path.join(run, 'bench', fn), 'wb') as f:
                    f.write(data)
                stat_url = st.base + '/bench/' + fn
            ref = None
            if s.reference and stat_url:
                if os.path.exists(hello_sock):
                    os.unlink(hello_sock)
                ref = subprocess.Popen([hello, hello_sock,
                                        os.path.join(run, 'bench', fn),
                                        str(args.workers), str(args.threads)],
                                       start_new_session=True)
                while not os.path.exists(hello_sock):
                    if ref.poll() is not None:
                        raise RuntimeError('the bare libfcgi program did not '
                                           'start')
                    time.sleep(0.05)
            ref_url = st.base + '/reference'
            # warm up
            wrk(dyn_url, 1, args.conns, lua=s.lua)
            if stat_url:
                wrk(stat_url, 1, args.conns)
            if ref:
                wrk(ref_url, 1, args.conns)
            d_runs, s_runs, r_runs = [], [], []
            for _ in range(args.rounds):
                if stat_url:
                    s_runs.append(wrk(stat_url, args.seconds, args.conns))
                d_runs.append(wrk(dyn_url, args.seconds, args.conns, lua=s.lua))
                if ref:
                    r_runs.append(wrk(ref_url, args.seconds, args.conns))
            if ref:
                os.killpg(ref.pid, signal.SIGKILL)   # libfcgi keeps SIGTERM for itself
                ref.wait()
                ref = None

            def med(runs, i):
                return statistics.median(r[i] for r in runs) if runs else float('nan')
            row = {'name': s.name, 'path': s.path, 'method': s.method,
                   'dyn_rps': med(d_runs, 0), 'dyn_p50': med(d_runs, 1),
                   'dyn_p99': med(d_runs, 2),
                   'dyn_bad': sum(r[3] + r[4] for r in d_runs)}
            if stat_url:
                row.update({'bytes': len(data), 'static_rps': med(s_runs, 0),
                            'static_p50': med(s_runs, 1), 'static_p99': med(s_runs, 2),
                            'ratio': med(d_runs, 0) / med(s_runs, 0)
                            if med(s_runs, 0) else float('nan')})
            if r_runs:
                row.update({'ref_rps': med(r_runs, 0), 'ref_p50': med(r_runs, 1),
                            'ref_p99': med(r_runs, 2),
                            'ref_ratio': med(r_runs, 0) / med(s_runs, 0)})
            results.append(row)
            if stat_url:
                print('%-18s %6d B  dynamic %8.0f req/s p50 %6.2f ms p99 %6.2f ms | '
                      'static %8.0f req/s p50 %6.2f ms p99 %6.2f ms | ratio %4.0f%%%s' % (
                          s.name, row['bytes'], row['dyn_rps'], row['dyn_p50'],
                          row['dyn_p99'], row['static_rps'], row['static_p50'],
                          row['static_p99'], 100 * row['ratio'],
                          '  (%d errors)' % row['dyn_bad'] if row['dyn_bad'] else ''),
                      flush=True)
            if r_runs:
                print('%-18s %6s    bare libfcgi %5.0f req/s p50 %6.2f ms p99 %6.2f ms'
                      ' | ratio to static %4.0f%% (the same bytes, no core)' % (
                          '', '', row['ref_rps'], row['ref_p50'], row['ref_p99'],
                          100 * row['ref_ratio']), flush=True)
            if not stat_url:
                print('%-18s %s: %8.0f req/s p50 %6.2f ms p99 %6.2f ms%s' % (
                    s.name, s.method, row['dyn_rps'], row['dyn_p50'], row['dyn_p99'],
                    '  (%d errors)' % row['dyn_bad'] if row['dyn_bad'] else ''),
                    flush=True)
        master = st.procs['app'].pid
        rss = [(p, peak_rss_kb(p)) for p in worker_pids(master)]
        for p, kb in rss:
            print('worker %d peak RSS %.1f MB' % (p, kb / 1024))
        print('master %d peak RSS %.1f MB' % (master, peak_rss_kb(master) / 1024))
    finally:
        if ref is not None and ref.poll() is None:
            os.killpg(ref.pid, signal.SIGKILL)
            ref.wait()
        st.stop()
    if args.json:
        with open(args.json, 'w') as f:
            json.dump({'results': results,
                       'workers_rss_kb': [kb for _, kb in rss]}, f, indent=1)
    return 0


if __name__ == '__main__':
    sys.exit(main())
