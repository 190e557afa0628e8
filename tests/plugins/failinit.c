/* Its init fails: must be left off, the others serving. */
#include <aparte/plugin.h>

static int
failinit_init(const struct ap_host *ap, void **state)
{
	return -1;
}

static int
failinit_page(struct ap_req *r, void *state)
{
	return 500;
}

static const struct ap_route failinit_routes[] = {
	{ "GET", "/failinit", 0, failinit_page },
	{ NULL, NULL, 0, NULL },
};

AP_PLUGIN(failinit) = {
	AP_PLUGIN_HEAD,
	.name = "failinit",
	.version = "1.0",
	.init = failinit_init,
	.routes = failinit_routes,
};
