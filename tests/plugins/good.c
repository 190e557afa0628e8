/*
 * The test plugin installed in the integration tests' site (and loaded by
 * the unit loader test): one route per rule of the core that a test must
 * see from outside.  Every route lives below /good.
 *
 *   GET  /good/hello/{who}   a page ("hello"), or a fragment
 *   GET  /good/greeting      the [good] greeting setting, as a page
 *   GET  /good/env           the CGI parameters of the path, as plain text
 *   GET|POST /good/echo      the parsed query and form, as plain text:
 *                            ?n=NAME (repeated) names the fields to show
 *   GET  /good/big?kb=N      a page of about N KB (streamed past 64 KB)
 *   GET  /good/slow?ms=N     answers after N ms (at most 20 s)
 *   GET  /good/fails?after=W  sets a header (W: redirect, cookie, etag),
 *                            then fails with 503
 *   GET  /good/worker        whether worker_init ran in this process
 *   GET  /good/form          a form with a CSRF token (form "good-form")
 *   POST /good/form          the core checks the token (AP_ROUTE_FORM)
 *   POST /good/form-named    the handler checks it for "good-form"
 *   GET  /good/sign, /good/verify   signed tokens, as plain text
 *   GET  /good/whoami        the user the session.load hook set, if any
 *   POST /good/mail          queues a message through ap->mail
 *   GET  /good/dbread        a read that takes ?sleep seconds
 *   POST /good/dbwrite       a write that takes ?sleep seconds
 *   POST /good/txwrite       a write, then a long read whose last row
 *                            comes after ?sleep seconds, in one transaction
 *   POST /good/count, GET /good/count   a counter kept in the database
 *   GET  /good/guestbook     a public form that runs form.fields (for the
 *                            plugins that listen to it: antispam)
 *   POST /good/guestbook     runs content.check; shows the verdict, the
 *                            score, the reasons, and the form again (text
 *                            kept) when a listener asks to send again
 *   POST /good/guestbook/verdict   runs content.verdict on the fields
 *                            sent: a moderator's decision (nothing kept)
 *
 * Its session.load listener plays a login plugin: the cookie good_user=N
 * makes the visitor user N, with the role of the cookie good_role
 * (admin, moderator or expert; member otherwise).  Its cron listener logs
 * what the request it runs with still tells (between requests: nothing).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <aparte/plugin.h>

static const struct ap_host *ap;
static int good_worker_ready;    /* worker_init ran in this process */

static int
good_init(const struct ap_host *host, void **state)
{
	ap = host;
	*state = (void *)"good-state";
	return 0;
}

static int
good_worker_init(void *state)
{
	good_worker_ready = 1;
	return 0;
}

static long
good_num(struct ap_req *r, const char *name, long def, long max)
{
	const char *v = ap->arg(r, name);
	long n;

	if (v == NULL || *v == '\0')
		return def;
	n = strtol(v, NULL, 10);
	return n < 0 ? 0 : n > max ? max : n;
}

static void
good_text(struct ap_req *r)
{
	ap->content_type(r, "text/plain; charset=utf-8");
	ap->no_cache(r);
}

static int
good_hello(struct ap_req *r, void *state)
{
	ap->page_begin(r, "hello");
	ap->elem(r, "p", "hello", NULL);
	return AP_OK;
}

/* What the web server handed over, and the path the core made of it. */
static int
good_env(struct ap_req *r, void *state)
{
	static const char *const names[] = { "REQUEST_URI", "SCRIPT_NAME",
		"PATH_INFO", "QUERY_STRING", "DOCUMENT_URI", "HTTP_USER_AGENT",
		NULL };

	good_text(r);
	ap->out(r, "path %s\n", ap->path(r));
	for (size_t i = 0; names[i]; i++) {
		const char *v = ap->env(r, names[i]);

		ap->out(r, "%s %s\n", names[i], v ? v : "(none)");
	}
	return AP_OK;
}

static int
good_greeting(struct ap_req *r, void *state)
{
	ap->page_begin(r, "greeting");
	ap->elem(r, "p", ap->conf("good", "greeting"), "class", "greeting",
	    NULL);
	return AP_OK;
}

/* Lines "q NAME COUNT [v1] [v2]..." for the query, "f ..." for the
 * body, for each NAME given as ?n=NAME. */
