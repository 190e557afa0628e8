"""The database going away: the backend answers 503 with a clear page while
MariaDB is down (whether it went down during service or was down when the
backend started), recovers by itself when it is back, and never runs twice
a write that may have been applied."""
import os
import threading
import time
import unittest

import harness
from harness import Backend, Client, page_texts, save_page, wait_until

UNAVAILABLE = 'Service momentanément indisponible'
UNAVAILABLE_TEXT = ('Le service est momentanément indisponible (la base de '
                    'données ne répond pas). Réessayez dans un instant.')


def kill_backend_statement(pattern, timeout=10):
    """Waits until one of the backend's connections runs a statement
    matching the SQL LIKE pattern, then kills that connection (as a
    restarting server or a network cut would).  Returns the id killed."""
    def find():
        rows = harness.stack.sql(
            "SELECT id FROM information_schema.processlist WHERE user = "
            "'aparte' AND info LIKE '%s'" % pattern)
        return rows[0][0] if rows else None
    cid = wait_until(find, timeout, 0.02)
    assert cid, 'no backend statement like %s' % pattern
    harness.stack.sql('KILL CONNECTION %s' % cid)
    return cid


def counter(name):
    rows = harness.stack.sql("SELECT value FROM ap_counters WHERE name = '%s'"
                             % name)
    return int(rows[0][0]) if rows else 0


class InFlight(threading.Thread):
    """A request running while the test does something else."""

    def __init__(self, fn):
        super().__init__()
        self.fn = fn
        self.result = None
        self.start()

    def run(self):
        self.result = self.fn()


class LostConnectionTest(unittest.TestCase):
    """The connection is cut while a statement runs."""

    def test_a_read_is_retried_on_a_new_connection(self):
        t = InFlight(lambda: Client().get('/aparte/good/dbread?sleep=1&tag=r1'))
        kill_backend_statement('SELECT ?, SLEEP(?)%')
        t.join(20)
        self.assertEqual(t.result.status, 200, t.result.text[:300])
        self.assertEqual(t.result.text, 'read r1\n')

    def test_a_write_that_may_have_been_applied_is_not_retried(self):
        tag = 'test.write.%d' % time.time_ns()
        t = InFlight(lambda: Client().post('/aparte/good/dbwrite?sleep=1&tag='
                                           + tag, ''))
        kill_backend_statement('INSERT INTO ap_counters%SLEEP%')
        t.join(20)
        r = t.result
        self.assertEqual(r.status, 503, r.text[:300])
        self.assertIn(UNAVAILABLE_TEXT, page_texts(r.body))
        # not run again behind the visitor's back: the statement was cut
        # before it wrote, and nothing wrote it since
        self.assertEqual(counter(tag), 0)
        # the next request is served on a new connection
        r = Client().post('/aparte/good/dbwrite?tag=' + tag, '')
        self.assertEqual(r.status, 200)
        self.assertEqual(counter(tag), 1)

    def test_a_transaction_cut_in_the_middle_is_not_committed_as_done(self):
        # begin; write; a read of 1 s (cut here); commit
        tag = 'test.tx.%d' % time.time_ns()
        log0 = harness.log_size(os.path.join(harness.stack.run, 'aparte.log'))
        t = InFlight(lambda: Client().post('/aparte/good/txwrite?sleep=1&tag='
                                           + tag, ''))
        kill_backend_statement('SELECT REPEAT(%seq_1_to_100')
        t.join(20)
        r = t.result
        # the write of the transaction is lost with the connection: the
        # visitor must not be told it was done
        self.assertEqual(counter(tag), 0)
        self.assertEqual(r.status, 503, r.text[:300])
        # the log says why
        lost = [l for l in harness.log_lines(os.path.join(
            harness.stack.run, 'aparte.log'), log0) if 'connection lost' in l]
        self.assertTrue(lost)
        self.assertNotIn('()', lost[-1])
        r = Client().post('/aparte/good/txwrite?tag=' + tag, '')
        self.assertEqual(r.text, 'committed\n')
        self.assertEqual(counter(tag), 1)


