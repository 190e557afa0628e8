/*
 * account.c: /account, where a signed-in person changes their name, their
 * email (confirmed by a link sent to the new address) and their password,
 * and ends their other sessions.
 */
#include <string.h>
#include <strings.h>

#include "login.h"

/* What the page shows: the values typed and the errors of the form that
 * came back, if any. */
struct account_view {
	const char *name, *email;
	const char *profile_error, *name_err, *email_err, *cur_err;
	const char *pw_error, *pw_cur_err, *pw_err, *pw2_err;
};

/* The person's open sessions (this one marked) and the button that ends
 * the others. */
static void
account_sessions(struct ap_req *r, long long uid)
{
	const char *tok = ap->cookie(r, LOGIN_COOKIE);
	const char *mine = tok ? ap->hash_hex(r, tok) : "";
	struct ap_res *res = ap->query(r, "SELECT token_hash, created, "
	    "last_seen, ip, user_agent FROM login_sessions WHERE user_id = ? "
	    "ORDER BY last_seen DESC LIMIT 50", AP_ARGS(AP_INT(uid)));

	ap->open(r, "section", "class", "account-sessions", "aria-labelledby",
	    "h-sessions", NULL);
	ap->elem(r, "h2", ap->tr(r, "Vos sessions"), "id", "h-sessions", NULL);
	if (res == NULL) {
		ap->close(r);
		return;
	}
	ap->open(r, "div", "class", "table-wrap", "tabindex", "0", "role",
	    "region", "aria-labelledby", "h-sessions", NULL);
	ap->open(r, "table", "class", "data stack", NULL);
	ap->open(r, "thead", NULL);
	ap->open(r, "tr", NULL);
	ap->elem(r, "th", ap->tr(r, "Ouverte le"), "scope", "col", NULL);
	ap->elem(r, "th", ap->tr(r, "Dernière activité"), "scope", "col",
	    NULL);
	ap->elem(r, "th", ap->tr(r, "Adresse IP"), "scope", "col", NULL);
	ap->elem(r, "th", ap->tr(r, "Navigateur"), "scope", "col", NULL);
	ap->close(r);
	ap->close(r);
	ap->open(r, "tbody", NULL);
	for (size_t i = 0; i < ap->rows(res); i++) {
		time_t c = (time_t)ap->cell_int(res, i, 1);
		time_t l = (time_t)ap->cell_int(res, i, 2);

		ap->open(r, "tr", NULL);
		ap->open(r, "td", "data-label", ap->tr(r, "Ouverte le"), NULL);
		ap->elem(r, "time", ap->date(r, c), "datetime",
		    ap->iso_date(r, c), NULL);
		if (ap->equal(ap->cell(res, i, 0), mine)) {
			ap->text(r, " ");
			ap->elem(r, "strong", ap->tr(r, "(cette session)"),
			    NULL);
		}
		ap->close(r);
		ap->open(r, "td", "data-label", ap->tr(r, "Dernière activité"),
		    NULL);
		ap->elem(r, "time", ap->date(r, l), "datetime",
		    ap->iso_date(r, l), NULL);
		ap->close(r);
		ap->elem(r, "td", ap->cell(res, i, 3), "data-label",
		    ap->tr(r, "Adresse IP"), NULL);
		ap->elem(r, "td", ap->cell(res, i, 4), "data-label",
		    ap->tr(r, "Navigateur"), NULL);
		ap->close(r);
	}
	ap->close(r);
	ap->close(r);   /* table */
	ap->close(r);   /* div.table-wrap */
	ap->open(r, "form", "method", "post", "action",
	    ap->url(r, "/account/sessions"), "class", "inline", NULL);
	ap->csrf_field(r, "sessions");
	ap->elem(r, "button", ap->tr(r, "Terminer mes autres sessions"),
	    "type", "submit", "class", "button secondary", NULL);
	ap->close(r);
	ap->close(r);   /* section */
}

/* The account page with what v holds (values typed, errors of the form
 * that came back) and the given status. */
