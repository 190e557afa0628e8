/*
 * <aparte/plugin.h>: the only header an Aparté plugin includes.
 *
 * A plugin is a shared object NAME.so that exports exactly one symbol,
 * `ap_plugin_NAME`, a `struct ap_plugin`.  It links against nothing in the
 * host: every service of the core (request, database, XHTML writer, tokens,
 * mail, hooks, log, translations) is reached through the `struct ap_host`
 * table handed to the plugin's init function.
 *
 * Compatibility rules.  Structures only grow at their end.  AP_ABI_MAJOR
 * changes when a layout changes (plugins must be rebuilt); AP_ABI_MINOR when
 * members are appended.  The core refuses a plugin of another major or of a
 * newer minor, and reads only `size` bytes of its descriptor.  A plugin that
 * needs a host member appended in minor N checks `ap->abi_minor >= N`.
 */
#ifndef APARTE_PLUGIN_H
#define APARTE_PLUGIN_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

#define AP_ABI_MAJOR 1
#define AP_ABI_MINOR 3

#if defined(__GNUC__)
#define AP_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define AP_SENTINEL __attribute__((sentinel))
#else
#define AP_PRINTF(f, a)
#define AP_SENTINEL
#endif

/* A request being answered, or a command of aparte-admin being run (then
 * the HTTP parts are empty and the output goes to stdout).  Opaque. */
struct ap_req;

/* Rows returned by a query, held in the request's arena.  Opaque. */
struct ap_res;

/* Return codes of the core's functions and of handlers and hooks. */
enum ap_rc {
	AP_OK = 0,         /* done; a handler has written its answer */
	AP_DECLINED = 1,   /* hook: no opinion, the next listener runs */
	AP_STOP = 2,       /* hook: handled, later listeners do not run */
	AP_ERROR = -1,     /* failure, already logged where found: 500 */
	AP_EDB = -2,       /* database unreachable: the core answers 503 */
	AP_EDUP = -3,      /* database: duplicate key */
	AP_EINVAL = -4,    /* a token or value is not valid */
	AP_EEXPIRED = -5,  /* a token is valid but too old */
};

/* A handler returns AP_OK when it answered, or an HTTP status (400, 403,
 * 404, 413, 429, 500, 503) for the core to answer with its error page, or
 * one of the negative codes above.  The error page replaces whatever the
 * handler wrote, the headers it set included (a redirect, a cookie). */
typedef int (*ap_handler_fn)(struct ap_req *r, void *state);

/* A hook listener receives the hook's data (a struct named in this header
 * for the hooks of the core and the bundled plugins).  It returns AP_OK or
 * AP_DECLINED to let later listeners run, AP_STOP to end the run. */
typedef int (*ap_hook_fn)(struct ap_req *r, void *state, void *data);

/* Route flags. */
enum {
	AP_ROUTE_FORM = 1 << 0,   /* POST: the core checks the CSRF token first */
	AP_ROUTE_RAW = 1 << 1,    /* not a page: no layout, the handler writes */
	AP_ROUTE_NOSESSION = 1 << 2, /* do not run session.load before it */
};

/* A route: METHOD and a path below the mount path, with named segments:
 * "/experts/{slug}".  "GET" routes also answer HEAD. */
struct ap_route {
	const char *method;
	const char *path;
	unsigned flags;
	ap_handler_fn fn;
};

/* A listener: hook name, order (lower runs first), function. */
struct ap_hook {
	const char *name;
	int order;
	ap_hook_fn fn;
};

/* A setting the plugin reads from its [NAME] section of aparte.conf.  The
 * core refuses unknown keys and values out of range, naming the line. */
enum ap_setting_type {
	AP_SET_STRING = 1,
	AP_SET_INT,       /* integer within [min, max] */
	AP_SET_BOOL,      /* yes/no, true/false, on/off, 1/0 */
	AP_SET_SIZE,      /* bytes, with optional K, M, G suffix */
	AP_SET_DURATION,  /* seconds, with optional s, m, h, d suffix */
};

struct ap_setting {
	const char *key;
	enum ap_setting_type type;
	const char *def;   /* default, as it would be written in the file */
	long long min, max;
	const char *help;
};

/* A subcommand of aparte-admin: `aparte-admin NAME ARGS...`.  argv[0] is
 * NAME.  Prints with ap->out; returns the exit status. */
struct ap_command {
	const char *name;
	const char *usage;
	const char *help;
	int (*fn)(struct ap_req *r, void *state, int argc, char **argv);
};

