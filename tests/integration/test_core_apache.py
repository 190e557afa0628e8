"""The site behind Apache instead of nginx: the static pages with SSI
(mod_include), the backend started by mod_fcgid with its socket on fd 0,
the static files of the backend aliased."""
import os
import unittest

import harness
from harness import Client, page_texts, save_page
from stack import ApacheSite

SSI_PAGE = """<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"/><title>SSI</title></head>
<body><main>
<h1>Une page statique</h1>
<!--#include virtual="/aparte/good/hello/apache?fragment=1" -->
<!--#include virtual="/aparte/good/big?kb=2&amp;fragment=1" -->
</main></body></html>
"""


class ApacheTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        d = harness.pages_www
        with open(os.path.join(d, 'inclus-apache.html'), 'w') as f:
            f.write(SSI_PAGE)
        cls.apache = ApacheSite(harness.stack, extra="""
Alias /essai/ {d}/
<Directory {d}>
    Options +Includes
    AddType text/html .html
    AddOutputFilter INCLUDES .html
    Require all granted
</Directory>
""".format(d=d))
        cls.apache.start()
        cls.c = Client(port=cls.apache.port)

    @classmethod
    def tearDownClass(cls):
        cls.apache.stop()

    def test_status_route(self):
        r = self.c.get('/aparte/status')
        self.assertEqual(r.status, 200, r.text)
        self.assertIn('database: ok', r.text)
        self.assertRegex(r.text, r'plugins enabled:.* good')

    def test_backend_page_and_form(self):
        r = self.c.get('/aparte/good/hello/x')
        self.assertEqual(r.status, 200)
        self.assertIn('hello', page_texts(r.body))
        self.assertIn('<link rel="stylesheet" href="/aparte-static/aparte.css"',
                      r.text)
        save_page('apache-hello', r)
        r = self.c.post('/aparte/good/echo?n=a&n=b&a=1', 'a=2&b=%C3%A9+x')
        self.assertEqual(r.status, 200)
        self.assertIn('q a 1 [1]\nf a 1 [2]\n', r.text)
        self.assertIn('f b 1 [é x]', r.text)
        r = self.c.request('HEAD', '/aparte/good/hello/x')
        self.assertEqual((r.status, r.body), (200, b''))

    def test_error_pages(self):
        r = self.c.get('/aparte/good/nowhere')
        self.assertEqual(r.status, 404)
        self.assertIn('Page introuvable', page_texts(r.body))
        save_page('apache-404', r)
        r = self.c.get('/aparte/good/echo?a=%zz')
        self.assertEqual(r.status, 400)
        self.assertIn('La requête contient un échappement « % » mal formé.',
                      page_texts(r.body))
        r = self.c.post('/aparte/good/echo', 'a=' + 'x' * (1024 * 1024))
        self.assertEqual(r.status, 413)
        self.assertIn('L’envoi dépasse la taille maximale acceptée.',
                      page_texts(r.body))
        r = Client(port=self.apache.port, lang='en').get('/aparte/good/nowhere')
        self.assertIn('Page not found', page_texts(r.body))

    def test_ssi_includes_a_fragment(self):
        # the page's own query is not the include's
        r = self.c.get('/essai/inclus-apache.html?kb=5')
        self.assertEqual(r.status, 200)
        self.assertNotIn('#include', r.text)
        self.assertNotIn('an error occurred', r.text)
        self.assertIn('<h1>Une page statique</h1>', r.text)
        self.assertIn('<p>hello</p>', r.text)
        self.assertIn('<section class="big"><h1>big</h1><p>000000 ', r.text)
        self.assertIn('<p>000001 ', r.text)
        self.assertNotIn('<p>000002 ', r.text)
        self.assertNotIn('<html xmlns', r.text)   # fragments, no layout
        save_page('apache-ssi', r)
        # the demo's own pages, whatever they include
        r = self.c.get('/')
        self.assertEqual(r.status, 200)
        self.assertNotIn('an error occurred while processing', r.text)
        self.assertNotIn('<!--#', r.text)

    def test_static_files_and_who_runs_the_backend(self):
        r = self.c.get('/aparte-static/aparte.css')
        self.assertEqual(r.status, 200)
        self.assertTrue(r.ctype.startswith('text/css'))
        self.c.get('/aparte/status')
        # mod_fcgid started the backend, as Apache's user, with APARTE_CONF
        found = []
        for pid in filter(str.isdigit, os.listdir('/proc')):
            try:
                cmd = open('/proc/%s/cmdline' % pid, 'rb').read()
                env = open('/proc/%s/environ' % pid, 'rb').read()
                st = os.stat('/proc/%s' % pid)
            except OSError:
                continue
            if (cmd.split(b'\0')[0].endswith(b'aparte.fcgi') and
                    self.apache.app_conf.encode() in env):
                found.append((st.st_uid, os.readlink('/proc/%s/fd/0' % pid)))
        self.assertTrue(found, 'no backend started by mod_fcgid')
        import pwd
        uid = pwd.getpwnam(ApacheSite.USER).pw_uid
        for owner, fd0 in found:
            self.assertEqual(owner, uid)
            self.assertTrue(fd0.startswith('socket:'), fd0)
        # its log lines land in Apache's error log
        log = open(self.apache.error_log, errors='replace').read()
        self.assertIn('aparte[', log)
        self.assertIn('serving with', log)


if __name__ == '__main__':
    unittest.main()
