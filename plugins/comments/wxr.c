/*
 * wxr.c: aparte-admin import wxr FILE: the comments of a WordPress export
 * (WXR, an RSS file with wp: elements), with their threads, statuses,
 * dates and authors.  Each post's URL path becomes the page key (--map
 * FROM=TO rewrites a prefix).  The file is untrusted: it is read whole
 * into memory within a size limit and parsed by libxml2 without network,
 * without entity expansion or DTD loading; a document with a DOCTYPE is
 * refused before it is parsed (or, in an encoding other than UTF-8's
 * kin, which that first look cannot read, once parsed, before anything
 * of it is used).  Each comment remembers the WordPress
 * comment it came from, so that a second run imports nothing twice; the
 * whole file is one transaction.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "comments.h"

#define WXR_MAX (128L * 1024 * 1024)
#define WXR_BODY_MAX 65000          /* bytes: the column holds 65,535 */
#define WXR_MAPS 16
#define WXR_NS "http://wordpress.org/export/"

struct wxr_map {
	const char *from, *to;
};

struct wxr_new {                    /* one comment imported by this run */
	long long id;
	const char *wp_id, *wp_parent;
	const char *post;           /* the item's post id */
};

struct wxr_run {
	struct ap_req *r;
	const char *source;         /* hash of the site's address */
	struct wxr_map map[WXR_MAPS];
	size_t nmap;
	struct wxr_new *added;
	size_t nadded, capadded;
	const char **pages;
	size_t npages, cappages;
	long imported, already, pings, skipped;
};

/* Refuses a prolog that declares a DOCTYPE (where entities would be
 * declared); comments and processing instructions are skipped. */
static int
wxr_prolog_ok(const char *buf, size_t n)
{
	size_t i = 0;

	if (n >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	for (;;) {
		while (i < n && isspace((unsigned char)buf[i]))
			i++;
		if (i + 1 >= n || buf[i] != '<')
			return 1;
		if (buf[i + 1] == '?') {
			const char *e = memmem(buf + i, n - i, "?>", 2);

			if (e == NULL)
				return 1;
			i = (size_t)(e - buf) + 2;
		} else if (n - i >= 4 && memcmp(buf + i, "<!--", 4) == 0) {
			const char *e = memmem(buf + i + 4, n - i - 4, "-->",
			    3);

			if (e == NULL)
				return 1;
			i = (size_t)(e - buf) + 3;
		} else {
			return buf[i + 1] != '!';
		}
	}
}

static int
wxr_is(const xmlNode *n, const char *ns, const char *name)
{
	if (n->type != XML_ELEMENT_NODE || strcmp((const char *)n->name,
	    name) != 0)
		return 0;
	if (ns == NULL)
		return n->ns == NULL || n->ns->href == NULL ||
		    strncmp((const char *)n->ns->href, WXR_NS,
		    strlen(WXR_NS)) != 0;
	return n->ns != NULL && n->ns->href != NULL &&
	    strncmp((const char *)n->ns->href, ns, strlen(ns)) == 0;
}

static xmlNode *
wxr_child(const xmlNode *n, const char *ns, const char *name)
{
	for (xmlNode *c = n ? n->children : NULL; c; c = c->next)
		if (wxr_is(c, ns, name))
			return c;
	return NULL;
}

/* The text of a child element, in the arena ("" when absent). */
static char *
wxr_text(struct ap_req *r, const xmlNode *n, const char *ns, const char *name)
{
	xmlNode *c = wxr_child(n, ns, name);
	xmlChar *t;
	char *s;

	if (c == NULL)
		return ap->strdup(r, "");
	t = xmlNodeGetContent(c);
	s = ap->strdup(r, t ? (const char *)t : "");
	xmlFree(t);
	return s;
}

/* 64-bit FNV-1a: a stable, short name for the site an export came from. */
static uint64_t
wxr_fnv(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

static int
wxr_hex(int c)
{
	return isdigit(c) ? c - '0' : tolower(c) - 'a' + 10;
}

/* Whether s is UTF-8 (shortest forms, no surrogates): what a decoded
 * address must be to be a page key the database takes. */
static int
wxr_utf8_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t k;
		uint32_t c;

		if (*p < 0x80) {
			p++;
			continue;
		}
		if ((*p & 0xe0) == 0xc0)
			k = 2, c = *p & 0x1f;
		else if ((*p & 0xf0) == 0xe0)
			k = 3, c = *p & 0x0f;
		else if ((*p & 0xf8) == 0xf0)
			k = 4, c = *p & 0x07;
		else
			return 0;
		for (size_t i = 1; i < k; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			c = c << 6 | (p[i] & 0x3f);
		}
		if ((k == 2 && c < 0x80) || (k == 3 && c < 0x800) ||
		    (k == 4 && (c < 0x10000 || c > 0x10ffff)) ||
		    (c >= 0xd800 && c <= 0xdfff))
			return 0;
		p += k;
	}
	return 1;
}