/* A link in the site's navigation, shown when the plugin is enabled and
 * the visitor has the role (NULL: everyone; "guest": only signed out). */
struct ap_nav {
	const char *label;  /* msgid, translated at render time */
	const char *path;   /* below the mount path */
	const char *role;
	int order;
};

struct ap_host;

/* The one exported symbol of a plugin, named ap_plugin_NAME. */
struct ap_plugin {
	uint16_t abi_major;
	uint16_t abi_minor;
	uint32_t size;                   /* sizeof(struct ap_plugin) */
	const char *name;                /* [a-z][a-z0-9_]*, the file's name */
	const char *version;
	const char *description;         /* msgid, shown to admins */
	const char *const *depends;      /* plugins that must be enabled too */
	const char *const *suggests;     /* offered when this one is enabled */
	/* Once per process, before workers start: read settings, compile
	 * patterns.  *state is handed back to every handler and hook. */
	int (*init)(const struct ap_host *ap, void **state);
	/* Once in each process that serves, before its first request (in
	 * each worker after the fork, in standalone mode). */
	int (*worker_init)(void *state);
	void (*fini)(void *state);
	const struct ap_route *routes;   /* ends with a zeroed entry */
	const struct ap_hook *hooks;     /* listened to; ends zeroed */
	const char *const *runs;         /* hooks it runs, for the record */
	const struct ap_setting *settings; /* ends zeroed */
	const struct ap_command *commands; /* ends zeroed */
	const struct ap_nav *nav;        /* ends zeroed */
	const char *schema;              /* migrations owner: schema/OWNER/ */
};

/* Marks a msgid for translation where it is translated later with ap->tr
 * (descriptions, navigation labels, tables of texts).  Texts are French;
 * xgettext finds them with the keywords tr:2, tr_in:2, trn:2,3 and AP_N_. */
#define AP_N_(s) (s)

#define AP_PLUGIN(n) const struct ap_plugin ap_plugin_##n
#define AP_PLUGIN_HEAD                                                   \
	.abi_major = AP_ABI_MAJOR, .abi_minor = AP_ABI_MINOR,            \
	.size = sizeof(struct ap_plugin)

/* ---- Values bound to prepared statements ------------------------------ */

enum ap_val_type { AP_T_END = 0, AP_T_INT, AP_T_DOUBLE, AP_T_TEXT, AP_T_NULL };

struct ap_val {
	enum ap_val_type type;
	long long i;
	double d;
	const char *s;   /* AP_T_TEXT: NULL binds SQL NULL */
	size_t len;      /* (size_t)-1: strlen(s) */
};

#define AP_INT(x) ((struct ap_val){ .type = AP_T_INT, .i = (long long)(x) })
#define AP_DOUBLE(x) ((struct ap_val){ .type = AP_T_DOUBLE, .d = (x) })
#define AP_TEXT(x) \
	((struct ap_val){ .type = AP_T_TEXT, .s = (x), .len = (size_t)-1 })
#define AP_BLOB(p, n) ((struct ap_val){ .type = AP_T_TEXT, .s = (p), .len = (n) })
#define AP_NULLV ((struct ap_val){ .type = AP_T_NULL })
/* AP_ARGS(AP_TEXT(page), AP_INT(id)): the argument list of one statement. */
#define AP_ARGS(...) \
	((const struct ap_val[]){ __VA_ARGS__, { .type = AP_T_END } })
#define AP_NOARGS ((const struct ap_val *)0)

/* ---- Forms ------------------------------------------------------------- */

/* One labelled field, written by ap->field: label, control, hint and the
 * error message next to it (aria-describedby, aria-invalid). */
struct ap_field {
	const char *type;     /* "text", "email", "url", "password",
	                         "textarea", "checkbox", "hidden", "search" */
	const char *name;
	const char *label;    /* already translated */
	const char *value;    /* what the person typed; checkbox: non-NULL = on */
	const char *error;    /* already translated, or NULL */
	const char *hint;     /* already translated, or NULL */
	const char *autocomplete;
	int required;
	int maxlength;        /* 0: none */
	int rows;             /* textarea */
	const char *id;       /* element id; default "f-" NAME */
};

/* ---- Users (the login plugin fills them; the core hands them out) ------ */

struct ap_user {
	long long id;
	const char *email;
	const char *name;
	const char *role;     /* "admin", "moderator", "expert", "member" */
};

/* ---- Data of the hooks of the core and bundled plugins ----------------- */

/* "session.load": run before routing.  A listener that knows the visitor
 * calls ap->set_user.  data: NULL. */

