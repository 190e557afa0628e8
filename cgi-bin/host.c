/*
 * host.c: the table of services lent to plugins (struct ap_host).  Most
 * entries are thin: they give the plugin the core's function with the
 * request's arena, clock and language already applied.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

#define AP_AUDIT_DETAIL_MAX 1000   /* characters: ap_audit.detail */

static void
host_log(enum ap_log_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ap_vlog(lvl, fmt, ap);
	va_end(ap);
}

static const char *
host_conf(const char *section, const char *key)
{
	return ap_conf_get(&ap_core.conf, section, key);
}

static long long
host_conf_int(const char *section, const char *key)
{
	return ap_conf_num(&ap_core.conf, section, key);
}

static const char *
host_method(struct ap_req *r)
{
	return r->method;
}

static const char *
host_path(struct ap_req *r)
{
	return r->path;
}

static const char *
host_arg(struct ap_req *r, const char *name)
{
	return ap_kv_get(&r->query, name);
}

static size_t
host_args(struct ap_req *r, const char *name, const char ***vals)
{
	return ap_kv_all(r->a, &r->query, name, vals);
}

static const char *
host_form(struct ap_req *r, const char *name)
{
	return ap_kv_get(&r->form, name);
}

static size_t
host_forms(struct ap_req *r, const char *name, const char ***vals)
{
	return ap_kv_all(r->a, &r->form, name, vals);
}

static const char *
host_cookie(struct ap_req *r, const char *name)
{
	return ap_kv_get(&r->cookies, name);
}

static const char *
host_route_arg(struct ap_req *r, const char *name)
{
	return ap_kv_get(&r->rargs, name);
}

static const char *
host_client_ip(struct ap_req *r)
{
	const char *ip = r->e.remote_addr;

	return ip ? ip : "";
}

static const char *
host_lang(struct ap_req *r)
{
	return r->lang;
}

static int
host_is_fragment(struct ap_req *r)
{
	return r->fragment;
}

static int
host_is_cli(struct ap_req *r)
{
	return r->cli;
}

static time_t
host_now(struct ap_req *r)
{
	return r->now;
}

static void *
host_alloc(struct ap_req *r, size_t n)
{
	return ap_arena_alloc(r->a, n);
}

static char *
host_strdup(struct ap_req *r, const char *s)
{
	return ap_arena_strdup(r->a, s);
}

static char *
host_strndup(struct ap_req *r, const char *s, size_t n)
{
	size_t l = strnlen(s, n);

	return ap_arena_strndup(r->a, s, l);
}

static char *
host_printf(struct ap_req *r, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = ap_arena_vprintf(r->a, fmt, ap);
	va_end(ap);
	return s;
}

static void
host_on_cleanup(struct ap_req *r, void (*fn)(void *), void *arg)
{
	ap_arena_cleanup(r->a, fn, arg);
}

static char *
host_url(struct ap_req *r, const char *path)
{
	const char *m = strcmp(ap_core.mount, "/") == 0 ? "" : ap_core.mount;

	return ap_arena_printf(r->a, "%s%s", m, path ? path : "");
}

static char *
host_abs_url(struct ap_req *r, const char *path)
{
	return ap_arena_printf(r->a, "%s%s", ap_core.base_url,
	    host_url(r, path));
}

static const char *
host_static_url(struct ap_req *r)
{
	(void)r;
	return ap_core.static_url;
}

static char *
host_urlencode(struct ap_req *r, const char *s)
{
	return ap_urlencode(r->a, s ? s : "");
}

static int
host_is_local_path(const char *t)
{
	return ap_is_local_path(t);
}

static void
host_status(struct ap_req *r, int code)
{
	if (code >= 100 && code <= 599)
		r->status = code;
}

static bool
host_token_chars(const char *s)
{
	if (s == NULL || *s == '\0')
		return false;
	for (; *s; s++)
		if (!(isalnum((unsigned char)*s) || strchr("!#$%&'*+-.^_`|~",
		    *s)))
			return false;
	return true;
}

static bool
host_value_ok(const char *s)
{
	for (; s && *s; s++)
		if ((unsigned char)*s < 0x20 && *s != '\t')
			return false;
	return s != NULL;
}

/* Adds a header line; a name or value that could split the header block
 * is refused and logged. */
