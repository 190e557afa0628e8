/*
 * admin.c: /admin/antispam, for admins and moderators: what the filter
 * learned, the rules (with those that gave up at their limit), a form to
 * add a rule, a form to try a text, and the last submissions examined
 * with their reasons.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "antispam.h"

#define ADMIN_ROLE "moderator"
#define ADMIN_PATH "/admin/antispam"
#define ADMIN_LOG_ROWS 30
#define ADMIN_NOTE_MAX 200
#define ADMIN_TRY_MAX 20000

/* What the page's forms hold: what was typed, the errors, a result. */
struct admin_form {
	const char *kind, *body, *effect, *note;
	const char *body_error, *note_error;
	const char *try_text, *try_author, *try_email, *try_url;
	const char *try_error;
	const struct as_eval *result;
	const char *message;     /* after a redirect */
};

static const char *
admin_verdict(struct ap_req *r, long long v)
{
	switch (v) {
	case AP_SPAM:
		return ap->tr(r, "indésirable");
	case AP_UNSURE:
		return ap->tr(r, "à vérifier");
	default:
		return ap->tr(r, "légitime");
	}
}

static const char *
admin_badge(long long v)
{
	return v == AP_SPAM ? "badge badge-error" : v == AP_UNSURE ?
	    "badge badge-warn" : "badge badge-ok";
}

/* A score as a moderator reads it: "0,97". */
static const char *
admin_score(struct ap_req *r, double s)
{
	char *t = ap->printf(r, "%.2f", s);

	if (strcmp(ap->lang(r), "en") != 0)
		for (char *p = t; *p; p++)
			if (*p == '.')
				*p = ',';
	return t;
}

/* What the filter learned: counts, and whether the classifier has its
 * say yet. */
static void
admin_stats(struct ap_req *r)
{
	long long ns = 0, nh = 0, nt = 0;

	ap->open(r, "section", "class", "as-learned", NULL);
	ap->elem(r, "h2", ap->tr(r, "Ce que le filtre a appris"), NULL);
	if (as_store_counts(r, &ns, &nh, &nt) != AP_OK) {
		ap->message(r, "error", ap->tr(r, "Les compteurs n’ont pas pu "
		    "être lus."));
		ap->close(r);
		return;
	}
	ap->open(r, "ul", "class", "plain", NULL);
	ap->elem(r, "li", ap->printf(r, ap->trn(r, "%lld texte appris comme "
	    "indésirable", "%lld textes appris comme indésirables",
	    (unsigned long)ns), ns), NULL);
	ap->elem(r, "li", ap->printf(r, ap->trn(r, "%lld texte appris comme "
	    "légitime", "%lld textes appris comme légitimes",
	    (unsigned long)nh), nh), NULL);
	ap->elem(r, "li", ap->printf(r, ap->trn(r, "%lld mot ou paire de mots "
	    "connu", "%lld mots ou paires de mots connus", (unsigned long)nt),
	    nt), NULL);
	ap->close(r);
	if (ns < as_cf.min_learned || nh < as_cf.min_learned)
		ap->elem(r, "p", ap->printf(r, ap->tr(r, "Le classifieur "
		    "donne son avis à partir de %ld textes de chaque sorte ; "
		    "d’ici là, seuls les autres signes comptent."),
		    as_cf.min_learned), "class", "meta", NULL);
	ap->elem(r, "p", ap->tr(r, "Chaque décision d’un modérateur "
	    "(« indésirable », « légitime ») est apprise aussitôt."), "class",
	    "meta", NULL);
	ap->close(r);
}

/* A radio button with its label. */
static void
admin_radio(struct ap_req *r, const char *name, const char *value,
    const char *label, const char *current)
{
	const char *id = ap->printf(r, "as-%s-%s", name, value);

	ap->open(r, "div", "class", "field check", NULL);
	ap->empty(r, "input", "type", "radio", "id", id, "name", name, "value",
	    value, "checked", current && strcmp(current, value) == 0 ?
	    "checked" : NULL, NULL);
	ap->elem(r, "label", label, "for", id, NULL);
	ap->close(r);
}

