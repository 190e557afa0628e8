/*
 * moderate.c: what moderators do.  cm_act changes a comment's status the
 * same way from the console, the command line and the edit page: one
 * transaction, the page's version bumped when visitors see a change, the
 * content.verdict hook told of spam and not-spam decisions (the filter
 * learns), the reply notification sent when a reply gets published, the
 * audit trail written.  The console: the queue (/admin/comments, filters,
 * one-click and bulk actions), one comment (edit, reply), the word lists.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "comments.h"

#define MOD_PER_PAGE 50
#define MOD_WORDS_MAX 500

static const char *const mod_action_names[] = {
	"approve", "spam", "ham", "trash", "delete",
};

enum cm_action
cm_action_parse(const char *s)
{
	for (int i = 0; s && i < CM_ACT_NONE; i++)
		if (strcmp(s, mod_action_names[i]) == 0)
			return (enum cm_action)i;
	return CM_ACT_NONE;
}

/* Tells the filters that a moderator judged comment id (its text as
 * stored in res row 0). */
static void
mod_verdict(struct ap_req *r, long long id, struct ap_res *res,
    enum ap_verdict v)
{
	struct ap_content c = { .size = sizeof(c), .kind = "comment",
	    .form = "comment", .id = id, .verdict = v };

	c.page = ap->cell(res, 0, 0);
	c.author = ap->cell(res, 0, 2);
	c.email = ap->cell(res, 0, 3);
	c.url = ap->cell(res, 0, 4);
	c.text = ap->cell(res, 0, 5);
	c.ip = ap->cell(res, 0, 6);
	c.user_agent = ap->cell(res, 0, 7);
	c.score = v == AP_SPAM ? 1.0 : 0.0;
	c.checked = 1;
	ap->hook_run(r, "content.verdict", &c);
}

/* Applies a moderator's action to comment id.  AP_EINVAL when there is
 * no such comment or the action does not apply (deleting what is not in
 * the spam or the trash). */
int
cm_act(struct ap_req *r, long long id, enum cm_action act)
{
	struct ap_res *res = ap->query(r, "SELECT page, status, author, "
	    "email, url, body, ip, user_agent, verdict, (SELECT COUNT(*) FROM "
	    "comments ch WHERE ch.parent_id = c.id) FROM comments c WHERE "
	    "c.id = ?", AP_ARGS(AP_INT(id)));
	enum cm_status old, st;
	const char *page, *verdict;
	int rc;

	if (res == NULL)
		return ap->db_error(r);
	if (ap->rows(res) == 0 || act == CM_ACT_NONE)
		return AP_EINVAL;
	page = ap->cell(res, 0, 0);
	old = (enum cm_status)cm_status_parse(ap->cell(res, 0, 1));
	verdict = ap->cell(res, 0, 8);
	switch (act) {
	case CM_ACT_SPAM:
		st = CM_SPAM;
		break;
	case CM_ACT_TRASH:
	case CM_ACT_DELETE:
		st = CM_TRASH;
		break;
	default:
		st = CM_APPROVED;
	}
	if (act == CM_ACT_DELETE && old != CM_SPAM && old != CM_TRASH)
		return AP_EINVAL;
	if (st == old && act != CM_ACT_DELETE && act != CM_ACT_HAM)
		return AP_OK;
	if ((rc = ap->begin(r)) != AP_OK)
		return rc;
	if (act == CM_ACT_DELETE && ap->cell_int(res, 0, 9) > 0)
		/* replies hang below it: its place stays, emptied */
		rc = ap->exec(r, "UPDATE comments SET status = 'trash', "
		    "status_at = ?, author = '', email = '', url = NULL, "
		    "body = '', ip = NULL, user_agent = NULL, notify = 0, "
		    "dup = NULL WHERE id = ?", AP_ARGS(AP_INT(ap->now(r)),
		    AP_INT(id)));
	else if (act == CM_ACT_DELETE)
		rc = ap->exec(r, "DELETE FROM comments WHERE id = ?",
		    AP_ARGS(AP_INT(id)));
	else
		rc = ap->exec(r, "UPDATE comments SET status = ?, status_at = "
		    "?, "
		    "dup = IF(? = 1, NULL, dup) WHERE id = ?",
		    AP_ARGS(AP_TEXT(cm_status_name(st)), AP_INT(ap->now(r)),
		    AP_INT(st == CM_TRASH), AP_INT(id)));
	if (rc == AP_OK && (old == CM_APPROVED || st == CM_APPROVED))
		rc = cm_changed(r, page);
	if (rc == AP_OK)
		rc = ap->commit(r);
	if (rc != AP_OK) {
		ap->rollback(r);
		return rc;
	}
	if (act == CM_ACT_SPAM)
		mod_verdict(r, id, res, AP_SPAM);
	else if (act == CM_ACT_HAM || (act == CM_ACT_APPROVE &&
	    (old == CM_SPAM || (verdict && strcmp(verdict, "ham") != 0))))
		mod_verdict(r, id, res, AP_HAM);
	if (st == CM_APPROVED && old != CM_APPROVED)
		cm_notify_reply(r, id);
	ap->audit(r, ap->printf(r, "comments.%s", mod_action_names[act]),
	    ap->printf(r, "%lld %s", id, page));
	return AP_OK;
}

/* ---- word lists ---- */

/* Both word lists, to match a text against (one query per comment). */
struct ap_res *
cm_words_load(struct ap_req *r)
{
	return ap->query(r, "SELECT list, word FROM comments_words", AP_NOARGS);
}

/* Whether the folded text holds a word of list ("hold" or "refuse"),
 * compared without case and accents: 1 with *word set, or 0. */
int
cm_words_match(struct ap_req *r, struct ap_res *words, const char *list,
    const char *folded, const char **word)
{
	for (size_t i = 0; i < ap->rows(words); i++) {
		const char *w = ap->cell(words, i, 1);
		size_t wc = strlen(w) + 1;
		char *fw;

		if (strcmp(ap->cell(words, i, 0), list) != 0)
			continue;
		fw = ap->alloc(r, wc);
		cm_fold(w, fw, wc);
		if (*fw && strstr(folded, fw) != NULL) {
			*word = w;
			return 1;
		}
	}
	return 0;
}

