/*
 * core.h: what the files of the core share.  Plugins never see it: they
 * reach the core through <aparte/plugin.h> only.
 */
#ifndef APARTE_CORE_H
#define APARTE_CORE_H

#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "aparte/plugin.h"

#define AP_UNUSED __attribute__((unused))
#define AP_NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ---- arena.c: one region per request, freed in one go ------------------ */

struct ap_chunk;
struct ap_cleanup;

struct ap_arena {
	struct ap_chunk *head;     /* current chunk */
	struct ap_chunk *first;    /* kept across resets */
	struct ap_cleanup *cleanups;
	size_t total;              /* bytes handed out since the last reset */
};

void ap_arena_init(struct ap_arena *a);
void *ap_arena_alloc(struct ap_arena *a, size_t n);      /* zeroed */
void *ap_arena_alloc_raw(struct ap_arena *a, size_t n);  /* not zeroed */
char *ap_arena_strdup(struct ap_arena *a, const char *s);
char *ap_arena_strndup(struct ap_arena *a, const char *s, size_t n);
char *ap_arena_vprintf(struct ap_arena *a, const char *fmt, va_list ap);
char *ap_arena_printf(struct ap_arena *a, const char *fmt, ...)
    AP_PRINTF(2, 3);
void ap_arena_cleanup(struct ap_arena *a, void (*fn)(void *), void *arg);
void ap_arena_reset(struct ap_arena *a);
void ap_arena_free(struct ap_arena *a);

/* A growable byte buffer (malloc'ed; used for output and SQL results). */
struct ap_buf {
	char *p;
	size_t len, cap;
	bool failed;               /* an allocation failed: contents cut */
};

void ap_buf_add(struct ap_buf *b, const void *p, size_t n);
void ap_buf_adds(struct ap_buf *b, const char *s);
void ap_buf_printf(struct ap_buf *b, const char *fmt, ...) AP_PRINTF(2, 3);
void ap_buf_free(struct ap_buf *b);

/* ---- log.c ---------------------------------------------------------------- */

extern int ap_log_min;   /* lines above this level are dropped */
void ap_log(enum ap_log_level lvl, const char *fmt, ...) AP_PRINTF(2, 3);
void ap_vlog(enum ap_log_level lvl, const char *fmt, va_list ap);

/* ---- utf8.c ---------------------------------------------------------------- */

/* True when s[0..n) is well-formed UTF-8 (no overlongs, no surrogates)
 * without NUL. */
bool ap_utf8_valid(const char *s, size_t n);
/* Number of code points of a valid UTF-8 string. */
size_t ap_utf8_len(const char *s);
/* Bytes of the first `chars` code points of a valid UTF-8 string (all of
 * it when shorter): a cut there splits no character. */
size_t ap_utf8_prefix(const char *s, size_t chars);
/* Copy of s without the C0 controls XML forbids (keeps TAB, LF, CR), nor
 * DEL, the C1 controls and the noncharacters HTML forbids, and with
 * invalid sequences replaced by U+FFFD; NULL when s needs no change. */
char *ap_xml_clean(struct ap_arena *a, const char *s);
/* s when it is valid UTF-8, else a copy with U+FFFD in place of each
 * byte that is not. */
const char *ap_utf8_clean(struct ap_arena *a, const char *s);

/* ---- http.c: parsing of what comes from outside ---------------------------- */

struct ap_kv {
	const char *key, *val;
};

struct ap_kvlist {
	struct ap_kv *v;
	size_t n, cap;
};

enum ap_parse_rc {
	AP_PARSE_OK = 0,
	AP_PARSE_BAD_ESCAPE,   /* "%zz", "%4" */
	AP_PARSE_BAD_UTF8,     /* invalid UTF-8 or a NUL after decoding */
	AP_PARSE_TOO_MANY,     /* more fields than the limit */
	AP_PARSE_TOO_LONG,     /* a key or value above the limit */
};

struct ap_parse_limits {
	size_t max_fields;
	size_t max_key;
	size_t max_value;
};

/* Decode an application/x-www-form-urlencoded string (a query string or a
 * body) into list, allocating from a.  Repeated keys are kept in order. */
enum ap_parse_rc ap_parse_urlencoded(struct ap_arena *a, const char *s,
    size_t n, const struct ap_parse_limits *lim, struct ap_kvlist *list);
/* Parse a Cookie header; malformed pairs are skipped, not errors. */
void ap_parse_cookies(struct ap_arena *a, const char *s,
    const struct ap_parse_limits *lim, struct ap_kvlist *list);
/* Percent-decode a path; returns NULL on a bad escape, bad UTF-8 or NUL. */
char *ap_decode_path(struct ap_arena *a, const char *s, size_t n);
void ap_kv_add(struct ap_arena *a, struct ap_kvlist *l, const char *k,
    const char *v);
