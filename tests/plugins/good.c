/* A plugin the loader must accept: one route, one hook, one setting.
 *
 * It also has a minimal public form, /guestbook, for the integration tests
 * of the plugins that listen to form.fields, content.check and
 * content.verdict (antispam): the form runs form.fields; a POST runs
 * content.check and shows the verdict, the score, the reasons, and the
 * form again (text kept) when a listener asks the visitor to send again;
 * /guestbook/verdict plays a moderator's decision.  Nothing is stored. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <aparte/plugin.h>

static const struct ap_host *ap;

static int
good_init(const struct ap_host *host, void **state)
{
	ap = host;
	*state = (void *)"good-state";
	return 0;
}

static int
good_hello(struct ap_req *r, void *state)
{
	ap->page_begin(r, "hello");
	ap->elem(r, "p", "hello", NULL);
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
good_form(struct ap_req *r, const char *author, const char *email,
    const char *url, const char *body)
{
	struct ap_form_ctx ctx = { sizeof(ctx), "comment", "guestbook" };

	ap->open(r, "form", "method", "post", "action",
	    ap->url(r, "/guestbook"), "class", "guestbook", NULL);
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
	good_form(r, NULL, NULL, NULL, NULL);
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
	c->page = good_field(r, "page") ? good_field(r, "page") : "/guestbook";
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
		good_form(r, c.author, c.email, c.url, c.text);
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
	{ "GET", "/hello/{who}", 0, good_hello },
	{ "GET", "/guestbook", 0, good_guestbook },
	{ "POST", "/guestbook", 0, good_guestbook_post },
	{ "POST", "/guestbook/verdict", 0, good_guestbook_verdict },
	{ NULL, NULL, 0, NULL },
};

static const struct ap_hook good_hooks[] = {
	{ "test.ping", 10, good_on_ping },
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
	.routes = good_routes,
	.hooks = good_hooks,
	.settings = good_settings,
};
