/*
 * config.c: aparte.conf, an INI file.  Every key is declared (by the core
 * or by a plugin) with a type, a default and limits; whatever the file says
 * that is not declared, or not valid, stops the start with the line named.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core.h"

#define CONF_LINE_MAX 4096

static const struct ap_setting conf_database[] = {
	{ "host", AP_SET_STRING, "", 0, 0, "server host; empty: the socket" },
	{ "port", AP_SET_INT, "3306", 1, 65535, "server port" },
	{ "socket", AP_SET_STRING, "", 0, 0, "Unix socket of the server" },
	{ "user", AP_SET_STRING, "", 0, 0, "user name" },
	{ "password", AP_SET_STRING, "", 0, 0, "password" },
	{ "password_file", AP_SET_STRING, "", 0, 0,
	    "file holding the password (instead of password)" },
	{ "name", AP_SET_STRING, "aparte", 0, 0, "database name" },
	{ "connect_timeout", AP_SET_DURATION, "3", 1, 60, "seconds" },
	{ "timeout", AP_SET_DURATION, "10", 1, 600,
	    "read and write timeout, seconds" },
	{ NULL, 0, NULL, 0, 0, NULL },
};

static const struct ap_setting conf_site[] = {
	{ "base_url", AP_SET_STRING, "http://localhost", 0, 0,
	    "scheme and host of the site, no trailing slash" },
	{ "mount", AP_SET_STRING, "/aparte", 0, 0,
	    "path where the web server hands requests to the backend" },
	{ "static", AP_SET_STRING, "/aparte-static", 0, 0,
	    "path where the web server serves www/static" },
	{ "home", AP_SET_STRING, "/", 0, 0, "the site's home page" },
	{ "title", AP_SET_STRING, "Aparté", 0, 0, "site title" },
	{ "language", AP_SET_STRING, "fr", 0, 0, "default language" },
	{ "languages", AP_SET_STRING, "fr en", 0, 0,
	    "languages offered to visitors (Accept-Language)" },
	{ "timezone", AP_SET_STRING, "Europe/Paris", 0, 0,
	    "time zone of dates shown" },
	{ "secret", AP_SET_STRING, "", 0, 0,
	    "64 hex digits (openssl rand -hex 32); signs tokens" },
	{ "secret_file", AP_SET_STRING, "", 0, 0,
	    "file holding the secret (instead of secret)" },
	{ NULL, 0, NULL, 0, 0, NULL },
};

static const struct ap_setting conf_server[] = {
	{ "listen", AP_SET_STRING, "", 0, 0,
	    "unix:PATH or HOST:PORT (standalone); empty: socket on fd 0" },
	{ "workers", AP_SET_INT, "2", 1, 256, "worker processes (standalone)" },
	{ "threads", AP_SET_INT, "8", 1, 1024, "threads per worker" },
	{ "socket_mode", AP_SET_INT, "666", 0, 777,
	    "permissions of a Unix listening socket, octal digits" },
	{ "plugin_dir", AP_SET_STRING, PLUGINDIR, 0, 0, "where NAME.so are" },
	{ "schema_dir", AP_SET_STRING, SCHEMADIR, 0, 0, "SQL migrations" },
	{ "locale_dir", AP_SET_STRING, LOCALEDIR, 0, 0, "translations" },
	{ "log_level", AP_SET_STRING, "info", 0, 0,
	    "error, warning, info or debug" },
	{ NULL, 0, NULL, 0, 0, NULL },
};

static const struct ap_setting conf_limits[] = {
	{ "body_max", AP_SET_SIZE, "1M", 1024, 1LL << 30,
	    "largest request body" },
	{ "fields_max", AP_SET_INT, "200", 1, 100000,
	    "most fields in a query or a form" },
	{ "key_max", AP_SET_SIZE, "256", 16, 65536,
	    "longest field name" },
	{ "uri_max", AP_SET_SIZE, "8K", 256, 1 << 20, "longest request URI" },
	{ "cookie_max", AP_SET_SIZE, "8K", 256, 1 << 20,
	    "longest Cookie header" },
	{ "header_max", AP_SET_SIZE, "8K", 256, 1 << 20,
	    "longest other header" },
	{ NULL, 0, NULL, 0, 0, NULL },
};

static const struct ap_setting conf_mail[] = {
	{ "command", AP_SET_STRING, "/usr/sbin/sendmail -t -i", 0, 0,
	    "sendmail-compatible command; the message is on its input" },
	{ "from", AP_SET_STRING, "Aparte <noreply@localhost>", 0, 0,
	    "From: of the messages sent" },
	{ "timeout", AP_SET_DURATION, "20", 1, 600,
	    "longest wait for the command" },
	{ "retry", AP_SET_DURATION, "5m", 10, 86400,
	    "first retry delay; doubles each try" },
	{ "tries", AP_SET_INT, "10", 1, 100, "tries before giving up" },
	{ NULL, 0, NULL, 0, 0, NULL },
};

const struct ap_conf_section ap_core_sections[] = {
	{ "database", conf_database },
	{ "site", conf_site },
	{ "server", conf_server },
	{ "limits", conf_limits },
	{ "mail", conf_mail },
	{ NULL, NULL },
};

static char *
conf_strdup(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p == NULL) {
		ap_log(AP_LOG_ERR, "core: out of memory");
		abort();
	}
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static char *
conf_trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' ||
	    e[-1] == '\n'))
		*--e = '\0';
	return s;
}

static bool
conf_name_ok(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) ||
		    *s == '_'))
			return false;
	return true;
}

int
ap_conf_read(struct ap_conf *c, const char *path, char *err, size_t errlen)
{
	char line[CONF_LINE_MAX + 2], section[64] = "";
	FILE *f;
	int lineno = 0;

	f = fopen(path, "r");
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	free(c->path);
	c->path = conf_strdup(path, strlen(path));
	while (fgets(line, sizeof(line), f) != NULL) {
		char *s, *eq, *key, *val;

		lineno++;
		if (strlen(line) > CONF_LINE_MAX) {
			snprintf(err, errlen, "%s:%d: line longer than %d bytes",
			    path, lineno, CONF_LINE_MAX);
			goto fail;
		}
		if (!ap_utf8_valid(line, strlen(line))) {
			snprintf(err, errlen, "%s:%d: not valid UTF-8", path,
			    lineno);
			goto fail;
		}
		s = conf_trim(line);
		if (*s == '\0' || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			char *end = strchr(s, ']');

			if (end == NULL || end[1] != '\0') {
				snprintf(err, errlen,
				    "%s:%d: a section is written [name]", path,
				    lineno);
				goto fail;
			}
			*end = '\0';
			s = conf_trim(s + 1);
			if (!conf_name_ok(s) || strlen(s) >= sizeof(section)) {
				snprintf(err, errlen,
				    "%s:%d: bad section name [%s]", path,
				    lineno, s);
				goto fail;
			}
			strcpy(section, s);
			continue;
		}
		eq = strchr(s, '=');
		if (eq == NULL) {
			snprintf(err, errlen, "%s:%d: expected key = value",
			    path, lineno);
			goto fail;
		}
		*eq = '\0';
		key = conf_trim(s);
		val = conf_trim(eq + 1);
		if (section[0] == '\0') {
			snprintf(err, errlen,
			    "%s:%d: key '%s' outside of any [section]", path,
			    lineno, key);
			goto fail;
		}
		if (!conf_name_ok(key)) {
			snprintf(err, errlen, "%s:%d: bad key name '%s'", path,
			    lineno, key);
			goto fail;
		}
		/* Quotes are allowed around a value with edge spaces. */
		if (strlen(val) >= 2 && val[0] == '"' &&
		    val[strlen(val) - 1] == '"') {
			val[strlen(val) - 1] = '\0';
			val++;
		}
		for (size_t i = 0; i < c->nraw; i++) {
			if (strcmp(c->raw[i].section, section) == 0 &&
			    strcmp(c->raw[i].key, key) == 0) {
				snprintf(err, errlen,
				    "%s:%d: [%s] %s set twice (first on line %d)",
				    path, lineno, section, key, c->raw[i].line);
				goto fail;
			}
		}
		if (c->nraw == c->capraw) {
			size_t cap = c->capraw ? c->capraw * 2 : 32;
			void *p = realloc(c->raw, cap * sizeof(*c->raw));

			if (p == NULL)
				abort();
			c->raw = p;
			c->capraw = cap;
		}
		c->raw[c->nraw].section = conf_strdup(section, strlen(section));
		c->raw[c->nraw].key = conf_strdup(key, strlen(key));
		c->raw[c->nraw].value = conf_strdup(val, strlen(val));
		c->raw[c->nraw].line = lineno;
		c->raw[c->nraw].used = false;
		c->nraw++;
	}
	fclose(f);
	return 0;
