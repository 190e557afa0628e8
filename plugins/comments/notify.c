/*
 * notify.c: the mail the comments send, through the core's queue (stored
 * first, sent after the answer, retried when the mail command fails: a
 * comment never waits on mail and is never lost to it).  Moderators hear
 * of each held comment; a commenter who asked hears of each published
 * reply, with a one-click unsubscribe link (List-Unsubscribe, RFC 8058).
 * Mail is written in the site's language; header values come from the
 * core's mail API, which refuses line breaks in them.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "comments.h"

/* A title safe for a subject line. */
static const char *
notify_title(struct ap_req *r, const char *page)
{
	const char *t = cm_page_title(r, page);
	char *s = ap->strdup(r, t && *t ? t : page);

	cm_squash(s);
	return s;
}

/* An author's name in a mail to a reader of lang. */
static const char *
notify_name(const char *lang, const char *author)
{
	return author && *author ? author : ap->tr_in(lang, "Anonyme");
}

/* Whether email is one of the space-separated list, whatever its case. */
static bool
notify_listed(const char *list, const char *email)
{
	size_t n = strlen(email);

	for (const char *p = list; *p;) {
		size_t l = strcspn(p, " ");

		if (l == n && strncasecmp(p, email, n) == 0)
			return true;
		p += l + (p[l] == ' ');
	}
	return false;
}

/* The addresses to tell of a held comment: the setting's, then the
 * active users of notify_roles (users.with_role, from the login plugin),
 * each once whatever its case; space-separated, or "" when none. */
static const char *
notify_moderator_list(struct ap_req *r)
{
	const char *all = cm_conf.moderators, *p;
	char *out = ap->strdup(r, "");

	for (p = cm_conf.notify_roles; *p;) {
		struct ap_role_list l = { .size = sizeof(l) };
		size_t n;

		p += strspn(p, " ");
		n = strcspn(p, " ");
		if (n == 0)
			break;
		l.role = ap->strndup(r, p, n);
		p += n;
		/* A listener that failed may have added some: keep them. */
		(void)ap->hook_run(r, "users.with_role", &l);
		if (l.emails != NULL)
			all = ap->printf(r, "%s %s", all, l.emails);
	}
	for (p = all; *p;) {
		size_t l;
		char *to;

		p += strspn(p, " ,");
		l = strcspn(p, " ,");
		if (l == 0)
			break;
		to = ap->strndup(r, p, l);
		p += l;
		if (!cm_email_ok(to)) {
			ap->log(AP_LOG_WARN, "comments: [comments] moderators: "
			    "%s is not an email address; skipped", to);
			continue;
		}
		if (!notify_listed(out, to))
			out = ap->printf(r, *out ? "%s %s" : "%s%s", out, to);
	}
	return out;
}

/* Mails each moderator about held comment id. */
void
cm_notify_moderators(struct ap_req *r, long long id)
{
	struct ap_res *res;
	const char *title, *subject, *body, *p, *list;

	if (!cm_conf.notify_moderators)
		return;
	list = notify_moderator_list(r);
	if (*list == '\0')
		return;
	res = ap->query(r, "SELECT page, author, email, url, body, ip, "
	    "reasons, "
	    "verdict, score FROM comments WHERE id = ?", AP_ARGS(AP_INT(id)));
	if (res == NULL || ap->rows(res) == 0)
		return;
	title = notify_title(r, ap->cell(res, 0, 0));
	subject = ap->printf(r, ap->tr(NULL, "[%s] Commentaire à modérer : %s"),
	    ap->conf("site", "title"), title);
	body = ap->printf(r, ap->tr(NULL, "Un commentaire attend votre "
	    "décision "
	    "sur « %s » (%s).\n\nAuteur : %s\nE-mail : %s\nSite : %s\nIP : %s\n"
	    "Filtre : %s%s\n\n%s\n\nApprouver, marquer indésirable ou mettre à "
	    "la corbeille :\n%s\n"), title, cm_site_url(r, ap->cell(res, 0, 0)),
	    cm_author_name(NULL, ap->cell(res, 0, 1)), ap->cell(res, 0, 2),
	    ap->cell(res, 0, 3) ? ap->cell(res, 0, 3) : "-",
	    ap->cell(res, 0, 5) ? ap->cell(res, 0, 5) : "-",
	    ap->cell(res, 0, 7) ? ap->printf(r, "%s (%.2f) ; ",
	    ap->cell(res, 0, 7), strtod(ap->cell(res, 0, 8) ?
	    ap->cell(res, 0, 8) : "0", NULL)) : "",
	    ap->cell(res, 0, 6) ? ap->cell(res, 0, 6) : "-",
	    ap->cell(res, 0, 4), ap->abs_url(r, ap->printf(r,
	    "/admin/comments/%lld", id)));
	for (p = list; *p;) {
		size_t l = strcspn(p, " ");
		char *to = ap->strndup(r, p, l);

		p += l + (p[l] == ' ');
		if (ap->mail(r, to, subject, body, NULL) != AP_OK)
			ap->log(AP_LOG_WARN, "comments: the mail about comment "
			    "%lld to a moderator could not be queued", id);
	}
}

/* Mails the author of the comment that id answers, when they asked to be
 * told, once per reply. */
