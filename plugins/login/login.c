/*
 * login.c: the login plugin's record: its settings, routes, hooks,
 * commands and navigation, and what it does between requests (cron) and
 * for the privacy commands.
 *
 * Users (admin, moderator, expert, member) sign in with an email and a
 * password hashed with argon2id; a session is a random token in a cookie,
 * kept hashed in the database.  The admin console (/admin) lives here too,
 * since it needs someone signed in.
 */
#include <string.h>

#include <sodium.h>

#include "login.h"

#ifndef LOGIN_DATADIR
#define LOGIN_DATADIR "/usr/local/share/aparte/login"
#endif

const struct ap_host *ap;
struct login_conf login_conf;

static const struct ap_setting login_settings[] = {
	{ "session_idle", AP_SET_DURATION, "2h", 60, 365L * 86400,
	    "a session ends after this long without a request" },
	{ "session_lifetime", AP_SET_DURATION, "12h", 60, 365L * 86400,
	    "a session ends this long after signing in, whatever happens" },
	{ "remember", AP_SET_DURATION, "30d", 3600, 365L * 86400,
	    "how long \"stay signed in\" keeps a session" },
	{ "lock_failures", AP_SET_INT, "5", 1, 1000,
	    "failures for one account in lock_window before tries are slowed" },
	{ "lock_window", AP_SET_DURATION, "15m", 60, 86400,
	    "the window in which an account's failures count" },
	{ "slow_delay", AP_SET_DURATION, "30s", 0, 3600,
	    "once slowed, the wait after each failure" },
	{ "lock_max", AP_SET_INT, "10", 1, 1000,
	    "failures in lock_window after which the account is refused" },
	{ "lock_time", AP_SET_DURATION, "15m", 1, 86400,
	    "how long a refused account stays refused after its last failure" },
	{ "ip_failures", AP_SET_INT, "50", 1, 1000000,
	    "failures from one address in ip_window before it is refused" },
	{ "ip_window", AP_SET_DURATION, "15m", 60, 86400,
	    "the window in which an address's failures count" },
	{ "forgot_ip_max", AP_SET_INT, "20", 1, 1000000,
	    "forgotten-password requests per address in forgot_window" },
	{ "forgot_email_max", AP_SET_INT, "3", 1, 100,
	    "reset links mailed to one address in forgot_window" },
	{ "forgot_window", AP_SET_DURATION, "1h", 60, 86400,
	    "window of the two limits above" },
	{ "reset_validity", AP_SET_DURATION, "1h", 300, 86400,
	    "how long a reset link works" },
	{ "welcome_validity", AP_SET_DURATION, "7d", 3600, 30L * 86400,
	    "how long the link of a new account works" },
	{ "email_validity", AP_SET_DURATION, "24h", 300, 30L * 86400,
	    "how long the link confirming a new email works" },
	{ "sessions_max", AP_SET_INT, "20", 1, 1000,
	    "sessions one person may keep open; the oldest go" },
	{ "argon2_memory", AP_SET_SIZE, "19M", 1024L * 1024,
	    1024L * 1024 * 1024, "argon2id memory (OWASP: 19 MiB)" },
	{ "argon2_time", AP_SET_INT, "2", 1, 20,
	    "argon2id passes (OWASP: 2 with 19 MiB)" },
	{ "argon2_parallel", AP_SET_INT, "4", 1, 256,
	    "argon2id computations at once per process (memory bound)" },
	{ "common_passwords", AP_SET_STRING,
	    LOGIN_DATADIR "/common-passwords.txt", 0, 0,
	    "list of passwords refused as too common" },
	{ NULL, 0, NULL, 0, 0, NULL },
};

static long
login_setting(const char *key)
{
	return (long)ap->conf_int("login", key);
}

/* Reads the [login] settings and loads the common passwords; refuses
 * a core without the plugin list (ABI 1.1). */
static int
login_init(const struct ap_host *host, void **state)
{
	ap = host;
	(void)state;
	if (ap->size < offsetof(struct ap_host, plugin_enable) +
	    sizeof(ap->plugin_enable)) {
		ap->log(AP_LOG_ERR, "login: this core is too old (it lacks "
		    "the plugin list of ABI 1.1)");
		return -1;
	}
	if (sodium_init() < 0)
		return -1;
	login_conf.session_idle = login_setting("session_idle");
	login_conf.session_lifetime = login_setting("session_lifetime");
	login_conf.remember = login_setting("remember");
	login_conf.lock_failures = login_setting("lock_failures");
	login_conf.lock_window = login_setting("lock_window");
	login_conf.slow_delay = login_setting("slow_delay");
	login_conf.lock_max = login_setting("lock_max");
	login_conf.lock_time = login_setting("lock_time");
	login_conf.ip_failures = login_setting("ip_failures");
	login_conf.ip_window = login_setting("ip_window");
	login_conf.forgot_ip_max = login_setting("forgot_ip_max");
	login_conf.forgot_email_max = login_setting("forgot_email_max");
	login_conf.forgot_window = login_setting("forgot_window");
	login_conf.reset_validity = login_setting("reset_validity");
	login_conf.welcome_validity = login_setting("welcome_validity");
	login_conf.email_validity = login_setting("email_validity");
	login_conf.sessions_max = login_setting("sessions_max");
	login_conf.argon2_memory = (unsigned long long)ap->conf_int("login",
	    "argon2_memory");
	login_conf.argon2_time = (unsigned long long)ap->conf_int("login",
	    "argon2_time");
	login_conf.argon2_parallel = login_setting("argon2_parallel");
	if (login_conf.lock_max < login_conf.lock_failures) {
		ap->log(AP_LOG_ERR, "login: [login] lock_max must not be below "
		    "lock_failures");
		return -1;
	}
	return login_password_init(ap->conf("login", "common_passwords"));
}