/* The rules in use (those that gave up at their limit marked), each
 * with its delete button, and the form to add one (with what was typed
 * and the errors, when it comes back). */
static void
admin_rules(struct ap_req *r, const struct admin_form *f)
{
	struct ap_res *res = ap->query(r, "SELECT id, kind, body, effect, "
	    "note, hits, last_hit, limit_hits, last_limit FROM antispam_rules "
	    "ORDER BY id", AP_NOARGS);
	long long limits = 0;

	ap->open(r, "section", "class", "as-rules", "id", "rules", NULL);
	ap->elem(r, "h2", ap->tr(r, "Règles"), NULL);
	ap->elem(r, "p", ap->tr(r, "Une liste de mots ou un motif PCRE2 ; "
	    "un texte qui en contient est classé indésirable, ou mis en "
	    "attente de vérification."), NULL);
	if (res == NULL) {
		ap->message(r, "error", ap->tr(r,
		    "Les règles n’ont pas pu être lues."));
		ap->close(r);
		return;
	}
	for (size_t i = 0; i < ap->rows(res); i++)
		if (ap->cell_int(res, i, 7) > 0)
			limits++;
	if (limits > 0)
		ap->message(r, "warn", ap->printf(r, ap->trn(r,
		    "%lld règle a atteint sa limite de calcul : le texte a "
		    "été mis en attente de vérification. Simplifiez-la.",
		    "%lld règles ont atteint leur limite de calcul : les "
		    "textes ont été mis en attente de vérification. "
		    "Simplifiez-les.", (unsigned long)limits), limits));
	if (ap->rows(res) == 0) {
		ap->elem(r, "p", ap->tr(r, "Aucune règle pour l’instant."),
		    "class", "muted", NULL);
	} else {
		ap->open(r, "div", "class", "table-wrap", NULL);
		ap->open(r, "table", NULL);
		ap->elem(r, "caption", ap->tr(r, "Règles en service"), "class",
		    "visually-hidden", NULL);
		ap->open(r, "thead", NULL);
		ap->open(r, "tr", NULL);
		ap->elem(r, "th", ap->tr(r, "N°"), "scope", "col", "class",
		    "num", NULL);
		ap->elem(r, "th", ap->tr(r, "Règle"), "scope", "col", NULL);
		ap->elem(r, "th", ap->tr(r, "Effet"), "scope", "col", NULL);
		ap->elem(r, "th", ap->tr(r, "Touchés"), "scope", "col", "class",
		    "num", NULL);
		ap->elem(r, "th", ap->tr(r, "Limite atteinte"), "scope", "col",
		    NULL);
		ap->open(r, "th", "scope", "col", NULL);
		ap->elem(r, "span", ap->tr(r, "Actions"), "class",
		    "visually-hidden", NULL);
		ap->close(r);
		ap->close(r);
		ap->close(r);
		ap->open(r, "tbody", NULL);
		for (size_t i = 0; i < ap->rows(res); i++) {
			const char *id = ap->cell(res, i, 0);
			int pattern = strcmp(ap->cell(res, i, 1),
			    "pattern") == 0;
			const char *note = ap->cell(res, i, 4);
			long long lim = ap->cell_int(res, i, 7);

			ap->open(r, "tr", "id", ap->printf(r, "rule-%s", id),
			    "class", lim > 0 ? "as-limit" : NULL, NULL);
			ap->elem(r, "td", id, "class", "num", NULL);
			ap->open(r, "td", NULL);
			ap->elem(r, "span", pattern ? ap->tr(r, "Motif :") :
			    ap->tr(r, "Mots :"), "class", "meta", NULL);
			ap->text(r, " ");
			ap->elem(r, "code", ap->cell(res, i, 2), "class",
			    "as-body", NULL);
			if (note && *note)
				ap->elem(r, "p", note, "class", "meta", NULL);
			ap->close(r);
			ap->elem(r, "td", strcmp(ap->cell(res, i, 3),
			    "unsure") == 0 ? ap->tr(r, "à vérifier") :
			    ap->tr(r, "indésirable"), NULL);
			ap->elem(r, "td", ap->cell(res, i, 5), "class", "num",
			    NULL);
			if (lim > 0)
				ap->elem(r, "td", ap->printf(r, ap->trn(r,
				    "%lld fois, la dernière le %s",
				    "%lld fois, la dernière le %s",
				    (unsigned long)lim), lim, ap->date(r,
				    (time_t)ap->cell_int(res, i, 8))), NULL);
			else
				ap->elem(r, "td", ap->tr(r, "jamais"), NULL);
			ap->open(r, "td", NULL);
			ap->open(r, "form", "method", "post", "action",
			    ap->url(r, ap->printf(r, ADMIN_PATH
			    "/rules/%s/delete", id)), NULL);
			ap->csrf_field(r, NULL);
			ap->open(r, "button", "type", "submit", "class",
			    "button small danger", "data-confirm", ap->printf(r,
			    ap->tr(r, "Supprimer la règle n° %s ?"), id), NULL);
			ap->text(r, ap->tr(r, "Supprimer"));
			ap->elem(r, "span", ap->printf(r, ap->tr(r,
			    " la règle n° %s"), id), "class", "visually-hidden",
			    NULL);
			ap->close(r);   /* button */
			ap->close(r);   /* form */
			ap->close(r);   /* td */
			ap->close(r);   /* tr */
		}
		ap->close(r);   /* tbody */
		ap->close(r);   /* table */
		ap->close(r);   /* div */
	}

	ap->elem(r, "h3", ap->tr(r, "Ajouter une règle"), "id", "add", NULL);
	ap->open(r, "form", "method", "post", "action", ap->url(r, ADMIN_PATH
	    "/rules"), "class", "as-rule-form", NULL);
	ap->csrf_field(r, NULL);
	ap->open(r, "fieldset", NULL);
	ap->elem(r, "legend", ap->tr(r, "Type de règle"), NULL);
	admin_radio(r, "kind", "words", ap->tr(r, "Liste de mots"),
	    f->kind ? f->kind : "words");
	admin_radio(r, "kind", "pattern", ap->tr(r, "Motif PCRE2"),
	    f->kind ? f->kind : "words");
	ap->close(r);
	ap->field(r, &(struct ap_field){ .type = "textarea", .name = "body",
	    .label = ap->tr(r, "Mots (un par ligne) ou motif"),
	    .value = f->body, .error = f->body_error, .required = 1,
	    .rows = 4, .maxlength = 10000,
	    .hint = ap->printf(r, ap->tr(r, "Les mots sont cherchés entiers, "
	    "sans tenir compte des majuscules ni des accents. Un motif est "
	    "une expression régulière PCRE2 (majuscules ignorées) d’au plus "
	    "%ld caractères ; il s’arrête à sa limite de calcul."),
	    as_cf.pattern_max) });
	ap->open(r, "fieldset", NULL);
	ap->elem(r, "legend", ap->tr(r, "Effet"), NULL);
	admin_radio(r, "effect", "spam", ap->tr(r, "Classer indésirable"),
	    f->effect ? f->effect : "spam");
	admin_radio(r, "effect", "unsure", ap->tr(r, "Mettre en attente de "
	    "vérification"), f->effect ? f->effect : "spam");
	ap->close(r);
	ap->field(r, &(struct ap_field){ .type = "text", .name = "note",
	    .label = ap->tr(r, "Note (pourquoi cette règle)"), .value = f->note,
	    .error = f->note_error, .maxlength = ADMIN_NOTE_MAX });
	ap->open(r, "p", "class", "actions", NULL);
	ap->elem(r, "button", ap->tr(r, "Ajouter la règle"), "type", "submit",
	    NULL);
	ap->close(r);
	ap->close(r);   /* form */
	ap->close(r);   /* section */
}

