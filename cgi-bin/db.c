/*
 * db.c: the database layer.  One MariaDB connection per worker thread,
 * utf8mb4, UTC; prepared statements only, cached per connection; results
 * copied into the request's arena as strings.
 *
 * A lost connection (2006, 2013) is closed and opened again at the next
 * use, at most once a second while the server stays away (requests get
 * 503 meanwhile).  A statement is retried on a new connection only when it
 * cannot have written anything: a read outside a transaction, or a
 * statement that failed before it was sent.  A transaction whose
 * connection is lost fails as a whole: its later statements and its
 * commit answer AP_EDB, until the caller rolls it back or begins anew.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>

#include "core.h"

#define DB_STMT_CACHE 128
#define DB_PING_IDLE 20      /* seconds idle before a ping */

struct db_stmt {
	char *sql;
	uint64_t hash;
	MYSQL_STMT *st;
};

struct ap_db {
	MYSQL *my;
	bool up;                 /* connected and usable */
	bool reported_down;      /* "unreachable" logged, not yet recovered */
	time_t last_try, last_used;
	time_t last_ok;          /* a statement succeeded then */
	bool in_tx;
	bool tx_lost;            /* the connection went away in a transaction:
	                            its statements are gone, nothing runs until
	                            the caller ends it */
	struct db_stmt cache[DB_STMT_CACHE];
	size_t ncache;
};

struct ap_res {
	size_t rows, cols;
	const char **cell;       /* rows * cols */
	size_t *len;
};

/* Settings read at start (startup.c fills them). */
const char *ap_db_host, *ap_db_socket, *ap_db_user, *ap_db_password,
    *ap_db_name;
unsigned ap_db_port;
unsigned ap_db_connect_timeout = 3, ap_db_timeout = 10;

struct ap_db *
ap_db_new(void)
{
	struct ap_db *db = calloc(1, sizeof(*db));

	if (db == NULL)
		abort();
	return db;
}

static void
db_drop(struct ap_db *db)
{
	for (size_t i = 0; i < db->ncache; i++) {
		mysql_stmt_close(db->cache[i].st);
		free(db->cache[i].sql);
	}
	db->ncache = 0;
	if (db->my != NULL)
		mysql_close(db->my);
	db->my = NULL;
	db->up = false;
	if (db->in_tx)
		db->tx_lost = true;
	db->in_tx = false;
}

void
ap_db_free(struct ap_db *db)
{
	if (db == NULL)
		return;
	db_drop(db);
	free(db);
}

