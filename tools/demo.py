#!/usr/bin/python3
"""tools/demo, after the build: starts the private site with the demo
content and waits until Ctrl-C or SIGTERM, then stops everything."""
import argparse
import os
import shutil
import signal
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from stack import Stack, StackError, ROOT  # noqa: E402

sys.path.insert(0, os.path.join(ROOT, 'demo'))
import content  # noqa: E402


class Interrupted(Exception):
    """Ctrl-C or SIGTERM while the site was starting."""


def main():
    ap = argparse.ArgumentParser(description='Start the demo site.')
    ap.add_argument('--port', type=int, default=int(os.environ.get('PORT', 8080)))
    ap.add_argument('--keep', action='store_true',
                    help='keep the database of the last run (default: start afresh)')
    args = ap.parse_args()
    run = os.path.join(ROOT, 'run', 'demo')
    if not args.keep and os.path.isdir(run):
        shutil.rmtree(run)
    extra = open(os.path.join(ROOT, 'demo', 'demo.conf'), encoding='utf-8').read()
    st = Stack(run, os.path.join(ROOT, 'run', 'prefix'), port=args.port,
               conf_extra=extra)
    stop = threading.Event()
    starting = [True]

    def on_signal(*a):
        # While starting, stop at once (the start is abandoned where it
        # is, its processes stopped below); once up, end the wait.
        stop.set()
        if starting[0]:
            starting[0] = False
            raise Interrupted()
    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, on_signal)
    try:
        st.start()
        info = content.load(st, fresh=not args.keep)
        starting[0] = False
    except StackError as e:
        starting[0] = False
        print('demo: %s' % e, file=sys.stderr)
        st.stop()
        return 1
    except BaseException:
        # Interrupted, or anything unforeseen: nothing is left running.
        starting[0] = False
        print('stopping...', file=sys.stderr)
        st.stop()
        if stop.is_set():
            return 0
        raise
    print()
    print('Aparté demo: %s/' % st.base)
    print('  article with comments: %s/blog/partager-son-temps' % st.base)
    for line in info:
        print('  ' + line)
    print('  mail sent by the site lands in: %s' % st.mail_dir)
    print('  logs: %s/aparte.log, %s/nginx-error.log' % (st.run, st.run))
    print('Stop with Ctrl-C (or SIGTERM).', flush=True)
    stop.wait()
    print('stopping...', file=sys.stderr)
    st.stop()
    return 0


if __name__ == '__main__':
    sys.exit(main())
