"""The antispam plugin over HTTP, through a real form: the test plugin's
guestbook (tests/plugins/good.c) runs form.fields, content.check and
content.verdict as the comments and contact plugins do.  Rules are added
through the command line; the admin page is checked for its access."""
import base64
import hashlib
import html
import json
import os
import re
import subprocess
import tempfile
import time
import unittest
import urllib.parse

import harness
from harness import Client, fr, save_page

# The test site does not count timing nor floods (conf.d/antispam.conf:
# the other plugins' tests post at once, from one address); StrictTest
# checks them on a side backend with the default settings.
STRICT = {('antispam', 'min_time'): '3s', ('antispam', 'flood_max'): '5',
          ('antispam', 'flood_window'): '10m'}

HAM_TEXT = ("Merci pour cet article très clair sur le temps partagé. Nous "
            "avons fait appel à une directrice financière deux jours par "
            "mois et la trésorerie va beaucoup mieux.")


def site_secret():
    with open(os.path.join(harness.stack.run, 'secret')) as f:
        return bytes.fromhex(f.read().strip())


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b'=').decode()


def sign(purpose, payload, ts):
    """A token as the core signs it (cgi-bin/token.c): what a visitor who
    kept a page open since ts would send."""
    key = hashlib.blake2b(purpose.encode(), digest_size=32,
                          key=site_secret()).digest()
    pb = b64(payload.encode())
    mac = hashlib.blake2b(('%d.%s' % (ts, pb)).encode(), digest_size=32,
                          key=key).digest()
    return '%d.%s.%s' % (ts, pb, b64(mac))


def form_token(age, form='guestbook'):
    """An antispam token of a form shown `age` seconds ago."""
    ts = int(time.time()) - age
    return sign('antispam', '1|%s|%d|%s' % (form, ts * 1000,
                                            b64(os.urandom(6))), ts)


class Result:
    """What the guestbook answered: verdict, score, reasons."""

    def __init__(self, resp, text=None):
        self.resp = resp
        t = resp.text if resp is not None else text
        self.text = t
        m = re.search(r'<p class="verdict">([^<]*)</p>', t)
        self.verdict = m.group(1) if m else None
        m = re.search(r'<p class="score">([^<]*)</p>', t)
        self.score = float(m.group(1)) if m else None
        m = re.search(r'<ul class="reasons">(.*?)</ul>', t, re.S)
        self.reasons = [html.unescape(x) for x in
                        re.findall(r'<li>(.*?)</li>', m.group(1))] if m else []

    def has(self, fragment):
        return any(fragment in r for r in self.reasons)

    def __repr__(self):
        return '<%s %.3f %r>' % (self.verdict, self.score or 0, self.reasons)


class Visitor:
    """A visitor of the guestbook."""

    def __init__(self):
        self.c = Client()

    def fields(self):
        r = self.c.get('/aparte/good/guestbook')
        assert r.status == 200, r
        return r, self.c.form_fields(r)

    def post(self, body, author='Claire Martin', email=None, url=None,
             page=None, token=None, drop=(), extra=None):
        _, f = self.fields()
        if token is not None:
            f['as_token'] = token
        for k in drop:
            f.pop(k, None)
        f.update({'author': author, 'body': body})
        if email:
            f['email'] = email
        if url:
            f['url'] = url
        if page:
            f['page'] = page
        f.update(extra or {})
        r = self.c.post('/aparte/good/guestbook', f)
        assert r.status == 200, (r, r.text[:2000])
        return Result(r)


def moderator(verdict, item, body, author='Modéré Anonyme', email=None,
              url=None, ip='203.0.113.50'):
    """A moderator's decision on an item (the guestbook keeps nothing: its
    fields are sent again).  The IP is a documentation address, so that the
    suite's own address (127.0.0.1) is never remembered as a spammer's."""
    f = {'verdict': verdict, 'id': str(item), 'body': body, 'author': author,
         'ip': ip}
    if email:
        f['email'] = email
    if url:
        f['url'] = url
    c = Client()
    r = c.post('/aparte/good/guestbook/verdict', f)
    assert r.status == 200 and 'learned' in r.text, (r, r.text[:1000])


def admin(*args, check=True):
    return harness.stack.admin(*args, check=check)


class FormTest(unittest.TestCase):

    def test_form_carries_an_accessible_honeypot_and_a_signed_token(self):
        r, f = Visitor().fields()
        save_page('antispam-guestbook', r)
        trap = re.search(r'<div class="as-trap" aria-hidden="true">(.*?)'
                         r'</div>', r.text, re.S)
        self.assertIsNotNone(trap, 'no honeypot in the form')
        self.assertIn('Laissez ce champ vide', trap.group(1))
        self.assertRegex(trap.group(1), r'<label for="as-trap-guestbook">')
        self.assertRegex(trap.group(1), r'<input type="text" '
                         r'id="as-trap-guestbook" name="as_website" value="" '
                         r'tabindex="-1" autocomplete="off"/>')
        self.assertRegex(f.get('as_token', ''), r'^\d+\.[\w-]+\.[\w-]+$')
        css = open(os.path.join(harness.stack.share, 'www', 'static',
                                'aparte.css'), encoding='utf-8').read()
        self.assertRegex(css, r'\.as-trap\s*\{[^}]*display:\s*none')

    def test_each_form_gets_its_own_token(self):
        a = Visitor().fields()[1]['as_token']
        b = Visitor().fields()[1]['as_token']
        self.assertNotEqual(a, b)