class DatabaseDownTest(unittest.TestCase):

    def test_down_during_service_and_at_start_then_back(self):
        st = harness.stack
        app_pid = st.procs['app'].pid
        side = Backend('db-down-at-start', threads=2)
        log0 = harness.log_size(os.path.join(st.run, 'aparte.log'))
        c = Client()
        self.assertEqual(c.get('/aparte/good/dbread?tag=before').status, 200)
        # every thread has written once (its statement is prepared on its
        # connection)
        for _ in range(40):
            self.assertEqual(c.post('/aparte/good/count', '').status, 200)
        count = counter('good.count')
        form = c.get('/aparte/good/form')
        token = c.form_fields(form)['_csrf']
        harness.secrets_seen.append(token)
        st.db_stop()
        try:
            # the running site: a clear 503 page, and the status says why
            r = wait_until(lambda: (lambda r: r if r.status == 503 else None)(
                c.get('/aparte/good/dbread')), 5)
            self.assertTrue(r, 'no 503 while the database is down')
            self.assertIn(UNAVAILABLE, page_texts(r.body))
            self.assertIn(UNAVAILABLE_TEXT, page_texts(r.body))
            self.assertEqual(r.header('retry-after'), '5')
            save_page('503', r)
            r = c.post('/aparte/good/count', '')
            self.assertEqual(r.status, 503)
            # a form whose token cannot be checked: not a refusal of the
            # visitor, the service is away
            r = c.post('/aparte/good/form', {'_csrf': token, 'what': 'x'})
            self.assertEqual(r.status, 503)
            self.assertIn(UNAVAILABLE_TEXT, page_texts(r.body))
            # (a thread asks at most once a second)
            r = wait_until(lambda: (lambda r: r if r.status == 503 else None)(
                c.get('/aparte/status')), 3)
            self.assertTrue(r, 'the status did not see the database down')
            self.assertIn('database: unreachable', r.text)
            en = Client(lang='en').get('/aparte/good/dbread')
            self.assertEqual(en.status, 503)
            self.assertIn('Service temporarily unavailable',
                          page_texts(en.body))
            save_page('503-en', en)

            # a backend started now: 503 until the database answers (not
            # a 404 for routes of plugins it cannot know are enabled)
            side.start()
            stt, h, body = side.request('/aparte/status')
            self.assertEqual(stt, 503)
            self.assertIn(b'database: unreachable', body)
            self.assertIn(b'plugins enabled: (unknown)', body)
            stt, h, body = side.request('/aparte/good/hello/x')
            self.assertEqual(stt, 503)
            self.assertIn(UNAVAILABLE, page_texts(body))
            self.assertEqual(h.get('retry-after'), '5')
        finally:
            st.db_start()
        try:
            # both recover by themselves, without a restart
            t0 = time.time()
            ok = wait_until(lambda: c.get('/aparte/status').status == 200, 10)
            self.assertTrue(ok, 'the site did not recover')
            self.assertLess(time.time() - t0, 5)
            # a thread tries again at most once a second
            time.sleep(1.1)
            # the first write of each thread on its old connection could
            # not be sent: it is sent again on a new one, once
            for i in range(40):
                r = c.post('/aparte/good/count', '')
                self.assertEqual(r.status, 200, 'write %d: %s' % (i, r.text))
            self.assertEqual(counter('good.count'), count + 40)
            self.assertEqual(c.get('/aparte/good/dbread?tag=after').text,
                             'read after\n')
            # every thread of every worker, not only one
            for _ in range(40):
                self.assertEqual(c.get('/aparte/good/dbread?tag=x').status, 200)
            self.assertIn('database: ok', c.get('/aparte/status').text)
            # the token was not spent: the visitor can send again
            r = c.post('/aparte/good/form', {'_csrf': token, 'what': 'x'})
            self.assertEqual(r.status, 200)
            self.assertEqual(st.procs['app'].pid, app_pid)
            self.assertIsNone(st.procs['app'].poll())

            ok = wait_until(lambda: side.request('/aparte/good/hello/x')[0]
                            == 200, 10)
            self.assertTrue(ok, 'the backend started without the database '
                            'did not recover')
            stt, h, body = side.request('/aparte/status')
            self.assertEqual(stt, 200)
            self.assertRegex(body.decode(), r'plugins enabled:.* good')
            self.assertIsNone(side.proc.poll())
        finally:
            side.stop()
        # the log says it once each way, not once per request
        lines = harness.log_lines(os.path.join(st.run, 'aparte.log'), log0)
        down = [l for l in lines if 'database unreachable' in l]
        self.assertGreaterEqual(len(down), 1)
        self.assertLessEqual(len(down), 2 * 8 + 1)   # once per thread at most
        self.assertTrue(any('database reachable again' in l for l in lines))
        self.assertIn('database unreachable', side.log_text())


if __name__ == '__main__':
    unittest.main()