/* The language of the reasons (the site's, whoever reads them) when the
 * page is in another: lang="fr" on them in an English console. */
static const char *
admin_reasons_lang(struct ap_req *r)
{
	const char *site = ap->conf("site", "language");

	return site && strcmp(site, ap->lang(r)) != 0 ? site : NULL;
}

/* The form to try a text, with the verdict and the reasons of the last
 * try above it. */
static void
admin_try(struct ap_req *r, const struct admin_form *f)
{
	ap->open(r, "section", "class", "as-try", "id", "try", NULL);
	ap->elem(r, "h2", ap->tr(r, "Essayer un texte"), NULL);
	ap->elem(r, "p", ap->tr(r, "Le texte est examiné comme un commentaire "
	    "(sans le jeton du formulaire), sans rien apprendre ni garder."),
	    NULL);
	if (f->result != NULL) {
		const struct as_eval *e = f->result;
		const char *reasons = as_eval_reasons(r, e, AS_REASONS_MAX);

		ap->open(r, "div", "class", "card as-result", "role", "status",
		    NULL);
		ap->open(r, "p", NULL);
		ap->text(r, ap->tr(r, "Verdict : "));
		ap->elem(r, "strong", admin_verdict(r, e->verdict), "class",
		    admin_badge(e->verdict), NULL);
		ap->text(r, " ");
		ap->text(r, ap->printf(r, ap->tr(r, "(score %s)"),
		    admin_score(r, e->score)));
		ap->close(r);
		if (*reasons) {
			ap->open(r, "ul", "class", "as-reasons", "lang",
			    admin_reasons_lang(r), NULL);
			for (const char *p = reasons; *p; ) {
				size_t n = strcspn(p, ";");

				ap->elem(r, "li", ap->strndup(r, p, n), NULL);
				p += n;
				while (*p == ';' || *p == ' ')
					p++;
			}
			ap->close(r);
		}
		ap->close(r);
	}
	ap->open(r, "form", "method", "post", "action", ap->url(r, ADMIN_PATH
	    "/try#try"), NULL);
	ap->csrf_field(r, NULL);
	ap->field(r, &(struct ap_field){ .type = "textarea", .name = "text",
	    .label = ap->tr(r, "Texte"), .value = f->try_text,
	    .error = f->try_error, .required = 1, .rows = 5,
	    .maxlength = ADMIN_TRY_MAX });
	ap->field(r, &(struct ap_field){ .type = "text", .name = "author",
	    .label = ap->tr(r, "Nom de l’auteur"), .value = f->try_author,
	    .maxlength = 100, .autocomplete = "off" });
	ap->field(r, &(struct ap_field){ .type = "text", .name = "email",
	    .label = ap->tr(r, "Adresse e-mail"), .value = f->try_email,
	    .maxlength = 254, .autocomplete = "off" });
	ap->field(r, &(struct ap_field){ .type = "text", .name = "url",
	    .label = ap->tr(r, "Site web"), .value = f->try_url,
	    .maxlength = 200, .autocomplete = "off" });
	ap->open(r, "p", "class", "actions", NULL);
	ap->elem(r, "button", ap->tr(r, "Examiner"), "type", "submit", NULL);
	ap->close(r);
	ap->close(r);
	ap->close(r);
}

