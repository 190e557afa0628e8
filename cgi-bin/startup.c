/*
 * startup.c: what aparte.fcgi and aparte-admin do before their first
 * request or command: read the config, load and initialise the plugins,
 * load the translations, set the secret; and the housekeeping that runs
 * between requests.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <mysql.h>
#include <sodium.h>

#include "core.h"

struct ap_core ap_core;
static char *startup_password;   /* read from password_file, kept */

extern const char *ap_db_host, *ap_db_socket, *ap_db_user, *ap_db_password,
    *ap_db_name;
extern unsigned ap_db_port, ap_db_connect_timeout, ap_db_timeout;

/* Reads a one-line secret file (a password, the site secret); the
 * trailing newline is dropped.  NULL with errno on failure. */
static char *
startup_read_secret(const char *path)
{
	char buf[1024];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return NULL;
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	return strdup(buf);
}

/* A refusal of a setting, naming the file and the line that set it:
 * "FILE:LINE: [section] key: why". */
static void AP_PRINTF(5, 6)
startup_bad(char *err, size_t errlen, const char *section, const char *key,
    const char *fmt, ...)
{
	const struct ap_conf *c = &ap_core.conf;
	int line = ap_conf_line(c, section, key), n;
	va_list ap;

	if (line > 0)
		n = snprintf(err, errlen, "%s:%d: [%s] %s: ", c->path, line,
		    section, key);
	else
		n = snprintf(err, errlen, "%s: [%s] %s (not set): ", c->path,
		    section, key);
	if (n < 0 || (size_t)n >= errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

static const char **
startup_split_langs(const char *s)
{
	const char **v = calloc(9, sizeof(char *));
	size_t n = 0;

	if (v == NULL)
		abort();
	while (*s && n < 8) {
		size_t l = strcspn(s, " ,");

		if (l > 0)
			v[n++] = strndup(s, l);
		s += l;
		while (*s == ' ' || *s == ',')
			s++;
	}
	return v;
}

/* Everything that happens once per process, before any worker.  Fills err
 * with a message naming the line of the config when it refuses. */
int
ap_startup(const char *conf_path, bool cli, char *err, size_t errlen)
{
	struct ap_conf *c = &ap_core.conf;
	const char *dir, *v, *secret;
	char *owned, *secret_copy = NULL;
	int level, rc;

	ap_core.cli = cli;
	if (mysql_library_init(0, NULL, NULL) != 0) {
		snprintf(err, errlen, "cannot start the MariaDB client library");
		return -1;
	}
	xmlInitParser();
	if (sodium_init() < 0) {
		snprintf(err, errlen, "cannot start libsodium");
		return -1;
	}
	for (const struct ap_conf_section *s = ap_core_sections; s->name; s++)
		ap_conf_declare(c, s->name, s->settings);
	if (ap_conf_read(c, conf_path, err, errlen) != 0)
		return -1;
	v = ap_conf_raw_get(c, "server", "log_level");
	if (v != NULL) {
		if (strcmp(v, "error") == 0)
			ap_log_min = AP_LOG_ERR;
		else if (strcmp(v, "warning") == 0)
			ap_log_min = AP_LOG_WARN;
		else if (strcmp(v, "debug") == 0)
			ap_log_min = AP_LOG_DEBUG;
	}
	if (cli && ap_log_min > AP_LOG_WARN)
		ap_log_min = AP_LOG_WARN;   /* commands speak on stdout */
	dir = ap_conf_raw_get(c, "server", "plugin_dir");
	ap_plugins_load(dir ? dir : PLUGINDIR);
	if (ap_conf_validate(c, ap_plugins_failed_names(), err, errlen) != 0)
		return -1;
	v = ap_conf_get(c, "server", "log_level");
	level = strcmp(v, "error") == 0 ? AP_LOG_ERR :
	    strcmp(v, "warning") == 0 ? AP_LOG_WARN :
	    strcmp(v, "info") == 0 ? AP_LOG_INFO :
	    strcmp(v, "debug") == 0 ? AP_LOG_DEBUG : -1;
	if (level < 0) {
		startup_bad(err, errlen, "server", "log_level", "'%s' is not "
		    "error, warning, info or debug", v);
		return -1;
	}

	ap_core.mount = ap_conf_get(c, "site", "mount");
	ap_core.base_url = ap_conf_get(c, "site", "base_url");
	ap_core.static_url = ap_conf_get(c, "site", "static");
	ap_core.home = ap_conf_get(c, "site", "home");
	ap_core.title = ap_conf_get(c, "site", "title");
	ap_core.lang = ap_conf_get(c, "site", "language");
	ap_core.langs = startup_split_langs(ap_conf_get(c, "site",
	    "languages"));
	if (ap_core.mount[0] != '/' || (strlen(ap_core.mount) > 1 &&
	    ap_core.mount[strlen(ap_core.mount) - 1] == '/')) {
		startup_bad(err, errlen, "site", "mount", "must start with / "
		    "and not end with one");
		return -1;
	}
	if (strncmp(ap_core.base_url, "http://", 7) != 0 &&
	    strncmp(ap_core.base_url, "https://", 8) != 0) {
		startup_bad(err, errlen, "site", "base_url", "must start with "
		    "http:// or https://");
		return -1;
	}
	if (ap_core.base_url[strlen(ap_core.base_url) - 1] == '/') {
		startup_bad(err, errlen, "site", "base_url", "must not end "
		    "with /");
		return -1;
	}
	ap_core.https = strncmp(ap_core.base_url, "https://", 8) == 0;
	{
		bool found = false;

		for (size_t i = 0; ap_core.langs[i]; i++)
			if (strcmp(ap_core.langs[i], ap_core.lang) == 0) {
				ap_core.lang = ap_core.langs[i];
				found = true;
			}
		if (!found) {
			bool set = ap_conf_line(c, "site", "language") > 0;

			startup_bad(err, errlen, "site", set ? "language" :
			    "languages", "language %s is not among [site] "
			    "languages", ap_core.lang);
			return -1;
		}
	}
	v = ap_conf_get(c, "server", "socket_mode");
	if (strspn(v, "01234567") != strlen(v)) {
		startup_bad(err, errlen, "server", "socket_mode", "'%s' is not "
		    "an octal mode (digits 0 to 7, e.g. 660)", v);
		return -1;
	}
	ap_core.body_max = (size_t)ap_conf_num(c, "limits", "body_max");
	ap_core.uri_max = (size_t)ap_conf_num(c, "limits", "uri_max");
	ap_core.cookie_max = (size_t)ap_conf_num(c, "limits", "cookie_max");
	ap_core.header_max = (size_t)ap_conf_num(c, "limits", "header_max");
	ap_core.lim.max_fields = (size_t)ap_conf_num(c, "limits", "fields_max");
	ap_core.lim.max_key = (size_t)ap_conf_num(c, "limits", "key_max");
	ap_core.lim.max_value = ap_core.body_max;
	ap_core.threads = (int)ap_conf_num(c, "server", "threads");

	if (setenv("TZ", ap_conf_get(c, "site", "timezone"), 1) == 0)
		tzset();

	ap_db_host = ap_conf_get(c, "database", "host");
	ap_db_socket = ap_conf_get(c, "database", "socket");
	ap_db_user = ap_conf_get(c, "database", "user");
	ap_db_name = ap_conf_get(c, "database", "name");
	ap_db_port = (unsigned)ap_conf_num(c, "database", "port");
	ap_db_connect_timeout = (unsigned)ap_conf_num(c, "database",
	    "connect_timeout");
	ap_db_timeout = (unsigned)ap_conf_num(c, "database", "timeout");
	ap_db_password = ap_conf_get(c, "database", "password");
	v = ap_conf_get(c, "database", "password_file");
	if (*v) {
		owned = startup_read_secret(v);
		if (owned == NULL) {
			startup_bad(err, errlen, "database", "password_file",
			    "%s: %s", v, strerror(errno));
			return -1;
		}
		free(startup_password);
		ap_db_password = startup_password = owned;
	}
	secret = ap_conf_get(c, "site", "secret");
	v = ap_conf_get(c, "site", "secret_file");
	if (*v) {
		owned = startup_read_secret(v);
		if (owned == NULL) {
			startup_bad(err, errlen, "site", "secret_file",
			    "%s: %s", v, strerror(errno));
			return -1;
		}
		secret = secret_copy = owned;
	}
	rc = ap_token_init(secret);
	if (secret_copy != NULL) {
		/* the key is kept in binary form; the hex copy goes */
		sodium_memzero(secret_copy, strlen(secret_copy));
		free(secret_copy);
	}
	if (rc != 0) {
		v = ap_conf_get(c, "site", "secret_file");
		startup_bad(err, errlen, "site", *v ? "secret_file" : "secret",
		    "%smust be 64 hex digits (aparte-admin secret prints one)",
		    *v ? "the secret in the file " : "");
		return -1;
	}
	ap_i18n_load(ap_conf_get(c, "server", "locale_dir"), PACKAGE,
	    ap_conf_get(c, "site", "languages"));
	ap_log_min = level;
	if (cli && ap_log_min > AP_LOG_WARN)
		ap_log_min = AP_LOG_WARN;
	if (ap_core_routes() != 0) {
		snprintf(err, errlen, "cannot register the core's routes");
		return -1;
	}
	ap_plugins_init();
	return 0;
}

void
ap_shutdown(void)
{
	ap_plugins_fini();
	ap_router_free(&ap_core.router);
	ap_i18n_free();
	xmlCleanupParser();
	mysql_library_end();
	if (startup_password != NULL) {
		sodium_memzero(startup_password, strlen(startup_password));
		free(startup_password);
		startup_password = NULL;
	}
}

struct ap_worker *
ap_worker_new(int id)
{
	struct ap_worker *w = calloc(1, sizeof(*w));

	if (w == NULL)
		abort();
	w->id = id;
	ap_arena_init(&w->arena);
	w->db = ap_db_new();
	w->enabled = calloc(ap_core.nplugins + 1, sizeof(bool));
	if (w->enabled == NULL)
		abort();
	return w;
}

void
ap_worker_free(struct ap_worker *w)
{
	if (w == NULL)
		return;
	ap_arena_free(&w->arena);
	ap_db_free(w->db);
	ap_buf_free(&w->out);
	ap_buf_free(&w->hdrs);
	ap_buf_free(&w->head);
	free(w->enabled);
	free(w);
}

/* Between requests, at most once a minute for the site: send the mail
 * that is due, forget spent tokens and rate counters that expired, and
 * let plugins purge what they keep for a limited time (hook "cron").  A
 * process asks the database at most once a minute whether it is its turn;
 * a plain CGI run asks every time (one statement). */
void
ap_housekeeping(struct ap_req *r)
{
	static time_t last;
	time_t now = time(NULL), seen = __atomic_load_n(&last, __ATOMIC_RELAXED);

	if (r->mail_queued)
		ap_mail_run(r, false);
	if (now - seen < 60 || !__atomic_compare_exchange_n(&last, &seen, now,
	    false, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		return;
	if (ap_db_ready(r) != AP_OK)
		return;
	/* Once a minute for the whole site, not per process: the first
	 * worker (or CGI run, or host) to move the mark does the work. */
	if (ap_db_exec(r, "INSERT INTO ap_counters (name, value) VALUES "
	    "('housekeeping', ?) ON DUPLICATE KEY UPDATE value = IF(value <= ?, "
	    "VALUES(value), value)", AP_ARGS(AP_INT(now), AP_INT(now - 60))) !=
	    AP_OK || r->affected == 0)
		return;
	ap_mail_run(r, false);
	ap_db_exec(r, "DELETE FROM ap_spent WHERE expires < ?",
	    AP_ARGS(AP_INT(now)));
	ap_db_exec(r, "DELETE FROM ap_rates WHERE expires < ?",
	    AP_ARGS(AP_INT(now)));
	ap_hook_run(r, "cron", NULL);
	ap_db_end_request(r);
}