/* A post's address to a page key: its path, percent-decoded, without the
 * trailing slash WordPress adds, rewritten by the first --map that
 * applies.  NULL when it does not make a valid key (an old blog's
 * Latin-1 "caf%E9" decodes to no UTF-8: that post is skipped, not the
 * whole file refused by the database). */
static const char *
wxr_page(struct wxr_run *w, const char *link)
{
	struct ap_req *r = w->r;
	const char *p = strstr(link, "://");
	char *path, *o;
	size_t n;

	p = p ? strchr(p + 3, '/') : link[0] == '/' ? link : NULL;
	if (p == NULL)
		p = "/";
	n = strcspn(p, "?#");
	path = ap->strndup(r, p, n);
	for (o = path, p = path; *p; p++) {
		if (*p == '%' && isxdigit((unsigned char)p[1]) &&
		    isxdigit((unsigned char)p[2]) && (p[1] != '0' ||
		    p[2] != '0')) {
			*o++ = (char)(wxr_hex((unsigned char)p[1]) * 16 +
			    wxr_hex((unsigned char)p[2]));
			p += 2;
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
	n = strlen(path);
	if (n > 1 && path[n - 1] == '/')
		path[n - 1] = '\0';
	for (size_t i = 0; i < w->nmap; i++) {
		size_t fl = strlen(w->map[i].from);

		if (strncmp(path, w->map[i].from, fl) == 0) {
			path = ap->printf(r, "%s%s", w->map[i].to, path + fl);
			break;
		}
	}
	return cm_page_ok(path) && wxr_utf8_ok(path) ? path : NULL;
}

/* "2024-03-01 10:00:00" (UTC) to a time; 0 when not a date. */
static time_t
wxr_date(const char *s)
{
	struct tm tm;
	char *end;

	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%d %H:%M:%S", &tm);
	if (end == NULL || tm.tm_year < 70)
		return 0;
	return timegm(&tm);
}

static int
wxr_ip_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 45)
		return 0;
	for (; *s; s++)
		if (!(isxdigit((unsigned char)*s) || *s == '.' || *s == ':'))
			return 0;
	return 1;
}

/* Remembers a page key this run imported into (each gets its version
 * bumped at the end). */
static void
wxr_page_seen(struct wxr_run *w, const char *page)
{
	for (size_t i = 0; i < w->npages; i++)
		if (strcmp(w->pages[i], page) == 0)
			return;
	if (w->npages == w->cappages) {
		const char **np;

		w->cappages = w->cappages ? w->cappages * 2 : 16;
		np = ap->alloc(w->r, w->cappages * sizeof(*np));
		if (w->npages)
			memcpy(np, w->pages, w->npages * sizeof(*np));
		w->pages = np;
	}
	w->pages[w->npages++] = page;
}

