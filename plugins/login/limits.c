/*
 * limits.c: the brute-force limits of the sign-in form.
 *
 * Each try is a row keyed by a keyed hash of the email typed (as the
 * accounts table compares emails, and whether an account has it or not,
 * so that the limits tell nothing about which accounts exist) and one
 * keyed by the client's address.  The rows are written before the
 * password is checked, and a try counts the rows written before its own:
 * tries sent at once are counted as they come, not once their argon2id
 * checks are over.  A try a limit refuses, or whose password is right, is
 * taken back; a wrong one stays, as a failure.  Per account, whatever the
 * address: after lock_failures failures in lock_window, a try must wait
 * slow_delay after the last failure; after lock_max, the account is
 * refused for lock_time.  Per address: after ip_failures failures in
 * ip_window, every try from it is refused until the window has moved on.
 * Windows slide: counts are of the rows younger than the window, never
 * reset at a boundary.
 */
#include <arpa/inet.h>
#include <string.h>

#include "login.h"

static const char *
limit_acct_key(struct ap_req *r, const char *email, int *rc)
{
	const char *k = login_email_key(r, email, rc);

	return k ? ap->hash_hex(r, ap->printf(r, "login-acct:%s", k)) : NULL;
}

/* The client's address as the limits count it: IPv4 as is, IPv6 by its
 * /64 (one machine usually owns a whole /64). */
static const char *
limit_ip_key(struct ap_req *r)
{
	const char *ip = ap->client_ip(r);
	unsigned char a[16];
	char buf[INET6_ADDRSTRLEN];

	if (strchr(ip, ':') != NULL && inet_pton(AF_INET6, ip, a) == 1) {
		memset(a + 8, 0, 8);
		if (inet_ntop(AF_INET6, a, buf, sizeof(buf)) != NULL)
			ip = ap->strdup(r, buf);
	}
	return ap->hash_hex(r, ap->printf(r, "login-ip:%s", ip));
}

/* Tries of key younger than window written before the row `before`,
 * and the time of the last one. */
static int
limit_count(struct ap_req *r, const char *key, long window, long long before,
    long long *n, long long *last)
{
	struct ap_res *res = ap->query(r, "SELECT COUNT(*), COALESCE(MAX(at), "
	    "0) FROM login_failures WHERE k = ? AND at > ? AND id < ?",
	    AP_ARGS(AP_TEXT(key), AP_INT((long long)ap->now(r) - window),
	    AP_INT(before)));

	if (res == NULL)
		return ap->db_error(r) ? ap->db_error(r) : AP_EDB;
	*n = ap->cell_int(res, 0, 0);
	*last = ap->cell_int(res, 0, 1);
	return AP_OK;
}

/* Writes one row of a try; its id in *id. */
static int
limit_row(struct ap_req *r, const char *key, long long *id)
{
	int rc = ap->exec(r, "INSERT INTO login_failures (k, at) VALUES (?, ?)",
	    AP_ARGS(AP_TEXT(key), AP_INT((long long)ap->now(r))));

	*id = rc == AP_OK ? ap->insert_id(r) : 0;
	return rc;
}

/* Where the try stands, its rows written. */
static enum login_limit
limit_judge(struct ap_req *r, const char *acct, const struct login_try *t,
    long *wait, int *rc)
{
	long long n, last, now = (long long)ap->now(r);

	*rc = limit_count(r, limit_ip_key(r), login_conf.ip_window, t->ip, &n,
	    &last);
	if (*rc != AP_OK)
		return LOGIN_LIMIT_OK;
	if (n >= login_conf.ip_failures) {
		/* Until the oldest counted failure leaves the window: an
		 * estimate good enough to say "a few minutes". */
		*wait = login_conf.ip_window;
		return LOGIN_LIMIT_IP;
	}
	*rc = limit_count(r, acct, login_conf.lock_window, t->acct, &n, &last);
	if (*rc != AP_OK)
		return LOGIN_LIMIT_OK;
	if (n >= login_conf.lock_max && now < last + login_conf.lock_time) {
		*wait = (long)(last + login_conf.lock_time - now);
		return LOGIN_LIMIT_LOCKED;
	}
	if (n >= login_conf.lock_failures && now < last + login_conf.slow_delay) {
		*wait = (long)(last + login_conf.slow_delay - now);
		return LOGIN_LIMIT_SLOW;
	}
	return LOGIN_LIMIT_OK;
}

enum login_limit
login_limit_try(struct ap_req *r, const char *email, struct login_try *t,
    long *wait, int *rc)
{
	const char *acct = limit_acct_key(r, email, rc);
	enum login_limit lim;

	memset(t, 0, sizeof(*t));
	*wait = 0;
	if (acct == NULL)
		return LOGIN_LIMIT_OK;
	if ((*rc = limit_row(r, acct, &t->acct)) != AP_OK ||
	    (*rc = limit_row(r, limit_ip_key(r), &t->ip)) != AP_OK)
		return LOGIN_LIMIT_OK;
	lim = limit_judge(r, acct, t, wait, rc);
	if (*rc == AP_OK && lim != LOGIN_LIMIT_OK)
		*rc = login_limit_untry(r, t);
	return lim;
}

int
login_limit_untry(struct ap_req *r, const struct login_try *t)
{
	return ap->exec(r, "DELETE FROM login_failures WHERE id IN (?, ?)",
	    AP_ARGS(AP_INT(t->acct), AP_INT(t->ip)));
}

/* A successful sign-in or a new password clears the account's count (not
 * the address's). */
int
login_limit_clear(struct ap_req *r, const char *email)
{
	int rc;
	const char *acct = limit_acct_key(r, email, &rc);

	if (acct == NULL)
		return rc;
	return ap->exec(r, "DELETE FROM login_failures WHERE k = ?",
	    AP_ARGS(AP_TEXT(acct)));
}
