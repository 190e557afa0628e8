"""Signing in and out, sessions and their limits, the account page, roles:
what a person sees and what the database keeps."""
import re
import time
import unittest
import urllib.parse

import harness
from harness import Client, fr, save_page
from login_helpers import (clear_limits, csrf_of, is_guest, make_user,
                           new_password, sign_in, signed_in, sql, user_id)


def session_rows(email):
    return int(sql("SELECT COUNT(*) FROM login_sessions s JOIN login_users u "
                   "ON u.id = s.user_id WHERE u.email = '%s'" % email)[0][0])


class PagesTest(unittest.TestCase):

    def test_login_page_has_the_form(self):
        r = Client().get('/aparte/login')
        self.assertEqual(r.status, 200)
        self.assertIn('<h1>Vous connecter avec vos identifiants</h1>', r.text)
        self.assertIn('name="email"', r.text)
        self.assertIn('type="password"', r.text)
        self.assertIn('name="remember"', r.text)
        self.assertIn('Rester connecté (30 jours)', r.text)
        self.assertIn('name="_csrf"', r.text)
        self.assertIn('href="/aparte/password/forgot"', r.text)
        self.assertIn(fr('Vous avez oublié vos informations ?'), r.text)
        self.assertIn('sont obligatoires', r.text)
        save_page('login', r)
        r = Client(accept='text/html').get('/aparte/login')
        self.assertTrue(r.text.startswith('<!DOCTYPE html>'))
        save_page('login-html', r)

    def test_login_page_in_english(self):
        r = Client(lang='en').get('/aparte/login')
        self.assertEqual(r.status, 200)
        self.assertIn('Sign in with your credentials', r.text)
        self.assertIn('Stay signed in (30 days)', r.text)
        self.assertIn('Forgotten your details?', r.text)
        save_page('login-en', r)

    def test_guest_navigation_offers_sign_in(self):
        r = Client().get('/aparte/')
        self.assertIn('href="/aparte/login"', r.text)
        self.assertIn('Se connecter', r.text)
        self.assertNotIn('Mon compte', r.text)


