"""The README's example plugin, as a newcomer would use it: the C block
under "Writing a plugin" built out of tree against the installed core
with pkg-config, dropped into the site's plugin folder, the backend
reloaded, the plugin enabled: its page, its form and its command work."""
import os
import re
import subprocess
import time
import unittest

import harness
from harness import Client, page_texts, save_page, wait_until

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


def readme_plugin():
    text = open(os.path.join(ROOT, 'README.md'), encoding='utf-8').read()
    section = text.split('## Writing a plugin', 1)[1]
    m = re.search(r'```c\n(.*?)```', section, re.S)
    assert m, 'no C block under "Writing a plugin"'
    return m.group(1)


class ReadmePluginTest(unittest.TestCase):

    def test_build_install_enable_and_use(self):
        st = harness.stack
        d = harness.side_dir('readme-plugin')
        src = os.path.join(d, 'hello.c')
        with open(src, 'w') as f:
            f.write(readme_plugin())
        env = dict(os.environ, PKG_CONFIG_PATH=os.path.join(
            st.prefix, 'lib', 'pkgconfig'))
        cflags = subprocess.run(['pkg-config', '--cflags', 'aparte'], env=env,
                                capture_output=True, text=True, check=True)
        self.assertIn(os.path.join(st.prefix, 'include'), cflags.stdout)
        plugindir = subprocess.run(['pkg-config', '--variable=plugindir',
                                    'aparte'], env=env, capture_output=True,
                                   text=True, check=True).stdout.strip()
        self.assertEqual(plugindir, os.path.join(st.prefix, 'lib', 'aparte',
                                                 'plugins'))
        # the README's command line
        r = subprocess.run('cc -shared -fPIC -o hello.so hello.c '
                           '$(pkg-config --cflags aparte)', shell=True,
                           cwd=d, env=env, capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        # and it is clean with the project's warnings
        r = subprocess.run('cc -Wall -Wextra -Wno-unused-parameter -Werror '
                           '-fsyntax-only hello.c $(pkg-config --cflags '
                           'aparte)', shell=True, cwd=d, env=env,
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)

        # into the site's plugin folder; the backend reloads
        dst = os.path.join(st.plugin_dir, 'hello.so')
        os.rename(os.path.join(d, 'hello.so'), dst)
        try:
            st.app_reload()
            loaded = wait_until(lambda: 'hello' in Client().get(
                '/aparte/status').text.split('plugins loaded:')[1]
                .split('\n')[0], 15)
            self.assertTrue(loaded, 'hello.so not loaded after SIGHUP')
            self.assertEqual(Client().get('/aparte/hello/claire').status, 404)
            r = st.admin('plugin', 'enable', 'hello')
            self.assertEqual(r.stdout, 'hello enabled\n')
            states = {l.split()[0]: l.split()[1] for l in
                      st.admin('plugin', 'list').stdout.splitlines()[1:]}
            self.assertEqual(states['hello'], 'enabled')
            time.sleep(1.1)

            c = Client()
            r = c.get('/aparte/hello/claire')
            self.assertEqual(r.status, 200, r.text[:300])
            self.assertIn('Bonjour, claire !', page_texts(r.body))
            before = int(re.search(r'<p class="count">(\d+)</p>',
                                   r.text).group(1))
            save_page('readme-hello', r)
            r = c.get('/aparte/hello/claire?fragment=1')
            self.assertTrue(r.text.startswith(
                '<section class="hello" lang="fr">'))

            # its form: the token, a redirect, the count one up
            r = c.get('/aparte/hello/claire')
            tok = c.form_fields(r)['_csrf']
            harness.secrets_seen.append(tok)
            r = c.post('/aparte/hello', {'_csrf': tok})
            self.assertEqual(r.status, 303)
            self.assertEqual(r.header('location'), '/aparte/hello/again')
            r = c.get('/aparte/hello/again')
            self.assertIn('<p class="count">%d</p>' % (before + 1), r.text)
            # the same token again: refused
            self.assertEqual(c.post('/aparte/hello', {'_csrf': tok}).status,
                             403)
            self.assertEqual(c.post('/aparte/hello', {}).status, 403)

            # its command
            r = st.admin('hello')
            self.assertEqual(r.stdout, '%d greetings\n' % (before + 1))
            self.assertIn('print how many greetings',
                          st.admin('help').stdout)
        finally:
            st.admin('plugin', 'disable', 'hello', check=False)
            os.unlink(dst)


if __name__ == '__main__':
    unittest.main()
