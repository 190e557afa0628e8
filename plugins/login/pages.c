/*
 * pages.c: signing in and out, and the forgotten password.  A wrong email
 * and a wrong password get the same message in the same time; the limits
 * of limits.c apply to both alike.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "login.h"

/* The messages of a page reached after a redirect (?done=KEY): a fixed
 * table, so that no text of the address reaches the page. */
static const struct {
	const char *key, *msg;
} page_done[] = {
	{ "logout", AP_N_("Vous êtes déconnecté.") },
	{ "reset", AP_N_("Votre nouveau mot de passe est enregistré ; vos "
	    "autres sessions sont terminées.") },
	{ "welcome", AP_N_("Votre mot de passe est enregistré. Bienvenue !") },
	{ "password", AP_N_("Votre mot de passe a été changé ; vos autres "
	    "sessions sont terminées.") },
	{ "profile", AP_N_("Vos informations sont enregistrées.") },
	{ "email-sent", AP_N_("Un message de confirmation vient d’être envoyé "
	    "à la nouvelle adresse : elle remplacera l’ancienne quand vous "
	    "aurez suivi son lien.") },
	{ "email", AP_N_("Votre nouvelle adresse e-mail est enregistrée.") },
	{ "sessions", AP_N_("Vos autres sessions sont terminées.") },
	{ NULL, NULL },
};

void
login_done_message(struct ap_req *r)
{
	const char *k = ap->arg(r, "done");

	for (size_t i = 0; k && page_done[i].key; i++)
		if (strcmp(k, page_done[i].key) == 0)
			ap->message(r, "ok", ap->tr(r, page_done[i].msg));
}

void
login_required_note(struct ap_req *r)
{
	ap->elem(r, "p", ap->tr(r, "Les champs marqués d’un astérisque (*) "
	    "sont obligatoires."), "class", "required-note", NULL);
}

const char *
login_csrf_message(struct ap_req *r)
{
	return ap->tr(r, "Ce formulaire a expiré ou a déjà été envoyé. "
	    "Vérifiez ce qu’il contient, puis envoyez-le de nouveau.");
}

/* One round of %XX decoding; NULL on a malformed escape. */
static char *
page_unescape(struct ap_req *r, const char *s)
{
	char *out = ap->alloc(r, strlen(s) + 1), *o = out;

	for (; *s; s++) {
		if (*s != '%') {
			*o++ = *s;
			continue;
		}
		if (!((s[1] >= '0' && s[1] <= '9') || (s[1] >= 'a' &&
		    s[1] <= 'f') || (s[1] >= 'A' && s[1] <= 'F')) ||
		    !((s[2] >= '0' && s[2] <= '9') || (s[2] >= 'a' &&
		    s[2] <= 'f') || (s[2] >= 'A' && s[2] <= 'F')))
			return NULL;
		{
			char hex[3] = { s[1], s[2], '\0' };
			unsigned v = (unsigned)strtoul(hex, NULL, 16);

			if (v == 0)
				return NULL;
			*o++ = (char)v;
		}
		s += 2;
	}
	*o = '\0';
	return out;
}

/* A target is followed only when it is a path of this site in every
 * form a browser or a proxy might decode it to: "//evil.example",
 * "/\evil", "/%2F%2Fevil.example", "/%5Cevil", controls and schemes are
 * all refused. */
const char *
login_safe_target(struct ap_req *r, const char *t, const char *def)
{
	const char *cur = t;

	if (t == NULL || *t == '\0' || strlen(t) > 2000)
		return def;
	for (int round = 0; round < 4; round++) {
		char *next;

		if (!ap->is_local_path(cur))
			return def;
		if (strchr(cur, '%') == NULL)
			return t;
		next = page_unescape(r, cur);
		if (next == NULL)
			return def;
		if (strcmp(next, cur) == 0)
			return t;
		cur = next;
	}
	return def;    /* encoded more deeply than any honest link */
}

/* ---- sign in ---- */

struct login_form {
	const char *email;
	int remember;
	const char *target;
	const char *error;        /* above the form */
	const char *email_err, *pw_err;
};

static const char *
page_remember_label(struct ap_req *r)
{
	long days = login_conf.remember / 86400;

	return ap->printf(r, ap->trn(r, "Rester connecté (%ld jour)",
	    "Rester connecté (%ld jours)", (unsigned long)days), days);
}