fail:
	fclose(f);
	return -1;
}

static bool
conf_suffixed(const char *v, const char *suffixes, const long long *mult,
    long long *out)
{
	char *end;
	long long n;

	errno = 0;
	if (!isdigit((unsigned char)*v))
		return false;
	n = strtoll(v, &end, 10);
	if (errno != 0)
		return false;
	if (*end != '\0') {
		const char *p = strchr(suffixes, *end);

		if (p == NULL || end[1] != '\0')
			return false;
		if (n > LLONG_MAX / mult[p - suffixes])
			return false;
		n *= mult[p - suffixes];
	}
	*out = n;
	return true;
}

bool
ap_conf_parse_value(const struct ap_setting *s, const char *v, long long *num,
    char *err, size_t errlen)
{
	static const long long size_mult[] = { 1024LL, 1024LL * 1024,
		1024LL * 1024 * 1024, 1024LL, 1024LL * 1024,
		1024LL * 1024 * 1024 };
	static const long long dur_mult[] = { 1, 60, 3600, 86400 };
	long long n = 0;
	const char *what = NULL;

	switch (s->type) {
	case AP_SET_STRING:
		*num = 0;
		return true;
	case AP_SET_BOOL:
		if (!strcasecmp(v, "yes") || !strcasecmp(v, "true") ||
		    !strcasecmp(v, "on") || !strcmp(v, "1")) {
			*num = 1;
			return true;
		}
		if (!strcasecmp(v, "no") || !strcasecmp(v, "false") ||
		    !strcasecmp(v, "off") || !strcmp(v, "0")) {
			*num = 0;
			return true;
		}
		snprintf(err, errlen, "'%s' is not yes or no", v);
		return false;
	case AP_SET_INT: {
		char *end;

		errno = 0;
		n = strtoll(v, &end, 10);
		if (*v == '\0' || *end != '\0' || errno != 0)
			what = "an integer";
		break;
	}
	case AP_SET_SIZE:
		if (!conf_suffixed(v, "KMGkmg", size_mult, &n))
			what = "a size (bytes, or with K, M, G)";
		break;
	case AP_SET_DURATION:
		if (!conf_suffixed(v, "smhd", dur_mult, &n))
			what = "a duration (seconds, or with s, m, h, d)";
		break;
	}
	if (what != NULL) {
		snprintf(err, errlen, "'%s' is not %s", v, what);
		return false;
	}
	if ((s->min != 0 || s->max != 0) && (n < s->min || n > s->max)) {
		snprintf(err, errlen, "%s is out of range [%lld, %lld]", v,
		    s->min, s->max);
		return false;
	}
	*num = n;
	return true;
}