static int
good_echo(struct ap_req *r, void *state)
{
	const char **names, **vals;
	size_t nn = ap->args(r, "n", &names);

	good_text(r);
	ap->out(r, "method %s\n", ap->method(r));
	for (size_t i = 0; i < nn; i++) {
		size_t n = ap->args(r, names[i], &vals);

		ap->out(r, "q %s %zu", names[i], n);
		for (size_t k = 0; k < n; k++)
			ap->out(r, " [%s]", vals[k]);
		ap->out(r, "\n");
		n = ap->forms(r, names[i], &vals);
		ap->out(r, "f %s %zu", names[i], n);
		for (size_t k = 0; k < n; k++)
			ap->out(r, " [%s]", vals[k]);
		ap->out(r, "\n");
	}
	return AP_OK;
}

/* About kb KB of paragraphs, then a last one that says the page is
 * whole. */
static int
good_big(struct ap_req *r, void *state)
{
	long kb = good_num(r, "kb", 200, 4096);
	char line[1001];

	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	ap->page_begin(r, "big");
	ap->open(r, "section", "class", "big", NULL);
	ap->elem(r, "h1", "big", NULL);
	for (long i = 0; i < kb; i++)
		ap->elem(r, "p", ap->printf(r, "%06ld %s", i, line), NULL);
	ap->elem(r, "p", "the end", "id", "end", NULL);
	ap->close(r);
	return AP_OK;
}

static int
good_slow(struct ap_req *r, void *state)
{
	long ms = good_num(r, "ms", 1000, 20000);
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0)
		;
	ap->page_begin(r, "slow");
	ap->elem(r, "p", ap->printf(r, "slow done %ld", ms), "id", "slow",
	    NULL);
	return AP_OK;
}

static int
good_worker(struct ap_req *r, void *state)
{
	good_text(r);
	ap->out(r, "worker_init %s\n", good_worker_ready ? "ran" : "not run");
	return AP_OK;
}

/* A handler that fails after it began its answer's headers. */
static int
good_fails(struct ap_req *r, void *state)
{
	const char *after = ap->arg(r, "after");

	if (after != NULL && strcmp(after, "redirect") == 0)
		ap->redirect(r, 303, ap->url(r, "/good/hello/done"));
	else if (after != NULL && strcmp(after, "cookie") == 0)
		ap->set_cookie(r, "good_half", "1", 3600, AP_COOKIE_HTTPONLY);
	else if (after != NULL && strcmp(after, "etag") == 0)
		ap->header(r, "ETag", "\"good-1\"");
	return 503;
}

static int
good_form(struct ap_req *r, void *state)
{
	struct ap_field f = { .type = "text", .name = "what",
		.label = "What" };

	ap->page_begin(r, "form");
	ap->elem(r, "h1", "form", NULL);
	ap->open(r, "form", "method", "post", "action",
	    ap->url(r, ap->arg(r, "named") ? "/good/form-named" :
	    "/good/form"), NULL);
	ap->csrf_field(r, "good-form");
	ap->field(r, &f);
	ap->elem(r, "button", "Send", "type", "submit", NULL);
	ap->close(r);
	return AP_OK;
}

static int
good_form_post(struct ap_req *r, void *state)
{
	const char *what = ap->form(r, "what");

	ap->page_begin(r, "accepted");
	ap->elem(r, "p", ap->printf(r, "accepted: %s", what ? what : ""),
	    "id", "accepted", NULL);
	return AP_OK;
}

static int
good_form_named(struct ap_req *r, void *state)
{
	int rc = ap->csrf_check(r, "good-form");

	if (rc == AP_EDB)
		return rc;
	if (rc != AP_OK)
		return 403;
	return good_form_post(r, state);
}

static int
good_sign(struct ap_req *r, void *state)
{
	const char *purpose = ap->arg(r, "purpose");

	good_text(r);
	ap->out(r, "%s\n", ap->sign(r, purpose ? purpose : "good",
	    ap->arg(r, "payload")));
	return AP_OK;
}

