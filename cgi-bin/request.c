/*
 * request.c: a request's life.  ap_req_begin reads and checks everything
 * the visitor sent (with hard limits), ap_req_dispatch finds the route and
 * runs the handler, ap_req_finish sends what is left of the answer.  The
 * answer is buffered until it grows past AP_FLUSH_AT, so that an error found
 * early can still become a clean error page and a small answer goes out
 * with its Content-Length.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core.h"

#define AP_FLUSH_AT (64 * 1024)

const char *
ap_status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 410: return "Gone";
	case 411: return "Length Required";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Unknown";
	}
}

/* A parameter of the web server, as valid UTF-8: the headers are not
 * checked when the request is read (a browser's odd User-Agent refuses
 * nothing), so a byte that is not UTF-8 becomes U+FFFD here, before a
 * plugin stores or shows it. */
const char *
ap_req_env(struct ap_req *r, const char *name)
{
	if (r->cli || r->envp == NULL)
		return NULL;
	return ap_utf8_clean(r->a, FCGX_GetParam(name, r->envp));
}

void
ap_req_init_cli(struct ap_req *r, struct ap_worker *w)
{
	memset(r, 0, sizeof(*r));
	r->w = w;
	r->a = &w->arena;
	r->cli = true;
	r->now = time(NULL);
	r->method = "CLI";
	r->path = "";
	r->lang = ap_core.lang;
	r->plugin = -1;
	r->status = 200;
	w->out.len = 0;
	w->hdrs.len = 0;
	r->ob = &w->out;
	r->hdrs = &w->hdrs;
	r->hdrs_keep = (size_t)-1;
}

/* Records why the request is refused (a msgid for the error page) and
 * returns the status. */
static int
req_fail(struct ap_req *r, int status, const char *why)
{
	r->reason = why;
	return status;
}

static const char *
req_parse_msg(enum ap_parse_rc rc)
{
	switch (rc) {
	case AP_PARSE_BAD_ESCAPE:
		return N_("La requête contient un échappement « % » mal formé.");
	case AP_PARSE_BAD_UTF8:
		return N_("La requête contient du texte qui n’est pas de "
		    "l’UTF-8 valide, ou un caractère nul.");
	case AP_PARSE_TOO_MANY:
		return N_("La requête contient trop de champs.");
	case AP_PARSE_TOO_LONG:
		return N_("Un champ de la requête est trop long.");
	default:
		return NULL;
	}
}

/* Reads up to n bytes of body: from the FastCGI stream, or from stdin
 * for a CGI (r->in is NULL). */
static int
req_get(struct ap_req *r, char *buf, int n)
{
	if (r->in == NULL)
		return (int)fread(buf, 1, (size_t)n, stdin);
	return FCGX_GetStr(buf, n, r->in);
}

/* Reads exactly len bytes of body; refuses a body shorter or longer than
 * CONTENT_LENGTH said.  (A CGI's server may leave its input open after
 * the body: there, only a short body can be seen.) */
static int
req_read_body(struct ap_req *r, size_t len, char **out)
{
	char *buf = ap_arena_alloc_raw(r->a, len + 1);
	size_t got = 0;

	while (got < len) {
		int chunk = len - got > 65536 ? 65536 : (int)(len - got);
		int n = req_get(r, buf + got, chunk);

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got != len)
		return req_fail(r, 400, N_("Le corps de la requête est plus "
		    "court que sa longueur annoncée (Content-Length)."));
	if (r->in != NULL && FCGX_GetChar(r->in) != EOF)
		return req_fail(r, 400, N_("Le corps de la requête est plus "
		    "long que sa longueur annoncée (Content-Length)."));
	buf[len] = '\0';
	*out = buf;
	return 0;
}

static bool
req_lang_offered(const char *l)
{
	for (size_t i = 0; l && ap_core.langs[i]; i++)
		if (strcmp(ap_core.langs[i], l) == 0)
			return true;
	return false;
}

/* Keeps the value of the parameters the core reads on every request
 * (name p of length nl).  Switching on the length first keeps this to one
 * comparison per parameter. */