static int
account_render(struct ap_req *r, const struct login_user *u,
    const struct account_view *v, int status)
{
	ap->status(r, status);
	ap->no_cache(r);
	ap->page_begin(r, ap->tr(r, "Mon compte"));
	ap->open(r, "section", "class", "account", NULL);
	ap->elem(r, "h1", ap->tr(r, "Mon compte"), NULL);
	login_done_message(r);
	ap->open(r, "p", "class", "account-who", NULL);
	ap->textf(r, ap->tr(r, "Connecté en tant que %s (%s)."), u->email,
	    login_role_label(r, u->role));
	ap->close(r);
	ap->open(r, "form", "method", "post", "action", ap->url(r, "/logout"),
	    "class", "inline logout", NULL);
	ap->csrf_field(r, "logout");
	ap->elem(r, "button", ap->tr(r, "Se déconnecter"), "type", "submit",
	    "class", "button secondary", NULL);
	ap->close(r);

	ap->open(r, "section", "aria-labelledby", "h-profile", NULL);
	ap->elem(r, "h2", ap->tr(r, "Vos informations"), "id", "h-profile",
	    NULL);
	if (v->profile_error != NULL)
		ap->message(r, "error", v->profile_error);
	ap->open(r, "form", "method", "post", "action",
	    ap->url(r, "/account/profile"), "class", "account-form", NULL);
	ap->csrf_field(r, "profile");
	login_required_note(r);
	ap->field(r, &(struct ap_field){ .type = "text", .name = "name",
	    .label = ap->tr(r, "Nom affiché"), .value = v->name,
	    .error = v->name_err, .autocomplete = "name", .required = 1,
	    .maxlength = LOGIN_DNAME_MAX });
	ap->field(r, &(struct ap_field){ .type = "email", .name = "email",
	    .label = ap->tr(r, "Adresse e-mail"), .value = v->email,
	    .error = v->email_err, .autocomplete = "email", .required = 1,
	    .maxlength = LOGIN_EMAIL_MAX, .hint = ap->tr(r, "Une nouvelle "
	    "adresse ne remplace l’ancienne qu’une fois confirmée par le lien "
	    "que nous lui envoyons.") });
	ap->field(r, &(struct ap_field){ .type = "password",
	    .name = "current", .id = "f-profile-current",
	    .label = ap->tr(r, "Mot de passe actuel"), .error = v->cur_err,
	    .autocomplete = "current-password",
	    .maxlength = LOGIN_PASSWORD_MAX, .hint = ap->tr(r, "Demandé "
	    "seulement pour changer d’adresse e-mail.") });
	ap->open(r, "p", "class", "actions", NULL);
	ap->elem(r, "button", ap->tr(r, "Enregistrer"), "type", "submit",
	    "class", "button", NULL);
	ap->close(r);
	ap->close(r);   /* form */
	ap->close(r);   /* section */

	ap->open(r, "section", "aria-labelledby", "h-password", NULL);
	ap->elem(r, "h2", ap->tr(r, "Changer de mot de passe"), "id",
	    "h-password", NULL);
	if (v->pw_error != NULL)
		ap->message(r, "error", v->pw_error);
	ap->open(r, "form", "method", "post", "action",
	    ap->url(r, "/account/password"), "class", "account-form", NULL);
	ap->csrf_field(r, "password");
	ap->field(r, &(struct ap_field){ .type = "password",
	    .name = "current", .label = ap->tr(r, "Mot de passe actuel"),
	    .error = v->pw_cur_err, .autocomplete = "current-password",
	    .required = 1, .maxlength = LOGIN_PASSWORD_MAX });
	ap->field(r, &(struct ap_field){ .type = "password",
	    .name = "password", .label = ap->tr(r, "Nouveau mot de passe"),
	    .error = v->pw_err, .autocomplete = "new-password", .required = 1,
	    .maxlength = LOGIN_PASSWORD_MAX, .hint = ap->printf(r,
	    ap->tr(r, "Au moins %d caractères. Une phrase de plusieurs mots "
	    "est facile à retenir et difficile à deviner."),
	    LOGIN_PASSWORD_MIN) });
	ap->field(r, &(struct ap_field){ .type = "password",
	    .name = "password2", .label = ap->tr(r, "Le même, une seconde "
	    "fois"), .error = v->pw2_err, .autocomplete = "new-password",
	    .required = 1, .maxlength = LOGIN_PASSWORD_MAX });
	ap->open(r, "p", "class", "actions", NULL);
	ap->elem(r, "button", ap->tr(r, "Changer de mot de passe"), "type",
	    "submit", "class", "button", NULL);
	ap->close(r);
	ap->close(r);   /* form */
	ap->close(r);   /* section */

	account_sessions(r, u->id);
	ap->close(r);   /* section.account */
	return AP_OK;
}

/* The signed-in person, fresh from the database; AP_OK or what the
 * handler returns. */
static int
account_me(struct ap_req *r, struct login_user *u)
{
	const struct ap_user *me;
	int rc = ap->require_role(r, "member");

	if (rc != AP_OK)
		return rc;
	me = ap->user(r);
	rc = login_user_by_id(r, me->id, u);
	if (rc == AP_DECLINED)
		return 403;
	return rc;
}