class SignInTest(unittest.TestCase):

    def setUp(self):
        clear_limits()

    def test_member_signs_in_and_sees_the_account(self):
        email, pw = make_user('member', name='Agnès Morel')
        c = Client()
        r = sign_in(c, email, pw)
        self.assertEqual(r.status, 303, r.text)
        self.assertEqual(r.header('location'), '/aparte/account')
        r = c.get('/aparte/account')
        self.assertEqual(r.status, 200)
        self.assertIn('Connecté en tant que %s (Membre).' % email, r.text)
        self.assertIn('value="Agnès Morel"', r.text)
        # the navigation follows the role
        self.assertIn('href="/aparte/account"', r.text)
        self.assertNotIn('href="/aparte/admin"', r.text)
        self.assertNotIn('href="/aparte/login"', r.text)
        save_page('account', r)
        n = sql("SELECT last_login IS NOT NULL FROM login_users WHERE "
                "email = '%s'" % email)
        self.assertEqual(n, [['1']])

    def test_admin_lands_on_the_console(self):
        email, pw = make_user('admin')
        c = Client()
        r = sign_in(c, email, pw)
        self.assertEqual(r.header('location'), '/aparte/admin')
        r = c.get('/aparte/account')
        self.assertIn('href="/aparte/admin"', r.text)

    def test_session_cookie_and_what_is_stored(self):
        email, pw = make_user('member')
        c = Client()
        r = sign_in(c, email, pw)
        cookie = [h for h in r.headers['set-cookie']
                  if h.startswith('ap_session=')][0]
        token = cookie.split(';')[0].split('=', 1)[1]
        self.assertRegex(token, r'^[A-Za-z0-9_-]{43}$')   # 256 bits
        self.assertIn('HttpOnly', cookie)
        self.assertIn('SameSite=Lax', cookie)
        self.assertIn('Path=/aparte', cookie)
        self.assertNotIn('Max-Age', cookie)   # ends with the browser
        self.assertNotIn('Secure', cookie)    # the test site is http
        rows = sql("SELECT s.token_hash, s.expires - s.created, s.idle FROM "
                   "login_sessions s JOIN login_users u ON u.id = s.user_id "
                   "WHERE u.email = '%s'" % email)
        self.assertEqual(len(rows), 1)
        self.assertRegex(rows[0][0], r'^[0-9a-f]{64}$')
        self.assertNotEqual(rows[0][0], token)
        self.assertEqual(sql("SELECT COUNT(*) FROM login_sessions WHERE "
                             "token_hash LIKE '%%%s%%'" % token[:20]), [['0']])
        self.assertEqual(int(rows[0][1]), 12 * 3600)
        self.assertEqual(int(rows[0][2]), 2 * 3600)

    def test_stay_signed_in_keeps_30_days(self):
        email, pw = make_user('member')
        c = Client()
        r = sign_in(c, email, pw, remember=True)
        cookie = [h for h in r.headers['set-cookie']
                  if h.startswith('ap_session=')][0]
        self.assertIn('Max-Age=2592000', cookie)
        rows = sql("SELECT s.expires - s.created, s.remember FROM "
                   "login_sessions s JOIN login_users u ON u.id = s.user_id "
                   "WHERE u.email = '%s'" % email)
        self.assertEqual(rows, [['2592000', '1']])

    def test_the_password_is_an_argon2id_hash_with_owasp_parameters(self):
        email, pw = make_user('member')
        h = sql("SELECT pwhash FROM login_users WHERE email = '%s'" % email)
        self.assertTrue(h[0][0].startswith('$argon2id$v=19$m=19456,t=2,p=1$'),
                        h)
        self.assertNotIn(pw, h[0][0])

    def test_rehash_at_sign_in_when_the_parameters_change(self):
        # An account made by a command whose settings say t=3 ...
        conf = open(harness.stack.conf, encoding='utf-8').read()
        self.assertIn('argon2_time = 2', conf)
        other = harness.stack.conf + '.t3'
        with open(other, 'w', encoding='utf-8') as f:
            f.write(conf.replace('argon2_time = 2', 'argon2_time = 3'))
        email = 'rehash-%d@example.org' % int(time.time() * 1000)
        pw = new_password()
        import subprocess
        subprocess.run([harness.stack.bin('aparte-admin'), '--config', other,
                        'user', 'add', email, '--role', 'member',
                        '--password-file', '-'], input=pw + '\n', text=True,
                       check=True, capture_output=True)
        h = sql("SELECT pwhash FROM login_users WHERE email = '%s'" % email)
        self.assertIn('m=19456,t=3,p=1', h[0][0])
        # ... is rehashed with the site's (t=2) at its next sign-in.
        self.assertEqual(sign_in(Client(), email, pw).status, 303)
        h = sql("SELECT pwhash FROM login_users WHERE email = '%s'" % email)
        self.assertIn('m=19456,t=2,p=1', h[0][0])
        self.assertEqual(sign_in(Client(), email, pw).status, 303)

    def test_many_sign_ins_at_once_all_get_through(self):
        # more than argon2_parallel (4) at once: the others wait their turn
        # (twelve people: tries of one account sent at once count against
        # it until their password is checked, see test_login_attacks)
        import threading
        people = [make_user('member') for _ in range(12)]
        results = []

        def one(email, pw):
            results.append(sign_in(Client(), email, pw).status)
        threads = [threading.Thread(target=one, args=p) for p in people]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        self.assertEqual(results, [303] * 12)

    def test_email_is_found_whatever_its_case(self):
        email, pw = make_user('member')
        r = sign_in(Client(), '  ' + email.upper() + ' ', pw)
        self.assertEqual(r.status, 303)

    def test_empty_fields_are_named(self):
        c = Client()
        r = sign_in(c, 'someone@example.org', '')
        self.assertEqual(r.status, 422)
        self.assertIn('Saisissez votre mot de passe.', r.text)
        self.assertIn('value="someone@example.org"', r.text)
        self.assertIn('aria-invalid="true"', r.text)
        save_page('login-empty-password', r)
        r = sign_in(c, '', 'quelque chose de long')
        self.assertEqual(r.status, 422)
        self.assertIn('Saisissez votre adresse e-mail.', r.text)

    def test_wrong_password_keeps_the_email_not_the_password(self):
        email, pw = make_user('member')
        r = sign_in(Client(), email, pw + 'x')
        self.assertEqual(r.status, 403)
        self.assertIn('Adresse e-mail ou mot de passe incorrect.', r.text)
        self.assertIn('value="%s"' % email, r.text)
        self.assertNotIn(pw, r.text)
        save_page('login-wrong', r)