static void
req_env_pick(struct ap_req_env *e, const char *p, size_t nl, const char *v)
{
#define PICK(name, field) \
	if (memcmp(p, name, nl) == 0) { \
		e->field = v; \
		return; \
	}
	switch (nl) {
	case 9:
		PICK("PATH_INFO", path_info)
		break;
	case 11:
		PICK("HTTP_COOKIE", cookie)
		PICK("HTTP_ACCEPT", accept)
		PICK("REQUEST_URI", uri)
		PICK("REMOTE_ADDR", remote_addr)
		PICK("SCRIPT_NAME", script_name)
		break;
	case 12:
		PICK("QUERY_STRING", query)
		PICK("CONTENT_TYPE", content_type)
		break;
	case 14:
		PICK("REQUEST_METHOD", method)
		PICK("CONTENT_LENGTH", content_length)
		break;
	case 20:
		PICK("HTTP_ACCEPT_LANGUAGE", accept_language)
		break;
	}
#undef PICK
}

static bool
req_below_mount(const char *path, size_t ml)
{
	return ml <= 1 || (strncmp(path, ap_core.mount, ml) == 0 &&
	    (path[ml] == '\0' || path[ml] == '/'));
}

/* The language: the visitor's choice (cookie ap_lang), else the
 * browser's preference among those offered, else the site's.  Found
 * first, so that every refusal speaks the visitor's language.  Reads the
 * cookies into r->cookies when they are within their limit. */
static void
req_lang(struct ap_req *r)
{
	const char *cookie = r->e.cookie, *s = NULL;

	r->lang = ap_core.lang;
	if (cookie != NULL && strlen(cookie) <= ap_core.cookie_max) {
		ap_parse_cookies(r->a, cookie, &ap_core.lim, &r->cookies);
		s = ap_kv_get(&r->cookies, "ap_lang");
	}
	if (s != NULL && req_lang_offered(s)) {
		for (size_t i = 0; ap_core.langs[i]; i++)
			if (strcmp(ap_core.langs[i], s) == 0)
				r->lang = ap_core.langs[i];
	} else if (ap_core.langs[0] != NULL && ap_core.langs[1] != NULL) {
		const char *l = ap_accept_language(r->e.accept_language,
		    ap_core.langs);

		if (l != NULL)
			r->lang = l;
	}
}

/* Whether what follows a media type is its end or its parameters, with
 * the white space allowed before them. */
static bool
req_params_follow(const char *s)
{
	s += strspn(s, " \t");
	return *s == '\0' || *s == ';';
}

/* Reads the request: method, path below the mount, query, cookies, body.
 * Returns 0, or an HTTP status (the reason in r->reason). */
