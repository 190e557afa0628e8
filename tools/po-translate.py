#!/usr/bin/env python3
"""Merge English translations into po/en.po.

Usage: tools/po-translate.py TRANSLATIONS.py

Reads po/aparte.pot (made by `make update-po` or xgettext) and a Python
file holding a dict EN = {msgid: msgstr, ...} (for plurals, msgid: (sing,
plur)), and writes po/en.po with every entry of the template, keeping the
translations already in po/en.po.  A maintainer's helper: the translations
themselves are written by hand.
"""
import re
import sys

def parse_po(path):
    entries = []
    cur = {}
    key = None
    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.rstrip('\n')
            if not line.strip():
                if cur:
                    entries.append(cur)
                cur, key = {}, None
                continue
            if line.startswith('#'):
                cur.setdefault('comments', []).append(line)
                continue
            m = re.match(r'(msgid|msgid_plural|msgstr(?:\[\d\])?|msgctxt) "(.*)"$', line)
            if m:
                key = m.group(1)
                cur[key] = m.group(2)
            elif line.startswith('"') and key:
                cur[key] += line[1:-1]
    if cur:
        entries.append(cur)
    return entries

def unescape(s):
    return s.encode('latin-1', 'backslashreplace').decode('unicode_escape').encode('latin-1').decode('utf-8') if '\\' in s else s

def escape(s):
    return s.replace('\\', '\\\\').replace('"', '\\"').replace('\n', '\\n')

def main():
    pot = parse_po('po/aparte.pot')
    old = {}
    try:
        for e in parse_po('po/en.po'):
            if e.get('msgid'):
                old[e['msgid']] = e
    except FileNotFoundError:
        pass
    extra = {}
    if len(sys.argv) > 1:
        ns = {}
        exec(open(sys.argv[1], encoding='utf-8').read(), ns)
        extra = ns['EN']
    out = ['# English translation of Aparté.', 'msgid ""', 'msgstr ""',
           '"Project-Id-Version: aparte\\n"',
           '"PO-Revision-Date: 2026-11-27 00:00+0000\\n"',
           '"Last-Translator: Aparté developers\\n"',
           '"Language-Team: English\\n"',
           '"MIME-Version: 1.0\\n"',
           '"Content-Type: text/plain; charset=UTF-8\\n"',
           '"Content-Transfer-Encoding: 8bit\\n"',
           '"Language: en\\n"',
           '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"', '']
    missing = []
    for e in pot:
        mid = e.get('msgid')
        if not mid:
            continue
        raw = unescape(mid)
        for c in e.get('comments', []):
            if c.startswith('#.') or c.startswith('#,'):
                out.append(c)
        out.append('msgid "%s"' % mid)
        if 'msgid_plural' in e:
            out.append('msgid_plural "%s"' % e['msgid_plural'])
            t = extra.get(raw)
            if t is None and mid in old and old[mid].get('msgstr[0]'):
                out.append('msgstr[0] "%s"' % old[mid]['msgstr[0]'])
                out.append('msgstr[1] "%s"' % old[mid].get('msgstr[1]', ''))
            elif t is not None:
                out.append('msgstr[0] "%s"' % escape(t[0]))
                out.append('msgstr[1] "%s"' % escape(t[1]))
            else:
                missing.append(raw)
                out.append('msgstr[0] ""')
                out.append('msgstr[1] ""')
        else:
            t = extra.get(raw)
            if t is None and mid in old and old[mid].get('msgstr'):
                out.append('msgstr "%s"' % old[mid]['msgstr'])
            elif t is not None:
                out.append('msgstr "%s"' % escape(t))
            else:
                missing.append(raw)
                out.append('msgstr ""')
        out.append('')
    with open('po/en.po', 'w', encoding='utf-8') as f:
        f.write('\n'.join(out))
    for m in missing:
        print('untranslated:', m)
    return 1 if missing else 0

if __name__ == '__main__':
    sys.exit(main())
