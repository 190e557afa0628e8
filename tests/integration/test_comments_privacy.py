"""What the comments keep about people: IPs erased after the retention,
spam and trash purged, the privacy export and erase commands, and the
one-click unsubscribe of reply notifications."""
import json
import re
import time
import unittest
import xml.etree.ElementTree as ET

import harness
import sign
from harness import Client, save_page
from commentlib import (filters_off, filters_on, PAGE, FRAG, unique, sql, one,
                        row, post, posted_id, admin)


def setUpModule():
    filters_off()


def tearDownModule():
    filters_on()


def fresh_email(tag):
    return '%s.%d@exemple.example' % (tag, time.time() * 1000000)


class RetentionTest(unittest.TestCase):

    def test_cron_erases_old_ips_and_purges_old_spam_and_trash(self):
        old = posted_id(post(Client()))
        recent = posted_id(post(Client()))
        spam_old = posted_id(post(Client(), body='[judge:spam] ' + unique()))
        spam_new = posted_id(post(Client(), body='[judge:spam] ' + unique()))
        trash_old = posted_id(post(Client()))
        admin('comments', 'trash', str(trash_old))
        kept = posted_id(post(Client()))          # trashed, with a reply
        reply = posted_id(post(Client(), parent=kept))
        admin('comments', 'trash', str(kept))
        sql('UPDATE comments SET created = created - 31 * 86400 WHERE id = %d'
            % old)
        sql('UPDATE comments SET status_at = status_at - 31 * 86400 WHERE id '
            'IN (%d, %d, %d)' % (spam_old, trash_old, kept))
        self.assertEqual(row(old)['ip'], '127.0.0.1')
        out = admin('cron').stdout
        self.assertIn('cron:', out)
        self.assertIsNone(row(old)['ip'])
        self.assertIsNone(one('SELECT user_agent FROM comments WHERE id = %d'
                              % old))
        self.assertEqual(row(recent)['ip'], '127.0.0.1')
        self.assertIsNone(row(spam_old))
        self.assertIsNone(row(trash_old))
        self.assertEqual(row(spam_new)['status'], 'spam')
        self.assertEqual(row(kept)['status'], 'trash')    # a reply hangs on it
        self.assertEqual(row(reply)['status'], 'approved')
        # the comment itself stays, only what identifies its author went
        self.assertEqual(row(old)['status'], 'approved')


class ExportEraseTest(unittest.TestCase):

    def test_export_gives_everything_held_about_an_email(self):
        email = fresh_email('export')
        a = posted_id(post(Client(), email=email, author='Xavier Export',
                           url='https://export.example/', notify=True))
        b = posted_id(post(Client(), email=email, author='Xavier Export'))
        r = admin('privacy', 'export', email)
        data = json.loads(r.stdout)
        items = [i for i in data['items'] if i['plugin'] == 'comments']
        self.assertEqual(sorted(int(i['fields']['id']) for i in items), [a, b])
        f = [i for i in items if int(i['fields']['id']) == a][0]['fields']
        self.assertEqual(f['email'], email)
        self.assertEqual(f['author'], 'Xavier Export')
        self.assertEqual(f['website'], 'https://export.example/')
        self.assertEqual(f['ip'], '127.0.0.1')
        self.assertEqual(f['notify_replies'], 'yes')
        self.assertEqual(f['page'], PAGE)
        self.assertTrue(f['text'])
        # what the site said of it: held as a first comment
        self.assertEqual(f['in_reply_to'], '')
        self.assertEqual(f['language'], 'fr')
        self.assertIn('premier commentaire de cette adresse e-mail',
                      f['moderation_reasons'])
        c = [i for i in items if int(i['fields']['id']) == b][0]['fields']
        self.assertEqual(c['moderation_reasons'], row(b)['reasons'])
        x = ET.fromstring(admin('privacy', 'export', email, '--xml').stdout)
        self.assertEqual(len(x.findall('item[@plugin="comments"]')), 2)

    def test_erase_anonymizes_and_keeps_the_threads(self):
        email = fresh_email('erase')
        body = unique('Un avis à effacer')
        top = posted_id(post(Client(), email=email, author='Yvonne Efface',
                             url='https://efface.example/', body=body,
                             notify=True))
        admin('comments', 'approve', str(top))
        reply = posted_id(post(Client(), parent=top))
        r = admin('privacy', 'erase', email)
        self.assertRegex(r.stdout, r'^[1-9]\d* item\(s\) erased or anonymized')
        d = row(top)
        self.assertEqual((d['author'], d['email'], d['url'], d['ip'],
                          d['notify']), ('', '', None, None, '0'))
        self.assertEqual(d['status'], 'approved')
        self.assertEqual(row(reply)['parent_id'], str(top))
        page = Client().get(FRAG % PAGE).text
        self.assertNotIn('Yvonne Efface', page)
        self.assertNotIn('efface.example', page)
        m = re.search(r'<li id="comment-%d".*?</article>' % top, page, re.S)
        self.assertIn('Anonyme', m.group(0))
        self.assertIn(body, m.group(0))
        self.assertEqual(json.loads(admin('privacy', 'export', email).stdout)
                         ['items'], [])