static int
host_header(struct ap_req *r, const char *name, const char *value)
{
	if (!host_token_chars(name) || !host_value_ok(value)) {
		ap_log(AP_LOG_ERR, "core: header %s refused (bad characters)",
		    name ? name : "(null)");
		return AP_EINVAL;
	}
	ap_buf_printf(r->hdrs, "%s: %s\r\n", name, value);
	return AP_OK;
}

/* Cookies are scoped to the mount path, SameSite=Lax, Secure on an HTTPS
 * site.  max_age < 0 deletes; AP_COOKIE_SESSION makes it end with the
 * browser. */
static int
host_set_cookie(struct ap_req *r, const char *name, const char *value,
    long max_age, unsigned flags)
{
	char *line;

	if (!host_token_chars(name) || value == NULL)
		return AP_EINVAL;
	for (const char *p = value; *p; p++)
		if (!(isalnum((unsigned char)*p) || strchr("-_.~!*'()+/:=@", *p)))
			return AP_EINVAL;
	line = ap_arena_printf(r->a, "%s=%s; Path=%s; SameSite=Lax%s%s",
	    name, value, strcmp(ap_core.mount, "") ? ap_core.mount : "/",
	    ap_core.https ? "; Secure" : "",
	    (flags & AP_COOKIE_HTTPONLY) ? "; HttpOnly" : "");
	if (max_age < 0)
		line = ap_arena_printf(r->a, "%s; Max-Age=0", line);
	else if (!(flags & AP_COOKIE_SESSION))
		line = ap_arena_printf(r->a, "%s; Max-Age=%ld", line, max_age);
	return host_header(r, "Set-Cookie", line);
}

/* A redirect.  Location holds a URI: the bytes that cannot be in one
 * (spaces, quotes, angle brackets, and all that is not ASCII, such as
 * the accents of a page's path) go percent-encoded; a "%" stays, as it
 * may already escape one, and a line break is refused as in any
 * header. */
static int
host_redirect(struct ap_req *r, int code, const char *location)
{
	static const char hex[] = "0123456789ABCDEF";
	char *u, *o;

	if (location == NULL)
		return AP_ERROR;
	u = o = ap_arena_alloc_raw(r->a, strlen(location) * 3 + 1);
	for (const unsigned char *p = (const unsigned char *)location; *p;
	    p++) {
		if (*p == ' ' || *p == '\t' || *p >= 0x7f ||
		    strchr("\"<>\\^`{|}", *p)) {
			*o++ = '%';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 15];
		} else {
			*o++ = (char)*p;
		}
	}
	*o = '\0';
	if (host_header(r, "Location", u) != AP_OK)
		return AP_ERROR;
	r->status = code ? code : 303;
	r->ctype = NULL;
	ap_x_discard(r);
	return AP_OK;
}

static void
host_content_type(struct ap_req *r, const char *type)
{
	r->ctype = ap_arena_strdup(r->a, type);
}

static void
host_no_cache(struct ap_req *r)
{
	r->nocache = true;
}

static int
host_write(struct ap_req *r, const void *data, size_t n)
{
	ap_buf_add(r->ob, data, n);
	ap_req_flush(r, false);
	return r->ob->failed ? AP_ERROR : AP_OK;
}

static int
host_out(struct ap_req *r, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = ap_arena_vprintf(r->a, fmt, ap);
	va_end(ap);
	return host_write(r, s, strlen(s));
}

/* ---- tokens and forms ---- */

/* The visitor's id (cookie ap_v), made and sent on first need, and made
 * again for a cookie that is not one (22 characters of base64url): the
 * forms' tokens hold it between "|". */
static const char *
host_visitor(struct ap_req *r)
{
	const char *v;

	if (r->visitor != NULL)
		return r->visitor;
	v = ap_kv_get(&r->cookies, "ap_v");
	if (v == NULL || strlen(v) != 22 || strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-_") != 22) {
		v = ap_token_random(r->a, 16);
		host_set_cookie(r, "ap_v", v, 0, AP_COOKIE_HTTPONLY |
		    AP_COOKIE_SESSION);
	}
	r->visitor = v;
	return v;
}