int
login_page_account(struct ap_req *r, void *state)
{
	struct login_user u;
	struct account_view v = { 0 };
	int rc;

	(void)state;
	if ((rc = account_me(r, &u)) != AP_OK)
		return rc;
	v.name = u.name;
	v.email = u.email;
	return account_render(r, &u, &v, 200);
}

/* The current password, checked under the same limits as the sign-in
 * form (a stolen session must not guess it at leisure).  NULL when it is
 * right; else the error for the field; *rc a database code. */
static const char *
account_check_current(struct ap_req *r, const struct login_user *u,
    const char *pw, int *rc)
{
	struct login_try attempt;
	enum login_limit lim;
	long wait;

	*rc = AP_OK;
	if (pw == NULL || *pw == '\0')
		return ap->tr(r, "Saisissez votre mot de passe actuel.");
	if (strlen(pw) > 4 * LOGIN_PASSWORD_MAX)
		return ap->tr(r, "Mot de passe incorrect.");
	lim = login_limit_try(r, u->email, &attempt, &wait, rc);
	if (*rc != AP_OK)
		return NULL;
	if (lim != LOGIN_LIMIT_OK)
		return ap->tr(r, "Trop d’essais ont échoué : réessayez dans "
		    "quelques minutes.");
	if (!login_password_verify(u->pwhash, pw))
		return ap->tr(r, "Mot de passe incorrect.");   /* counted */
	*rc = login_limit_untry(r, &attempt);
	return NULL;
}

/* POST /account/profile: the name at once; a new email once confirmed. */
int
login_post_profile(struct ap_req *r, void *state)
{
	struct login_user u;
	struct account_view v = { 0 };
	const char *site = ap->conf("site", "title");
	int rc, email_changes;

	(void)state;
	if ((rc = account_me(r, &u)) != AP_OK)
		return rc;
	v.name = login_trim(r, ap->form(r, "name"));
	v.email = login_trim(r, ap->form(r, "email"));
	rc = ap->csrf_check(r, "profile");
	if (rc == AP_EDB)
		return rc;
	if (rc != AP_OK) {
		v.profile_error = login_csrf_message(r);
		return account_render(r, &u, &v, 403);
	}
	v.name_err = login_name_problem(r, v.name);
	v.email_err = login_email_problem(r, v.email);
	email_changes = v.email_err == NULL && strcasecmp(v.email, u.email) != 0;
	if (email_changes) {
		struct ap_res *res = ap->query(r, "SELECT 1 FROM login_users "
		    "WHERE email = ? AND id <> ?", AP_ARGS(AP_TEXT(v.email),
		    AP_INT(u.id)));

		if (res == NULL)
			return ap->db_error(r);
		if (ap->rows(res) > 0)
			v.email_err = ap->tr(r, "Cette adresse est déjà celle "
			    "d’un autre compte.");
	}
	if (v.name_err == NULL && v.email_err == NULL && email_changes) {
		v.cur_err = account_check_current(r, &u, ap->form(r, "current"),
		    &rc);
		if (rc != AP_OK)
			return rc;
	}
	if (v.name_err || v.email_err || v.cur_err) {
		v.profile_error = ap->tr(r, "Le formulaire contient des "
		    "erreurs : corrigez les champs signalés.");
		return account_render(r, &u, &v, 422);
	}

	if ((rc = ap->begin(r)) != AP_OK)
		return rc;
	/* A change of case only is the same mailbox: no confirmation. */
	rc = ap->exec(r, "UPDATE login_users SET name = ?, email = IF(? = "
	    "email, ?, email), updated = ? WHERE id = ?",
	    AP_ARGS(AP_TEXT(v.name), AP_TEXT(v.email), AP_TEXT(v.email),
	    AP_INT(ap->now(r)), AP_INT(u.id)));
	if (rc == AP_OK && email_changes) {
		char *tok = login_token_new(r, u.id, "email", v.email,
		    login_conf.email_validity, &rc);

		if (tok != NULL)
			rc = ap->mail(r, v.email, ap->printf(r, ap->tr(r,
			    "Confirmer votre nouvelle adresse sur %s"), site),
			    ap->printf(r, ap->tr(r, "Bonjour %s,\n\n"
			    "Pour que cette adresse devienne celle de votre "
			    "compte sur %s, suivez ce lien :\n\n%s?token=%s\n\n"
			    "Si vous n’avez rien demandé, ignorez ce message : "
			    "rien ne change.\n"), v.name, site,
			    ap->abs_url(r, "/account/email"), tok), NULL);
	}
	if (rc == AP_OK)
		rc = ap->commit(r);
	if (rc != AP_OK) {
		ap->rollback(r);
		if (rc == AP_EDUP) {
			v.email_err = ap->tr(r, "Cette adresse est déjà celle "
			    "d’un autre compte.");
			return account_render(r, &u, &v, 409);
		}
		return rc;
	}
	return ap->redirect(r, 303, ap->printf(r, "%s?done=%s",
	    ap->url(r, "/account"), email_changes ? "email-sent" : "profile"));
}