static int
good_verify(struct ap_req *r, void *state)
{
	const char *purpose = ap->arg(r, "purpose"), *payload = NULL;
	long age = -1;
	int rc = ap->verify(r, purpose ? purpose : "good", ap->arg(r, "token"),
	    good_num(r, "max_age", 0, 1L << 30), &payload, &age);

	good_text(r);
	ap->out(r, "%s %s %ld\n", rc == AP_OK ? "ok" : rc == AP_EEXPIRED ?
	    "expired" : "invalid", rc == AP_OK && payload ? payload : "-",
	    rc == AP_OK ? age : -1L);
	return AP_OK;
}

/* session.load: the cookie good_user=N signs in user N. */
static int
good_session(struct ap_req *r, void *state, void *data)
{
	const char *c = ap->cookie(r, "good_user"), *role;
	struct ap_user u = { 0 };

	if (c == NULL || *c < '1' || *c > '9')
		return AP_DECLINED;
	u.id = strtoll(c, NULL, 10);
	u.email = ap->printf(r, "user%lld@example.invalid", u.id);
	u.name = ap->printf(r, "User %lld", u.id);
	u.role = "member";
	role = ap->cookie(r, "good_role");
	if (role != NULL && (strcmp(role, "admin") == 0 ||
	    strcmp(role, "moderator") == 0 || strcmp(role, "expert") == 0))
		u.role = role;
	ap->set_user(r, &u);
	return AP_OK;
}

static int
good_whoami(struct ap_req *r, void *state)
{
	const struct ap_user *u = ap->user(r);

	good_text(r);
	if (u == NULL)
		ap->out(r, "guest\n");
	else
		ap->out(r, "user %lld\n", u->id);
	return AP_OK;
}

static int
good_mail(struct ap_req *r, void *state)
{
	int rc = ap->mail(r, ap->form(r, "to"), ap->form(r, "subject"),
	    ap->form(r, "body") ? ap->form(r, "body") : "",
	    ap->form(r, "unsub"));

	if (rc == AP_EDB)
		return rc;
	good_text(r);
	if (rc != AP_OK)
		ap->status(r, 400);
	ap->out(r, "%s\n", rc == AP_OK ? "queued" : "refused");
	return AP_OK;
}

static int
good_dbread(struct ap_req *r, void *state)
{
	const char *tag = ap->arg(r, "tag");
	struct ap_res *res = ap->query(r, "SELECT ?, SLEEP(?)",
	    AP_ARGS(AP_TEXT(tag ? tag : "read"),
	    AP_INT(good_num(r, "sleep", 0, 10))));

	if (res == NULL)
		return ap->db_error(r);
	good_text(r);
	ap->out(r, "read %s\n", ap->cell(res, 0, 0));
	return AP_OK;
}

/* Adds one to the counter ?tag once the sleep is over. */
static int
good_dbwrite(struct ap_req *r, void *state)
{
	const char *tag = ap->arg(r, "tag");
	int rc = ap->exec(r, "INSERT INTO ap_counters (name, value) "
	    "SELECT ?, 1 FROM DUAL WHERE SLEEP(?) = 0 "
	    "ON DUPLICATE KEY UPDATE value = value + 1",
	    AP_ARGS(AP_TEXT(tag ? tag : "good.write"),
	    AP_INT(good_num(r, "sleep", 0, 10))));

	if (rc != AP_OK)
		return rc;
	good_text(r);
	ap->out(r, "written\n");
	return AP_OK;
}

/* In one transaction: adds one to the counter ?tag, then reads for
 * ?sleep seconds, then commits. */
static int
good_txwrite(struct ap_req *r, void *state)
{
	const char *tag = ap->arg(r, "tag");
	int rc = ap->begin(r);

	if (rc == AP_OK)
		rc = ap->counter_bump(r, tag ? tag : "good.tx");
	/* 100 KB of rows, the last one late: the first rows have reached
	 * the client when the read is cut */
	if (rc == AP_OK && ap->query(r, "SELECT REPEAT('x', 1000), "
	    "SLEEP(IF(seq = 100, ?, 0)) FROM seq_1_to_100",
	    AP_ARGS(AP_INT(good_num(r, "sleep", 0, 10)))) == NULL)
		rc = ap->db_error(r);
	if (rc == AP_OK)
		rc = ap->commit(r);
	if (rc != AP_OK) {
		ap->rollback(r);
		return rc;
	}
	good_text(r);
	ap->out(r, "committed\n");
	return AP_OK;
}

