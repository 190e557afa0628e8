"""Flood control: too many comments from one IP in the window answer 429
with the text kept (the test site allows 3 a second: its clients all come
from 127.0.0.1; the default is one per 15 seconds)."""
import time
import unittest

from harness import Client, save_page
from commentlib import (filters_off, filters_on, unique, post, posted_id,
                        field_value, count, esc, form_page, comment_form, send,
                        KNOWN)


def setUpModule():
    filters_off()


def tearDownModule():
    filters_on()


class FloodTest(unittest.TestCase):

    def test_too_fast_is_429_with_the_text_kept(self):
        time.sleep(1.05)                # a window of our own
        c = Client()
        forms = [comment_form(form_page(c)) for _ in range(8)]
        bodies, got = [], []
        for f in forms:
            f.update(author='Flo Rapide', email=KNOWN, body=unique('Vite'))
            bodies.append(f['body'])
            got.append(c.post('/aparte/comments', f))
        statuses = [r.status for r in got]
        self.assertIn(429, statuses)
        self.assertLessEqual(statuses.count(303), 6)   # 3 a window, 2 windows
        r = got[statuses.index(429)]
        self.assertEqual(r.header('retry-after'), '1')
        self.assertIn('Vous commentez trop vite', r.text)
        body = bodies[statuses.index(429)]
        self.assertEqual(field_value(r, 'body'), body)
        self.assertEqual(count('body = %s' % esc(body)), 0)
        save_page('comments-flood', r)
        for b, s in zip(bodies, statuses):
            self.assertEqual(count('body = %s' % esc(b)), 1 if s == 303 else 0)
        # the form that came back with the 429 is sent once the window passed
        time.sleep(1.05)
        f = comment_form(r)
        f.update(author='Flo Rapide', email=KNOWN, body=body)
        posted_id(c.post('/aparte/comments', f))
        self.assertEqual(count('body = %s' % esc(body)), 1)


if __name__ == '__main__':
    unittest.main()
