"""Settings of the comments plugin the shared test site does not use:
newest threads first, a shallower nesting, fewer threads a page, no
cache, the default flood window, first comments published at once.  A
backend of its own (standalone, FastCGI), on the test site's database."""
import html
import re
import time
import unittest
import urllib.parse

import harness
from commentlib import (filters_off, filters_on, sql, esc, one, KNOWN, unique)


def setUpModule():
    filters_off()


def tearDownModule():
    filters_on()


class SettingsTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.b = harness.Backend('comments-settings', {
            ('comments', 'order'): 'newest',
            ('comments', 'depth'): '2',
            ('comments', 'per_page'): '3',
            ('comments', 'cache_size'): '0',
            ('comments', 'hold_first'): 'no',
            ('comments', 'flood_interval'): '15s',
            ('comments', 'flood_burst'): '1',
        }).start()
        cls.page = '/tests/reglages-%d' % (time.time() * 1000)
        p = esc(cls.page)
        rows = []
        for i in range(5):
            rows.append("(%s, 'approved', %d, 'Fil %d', 'f%d@exemple.example', "
                        "'Texte du fil %d', %d)" % (p, 1700000000 + i * 60, i,
                                                    i, i, 1700000000 + i * 60))
        sql("INSERT INTO comments (page, status, status_at, author, email, "
            "body, created) VALUES " + ', '.join(rows))
        sql("UPDATE comments SET root_id = id WHERE page = %s" % p)
        newest = int(one("SELECT MAX(id) FROM comments WHERE page = %s" % p))
        parent, root = newest, newest
        for level in range(1, 4):
            sql("INSERT INTO comments (page, parent_id, root_id, status, "
                "status_at, author, email, body, created) VALUES (%s, %d, %d, "
                "'approved', 1700009000, 'Niveau %d', 'n@exemple.example', "
                "'Réponse de niveau %d', %d)" % (p, parent, root, level, level,
                                                1700009000 + level))
            parent = int(one("SELECT MAX(id) FROM comments WHERE page = %s"
                             % p))
        cls.newest = newest

    @classmethod
    def tearDownClass(cls):
        cls.b.stop()

    def get(self, query):
        st, h, b = self.b.request('/aparte/comments', query=query)
        return st, b.decode('utf-8')

    def test_newest_threads_first_three_a_page(self):
        st, text = self.get('page=' + self.page)
        self.assertEqual(st, 200)
        threads = re.findall(r'<li id="comment-\d+" class="comment">'
                             r'<article class="comment-body"><header '
                             r'class="comment-meta"><span class="comment-'
                             r'author">Fil (\d)', text)
        self.assertEqual(threads, ['4', '3', '2'])
        self.assertIn('>8 commentaires</h2>', text)
        st, text = self.get('page=%s&cpage=2' % self.page)
        self.assertIn('Fil 1', text)
        self.assertIn('Fil 0', text)
        self.assertNotIn('Fil 4', text)

    def test_replies_deeper_than_the_setting_follow_flat(self):
        st, text = self.get('page=' + self.page)
        # level 1 nested in the thread (depth 2), levels 2 and 3 beside it
        self.assertEqual(text.count('<ol class="children">'), 1)
        self.assertIn('En réponse à', text)
        m = re.search(r'<ol class="children">(.*?)</ol>', text, re.S)
        self.assertIn('Niveau 1', m.group(1))
        self.assertIn('Niveau 3', m.group(1))
        self.assertNotIn('<ol', m.group(1))

    def test_without_cache_every_change_shows(self):
        p = esc(self.page)
        st, text = self.get('page=' + self.page)
        self.assertIn('Texte du fil 4', text)
        sql("UPDATE comments SET body = 'Texte changé' WHERE page = %s AND "
            "author = 'Fil 4'" % p)
        st, text = self.get('page=' + self.page)
        self.assertIn('Texte changé', text)

    def fields(self):
        # a page of its own: the others count their threads
        st, text = self.get('page=%s-envois&fragment=1' % self.page)
        form = re.search(r'<form .*?class="comment-form".*?</form>', text,
                         re.S).group(0)
        f = {html.unescape(n): html.unescape(v) for n, v in re.findall(
            r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)}
        return f

    def post(self, f, ip):
        body = urllib.parse.urlencode(f).encode()
        st, h, b = self.b.request('/aparte/comments', method='POST',
                                  body=body, REMOTE_ADDR=ip)
        return st, h, b.decode('utf-8')

    def test_first_comments_published_and_the_default_flood_window(self):
        f = self.fields()
        f.update(author='Nouvelle Venue', email='nouvelle.%d@exemple.example'
                 % time.time(), body=unique())
        st, h, text = self.post(f, '203.0.113.77')
        self.assertEqual(st, 303, text[:500])
        cid = int(re.search(r'#comment-(\d+)', h['location']).group(1))
        self.assertEqual(one('SELECT status FROM comments WHERE id = %d'
                             % cid), 'approved')
        f = self.fields()
        f.update(author='Nouvelle Venue', email=KNOWN, body=unique())
        st, h, text = self.post(f, '203.0.113.77')
        self.assertEqual(st, 429)
        self.assertEqual(h.get('retry-after'), '15')
        self.assertIn('un commentaire par 15 secondes au plus', text)
        # another address is not held back
        st, h, text = self.post(f, '203.0.113.78')
        self.assertEqual(st, 303)


if __name__ == '__main__':
    unittest.main()
