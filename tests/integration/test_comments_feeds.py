"""Atom feeds of the comments: per page and for the whole site, approved
comments only, valid Atom (RFC 4287's required elements), conditional
requests."""
import re
import time
import unittest
import xml.etree.ElementTree as ET

from harness import Client, fr
from commentlib import (filters_off, filters_on, PAGE, unique, one, post,
                        posted_id, admin)

A = '{http://www.w3.org/2005/Atom}'
RFC3339 = r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$'


def setUpModule():
    filters_off()


def tearDownModule():
    filters_on()


def atom(resp):
    return ET.fromstring(resp.body)


class FeedTest(unittest.TestCase):

    def check_atom(self, feed):
        """The elements RFC 4287 requires, in the feed and each entry."""
        self.assertEqual(feed.tag, A + 'feed')
        for name in ('id', 'title', 'updated'):
            self.assertEqual(len(feed.findall(A + name)), 1, name)
        self.assertRegex(feed.find(A + 'updated').text, RFC3339)
        self.assertIsNotNone(feed.find(A + 'link[@rel="self"]'))
        ids = set()
        for e in feed.findall(A + 'entry'):
            for name in ('id', 'title', 'updated', 'published', 'content'):
                self.assertEqual(len(e.findall(A + name)), 1, name)
            self.assertRegex(e.find(A + 'updated').text, RFC3339)
            self.assertIsNotNone(e.find(A + 'author/' + A + 'name').text)
            self.assertEqual(e.find(A + 'content').get('type'), 'text')
            self.assertNotIn(e.find(A + 'id').text, ids)
            ids.add(e.find(A + 'id').text)

    def test_page_feed_has_the_approved_comments_only(self):
        r = Client().get('/aparte/comments/feed?page=' + PAGE)
        self.assertEqual(r.status, 200)
        self.assertTrue(r.ctype.startswith('application/atom+xml'))
        feed = atom(r)
        self.check_atom(feed)
        self.assertEqual(feed.find(A + 'title').text,
                         fr('Commentaires sur « %s »') % 'Partager son temps ?')
        approved = int(one("SELECT COUNT(*) FROM comments WHERE page = '%s' "
                           "AND status = 'approved'" % PAGE))
        entries = feed.findall(A + 'entry')
        self.assertEqual(len(entries), min(approved, 50))
        for bad in ('Gaëlle Martin', 'Argent Facile',
                    'claire.moreau-vidal@cabinet-moreau.example', '192.0.2.'):
            self.assertNotIn(bad, r.text)
        # newest first, linking to the comment on the site's page
        dates = [e.find(A + 'published').text for e in entries]
        self.assertEqual(dates, sorted(dates, reverse=True))
        link = entries[-1].find(A + 'link').get('href')
        self.assertRegex(link, r'^http://127\.0\.0\.1:\d+/blog/partager-son-'
                         r'temps#comment-\d+$')
        claire = [e for e in entries
                  if e.find(A + 'author/' + A + 'name').text ==
                  'Claire Moreau-Vidal']
        self.assertEqual(claire[0].find(A + 'author/' + A + 'uri').text,
                         'https://cabinet-moreau.example/')

    def test_a_new_comment_shows_in_both_feeds(self):
        body = unique('Pour le flux <b>gras</b> & cie')
        cid = posted_id(post(Client(), body=body))
        page = Client().get('/aparte/comments/feed?page=' + PAGE).text
        site = Client().get('/aparte/comments/feed').text
        for text in (page, site):
            self.assertIn('#comment-%d</id>' % cid, text)
            self.assertIn(body.replace('&', '&amp;').replace('<', '&lt;')
                          .replace('>', '&gt;'), text)

    def test_site_feed(self):
        r = Client().get('/aparte/comments/feed')
        self.assertEqual(r.status, 200)
        feed = atom(r)
        self.check_atom(feed)
        self.assertIn('Commentaires', feed.find(A + 'title').text)
        self.assertLessEqual(len(feed.findall(A + 'entry')), 50)
        r = Client(lang='en').get('/aparte/comments/feed')
        self.assertIn('xml:lang="en"', r.text)
        self.assertIn('<title>Comments', r.text)

    def test_conditional_requests_until_a_comment_changes(self):
        page = '/tests/flux-%d' % (time.time() * 1000)
        cid = posted_id(post(Client(), page=page))
        r = Client().get('/aparte/comments/feed?page=' + page)
        etag = r.header('etag')
        self.assertTrue(etag)
        r = Client().get('/aparte/comments/feed?page=' + page,
                         headers={'If-None-Match': etag})
        self.assertEqual(r.status, 304)
        self.assertEqual(r.body, b'')
        admin('comments', 'trash', str(cid))
        r = Client().get('/aparte/comments/feed?page=' + page,
                         headers={'If-None-Match': etag})
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(atom(r).findall(A + 'entry'), [])

    def test_bad_page_key(self):
        r = Client().get('/aparte/comments/feed?page=pas-un-chemin')
        self.assertEqual(r.status, 400)

    def test_the_page_links_to_its_feed(self):
        r = Client().get('/aparte/comments?page=' + PAGE)
        self.assertRegex(r.text, r'<a href="/aparte/comments/feed\?page=/blog/'
                         r'partager-son-temps" type="application/atom\+xml">')


if __name__ == '__main__':
    unittest.main()
