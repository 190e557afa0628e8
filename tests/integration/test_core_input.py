"""What a visitor sends, good and bad: every bad input answers with its
status and a page that says what is wrong; good input is decoded as the
form encoding says.  Through nginx where nginx lets the input through;
straight to the backend's socket (FastCGI) where nginx would refuse or
repair it first."""
import time
import unittest

import fcgi
import harness
from harness import Client, fr, page_texts, raw_http, save_page

BAD_UTF8 = ('La requête contient du texte qui n’est pas de l’UTF-8 valide, '
            'ou un caractère nul.')
BAD_ESCAPE = fr('La requête contient un échappement « % » mal formé.')
BAD_PATH = ('L’adresse demandée contient un échappement mal formé, de '
            'l’UTF-8 invalide ou un caractère nul.')
SHORT = ('Le corps de la requête est plus court que sa longueur annoncée '
         '(Content-Length).')
LONG = ('Le corps de la requête est plus long que sa longueur annoncée '
        '(Content-Length).')
TOO_BIG = 'L’envoi dépasse la taille maximale acceptée.'


def direct(path, method='GET', query='', body=None, send_body=None,
           end_stdin=True, timing=None, **params):
    """One request straight to the backend's socket, as nginx would send
    it (path and query may be bytes: they go as they are)."""
    p = fcgi.base_params('/', method=method)
    if query:
        sep = b'?' if isinstance(query, bytes) else '?'
        p['REQUEST_URI'] = path + sep + query
    else:
        p['REQUEST_URI'] = path
    p['QUERY_STRING'] = query
    if body is not None:
        p['CONTENT_TYPE'] = 'application/x-www-form-urlencoded'
        p['CONTENT_LENGTH'] = str(len(body))
    p.update(params)
    st, h, b, _ = fcgi.request(harness.stack.app_sock, p, body=body or b'',
                               send_body=send_body, end_stdin=end_stdin,
                               timing=timing, timeout=20)
    return st, h, b