/* ---- the console ---- */

/* Opens a page of the console as the console's own pages are made (the
 * login plugin's admin.css styles them): its menu (hook admin.menu, every
 * plugin's entries), then the main part; the layout closes both. */
static void
mod_menu(struct ap_req *r)
{
	ap->open(r, "div", "class", "admin wide", NULL);
	ap->open(r, "nav", "class", "admin-menu", "aria-label",
	    ap->tr(r, "Menu de l’administration"), NULL);
	ap->open(r, "ul", NULL);
	ap->hook_run(r, "admin.menu", NULL);
	ap->close(r);
	ap->close(r);
	ap->open(r, "div", "class", "admin-main", NULL);
}

static const char *
mod_status_arg(const char *s)
{
	if (s && (strcmp(s, "all") == 0 || cm_status_parse(s) >= 0))
		return s;
	return "pending";
}

static char *
mod_queue_url(struct ap_req *r, const char *status, const char *page,
    long p)
{
	char *u = ap->printf(r, "%s?status=%s", ap->url(r, "/admin/comments"),
	    status);

	if (page && *page)
		u = ap->printf(r, "%s&page=%s", u, ap->urlencode(r, page));
	if (p > 1)
		u = ap->printf(r, "%s&p=%ld", u, p);
	return u;
}

static const char *
mod_verdict_label(struct ap_req *r, const char *v)
{
	if (v == NULL)
		return NULL;
	if (strcmp(v, "spam") == 0)
		return ap->tr(r, "indésirable");
	if (strcmp(v, "unsure") == 0)
		return ap->tr(r, "incertain");
	return ap->tr(r, "légitime");
}

/* What the filter said and why, as moderators read it. */
static void
mod_filter_line(struct ap_req *r, const char *verdict, const char *score,
    const char *reasons)
{
	if (verdict == NULL && (reasons == NULL || *reasons == '\0'))
		return;
	ap->open(r, "p", "class", "mod-reasons", NULL);
	if (verdict != NULL) {
		char *sc = score ? ap->printf(r, "%.2f", strtod(score, NULL)) :
		    ap->strdup(r, "-");

		/* a decimal comma in French */
		if (strcmp(ap->lang(r), "fr") == 0 && strchr(sc, '.'))
			*strchr(sc, '.') = ',';
		ap->text(r, ap->printf(r, ap->tr(r, "Filtre : %s, score %s."),
		    mod_verdict_label(r, verdict), sc));
		ap->text(r, " ");
	}
	if (reasons != NULL && *reasons) {
		/* written in the site's language, whoever reads them */
		const char *site = ap->conf("site", "language");

		ap->elem(r, "strong", ap->tr(r, "Raisons :"), NULL);
		ap->text(r, " ");
		ap->elem(r, "span", reasons, "lang", site && strcmp(site,
		    ap->lang(r)) != 0 ? site : NULL, NULL);
	}
	ap->close(r);
}

static void
mod_button(struct ap_req *r, const char *act, long long id, const char *label,
    const char *who)
{
	int del = strcmp(act, "delete") == 0;

	ap->elem(r, "button", label, "type", "submit", "name", "act", "value",
	    ap->printf(r, "%s:%lld", act, id), "aria-label", ap->printf(r,
	    ap->tr(r, "%s : commentaire de %s"), label, who), "class",
	    del ? "button small danger" : strcmp(act, "approve") == 0 ?
	    "button small" : "button small secondary", "data-confirm", del ?
	    ap->tr(r, "Supprimer ce commentaire pour de bon ? Cela ne se "
	    "défait pas.") : NULL, NULL);
}

/* The buttons for the actions that apply to a comment of status st. */
static void
mod_buttons(struct ap_req *r, long long id, enum cm_status st, const char *who,
    int edit_link)
{
	ap->open(r, "div", "class", "mod-actions", NULL);
	if (st == CM_PENDING || st == CM_TRASH)
		mod_button(r, "approve", id, ap->tr(r, "Approuver"), who);
	if (st == CM_SPAM)
		mod_button(r, "ham", id, ap->tr(r, "Pas indésirable"), who);
	if (st != CM_SPAM)
		mod_button(r, "spam", id, ap->tr(r, "Indésirable"), who);
	if (st != CM_TRASH)
		mod_button(r, "trash", id, ap->tr(r, "Corbeille"), who);
	if (st == CM_SPAM || st == CM_TRASH)
		mod_button(r, "delete", id, ap->tr(r, "Supprimer "
		    "définitivement"),
		    who);
	if (edit_link)
		ap->elem(r, "a", ap->tr(r, "Modifier, répondre"), "href",
		    ap->url(r, ap->printf(r, "/admin/comments/%lld", id)),
		    "class", "button small secondary", "aria-label",
		    ap->printf(r, ap->tr(r, "Modifier, répondre : commentaire "
		    "de %s"), who), NULL);
	ap->close(r);
}

/* The message that follows an action of the queue (its redirect says what
 * was done and to how many). */
static void
mod_flash(struct ap_req *r)
{
	const char *done = ap->arg(r, "done");
	long long n = cm_id_arg(ap->arg(r, "n"));

	if (done == NULL)
		return;
	if (strcmp(done, "none") == 0) {
		ap->message(r, "error", ap->tr(r, "Choisissez au moins un "
		    "commentaire, puis une action."));
		return;
	}
	switch (cm_action_parse(done)) {
	case CM_ACT_APPROVE:
	case CM_ACT_HAM:
		ap->message(r, "ok", ap->printf(r, ap->trn(r,
		    "%lld commentaire approuvé.", "%lld commentaires "
		    "approuvés.",
		    (unsigned long)n), n));
		break;
	case CM_ACT_SPAM:
		ap->message(r, "ok", ap->printf(r, ap->trn(r,
		    "%lld commentaire marqué indésirable.",
		    "%lld commentaires marqués indésirables.",
		    (unsigned long)n), n));
		break;
	case CM_ACT_TRASH:
		ap->message(r, "ok", ap->printf(r, ap->trn(r,
		    "%lld commentaire mis à la corbeille.",
		    "%lld commentaires mis à la corbeille.",
		    (unsigned long)n), n));
		break;
	case CM_ACT_DELETE:
		ap->message(r, "ok", ap->printf(r, ap->trn(r,
		    "%lld commentaire supprimé définitivement.",
		    "%lld commentaires supprimés définitivement.",
		    (unsigned long)n), n));
		break;
	default:
		break;
	}
}