static int
req_parse(struct ap_req *r)
{
	const char *uri, *q, *s, *ctype, *clen, *too_big = NULL;
	size_t plen, ml = strlen(ap_core.mount);
	char *path;
	enum ap_parse_rc rc;

	/* One pass over the parameters: the lengths are checked here (the
	 * values by whoever reads them), the ones the core reads kept.  A
	 * refusal waits for the language to be known. */
	for (char **e = r->envp; e && *e; e++) {
		const char *p = *e, *eq = strchr(p, '=');
		size_t l, nl;

		if (eq == NULL)
			continue;
		nl = (size_t)(eq - p);
		l = nl + 1 + strlen(eq + 1);
		if (nl > 5 && memcmp(p, "HTTP_", 5) == 0 && too_big == NULL) {
			if (nl == 11 && memcmp(p, "HTTP_COOKIE", 11) == 0) {
				if (l - 12 > ap_core.cookie_max)
					too_big = N_("Les cookies envoyés sont "
					    "trop volumineux.");
			} else if (l > ap_core.header_max) {
				too_big = N_("Un en-tête de la requête est "
				    "trop long.");
			}
		}
		req_env_pick(&r->e, p, nl, eq + 1);
	}
	r->method = r->e.method;
	if (r->method == NULL || !*r->method)
		r->method = "GET";
	r->head = strcmp(r->method, "HEAD") == 0;
	r->xhtml = ap_accepts_xhtml(r->e.accept);
	req_lang(r);
	if (too_big != NULL)
		return req_fail(r, 431, too_big);
	uri = r->e.uri;
	if (uri == NULL || *uri == '\0') {
		const char *sn = r->e.script_name;
		const char *pi = r->e.path_info;

		uri = ap_arena_printf(r->a, "%s%s", sn ? sn : "", pi ? pi : "");
	}
	if (strlen(uri) > ap_core.uri_max)
		return req_fail(r, 414, N_("L’adresse demandée est trop "
		    "longue."));
	q = strchr(uri, '?');
	plen = q ? (size_t)(q - uri) : strlen(uri);
	path = ap_decode_path(r->a, uri, plen);
	if (path == NULL)
		return req_fail(r, 400, N_("L’adresse demandée contient un "
		    "échappement mal formé, de l’UTF-8 invalide ou un "
		    "caractère nul."));

	/* The query of this request: QUERY_STRING (in an include, REQUEST_URI
	 * holds the including page's query), else the one of REQUEST_URI. */
	s = r->e.query;
	if (s == NULL && q != NULL)
		s = q + 1;
	if (s != NULL && *s) {
		rc = ap_parse_urlencoded(r->a, s, strlen(s), &ap_core.lim,
		    &r->query);
		if (rc != AP_PARSE_OK)
			return req_fail(r, 400, req_parse_msg(rc));
	}
	s = ap_kv_get(&r->query, "fragment");
	r->fragment = s != NULL && strcmp(s, "1") == 0;

	if (!req_below_mount(path, ml)) {
		/* An include (SSI) of a static page: nginx and Apache hand
		 * over the page's REQUEST_URI, and the include's own path,
		 * already decoded: below the mount, as PATH_INFO (Apache: the
		 * part after the script, wherever a rewrite put the script),
		 * else as SCRIPT_NAME (nginx). */
		const char *sn = r->e.script_name;
		const char *pi = r->e.path_info;
		char *inc;

		if (pi != NULL && *pi == '/')
			inc = ap_arena_printf(r->a, "%s%s", ap_core.mount, pi);
		else if (sn != NULL && req_below_mount(sn, ml))
			inc = ap_arena_strdup(r->a, sn);
		else
			return req_fail(r, 404, NULL);
		if (!ap_utf8_valid(inc, strlen(inc)))
			return req_fail(r, 400, N_("L’adresse demandée contient "
			    "un échappement mal formé, de l’UTF-8 invalide ou "
			    "un caractère nul."));
		path = inc;
	}
	r->path = ml > 1 ? path + ml : path;
	if (*r->path == '\0')
		r->path = "/";

	clen = r->e.content_length;
	if (clen != NULL && *clen) {
		unsigned long long n = 0;
		bool huge = false;
		char *body;

		for (const char *p = clen; *p; p++) {
			if (!isdigit((unsigned char)*p))
				return req_fail(r, 400, N_("La longueur "
				    "annoncée du corps (Content-Length) n’est "
				    "pas un nombre."));
			if (n > (1ULL << 50))
				huge = true;   /* no counter could hold it */
			else
				n = n * 10 + (unsigned)(*p - '0');
		}
		if (huge || n > ap_core.body_max)
			return req_fail(r, 413, N_("L’envoi dépasse la taille "
			    "maximale acceptée."));
		if (n > 0) {
			if (strcmp(r->method, "POST") != 0)
				return req_fail(r, 400, N_("Seule une requête "
				    "POST peut avoir un corps."));
			ctype = r->e.content_type;
			if (ctype == NULL || strncasecmp(ctype,
			    "application/x-www-form-urlencoded", 33) != 0 ||
			    !req_params_follow(ctype + 33))
				return req_fail(r, 415, N_("Seuls les "
				    "formulaires (application/x-www-form-"
				    "urlencoded) sont acceptés."));
			if (req_read_body(r, (size_t)n, &body) != 0)
				return 400;
			rc = ap_parse_urlencoded(r->a, body, (size_t)n,
			    &ap_core.lim, &r->form);
			if (rc != AP_PARSE_OK)
				return req_fail(r, 400, req_parse_msg(rc));
			return 0;
		}
	}
	/* No length, or 0: there must be no body.  A FastCGI server always
	 * ends the input stream, so this does not wait; a CGI's input (no
	 * r->in) may be left open by its server, and is not looked at. */
	if (r->in != NULL && FCGX_GetChar(r->in) != EOF)
		return req_fail(r, 400, N_("Le corps de la requête est plus "
		    "long que sa longueur annoncée (Content-Length)."));
	return 0;
}