class RefusedInputTest(unittest.TestCase):
    """Each refusal: the status, and the page's title and sentence."""

    def assertPage(self, status, body, want_status, title, text=None):
        self.assertEqual(status, want_status, body[:300])
        texts = page_texts(body)
        self.assertIn(title, texts)
        if text:
            self.assertIn(text, texts)

    # -- through nginx --

    def test_invalid_utf8_in_query_is_400(self):
        r = Client().get('/aparte/good/echo?n=a&a=%FF%FE')
        self.assertPage(r.status, r.body, 400, 'Requête incorrecte', BAD_UTF8)
        # in the type the browser accepts, as every page
        self.assertTrue(r.ctype.startswith('application/xhtml+xml'))
        save_page('400-utf8', r)
        r = Client(accept='text/html').get('/aparte/good/echo?n=a&a=%FF%FE')
        self.assertTrue(r.ctype.startswith('text/html'))
        save_page('400-utf8-html', r)
        # an overlong form and a surrogate are not UTF-8 either
        for q in ('a=%C0%AF', 'a=%ED%A0%80', 'a=%C3'):
            r = Client().get('/aparte/good/echo?' + q)
            self.assertPage(r.status, r.body, 400, 'Requête incorrecte',
                            BAD_UTF8)

    def test_raw_byte_that_is_not_utf8_in_the_query_is_400(self):
        st, h, body = raw_http(b'GET /aparte/good/echo?n=a&a=\xff HTTP/1.0\r\n'
                               b'Host: localhost\r\n\r\n')
        self.assertPage(st, body, 400, 'Requête incorrecte', BAD_UTF8)

    def test_raw_byte_that_is_not_utf8_in_the_path_is_400(self):
        st, h, body = raw_http(b'GET /aparte/good/hello/\xe9t\xe9 HTTP/1.0\r\n'
                               b'Host: localhost\r\n\r\n')
        self.assertPage(st, body, 400, 'Requête incorrecte', BAD_PATH)
        r = Client().get('/aparte/good/hello/%C3')
        self.assertPage(r.status, r.body, 400, 'Requête incorrecte', BAD_PATH)

    def test_nul_byte_in_query_and_body_is_400(self):
        r = Client().get('/aparte/good/echo?a=x%00y')
        self.assertPage(r.status, r.body, 400, 'Requête incorrecte', BAD_UTF8)
        r = Client().post('/aparte/good/echo', 'a=x%00y')
        self.assertPage(r.status, r.body, 400, 'Requête incorrecte', BAD_UTF8)
        r = Client().get('/aparte/good/echo?a%00b=1')
        self.assertPage(r.status, r.body, 400, 'Requête incorrecte', BAD_UTF8)

    def test_malformed_escape_in_query_and_body_is_400(self):
        for q in ('a=%zz', 'a=%4', 'a=%', 'a%G1=1'):
            r = Client().get('/aparte/good/echo?' + q)
            self.assertPage(r.status, r.body, 400, 'Requête incorrecte',
                            BAD_ESCAPE)
        r = Client().post('/aparte/good/echo', 'a=1&b=%x1')
        self.assertPage(r.status, r.body, 400, 'Requête incorrecte',
                        BAD_ESCAPE)
        save_page('400-escape', r)

    def test_invalid_utf8_in_body_is_400(self):
        r = Client().post('/aparte/good/echo', b'a=\xff\xfe')
        self.assertPage(r.status, r.body, 400, 'Requête incorrecte', BAD_UTF8)
        r = Client().post('/aparte/good/echo', 'a=%E9t%E9')
        self.assertPage(r.status, r.body, 400, 'Requête incorrecte', BAD_UTF8)

    def test_body_over_the_limit_is_413(self):
        # 1 MiB is the default limit; nginx lets 16 MiB through
        r = Client().post('/aparte/good/echo', 'a=' + 'x' * (1024 * 1024))
        self.assertPage(r.status, r.body, 413, 'Envoi trop volumineux',
                        TOO_BIG)
        save_page('413', r)
        # exactly at the limit is fine
        body = 'n=x&a=' + 'y' * (1024 * 1024 - 6)
        r = Client().post('/aparte/good/echo', body)
        self.assertEqual(r.status, 200)

    def test_form_of_another_type_is_415(self):
        for ctype in ('text/plain', 'multipart/form-data; boundary=x',
                      'application/json', 'application/x-www-form-urlencodedx'):
            r = Client().post('/aparte/good/echo', 'a=1', ctype=ctype)
            self.assertPage(r.status, r.body, 415,
                            'Type d’envoi non pris en charge',
                            'Seuls les formulaires (application/x-www-form-'
                            'urlencoded) sont acceptés.')
        r = Client().post('/aparte/good/echo?n=a', 'a=1', ctype=
                          'application/x-www-form-urlencoded; charset=UTF-8')
        self.assertEqual(r.status, 200)
        self.assertIn('f a 1 [1]', r.text)
        # white space may stand before the parameters (RFC 9110, 5.6.6)
        for ctype in ('application/x-www-form-urlencoded ; charset=UTF-8',
                      'application/x-www-form-urlencoded\t;charset=utf-8',
                      'Application/X-WWW-Form-Urlencoded'):
            r = Client().post('/aparte/good/echo?n=a', 'a=1', ctype=ctype)
            self.assertEqual(r.status, 200, ctype)
            self.assertIn('f a 1 [1]', r.text)
        st, h, body = direct('/aparte/good/echo', 'POST', query='n=a',
                             body=b'a=1', CONTENT_TYPE=
                             'application/x-www-form-urlencoded  ')
        self.assertEqual(st, 200, body[:300])

    def test_too_many_fields_is_400(self):
        limit = 200
        q = '&'.join('k%d=%d' % (i, i) for i in range(limit + 1))
        r = Client().get('/aparte/good/echo?' + q)
        self.assertPage(r.status, r.body, 400, 'Requête incorrecte',
                        'La requête contient trop de champs.')
        r = Client().post('/aparte/good/echo', q)
        self.assertPage(r.status, r.body, 400, 'Requête incorrecte',
                        'La requête contient trop de champs.')
        # the limit itself passes
        q = '&'.join('k%d=%d' % (i, i) for i in range(limit - 1))
        r = Client().get('/aparte/good/echo?n=k7&' + q)
        self.assertEqual(r.status, 200)
        self.assertIn('q k7 1 [7]', r.text)

    def test_too_long_field_name_is_400(self):
        r = Client().get('/aparte/good/echo?%s=1' % ('k' * 257))
        self.assertPage(r.status, r.body, 400, 'Requête incorrecte',
                        'Un champ de la requête est trop long.')

    # -- straight to the backend: what nginx refuses or repairs --

    def test_nul_and_bad_escape_in_path_are_400(self):
        for path in ('/aparte/good/hello/a%00b', '/aparte/good/hello/a%zz',
                     '/aparte/good/hello/a%2'):
            st, h, body = direct(path)
            self.assertPage(st, body, 400, 'Requête incorrecte', BAD_PATH)
        st, h, body = direct(b'/aparte/good/hello/\xff')
        self.assertPage(st, body, 400, 'Requête incorrecte', BAD_PATH)

    def test_body_shorter_than_its_length_is_400(self):
        st, h, body = direct('/aparte/good/echo', 'POST', body=b'a=1234567',
                             send_body=b'a=12')
        self.assertPage(st, body, 400, 'Requête incorrecte', SHORT)

    def test_body_longer_than_its_length_is_400(self):
        st, h, body = direct('/aparte/good/echo', 'POST', body=b'a=12',
                             send_body=b'a=1234567')
        self.assertPage(st, body, 400, 'Requête incorrecte', LONG)

    def test_body_without_a_length_is_400(self):
        for clen in ('0', None):
            p = {'CONTENT_TYPE': 'application/x-www-form-urlencoded'}
            if clen is not None:
                p['CONTENT_LENGTH'] = clen
            st, h, body = direct('/aparte/good/echo', 'POST',
                                 send_body=b'a=1', **p)
            self.assertPage(st, body, 400, 'Requête incorrecte', LONG)
        # and without a body, a POST without a length is fine
        st, h, body = direct('/aparte/good/echo', 'POST', query='n=a&a=1')
        self.assertEqual(st, 200)
        self.assertIn(b'q a 1 [1]', body)

    def test_length_that_is_not_a_number_is_400(self):
        for clen in ('abc', '-1', '12x', ' 3', '0x3'):
            st, h, body = direct('/aparte/good/echo', 'POST', send_body=b'a=1',
                                 CONTENT_TYPE='application/x-www-form-'
                                 'urlencoded', CONTENT_LENGTH=clen)
            self.assertEqual(st, 400, clen)
            self.assertIn('La longueur annoncée du corps (Content-Length) '
                          'n’est pas un nombre.', page_texts(body))
        # a number too large for any counter is a body too large
        st, h, body = direct('/aparte/good/echo', 'POST', send_body=b'a=1',
                             CONTENT_TYPE='application/x-www-form-urlencoded',
                             CONTENT_LENGTH='9' * 30)
        self.assertEqual(st, 413)
        self.assertIn(TOO_BIG, page_texts(body))

    def test_huge_length_is_413_at_once_without_reading_the_body(self):
        t = {}
        st, h, body = direct('/aparte/good/echo', 'POST', send_body=b'a=' +
                             b'x' * 1000, end_stdin=False, timing=t,
                             CONTENT_TYPE='application/x-www-form-urlencoded',
                             CONTENT_LENGTH=str(10 ** 9))
        self.assertPage(st, body, 413, 'Envoi trop volumineux', TOO_BIG)
        # the answer came while the client was still "sending"
        self.assertLess(t['answer'], 2.0)

    def test_too_long_uri_is_414(self):
        st, h, body = direct('/aparte/good/echo', query='a=' + 'x' * 9000)
        self.assertPage(st, body, 414, 'Adresse trop longue',
                        'L’adresse demandée est trop longue.')

    def test_oversized_cookie_or_header_is_431(self):
        st, h, body = direct('/aparte/good/hello/x',
                             HTTP_COOKIE='a=' + 'x' * 9000)
        self.assertPage(st, body, 431, 'En-têtes trop volumineux',
                        'Les cookies envoyés sont trop volumineux.')
        st, h, body = direct('/aparte/good/hello/x',
                             HTTP_X_SOMETHING='x' * 9000)
        self.assertPage(st, body, 431, 'En-têtes trop volumineux',
                        'Un en-tête de la requête est trop long.')