class SessionTest(unittest.TestCase):

    def setUp(self):
        clear_limits()

    def test_logout_ends_the_session_everywhere(self):
        email, pw = make_user('member')
        c = signed_in(email, pw)
        token = c.cookies['ap_session']
        r = c.post('/aparte/logout', csrf_of(c, '/aparte/account', 0))
        self.assertEqual(r.status, 303)
        self.assertEqual(r.header('location'), '/aparte/login?done=logout')
        self.assertNotIn('ap_session', c.cookies)
        self.assertEqual(session_rows(email), 0)
        self.assertIn('Vous êtes déconnecté.', c.get(r.header('location')).text)
        # the old cookie opens nothing, on any worker
        other = Client()
        other.cookies['ap_session'] = token
        for _ in range(4):
            self.assertTrue(is_guest(other))

    def test_logout_needs_the_form_token(self):
        email, pw = make_user('member')
        c = signed_in(email, pw)
        r = c.post('/aparte/logout', {})
        self.assertEqual(r.status, 403)
        self.assertEqual(session_rows(email), 1)
        self.assertFalse(is_guest(c))
        r = c.get('/aparte/logout')
        self.assertEqual(r.status, 405)

    def test_logout_token_cannot_be_used_twice(self):
        email, pw = make_user('member')
        c = signed_in(email, pw)
        fields = csrf_of(c, '/aparte/account', 0)
        self.assertEqual(c.post('/aparte/logout', fields).status, 303)
        c2 = signed_in(email, pw)
        c2.cookies['ap_v'] = c.cookies.get('ap_v', c2.cookies.get('ap_v'))
        self.assertEqual(c2.post('/aparte/logout', fields).status, 403)

    def test_idle_session_ends(self):
        email, pw = make_user('member')
        c = signed_in(email, pw)
        self.assertFalse(is_guest(c))
        sql("UPDATE login_sessions s JOIN login_users u ON u.id = s.user_id "
            "SET s.last_seen = s.last_seen - s.idle - 5 WHERE u.email = '%s'"
            % email)
        r = c.get('/aparte/account')
        self.assertEqual(r.status, 303)
        self.assertIn('Max-Age=0', ' '.join(r.headers['set-cookie']))
        self.assertEqual(session_rows(email), 0)

    def test_session_past_its_absolute_end_ends(self):
        email, pw = make_user('member')
        c = signed_in(email, pw)
        sql("UPDATE login_sessions s JOIN login_users u ON u.id = s.user_id "
            "SET s.expires = UNIX_TIMESTAMP() - 1 WHERE u.email = '%s'" % email)
        self.assertTrue(is_guest(c))
        self.assertEqual(session_rows(email), 0)

    def test_tampered_cookie_opens_nothing(self):
        email, pw = make_user('member')
        c = signed_in(email, pw)
        tok = c.cookies['ap_session']
        flipped = tok[:-1] + ('A' if tok[-1] != 'A' else 'B')
        for bad in (flipped, tok[:-1], tok + 'A', 'x' * 43, '',
                    '../../etc/passwd', tok.upper()):
            t = Client()
            t.cookies['ap_session'] = bad
            r = t.get('/aparte/account')
            self.assertEqual(r.status, 303, bad)
            self.assertIn('/aparte/login', r.header('location'))
        # the real one still works
        self.assertFalse(is_guest(c))

    def test_fixation_a_planted_session_is_never_kept(self):
        # The attacker signs in and plants their cookie in the victim's
        # browser; the victim signs in: a new token, and the planted one
        # is dead.
        a_email, a_pw = make_user('member')
        attacker = signed_in(a_email, a_pw)
        planted = attacker.cookies['ap_session']
        v_email, v_pw = make_user('member')
        victim = Client()
        victim.cookies['ap_session'] = planted
        r = sign_in(victim, v_email, v_pw)
        self.assertEqual(r.status, 303)
        self.assertNotEqual(victim.cookies['ap_session'], planted)
        self.assertIn(v_email, victim.get('/aparte/account').text)
        self.assertTrue(is_guest(attacker))
        # an invented token planted beforehand is not adopted either
        invented = 'A' * 43
        victim2 = Client()
        victim2.cookies['ap_session'] = invented
        sign_in(victim2, v_email, v_pw)
        self.assertNotEqual(victim2.cookies.get('ap_session'), invented)
        t = Client()
        t.cookies['ap_session'] = invented
        self.assertTrue(is_guest(t))

    def test_sessions_per_person_are_capped(self):
        email, pw = make_user('member')
        clients = [signed_in(email, pw) for _ in range(22)]
        self.assertEqual(session_rows(email), 20)
        self.assertTrue(is_guest(clients[0]))
        self.assertFalse(is_guest(clients[-1]))

    def test_end_other_sessions_from_the_account(self):
        email, pw = make_user('member')
        a = signed_in(email, pw)
        b = signed_in(email, pw)
        r = a.post('/aparte/account/sessions', csrf_of(a, '/aparte/account', 3))
        self.assertEqual(r.status, 303)
        self.assertTrue(is_guest(b))
        self.assertFalse(is_guest(a))
        self.assertIn('Vos autres sessions sont terminées.',
                      a.get(r.header('location')).text)