/* "form.fields" (data: struct ap_form_ctx): run inside a public form (a
 * comment, a contact message, a mission request) so that other plugins add
 * their hidden fields, e.g. antispam's honeypot and timing token. */
struct ap_form_ctx {
	uint32_t size;
	const char *kind;        /* "comment", "contact", "mission" */
	const char *form;        /* the form's name */
};

/* "content.check" (data: struct ap_content): run on each submission of
 * public content before it is stored.  Listeners raise the verdict, add to
 * the score and append reasons. "content.verdict": a moderator decided
 * (verdict is AP_SPAM or AP_HAM), listeners learn from it. */
enum ap_verdict { AP_HAM = 0, AP_UNSURE = 1, AP_SPAM = 2 };

struct ap_content {
	uint32_t size;
	const char *kind;        /* "comment", "contact", "mission" */
	const char *form;        /* form name, for the form's own fields */
	const char *text;        /* the main text */
	const char *subject;     /* may be NULL */
	const char *author;
	const char *email;
	const char *url;         /* website given by the author, or NULL */
	const char *ip;
	const char *user_agent;
	const char *page;        /* page key or form path */
	long long id;            /* content.verdict: the item's id */
	/* filled by content.check listeners */
	enum ap_verdict verdict;
	double score;            /* 0 (ham) .. 1 (spam) */
	char *reasons;           /* "; "-separated, in the request's arena */
	int checked;             /* a listener judged it */
	int retry;               /* the visitor must send again (text kept),
	                            e.g. the form token expired */
};

/* "admin.dashboard" (data: NULL): run by the admin console's home inside a
 * <ul class="attention">; each listener writes <li> items (with links) for
 * what waits: pending comments, unread messages ...
 * "admin.menu" (data: NULL): run inside the admin console's <ul> menu;
 * each listener writes <li><a href="..."> to its admin pages, when the
 * visitor's role allows them.
 * "cron" (data: NULL): run between requests at most once a minute per
 * process (and by aparte-admin cron): purge what expired. */

/* "privacy.export" (data: struct ap_privacy): each listener adds what it
 * holds about the email with ap->privacy_item. "privacy.erase": each
 * listener erases or anonymizes it and adds to `erased`. */
struct ap_privacy {
	uint32_t size;
	const char *email;
	long erased;
	void *priv;              /* the core's */
};

/* "users.with_role" (data: struct ap_role_list): a plugin that keeps
 * accounts (login) appends the addresses of its active users who hold
 * exactly `role`, space-separated, to `emails` (NULL at first; a string in
 * the request's arena).  Comments mails its moderators this way. */
struct ap_role_list {
	uint32_t size;
	const char *role;        /* "admin", "moderator", "expert", "member" */
	char *emails;
};

/* ---- Installed plugins (the admin console's list) ------------------------ */

/* One installed plugin as ap->plugins_list describes it.  Strings are the
 * core's (valid for the process's life) or in the request's arena. */
struct ap_plugin_info {
	uint32_t size;                   /* sizeof(struct ap_plugin_info) */
	const char *name;
	const char *version;             /* NULL when unreadable */
	const char *description;         /* msgid, or NULL */
	const char *const *depends;      /* NULL-terminated, or NULL */
	const char *const *suggests;     /* NULL-terminated, or NULL */
	int loaded;                      /* loaded and initialised */
	int enabled;                     /* on for every worker (database) */
	const char *error;               /* why it is off when not loaded */
};

/* ---- Log levels --------------------------------------------------------- */

enum ap_log_level { AP_LOG_ERR = 3, AP_LOG_WARN = 4, AP_LOG_INFO = 6,
	AP_LOG_DEBUG = 7 };

/* Cookie flags for ap->set_cookie. */
enum { AP_COOKIE_HTTPONLY = 1 << 0, AP_COOKIE_SESSION = 1 << 1 };

/* ---- The host table ------------------------------------------------------ */

struct ap_host {
	uint32_t size;
	uint16_t abi_major, abi_minor;
	const char *version;

	/* Log one line to stderr, "LEVEL plugin: message".  Never log a
	 * password or a token. */
	void (*log)(enum ap_log_level lvl, const char *fmt, ...) AP_PRINTF(2, 3);

	/* Settings of a section of aparte.conf (the declared default when the
	 * file does not set it).  Valid for the process's life. */
	const char *(*conf)(const char *section, const char *key);
	long long (*conf_int)(const char *section, const char *key);