/* A form's token: FORM|VISITOR|USER|NONCE, signed.  The nonce makes two
 * forms shown in the same second (a form sent back with its errors)
 * differ: one being spent leaves the other good. */
static void
host_csrf_field(struct ap_req *r, const char *form)
{
	const char *tok = ap_token_sign(r->a, "csrf", ap_arena_printf(r->a,
	    "%s|%s|%lld|%s", form ? form : "", host_visitor(r),
	    r->has_user ? r->user.id : 0LL, ap_token_random(r->a, 6)), r->now);

	ap_x_empty(r, "input", "type", "hidden", "name", "_csrf", "value", tok,
	    NULL);
}

/* A form's token is valid when it was made here for this form (any form
 * when form is NULL), for this visitor (or for a visitor whose browser
 * kept no cookie, while nobody is signed in: a form embedded in a cached
 * page), for the same user, less than a day ago, and was never used. */
static int
host_csrf_check(struct ap_req *r, const char *form)
{
	const char *tok = ap_kv_get(&r->form, "_csrf"), *payload = NULL;
	const char *cookie = ap_kv_get(&r->cookies, "ap_v");
	char *f, *v, *u, *end;
	long age;
	int rc;

	if (tok == NULL)
		return AP_EINVAL;
	rc = ap_token_verify(r->a, "csrf", tok, r->now, 86400, &payload, &age);
	if (rc != AP_OK)
		return rc;
	f = ap_arena_strdup(r->a, payload);
	v = strchr(f, '|');
	if (v == NULL)
		return AP_EINVAL;
	*v++ = '\0';
	u = strchr(v, '|');
	if (u == NULL)
		return AP_EINVAL;
	*u++ = '\0';
	if (form != NULL && strcmp(f, form) != 0)
		return AP_EINVAL;
	if (strtoll(u, &end, 10) != (r->has_user ? r->user.id : 0LL) ||
	    end == u || (*end != '\0' && *end != '|'))
		return AP_EINVAL;
	if (cookie != NULL ? !ap_token_equal(cookie, v) : r->has_user)
		return AP_EINVAL;
	rc = ap_db_spend(r, "csrf", tok, 86400 + 300);
	if (rc == AP_EDUP)
		return AP_EINVAL;
	return rc;
}

static char *
host_sign(struct ap_req *r, const char *purpose, const char *payload)
{
	return ap_token_sign(r->a, purpose, payload ? payload : "", r->now);
}

static int
host_verify(struct ap_req *r, const char *purpose, const char *token,
    long max_age, const char **payload, long *age)
{
	return ap_token_verify(r->a, purpose, token, r->now, max_age, payload,
	    age);
}

static char *
host_random_token(struct ap_req *r, size_t bytes)
{
	return ap_token_random(r->a, bytes);
}

static char *
host_hash_hex(struct ap_req *r, const char *s)
{
	return ap_token_hash_hex(r->a, s ? s : "");
}

/* ---- translations ---- */

static const char *
host_tr(struct ap_req *r, const char *msgid)
{
	return ap_i18n_tr(r ? r->lang : ap_core.lang, msgid);
}

static const char *
host_trn(struct ap_req *r, const char *sing, const char *plur,
    unsigned long n)
{
	return ap_i18n_trn(r ? r->lang : ap_core.lang, sing, plur, n);
}

static char *
host_date(struct ap_req *r, time_t t)
{
	return ap_i18n_date(r->a, r->lang, t);
}

static char *
host_iso_date(struct ap_req *r, time_t t)
{
	struct tm tm;
	char buf[32];

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return ap_arena_strdup(r->a, buf);
}

/* ---- database ---- */

static long long
host_insert_id(struct ap_req *r)
{
	return r->insert_id;
}

static long long
host_affected(struct ap_req *r)
{
	return r->affected;
}

static int
host_db_error(struct ap_req *r)
{
	return r->db_err;
}

/* ---- plugins, users ---- */

static int
host_plugin_enabled(struct ap_req *r, const char *name)
{
	int k = ap_plugin_index(name);

	if (k < 0 || !ap_core.plugins[k].loaded)
		return 0;
	return r->cli ? 1 : ap_req_enabled(r, k);
}

static const struct ap_user *
host_user(struct ap_req *r)
{
	return r->has_user ? &r->user : NULL;
}

