"""Comments with the login plugin: moderators and admins sign in and
moderate, the console's home says what waits, the roles without
moderation are kept out, a signed-in author's comment is tied to their
account, a moderator's comment is published at once."""
import re
import time
import unittest

import harness
from harness import Client, save_page
from commentlib import (filters_off, filters_on, PAGE, FRAG, unique, sql, one,
                        row, post, posted_id)

try:
    from login_helpers import make_user, signed_in
except ImportError:      # the login plugin's tests are not there
    make_user = signed_in = None


def setUpModule():
    filters_off()


def tearDownModule():
    filters_on()


def login_on():
    out = harness.stack.admin('plugin', 'list').stdout
    return make_user is not None and re.search(r'^login\s+enabled', out, re.M)


@unittest.skipUnless(login_on(), 'the login plugin is not on')
class LoginTest(unittest.TestCase):

    def held(self):
        return posted_id(post(Client(), email='held.%d@exemple.example'
                              % (time.time() * 1000000)))

    def test_a_moderator_signs_in_and_approves(self):
        email, pw = make_user('moderator', name='Mona Modère')
        c = signed_in(email, pw)
        cid = self.held()
        r = c.get('/aparte/admin/comments')
        self.assertEqual(r.status, 200)
        save_page('comments-console-signed-in', r)
        fields = c.form_fields(r, 1)
        self.assertIn('_csrf', fields)
        r = c.post('/aparte/admin/comments', {'_csrf': fields['_csrf'],
                                              'status': 'pending',
                                              'act': 'approve:%d' % cid})
        self.assertEqual(r.status, 303)
        self.assertEqual(row(cid)['status'], 'approved')
        self.assertEqual(one("SELECT user_email FROM ap_audit WHERE action = "
                             "'comments.approve' AND detail LIKE '%d %%'"
                             % cid), email)

    def test_the_console_home_says_what_waits(self):
        email, pw = make_user('admin')
        c = signed_in(email, pw)
        self.held()
        pending = int(one("SELECT COUNT(*) FROM comments WHERE status = "
                          "'pending'"))
        r = c.get('/aparte/admin')
        self.assertEqual(r.status, 200)
        self.assertIn('<a href="/aparte/admin/comments?status=pending">%d '
                      'commentaires en attente de modération</a>' % pending,
                      r.text)
        self.assertIn('<a href="/aparte/admin/comments">Commentaires</a>',
                      r.text)
        save_page('comments-admin-home', r)

    def test_other_roles_are_kept_out(self):
        for role in ('expert', 'member'):
            email, pw = make_user(role)
            c = signed_in(email, pw)
            self.assertEqual(c.get('/aparte/admin/comments').status, 403, role)
            self.assertNotIn('/aparte/admin/comments"',
                             c.get('/aparte/admin').text)

    def test_a_signed_in_authors_comment_is_tied_to_the_account(self):
        email, pw = make_user('member')
        c = signed_in(email, pw)
        cid = posted_id(post(c, email=email))
        uid = one("SELECT id FROM login_users WHERE email = '%s'" % email)
        self.assertEqual(one('SELECT user_id FROM comments WHERE id = %d'
                             % cid), uid)

    def test_a_moderators_comment_is_published_at_once(self):
        email, pw = make_user('moderator', name='Mona Répond')
        c = signed_in(email, pw)
        body = unique('La modération vous répond')
        cid = posted_id(post(c, email=email, author='Mona Répond',
                             body=body))
        self.assertEqual(row(cid)['status'], 'approved')
        self.assertIn(body, Client().get(FRAG % PAGE).text)

    def test_the_moderators_accounts_are_told_of_a_held_comment(self):
        # notify_roles = moderator (the default): each active moderator
        # gets the mail once, with the addresses of the setting; the
        # demo's moderator, also in the setting, gets one, not two.  The
        # messages are queued by the request that stores the comment.
        email, pw = make_user('moderator', name='Mona Prévenue')

        def told():
            last = one('SELECT COALESCE(MAX(id), 0) FROM ap_mail')
            cid = posted_id(post(Client(), email='held.%d@exemple.example'
                                 % (time.time() * 1000000),
                                 body=unique('Un avis pour la modération')))
            self.assertEqual(row(cid)['status'], 'pending')
            return [r[0] for r in sql('SELECT recipient FROM ap_mail WHERE '
                                      'id > %d' % int(last))]

        to = told()
        self.assertIn(email, to)
        self.assertEqual(to.count('moderation@reseau-temps-partage.invalid'),
                         1, to)
        self.assertEqual(len(to), len(set(to)), to)
        # a disabled moderator is told no more
        harness.stack.admin('user', 'disable', email)
        to = told()
        self.assertIn('moderation@reseau-temps-partage.invalid', to)
        self.assertNotIn(email, to)

if __name__ == '__main__':
    unittest.main()