/* Imports one <wp:comment> of the post (post id, page key). */
static int
wxr_comment(struct wxr_run *w, xmlNode *c, const char *post,
    const char *page)
{
	struct ap_req *r = w->r;
	const char *wp_id = wxr_text(r, c, WXR_NS, "comment_id");
	const char *type = wxr_text(r, c, WXR_NS, "comment_type");
	const char *approved = wxr_text(r, c, WXR_NS, "comment_approved");
	char *author = wxr_text(r, c, WXR_NS, "comment_author");
	char *email = wxr_text(r, c, WXR_NS, "comment_author_email");
	char *url = wxr_text(r, c, WXR_NS, "comment_author_url");
	char *ip = wxr_text(r, c, WXR_NS, "comment_author_IP");
	const char *html = wxr_text(r, c, WXR_NS, "comment_content");
	const char *parent = wxr_text(r, c, WXR_NS, "comment_parent");
	time_t created = wxr_date(wxr_text(r, c, WXR_NS, "comment_date_gmt"));
	size_t cap = strlen(html) + 1;
	char *body = ap->alloc(r, cap);
	const char *status, *key;
	struct wxr_new *nw;
	int rc;

	if (strcmp(type, "pingback") == 0 || strcmp(type, "trackback") == 0) {
		w->pings++;
		return AP_OK;
	}
	if (cm_id_arg(wp_id) == 0) {
		ap->out(r, "skipped a comment of post %s: no comment "
		    "id\n", post);
		w->skipped++;
		return AP_OK;
	}
	if (created == 0)
		created = wxr_date(wxr_text(r, c, WXR_NS, "comment_date"));
	if (created == 0)
		created = ap->now(r);
	cm_html_to_text(html, body, cap);
	if (cm_chars(body) == 0 || strlen(body) > WXR_BODY_MAX) {
		ap->out(r, "skipped comment %s of post %s: its text is %s\n",
		    wp_id, post, *body ? "longer than 65,000 bytes" : "empty");
		w->skipped++;
		return AP_OK;
	}
	if (strcmp(approved, "1") == 0)
		status = "approved";
	else if (strcmp(approved, "spam") == 0)
		status = "spam";
	else if (strcmp(approved, "trash") == 0 ||
	    strcmp(approved, "post-trashed") == 0)
		status = "trash";
	else
		status = "pending";
	/* WordPress keeps names with their entities (&amp;) */
	{
		size_t ac = strlen(author) + 1;
		char *plain = ap->alloc(r, ac);

		cm_html_to_text(author, plain, ac);
		author = plain;
	}
	cm_squash(author);
	if (cm_chars(author) > CM_AUTHOR_MAX) {
		size_t k = 0, chars = 0;

		while (author[k] && !(((unsigned char)author[k] & 0xc0) !=
		    0x80 && chars++ == CM_AUTHOR_MAX))
			k++;
		author[k] = '\0';
	}
	cm_squash(email);
	if (!cm_email_ok(email))
		*email = '\0';
	cm_squash(url);
	if (*url && (cm_url_check(url) != CM_URL_OK ||
	    cm_chars(url) > CM_URL_MAX))
		*url = '\0';
	cm_squash(ip);
	if (!wxr_ip_ok(ip) || created < ap->now(r) - cm_conf.ip_retention)
		*ip = '\0';
	key = ap->printf(r, "wp:%s:%s", w->source, wp_id);
	rc = ap->exec(r, "INSERT INTO comments (page, parent_id, root_id, "
	    "status, status_at, author, email, url, body, created, ip, lang, "
	    "import_key) VALUES (?, NULL, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	    AP_ARGS(AP_TEXT(page), AP_TEXT(status), AP_INT(ap->now(r)),
	    AP_TEXT(author), AP_TEXT(email), *url ? AP_TEXT(url) : AP_NULLV,
	    AP_TEXT(body), AP_INT(created), *ip ? AP_TEXT(ip) : AP_NULLV,
	    AP_TEXT(ap->conf("site", "language")), AP_TEXT(key)));
	if (rc == AP_EDUP) {
		w->already++;
		return AP_OK;
	}
	if (rc != AP_OK)
		return rc;
	if (w->nadded == w->capadded) {
		struct wxr_new *na;

		w->capadded = w->capadded ? w->capadded * 2 : 64;
		na = ap->alloc(r, w->capadded * sizeof(*na));
		if (w->nadded)
			memcpy(na, w->added, w->nadded * sizeof(*na));
		w->added = na;
	}
	nw = &w->added[w->nadded++];
	nw->id = ap->insert_id(r);
	nw->wp_id = wp_id;
	nw->wp_parent = parent;
	nw->post = post;
	w->imported++;
	wxr_page_seen(w, page);
	return AP_OK;
}

/* Threads of what was imported: the WordPress parent of each (imported
 * now or by an earlier run), then the top of each thread. */