class SignalsTest(unittest.TestCase):

    def test_a_legitimate_comment_is_ham(self):
        res = Visitor().post(HAM_TEXT, email='claire.martin@atelier.example')
        self.assertEqual(res.verdict, 'ham', res)
        self.assertIn('checked', res.resp.text)
        self.assertLess(res.score, 0.4)
        self.assertTrue(res.has('mots appris comme légitimes'), res)
        save_page('antispam-result', res.resp)

    def test_honeypot_filled_is_spam(self):
        res = Visitor().post(HAM_TEXT, extra={'as_website':
                                              'http://robot.example'})
        self.assertEqual(res.verdict, 'spam', res)
        self.assertTrue(res.has('champ piège rempli'), res)
        self.assertGreater(res.score, 0.99)
        save_page('antispam-honeypot', res.resp)

    def test_token_missing_counts_against(self):
        res = Visitor().post(HAM_TEXT, drop=('as_token',))
        self.assertTrue(res.has('formulaire envoyé sans son jeton'), res)
        self.assertNotEqual(res.verdict, 'ham', res)

    def test_forged_token_counts_against(self):
        res = Visitor().post(HAM_TEXT, token='1795000000.MXx4.AAAA')
        self.assertTrue(res.has('jeton du formulaire invalide'), res)
        self.assertNotEqual(res.verdict, 'ham', res)

    def test_token_of_another_form_counts_against(self):
        res = Visitor().post(HAM_TEXT, token=form_token(30, form='contact'))
        self.assertTrue(res.has('jeton d’un autre formulaire'), res)

    def test_replayed_token(self):
        v = Visitor()
        _, f = v.fields()
        f.update({'author': 'Marc Petit', 'body': HAM_TEXT})
        first = Result(v.c.post('/aparte/good/guestbook', f))
        self.assertFalse(first.has('jeton réutilisé'), first)
        # the same form sent again: the CSRF token is new, the antispam
        # token is the old one
        _, f2 = v.fields()
        f['_csrf'] = f2['_csrf']
        second = Result(v.c.post('/aparte/good/guestbook', f))
        self.assertTrue(second.has('formulaire déjà envoyé une fois'),
                        second)
        self.assertNotEqual(second.verdict, 'ham', second)

    def test_expired_form_comes_back_with_the_text(self):
        body = HAM_TEXT + ' (écrit hier soir, envoyé ce matin)'
        res = Visitor().post(body, author='Lucie Bernard',
                             token=form_token(25 * 3600))
        self.assertTrue(res.has('formulaire affiché il y a 25 h'), res)
        self.assertIn('Le formulaire a expiré', res.resp.text)
        self.assertIn('>%s</textarea>' % html.escape(body, quote=False),
                      res.resp.text)
        self.assertIn('value="Lucie Bernard"', res.resp.text)
        # a new token comes with the form again
        fields = Client().form_fields(res.resp)
        self.assertIn('as_token', fields)
        self.assertEqual(res.verdict, 'ham', res)
        save_page('antispam-expired', res.resp)

    def test_bbcode_link(self):
        res = Visitor().post('Très bon article, merci. [url=http://promo-'
                             'chaussures.example]chaussures pas chères[/url]')
        self.assertTrue(res.has('lien BBCode'), res)
        self.assertNotEqual(res.verdict, 'ham', res)

    def test_link_in_the_author_name(self):
        res = Visitor().post(HAM_TEXT, author='meilleur-credit.example')
        self.assertTrue(res.has('lien dans le nom de l’auteur'), res)
        res = Visitor().post(HAM_TEXT, author='www.pret-rapide.example')
        self.assertTrue(res.has('lien dans le nom de l’auteur'), res)
        res = Visitor().post(HAM_TEXT, author='Jean-Marc Dupont')
        self.assertFalse(res.has('lien dans le nom de l’auteur'), res)

    def test_many_links(self):
        body = 'Voyez ' + ' '.join('http://site%d.example/page' % i
                                   for i in range(6))
        res = Visitor().post(body)
        self.assertTrue(res.has('6 liens'), res)
        self.assertEqual(res.verdict, 'spam', res)