static int
good_count(struct ap_req *r, void *state)
{
	long long n;

	if (strcmp(ap->method(r), "POST") == 0) {
		int rc = ap->counter_bump(r, "good.count");

		if (rc != AP_OK)
			return rc;
	}
	n = ap->counter(r, "good.count");
	if (n < 0)
		return AP_EDB;
	good_text(r);
	ap->out(r, "count %lld\n", n);
	return AP_OK;
}

/* cron: runs between requests, after an answer has gone; the request it
 * gets must not lend what belonged to the one answered. */
static int
good_on_cron(struct ap_req *r, void *state, void *data)
{
	const char *uri = ap->env(r, "REQUEST_URI");

	ap->log(AP_LOG_INFO, "good: cron: client [%s], REQUEST_URI [%s]",
	    ap->client_ip(r), uri ? uri : "(none)");
	ap->out(r, "written by cron\n");
	return AP_OK;
}

static int
good_on_ping(struct ap_req *r, void *state, void *data)
{
	int *n = data;

	(*n)++;
	return AP_OK;
}

/* The guestbook's form, with what was typed. */
static void
good_gb_form(struct ap_req *r, const char *author, const char *email,
    const char *url, const char *body)
{
	struct ap_form_ctx ctx = { sizeof(ctx), "comment", "guestbook" };

	ap->open(r, "form", "method", "post", "action",
	    ap->url(r, "/good/guestbook"), "class", "guestbook", NULL);
	ap->csrf_field(r, "guestbook");
	ap->field(r, &(struct ap_field){ .type = "text", .name = "author",
	    .label = "Nom", .value = author, .required = 1 });
	ap->field(r, &(struct ap_field){ .type = "email", .name = "email",
	    .label = "E-mail", .value = email });
	ap->field(r, &(struct ap_field){ .type = "url", .name = "url",
	    .label = "Site web", .value = url });
	ap->field(r, &(struct ap_field){ .type = "textarea", .name = "body",
	    .label = "Message", .value = body, .required = 1 });
	ap->hook_run(r, "form.fields", &ctx);
	ap->elem(r, "button", "Envoyer", "type", "submit", NULL);
	ap->close(r);
}

static int
good_guestbook(struct ap_req *r, void *state)
{
	ap->page_begin(r, "Livre d’or");
	ap->open(r, "section", "class", "guestbook", NULL);
	ap->elem(r, "h1", "Livre d’or", NULL);
	good_gb_form(r, NULL, NULL, NULL, NULL);
	ap->close(r);
	return AP_OK;
}

static const char *
good_field(struct ap_req *r, const char *name)
{
	const char *v = ap->form(r, name);

	return v != NULL && *v != '\0' ? v : NULL;
}

/* The content of the guestbook's POST, as content.check receives it. */
static void
good_content(struct ap_req *r, struct ap_content *c)
{
	memset(c, 0, sizeof(*c));
	c->size = sizeof(*c);
	c->kind = "comment";
	c->form = "guestbook";
	c->text = good_field(r, "body");
	c->author = good_field(r, "author");
	c->email = good_field(r, "email");
	c->url = good_field(r, "url");
	c->ip = ap->client_ip(r);
	c->user_agent = ap->env(r, "HTTP_USER_AGENT");
	c->page = good_field(r, "page") ? good_field(r, "page") :
	    "/good/guestbook";
}

static int
good_guestbook_post(struct ap_req *r, void *state)
{
	const char *names[] = { "ham", "unsure", "spam" };
	struct ap_content c;
	int rc = ap->csrf_check(r, "guestbook");

	if (rc != AP_OK)
		return rc == AP_EDB ? rc : 403;
	good_content(r, &c);
	if (c.text == NULL || c.author == NULL)
		return 400;
	rc = ap->hook_run(r, "content.check", &c);
	if (rc < 0)
		return rc;
	ap->page_begin(r, "Livre d’or");
	ap->open(r, "section", "class", "guestbook", NULL);
	ap->elem(r, "h1", "Livre d’or", NULL);
	ap->elem(r, "p", names[c.verdict <= AP_SPAM ? c.verdict : 1],
	    "class", "verdict", NULL);
	ap->elem(r, "p", ap->printf(r, "%.4f", c.score), "class", "score",
	    NULL);
	ap->elem(r, "p", c.checked ? "checked" : "not checked", "class",
	    "checked", NULL);
	ap->open(r, "ul", "class", "reasons", NULL);
	for (const char *p = c.reasons ? c.reasons : ""; *p; ) {
		size_t n = strcspn(p, ";");

		ap->elem(r, "li", ap->strndup(r, p, n), NULL);
		p += n;
		while (*p == ';' || *p == ' ')
			p++;
	}
	ap->close(r);
	if (c.retry) {
		ap->message(r, "error", "Le formulaire a expiré : vérifiez "
		    "votre message et envoyez-le de nouveau.");
		good_gb_form(r, c.author, c.email, c.url, c.text);
	}
	ap->close(r);
	return AP_OK;
}