static void
host_set_user(struct ap_req *r, const struct ap_user *u)
{
	if (u == NULL) {
		r->has_user = false;
		memset(&r->user, 0, sizeof(r->user));
		return;
	}
	r->user.id = u->id;
	r->user.email = ap_arena_strdup(r->a, u->email ? u->email : "");
	r->user.name = ap_arena_strdup(r->a, u->name ? u->name : "");
	r->user.role = ap_arena_strdup(r->a, u->role ? u->role : "member");
	r->has_user = true;
}

/* admin can do everything; moderator and expert are roles of their own;
 * "member" means any signed-in user. */
static int
host_has_role(struct ap_req *r, const char *role)
{
	if (!r->has_user)
		return 0;
	if (role == NULL || strcmp(role, "member") == 0)
		return 1;
	if (strcmp(r->user.role, "admin") == 0)
		return 1;
	return strcmp(r->user.role, role) == 0;
}

static int
host_require_role(struct ap_req *r, const char *role)
{
	char allow[64];
	const struct ap_route_ent *rt = NULL;
	struct ap_kvlist args = { 0 };

	if (host_has_role(r, role))
		return AP_OK;
	if (!r->has_user && ap_router_match(&ap_core.router, r->a, "GET",
	    "/login", ap_req_enabled, r, &rt, &args, allow, sizeof(allow)) ==
	    AP_MATCH_OK) {
		const char *uri = ap_req_env(r, "REQUEST_URI");

		host_redirect(r, 303, ap_arena_printf(r->a,
		    "%s?redirect_to=%s", host_url(r, "/login"),
		    ap_urlencode(r->a, uri && ap_is_local_path(uri) ? uri :
		    host_url(r, r->path))));
		return AP_STOP;
	}
	ap_req_error_page(r, 403, NULL);
	return AP_STOP;
}

static int
host_mail(struct ap_req *r, const char *to, const char *subject,
    const char *body, const char *unsub)
{
	return ap_mail_queue(r, to, subject, body, unsub);
}

/* Privacy export: items are gathered by the command that runs the hook
 * (admin.c) through the sink it leaves in p->priv. */
static void
host_privacy_item(struct ap_req *r, struct ap_privacy *p, const char *kind,
    const char *const *kv)
{
	struct ap_privacy_sink *s = p ? p->priv : NULL;

	if (s != NULL && s->item != NULL)
		s->item(r, s, r->plugin >= 0 ? ap_core.plugins[r->plugin].name :
		    "core", kind, kv);
}

/* Records what an admin did.  The detail is cut to the 1000 characters
 * of its column (between two characters), so that a long one is recorded
 * too. */
static int
host_audit(struct ap_req *r, const char *action, const char *detail)
{
	if (detail != NULL) {
		detail = ap_utf8_clean(r->a, detail);
		detail = ap_arena_strndup(r->a, detail,
		    ap_utf8_prefix(detail, AP_AUDIT_DETAIL_MAX));
	}
	return ap_db_exec(r, "INSERT INTO ap_audit (at, user_id, user_email, "
	    "ip, action, detail) VALUES (UTC_TIMESTAMP(), ?, ?, ?, ?, ?)",
	    AP_ARGS(r->has_user ? AP_INT(r->user.id) : AP_NULLV,
	    AP_TEXT(r->has_user ? r->user.email : (r->cli ? "(command line)" :
	    NULL)), AP_TEXT(r->cli ? "" : host_client_ip(r)), AP_TEXT(action),
	    AP_TEXT(detail)));
}

/* ---- plugins, for the admin console ---- */

/* Every installed plugin with what the admin needs to decide: the state
 * comes from the database (not this worker's view, which may be up to a
 * second old). */