class RoleTest(unittest.TestCase):

    def setUp(self):
        clear_limits()

    def test_visitor_is_sent_to_login_and_back(self):
        email, pw = make_user('admin')
        c = Client()
        r = c.get('/aparte/admin/users?role=expert')
        self.assertEqual(r.status, 303)
        loc = r.header('location')
        self.assertTrue(loc.startswith('/aparte/login?redirect_to='), loc)
        target = urllib.parse.parse_qs(urllib.parse.urlsplit(loc).query)[
            'redirect_to'][0]
        self.assertEqual(target, '/aparte/admin/users?role=expert')
        page = c.get(loc)
        self.assertIn('name="redirect_to" value="/aparte/admin/users?'
                      'role=expert"', page.text)
        fields = c.form_fields(page)
        fields.update({'email': email, 'password': pw})
        r = c.post('/aparte/login', fields)
        self.assertEqual(r.status, 303)
        self.assertEqual(r.header('location'), '/aparte/admin/users?role=expert')
        self.assertEqual(c.get(r.header('location')).status, 200)

    def test_signed_in_without_the_role_gets_403(self):
        email, pw = make_user('member')
        c = signed_in(email, pw)
        for path in ('/aparte/admin', '/aparte/admin/plugins',
                     '/aparte/admin/users', '/aparte/admin/audit'):
            r = c.get(path)
            self.assertEqual(r.status, 403, path)
        save_page('admin-403', r)
        email, pw = make_user('expert')
        c = signed_in(email, pw)
        self.assertEqual(c.get('/aparte/admin').status, 403)

    def test_moderator_sees_the_dashboard_not_the_admin_pages(self):
        email, pw = make_user('moderator')
        c = signed_in(email, pw)
        r = c.get('/aparte/admin')
        self.assertEqual(r.status, 200)
        self.assertIn('class="attention"', r.text)
        self.assertNotIn('href="/aparte/admin/plugins"', r.text)
        self.assertIn('href="/aparte/admin"', r.text)   # nav: Administration
        for path in ('/aparte/admin/plugins', '/aparte/admin/users',
                     '/aparte/admin/audit'):
            self.assertEqual(c.get(path).status, 403, path)
        save_page('admin-moderator', c.get('/aparte/admin'))

    def test_admin_actions_are_refused_without_the_role(self):
        # With a good form token (the logout form's, the only one such a
        # person is shown), so that the role check is what refuses.
        target, _ = make_user('member')
        uid = user_id(target)
        for role in ('moderator', 'expert', 'member'):
            email, pw = make_user(role)
            c = signed_in(email, pw)
            f = csrf_of(c, '/aparte/account', 0)
            f.update({'name': 'good', 'on': '0'})
            r = c.post('/aparte/admin/plugins', f)
            self.assertEqual(r.status, 403, role)
            self.assertNotIn('Extensions installées', r.text)
            f = csrf_of(c, '/aparte/account', 0)
            f['action'] = 'disable'
            r = c.post('/aparte/admin/users/%d' % uid, f)
            self.assertEqual(r.status, 403, role)
            f = csrf_of(c, '/aparte/account', 0)
            f.update({'email': 'intrus-%s' % email, 'name': 'Intrus',
                      'role': 'admin'})
            r = c.post('/aparte/admin/users', f)
            self.assertEqual(r.status, 403, role)
            self.assertNotIn(target, r.text)   # no list of the accounts
        self.assertEqual(sql("SELECT status FROM login_users WHERE id = %d"
                             % uid), [['active']])
        self.assertEqual(sql("SELECT COUNT(*) FROM login_users WHERE email "
                             "LIKE 'intrus-%'"), [['0']])
        states = harness.stack.admin('plugin', 'list').stdout
        self.assertRegex(states, r'(?m)^good\s+enabled')
        # and a visitor is sent to sign in, nothing done
        v = Client()
        r = v.post('/aparte/admin/users/%d' % uid, {'action': 'disable'})
        self.assertIn(r.status, (303, 403))
        self.assertEqual(sql("SELECT status FROM login_users WHERE id = %d"
                             % uid), [['active']])


