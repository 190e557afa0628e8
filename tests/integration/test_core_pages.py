"""What the XHTML writer sends: big pages streamed whole, fragments for SSI
(included by nginx here, by Apache in test_core_apache), the type the
browser accepts; and the visitor's language, French or English, complete
on every error page."""
import os
import re
import unittest
import xml.etree.ElementTree as ET

import fcgi
import harness
from harness import Client, page_texts, save_page

XHTML = '{http://www.w3.org/1999/xhtml}'


class BigPageTest(unittest.TestCase):

    def test_page_over_64k_streams_whole(self):
        r = Client(accept='application/xhtml+xml').get('/aparte/good/big?kb=300')
        self.assertEqual(r.status, 200)
        self.assertGreater(len(r.body), 300 * 1000)
        # streamed: no length known when the first bytes left
        self.assertIsNone(r.header('content-length'))
        self.assertTrue(r.text.rstrip().endswith('</html>'))
        # well-formed from end to end, every paragraph in order
        root = ET.fromstring(r.body)
        paras = [p.text for p in root.iter(XHTML + 'p')
                 if p.text and p.text[:6].isdigit()]
        self.assertEqual([p[:6] for p in paras],
                         ['%06d' % i for i in range(300)])
        self.assertEqual(root.find('.//%sp[@id="end"]' % XHTML).text,
                         'the end')
        save_page('big-xhtml', r)

    def test_small_page_has_its_length(self):
        r = Client().get('/aparte/good/hello/x')
        self.assertEqual(int(r.header('content-length')), len(r.body))

    def test_big_page_straight_over_fastcgi(self):
        p = fcgi.base_params('/aparte/good/big', query='kb=150')
        st, h, body, _ = fcgi.request(harness.stack.app_sock, p, timeout=30)
        self.assertEqual(st, 200)
        self.assertNotIn('content-length', h)
        self.assertEqual(body.count(b'<p>0'), 150)
        self.assertTrue(body.rstrip().endswith(b'</html>'))


class FragmentTest(unittest.TestCase):

    def assertOneRoot(self, r, tag):
        self.assertTrue(r.ctype.startswith('text/html'))
        self.assertNotIn('<!DOCTYPE', r.text)
        self.assertNotIn('<html', r.text)
        root = ET.fromstring(r.body)   # fails on two roots
        self.assertEqual(root.tag, tag)
        return root

    def test_fragment_is_one_element_without_layout(self):
        r = Client().get('/aparte/good/hello/x?fragment=1')
        self.assertEqual(r.status, 200)
        self.assertEqual(self.assertOneRoot(r, 'p').text, 'hello')
        r = Client().get('/aparte/good/big?kb=3&fragment=1')
        root = self.assertOneRoot(r, 'section')
        self.assertEqual(len(root.findall('p')), 4)
        # an error in an include is a fragment too
        r = Client().get('/aparte/good/nowhere?fragment=1')
        self.assertEqual(r.status, 404)
        self.assertNotIn('<html', r.text)
        root = ET.fromstring(r.body)
        self.assertIn('Page introuvable', ''.join(root.itertext()))
        # anything but 1 is a full page
        r = Client().get('/aparte/good/hello/x?fragment=0')
        self.assertIn('<html', r.text)

    def test_nginx_ssi_includes_fragments(self):
        with open(os.path.join(harness.pages_www, 'inclus.html'), 'w') as f:
            f.write("""<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"/><title>Inclus</title></head>
<body><main><h1>Une page statique</h1>
<!--#include virtual="/aparte/good/hello/nginx?fragment=1" -->
<!--#include virtual="/aparte/good/big?kb=2&amp;fragment=1" -->
<pre><!--#include virtual="/aparte/good/env?x=%C3%A9" --></pre>
</main></body></html>
""")
        # the page's own query is not the includes'
        r = Client().get('/essai/inclus.html?kb=9')
        self.assertEqual(r.status, 200)
        self.assertNotIn('#include', r.text)
        self.assertIn('<p lang="fr">hello</p>', r.text)
        self.assertIn('<p>000001 ', r.text)
        self.assertNotIn('<p>000002 ', r.text)
        self.assertIn('path /good/env\n', r.text)
        self.assertIn('QUERY_STRING x=%C3%A9\n', r.text)
        self.assertNotIn('<html xmlns', r.text)
        self.assertNotIn('Page introuvable', r.text)


class NegotiationTest(unittest.TestCase):

    def test_xhtml_only_where_accepted(self):
        cases = [
            ('application/xhtml+xml', 'application/xhtml+xml'),
            ('text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
             'application/xhtml+xml'),
            ('application/xhtml+xml;q=0.5, text/html', 'application/xhtml+xml'),
            ('text/html', 'text/html'),
            ('*/*', 'text/html'),
            ('application/xhtml+xml;q=0, text/html', 'text/html'),
            ('application/xhtml+xml; q=0.0', 'text/html'),
        ]
        for accept, want in cases:
            with self.subTest(accept):
                r = Client(accept=accept).get('/aparte/good/hello/x')
                self.assertEqual(r.ctype, want + '; charset=utf-8')
                self.assertIn('Accept', r.header('vary'))
                if want == 'application/xhtml+xml':
                    self.assertTrue(r.text.startswith('<?xml'))
                    ET.fromstring(r.body)
                    self.assertIn('xml:lang="fr"', r.text)
                else:
                    self.assertTrue(r.text.startswith('<!DOCTYPE html>'))
                    self.assertNotIn('xml:lang', r.text)
        save_page('hello-xhtml', Client(accept='application/xhtml+xml')
                  .get('/aparte/good/hello/x'))
        save_page('hello-html', Client(accept='text/html')
                  .get('/aparte/good/hello/x'))