/* The last submissions examined, each with its verdict, score and
 * reasons: what moderators read to understand a decision. */
static void
admin_log(struct ap_req *r)
{
	struct ap_res *res = ap->query(r, "SELECT at, kind, page, author, "
	    "excerpt, verdict, score, reasons FROM antispam_log ORDER BY id "
	    "DESC LIMIT ?", AP_ARGS(AP_INT(ADMIN_LOG_ROWS)));

	ap->open(r, "section", "class", "as-log", "id", "log", NULL);
	ap->elem(r, "h2", ap->tr(r, "Derniers envois examinés"), NULL);
	if (res == NULL || ap->rows(res) == 0) {
		ap->elem(r, "p", ap->tr(r,
		    "Aucun envoi examiné pour l’instant."), "class", "muted",
		    NULL);
		ap->close(r);
		return;
	}
	ap->open(r, "div", "class", "table-wrap", NULL);
	ap->open(r, "table", "class", "stack", NULL);
	ap->elem(r, "caption", ap->printf(r, ap->tr(r, "Les %d derniers, "
	    "avec les raisons du filtre"), ADMIN_LOG_ROWS), "class",
	    "visually-hidden", NULL);
	ap->open(r, "thead", NULL);
	ap->open(r, "tr", NULL);
	ap->elem(r, "th", ap->tr(r, "Date"), "scope", "col", NULL);
	ap->elem(r, "th", ap->tr(r, "Envoi"), "scope", "col", NULL);
	ap->elem(r, "th", ap->tr(r, "Verdict"), "scope", "col", NULL);
	ap->elem(r, "th", ap->tr(r, "Raisons"), "scope", "col", NULL);
	ap->close(r);
	ap->close(r);
	ap->open(r, "tbody", NULL);
	for (size_t i = 0; i < ap->rows(res); i++) {
		long long v = ap->cell_int(res, i, 5);
		const char *reasons = ap->cell(res, i, 7);

		ap->open(r, "tr", NULL);
		ap->elem(r, "td", ap->date(r, (time_t)ap->cell_int(res, i, 0)),
		    "class", "meta", "data-label", ap->tr(r, "Date"), NULL);
		ap->open(r, "td", "data-label", ap->tr(r, "Envoi"), NULL);
		ap->elem(r, "p", ap->printf(r, "%s — %s", ap->cell(res, i, 3),
		    ap->cell(res, i, 2)), "class", "meta", NULL);
		ap->elem(r, "p", ap->cell(res, i, 4), "class", "as-excerpt",
		    NULL);
		ap->close(r);
		ap->open(r, "td", "data-label", ap->tr(r, "Verdict"), NULL);
		ap->elem(r, "span", admin_verdict(r, v), "class",
		    admin_badge(v), NULL);
		ap->elem(r, "span", admin_score(r, strtod(ap->cell(res, i, 6),
		    NULL)), "class", "meta as-score", NULL);
		ap->close(r);
		ap->elem(r, "td", reasons && *reasons ? reasons : "—", "class",
		    "as-why", "data-label", ap->tr(r, "Raisons"), "lang",
		    reasons && *reasons ? admin_reasons_lang(r) : NULL, NULL);
		ap->close(r);
	}
	ap->close(r);
	ap->close(r);
	ap->close(r);
	ap->close(r);
}