class MemoryTest(unittest.TestCase):

    def test_known_spam_domain(self):
        moderator('spam', 9001, 'Découvrez nos offres exclusives sur '
                  'http://camelote-en-gros.example/promo aujourd’hui',
                  email='vendeur@camelote.example')
        # another text, another author, a link to the same domain
        res = Visitor().post('Bonjour, voici une ressource utile sur le '
                             'sujet : https://www.camelote-en-gros.example/'
                             'guide', author='Paul Durand',
                             email='paul.durand@courrier.example')
        self.assertTrue(res.has(fr('lien vers un domaine déjà vu dans des '
                                   'indésirables : camelote-en-gros.example')),
                        res)
        res = Visitor().post(HAM_TEXT, author='Paul Durand',
                             url='https://camelote-en-gros.example')
        self.assertTrue(res.has(fr('site web sur un domaine déjà vu dans '
                                   'des indésirables : '
                                   'camelote-en-gros.example')),
                        res)

    def test_known_spam_address_and_email(self):
        moderator('spam', 9006, 'Rachat de crédit immédiat, appelez-nous.',
                  email='Relance@Credit-Facile.example', ip='198.51.100.23')
        d = tempfile.mkdtemp(dir=harness.stack.run)
        p = os.path.join(d, 'x.txt')
        open(p, 'w', encoding='utf-8').write(HAM_TEXT)
        out = admin('spam', 'check', p, '--ip', '198.51.100.23', '--email',
                    'relance@credit-facile.example ').stdout
        self.assertIn('adresse IP déjà vue dans des indésirables', out)
        self.assertIn('adresse e-mail déjà vue dans des indésirables', out)
        # the address of a proxy on the same host stands for everyone: it
        # is never remembered
        moderator('spam', 9007, 'Encore du crédit pas cher.',
                  ip='127.0.0.1')
        self.assertEqual(harness.stack.sql(
            "SELECT COUNT(*) FROM antispam_known WHERE kind = 'ip' AND "
            "v = ''"), [['0']])
        out = admin('spam', 'check', p, '--ip', '127.0.0.1').stdout
        self.assertNotIn('adresse IP', out)

    def test_same_text_as_a_spam(self):
        text = ('Profitez de notre offre de déménagement à prix cassé, '
                'devis gratuit en une minute.')
        moderator('spam', 9002, text)
        res = Visitor().post(text.upper(), author='Jean Valjean')
        self.assertTrue(res.has('texte identique à un indésirable'), res)
        self.assertEqual(res.verdict, 'spam', res)

    def test_a_moderators_spam_catches_a_similar_comment(self):
        first = ('Graines de tomates anciennes et semences paysannes en '
                 'vente directe, expédition rapide, catalogue complet des '
                 'variétés potagères rares.')
        before = Visitor().post(first, author='Jardin Secret',
                                email='contact@jardin.example')
        self.assertNotEqual(before.verdict, 'spam', before)
        moderator('spam', 9003, first, author='Jardin Secret',
                  email='contact@jardin.example')
        similar = ('Semences paysannes et graines de tomates anciennes : '
                   'catalogue des variétés potagères rares, expédition '
                   'rapide partout.')
        after = Visitor().post(similar, author='Potager Malin',
                               email='vente@potager.example')
        self.assertEqual(after.verdict, 'spam', (before, after))
        self.assertTrue(after.has('mots appris comme indésirables'), after)
        self.assertGreater(after.score, before.score)

    def test_a_moderators_ham_releases_a_similar_comment(self):
        first = ('Offre spéciale pour les dirigeants : cliquez ici et '
                 'découvrez gratuitement notre programme de formation au '
                 'pilotage de la trésorerie, places limitées.')
        before = Visitor().post(first, author='Sophie Lemaire',
                                email='sophie.lemaire@cabinet.example')
        self.assertNotEqual(before.verdict, 'ham', before)
        moderator('ham', 9004, first, author='Sophie Lemaire',
                  email='sophie.lemaire@cabinet.example')
        similar = ('Pour les dirigeants : notre programme de formation au '
                   'pilotage de la trésorerie reprend en janvier, places '
                   'limitées, découvrez-le gratuitement.')
        after = Visitor().post(similar, author='Sophie Lemaire',
                               email='sophie.lemaire@cabinet.example')
        self.assertEqual(after.verdict, 'ham', (before, after))
        self.assertTrue(after.has('adresse e-mail déjà approuvée'), after)

    def test_a_decision_is_learned_once(self):
        def spam_count():
            out = admin('spam', 'stats').stdout
            return int(re.search(r'learned: (\d+) spam', out).group(1))
        n = spam_count()
        text = 'Achetez des followers pas chers, livraison immédiate.'
        moderator('spam', 9005, text)
        moderator('spam', 9005, text)
        self.assertEqual(spam_count(), n + 1)
        # a change of mind unlearns the first decision
        moderator('ham', 9005, text)
        self.assertEqual(spam_count(), n)


class SideVisitor:
    """A visitor of the guestbook of a side backend (FastCGI, no web
    server), from an address of its own."""

    def __init__(self, backend, ip):
        self.b = backend
        self.ip = ip
        self.cookies = {}

    def request(self, path, method='GET', body=b''):
        cookie = '; '.join('%s=%s' % kv for kv in self.cookies.items())
        st, h, b = self.b.request(path, method=method, body=body,
                                  REMOTE_ADDR=self.ip, HTTP_COOKIE=cookie)
        sc = h.get('set-cookie')
        if sc:
            name, _, rest = sc.partition('=')
            self.cookies[name] = rest.split(';')[0]
        return st, b.decode('utf-8', 'replace')

    def post(self, body, author='Claire Martin', email=None, page=None,
             token=None):
        st, text = self.request('/aparte/good/guestbook')
        assert st == 200, text[:500]
        f = dict((html.unescape(n), html.unescape(v)) for n, v in
                 re.findall(r'<input type="hidden" name="([^"]*)" '
                            r'value="([^"]*)"', text))
        if token is not None:
            f['as_token'] = token
        f.update({'author': author, 'body': body})
        if email:
            f['email'] = email
        if page:
            f['page'] = page
        st, text = self.request('/aparte/good/guestbook', 'POST',
                                urllib.parse.urlencode(f).encode())
        assert st == 200, (st, text[:2000])
        return Result(None, text)


