"""Comments as a visitor sees them: the section of the demo article (full
page and fragment), threads, text, plurals, paging; posting, the rules
and every bad input; the author's cookie, edit and delete."""
import re
import time
import unittest
import urllib.parse

import harness
from harness import Client, fr, save_page
import sign
from commentlib import (filters_off, filters_on, send, PAGE, FRAG, FULL, KNOWN,
                        XHTML, unique, sql, one, row, esc, post, posted_id,
                        parse, by_id, text_of, admin, field_error, field_value,
                        count, form_page, comment_form)


def setUpModule():
    filters_off()


def tearDownModule():
    filters_on()


class ShowTest(unittest.TestCase):

    def test_full_page_shows_the_discussion_and_the_form(self):
        r = Client().get(FULL % PAGE)
        self.assertEqual(r.status, 200)
        save_page('comments-full', r)
        approved = int(one("SELECT COUNT(*) FROM comments WHERE page = '%s' "
                           "AND status = 'approved'" % PAGE))
        self.assertIn('<h2 id="comments-title">%d commentaires</h2>' % approved,
                      r.text)
        self.assertIn('<h1>%s</h1>' % fr('Commentaires : %s')
                      % 'Partager son temps ?', r.text)
        # threaded: Jean-Baptiste's reply sits inside Claire's comment
        t = parse(Client(accept='application/xhtml+xml').get(FULL % PAGE))
        claire = by_id(t, 'comment-%s' % one(
            "SELECT id FROM comments WHERE author = 'Claire Moreau-Vidal' "
            "ORDER BY id LIMIT 1"))
        jb = one("SELECT id FROM comments WHERE author = 'Jean-Baptiste Roux' "
                 "ORDER BY id LIMIT 1")
        self.assertIsNotNone(by_id(claire, 'comment-%s' % jb))
        # the author's website, as the visitor sees it
        link = claire.find('.//%sa[@class="comment-author"]' % XHTML)
        self.assertEqual(link.get('href'), 'https://cabinet-moreau.example/')
        self.assertEqual(link.get('rel'), 'nofollow ugc')
        # permalink, localized date, reply link that works without script
        perma = claire.find('.//%sa[@class="comment-permalink"]' % XHTML)
        self.assertEqual(perma.get('href'), '#comment-%s' % claire.get('id')[8:])
        self.assertRegex(text_of(perma), r'^\d+\u00a0\w+ \d{4} à \d+\u00a0h\u00a0\d\d$')
        reply = claire.find('.//%sa[@class="comment-reply-link"]' % XHTML)
        self.assertIn('reply=%s' % claire.get('id')[8:], reply.get('href'))
        self.assertTrue(reply.get('href').endswith('#respond'))
        # what is never shown: emails, IPs, held comments, spam
        for secret in (KNOWN, '192.0.2.14', 'Gaëlle Martin', 'Argent Facile',
                       'replica watches'):
            self.assertNotIn(secret, r.text)
        # the form: required fields marked, email never published, privacy
        self.assertIn('Laisser une réponse', r.text)
        self.assertIn('Votre adresse e-mail ne sera pas publiée', r.text)
        self.assertIn('Les champs marqués d’un * sont obligatoires', r.text)
        for name in ('author', 'email', 'body'):
            self.assertRegex(r.text, r'<label for="cf-%s">[^<]*<span class="req">'
                             r'\*</span></label>' % name)
        self.assertIn('name="remember"', r.text)
        self.assertIn('name="notify"', r.text)
        self.assertIn('gardés 30 jours contre les abus', r.text)
        self.assertIn('action="/aparte/comments"', r.text)

    def test_fragment_is_the_section_alone(self):
        r = Client().get(FRAG % PAGE)
        self.assertEqual(r.status, 200)
        self.assertTrue(r.text.startswith('<section class="comments"'), r.text[:80])
        self.assertNotIn('<html', r.text)
        t = parse(r)      # one root element, well-formed
        self.assertEqual(t.tag, 'section')
        f = comment_form(r)
        # posting from the site's page comes back to the site's page
        self.assertEqual(f['return'], PAGE)
        self.assertEqual(f['page'], PAGE)
        self.assertIn('_ctok', f)

    def test_english_visitor(self):
        r = Client(lang='en').get(FULL % PAGE)
        self.assertEqual(r.status, 200)
        self.assertRegex(r.text, r'<h2 id="comments-title">\d+ comments</h2>')
        self.assertIn('Leave a reply', r.text)
        self.assertIn('>Reply</a>', r.text)
        self.assertNotIn('Répondre', r.text)
        save_page('comments-full-en', r)

    def test_plurals_none_one_many(self):
        page = '/tests/pluriels-%d' % (time.time() * 1000)
        r = Client().get(FRAG % page)
        self.assertIn('>Aucun commentaire</h2>', r.text)
        self.assertIn('>No comments</h2>', Client(lang='en').get(FRAG % page).text)
        c = Client()
        posted_id(post(c, page=page))
        self.assertIn('>1 commentaire</h2>', Client().get(FRAG % page).text)
        self.assertIn('>1 comment</h2>', Client(lang='en').get(FRAG % page).text)
        posted_id(post(c, page=page))
        self.assertIn('>2 commentaires</h2>', Client().get(FRAG % page).text)
        self.assertIn('>2 comments</h2>', Client(lang='en').get(FRAG % page).text)
        save_page('comments-two', Client().get(FULL % page))

    def test_a_comment_in_another_language_says_so(self):
        # written by a visitor reading the site in English: its text is
        # marked English on the French page, and left to the page's
        # language on the English one (whose fragment says it is English)
        page = '/tests/langues-%d' % (time.time() * 1000)
        posted_id(post(Client(lang='en'), page=page))
        self.assertIn('<div class="comment-content" lang="en">',
                      Client().get(FRAG % page).text)
        r = Client(lang='en').get(FRAG % page)
        self.assertIn('<div class="comment-content">', r.text)
        self.assertRegex(r.text, r'^<section class="comments"[^>]* lang="en">')

    def test_text_is_plain_with_paragraphs_breaks_and_links(self):
        c = Client()
        body = ('<script>alert("x")</script> & <b>gras</b>\n'
                'ligne deux, voir https://exemple.example/a?b=1&c=2.\n\n'
                'Second paragraphe (www.exemple.example) ' + unique())
        cid = posted_id(post(c, body=body))
        r = Client(accept='application/xhtml+xml').get(FULL % PAGE)
        li = by_id(parse(r), 'comment-%d' % cid)
        content = li.find('.//%sdiv[@class="comment-content"]' % XHTML)
        paras = content.findall('%sp' % XHTML)
        self.assertEqual(len(paras), 2)
        self.assertEqual(len(paras[0].findall('%sbr' % XHTML)), 1)
        self.assertIn('<script>alert("x")</script> & <b>gras</b>',
                      text_of(paras[0]))
        self.assertIsNone(content.find('.//%sscript' % XHTML))
        self.assertIsNone(content.find('.//%sb' % XHTML))
        links = content.findall('.//%sa' % XHTML)
        self.assertEqual([a.get('href') for a in links],
                         ['https://exemple.example/a?b=1&c=2',
                          'https://www.exemple.example'])
        self.assertTrue(all(a.get('rel') == 'nofollow ugc' for a in links))
        self.assertIn('&amp;lt;script&amp;gt;'.replace('&amp;', '&'), r.text)
        # stored as typed
        self.assertEqual(row(cid)['body'], body)

    def test_links_lead_where_they_read_and_are_valid(self):
        # (three links: held, and shown to its author)
        c = Client(accept='application/xhtml+xml')
        body = ('Voir www.banque.example@evil.example/x, '
                'https://exemple.example/100% et '
                'https://exemple.example/a\u202egpj.exe ' + unique())
        cid = posted_id(post(c, body=body))
        r = c.get(FULL % PAGE)
        save_page('comments-links', r)
        li = by_id(parse(r), 'comment-%d' % cid)
        self.assertEqual([a.get('href') for a in li.iter('%sa' % XHTML)
                          if a.get('rel') == 'nofollow ugc'],
                         ['https://www.banque.example',
                          'https://exemple.example/100%25',
                          'https://exemple.example/a'])

    def test_characters_html_forbids_are_not_written(self):
        # C1 controls and noncharacters (the markup checker's "forbidden
        # code points") are kept as typed, never written out
        c = Client()
        body = 'Ligne\x85 suivante\ufdd0 fin\U0001fffe ' + unique()
        cid = posted_id(post(c, author='Zoé\x91 Test', body=body))
        self.assertEqual(one('SELECT HEX(body) FROM comments WHERE id = %d'
                             % cid), body.encode().hex().upper())
        for accept in ('text/html', 'application/xhtml+xml'):
            r = Client(accept=accept).get(FULL % PAGE)
            save_page('comments-forbidden-code-points-' + accept[-4:], r)
            li = text_of(by_id(parse(r), 'comment-%d' % cid))
            self.assertIn('Zoé Test', li)
            self.assertIn('Ligne suivante fin ', li)
            for ch in '\x85\x91\ufdd0\U0001fffe':
                self.assertNotIn(ch, r.text)

    def test_text_is_stored_composed_and_a_page_has_one_key(self):
        # "é" sent decomposed (e + U+0301, as some systems type it) is
        # stored and shown composed (NFC, as HTML wants it), and the page
        # key spelled either way is one discussion
        nfc_page = '/tests/\u00e9t\u00e9-%d' % (time.time() * 1000)
        nfd_page = nfc_page.replace('\u00e9', 'e\u0301')
        body = 'Caf\u00e9 ou the\u0301 ? ' + unique()
        c = Client()
        cid = posted_id(post(c, page=nfd_page, author='Zoe\u0301 Test',
                             body=body))
        d = row(cid)
        self.assertEqual(d['page'], nfc_page)
        self.assertEqual(d['author'], 'Zo\u00e9 Test')
        self.assertIn('Caf\u00e9 ou th\u00e9 ?', d['body'])
        for key in (nfc_page, nfd_page):
            r = Client().get(FULL % urllib.parse.quote(key))
            self.assertEqual(r.status, 200)
            self.assertIn('Caf\u00e9 ou th\u00e9', r.text)
            self.assertNotIn('\u0301', r.text)
        save_page('comments-composed', r)

    def test_reply_form_without_script(self):
        cid = one("SELECT id FROM comments WHERE author = 'Karim Haddad'")
        r = Client(accept='application/xhtml+xml').get(
            FULL % PAGE + '&reply=%s' % cid)
        self.assertEqual(r.status, 200)
        li = by_id(parse(r), 'comment-%s' % cid)
        form = li.find('.//%sform[@class="comment-form"]' % XHTML)
        self.assertIsNotNone(form, 'the form is below the comment replied to')
        self.assertIn('Répondre à Karim Haddad', r.text)
        self.assertIn('Annuler la réponse', r.text)
        self.assertEqual(comment_form(r)['parent'], str(cid))
        save_page('comments-reply', r)
        # replying to a comment that is not published gives the plain form
        pending = one("SELECT id FROM comments WHERE status = 'pending' LIMIT 1")
        r = Client().get(FULL % PAGE + '&reply=%s' % pending)
        self.assertNotIn('parent', comment_form(r))

    def test_depth_is_capped_and_deeper_replies_say_whom_they_answer(self):
        # Hélène answers at the 6th level: shown beside the 5th
        t = parse(Client(accept='application/xhtml+xml').get(FULL % PAGE))
        parents = {}
        for el in t.iter():
            for ch in el:
                parents[ch] = el
        helene = one("SELECT id FROM comments WHERE author = 'Hélène Vasseur'")
        fifth = one("SELECT parent_id FROM comments WHERE id = %s" % helene)
        a, b = by_id(t, 'comment-%s' % helene), by_id(t, 'comment-%s' % fifth)
        self.assertIs(parents[a], parents[b])
        note = a.find('.//%sp[@class="comment-in-reply"]' % XHTML)
        self.assertIn('En réponse à Claire Moreau-Vidal', text_of(note))
        self.assertEqual(note.find('%sa' % XHTML).get('href'),
                         '#comment-%s' % fifth)

        def depth(el):
            n = 0
            while el in parents:
                el = parents[el]
                n += el.tag == XHTML + 'ol'
            return n
        self.assertEqual(depth(b), 5)

    def test_threads_are_paged(self):
        page = '/tests/pages-%d' % (time.time() * 1000)
        values = ','.join(
            "(%s, 'approved', %d, 'Auteur %d', 'a%d@exemple.example', 'Texte "
            "numéro %d', %d)" % (esc(page), 1700000000 + i, i, i, i,
                                 1700000000 + i) for i in range(53))
        sql("INSERT INTO comments (page, status, status_at, author, email, "
            "body, created) VALUES " + values)
        sql("UPDATE comments SET root_id = id WHERE page = %s" % esc(page))
        sql("INSERT INTO ap_counters (name, value) VALUES (%s, 1) ON "
            "DUPLICATE KEY UPDATE value = value + 1" % esc('comments ' + page))
        r = Client().get(FULL % page)
        self.assertIn('>53 commentaires</h2>', r.text)
        # the first page holds the newest threads, oldest first within it
        self.assertEqual(r.text.count('class="comment"'), 50)
        self.assertLess(r.text.index('Texte numéro 3<'),
                        r.text.index('Texte numéro 52<'))
        self.assertNotIn('Texte numéro 2<', r.text)
        self.assertIn('aria-label="Pages des commentaires"', r.text)
        self.assertIn('rel="next">Commentaires plus anciens</a>', r.text)
        save_page('comments-paged', r)
        r2 = Client().get(FULL % page + '&cpage=2')
        self.assertEqual(r2.text.count('class="comment"'), 3)
        self.assertIn('Texte numéro 0<', r2.text)
        self.assertNotIn('Texte numéro 3<', r2.text)
        self.assertIn('rel="prev">Commentaires plus récents</a>', r2.text)
        # a new comment lands on the first page, the site's
        resp = post(Client(), page=page)
        self.assertRegex(resp.header('location'),
                         r'^%s#comment-\d+$' % re.escape(page))
        # a reply to an old thread: the page that locates it
        old = int(one("SELECT id FROM comments WHERE page = %s AND body = "
                      "'Texte numéro 1'" % esc(page)))
        resp = post(Client(), page=page, parent=old, fragment=False)
        loc = resp.header('location')
        self.assertRegex(loc, r'^/aparte/comments\?page=[^&]+&comment=(\d+)'
                         r'#comment-\1$')
        r3 = Client().get(loc.split('#')[0])
        self.assertIn('<li id="%s" class="comment">' % loc.split('#')[1],
                      r3.text)
        self.assertRegex(r3.text, r'<a href="[^"]*cpage=2#comments" '
                         r'aria-current="page">2</a>')

    def test_bad_page_keys_are_refused_clearly(self):
        for key in ('blog/x', '//evil.example/x', '/a/../b', '/a b', '/x?y',
                    '/' + 'a' * 180, '/<b>'):
            r = Client().get('/aparte/comments?page=' + urllib.parse.quote(key))
            self.assertEqual(r.status, 400, key)
            self.assertIn('n’est pas valide', r.text)
        r = Client().get('/aparte/comments')
        self.assertEqual(r.status, 400)
        save_page('comments-bad-key', r)