/* The whole page, with the forms as f says. */
static int
admin_render(struct ap_req *r, const struct admin_form *f)
{
	const char *title = ap->tr(r, "Filtre anti-indésirables");

	ap->no_cache(r);
	ap->page_begin(r, title);
	/* The console's layout: its menu (admin.menu), then the page. */
	ap->open(r, "div", "class", "admin antispam wide", NULL);
	ap->open(r, "nav", "class", "admin-menu", "aria-label",
	    ap->tr(r, "Menu de l’administration"), NULL);
	ap->open(r, "ul", NULL);
	ap->hook_run(r, "admin.menu", NULL);
	ap->close(r);   /* ul */
	ap->close(r);   /* nav */
	ap->open(r, "div", "class", "admin-main", NULL);
	ap->elem(r, "h1", title, NULL);
	ap->elem(r, "p", ap->tr(r, "Chaque envoi (commentaire, message, "
	    "demande de mission) est examiné sur le serveur même : rien n’est "
	    "envoyé ailleurs. Le filtre dit pourquoi il a décidé."),
	    "class", "lead", NULL);
	if (f->message != NULL)
		ap->message(r, "ok", f->message);
	admin_stats(r);
	admin_rules(r, f);
	admin_try(r, f);
	admin_log(r);
	ap->close(r);   /* div.admin-main */
	ap->close(r);   /* div.admin */
	return AP_OK;
}

