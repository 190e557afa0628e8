"""Mail: the message a plugin sends (ap->mail) reaches the mail command
with the headers a mail client expects; nothing a visitor types can add a
header; a message the command could not take stays in the queue with the
reason, and is sent later.  Nothing is lost."""
import email
import email.policy
import email.utils
import os
import subprocess
import time
import unittest

import fcgi
import harness
from harness import Backend, Client, wait_until


def captured(marker, since=()):
    """The captured messages whose text holds marker."""
    return [(p, t) for p, t in harness.stack.mails()
            if marker in t and p not in since]


def queue_row(marker):
    rows = harness.stack.sql(
        "SELECT id, tries, sent_at IS NOT NULL, COALESCE(last_error, ''), "
        "next_try - UNIX_TIMESTAMP() FROM ap_mail WHERE message LIKE '%%%s%%'"
        % marker)
    return rows


def send(client, **fields):
    return client.post('/aparte/good/mail', fields)


class MailTest(unittest.TestCase):

    def test_message_and_its_headers(self):
        marker = 'm%d' % time.time_ns()
        subject = 'Réunion d’été — ordre du jour ' + 'é' * 60
        body = 'Bonjour Claire,\n\nLa réunion a lieu jeudi.\n' + marker + '\n'
        t0 = time.time()
        r = send(Client(), to='claire@example.org', subject=subject,
                 body=body, unsub='https://example.org/desabonner?x=1')
        self.assertEqual((r.status, r.text), (200, 'queued\n'))
        msgs = wait_until(lambda: captured(marker), 10)
        self.assertEqual(len(msgs), 1)
        raw = open(msgs[0][0], 'rb').read()
        # headers in ASCII (RFC 2047 words of at most 75 characters),
        # every line ended by CRLF
        head, _, _ = raw.partition(b'\r\n\r\n')
        head.decode('ascii')
        self.assertNotIn(b'\n', raw.replace(b'\r\n', b''))
        for line in head.split(b'\r\n'):
            self.assertLessEqual(len(line), 998)
            for word in line.split():
                if word.startswith(b'=?'):
                    self.assertLessEqual(len(word), 75)
        m = email.message_from_bytes(raw, policy=email.policy.default)
        self.assertEqual(str(m['To']), 'claire@example.org')
        self.assertEqual(str(m['Subject']), subject)
        self.assertEqual(m['From'].addresses[0].display_name,
                         'Réseau Temps Partagé')
        self.assertEqual(m['From'].addresses[0].addr_spec,
                         'ne-pas-repondre@reseau-temps-partage.invalid')
        date = email.utils.parsedate_to_datetime(str(m['Date'])).timestamp()
        self.assertLess(abs(date - t0), 60)
        self.assertRegex(str(m['Message-ID']), r'^<[A-Za-z0-9_-]+@[a-z.]+>$')
        self.assertEqual(str(m['List-Unsubscribe']),
                         '<https://example.org/desabonner?x=1>')
        self.assertEqual(str(m['List-Unsubscribe-Post']),
                         'List-Unsubscribe=One-Click')
        self.assertEqual(m.get_content_type(), 'text/plain')
        self.assertEqual(m.get_content_charset(), 'utf-8')
        self.assertEqual(m.get_content().replace('\r\n', '\n'), body)
        # the queue keeps it, sent
        row = queue_row(marker)
        self.assertEqual(len(row), 1)
        self.assertEqual(row[0][1:4], ['1', '1', ''])

    def test_a_line_longer_than_mail_allows_travels_quoted_printable(self):
        # a paragraph of 2,000 characters is one line: past the 998
        # octets a mail line may hold, the body is quoted-printable
        marker = 'q%d' % time.time_ns()
        para = ' '.join(['Été à l’école=%d' % i for i in range(120)])
        body = marker + '\n\n' + para + '\n\t \nFin. \n'
        self.assertGreater(len(para.encode()), 998)
        r = send(Client(), to='claire@example.org', subject='Long', body=body)
        self.assertEqual((r.status, r.text), (200, 'queued\n'))
        msgs = wait_until(lambda: captured(marker), 10)
        raw = open(msgs[0][0], 'rb').read()
        for line in raw.partition(b'\r\n\r\n')[2].split(b'\r\n'):
            self.assertLessEqual(len(line), 76)
            self.assertFalse(line.endswith((b' ', b'\t')), line)
        raw.decode('ascii')
        m = email.message_from_bytes(raw, policy=email.policy.default)
        self.assertEqual(m['Content-Transfer-Encoding'], 'quoted-printable')
        self.assertEqual(m.get_content().replace('\r\n', '\n'), body)

    def test_without_unsubscribe_and_two_message_ids_differ(self):
        marker = 'n%d' % time.time_ns()
        for i in range(2):
            r = send(Client(), to='a@example.org', subject='Plain %d' % i,
                     body=marker)
            self.assertEqual(r.status, 200)
        msgs = wait_until(lambda: (lambda m: m if len(m) == 2 else None)(
            captured(marker)), 10)
        ms = [email.message_from_string(t, policy=email.policy.default)
              for p, t in msgs]
        self.assertIsNone(ms[0]['List-Unsubscribe'])
        self.assertEqual(sorted(str(m['Subject']) for m in ms),
                         ['Plain 0', 'Plain 1'])
        self.assertNotEqual(ms[0]['Message-ID'], ms[1]['Message-ID'])

    def test_header_injection_is_refused(self):
        marker = 'i%d' % time.time_ns()
        before = harness.stack.sql('SELECT COUNT(*) FROM ap_mail')
        c = Client()
        for fields in (
                {'to': 'a@example.org', 'subject': 'Hi\r\nBcc: v@example.org'},
                {'to': 'a@example.org', 'subject': 'Hi\nBcc: v@example.org'},
                {'to': 'a@example.org\r\nBcc: v@example.org', 'subject': 'Hi'},
                {'to': 'a@example.org, v@example.org', 'subject': 'Hi'},
                {'to': 'Victim <v@example.org>', 'subject': 'Hi'},
                {'to': 'not-an-address', 'subject': 'Hi'},
                {'to': 'a@example.org', 'subject': 'Hi',
                 'unsub': 'https://x.example/\r\nBcc: v@example.org'}):
            with self.subTest(fields):
                r = send(c, body=marker, **fields)
                self.assertEqual((r.status, r.text), (400, 'refused\n'))
        self.assertEqual(harness.stack.sql('SELECT COUNT(*) FROM ap_mail'),
                         before)
        time.sleep(0.3)
        self.assertEqual(captured(marker), [])