class LanguageTest(unittest.TestCase):

    def lang_of(self, r):
        return re.search(r'<html[^>]* lang="([a-z]+)"', r.text).group(1)

    def test_accept_language(self):
        cases = [('en', 'en'), ('en-GB,en;q=0.9', 'en'), ('fr', 'fr'),
                 ('de', 'fr'), ('de, en;q=0.8', 'en'),
                 ('en;q=0.5, fr;q=0.9', 'fr'), ('fr-CA', 'fr'), ('', 'fr')]
        for header, want in cases:
            with self.subTest(header):
                r = Client(lang=header).get('/aparte/')
                self.assertEqual(self.lang_of(r), want)
                self.assertIn('Accept-Language', r.header('vary'))
                self.assertIn({'fr': 'Accueil', 'en': 'Home'}[want], r.text)

    def test_switch_cookie_wins_over_the_browser(self):
        c = Client(lang='fr')
        r = c.get('/aparte/lang/en?back=/aparte/good/hello/x')
        self.assertEqual(r.status, 303)
        self.assertEqual(r.header('location'), '/aparte/good/hello/x')
        sc = r.header('set-cookie')
        self.assertIn('ap_lang=en', sc)
        self.assertIn('Path=/aparte', sc)
        self.assertIn('Max-Age=31536000', sc)
        r = c.get('/aparte/good/hello/x')
        self.assertEqual(self.lang_of(r), 'en')
        self.assertIn('Skip to content', r.text)
        # the footer offers the way back
        self.assertIn('href="/aparte/lang/fr?back=/aparte/good/hello/x"',
                      r.text)
        c.get('/aparte/lang/fr?back=/')
        self.assertEqual(self.lang_of(c.get('/aparte/good/hello/x')), 'fr')
        # a language the site does not offer
        self.assertEqual(c.get('/aparte/lang/de').status, 404)
        # an unknown cookie value is ignored
        c.cookies['ap_lang'] = 'xx'
        r = Client(lang='en').get('/aparte/good/hello/x',
                                  headers={'Cookie': 'ap_lang=xx'})
        self.assertEqual(self.lang_of(r), 'en')

    def test_error_pages_are_wholly_english(self):
        """Each error page in English says nothing in French (only the
        site's name and the names of the languages are the same)."""
        same = {'Réseau Temps Partagé', 'Français · English'}

        def pages(lang):
            c = Client(lang=lang)
            out = {
                400: c.get('/aparte/good/echo?a=%zz'),
                '400-utf8': c.get('/aparte/good/echo?a=%FF'),
                403: c.post('/aparte/good/form', {'what': 'x'}),
                404: c.get('/aparte/nowhere'),
                405: c.post('/aparte/good/hello/x', 'a=1'),
                413: c.post('/aparte/good/echo', 'a=' + 'x' * (1 << 20)),
                415: c.post('/aparte/good/echo', 'a=1', ctype='text/plain'),
            }
            out = {k: (v.status, v.body) for k, v in out.items()}
            lh = 'en' if lang.startswith('en') else 'fr'
            for k, extra in ((414, {'QUERY_STRING': 'a=' + 'x' * 9000}),
                             (431, {'HTTP_COOKIE': 'a=' + 'x' * 9000})):
                p = fcgi.base_params('/aparte/good/echo',
                                     HTTP_ACCEPT_LANGUAGE=lh)
                p.update(extra)
                p['REQUEST_URI'] = '/aparte/good/echo?' + p['QUERY_STRING']
                st, h, body, _ = fcgi.request(harness.stack.app_sock, p)
                out[k] = (st, body)
            return out
        fr, en = pages('fr'), pages('en')
        for k in fr:
            with self.subTest(k):
                st = int(str(k)[:3])
                self.assertEqual(fr[k][0], st)
                self.assertEqual(en[k][0], st)
                tfr, ten = set(page_texts(fr[k][1])), set(page_texts(en[k][1]))
                self.assertIn('lang="en"', en[k][1].decode())
                self.assertTrue(ten, 'no text on the page')
                self.assertLessEqual(tfr & ten, same)
                # and no French letters slipped through
                for t in ten - same:
                    t = t.replace('Réseau Temps Partagé', '')
                    self.assertIsNone(re.search('[éèàçêû]', t), t)



class ErrorPageTest(unittest.TestCase):
    """An error page replaces the handler's answer whole: nothing the
    handler set on its way before it failed (a redirect, a cookie, an
    ETag) goes out with it."""

    def test_headers_of_a_failed_handler_are_dropped(self):
        for after, name in (('redirect', 'location'),
                            ('cookie', 'set-cookie'), ('etag', 'etag')):
            with self.subTest(after):
                c = Client()
                r = c.get('/aparte/good/fails?after=' + after)
                self.assertEqual(r.status, 503)
                self.assertIsNone(r.header(name), r.headers)
                self.assertNotIn('good_half', c.cookies)
                self.assertEqual(r.header('retry-after'), '5')
                self.assertIn('Service momentanément indisponible',
                              page_texts(r.body))

if __name__ == '__main__':
    unittest.main()
