"""aparte-admin import wxr: the comments of a WordPress export, with their
threads, statuses, dates and authors; twice imports nothing twice; a file
that is not a plain WordPress export is refused before anything is
written."""
import calendar
import os
import re
import time
import unittest

import harness
from harness import Client, fr, save_page
from commentlib import (filters_off, filters_on, FULL, sql, one, admin, count)

HERE = os.path.dirname(os.path.abspath(__file__))
WXR = os.path.join(HERE, 'data', 'wordpress-export.xml')
P1 = '/2019/03/temps-partage-ou-interim'
P2 = '/2020/06/choisir-ses-missions'


def setUpModule():
    filters_off()


def tearDownModule():
    filters_on()


def by_author(author):
    rows = sql("SELECT id, page, parent_id, root_id, status, email, url, body, "
               "created, ip FROM comments WHERE author = '%s'" % author)
    assert len(rows) == 1, (author, rows)
    return dict(zip(('id', 'page', 'parent_id', 'root_id', 'status', 'email',
                     'url', 'body', 'created', 'ip'), rows[0]))


def utc(s):
    return str(calendar.timegm(time.strptime(s, '%Y-%m-%d %H:%M:%S')))


def tmpfile(name, text):
    path = os.path.join(harness.stack.run, name)
    with open(path, 'w', encoding='utf-8') as f:
        f.write(text)
    return path


class ImportTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.dry = admin('import', 'wxr', WXR, '--dry-run').stdout
        cls.before = count("page IN ('%s', '%s')" % (P1, P2))
        cls.first = admin('import', 'wxr', WXR).stdout
        cls.second = admin('import', 'wxr', WXR).stdout

    def test_dry_run_writes_nothing(self):
        self.assertIn('would import 8 comments on 2 pages', self.dry)
        self.assertEqual(self.before, 0)

    def test_counts(self):
        self.assertIn('imported 8 comments on 2 pages; 0 already imported; '
                      '1 pingbacks and trackbacks left out; 1 skipped',
                      self.first)
        self.assertIn('skipped the comments of post 61', self.first)
        self.assertEqual(count("page = '%s'" % P1), 7)
        self.assertEqual(count("page = '%s'" % P2), 1)

    def test_twice_imports_nothing_twice(self):
        self.assertIn('imported 0 comments on 0 pages; 8 already imported',
                      self.second)
        self.assertEqual(count("page IN ('%s', '%s')" % (P1, P2)), 8)

    def test_threads_statuses_dates_authors(self):
        odile = by_author('Odile Charpentier')
        marc = by_author('Marc Delorme')
        nath = by_author('Nathalie Ferrand')
        sylvie = by_author('Sylvie Ocampo')
        paul = by_author('Paul Vernet')
        self.assertEqual(odile['page'], P1)
        self.assertEqual(odile['status'], 'approved')
        self.assertIsNone(odile['parent_id'])
        self.assertEqual(odile['root_id'], odile['id'])
        self.assertEqual(odile['created'], utc('2019-03-12 09:15:00'))
        self.assertEqual(odile['email'], 'odile.charpentier@charpentier-rh.example')
        self.assertEqual(odile['url'], 'https://charpentier-rh.example/')
        self.assertIsNone(odile['ip'], 'an IP older than the retention')
        self.assertEqual(marc['parent_id'], odile['id'])
        self.assertEqual(nath['parent_id'], marc['id'])
        self.assertEqual(nath['root_id'], odile['id'])
        self.assertEqual(nath['status'], 'pending')
        self.assertIsNone(nath['url'], 'javascript: is not a website')
        # a reply listed before its parent
        self.assertEqual(paul['parent_id'], sylvie['id'])
        self.assertEqual(paul['root_id'], sylvie['id'])
        self.assertEqual(by_author('cheap pills')['status'], 'spam')
        self.assertEqual(by_author('Essai')['status'], 'trash')
        self.assertEqual(count("author = 'Un autre blog'"), 0)
        self.assertEqual(one("SELECT title FROM comments_pages WHERE page = "
                             "'%s'" % P2), 'Choisir ses missions & ses clients')

    def test_html_becomes_plain_text(self):
        self.assertEqual(by_author('Odile Charpentier')['body'],
                         'Bonne question\u00a0! Pour moi l’intérim répond à '
                         'une absence, le temps partagé à un besoin durable.'
                         '\n\nCe ne sont pas les mêmes contrats.')
        self.assertEqual(by_author('Marc Delorme')['body'],
                         "D'accord avec Odile. Voir une étude "
                         "(https://exemple.example/etude) sur le sujet.\n"
                         "Et une deuxième ligne.")
        jean = by_author('Jean & Fils')
        self.assertEqual(jean['body'],
                         'Première ligne\ndeuxième ligne <sans balise>')
        self.assertEqual(jean['created'], utc('2020-06-02 12:30:00'))

    def test_imported_threads_show(self):
        r = Client().get(FULL % P1)
        self.assertEqual(r.status, 200)
        self.assertIn('>4 commentaires</h2>', r.text)
        self.assertIn(fr('Commentaires : %s')
                      % 'Temps partagé ou intérim de direction ?', r.text)
        self.assertIn('12\u00a0mars 2019 à 10\u00a0h\u00a015', r.text)   # Paris time
        self.assertNotIn('cheap pills', r.text)
        self.assertNotIn('Nathalie Ferrand', r.text)
        self.assertIn('<a href="https://exemple.example/etude" rel="nofollow '
                      'ugc">https://exemple.example/etude</a>', r.text)
        save_page('comments-imported', r)


