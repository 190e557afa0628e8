"""aparte-admin: migrations that change nothing the second time, and the
plugins an admin lists, enables and disables (with the reasons a plugin is
broken and the dependencies that refuse a change), on databases of their
own; and on the running site, a disabled plugin's routes answer 404 while
its data stays."""
import os
import subprocess
import threading
import time
import unittest

import harness
from harness import Client, wait_until


def admin(conf, *args):
    return subprocess.run([harness.stack.bin('aparte-admin'), '--config',
                           conf] + list(args), capture_output=True, text=True)


def side_database(name, plugin_dir=None):
    """A new, empty database on the test site's server, and a config for
    it; returns the config's path."""
    st = harness.stack
    st.sql('DROP DATABASE IF EXISTS %s' % name, database='mysql')
    st.sql('CREATE DATABASE %s CHARACTER SET utf8mb4 COLLATE '
           'utf8mb4_unicode_ci' % name, database='mysql')
    st.sql("GRANT ALL ON %s.* TO 'aparte'@'localhost'" % name,
           database='mysql')
    d = harness.side_dir(name)
    changes = {('database', 'name'): name}
    if plugin_dir:
        changes[('server', 'plugin_dir')] = plugin_dir
    return harness.write_conf(os.path.join(d, 'aparte.conf'), changes)


def snapshot(db):
    """What a migration could change: the tables, their definitions, their
    rows."""
    st = harness.stack
    tables = [r[0] for r in st.sql('SHOW TABLES', database=db)]
    out = {'tables': tables}
    for t in tables:
        out['create ' + t] = st.sql('SHOW CREATE TABLE `%s`' % t, database=db)
        out['rows ' + t] = st.sql('CHECKSUM TABLE `%s` EXTENDED' % t,
                                  database=db)
    out['migrations'] = st.sql('SELECT owner, number, name, applied_at FROM '
                               'ap_migrations ORDER BY owner, number',
                               database=db)
    return out


class MigrateTest(unittest.TestCase):

    def test_migrate_twice_changes_nothing(self):
        conf = side_database('aparte_mig', harness.stack.plugin_dir)
        # a dry run on an empty database says everything, does nothing
        r = admin(conf, 'migrate', '--dry-run')
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn('to apply: core/001-core.sql', r.stdout)
        self.assertEqual(harness.stack.sql('SHOW TABLES', database='aparte_mig'),
                         [])
        r = admin(conf, 'migrate')
        self.assertEqual(r.returncode, 0, r.stderr)
        applied = [l for l in r.stdout.splitlines() if l.startswith('applied ')]
        self.assertIn('applied core/001-core.sql', applied)
        first = snapshot('aparte_mig')
        self.assertEqual(len(first['migrations']), len(applied))
        self.assertIn('ap_plugins', first['tables'])
        # the plugins' tables as on the test site, which migrated the same
        self.assertEqual(first['tables'],
                         [t[0] for t in harness.stack.sql('SHOW TABLES')])

        time.sleep(1.1)   # a new applied_at would show
        r = admin(conf, 'migrate')
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(),
                         'nothing to apply: the schema is up to date')
        self.assertEqual(snapshot('aparte_mig'), first)
        r = admin(conf, 'migrate', '--dry-run')
        self.assertEqual(r.stdout.strip(),
                         'nothing to apply: the schema is up to date')
        harness.stack.sql('DROP DATABASE aparte_mig', database='mysql')

    def test_migrate_on_the_site_has_nothing_to_do(self):
        r = harness.stack.admin('migrate')
        self.assertEqual(r.stdout.strip(),
                         'nothing to apply: the schema is up to date')