	/* -- Request -- (NULL when absent; strings live until the request
	 * ends; values are valid UTF-8 without NUL). */
	const char *(*method)(struct ap_req *r);
	const char *(*path)(struct ap_req *r);      /* below the mount path */
	const char *(*env)(struct ap_req *r, const char *name); /* CGI param */
	const char *(*arg)(struct ap_req *r, const char *name); /* query */
	size_t (*args)(struct ap_req *r, const char *name, const char ***vals);
	const char *(*form)(struct ap_req *r, const char *name); /* body */
	size_t (*forms)(struct ap_req *r, const char *name, const char ***vals);
	const char *(*cookie)(struct ap_req *r, const char *name);
	const char *(*route_arg)(struct ap_req *r, const char *name);
	const char *(*client_ip)(struct ap_req *r);
	const char *(*lang)(struct ap_req *r);       /* "fr", "en" */
	int (*is_fragment)(struct ap_req *r);
	int (*is_cli)(struct ap_req *r);
	time_t (*now)(struct ap_req *r);             /* the request's time */

	/* -- Memory: the request's arena, freed in one go at its end. */
	void *(*alloc)(struct ap_req *r, size_t n);  /* zeroed; never NULL */
	char *(*strdup)(struct ap_req *r, const char *s);
	char *(*strndup)(struct ap_req *r, const char *s, size_t n);
	char *(*printf)(struct ap_req *r, const char *fmt, ...) AP_PRINTF(2, 3);
	void (*on_cleanup)(struct ap_req *r, void (*fn)(void *), void *arg);

	/* -- URLs -- */
	char *(*url)(struct ap_req *r, const char *path);     /* mount + path */
	char *(*abs_url)(struct ap_req *r, const char *path); /* base + mount + path */
	const char *(*static_url)(struct ap_req *r);          /* www/static */
	char *(*urlencode)(struct ap_req *r, const char *s);
	int (*is_local_path)(const char *target); /* safe redirect target */

	/* -- Response -- */
	void (*status)(struct ap_req *r, int code);
	int (*header)(struct ap_req *r, const char *name, const char *value);
	int (*set_cookie)(struct ap_req *r, const char *name, const char *value,
	    long max_age, unsigned flags);
	int (*redirect)(struct ap_req *r, int code, const char *location);
	void (*content_type)(struct ap_req *r, const char *type);
	void (*no_cache)(struct ap_req *r);
	int (*write)(struct ap_req *r, const void *data, size_t n);
	int (*out)(struct ap_req *r, const char *fmt, ...) AP_PRINTF(2, 3);

	/* -- XHTML writer: everything it writes is escaped.  Attribute lists
	 * are name, value pairs ending with NULL; a NULL value drops the
	 * attribute.  Elements are closed with their full end tag. */
	int (*page_begin)(struct ap_req *r, const char *title);
	int (*page_end)(struct ap_req *r);
	void (*open)(struct ap_req *r, const char *el, ...) AP_SENTINEL;
	void (*close)(struct ap_req *r);
	void (*elem)(struct ap_req *r, const char *el, const char *text, ...)
	    AP_SENTINEL;
	void (*empty)(struct ap_req *r, const char *el, ...) AP_SENTINEL;
	void (*text)(struct ap_req *r, const char *s);
	void (*textf)(struct ap_req *r, const char *fmt, ...) AP_PRINTF(2, 3);
	void (*field)(struct ap_req *r, const struct ap_field *f);
	void (*message)(struct ap_req *r, const char *kind, const char *text);
	/* XML of another kind (an Atom feed): same writer, no layout. */
	int (*xml_begin)(struct ap_req *r, const char *content_type);
	int (*xml_end)(struct ap_req *r);

	/* -- Tokens and forms -- */
	void (*csrf_field)(struct ap_req *r, const char *form);
	int (*csrf_check)(struct ap_req *r, const char *form);
	char *(*sign)(struct ap_req *r, const char *purpose, const char *payload);
	int (*verify)(struct ap_req *r, const char *purpose, const char *token,
	    long max_age, const char **payload, long *age);
	int (*spend)(struct ap_req *r, const char *purpose, const char *token,
	    long ttl);  /* AP_OK first time, AP_EDUP when already spent */
	char *(*random_token)(struct ap_req *r, size_t bytes); /* base64url */
	char *(*hash_hex)(struct ap_req *r, const char *s);    /* keyed, hex */
	int (*equal)(const char *a, const char *b);            /* constant time */