class StrictTest(unittest.TestCase):
    """Timing and floods, on a side backend with the default settings."""

    @classmethod
    def setUpClass(cls):
        cls.backend = harness.Backend('antispam-strict', changes=STRICT)
        cls.backend.start()

    @classmethod
    def tearDownClass(cls):
        cls.backend.stop()

    def test_too_fast_says_how_fast(self):
        res = SideVisitor(self.backend, '203.0.113.10').post(HAM_TEXT)
        self.assertTrue(any(re.match(r'envoyé 0,\d s après l’affichage du '
                                     r'formulaire', x) for x in res.reasons),
                        res)
        self.assertNotEqual(res.verdict, 'ham', res)

    def test_spam_sent_too_fast_is_spam(self):
        res = SideVisitor(self.backend, '203.0.113.11').post(
            'Gagnez 5000 euros par mois depuis chez vous, cliquez ici, offre '
            'limitée !')
        self.assertEqual(res.verdict, 'spam', res)

    def test_a_form_shown_long_enough_is_not_too_fast(self):
        res = SideVisitor(self.backend, '203.0.113.12').post(
            HAM_TEXT, token=form_token(4))
        self.assertFalse(any('affichage du formulaire' in x
                             for x in res.reasons), res)
        self.assertEqual(res.verdict, 'ham', res)

    def test_flood_across_pages_from_one_address(self):
        ip = '203.0.113.13'
        try:
            for i in range(7):
                res = SideVisitor(self.backend, ip).post(
                    'Message numéro %d sur le temps partagé et les missions '
                    'courtes.' % i, token=form_token(10),
                    email='lecteur%d@courrier.example' % i,
                    page='/blog/article-%d' % (i % 3))
                if i < 5:
                    self.assertFalse(any('envois en' in x
                                         for x in res.reasons), (i, res))
            self.assertIn('7 envois en 10 min depuis la même adresse, sur 3 '
                          'pages', res.reasons)
            self.assertEqual(res.verdict, 'unsure', res)
        finally:
            harness.stack.sql("DELETE FROM antispam_log WHERE author <> ''")

    def test_flood_from_one_email_over_addresses(self):
        try:
            for i in range(6):
                v = SideVisitor(self.backend, '198.51.100.%d' % (i + 1))
                res = v.post('Encore un message sur les missions courtes, '
                             'numéro %d.' % i, token=form_token(10),
                             email='flot@inonde.example',
                             page='/blog/page-%d' % (i % 2))
            self.assertIn('6 envois en 10 min depuis la même adresse, sur 2 '
                          'pages', res.reasons)
        finally:
            harness.stack.sql("DELETE FROM antispam_log WHERE author <> ''")

    def test_an_address_seen_in_spam(self):
        moderator('spam', 9101, 'Crédit facile et rapide, appelez-nous.',
                  ip='203.0.113.14')
        res = SideVisitor(self.backend, '203.0.113.14').post(
            HAM_TEXT, token=form_token(10))
        self.assertIn('adresse IP déjà vue dans des indésirables',
                      res.reasons)