void
ap_conf_declare(struct ap_conf *c, const char *section,
    const struct ap_setting *s)
{
	for (; s != NULL && s->key != NULL; s++) {
		struct ap_conf_decl *d;
		char err[256];

		if (c->ndecl == c->capdecl) {
			size_t cap = c->capdecl ? c->capdecl * 2 : 64;
			void *p = realloc(c->decl, cap * sizeof(*c->decl));

			if (p == NULL)
				abort();
			c->decl = p;
			c->capdecl = cap;
		}
		d = &c->decl[c->ndecl++];
		d->section = section;
		d->s = s;
		d->value = s->def ? s->def : "";
		d->line = 0;
		d->num = 0;
		if (s->def != NULL &&
		    !ap_conf_parse_value(s, s->def, &d->num, err, sizeof(err)))
			ap_log(AP_LOG_WARN, "core: default of [%s] %s: %s",
			    section, s->key, err);
	}
}

static bool
conf_section_declared(const struct ap_conf *c, const char *section)
{
	for (size_t i = 0; i < c->ndecl; i++)
		if (strcmp(c->decl[i].section, section) == 0)
			return true;
	return false;
}

int
ap_conf_validate(struct ap_conf *c, const char *const *tolerated, char *err,
    size_t errlen)
{
	for (size_t i = 0; i < c->nraw; i++) {
		struct ap_conf_raw *r = &c->raw[i];
		struct ap_conf_decl *d = NULL;
		char msg[256];
		bool tol = false;

		for (size_t j = 0; j < c->ndecl; j++) {
			if (strcmp(c->decl[j].section, r->section) == 0 &&
			    strcmp(c->decl[j].s->key, r->key) == 0) {
				d = &c->decl[j];
				break;
			}
		}
		if (d != NULL) {
			if (!ap_conf_parse_value(d->s, r->value, &d->num, msg,
			    sizeof(msg))) {
				snprintf(err, errlen, "%s:%d: [%s] %s: %s",
				    c->path, r->line, r->section, r->key, msg);
				return -1;
			}
			d->value = r->value;
			d->line = r->line;
			r->used = true;
			continue;
		}
		for (size_t t = 0; tolerated && tolerated[t]; t++)
			if (strcmp(tolerated[t], r->section) == 0)
				tol = true;
		if (tol)
			continue;
		if (!conf_section_declared(c, r->section))
			snprintf(err, errlen,
			    "%s:%d: unknown section [%s] (neither the core's "
			    "nor an installed plugin's)", c->path, r->line,
			    r->section);
		else
			snprintf(err, errlen, "%s:%d: unknown key '%s' in [%s]",
			    c->path, r->line, r->key, r->section);
		return -1;
	}
	return 0;
}

