/* A plugin that others need (tests/plugins/needy.c), for the admin
 * console's tests of dependencies. */
#include <aparte/plugin.h>

static const struct ap_host *ap;

static int
helper_init(const struct ap_host *host, void **state)
{
	ap = host;
	return 0;
}

static int
helper_page(struct ap_req *r, void *state)
{
	ap->page_begin(r, "helper");
	ap->elem(r, "p", "helper", NULL);
	return AP_OK;
}

static const struct ap_route helper_routes[] = {
	{ "GET", "/helper", 0, helper_page },
	{ NULL, NULL, 0, NULL },
};

AP_PLUGIN(helper) = {
	AP_PLUGIN_HEAD,
	.name = "helper",
	.version = "0.3",
	.description = "A test plugin that another needs",
	.init = helper_init,
	.routes = helper_routes,
};
