/*
 * comments.c: the comments plugin's descriptor (routes, hooks, settings,
 * commands) and what its files share: statuses, the per-page version
 * counters that invalidate caches on every host, page keys and their
 * URLs, and the two cookies the site's pages see (Path=/).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "comments.h"

const struct ap_host *ap;
struct cm_conf cm_conf;

static const char *const cm_status_names[] = {
	"pending", "approved", "spam", "trash",
};

const char *
cm_status_name(enum cm_status s)
{
	return (unsigned)s < 4 ? cm_status_names[s] : "pending";
}

int
cm_status_parse(const char *s)
{
	for (int i = 0; s && i < 4; i++)
		if (strcmp(s, cm_status_names[i]) == 0)
			return i;
	return -1;
}

const char *
cm_status_label(struct ap_req *r, enum cm_status s)
{
	switch (s) {
	case CM_APPROVED:
		return ap->tr(r, "Approuvé");
	case CM_SPAM:
		return ap->tr(r, "Indésirable");
	case CM_TRASH:
		return ap->tr(r, "Corbeille");
	default:
		return ap->tr(r, "En attente");
	}
}

/* The shared counter that versions a page's comments. */
char *
cm_counter_name(struct ap_req *r, const char *page)
{
	return ap->printf(r, "comments %s", page);
}

/* Something a visitor may see changed on page: its version and the
 * site's move on, so that every cache of every host reads it again. */
int
cm_changed(struct ap_req *r, const char *page)
{
	int rc = ap->counter_bump(r, cm_counter_name(r, page));

	if (rc == AP_OK)
		rc = ap->counter_bump(r, "comments");
	return rc;
}

/* A page takes comments when its key starts with one of the prefixes of
 * the setting `pages`. */
int
cm_page_allowed(const char *page)
{
	const char *p = cm_conf.pages;

	while (*p) {
		size_t l;

		while (*p == ' ')
			p++;
		l = strcspn(p, " ");
		if (l > 0 && strncmp(page, p, l) == 0)
			return 1;
		p += l;
	}
	return 0;
}

/* The page's title when one is known (import, command), else NULL. */
const char *
cm_page_title(struct ap_req *r, const char *page)
{
	struct ap_res *res = ap->query(r, "SELECT title FROM comments_pages "
	    "WHERE page = ?", AP_ARGS(AP_TEXT(page)));

	return ap->rows(res) ? ap->cell(res, 0, 0) : NULL;
}

/* The backend's own page of a page's comments. */
char *
cm_page_url(struct ap_req *r, const char *page, long pageno)
{
	char *u = ap->printf(r, "%s?page=%s", ap->url(r, "/comments"),
	    ap->urlencode(r, page));

	if (pageno > 1)
		u = ap->printf(r, "%s&cpage=%ld", u, pageno);
	return u;
}

/* An absolute address on the site: base_url + path. */
char *
cm_site_url(struct ap_req *r, const char *path)
{
	return ap->printf(r, "%s%s", ap->conf("site", "base_url"), path);
}

/* A cookie for the whole site (Path=/): the site's static pages, and the
 * SSI requests they make, must see it.  The core's set_cookie scopes
 * cookies to the mount path, hence this one.  max_age < 0 deletes. */
