"""The forgotten password through the mail capture, the single-use links,
and the rules a new password follows."""
import re
import unittest

import harness
from harness import Client, fr, save_page
from login_helpers import (clear_limits, is_guest, link_in, local,
                           make_user, mails_to, new_password, sign_in,
                           signed_in, sql, user_id, wait_mail)


def ask_reset(email, ip=None):
    c = Client(ip=ip)
    f = c.form_fields(c.get('/aparte/password/forgot'))
    f['email'] = email
    return c, c.post('/aparte/password/forgot', f)


def reset_link(email, count=1):
    mails = wait_mail(email, count)
    assert mails, 'no mail to %s' % email
    return local(link_in(mails[-1], '/aparte/password/reset'))


def set_password(client, url, pw, pw2=None):
    page = client.get(url)
    if page.status != 200:
        return page
    f = client.form_fields(page)
    f.update({'password': pw, 'password2': pw if pw2 is None else pw2})
    return client.post('/aparte/password/reset', f)


class ForgotTest(unittest.TestCase):

    def setUp(self):
        clear_limits()

    def test_forgot_page(self):
        r = Client().get('/aparte/password/forgot')
        self.assertEqual(r.status, 200)
        self.assertIn(fr('<h1>Vous avez oublié vos informations ?</h1>'), r.text)
        save_page('forgot', r)

    def test_reset_through_the_mail(self):
        email, pw = make_user('member')
        live = signed_in(email, pw)
        c, r = ask_reset(email)
        self.assertEqual(r.status, 303)
        self.assertEqual(r.header('location'), '/aparte/password/forgot?sent=1')
        mail = wait_mail(email)[0]
        self.assertIn('Subject: =?UTF-8?B?', mail)
        self.assertIn('valable 1 heure, une seule fois', mail)
        url = local(link_in(mail, '/aparte/password/reset'))
        token = url.split('token=')[1]
        # only a hash of the token is kept
        rows = sql("SELECT token_hash, purpose, expires - created FROM "
                   "login_tokens WHERE user_id = %d" % user_id(email))
        self.assertEqual(len(rows), 1)
        self.assertNotEqual(rows[0][0], token)
        self.assertEqual(rows[0][1:], ['reset', '3600'])
        page = c.get(url)
        self.assertEqual(page.status, 200)
        self.assertIn('Choisir un nouveau mot de passe', page.text)
        save_page('reset-form', page)
        new = new_password()
        r = set_password(c, url, new)
        self.assertEqual(r.status, 303, r.text)
        self.assertEqual(r.header('location'), '/aparte/account?done=reset')
        self.assertIn('Votre nouveau mot de passe est enregistré',
                      c.get(r.header('location')).text)
        # every other session ended; the old password is gone
        self.assertTrue(is_guest(live))
        self.assertEqual(sign_in(Client(), email, pw).status, 403)
        self.assertEqual(sign_in(Client(), email, new).status, 303)

    def test_link_used_twice_is_refused(self):
        email, pw = make_user('member')
        ask_reset(email)
        url = reset_link(email)
        c = Client()
        page = c.get(url)
        f = c.form_fields(page)
        first = new_password()
        f.update({'password': first, 'password2': first})
        self.assertEqual(c.post('/aparte/password/reset', f).status, 303)
        # the same link again: the page, and a post with a fresh form
        other = Client()
        r = other.get(url)
        self.assertEqual(r.status, 410)
        self.assertIn('Ce lien a déjà servi ou il a expiré.', r.text)
        save_page('reset-used', r)
        f2 = other.form_fields(other.get('/aparte/password/forgot'))
        second = new_password()
        f2.update({'token': url.split('token=')[1], 'password': second,
                   'password2': second})
        r = other.post('/aparte/password/reset', f2)
        self.assertEqual(r.status, 410)
        self.assertEqual(sign_in(Client(), email, first).status, 303)
        self.assertEqual(sign_in(Client(), email, second).status, 403)

    def test_link_older_than_an_hour_is_refused(self):
        email, pw = make_user('member')
        ask_reset(email)
        url = reset_link(email)
        c = Client()
        page = c.get(url)
        self.assertEqual(page.status, 200)
        sql("UPDATE login_tokens SET created = created - 3601, expires = "
            "expires - 3601 WHERE user_id = %d" % user_id(email))
        self.assertEqual(c.get(url).status, 410)
        f = c.form_fields(page)
        new = new_password()
        f.update({'password': new, 'password2': new})
        self.assertEqual(c.post('/aparte/password/reset', f).status, 410)
        self.assertEqual(sign_in(Client(), email, pw).status, 303)

    def test_unknown_or_mangled_link(self):
        r = Client().get('/aparte/password/reset?token=' + 'A' * 43)
        self.assertEqual(r.status, 404)
        self.assertIn('Demander un nouveau lien', r.text)
        save_page('reset-unknown', r)
        for bad in ('', 'x', '../../etc', 'A' * 500):
            self.assertEqual(
                Client().get('/aparte/password/reset?token=' + bad).status,
                404, bad)

    def test_a_newer_link_replaces_the_older(self):
        email, pw = make_user('member')
        ask_reset(email)
        first = reset_link(email, 1)
        ask_reset(email)
        second = reset_link(email, 2)
        self.assertNotEqual(first, second)
        self.assertEqual(Client().get(first).status, 404)
        self.assertEqual(Client().get(second).status, 200)

    def test_a_new_password_ends_the_links_mailed_before(self):
        # From the account page, then from the command line: a link asked
        # before (by the person, or by someone reading their old mail)
        # no longer sets a password.
        email, pw = make_user('member')
        ask_reset(email)
        url = reset_link(email, 1)
        c = signed_in(email, pw)
        new = new_password()
        f = c.form_fields(c.get('/aparte/account'), 2)
        f.update({'current': pw, 'password': new, 'password2': new})
        self.assertEqual(c.post('/aparte/account/password', f).status, 303)
        self.assertIn(Client().get(url).status, (404, 410))
        ask_reset(email)
        # the third mail (the second is the notice that the password
        # changed; the two may land in either order)
        old = url
        url = [u for u in (local(link_in(m, '/aparte/password/reset'))
                           for m in wait_mail(email, 3)
                           if '/aparte/password/reset?token=' in m)
               if u != old][-1]
        newer = new_password()
        harness.stack.admin('user', 'passwd', email, '--password-file', '-',
                            input=newer + '\n')
        self.assertIn(Client().get(url).status, (404, 410))
        r = set_password(Client(), url, new_password())
        self.assertIn(r.status, (404, 410))
        self.assertEqual(sign_in(Client(), email, newer).status, 303)

    def test_a_new_email_ends_the_links_mailed_to_the_old_one(self):
        email, pw = make_user('member')
        ask_reset(email)
        url = reset_link(email, 1)
        new = 'changee-' + email
        c = signed_in(email, pw)
        f = c.form_fields(c.get('/aparte/account'), 1)
        f.update({'name': 'Changée', 'email': new, 'current': pw})
        self.assertEqual(c.post('/aparte/account/profile', f).status, 303)
        page = c.get(local(link_in(wait_mail(new)[0], '/aparte/account/email')))
        self.assertEqual(c.post('/aparte/account/email',
                                c.form_fields(page)).status, 303)
        self.assertIn(Client().get(url).status, (404, 410))
        self.assertEqual(sign_in(Client(), new, pw).status, 303)

    def test_no_mail_for_an_unknown_or_disabled_account(self):
        ghost = 'personne-nulle-part@example.org'
        before = len(mails_to(ghost))
        c, r = ask_reset(ghost)
        self.assertEqual(r.status, 303)
        email, pw = make_user('member')
        harness.stack.admin('user', 'disable', email)
        c, r = ask_reset(email)
        self.assertEqual(r.status, 303)
        # the mail of a known address would have been queued by now
        known, _ = make_user('member')
        ask_reset(known)
        self.assertTrue(wait_mail(known))
        self.assertEqual(len(mails_to(ghost)), before)
        self.assertEqual(mails_to(email), [])

    def test_mails_per_address_are_limited(self):
        email, pw = make_user('member')
        for _ in range(5):
            c, r = ask_reset(email)
            self.assertEqual(r.status, 303)   # the same answer every time
        harness.wait_until(lambda: len(mails_to(email)) >= 3, 30)
        import time
        time.sleep(0.5)
        self.assertEqual(len(mails_to(email)), 3)

    def test_mails_per_account_are_limited_whatever_the_spelling(self):
        # each spelling finds the account: none may bring three more mails
        email, pw = make_user('member')
        local_part, domain = email.split('@')
        for s in (email, email.upper(), 'ť' + email[1:], 'Ｔ' + email[1:],
                  local_part + '\u200b@' + domain):
            c, r = ask_reset(s)
            self.assertEqual(r.status, 303, s)
        harness.wait_until(lambda: len(mails_to(email)) >= 3, 30)
        import time
        time.sleep(0.5)
        self.assertEqual(len(mails_to(email)), 3)

    def test_requests_per_address_are_limited(self):
        # the test site allows 30 an hour from one address
        for i in range(30):
            c, r = ask_reset('inconnu-%d@example.org' % i, ip='127.0.0.60')
            self.assertEqual(r.status, 303, i)
        c, r = ask_reset('encore@example.org', ip='127.0.0.60')
        self.assertEqual(r.status, 429)
        self.assertIn('Trop de demandes depuis votre adresse', r.text)
        self.assertIn('value="encore@example.org"', r.text)
        self.assertIsNotNone(r.header('retry-after'))
        save_page('forgot-too-many', r)
        c, r = ask_reset('encore@example.org', ip='127.0.0.61')
        self.assertEqual(r.status, 303)

    def test_bad_email_is_said_next_to_the_field(self):
        c = Client()
        f = c.form_fields(c.get('/aparte/password/forgot'))
        f['email'] = 'pas une adresse'
        r = c.post('/aparte/password/forgot', f)
        self.assertEqual(r.status, 422)
        self.assertIn('n’est pas valide', r.text)
        self.assertIn('value="pas une adresse"', r.text)
        save_page('forgot-bad-email', r)
        r = c.post('/aparte/password/forgot', {'email': 'a@example.org'})
        self.assertEqual(r.status, 403)