/* The sign-in page with what f holds (email, box, target, errors) and
 * the given status; never the password typed. */
static int
page_login_form(struct ap_req *r, const struct login_form *f, int status)
{
	const struct ap_user *me = ap->user(r);

	ap->status(r, status);
	ap->no_cache(r);
	ap->page_begin(r, ap->tr(r, "Connexion"));
	ap->open(r, "section", "class", "login", NULL);
	ap->elem(r, "h1", ap->tr(r, "Vous connecter avec vos identifiants"),
	    NULL);
	login_done_message(r);
	if (f->error != NULL)
		ap->message(r, "error", f->error);
	if (me != NULL && f->error == NULL)
		ap->message(r, "info", ap->printf(r, ap->tr(r, "Vous êtes "
		    "connecté en tant que %s. Vous pouvez vous connecter avec "
		    "un autre compte."), me->email));
	ap->open(r, "form", "method", "post", "action", ap->url(r, "/login"),
	    "class", "login-form", NULL);
	ap->csrf_field(r, "login");
	if (f->target != NULL && *f->target)
		ap->empty(r, "input", "type", "hidden", "name", "redirect_to",
		    "value", f->target, NULL);
	login_required_note(r);
	ap->field(r, &(struct ap_field){ .type = "email", .name = "email",
	    .label = ap->tr(r, "Adresse e-mail"), .value = f->email,
	    .error = f->email_err, .autocomplete = "username", .required = 1,
	    .maxlength = LOGIN_EMAIL_MAX });
	ap->field(r, &(struct ap_field){ .type = "password",
	    .name = "password", .label = ap->tr(r, "Mot de passe"),
	    .error = f->pw_err, .autocomplete = "current-password",
	    .required = 1, .maxlength = LOGIN_PASSWORD_MAX });
	ap->field(r, &(struct ap_field){ .type = "checkbox",
	    .name = "remember", .label = page_remember_label(r),
	    .value = f->remember ? "1" : NULL, .hint = ap->tr(r, "À éviter "
	    "sur un ordinateur partagé.") });
	ap->open(r, "p", "class", "actions", NULL);
	ap->elem(r, "button", ap->tr(r, "Se connecter"), "type", "submit",
	    "class", "button", NULL);
	ap->close(r);
	ap->close(r);   /* form */
	ap->open(r, "p", "class", "login-links", NULL);
	ap->elem(r, "a", ap->tr(r, "Vous avez oublié vos informations ?"),
	    "href", ap->url(r, "/password/forgot"), NULL);
	ap->close(r);
	ap->close(r);   /* section */
	return AP_OK;
}

/* GET /login: the form; redirect_to comes from the page that sent the
 * visitor here. */
int
login_page_login(struct ap_req *r, void *state)
{
	struct login_form f = { 0 };
	const char *t = ap->arg(r, "redirect_to");

	(void)state;
	f.target = login_safe_target(r, t, NULL);
	return page_login_form(r, &f, 200);
}

static const char *
page_wait_text(struct ap_req *r, long wait)
{
	if (wait < 120)
		return ap->printf(r, ap->trn(r, "%ld seconde", "%ld secondes",
		    (unsigned long)wait), wait);
	return ap->printf(r, ap->trn(r, "%ld minute", "%ld minutes",
	    (unsigned long)((wait + 59) / 60)), (wait + 59) / 60);
}

/* A try refused by a limit: 429 with Retry-After and the reason. */
static int
page_refused(struct ap_req *r, struct login_form *f, enum login_limit lim,
    long wait)
{
	char ra[24];

	snprintf(ra, sizeof(ra), "%ld", wait > 0 ? wait : 1);
	ap->header(r, "Retry-After", ra);
	switch (lim) {
	case LOGIN_LIMIT_IP:
		f->error = ap->tr(r, "Trop d’essais de connexion ont échoué "
		    "depuis votre adresse. Réessayez dans quelques minutes.");
		break;
	case LOGIN_LIMIT_LOCKED:
		f->error = ap->printf(r, ap->tr(r, "Trop d’essais ont échoué "
		    "pour ce compte : il est bloqué pendant %s. Vous pouvez "
		    "aussi choisir un nouveau mot de passe avec le lien « Vous "
		    "avez oublié vos informations ? »."),
		    page_wait_text(r, wait));
		break;
	default:
		f->error = ap->printf(r, ap->tr(r, "Plusieurs essais ont échoué "
		    "pour ce compte : attendez %s avant de réessayer."),
		    page_wait_text(r, wait));
		break;
	}
	return page_login_form(r, f, 429);
}

