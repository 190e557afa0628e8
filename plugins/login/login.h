/*
 * login.h: what the files of the login plugin share.  The plugin sees the
 * core through <aparte/plugin.h> only.
 */
#ifndef LOGIN_H
#define LOGIN_H

#include <aparte/plugin.h>

#define LOGIN_EMAIL_MAX 254
#define LOGIN_DNAME_MAX 100
#define LOGIN_PASSWORD_MIN 12
#define LOGIN_PASSWORD_MAX 1024
#define LOGIN_COOKIE "ap_session"
#define LOGIN_TOKEN_BYTES 32         /* 256 bits */
#define LOGIN_PAGE_ROWS 50

/* The host table, set by init; the same for every file of the plugin. */
extern const struct ap_host *ap;

/* Settings, read once at init (durations in seconds). */
struct login_conf {
	long session_idle, session_lifetime, remember;
	long lock_failures, lock_window, slow_delay, lock_max, lock_time;
	long ip_failures, ip_window;
	long forgot_ip_max, forgot_email_max, forgot_window;
	long reset_validity, welcome_validity, email_validity;
	long sessions_max;
	unsigned long long argon2_memory;
	unsigned long long argon2_time;
	long argon2_parallel;
};
extern struct login_conf login_conf;

/* A row of login_users. */
struct login_user {
	long long id;
	const char *email, *name, *role, *status, *pwhash;
	long long last_login, created;
};

/* ---- password.c ---- */
int login_password_init(const char *common_path);
void login_password_fini(void);
/* An argon2id string for pw with the configured parameters, in the
 * arena; NULL when out of memory (logged). */
char *login_password_hash(struct ap_req *r, const char *pw);
/* True when pw matches the stored string.  A NULL or malformed hash is
 * checked against a dummy one, so that the answer takes the same time. */
int login_password_verify(const char *hash, const char *pw);
/* True when the hash was made with other parameters than the current. */
int login_password_needs_rehash(const char *hash);
/* NULL when pw may be used by this person, else why not (translated). */
const char *login_password_problem(struct ap_req *r, const char *pw,
    const char *email, const char *name);
/* A random password of 20 characters (aparte-admin init). */
char *login_password_generate(struct ap_req *r);

/* ---- session.c ---- */
int login_on_session_load(struct ap_req *r, void *state, void *data);
/* Opens a new session for uid (a new token, whatever cookie came) and
 * sets the cookie.  AP_OK or a database code. */
int login_session_start(struct ap_req *r, long long uid, int remember);
/* Ends the visitor's session (database row and cookie). */
int login_session_end(struct ap_req *r);
/* Ends every session of uid, on every backend (the rows go). */
int login_sessions_end_user(struct ap_req *r, long long uid);

/* ---- users.c: the accounts table ---- */
/* Finds a user by email (any case) or id; AP_OK with *u filled, AP_DECLINED
 * when there is none, or a database code. */
int login_user_by_email(struct ap_req *r, const char *email,
    struct login_user *u);
int login_user_by_id(struct ap_req *r, long long id, struct login_user *u);
/* Trims and checks an email; NULL when valid, else why (translated). */
const char *login_email_problem(struct ap_req *r, const char *email);
/* The key of an email as the accounts table compares them (case, accents,
 * widths, invisible characters folded), for the limits; NULL on a
 * database failure (*rc). */
const char *login_email_key(struct ap_req *r, const char *email, int *rc);
const char *login_name_problem(struct ap_req *r, const char *name);
char *login_trim(struct ap_req *r, const char *s);
int login_role_ok(const char *role);
const char *login_role_label(struct ap_req *r, const char *role);
/* How many active admins there are (or a negative database code). */
long long login_active_admins(struct ap_req *r);
/* Makes a single-use token for uid, stores its hash, returns the token
 * (base64url, in the arena) or NULL (database error in *rc). */
char *login_token_new(struct ap_req *r, long long uid, const char *purpose,
    const char *new_email, long validity, int *rc);
/* Finds a live token: AP_OK (*uid, *new_email filled), AP_EEXPIRED (used
 * or too old), AP_EINVAL (unknown), or a database code. */