/* The statuses with their counts (for the page filtered on, if any), the
 * current one marked. */
static void
mod_tabs(struct ap_req *r, const char *status, const char *page)
{
	static const char *const tabs[] = { "pending", "approved", "spam",
	    "trash", "all" };
	/* The tabs name lists ("Approuvés (19)"), not one comment's status
	 * ("Approuvé"). */
	static const char *const labels[] = { AP_N_("En attente"),
	    AP_N_("Approuvés"), AP_N_("Indésirables"), AP_N_("Corbeille"),
	    AP_N_("Tous") };
	long long count[5] = { 0 };
	struct ap_res *res = page && *page ?
	    ap->query(r, "SELECT status, COUNT(*) FROM comments WHERE page = ? "
	    "GROUP BY status", AP_ARGS(AP_TEXT(page))) :
	    ap->query(r, "SELECT status, COUNT(*) FROM comments GROUP BY "
	    "status", AP_NOARGS);

	for (size_t i = 0; i < ap->rows(res); i++) {
		int s = cm_status_parse(ap->cell(res, i, 0));

		if (s >= 0)
			count[s] = ap->cell_int(res, i, 1);
		count[4] += ap->cell_int(res, i, 1);
	}
	ap->open(r, "nav", "class", "mod-tabs", "aria-label",
	    ap->tr(r, "Statuts"), NULL);
	ap->open(r, "ul", NULL);
	for (int i = 0; i < 5; i++) {
		const char *label = ap->tr(r, labels[i]);

		ap->open(r, "li", NULL);
		ap->elem(r, "a", ap->printf(r, "%s (%lld)", label, count[i]),
		    "href", mod_queue_url(r, tabs[i], page, 1), "aria-current",
		    strcmp(status, tabs[i]) == 0 ? "page" : NULL, NULL);
		ap->close(r);
	}
	ap->close(r);
	ap->close(r);
}

/* One comment of the queue. */
static void
mod_item(struct ap_req *r, struct ap_res *res, size_t i)
{
	long long id = ap->cell_int(res, i, 0);
	const char *page = ap->cell(res, i, 1);
	enum cm_status st = (enum cm_status)cm_status_parse(ap->cell(res, i,
	    3));
	const char *who = cm_author_name(r, ap->cell(res, i, 4));
	const char *email = ap->cell(res, i, 5), *url = ap->cell(res, i, 6);
	const char *ip = ap->cell(res, i, 9);
	long long parent = ap->cell_int(res, i, 2);
	const char *sel = ap->printf(r, "sel-%lld", id);

	ap->open(r, "li", "class", ap->printf(r, "mod-item status-%s",
	    cm_status_name(st)), "id", ap->printf(r, "c-%lld", id), NULL);
	ap->open(r, "div", "class", "mod-select", NULL);
	ap->empty(r, "input", "type", "checkbox", "name", "id", "value",
	    ap->printf(r, "%lld", id), "id", sel, NULL);
	/* "par", not "de": no elision to make before a vowel (d’Aline) */
	ap->elem(r, "label", ap->printf(r, ap->tr(r, "Choisir le commentaire "
	    "n° %lld, par %s"), id, who), "for", sel, NULL);
	ap->close(r);
	ap->open(r, "p", "class", "mod-meta", NULL);
	ap->elem(r, "strong", who, NULL);
	if (email && *email) {
		ap->text(r, " · ");
		ap->elem(r, "a", email, "href", ap->printf(r, "mailto:%s",
		    email), NULL);
	}
	if (url && *url) {
		ap->text(r, " · ");
		ap->elem(r, "a", url, "href", url, "rel", "nofollow ugc", NULL);
	}
	if (ip && *ip) {
		ap->text(r, " · ");
		ap->text(r, ap->printf(r, ap->tr(r, "IP %s"), ip));
	}
	ap->text(r, " · ");
	ap->elem(r, "time", ap->date(r, (time_t)ap->cell_int(res, i, 8)),
	    "datetime", ap->iso_date(r, (time_t)ap->cell_int(res, i, 8)), NULL);
	ap->text(r, " · ");
	ap->text(r, ap->tr(r, "sur "));
	ap->elem(r, "a", page, "href", st == CM_APPROVED ? ap->printf(r,
	    "%s#comment-%lld", page, id) : page, NULL);
	ap->text(r, " · ");
	ap->elem(r, "span", cm_status_label(r, st), "class", "mod-status",
	    NULL);
	ap->close(r);
	if (parent)
		ap->elem(r, "p", ap->printf(r, ap->tr(r, "En réponse au "
		    "commentaire n° "
		    "%lld"), parent), "class", "mod-parent", NULL);
	mod_filter_line(r, ap->cell(res, i, 10), ap->cell(res, i, 11),
	    ap->cell(res, i, 12));
	ap->open(r, "div", "class", "mod-body", NULL);
	cm_body(r, ap->cell(res, i, 7));
	ap->close(r);
	mod_buttons(r, id, st, who, 1);
	ap->close(r);
}

/* GET /admin/comments: the queue, by status (pending first) and page, 50
 * a page, each comment with its buttons; a form around them for the bulk
 * actions. */