static void
login_fini(void *state)
{
	(void)state;
	login_password_fini();
}

/* Hook cron: sessions, links and failure counts that can no longer
 * matter are deleted. */
static int
login_on_cron(struct ap_req *r, void *state, void *data)
{
	long long now = (long long)ap->now(r);
	long keep = login_conf.lock_window;

	(void)state;
	(void)data;
	if (login_conf.ip_window > keep)
		keep = login_conf.ip_window;
	if (login_conf.lock_time > keep)
		keep = login_conf.lock_time;
	ap->exec(r, "DELETE FROM login_sessions WHERE expires <= ? OR "
	    "last_seen + idle < ?", AP_ARGS(AP_INT(now), AP_INT(now)));
	ap->exec(r, "DELETE FROM login_tokens WHERE expires < ?",
	    AP_ARGS(AP_INT(now - 86400)));
	ap->exec(r, "DELETE FROM login_failures WHERE at < ?",
	    AP_ARGS(AP_INT(now - keep)));
	return AP_OK;
}

/* Hook privacy.export: the account and its sessions. */
static int
login_on_privacy_export(struct ap_req *r, void *state, void *data)
{
	struct ap_privacy *p = data;
	struct login_user u;
	struct ap_res *res;
	int rc;

	(void)state;
	rc = login_user_by_email(r, p->email, &u);
	if (rc == AP_DECLINED)
		return AP_DECLINED;
	if (rc != AP_OK)
		return rc;
	ap->privacy_item(r, p, "account", (const char *const[]){
	    "email", u.email, "name", u.name, "role", u.role,
	    "status", u.status, "created", ap->iso_date(r, (time_t)u.created),
	    "last_login", u.last_login ? ap->iso_date(r,
	    (time_t)u.last_login) : "", NULL });
	res = ap->query(r, "SELECT created, last_seen, ip, user_agent FROM "
	    "login_sessions WHERE user_id = ? ORDER BY id",
	    AP_ARGS(AP_INT(u.id)));
	if (res == NULL)
		return ap->db_error(r);
	for (size_t i = 0; i < ap->rows(res); i++)
		ap->privacy_item(r, p, "session", (const char *const[]){
		    "created", ap->iso_date(r, (time_t)ap->cell_int(res, i, 0)),
		    "last_seen", ap->iso_date(r, (time_t)ap->cell_int(res, i, 1)),
		    "ip", ap->cell(res, i, 2), "user_agent", ap->cell(res, i, 3),
		    NULL });
	return AP_OK;
}

/* Hook privacy.erase: the account goes, with its sessions and links.  The
 * audit trail keeps what was done, but no longer the address: its lines
 * name the account by number.  The last active admin is not erased: the
 * site would have nobody to run it. */
static int
login_on_privacy_erase(struct ap_req *r, void *state, void *data)
{
	struct ap_privacy *p = data;
	struct login_user u;
	struct ap_res *res;
	long long admins, sessions;
	int rc;

	(void)state;
	rc = login_user_by_email(r, p->email, &u);
	if (rc == AP_DECLINED)
		return AP_DECLINED;
	if (rc != AP_OK)
		return rc;
	if ((rc = ap->begin(r)) != AP_OK)
		return rc;
	admins = login_active_admins(r);
	if (admins >= 0 && strcmp(u.role, "admin") == 0 &&
	    strcmp(u.status, "active") == 0 && admins <= 1) {
		ap->rollback(r);
		ap->log(AP_LOG_ERR, "login: %s is the last active admin: name "
		    "another admin before erasing this account", u.email);
		return AP_ERROR;
	}
	res = ap->query(r, "SELECT COUNT(*) FROM login_sessions WHERE "
	    "user_id = ?", AP_ARGS(AP_INT(u.id)));
	sessions = res ? ap->cell_int(res, 0, 0) : 0;
	rc = admins < 0 ? (int)admins : res == NULL ? ap->db_error(r) : AP_OK;
	if (rc == AP_OK)
		rc = ap->exec(r, "DELETE FROM login_users WHERE id = ?",
		    AP_ARGS(AP_INT(u.id)));
	if (rc == AP_OK)
		rc = login_limit_clear(r, u.email);
	if (rc == AP_OK)
		rc = ap->exec(r, "UPDATE ap_audit SET user_email = ? WHERE "
		    "user_email = ? OR user_id = ?", AP_ARGS(AP_TEXT(ap->printf(r,
		    "#%lld", u.id)), AP_TEXT(u.email), AP_INT(u.id)));
	if (rc == AP_OK)
		rc = ap->exec(r, "UPDATE ap_audit SET detail = REPLACE(detail, ?, "
		    "?) WHERE INSTR(detail, ?) > 0", AP_ARGS(AP_TEXT(u.email),
		    AP_TEXT(ap->printf(r, "#%lld", u.id)), AP_TEXT(u.email)));
	if (rc == AP_OK)
		rc = ap->commit(r);
	if (rc != AP_OK) {
		ap->rollback(r);
		return rc;
	}
	p->erased += 1 + (long)sessions;
	return AP_OK;
}

