"""The demo content: what tools/demo loads into a fresh site, and what
the tests use as data.  Every text here is ours, about fictional people."""
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def load(st, fresh=True):
    """Enables every installed plugin and loads each one's demo content.
    Returns lines to print (credentials, addresses)."""
    info = []
    out = st.admin('plugin', 'list').stdout.splitlines()[1:]
    names = [l.split()[0] for l in out if l.split()[1:2] != ['broken']]
    # dependencies first: enable in passes until nothing more can be
    pending = list(names)
    for _ in range(len(names) + 1):
        left = []
        for n in pending:
            if st.admin('plugin', 'enable', n, check=False).returncode != 0:
                left.append(n)
        pending = left
        if not pending:
            break
    for n in names:
        f = os.path.join(HERE, '%s.py' % n)
        if fresh and os.path.exists(f):
            ns = {}
            exec(compile(open(f, encoding='utf-8').read(), f, 'exec'), ns)
            info += ns['load'](st) or []
    return info