class MailQueueTest(unittest.TestCase):

    def run_admin(self, *args):
        return harness.stack.admin(*args)

    def test_failing_command_keeps_the_message_until_it_works(self):
        marker = 'q%d' % time.time_ns()
        b = Backend('mail-fails', changes={('mail', 'command'): '/bin/false'})
        b.start()
        try:
            body = ('to=claire%40example.org&subject=Relance&body=' + marker)
            st, h, out = b.request('/aparte/good/mail', 'POST',
                                   body=body.encode())
            self.assertEqual((st, out), (200, b'queued\n'))
            # the backend tried once, after the answer, and kept it
            row = wait_until(lambda: (lambda r: r if r and r[0][1] == '1'
                                      else None)(queue_row(marker)), 10)
            self.assertTrue(row, queue_row(marker))
            mid, tries, sent, why, due = row[0]
            self.assertEqual(sent, '0')
            self.assertEqual(why, '/bin/false exited with status 1')
            self.assertGreater(int(due), 60)   # retried later, not at once
            self.assertIn('mail %s not sent (try 1): /bin/false exited with '
                          'status 1; it stays queued' % mid, b.log_text())
        finally:
            b.stop()
        self.assertEqual(captured(marker), [])
        r = self.run_admin('mail', 'list')
        line = [l for l in r.stdout.splitlines() if l.startswith(mid + '\t')]
        self.assertIn('\tqueued\tclaire@example.org\tRelance\t1 tries\t'
                      '/bin/false exited with status 1', line[0])
        # once the command works, the admin (or the cron) sends it
        r = self.run_admin('mail', 'run')
        self.assertRegex(r.stdout, r'^[1-9][0-9]* message\(s\) sent$')
        msgs = captured(marker)
        self.assertEqual(len(msgs), 1)
        self.assertIn('Subject: Relance', msgs[0][1])
        mid2, tries, sent, why, due = queue_row(marker)[0]
        self.assertEqual((mid2, tries, sent, why), (mid, '2', '1', ''))
        # and not twice
        self.run_admin('mail', 'run')
        self.assertEqual(len(captured(marker)), 1)

    def test_command_that_cannot_run_says_why(self):
        marker = 'c%d' % time.time_ns()
        b = Backend('mail-missing', changes={('mail', 'command'):
                                             '/nonexistent/sendmail -t'})
        b.start()
        try:
            body = 'to=a%40example.org&subject=S&body=' + marker
            st, h, out = b.request('/aparte/good/mail', 'POST',
                                   body=body.encode())
            self.assertEqual(st, 200)
            row = wait_until(lambda: (lambda r: r if r and r[0][1] == '1'
                                      else None)(queue_row(marker)), 10)
            self.assertTrue(row)
            self.assertEqual(row[0][3], 'cannot run /nonexistent/sendmail: '
                             'No such file or directory')
        finally:
            b.stop()
        # sent by the working site's command afterwards
        self.run_admin('mail', 'run')
        self.assertEqual(len(captured(marker)), 1)


