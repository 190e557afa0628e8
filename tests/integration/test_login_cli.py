"""aparte-admin user ... and aparte-admin init, and the privacy commands
for an account."""
import json
import os
import subprocess
import tempfile
import unittest

import harness
from harness import Client
from login_helpers import (clear_limits, is_guest, make_user, new_password,
                           sign_in, signed_in, sql)


def admin(*args, input=None):
    """aparte-admin without a controlling terminal (as from cron or a
    script): nothing can be asked."""
    return subprocess.run([harness.stack.bin('aparte-admin'), '--config',
                           harness.stack.conf] + list(args), input=input,
                          capture_output=True, text=True,
                          start_new_session=True)


class UserCommandTest(unittest.TestCase):

    def setUp(self):
        clear_limits()

    def test_add_with_a_password_file_then_sign_in(self):
        pw = new_password()
        with tempfile.NamedTemporaryFile('w', delete=False) as f:
            f.write(pw + '\n')
        try:
            email = 'cli-add-%s@example.org' % os.getpid()
            r = admin('user', 'add', email, '--role', 'moderator', '--name',
                      'Paul Fichier', '--password-file', f.name)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn('added as moderator', r.stdout)
        finally:
            os.unlink(f.name)
        self.assertEqual(sign_in(Client(), email, pw).status, 303)
        r = admin('user', 'list', '--role', 'moderator')
        self.assertIn(email, r.stdout)
        self.assertIn('Paul Fichier', r.stdout)
        r = admin('user', 'add', email, '--role', 'member',
                  '--password-file', '-', input=new_password() + '\n')
        self.assertEqual(r.returncode, 1)
        self.assertIn('exists already', r.stderr)

    def test_a_password_is_never_taken_from_the_command_line(self):
        for opt in ('--password', '--password=Secret-123456789'):
            r = admin('user', 'add', 'argv@example.org', '--role', 'member',
                      opt, 'Secret-123456789')
            self.assertEqual(r.returncode, 2)
            self.assertIn('never given on the command line', r.stderr)
        # without a terminal and without a file, nothing is made
        r = admin('user', 'add', 'noterm@example.org', '--role', 'member')
        self.assertEqual(r.returncode, 1)
        self.assertIn('--password-file', r.stderr)
        self.assertEqual(sql("SELECT COUNT(*) FROM login_users WHERE email IN "
                             "('argv@example.org', 'noterm@example.org')"),
                         [['0']])

    def test_rules_apply_on_the_command_line_too(self):
        r = admin('user', 'add', 'weak@example.org', '--role', 'member',
                  '--password-file', '-', input='motdepasse123\n')
        self.assertEqual(r.returncode, 1)
        self.assertIn('plus courants', r.stderr)
        r = admin('user', 'add', 'bad address', '--role', 'member',
                  '--password-file', '-', input=new_password())
        self.assertEqual(r.returncode, 2)
        r = admin('user', 'add', 'role@example.org', '--role', 'king',
                  '--password-file', '-', input=new_password())
        self.assertEqual(r.returncode, 2)

    def test_passwd_and_disable_end_the_sessions(self):
        email, pw = make_user('member')
        c = signed_in(email, pw)
        new = new_password()
        r = admin('user', 'passwd', email, '--password-file', '-',
                  input=new + '\n')
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(is_guest(c))
        self.assertEqual(sign_in(Client(), email, pw).status, 403)
        c = signed_in(email, new)
        r = admin('user', 'disable', email)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(is_guest(c))
        r = admin('user', 'role', email, 'expert')
        self.assertEqual(r.returncode, 0, r.stderr)
        r = admin('user', 'enable', email)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(sql("SELECT role, status FROM login_users WHERE "
                             "email = '%s'" % email), [['expert', 'active']])
        r = admin('user', 'disable', 'nobody@example.org')
        self.assertEqual(r.returncode, 1)
        self.assertIn('no account', r.stderr)

    def test_help_names_the_commands(self):
        r = admin('help')
        self.assertIn('user add|passwd|disable|enable|role|list', r.stdout)
        self.assertIn('init [EMAIL]', r.stdout)
        r = admin('user', 'help')
        self.assertIn('--password-file', r.stdout)


class InitTest(unittest.TestCase):

    def test_init_when_an_admin_exists_does_nothing(self):
        r = admin('init', 'another@example.org')
        self.assertEqual(r.returncode, 0)
        self.assertIn('an admin exists already', r.stdout)
        self.assertEqual(sql("SELECT COUNT(*) FROM login_users WHERE email = "
                             "'another@example.org'"), [['0']])

    def test_init_makes_the_first_admin_and_prints_the_password(self):
        clear_limits()
        # A site without an admin: the existing ones are set aside.
        ids = [r[0] for r in sql("SELECT id FROM login_users WHERE role = "
                                 "'admin' AND status = 'active'")]
        sql("UPDATE login_users SET status = 'disabled' WHERE id IN (%s)"
            % ','.join(ids))
        try:
            email = 'premier-admin-%d@example.org' % os.getpid()
            r = admin('init', email, '--name', 'Première Admin')
            self.assertEqual(r.returncode, 0, r.stderr)
            pw = [l for l in r.stdout.splitlines()
                  if l.startswith('password: ')][0][len('password: '):]
            self.assertGreaterEqual(len(pw), 20)
            self.assertIn('/aparte/login', r.stdout)
            c = Client()
            r = sign_in(c, email, pw)
            self.assertEqual(r.status, 303)
            self.assertEqual(r.header('location'), '/aparte/admin')
            self.assertEqual(c.get('/aparte/admin/plugins').status, 200)
            r = admin('init', 'second@example.org')
            self.assertIn('an admin exists already (%s)' % email, r.stdout)
        finally:
            sql("UPDATE login_users SET status = 'active' WHERE id IN (%s)"
                % ','.join(ids))


class PrivacyTest(unittest.TestCase):

    def test_export_and_erase_an_account(self):
        email, pw = make_user('member', name='Yvette Export')
        signed_in(email, pw)
        r = harness.stack.admin('privacy', 'export', email)
        data = json.loads(r.stdout)
        items = [i for i in data['items'] if i['plugin'] == 'login']
        kinds = sorted(i['kind'] for i in items)
        self.assertEqual(kinds, ['account', 'session'])
        account = [i for i in items if i['kind'] == 'account'][0]['fields']
        self.assertEqual(account['name'], 'Yvette Export')
        self.assertEqual(account['role'], 'member')
        self.assertNotIn('pwhash', json.dumps(data))
        self.assertNotIn('$argon2', r.stdout)
        r = harness.stack.admin('privacy', 'erase', email)
        self.assertIn('item(s) erased', r.stdout)
        self.assertEqual(sql("SELECT COUNT(*) FROM login_users WHERE email = "
                             "'%s'" % email), [['0']])
        self.assertEqual(sign_in(Client(), email, pw).status, 403)
        # the audit trail keeps the actions, not the address
        self.assertEqual(sql("SELECT COUNT(*) FROM ap_audit WHERE "
                             "user_email = '%s' OR INSTR(detail, '%s') > 0"
                             % (email, email)), [['0']])
        self.assertGreater(int(sql("SELECT COUNT(*) FROM ap_audit WHERE "
                                   "action = 'privacy.erase'")[0][0]), 0)
