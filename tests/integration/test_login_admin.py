"""The admin console: the dashboard, plugins switched on and off for
every worker, accounts, and the audit trail of every admin action."""
import re
import time
import unittest

import harness
from harness import Client, fr, save_page, wait_until
from login_helpers import (clear_limits, csrf_of, is_guest, link_in, local,
                           make_user, new_password, sign_in, signed_in, sql,
                           user_id, wait_mail)


def plugin_states():
    """name -> enabled/disabled/broken, as the command line says."""
    out = harness.stack.admin('plugin', 'list').stdout.splitlines()[1:]
    return {l.split()[0]: l.split()[1] for l in out}


def row(page, name):
    m = re.search(r'<tr id="plugin-%s".*?</tr>' % name, page.text, re.S)
    assert m, name
    return m.group(0)


def switch(client, name, on, also=None):
    page = client.get('/aparte/admin/plugins')
    forms = re.findall(r'<form\b.*?</form>', row(page, name), re.S)
    assert forms, 'no button for %s' % name
    f = {}
    for m in re.finditer(r'<input\b[^>]*type="hidden"[^>]*>', forms[0]):
        n = re.search(r'name="([^"]*)"', m.group(0)).group(1)
        v = re.search(r'value="([^"]*)"', m.group(0)).group(1)
        f[n] = v
    assert f['on'] == ('1' if on else '0'), (name, f)
    body = [(k, v) for k, v in f.items()]
    for a in also or []:
        body.append(('also', a))
    import urllib.parse
    return client.post('/aparte/admin/plugins', urllib.parse.urlencode(body))


def serves(path):
    return Client().get(path).status == 200


def gone(path):
    return Client().get(path).status == 404


class ConsoleTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        clear_limits()
        cls.email, cls.pw = make_user('admin', name='Inès Admin')
        cls.c = signed_in(cls.email, cls.pw)

    def test_dashboard(self):
        r = self.c.get('/aparte/admin')
        self.assertEqual(r.status, 200)
        self.assertIn('<h1>Administration</h1>', r.text)
        self.assertRegex(r.text, r'<ul class="attention"[^>]*>.*</ul>')
        for path in ('/aparte/admin/plugins', '/aparte/admin/users',
                     '/aparte/admin/audit'):
            self.assertIn('href="%s"' % path, r.text)
        self.assertIn('aria-current="page"', r.text)
        self.assertRegex(r.text, fr(r'Extensions activées : \d+ sur \d+'))
        save_page('admin-dashboard', r)
        r = Client(lang='en').get('/aparte/login')
        self.assertIn('Sign in', r.text)

    def test_plugins_page_lists_every_installed_plugin(self):
        r = self.c.get('/aparte/admin/plugins')
        self.assertEqual(r.status, 200)
        save_page('admin-plugins', r)
        states = plugin_states()
        self.assertIn('needy', states)
        for name, state in states.items():
            tr = row(r, name)
            if state == 'broken':
                self.assertIn('Hors service', tr)
            elif state == 'enabled':
                self.assertIn('Activée', tr)
            else:
                self.assertIn('Désactivée', tr)
        self.assertIn('0.2', row(r, 'needy'))
        self.assertIn('A test plugin that needs helper and suggests good',
                      row(r, 'needy'))
        self.assertIn(fr('Nécessite : helper'), row(r, 'needy'))
        self.assertIn(fr('Conseille : good'), row(r, 'needy'))
        self.assertIn(fr('Nécessaire à : needy'), row(r, 'helper'))
        self.assertIn('ABI', row(r, 'badabi'))
        self.assertIn('Nécessaire à cette console', row(r, 'login'))
        self.assertIn('aria-label="Désactiver good"', row(r, 'good'))

    def test_disable_and_enable_reach_every_worker_within_a_second(self):
        self.assertTrue(serves('/aparte/good/hello/claire'))
        r = switch(self.c, 'good', False)
        self.assertEqual(r.status, 303, r.text)
        t0 = time.time()
        self.assertTrue(wait_until(
            lambda: gone('/aparte/good/hello/claire'), 3))
        self.assertLess(time.time() - t0, 1.5)
        # a second after the change, every thread of every worker knows
        time.sleep(max(0, t0 + 1.1 - time.time()))
        for _ in range(10):
            self.assertTrue(gone('/aparte/good/hello/claire'))
        page = self.c.get(r.header('location'))
        self.assertIn('L’extension good est désactivée.', page.text)
        self.assertIn('Désactivée', row(page, 'good'))
        self.assertEqual(plugin_states()['good'], 'disabled')
        r = switch(self.c, 'good', True)
        self.assertEqual(r.status, 303)
        t0 = time.time()
        self.assertTrue(wait_until(
            lambda: serves('/aparte/good/hello/claire'), 3))
        self.assertLess(time.time() - t0, 1.5)
        time.sleep(max(0, t0 + 1.1 - time.time()))
        for _ in range(10):
            self.assertTrue(serves('/aparte/good/hello/claire'))
        self.assertIn('L’extension good est activée.',
                      self.c.get(r.header('location')).text)
        audit = sql("SELECT user_email, ip, action, detail FROM ap_audit "
                    "ORDER BY id DESC LIMIT 2")
        self.assertEqual(audit, [[self.email, '127.0.0.1', 'plugin.enable',
                                  'good'],
                                 [self.email, '127.0.0.1', 'plugin.disable',
                                  'good']])

    def test_switching_needs_the_form_token(self):
        r = self.c.post('/aparte/admin/plugins', {'name': 'good', 'on': '0'})
        self.assertEqual(r.status, 403)
        self.assertEqual(plugin_states()['good'], 'enabled')
        # and a token once only
        page = self.c.get('/aparte/admin/plugins')
        tr = row(page, 'good')
        tok = re.search(r'name="_csrf" value="([^"]*)"', tr).group(1)
        f = {'_csrf': tok, 'name': 'needy', 'on': '0'}
        self.assertEqual(self.c.post('/aparte/admin/plugins', f).status, 303)
        f['on'] = '1'
        self.assertEqual(self.c.post('/aparte/admin/plugins', f).status, 403)
        self.assertEqual(switch(self.c, 'needy', True).status, 303)

    def test_disabling_login_is_refused(self):
        page = self.c.get('/aparte/admin/plugins')
        tok = re.search(r'name="_csrf" value="([^"]*)"',
                        row(page, 'good')).group(1)
        r = self.c.post('/aparte/admin/plugins',
                        {'_csrf': tok, 'name': 'login', 'on': '0'})
        self.assertEqual(r.status, 409)
        self.assertIn('La connexion ne peut pas être désactivée', r.text)
        save_page('admin-plugins-refused', r)
        self.assertEqual(plugin_states()['login'], 'enabled')
        self.assertFalse(is_guest(self.c))

    def test_dependencies_are_respected(self):
        # helper cannot go while needy needs it
        r = switch(self.c, 'helper', False)
        self.assertEqual(r.status, 409)
        self.assertIn('L’extension helper est nécessaire à needy', r.text)
        self.assertEqual(plugin_states()['helper'], 'enabled')
        # with needy off, helper goes; enabling needy brings helper back
        self.assertEqual(switch(self.c, 'needy', False).status, 303)
        self.assertEqual(switch(self.c, 'helper', False).status, 303)
        self.assertTrue(wait_until(lambda: gone('/aparte/helper'), 3))
        page = self.c.get('/aparte/admin/plugins')
        self.assertIn('Active aussi helper, dont elle a besoin.',
                      row(page, 'needy'))
        r = switch(self.c, 'needy', True)
        self.assertEqual(r.status, 303)
        self.assertIn('with=helper', r.header('location'))
        self.assertIn('L’extension needy est activée, avec helper.',
                      self.c.get(r.header('location')).text)
        self.assertTrue(wait_until(lambda: serves('/aparte/needy') and
                                   serves('/aparte/helper'), 3))
        states = plugin_states()
        self.assertEqual((states['needy'], states['helper']),
                         ('enabled', 'enabled'))

    def test_enabling_offers_what_it_suggests(self):
        self.assertEqual(switch(self.c, 'needy', False).status, 303)
        self.assertEqual(switch(self.c, 'good', False).status, 303)
        page = self.c.get('/aparte/admin/plugins')
        tr = row(page, 'needy')
        self.assertIn('Activer aussi good (conseillé)', tr)
        self.assertRegex(tr, r'<input type="checkbox"[^>]*name="also" '
                         r'value="good" checked="checked"')
        save_page('admin-plugins-suggests', page)
        # ticked: both on
        r = switch(self.c, 'needy', True, also=['good'])
        self.assertEqual(r.status, 303)
        self.assertTrue(wait_until(lambda: serves('/aparte/good/hello/x'), 3))
        self.assertEqual(plugin_states()['good'], 'enabled')
        self.assertIn('good (suggested by needy)',
                      sql("SELECT detail FROM ap_audit ORDER BY id DESC "
                          "LIMIT 1")[0][0])
        # unticked: only the plugin itself
        self.assertEqual(switch(self.c, 'needy', False).status, 303)
        self.assertEqual(switch(self.c, 'good', False).status, 303)
        self.assertEqual(switch(self.c, 'needy', True).status, 303)
        self.assertEqual(plugin_states()['good'], 'disabled')
        # a name that is not suggested is ignored
        self.assertEqual(switch(self.c, 'needy', False).status, 303)
        self.assertEqual(switch(self.c, 'needy', True, also=['badabi',
                                                            'login']).status,
                         303)
        self.assertEqual(switch(self.c, 'good', True).status, 303)

    def test_unknown_plugin(self):
        page = self.c.get('/aparte/admin/plugins')
        tok = re.search(r'name="_csrf" value="([^"]*)"',
                        row(page, 'good')).group(1)
        r = self.c.post('/aparte/admin/plugins',
                        {'_csrf': tok, 'name': '../nope', 'on': '1'})
        self.assertEqual(r.status, 404)

    def tearDown(self):
        for name in ('helper', 'needy', 'good'):
            if plugin_states().get(name) != 'enabled':
                harness.stack.admin('plugin', 'enable', name)


class UsersTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        clear_limits()
        cls.email, cls.pw = make_user('admin', name='Mathis Admin')
        cls.c = signed_in(cls.email, cls.pw)

    def test_list_and_filter(self):
        r = self.c.get('/aparte/admin/users')
        self.assertEqual(r.status, 200)
        self.assertIn('Hélène Vasseur', r.text)        # the demo's people
        self.assertIn('Lucien Marchetti', r.text)
        save_page('admin-users', r)
        r = self.c.get('/aparte/admin/users?role=expert&q=vass')
        self.assertIn('Hélène Vasseur', r.text)
        self.assertNotIn('Lucien Marchetti', r.text)
        r = self.c.get('/aparte/admin/users?q=%25')   # LIKE's % is literal
        self.assertIn('0 compte', r.text)
        r = self.c.get('/aparte/admin/users?role=nope&status=nope&page=x')
        self.assertEqual(r.status, 200)

    def test_add_a_user_who_then_chooses_a_password(self):
        new = 'nouvelle-recrue-%d@example.org' % int(time.time() * 1000)
        f = csrf_of(self.c, '/aparte/admin/users', 1)
        f.update({'email': new, 'name': 'Nora Recrue', 'role': 'expert'})
        r = self.c.post('/aparte/admin/users', f)
        self.assertEqual(r.status, 303, r.text)
        page = self.c.get(r.header('location'))
        self.assertIn('Le compte est créé', page.text)
        self.assertIn('pas encore choisi', page.text)
        # the menu marks the section the page belongs to
        self.assertIn('href="/aparte/admin/users" aria-current="page"',
                      page.text)
        save_page('admin-user', page)
        self.assertEqual(sql("SELECT role, status, pwhash IS NULL FROM "
                             "login_users WHERE email = '%s'" % new),
                         [['expert', 'active', '1']])
        mail = wait_mail(new)[0]
        self.assertIn('Un compte vient d’être ouvert pour vous', mail)
        url = local(link_in(mail, '/aparte/password/reset'))
        c = Client()
        page = c.get(url)
        f = c.form_fields(page)
        pw = new_password()
        f.update({'password': pw, 'password2': pw})
        r = c.post('/aparte/password/reset', f)
        self.assertEqual(r.header('location'), '/aparte/account?done=welcome')
        self.assertIn('Bienvenue', c.get('/aparte/account?done=welcome').text)
        self.assertEqual(sql("SELECT action, detail FROM ap_audit WHERE "
                             "action = 'user.add' ORDER BY id DESC LIMIT 1"),
                         [['user.add', '%s (expert)' % new]])

    def test_add_refuses_bad_input_and_keeps_it(self):
        f = csrf_of(self.c, '/aparte/admin/users', 1)
        f.update({'email': 'pas-valide', 'name': '', 'role': 'roi'})
        r = self.c.post('/aparte/admin/users', f)
        self.assertEqual(r.status, 422)
        self.assertIn('value="pas-valide"', r.text)
        self.assertIn('Saisissez un nom.', r.text)
        self.assertIn('Choisissez un rôle dans la liste.', r.text)
        self.assertIn('<select id="f-role" name="role" aria-describedby='
                      '"f-role-err" aria-invalid="true">', r.text)
        save_page('admin-users-errors', r)
        f = csrf_of(self.c, '/aparte/admin/users', 1)
        f.update({'email': self.email.upper(), 'name': 'Doublon',
                  'role': 'member'})
        r = self.c.post('/aparte/admin/users', f)
        self.assertEqual(r.status, 409)
        self.assertIn('Un compte existe déjà avec cette adresse.', r.text)

    def act(self, uid, action, **extra):
        # any form's token of the console will do (one's own page has none)
        page = self.c.get('/aparte/admin/users')
        tok = re.search(r'name="_csrf" value="([^"]*)"', page.text).group(1)
        f = {'_csrf': tok, 'action': action}
        f.update(extra)
        return self.c.post('/aparte/admin/users/%d' % uid, f)

    def test_role_disable_enable_reset_sessions(self):
        email, pw = make_user('member')
        uid = user_id(email)
        person = signed_in(email, pw)
        r = self.act(uid, 'role', role='moderator')
        self.assertEqual(r.status, 303)
        self.assertEqual(sql("SELECT role FROM login_users WHERE id = %d"
                             % uid), [['moderator']])
        self.assertEqual(person.get('/aparte/admin').status, 200)
        r = self.act(uid, 'disable')
        self.assertEqual(r.status, 303)
        self.assertIn('Le compte est désactivé',
                      self.c.get(r.header('location')).text)
        self.assertTrue(is_guest(person))
        self.assertEqual(self.act(uid, 'enable').status, 303)
        person = signed_in(email, pw)
        self.assertEqual(self.act(uid, 'reset').status, 303)
        self.assertIn('valable 1 heure', wait_mail(email)[0])
        self.assertEqual(self.act(uid, 'sessions').status, 303)
        self.assertTrue(is_guest(person))
        self.assertEqual(self.act(uid, 'nonsense').status, 400)
        actions = sql("SELECT action FROM ap_audit WHERE detail LIKE '%s%%' "
                      "ORDER BY id" % email)
        self.assertEqual([a[0] for a in actions][-5:],
                         ['user.role', 'user.disable', 'user.enable',
                          'user.reset', 'user.sessions'])

    def test_admin_cannot_lock_themselves_or_the_site_out(self):
        r = self.act(user_id(self.email), 'disable')
        self.assertEqual(r.status, 409)
        self.assertIn('votre propre compte', r.text)
        # the last active admin stays one, even through another admin
        other_email, other_pw = make_user('admin')
        other = signed_in(other_email, other_pw)
        sql("UPDATE login_users SET status = 'disabled' WHERE role = 'admin' "
            "AND email NOT IN ('%s', '%s')" % (self.email, other_email))
        try:
            r = self.act(user_id(other_email), 'role', role='member')
            self.assertEqual(r.status, 303)
            page = other.get('/aparte/admin/users/%d' % user_id(self.email))
            self.assertEqual(page.status, 403)   # other is no admin now
            sql("UPDATE login_users SET role = 'admin' WHERE email = '%s'"
                % other_email)
            sql("UPDATE login_users SET status = 'disabled' WHERE email = "
                "'%s'" % other_email)
            r = harness.stack.admin('user', 'disable', self.email,
                                    check=False)
            self.assertEqual(r.returncode, 1)
            self.assertIn('last active admin', r.stderr)
        finally:
            sql("UPDATE login_users SET status = 'active' WHERE role = "
                "'admin'")

    def test_unknown_user(self):
        self.assertEqual(self.c.get('/aparte/admin/users/999999999').status,
                         404)
        self.assertEqual(self.c.get('/aparte/admin/users/abc').status, 404)
        self.assertEqual(self.c.get('/aparte/admin/users/-1').status, 404)


