"""What the tests of the comments plugin share: the demo article, posting
a comment the way a browser does (fetch the form, fill it, send it), and
reading the database."""
import html
import itertools
import re
import time
import urllib.parse
import xml.etree.ElementTree as ET

import harness
from harness import Client

PAGE = '/blog/partager-son-temps'
FRAG = '/aparte/comments?page=%s&fragment=1'
FULL = '/aparte/comments?page=%s'
XHTML = '{http://www.w3.org/1999/xhtml}'
# an email with an approved comment in the demo: not held as a first one
KNOWN = 'claire.moreau-vidal@cabinet-moreau.example'

_n = itertools.count(1)


def unique(text='Un commentaire de test'):
    """A text no other test sends (duplicates are refused)."""
    return '%s, numéro %d-%d.' % (text, int(time.time() * 1000) % 100000000,
                                   next(_n))


def sql(statement):
    return harness.stack.sql(statement)


def one(statement):
    rows = sql(statement)
    return rows[0][0] if rows else None


def esc(s):
    return "'" + s.replace('\\', '\\\\').replace("'", "\\'") + "'"


def row(cid, cols='status, page, parent_id, root_id, author, email, url, '
        'body, ip, verdict, score, reasons, notify'):
    names = [c.strip() for c in cols.split(',')]
    rows = sql('SELECT %s FROM comments WHERE id = %d' % (cols, cid))
    return dict(zip(names, rows[0])) if rows else None


def form_page(c, page=PAGE, fragment=True, extra=''):
    r = c.get((FRAG if fragment else FULL) % urllib.parse.quote(page, safe='/')
              + extra)
    assert r.status == 200, (r.status, r.text[:500])
    return r


def comment_form(resp):
    """The hidden fields of the comment form of a page."""
    forms = re.findall(r'<form\b[^>]*class="comment-form".*?</form>', resp.text,
                       re.S)
    assert forms, 'no comment form in the page'
    out = {}
    for m in re.finditer(r'<input\b[^>]*>', forms[0]):
        tag = m.group(0)
        if 'type="hidden"' not in tag:
            continue
        n = re.search(r'name="([^"]*)"', tag)
        v = re.search(r'value="([^"]*)"', tag)
        if n:
            out[html.unescape(n.group(1))] = html.unescape(
                v.group(1) if v else '')
    return out


def post(c, page=PAGE, parent=None, author='Camille Test', email=KNOWN,
         body=None, url='', remember=False, notify=False, fields=None,
         fragment=True, flood_retry=True, headers=None):
    """Posts a comment as a browser would: the form first, then the POST.
    A 429 of the flood control (tests all come from 127.0.0.1) is waited
    out unless flood_retry is False.  Returns the response."""
    for attempt in range(8):
        r = form_page(c, page, fragment, '&reply=%d' % parent if parent
                      else '')
        f = comment_form(r)
        f.update(author=author, email=email, url=url,
                 body=body if body is not None else unique())
        if parent:
            f['parent'] = str(parent)
        if remember:
            f['remember'] = '1'
        if notify:
            f['notify'] = '1'
        f.update(fields or {})
        resp = c.post('/aparte/comments', f, headers=headers)
        if resp.status != 429 or not flood_retry:
            return resp
        time.sleep(1.05)
    return resp


def posted_id(resp):
    """The comment id of a redirect to a permalink."""
    assert resp.status == 303, (resp.status, resp.text[:2000])
    m = re.search(r'#comment-(\d+)$', resp.header('location'))
    assert m, resp.header('location')
    return int(m.group(1))


def parse(resp):
    """A page or fragment as an element tree (the markup is XML)."""
    text = resp.text
    if text.startswith('<!DOCTYPE'):
        text = text[text.index('>') + 1:]
    return ET.fromstring(text)


def by_id(tree, ident):
    for el in tree.iter():
        if el.get('id') == ident:
            return el
    return None


def text_of(el):
    return ''.join(el.itertext()) if el is not None else ''


def admin(*args, check=True):
    return harness.stack.admin(*args, check=check)


def field_error(resp, name):
    """The error message shown next to field `name`, or None."""
    m = re.search(r'<p class="error" id="cf-%s-err">([^<]*)</p>' % name,
                  resp.text)
    return html.unescape(m.group(1)) if m else None


def field_value(resp, name):
    """What the re-shown form holds in field `name`."""
    if name == 'body':
        m = re.search(r'<textarea id="cf-body"[^>]*>(.*?)</textarea>',
                      resp.text, re.S)
        return html.unescape(m.group(1)) if m else None
    m = re.search(r'<input [^>]*id="cf-%s"[^>]*value="([^"]*)"' % name,
                  resp.text)
    return html.unescape(m.group(1)) if m else None


def count(where):
    return int(one('SELECT COUNT(*) FROM comments WHERE ' + where))


def new_client(**kw):
    return Client(**kw)


def send(c, fields, headers=None):
    """Posts a filled form as it is; a 429 of the flood control is waited
    out (the form's token is not spent by a 429)."""
    for attempt in range(8):
        r = c.post('/aparte/comments', fields, headers=headers)
        if r.status != 429:
            return r
        time.sleep(1.05)
    return r


def wait_for_plugin():
    """Until every worker knows the plugin is on (the demo content enables
    it just before the tests: workers learn it within a second)."""
    ok = harness.wait_until(lambda: all(
        Client().get(FRAG % PAGE).status == 200 for _ in range(20)), 5)
    assert ok, 'the comments plugin does not answer'


# Spam filters the site has besides the test one (tests/plugins/judge.c):
# these tests check the plugin's own rules (what applies when no filter
# judges) and the hooks' contract through the test filter, so the others
# are switched off while they run (their own tests cover them, comments
# included).
FILTERS = ('antispam',)
_switched_off = []


def filters_off():
    out = admin('plugin', 'list').stdout.splitlines()[1:]
    for line in out:
        f = line.split()
        if len(f) >= 2 and f[0] in FILTERS and f[1] == 'enabled':
            if admin('plugin', 'disable', f[0], check=False).returncode == 0:
                _switched_off.append(f[0])
    if _switched_off:
        time.sleep(1.2)        # every worker sees it within a second
    wait_for_plugin()


def filters_on():
    while _switched_off:
        admin('plugin', 'enable', _switched_off.pop(), check=False)
        time.sleep(1.2)
