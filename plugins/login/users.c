/*
 * users.c: accounts, the single-use links sent by mail, and the checks of
 * what a person types for an account (email, name).
 */
#include <ctype.h>
#include <string.h>

#include "login.h"

static const char *const user_roles[] = {
	"admin", "moderator", "expert", "member", NULL,
};

static const char *const user_role_labels[] = {
	AP_N_("Administrateur"), AP_N_("Modérateur"), AP_N_("Expert"),
	AP_N_("Membre"), NULL,
};

int
login_role_ok(const char *role)
{
	for (size_t i = 0; role && user_roles[i]; i++)
		if (strcmp(role, user_roles[i]) == 0)
			return 1;
	return 0;
}

const char *
login_role_label(struct ap_req *r, const char *role)
{
	for (size_t i = 0; role && user_roles[i]; i++)
		if (strcmp(role, user_roles[i]) == 0)
			return ap->tr(r, user_role_labels[i]);
	return role ? role : "";
}

/* A copy of s without the white space around it. */
char *
login_trim(struct ap_req *r, const char *s)
{
	size_t n;

	if (s == NULL)
		return NULL;
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
	    s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	return ap->strndup(r, s, n);
}

/* The key of an email for the limits: its weights in the collation of
 * the accounts table (HEX(WEIGHT_STRING)), without the trailing spaces
 * that collation ignores.  Two spellings the table takes for one address
 * (case, accents, full widths, invisible characters) get one key, so that
 * none escapes the count of the account; an email without an account is
 * keyed alike.  NULL on a database failure (its code in *rc). */
const char *
login_email_key(struct ap_req *r, const char *email, int *rc)
{
	struct ap_res *res = ap->query(r, "SELECT HEX(WEIGHT_STRING(CONVERT(? "
	    "USING utf8mb4) COLLATE utf8mb4_unicode_ci))",
	    AP_ARGS(AP_TEXT(email ? email : "")));
	char *k;
	size_t n;

	if (res == NULL) {
		*rc = ap->db_error(r) ? ap->db_error(r) : AP_EDB;
		return NULL;
	}
	k = ap->strdup(r, ap->cell(res, 0, 0) ? ap->cell(res, 0, 0) : "");
	n = strlen(k);
	while (n >= 4 && strcmp(k + n - 4, "0209") == 0)
		k[n -= 4] = '\0';
	*rc = AP_OK;
	return k;
}

static size_t
user_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* The address must be one the mail command takes: one @, a dot in the
 * domain, no space, no character that could break a header. */
const char *
login_email_problem(struct ap_req *r, const char *e)
{
	const char *at;

	if (e == NULL || *e == '\0')
		return ap->tr(r, "Saisissez votre adresse e-mail.");
	if (strlen(e) > LOGIN_EMAIL_MAX)
		return ap->printf(r, ap->tr(r, "L’adresse e-mail doit compter au "
		    "plus %d caractères."), LOGIN_EMAIL_MAX);
	at = strchr(e, '@');
	if (at == NULL || at == e || strchr(at + 1, '@') != NULL ||
	    (size_t)(at - e) > 64 || strchr(at + 1, '.') == NULL ||
	    at[1] == '.' || e[strlen(e) - 1] == '.')
		return ap->tr(r, "Cette adresse e-mail n’est pas valide "
		    "(exemple : prenom.nom@exemple.fr).");
	for (const unsigned char *p = (const unsigned char *)e; *p; p++)
		if (*p <= 0x20 || *p == 0x7f || strchr("<>\",;:()[]\\", *p))
			return ap->tr(r, "Cette adresse e-mail n’est pas "
			    "valide (exemple : prenom.nom@exemple.fr).");
	return NULL;
}

/* Whether p starts a control of more than one byte: a C1 control, or a
 * direction embedding, override or isolate (U+202A to U+202E, U+2066 to
 * U+2069), which would turn round what follows the name where it is
 * shown. */
static int
user_control(const unsigned char *p)
{
	return (p[0] == 0xc2 && p[1] >= 0x80 && p[1] < 0xa0) ||
	    (p[0] == 0xe2 && ((p[1] == 0x80 && p[2] >= 0xaa && p[2] <= 0xae) ||
	    (p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9)));
}

const char *
login_name_problem(struct ap_req *r, const char *name)
{
	if (name == NULL || *name == '\0')
		return ap->tr(r, "Saisissez un nom.");
	if (user_chars(name) > LOGIN_DNAME_MAX)
		return ap->printf(r, ap->tr(r, "Le nom doit compter au plus %d "
		    "caractères."), LOGIN_DNAME_MAX);
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		if (*p < 0x20 || *p == 0x7f || user_control(p))
			return ap->tr(r, "Le nom ne peut pas contenir de "
			    "caractère de contrôle.");
	return NULL;
}

