/*
 * view.c: the thread of a page.  A view holds what every visitor of the
 * page may see: its approved comments and, where an approved reply hangs
 * below a comment that is no longer shown, that comment's place.  Views
 * are kept per process (setting cache_size) and stamped with the page's
 * version counter, which every change of a comment of the page bumps in
 * the database: a view is used only while its version is the current
 * one, on every host.  Rendering (threads, depth, paging, the visitor's
 * own held comments) happens per request, through the XHTML writer.
 */
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "comments.h"

/* A page of threads as the writer wrote it, for visitors without their
 * own comments there: replayed as long as the view is current. */
struct view_html {
	struct view_html *next;
	char lang[8];
	long pageno;
	int fragment;
	size_t len;
	char *bytes;
};

struct cm_view {
	struct cm_view *next;
	int refs;              /* guarded by view_lock */
	int cached;            /* in the list */
	unsigned long used;
	size_t bytes;
	char *page;
	long long version;
	long long total;       /* approved comments */
	char *title;
	int closed;
	size_t n;
	struct cm_comment *c;  /* by date */
	struct view_html *html; /* guarded by view_lock */
};

static pthread_mutex_t view_lock = PTHREAD_MUTEX_INITIALIZER;
/* One thread at a time reads a view to keep: the others that missed the
 * same page meanwhile find it kept (eight threads no longer read 200
 * comments each at once, with as many buffers, when a page changes). */
static pthread_mutex_t view_load_lock = PTHREAD_MUTEX_INITIALIZER;
static struct cm_view *view_list;
static size_t view_bytes;
static unsigned long view_tick;

static void
view_free(struct cm_view *v)
{
	while (v->html != NULL) {
		struct view_html *h = v->html;

		v->html = h->next;
		free(h);
	}
	free(v);
}

static void
view_release(void *arg)
{
	struct cm_view *v = arg;
	int gone;

	pthread_mutex_lock(&view_lock);
	gone = --v->refs == 0 && !v->cached;
	pthread_mutex_unlock(&view_lock);
	if (gone)
		view_free(v);
}

/* Takes v out of the list (the lock is held); freed now when nobody
 * uses it, else by its last user. */
static void
view_unlink(struct cm_view *v)
{
	struct cm_view **pp;

	for (pp = &view_list; *pp; pp = &(*pp)->next)
		if (*pp == v) {
			*pp = v->next;
			break;
		}
	v->cached = 0;
	view_bytes -= v->bytes;
	if (v->refs == 0)
		view_free(v);
}

void
cm_view_free_all(void)
{
	pthread_mutex_lock(&view_lock);
	while (view_list != NULL)
		view_unlink(view_list);
	pthread_mutex_unlock(&view_lock);
}