/* GET /admin/antispam (moderators and admins); ?added=N, ?deleted=N say
 * what the last action did. */
int
as_admin_page(struct ap_req *r, void *state)
{
	struct admin_form f = { 0 };
	const char *added = ap->arg(r, "added");
	const char *deleted = ap->arg(r, "deleted");
	int rc = ap->require_role(r, ADMIN_ROLE);

	(void)state;
	if (rc != AP_OK)
		return rc;
	if (added != NULL && strspn(added, "0123456789") == strlen(added) &&
	    *added)
		f.message = ap->printf(r, ap->tr(r, "La règle n° %s est en "
		    "service."), added);
	else if (deleted != NULL && strspn(deleted, "0123456789") ==
	    strlen(deleted) && *deleted)
		f.message = ap->printf(r, ap->tr(r, "La règle n° %s est "
		    "supprimée."), deleted);
	return admin_render(r, &f);
}

/* Length in characters of a UTF-8 string (none for NULL). */
static size_t
admin_chars(const char *s)
{
	return s != NULL ? as_chars(s, strlen(s)) : 0;
}

/* The first n characters of s (a copy when it is longer), cut between
 * two characters. */
static const char *
admin_head(struct ap_req *r, const char *s, size_t n)
{
	size_t b = 0;

	for (; s[b] && n > 0; n--)
		while (((unsigned char)s[++b] & 0xc0) == 0x80)
			;
	return s[b] ? ap->strndup(r, s, b) : s;
}

/* POST /admin/antispam/rules: adds a rule, or shows the form again
 * (422) with what was typed and the error next to the field. */
int
as_admin_rule_add(struct ap_req *r, void *state)
{
	struct admin_form f = { 0 };
	long long id = 0;
	int rc = ap->require_role(r, ADMIN_ROLE);

	(void)state;
	if (rc != AP_OK)
		return rc;
	f.kind = ap->form(r, "kind");
	f.body = ap->form(r, "body");
	f.effect = ap->form(r, "effect");
	f.note = ap->form(r, "note");
	if (f.kind == NULL || (strcmp(f.kind, "words") != 0 &&
	    strcmp(f.kind, "pattern") != 0))
		f.kind = "words";
	if (f.effect == NULL || strcmp(f.effect, "unsure") != 0)
		f.effect = "spam";
	if (admin_chars(f.body) > 10000)
		f.body_error = ap->tr(r, "Une règle compte au plus 10 000 "
		    "caractères.");
	else
		f.body_error = as_rule_invalid(r, f.kind, f.body);
	if (admin_chars(f.note) > ADMIN_NOTE_MAX)
		f.note_error = ap->printf(r, ap->tr(r, "La note compte au plus "
		    "%d caractères."), ADMIN_NOTE_MAX);
	if (f.body_error != NULL || f.note_error != NULL) {
		ap->status(r, 422);
		return admin_render(r, &f);
	}
	rc = as_rule_add(r, f.kind, f.body, f.effect, f.note, &id);
	if (rc != AP_OK)
		return rc == AP_EDB ? AP_EDB : 500;
	ap->audit(r, "antispam.rule.add", ap->printf(r, "%lld %s: %s", id,
	    f.kind, admin_head(r, f.body, 200)));
	return ap->redirect(r, 303, ap->printf(r, "%s?added=%lld#rules",
	    ap->url(r, ADMIN_PATH), id));
}

/* POST /admin/antispam/rules/{id}/delete; 404 for a rule that is not
 * there. */