static const struct ap_route login_routes[] = {
	{ "GET", "/login", 0, login_page_login },
	{ "POST", "/login", 0, login_post_login },
	{ "POST", "/logout", AP_ROUTE_FORM, login_post_logout },
	{ "GET", "/password/forgot", 0, login_page_forgot },
	{ "POST", "/password/forgot", 0, login_post_forgot },
	{ "GET", "/password/reset", 0, login_page_reset },
	{ "POST", "/password/reset", 0, login_post_reset },
	{ "GET", "/account", 0, login_page_account },
	{ "POST", "/account/profile", 0, login_post_profile },
	{ "POST", "/account/password", 0, login_post_password },
	{ "POST", "/account/sessions", 0, login_post_sessions },
	{ "GET", "/account/email", 0, login_page_email },
	{ "POST", "/account/email", 0, login_post_email },
	{ "GET", "/admin", 0, login_admin_home },
	{ "GET", "/admin/plugins", 0, login_admin_plugins },
	{ "POST", "/admin/plugins", AP_ROUTE_FORM, login_admin_plugins_post },
	{ "GET", "/admin/users", 0, login_admin_users },
	{ "POST", "/admin/users", 0, login_admin_users_post },
	{ "GET", "/admin/users/{id}", 0, login_admin_user },
	{ "POST", "/admin/users/{id}", AP_ROUTE_FORM, login_admin_user_post },
	{ "GET", "/admin/audit", 0, login_admin_audit },
	{ NULL, NULL, 0, NULL },
};

/* Hook users.with_role: the addresses of the active accounts with it. */
static int
login_on_with_role(struct ap_req *r, void *state, void *data)
{
	struct ap_role_list *l = data;
	struct ap_res *res;

	(void)state;
	res = ap->query(r, "SELECT email FROM login_users WHERE role = ? AND "
	    "status = 'active' ORDER BY id", AP_ARGS(AP_TEXT(l->role)));
	if (res == NULL)
		return ap->db_error(r);
	for (size_t i = 0; i < ap->rows(res); i++)
		l->emails = l->emails == NULL ?
		    ap->strdup(r, ap->cell(res, i, 0)) :
		    ap->printf(r, "%s %s", l->emails, ap->cell(res, i, 0));
	return AP_OK;
}

static const struct ap_hook login_hooks[] = {
	{ "session.load", 10, login_on_session_load },
	{ "cron", 50, login_on_cron },
	/* First in the menu: the console's own pages. */
	{ "admin.menu", 0, login_on_admin_menu },
	{ "privacy.export", 10, login_on_privacy_export },
	{ "users.with_role", 10, login_on_with_role },
	/* First, so that a refusal comes before any other plugin erased. */
	{ "privacy.erase", -100, login_on_privacy_erase },
	{ NULL, 0, NULL },
};

static const char *const login_runs[] = {
	"admin.dashboard", "admin.menu", NULL,
};

static const struct ap_command login_commands[] = {
	{ "user", "user add|passwd|disable|enable|role|list ...",
	    "accounts (aparte-admin user help)", login_cmd_user },
	{ "init", "init [EMAIL] [--name N] [--password-file F]",
	    "create the first admin, if there is none", login_cmd_init },
	{ NULL, NULL, NULL, NULL },
};

static const struct ap_nav login_nav[] = {
	{ AP_N_("Se connecter"), "/login", "guest", 90 },
	{ AP_N_("Mon compte"), "/account", "member", 91 },
	{ AP_N_("Administration"), "/admin", "moderator", 92 },
	{ NULL, NULL, NULL, 0 },
};

AP_PLUGIN(login) = {
	AP_PLUGIN_HEAD,
	.name = "login",
	.version = "1.0",
	.description = AP_N_("Connexion des membres, des experts et des "
	    "administrateurs, mot de passe oublié, console d’administration"),
	.init = login_init,
	.fini = login_fini,
	.routes = login_routes,
	.hooks = login_hooks,
	.runs = login_runs,
	.settings = login_settings,
	.commands = login_commands,
	.nav = login_nav,
	.schema = "login",
};