void
cm_notify_reply(struct ap_req *r, long long id)
{
	struct ap_res *res = ap->query(r, "SELECT c.page, c.author, c.body, "
	    "c.email, p.email, p.author, p.id, p.lang FROM comments c JOIN "
	    "comments p "
	    "ON "
	    "p.id = c.parent_id WHERE c.id = ? AND c.status = 'approved' AND "
	    "c.notified = 0 AND p.notify = 1 AND p.status = 'approved' AND "
	    "p.email <> ''", AP_ARGS(AP_INT(id)));
	const char *page, *to, *title, *link, *unsub, *lang;
	int first = 1;

	if (res == NULL || ap->rows(res) == 0)
		return;
	page = ap->cell(res, 0, 0);
	to = ap->cell(res, 0, 4);
	lang = ap->cell(res, 0, 7);     /* the reader's, when they wrote */
	if (strcasecmp(to, ap->cell(res, 0, 3)) == 0)
		return;                 /* one answering oneself */
	if (ap->exec(r, "UPDATE comments SET notified = 1 WHERE id = ? AND "
	    "notified = 0", AP_ARGS(AP_INT(id))) != AP_OK ||
	    ap->affected(r) != 1)
		return;
	title = notify_title(r, page);
	if (cm_on_first_page(r, page, id, &first) == AP_OK && !first)
		link = ap->printf(r, "%s%s", ap->conf("site", "base_url"),
		    cm_locate_url(r, page, id));
	else
		link = ap->printf(r, "%s#comment-%lld", cm_site_url(r, page),
		    id);
	unsub = ap->abs_url(r, ap->printf(r, "/comments/unsubscribe?t=%s",
	    ap->sign(r, "comments.unsub", to)));
	if (ap->mail(r, to, ap->printf(r, ap->tr_in(lang, "[%s] Nouvelle "
	    "réponse à votre commentaire sur « %s »"), ap->conf("site", "title"),
	    title), ap->printf(r, ap->tr_in(lang, "Bonjour %s,\n\n%s a répondu à "
	    "votre commentaire sur « %s » :\n\n%s\n\nLire la réponse et la "
	    "discussion :\n%s\n\n-- \nVous recevez ce message parce que vous "
	    "avez demandé à recevoir les réponses à vos commentaires. Pour "
	    "ne plus en recevoir, un clic suffit :\n%s\n"),
	    notify_name(lang, ap->cell(res, 0, 5)),
	    notify_name(lang, ap->cell(res, 0, 1)), title,
	    ap->cell(res, 0, 2), link, unsub), unsub) != AP_OK)
		ap->log(AP_LOG_WARN, "comments: the reply notice for comment "
		    "%lld could not be queued", id);
}

/* The email an unsubscribe link was made for, or NULL (after answering
 * with an error page). */
static const char *
notify_unsub_email(struct ap_req *r)
{
	const char *t = ap->arg(r, "t"), *email = NULL;
	long age;

	if (t == NULL)
		t = ap->form(r, "t");
	if (t == NULL || ap->verify(r, "comments.unsub", t, 0, &email,
	    &age) != AP_OK || !cm_email_ok(email)) {
		cm_error(r, 400, ap->tr(r, "Lien de désabonnement incorrect"),
		    ap->tr(r, "Ce lien de désabonnement n’est pas valide : "
		    "vérifiez qu’il a été copié en entier depuis le message."));
		return NULL;
	}
	return email;
}

/* GET /comments/unsubscribe?t=TOKEN: a page with one button (a mail
 * program or a scanner that opens the link changes nothing). */
int
cm_unsub_get(struct ap_req *r, void *state)
{
	const char *email = notify_unsub_email(r);

	(void)state;
	if (email == NULL)
		return AP_OK;
	ap->no_cache(r);
	ap->page_begin(r, ap->tr(r, "Ne plus recevoir les réponses"));
	ap->open(r, "section", "class", "comments-unsubscribe", NULL);
	ap->elem(r, "h1", ap->tr(r, "Ne plus recevoir les réponses"), NULL);
	ap->elem(r, "p", ap->printf(r, ap->tr(r, "Après un clic sur le bouton "
	    "ci-dessous, plus aucun message ne sera envoyé à %s pour les "
	    "réponses à ses commentaires."), email), NULL);
	ap->open(r, "form", "method", "post", "action", ap->printf(r,
	    "%s?t=%s", ap->url(r, "/comments/unsubscribe"),
	    ap->urlencode(r, ap->arg(r, "t"))), NULL);
	ap->elem(r, "button", ap->tr(r, "Me désabonner"), "type", "submit",
	    NULL);
	ap->close(r);
	ap->close(r);
	return AP_OK;
}

/* One click: from the page's button, or from the mail program itself
 * (RFC 8058 sends "List-Unsubscribe=One-Click" to the same address). */
int
cm_unsub_post(struct ap_req *r, void *state)
{
	const char *email = notify_unsub_email(r);
	int rc;

	(void)state;
	if (email == NULL)
		return AP_OK;
	rc = ap->exec(r, "UPDATE comments SET notify = 0 WHERE email = ?",
	    AP_ARGS(AP_TEXT(email)));
	if (rc != AP_OK)
		return rc;
	ap->no_cache(r);
	ap->page_begin(r, ap->tr(r, "Désabonnement enregistré"));
	ap->open(r, "section", "class", "comments-unsubscribe", NULL);
	ap->elem(r, "h1", ap->tr(r, "Désabonnement enregistré"), NULL);
	ap->elem(r, "p", ap->printf(r, ap->tr(r, "C’est fait : plus aucun "
	    "message ne sera envoyé à %s pour les réponses à ses commentaires. "
	    "Pour en recevoir de nouveau, cochez la case en laissant votre "
	    "prochain commentaire."), email), NULL);
	ap->close(r);
	return AP_OK;
}
