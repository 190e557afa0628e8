"""Benchmark scenarios of the comments plugin (run by tools/bench):

- comments-page: the backend's page of an article with 200 approved
  comments (threaded, a few paragraphs each), beside nginx serving the
  same bytes as a static file;
- comments-fragment: the same discussion as the fragment a static page
  includes (SSI or the embed script);
- comments-post: posting comments, each with its own form token and its
  own text, as fast as wrk sends them (each one published: the longest
  path, with the page's version bumped).

The form tokens are signed here with the bench site's secret, as the
site signs them (cgi-bin/token.c), so that wrk can send thousands of
distinct forms without fetching each one first."""
import base64
import hashlib
import os
import random
import subprocess
import urllib.parse

PAGE = '/bench/article'
POST_PAGE = '/bench/posts'
KNOWN = 'lectrice@bench.example'
FORMS = 60000

WORDS = ('temps partagé mission expert entreprise dirigeant semaine jour '
         'confiance projet équipe contrat finance ressources humaines '
         'direction transformation réseau conseil regard durable urgence '
         'périmètre client confidentialité transmission association tarif '
         'forfait engagement rythme décision résultat').split()


def _sentence(rnd):
    n = rnd.randint(8, 18)
    s = ' '.join(rnd.choice(WORDS) for _ in range(n))
    return s[0].upper() + s[1:] + rnd.choice(('.', '.', ' ?', ' !'))


def _body(rnd):
    paras = []
    for _ in range(rnd.randint(1, 3)):
        paras.append(' '.join(_sentence(rnd) for _ in range(rnd.randint(1, 4))))
    if rnd.random() < 0.15:
        paras[-1] += ' Voir https://exemple.example/article-%d.' % rnd.randint(
            1, 999)
    return '\n\n'.join(paras)


def _q(s):
    if s is None:
        return 'NULL'
    return "'" + s.replace('\\', '\\\\').replace("'", "\\'") + "'"


def prepare_page(st):
    """200 approved comments: 120 threads, 80 replies in them."""
    rnd = random.Random(42)
    rows, ids = [], []
    base = 1767225600         # 2026-01-01
    sql = ["INSERT INTO comments_pages (page, title) VALUES (%s, %s);"
           % (_q(PAGE), _q('Un article très commenté'))]
    for i in range(200):
        parent = rnd.choice(ids) if i >= 120 else None
        author = 'Lecteur %d %s' % (i, rnd.choice(WORDS).capitalize())
        url = 'https://site-%d.example/' % i if rnd.random() < 0.3 else None
        sql.append(
            "INSERT INTO comments (page, parent_id, root_id, status, status_at, "
            "author, email, url, body, created) VALUES (%s, %s, %s, "
            "'approved', %d, %s, %s, %s, %s, %d);" % (
                _q(PAGE), '@c%d' % parent if parent is not None else 'NULL',
                '@r%d' % parent if parent is not None else '0', base + i * 3600,
                _q(author), _q('lecteur%d@bench.example' % i), _q(url),
                _q(_body(rnd)), base + i * 3600))
        sql.append('SET @c%d = LAST_INSERT_ID();' % i)
        if parent is None:
            sql.append('SET @r%d = @c%d;' % (i, i))
            sql.append('UPDATE comments SET root_id = id WHERE id = @c%d;' % i)
        else:
            sql.append('SET @r%d = @r%d;' % (i, parent))
        ids.append(i)
    # the reader whose comments are published at once (see comments-post)
    sql.append("INSERT INTO comments (page, root_id, status, status_at, "
               "author, email, body, created) VALUES (%s, 0, 'approved', %d, "
               "'Lectrice', %s, 'Déjà publiée.', %d);" % (
                   _q(POST_PAGE), base, _q(KNOWN), base))
    sql.append("INSERT INTO ap_counters (name, value) VALUES (%s, 1) ON "
               "DUPLICATE KEY UPDATE value = value + 1;" % _q('comments ' + PAGE))
    # through the standard input: too long for a command line
    subprocess.run(['mariadb', '--no-defaults', '-S', st.db_sock, '-u', 'root',
                    'aparte'], input='\n'.join(sql), text=True, check=True)


def _b64(b):
    return base64.urlsafe_b64encode(b).rstrip(b'=').decode()


def _token(secret, purpose, payload, ts):
    key = hashlib.blake2b(purpose.encode(), digest_size=32, key=secret).digest()
    pb = _b64(payload.encode())
    mac = hashlib.blake2b(('%d.%s' % (ts, pb)).encode(), digest_size=32,
                          key=key).digest()
    return '%d.%s.%s' % (ts, pb, _b64(mac))


def prepare_posts(st):
    """A file of distinct form bodies, and the wrk script that sends them
    (each wrk thread its own share, none twice)."""
    import time
    secret = bytes.fromhex(open(os.path.join(st.run, 'secret')).read().strip())
    ts = int(time.time())
    bench = os.path.join(st.run, 'bench')
    os.makedirs(bench, exist_ok=True)
    bodies = os.path.join(bench, 'comment-forms.txt')
    rnd = random.Random(7)
    with open(bodies, 'w') as f:
        for i in range(FORMS):
            tok = _token(secret, 'comments.form', '%s\nbench%06d' % (POST_PAGE, i),
                         ts)
            f.write(urllib.parse.urlencode({
                'page': POST_PAGE, 'return': POST_PAGE, '_ctok': tok,
                'author': 'Lectrice', 'email': KNOWN,
                'body': 'Envoi %d : %s' % (i, _sentence(rnd))}) + '\n')
    lua = os.path.join(bench, 'comment-post.lua')
    with open(lua, 'w') as f:
        f.write('''-- each wrk thread sends its own share of the prepared forms
local counter = 0
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end
function init(args)
  bodies = {}
  for line in io.lines("%s") do bodies[#bodies + 1] = line end
  step = 2
  idx = tid + 1
end
function request()
  local b = bodies[idx]
  idx = idx + step
  if idx > #bodies then idx = tid + 1 end
  return wrk.format("POST", "/aparte/comments",
    {["Content-Type"] = "application/x-www-form-urlencoded"}, b)
end
''' % bodies)
    return lua


def scenarios(st):
    post = Scenario('comments-post', '/aparte/comments', method='POST',
                    static=False)

    def prep(st):
        post.lua = prepare_posts(st)
    post.prepare = prep
    return [
        Scenario('comments-page', '/aparte/comments?page=' + PAGE,
                 prepare=prepare_page),
        # what a static page includes through SSI
        Scenario('comments-fragment', '/aparte/comments?page=' + PAGE +
                 '&fragment=1'),
        post,
    ]