int
cm_admin_get(struct ap_req *r, void *state)
{
	const char *status = mod_status_arg(ap->arg(r, "status"));
	const char *page = ap->arg(r, "page");
	long p = (long)cm_id_arg(ap->arg(r, "p"));
	int all = strcmp(status, "all") == 0, rc;
	struct ap_res *res;
	struct ap_field f;
	long long total;

	(void)state;
	if ((rc = ap->require_role(r, "moderator")) != AP_OK)
		return rc;
	if (page && (*page == '\0' || !cm_page_ok(page)))
		page = NULL;
	if (p < 1 || p > 100000)
		p = 1;
	res = ap->query(r, "SELECT COUNT(*) FROM comments WHERE (status = ? OR "
	    "? = 1) AND (page = ? OR ? = 0)", AP_ARGS(AP_TEXT(all ? "pending" :
	    status), AP_INT(all), AP_TEXT(page ? page : ""),
	    AP_INT(page != NULL)));
	if (res == NULL)
		return ap->db_error(r);
	total = ap->cell_int(res, 0, 0);
	res = ap->query(r, "SELECT id, page, parent_id, status, author, email, "
	    "url, body, created, ip, verdict, score, reasons FROM comments "
	    "WHERE (status = ? OR ? = 1) AND (page = ? OR ? = 0) ORDER BY "
	    "created DESC, id DESC LIMIT ? OFFSET ?", AP_ARGS(AP_TEXT(all ?
	    "pending" : status), AP_INT(all), AP_TEXT(page ? page : ""),
	    AP_INT(page != NULL), AP_INT(MOD_PER_PAGE),
	    AP_INT((p - 1) * MOD_PER_PAGE)));
	if (res == NULL)
		return ap->db_error(r);
	ap->no_cache(r);
	ap->page_begin(r, ap->tr(r, "Modération des commentaires"));
	mod_menu(r);
	ap->open(r, "section", "class", "moderation", NULL);
	ap->elem(r, "h1", ap->tr(r, "Modération des commentaires"), NULL);
	mod_flash(r);
	mod_tabs(r, status, page);

	ap->open(r, "form", "method", "get", "action",
	    ap->url(r, "/admin/comments"), "class", "mod-filter", NULL);
	ap->empty(r, "input", "type", "hidden", "name", "status", "value",
	    status, NULL);
	memset(&f, 0, sizeof(f));
	f.type = "search";
	f.name = "page";
	f.id = "mod-page";
	f.label = ap->tr(r, "Page");
	f.value = page;
	f.hint = ap->tr(r, "Le chemin de la page sur le site, par exemple "
	    "/blog/partager-son-temps.");
	f.maxlength = CM_PAGE_MAX;
	ap->field(r, &f);
	ap->elem(r, "button", ap->tr(r, "Filtrer"), "type", "submit", NULL);
	ap->close(r);
	ap->elem(r, "p", ap->tr(r, "Les mots qui retiennent ou refusent un "
	    "commentaire se règlent dans les listes de mots."), "class",
	    "mod-words-note", NULL);
	ap->open(r, "p", NULL);
	ap->elem(r, "a", ap->tr(r, "Listes de mots"), "href",
	    ap->url(r, "/admin/comments/words"), NULL);
	ap->close(r);

	if (ap->rows(res) == 0) {
		ap->elem(r, "p", ap->tr(r, "Aucun commentaire ici."), "class",
		    "mod-empty", NULL);
		ap->close(r);
		return AP_OK;
	}
	ap->open(r, "form", "method", "post", "action",
	    ap->url(r, "/admin/comments"), "class", "mod-queue", NULL);
	ap->csrf_field(r, "comments-moderate");
	ap->empty(r, "input", "type", "hidden", "name", "status", "value",
	    status, NULL);
	if (page)
		ap->empty(r, "input", "type", "hidden", "name", "page", "value",
		    page, NULL);
	ap->empty(r, "input", "type", "hidden", "name", "p", "value",
	    ap->printf(r, "%ld", p), NULL);
	ap->open(r, "div", "class", "mod-bulk", NULL);
	ap->elem(r, "label", ap->tr(r, "Pour les commentaires choisis :"),
	    "for", "mod-bulk", NULL);
	ap->open(r, "select", "name", "bulk", "id", "mod-bulk", NULL);
	ap->elem(r, "option", ap->tr(r, "Approuver"), "value", "approve", NULL);
	ap->elem(r, "option", ap->tr(r, "Marquer indésirables"), "value",
	    "spam", NULL);
	ap->elem(r, "option", ap->tr(r, "Marquer non indésirables"), "value",
	    "ham", NULL);
	ap->elem(r, "option", ap->tr(r, "Mettre à la corbeille"), "value",
	    "trash", NULL);
	ap->elem(r, "option", ap->tr(r, "Supprimer définitivement"), "value",
	    "delete", NULL);
	ap->close(r);
	ap->elem(r, "button", ap->tr(r, "Appliquer"), "type", "submit", "name",
	    "apply", "value", "1", NULL);
	ap->close(r);
	ap->open(r, "ol", "class", "mod-list", NULL);
	for (size_t i = 0; i < ap->rows(res); i++)
		mod_item(r, res, i);
	ap->close(r);
	ap->close(r);   /* form */
	if (total > MOD_PER_PAGE) {
		long pages = (long)((total + MOD_PER_PAGE - 1) / MOD_PER_PAGE);

		ap->open(r, "nav", "class", "comment-pages", "aria-label",
		    ap->tr(r, "Pages de la liste"), NULL);
		ap->open(r, "ul", NULL);
		for (long k = 1; k <= pages; k++) {
			ap->open(r, "li", NULL);
			ap->elem(r, "a", ap->printf(r, "%ld", k), "href",
			    mod_queue_url(r, status, page, k), "aria-current",
			    k == p ? "page" : NULL, NULL);
			ap->close(r);
		}
		ap->close(r);
		ap->close(r);
	}
	ap->close(r);   /* section */
	return AP_OK;
}

/* POST /admin/comments: one comment's button (act=ACTION:ID) or a bulk
 * action on the comments chosen; back to the queue with what was done. */