class RulesTest(unittest.TestCase):

    def tearDown(self):
        for line in admin('spam', 'rules').stdout.splitlines()[1:]:
            admin('spam', 'rule', 'delete', line.split('\t')[0])

    def test_word_list_rule(self):
        out = admin('spam', 'rule', 'add', 'words', 'pilule miracle',
                    'régime express', '--note', 'produits minceur').stdout
        self.assertRegex(out, r'rule \d+ added')
        res = Visitor().post(HAM_TEXT + ' PS : essayez la Pilule Miraclé !')
        self.assertTrue(any(re.match(fr(r'règle n° \d+ \(produits minceur\) '
                                        r': « pilule miracle »'), x)
                            for x in res.reasons), res)
        self.assertEqual(res.verdict, 'spam', res)
        # a word inside another word does not count
        res = Visitor().post(HAM_TEXT + ' Les pilules miracles '
                             'n’existent pas.')
        self.assertFalse(res.has('produits minceur'), res)
        # punctuation alone is no word
        r = admin('spam', 'rule', 'add', 'words', '…', '--note', 'rien',
                  check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn('Écrivez au moins un mot ou un motif.', r.stderr)

    def test_unsure_pattern_rule(self):
        admin('spam', 'rule', 'add', 'pattern', r'\b(whats?app|telegram)\b',
              '--unsure')
        res = Visitor().post(HAM_TEXT + ' Écrivez-moi sur WhatsApp.')
        self.assertTrue(any(fr('« WhatsApp »') in x for x in res.reasons),
                        res)
        self.assertEqual(res.verdict, 'unsure', res)

    def test_invalid_pattern_is_refused_with_the_reason(self):
        r = admin('spam', 'rule', 'add', 'pattern', '(abc', check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn('Le motif n’est pas valide', r.stderr)
        self.assertIn('position 4', r.stderr)
        r = admin('spam', 'rule', 'add', 'pattern', 'a' * 501, check=False)
        self.assertIn('Le motif dépasse 500 caractères', r.stderr)
        self.assertEqual(admin('spam', 'rules').stdout.count('\n'), 1)
        # characters, as the message says: 500 accented letters (1,000
        # bytes) are a pattern of 500
        r = admin('spam', 'rule', 'add', 'pattern', 'é' * 500, check=False)
        self.assertEqual(r.returncode, 0, r.stderr)
        for line in admin('spam', 'rules').stdout.splitlines():
            if 'éééé' in line:
                admin('spam', 'rule', 'delete', line.split('\t')[0])
        self.assertEqual(admin('spam', 'rules').stdout.count('\n'), 1)

    def test_a_pattern_that_backtracks_forever_gives_up_in_time(self):
        # PCRE2 would see at once that a 'y' is missing; a digit it cannot
        admin('spam', 'rule', 'add', 'pattern', r'(x+x+)+\d', '--note',
              'retour arrière')
        body = 'x' * 100000
        t0 = time.time()
        res = Visitor().post(body)
        self.assertLess(time.time() - t0, 2.0,
                        'the request waited on the rule')
        self.assertTrue(any(re.match(fr(r'règle n° \d+ \(retour arrière\) '
                                        r': limite de calcul atteinte, à '
                                        r'vérifier'), x)
                            for x in res.reasons),
                        res)
        self.assertIn(res.verdict, ('unsure', 'spam'), res)
        rules = admin('spam', 'rules').stdout.splitlines()
        self.assertEqual(rules[1].split('\t')[4], '1', rules)
        self.assertIn('gave up', open(os.path.join(
            harness.stack.run, 'aparte.log'), encoding='utf-8').read())
        # the site stays quick for the next visitor
        t0 = time.time()
        res = Visitor().post(HAM_TEXT, token=form_token(10))
        self.assertLess(time.time() - t0, 1.0)


def moderator_client(role='moderator'):
    """A signed-in visitor (the test plugin plays the login plugin)."""
    c = Client()
    c.cookies['good_user'] = '7'
    c.cookies['good_role'] = role
    return c


def form_hidden(resp, action):
    """The hidden fields of the form of a page that posts to action."""
    for f in re.findall(r'<form\b.*?</form>', resp.text, re.S):
        if 'action="%s"' % action in f:
            return dict((html.unescape(n), html.unescape(v)) for n, v in
                        re.findall(r'<input type="hidden" name="([^"]*)" '
                                   r'value="([^"]*)"', f))
    raise AssertionError('no form posting to %s' % action)


ADMIN = '/aparte/admin/antispam'


class AdminTest(unittest.TestCase):

    def tearDown(self):
        for line in admin('spam', 'rules').stdout.splitlines()[1:]:
            admin('spam', 'rule', 'delete', line.split('\t')[0])

    def test_admin_page_needs_a_moderator(self):
        r = Client().get(ADMIN)
        self.assertIn(r.status, (303, 403))
        r = moderator_client('member').get(ADMIN)
        self.assertEqual(r.status, 403)
        r = Client().post(ADMIN + '/rules', {'kind': 'words', 'body': 'x'})
        self.assertEqual(r.status, 403)
        self.assertEqual(admin('spam', 'rules').stdout.count('\n'), 1)

    def test_page_shows_what_was_learned_and_the_reasons(self):
        Visitor().post('Casino en ligne, bonus gratuit, cliquez ici : '
                       '[url=http://casino-bonus.example]jouer[/url]',
                       author='Joueur Fou')
        c = moderator_client()
        r = c.get(ADMIN)
        self.assertEqual(r.status, 200)
        save_page('antispam-admin', r)
        self.assertIn('<h1>Filtre anti-indésirables</h1>', r.text)
        self.assertRegex(r.text, r'\d+ textes appris comme indésirables')
        # the last submissions, with the filter's reasons
        log = r.text[r.text.index('Derniers envois examinés'):]
        self.assertIn('Joueur Fou', log)
        self.assertIn('lien BBCode [url=…]', log)
        self.assertIn('indésirable', log)

    def test_rules_are_added_and_deleted_from_the_page(self):
        c = moderator_client()
        f = form_hidden(c.get(ADMIN), ADMIN + '/rules')
        f.update({'kind': 'words', 'effect': 'spam', 'note': 'voyance',
                  'body': 'voyance gratuite\nmarabout'})
        r = c.post(ADMIN + '/rules', f)
        self.assertEqual(r.status, 303)
        m = re.search(r'\?added=(\d+)#rules$', r.header('location'))
        self.assertIsNotNone(m, r.header('location'))
        rid = m.group(1)
        r = c.get(ADMIN + '?added=' + rid)
        self.assertIn('La règle n° %s est en service.' % rid, r.text)
        self.assertIn('id="rule-%s"' % rid, r.text)
        self.assertIn('voyance gratuite\nmarabout', html.unescape(r.text))
        res = Visitor().post(HAM_TEXT + ' Consultez notre grand Marabout.',
                             author='Mage Noir')
        self.assertTrue(res.has(fr('règle n° %s (voyance) : « marabout »'
                                   % rid)),
                        res)
        self.assertEqual(res.verdict, 'spam', res)
        # deleted, it no longer counts
        f = form_hidden(r, ADMIN + '/rules/%s/delete' % rid)
        r = c.post(ADMIN + '/rules/%s/delete' % rid, f)
        self.assertEqual(r.status, 303)
        self.assertIn('?deleted=%s' % rid, r.header('location'))
        res = Visitor().post(HAM_TEXT + ' Consultez notre grand Marabout.',
                             author='Mage Noir')
        self.assertFalse(res.has('voyance'), res)
        f = form_hidden(c.get(ADMIN), ADMIN + '/rules')
        r = c.post(ADMIN + '/rules/%s/delete' % rid, f)
        self.assertEqual(r.status, 404)

    def test_a_line_of_100_accented_characters_is_a_word(self):
        # the limit is 100 characters a line, whatever their bytes
        c = moderator_client()
        f = form_hidden(c.get(ADMIN), ADMIN + '/rules')
        word = 'élève éveillé ' * 7 + 'été'
        self.assertEqual(len(word), 101)
        f.update({'kind': 'words', 'effect': 'spam', 'note': 'accents',
                  'body': word})
        r = c.post(ADMIN + '/rules', f)
        self.assertEqual(r.status, 422)
        self.assertIn('Une ligne dépasse 100 caractères.', r.text)
        f = form_hidden(r, ADMIN + '/rules')
        f.update({'kind': 'words', 'effect': 'spam', 'note': 'accents',
                  'body': word[:-1]})
        r = c.post(ADMIN + '/rules', f)
        self.assertEqual(r.status, 303)
        rid = re.search(r'\?added=(\d+)#rules$', r.header('location')).group(1)
        res = Visitor().post(HAM_TEXT + ' ' + word[:-1].upper() + '.',
                             author='Élève Zélé')
        self.assertTrue(res.has('règle n° %s (accents)' % rid), res)
        self.assertEqual(res.verdict, 'spam', res)
        f = form_hidden(c.get(ADMIN), ADMIN + '/rules/%s/delete' % rid)
        self.assertEqual(c.post(ADMIN + '/rules/%s/delete' % rid, f).status,
                         303)

    def test_a_rule_of_6000_accented_characters_is_not_too_long(self):
        # 10,000 characters at most (the field's maxlength), not bytes
        c = moderator_client()
        f = form_hidden(c.get(ADMIN), ADMIN + '/rules')
        body = '\n'.join('%02dé%s' % (i, 'é' * 96) for i in range(60))
        self.assertEqual(len(body), 5999)
        f.update({'kind': 'words', 'effect': 'unsure', 'note': 'long',
                  'body': body})
        r = c.post(ADMIN + '/rules', f)
        self.assertEqual(r.status, 303, r.text[-2000:])
        rid = re.search(r'\?added=(\d+)#rules$', r.header('location')).group(1)
        f = form_hidden(c.get(ADMIN), ADMIN + '/rules/%s/delete' % rid)
        self.assertEqual(c.post(ADMIN + '/rules/%s/delete' % rid, f).status,
                         303)

    def test_a_bad_pattern_comes_back_with_what_was_typed(self):
        c = moderator_client()
        f = form_hidden(c.get(ADMIN), ADMIN + '/rules')
        f.update({'kind': 'pattern', 'effect': 'unsure', 'note': 'essai',
                  'body': '(promo[0-9]+'})
        r = c.post(ADMIN + '/rules', f)
        self.assertEqual(r.status, 422)
        save_page('antispam-admin-error', r)
        self.assertRegex(r.text, fr(r'<p class="error" id="f-body-err">Le '
                                    r'motif n’est pas valide : [^<]+ '
                                    r'\(position 12\)\.</p>'))
        self.assertIn('>(promo[0-9]+</textarea>', r.text)
        self.assertIn('value="essai"', r.text)
        self.assertRegex(r.text, r'id="as-kind-pattern" name="kind" '
                         r'value="pattern" checked="checked"')
        self.assertRegex(r.text, r'id="as-effect-unsure" name="effect" '
                         r'value="unsure" checked="checked"')
        self.assertEqual(admin('spam', 'rules').stdout.count('\n'), 1)

    def test_a_rule_that_gave_up_is_reported(self):
        admin('spam', 'rule', 'add', 'pattern', r'(a+a+)+\d', '--note',
              'trop gourmande')
        Visitor().post('a' * 30000, author='Robot Lent')
        r = moderator_client().get(ADMIN)
        self.assertRegex(r.text, r'1 règle a atteint sa limite de calcul')
        self.assertRegex(r.text, r'<tr id="rule-\d+" class="as-limit">')
        self.assertRegex(r.text, r'1 fois, la dernière le ')

    def test_try_a_text(self):
        c = moderator_client()
        f = form_hidden(c.get(ADMIN), ADMIN + '/try#try')
        f.update({'text': 'Gagnez 5000 euros par mois depuis chez vous, '
                          'cliquez ici : http://argent.example'})
        r = c.post(ADMIN + '/try', f)
        self.assertEqual(r.status, 200)
        save_page('antispam-admin-try', r)
        self.assertRegex(r.text, fr(r'Verdict : <strong class="badge '
                                    r'badge-error">indésirable</strong>'))
        self.assertIn('mots appris comme indésirables', r.text)
        # nothing kept: the list of examined submissions did not grow
        n = harness.stack.sql('SELECT COUNT(*) FROM antispam_log')[0][0]
        f = form_hidden(c.get(ADMIN), ADMIN + '/try#try')
        f['text'] = ''
        r = c.post(ADMIN + '/try', f)
        self.assertEqual(r.status, 422)
        self.assertIn('Écrivez le texte à examiner.', r.text)
        self.assertEqual(harness.stack.sql(
            'SELECT COUNT(*) FROM antispam_log')[0][0], n)


class CommandLineTest(unittest.TestCase):

    def test_classify_prints_verdicts_in_order(self):
        d = tempfile.mkdtemp(dir=harness.stack.run)
        texts = {'a.txt': HAM_TEXT,
                 'b.txt': 'Casino en ligne : bonus de bienvenue et tours '
                          'gratuits, jouez maintenant sur '
                          'http://casino.invalid !',
                 'c.txt': 'Nous cherchons un expert en logistique à temps '
                          'partagé pour deux jours par mois.'}
        paths = []
        for name, t in texts.items():
            p = os.path.join(d, name)
            open(p, 'w', encoding='utf-8').write(t)
            paths.append(p)
        out = admin('spam', 'classify', *paths).stdout.splitlines()
        self.assertEqual([l.split('\t')[0] for l in out], paths)
        verdicts = [l.split('\t')[1] for l in out]
        self.assertEqual(verdicts, ['ham', 'spam', 'ham'], out)
        for l in out:
            self.assertRegex(l.split('\t')[2], r'^[01]\.\d{6}$')
        lst = os.path.join(d, 'list')
        open(lst, 'w').write('\n'.join(paths) + '\n')
        self.assertEqual(admin('spam', 'classify', '--list', lst).stdout
                         .splitlines(), out)
        r = admin('spam', 'classify', os.path.join(d, 'missing'),
                  check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn('missing', r.stderr)

    def test_stats_show_what_was_learned(self):
        out = admin('spam', 'stats').stdout
        m = re.search(r'learned: (\d+) spam, (\d+) ham', out)
        self.assertIsNotNone(m, out)
        self.assertGreaterEqual(int(m.group(1)), 30)
        self.assertGreaterEqual(int(m.group(2)), 30)
        rows = harness.stack.sql("SELECT spam, ham FROM antispam_tokens "
                                 "WHERE token = ' msgs'")
        self.assertEqual(rows[0], [m.group(1), m.group(2)])

    def test_train_reads_files_and_lists(self):
        d = tempfile.mkdtemp(dir=harness.stack.run)
        p = os.path.join(d, 'x.txt')
        open(p, 'w', encoding='utf-8').write('zorglub zorglub bidule')
        out = admin('spam', 'train', 'ham', p).stdout
        self.assertIn('learned 1 ham text', out)
        rows = harness.stack.sql("SELECT ham FROM antispam_tokens WHERE "
                                 "token = 'zorglub'")
        self.assertGreaterEqual(int(rows[0][0]), 1)
        r = admin('spam', 'train', 'maybe', p, check=False)
        self.assertEqual(r.returncode, 2)


class SpeedTest(unittest.TestCase):

    def test_judging_adds_little_to_a_post(self):
        """Median time of a guestbook POST with the plugin on, and off."""
        def median_post(n=15):
            times = []
            for i in range(n):
                v = Visitor()
                _, f = v.fields()
                f.update({'author': 'Anne Vitesse', 'body': HAM_TEXT,
                          'as_token': form_token(10)})
                t0 = time.perf_counter()
                r = v.c.post('/aparte/good/guestbook', f)
                times.append(time.perf_counter() - t0)
                self.assertEqual(r.status, 200)
            times.sort()
            return times[len(times) // 2]
        on = median_post()
        costs = sorted(int(r[0]) for r in harness.stack.sql(
            'SELECT cost_us FROM antispam_log ORDER BY id DESC LIMIT 15'))
        judged = costs[len(costs) // 2] / 1e6
        admin('plugin', 'disable', 'antispam')
        try:
            time.sleep(1.2)
            off = median_post()
        finally:
            admin('plugin', 'enable', 'antispam')
            time.sleep(1.2)
        print('\n  POST median: %.2f ms with antispam, %.2f ms without; '
              'judging: %.2f ms' % (on * 1000, off * 1000, judged * 1000))
        sanitized = os.environ.get('APARTE_SANITIZED')
        self.assertLess(judged, 0.02 if sanitized else 0.001)
        self.assertLess(on - off, 0.03 if sanitized else 0.005)


class PrivacyTest(unittest.TestCase):

    def test_export_and_erase_cover_what_the_filter_keeps(self):
        email = 'privee.%d@exemple.example' % (time.time() * 1000)
        Visitor().post(HAM_TEXT, author='Paule Privée', email=email)
        moderator('spam', 9100, 'Du crédit pas cher, appelez vite.',
                  email=email.upper())
        items = [i for i in json.loads(admin('privacy', 'export', email)
                                       .stdout)['items']
                 if i['plugin'] == 'antispam']
        seen = [i for i in items if i['kind'] == 'examined submission']
        self.assertEqual(len(seen), 1, items)
        self.assertEqual(seen[0]['fields']['author'], 'Paule Privée')
        self.assertEqual(seen[0]['fields']['verdict'], 'ham')
        memory = [i for i in items if i['kind'] == 'moderators\' decisions']
        self.assertEqual(len(memory), 1, items)
        self.assertEqual(memory[0]['fields']['marked_spam'], '1')
        self.assertEqual(memory[0]['fields']['marked_not_spam'], '0')
        admin('privacy', 'erase', email)
        self.assertEqual([i for i in json.loads(
            admin('privacy', 'export', email).stdout)['items']
            if i['plugin'] == 'antispam'], [])


class CommentsTest(unittest.TestCase):
    """The comments plugin with the filter on: each of its forms carries
    the filter's fields, and each is judged as the form it is."""

    def test_an_authors_edit_is_judged_as_the_edit_form(self):
        import commentlib as cl
        c = Client()
        cid = cl.posted_id(cl.post(c, body=HAM_TEXT + ' ' + cl.unique()))
        self.assertEqual(cl.row(cid)['status'], 'approved')
        fields = c.form_fields(c.get('/aparte/comments/edit?id=%d' % cid), 0)
        self.assertIn('as_token', fields)
        fields.update(author='Camille Test', url='',
                      body=HAM_TEXT + ' (corrigé) ' + cl.unique())
        self.assertEqual(c.post('/aparte/comments/edit', fields).status, 303)
        d = cl.row(cid, 'status, reasons')
        self.assertNotIn('autre formulaire', d['reasons'] or '', d)
        self.assertEqual(d['status'], 'approved', d)


class ConsoleTest(unittest.TestCase):
    """With the login plugin: moderators sign in and find the filter in
    the admin console."""

    @classmethod
    def setUpClass(cls):
        out = admin('plugin', 'list').stdout
        if not re.search(r'^login\s+enabled', out, re.M):
            raise unittest.SkipTest('the login plugin is not installed')
        import login_helpers
        cls.lh = login_helpers

    def setUp(self):
        self.lh.clear_limits()

    def tearDown(self):
        for line in admin('spam', 'rules').stdout.splitlines()[1:]:
            admin('spam', 'rule', 'delete', line.split('\t')[0])

    def moderator(self, role='moderator'):
        email, password = self.lh.make_user(role)
        return email, self.lh.signed_in(email, password)

    def test_a_moderator_reaches_the_filter_from_the_console(self):
        _, c = self.moderator()
        r = c.get('/aparte/admin')
        self.assertEqual(r.status, 200)
        self.assertIn('<a href="%s">Filtre anti-indésirables</a>' % ADMIN,
                      r.text)
        r = c.get(ADMIN)
        self.assertEqual(r.status, 200)
        save_page('antispam-console', r)
        self.assertIn('<nav class="admin-menu"', r.text)
        self.assertIn('<a href="%s" aria-current="page">Filtre '
                      'anti-indésirables</a>' % ADMIN, r.text)
        self.assertIn('<h1>Filtre anti-indésirables</h1>', r.text)

    def test_a_member_is_refused_and_a_visitor_sent_to_sign_in(self):
        _, c = self.moderator('member')
        self.assertEqual(c.get(ADMIN).status, 403)
        r = Client().get(ADMIN)
        self.assertEqual(r.status, 303)
        self.assertIn('/aparte/login?redirect_to=', r.header('location'))

    def test_a_rule_added_in_the_console_is_audited(self):
        email, c = self.moderator('admin')
        f = form_hidden(c.get(ADMIN), ADMIN + '/rules')
        f.update({'kind': 'words', 'effect': 'unsure', 'note': 'audit',
                  'body': 'prêt sans frais'})
        r = c.post(ADMIN + '/rules', f)
        self.assertEqual(r.status, 303)
        rows = harness.stack.sql("SELECT user_email, action FROM ap_audit "
                                 "WHERE action = 'antispam.rule.add' "
                                 "ORDER BY id DESC LIMIT 1")
        self.assertEqual(rows, [[email, 'antispam.rule.add']])

    def test_a_long_rule_is_audited_with_its_first_characters(self):
        # the console quotes 200 characters (not bytes, which would cut
        # the last "é" in two); the command gives the whole rule, which
        # the audit keeps to 1000 characters
        email, c = self.moderator('admin')
        f = form_hidden(c.get(ADMIN), ADMIN + '/rules')
        body = '\n'.join(['fraisx'] * 17 + ['é' * 45] * 2)
        f.update({'kind': 'words', 'effect': 'unsure', 'note': 'audit',
                  'body': body})
        r = c.post(ADMIN + '/rules', f)
        self.assertEqual(r.status, 303)
        rid = re.search(r'\?added=(\d+)#rules$', r.header('location')).group(1)
        rows = harness.stack.sql("SELECT user_email, detail FROM ap_audit "
                                 "WHERE action = 'antispam.rule.add' "
                                 "ORDER BY id DESC LIMIT 1")
        self.assertEqual(rows, [[email, ('%s words: %s' % (rid, body))[:200 +
                                 len(rid) + 8]]])
        words = ['é%04d' % i for i in range(300)]
        admin('spam', 'rule', 'add', 'words', *words)
        rows = harness.stack.sql("SELECT detail FROM ap_audit WHERE action "
                                 "= 'antispam.rule.add' ORDER BY id DESC "
                                 "LIMIT 1")
        self.assertEqual(rows, [['\n'.join(words)[:1000]]])

    def test_the_dashboard_reports_a_rule_that_gave_up(self):
        admin('spam', 'rule', 'add', 'pattern', r'(b+b+)+\d')
        Visitor().post('b' * 30000, author='Robot Lent')
        _, c = self.moderator()
        r = c.get('/aparte/admin')
        self.assertIn('<a href="%s#rules">1 règle du filtre a atteint sa '
                      'limite de calcul</a>' % ADMIN, r.text)