static int
db_connect(struct ap_db *db)
{
	unsigned int ct = ap_db_connect_timeout, to = ap_db_timeout;
	my_bool trunc = 1;
	const char *host = ap_db_host && *ap_db_host ? ap_db_host : NULL;
	const char *sock = ap_db_socket && *ap_db_socket ? ap_db_socket : NULL;

	db->my = mysql_init(NULL);
	if (db->my == NULL)
		return -1;
	mysql_options(db->my, MYSQL_OPT_CONNECT_TIMEOUT, &ct);
	mysql_options(db->my, MYSQL_OPT_READ_TIMEOUT, &to);
	mysql_options(db->my, MYSQL_OPT_WRITE_TIMEOUT, &to);
	mysql_options(db->my, MYSQL_REPORT_DATA_TRUNCATION, &trunc);
	mysql_options(db->my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	mysql_options(db->my, MYSQL_INIT_COMMAND,
	    "SET time_zone = '+00:00', sql_mode = 'STRICT_ALL_TABLES,"
	    "NO_ZERO_DATE,NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO,"
	    "NO_ENGINE_SUBSTITUTION', collation_connection = "
	    "'utf8mb4_unicode_ci'");
	if (mysql_real_connect(db->my, host, ap_db_user && *ap_db_user ?
	    ap_db_user : NULL, ap_db_password && *ap_db_password ?
	    ap_db_password : NULL, ap_db_name, ap_db_port, sock, 0) == NULL) {
		if (!db->reported_down)
			ap_log(AP_LOG_ERR, "core: database unreachable: %s",
			    mysql_error(db->my));
		db->reported_down = true;
		mysql_close(db->my);
		db->my = NULL;
		return -1;
	}
	if (db->reported_down)
		ap_log(AP_LOG_INFO, "core: database reachable again");
	db->reported_down = false;
	db->up = true;
	return 0;
}

/* AP_OK when the thread's connection is usable, after connecting or
 * reconnecting if needed; AP_EDB (fast) while the server stays away. */
int
ap_db_ready(struct ap_req *r)
{
	struct ap_db *db = r->w->db;
	time_t now = time(NULL);

	if (db->up && now - db->last_used > DB_PING_IDLE && !db->in_tx) {
		if (mysql_ping(db->my) != 0)
			db_drop(db);
	}
	if (!db->up) {
		if (db->last_try == now && db->reported_down)
			return AP_EDB;
		db->last_try = now;
		if (db_connect(db) != 0)
			return AP_EDB;
	}
	db->last_used = now;
	return AP_OK;
}

bool
ap_db_up(struct ap_req *r)
{
	return ap_db_ready(r) == AP_OK;
}

/* True when a statement of this thread succeeded during this second. */
bool
ap_db_ok_now(struct ap_req *r)
{
	return r->w->db->up && r->w->db->last_ok == r->now;
}

static bool
db_lost(unsigned err)
{
	return err == CR_SERVER_GONE_ERROR || err == CR_SERVER_LOST ||
	    err == CR_SERVER_LOST_EXTENDED || err == CR_CONNECTION_ERROR ||
	    err == ER_CONNECTION_KILLED || err == ER_SERVER_SHUTDOWN;
}

static bool
db_is_read(const char *sql)
{
	while (isspace((unsigned char)*sql) || *sql == '(')
		sql++;
	return strncasecmp(sql, "SELECT", 6) == 0 ||
	    strncasecmp(sql, "SHOW", 4) == 0;
}

static uint64_t
db_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

/* The prepared statement for sql on this connection, prepared on first
 * use.  NULL with *err set on failure. */
static MYSQL_STMT *
db_stmt(struct ap_db *db, const char *sql, unsigned *err)
{
	uint64_t h = db_hash(sql);
	MYSQL_STMT *st;
	my_bool on = 1;

	for (size_t i = 0; i < db->ncache; i++)
		if (db->cache[i].hash == h && strcmp(db->cache[i].sql, sql) == 0)
			return db->cache[i].st;
	st = mysql_stmt_init(db->my);
	if (st == NULL) {
		*err = mysql_errno(db->my);
		return NULL;
	}
	if (mysql_stmt_prepare(st, sql, strlen(sql)) != 0) {
		*err = mysql_stmt_errno(st);
		if (!db_lost(*err))
			ap_log(AP_LOG_ERR, "core: database: cannot prepare "
			    "\"%.120s\": %s", sql, mysql_stmt_error(st));
		mysql_stmt_close(st);
		return NULL;
	}
	mysql_stmt_attr_set(st, STMT_ATTR_UPDATE_MAX_LENGTH, &on);
	if (db->ncache == DB_STMT_CACHE) {
		/* Plugins use a bounded set of statements; if one builds
		 * them without bound, start over rather than grow. */
		for (size_t i = 0; i < db->ncache; i++) {
			mysql_stmt_close(db->cache[i].st);
			free(db->cache[i].sql);
		}
		db->ncache = 0;
	}
	db->cache[db->ncache].sql = strdup(sql);
	if (db->cache[db->ncache].sql == NULL)
		abort();
	db->cache[db->ncache].hash = h;
	db->cache[db->ncache].st = st;
	db->ncache++;
	return st;
}

static size_t
db_nargs(const struct ap_val *args)
{
	size_t n = 0;

	while (args != NULL && args[n].type != AP_T_END)
		n++;
	return n;
}

static void
db_bind_args(struct ap_req *r, MYSQL_BIND *b, const struct ap_val *args,
    size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct ap_val *v = &args[i];

		switch (v->type) {
		case AP_T_INT:
			b[i].buffer_type = MYSQL_TYPE_LONGLONG;
			b[i].buffer = (void *)&v->i;
			break;
		case AP_T_DOUBLE:
			b[i].buffer_type = MYSQL_TYPE_DOUBLE;
			b[i].buffer = (void *)&v->d;
			break;
		case AP_T_TEXT:
			if (v->s == NULL) {
				b[i].buffer_type = MYSQL_TYPE_NULL;
				break;
			}
			b[i].buffer_type = MYSQL_TYPE_STRING;
			b[i].buffer = (void *)v->s;
			b[i].buffer_length = v->len == (size_t)-1 ?
			    strlen(v->s) : v->len;
			break;
		default:
			b[i].buffer_type = MYSQL_TYPE_NULL;
			break;
		}
	}
	(void)r;
}