int
cm_admin_post(struct ap_req *r, void *state)
{
	const char *act = ap->form(r, "act"), *status, *page;
	const char **ids = NULL;
	enum cm_action a = CM_ACT_NONE;
	long long one = 0, done = 0;
	size_t n = 0;
	int rc;

	(void)state;
	if ((rc = ap->require_role(r, "moderator")) != AP_OK)
		return rc;
	status = mod_status_arg(ap->form(r, "status"));
	page = ap->form(r, "page");
	if (page && !cm_page_ok(page))
		page = NULL;
	if (act != NULL) {
		const char *colon = strchr(act, ':');

		if (colon != NULL) {
			a = cm_action_parse(ap->strndup(r, act,
			    (size_t)(colon - act)));
			one = cm_id_arg(colon + 1);
		}
		if (a == CM_ACT_NONE || one == 0)
			return 400;
		rc = cm_act(r, one, a);
		if (rc < 0 && rc != AP_EINVAL)
			return rc;
		done = rc == AP_OK;
	} else {
		a = cm_action_parse(ap->form(r, "bulk"));
		n = ap->forms(r, "id", &ids);
		if (a == CM_ACT_NONE)
			return 400;
		if (n > 500)
			n = 500;
		for (size_t i = 0; i < n; i++) {
			long long id = cm_id_arg(ids[i]);

			if (id == 0)
				continue;
			rc = cm_act(r, id, a);
			if (rc < 0 && rc != AP_EINVAL)
				return rc;
			done += rc == AP_OK;
		}
	}
	return ap->redirect(r, 303, ap->printf(r, "%s&done=%s&n=%lld",
	    mod_queue_url(r, status, page, (long)cm_id_arg(ap->form(r, "p"))),
	    (act == NULL && n == 0) ? "none" : mod_action_names[a], done));
}

/* ---- one comment: edit, reply ---- */

struct mod_edit {
	const char *author, *email, *url, *body, *status;
	const char *e_author, *e_email, *e_url, *e_body, *e_reply;
	const char *reply, *message;
};

/* One comment for a moderator: its facts, what the filter said, the
 * actions, the edit form (what e holds, else the comment), the reply form. */
static int
mod_one_page(struct ap_req *r, long long id, struct mod_edit *e, int status)
{
	struct ap_res *res = ap->query(r, "SELECT id, page, parent_id, status, "
	    "author, email, url, body, created, ip, verdict, score, reasons, "
	    "user_agent, edited FROM comments WHERE id = ?",
	    AP_ARGS(AP_INT(id)));
	struct ap_field f;
	enum cm_status st;
	const char *who;

	if (res == NULL)
		return ap->db_error(r);
	if (ap->rows(res) == 0)
		return cm_error(r, 404, ap->tr(r, "Commentaire introuvable"),
		    ap->tr(r, "Ce commentaire n’existe pas ou plus."));
	st = (enum cm_status)cm_status_parse(ap->cell(res, 0, 3));
	who = cm_author_name(r, ap->cell(res, 0, 4));
	if (e->author == NULL) {
		e->author = ap->cell(res, 0, 4);
		e->email = ap->cell(res, 0, 5);
		e->url = ap->cell(res, 0, 6);
		e->body = ap->cell(res, 0, 7);
	}
	ap->status(r, status);
	ap->no_cache(r);
	ap->page_begin(r, ap->printf(r, ap->tr(r, "Commentaire n° %lld"), id));
	mod_menu(r);
	ap->open(r, "section", "class", "moderation mod-one", NULL);
	ap->elem(r, "h1", ap->printf(r, ap->tr(r, "Commentaire n° %lld, par %s"),
	    id, who), NULL);
	ap->open(r, "p", NULL);
	ap->elem(r, "a", ap->tr(r, "Retour à la liste"), "href",
	    mod_queue_url(r, cm_status_name(st), NULL, 1), NULL);
	ap->close(r);
	if (ap->arg(r, "saved"))
		ap->message(r, "ok", ap->tr(r, "Modifications "
		    "enregistrées."));
	if (ap->arg(r, "replied"))
		ap->message(r, "ok", ap->tr(r, "Votre réponse est "
		    "publiée."));
	if (e->message)
		ap->message(r, "error", e->message);

	ap->open(r, "ol", "class", "mod-list", NULL);
	ap->open(r, "li", "class", ap->printf(r, "mod-item status-%s",
	    cm_status_name(st)), NULL);
	ap->open(r, "p", "class", "mod-meta", NULL);
	ap->text(r, ap->printf(r, ap->tr(r, "Envoyé le %s, sur "),
	    ap->date(r, (time_t)ap->cell_int(res, 0, 8))));
	ap->elem(r, "a", ap->cell(res, 0, 1), "href", ap->cell(res, 0, 1),
	    NULL);
	ap->text(r, " · ");
	ap->elem(r, "span", cm_status_label(r, st), "class", "mod-status",
	    NULL);
	if (ap->cell(res, 0, 9)) {
		ap->text(r, " · ");
		ap->text(r, ap->printf(r, ap->tr(r, "IP %s"),
		    ap->cell(res, 0, 9)));
	}
	if (ap->cell(res, 0, 13)) {
		ap->text(r, " · ");
		ap->text(r, ap->printf(r, ap->tr(r, "navigateur : %s"),
		    ap->cell(res, 0, 13)));
	}
	ap->close(r);
	if (ap->cell_int(res, 0, 2)) {
		ap->open(r, "p", "class", "mod-parent", NULL);
		ap->elem(r, "a", ap->printf(r, ap->tr(r, "En réponse au "
		    "commentaire n° %lld"), ap->cell_int(res, 0, 2)), "href",
		    ap->url(r, ap->printf(r, "/admin/comments/%lld",
		    ap->cell_int(res, 0, 2))), NULL);
		ap->close(r);
	}
	mod_filter_line(r, ap->cell(res, 0, 10), ap->cell(res, 0, 11),
	    ap->cell(res, 0, 12));
	ap->open(r, "form", "method", "post", "action",
	    ap->url(r, "/admin/comments"), NULL);
	ap->csrf_field(r, "comments-moderate");
	ap->empty(r, "input", "type", "hidden", "name", "status", "value",
	    cm_status_name(st), NULL);
	mod_buttons(r, id, st, who, 0);
	ap->close(r);
	ap->close(r);
	ap->close(r);

	ap->elem(r, "h2", ap->tr(r, "Modifier"), "id", "edit-title", NULL);
	ap->open(r, "form", "method", "post", "action", ap->url(r,
	    ap->printf(r, "/admin/comments/%lld", id)), "class", "comment-form",
	    "aria-labelledby", "edit-title", NULL);
	ap->csrf_field(r, "comments-edit-mod");
	memset(&f, 0, sizeof(f));
	f.name = "author";
	f.id = "me-author";
	f.label = ap->tr(r, "Nom");
	f.value = e->author;
	f.error = e->e_author;
	f.required = 1;
	f.maxlength = CM_AUTHOR_MAX;
	ap->field(r, &f);
	memset(&f, 0, sizeof(f));
	f.type = "email";
	f.name = "email";
	f.id = "me-email";
	f.label = ap->tr(r, "E-mail");
	f.value = e->email;
	f.error = e->e_email;
	f.maxlength = CM_EMAIL_MAX;
	ap->field(r, &f);
	memset(&f, 0, sizeof(f));
	f.type = "url";
	f.name = "url";
	f.id = "me-url";
	f.label = ap->tr(r, "Site web");
	f.value = e->url;
	f.error = e->e_url;
	f.maxlength = CM_URL_MAX;
	ap->field(r, &f);
	memset(&f, 0, sizeof(f));
	f.type = "textarea";
	f.name = "body";
	f.id = "me-body";
	f.label = ap->tr(r, "Commentaire");
	f.value = e->body;
	f.error = e->e_body;
	f.required = 1;
	f.maxlength = CM_BODY_MAX;
	f.rows = 10;
	ap->field(r, &f);
	ap->open(r, "p", "class", "form-submit", NULL);
	ap->elem(r, "button", ap->tr(r, "Enregistrer"), "type", "submit", NULL);
	ap->close(r);
	ap->close(r);

	if (st != CM_SPAM && st != CM_TRASH) {
		ap->elem(r, "h2", ap->tr(r, "Répondre"), "id", "reply-title",
		    NULL);
		if (st == CM_PENDING)
			ap->elem(r, "p", ap->tr(r, "Répondre approuve aussi ce "
			    "commentaire."), "class", "hint", NULL);
		ap->open(r, "form", "method", "post", "action", ap->url(r,
		    ap->printf(r, "/admin/comments/%lld/reply", id)), "class",
		    "comment-form", "aria-labelledby", "reply-title", NULL);
		ap->csrf_field(r, "comments-reply-mod");
		memset(&f, 0, sizeof(f));
		f.type = "textarea";
		f.name = "body";
		f.id = "mr-body";
		f.label = ap->tr(r, "Votre réponse");
		f.value = e->reply;
		f.error = e->e_reply;
		f.required = 1;
		f.maxlength = CM_BODY_MAX;
		f.rows = 6;
		ap->field(r, &f);
		ap->open(r, "p", "class", "form-submit", NULL);
		ap->elem(r, "button", ap->tr(r, "Publier la réponse"), "type",
		    "submit", NULL);
		ap->close(r);
		ap->close(r);
	}
	ap->close(r);   /* section */
	return AP_OK;
}

