/*
 * session.c: who the visitor is.  The cookie carries a 256-bit random
 * token; the database keeps only its keyed hash, with the session's idle
 * and absolute limits, so that every worker of every backend host sees a
 * session end the moment its row goes.
 */
#include <string.h>

#include "login.h"

/* Seconds between two writes of last_seen: a session's idle limit is
 * counted to within this. */
#define SESSION_TOUCH 60

/* A token as login_session_start makes them: 43 base64url characters. */
static int
session_token_ok(const char *t)
{
	size_t n = 0;

	for (; t[n]; n++) {
		char c = t[n];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return 0;
	}
	return n == 43;
}

static void
session_forget_cookie(struct ap_req *r)
{
	ap->set_cookie(r, LOGIN_COOKIE, "", -1, AP_COOKIE_HTTPONLY);
}

/* Hook session.load: a live session names the visitor (ap->set_user); a
 * cookie that opens nothing (unknown, tampered, expired, its user
 * disabled) is deleted.  A database failure leaves the visitor a guest
 * for this request and the cookie untouched. */
int
login_on_session_load(struct ap_req *r, void *state, void *data)
{
	const char *tok = ap->cookie(r, LOGIN_COOKIE);
	const char *h;
	struct ap_res *res;
	struct ap_user u;
	long long now = (long long)ap->now(r), last, expires, idle, sid;

	(void)state;
	(void)data;
	if (tok == NULL || *tok == '\0')
		return AP_DECLINED;
	if (!session_token_ok(tok)) {
		session_forget_cookie(r);
		return AP_DECLINED;
	}
	h = ap->hash_hex(r, tok);
	res = ap->query(r, "SELECT s.id, s.last_seen, s.expires, s.idle, "
	    "u.id, u.email, u.name, u.role, u.status FROM login_sessions s "
	    "JOIN login_users u ON u.id = s.user_id WHERE s.token_hash = ?",
	    AP_ARGS(AP_TEXT(h)));
	if (res == NULL)
		return AP_DECLINED;
	if (ap->rows(res) == 0) {
		session_forget_cookie(r);
		return AP_DECLINED;
	}
	sid = ap->cell_int(res, 0, 0);
	last = ap->cell_int(res, 0, 1);
	expires = ap->cell_int(res, 0, 2);
	idle = ap->cell_int(res, 0, 3);
	if (now >= expires || now - last > idle ||
	    strcmp(ap->cell(res, 0, 8), "active") != 0) {
		ap->exec(r, "DELETE FROM login_sessions WHERE id = ?",
		    AP_ARGS(AP_INT(sid)));
		session_forget_cookie(r);
		return AP_DECLINED;
	}
	u.id = ap->cell_int(res, 0, 4);
	u.email = ap->cell(res, 0, 5);
	u.name = ap->cell(res, 0, 6);
	u.role = ap->cell(res, 0, 7);
	ap->set_user(r, &u);
	if (now - last >= SESSION_TOUCH)
		ap->exec(r, "UPDATE login_sessions SET last_seen = ? WHERE "
		    "id = ?", AP_ARGS(AP_INT(now), AP_INT(sid)));
	return AP_OK;
}

/* The User-Agent as it is kept beside a session: printable ASCII, at most
 * 255 characters (anything else could not be stored or shown safely). */
static char *
session_agent(struct ap_req *r)
{
	const char *ua = ap->env(r, "HTTP_USER_AGENT");
	char *out;
	size_t n = 0;

	if (ua == NULL)
		return "";
	out = ap->alloc(r, 256);
	for (; *ua && n < 255; ua++)
		if (*ua >= 0x20 && *ua < 0x7f)
			out[n++] = *ua;
	out[n] = '\0';
	return out;
}

/* Ends the session the request came with, if any: a session is never
 * carried over to a new sign-in (no fixation). */
static int
session_drop_current(struct ap_req *r)
{
	const char *tok = ap->cookie(r, LOGIN_COOKIE);

	if (tok == NULL || !session_token_ok(tok))
		return AP_OK;
	return ap->exec(r, "DELETE FROM login_sessions WHERE token_hash = ?",
	    AP_ARGS(AP_TEXT(ap->hash_hex(r, tok))));
}

int
login_session_start(struct ap_req *r, long long uid, int remember)
{
	char *tok = ap->random_token(r, LOGIN_TOKEN_BYTES);
	long long now = (long long)ap->now(r);
	long idle = remember ? login_conf.remember : login_conf.session_idle;
	long life = remember ? login_conf.remember :
	    login_conf.session_lifetime;
	const char *ip = ap->client_ip(r);
	int rc;

	if ((rc = session_drop_current(r)) != AP_OK)
		return rc;
	rc = ap->exec(r, "INSERT INTO login_sessions (token_hash, user_id, "
	    "created, last_seen, expires, idle, remember, ip, user_agent) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
	    AP_ARGS(AP_TEXT(ap->hash_hex(r, tok)), AP_INT(uid), AP_INT(now),
	    AP_INT(now), AP_INT(now + life), AP_INT(idle),
	    AP_INT(remember ? 1 : 0), AP_TEXT(ap->strndup(r, ip, 64)),
	    AP_TEXT(session_agent(r))));
	if (rc != AP_OK)
		return rc;
	/* A person keeps at most sessions_max sessions: the oldest go. */
	rc = ap->exec(r, "DELETE FROM login_sessions WHERE user_id = ? AND "
	    "id NOT IN (SELECT id FROM (SELECT id FROM login_sessions WHERE "
	    "user_id = ? ORDER BY last_seen DESC, id DESC LIMIT ?) AS keep)",
	    AP_ARGS(AP_INT(uid), AP_INT(uid), AP_INT(login_conf.sessions_max)));
	if (rc != AP_OK)
		return rc;
	return ap->set_cookie(r, LOGIN_COOKIE, tok, remember ? life : 0,
	    AP_COOKIE_HTTPONLY | (remember ? 0 : AP_COOKIE_SESSION));
}

int
login_session_end(struct ap_req *r)
{
	int rc = session_drop_current(r);

	session_forget_cookie(r);
	ap->set_user(r, NULL);
	return rc;
}

int
login_sessions_end_user(struct ap_req *r, long long uid)
{
	return ap->exec(r, "DELETE FROM login_sessions WHERE user_id = ?",
	    AP_ARGS(AP_INT(uid)));
}
