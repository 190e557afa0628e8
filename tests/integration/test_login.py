"""Signing in and out, sessions, the account page."""
import re
import time
import unittest

import harness
from harness import Client, save_page
from login_helpers import (clear_limits, make_user, sign_in, signed_in, sql,
                           user_id, is_guest, csrf_of)


class SignInTest(unittest.TestCase):

    def setUp(self):
        clear_limits()

    def test_login_page(self):
        r = Client().get('/aparte/login')
        self.assertEqual(r.status, 200)
        self.assertIn('Vous connecter avec vos identifiants', r.text)
        save_page('login', r)

    def test_member_signs_in_and_sees_account(self):
        email, pw = make_user('member')
        c = Client()
        r = sign_in(c, email, pw)
        self.assertEqual(r.status, 303, r.text)
        self.assertEqual(r.header('location'), '/aparte/account')
        r = c.get('/aparte/account')
        self.assertEqual(r.status, 200)
        self.assertIn(email, r.text)
        save_page('account', r)