class DecodingTest(unittest.TestCase):
    """Good input reaches the plugin decoded."""

    def echo(self, query, body=None):
        c = Client()
        if body is None:
            r = c.get('/aparte/good/echo?' + query)
        else:
            r = c.post('/aparte/good/echo?' + query, body)
        self.assertEqual(r.status, 200, r.text[:300])
        self.assertTrue(r.ctype.startswith('text/plain'))
        return r.text.splitlines()

    def test_repeated_keys_keep_their_order(self):
        lines = self.echo('n=k&k=1&k=2&k=3')
        self.assertIn('q k 3 [1] [2] [3]', lines)

    def test_empty_values_and_keys_without_value(self):
        lines = self.echo('n=e&n=f&e=&f&e=x')
        self.assertIn('q e 2 [] [x]', lines)
        self.assertIn('q f 1 []', lines)

    def test_plus_is_a_space_and_escapes_are_decoded(self):
        lines = self.echo('n=p&n=u&n=k%C3%A9&p=a+b%2Bc%20d&u=%C3%A9t%C3%A9+%E2%82%AC'
                          '&k%C3%A9=%3D%26%3F')
        self.assertIn('q p 1 [a b+c d]', lines)
        self.assertIn('q u 1 [été €]', lines)
        self.assertIn('q ké 1 [=&?]', lines)

    def test_query_and_body_are_apart(self):
        lines = self.echo('n=a&n=b&a=q1', 'a=f1&a=f2&b=&b=%C3%A0+b')
        self.assertIn('method POST', lines)
        self.assertIn('q a 1 [q1]', lines)
        self.assertIn('f a 2 [f1] [f2]', lines)
        self.assertIn('f b 2 [] [à b]', lines)
        self.assertIn('q b 0', lines)

    def test_semicolon_and_empty_pairs_separate_nothing(self):
        lines = self.echo('n=a&&a=1;a=2&&&=x&a')
        self.assertIn('q a 3 [1] [2] []', lines)

    def test_a_header_that_is_not_utf8_reaches_plugins_as_utf8(self):
        # headers refuse nothing; a byte that is not UTF-8 becomes U+FFFD
        r = Client().get('/aparte/good/env', headers={
            'User-Agent': 'Navigateur \xe9trange \xc3'})
        self.assertEqual(r.status, 200, r.text[:300])
        self.assertIn('HTTP_USER_AGENT Navigateur \ufffdtrange \ufffd',
                      r.body.decode('utf-8').splitlines())
        st, h, body = direct('/aparte/good/env',
                             HTTP_USER_AGENT=b'\xed\xa0\x80 \xc3\xa9')
        self.assertEqual(st, 200, body[:300])
        self.assertIn('HTTP_USER_AGENT \ufffd\ufffd\ufffd é',
                      body.decode('utf-8').splitlines())