class RulesTest(unittest.TestCase):
    """Through the reset page: each rule refuses with its message, the
    link stays usable, nothing typed as a password comes back."""

    @classmethod
    def setUpClass(cls):
        clear_limits()
        cls.email, cls.pw = make_user('member', name='Rosalie Castel')
        ask_reset(cls.email)
        cls.url = reset_link(cls.email)

    def refused(self, pw, pw2=None, why=None):
        c = Client()
        r = set_password(c, self.url, pw, pw2)
        self.assertEqual(r.status, 422, pw[:40])
        if why:
            self.assertIn(why, r.text)
        if pw:
            self.assertNotIn('value="%s"' % pw[:40], r.text)
        return r

    def test_rules(self):
        r = self.refused('Court-11car', why='au moins 12 caractères '
                         '(il en compte 11)')
        save_page('reset-too-short', r)
        # characters, not bytes: 11 accented letters are still 11
        self.refused('éèêëàâäôöûü', why='(il en compte 11)')
        self.refused('x' * 1024 + 'yz', why='au plus 1024 caractères')
        self.refused('motdepasse123', why='plus courants')
        self.refused('MotDePasse123', why='plus courants')
        self.refused('AZERTYUIOP123', why='plus courants')
        self.refused('abababababababab', why='trop répétitif')
        self.refused(self.email, why='adresse e-mail')
        self.refused('rosalie castel', why='votre nom')
        good = new_password()
        self.refused(good, pw2=good + 'x', why='ne sont pas identiques')
        self.refused('', why='Saisissez un mot de passe.')
        # twelve characters, and 1024, are taken
        c = Client()
        r = set_password(c, self.url, 'Douze carac.')
        self.assertEqual(r.status, 303, r.text)
        self.assertEqual(sign_in(Client(), self.email, 'Douze carac.').status,
                         303)
        ask_reset(self.email)
        url = reset_link(self.email, 2)
        longest = ('Une phrase très longue, ' * 50)[:1024]
        r = set_password(Client(), url, longest)
        self.assertEqual(r.status, 303, r.text)
        self.assertEqual(sign_in(Client(), self.email, longest).status, 303)