/* A moderator's decision on an item (its fields sent again). */
static int
good_guestbook_verdict(struct ap_req *r, void *state)
{
	const char *v = ap->form(r, "verdict"), *id = ap->form(r, "id");
	struct ap_content c;
	int rc;

	good_content(r, &c);
	if (v == NULL || c.text == NULL)
		return 400;
	c.verdict = strcmp(v, "spam") == 0 ? AP_SPAM : AP_HAM;
	c.id = id ? atoll(id) : 0;
	if (good_field(r, "ip"))
		c.ip = good_field(r, "ip");
	rc = ap->hook_run(r, "content.verdict", &c);
	if (rc < 0)
		return rc;
	ap->page_begin(r, "Livre d’or");
	ap->elem(r, "p", "learned", "class", "learned", NULL);
	return AP_OK;
}

static const struct ap_route good_routes[] = {
	{ "GET", "/good/hello/{who}", 0, good_hello },
	{ "GET", "/good/greeting", 0, good_greeting },
	{ "GET", "/good/env", AP_ROUTE_RAW, good_env },
	{ "GET", "/good/echo", AP_ROUTE_RAW, good_echo },
	{ "POST", "/good/echo", AP_ROUTE_RAW, good_echo },
	{ "GET", "/good/big", 0, good_big },
	{ "GET", "/good/slow", 0, good_slow },
	{ "GET", "/good/fails", 0, good_fails },
	{ "GET", "/good/worker", AP_ROUTE_RAW, good_worker },
	{ "GET", "/good/form", 0, good_form },
	{ "POST", "/good/form", AP_ROUTE_FORM, good_form_post },
	{ "POST", "/good/form-named", 0, good_form_named },
	{ "GET", "/good/sign", AP_ROUTE_RAW, good_sign },
	{ "GET", "/good/verify", AP_ROUTE_RAW, good_verify },
	{ "GET", "/good/whoami", AP_ROUTE_RAW, good_whoami },
	{ "POST", "/good/mail", AP_ROUTE_RAW, good_mail },
	{ "GET", "/good/dbread", AP_ROUTE_RAW, good_dbread },
	{ "POST", "/good/dbwrite", AP_ROUTE_RAW, good_dbwrite },
	{ "POST", "/good/txwrite", AP_ROUTE_RAW, good_txwrite },
	{ "GET", "/good/count", AP_ROUTE_RAW, good_count },
	{ "POST", "/good/count", AP_ROUTE_RAW, good_count },
	{ "GET", "/good/guestbook", 0, good_guestbook },
	{ "POST", "/good/guestbook", 0, good_guestbook_post },
	{ "POST", "/good/guestbook/verdict", 0, good_guestbook_verdict },
	{ NULL, NULL, 0, NULL },
};

static const struct ap_hook good_hooks[] = {
	{ "test.ping", 10, good_on_ping },
	{ "session.load", 50, good_session },
	{ "cron", 90, good_on_cron },
	{ NULL, 0, NULL },
};

static const struct ap_setting good_settings[] = {
	{ "greeting", AP_SET_STRING, "bonjour", 0, 0, "what to say" },
	{ "times", AP_SET_INT, "2", 1, 10, "how often" },
	{ NULL, 0, NULL, 0, 0, NULL },
};

AP_PLUGIN(good) = {
	AP_PLUGIN_HEAD,
	.name = "good",
	.version = "1.0",
	.description = "A test plugin",
	.init = good_init,
	.worker_init = good_worker_init,
	.routes = good_routes,
	.hooks = good_hooks,
	.settings = good_settings,
};