class PostTest(unittest.TestCase):

    def test_known_author_is_published_and_sent_to_the_permalink(self):
        c = Client()
        before = count("page = '%s' AND status = 'approved'" % PAGE)
        body = unique('Merci pour cet article')
        r = post(c, body=body, url='https://camille.example/')
        cid = posted_id(r)
        self.assertEqual(r.header('location'), '%s#comment-%d' % (PAGE, cid))
        d = row(cid)
        self.assertEqual(d['status'], 'approved')
        self.assertEqual(d['ip'], '127.0.0.1')
        self.assertEqual(d['root_id'], str(cid))
        self.assertEqual(d['url'], 'https://camille.example/')
        self.assertEqual(count("page = '%s' AND status = 'approved'" % PAGE),
                         before + 1)
        page = Client().get(FRAG % PAGE).text
        self.assertIn(body, page)
        self.assertIn('>%d commentaires</h2>' % (before + 1), page)

    def test_a_browser_whose_user_agent_is_not_utf8_may_comment(self):
        # a Latin-1 byte in the header: the comment is taken, the
        # browser's name kept with the byte replaced
        r = post(Client(), headers={'User-Agent': 'Navigateur \xe9trange'})
        cid = posted_id(r)
        self.assertEqual(row(cid, 'status, user_agent'), {
            'status': 'approved', 'user_agent': 'Navigateur \ufffdtrange'})

    def test_from_the_backend_page_back_to_the_backend_page(self):
        r = post(Client(), fragment=False)
        cid = posted_id(r)
        self.assertEqual(r.header('location'),
                         '/aparte/comments?page=%s#comment-%d' % (PAGE, cid))

    def test_referer_of_the_site_is_followed_without_a_return_field(self):
        c = Client()
        f = comment_form(form_page(c))
        del f['return']
        f.update(author='Camille', email=KNOWN, body=unique())
        r = send(c, f, headers={
            'Referer': harness.stack.base + '/blog/autre-lecture'})
        self.assertRegex(r.header('location'), r'^/blog/autre-lecture#comment-\d+$')
        f = comment_form(form_page(c))
        f['return'] = '//evil.example/x'
        f.update(author='Camille', email=KNOWN, body=unique())
        r = send(c, f, headers={
            'Referer': 'https://evil.example/x'})
        self.assertRegex(r.header('location'),
                         r'^/aparte/comments\?page=/blog/partager-son-temps'
                         r'#comment-\d+$')

    def test_first_comment_is_held_and_shown_to_its_author_only(self):
        c = Client()
        email = 'premiere.fois.%d@exemple.example' % (time.time() * 1000)
        body = unique('Je découvre le temps partagé')
        resp = post(c, email=email, body=body, author='Inès Nouvelle')
        cid = posted_id(resp)
        d = row(cid)
        self.assertEqual(d['status'], 'pending')
        self.assertIn('premier commentaire de cette adresse e-mail', d['reasons'])
        mine = c.get(FRAG % PAGE).text
        self.assertIn(body, mine)
        self.assertRegex(mine, r'<li id="comment-%d" class="comment comment-held '
                         r'comment-own">' % cid)
        self.assertIn('en attente de modération', mine)
        self.assertNotIn(body, Client().get(FRAG % PAGE).text)
        save_page('comments-held', c.get(FULL % PAGE))
        # the cookie is for the whole site: the static page's SSI sees it
        cookie = [h for h in resp.headers['set-cookie']
                  if h.startswith('aparte_comments=')]
        self.assertTrue(cookie)
        self.assertIn('Path=/;', cookie[0])
        self.assertIn('HttpOnly', cookie[0])
        # the moderators are told
        mails = harness.wait_until(lambda: [m for p, m in harness.stack.mails()
                                            if body in m])
        self.assertTrue(mails, 'no mail to the moderators')
        self.assertIn('To: moderation@reseau-temps-partage.invalid', mails[0])
        self.assertIn('/aparte/admin/comments/%d' % cid, mails[0])
        # once approved, everyone sees it
        admin('comments', 'approve', str(cid))
        self.assertIn(body, Client().get(FRAG % PAGE).text)

    def test_a_forged_cookie_shows_nothing(self):
        c = Client()
        cid = posted_id(post(c, email='forge.%d@exemple.example' % time.time()))
        c.cookies['aparte_comments'] = c.cookies['aparte_comments'][:-2] + 'xx'
        self.assertNotIn('comment-%d"' % cid, c.get(FRAG % PAGE).text)
        other = Client()
        other.cookies['aparte_comments'] = '1795763608.%s.x' % cid
        self.assertNotIn('comment-%d"' % cid, other.get(FRAG % PAGE).text)

    def test_reply_keeps_the_thread(self):
        parent = int(one("SELECT id FROM comments WHERE author = "
                         "'Amandine Leroux'"))
        cid = posted_id(post(Client(), parent=parent))
        d = row(cid)
        self.assertEqual(d['parent_id'], str(parent))
        self.assertEqual(d['root_id'], str(parent))
        deeper = posted_id(post(Client(), parent=cid))
        self.assertEqual(row(deeper)['root_id'], str(parent))

    def test_parent_must_be_a_published_comment_of_the_same_page(self):
        pending = one("SELECT id FROM comments WHERE status = 'pending' AND "
                      "page = '%s' LIMIT 1" % PAGE)
        spam = one("SELECT id FROM comments WHERE status = 'spam' LIMIT 1")
        other = posted_id(post(Client(), page='/tests/ailleurs'))
        for parent, status in ((pending, 422), (spam, 422), (other, 422),
                               ('999999999', 422), ('abc', 422), ('-1', 422)):
            c = Client()
            before = count('1')
            body = unique()
            r = post(c, fields={'parent': str(parent)}, body=body)
            self.assertEqual(r.status, status, parent)
            self.assertRegex(r.text, 'auquel vous répond(i)?ez')
            self.assertEqual(field_value(r, 'body'), body)
            self.assertEqual(count('1'), before)
        save_page('comments-bad-parent', r)

    def test_every_field_has_a_limit_and_a_clear_error(self):
        cases = [
            ('author', '', 'Indiquez votre nom'),
            ('author', '   ', 'Indiquez votre nom'),
            ('author', 'n' * 101, 'trop long : 101 caractères'),
            ('email', '', 'Indiquez votre adresse e-mail'),
            ('email', 'claire', 'n’est pas valide'),
            ('email', 'a@b', 'n’est pas valide'),
            ('email', 'a' * 250 + '@x.fr', 'trop longue'),
            ('email', 'a@x.fr\r\nBcc: z@evil.example', 'n’est pas valide'),
            ('url', 'javascript:alert(1)', 'http:// ou https://'),
            ('url', 'data:text/html,<b>x</b>', 'http:// ou https://'),
            ('url', 'ftp://exemple.example/', 'http:// ou https://'),
            ('url', 'https://exemple.example/' + 'x' * 177, 'trop longue : 201'),
            ('url', 'https://' + 'x' * 64 + '.fr/', 'n’est pas valide'),
            ('url', 'https://user@evil.example/', 'n’est pas valide'),
            ('body', '', 'Écrivez votre commentaire'),
            ('body', ' \n ', 'Écrivez votre commentaire'),
            ('body', 'x', 'trop court'),
            ('body', 'é' * 10001, 'trop long : 10001 caractères'),
        ]
        for name, value, message in cases:
            c = Client()
            fields = {'author': 'Camille', 'email': KNOWN, 'url':
                      'https://camille.example/', 'body': unique()}
            fields[name] = value
            before = count('1')
            r = post(c, author=fields['author'], email=fields['email'],
                     url=fields['url'], body=fields['body'])
            self.assertEqual(r.status, 422, (name, value))
            err = field_error(r, name)
            self.assertIsNotNone(err, (name, value))
            self.assertIn(fr(message), err, (name, value))
            # the other fields come back as typed
            for other in ('author', 'email', 'url', 'body'):
                if other != name:
                    self.assertEqual(field_value(r, other), fields[other],
                                     (name, other))
            self.assertIn('aria-invalid="true"', r.text)
            self.assertEqual(count('1'), before, (name, value))
        save_page('comments-errors', r)

    def test_limits_are_inclusive(self):
        c = Client()
        cid = posted_id(post(c, author='n' * 100, body='é' * 9980 + unique()[:20],
                             url='https://exemple.example/' + 'x' * 176))
        self.assertEqual(len(row(cid)['author']), 100)
        cid = posted_id(post(c, body='ok'))
        self.assertEqual(row(cid)['body'], 'ok')

    def test_website_without_scheme_is_taken_as_https(self):
        cid = posted_id(post(Client(), url='camille-conseil.example'))
        self.assertEqual(row(cid)['url'], 'https://camille-conseil.example')

    def test_bad_page_on_post_keeps_the_text(self):
        c = Client()
        f = comment_form(form_page(c))
        body = unique()
        f.update(page='../etc', author='Camille', email=KNOWN, body=body)
        r = send(c, f)
        self.assertEqual(r.status, 400)
        self.assertIn('à quelle page', r.text)
        self.assertEqual(field_value(r, 'body'), body)
        save_page('comments-bad-page-post', r)

    def test_token_missing_forged_or_for_another_page(self):
        c = Client()
        base = comment_form(form_page(c))
        for change in ({'_ctok': None}, {'_ctok': 'abc'},
                       {'_ctok': base['_ctok'][:-3] + 'AAA'},
                       {'page': '/tests/autre-page'}):
            f = dict(base)
            for k, v in change.items():
                if v is None:
                    f.pop(k)
                else:
                    f[k] = v
            body = unique()
            f.update(author='Camille', email=KNOWN, body=body)
            before = count('1')
            r = send(c, f)
            self.assertEqual(r.status, 400, change)
            self.assertIn('n’a pas pu être vérifié', r.text)
            self.assertEqual(field_value(r, 'body'), body)
            self.assertEqual(count('1'), before)

    def test_an_expired_form_asks_to_send_again_with_the_text_kept(self):
        c = Client()
        f = comment_form(form_page(c))
        payload = sign.payload(f['_ctok'])
        f['_ctok'] = sign.token('comments.form', payload,
                                int(time.time()) - 86500)
        f.update(author='Camille', email=KNOWN, body=unique())
        before = count('1')
        r = send(c, f)
        self.assertEqual(r.status, 422)
        self.assertIn('Ce formulaire a expiré', r.text)
        self.assertEqual(field_value(r, 'body'), f['body'])
        self.assertEqual(count('1'), before)
        # the form shown again carries a fresh token: sending it works
        f2 = comment_form(r)
        f2.update(author='Camille', email=KNOWN, body=f['body'])
        posted_id(send(c, f2))

    def test_the_same_comment_twice_is_a_duplicate(self):
        c = Client()
        body = unique('Le même texte')
        cid = posted_id(post(c, body=body))
        r = post(c, body='  ' + body.upper() + '\n')
        self.assertEqual(r.status, 409)
        self.assertIn('doublon', r.text)
        self.assertIn('déjà envoyé ce commentaire', field_error(r, 'body'))
        self.assertEqual(field_value(r, 'body'), body.upper())
        self.assertEqual(count("body = %s" % esc(body)), 1)
        save_page('comments-duplicate', r)
        # the same text on another page, or from someone else, is fine
        posted_id(post(c, body=body, page='/tests/autre-page'))
        posted_id(post(c, body=body, email='autre.%d@exemple.example' %
                       time.time()))
        self.assertTrue(cid)

    def test_the_same_form_sent_twice_goes_to_the_comment(self):
        c = Client()
        f = comment_form(form_page(c))
        f.update(author='Camille', email=KNOWN, body=unique())
        first = send(c, f)
        again = send(c, f)
        self.assertEqual(again.status, 303)
        self.assertEqual(again.header('location'), first.header('location'))
        self.assertEqual(count("body = %s" % esc(f['body'])), 1)
        # the same form with another text: already used
        f['body'] = unique()
        r = send(c, f)
        self.assertEqual(r.status, 400)
        self.assertIn('déjà été envoyé', r.text)
        self.assertEqual(field_value(r, 'body'), f['body'])

    def test_a_form_sent_again_gives_no_hold_on_someone_elses_comment(self):
        # Someone's comment; another visitor who knows its text and email
        # sends it again with a form of theirs already used.
        victim = Client()
        email = 'victime.%d@exemple.example' % (time.time() * 1000)
        body = unique('Mon commentaire à moi')
        vid = posted_id(post(victim, email=email, body=body))
        c = Client()
        f = comment_form(form_page(c))
        f.update(author='Camille', email=KNOWN, body=unique())
        posted_id(send(c, f))
        f.update(author='Camille', email=email, body=body)
        r = send(c, f)
        self.assertNotEqual(r.status, 303, r.header('location'))
        self.assertEqual(c.get('/aparte/comments/edit?id=%d' % vid).status,
                         403)
        self.assertNotIn('/aparte/comments/edit?id=%d' % vid,
                         c.get(FRAG % PAGE).text)
        self.assertEqual(count("body = %s" % esc(body)), 1)

    def test_too_many_links_are_held(self):
        body = ('Trois liens : https://a.example/ https://b.example/ et '
                'www.c.example ' + unique())
        cid = posted_id(post(Client(), body=body))
        d = row(cid)
        self.assertEqual(d['status'], 'pending')
        self.assertIn('3 liens (plus de 2)', d['reasons'])
        cid = posted_id(post(Client(), body='Deux liens https://a.example/ '
                             'https://b.example/ ' + unique()))
        self.assertEqual(row(cid)['status'], 'approved')

    def test_word_lists_hold_and_refuse(self):
        admin('comments', 'words', 'refuse', 'Crédit Rapide')
        admin('comments', 'words', 'hold', 'casino')
        try:
            c = Client()
            body = 'Un CREDIT rapide pour vous ' + unique()
            before = count('1')
            r = post(c, body=body)
            self.assertEqual(r.status, 422)
            self.assertIn(fr('« Crédit Rapide », que ce site n’accepte pas'),
                          field_error(r, 'body'))
            self.assertEqual(field_value(r, 'body'), body)
            self.assertEqual(count('1'), before)
            # in the name too
            r = post(c, author='crédit rapide', body=unique())
            self.assertEqual(r.status, 422)
            cid = posted_id(post(c, body='Le Casino du coin ' + unique()))
            d = row(cid)
            self.assertEqual(d['status'], 'pending')
            self.assertIn(fr('mot à modérer : « casino »'), d['reasons'])
        finally:
            admin('comments', 'words', 'remove', 'Crédit Rapide', 'casino')
        cid = posted_id(post(Client(), body='Le casino, encore ' + unique()))
        self.assertEqual(row(cid)['status'], 'approved')

    def test_closed_page_takes_no_comment(self):
        page = '/tests/fermee-%d' % (time.time() * 1000)
        c = Client()
        f = comment_form(form_page(c, page))
        admin('comments', 'page', page, '--title', 'Page fermée', '--close')
        r = c.get(FRAG % page)
        self.assertIn('Les commentaires sont fermés', r.text)
        self.assertNotIn('<form', r.text)
        f.update(author='Camille', email=KNOWN, body=unique())
        r = send(c, f)
        self.assertEqual(r.status, 403)
        self.assertIn('fermés', r.text)
        self.assertEqual(count("page = %s" % esc(page)), 0)
        admin('comments', 'page', page, '--open')
        self.assertIn('<form', Client().get(FRAG % page).text)

    def test_pages_outside_the_setting_are_refused(self):
        # the test site takes comments below /blog/, /tests/ ... only
        r = Client().get(FRAG % '/ailleurs/page')
        self.assertEqual(r.status, 404)
        self.assertIn('ne reçoit pas de commentaires', r.text)
        self.assertEqual(Client().get('/aparte/comments/feed?page=/ailleurs/'
                                      'page').status, 400)
        c = Client()
        f = comment_form(form_page(c))
        body = unique()
        f.update(page='/ailleurs/page', author='Camille', email=KNOWN,
                 body=body)
        r = send(c, f)
        self.assertEqual(r.status, 400)
        self.assertEqual(field_value(r, 'body'), body)
        self.assertEqual(count("page = '/ailleurs/page'"), 0)