/* The role's home after signing in, when no target was given. */
static const char *
page_home_of(struct ap_req *r, const char *role)
{
	if (strcmp(role, "admin") == 0 || strcmp(role, "moderator") == 0)
		return ap->url(r, "/admin");
	return ap->url(r, "/account");
}

/* POST /login.  Every failure, whether the account exists or not, does
 * the same work (one argon2id check, one write) and says the same. */
int
login_post_login(struct ap_req *r, void *state)
{
	struct login_form f = { 0 };
	const char *pw = ap->form(r, "password");
	struct login_user u;
	struct login_try attempt;
	enum login_limit lim;
	long wait;
	int rc, found;

	(void)state;
	f.email = login_trim(r, ap->form(r, "email"));
	f.remember = ap->form(r, "remember") != NULL;
	f.target = login_safe_target(r, ap->form(r, "redirect_to"), NULL);
	rc = ap->csrf_check(r, "login");
	if (rc == AP_EDB)
		return rc;
	if (rc != AP_OK) {
		f.error = login_csrf_message(r);
		return page_login_form(r, &f, 403);
	}
	if (f.email == NULL || *f.email == '\0')
		f.email_err = ap->tr(r, "Saisissez votre adresse e-mail.");
	else if (strlen(f.email) > LOGIN_EMAIL_MAX)
		f.email_err = ap->printf(r, ap->tr(r, "L’adresse e-mail doit "
		    "compter au plus %d caractères."), LOGIN_EMAIL_MAX);
	if (pw == NULL || *pw == '\0')
		f.pw_err = ap->tr(r, "Saisissez votre mot de passe.");
	else if (strlen(pw) > 4 * LOGIN_PASSWORD_MAX)
		f.pw_err = ap->printf(r, ap->tr(r, "Le mot de passe doit compter "
		    "au plus %d caractères."), LOGIN_PASSWORD_MAX);
	if (f.email_err != NULL || f.pw_err != NULL) {
		f.error = ap->tr(r, "Le formulaire contient des erreurs : "
		    "corrigez les champs signalés.");
		return page_login_form(r, &f, 422);
	}
	lim = login_limit_try(r, f.email, &attempt, &wait, &rc);
	if (rc != AP_OK)
		return rc;
	if (lim != LOGIN_LIMIT_OK)
		return page_refused(r, &f, lim, wait);

	rc = login_user_by_email(r, f.email, &u);
	if (rc < 0)
		return rc;
	found = rc == AP_OK;
	if (!login_password_verify(found ? u.pwhash : NULL, pw)) {
		/* The try stays counted, as a failure. */
		f.error = ap->tr(r, "Adresse e-mail ou mot de passe incorrect.");
		return page_login_form(r, &f, 403);
	}
	if ((rc = login_limit_untry(r, &attempt)) != AP_OK)
		return rc;
	if (strcmp(u.status, "active") != 0) {
		f.error = ap->tr(r, "Ce compte est désactivé. Adressez-vous à "
		    "l’administrateur du site.");
		return page_login_form(r, &f, 403);
	}

	if ((rc = ap->begin(r)) != AP_OK)
		return rc;
	rc = login_limit_clear(r, f.email);
	if (rc == AP_OK && login_password_needs_rehash(u.pwhash)) {
		char *h = login_password_hash(r, pw);

		rc = h == NULL ? AP_ERROR : ap->exec(r, "UPDATE login_users SET "
		    "pwhash = ? WHERE id = ?", AP_ARGS(AP_TEXT(h),
		    AP_INT(u.id)));
	}
	if (rc == AP_OK)
		rc = ap->exec(r, "UPDATE login_users SET last_login = ? WHERE "
		    "id = ?", AP_ARGS(AP_INT(ap->now(r)), AP_INT(u.id)));
	if (rc == AP_OK)
		rc = login_session_start(r, u.id, f.remember);
	if (rc == AP_OK)
		rc = ap->commit(r);
	if (rc != AP_OK) {
		ap->rollback(r);
		return rc;
	}
	return ap->redirect(r, 303, f.target ? f.target :
	    page_home_of(r, u.role));
}

