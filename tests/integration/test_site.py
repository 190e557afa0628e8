"""The demo site through nginx, as a visitor gets it: its static pages with
the backend's parts included by SSI, the same layout as the backend's own
pages, the stylesheet and the script.  Every page is kept for the Nu
checker (after SSI, so what the backend inserted is checked too)."""
import html.parser
import os
import re
import unittest

import harness
from harness import Client, save_page

NNBSP = '\u202f'
ARTICLE = '/blog/partager-son-temps'
PAGES = [
    ('/', 'demo-home'),
    ('/association', 'demo-association'),
    ('/blog/', 'demo-blog'),
    (ARTICLE, 'demo-article'),
    (ARTICLE + '-script', 'demo-article-script'),
    ('/guide-de-style', 'demo-guide'),
]


class Skeleton(html.parser.HTMLParser):
    """The layout of a page: the elements the stylesheet relies on, in
    order (skip link, header, brand, navigation, main, footer, language
    switch), each as tag.class#id."""

    WANTED = {('a', 'skip'), ('header', 'site'), ('p', 'brand'),
              ('footer', 'site'), ('p', 'langs')}

    def __init__(self):
        super().__init__()
        self.out = []
        self.main_attrs = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = a.get('class')
        first = tag in ('nav', 'main') and not any(t == tag for t, *_ in
                                                    self.out)
        if (tag, cls) in self.WANTED or first:
            if tag == 'main':
                self.main_attrs = a
            # main may carry a class of its own (main.wide)
            self.out.append((tag, None if tag == 'main' else cls,
                             a.get('id')))


def skeleton(text):
    p = Skeleton()
    p.feed(text)
    return p


def text_of(fragment):
    return re.sub(r'\s+', ' ', re.sub(r'<[^>]+>', ' ', fragment)).strip()


class DemoSiteTest(unittest.TestCase):

    def test_every_page_answers_in_french_and_is_kept_for_the_checker(self):
        c = Client()
        for path, name in PAGES:
            r = c.get(path)
            self.assertEqual(r.status, 200, path)
            self.assertTrue(r.ctype.startswith('text/html'), path)
            self.assertIn('lang="fr"', r.text, path)
            self.assertIn('href="/aparte-static/aparte.css"', r.text, path)
            self.assertEqual(r.text.count('<html'), 1, path)
            self.assertNotIn('<!--#', r.text, path + ': SSI left unprocessed')
            save_page(name, r)

    def test_the_article_is_a_real_article_with_its_comments_part(self):
        r = Client().get(ARTICLE)
        self.assertIn('<h1>Partager son temps%s?</h1>' % NNBSP, r.text)
        self.assertIn('<title>Partager son temps%s? – Réseau Temps Partagé'
                      '</title>' % NNBSP, r.text)
        body = re.search(r'<article class="post">(.*?)</article>', r.text,
                         re.S).group(1)
        words = len(text_of(body).split())
        self.assertGreaterEqual(words, 1000)
        self.assertLessEqual(words, 1600)
        # What the backend answered for the comments sits in the embed:
        # the comments, or a short note while they are not available.
        embed = re.search(r'<div class="embed" id="commentaires">(.*?)</div>'
                          r'\s*</main>', r.text, re.S)
        self.assertIsNotNone(embed)
        self.assertNotIn('<main', embed.group(1))
        self.assertNotIn('<!DOCTYPE', embed.group(1))
        self.assertTrue(embed.group(1).strip(), 'the include gave nothing')

    def test_the_script_variant_has_the_same_article_and_a_link_without_script(self):
        c = Client()
        a = re.search(r'<article class="post">.*?</article>',
                      c.get(ARTICLE).text, re.S).group(0)
        r = c.get(ARTICLE + '-script')
        b = re.search(r'<article class="post">.*?</article>', r.text,
                      re.S).group(0)
        self.assertEqual(a, b)
        self.assertIn('data-aparte-embed="/aparte/comments?page=%s"' % ARTICLE,
                      r.text)
        self.assertRegex(r.text, r'data-aparte-embed="[^"]*">\s*<p><a href='
                         r'"/aparte/comments\?page=%s">' % ARTICLE)

    def test_static_pages_share_the_backend_layout(self):
        c = Client(accept='text/html')
        want = skeleton(c.get('/aparte/').text)
        self.assertEqual([t for t, *_ in want.out],
                         ['a', 'header', 'p', 'nav', 'main', 'footer', 'p'])
        for path, _ in PAGES:
            got = skeleton(c.get(path).text)
            self.assertEqual(got.out, want.out, path)
            self.assertEqual(got.main_attrs.get('tabindex'), '-1', path)
        self.assertEqual(want.main_attrs.get('tabindex'), '-1')

    def test_the_stylesheet_and_the_script_are_served(self):
        c = Client()
        r = c.get('/aparte-static/aparte.css')
        self.assertEqual(r.status, 200)
        self.assertTrue(r.ctype.startswith('text/css'))
        for sel in ('.skip:focus', 'header.site', 'footer.site', '.field.check',
                    '.msg-error', '.button.danger', '.badge', '.error-page',
                    'prefers-reduced-motion', '@media print'):
            self.assertIn(sel, r.text)
        r = c.get('/aparte-static/aparte.js')
        self.assertEqual(r.status, 200)
        self.assertIn('javascript', r.ctype)
        self.assertIn('data-aparte-embed', r.text)
        for bad in (r'\.innerHTML\b', r'\.outerHTML\b', r'document\.write\(',
                    r'insertAdjacentHTML', r'\beval\('):
            self.assertIsNone(re.search(bad, r.text), bad)


class SsiTest(unittest.TestCase):
    """nginx hands an included request the REQUEST_URI of the page that
    includes it: the backend must answer the include's own route."""

    def setUp(self):
        d = os.path.join(harness.stack.run, 'bench')
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, 'ssi-test.html'), 'w') as f:
            f.write('<!DOCTYPE html>\n<html lang="fr"><head><meta charset="utf-8"/>'
                    '<title>SSI</title></head><body><main>\n'
                    '<div id="a"><!--#include virtual="/aparte/?fragment=1" --></div>\n'
                    '<div id="b"><!--#include virtual="/aparte/nowhere?x=1&fragment=1" --></div>\n'
                    '</main></body></html>\n')

    def test_an_include_gets_the_fragment_of_its_own_route(self):
        r = Client().get('/bench/ssi-test.html?fragment=0')
        self.assertEqual(r.status, 200)
        # the core's home, as a fragment: its query was read too
        self.assertIn('<div id="a"><section class="home" lang="fr"><h1>', r.text)
        self.assertEqual(r.text.count('<html'), 1)
        save_page('ssi-include', r)

    def test_a_missing_route_in_an_include_is_a_short_note(self):
        r = Client().get('/bench/ssi-test.html')
        b = re.search(r'<div id="b">(.*?)</div>', r.text, re.S).group(1)
        self.assertIn('<p class="error-page embedded" lang="fr">Cette partie '
                      'de la page n’a pas pu être affichée (Page '
                      'introuvable).</p>', b)
        self.assertNotIn('<h1', b)
        r = Client(lang='en').get('/bench/ssi-test.html')
        self.assertIn('This part of the page could not be shown (Page not '
                      'found).', r.text)