int login_token_find(struct ap_req *r, const char *token, const char *purpose,
    long long *uid, const char **new_email);
/* Forgets the links of uid that set a password and were not used yet: a
 * new password or a new email makes them void. */
int login_tokens_drop(struct ap_req *r, long long uid);
/* Marks it used, once: AP_OK, AP_EEXPIRED when another request won. */
int login_token_spend(struct ap_req *r, const char *token);
/* Queues the mail with a link to set a password: 'reset' or 'welcome'. */
int login_mail_link(struct ap_req *r, const struct login_user *u,
    const char *purpose, const char *token);
/* "1 heure", "7 jours": a duration in words. */
const char *login_duration(struct ap_req *r, long seconds);
/* Sets the password hash (the sessions are the caller's business). */
int login_set_password(struct ap_req *r, long long uid, const char *pw);

/* ---- pages.c ---- */
int login_page_login(struct ap_req *r, void *state);
int login_post_login(struct ap_req *r, void *state);
int login_post_logout(struct ap_req *r, void *state);
int login_page_forgot(struct ap_req *r, void *state);
int login_post_forgot(struct ap_req *r, void *state);
int login_page_reset(struct ap_req *r, void *state);
int login_post_reset(struct ap_req *r, void *state);
/* Where to go after signing in: redirect_to when it is a path of this
 * site, whatever its encoding; else the default. */
const char *login_safe_target(struct ap_req *r, const char *target,
    const char *def);
/* The note under the heading of a form with required fields. */
void login_required_note(struct ap_req *r);
/* The "done" message of a page reached after a redirect. */
void login_done_message(struct ap_req *r);
/* The generic 403 page of a form whose token expired; form kept by the
 * caller.  Returns the status. */
const char *login_csrf_message(struct ap_req *r);

/* ---- account.c ---- */
int login_page_account(struct ap_req *r, void *state);
int login_post_profile(struct ap_req *r, void *state);
int login_post_password(struct ap_req *r, void *state);
int login_post_sessions(struct ap_req *r, void *state);
int login_page_email(struct ap_req *r, void *state);
int login_post_email(struct ap_req *r, void *state);

/* ---- admin.c ---- */
int login_on_admin_menu(struct ap_req *r, void *state, void *data);
int login_admin_home(struct ap_req *r, void *state);
int login_admin_plugins(struct ap_req *r, void *state);
int login_admin_plugins_post(struct ap_req *r, void *state);
int login_admin_users(struct ap_req *r, void *state);
int login_admin_users_post(struct ap_req *r, void *state);
int login_admin_user(struct ap_req *r, void *state);
int login_admin_user_post(struct ap_req *r, void *state);
int login_admin_audit(struct ap_req *r, void *state);

/* ---- limits.c: the brute-force limits ---- */
enum login_limit {
	LOGIN_LIMIT_OK = 0,
	LOGIN_LIMIT_SLOW,     /* wait `wait` seconds before the next try */
	LOGIN_LIMIT_LOCKED,   /* refused for `wait` seconds */
	LOGIN_LIMIT_IP,       /* too many failures from this address */
};
/* One try, as counted: its rows of login_failures. */
struct login_try {
	long long acct, ip;
};
/* Counts a try of this email from this client, before its password is
 * checked, and says where they stand (*wait in seconds).  A try a limit
 * refuses is taken back at once; a wrong password leaves it counted.  A
 * database failure returns its code through *rc. */
enum login_limit login_limit_try(struct ap_req *r, const char *email,
    struct login_try *t, long *wait, int *rc);
/* Takes back a try whose password was right. */
int login_limit_untry(struct ap_req *r, const struct login_try *t);
/* Forgets the account's failures (a sign-in, a new password). */
int login_limit_clear(struct ap_req *r, const char *email);

/* ---- cli.c ---- */
int login_cmd_user(struct ap_req *r, void *state, int argc, char **argv);
int login_cmd_init(struct ap_req *r, void *state, int argc, char **argv);

#endif /* LOGIN_H */
