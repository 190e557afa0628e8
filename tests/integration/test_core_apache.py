"""The site behind Apache instead of nginx, configured as the README says:
the static pages with SSI (mod_include), the backend started by mod_fcgid
with its socket on fd 0; and on a host with CGI only, the backend as a
plain CGI set up by the README's .htaccess."""
import os
import pwd
import re
import unittest

import harness
from harness import Client, fr, page_texts, save_page
from stack import ApacheSite

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))

SSI_PAGE = """<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"/><title>SSI</title></head>
<body><main>
<h1>Une page statique</h1>
<!--#include virtual="/aparte/good/hello/apache?fragment=1" -->
<!--#include virtual="/aparte/good/big?kb=2&amp;fragment=1" -->
</main></body></html>
"""

# The test pages (/essai/) with SSI, beside the README's configuration.
ESSAI = """
Alias /essai/ {d}/
<Directory {d}>
    Options +Includes
    AddType text/html .html
    AddOutputFilter INCLUDES .html
    Require all granted
</Directory>
"""


def readme_block(heading):
    """The first ```apache block under a heading of the README."""
    text = open(os.path.join(ROOT, 'README.md'), encoding='utf-8').read()
    section = text.split('\n### ' + heading + '\n', 1)[1]
    m = re.search(r'```apache\n(.*?)```', section, re.S)
    assert m, 'no Apache block under "%s"' % heading
    return m.group(1)


class ApacheChecks:
    """What every Apache setup must serve."""

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
        save_page(self.name + '-hello', r)
        r = self.c.post('/aparte/good/echo?n=a&n=b&a=1', 'a=2&b=%C3%A9+x')
        self.assertEqual(r.status, 200)
        self.assertIn('q a 1 [1]\nf a 1 [2]\n', r.text)
        self.assertIn('f b 1 [é x]', r.text)
        r = self.c.request('HEAD', '/aparte/good/hello/x')
        self.assertEqual((r.status, r.body), (200, b''))
        # a CSRF form, through and back
        r = self.c.get('/aparte/good/form')
        tok = self.c.form_fields(r)['_csrf']
        harness.secrets_seen.append(tok)
        r = self.c.post('/aparte/good/form', {'_csrf': tok, 'what': 'ok'})
        self.assertIn('accepted: ok', page_texts(r.body))

    def test_error_pages(self):
        r = self.c.get('/aparte/good/nowhere')
        self.assertEqual(r.status, 404)
        self.assertIn('Page introuvable', page_texts(r.body))
        save_page(self.name + '-404', r)
        r = self.c.get('/aparte/good/echo?a=%zz')
        self.assertEqual(r.status, 400)
        self.assertIn(fr('La requête contient un échappement « % » mal formé.'),
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
        self.assertIn('<p lang="fr">hello</p>', r.text)
        self.assertIn('<section class="big" lang="fr"><h1>big</h1><p>000000 ', r.text)
        self.assertIn('<p>000001 ', r.text)
        self.assertNotIn('<p>000002 ', r.text)
        self.assertNotIn('<html xmlns', r.text)   # fragments, no layout
        save_page(self.name + '-ssi', r)


def essai_pages():
    d = harness.pages_www
    with open(os.path.join(d, 'inclus-apache.html'), 'w') as f:
        f.write(SSI_PAGE)
    return ESSAI.format(d=d)


class ApacheFcgidTest(ApacheChecks, unittest.TestCase):
    name = 'apache'

    @classmethod
    def setUpClass(cls):
        site = readme_block('Apache (mod_fcgid)')
        for path, key in (('/var/www/site', '{www}'),
                          ('/usr/local/share/aparte', '{share}'),
                          ('/usr/local/lib/cgi-bin', '{cgibin}'),
                          ('/etc/aparte.conf', '{conf}')):
            site = site.replace(path, key)
        cls.apache = ApacheSite(harness.stack, site_conf=site,
                                extra=essai_pages())
        cls.apache.start()
        cls.c = Client(port=cls.apache.port)

    @classmethod
    def tearDownClass(cls):
        cls.apache.stop()

    def test_the_demo_pages(self):
        r = self.c.get('/')
        self.assertEqual(r.status, 200)
        self.assertNotIn('an error occurred while processing', r.text)
        self.assertNotIn('<!--#', r.text)
        r = self.c.get('/aparte-static/aparte.css')
        self.assertEqual(r.status, 200)
        self.assertTrue(r.ctype.startswith('text/css'))

    def test_mod_fcgid_runs_the_backend(self):
        self.c.get('/aparte/status')
        # started by mod_fcgid, as Apache's user, the socket on fd 0, the
        # config from APARTE_CONF
        found = []
        for pid in filter(str.isdigit, os.listdir('/proc')):
            try:
                cmd = open('/proc/%s/cmdline' % pid, 'rb').read()
                env = open('/proc/%s/environ' % pid, 'rb').read()
                st = os.stat('/proc/%s' % pid)
                fd0 = os.readlink('/proc/%s/fd/0' % pid)
            except OSError:
                continue
            if (cmd.split(b'\0')[0].endswith(b'aparte.fcgi') and
                    self.apache.app_conf.encode() in env):
                found.append((st.st_uid, fd0))
        self.assertTrue(found, 'no backend started by mod_fcgid')
        uid = pwd.getpwnam(ApacheSite.USER).pw_uid
        for owner, fd0 in found:
            self.assertEqual(owner, uid)
            self.assertTrue(fd0.startswith('socket:'), fd0)
        # its log lines land in Apache's error log
        log = open(self.apache.error_log, errors='replace').read()
        self.assertIn('aparte[', log)
        self.assertIn('serving with', log)


class ApacheCgiTest(ApacheChecks, unittest.TestCase):
    """A shared host that runs CGI and reads .htaccess, nothing more."""
    name = 'apache-cgi'

    @classmethod
    def setUpClass(cls):
        htaccess = readme_block('Shared hosting with CGI only')
        htaccess = htaccess.replace('/home/me/aparte.conf', '{conf}')
        cls.apache = ApacheSite(harness.stack, cgi=True, htaccess=htaccess,
                                extra=essai_pages())
        cls.apache.start()
        cls.c = Client(port=cls.apache.port)

    @classmethod
    def tearDownClass(cls):
        cls.apache.stop()


if __name__ == '__main__':
    unittest.main()
