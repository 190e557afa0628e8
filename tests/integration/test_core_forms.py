"""Forms and tokens: a CSRF token is good once, for its visitor, its
signed-in user and its form, for a day; a form from another site is
refused; signed tokens carry their age.  Tokens are forged here with the
site's secret (BLAKE2b, as the core makes them) to reach the cases a
browser cannot: too old, from the future, for another form."""
import base64
import hashlib
import os
import time
import unittest

import harness
from harness import Client, fr, page_texts, save_page

EXPIRED = ('Ce formulaire a expiré ou a déjà été envoyé. Rechargez la page et '
           'recommencez.')
OTHER_SITE = fr('Ce formulaire a été envoyé depuis un autre site : il est '
                'refusé.')


def secret():
    return bytes.fromhex(open(os.path.join(harness.stack.run, 'secret'))
                         .read().strip())


def b64(b):
    return base64.urlsafe_b64encode(b).rstrip(b'=').decode()


def forge(purpose, payload, ts):
    """A token as ap->sign makes it, dated ts."""
    key = hashlib.blake2b(purpose.encode(), key=secret(), digest_size=32).digest()
    pb = b64(payload.encode())
    mac = hashlib.blake2b(('%d.%s' % (ts, pb)).encode(), key=key,
                          digest_size=32).digest()
    return '%d.%s.%s' % (ts, pb, b64(mac))


def keyed_hash(s):
    return hashlib.blake2b(s.encode(), key=secret(), digest_size=32).hexdigest()


class Visitor(Client):
    def form(self, named=False):
        r = self.get('/aparte/good/form' + ('?named=1' if named else ''))
        assert r.status == 200, r.status
        tok = self.form_fields(r)['_csrf']
        harness.secrets_seen.append(tok)
        return r, tok

    def send(self, tok, what='x', named=False, **kw):
        fields = {'what': what}
        if tok is not None:
            fields['_csrf'] = tok
        return self.post('/aparte/good/form' + ('-named' if named else ''),
                         fields, **kw)


