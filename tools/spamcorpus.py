"""The SpamAssassin public corpus turned into comment-like texts, for
tools/bench-spam: message bodies only (transfer encodings decoded, HTML
turned into text, quoted replies, signatures and mailing-list footers
cut, since comments have none), empty bodies and near-duplicates
dropped, split 70/30 by a stable hash of the file name.

Python's standard library only."""
import email
import email.policy
import hashlib
import html.parser
import os
import re
import zlib

GROUPS = {'easy-ham-1': 'ham', 'easy-ham-2': 'ham', 'hard-ham-1': 'ham',
          'spam-1': 'spam', 'spam-2': 'spam'}


class _Text(html.parser.HTMLParser):
    """HTML to plain text: block elements end lines, links keep their
    target after the anchor text (as a comment would show it), scripts
    and styles are dropped."""

    BLOCK = {'p', 'div', 'br', 'tr', 'li', 'h1', 'h2', 'h3', 'h4', 'h5',
             'h6', 'table', 'blockquote', 'pre', 'hr', 'ul', 'ol', 'dl',
             'dt', 'dd', 'center', 'form', 'title'}
    SKIP = {'script', 'style', 'head', 'xml'}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out = []
        self.skip = 0
        self.href = []

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skip += 1
        elif tag in self.BLOCK:
            self.out.append('\n')
        if tag == 'a':
            h = dict(attrs).get('href') or ''
            self.href.append(h if re.match(r'(?i)https?://', h) else '')
        elif tag == 'img':
            alt = dict(attrs).get('alt')
            if alt and not self.skip:
                self.out.append(' %s ' % alt)

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in self.BLOCK:
            self.out.append('\n')
        if tag == 'a' and self.href:
            h = self.href.pop()
            if h and not self.skip:
                self.out.append(' %s ' % h)

    def handle_data(self, data):
        if not self.skip:
            self.out.append(data)

    def text(self):
        return ''.join(self.out)


def html_to_text(s):
    p = _Text()
    try:
        p.feed(s)
        p.close()
    except Exception:
        pass
    return p.text()


def _decode(part):
    raw = part.get_payload(decode=True)
    if raw is None:
        p = part.get_payload()
        return p if isinstance(p, str) else ''
    cs = part.get_content_charset() or 'latin-1'
    try:
        return raw.decode(cs, errors='replace')
    except LookupError:
        return raw.decode('latin-1', errors='replace')


def body_text(raw):
    """The readable text of a raw message: text/plain parts, else the
    text of its text/html parts; attachments ignored."""
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    plain, htm = [], []
    for part in msg.walk():
        if part.is_multipart():
            continue
        disp = (part.get('Content-Disposition') or '').lower()
        if disp.startswith('attachment'):
            continue
        ct = part.get_content_type()
        if ct == 'text/plain':
            plain.append(_decode(part))
        elif ct == 'text/html':
            htm.append(html_to_text(_decode(part)))
    text = '\n'.join(plain) if plain else '\n'.join(htm)
    # A text/plain part that is HTML all the same (common in spam).
    if re.search(r'(?i)<(html|body|p|br|font|a href|table)\b', text):
        text = html_to_text(text)
    return text


_SEPARATOR = re.compile(r'^([-_=~]{10,}.*|-- ?)$')
_LIST_WORDS = re.compile(
    r'(?i)mailing list|listinfo|(un)?subscri|list maintainer|groups sponsor|'
    r'archives?\b|list-?master|sponsored by|yahoo! groups|/listinfo/')
_LIST_TAIL = re.compile(
    r'(?i)/listinfo/|unsubscribe from this group|yahoo! groups|'
    r'mailing list|sponsored by|subscription information|list maintainer')
_ORIGINAL = re.compile(r'(?i)^-{3,} ?(original message|forwarded message)')
_ATTRIB = re.compile(r'(wrote|writes|said|a écrit)\s*:\s*$', re.I)