static long long
mod_route_id(struct ap_req *r)
{
	return cm_id_arg(ap->route_arg(r, "id"));
}

int
cm_admin_one_get(struct ap_req *r, void *state)
{
	struct mod_edit e = { 0 };
	long long id = mod_route_id(r);
	int rc;

	(void)state;
	if ((rc = ap->require_role(r, "moderator")) != AP_OK)
		return rc;
	if (id == 0)
		return 404;
	return mod_one_page(r, id, &e, 200);
}

static char *
mod_field(struct ap_req *r, const char *name)
{
	const char *v = ap->form(r, name);

	return ap->strdup(r, v ? v : "");
}

/* POST /admin/comments/{id}: a moderator's edit of the name, email,
 * website and text, checked as a visitor's are (the email may be empty:
 * imported and anonymized comments have none). */
int
cm_admin_one_post(struct ap_req *r, void *state)
{
	struct mod_edit e = { 0 };
	long long id = mod_route_id(r);
	struct ap_res *res;
	enum cm_url_rc u;
	char *author, *email, *url, *body;
	int rc, errors = 0;

	(void)state;
	if ((rc = ap->require_role(r, "moderator")) != AP_OK)
		return rc;
	res = ap->query(r, "SELECT page, status FROM comments WHERE id = ?",
	    AP_ARGS(AP_INT(id)));
	if (res == NULL)
		return ap->db_error(r);
	if (ap->rows(res) == 0)
		return 404;
	e.author = author = mod_field(r, "author");
	e.email = email = mod_field(r, "email");
	e.url = url = mod_field(r, "url");
	e.body = body = mod_field(r, "body");
	cm_squash(author);
	cm_squash(email);
	cm_squash(url);
	cm_clean_body(body);
	if (*author == '\0' || cm_chars(author) > CM_AUTHOR_MAX) {
		e.e_author = ap->tr(r, "Un nom de 1 à 100 caractères.");
		errors++;
	}
	if (*email && !cm_email_ok(email)) {
		e.e_email = ap->tr(r, "Cette adresse e-mail n’est pas valide.");
		errors++;
	}
	u = *url ? cm_url_check(url) : CM_URL_OK;
	if (u != CM_URL_OK || cm_chars(url) > CM_URL_MAX) {
		e.e_url = ap->tr(r, "Une adresse en http:// ou https://, de "
		    "200 "
		    "caractères au plus.");
		errors++;
	}
	if (cm_chars(body) < CM_BODY_MIN || cm_chars(body) > CM_BODY_MAX) {
		e.e_body = ap->tr(r, "Un texte de 2 à 10 000 caractères.");
		errors++;
	}
	if (errors) {
		e.message = ap->tr(r, "Rien n’est enregistré : corrigez ce qui "
		    "est signalé ci-dessous.");
		return mod_one_page(r, id, &e, 422);
	}
	if ((rc = ap->begin(r)) != AP_OK)
		return rc;
	rc = ap->exec(r, "UPDATE comments SET author = ?, email = ?, url = ?, "
	    "body = ?, edited = ?, dup = NULL WHERE id = ?",
	    AP_ARGS(AP_TEXT(author), AP_TEXT(email), *url ? AP_TEXT(url) :
	    AP_NULLV, AP_TEXT(body), AP_INT(ap->now(r)), AP_INT(id)));
	if (rc == AP_OK && strcmp(ap->cell(res, 0, 1), "approved") == 0)
		rc = cm_changed(r, ap->cell(res, 0, 0));
	if (rc == AP_OK)
		rc = ap->commit(r);
	if (rc != AP_OK) {
		ap->rollback(r);
		return rc;
	}
	ap->audit(r, "comments.edit", ap->printf(r, "%lld", id));
	return ap->redirect(r, 303, ap->printf(r, "%s?saved=1",
	    ap->url(r, ap->printf(r, "/admin/comments/%lld", id))));
}