/* POST /account/password: every session ends, this browser gets a new
 * one. */
int
login_post_password(struct ap_req *r, void *state)
{
	struct login_user u;
	struct account_view v = { 0 };
	const char *pw = ap->form(r, "password");
	const char *pw2 = ap->form(r, "password2");
	const char *site = ap->conf("site", "title");
	int rc;

	(void)state;
	if ((rc = account_me(r, &u)) != AP_OK)
		return rc;
	v.name = u.name;
	v.email = u.email;
	rc = ap->csrf_check(r, "password");
	if (rc == AP_EDB)
		return rc;
	if (rc != AP_OK) {
		v.pw_error = login_csrf_message(r);
		return account_render(r, &u, &v, 403);
	}
	v.pw_cur_err = account_check_current(r, &u, ap->form(r, "current"),
	    &rc);
	if (rc != AP_OK)
		return rc;
	if (v.pw_cur_err == NULL) {
		v.pw_err = login_password_problem(r, pw, u.email, u.name);
		if (v.pw_err == NULL && (pw2 == NULL || strcmp(pw, pw2) != 0))
			v.pw2_err = ap->tr(r, "Les deux mots de passe ne sont "
			    "pas identiques.");
	}
	if (v.pw_cur_err || v.pw_err || v.pw2_err) {
		v.pw_error = ap->tr(r, "Le formulaire contient des erreurs : "
		    "corrigez les champs signalés.");
		return account_render(r, &u, &v, 422);
	}
	if ((rc = ap->begin(r)) != AP_OK)
		return rc;
	rc = login_set_password(r, u.id, pw);
	if (rc == AP_OK)
		rc = login_sessions_end_user(r, u.id);
	if (rc == AP_OK)
		rc = login_tokens_drop(r, u.id);
	if (rc == AP_OK)
		rc = login_session_start(r, u.id, 0);
	if (rc == AP_OK)
		rc = ap->mail(r, u.email, ap->printf(r, ap->tr(r, "Votre mot de "
		    "passe sur %s a changé"), site), ap->printf(r, ap->tr(r,
		    "Bonjour %s,\n\nLe mot de passe de votre compte sur %s "
		    "vient d’être changé, et vos autres sessions sont "
		    "terminées.\n\nSi vous n’y êtes pour rien, choisissez-en "
		    "un nouveau dès maintenant :\n\n%s\n"), u.name, site,
		    ap->abs_url(r, "/password/forgot")), NULL);
	if (rc == AP_OK)
		rc = ap->commit(r);
	if (rc != AP_OK) {
		ap->rollback(r);
		return rc;
	}
	return ap->redirect(r, 303, ap->printf(r, "%s?done=password",
	    ap->url(r, "/account")));
}

/* POST /account/sessions: every session but this one ends. */
int
login_post_sessions(struct ap_req *r, void *state)
{
	struct login_user u;
	const char *tok = ap->cookie(r, LOGIN_COOKIE);
	int rc;

	(void)state;
	if ((rc = account_me(r, &u)) != AP_OK)
		return rc;
	rc = ap->csrf_check(r, "sessions");
	if (rc == AP_EDB)
		return rc;
	if (rc != AP_OK)
		return 403;
	rc = ap->exec(r, "DELETE FROM login_sessions WHERE user_id = ? AND "
	    "token_hash <> ?", AP_ARGS(AP_INT(u.id),
	    AP_TEXT(ap->hash_hex(r, tok ? tok : ""))));
	if (rc != AP_OK)
		return rc;
	return ap->redirect(r, 303, ap->printf(r, "%s?done=sessions",
	    ap->url(r, "/account")));
}

/* ---- the link that confirms a new email ---- */

/* The page of a confirmation link that is unknown (404), or used or too
 * old (410). */
static int
account_email_dead(struct ap_req *r, int rc)
{
	ap->status(r, rc == AP_EEXPIRED ? 410 : 404);
	ap->page_begin(r, ap->tr(r, "Lien non valable"));
	ap->open(r, "section", "class", "login", NULL);
	ap->elem(r, "h1", ap->tr(r, "Ce lien n’est plus valable"), NULL);
	ap->message(r, "error", rc == AP_EEXPIRED ? ap->tr(r, "Ce lien a déjà "
	    "servi ou il a expiré.") : ap->tr(r, "Ce lien n’est pas valable : "
	    "vérifiez qu’il a été copié en entier."));
	ap->close(r);
	return AP_OK;
}

