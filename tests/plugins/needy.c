/* A plugin that needs tests/plugins/helper.c and suggests the good one,
 * for the admin console's tests of dependencies and suggestions. */
#include <aparte/plugin.h>

static const struct ap_host *ap;

static int
needy_init(const struct ap_host *host, void **state)
{
	ap = host;
	return 0;
}

static int
needy_page(struct ap_req *r, void *state)
{
	ap->page_begin(r, "needy");
	ap->elem(r, "p", "needy", NULL);
	return AP_OK;
}

static const struct ap_route needy_routes[] = {
	{ "GET", "/needy", 0, needy_page },
	{ NULL, NULL, 0, NULL },
};

static const char *const needy_depends[] = { "helper", NULL };
static const char *const needy_suggests[] = { "good", NULL };

AP_PLUGIN(needy) = {
	AP_PLUGIN_HEAD,
	.name = "needy",
	.version = "0.2",
	.description = "A test plugin that needs helper and suggests good",
	.depends = needy_depends,
	.suggests = needy_suggests,
	.init = needy_init,
	.routes = needy_routes,
};
