/*
 * cli.c: the accounts from the command line: `aparte-admin user ...` and
 * `aparte-admin init`.  A password is read from the terminal without echo,
 * or from a file (--password-file FILE, "-" for the standard input); never
 * from the command line, where other users of the machine could read it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "login.h"

#define CLI_LINE_MAX (4 * LOGIN_PASSWORD_MAX + 2)

/* Options after the positional arguments. */
struct cli_opts {
	const char *pos[3];
	int npos;
	const char *role, *name, *password_file;
	int bad;
};

/* Splits argv[first..] into positional arguments and the options
 * --role, --name, --password-file; a password option is refused. */
static void
cli_parse(int argc, char **argv, int first, struct cli_opts *o)
{
	memset(o, 0, sizeof(*o));
	for (int i = first; i < argc; i++) {
		const char **slot = NULL;

		if (strcmp(argv[i], "--role") == 0)
			slot = &o->role;
		else if (strcmp(argv[i], "--name") == 0)
			slot = &o->name;
		else if (strcmp(argv[i], "--password-file") == 0)
			slot = &o->password_file;
		else if (strncmp(argv[i], "--password", 10) == 0) {
			fprintf(stderr, "aparte-admin: a password is never "
			    "given on the command line: use --password-file "
			    "FILE, or type it when asked\n");
			o->bad = 1;
			continue;
		} else if (argv[i][0] == '-' && argv[i][1] == '-') {
			fprintf(stderr, "aparte-admin: unknown option %s\n",
			    argv[i]);
			o->bad = 1;
			continue;
		}
		if (slot != NULL) {
			if (i + 1 >= argc) {
				fprintf(stderr, "aparte-admin: %s needs a "
				    "value\n", argv[i]);
				o->bad = 1;
				return;
			}
			*slot = argv[++i];
			continue;
		}
		if (o->npos < 3)
			o->pos[o->npos++] = argv[i];
		else
			o->bad = 1;
	}
}

/* The first line of a file (or of the standard input for "-"), in the
 * arena; NULL with a message when it cannot be read. */