/* POST /logout (the core checked the form's token): this session ends. */
int
login_post_logout(struct ap_req *r, void *state)
{
	int rc;

	(void)state;
	rc = login_session_end(r);
	if (rc != AP_OK)
		return rc;
	return ap->redirect(r, 303, ap->printf(r, "%s?done=logout",
	    ap->url(r, "/login")));
}

/* ---- forgotten password ---- */

/* The forgotten-password page: the form (with what was typed and its
 * error), or the answer after it was sent (?sent). */
static int
page_forgot_form(struct ap_req *r, const char *email, const char *error,
    const char *email_err, int status)
{
	ap->status(r, status);
	ap->no_cache(r);
	ap->page_begin(r, ap->tr(r, "Mot de passe oublié"));
	ap->open(r, "section", "class", "login", NULL);
	ap->elem(r, "h1", ap->tr(r, "Vous avez oublié vos informations ?"),
	    NULL);
	if (ap->arg(r, "sent") != NULL && error == NULL) {
		ap->message(r, "ok", ap->printf(r, ap->tr(r, "Si un compte "
		    "existe pour cette adresse, un message vient de lui être "
		    "envoyé avec un lien pour choisir un nouveau mot de passe. "
		    "Le lien est valable %s et ne sert qu’une fois. Pensez à "
		    "regarder dans les indésirables."),
		    login_duration(r, login_conf.reset_validity)));
		ap->open(r, "p", NULL);
		ap->elem(r, "a", ap->tr(r, "Retour à la connexion"), "href",
		    ap->url(r, "/login"), NULL);
		ap->close(r);
		ap->close(r);
		return AP_OK;
	}
	if (error != NULL)
		ap->message(r, "error", error);
	ap->elem(r, "p", ap->tr(r, "Indiquez l’adresse e-mail de votre compte : "
	    "nous vous enverrons un lien pour choisir un nouveau mot de "
	    "passe."), NULL);
	ap->open(r, "form", "method", "post", "action",
	    ap->url(r, "/password/forgot"), "class", "login-form", NULL);
	ap->csrf_field(r, "forgot");
	login_required_note(r);
	ap->field(r, &(struct ap_field){ .type = "email", .name = "email",
	    .label = ap->tr(r, "Adresse e-mail"), .value = email,
	    .error = email_err, .autocomplete = "email", .required = 1,
	    .maxlength = LOGIN_EMAIL_MAX });
	ap->open(r, "p", "class", "actions", NULL);
	ap->elem(r, "button", ap->tr(r, "Recevoir le lien"), "type", "submit",
	    "class", "button", NULL);
	ap->close(r);
	ap->close(r);   /* form */
	ap->open(r, "p", "class", "login-links", NULL);
	ap->elem(r, "a", ap->tr(r, "Retour à la connexion"), "href",
	    ap->url(r, "/login"), NULL);
	ap->close(r);
	ap->close(r);
	return AP_OK;
}

int
login_page_forgot(struct ap_req *r, void *state)
{
	(void)state;
	return page_forgot_form(r, NULL, NULL, NULL, 200);
}

/* POST /password/forgot: the same answer whether the address has an
 * account or not; a link goes only to an active account, at most
 * forgot_email_max an hour per address. */