static int
wxr_thread(struct wxr_run *w)
{
	struct ap_req *r = w->r;
	int rc = AP_OK;

	for (size_t i = 0; i < w->nadded && rc == AP_OK; i++) {
		struct wxr_new *n = &w->added[i];
		struct ap_res *res;

		if (cm_id_arg(n->wp_parent) == 0)
			continue;
		res = ap->query(r, "SELECT id FROM comments WHERE import_key = "
		    "?",
		    AP_ARGS(AP_TEXT(ap->printf(r, "wp:%s:%s", w->source,
		    n->wp_parent))));
		if (res == NULL)
			return ap->db_error(r);
		if (ap->rows(res) == 0 || ap->cell_int(res, 0, 0) == n->id) {
			ap->out(r, "comment %s answers comment %s, which the "
			    "file "
			    "does not hold: it starts a thread\n", n->wp_id,
			    n->wp_parent);
			continue;
		}
		rc = ap->exec(r, "UPDATE comments SET parent_id = ? WHERE id = "
		    "?",
		    AP_ARGS(AP_INT(ap->cell_int(res, 0, 0)), AP_INT(n->id)));
	}
	if (rc != AP_OK)
		return rc;
	rc = ap->exec(r, "UPDATE comments SET root_id = id WHERE root_id = 0 "
	    "AND parent_id IS NULL", AP_NOARGS);
	for (int pass = 0; rc == AP_OK && pass < 1000; pass++) {
		rc = ap->exec(r, "UPDATE comments c JOIN comments p ON p.id = "
		    "c.parent_id SET c.root_id = p.root_id WHERE c.root_id = 0 "
		    "AND p.root_id <> 0", AP_NOARGS);
		if (rc != AP_OK || ap->affected(r) == 0)
			break;
	}
	/* a loop of parents in a broken file: each starts its own thread */
	if (rc == AP_OK)
		rc = ap->exec(r, "UPDATE comments SET parent_id = NULL, "
		    "root_id = "
		    "id WHERE root_id = 0", AP_NOARGS);
	return rc;
}

static int
wxr_usage(struct ap_req *r)
{
	(void)r;
	fprintf(stderr, "usage: aparte-admin import wxr FILE [--dry-run] "
	    "[--map FROM=TO]...\n"
	    "  imports the comments of a WordPress export; each post's path is "
	    "its page key\n  (--map /2019/=/blog/ rewrites a prefix).  Running "
	    "it again imports nothing twice.\n");
	return 2;
}