class MapTest(unittest.TestCase):

    def test_map_rewrites_the_page_keys(self):
        text = open(WXR, encoding='utf-8').read().replace(
            'ancien.reseau-temps-partage.example', 'autre-ancien.example')
        path = tmpfile('map.xml', text)
        out = admin('import', 'wxr', path, '--map', '/2019/03/=/blog/',
                    '--map', '/2020/06/=/blog/').stdout
        self.assertIn('imported 8 comments on 2 pages', out)
        self.assertEqual(count("page = '/blog/temps-partage-ou-interim'"), 7)
        self.assertEqual(count("page = '/blog/choisir-ses-missions'"), 1)
        r = admin('import', 'wxr', path, '--map', 'sans-slash', check=False)
        self.assertEqual(r.returncode, 2)


class OddAddressTest(unittest.TestCase):

    def test_an_address_that_decodes_to_no_text_skips_its_post_only(self):
        # An old blog's address percent-encoded in Latin-1 ("caf%E9")
        # decodes to bytes that are not UTF-8: that post is skipped, the
        # others are imported.
        items = ''.join(
            '<item><title>%s</title><link>https://vieux.example%s</link>'
            '<wp:post_id>%d</wp:post_id><wp:comment><wp:comment_id>%d'
            '</wp:comment_id><wp:comment_author>Auteur %d'
            '</wp:comment_author><wp:comment_content>Texte %d du vieux blog'
            '</wp:comment_content><wp:comment_approved>1'
            '</wp:comment_approved><wp:comment_date_gmt>2012-01-0%d 10:00:00'
            '</wp:comment_date_gmt></wp:comment></item>'
            % (title, link, n, n, n, n, n)
            for n, title, link in ((1, 'Café', '/2012/01/caf%E9/'),
                                   (2, 'Thé', '/2012/01/th%C3%A9/')))
        path = tmpfile('latin1.xml', '<?xml version="1.0" encoding="UTF-8"?>'
                       '<rss xmlns:wp="http://wordpress.org/export/1.2/">'
                       '<channel><link>https://vieux.example</link>'
                       '<wp:base_blog_url>https://vieux.example'
                       '</wp:base_blog_url>%s</channel></rss>' % items)
        r = admin('import', 'wxr', path, '--map', '/2012/=/tests/', check=False)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn('imported 1 comments on 1 pages', r.stdout)
        self.assertIn('skipped the comments of post 1', r.stdout)
        self.assertEqual(count("page = '/tests/01/thé'"), 1)


