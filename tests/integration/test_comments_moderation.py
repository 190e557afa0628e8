"""Moderation of comments: the verdicts of the filters (content.check,
through the test filter of tests/plugins/judge.c), the command line
(aparte-admin comments ...), what each decision changes for visitors, the
content.verdict hook, the reply notifications, the audit trail, and the
cache that follows every change."""
import os
import re
import time
import unittest

import harness
from harness import Client
from commentlib import (filters_off, filters_on, esc, PAGE, FRAG, FULL, KNOWN,
                        unique, sql, one, row, post, posted_id, admin,
                        field_value, count, form_page, comment_form)


def setUpModule():
    filters_off()


def tearDownModule():
    filters_on()


def fresh_email(tag='x'):
    return '%s.%d@exemple.example' % (tag, time.time() * 1000000)


def mails_to(addr, containing=''):
    return [m for p, m in harness.stack.mails()
            if ('To: %s' % addr) in m and containing in m]


class FilterTest(unittest.TestCase):

    def test_filters_add_their_fields_to_the_form(self):
        r = Client().get(FRAG % PAGE)
        self.assertEqual(comment_form(r).get('judge'), 'comment')

    def test_spam_is_kept_with_the_reasons_and_looks_held_to_its_author(self):
        c = Client()
        body = '[judge:spam] Achetez ' + unique()
        r = post(c, body=body)
        cid = int(re.search(r'#comment-(\d+)', r.header('location')).group(1))
        d = row(cid)
        self.assertEqual(d['status'], 'spam')
        self.assertEqual(d['verdict'], 'spam')
        self.assertAlmostEqual(float(d['score']), 0.95)
        self.assertIn('juge de test : indésirable', d['reasons'])
        self.assertIn('en attente de modération', c.get(FRAG % PAGE).text)
        self.assertNotIn(body, Client().get(FRAG % PAGE).text)
        time.sleep(0.3)
        self.assertFalse([m for p, m in harness.stack.mails() if body in m],
                         'no mail to moderators for spam')

    def test_a_ham_verdict_publishes_a_first_comment(self):
        cid = posted_id(post(Client(), email=fresh_email('ham'),
                             body='[judge:ham] ' + unique()))
        d = row(cid)
        self.assertEqual(d['status'], 'approved')
        self.assertEqual(d['verdict'], 'ham')

    def test_unsure_falls_back_to_the_site_rules(self):
        cid = posted_id(post(Client(), email=fresh_email('unsure'),
                             body='[judge:unsure] ' + unique()))
        d = row(cid)
        self.assertEqual(d['status'], 'pending')
        self.assertEqual(d['verdict'], 'unsure')
        self.assertIn('juge de test : incertain', d['reasons'])
        self.assertIn('premier commentaire', d['reasons'])
        cid = posted_id(post(Client(), email=KNOWN,
                             body='[judge:unsure] ' + unique()))
        self.assertEqual(row(cid)['status'], 'approved')

    def test_a_filter_asking_to_resend_keeps_the_text(self):
        c = Client()
        body = '[judge:retry] ' + unique()
        before = count('1')
        r = post(c, body=body)
        self.assertEqual(r.status, 422)
        self.assertIn('pas pu être vérifié', r.text)
        self.assertEqual(field_value(r, 'body'), body)
        self.assertEqual(count('1'), before)

    def test_without_a_judging_filter_the_rules_apply_and_nothing_is_stored(self):
        cid = posted_id(post(Client(), email=fresh_email('plain')))
        d = row(cid)
        self.assertEqual(d['status'], 'pending')
        self.assertIsNone(d['verdict'])
        self.assertIsNone(d['score'])


