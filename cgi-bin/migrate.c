/*
 * migrate.c: numbered SQL files per owner (schema/core/, schema/PLUGIN/),
 * applied in order and recorded in ap_migrations, so that running the
 * command twice changes nothing.  The core's come first, then each loaded
 * plugin's, a plugin after those it depends on.  Statements of a file are
 * written to be safe to run again (CREATE TABLE IF NOT EXISTS ...): MariaDB
 * commits DDL at once, so a file cut in the middle by a crash is simply
 * run again.
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core.h"

#define MIGRATION_MAX (1024 * 1024)

struct mig_file {
	long number;
	char *name;
};

static int
mig_cmp(const void *a, const void *b)
{
	const struct mig_file *x = a, *y = b;

	return x->number < y->number ? -1 : x->number > y->number;
}

static char *
mig_read(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	size_t n;

	if (f == NULL)
		return NULL;
	buf = malloc(MIGRATION_MAX + 1);
	if (buf == NULL) {
		fclose(f);
		return NULL;
	}
	n = fread(buf, 1, MIGRATION_MAX + 1, f);
	fclose(f);
	if (n > MIGRATION_MAX) {
		free(buf);
		errno = EFBIG;
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

/* Cuts the next statement off *sql: up to a semicolon that is not in a
 * quoted string or identifier ('...', "...", `...`) or a comment.
 * Comments ("-- ", "#" to the end of the line, slash-star to star-slash)
 * are blanked, so that a file ending with one makes no empty statement;
 * MariaDB's executable comments (slash-star-bang, slash-star-M-bang) are
 * kept as they are.  Returns the statement without its edge spaces,
 * or NULL when only spaces and comments are left.  Changes the string. */
char *
ap_sql_next(char **sql)
{
	char *p = *sql, *start = *sql, quote = 0;

	if (p == NULL)
		return NULL;
	for (;; p++) {
		if (*p == '\0' || (*p == ';' && quote == 0)) {
			char *e = p;

			*sql = *p ? p + 1 : NULL;
			*p = '\0';
			while (isspace((unsigned char)*start))
				start++;
			while (e > start && isspace((unsigned char)e[-1]))
				*--e = '\0';
			if (*start)
				return start;
			if (*sql == NULL)
				return NULL;
			start = p = *sql;
			p--;
			continue;
		}
		if (quote) {
			if (*p == '\\' && quote != '`' && p[1])
				p++;
			else if (*p == quote)
				quote = 0;   /* a doubled quote reopens at once */
			continue;
		}
		if (*p == '\'' || *p == '"' || *p == '`') {
			quote = *p;
		} else if ((*p == '-' && p[1] == '-' && (p[2] == '\0' ||
		    isspace((unsigned char)p[2]))) || *p == '#') {
			while (*p && *p != '\n')
				*p++ = ' ';
			p--;
		} else if (*p == '/' && p[1] == '*' && p[2] != '!' &&
		    !(p[2] == 'M' && p[3] == '!')) {
			*p++ = ' ';
			*p++ = ' ';
			while (*p && !(*p == '*' && p[1] == '/'))
				*p++ = ' ';
			if (*p) {
				*p++ = ' ';
				*p = ' ';
			} else {
				p--;
			}
		} else if (*p == '/' && p[1] == '*') {
			/* executable comment: kept, not split inside */
			p += 2;
			while (*p && !(*p == '*' && p[1] == '/'))
				p++;
			if (*p)
				p++;
			else
				p--;
		}
	}
}

/* Runs each statement of a file. */
static int
mig_run_file(struct ap_req *r, char *sql, const char *path)
{
	char *s;

	while ((s = ap_sql_next(&sql)) != NULL) {
		int rc = ap_db_exec_raw(r, s);

		if (rc != AP_OK) {
			fprintf(stderr, "%s: statement failed: %.200s\n", path, s);
			return rc;
		}
	}
	return AP_OK;
}

/* Applies the missing migrations of one owner; with dry_run, prints them
 * instead (all of them when the tracking table does not exist yet:
 * fresh). */
