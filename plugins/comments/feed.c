/*
 * feed.c: Atom feeds of the approved comments, for one page
 * (/comments/feed?page=KEY) or the whole site (/comments/feed), newest
 * first, written through the core's XML writer.  The page's (or the
 * site's) version counter makes the ETag, so a feed reader that asks
 * again gets 304 until a comment changes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "comments.h"

#define ATOM_NS "http://www.w3.org/2005/Atom"

static void
feed_link(struct ap_req *r, const char *rel, const char *type,
    const char *href)
{
	ap->empty(r, "link", "rel", rel, "type", type, "href", href, NULL);
}

/* GET /comments/feed[?page=KEY]: the newest approved comments as Atom,
 * 304 when the reader's ETag is the current version. */
int
cm_feed(struct ap_req *r, void *state)
{
	const char *page = ap->arg(r, "page"), *inm, *title, *self;
	struct ap_res *res;
	long long version;
	char *etag;
	time_t updated = 0;

	(void)state;
	if (page != NULL && (!cm_page_ok(page) || !cm_page_allowed(page)))
		return cm_error(r, 400, ap->tr(r, "Page à commenter inconnue"),
		    ap->tr(r, "L’adresse de la page de ce flux n’est pas "
		    "valide."));
	version = ap->counter(r, page ? cm_counter_name(r, page) : "comments");
	if (version < 0)
		return AP_EDB;
	etag = ap->printf(r, "W/\"comments-%lld-%s\"", version, ap->lang(r));
	ap->header(r, "ETag", etag);
	inm = ap->env(r, "HTTP_IF_NONE_MATCH");
	if (inm != NULL && strcmp(inm, etag) == 0) {
		ap->status(r, 304);
		return AP_OK;
	}
	if (page)
		res = ap->query(r, "SELECT c.id, c.page, c.author, c.url, "
		    "c.body, "
		    "c.created, c.edited, p.title FROM comments c LEFT JOIN "
		    "comments_pages p ON p.page = c.page WHERE c.page = ? AND "
		    "c.status = 'approved' ORDER BY c.created DESC, c.id DESC "
		    "LIMIT "
		    "?", AP_ARGS(AP_TEXT(page), AP_INT(cm_conf.feed_items)));
	else
		res = ap->query(r, "SELECT c.id, c.page, c.author, c.url, "
		    "c.body, "
		    "c.created, c.edited, p.title FROM comments c LEFT JOIN "
		    "comments_pages p ON p.page = c.page WHERE c.status = "
		    "'approved' ORDER BY c.created DESC, c.id DESC LIMIT ?",
		    AP_ARGS(AP_INT(cm_conf.feed_items)));
	if (res == NULL)
		return ap->db_error(r);
	for (size_t i = 0; i < ap->rows(res); i++) {
		time_t t = (time_t)ap->cell_int(res, i, 5);
		time_t e = (time_t)ap->cell_int(res, i, 6);

		if (e > t)
			t = e;
		if (t > updated)
			updated = t;
	}
	if (updated == 0)
		updated = ap->now(r);
	if (page) {
		const char *t = cm_page_title(r, page);

		title = ap->printf(r, ap->tr(r, "Commentaires sur « %s »"),
		    t ? t : page);
		self = ap->abs_url(r, ap->printf(r, "/comments/feed?page=%s",
		    ap->urlencode(r, page)));
	} else {
		title = ap->printf(r, ap->tr(r, "Commentaires – %s"),
		    ap->conf("site", "title"));
		self = ap->abs_url(r, "/comments/feed");
	}
	ap->xml_begin(r, "application/atom+xml; charset=utf-8");
	ap->open(r, "feed", "xmlns", ATOM_NS, "xml:lang", ap->lang(r), NULL);
	ap->elem(r, "title", title, NULL);
	ap->elem(r, "id", self, NULL);
	feed_link(r, "self", "application/atom+xml", self);
	feed_link(r, "alternate", "text/html", page ? cm_site_url(r, page) :
	    cm_site_url(r, ap->conf("site", "home")));
	ap->elem(r, "updated", ap->iso_date(r, updated), NULL);
	ap->elem(r, "generator", "Aparté", "version", ap->version, NULL);
	for (size_t i = 0; i < ap->rows(res); i++) {
		long long id = ap->cell_int(res, i, 0);
		const char *pg = ap->cell(res, i, 1);
		const char *pt = ap->cell(res, i, 7);
		const char *who = cm_author_name(r, ap->cell(res, i, 2));
		const char *url = ap->cell(res, i, 3);
		time_t created = (time_t)ap->cell_int(res, i, 5);
		time_t edited = (time_t)ap->cell_int(res, i, 6);
		char *link = ap->printf(r, "%s#comment-%lld",
		    cm_site_url(r, pg), id);

		ap->open(r, "entry", NULL);
		ap->elem(r, "title", ap->printf(r, ap->tr(r, "%s sur « %s »"),
		    who, pt ? pt : pg), NULL);
		ap->elem(r, "id", link, NULL);
		feed_link(r, "alternate", "text/html", link);
		ap->elem(r, "published", ap->iso_date(r, created), NULL);
		ap->elem(r, "updated", ap->iso_date(r, edited > created ?
		    edited : created), NULL);
		ap->open(r, "author", NULL);
		ap->elem(r, "name", who, NULL);
		if (url && *url)
			ap->elem(r, "uri", url, NULL);
		ap->close(r);
		ap->elem(r, "content", ap->cell(res, i, 4), "type", "text",
		    NULL);
		ap->close(r);
	}
	ap->close(r);
	return ap->xml_end(r);
}