static char *
cli_read_file(struct ap_req *r, const char *path)
{
	char *buf = ap->alloc(r, CLI_LINE_MAX + 1);
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");

	if (f == NULL) {
		fprintf(stderr, "aparte-admin: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	if (fgets(buf, CLI_LINE_MAX + 1, f) == NULL)
		buf[0] = '\0';
	if (f != stdin)
		fclose(f);
	buf[strcspn(buf, "\r\n")] = '\0';
	return buf;
}

/* Reads a line from the terminal with the echo off.  NULL when there is
 * no terminal. */
static char *
cli_ask(struct ap_req *r, const char *prompt, int hidden)
{
	struct termios old, quiet;
	char *buf = ap->alloc(r, CLI_LINE_MAX + 1);
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	ssize_t n = 0;
	int echo_off = 0;

	if (fd < 0)
		return NULL;
	if (write(fd, prompt, strlen(prompt)) < 0) {
		close(fd);
		return NULL;
	}
	if (hidden && tcgetattr(fd, &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		quiet.c_lflag |= ICANON;
		echo_off = tcsetattr(fd, TCSAFLUSH, &quiet) == 0;
	}
	while (n < CLI_LINE_MAX) {
		char c;
		ssize_t k = read(fd, &c, 1);

		if (k <= 0 || c == '\n')
			break;
		buf[n++] = c;
	}
	buf[n] = '\0';
	if (echo_off) {
		tcsetattr(fd, TCSAFLUSH, &old);
		if (write(fd, "\n", 1) < 0)
			n = 0;
	}
	close(fd);
	buf[strcspn(buf, "\r")] = '\0';
	return buf;
}

static int
cli_controls(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

/* A new password for email: from the file, else typed twice.  With
 * may_generate, an empty answer (or no terminal at all) makes one, and
 * *generated says so.  NULL with a message on failure. */
static char *
cli_new_password(struct ap_req *r, const char *file, const char *email,
    const char *name, int may_generate, int *generated)
{
	const char *problem;
	char *pw, *again;

	*generated = 0;
	if (file != NULL) {
		pw = cli_read_file(r, file);
		if (pw == NULL)
			return NULL;
	} else {
		pw = cli_ask(r, may_generate ? "Password (empty: generate "
		    "one): " : "Password: ", 1);
		if (pw == NULL && !may_generate) {
			fprintf(stderr, "aparte-admin: no terminal to ask "
			    "for the password: use --password-file FILE (- "
			    "for the standard input)\n");
			return NULL;
		}
		if (pw == NULL || (*pw == '\0' && may_generate)) {
			*generated = 1;
			return login_password_generate(r);
		}
		again = cli_ask(r, "Again: ", 1);
		if (again == NULL || strcmp(pw, again) != 0) {
			fprintf(stderr, "aparte-admin: the two passwords "
			    "differ\n");
			return NULL;
		}
	}
	if (cli_controls(pw)) {
		fprintf(stderr, "aparte-admin: the password contains control "
		    "characters\n");
		return NULL;
	}
	problem = login_password_problem(r, pw, email, name);
	if (problem != NULL) {
		fprintf(stderr, "aparte-admin: %s\n", problem);
		return NULL;
	}
	return pw;
}

static int
cli_db(int rc)
{
	fprintf(stderr, "aparte-admin: %s\n", rc == AP_EDB ? "the database is "
	    "unreachable" : "the database refused the change (see above)");
	return 1;
}

/* Inserts an active account with a password; prints it. */
static int
cli_create(struct ap_req *r, const char *email, const char *name,
    const char *role, const char *pw)
{
	char *h = login_password_hash(r, pw);
	long long now = (long long)ap->now(r);
	int rc;

	if (h == NULL)
		return 1;
	if ((rc = ap->begin(r)) != AP_OK)
		return cli_db(rc);
	rc = ap->exec(r, "INSERT INTO login_users (email, name, role, status, "
	    "pwhash, created, updated, password_changed) VALUES (?, ?, ?, "
	    "'active', ?, ?, ?, ?)", AP_ARGS(AP_TEXT(email), AP_TEXT(name),
	    AP_TEXT(role), AP_TEXT(h), AP_INT(now), AP_INT(now), AP_INT(now)));
	if (rc == AP_EDUP) {
		ap->rollback(r);
		fprintf(stderr, "aparte-admin: an account with the email %s "
		    "exists already\n", email);
		return 1;
	}
	if (rc == AP_OK)
		rc = ap->audit(r, "user.add", ap->printf(r, "%s (%s)", email,
		    role));
	if (rc == AP_OK)
		rc = ap->commit(r);
	if (rc != AP_OK) {
		ap->rollback(r);
		return cli_db(rc);
	}
	ap->out(r, "%s added as %s\n", email, role);
	return 0;
}

static const char *
cli_default_name(struct ap_req *r, const char *email)
{
	const char *at = strchr(email, '@');

	return ap->strndup(r, email, at ? (size_t)(at - email) : strlen(email));
}

static int
cli_check_email(struct ap_req *r, const char *email)
{
	const char *p = login_email_problem(r, email);

	if (p != NULL) {
		fprintf(stderr, "aparte-admin: %s: %s\n", email, p);
		return 0;
	}
	return 1;
}

/* aparte-admin user add EMAIL --role ROLE [--name N] [--password-file F]. */
static int
cli_user_add(struct ap_req *r, struct cli_opts *o)
{
	const char *email = o->pos[1], *name, *problem;
	char *pw;
	int gen;

	if (email == NULL || o->role == NULL) {
		fprintf(stderr, "usage: aparte-admin user add EMAIL --role "
		    "admin|moderator|expert|member [--name NAME] "
		    "[--password-file FILE]\n");
		return 2;
	}
	if (!login_role_ok(o->role)) {
		fprintf(stderr, "aparte-admin: the role is admin, moderator, "
		    "expert or member\n");
		return 2;
	}
	if (!cli_check_email(r, email))
		return 2;
	name = o->name ? o->name : cli_default_name(r, email);
	if ((problem = login_name_problem(r, name)) != NULL) {
		fprintf(stderr, "aparte-admin: %s\n", problem);
		return 2;
	}
	pw = cli_new_password(r, o->password_file, email, name, 0, &gen);
	if (pw == NULL)
		return 1;
	return cli_create(r, email, name, o->role, pw);
}

/* The account of email; 0, or the exit status after a message. */
static int
cli_find(struct ap_req *r, const char *email, struct login_user *u)
{
	int rc;

	if (email == NULL) {
		fprintf(stderr, "aparte-admin: which account? (EMAIL)\n");
		return 2;
	}
	rc = login_user_by_email(r, email, u);
	if (rc == AP_DECLINED) {
		fprintf(stderr, "aparte-admin: no account has the email %s\n",
		    email);
		return 1;
	}
	return rc == AP_OK ? 0 : cli_db(rc);
}

/* aparte-admin user passwd EMAIL: a new password; its sessions end. */
static int
cli_user_passwd(struct ap_req *r, struct cli_opts *o)
{
	struct login_user u;
	char *pw;
	int rc, gen;

	if ((rc = cli_find(r, o->pos[1], &u)) != 0)
		return rc;
	pw = cli_new_password(r, o->password_file, u.email, u.name, 0, &gen);
	if (pw == NULL)
		return 1;
	if ((rc = ap->begin(r)) != AP_OK)
		return cli_db(rc);
	rc = login_set_password(r, u.id, pw);
	if (rc == AP_OK)
		rc = login_sessions_end_user(r, u.id);
	if (rc == AP_OK)
		rc = login_tokens_drop(r, u.id);
	if (rc == AP_OK)
		rc = login_limit_clear(r, u.email);
	if (rc == AP_OK)
		rc = ap->audit(r, "user.passwd", u.email);
	if (rc == AP_OK)
		rc = ap->commit(r);
	if (rc != AP_OK) {
		ap->rollback(r);
		return cli_db(rc);
	}
	ap->out(r, "password of %s changed; its sessions are ended\n",
	    u.email);
	return 0;
}

/* aparte-admin user disable|enable EMAIL; the last active admin stays. */
static int
cli_user_status(struct ap_req *r, struct cli_opts *o, int active)
{
	struct login_user u;
	long long admins;
	int rc;

	if ((rc = cli_find(r, o->pos[1], &u)) != 0)
		return rc;
	if ((rc = ap->begin(r)) != AP_OK)
		return cli_db(rc);
	admins = login_active_admins(r);
	if (admins < 0) {
		ap->rollback(r);
		return cli_db((int)admins);
	}
	if (!active && strcmp(u.role, "admin") == 0 &&
	    strcmp(u.status, "active") == 0 && admins <= 1) {
		ap->rollback(r);
		fprintf(stderr, "aparte-admin: %s is the last active admin; "
		    "make another one first\n", u.email);
		return 1;
	}
	rc = ap->exec(r, "UPDATE login_users SET status = ?, updated = ? "
	    "WHERE id = ?", AP_ARGS(AP_TEXT(active ? "active" : "disabled"),
	    AP_INT(ap->now(r)), AP_INT(u.id)));
	if (rc == AP_OK && !active)
		rc = login_sessions_end_user(r, u.id);
	if (rc == AP_OK)
		rc = ap->audit(r, active ? "user.enable" : "user.disable",
		    u.email);
	if (rc == AP_OK)
		rc = ap->commit(r);
	if (rc != AP_OK) {
		ap->rollback(r);
		return cli_db(rc);
	}
	ap->out(r, "%s %s\n", u.email, active ? "enabled" :
	    "disabled; its sessions are ended");
	return 0;
}

/* aparte-admin user role EMAIL ROLE; the last active admin stays one. */
static int
cli_user_role(struct ap_req *r, struct cli_opts *o)
{
	struct login_user u;
	const char *role = o->pos[2];
	long long admins;
	int rc;

	if (!login_role_ok(role)) {
		fprintf(stderr, "usage: aparte-admin user role EMAIL "
		    "admin|moderator|expert|member\n");
		return 2;
	}
	if ((rc = cli_find(r, o->pos[1], &u)) != 0)
		return rc;
	if ((rc = ap->begin(r)) != AP_OK)
		return cli_db(rc);
	admins = login_active_admins(r);
	if (admins < 0) {
		ap->rollback(r);
		return cli_db((int)admins);
	}
	if (strcmp(u.role, "admin") == 0 && strcmp(role, "admin") != 0 &&
	    strcmp(u.status, "active") == 0 && admins <= 1) {
		ap->rollback(r);
		fprintf(stderr, "aparte-admin: %s is the last active admin; "
		    "make another one first\n", u.email);
		return 1;
	}
	rc = ap->exec(r, "UPDATE login_users SET role = ?, updated = ? WHERE "
	    "id = ?", AP_ARGS(AP_TEXT(role), AP_INT(ap->now(r)),
	    AP_INT(u.id)));
	if (rc == AP_OK)
		rc = ap->audit(r, "user.role", ap->printf(r, "%s: %s -> %s",
		    u.email, u.role, role));
	if (rc == AP_OK)
		rc = ap->commit(r);
	if (rc != AP_OK) {
		ap->rollback(r);
		return cli_db(rc);
	}
	ap->out(r, "%s is now %s\n", u.email, role);
	return 0;
}

/* aparte-admin user list [--role ROLE]: one line per account. */
static int
cli_user_list(struct ap_req *r, struct cli_opts *o)
{
	struct ap_res *res;

	if (o->role != NULL && !login_role_ok(o->role)) {
		fprintf(stderr, "aparte-admin: the role is admin, moderator, "
		    "expert or member\n");
		return 2;
	}
	res = ap->query(r, "SELECT email, role, status, pwhash IS NOT NULL, "
	    "COALESCE(last_login, 0), name FROM login_users WHERE (? IS NULL "
	    "OR role = ?) ORDER BY email", AP_ARGS(AP_TEXT(o->role),
	    AP_TEXT(o->role)));
	if (res == NULL)
		return cli_db(ap->db_error(r));
	ap->out(r, "%-40s %-9s %-8s %-8s %-20s %s\n", "EMAIL", "ROLE", "STATUS",
	    "PASSWORD", "LAST LOGIN (UTC)", "NAME");
	for (size_t i = 0; i < ap->rows(res); i++) {
		long long last = ap->cell_int(res, i, 4);

		ap->out(r, "%-40s %-9s %-8s %-8s %-20s %s\n",
		    ap->cell(res, i, 0), ap->cell(res, i, 1),
		    ap->cell(res, i, 2), ap->cell_int(res, i, 3) ? "set" :
		    "not set", last ? ap->iso_date(r, (time_t)last) : "never",
		    ap->cell(res, i, 5));
	}
	return 0;
}

static void
cli_user_usage(FILE *f)
{
	fprintf(f, "usage: aparte-admin user COMMAND\n"
	    "  add EMAIL --role ROLE [--name NAME] [--password-file FILE]\n"
	    "  passwd EMAIL [--password-file FILE]   new password; ends its "
	    "sessions\n"
	    "  disable EMAIL | enable EMAIL          disabling ends its "
	    "sessions\n"
	    "  role EMAIL ROLE\n"
	    "  list [--role ROLE]\n"
	    "ROLE is admin, moderator, expert or member.  Without "
	    "--password-file\n(\"-\" for the standard input) the password is "
	    "asked on the terminal.\n");
}

int
login_cmd_user(struct ap_req *r, void *state, int argc, char **argv)
{
	struct cli_opts o;
	const char *sub = argc > 1 ? argv[1] : "help";

	(void)state;
	cli_parse(argc, argv, 1, &o);
	if (o.bad)
		return 2;
	if (strcmp(sub, "add") == 0)
		return cli_user_add(r, &o);
	if (strcmp(sub, "passwd") == 0)
		return cli_user_passwd(r, &o);
	if (strcmp(sub, "disable") == 0)
		return cli_user_status(r, &o, 0);
	if (strcmp(sub, "enable") == 0)
		return cli_user_status(r, &o, 1);
	if (strcmp(sub, "role") == 0)
		return cli_user_role(r, &o);
	if (strcmp(sub, "list") == 0)
		return cli_user_list(r, &o);
	if (strcmp(sub, "help") == 0) {
		cli_user_usage(stdout);
		return 0;
	}
	cli_user_usage(stderr);
	return 2;
}

/* aparte-admin init [EMAIL] [--name N] [--password-file F]: the first
 * admin, when there is none.  Without a file, the password is asked on
 * the terminal, or made and printed once. */
int
login_cmd_init(struct ap_req *r, void *state, int argc, char **argv)
{
	struct cli_opts o;
	struct ap_res *res;
	const char *email, *name;
	char *pw;
	int gen, rc;

	(void)state;
	cli_parse(argc, argv, 1, &o);
	if (o.bad)
		return 2;
	res = ap->query(r, "SELECT email FROM login_users WHERE role = "
	    "'admin' AND status = 'active' ORDER BY id LIMIT 1", AP_NOARGS);
	if (res == NULL)
		return cli_db(ap->db_error(r));
	if (ap->rows(res) > 0) {
		ap->out(r, "an admin exists already (%s): nothing to do\n",
		    ap->cell(res, 0, 0));
		return 0;
	}
	email = o.pos[0];
	if (email == NULL) {
		email = cli_ask(r, "Email of the first admin: ", 0);
		if (email == NULL || *email == '\0') {
			fprintf(stderr, "usage: aparte-admin init EMAIL [--name "
			    "NAME] [--password-file FILE]\n");
			return 2;
		}
	}
	if (!cli_check_email(r, email))
		return 2;
	name = o.name ? o.name : cli_default_name(r, email);
	if (login_name_problem(r, name) != NULL) {
		fprintf(stderr, "aparte-admin: %s\n", login_name_problem(r,
		    name));
		return 2;
	}
	pw = cli_new_password(r, o.password_file, email, name, 1, &gen);
	if (pw == NULL)
		return 1;
	rc = cli_create(r, email, name, "admin", pw);
	if (rc == 0 && gen)
		ap->out(r, "password: %s\n(shown once: keep it somewhere safe, "
		    "or change it at %s)\n", pw, ap->abs_url(r, "/account"));
	if (rc == 0)
		ap->out(r, "sign in at %s\n", ap->abs_url(r, "/login"));
	return rc;
}