class MethodsTest(unittest.TestCase):

    def test_head_is_get_without_body(self):
        c = Client()
        g = c.get('/aparte/good/hello/x')
        h = c.request('HEAD', '/aparte/good/hello/x')
        self.assertEqual(h.status, 200)
        self.assertEqual(h.body, b'')
        self.assertEqual(h.ctype, g.ctype)
        self.assertEqual(int(h.header('content-length')), len(g.body))
        # a streamed page too
        h = c.request('HEAD', '/aparte/good/big?kb=100')
        self.assertEqual(h.status, 200)
        self.assertEqual(h.body, b'')
        # straight to the backend: not a byte of body
        st, hd, body = direct('/aparte/good/big', 'HEAD', query='kb=100')
        self.assertEqual(st, 200)
        self.assertEqual(body, b'')

    def test_unknown_path_is_404_page(self):
        r = Client().get('/aparte/good/nowhere')
        self.assertEqual(r.status, 404)
        self.assertIn('Page introuvable', page_texts(r.body))
        self.assertIn('La page demandée n’existe pas, ou plus.',
                      page_texts(r.body))
        self.assertIn('href="/"', r.text)

    def test_wrong_method_is_405_with_allow(self):
        r = Client().post('/aparte/good/hello/x', {'a': '1'})
        self.assertEqual(r.status, 405)
        self.assertEqual(r.header('allow'), 'GET, HEAD')
        self.assertIn('Méthode non autorisée', page_texts(r.body))
        r = Client().get('/aparte/good/mail')
        self.assertEqual(r.status, 405)
        self.assertEqual(r.header('allow'), 'POST')
        r = Client().request('DELETE', '/aparte/good/form')
        self.assertEqual(r.status, 405)
        self.assertEqual(sorted(r.header('allow').split(', ')),
                         ['GET', 'HEAD', 'POST'])
        save_page('405-delete', r)


if __name__ == '__main__':
    unittest.main()