/* Reads the file whole, within WXR_MAX; NULL (and a message) otherwise. */
static char *
wxr_read(struct ap_req *r, const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	char *buf;

	if (f == NULL) {
		fprintf(stderr, "aparte-admin import: %s: %s\n", path,
		    strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		fprintf(stderr, "aparte-admin import: %s: not a file\n", path);
		fclose(f);
		return NULL;
	}
	if (st.st_size > WXR_MAX) {
		fprintf(stderr, "aparte-admin import: %s: %lld MB, more than "
		    "the "
		    "%ld MB an export may have\n", path,
		    (long long)st.st_size >> 20, WXR_MAX >> 20);
		fclose(f);
		return NULL;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL) {
		fprintf(stderr, "aparte-admin import: out of memory\n");
		fclose(f);
		return NULL;
	}
	*len = fread(buf, 1, (size_t)st.st_size + 1, f);
	fclose(f);
	if (*len > (size_t)WXR_MAX) {
		fprintf(stderr, "aparte-admin import: %s grew while read\n",
		    path);
		free(buf);
		return NULL;
	}
	(void)r;
	return buf;
}

static void
wxr_free_buf(void *p)
{
	free(p);
}

static void
wxr_free_doc(void *p)
{
	xmlFreeDoc(p);
}

/* aparte-admin import wxr FILE: reads and checks the file, then imports
 * every item's comments and their threads in one transaction (rolled back
 * with --dry-run), and says what it did. */
int
cm_import(struct ap_req *r, void *state, int argc, char **argv)
{
	struct wxr_run w = { .r = r };
	const char *file = NULL, *base;
	int dry = 0, rc;
	xmlDoc *doc;
	xmlNode *root, *chan;
	size_t len = 0;
	char *buf;

	(void)state;
	if (argc < 3 || strcmp(argv[1], "wxr") != 0)
		return wxr_usage(r);
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--dry-run") == 0) {
			dry = 1;
		} else if (strcmp(argv[i], "--map") == 0 && i + 1 < argc) {
			char *m = ap->strdup(r, argv[++i]);
			char *eq = strchr(m, '=');

			if (eq == NULL || w.nmap == WXR_MAPS || m[0] != '/' ||
			    eq[1] != '/') {
				fprintf(stderr, "aparte-admin import: --map "
				    "takes "
				    "/FROM=/TO (at most %d)\n", WXR_MAPS);
				return 2;
			}
			*eq = '\0';
			w.map[w.nmap].from = m;
			w.map[w.nmap++].to = eq + 1;
		} else if (file == NULL && argv[i][0] != '-') {
			file = argv[i];
		} else {
			return wxr_usage(r);
		}
	}
	if (file == NULL)
		return wxr_usage(r);
	buf = wxr_read(r, file, &len);
	if (buf == NULL)
		return 1;
	ap->on_cleanup(r, wxr_free_buf, buf);
	if (!wxr_prolog_ok(buf, len)) {
		fprintf(stderr, "aparte-admin import: %s declares a DOCTYPE; a "
		    "WordPress export has none, and it is refused (entities)\n",
		    file);
		return 1;
	}
	doc = xmlReadMemory(buf, (int)len, NULL, NULL, XML_PARSE_NONET |
	    XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doc == NULL) {
		const xmlError *e = xmlGetLastError();

		fprintf(stderr, "aparte-admin import: %s is not well-formed "
		    "XML "
		    "(line %d: %s)\n", file, e ? e->line : 0,
		    e && e->message ? e->message : "?\n");
		return 1;
	}
	ap->on_cleanup(r, wxr_free_doc, doc);
	if (doc->intSubset != NULL || doc->extSubset != NULL) {
		fprintf(stderr, "aparte-admin import: %s declares a DOCTYPE: "
		    "refused\n", file);
		return 1;
	}
	root = xmlDocGetRootElement(doc);
	chan = root && wxr_is(root, NULL, "rss") ? wxr_child(root, NULL,
	    "channel") : NULL;
	if (chan == NULL) {
		fprintf(stderr, "aparte-admin import: %s is not a WordPress "
		    "export (no rss/channel)\n", file);
		return 1;
	}
	base = wxr_text(r, chan, WXR_NS, "base_blog_url");
	if (*base == '\0')
		base = wxr_text(r, chan, NULL, "link");
	w.source = ap->printf(r, "%016llx", (unsigned long long)wxr_fnv(base));

	if ((rc = ap->begin(r)) != AP_OK)
		return 1;
	for (xmlNode *it = chan->children; it && rc == AP_OK; it = it->next) {
		const char *link, *page, *title, *post;
		xmlNode *c;

		if (!wxr_is(it, NULL, "item") || wxr_child(it, WXR_NS,
		    "comment") == NULL)
			continue;
		link = wxr_text(r, it, NULL, "link");
		post = wxr_text(r, it, WXR_NS, "post_id");
		page = wxr_page(&w, link);
		if (page == NULL) {
			ap->out(r, "skipped the comments of post %s: its "
			    "address "
			    "%s does not make a page key (use --map)\n", post,
			    link);
			for (c = it->children; c; c = c->next)
				w.skipped += wxr_is(c, WXR_NS, "comment");
			continue;
		}
		if (!cm_page_allowed(page))
			ap->out(r, "note: %s is outside [comments] pages; its "
			    "comments are imported but not shown\n", page);
		title = wxr_text(r, it, NULL, "title");
		cm_squash((char *)title);
		if (cm_chars(title) > 300)
			title = "";
		rc = ap->exec(r, "INSERT INTO comments_pages (page, title) "
		    "VALUES "
		    "(?, ?) ON DUPLICATE KEY UPDATE title = COALESCE(title, "
		    "VALUES(title))", AP_ARGS(AP_TEXT(page), *title ?
		    AP_TEXT(title) : AP_NULLV));
		for (c = it->children; c && rc == AP_OK; c = c->next)
			if (wxr_is(c, WXR_NS, "comment"))
				rc = wxr_comment(&w, c, post, page);
	}
	if (rc == AP_OK)
		rc = wxr_thread(&w);
	for (size_t i = 0; rc == AP_OK && i < w.npages; i++)
		rc = cm_changed(r, w.pages[i]);
	if (rc != AP_OK || dry) {
		ap->rollback(r);
		if (rc != AP_OK) {
			fprintf(stderr, "aparte-admin import: the database "
			    "refused "
			    "(see above); nothing was imported\n");
			return 1;
		}
	} else if ((rc = ap->commit(r)) != AP_OK) {
		fprintf(stderr, "aparte-admin import: the commit failed; "
		    "nothing "
		    "was imported\n");
		return 1;
	}
	ap->out(r, "%s %ld comments on %zu pages; %ld already imported; %ld "
	    "pingbacks and trackbacks left out; %ld skipped\n", dry ?
	    "would import" : "imported", w.imported, w.npages, w.already,
	    w.pings, w.skipped);
	if (!dry)
		ap->audit(r, "comments.import", ap->printf(r, "%s: %ld "
		    "comments",
		    file, w.imported));
	return 0;
}