def strip_mail_clues(text):
    """Cuts what a comment never has: quoted replies and their
    attribution lines, the message a reply forwards, signatures (after
    "-- "), and mailing-list footers (a separator line followed by a few
    lines about the list).  Applied to ham and spam alike."""
    lines = text.replace('\r\n', '\n').replace('\r', '\n').split('\n')
    end = len(lines)
    for i, line in enumerate(lines):
        s = line.strip()
        if _ORIGINAL.match(s) and i > 0:
            end = i
            break
    lines = lines[:end]
    # From the end: a footer is a separator with list words after it.
    i = len(lines) - 1
    while i >= 0:
        s = lines[i].strip()
        if _SEPARATOR.match(s) and len(lines) - i <= 15:
            tail = '\n'.join(lines[i + 1:])
            if s.startswith('--') and len(s) <= 3 or _LIST_WORDS.search(tail):
                lines = lines[:i]
        i -= 1
    # The list's own last paragraphs, without a separator.
    while True:
        while lines and not lines[-1].strip():
            lines.pop()
        k = len(lines)
        while k > 0 and lines[k - 1].strip():
            k -= 1
        para = '\n'.join(lines[k:])
        if not lines or len(lines) - k > 4 or not _LIST_TAIL.search(para):
            break
        del lines[k:]
    out = []
    for line in lines:
        s = line.strip()
        if s.startswith('>') or s.startswith('|>'):
            continue
        if _ATTRIB.search(s) and len(s) < 160:
            continue
        out.append(line.rstrip())
    text = '\n'.join(out).replace('\x00', '')
    text = re.sub(r'[ \t\u00a0]+', ' ', text)
    text = re.sub(r'\n[ \n]*\n', '\n\n', text)
    return text.strip()


def _sketch(text, k=32):
    """Bottom-k sketch of the word 4-shingles (for near-duplicates)."""
    words = re.findall(r'[a-z]{2,}', text.lower())
    if len(words) < 4:
        return None, frozenset(words)
    hs = set()
    for i in range(len(words) - 3):
        hs.add(zlib.crc32(' '.join(words[i:i + 4]).encode()))
    return tuple(sorted(hs)[:k]), None


def stable_train(name):
    """True when the file belongs to the 70% used for training."""
    return int(hashlib.sha1(name.encode()).hexdigest()[:8], 16) % 100 < 70


def load(corpus_dir, min_chars=20):
    """[(name, label, text)] of the corpus, sorted by name, without empty
    bodies and near-duplicates (the first by name is kept).  Also
    returns what was dropped, for the report."""
    items = []
    for g, label in sorted(GROUPS.items()):
        d = os.path.join(corpus_dir, g)
        for f in sorted(os.listdir(d)):
            if not f.endswith('.txt'):
                continue
            with open(os.path.join(d, f), 'rb') as fh:
                raw = fh.read()
            text = strip_mail_clues(body_text(raw))
            items.append(('%s/%s' % (g, f[:-4]), label, text))
    kept, empty, dups = [], 0, 0
    index = {}        # sketch value -> indexes in kept
    seen_short = set()
    for name, label, text in items:
        if len(re.sub(r'\s', '', text)) < min_chars:
            empty += 1
            continue
        sk, short = _sketch(text)
        if sk is None:
            key = ' '.join(sorted(short))
            if key in seen_short:
                dups += 1
                continue
            seen_short.add(key)
            kept.append((name, label, text))
            continue
        votes = {}
        for v in sk:
            for j in index.get(v, ()):
                votes[j] = votes.get(j, 0) + 1
        # Two sketches sharing most of their smallest values: the texts
        # share most of their shingles (Jaccard estimate >= ~0.8).
        if any(n >= max(4, len(sk) * 8 // 10) for n in votes.values()):
            dups += 1
            continue
        for v in sk:
            index.setdefault(v, []).append(len(kept))
        kept.append((name, label, text))
    return kept, {'read': len(items), 'empty': empty, 'near_duplicates': dups}


def write(items, out_dir, cut=None):
    """Writes each text to OUT/{train,test}/{ham,spam}/NAME.txt (cut to
    its first `cut` characters when given).  Returns {(part, label):
    [paths]}."""
    lists = {}
    for name, label, text in items:
        part = 'train' if stable_train(name) else 'test'
        d = os.path.join(out_dir, part, label)
        os.makedirs(d, exist_ok=True)
        p = os.path.join(d, name.replace('/', '_') + '.txt')
        with open(p, 'w', encoding='utf-8') as f:
            f.write(text[:cut] if cut else text)
        lists.setdefault((part, label), []).append(p)
    return lists