class CsrfTest(unittest.TestCase):

    def assertRefused(self, r, text=EXPIRED):
        self.assertEqual(r.status, 403, r.text[:300])
        self.assertIn('Accès refusé', page_texts(r.body))
        if text:
            self.assertIn(text, page_texts(r.body))

    def test_good_token_accepted_once(self):
        v = Visitor()
        r, tok = v.form()
        self.assertIn('ap_v', v.cookies)
        sc = r.header('set-cookie')
        self.assertIn('HttpOnly', sc)
        self.assertIn('SameSite=Lax', sc)
        self.assertIn('Path=/aparte', sc)
        save_page('form', r)
        r = v.send(tok, 'premier <envoi> & "guillemets"')
        self.assertEqual(r.status, 200)
        # what the visitor typed comes back escaped
        self.assertIn('accepted: premier &lt;envoi&gt; &amp; &quot;guillemets'
                      '&quot;', r.text)
        save_page('form-accepted', r)
        # spent: stored as a keyed hash, never as itself
        h = keyed_hash('csrf\n' + tok)
        self.assertEqual(harness.stack.sql(
            "SELECT COUNT(*) FROM ap_spent WHERE h = '%s'" % h), [['1']])
        self.assertEqual(harness.stack.sql(
            "SELECT COUNT(*) FROM ap_spent WHERE h = '%s'" % tok[:60]),
            [['0']])
        # the same token again
        r = v.send(tok, 'second')
        self.assertRefused(r)
        save_page('403-csrf', r)
        # a new form, shown within the same second (as a form sent back
        # with its errors is): a new token, good
        r, tok2 = v.form()
        self.assertNotEqual(tok2, tok)
        self.assertEqual(v.send(tok2).status, 200)

    def test_missing_or_tampered_token(self):
        v = Visitor()
        r, tok = v.form()
        self.assertRefused(v.send(None))
        self.assertRefused(v.send(''))
        ts, pb, mac = tok.split('.')
        self.assertRefused(v.send('%s.%s.%s' % (int(ts) + 1, pb, mac)))
        self.assertRefused(v.send('%s.%s.%s' % (ts, pb[:-1] + ('A' if pb[-1] !=
                                  'A' else 'B'), mac)))
        self.assertRefused(v.send('%s.%s.%s' % (ts, pb, mac[::-1])))
        self.assertRefused(v.send('not a token'))
        # the real one still works after all that
        self.assertEqual(v.send(tok).status, 200)

    def test_token_of_another_visitor(self):
        a, b = Visitor(), Visitor()
        r, tok_a = a.form()
        b.form()
        self.assertNotEqual(a.cookies['ap_v'], b.cookies['ap_v'])
        self.assertRefused(b.send(tok_a))
        # still good for its own visitor
        self.assertEqual(a.send(tok_a).status, 200)

    def test_a_visitor_cookie_the_site_did_not_make_is_replaced(self):
        # 22 characters, but not an id of ours (a "|" would split the
        # token): a new one is given, and the visitor's forms work
        for bad in ('abcdefghij|klmnopqrstu', 'abcdefghij klmnopqrstu',
                    'abcdefghij%7Cklmnopqrs'):
            v = Visitor()
            v.cookies['ap_v'] = bad
            r, tok = v.form()
            self.assertNotEqual(v.cookies['ap_v'], bad)
            self.assertEqual(len(v.cookies['ap_v']), 22)
            self.assertEqual(v.send(tok).status, 200, bad)

    def test_visitor_without_cookie_while_signed_out(self):
        # a form kept in a cached page: the browser has no visitor cookie;
        # nobody is signed in, so the token alone is enough
        a = Visitor()
        r, tok = a.form()
        self.assertEqual(Visitor().send(tok).status, 200)

    def test_signed_in_user_must_match(self):
        # good's session.load listener signs in user N (cookie good_user)
        v = Visitor()
        r, tok_out = v.form()                 # made signed out
        v.cookies['good_user'] = '5'
        self.assertEqual(v.get('/aparte/good/whoami').text, 'user 5\n')
        self.assertRefused(v.send(tok_out))   # used signed in
        r, tok_5 = v.form()                   # made for user 5
        v.cookies['good_user'] = '6'
        self.assertRefused(v.send(tok_5))     # used by user 6
        del v.cookies['good_user']
        self.assertRefused(v.send(tok_5))     # used after signing out
        v.cookies['good_user'] = '5'
        self.assertEqual(v.send(tok_5).status, 200)
        # signed in, a token without the visitor cookie is not enough
        r, tok = v.form()
        del v.cookies['ap_v']
        self.assertRefused(v.send(tok))

    def test_expired_and_future_tokens(self):
        v = Visitor()
        v.form()
        payload = 'good-form|%s|0' % v.cookies['ap_v']
        now = int(time.time())
        old = forge('csrf', payload, now - 86400 - 60)
        harness.secrets_seen.append(old)
        self.assertRefused(v.send(old))
        future = forge('csrf', payload, now + 3600)
        self.assertRefused(v.send(future))
        # a day old minus a minute: still good (the forgery is right)
        recent = forge('csrf', payload, now - 86400 + 60)
        harness.secrets_seen.append(recent)
        self.assertEqual(v.send(recent).status, 200)

    def test_token_for_another_form_or_purpose(self):
        v = Visitor()
        r, tok = v.form(named=True)
        self.assertIn('action="/aparte/good/form-named"', r.text)
        # the handler that checks for its own form
        self.assertEqual(v.send(tok, named=True).status, 200)
        other = forge('csrf', 'other-form|%s|0' % v.cookies['ap_v'],
                      int(time.time()))
        self.assertRefused(v.send(other, named=True), None)
        # the core's check takes any form of this visitor
        self.assertEqual(v.send(other).status, 200)
        # a token signed for another purpose is no CSRF token
        signed = forge('session', 'good-form|%s|0' % v.cookies['ap_v'],
                       int(time.time()))
        self.assertRefused(v.send(signed))

    def test_form_from_another_site(self):
        v = Visitor()
        r, tok = v.form()
        r = v.send(tok, headers={'Origin': 'http://evil.example'})
        self.assertRefused(r, OTHER_SITE)
        r = v.send(tok, headers={'Sec-Fetch-Site': 'cross-site'})
        self.assertRefused(r, OTHER_SITE)
        r = v.send(tok, headers={'Origin': 'null'})
        self.assertRefused(r, OTHER_SITE)
        # from the site itself, as a browser says it
        r = v.send(tok, headers={'Origin': harness.stack.base,
                                 'Sec-Fetch-Site': 'same-origin'})
        self.assertEqual(r.status, 200)

    def test_refusal_in_english(self):
        v = Visitor(lang='en')
        r = v.send(None)
        self.assertEqual(r.status, 403)
        self.assertIn('This form has expired or was already sent. Reload the '
                      'page and try again.', page_texts(r.body))
        save_page('403-csrf-en', r)


class SignedTokenTest(unittest.TestCase):

    def verify(self, purpose, token, max_age=0):
        return Client().get('/aparte/good/verify?purpose=%s&token=%s&max_age=%d'
                            % (purpose, token, max_age)).text.split()

    def test_sign_and_verify_with_age(self):
        tok = Client().get('/aparte/good/sign?purpose=unsub&payload='
                           'claire%40example.org').text.strip()
        harness.secrets_seen.append(tok)
        self.assertEqual(self.verify('unsub', tok, 60)[:2],
                         ['ok', 'claire@example.org'])
        self.assertEqual(self.verify('other', tok)[0], 'invalid')
        old = forge('unsub', 'claire@example.org', int(time.time()) - 100)
        st, payload, age = self.verify('unsub', old, 50)
        self.assertEqual((st, payload), ('expired', '-'))
        st, payload, age = self.verify('unsub', old, 200)
        self.assertEqual((st, payload), ('ok', 'claire@example.org'))
        self.assertTrue(99 <= int(age) <= 110, age)
        # no limit asked: any age
        self.assertEqual(self.verify('unsub', old)[0], 'ok')
        # from the future
        fut = forge('unsub', 'x', int(time.time()) + 3600)
        self.assertEqual(self.verify('unsub', fut)[0], 'invalid')


if __name__ == '__main__':
    unittest.main()