/* POST /admin/comments/{id}/reply: a moderator's reply, published at once
 * in their name; replying to a held comment approves it first. */
int
cm_admin_reply_post(struct ap_req *r, void *state)
{
	struct mod_edit e = { 0 };
	long long id = mod_route_id(r), rid;
	const struct ap_user *u = ap->user(r);
	struct ap_res *res;
	char *body;
	int rc;

	(void)state;
	if ((rc = ap->require_role(r, "moderator")) != AP_OK)
		return rc;
	res = ap->query(r, "SELECT page, status, root_id FROM comments WHERE "
	    "id = ?", AP_ARGS(AP_INT(id)));
	if (res == NULL)
		return ap->db_error(r);
	if (ap->rows(res) == 0)
		return 404;
	e.reply = body = mod_field(r, "body");
	cm_clean_body(body);
	if (cm_chars(body) < CM_BODY_MIN || cm_chars(body) > CM_BODY_MAX) {
		e.e_reply = ap->tr(r, "Une réponse de 2 à 10 000 caractères.");
		e.message = ap->tr(r, "La réponse n’est pas publiée : corrigez "
		    "ce "
		    "qui est signalé ci-dessous.");
		return mod_one_page(r, id, &e, 422);
	}
	if (strcmp(ap->cell(res, 0, 1), "pending") == 0) {
		rc = cm_act(r, id, CM_ACT_APPROVE);
		if (rc != AP_OK)
			return rc;
	} else if (strcmp(ap->cell(res, 0, 1), "approved") != 0) {
		e.message = ap->tr(r, "On ne répond pas à un commentaire "
		    "indésirable ou mis à la corbeille.");
		return mod_one_page(r, id, &e, 409);
	}
	if ((rc = ap->begin(r)) != AP_OK)
		return rc;
	rc = ap->exec(r, "INSERT INTO comments (page, parent_id, root_id, "
	    "status, status_at, author, email, body, created, user_id, lang) "
	    "VALUES (?, ?, ?, 'approved', ?, ?, ?, ?, ?, ?, ?)",
	    AP_ARGS(AP_TEXT(ap->cell(res, 0, 0)), AP_INT(id),
	    AP_INT(ap->cell_int(res, 0, 2)), AP_INT(ap->now(r)),
	    AP_TEXT(u && u->name && *u->name ? u->name :
	    ap->tr(NULL, "La modération")), AP_TEXT(u && u->email ? u->email :
	    ""), AP_TEXT(body), AP_INT(ap->now(r)), u ? AP_INT(u->id) :
	    AP_NULLV, AP_TEXT(ap->lang(r))));
	rid = ap->insert_id(r);
	if (rc == AP_OK)
		rc = cm_changed(r, ap->cell(res, 0, 0));
	if (rc == AP_OK)
		rc = ap->commit(r);
	if (rc != AP_OK) {
		ap->rollback(r);
		return rc;
	}
	cm_notify_reply(r, rid);
	ap->audit(r, "comments.reply", ap->printf(r, "%lld to %lld", rid, id));
	return ap->redirect(r, 303, ap->printf(r, "%s?replied=%lld",
	    ap->url(r, ap->printf(r, "/admin/comments/%lld", id)), rid));
}

/* ---- the word lists ---- */

static const char *
mod_words_text(struct ap_req *r, const char *list)
{
	struct ap_res *res = ap->query(r, "SELECT word FROM comments_words "
	    "WHERE list = ? ORDER BY word", AP_ARGS(AP_TEXT(list)));
	char *t = ap->strdup(r, "");

	for (size_t i = 0; i < ap->rows(res); i++)
		t = ap->printf(r, "%s%s\n", t, ap->cell(res, i, 0));
	return t;
}

/* The word lists as two text areas, with their errors. */
static int
mod_words_page(struct ap_req *r, const char *hold, const char *refuse,
    const char *e_hold, const char *e_refuse, int status)
{
	struct ap_field f;

	ap->status(r, status);
	ap->no_cache(r);
	ap->page_begin(r, ap->tr(r, "Listes de mots"));
	mod_menu(r);
	ap->open(r, "section", "class", "moderation", NULL);
	ap->elem(r, "h1", ap->tr(r, "Listes de mots"), NULL);
	ap->open(r, "p", NULL);
	ap->elem(r, "a", ap->tr(r, "Retour à la modération"), "href",
	    ap->url(r, "/admin/comments"), NULL);
	ap->close(r);
	if (ap->arg(r, "saved"))
		ap->message(r, "ok", ap->tr(r, "Listes enregistrées."));
	if (e_hold || e_refuse)
		ap->message(r, "error", ap->tr(r, "Rien n’est enregistré : "
		    "corrigez ce qui est signalé ci-dessous."));
	ap->elem(r, "p", ap->tr(r, "Un mot ou une expression par ligne. Ils "
	    "sont cherchés dans le nom, l’e-mail, le site, le texte, l’adresse "
	    "IP et le navigateur, sans tenir compte des majuscules ni des "
	    "accents."), NULL);
	ap->open(r, "form", "method", "post", "action",
	    ap->url(r, "/admin/comments/words"), "class", "comment-form",
	    NULL);
	ap->csrf_field(r, "comments-words");
	memset(&f, 0, sizeof(f));
	f.type = "textarea";
	f.name = "hold";
	f.id = "w-hold";
	f.label = ap->tr(r, "Mots à modérer");
	f.hint = ap->tr(r, "Un commentaire qui en contient un attend un "
	    "modérateur.");
	f.value = hold;
	f.error = e_hold;
	f.rows = 10;
	ap->field(r, &f);
	memset(&f, 0, sizeof(f));
	f.type = "textarea";
	f.name = "refuse";
	f.id = "w-refuse";
	f.label = ap->tr(r, "Mots refusés");
	f.hint = ap->tr(r, "Un commentaire qui en contient un est refusé, et "
	    "son auteur le sait.");
	f.value = refuse;
	f.error = e_refuse;
	f.rows = 10;
	ap->field(r, &f);
	ap->open(r, "p", "class", "form-submit", NULL);
	ap->elem(r, "button", ap->tr(r, "Enregistrer les listes"), "type",
	    "submit", NULL);
	ap->close(r);
	ap->close(r);
	ap->close(r);
	return AP_OK;
}