static const struct ap_conf_decl *
conf_find(const struct ap_conf *c, const char *section, const char *key)
{
	for (size_t i = 0; i < c->ndecl; i++)
		if (strcmp(c->decl[i].section, section) == 0 &&
		    strcmp(c->decl[i].s->key, key) == 0)
			return &c->decl[i];
	return NULL;
}

const char *
ap_conf_get(const struct ap_conf *c, const char *section, const char *key)
{
	const struct ap_conf_decl *d = conf_find(c, section, key);

	return d ? d->value : NULL;
}

long long
ap_conf_num(const struct ap_conf *c, const char *section, const char *key)
{
	const struct ap_conf_decl *d = conf_find(c, section, key);

	return d ? d->num : 0;
}

int
ap_conf_line(const struct ap_conf *c, const char *section, const char *key)
{
	const struct ap_conf_decl *d = conf_find(c, section, key);

	return d ? d->line : 0;
}

const char *
ap_conf_raw_get(const struct ap_conf *c, const char *section, const char *key)
{
	for (size_t i = 0; i < c->nraw; i++)
		if (strcmp(c->raw[i].section, section) == 0 &&
		    strcmp(c->raw[i].key, key) == 0)
			return c->raw[i].value;
	return NULL;
}

void
ap_conf_free(struct ap_conf *c)
{
	for (size_t i = 0; i < c->nraw; i++) {
		free(c->raw[i].section);
		free(c->raw[i].key);
		free(c->raw[i].value);
	}
	free(c->raw);
	free(c->decl);
	free(c->path);
	memset(c, 0, sizeof(*c));
}