class CommandLineTest(unittest.TestCase):

    def test_list_with_filters(self):
        out = admin('comments', 'list', '--status', 'pending', '--page',
                    PAGE).stdout
        lines = out.splitlines()
        self.assertTrue(lines[0].startswith('ID\tSTATUS\tDATE\tPAGE'))
        self.assertIn('Gaëlle Martin', out)
        self.assertTrue(all(l.split('\t')[1] == 'pending' for l in lines[1:]))
        out = admin('comments', 'list', '--status', 'spam').stdout
        self.assertIn('Argent Facile', out)
        self.assertIn('spam 0.99', out)
        r = admin('comments', 'list', '--status', 'nope', check=False)
        self.assertEqual(r.returncode, 2)
        self.assertIn('unknown status', r.stderr)
        r = admin('comments', 'list', '--page', 'pas-un-chemin', check=False)
        self.assertEqual(r.returncode, 2)

    def test_show(self):
        cid = one("SELECT id FROM comments WHERE author = 'Argent Facile'")
        out = admin('comments', 'show', cid).stdout
        self.assertIn('status   spam', out)
        self.assertIn('reasons  3 liens', out)
        self.assertIn('Gagnez 5000€', out)
        r = admin('comments', 'show', '999999999', check=False)
        self.assertEqual(r.returncode, 1)

    def test_approving_a_reply_publishes_it_and_tells_the_parent_author(self):
        parent_mail = fresh_email('parent')
        a = Client()
        parent = posted_id(post(a, email=parent_mail, notify=True,
                                author='Paule Parent'))
        admin('comments', 'approve', str(parent))
        self.assertEqual(row(parent)['notify'], '1')
        reply_body = unique('Une réponse qui attend')
        reply = posted_id(post(Client(), parent=parent,
                               email=fresh_email('reply'), body=reply_body,
                               author='Rémi Répond'))
        self.assertEqual(row(reply)['status'], 'pending')
        self.assertNotIn(reply_body, Client().get(FRAG % PAGE).text)
        time.sleep(0.3)
        self.assertFalse(mails_to(parent_mail), 'no mail while it is held')
        out = admin('comments', 'approve', str(reply)).stdout
        self.assertIn('%d approved' % reply, out)
        self.assertIn(reply_body, Client().get(FRAG % PAGE).text)
        mails = harness.wait_until(lambda: mails_to(parent_mail), 10)
        self.assertEqual(len(mails), 1)
        m = mails[0]
        self.assertIn('Rémi Répond a répondu à votre commentaire', m)
        self.assertIn(reply_body, m)
        self.assertIn('%s%s#comment-%d' % (harness.stack.base, PAGE, reply), m)
        self.assertRegex(m, r'List-Unsubscribe: <%s/aparte/comments/unsubscribe'
                         r'\?t=[^>]+>' % re.escape(harness.stack.base))
        self.assertIn('List-Unsubscribe-Post: List-Unsubscribe=One-Click', m)
        self.assertEqual(one('SELECT notified FROM comments WHERE id = %d' %
                             reply), '1')
        # once only, whatever happens next
        admin('comments', 'trash', str(reply))
        admin('comments', 'approve', str(reply))
        time.sleep(0.5)
        admin('mail', 'run')
        self.assertEqual(len(mails_to(parent_mail)), 1)

    def test_the_reply_mail_speaks_the_language_the_parent_was_written_in(self):
        # The parent's author read the site in English; the reply comes
        # from a French reader: the mail is in English.
        parent_mail = fresh_email('english')
        parent = posted_id(post(Client(lang='en-GB,en;q=0.9'),
                                email=parent_mail, notify=True,
                                author='Paula Parent'))
        self.assertEqual(one('SELECT lang FROM comments WHERE id = %d'
                             % parent), 'en')
        admin('comments', 'approve', str(parent))
        reply = posted_id(post(Client(), parent=parent,
                               email=fresh_email('reponse'),
                               author='Rémi Répond'))
        admin('comments', 'approve', str(reply))
        mails = harness.wait_until(lambda: mails_to(parent_mail), 10)
        self.assertEqual(len(mails), 1)
        self.assertIn('Hello Paula Parent,', mails[0])
        self.assertIn('Rémi Répond replied to your comment on', mails[0])
        self.assertIn('One click stops them', mails[0])
        self.assertNotIn('Bonjour', mails[0])

    def test_no_mail_to_oneself_nor_to_who_did_not_ask(self):
        quiet = fresh_email('quiet')
        parent = posted_id(post(Client(), email=quiet))
        admin('comments', 'approve', str(parent))
        posted_id(post(Client(), parent=parent, email=KNOWN))
        me = fresh_email('me')
        p2 = posted_id(post(Client(), email=me, notify=True))
        admin('comments', 'approve', str(p2))
        posted_id(post(Client(), parent=p2, email=me))
        time.sleep(0.5)
        admin('mail', 'run')
        self.assertFalse(mails_to(quiet))
        self.assertFalse(mails_to(me))

    def test_spam_and_not_spam_teach_the_filters(self):
        cid = posted_id(post(Client(), email=fresh_email('learn')))
        admin('comments', 'spam', str(cid))
        self.assertEqual(row(cid)['status'], 'spam')
        self.assertEqual(one("SELECT value FROM ap_counters WHERE name = "
                             "'judge.spam.%d'" % cid), '1')
        admin('comments', 'ham', str(cid))
        self.assertEqual(row(cid)['status'], 'approved')
        self.assertEqual(one("SELECT value FROM ap_counters WHERE name = "
                             "'judge.ham.%d'" % cid), '1')
        # approving what a filter doubted teaches it too
        cid = posted_id(post(Client(), email=fresh_email('doubt'),
                             body='[judge:unsure] ' + unique()))
        admin('comments', 'approve', str(cid))
        self.assertEqual(one("SELECT value FROM ap_counters WHERE name = "
                             "'judge.ham.%d'" % cid), '1')
        # the audit trail names each decision
        self.assertTrue(sql("SELECT 1 FROM ap_audit WHERE action = "
                            "'comments.spam' AND detail LIKE '%d %%'" % cid) or
                        sql("SELECT 1 FROM ap_audit WHERE action = "
                            "'comments.approve' AND detail LIKE '%d %%'" % cid))

    def test_trash_and_delete(self):
        cid = posted_id(post(Client()))
        self.assertIn('comment-%d"' % cid, Client().get(FRAG % PAGE).text)
        admin('comments', 'trash', str(cid))
        self.assertEqual(row(cid)['status'], 'trash')
        self.assertNotIn('comment-%d"' % cid, Client().get(FRAG % PAGE).text)
        admin('comments', 'delete', str(cid))
        self.assertIsNone(row(cid))
        live = posted_id(post(Client()))
        r = admin('comments', 'delete', str(live), check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn('no such comment in the spam or the trash', r.stderr)
        self.assertEqual(row(live)['status'], 'approved')
        r = admin('comments', 'approve', '999999999', 'abc', check=False)
        self.assertEqual(r.returncode, 1)

    def test_trashing_a_comment_with_replies_keeps_their_place(self):
        top = posted_id(post(Client()))
        reply = posted_id(post(Client(), parent=top))
        admin('comments', 'trash', str(top))
        r = Client().get(FRAG % PAGE)
        self.assertIn('Ce commentaire n’est plus affiché', r.text)
        self.assertIn('comment-%d"' % reply, r.text)

    def test_words_and_pages_from_the_command_line(self):
        admin('comments', 'words', 'hold', 'pari sportif')
        self.assertIn('hold\tpari sportif', admin('comments', 'words').stdout)
        admin('comments', 'words', 'remove', 'pari sportif')
        self.assertNotIn('pari sportif', admin('comments', 'words').stdout)
        r = admin('comments', 'words', 'hold', 'x' * 101, check=False)
        self.assertEqual(r.returncode, 2)
        out = admin('comments', 'page', PAGE).stdout
        self.assertIn('title Partager son temps ?', out)
        self.assertIn('open', out)
        r = admin('comments', 'page', 'sans-slash', check=False)
        self.assertEqual(r.returncode, 2)


class MailTest(unittest.TestCase):

    def test_no_field_can_add_a_header(self):
        body = unique('Un texte\r\nBcc: cible@evil.example')
        cid = posted_id(post(Client(), email=fresh_email('inject'),
                             author='Eve\r\nBcc: cible@evil.example',
                             body=body))
        self.assertEqual(row(cid)['author'], 'Eve Bcc: cible@evil.example')
        mails = harness.wait_until(lambda: [
            m for p, m in harness.stack.mails() if 'Eve Bcc' in m], 10)
        self.assertTrue(mails)
        head = mails[0].split('\n\n', 1)[0]
        self.assertNotRegex(head, r'(?m)^(Bcc|X-Evil):')
        self.assertEqual(len(re.findall(r'(?m)^To: ', head)), 1)

    def test_a_failing_mail_command_loses_no_comment(self):
        mail_dir = harness.stack.mail_dir
        moved = mail_dir + '.away'
        os.rename(mail_dir, moved)
        open(mail_dir, 'w').close()     # mail-capture cannot write there
        try:
            body = unique('Malgré la messagerie en panne')
            cid = posted_id(post(Client(), email=fresh_email('nomail'),
                                 body=body))
            self.assertEqual(row(cid)['status'], 'pending')
            failed = harness.wait_until(lambda: sql(
                "SELECT tries, last_error FROM ap_mail WHERE message LIKE %s "
                "AND sent_at IS NULL AND tries > 0" % esc('%' + body + '%')),
                10)
            self.assertTrue(failed, 'the failure is recorded')
            self.assertIn('exited with status', failed[0][1])
        finally:
            os.unlink(mail_dir)
            os.rename(moved, mail_dir)
        admin('mail', 'run')
        self.assertTrue([m for p, m in harness.stack.mails() if body in m])
        self.assertEqual(row(cid)['status'], 'pending')


class CacheTest(unittest.TestCase):

    def test_every_change_reaches_every_worker_at_once(self):
        page = '/tests/cache-%d' % (time.time() * 1000)
        c = Client()
        cid = posted_id(post(c, page=page, email=fresh_email('cache')))
        for _ in range(12):      # fill the views of both worker processes
            self.assertIn('>Aucun commentaire<', Client().get(FRAG % page).text)
        admin('comments', 'approve', str(cid))
        for _ in range(12):
            self.assertIn('>1 commentaire<', Client().get(FRAG % page).text)
        admin('comments', 'trash', str(cid))
        for _ in range(12):
            self.assertIn('>Aucun commentaire<', Client().get(FRAG % page).text)
        # an edit of the text by the author is seen at once too
        c2 = Client()
        cid2 = posted_id(post(c2, page=page))
        for _ in range(6):
            Client().get(FRAG % page)
        f = c2.form_fields(c2.get('/aparte/comments/edit?id=%d' % cid2), 0)
        new = unique('Texte revu')
        f.update(author='Camille', body=new)
        self.assertEqual(c2.post('/aparte/comments/edit', f).status, 303)
        for _ in range(12):
            self.assertIn(new, Client().get(FRAG % page).text)


class AdminAccessTest(unittest.TestCase):

    def test_the_queue_needs_a_moderator(self):
        for path in ('/aparte/admin/comments', '/aparte/admin/comments/1',
                     '/aparte/admin/comments/words'):
            r = Client().get(path)
            self.assertIn(r.status, (303, 403), path)
            self.assertNotIn('Gaëlle', r.text)
        c = Client()
        r = c.post('/aparte/admin/comments', {'act': 'approve:1'})
        self.assertIn(r.status, (303, 403))


if __name__ == '__main__':
    unittest.main()