#define USER_COLS "id, email, name, role, status, pwhash, " \
	"COALESCE(last_login, 0), created"

/* Row 0 of a query of USER_COLS into u (strings stay in the arena). */
static void
user_fill(const struct ap_res *res, struct login_user *u)
{
	u->id = ap->cell_int(res, 0, 0);
	u->email = ap->cell(res, 0, 1);
	u->name = ap->cell(res, 0, 2);
	u->role = ap->cell(res, 0, 3);
	u->status = ap->cell(res, 0, 4);
	u->pwhash = ap->cell(res, 0, 5);
	u->last_login = ap->cell_int(res, 0, 6);
	u->created = ap->cell_int(res, 0, 7);
}

int
login_user_by_email(struct ap_req *r, const char *email, struct login_user *u)
{
	struct ap_res *res;

	memset(u, 0, sizeof(*u));
	if (email == NULL || strlen(email) > LOGIN_EMAIL_MAX)
		return AP_DECLINED;
	res = ap->query(r, "SELECT " USER_COLS " FROM login_users WHERE "
	    "email = ?", AP_ARGS(AP_TEXT(email)));
	if (res == NULL)
		return ap->db_error(r) ? ap->db_error(r) : AP_EDB;
	if (ap->rows(res) == 0)
		return AP_DECLINED;
	user_fill(res, u);
	return AP_OK;
}

int
login_user_by_id(struct ap_req *r, long long id, struct login_user *u)
{
	struct ap_res *res;

	memset(u, 0, sizeof(*u));
	res = ap->query(r, "SELECT " USER_COLS " FROM login_users WHERE id = ?",
	    AP_ARGS(AP_INT(id)));
	if (res == NULL)
		return ap->db_error(r) ? ap->db_error(r) : AP_EDB;
	if (ap->rows(res) == 0)
		return AP_DECLINED;
	user_fill(res, u);
	return AP_OK;
}

long long
login_active_admins(struct ap_req *r)
{
	struct ap_res *res = ap->query(r, "SELECT COUNT(*) FROM login_users "
	    "WHERE role = 'admin' AND status = 'active' FOR UPDATE", AP_NOARGS);

	if (res == NULL)
		return ap->db_error(r) ? ap->db_error(r) : AP_EDB;
	return ap->cell_int(res, 0, 0);
}

/* ---- single-use links ---- */

char *
login_token_new(struct ap_req *r, long long uid, const char *purpose,
    const char *new_email, long validity, int *rc)
{
	char *tok = ap->random_token(r, LOGIN_TOKEN_BYTES);
	long long now = (long long)ap->now(r);

	/* A new link replaces the ones of the same purpose not yet used. */
	*rc = ap->exec(r, "DELETE FROM login_tokens WHERE user_id = ? AND "
	    "purpose = ? AND used_at IS NULL", AP_ARGS(AP_INT(uid),
	    AP_TEXT(purpose)));
	if (*rc != AP_OK)
		return NULL;
	*rc = ap->exec(r, "INSERT INTO login_tokens (token_hash, user_id, "
	    "purpose, new_email, created, expires) VALUES (?, ?, ?, ?, ?, ?)",
	    AP_ARGS(AP_TEXT(ap->hash_hex(r, tok)), AP_INT(uid),
	    AP_TEXT(purpose), AP_TEXT(new_email), AP_INT(now),
	    AP_INT(now + validity)));
	return *rc == AP_OK ? tok : NULL;
}

static int
token_shape_ok(const char *t)
{
	size_t n = 0;

	for (; t && t[n]; n++)
		if (!(isalnum((unsigned char)t[n]) || t[n] == '-' ||
		    t[n] == '_'))
			return 0;
	return n == 43;
}