/* Copies the rows of an executed statement into the arena. */
static int
db_fetch(struct ap_req *r, MYSQL_STMT *st, MYSQL_RES *meta,
    struct ap_res **out)
{
	unsigned cols = mysql_num_fields(meta);
	MYSQL_FIELD *f = mysql_fetch_fields(meta);
	MYSQL_BIND *b = ap_arena_alloc(r->a, cols * sizeof(*b) + 1);
	unsigned long *len = ap_arena_alloc(r->a, cols * sizeof(*len) + 1);
	my_bool *isnull = ap_arena_alloc(r->a, cols * sizeof(*isnull) + 1);
	my_bool *trunc = ap_arena_alloc(r->a, cols * sizeof(*trunc) + 1);
	struct ap_res *res = ap_arena_alloc(r->a, sizeof(*res));
	size_t rows, row = 0;
	int rc;

	if (mysql_stmt_store_result(st) != 0)
		return -1;
	rows = (size_t)mysql_stmt_num_rows(st);
	res->rows = rows;
	res->cols = cols;
	res->cell = ap_arena_alloc(r->a, rows * cols * sizeof(char *) + 1);
	res->len = ap_arena_alloc(r->a, rows * cols * sizeof(size_t) + 1);
	for (unsigned c = 0; c < cols; c++) {
		size_t cap = f[c].max_length > 64 ? f[c].max_length : 64;

		b[c].buffer_type = MYSQL_TYPE_STRING;
		b[c].buffer = ap_arena_alloc_raw(r->a, cap + 1);
		b[c].buffer_length = cap + 1;
		b[c].length = &len[c];
		b[c].is_null = &isnull[c];
		b[c].error = &trunc[c];
	}
	if (mysql_stmt_bind_result(st, b) != 0)
		return -1;
	while ((rc = mysql_stmt_fetch(st)) == 0 || rc == MYSQL_DATA_TRUNCATED) {
		if (row >= rows)
			break;
		for (unsigned c = 0; c < cols; c++) {
			size_t i = row * cols + c;
			char *v;

			if (isnull[c]) {
				res->cell[i] = NULL;
				continue;
			}
			v = ap_arena_alloc_raw(r->a, len[c] + 1);
			if (len[c] < b[c].buffer_length) {
				memcpy(v, b[c].buffer, len[c]);
			} else {
				MYSQL_BIND one = { 0 };
				unsigned long l2 = 0;

				one.buffer_type = MYSQL_TYPE_STRING;
				one.buffer = v;
				one.buffer_length = len[c] + 1;
				one.length = &l2;
				if (mysql_stmt_fetch_column(st, &one, c, 0) != 0)
					return -1;
			}
			v[len[c]] = '\0';
			res->cell[i] = v;
			res->len[i] = len[c];
		}
		row++;
	}
	mysql_stmt_free_result(st);
	if (rc == 1)
		return -1;
	*out = res;
	return 0;
}

/* Runs sql with args; when res is not NULL, collects the rows.  Returns
 * AP_OK, AP_EDUP (duplicate key), AP_EDB (server away) or AP_ERROR. */
static int
db_run(struct ap_req *r, const char *sql, const struct ap_val *args,
    struct ap_res **res)
{
	struct ap_db *db = r->w->db;
	size_t n = db_nargs(args);
	bool read = db_is_read(sql);

