/* A plugin the loader must accept: one route, one hook, one setting. */
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

static const struct ap_route good_routes[] = {
	{ "GET", "/hello/{who}", 0, good_hello },
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