const char *ap_kv_get(const struct ap_kvlist *l, const char *k);
size_t ap_kv_all(struct ap_arena *a, const struct ap_kvlist *l, const char *k,
    const char ***vals);
/* The best of `offered` ({"fr", "en", NULL}) for an Accept-Language
 * header; NULL when the header names none of them. */
const char *ap_accept_language(const char *header,
    const char *const *offered);
/* True when an Accept header allows application/xhtml+xml. */
bool ap_accepts_xhtml(const char *accept);
bool ap_is_local_path(const char *target);
char *ap_urlencode(struct ap_arena *a, const char *s);

/* ---- config.c --------------------------------------------------------------- */

struct ap_conf_raw {          /* a line of the file */
	char *section, *key, *value;
	int line;
	bool used;
};

struct ap_conf_decl {         /* a declared setting and its value */
	const char *section;
	const struct ap_setting *s;
	const char *value;        /* as written, or the default */
	long long num;            /* parsed for INT, BOOL, SIZE, DURATION */
	int line;                 /* 0: the default */
};

struct ap_conf {
	char *path;
	struct ap_conf_raw *raw;
	size_t nraw, capraw;
	struct ap_conf_decl *decl;
	size_t ndecl, capdecl;
};

/* The core's own settings, per section. */
struct ap_conf_section {
	const char *name;
	const struct ap_setting *settings;
};
extern const struct ap_conf_section ap_core_sections[];

/* Read path into raw lines (syntax errors name the line). */
int ap_conf_read(struct ap_conf *c, const char *path, char *err, size_t errlen);
/* Declare the settings of a section; parses its defaults. */
void ap_conf_declare(struct ap_conf *c, const char *section,
    const struct ap_setting *s);
/* Match raw lines against declarations: unknown sections (except those
 * listed in `tolerated`, e.g. of plugins that failed to load) and keys,
 * repeated keys and bad values are errors naming the line. */
int ap_conf_validate(struct ap_conf *c, const char *const *tolerated,
    char *err, size_t errlen);
/* Parse a value as the type asks; false with a message when it does not. */
bool ap_conf_parse_value(const struct ap_setting *s, const char *v,
    long long *num, char *err, size_t errlen);
const char *ap_conf_get(const struct ap_conf *c, const char *section,
    const char *key);
long long ap_conf_num(const struct ap_conf *c, const char *section,
    const char *key);
/* The line that set a key, 0 when it has its default. */
int ap_conf_line(const struct ap_conf *c, const char *section,
    const char *key);
/* A raw value before validation (to find the plugin folder early). */
const char *ap_conf_raw_get(const struct ap_conf *c, const char *section,
    const char *key);
void ap_conf_free(struct ap_conf *c);

/* ---- router.c ------------------------------------------------------------- */

struct ap_route_ent {
	const char *method;
	char **seg;            /* pattern segments; "{name}" captures */
	size_t nseg;
	unsigned flags;
	ap_handler_fn fn;
	int plugin;            /* index in ap_core.plugins, -1 for the core */
};

struct ap_router {
	struct ap_route_ent *r;
	size_t n, cap;
};

enum ap_match {
	AP_MATCH_NONE,        /* 404 */
	AP_MATCH_METHOD,      /* 405: the path exists for other methods */
	AP_MATCH_OK,
};

int ap_router_add(struct ap_router *rt, const char *method, const char *path,
    unsigned flags, ap_handler_fn fn, int plugin);
/* Find the route for method and path among the routes for which
 * enabled(plugin) is true.  Captured segments go to args; the methods that
 * would match go to allow (when 405). */
enum ap_match ap_router_match(const struct ap_router *rt, struct ap_arena *a,
    const char *method, const char *path, bool (*enabled)(void *, int),
    void *ctx, const struct ap_route_ent **found, struct ap_kvlist *args,
    char *allow, size_t allowlen);
void ap_router_free(struct ap_router *rt);

/* ---- i18n.c ----------------------------------------------------------------- */

struct ap_catalog;
int ap_i18n_load(const char *localedir, const char *domain, const char *langs);
const char *ap_i18n_tr(const char *lang, const char *msgid);
const char *ap_i18n_trn(const char *lang, const char *sing, const char *plur,
    unsigned long n);
char *ap_i18n_date(struct ap_arena *a, const char *lang, time_t t);
void ap_i18n_free(void);

/* ---- token.c ---------------------------------------------------------------- */

/* The site secret: 32 bytes from the config (hex) or a file. */
int ap_token_init(const char *secret_hex);
char *ap_token_sign(struct ap_arena *a, const char *purpose,
    const char *payload, time_t now);
int ap_token_verify(struct ap_arena *a, const char *purpose, const char *tok,
    time_t now, long max_age, const char **payload, long *age);