int
ap_req_begin(struct ap_req *r, struct ap_worker *w, FCGX_Request *fcgi)
{
	memset(r, 0, sizeof(*r));
	r->w = w;
	r->a = &w->arena;
	r->in = fcgi->in;
	r->out = fcgi->out;
	r->envp = fcgi->envp;
	r->now = time(NULL);
	r->status = 200;
	r->plugin = -1;
	r->lang = ap_core.lang;
	r->path = "/";
	r->method = "GET";
	w->out.len = 0;
	w->out.failed = false;
	w->hdrs.len = 0;
	w->hdrs.failed = false;
	r->ob = &w->out;
	r->hdrs = &w->hdrs;
	r->hdrs_keep = (size_t)-1;
	return req_parse(r);
}

/* ---- response ---- */

static void
req_put(struct ap_req *r, const char *p, size_t n)
{
	if (r->failed || n == 0)
		return;
	if (r->cli || r->out == NULL) {    /* a command, or a CGI */
		if (fwrite(p, 1, n, stdout) != n)
			r->failed = true;
		return;
	}
	if (FCGX_PutStr(p, (int)n, r->out) < 0)
		r->failed = true;   /* the client went away */
}

static void
req_send_headers(struct ap_req *r, bool with_length)
{
	struct ap_buf *h = &r->w->head;
	char line[64];

	r->started = true;
	if (r->cli)
		return;
	h->len = 0;
	h->failed = false;
	snprintf(line, sizeof(line), "Status: %d ", r->status);
	ap_buf_adds(h, line);
	ap_buf_adds(h, ap_status_text(r->status));
	ap_buf_adds(h, "\r\n");
	if (r->ctype != NULL) {
		ap_buf_adds(h, "Content-Type: ");
		ap_buf_adds(h, r->ctype);
		ap_buf_adds(h, "\r\n");
	}
	if (with_length) {
		snprintf(line, sizeof(line), "Content-Length: %zu\r\n",
		    r->ob->len);
		ap_buf_adds(h, line);
	}
	if (r->nocache)
		ap_buf_adds(h, "Cache-Control: no-store\r\n");
	else
		ap_buf_adds(h, "Cache-Control: private, no-cache\r\n");
	ap_buf_adds(h, "X-Content-Type-Options: nosniff\r\n"
	    "Referrer-Policy: same-origin\r\n");
	if (r->ctype != NULL && !r->fragment &&
	    (strncmp(r->ctype, "text/html", 9) == 0 ||
	    strncmp(r->ctype, "application/xhtml+xml", 21) == 0))
		ap_buf_adds(h, "Content-Security-Policy: default-src 'self'; "
		    "img-src 'self' data:; object-src 'none'; base-uri 'none'; "
		    "form-action 'self'; frame-ancestors 'self'\r\n"
		    "Vary: Accept, Accept-Language, Cookie\r\n");
	if (r->hdrs->len)
		ap_buf_add(h, r->hdrs->p, r->hdrs->len);
	ap_buf_adds(h, "\r\n");
	if (!h->failed)
		req_put(r, h->p, h->len);
}

/* Sends the buffered body when it has grown past AP_FLUSH_AT, or at the
 * end (final).  Once something is sent, the status cannot change. */
void
ap_req_flush(struct ap_req *r, bool final)
{
	if (r->cli) {
		req_put(r, r->ob->p, r->ob->len);
		r->ob->len = 0;
		return;
	}
	if (!final && r->ob->len < AP_FLUSH_AT)
		return;
	if (!r->started)
		req_send_headers(r, final);
	if (!r->head)
		req_put(r, r->ob->p, r->ob->len);
	r->ob->len = 0;
}

/* ---- error pages ---- */

static const char *
req_error_title(int status)
{
	switch (status) {
	case 400: return N_("Requête incorrecte");
	case 403: return N_("Accès refusé");
	case 404: return N_("Page introuvable");
	case 405: return N_("Méthode non autorisée");
	case 411: return N_("Longueur requise");
	case 413: return N_("Envoi trop volumineux");
	case 414: return N_("Adresse trop longue");
	case 415: return N_("Type d’envoi non pris en charge");
	case 429: return N_("Trop de requêtes");
	case 431: return N_("En-têtes trop volumineux");
	case 503: return N_("Service momentanément indisponible");
	default: return N_("Erreur interne");
	}
}