/* The button that confirms the new address of a live link. */
static int
account_email_form(struct ap_req *r, const char *tok, const char *new_email,
    const char *error, int status)
{
	ap->status(r, status);
	ap->no_cache(r);
	ap->page_begin(r, ap->tr(r, "Confirmer la nouvelle adresse"));
	ap->open(r, "section", "class", "login", NULL);
	ap->elem(r, "h1", ap->tr(r, "Confirmer la nouvelle adresse"), NULL);
	if (error != NULL)
		ap->message(r, "error", error);
	ap->open(r, "p", NULL);
	ap->textf(r, ap->tr(r, "Votre compte utilisera désormais l’adresse %s."),
	    new_email);
	ap->close(r);
	ap->open(r, "form", "method", "post", "action",
	    ap->url(r, "/account/email"), "class", "login-form", NULL);
	ap->csrf_field(r, "email");
	ap->empty(r, "input", "type", "hidden", "name", "token", "value", tok,
	    NULL);
	ap->open(r, "p", "class", "actions", NULL);
	ap->elem(r, "button", ap->tr(r, "Confirmer"), "type", "submit",
	    "class", "button", NULL);
	ap->close(r);
	ap->close(r);
	ap->close(r);
	return AP_OK;
}

/* GET /account/email?token=T: a button, so that a mail scanner that
 * follows links changes nothing. */
int
login_page_email(struct ap_req *r, void *state)
{
	const char *tok = ap->arg(r, "token"), *new_email = NULL;
	int rc;

	(void)state;
	rc = login_token_find(r, tok, "email", NULL, &new_email);
	if (rc == AP_EDB || rc == AP_ERROR)
		return rc;
	if (rc != AP_OK)
		return account_email_dead(r, rc);
	return account_email_form(r, tok, new_email, NULL, 200);
}

/* POST /account/email: the address changes; the old one is told. */
int
login_post_email(struct ap_req *r, void *state)
{
	const char *tok = ap->form(r, "token"), *new_email = NULL;
	const char *site = ap->conf("site", "title");
	struct login_user u;
	long long uid = 0;
	int rc;

	(void)state;
	rc = login_token_find(r, tok, "email", &uid, &new_email);
	if (rc == AP_EDB || rc == AP_ERROR)
		return rc;
	if (rc != AP_OK)
		return account_email_dead(r, rc);
	rc = ap->csrf_check(r, "email");
	if (rc == AP_EDB)
		return rc;
	if (rc != AP_OK)
		return account_email_form(r, tok, new_email,
		    login_csrf_message(r), 403);
	rc = login_user_by_id(r, uid, &u);
	if (rc < 0)
		return rc;
	if (rc != AP_OK || strcmp(u.status, "active") != 0)
		return account_email_dead(r, AP_EINVAL);
	if ((rc = ap->begin(r)) != AP_OK)
		return rc;
	rc = login_token_spend(r, tok);
	if (rc == AP_OK)
		rc = ap->exec(r, "UPDATE login_users SET email = ?, updated = ? "
		    "WHERE id = ?", AP_ARGS(AP_TEXT(new_email),
		    AP_INT(ap->now(r)), AP_INT(uid)));
	/* The links mailed to the old address set a password no more. */
	if (rc == AP_OK)
		rc = login_tokens_drop(r, uid);
	if (rc == AP_OK)
		rc = ap->mail(r, u.email, ap->printf(r, ap->tr(r, "Votre adresse "
		    "sur %s a changé"), site), ap->printf(r, ap->tr(r,
		    "Bonjour %s,\n\nVotre compte sur %s utilise désormais "
		    "l’adresse %s au lieu de celle-ci.\n\nSi vous n’y êtes pour "
		    "rien, prévenez l’administrateur du site.\n"), u.name, site,
		    new_email), NULL);
	if (rc == AP_OK)
		rc = ap->commit(r);
	if (rc != AP_OK) {
		ap->rollback(r);
		if (rc == AP_EEXPIRED)
			return account_email_dead(r, rc);
		if (rc == AP_EDUP)
			return account_email_form(r, tok, new_email,
			    ap->tr(r, "Cette adresse est déjà celle d’un autre "
			    "compte."), 409);
		return rc;
	}
	return ap->redirect(r, 303, ap->printf(r, "%s?done=email",
	    ap->url(r, ap->user(r) ? "/account" : "/login")));
}