static size_t
view_strsize(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

static char *
view_strcpy(char **at, const char *s)
{
	char *d;
	size_t n;

	if (s == NULL)
		return NULL;
	n = strlen(s) + 1;
	d = *at;
	memcpy(d, s, n);
	*at += n;
	return d;
}

static int
view_cmp(const void *a, const void *b)
{
	const struct cm_comment *x = a, *y = b;

	if (x->created != y->created)
		return x->created < y->created ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* Reads a page's view from the database into one malloc'ed block, owned
 * by the caller (refs 1). */
static int
view_load(struct ap_req *r, const char *page, long long version,
    struct cm_view **out)
{
	struct ap_res *a, *b, *t;
	size_t n, size;
	struct cm_view *v;
	char *at;

	a = ap->query(r, "SELECT id, parent_id, author, url, body, created, "
	    "edited, lang FROM comments WHERE page = ? AND status = 'approved' "
	    "ORDER BY created, id", AP_ARGS(AP_TEXT(page)));
	if (a == NULL)
		return ap->db_error(r);
	b = ap->query(r, "SELECT c.id, c.parent_id, c.status, c.created "
	    "FROM comments c WHERE c.page = ? AND c.status <> 'approved' AND "
	    "EXISTS (SELECT 1 FROM comments ch WHERE ch.parent_id = c.id)",
	    AP_ARGS(AP_TEXT(page)));
	if (b == NULL)
		return ap->db_error(r);
	t = ap->query(r, "SELECT title, closed FROM comments_pages WHERE "
	    "page = ?", AP_ARGS(AP_TEXT(page)));
	if (t == NULL)
		return ap->db_error(r);
	n = ap->rows(a) + ap->rows(b);
	size = sizeof(*v) + n * sizeof(struct cm_comment) +
	    view_strsize(page) + (ap->rows(t) ? view_strsize(ap->cell(t, 0,
	    0)) : 0);
	for (size_t i = 0; i < ap->rows(a); i++)
		size += view_strsize(ap->cell(a, i, 2)) +
		    view_strsize(ap->cell(a, i, 3)) +
		    view_strsize(ap->cell(a, i, 4));
	v = calloc(1, size);
	if (v == NULL) {
		ap->log(AP_LOG_ERR, "comments: out of memory for %zu bytes",
		    size);
		return AP_ERROR;
	}
	v->refs = 1;
	v->bytes = size;
	v->version = version;
	v->total = (long long)ap->rows(a);
	v->n = n;
	v->c = (struct cm_comment *)(v + 1);
	at = (char *)(v->c + n);
	v->page = view_strcpy(&at, page);
	if (ap->rows(t)) {
		v->title = view_strcpy(&at, ap->cell(t, 0, 0));
		v->closed = (int)ap->cell_int(t, 0, 1);
	}
	for (size_t i = 0; i < ap->rows(a); i++) {
		struct cm_comment *c = &v->c[i];

		c->id = ap->cell_int(a, i, 0);
		c->parent = ap->cell_int(a, i, 1);
		c->status = CM_APPROVED;
		c->author = view_strcpy(&at, ap->cell(a, i, 2));
		c->url = view_strcpy(&at, ap->cell(a, i, 3));
		c->body = view_strcpy(&at, ap->cell(a, i, 4));
		c->created = (time_t)ap->cell_int(a, i, 5);
		c->edited = (time_t)ap->cell_int(a, i, 6);
		snprintf(c->lang, sizeof(c->lang), "%s", ap->cell(a, i, 7));
	}
	for (size_t i = 0; i < ap->rows(b); i++) {
		struct cm_comment *c = &v->c[ap->rows(a) + i];
		int st = cm_status_parse(ap->cell(b, i, 2));

		c->id = ap->cell_int(b, i, 0);
		c->parent = ap->cell_int(b, i, 1);
		c->status = st < 0 ? CM_TRASH : (enum cm_status)st;
		c->created = (time_t)ap->cell_int(b, i, 3);
	}
	if (ap->rows(b))
		qsort(v->c, n, sizeof(*v->c), view_cmp);
	*out = v;
	return AP_OK;
}

/* The kept view of page at version, held for this request, or NULL. */
static struct cm_view *
view_kept(struct ap_req *r, const char *page, long long version)
{
	struct cm_view *v;

	pthread_mutex_lock(&view_lock);
	for (v = view_list; v; v = v->next)
		if (strcmp(v->page, page) == 0)
			break;
	if (v == NULL || v->version != version) {
		pthread_mutex_unlock(&view_lock);
		return NULL;
	}
	v->refs++;
	v->used = ++view_tick;
	pthread_mutex_unlock(&view_lock);
	ap->on_cleanup(r, view_release, v);
	return v;
}

/* The view of page for this request (released when the request ends):
 * the cached one while its version is current, else read again. */
int
cm_view_get(struct ap_req *r, const char *page, struct cm_view **out)
{
	long long version = ap->counter(r, cm_counter_name(r, page));
	struct cm_view *v = NULL, *old = NULL;
	int rc;

	if (version < 0)
		return AP_EDB;
	if (cm_conf.cache_size == 0) {
		rc = view_load(r, page, version, &v);
		if (rc == AP_OK) {
			ap->on_cleanup(r, view_release, v);
			*out = v;
		}
		return rc;
	}
	if ((*out = view_kept(r, page, version)) != NULL)
		return AP_OK;
	pthread_mutex_lock(&view_load_lock);
	if ((*out = view_kept(r, page, version)) != NULL) {
		pthread_mutex_unlock(&view_load_lock);
		return AP_OK;
	}
	rc = view_load(r, page, version, &v);
	if (rc != AP_OK) {
		pthread_mutex_unlock(&view_load_lock);
		return rc;
	}
	ap->on_cleanup(r, view_release, v);
	*out = v;
	if (v->bytes > cm_conf.cache_size / 2) {
		pthread_mutex_unlock(&view_load_lock);
		return AP_OK;
	}
	pthread_mutex_lock(&view_lock);
	for (old = view_list; old; old = old->next)
		if (strcmp(old->page, page) == 0)
			break;
	if (old != NULL && old->version > version) {
		/* another thread read a newer one meanwhile */
		pthread_mutex_unlock(&view_lock);
		pthread_mutex_unlock(&view_load_lock);
		return AP_OK;
	}
	if (old != NULL)
		view_unlink(old);
	v->cached = 1;
	v->used = ++view_tick;
	v->next = view_list;
	view_list = v;
	view_bytes += v->bytes;
	while (view_bytes > cm_conf.cache_size) {
		struct cm_view *lru = NULL;

		for (struct cm_view *e = view_list; e; e = e->next)
			if (e != v && (lru == NULL || e->used < lru->used))
				lru = e;
		if (lru == NULL)
			break;
		view_unlink(lru);
	}
	pthread_mutex_unlock(&view_lock);
	pthread_mutex_unlock(&view_load_lock);
	return AP_OK;
}

long long
cm_view_total(const struct cm_view *v)
{
	return v->total;
}

const char *
cm_view_title(const struct cm_view *v)
{
	return v->title;
}

int
cm_view_closed(const struct cm_view *v)
{
	return v->closed;
}

/* Whether comment id's thread is on the first page of threads (the one
 * the site's page includes): fewer than per_page published threads are
 * newer.  A bounded count, whatever the number of threads; threads kept
 * only as the place of a reply are not counted here (the page that
 * locates a comment counts them). */
int
cm_on_first_page(struct ap_req *r, const char *page, long long id, int *first)
{
	struct ap_res *res = ap->query(r, "SELECT t.id, t.created FROM "
	    "comments c JOIN comments t ON t.id = c.root_id WHERE c.id = ?",
	    AP_ARGS(AP_INT(id)));
	time_t created;
	long long rid;

	*first = 1;
	if (res == NULL)
		return ap->db_error(r);
	if (ap->rows(res) == 0)
		return AP_OK;
	rid = ap->cell_int(res, 0, 0);
	created = (time_t)ap->cell_int(res, 0, 1);
	res = ap->query(r,
	    "SELECT COUNT(*) FROM (SELECT 1 FROM comments t WHERE t.page = ? "
	    "AND t.parent_id IS NULL AND t.status = 'approved' AND "
	    "t.created >= ? AND (t.created > ? OR t.id > ?) LIMIT ?) x",
	    AP_ARGS(AP_TEXT(page), AP_INT(created), AP_INT(created),
	    AP_INT(rid), AP_INT(cm_conf.per_page)));
	if (res == NULL)
		return ap->db_error(r);
	*first = ap->cell_int(res, 0, 0) < cm_conf.per_page;
	return AP_OK;
}

/* The backend's page that shows comment id, whatever page of threads it
 * is on (GET /comments?page=KEY&comment=ID). */
char *
cm_locate_url(struct ap_req *r, const char *page, long long id)
{
	return ap->printf(r, "%s&comment=%lld#comment-%lld",
	    cm_page_url(r, page, 0), id, id);
}

/* ---- the text of a comment ---- */

/* One line: its links become <a rel="nofollow ugc">, the rest text. */
static void
view_line(struct ap_req *r, const char *line)
{
	size_t from = 0, st, len;

	while (cm_link_next(line, from, &st, &len)) {
		char *t = ap->strndup(r, line + st, len);
		size_t cap = 3 * len + 9;

		if (st > from)
			ap->text(r, ap->strndup(r, line + from, st - from));
		ap->elem(r, "a", t, "href", cm_link_href(t, ap->alloc(r, cap),
		    cap), "rel", "nofollow ugc", NULL);
		from = st + len;
	}
	ap->text(r, line + from);
}

/* A comment's plain text as paragraphs (blank lines) and line breaks;
 * nothing the author typed becomes markup. */
void
cm_body(struct ap_req *r, const char *body)
{
	const char *p = body;
	int open = 0, lines = 0;

	while (*p) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		int blank = 1;

		for (size_t i = 0; i < n; i++)
			if (p[i] != ' ' && p[i] != '\t')
				blank = 0;
		if (blank) {
			if (open)
				ap->close(r);
			open = 0;
		} else {
			if (!open) {
				ap->open(r, "p", NULL);
				open = 1;
				lines = 0;
			}
			if (lines++)
				ap->empty(r, "br", NULL);
			view_line(r, ap->strndup(r, p, n));
		}
		p += n;
		if (*p == '\n')
			p++;
	}
	if (open)
		ap->close(r);
}

/* ---- rendering a thread ---- */

struct view_ctx {
	struct cm_view *v;
	struct cm_render *rd;
	void (*form)(struct ap_req *, struct cm_render *);
	struct cm_comment *c;    /* this request's copy, with extras */
	size_t n;
	int form_done;
	long pageno;
};

struct view_idx {
	long long id;
	int i;
};

static int
view_idx_cmp(const void *a, const void *b)
{
	const struct view_idx *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static int
view_find(const struct view_idx *ix, size_t n, long long id)
{
	struct view_idx key = { .id = id };
	const struct view_idx *f = id ? bsearch(&key, ix, n, sizeof(*ix),
	    view_idx_cmp) : NULL;

	return f ? f->i : -1;
}

static char *
view_reply_url(struct ap_req *r, struct view_ctx *x, long long id)
{
	char *u = ap->printf(r, "%s&reply=%lld", cm_page_url(r, x->rd->page,
	    x->pageno), id);

	if (x->rd->fragment && x->rd->ret)
		u = ap->printf(r, "%s&return=%s", u, ap->urlencode(r,
		    x->rd->ret));
	return ap->printf(r, "%s#respond", u);
}

/* One comment (without its replies). */
static void
view_comment(struct ap_req *r, struct view_ctx *x, int i, int note_parent)
{
	struct cm_comment *c = &x->c[i];
	const char *name = cm_author_name(r, c->author);
	int held = c->status != CM_APPROVED;

	ap->open(r, "article", "class", "comment-body", NULL);
	ap->open(r, "header", "class", "comment-meta", NULL);
	if (c->url != NULL && *c->url)
		ap->elem(r, "a", name, "class", "comment-author", "href",
		    c->url, "rel", "nofollow ugc", NULL);
	else
		ap->elem(r, "span", name, "class", "comment-author", NULL);
	ap->text(r, " ");
	ap->open(r, "a", "class", "comment-permalink", "href",
	    ap->printf(r, "#comment-%lld", c->id), NULL);
	ap->elem(r, "time", ap->date(r, c->created), "datetime",
	    ap->iso_date(r, c->created), NULL);
	ap->close(r);
	if (c->edited) {
		ap->text(r, " ");
		ap->elem(r, "span", ap->tr(r, "(modifié)"), "class",
		    "comment-edited", NULL);
	}
	ap->close(r);   /* header */
	if (note_parent >= 0) {
		ap->open(r, "p", "class", "comment-in-reply", NULL);
		ap->text(r, ap->tr(r, "En réponse à "));
		ap->elem(r, "a", x->c[note_parent].author ?
		    cm_author_name(r, x->c[note_parent].author) :
		    ap->tr(r, "un commentaire retiré"), "href",
		    ap->printf(r, "#comment-%lld", x->c[note_parent].id), NULL);
		ap->close(r);
	}
	/* Written in another language than the page's (an English
	 * visitor's comment on a French page, or the other way round):
	 * screen readers and hyphenation follow it. */
	ap->open(r, "div", "class", "comment-content", "lang",
	    c->lang[0] && strcmp(c->lang, ap->lang(r)) != 0 ? c->lang : NULL,
	    NULL);
	cm_body(r, c->body ? c->body : "");
	ap->close(r);
	if (held)
		ap->elem(r, "p", ap->tr(r, "Votre commentaire est en attente "
		    "de modération. Il n’est visible que par vous pour "
		    "l’instant."), "class",
		    "comment-awaiting", NULL);
	ap->open(r, "p", "class", "comment-actions", NULL);
	if (!held && !cm_view_closed(x->v))
		ap->elem(r, "a", ap->tr(r, "Répondre"), "class",
		    "comment-reply-link", "href", view_reply_url(r, x, c->id),
		    "rel", "nofollow", "aria-label", ap->printf(r,
		    ap->tr(r, "Répondre à %s"), name), NULL);
	if (c->own && c->created + cm_conf.edit_window > ap->now(r)) {
		long left = (long)(c->created + cm_conf.edit_window -
		    ap->now(r) + 59) / 60;
		char *u = ap->printf(r, "%s?id=%lld", ap->url(r,
		    "/comments/edit"), c->id);

		if (x->rd->ret)
			u = ap->printf(r, "%s&return=%s", u,
			    ap->urlencode(r, x->rd->ret));
		if (!held && !cm_view_closed(x->v))
			ap->text(r, " ");
		ap->elem(r, "a", ap->tr(r, "Modifier ou supprimer"), "class",
		    "comment-edit-link", "href", u, NULL);
		ap->text(r, " ");
		ap->elem(r, "span", ap->printf(r, ap->trn(r,
		    "(encore %ld minute)", "(encore %ld minutes)",
		    (unsigned long)left), left), "class", "comment-edit-left",
		    NULL);
	}
	ap->close(r);   /* p.comment-actions */
	ap->close(r);   /* article */
	if (x->rd->reply == c->id && !held && !x->form_done) {
		x->form(r, x->rd);
		x->form_done = 1;
	}
}

static void view_list_render(struct ap_req *r, struct view_ctx *x, int first,
    int level);

static int
view_date_cmp_ctx(const struct cm_comment *c, int a, int b)
{
	if (c[a].created != c[b].created)
		return c[a].created < c[b].created ? -1 : 1;
	return c[a].id < c[b].id ? -1 : c[a].id > c[b].id;
}

/* The <li> of comment i at level (1 for a thread's first comment). */
static void
view_item(struct ap_req *r, struct view_ctx *x, int i, int level,
    int note_parent)
{
	struct cm_comment *c = &x->c[i];
	const char *cls = c->status == CM_APPROVED ? "comment" :
	    c->own ? "comment comment-held" : "comment comment-removed";

	ap->open(r, "li", "id", ap->printf(r, "comment-%lld", c->id), "class",
	    c->own ? ap->printf(r, "%s comment-own", cls) : cls, NULL);
	if (c->status != CM_APPROVED && !c->own)
		ap->elem(r, "p", ap->tr(r, "Ce commentaire n’est plus "
		    "affiché."),
		    "class", "comment-removed-note", NULL);
	else
		view_comment(r, x, i, note_parent);
	if (c->first >= 0 && level < cm_conf.depth) {
		ap->open(r, "ol", "class", "children", NULL);
		view_list_render(r, x, c->first, level + 1);
		ap->close(r);
	}
	ap->close(r);   /* li */
	if (c->first >= 0 && level >= cm_conf.depth) {
		/* Deeper replies follow at this level, by date, each saying
		 * whom it answers. */
		int *q = ap->alloc(r, x->n * sizeof(int));
		size_t qn = 0, k = 0;

		for (int ch = c->first; ch >= 0; ch = x->c[ch].next)
			q[qn++] = ch;
		for (k = 0; k < qn; k++)
			for (int ch = x->c[q[k]].first; ch >= 0;
			    ch = x->c[ch].next)
				q[qn++] = ch;
		for (size_t a = 1; a < qn; a++)    /* insertion sort by date */
			for (size_t b = a; b > 0 && view_date_cmp_ctx(x->c,
			    q[b - 1], q[b]) > 0; b--) {
				int t = q[b];

				q[b] = q[b - 1];
				q[b - 1] = t;
			}
		for (k = 0; k < qn; k++) {
			struct cm_comment *d = &x->c[q[k]];
			int first = d->first;

			d->first = -1;      /* its replies are in q already */
			view_item(r, x, q[k], level, d->parent ?
			    x->c[q[k]].last : -1);
			d->first = first;
		}
	}
}

static void
view_list_render(struct ap_req *r, struct view_ctx *x, int first, int level)
{
	for (int i = first; i >= 0; i = x->c[i].next)
		view_item(r, x, i, level, -1);
}

/* The page navigation of the threads, when there is more than one. */
static char *
view_page_href(struct ap_req *r, struct view_ctx *x, long p)
{
	char *u = cm_page_url(r, x->rd->page, p);

	if (x->rd->fragment && x->rd->ret)
		u = ap->printf(r, "%s&return=%s", u, ap->urlencode(r,
		    x->rd->ret));
	return ap->printf(r, "%s#comments", u);
}

/* The pages of threads (the first holds the newest): links to the
 * others, to the older and the newer ones. */
static void
view_pages(struct ap_req *r, struct view_ctx *x, long pages)
{
	ap->open(r, "nav", "class", "comment-pages", "aria-label",
	    ap->tr(r, "Pages des commentaires"), NULL);
	ap->open(r, "ul", NULL);
	if (x->pageno > 1) {
		ap->open(r, "li", "class", "newer", NULL);
		ap->elem(r, "a", ap->tr(r, "Commentaires plus récents"), "href",
		    view_page_href(r, x, x->pageno - 1), "rel", "prev", NULL);
		ap->close(r);
	}
	for (long p = 1; p <= pages; p++) {
		char *u = view_page_href(r, x, p);

		ap->open(r, "li", NULL);
		if (p == x->pageno)
			ap->elem(r, "a", ap->printf(r, "%ld", p), "href", u,
			    "aria-current", "page", NULL);
		else
			ap->elem(r, "a", ap->printf(r, "%ld", p), "href", u,
			    "aria-label", ap->printf(r, ap->tr(r, "Page %ld des "
			    "commentaires"), p), NULL);
		ap->close(r);
	}
	if (x->pageno < pages) {
		ap->open(r, "li", "class", "older", NULL);
		ap->elem(r, "a", ap->tr(r, "Commentaires plus anciens"), "href",
		    view_page_href(r, x, x->pageno + 1), "rel", "next", NULL);
		ap->close(r);
	}
	ap->close(r);
	ap->close(r);
}

/* Reads the visitor's own comments of the page that the view does not
 * show (held ones), and marks the shown ones as theirs. */
static int
view_own(struct ap_req *r, struct view_ctx *x)
{
	size_t n, extra = 0;
	long long *ids = cm_own_ids(r, &n);
	char *list = NULL;
	struct ap_res *res;

	if (n == 0)
		return AP_OK;
	for (size_t i = 0; i < n; i++)
		list = list ? ap->printf(r, "%s,%lld", list, ids[i]) :
		    ap->printf(r, "%lld", ids[i]);
	res = ap->query(r, "SELECT id, parent_id, status, author, url, body, "
	    "created, edited, lang FROM comments WHERE page = ? AND "
	    "FIND_IN_SET(id, ?) AND status IN ('pending', 'approved', 'spam')",
	    AP_ARGS(AP_TEXT(x->rd->page), AP_TEXT(list)));
	if (res == NULL)
		return ap->db_error(r);
	for (size_t k = 0; k < ap->rows(res); k++) {
		long long id = ap->cell_int(res, k, 0);
		int found = 0;

		for (size_t i = 0; i < x->n; i++)
			if (x->c[i].id == id && x->c[i].status == CM_APPROVED) {
				x->c[i].own = 1;
				found = 1;
			}
		if (!found && cm_status_parse(ap->cell(res, k, 2)) !=
		    CM_APPROVED)
			extra++;
	}
	if (extra == 0)
		return AP_OK;
	{
		struct cm_comment *c = ap->alloc(r, (x->n + extra) *
		    sizeof(*c));

		memcpy(c, x->c, x->n * sizeof(*c));
		for (size_t k = 0; k < ap->rows(res); k++) {
			long long id = ap->cell_int(res, k, 0);
			struct cm_comment *e = NULL;
			int seen = 0;

			if (cm_status_parse(ap->cell(res, k, 2)) == CM_APPROVED)
				continue;
			for (size_t i = 0; i < x->n; i++)
				if (c[i].id == id) {   /* a placeholder */
					e = &c[i];
					seen = 1;
				}
			if (!seen)
				e = &c[x->n++];
			memset(e, 0, sizeof(*e));
			e->id = id;
			e->parent = ap->cell_int(res, k, 1);
			e->status = CM_PENDING;   /* spam looks held to them */
			e->author = ap->cell(res, k, 3);
			e->url = ap->cell(res, k, 4);
			e->body = ap->cell(res, k, 5);
			e->created = (time_t)ap->cell_int(res, k, 6);
			e->edited = (time_t)ap->cell_int(res, k, 7);
			snprintf(e->lang, sizeof(e->lang), "%s",
			    ap->cell(res, k, 8));
			e->own = 1;
		}
		qsort(c, x->n, sizeof(*c), view_cmp);
		x->c = c;
	}
	return AP_OK;
}

/* Whether the core can keep and write back markup (a member appended
 * to the host table: a core that lacks it is told by the table's size). */
static int
view_markup_ok(void)
{
	return ap->size >= offsetof(struct ap_host, markup) +
	    sizeof(ap->markup) && ap->markup != NULL;
}

static const struct view_html *
view_html_find_locked(struct cm_view *v, const char *lang, long pageno,
    int fragment)
{
	const struct view_html *h;

	for (h = v->html; h; h = h->next)
		if (h->pageno == pageno && h->fragment == fragment &&
		    strcmp(h->lang, lang) == 0)
			break;
	return h;
}

/* The page of threads kept for these, or NULL.  The bytes live as long
 * as the view, which the request holds. */
static const struct view_html *
view_html_find(struct cm_view *v, const char *lang, long pageno, int fragment)
{
	const struct view_html *h;

	pthread_mutex_lock(&view_lock);
	h = view_html_find_locked(v, lang, pageno, fragment);
	pthread_mutex_unlock(&view_lock);
	return h;
}

/* Keeps a copy of bytes with the view (and counts it in the cache's
 * memory); a view that left the cache keeps nothing more, nor does a
 * full cache (the next view read makes room). */
static void
view_html_add(struct cm_view *v, const char *lang, long pageno, int fragment,
    const char *bytes, size_t len)
{
	struct view_html *h;

	if (strlen(lang) >= sizeof(h->lang) || len > cm_conf.cache_size / 4)
		return;
	h = malloc(sizeof(*h) + len);
	if (h == NULL)
		return;
	memset(h, 0, sizeof(*h));
	strcpy(h->lang, lang);
	h->pageno = pageno;
	h->fragment = fragment;
	h->len = len;
	h->bytes = (char *)(h + 1);
	memcpy(h->bytes, bytes, len);
	pthread_mutex_lock(&view_lock);
	if (!v->cached || view_html_find_locked(v, lang, pageno, fragment) ||
	    view_bytes + sizeof(*h) + len > cm_conf.cache_size) {
		pthread_mutex_unlock(&view_lock);
		free(h);
		return;
	}
	h->next = v->html;
	v->html = h;
	v->bytes += sizeof(*h) + len;
	view_bytes += sizeof(*h) + len;
	pthread_mutex_unlock(&view_lock);
}

/* Writes the comments of a page: the count, the threads of the page
 * asked for (form after the comment replied to, or at the end). */
int
cm_thread(struct ap_req *r, struct cm_view *v, struct cm_render *rd,
    void (*form)(struct ap_req *, struct cm_render *))
{
	struct view_ctx x = { .v = v, .rd = rd, .form = form };
	struct view_idx *ix;
	int *roots, rc, cacheable;
	size_t nroots = 0;
	long pages, from, to;

	/* The same page of threads for every visitor without comments of
	 * their own here: written once, then replayed. */
	cacheable = cm_conf.cache_size > 0 && view_markup_ok() &&
	    rd->reply == 0 && (rd->fragment ? rd->ret != NULL &&
	    strcmp(rd->ret, rd->page) == 0 : rd->ret == NULL);
	if (cacheable && rd->locate == 0 && ap->cookie(r, CM_COOKIE_OWN) ==
	    NULL) {
		const struct view_html *h = view_html_find(v, ap->lang(r),
		    rd->pageno < 1 ? 1 : rd->pageno, rd->fragment);

		if (h != NULL) {
			rc = ap->markup(r, h->bytes, h->len);
			if (rc != AP_OK)
				return rc;
			form(r, rd);
			return AP_OK;
		}
	}
	x.n = v->n;
	x.c = ap->alloc(r, (v->n + 1) * sizeof(*x.c));
	memcpy(x.c, v->c, v->n * sizeof(*x.c));
	rc = view_own(r, &x);
	if (rc != AP_OK)
		return rc;
	ix = ap->alloc(r, (x.n + 1) * sizeof(*ix));
	for (size_t i = 0; i < x.n; i++) {
		ix[i].id = x.c[i].id;
		ix[i].i = (int)i;
		x.c[i].first = x.c[i].next = x.c[i].last = -1;
		x.c[i].shown = 0;
	}
	qsort(ix, x.n, sizeof(*ix), view_idx_cmp);
	/* parent index in .last until the lists are built */
	for (size_t i = 0; i < x.n; i++)
		x.c[i].last = view_find(ix, x.n, x.c[i].parent);
	for (size_t i = 0; i < x.n; i++) {
		if (x.c[i].status != CM_APPROVED && !x.c[i].own)
			continue;
		for (int k = (int)i; k >= 0 && !x.c[k].shown; k = x.c[k].last)
			x.c[k].shown = 1;
	}
	roots = ap->alloc(r, (x.n + 1) * sizeof(int));
	{
		int *tail = ap->alloc(r, (x.n + 1) * sizeof(int));

		for (size_t i = 0; i < x.n; i++)
			tail[i] = -1;
		for (size_t i = 0; i < x.n; i++) {
			int p = x.c[i].last;

			if (!x.c[i].shown)
				continue;
			if (p < 0) {
				roots[nroots++] = (int)i;
				continue;
			}
			if (tail[p] < 0)
				x.c[p].first = (int)i;
			else
				x.c[tail[p]].next = (int)i;
			tail[p] = (int)i;
		}
	}
	/* Threads by date (roots[]); pages count back from the newest, so
	 * that the first page, the one the site's page includes, holds the
	 * latest threads and where a new comment lands.  The setting orders
	 * the threads within a page. */
	pages = nroots ? (long)((nroots + (size_t)cm_conf.per_page - 1) /
	    (size_t)cm_conf.per_page) : 1;
	if (rd->locate) {
		/* the page of threads that holds the comment asked for */
		int k = -1;

		for (size_t i = 0; i < x.n; i++)
			if (x.c[i].id == rd->locate && x.c[i].shown)
				k = (int)i;
		while (k >= 0 && x.c[k].last >= 0)
			k = x.c[k].last;
		for (size_t i = 0; k >= 0 && i < nroots; i++)
			if (roots[i] == k)
				rd->pageno = (long)((nroots - 1 - i) /
				    (size_t)cm_conf.per_page) + 1;
	}
	x.pageno = rd->pageno < 1 ? 1 : rd->pageno > pages ? pages :
	    rd->pageno;
	rd->pageno = x.pageno;
	to = (long)nroots - (x.pageno - 1) * cm_conf.per_page;
	from = to - cm_conf.per_page;
	if (from < 0)
		from = 0;
	if (to < 0)
		to = 0;

	for (size_t i = 0; cacheable && i < x.n; i++)
		if (x.c[i].own)
			cacheable = 0;
	if (cacheable) {
		const struct view_html *h = view_html_find(v, ap->lang(r),
		    x.pageno, rd->fragment);

		if (h != NULL) {
			rc = ap->markup(r, h->bytes, h->len);
			if (rc != AP_OK)
				return rc;
			form(r, rd);
			return AP_OK;
		}
		ap->markup_begin(r);
	}
	ap->elem(r, "h2", v->total == 0 ? ap->tr(r, "Aucun commentaire") :
	    ap->printf(r, ap->trn(r, "%lld commentaire", "%lld commentaires",
	    (unsigned long)v->total), v->total), "id", "comments-title", NULL);
	if (pages > 1)
		view_pages(r, &x, pages);
	if (to > from) {
		ap->open(r, "ol", "class", "comment-list", NULL);
		for (long k = from; k < to; k++)
			view_item(r, &x, roots[cm_conf.newest_first ?
			    to - 1 - (k - from) : k], 1, -1);
		ap->close(r);
	}
	if (pages > 1)
		view_pages(r, &x, pages);
	if (cacheable) {
		size_t len;
		const char *kept = ap->markup_end(r, &len);

		if (kept != NULL)
			view_html_add(v, ap->lang(r), x.pageno, rd->fragment,
			    kept, len);
	}
	if (!x.form_done)
		form(r, rd);
	return AP_OK;
}