int
login_post_forgot(struct ap_req *r, void *state)
{
	const char *email = login_trim(r, ap->form(r, "email"));
	const char *err, *key;
	struct login_user u;
	int rc, mail_ok;

	(void)state;
	rc = ap->csrf_check(r, "forgot");
	if (rc == AP_EDB)
		return rc;
	if (rc != AP_OK)
		return page_forgot_form(r, email, login_csrf_message(r), NULL,
		    403);
	if ((err = login_email_problem(r, email)) != NULL)
		return page_forgot_form(r, email, NULL, err, 422);
	rc = ap->rate(r, ap->printf(r, "login-forgot-ip:%s", ap->client_ip(r)),
	    (int)login_conf.forgot_ip_max, login_conf.forgot_window);
	if (rc == AP_STOP) {
		ap->header(r, "Retry-After", "600");
		return page_forgot_form(r, email, ap->tr(r, "Trop de demandes "
		    "depuis votre adresse. Réessayez plus tard."), NULL, 429);
	}
	if (rc != AP_OK)
		return rc;
	/* Counted per address as the accounts table finds it: no spelling
	 * of it brings more mails. */
	if ((key = login_email_key(r, email, &rc)) == NULL)
		return rc;
	rc = ap->rate(r, ap->printf(r, "login-forgot-email:%s", key),
	    (int)login_conf.forgot_email_max, login_conf.forgot_window);
	if (rc < 0)
		return rc;
	mail_ok = rc == AP_OK;
	rc = login_user_by_email(r, email, &u);
	if (rc < 0)
		return rc;
	if (rc == AP_OK && mail_ok && strcmp(u.status, "active") == 0) {
		char *tok;

		if ((rc = ap->begin(r)) != AP_OK)
			return rc;
		tok = login_token_new(r, u.id, "reset", NULL,
		    login_conf.reset_validity, &rc);
		if (tok != NULL)
			rc = login_mail_link(r, &u, "reset", tok);
		if (rc == AP_OK)
			rc = ap->commit(r);
		if (rc != AP_OK) {
			ap->rollback(r);
			return rc;
		}
	}
	return ap->redirect(r, 303, ap->printf(r, "%s?sent=1",
	    ap->url(r, "/password/forgot")));
}

/* ---- new password from a link ---- */

/* The page of a reset link that is unknown (404), or used or too old
 * (410). */
static int
page_link_dead(struct ap_req *r, int rc)
{
	ap->status(r, rc == AP_EEXPIRED ? 410 : 404);
	ap->no_cache(r);
	ap->page_begin(r, ap->tr(r, "Lien non valable"));
	ap->open(r, "section", "class", "login", NULL);
	ap->elem(r, "h1", ap->tr(r, "Ce lien n’est plus valable"), NULL);
	ap->message(r, "error", rc == AP_EEXPIRED ? ap->tr(r, "Ce lien a déjà "
	    "servi ou il a expiré.") : ap->tr(r, "Ce lien n’est pas valable : "
	    "vérifiez qu’il a été copié en entier."));
	ap->open(r, "p", NULL);
	ap->elem(r, "a", ap->tr(r, "Demander un nouveau lien"), "href",
	    ap->url(r, "/password/forgot"), NULL);
	ap->close(r);
	ap->close(r);
	return AP_OK;
}

/* The form of a new password for a live link (the token rides along in
 * a hidden field). */
static int
page_reset_form(struct ap_req *r, const char *token, const char *error,
    const char *pw_err, const char *pw2_err, int status)
{
	ap->status(r, status);
	ap->no_cache(r);
	ap->page_begin(r, ap->tr(r, "Nouveau mot de passe"));
	ap->open(r, "section", "class", "login", NULL);
	ap->elem(r, "h1", ap->tr(r, "Choisir un nouveau mot de passe"), NULL);
	if (error != NULL)
		ap->message(r, "error", error);
	ap->open(r, "form", "method", "post", "action",
	    ap->url(r, "/password/reset"), "class", "login-form", NULL);
	ap->csrf_field(r, "reset");
	ap->empty(r, "input", "type", "hidden", "name", "token", "value",
	    token, NULL);
	login_required_note(r);
	ap->field(r, &(struct ap_field){ .type = "password",
	    .name = "password", .label = ap->tr(r, "Nouveau mot de passe"),
	    .error = pw_err, .autocomplete = "new-password", .required = 1,
	    .maxlength = LOGIN_PASSWORD_MAX, .hint = ap->printf(r,
	    ap->tr(r, "Au moins %d caractères. Une phrase de plusieurs mots "
	    "est facile à retenir et difficile à deviner."),
	    LOGIN_PASSWORD_MIN) });
	ap->field(r, &(struct ap_field){ .type = "password",
	    .name = "password2", .label = ap->tr(r, "Le même, une seconde "
	    "fois"), .error = pw2_err, .autocomplete = "new-password",
	    .required = 1, .maxlength = LOGIN_PASSWORD_MAX });
	ap->open(r, "p", "class", "actions", NULL);
	ap->elem(r, "button", ap->tr(r, "Enregistrer le mot de passe"), "type",
	    "submit", "class", "button", NULL);
	ap->close(r);
	ap->close(r);
	ap->close(r);
	return AP_OK;
}