int
cm_words_get(struct ap_req *r, void *state)
{
	int rc;

	(void)state;
	if ((rc = ap->require_role(r, "moderator")) != AP_OK)
		return rc;
	return mod_words_page(r, mod_words_text(r, "hold"),
	    mod_words_text(r, "refuse"), NULL, NULL, 200);
}

/* Splits a list into its lines; checks each.  NULL when fine, else the
 * message for the field. */
static const char *
mod_words_split(struct ap_req *r, const char *text, char ***out, size_t *n)
{
	char *copy = ap->strdup(r, text), *save = NULL;
	char **w = ap->alloc(r, (MOD_WORDS_MAX + 1) * sizeof(char *));

	*n = 0;
	*out = w;
	for (char *t = strtok_r(copy, "\n", &save); t;
	    t = strtok_r(NULL, "\n", &save)) {
		cm_squash(t);
		if (*t == '\0')
			continue;
		if (cm_chars(t) > CM_WORD_MAX)
			return ap->printf(r, ap->tr(r, "« %s… » est trop "
			    "long : "
			    "100 caractères au plus par ligne."),
			    ap->strndup(r, t, cm_prefix(t, 40)));
		if (*n >= MOD_WORDS_MAX)
			return ap->tr(r, "500 lignes au plus.");
		w[(*n)++] = t;
	}
	return NULL;
}

/* POST /admin/comments/words: both lists replaced in one transaction, or
 * nothing when a line is too long. */
int
cm_words_post(struct ap_req *r, void *state)
{
	static const char *const lists[] = { "hold", "refuse" };
	const char *text[2], *err[2];
	char **words[2];
	size_t n[2];
	int rc;

	(void)state;
	if ((rc = ap->require_role(r, "moderator")) != AP_OK)
		return rc;
	for (int l = 0; l < 2; l++) {
		text[l] = ap->form(r, lists[l]);
		if (text[l] == NULL)
			text[l] = "";
		err[l] = mod_words_split(r, text[l], &words[l], &n[l]);
	}
	if (err[0] || err[1])
		return mod_words_page(r, text[0], text[1], err[0], err[1], 422);
	if ((rc = ap->begin(r)) != AP_OK)
		return rc;
	rc = ap->exec(r, "DELETE FROM comments_words", AP_NOARGS);
	for (int l = 0; l < 2 && rc == AP_OK; l++)
		for (size_t i = 0; i < n[l] && rc == AP_OK; i++) {
			rc = ap->exec(r, "INSERT INTO comments_words (list, "
			    "word) "
			    "VALUES (?, ?)", AP_ARGS(AP_TEXT(lists[l]),
			    AP_TEXT(words[l][i])));
			if (rc == AP_EDUP)
				rc = AP_OK;
		}
	if (rc == AP_OK)
		rc = ap->commit(r);
	if (rc != AP_OK) {
		ap->rollback(r);
		return rc;
	}
	ap->audit(r, "comments.words", ap->printf(r, "%zu hold, %zu refuse",
	    n[0], n[1]));
	return ap->redirect(r, 303, ap->printf(r, "%s?saved=1",
	    ap->url(r, "/admin/comments/words")));
}

/* ---- the console's home and menu ---- */

/* admin.dashboard: what waits for a moderator, with a link to it. */
int
cm_on_dashboard(struct ap_req *r, void *state, void *data)
{
	struct ap_res *res;
	long long n;

	(void)state;
	(void)data;
	if (!ap->has_role(r, "moderator"))
		return AP_DECLINED;
	res = ap->query(r, "SELECT COUNT(*) FROM comments WHERE status = "
	    "'pending'", AP_NOARGS);
	if (res == NULL)
		return AP_DECLINED;
	n = ap->cell_int(res, 0, 0);
	ap->open(r, "li", "class", "attention-comments", NULL);
	ap->elem(r, "a", n == 0 ? ap->tr(r, "Aucun commentaire en attente de "
	    "modération") : ap->printf(r, ap->trn(r, "%lld commentaire en "
	    "attente de modération", "%lld commentaires en attente de "
	    "modération", (unsigned long)n), n), "href",
	    mod_queue_url(r, "pending", NULL, 1), NULL);
	ap->close(r);
	return AP_OK;
}

/* admin.menu: the console's entry, for moderators. */
int
cm_on_menu(struct ap_req *r, void *state, void *data)
{
	const char *path = ap->path(r);

	(void)state;
	(void)data;
	if (!ap->has_role(r, "moderator"))
		return AP_DECLINED;
	ap->open(r, "li", NULL);
	ap->elem(r, "a", ap->tr(r, "Commentaires"), "href",
	    ap->url(r, "/admin/comments"), "aria-current",
	    strncmp(path, "/admin/comments", 15) == 0 ? "page" : NULL, NULL);
	ap->close(r);
	return AP_OK;
}