int
login_token_find(struct ap_req *r, const char *token, const char *purpose,
    long long *uid, const char **new_email)
{
	struct ap_res *res;

	if (!token_shape_ok(token))
		return AP_EINVAL;
	res = ap->query(r, "SELECT user_id, new_email, expires, used_at IS NOT "
	    "NULL, purpose FROM login_tokens WHERE token_hash = ?",
	    AP_ARGS(AP_TEXT(ap->hash_hex(r, token))));
	if (res == NULL)
		return ap->db_error(r) ? ap->db_error(r) : AP_EDB;
	if (ap->rows(res) == 0)
		return AP_EINVAL;
	if (purpose != NULL && strcmp(purpose, "reset") == 0) {
		/* A reset page takes the welcome links too. */
		if (strcmp(ap->cell(res, 0, 4), "reset") != 0 &&
		    strcmp(ap->cell(res, 0, 4), "welcome") != 0)
			return AP_EINVAL;
	} else if (purpose != NULL && strcmp(ap->cell(res, 0, 4), purpose)) {
		return AP_EINVAL;
	}
	if (ap->cell_int(res, 0, 3) ||
	    ap->cell_int(res, 0, 2) <= (long long)ap->now(r))
		return AP_EEXPIRED;
	if (uid)
		*uid = ap->cell_int(res, 0, 0);
	if (new_email)
		*new_email = ap->cell(res, 0, 1);
	return AP_OK;
}

int
login_tokens_drop(struct ap_req *r, long long uid)
{
	return ap->exec(r, "DELETE FROM login_tokens WHERE user_id = ? AND "
	    "purpose IN ('reset', 'welcome') AND used_at IS NULL",
	    AP_ARGS(AP_INT(uid)));
}

int
login_token_spend(struct ap_req *r, const char *token)
{
	int rc = ap->exec(r, "UPDATE login_tokens SET used_at = ? WHERE "
	    "token_hash = ? AND used_at IS NULL AND expires > ?",
	    AP_ARGS(AP_INT(ap->now(r)), AP_TEXT(ap->hash_hex(r, token)),
	    AP_INT(ap->now(r))));

	if (rc != AP_OK)
		return rc;
	return ap->affected(r) == 1 ? AP_OK : AP_EEXPIRED;
}

/* "1 heure", "7 jours": a validity as the mail and the pages say it. */
const char *
login_duration(struct ap_req *r, long s)
{
	if (s % 86400 == 0)
		return ap->printf(r, ap->trn(r, "%ld jour", "%ld jours",
		    (unsigned long)(s / 86400)), s / 86400);
	if (s % 3600 == 0)
		return ap->printf(r, ap->trn(r, "%ld heure", "%ld heures",
		    (unsigned long)(s / 3600)), s / 3600);
	return ap->printf(r, ap->trn(r, "%ld minute", "%ld minutes",
	    (unsigned long)((s + 59) / 60)), (s + 59) / 60);
}

int
login_mail_link(struct ap_req *r, const struct login_user *u,
    const char *purpose, const char *token)
{
	const char *site = ap->conf("site", "title");
	const char *url = ap->printf(r, "%s?token=%s",
	    ap->abs_url(r, "/password/reset"), token);
	const char *subject, *body;

	if (strcmp(purpose, "welcome") == 0) {
		subject = ap->printf(r, ap->tr(r, "Votre compte sur %s"), site);
		body = ap->printf(r, ap->tr(r, "Bonjour %s,\n\n"
		    "Un compte vient d’être ouvert pour vous sur %s, avec "
		    "l’adresse %s.\n\n"
		    "Pour choisir votre mot de passe, suivez ce lien (valable "
		    "%s, une seule fois) :\n\n%s\n\n"
		    "Si vous ne vous attendiez pas à ce message, ignorez-le.\n"),
		    u->name, site, u->email,
		    login_duration(r, login_conf.welcome_validity), url);
	} else {
		subject = ap->printf(r, ap->tr(r, "Réinitialiser votre mot de "
		    "passe sur %s"), site);
		body = ap->printf(r, ap->tr(r, "Bonjour %s,\n\n"
		    "Quelqu’un, sans doute vous, a demandé à réinitialiser le "
		    "mot de passe de votre compte sur %s.\n\n"
		    "Pour choisir un nouveau mot de passe, suivez ce lien "
		    "(valable %s, une seule fois) :\n\n%s\n\n"
		    "Si vous n’êtes pas à l’origine de cette demande, ignorez "
		    "ce message : votre mot de passe ne change pas.\n"),
		    u->name, site, login_duration(r, login_conf.reset_validity),
		    url);
	}
	return ap->mail(r, u->email, subject, body, NULL);
}

int
login_set_password(struct ap_req *r, long long uid, const char *pw)
{
	char *h = login_password_hash(r, pw);
	long long now = (long long)ap->now(r);

	if (h == NULL)
		return AP_ERROR;
	return ap->exec(r, "UPDATE login_users SET pwhash = ?, "
	    "password_changed = ?, updated = ? WHERE id = ?",
	    AP_ARGS(AP_TEXT(h), AP_INT(now), AP_INT(now), AP_INT(uid)));
}