static long
host_plugins_list(struct ap_req *r, const struct ap_plugin_info **list)
{
	bool *en = ap_arena_alloc(r->a, ap_core.nplugins + 1);
	struct ap_plugin_info *v = ap_arena_alloc(r->a,
	    (ap_core.nplugins + 1) * sizeof(*v));
	int rc = ap_plugins_read_enabled(r, en);

	if (rc != AP_OK)
		return rc == AP_ERROR ? AP_ERROR : AP_EDB;
	for (size_t i = 0; i < ap_core.nplugins; i++) {
		const struct ap_plugin_ent *p = &ap_core.plugins[i];

		v[i].size = sizeof(v[i]);
		v[i].name = p->name;
		/* d stays zeroed unless the descriptor passed the ABI check,
		 * and a .so is never unloaded: its strings stay valid. */
		v[i].version = p->d.version;
		v[i].description = p->d.description;
		v[i].depends = p->d.depends;
		v[i].suggests = p->d.suggests;
		v[i].loaded = p->loaded;
		v[i].enabled = p->loaded && en[i];
		v[i].error = p->loaded ? NULL : (p->error ? p->error :
		    "not loaded");
	}
	if (list != NULL)
		*list = v;
	return (long)ap_core.nplugins;
}

static int
host_plugin_enable(struct ap_req *r, const char *name, int on)
{
	if (name == NULL)
		return AP_EINVAL;
	return ap_plugin_set_enabled(r, name, on != 0);
}

const struct ap_host ap_host_table = {
	.size = sizeof(struct ap_host),
	.abi_major = AP_ABI_MAJOR,
	.abi_minor = AP_ABI_MINOR,
	.version = PACKAGE_VERSION,
	.log = host_log,
	.conf = host_conf,
	.conf_int = host_conf_int,
	.method = host_method,
	.path = host_path,
	.env = ap_req_env,
	.arg = host_arg,
	.args = host_args,
	.form = host_form,
	.forms = host_forms,
	.cookie = host_cookie,
	.route_arg = host_route_arg,
	.client_ip = host_client_ip,
	.lang = host_lang,
	.is_fragment = host_is_fragment,
	.is_cli = host_is_cli,
	.now = host_now,
	.alloc = host_alloc,
	.strdup = host_strdup,
	.strndup = host_strndup,
	.printf = host_printf,
	.on_cleanup = host_on_cleanup,
	.url = host_url,
	.abs_url = host_abs_url,
	.static_url = host_static_url,
	.urlencode = host_urlencode,
	.is_local_path = host_is_local_path,
	.status = host_status,
	.header = host_header,
	.set_cookie = host_set_cookie,
	.redirect = host_redirect,
	.content_type = host_content_type,
	.no_cache = host_no_cache,
	.write = host_write,
	.out = host_out,
	.page_begin = ap_x_page_begin,
	.page_end = ap_x_page_end,
	.open = ap_x_open,
	.close = ap_x_close,
	.elem = ap_x_elem,
	.empty = ap_x_empty,
	.text = ap_x_text,
	.textf = ap_x_textf,
	.field = ap_x_field,
	.message = ap_x_message,
	.xml_begin = ap_x_xml_begin,
	.xml_end = ap_x_xml_end,
	.csrf_field = host_csrf_field,
	.csrf_check = host_csrf_check,
	.sign = host_sign,
	.verify = host_verify,
	.spend = ap_db_spend,
	.random_token = host_random_token,
	.hash_hex = host_hash_hex,
	.equal = ap_token_equal,
	.tr = host_tr,
	.trn = host_trn,
	.date = host_date,
	.iso_date = host_iso_date,
	.query = ap_db_query,
	.exec = ap_db_exec,
	.rows = ap_db_rows,
	.cell = ap_db_cell,
	.cell_len = ap_db_cell_len,
	.cell_int = ap_db_cell_int,
	.insert_id = host_insert_id,
	.affected = host_affected,
	.db_error = host_db_error,
	.begin = ap_db_begin,
	.commit = ap_db_commit,
	.rollback = ap_db_rollback,
	.counter = ap_db_counter,
	.counter_bump = ap_db_counter_bump,
	.rate = ap_db_rate,
	.hook_run = ap_hook_run,
	.plugin_enabled = host_plugin_enabled,
	.user = host_user,
	.set_user = host_set_user,
	.has_role = host_has_role,
	.require_role = host_require_role,
	.mail = host_mail,
	.privacy_item = host_privacy_item,
	.audit = host_audit,
	.plugins_list = host_plugins_list,
	.plugin_enable = host_plugin_enable,
	.markup_begin = ap_x_markup_begin,
	.markup_end = ap_x_markup_end,
	.markup = ap_x_markup,
	.tr_in = ap_i18n_tr,
};
