"""The core over HTTP, through nginx: status, errors, negotiation,
languages, plugins switched on and off while running."""
import threading
import time
import unittest

import harness
from harness import Client, save_page, wait_until


class StatusTest(unittest.TestCase):

    def test_status_reports_database_and_plugins(self):
        r = Client().get('/aparte/status')
        self.assertEqual(r.status, 200)
        self.assertTrue(r.ctype.startswith('text/plain'))
        self.assertIn('database: ok', r.text)
        self.assertRegex(r.text, r'plugins loaded:.* good')
        self.assertRegex(r.text, r'plugins enabled:.* good')

    def test_status_names_the_refused_plugin(self):
        r = Client().get('/aparte/status')
        self.assertIn('plugin badabi off: built for plugin ABI 2.0', r.text)

    def test_head_has_no_body(self):
        r = Client().request('HEAD', '/aparte/status')
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, b'')


class PagesTest(unittest.TestCase):

    def test_unknown_route_is_a_404_page(self):
        r = Client().get('/aparte/nowhere')
        self.assertEqual(r.status, 404)
        self.assertIn('Page introuvable', r.text)
        self.assertIn('lang="fr"', r.text)
        save_page('404', r)

    def test_wrong_method_is_405_with_allow(self):
        r = Client().post('/aparte/status', {'a': '1'})
        self.assertEqual(r.status, 405)
        self.assertIn('GET', r.header('allow'))
        save_page('405', r)

    def test_xhtml_when_accepted(self):
        r = Client(accept='application/xhtml+xml').get('/aparte/')
        self.assertEqual(r.status, 200)
        self.assertTrue(r.ctype.startswith('application/xhtml+xml'))
        self.assertTrue(r.text.startswith('<?xml'))
        save_page('home-xhtml', r)
        r = Client(accept='text/html').get('/aparte/')
        self.assertTrue(r.ctype.startswith('text/html'))
        self.assertTrue(r.text.startswith('<!DOCTYPE html>'))
        save_page('home-html', r)

    def test_fragment_has_no_layout(self):
        r = Client().get('/aparte/good/hello/claire?fragment=1')
        self.assertEqual(r.status, 200)
        self.assertNotIn('DOCTYPE', r.text)
        self.assertTrue(r.text.startswith('<p lang="fr">'), r.text[:80])

    def test_english_for_an_english_browser(self):
        r = Client(lang='en-GB,en;q=0.9').get('/aparte/nowhere')
        self.assertEqual(r.status, 404)
        self.assertIn('Page not found', r.text)
        self.assertIn('lang="en"', r.text)
        save_page('404-en', r)

    def test_language_switch_is_remembered(self):
        c = Client()
        r = c.get('/aparte/lang/en?back=/aparte/nowhere')
        self.assertEqual(r.status, 303)
        self.assertEqual(r.header('location'), '/aparte/nowhere')
        self.assertIn('Page not found', c.get('/aparte/nowhere').text)
        r = c.get('/aparte/lang/en?back=//evil.example')
        self.assertEqual(r.header('location'), '/')

    def test_a_redirect_to_a_path_with_accents_is_ascii(self):
        # Location is a URI: what is not ASCII, or not allowed in one,
        # goes percent-encoded (a browser would read raw bytes as it
        # pleases)
        r = Client().get('/aparte/lang/en?back=/blog/%C3%A9t%C3%A9%20x%22'
                         '%3C%7C%3E?a=%C3%A0%25%23b')
        self.assertEqual(r.status, 303)
        self.assertEqual(r.header('location'),
                         '/blog/%C3%A9t%C3%A9%20x%22%3C%7C%3E?a=%C3%A0%#b')


class PluginSwitchTest(unittest.TestCase):

    def statuses(self, path, n=64, concurrency=16):
        """The statuses of n requests, concurrency at a time: enough to
        reach every thread of every worker."""
        out = []
        lock = threading.Lock()
        left = list(range(n))

        def run():
            c = Client()
            while True:
                with lock:
                    if not left:
                        return
                    left.pop()
                st = c.get(path).status
                with lock:
                    out.append(st)
        ts = [threading.Thread(target=run) for _ in range(concurrency)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        return out

    def switch(self, action, want):
        c = Client()
        harness.stack.admin('plugin', action, 'good')
        t0 = time.time()
        seen = wait_until(lambda: c.get('/aparte/good/hello/a').status == want,
                          3, 0.02)
        self.assertTrue(seen)
        self.assertLess(time.time() - t0, 1.5)   # the first request to ask
        # a second after the change, no worker thread answers otherwise
        time.sleep(max(0, t0 + 1.05 - time.time()))
        self.assertEqual(set(self.statuses('/aparte/good/hello/a')), {want})

    def test_disable_then_enable_reaches_workers_within_a_second(self):
        self.assertEqual(set(self.statuses('/aparte/good/hello/a', 16)), {200})
        try:
            self.switch('disable', 404)
        finally:
            self.switch('enable', 200)