class PluginCommandTest(unittest.TestCase):
    """On a database of its own, with the test plugins: the good one, one
    that needs it, and four that cannot load."""

    @classmethod
    def setUpClass(cls):
        d = harness.side_dir('plugins-folder')
        libs = os.path.join(harness.build_dir, 'tests', 'plugins', '.libs')
        for n in ('good', 'needsgood', 'badabi', 'needsmissing', 'failinit',
                  'nosymbol'):
            os.symlink(os.path.join(libs, n + '.so'),
                       os.path.join(d, n + '.so'))
        cls.conf = side_database('aparte_plug', d)
        r = admin(cls.conf, 'migrate')
        assert r.returncode == 0, r.stderr

    @classmethod
    def tearDownClass(cls):
        harness.stack.sql('DROP DATABASE aparte_plug', database='mysql')

    def states(self):
        r = admin(self.conf, 'plugin', 'list')
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.splitlines()
        self.assertEqual(lines[0].split(), ['NAME', 'STATE', 'VERSION',
                                            'DESCRIPTION'])
        out = {}
        for l in lines[1:]:
            name, state, rest = l.split(None, 2)
            out[name] = (state, rest)
        return out

    def enabled_rows(self):
        return dict(harness.stack.sql('SELECT name, enabled FROM ap_plugins',
                                      database='aparte_plug'))

    def generation(self):
        return int(harness.stack.sql("SELECT value FROM ap_counters WHERE "
                                     "name = 'plugins'",
                                     database='aparte_plug')[0][0])

    def test_list_enable_disable_with_reasons_and_dependencies(self):
        s = self.states()
        self.assertEqual(s['good'][0], 'disabled')
        self.assertIn('A test plugin', s['good'][1])
        self.assertEqual(s['needsgood'][0], 'disabled')
        self.assertEqual(s['badabi'][0], 'broken')
        self.assertRegex(s['badabi'][1],
                         r'built for plugin ABI 2\.0, this core offers 1\.\d+')
        self.assertEqual(s['needsmissing'][0], 'broken')
        self.assertIn('needs plugin nonexistent, which is not available',
                      s['needsmissing'][1])
        self.assertEqual(s['failinit'][0], 'broken')
        self.assertIn('its initialisation failed', s['failinit'][1])
        self.assertEqual(s['nosymbol'][0], 'broken')
        self.assertIn('does not export ap_plugin_nosymbol', s['nosymbol'][1])

        gen = self.generation()
        # refused: a dependency that is off, a broken plugin, an unknown one
        r = admin(self.conf, 'plugin', 'enable', 'needsgood')
        self.assertEqual(r.returncode, 1)
        self.assertIn('plugin needsgood needs good: enable good first',
                      r.stderr)
        r = admin(self.conf, 'plugin', 'enable', 'badabi')
        self.assertEqual(r.returncode, 1)
        self.assertIn('plugin badabi cannot be enabled: built for plugin ABI',
                      r.stderr)
        r = admin(self.conf, 'plugin', 'enable', 'nothere')
        self.assertEqual(r.returncode, 1)
        self.assertIn('no plugin named nothere is installed', r.stderr)
        self.assertEqual(self.generation(), gen)
        self.assertEqual(self.enabled_rows(), {})

        # in order, it works; each change bumps the generation
        r = admin(self.conf, 'plugin', 'enable', 'good', 'needsgood')
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, 'good enabled\nneedsgood enabled\n')
        self.assertEqual(self.generation(), gen + 2)
        s = self.states()
        self.assertEqual((s['good'][0], s['needsgood'][0]),
                         ('enabled', 'enabled'))
        self.assertEqual(self.enabled_rows(), {'good': '1', 'needsgood': '1'})

        # good cannot go while needsgood needs it
        r = admin(self.conf, 'plugin', 'disable', 'good')
        self.assertEqual(r.returncode, 1)
        self.assertIn('plugin needsgood needs good: disable needsgood first',
                      r.stderr)
        self.assertEqual(self.states()['good'][0], 'enabled')
        r = admin(self.conf, 'plugin', 'disable', 'needsgood', 'good')
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.enabled_rows(), {'good': '0', 'needsgood': '0'})
        self.assertEqual(self.generation(), gen + 4)

        # the admin's actions are in the audit trail
        actions = harness.stack.sql('SELECT action, detail FROM ap_audit '
                                    'ORDER BY id', database='aparte_plug')
        self.assertEqual(actions, [['plugin.enable', 'good'],
                                   ['plugin.enable', 'needsgood'],
                                   ['plugin.disable', 'needsgood'],
                                   ['plugin.disable', 'good']])

    def test_usage_errors(self):
        self.assertEqual(admin(self.conf, 'plugin').returncode, 2)
        self.assertEqual(admin(self.conf, 'plugin', 'enable').returncode, 2)
        r = admin(self.conf, 'plugin', 'frobnicate', 'good')
        self.assertEqual(r.returncode, 2)
        self.assertIn('unknown action frobnicate', r.stderr)
        r = admin(self.conf, 'nosuchcommand')
        self.assertEqual(r.returncode, 2)
        self.assertIn('unknown command nosuchcommand', r.stderr)


class DisabledPluginTest(unittest.TestCase):
    """On the running site."""

    def test_disabled_plugin_routes_are_404_and_its_data_stays(self):
        c = Client()
        r = c.post('/aparte/good/count', '')
        self.assertEqual(r.status, 200)
        before = r.text
        self.assertEqual(c.get('/aparte/good/count').text, before)
        self.assertEqual(c.get('/aparte/good/whoami',
                               headers={'Cookie': 'good_user=7'}).text,
                         'user 7\n')
        harness.stack.admin('plugin', 'disable', 'good')
        try:
            time.sleep(1.05)
            for path in ('/aparte/good/count', '/aparte/good/hello/x',
                         '/aparte/good/form'):
                r = c.get(path)
                self.assertEqual(r.status, 404, path)
                self.assertIn('Page introuvable', harness.page_texts(r.body))
            self.assertEqual(c.post('/aparte/good/count', '').status, 404)
            # its data is still there
            self.assertEqual(harness.stack.sql(
                "SELECT value FROM ap_counters WHERE name = 'good.count'"),
                [[before.split()[1]]])
        finally:
            harness.stack.admin('plugin', 'enable', 'good')
        time.sleep(1.05)
        self.assertEqual(c.get('/aparte/good/count').text, before)


if __name__ == '__main__':
    unittest.main()