static const char *
req_error_text(int status)
{
	switch (status) {
	case 403: return N_("Vous n’avez pas les droits nécessaires pour "
	    "voir cette page.");
	case 404: return N_("La page demandée n’existe pas, ou plus.");
	case 405: return N_("Cette adresse n’accepte pas cette méthode.");
	case 429: return N_("Vous avez envoyé trop de requêtes en peu de "
	    "temps. Patientez un instant, puis réessayez.");
	case 503: return N_("Le service est momentanément indisponible (la "
	    "base de données ne répond pas). Réessayez dans un instant.");
	case 500: return N_("Une erreur interne est survenue. Elle a été "
	    "consignée ; réessayez plus tard.");
	default: return N_("La requête n’a pas pu être traitée.");
	}
}

/* Replaces whatever was buffered with an error page.  msg (a msgid, or
 * NULL for the status's usual text) is shown to the visitor. */
int
ap_req_error_page(struct ap_req *r, int status, const char *msg)
{
	const char *title;

	if (r->started) {
		ap_log(AP_LOG_WARN, "core: %d after the answer began (%s)",
		    status, r->path);
		r->failed = true;
		return AP_OK;
	}
	ap_x_discard(r);
	r->ob->len = 0;
	/* The handler's headers go with its answer: a Location, a cookie or
	 * an ETag of what it did not finish is no part of the error page. */
	if (r->hdrs->len > r->hdrs_keep) {
		r->hdrs->len = r->hdrs_keep;
		r->hdrs->p[r->hdrs->len] = '\0';
	}
	r->status = status;
	if (status == 503)
		ap_host_table.header(r, "Retry-After", "5");
	/* A person meets a 405 by opening the address a form sends to (a
	 * bookmark, a link copied from the address bar): say so. */
	if (status == 405 && msg == NULL && r->method != NULL &&
	    (strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0))
		msg = N_("Cette adresse reçoit les formulaires du site : elle "
		    "ne s’ouvre pas directement.");
	title = ap_i18n_tr(r->lang, req_error_title(status));
	if (r->cli) {
		fprintf(stderr, "%s: %s\n", title,
		    ap_i18n_tr(r->lang, msg ? msg : req_error_text(status)));
		return AP_OK;
	}
	ap_x_page_begin(r, title);
	if (r->fragment) {
		/* Inside another page (SSI, the embed script): a short note,
		 * not a second page title. */
		ap_x_open(r, "p", "class", "error-page embedded", NULL);
		ap_x_text(r, ap_i18n_tr(r->lang, "Cette partie de la page "
		    "n’a pas pu être affichée"));
		ap_x_text(r, " (");
		ap_x_text(r, title);
		ap_x_text(r, ").");
		ap_x_close(r);
		ap_x_page_end(r);
		return AP_OK;
	}
	ap_x_open(r, "section", "class", "error-page", NULL);
	ap_x_elem(r, "h1", title, NULL);
	ap_x_elem(r, "p", ap_i18n_tr(r->lang, msg ? msg :
	    req_error_text(status)), NULL);
	if (status == 413)
		ap_x_elem(r, "p", ap_i18n_tr(r->lang, "Revenez à la page "
		    "précédente, où votre texte est peut-être encore : "
		    "raccourcissez-le, puis envoyez-le de nouveau."), NULL);
	/* A way on from every error, not only a missing page. */
	ap_x_open(r, "p", NULL);
	ap_x_elem(r, "a", ap_i18n_tr(r->lang, "Retour à l’accueil du site"),
	    "href", ap_core.home, NULL);
	ap_x_close(r);
	ap_x_close(r);
	ap_x_page_end(r);
	return AP_OK;
}

/* ---- dispatch ---- */

bool
ap_req_enabled(void *ctx, int plugin)
{
	struct ap_req *r = ctx;

	return r->w->enabled_known && r->w->enabled[plugin];
}

/* Same-origin check of POSTs: a browser tells where a form was sent
 * from; a form of another site is refused before anything runs. */
static bool
req_same_origin(struct ap_req *r)
{
	const char *origin = ap_req_env(r, "HTTP_ORIGIN");
	const char *site = ap_req_env(r, "HTTP_SEC_FETCH_SITE");
	size_t bl = strlen(ap_core.base_url);

	if (site != NULL && strcmp(site, "cross-site") == 0)
		return false;
	if (origin == NULL || strcmp(origin, "null") == 0)
		return origin == NULL;
	if (strncmp(origin, ap_core.base_url, bl) == 0 && origin[bl] == '\0')
		return true;
	/* The Host the request came through, for sites reached under
	 * several names. */
	{
		const char *host = ap_req_env(r, "HTTP_HOST");
		const char *o = strstr(origin, "://");

		if (host != NULL && o != NULL && strcmp(o + 3, host) == 0)
			return true;
	}
	return false;
}