class UnsafeFilesTest(unittest.TestCase):

    def refused(self, name, text, message):
        before = count('1')
        r = admin('import', 'wxr', tmpfile(name, text), check=False)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn(message, r.stderr)
        self.assertEqual(count('1'), before)

    def test_entity_expansion_is_refused(self):
        lol = ('<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY a "aaaaaaaaaa">\n'
               + ''.join('<!ENTITY %s "%s">\n' % (chr(98 + i), ('&%s;' %
                                                             chr(97 + i)) * 10)
                         for i in range(8))
               + ']>\n<rss><channel><item><link>https://x.example/p/</link>'
               '<wp:comment xmlns:wp="http://wordpress.org/export/1.2/">'
               '<wp:comment_id>1</wp:comment_id><wp:comment_content>&i;'
               '</wp:comment_content><wp:comment_approved>1'
               '</wp:comment_approved></wp:comment></item></channel></rss>\n')
        self.refused('lol.xml', lol, 'DOCTYPE')

    def test_external_entities_are_refused(self):
        xxe = ('<?xml version="1.0"?>\n<!-- a comment first -->\n'
               '<!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
               '<rss><channel><item><link>https://x.example/p/</link>'
               '<wp:comment xmlns:wp="http://wordpress.org/export/1.2/">'
               '<wp:comment_id>1</wp:comment_id><wp:comment_content>&x;'
               '</wp:comment_content><wp:comment_approved>1'
               '</wp:comment_approved></wp:comment></item></channel></rss>\n')
        self.refused('xxe.xml', xxe, 'DOCTYPE')

    def test_a_doctype_the_first_look_misses_is_refused_after_parsing(self):
        # In UTF-16 the prolog's bytes are not read as text before
        # parsing: the parsed document's DOCTYPE refuses it.
        doc = ('<?xml version="1.0" encoding="UTF-16"?>\n'
               '<!DOCTYPE rss [<!ENTITY x "entité">]>\n'
               '<rss><channel><item><link>https://x.example/p/</link>'
               '<wp:comment xmlns:wp="http://wordpress.org/export/1.2/">'
               '<wp:comment_id>1</wp:comment_id><wp:comment_content>&x;'
               '</wp:comment_content><wp:comment_approved>1'
               '</wp:comment_approved></wp:comment></item></channel></rss>\n')
        path = os.path.join(harness.stack.run, 'utf16.xml')
        with open(path, 'wb') as f:
            f.write(doc.encode('utf-16'))
        before = count('1')
        r = admin('import', 'wxr', path, check=False)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn('declares a DOCTYPE: refused', r.stderr)
        self.assertEqual(count('1'), before)

    def test_not_xml_not_wordpress_not_there(self):
        self.refused('bad.xml', '<rss><channel><item>', 'not well-formed')
        self.refused('atom.xml', '<?xml version="1.0"?><feed/>',
                     'not a WordPress export')
        r = admin('import', 'wxr', '/nonexistent/export.xml', check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn('No such file', r.stderr)
        r = admin('import', 'csv', WXR, check=False)
        self.assertEqual(r.returncode, 2)

    def test_too_large_is_refused_before_reading(self):
        path = os.path.join(harness.stack.run, 'huge.xml')
        with open(path, 'wb') as f:
            f.truncate(129 * 1024 * 1024)      # sparse: nothing is written
        r = admin('import', 'wxr', path, check=False)
        os.unlink(path)
        self.assertEqual(r.returncode, 1)
        self.assertIn('more than the 128 MB', r.stderr)


if __name__ == '__main__':
    unittest.main()