	r->db_err = AP_OK;
	if (db->tx_lost)
		return r->db_err = AP_EDB;
	for (int attempt = 0; attempt < 2; attempt++) {
		MYSQL_BIND *b = NULL;
		MYSQL_STMT *st;
		MYSQL_RES *meta;
		unsigned err = 0;

		if (ap_db_ready(r) != AP_OK)
			return r->db_err = AP_EDB;
		st = db_stmt(db, sql, &err);
		if (st == NULL) {
			if (db_lost(err)) {
				bool tx = db->in_tx;

				db_drop(db);
				if (!tx)
					continue;   /* nothing was sent */
				return r->db_err = AP_EDB;
			}
			return r->db_err = AP_ERROR;
		}
		if (mysql_stmt_param_count(st) != n) {
			ap_log(AP_LOG_ERR, "core: database: \"%.120s\" takes %lu "
			    "values, %zu given", sql,
			    mysql_stmt_param_count(st), n);
			return r->db_err = AP_ERROR;
		}
		if (n > 0) {
			b = ap_arena_alloc(r->a, n * sizeof(*b));
			db_bind_args(r, b, args, n);
			if (mysql_stmt_bind_param(st, b) != 0) {
				ap_log(AP_LOG_ERR, "core: database: bind: %s",
				    mysql_stmt_error(st));
				return r->db_err = AP_ERROR;
			}
		}
		if (mysql_stmt_execute(st) != 0) {
			err = mysql_stmt_errno(st);
			if (db_lost(err)) {
				bool tx = db->in_tx;

				ap_log(AP_LOG_WARN, "core: database connection "
				    "lost (%s)", mysql_stmt_error(st));
				db_drop(db);
				if (read && !tx)
					continue;
				return r->db_err = AP_EDB;
			}
			if (err == ER_DUP_ENTRY)
				return r->db_err = AP_EDUP;
			ap_log(AP_LOG_ERR, "core: database: \"%.120s\": %s", sql,
			    mysql_stmt_error(st));
			return r->db_err = AP_ERROR;
		}
		r->affected = (long long)mysql_stmt_affected_rows(st);
		r->insert_id = (long long)mysql_stmt_insert_id(st);
		meta = mysql_stmt_result_metadata(st);
		if (meta != NULL) {
			int frc = db_fetch(r, st, meta, res ? res : &(struct
			    ap_res *){ NULL });

			mysql_free_result(meta);
			if (frc != 0) {
				char why[256];

				err = mysql_stmt_errno(st);
				snprintf(why, sizeof(why), "%s",
				    mysql_stmt_error(st));
				mysql_stmt_free_result(st);
				if (db_lost(err)) {
					bool tx = db->in_tx;

					ap_log(AP_LOG_WARN, "core: database "
					    "connection lost (%s)", why);
					db_drop(db);
					if (read && !tx)
						continue;
					return r->db_err = AP_EDB;
				}
				ap_log(AP_LOG_ERR, "core: database: fetch: %s",
				    why);
				return r->db_err = AP_ERROR;
			}
		} else if (res != NULL) {
			*res = ap_arena_alloc(r->a, sizeof(struct ap_res));
		}
		db->last_ok = r->now;
		return AP_OK;
	}
	return r->db_err = AP_EDB;
}

struct ap_res *
ap_db_query(struct ap_req *r, const char *sql, const struct ap_val *args)
{
	struct ap_res *res = NULL;

	if (db_run(r, sql, args, &res) != AP_OK)
		return NULL;
	return res;
}

int
ap_db_exec(struct ap_req *r, const char *sql, const struct ap_val *args)
{
	return db_run(r, sql, args, NULL);
}

/* For migrations only: SQL from the project's own files, never data. */
int
ap_db_exec_raw(struct ap_req *r, const char *sql)
{
	struct ap_db *db = r->w->db;
	MYSQL_RES *res;

	if (ap_db_ready(r) != AP_OK)
		return AP_EDB;
	if (mysql_real_query(db->my, sql, strlen(sql)) != 0) {
		ap_log(AP_LOG_ERR, "core: database: %s", mysql_error(db->my));
		if (db_lost(mysql_errno(db->my))) {
			db_drop(db);
			return AP_EDB;
		}
		return AP_ERROR;
	}
	res = mysql_store_result(db->my);
	if (res != NULL)
		mysql_free_result(res);
	return AP_OK;
}

size_t
ap_db_rows(const struct ap_res *res)
{
	return res ? res->rows : 0;
}

const char *
ap_db_cell(const struct ap_res *res, size_t row, size_t col)
{
	if (res == NULL || row >= res->rows || col >= res->cols)
		return NULL;
	return res->cell[row * res->cols + col];
}

size_t
ap_db_cell_len(const struct ap_res *res, size_t row, size_t col)
{
	if (res == NULL || row >= res->rows || col >= res->cols ||
	    res->cell[row * res->cols + col] == NULL)
		return 0;
	return res->len[row * res->cols + col];
}

long long
ap_db_cell_int(const struct ap_res *res, size_t row, size_t col)
{
	const char *v = ap_db_cell(res, row, col);

	return v ? strtoll(v, NULL, 10) : 0;
}