void
ap_req_dispatch(struct ap_req *r)
{
	const struct ap_route_ent *rt = NULL;
	char allow[128];
	enum ap_match m;
	int rc;

	ap_plugins_refresh(r);
	m = ap_router_match(&ap_core.router, r->a, r->method, r->path,
	    ap_req_enabled, r, &rt, &r->rargs, allow, sizeof(allow));
	if (m == AP_MATCH_NONE && !r->w->enabled_known &&
	    strcmp(r->path, "/status") != 0) {
		/* Which plugins are on is unknown until the database
		 * answers: 503 rather than a 404 that is not true. */
		ap_req_error_page(r, 503, NULL);
		return;
	}
	if (m != AP_MATCH_OK || rt == NULL) {
		if (m == AP_MATCH_METHOD)
			ap_host_table.header(r, "Allow", allow);
		if (!(rt != NULL && (rt->flags & AP_ROUTE_NOSESSION)))
			ap_hook_run(r, "session.load", NULL);
		ap_req_error_page(r, m == AP_MATCH_METHOD ? 405 : 404, NULL);
		return;
	}
	r->route = rt;
	r->plugin = rt->plugin;
	if (strcmp(r->method, "POST") == 0 && !req_same_origin(r)) {
		ap_req_error_page(r, 403, N_("Ce formulaire a été envoyé depuis "
		    "un autre site : il est refusé."));
		return;
	}
	if (!(rt->flags & AP_ROUTE_NOSESSION))
		ap_hook_run(r, "session.load", NULL);
	if ((rt->flags & AP_ROUTE_FORM) && strcmp(r->method, "POST") == 0) {
		rc = ap_host_table.csrf_check(r, NULL);
		if (rc == AP_EDB) {
			/* The token could not be checked: the service is
			 * away, the visitor did nothing wrong. */
			ap_req_error_page(r, 503, NULL);
			return;
		}
		if (rc != AP_OK) {
			ap_req_error_page(r, 403, N_("Ce formulaire a expiré ou a "
			    "déjà été envoyé. Rechargez la page et "
			    "recommencez."));
			return;
		}
	}
	r->hdrs_keep = r->hdrs->len;
	rc = rt->fn(r, rt->plugin >= 0 ? ap_core.plugins[rt->plugin].state :
	    NULL);
	if (rc == AP_OK || rc == AP_STOP) {   /* answered */
		if (r->layout || r->xw != NULL)
			ap_x_page_end(r);
		return;
	}
	if (rc == AP_EDB)
		rc = 503;
	else if (rc < 100 || rc > 599)
		rc = 500;
	ap_req_error_page(r, rc, NULL);
}

void
ap_req_finish(struct ap_req *r)
{
	if (r->xw != NULL)
		ap_x_page_end(r);
	if (!r->cli) {
		if (r->ob->failed) {
			ap_log(AP_LOG_ERR, "core: out of memory for an answer");
			r->ob->len = 0;
			if (!r->started)
				r->status = 500;
		}
		ap_req_flush(r, true);
	} else {
		ap_req_flush(r, true);
		fflush(stdout);
	}
	ap_db_end_request(r);
}

/* After the answer has gone (FCGX_Finish_r freed the parameters and the
 * streams): what runs between requests (the housekeeping, the cron hook)
 * keeps the arena, the database and the language, but nothing of the
 * visitor or of the web server, and writes nowhere. */
void
ap_req_detach(struct ap_req *r)
{
	r->in = NULL;
	r->out = NULL;
	r->envp = NULL;
	memset(&r->e, 0, sizeof(r->e));
	memset(&r->query, 0, sizeof(r->query));
	memset(&r->form, 0, sizeof(r->form));
	memset(&r->cookies, 0, sizeof(r->cookies));
	memset(&r->rargs, 0, sizeof(r->rargs));
	memset(&r->user, 0, sizeof(r->user));
	r->has_user = false;
	r->visitor = NULL;
	r->started = true;
	r->failed = true;
}