INHERITED = r"""#!/usr/bin/perl
# What the mail command was started with: its open files beyond 0, 1
# and 2, and its blocked and ignored signals (perl, unlike a shell,
# changes neither at start).
local $/;
my $msg = <STDIN>;
open(my $out, '>', '%(out)s.tmp') or die;
opendir(my $d, '/proc/self/fd') or die;
for my $n (sort readdir($d)) {
	next if $n !~ /^\d+$/ || $n <= 2;
	my $l = readlink("/proc/self/fd/$n") // '';
	print $out "fd $n $l\n";
}
open(my $st, '<', '/proc/self/status') or die;
print $out grep { /^Sig(Blk|Ign):/ } split(/^/m, <$st>);
close($out);
rename('%(out)s.tmp', '%(out)s');
"""


class MailCommandTest(unittest.TestCase):
    """The mail command is started from a worker thread: it inherits none
    of the process's connections (the web server's of the requests other
    threads are serving, the database's) and none of its signal
    settings."""

    def test_command_inherits_no_connection_and_no_signal_mask(self):
        d = harness.side_dir('mail-inherits')
        out = os.path.join(d, 'inherited')
        script = os.path.join(d, 'sendmail')
        with open(script, 'w') as f:
            f.write(INHERITED % {'out': out})
        os.chmod(script, 0o755)
        b = Backend('mail-inherits-backend', threads=2,
                    changes={('mail', 'command'): script})
        b.start()
        try:
            import threading
            slow = threading.Thread(target=b.request, args=(
                '/aparte/good/slow',), kwargs={'query': 'ms=3000'})
            slow.start()
            time.sleep(0.5)     # its connection is open in one thread
            body = 'to=a%40example.org&subject=S&body=inherits'
            st, h, o = b.request('/aparte/good/mail', 'POST',
                                 body=body.encode())
            self.assertEqual(st, 200)
            self.assertTrue(wait_until(lambda: os.path.exists(out), 10))
            slow.join()
        finally:
            b.stop()
        text = open(out).read()
        fds = [l for l in text.splitlines() if l.startswith('fd ')
               and ('socket:' in l or 'pipe:' in l)]
        self.assertEqual(fds, [], text)
        sig = dict(l.split(':\t') for l in text.splitlines()
                   if l.startswith('Sig'))
        self.assertEqual(int(sig['SigBlk'], 16), 0, text)
        self.assertFalse(int(sig['SigIgn'], 16) & (1 << (13 - 1)),
                         'SIGPIPE ignored: ' + text)   # perl ignores SIGFPE

SLOW_SENDMAIL = """#!/bin/sh
# Takes its time, then keeps the message.
sleep 0.3
cat > %(dir)s/$$.tmp && mv %(dir)s/$$.tmp %(dir)s/$$.eml
"""


class MailClaimTest(unittest.TestCase):
    """A run claims the messages it sends; when its batch takes longer than
    a claim lasts (a slow command), another run (a worker, the cron, the
    admin) may take over what it has not reached yet, but no message goes
    twice."""

    def test_a_slow_batch_is_not_sent_twice(self):
        d = harness.side_dir('mail-claim')
        outdir = os.path.join(d, 'sent')
        os.makedirs(outdir)
        script = os.path.join(d, 'sendmail')
        with open(script, 'w') as f:
            f.write(SLOW_SENDMAIL % {'dir': outdir})
        os.chmod(script, 0o755)
        conf = harness.write_conf(os.path.join(d, 'aparte.conf'), {
            ('mail', 'command'): script, ('mail', 'timeout'): '1'})
        marker = 'k%d' % time.time_ns()
        # due in an hour: only an admin's "mail run" (all) takes them
        for i in range(20):
            harness.stack.sql(
                "INSERT INTO ap_mail (created, recipient, subject, message, "
                "tries, next_try) VALUES (UNIX_TIMESTAMP(), 'a@example.org', "
                "'S', 'Subject: S\\r\\n\\r\\n%s-%d\\r\\n', 0, "
                "UNIX_TIMESTAMP() + 3600)" % (marker, i))
        cmd = [harness.stack.bin('aparte-admin'), '--config', conf, 'mail',
               'run']
        first = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
        time.sleep(4.5)     # its claim (3 timeouts) has run out
        second = subprocess.run(cmd, capture_output=True, text=True)
        out, err = first.communicate(timeout=60)
        self.assertEqual(first.returncode, 0, err)
        self.assertEqual(second.returncode, 0, second.stderr)
        sent = [open(os.path.join(outdir, n), newline='').read()
                for n in os.listdir(outdir) if n.endswith('.eml')]
        got = sorted(m.split('\r\n\r\n', 1)[1].strip() for m in sent
                     if marker in m)
        self.assertEqual(got, sorted('%s-%d' % (marker, i)
                                     for i in range(20)))
        rows = harness.stack.sql(
            "SELECT tries, sent_at IS NOT NULL FROM ap_mail WHERE message "
            "LIKE '%%%s%%'" % marker)
        self.assertEqual(rows, [['1', '1']] * 20)

if __name__ == '__main__':
    unittest.main()