char *ap_token_random(struct ap_arena *a, size_t bytes);
char *ap_token_hash_hex(struct ap_arena *a, const char *s);
int ap_token_equal(const char *a, const char *b);
char *ap_b64url(struct ap_arena *a, const unsigned char *p, size_t n);
/* Decoded length, or -1 when s is not base64url. */
long ap_b64url_decode(const char *s, unsigned char *out, size_t outcap);

#endif /* APARTE_CORE_H */

/* ---- the rest of the core: process state, workers, requests ------------ */

#include <fcgiapp.h>
#include <libxml/xmlwriter.h>

/* Marks a msgid for xgettext where the text is translated later. */
#define N_(s) (s)

struct ap_db;

struct ap_plugin_ent {
	char *name;
	char *file;
	void *dl;
	struct ap_plugin d;      /* copy of the descriptor, zero-extended */
	void *state;
	bool loaded;             /* loaded and initialised */
	char *error;             /* why it is off, when not loaded */
};

struct ap_hook_ent {
	const char *name;
	int order;
	ap_hook_fn fn;
	int plugin;
};

struct ap_core {
	struct ap_conf conf;
	struct ap_router router;
	struct ap_plugin_ent *plugins;
	size_t nplugins;
	struct ap_hook_ent *hooks;   /* sorted by name, then order */
	size_t nhooks;
	bool cli;                    /* aparte-admin */
	/* settings read once */
	const char *mount, *base_url, *static_url, *home, *title;
	const char *lang;            /* default */
	const char **langs;          /* offered, NULL-terminated */
	bool https;
	struct ap_parse_limits lim;
	size_t body_max, uri_max, cookie_max, header_max;
	int threads;
};

extern struct ap_core ap_core;
extern const struct ap_host ap_host_table;

/* One per thread: its arena, its database connection, its view of the
 * enabled plugins. */
struct ap_worker {
	int id;
	struct ap_arena arena;
	struct ap_db *db;
	struct ap_buf out;           /* response body, reused */
	struct ap_buf hdrs;          /* the plugin's header lines, reused */
	struct ap_buf head;          /* the header block sent, reused */
	bool *enabled;               /* per plugin */
	bool enabled_known;          /* read from the database at least once */
	long long generation;
	time_t gen_checked;
	FCGX_Request fcgi;
};

#define AP_XML_DEPTH 64

/* The CGI parameters the core reads on every request, found in one pass
 * over the environment. */
struct ap_req_env {
	const char *method, *uri, *query, *cookie, *accept, *accept_language,
	    *content_length, *content_type, *remote_addr, *script_name,
	    *path_info;
};

struct ap_req {
	struct ap_worker *w;
	struct ap_arena *a;
	FCGX_Stream *in, *out;
	char **envp;
	bool cli;
	time_t now;
	struct ap_req_env e;
	const char *method, *path;
	struct ap_kvlist query, form, cookies, rargs;
	bool head, fragment, xhtml;
	const char *lang;
	int plugin;                  /* plugin of the route, -1 core */
	const struct ap_route_ent *route;
	/* response */
	int status;
	const char *ctype;
	struct ap_buf *hdrs;         /* extra header lines */
	size_t hdrs_keep;            /* of them, what an error page keeps:
	                                those set before the handler ran */
	struct ap_buf *ob;            /* the answer, buffered */
	bool started;                /* headers sent */
	bool failed;                 /* output broke: nothing more is sent */
	bool nocache;
	/* writer */
	xmlTextWriterPtr xw;
	xmlOutputBufferPtr xo;
	const char *stack[AP_XML_DEPTH];
	bool stack_void[AP_XML_DEPTH];
	int depth;
	bool layout;                 /* the page layout is open */
	struct ap_buf *keep;         /* markup_begin: a copy of the output */
	int keep_depth;
	/* visitor */
	struct ap_user user;
	bool has_user;
	const char *visitor;         /* per-visitor id (cookie ap_v) */
	/* database */
	int db_err;
	long long insert_id, affected;
	bool mail_queued;
	const char *reason;          /* why ap_req_begin refused (msgid) */
};

/* request.c */
void ap_req_init_cli(struct ap_req *r, struct ap_worker *w);
int ap_req_begin(struct ap_req *r, struct ap_worker *w, FCGX_Request *fcgi);
void ap_req_dispatch(struct ap_req *r);
void ap_req_finish(struct ap_req *r);
void ap_req_detach(struct ap_req *r);
int ap_req_error_page(struct ap_req *r, int status, const char *msg);
void ap_req_flush(struct ap_req *r, bool final);
const char *ap_req_env(struct ap_req *r, const char *name);
bool ap_req_enabled(void *ctx, int plugin);
const char *ap_status_text(int status);