class RememberTest(unittest.TestCase):

    def test_name_email_website_remembered_with_consent(self):
        c = Client()
        posted_id(post(c, author='Élise Mémoire', url='https://elise.example/',
                       remember=True))
        r = c.get(FRAG % PAGE)
        self.assertEqual(field_value(r, 'author'), 'Élise Mémoire')
        self.assertEqual(field_value(r, 'email'), KNOWN)
        self.assertEqual(field_value(r, 'url'), 'https://elise.example/')
        self.assertRegex(r.text, r'id="cf-remember" name="remember" value="1" '
                         r'checked="checked"')
        # unticked: forgotten
        posted_id(post(c, author='Élise Mémoire'))
        self.assertNotIn('aparte_commenter', c.cookies)
        self.assertEqual(field_value(c.get(FRAG % PAGE), 'author'), '')

    def test_no_consent_no_cookie(self):
        c = Client()
        posted_id(post(c))
        self.assertNotIn('aparte_commenter', c.cookies)


class EditTest(unittest.TestCase):

    def test_author_edits_within_the_window(self):
        c = Client()
        cid = posted_id(post(c, body=unique('Premier jet')))
        frag = c.get(FRAG % PAGE).text
        self.assertIn('/aparte/comments/edit?id=%d' % cid, frag)
        self.assertIn('(encore 15 minutes)', frag)
        self.assertNotIn('/aparte/comments/edit?id=%d' % cid,
                         Client().get(FRAG % PAGE).text)
        r = c.get('/aparte/comments/edit?id=%d&return=%s' % (cid, PAGE))
        self.assertEqual(r.status, 200)
        save_page('comments-edit', r)
        fields = c.form_fields(r, 0)
        new = unique('Texte corrigé')
        fields.update(author='Camille Corrigée', url='', body=new)
        r = c.post('/aparte/comments/edit', fields)
        self.assertEqual(r.status, 303)
        self.assertEqual(r.header('location'), '%s#comment-%d' % (PAGE, cid))
        d = row(cid, 'body, author, edited, status')
        self.assertEqual(d['body'], new)
        self.assertEqual(d['author'], 'Camille Corrigée')
        self.assertIsNotNone(d['edited'])
        page = Client().get(FRAG % PAGE).text
        self.assertIn(new, page)
        self.assertIn('(modifié)', page)

    def test_edit_errors_keep_the_text(self):
        c = Client()
        cid = posted_id(post(c))
        r = c.get('/aparte/comments/edit?id=%d' % cid)
        fields = c.form_fields(r, 0)
        fields.update(author='', body='x', url='javascript:x')
        r = c.post('/aparte/comments/edit', fields)
        self.assertEqual(r.status, 422)
        self.assertIsNotNone(field_error(r, 'author'))
        self.assertIsNotNone(field_error(r, 'url'))
        self.assertEqual(field_value(r, 'body'), 'x')

    def test_others_and_latecomers_cannot_edit(self):
        c = Client()
        cid = posted_id(post(c))
        r = Client().get('/aparte/comments/edit?id=%d' % cid)
        self.assertEqual(r.status, 403)
        self.assertIn('propres commentaires', r.text)
        save_page('comments-edit-refused', r)
        fields = c.form_fields(c.get('/aparte/comments/edit?id=%d' % cid), 0)
        sql('UPDATE comments SET created = created - 901 WHERE id = %d' % cid)
        r = c.get('/aparte/comments/edit?id=%d' % cid)
        self.assertEqual(r.status, 403)
        self.assertIn('ce délai est passé', r.text)
        fields['body'] = unique()
        r = c.post('/aparte/comments/edit', fields)
        self.assertEqual(r.status, 403)
        self.assertNotEqual(row(cid)['body'], fields['body'])
        self.assertNotIn('/aparte/comments/edit?id=%d' % cid,
                         c.get(FRAG % PAGE).text)

    def test_a_form_token_of_ones_own_opens_no_one_elses_comment(self):
        victim = Client()
        vid = posted_id(post(victim))
        body = row(vid)['body']
        c = Client()
        mine = posted_id(post(c))
        r = c.get('/aparte/comments/edit?id=%d' % mine)
        edit, delete = c.form_fields(r, 0), c.form_fields(r, 1)
        edit.update(id=str(vid), author='Pris', url='', body=unique('Pris'))
        r = c.post('/aparte/comments/edit', edit)
        self.assertEqual(r.status, 403)
        self.assertIn('propres commentaires', r.text)
        delete['id'] = str(vid)
        self.assertEqual(c.post('/aparte/comments/delete', delete).status, 403)
        self.assertEqual(row(vid)['body'], body)
        # the same tokens were good for the visitor's own comment
        r = c.get('/aparte/comments/edit?id=%d' % mine)
        delete = c.form_fields(r, 1)
        self.assertEqual(c.post('/aparte/comments/delete', delete).status, 303)
        self.assertIsNone(row(mine))

    def test_a_latecomer_cannot_delete(self):
        c = Client()
        cid = posted_id(post(c))
        fields = c.form_fields(c.get('/aparte/comments/edit?id=%d' % cid), 1)
        sql('UPDATE comments SET created = created - 901 WHERE id = %d' % cid)
        r = c.post('/aparte/comments/delete', fields)
        self.assertEqual(r.status, 403)
        self.assertIn('ce délai est passé', r.text)
        self.assertEqual(row(cid)['status'], 'approved')

    def test_edit_that_adds_links_is_held_again(self):
        c = Client()
        cid = posted_id(post(c))
        self.assertEqual(row(cid)['status'], 'approved')
        fields = c.form_fields(c.get('/aparte/comments/edit?id=%d' % cid), 0)
        fields.update(author='Camille', body='Achetez https://a.example '
                      'https://b.example https://c.example ' + unique())
        self.assertEqual(c.post('/aparte/comments/edit', fields).status, 303)
        d = row(cid)
        self.assertEqual(d['status'], 'pending')
        self.assertIn('3 liens', d['reasons'])
        self.assertNotIn('comment-%d"' % cid, Client().get(FRAG % PAGE).text)

    def test_author_deletes(self):
        c = Client()
        cid = posted_id(post(c))
        r = c.get('/aparte/comments/edit?id=%d' % cid)
        fields = c.form_fields(r, 1)
        r = c.post('/aparte/comments/delete', fields)
        self.assertEqual(r.status, 303)
        self.assertIsNone(row(cid))
        self.assertNotIn('comment-%d"' % cid, Client().get(FRAG % PAGE).text)

    def test_delete_with_replies_keeps_the_thread(self):
        c = Client()
        cid = posted_id(post(c))
        reply = posted_id(post(Client(), parent=cid))
        fields = c.form_fields(c.get('/aparte/comments/edit?id=%d' % cid), 1)
        self.assertEqual(c.post('/aparte/comments/delete', fields).status, 303)
        d = row(cid, 'status, author, email, body')
        self.assertEqual(d, {'status': 'trash', 'author': '', 'email': '',
                             'body': ''})
        t = parse(Client(accept='application/xhtml+xml').get(FULL % PAGE))
        gone = by_id(t, 'comment-%d' % cid)
        self.assertIn('Ce commentaire n’est plus affiché', text_of(gone))
        self.assertIsNotNone(by_id(gone, 'comment-%d' % reply))


if __name__ == '__main__':
    unittest.main()