int
as_admin_rule_delete(struct ap_req *r, void *state)
{
	const char *arg = ap->route_arg(r, "id");
	char *end;
	long long id;
	int rc = ap->require_role(r, ADMIN_ROLE);

	(void)state;
	if (rc != AP_OK)
		return rc;
	id = arg ? strtoll(arg, &end, 10) : 0;
	if (arg == NULL || *end != '\0' || id <= 0)
		return 404;
	rc = as_rule_delete(r, id);
	if (rc == AP_EINVAL)
		return 404;
	if (rc != AP_OK)
		return rc == AP_EDB ? AP_EDB : 500;
	ap->audit(r, "antispam.rule.delete", arg);
	return ap->redirect(r, 303, ap->printf(r, "%s?deleted=%lld#rules",
	    ap->url(r, ADMIN_PATH), id));
}

/* POST /admin/antispam/try: judges a text as a comment, keeps nothing,
 * learns nothing, and shows the page with the result. */
int
as_admin_try(struct ap_req *r, void *state)
{
	struct admin_form f = { 0 };
	struct ap_content c = { .size = sizeof(c), .kind = "comment",
	    .form = "", .page = "(essai)" };
	struct as_eval e;
	int rc = ap->require_role(r, ADMIN_ROLE);

	(void)state;
	if (rc != AP_OK)
		return rc;
	f.try_text = ap->form(r, "text");
	f.try_author = ap->form(r, "author");
	f.try_email = ap->form(r, "email");
	f.try_url = ap->form(r, "url");
	if (f.try_text == NULL || f.try_text[strspn(f.try_text, " \t\r\n")] ==
	    '\0')
		f.try_error = ap->tr(r, "Écrivez le texte à examiner.");
	else if (admin_chars(f.try_text) > ADMIN_TRY_MAX)
		f.try_error = ap->printf(r, ap->tr(r, "Le texte compte au plus "
		    "%d caractères."), ADMIN_TRY_MAX);
	if (f.try_error != NULL) {
		ap->status(r, 422);
		return admin_render(r, &f);
	}
	c.text = f.try_text;
	c.author = f.try_author;
	c.email = f.try_email;
	c.url = f.try_url;
	rc = as_evaluate(r, &c, &e, 0);
	if (rc != AP_OK)
		return rc == AP_EDB ? AP_EDB : 500;
	f.result = &e;
	return admin_render(r, &f);
}

/* admin.menu: the link to this page, for moderators and admins. */
int
as_admin_menu(struct ap_req *r, void *state, void *data)
{
	(void)state;
	(void)data;
	if (!ap->has_role(r, ADMIN_ROLE))
		return AP_DECLINED;
	ap->open(r, "li", NULL);
	ap->elem(r, "a", ap->tr(r, "Filtre anti-indésirables"), "href",
	    ap->url(r, ADMIN_PATH), "aria-current", strncmp(ap->path(r),
	    ADMIN_PATH, strlen(ADMIN_PATH)) == 0 ? "page" : NULL, NULL);
	ap->close(r);
	return AP_OK;
}

/* admin.dashboard: the rules that gave up at their limit wait for
 * attention. */
int
as_admin_dashboard(struct ap_req *r, void *state, void *data)
{
	struct ap_res *res;
	long long n;

	(void)state;
	(void)data;
	if (!ap->has_role(r, ADMIN_ROLE))
		return AP_DECLINED;
	res = ap->query(r, "SELECT COUNT(*) FROM antispam_rules WHERE "
	    "limit_hits > 0", AP_NOARGS);
	if (res == NULL)
		return AP_DECLINED;
	n = ap->cell_int(res, 0, 0);
	if (n == 0)
		return AP_DECLINED;
	ap->open(r, "li", NULL);
	ap->elem(r, "a", ap->printf(r, ap->trn(r, "%lld règle du filtre a "
	    "atteint sa limite de calcul", "%lld règles du filtre ont atteint "
	    "leur limite de calcul", (unsigned long)n), n), "href",
	    ap->printf(r, "%s#rules", ap->url(r, ADMIN_PATH)), NULL);
	ap->close(r);
	return AP_OK;
}
