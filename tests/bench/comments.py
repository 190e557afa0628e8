"""Benchmark scenarios of the comments plugin (run by tools/bench):

- comments-page: the backend's page of an article with 200 approved
  comments (threaded, a few paragraphs each), beside nginx serving the
  same bytes as a static file;
- comments-fragment: the same discussion as the fragment a static page
  includes (SSI or the embed script);
- comments-post: posting comments as fast as wrk sends them, each a form
  the site showed (its tokens, the spam filter's fields) filled by another
  reader with a comment already published: each goes through the filters
  and is published (the longest path, the page's version bumped).

The forms are fetched from the site beforehand, as many as wrk will send
(each with its own tokens, the spam filter's included, and its own text):
what a visitor's browser would send, for every plugin installed."""
import html
import http.client
import itertools
import os
import random
import re
import subprocess
import threading
import time
import urllib.parse

PAGE = '/bench/article'
POST_PAGE = '/bench/posts'
FORMS = 80000

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
    sql.append("INSERT INTO ap_counters (name, value) VALUES (%s, 1) ON "
               "DUPLICATE KEY UPDATE value = value + 1;" % _q('comments ' + PAGE))
    # through the standard input: too long for a command line
    subprocess.run(['mariadb', '--no-defaults', '-S', st.db_sock, '-u', 'root',
                    'aparte'], input='\n'.join(sql), text=True, check=True)


def _fetch_forms(st, n, threads=16):
    """n comment forms as the site shows them (its token, and the fields
    the spam filter adds), each one filled with its own text: the bodies
    of n POSTs, in the order they were shown."""
    host, port = '127.0.0.1', st.port
    path = '/aparte/comments?page=%s&fragment=1' % POST_PAGE
    out = [None] * n
    counter = itertools.count()

    def work():
        conn = http.client.HTTPConnection(host, port, timeout=30)
        rnd = random.Random()
        while True:
            i = next(counter)
            if i >= n:
                break
            conn.request('GET', path)
            page = conn.getresponse().read().decode('utf-8')
            form = re.search(r'<form .*?class="comment-form".*?</form>',
                             page, re.S).group(0)
            f = {html.unescape(k): html.unescape(v) for k, v in re.findall(
                r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)}
            f.update(author='Lecteur %d' % (i + 1),
                     email='lecteur%d@bench.example' % (i + 1),
                     body='Envoi %d : %s' % (i, _sentence(rnd)))
            out[i] = urllib.parse.urlencode(f)
        conn.close()
    ts = [threading.Thread(target=work) for _ in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return out


def prepare_posts(st):
    """A file of distinct filled forms, fetched from the site as a
    browser would, and the wrk script that sends them: each wrk thread
    its own share, each run of wrk (rounds, warm-up) the forms the runs
    before did not use (a form sent twice is only a double click)."""
    # Each form is sent by another reader, who has a comment published
    # already elsewhere (not held as a first comment): many people
    # commenting, not one person flooding.
    subprocess.run(['mariadb', '--no-defaults', '-S', st.db_sock, '-u', 'root',
                    'aparte'], check=True, text=True, input=(
        "INSERT INTO comments (page, root_id, status, status_at, author, "
        "email, body, created) SELECT '/bench/lecteurs', 0, 'approved', "
        "1767225600, CONCAT('Lecteur ', seq), CONCAT('lecteur', seq, "
        "'@bench.example'), 'Déjà publié.', 1767225600 FROM seq_1_to_%d;"
        % FORMS))
    bench = os.path.join(st.run, 'bench')
    os.makedirs(bench, exist_ok=True)
    bodies = os.path.join(bench, 'comment-forms.txt')
    offset = os.path.join(bench, 'comment-forms.offset')
    with open(bodies, 'w') as f:
        for b in _fetch_forms(st, FORMS):
            f.write(b + '\n')
    with open(offset, 'w') as f:
        f.write('0')
    # the spam filter wants a form shown some seconds before it is sent
    time.sleep(3)
    lua = os.path.join(bench, 'comment-post.lua')
    with open(lua, 'w') as f:
        f.write('''-- each wrk thread sends its own share of the prepared forms,
-- starting where the previous run of wrk stopped
local counter = 0
local f = io.open("%(offset)s")
local base = f and tonumber(f:read("*a")) or 0
if f then f:close() end
function setup(thread)
  thread:set("tid", counter)
  thread:set("base", base)
  counter = counter + 1
end
function init(args)
  bodies = {}
  for line in io.lines("%(bodies)s") do bodies[#bodies + 1] = line end
  step = 2
  idx = base + tid + 1
end
function request()
  local b = bodies[idx] or bodies[#bodies]
  idx = idx + step
  return wrk.format("POST", "/aparte/comments",
    {["Content-Type"] = "application/x-www-form-urlencoded"}, b)
end
function done(summary, latency, requests)
  local o = io.open("%(offset)s", "w")
  o:write(tostring(base + summary.requests + 64))
  o:close()
end
''' % {'offset': offset, 'bodies': bodies})
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