/* xhtml.c */
int ap_x_page_begin(struct ap_req *r, const char *title);
int ap_x_page_end(struct ap_req *r);
int ap_x_xml_begin(struct ap_req *r, const char *ctype);
int ap_x_xml_end(struct ap_req *r);
void ap_x_open(struct ap_req *r, const char *el, ...) AP_SENTINEL;
void ap_x_vopen(struct ap_req *r, const char *el, bool isvoid, va_list ap);
void ap_x_close(struct ap_req *r);
void ap_x_elem(struct ap_req *r, const char *el, const char *text, ...)
    AP_SENTINEL;
void ap_x_empty(struct ap_req *r, const char *el, ...) AP_SENTINEL;
void ap_x_text(struct ap_req *r, const char *s);
void ap_x_textf(struct ap_req *r, const char *fmt, ...) AP_PRINTF(2, 3);
void ap_x_field(struct ap_req *r, const struct ap_field *f);
void ap_x_message(struct ap_req *r, const char *kind, const char *text);
void ap_x_discard(struct ap_req *r);
void ap_x_attr(struct ap_req *r, const char *name, const char *value);
void ap_x_markup_begin(struct ap_req *r);
char *ap_x_markup_end(struct ap_req *r, size_t *len);
int ap_x_markup(struct ap_req *r, const char *bytes, size_t len);

/* db.c */
struct ap_db *ap_db_new(void);
void ap_db_free(struct ap_db *db);
int ap_db_ready(struct ap_req *r);       /* AP_OK or AP_EDB */
bool ap_db_up(struct ap_req *r);
bool ap_db_ok_now(struct ap_req *r);
struct ap_res *ap_db_query(struct ap_req *r, const char *sql,
    const struct ap_val *args);
int ap_db_exec(struct ap_req *r, const char *sql, const struct ap_val *args);
int ap_db_exec_raw(struct ap_req *r, const char *sql); /* migrations only */
size_t ap_db_rows(const struct ap_res *res);
const char *ap_db_cell(const struct ap_res *res, size_t row, size_t col);
size_t ap_db_cell_len(const struct ap_res *res, size_t row, size_t col);
long long ap_db_cell_int(const struct ap_res *res, size_t row, size_t col);
int ap_db_begin(struct ap_req *r);
int ap_db_commit(struct ap_req *r);
int ap_db_rollback(struct ap_req *r);
void ap_db_end_request(struct ap_req *r);
long long ap_db_counter(struct ap_req *r, const char *name);
int ap_db_counter_bump(struct ap_req *r, const char *name);
int ap_db_rate(struct ap_req *r, const char *key, int max, long window);
int ap_db_spend(struct ap_req *r, const char *purpose, const char *token,
    long ttl);

/* plugin.c */
int ap_plugins_load(const char *dir);
int ap_plugins_init(void);
void ap_plugins_worker_init(void);
void ap_plugins_fini(void);
int ap_plugin_index(const char *name);
void ap_plugins_refresh(struct ap_req *r);   /* at most once a second */
int ap_plugins_read_enabled(struct ap_req *r, bool *enabled);
int ap_plugin_set_enabled(struct ap_req *r, const char *name, bool on);
int ap_hook_run(struct ap_req *r, const char *name, void *data);
bool ap_hook_has(const char *name);
const char *const *ap_plugins_failed_names(void);

/* migrate.c */
int ap_migrate(struct ap_req *r, bool dry_run);
char *ap_sql_next(char **sql);   /* the statements of a migration file */

/* mail.c */
int ap_mail_queue(struct ap_req *r, const char *to, const char *subject,
    const char *body, const char *unsub);
int ap_mail_run(struct ap_req *r, bool all);   /* sends what is due */
bool ap_mail_header_ok(const char *v);
bool ap_mail_build(struct ap_buf *m, const char *from, const char *to,
    const char *subject, const char *body, const char *unsub, time_t now,
    const char *id);

/* core_routes.c */
int ap_core_routes(void);

/* startup.c: shared by aparte.fcgi and aparte-admin */
int ap_startup(const char *conf_path, bool cli, char *err, size_t errlen);
void ap_shutdown(void);
struct ap_worker *ap_worker_new(int id);
void ap_worker_free(struct ap_worker *w);
void ap_housekeeping(struct ap_req *r);

/* server.c */
void ap_stop_signals_wait(sigset_t *set);
int ap_serve(int fd, int threads);
int ap_serve_cgi(void);
int ap_listen_open(const char *spec, int mode_digits, char *err,
    size_t errlen);
int ap_master(int fd, int workers, int threads, int argc, char **argv,
    const char *old_workers, const char *unlink_path);

/* admin.c: the privacy export gathers items through this. */
struct ap_privacy_sink {
	void (*item)(struct ap_req *r, struct ap_privacy_sink *s,
	    const char *plugin, const char *kind, const char *const *kv);
};