class UnsubscribeTest(unittest.TestCase):

    def reply_mail(self, email):
        top = posted_id(post(Client(), email=email, notify=True))
        admin('comments', 'approve', str(top))
        posted_id(post(Client(), parent=top))
        mails = harness.wait_until(
            lambda: [m for p, m in harness.stack.mails() if 'To: ' + email in m],
            10)
        self.assertTrue(mails)
        return mails[0]

    def test_one_click_from_the_mail_program(self):
        email = fresh_email('oneclick')
        m = self.reply_mail(email)
        url = re.search(r'List-Unsubscribe: <([^>]+)>', m).group(1)
        self.assertIn(url, m.split('\n\n', 1)[1])
        path = url[len(harness.stack.base):]
        r = Client().post(path, 'List-Unsubscribe=One-Click')
        self.assertEqual(r.status, 200)
        self.assertEqual(one("SELECT COUNT(*) FROM comments WHERE email = '%s' "
                             "AND notify = 1" % email), '0')

    def test_the_link_shows_a_button(self):
        email = fresh_email('button')
        m = self.reply_mail(email)
        path = re.search(r'List-Unsubscribe: <([^>]+)>', m).group(1)[
            len(harness.stack.base):]
        c = Client()
        r = c.get(path)
        self.assertEqual(r.status, 200)
        self.assertIn('Me désabonner', r.text)
        self.assertIn(email, r.text)
        save_page('comments-unsubscribe', r)
        # a prefetch of the link changed nothing
        self.assertEqual(one("SELECT MAX(notify) FROM comments WHERE email = "
                             "'%s'" % email), '1')
        action = re.search(r'<form method="post" action="([^"]+)"',
                           r.text).group(1).replace('&amp;', '&')
        r = c.post(action, {})
        self.assertEqual(r.status, 200)
        self.assertIn('C’est fait', r.text)
        save_page('comments-unsubscribed', r)
        self.assertEqual(one("SELECT MAX(notify) FROM comments WHERE email = "
                             "'%s'" % email), '0')

    def test_a_bad_or_forged_link_is_refused(self):
        for t in ('', 'abc', sign.token('comments.form', 'a@b.fr',
                                        int(time.time()))):
            r = Client().get('/aparte/comments/unsubscribe?t=' + t)
            self.assertEqual(r.status, 400, t)
            self.assertIn('n’est pas valide', r.text)
        r = Client().post('/aparte/comments/unsubscribe?t=abc',
                          'List-Unsubscribe=One-Click')
        self.assertEqual(r.status, 400)
        save_page('comments-unsubscribe-bad', Client().get(
            '/aparte/comments/unsubscribe?t=abc'))


if __name__ == '__main__':
    unittest.main()