class AccountTest(unittest.TestCase):

    def setUp(self):
        clear_limits()

    def test_change_name(self):
        email, pw = make_user('member', name='Jean Dupré')
        c = signed_in(email, pw)
        f = csrf_of(c, '/aparte/account', 1)
        f.update({'name': 'Jeanne Dupré', 'email': email})
        r = c.post('/aparte/account/profile', f)
        self.assertEqual(r.status, 303)
        self.assertIn('Vos informations sont enregistrées.',
                      c.get(r.header('location')).text)
        self.assertEqual(sql("SELECT name FROM login_users WHERE email = '%s'"
                             % email), [['Jeanne Dupré']])

    def test_bad_name_is_refused_with_what_was_typed(self):
        email, pw = make_user('member', name='Jean Dupré')
        c = signed_in(email, pw)
        f = csrf_of(c, '/aparte/account', 1)
        f.update({'name': 'é' * 101, 'email': 'pas-une-adresse'})
        r = c.post('/aparte/account/profile', f)
        self.assertEqual(r.status, 422)
        self.assertIn('Le nom doit compter au plus 100 caractères.', r.text)
        self.assertIn('value="pas-une-adresse"', r.text)
        self.assertIn('n’est pas valide', r.text)
        save_page('account-errors', r)
        self.assertEqual(sql("SELECT name FROM login_users WHERE email = '%s'"
                             % email), [['Jean Dupré']])

    def test_a_name_with_direction_controls_is_refused(self):
        # an override or isolate would turn round what follows the name
        # wherever it is shown (lists, mails)
        email, pw = make_user('member', name='Jean Dupré')
        c = signed_in(email, pw)
        for name in ('Anne\u202eyoR', 'Anne \u2067Roy', 'Anne\x85Roy'):
            f = csrf_of(c, '/aparte/account', 1)
            f.update({'name': name, 'email': email})
            r = c.post('/aparte/account/profile', f)
            self.assertEqual(r.status, 422, name)
            self.assertIn('Le nom ne peut pas contenir de caractère de '
                          'contrôle.', r.text)
        self.assertEqual(sql("SELECT name FROM login_users WHERE email = '%s'"
                             % email), [['Jean Dupré']])

    def test_email_change_is_confirmed_by_a_link(self):
        from login_helpers import link_in, local, wait_mail, mails_to
        email, pw = make_user('member')
        new = 'nouvelle-' + email
        c = signed_in(email, pw)
        f = csrf_of(c, '/aparte/account', 1)
        f.update({'name': 'Nouvelle Adresse', 'email': new, 'current': 'faux'})
        r = c.post('/aparte/account/profile', f)
        self.assertEqual(r.status, 422)
        self.assertIn('Mot de passe incorrect.', r.text)
        f = csrf_of(c, '/aparte/account', 1)
        f.update({'name': 'Nouvelle Adresse', 'email': new, 'current': pw})
        r = c.post('/aparte/account/profile', f)
        self.assertEqual(r.status, 303)
        self.assertIn('done=email-sent', r.header('location'))
        # not changed until confirmed
        self.assertEqual(sql("SELECT COUNT(*) FROM login_users WHERE "
                             "email = '%s'" % email), [['1']])
        mail = wait_mail(new)[0]
        url = local(link_in(mail, '/aparte/account/email'))
        page = c.get(url)
        self.assertEqual(page.status, 200)
        self.assertIn(new, page.text)
        save_page('account-email-confirm', page)
        r = c.post('/aparte/account/email', c.form_fields(page))
        self.assertEqual(r.status, 303)
        self.assertEqual(sql("SELECT email FROM login_users WHERE id = %d"
                             % user_id(new)), [[new]])
        self.assertTrue(wait_mail(email))   # the old address is told
        self.assertEqual(c.get(url).status, 410)   # the link served once
        # the new address signs in
        self.assertEqual(sign_in(Client(), new, pw).status, 303)

    def test_email_of_another_account_is_refused(self):
        email, pw = make_user('member')
        other, _ = make_user('member')
        c = signed_in(email, pw)
        f = csrf_of(c, '/aparte/account', 1)
        f.update({'name': 'X', 'email': other, 'current': pw})
        r = c.post('/aparte/account/profile', f)
        self.assertEqual(r.status, 422)
        self.assertIn('déjà celle d’un autre compte', r.text)

    def test_password_change_ends_the_other_sessions(self):
        email, pw = make_user('member')
        a = signed_in(email, pw)
        b = signed_in(email, pw)
        new = new_password()
        f = csrf_of(a, '/aparte/account', 2)
        f.update({'current': pw, 'password': new, 'password2': new})
        r = a.post('/aparte/account/password', f)
        self.assertEqual(r.status, 303)
        self.assertFalse(is_guest(a))     # this browser got a new session
        self.assertTrue(is_guest(b))      # the other one is out
        self.assertEqual(sign_in(Client(), email, pw).status, 403)
        self.assertEqual(sign_in(Client(), email, new).status, 303)

    def test_password_change_needs_the_current_one(self):
        email, pw = make_user('member')
        a = signed_in(email, pw)
        new = new_password()
        f = csrf_of(a, '/aparte/account', 2)
        f.update({'current': 'pas le bon', 'password': new, 'password2': new})
        r = a.post('/aparte/account/password', f)
        self.assertEqual(r.status, 422)
        self.assertIn('Mot de passe incorrect.', r.text)
        self.assertNotIn(new, r.text)
        self.assertEqual(sign_in(Client(), email, pw).status, 303)

    def test_account_form_token_is_checked(self):
        email, pw = make_user('member', name='Avant')
        c = signed_in(email, pw)
        r = c.post('/aparte/account/profile', {'name': 'Après', 'email': email})
        self.assertEqual(r.status, 403)
        self.assertIn('value="Après"', r.text)   # what was typed is kept
        self.assertEqual(sql("SELECT name FROM login_users WHERE email = '%s'"
                             % email), [['Avant']])