int
ap_db_begin(struct ap_req *r)
{
	struct ap_db *db = r->w->db;

	if (db->in_tx)
		return AP_OK;
	db->tx_lost = false;
	if (ap_db_ready(r) != AP_OK)
		return AP_EDB;
	if (mysql_query(db->my, "START TRANSACTION") != 0) {
		if (db_lost(mysql_errno(db->my))) {
			db_drop(db);
			if (ap_db_ready(r) != AP_OK ||
			    mysql_query(db->my, "START TRANSACTION") != 0)
				return AP_EDB;
		} else {
			ap_log(AP_LOG_ERR, "core: database: %s",
			    mysql_error(db->my));
			return AP_ERROR;
		}
	}
	db->in_tx = true;
	return AP_OK;
}

int
ap_db_commit(struct ap_req *r)
{
	struct ap_db *db = r->w->db;

	if (db->tx_lost) {
		/* The server rolled it back when the connection went. */
		db->tx_lost = false;
		return r->db_err = AP_EDB;
	}
	if (!db->in_tx)
		return AP_OK;
	db->in_tx = false;
	if (mysql_commit(db->my) != 0) {
		unsigned err = mysql_errno(db->my);

		ap_log(AP_LOG_ERR, "core: database: commit: %s",
		    mysql_error(db->my));
		if (db_lost(err)) {
			db_drop(db);
			return AP_EDB;
		}
		return AP_ERROR;
	}
	return AP_OK;
}

int
ap_db_rollback(struct ap_req *r)
{
	struct ap_db *db = r->w->db;

	db->tx_lost = false;
	if (!db->in_tx)
		return AP_OK;
	db->in_tx = false;
	if (db->up && mysql_rollback(db->my) != 0) {
		if (db_lost(mysql_errno(db->my)))
			db_drop(db);
		return AP_ERROR;
	}
	return AP_OK;
}

/* A transaction left open by a handler is rolled back: nothing
 * half-written stays. */
void
ap_db_end_request(struct ap_req *r)
{
	if (r->w->db != NULL)
		r->w->db->tx_lost = false;
	if (r->w->db != NULL && r->w->db->in_tx) {
		ap_log(AP_LOG_WARN, "core: a transaction was left open on %s; "
		    "rolled back", r->path);
		ap_db_rollback(r);
	}
}

long long
ap_db_counter(struct ap_req *r, const char *name)
{
	struct ap_res *res = ap_db_query(r,
	    "SELECT value FROM ap_counters WHERE name = ?",
	    AP_ARGS(AP_TEXT(name)));

	if (res == NULL)
		return -1;
	return ap_db_rows(res) ? ap_db_cell_int(res, 0, 0) : 0;
}

int
ap_db_counter_bump(struct ap_req *r, const char *name)
{
	return ap_db_exec(r, "INSERT INTO ap_counters (name, value) VALUES "
	    "(?, 1) ON DUPLICATE KEY UPDATE value = value + 1",
	    AP_ARGS(AP_TEXT(name)));
}

/* Fixed windows of `window` seconds; one statement counts the hit and
 * returns the count through LAST_INSERT_ID.  The key is stored hashed. */
int
ap_db_rate(struct ap_req *r, const char *key, int max, long window)
{
	long long win = (long long)r->now / (window > 0 ? window : 1);
	const char *h = ap_token_hash_hex(r->a, key);
	long long hits;
	int rc;

	rc = ap_db_exec(r, "INSERT INTO ap_rates (k, win, hits, expires) "
	    "VALUES (?, ?, 1, ?) ON DUPLICATE KEY UPDATE "
	    "hits = LAST_INSERT_ID(IF(win = VALUES(win), hits + 1, 1)), "
	    "win = VALUES(win), expires = VALUES(expires)",
	    AP_ARGS(AP_TEXT(h), AP_INT(win), AP_INT(r->now + window)));
	if (rc != AP_OK)
		return rc;
	hits = r->insert_id > 0 ? r->insert_id : 1;
	return hits > max ? AP_STOP : AP_OK;
}

int
ap_db_spend(struct ap_req *r, const char *purpose, const char *token,
    long ttl)
{
	const char *h = ap_token_hash_hex(r->a, ap_arena_printf(r->a,
	    "%s\n%s", purpose, token));

	return ap_db_exec(r, "INSERT INTO ap_spent (h, expires) VALUES (?, ?)",
	    AP_ARGS(AP_TEXT(h), AP_INT(r->now + ttl)));
}