	/* -- Translations (gettext catalogs, French msgids) and dates -- */
	const char *(*tr)(struct ap_req *r, const char *msgid);
	const char *(*trn)(struct ap_req *r, const char *sing, const char *plur,
	    unsigned long n);
	char *(*date)(struct ap_req *r, time_t t);      /* localized, long */
	char *(*iso_date)(struct ap_req *r, time_t t);  /* RFC 3339 */

	/* -- Database: prepared statements only.  Cells are strings in the
	 * arena (NULL for SQL NULL).  Errors are logged by the core. */
	struct ap_res *(*query)(struct ap_req *r, const char *sql,
	    const struct ap_val *args);
	int (*exec)(struct ap_req *r, const char *sql, const struct ap_val *args);
	size_t (*rows)(const struct ap_res *res);
	const char *(*cell)(const struct ap_res *res, size_t row, size_t col);
	size_t (*cell_len)(const struct ap_res *res, size_t row, size_t col);
	long long (*cell_int)(const struct ap_res *res, size_t row, size_t col);
	long long (*insert_id)(struct ap_req *r);
	long long (*affected)(struct ap_req *r);
	int (*db_error)(struct ap_req *r);  /* last error code, AP_EDB/AP_EDUP */
	int (*begin)(struct ap_req *r);
	int (*commit)(struct ap_req *r);
	int (*rollback)(struct ap_req *r);
	/* Shared counters (cache invalidation across hosts). */
	long long (*counter)(struct ap_req *r, const char *name);
	int (*counter_bump)(struct ap_req *r, const char *name);
	/* Rate limit: count one hit for key; AP_OK while under max hits in
	 * window seconds, AP_STOP once over. */
	int (*rate)(struct ap_req *r, const char *key, int max, long window);

	/* -- Plugins and hooks -- */
	int (*hook_run)(struct ap_req *r, const char *name, void *data);
	int (*plugin_enabled)(struct ap_req *r, const char *name);

	/* -- Users -- */
	const struct ap_user *(*user)(struct ap_req *r);
	void (*set_user)(struct ap_req *r, const struct ap_user *u);
	int (*has_role)(struct ap_req *r, const char *role);
	/* AP_OK when the visitor has the role; otherwise answers (a redirect
	 * to login, or 403) and returns what the handler should return. */
	int (*require_role)(struct ap_req *r, const char *role);

	/* -- Mail: queued in the database, then sent through the configured
	 * command.  Header values are checked: no CR or LF reaches them. */
	int (*mail)(struct ap_req *r, const char *to, const char *subject,
	    const char *body, const char *list_unsubscribe);

	/* -- Privacy export: one item of what is held about an email. */
	void (*privacy_item)(struct ap_req *r, struct ap_privacy *p,
	    const char *kind, const char *const *kv);
	/* -- Admin audit trail: who (the current user), what, from where. */
	int (*audit)(struct ap_req *r, const char *action, const char *detail);

	/* -- Plugins, for the admin console (ABI minor 1) -- */
	/* Every installed plugin in name order, its state read from the
	 * database now; *list lives in the arena.  Returns the count, or
	 * AP_EDB. */
	long (*plugins_list)(struct ap_req *r,
	    const struct ap_plugin_info **list);
	/* Enables (on != 0) or disables a plugin for every worker of every
	 * host within a second.  AP_EINVAL when it is not installed, did not
	 * load, needs a plugin that is off, or is needed by one that is on
	 * (the reason is logged); AP_EDB. */
	int (*plugin_enable)(struct ap_req *r, const char *name, int on);

	/* -- Markup kept for later (ABI minor 2), for caches of rendered views:
	 * markup_begin starts keeping a copy of what the writer writes;
	 * markup_end stops and returns the copy (in the arena; NULL when the
	 * elements opened since are not all closed, or when one opened
	 * before was closed); markup writes such a
	 * copy back at the writer's current place, in another request.  A
	 * plugin gives markup only bytes that markup_end returned, and drops
	 * them when the data they show changes. */
	void (*markup_begin)(struct ap_req *r);
	char *(*markup_end)(struct ap_req *r, size_t *len);
	int (*markup)(struct ap_req *r, const char *bytes, size_t len);

	/* -- Translation into a language other than the request's (ABI minor
	 * 3), for mail to someone who is not the visitor: lang as stored
	 * from ap->lang ("fr", "en"); msgid itself when the language or the
	 * message is unknown. */
	const char *(*tr_in)(const char *lang, const char *msgid);
};

#ifdef __cplusplus
}
#endif

#endif /* APARTE_PLUGIN_H */