class AuditTest(unittest.TestCase):

    def test_audit_page_shows_who_what_when_where(self):
        clear_limits()
        email, pw = make_user('admin')
        c = signed_in(email, pw)
        target, _ = make_user('member')
        page = c.get('/aparte/admin/users/%d' % user_id(target))
        tok = re.search(r'name="_csrf" value="([^"]*)"', page.text).group(1)
        c.post('/aparte/admin/users/%d' % user_id(target),
               {'_csrf': tok, 'action': 'sessions'})
        r = c.get('/aparte/admin/audit')
        self.assertEqual(r.status, 200)
        first = re.search(r'<tbody><tr>.*?</tr>', r.text, re.S).group(0)
        self.assertIn(email, first)
        self.assertIn('127.0.0.1', first)
        self.assertIn('Sessions fermées <code>user.sessions</code>', first)
        self.assertIn(target, first)
        english = Client(lang='en-GB,en;q=0.9')
        english.cookies = c.cookies
        first = re.search(r'<tbody><tr>.*?</tr>', english.get(
            '/aparte/admin/audit').text, re.S).group(0)
        self.assertIn('Sessions ended <code>user.sessions</code>', first)
        self.assertRegex(first, r'<time datetime="\d{4}-\d\d-\d\dT')
        save_page('admin-audit', r)
        # the command line's actions are there too
        self.assertIn('(command line)', c.get('/aparte/admin/audit?page=1').text
                      + c.get('/aparte/admin/audit?page=2').text)