/* GET /password/reset?token=T: the form, when the link is alive. */
int
login_page_reset(struct ap_req *r, void *state)
{
	const char *tok = ap->arg(r, "token");
	int rc;

	(void)state;
	rc = login_token_find(r, tok, "reset", NULL, NULL);
	if (rc == AP_EDB || rc == AP_ERROR)
		return rc;
	if (rc != AP_OK)
		return page_link_dead(r, rc);
	return page_reset_form(r, tok, NULL, NULL, NULL, 200);
}

/* POST /password/reset: the link is spent, the password set and every
 * session of the account ended in one transaction; then a new session
 * opens here. */
int
login_post_reset(struct ap_req *r, void *state)
{
	const char *tok = ap->form(r, "token");
	const char *pw = ap->form(r, "password");
	const char *pw2 = ap->form(r, "password2");
	const char *err, *purpose = "reset";
	struct login_user u;
	struct ap_res *res;
	long long uid = 0;
	int rc;

	(void)state;
	rc = login_token_find(r, tok, "reset", &uid, NULL);
	if (rc == AP_EDB || rc == AP_ERROR)
		return rc;
	if (rc != AP_OK)
		return page_link_dead(r, rc);
	rc = ap->csrf_check(r, "reset");
	if (rc == AP_EDB)
		return rc;
	if (rc != AP_OK)
		return page_reset_form(r, tok, login_csrf_message(r), NULL,
		    NULL, 403);
	rc = login_user_by_id(r, uid, &u);
	if (rc < 0)
		return rc;
	if (rc != AP_OK)
		return page_link_dead(r, AP_EINVAL);
	if (strcmp(u.status, "active") != 0) {
		ap->status(r, 403);
		ap->page_begin(r, ap->tr(r, "Compte désactivé"));
		ap->open(r, "section", "class", "login", NULL);
		ap->elem(r, "h1", ap->tr(r, "Compte désactivé"), NULL);
		ap->message(r, "error", ap->tr(r, "Ce compte est désactivé. "
		    "Adressez-vous à l’administrateur du site."));
		ap->close(r);
		return AP_OK;
	}
	if ((err = login_password_problem(r, pw, u.email, u.name)) != NULL)
		return page_reset_form(r, tok, ap->tr(r, "Le formulaire contient "
		    "des erreurs : corrigez les champs signalés."), err, NULL,
		    422);
	if (pw2 == NULL || strcmp(pw, pw2) != 0)
		return page_reset_form(r, tok, ap->tr(r, "Le formulaire contient "
		    "des erreurs : corrigez les champs signalés."), NULL,
		    ap->tr(r, "Les deux mots de passe ne sont pas identiques."),
		    422);
	res = ap->query(r, "SELECT purpose FROM login_tokens WHERE "
	    "token_hash = ?", AP_ARGS(AP_TEXT(ap->hash_hex(r, tok))));
	if (res != NULL && ap->rows(res) > 0)
		purpose = ap->cell(res, 0, 0);

	if ((rc = ap->begin(r)) != AP_OK)
		return rc;
	rc = login_token_spend(r, tok);
	if (rc == AP_OK)
		rc = login_set_password(r, u.id, pw);
	if (rc == AP_OK)
		rc = login_sessions_end_user(r, u.id);
	if (rc == AP_OK)
		rc = login_tokens_drop(r, u.id);
	if (rc == AP_OK)
		rc = login_limit_clear(r, u.email);
	if (rc == AP_OK)
		rc = ap->exec(r, "UPDATE login_users SET last_login = ? WHERE "
		    "id = ?", AP_ARGS(AP_INT(ap->now(r)), AP_INT(u.id)));
	if (rc == AP_OK)
		rc = login_session_start(r, u.id, 0);
	if (rc == AP_OK)
		rc = ap->commit(r);
	if (rc != AP_OK) {
		ap->rollback(r);
		if (rc == AP_EEXPIRED)
			return page_link_dead(r, rc);
		return rc;
	}
	return ap->redirect(r, 303, ap->printf(r, "%s?done=%s",
	    ap->url(r, "/account"), strcmp(purpose, "welcome") == 0 ?
	    "welcome" : "reset"));
}