static int
mig_owner(struct ap_req *r, const char *owner, bool dry_run, bool fresh,
    int *applied)
{
	const char *base = ap_conf_get(&ap_core.conf, "server", "schema_dir");
	char dir[4096];
	struct mig_file *files = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d;
	int rc = AP_OK;

	snprintf(dir, sizeof(dir), "%s/%s", base, owner);
	d = opendir(dir);
	if (d == NULL)
		return AP_OK;   /* an owner without migrations */
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);
		char *end;
		long num;

		if (!isdigit((unsigned char)de->d_name[0]) || l < 5 ||
		    strcmp(de->d_name + l - 4, ".sql") != 0)
			continue;
		num = strtol(de->d_name, &end, 10);
		if (*end != '-' && *end != '_' && *end != '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			files = realloc(files, cap * sizeof(*files));
			if (files == NULL)
				abort();
		}
		files[n].number = num;
		files[n].name = strdup(de->d_name);
		n++;
	}
	closedir(d);
	qsort(files, n, sizeof(*files), mig_cmp);
	for (size_t i = 0; i < n && rc == AP_OK; i++) {
		struct ap_res *res;
		char path[4400], *sql;

		if (i > 0 && files[i].number == files[i - 1].number) {
			fprintf(stderr, "%s/%s: number %ld used twice\n", dir,
			    files[i].name, files[i].number);
			rc = AP_ERROR;
			break;
		}
		if (!fresh) {
			res = ap_db_query(r, "SELECT 1 FROM ap_migrations "
			    "WHERE owner = ? AND number = ?",
			    AP_ARGS(AP_TEXT(owner), AP_INT(files[i].number)));
			if (res == NULL) {
				rc = r->db_err;
				break;
			}
			if (ap_db_rows(res) > 0)
				continue;
		}
		if (dry_run) {
			printf("to apply: %s/%s\n", owner, files[i].name);
			(*applied)++;
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, files[i].name);
		sql = mig_read(path);
		if (sql == NULL) {
			fprintf(stderr, "%s: %s\n", path, strerror(errno));
			rc = AP_ERROR;
			break;
		}
		rc = mig_run_file(r, sql, path);
		free(sql);
		if (rc != AP_OK)
			break;
		rc = ap_db_exec(r, "INSERT INTO ap_migrations (owner, number, "
		    "name, applied_at) VALUES (?, ?, ?, UTC_TIMESTAMP())",
		    AP_ARGS(AP_TEXT(owner), AP_INT(files[i].number),
		    AP_TEXT(files[i].name)));
		if (rc == AP_OK) {
			printf("applied %s/%s\n", owner, files[i].name);
			(*applied)++;
		}
	}
	for (size_t i = 0; i < n; i++)
		free(files[i].name);
	free(files);
	return rc;
}

/* Applies what is missing; prints one line per file applied.  Returns
 * AP_OK, or the first failure (what was applied before it stays). */
int
ap_migrate(struct ap_req *r, bool dry_run)
{
	bool *done = ap_arena_alloc(r->a, ap_core.nplugins + 1);
	bool fresh = false;
	int applied = 0, rc;

	if (dry_run) {
		/* Change nothing, not even the tracking table. */
		struct ap_res *res = ap_db_query(r, "SELECT 1 FROM "
		    "information_schema.tables WHERE table_schema = DATABASE() "
		    "AND table_name = 'ap_migrations'", AP_NOARGS);

		if (res == NULL)
			return r->db_err;
		fresh = ap_db_rows(res) == 0;
	} else {
		rc = ap_db_exec_raw(r, "CREATE TABLE IF NOT EXISTS "
		    "ap_migrations (owner VARCHAR(64) NOT NULL, "
		    "number INT NOT NULL, name VARCHAR(255) NOT NULL, "
		    "applied_at DATETIME NOT NULL, PRIMARY KEY (owner, number)) "
		    "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 "
		    "COLLATE=utf8mb4_unicode_ci");
		if (rc != AP_OK)
			return rc;
	}
	rc = mig_owner(r, "core", dry_run, fresh, &applied);
	/* Plugins after their dependencies: passes until all are done. */
	for (size_t pass = 0; rc == AP_OK && pass <= ap_core.nplugins; pass++) {
		for (size_t i = 0; rc == AP_OK && i < ap_core.nplugins; i++) {
			struct ap_plugin_ent *p = &ap_core.plugins[i];
			bool ready = true;

			if (done[i] || !p->loaded)
				continue;
			for (const char *const *dep = p->d.depends; dep && *dep;
			    dep++) {
				int k = ap_plugin_index(*dep);

				if (k >= 0 && !done[k] && ap_core.plugins[k].loaded)
					ready = false;
			}
			if (!ready)
				continue;
			done[i] = true;
			rc = mig_owner(r, p->d.schema ? p->d.schema : p->name,
			    dry_run, fresh, &applied);
		}
	}
	if (rc == AP_OK && applied == 0)
		printf("nothing to apply: the schema is up to date\n");
	return rc;
}