int
cm_set_cookie(struct ap_req *r, const char *name, const char *value,
    long max_age)
{
	for (const char *p = value; *p; p++)
		if (!(((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z') ||
		    (*p >= '0' && *p <= '9') || strchr("-_.", *p)))
			return AP_EINVAL;
	return ap->header(r, "Set-Cookie", ap->printf(r,
	    "%s=%s; Path=/; SameSite=Lax; HttpOnly%s; Max-Age=%ld", name,
	    max_age < 0 ? "" : value, cm_conf.https ? "; Secure" : "",
	    max_age < 0 ? 0L : max_age));
}

/* The ids of the comments this browser posted (signed cookie), which it
 * may see while held and edit for a while. */
long long *
cm_own_ids(struct ap_req *r, size_t *n)
{
	const char *c = ap->cookie(r, CM_COOKIE_OWN), *payload = NULL;
	long long *ids = ap->alloc(r, (CM_OWN_MAX + 1) * sizeof(*ids));
	long age;
	int k;

	*n = 0;
	if (c == NULL || ap->verify(r, "comments.own", c, 90L * 86400,
	    &payload, &age) != AP_OK)
		return ids;
	k = cm_ids_parse(payload, ids, CM_OWN_MAX);
	*n = k > 0 ? (size_t)k : 0;
	return ids;
}

/* Adds id to the visitor's cookie (the most recent CM_OWN_MAX stay). */
void
cm_own_add(struct ap_req *r, long long id)
{
	size_t n, i;
	long long *ids = cm_own_ids(r, &n);
	char *payload = ap->printf(r, "%lld", id);

	for (i = 0; i < n; i++)
		if (ids[i] == id)
			return;
	for (i = n > CM_OWN_MAX - 1 ? n - (CM_OWN_MAX - 1) : 0; i < n; i++)
		payload = ap->printf(r, "%s.%lld", payload, ids[i]);
	cm_set_cookie(r, CM_COOKIE_OWN, ap->sign(r, "comments.own", payload),
	    90L * 86400);
}

/* An author name as shown: an anonymized comment has none. */
const char *
cm_author_name(struct ap_req *r, const char *author)
{
	return author && *author ? author : ap->tr(r, "Anonyme");
}

/* ---- the descriptor ---- */

/* Reads the settings once, before the workers start; refuses an order or
 * a list of pages it cannot use, naming the setting. */
static int
cm_init(const struct ap_host *host, void **state)
{
	const char *order;

	ap = host;
	order = ap->conf("comments", "order");
	if (strcmp(order, "oldest") != 0 && strcmp(order, "newest") != 0) {
		ap->log(AP_LOG_ERR, "comments: [comments] order must be oldest "
		    "or newest, not %s", order);
		return -1;
	}
	cm_conf.newest_first = strcmp(order, "newest") == 0;
	cm_conf.per_page = (int)ap->conf_int("comments", "per_page");
	cm_conf.depth = (int)ap->conf_int("comments", "depth");
	cm_conf.hold_all = (int)ap->conf_int("comments", "hold_all");
	cm_conf.hold_first = (int)ap->conf_int("comments", "hold_first");
	cm_conf.max_links = (int)ap->conf_int("comments", "max_links");
	cm_conf.flood_interval = (long)ap->conf_int("comments",
	    "flood_interval");
	cm_conf.flood_burst = (int)ap->conf_int("comments", "flood_burst");
	cm_conf.edit_window = (long)ap->conf_int("comments", "edit_window");
	cm_conf.ip_retention = (long)ap->conf_int("comments", "ip_retention");
	cm_conf.spam_retention = (long)ap->conf_int("comments",
	    "spam_retention");
	cm_conf.trash_retention = (long)ap->conf_int("comments",
	    "trash_retention");
	cm_conf.notify_moderators = (int)ap->conf_int("comments",
	    "notify_moderators");
	cm_conf.moderators = ap->conf("comments", "moderators");
	cm_conf.notify_roles = ap->conf("comments", "notify_roles");
	for (const char *p = cm_conf.notify_roles; *p;) {
		static const char *const roles[] = { "admin", "moderator",
		    "expert", "member", NULL };
		size_t l, i;

		p += strspn(p, " ");
		l = strcspn(p, " ");
		for (i = 0; l > 0 && roles[i] != NULL; i++)
			if (strlen(roles[i]) == l && strncmp(p, roles[i], l) == 0)
				break;
		if (l > 0 && roles[i] == NULL) {
			ap->log(AP_LOG_ERR, "comments: [comments] notify_roles "
			    "holds roles among admin, moderator, expert, "
			    "member");
			return -1;
		}
		p += l;
	}
	cm_conf.feed_items = (int)ap->conf_int("comments", "feed_items");
	cm_conf.pages = ap->conf("comments", "pages");
	cm_conf.cache_size = (size_t)ap->conf_int("comments", "cache_size");
	cm_conf.https = strncmp(ap->conf("site", "base_url"), "https:", 6) == 0;
	for (const char *p = cm_conf.pages; *p; p++)
		if (*p != ' ' && (p == cm_conf.pages || p[-1] == ' ') &&
		    *p != '/') {
			ap->log(AP_LOG_ERR, "comments: [comments] pages holds "
			    "path prefixes, each starting with /");
			return -1;
		}
	*state = NULL;
	return 0;
}

static void
cm_fini(void *state)
{
	(void)state;
	cm_view_free_all();
}

static const struct ap_route cm_routes[] = {
	{ "GET", "/comments", 0, cm_get },
	{ "POST", "/comments", 0, cm_post },
	{ "GET", "/comments/feed", AP_ROUTE_RAW | AP_ROUTE_NOSESSION, cm_feed },
	{ "GET", "/comments/edit", 0, cm_edit_get },
	{ "POST", "/comments/edit", AP_ROUTE_FORM, cm_edit_post },
	{ "POST", "/comments/delete", AP_ROUTE_FORM, cm_delete_post },
	{ "GET", "/comments/unsubscribe", AP_ROUTE_NOSESSION, cm_unsub_get },
	{ "POST", "/comments/unsubscribe", AP_ROUTE_NOSESSION, cm_unsub_post },
	{ "GET", "/admin/comments", 0, cm_admin_get },
	{ "POST", "/admin/comments", AP_ROUTE_FORM, cm_admin_post },
	{ "GET", "/admin/comments/words", 0, cm_words_get },
	{ "POST", "/admin/comments/words", AP_ROUTE_FORM, cm_words_post },
	{ "GET", "/admin/comments/{id}", 0, cm_admin_one_get },
	{ "POST", "/admin/comments/{id}", AP_ROUTE_FORM, cm_admin_one_post },
	{ "POST", "/admin/comments/{id}/reply", AP_ROUTE_FORM,
	    cm_admin_reply_post },
	{ NULL, NULL, 0, NULL },
};

static const struct ap_hook cm_hooks[] = {
	{ "admin.dashboard", 20, cm_on_dashboard },
	{ "admin.menu", 20, cm_on_menu },
	{ "cron", 50, cm_on_cron },
	{ "privacy.export", 50, cm_on_export },
	{ "privacy.erase", 50, cm_on_erase },
	{ NULL, 0, NULL },
};

static const char *const cm_runs[] = {
	"form.fields", "content.check", "content.verdict", "admin.menu",
	"users.with_role", NULL,
};

static const char *const cm_suggests[] = { "antispam", NULL };

static const struct ap_setting cm_settings[] = {
	{ "order", AP_SET_STRING, "oldest", 0, 0,
	    "oldest or newest: which threads come first" },
	{ "per_page", AP_SET_INT, "50", 1, 500, "threads per page" },
	{ "depth", AP_SET_INT, "5", 1, 20, "levels of replies shown nested" },
	{ "hold_all", AP_SET_BOOL, "no", 0, 0,
	    "every comment waits for a moderator" },
	{ "hold_first", AP_SET_BOOL, "yes", 0, 0,
	    "hold a first comment from an email with none approved" },
	{ "max_links", AP_SET_INT, "2", 0, 1000,
	    "hold a comment with more links than this" },
	{ "flood_interval", AP_SET_DURATION, "15s", 0, 86400,
	    "window of the flood control per IP (0: off)" },
	{ "flood_burst", AP_SET_INT, "1", 1, 10000,
	    "comments allowed per IP in one window" },
	{ "edit_window", AP_SET_DURATION, "15m", 0, 86400,
	    "how long an author may edit or delete a comment" },
	{ "ip_retention", AP_SET_DURATION, "30d", 60, 3650LL * 86400,
	    "how long the IP and browser of a commenter are kept" },
	{ "spam_retention", AP_SET_DURATION, "30d", 60, 3650LL * 86400,
	    "how long spam is kept before it is purged" },
	{ "trash_retention", AP_SET_DURATION, "30d", 60, 3650LL * 86400,
	    "how long the trash is kept before it is purged" },
	{ "notify_moderators", AP_SET_BOOL, "yes", 0, 0,
	    "mail the moderators about each held comment" },
	{ "moderators", AP_SET_STRING, "", 0, 0,
	    "emails of the moderators (space-separated)" },
	{ "notify_roles", AP_SET_STRING, "moderator", 0, 0,
	    "roles whose active users are mailed too (login plugin)" },
	{ "feed_items", AP_SET_INT, "50", 1, 500, "entries of a feed" },
	{ "pages", AP_SET_STRING, "/", 0, 0,
	    "path prefixes of the pages that take comments (space-separated)" },
	{ "cache_size", AP_SET_SIZE, "16M", 0, 1LL << 30,
	    "memory for threads kept ready, per process (0: none)" },
	{ NULL, 0, NULL, 0, 0, NULL },
};

static const struct ap_command cm_commands[] = {
	{ "comments", "comments list|show|approve|spam|ham|trash|delete|"
	    "words|page ...", "moderate comments (comments help)", cm_cli },
	{ "import", "import wxr FILE [--dry-run] [--map FROM=TO]",
	    "import the comments of a WordPress export", cm_import },
	{ NULL, NULL, NULL, NULL },
};

static const struct ap_nav cm_nav[] = {
	{ AP_N_("Commentaires"), "/admin/comments", "moderator", 60 },
	{ NULL, NULL, NULL, 0 },
};

AP_PLUGIN(comments) = {
	AP_PLUGIN_HEAD,
	.name = "comments",
	.version = "1.0",
	.description = AP_N_("Commentaires en fil de discussion sur les pages "
	    "du site : modération, notifications, flux Atom, import "
	    "WordPress"),
	.suggests = cm_suggests,
	.init = cm_init,
	.fini = cm_fini,
	.routes = cm_routes,
	.hooks = cm_hooks,
	.runs = cm_runs,
	.settings = cm_settings,
	.commands = cm_commands,
	.nav = cm_nav,
	.schema = "comments",
};
