/* Depends on the good plugin: enabling it before good, or disabling good
 * while it is on, must be refused. */
#include <aparte/plugin.h>

static const char *const needsgood_deps[] = { "good", NULL };

AP_PLUGIN(needsgood) = {
	AP_PLUGIN_HEAD,
	.name = "needsgood",
	.version = "1.0",
	.description = "Needs the good plugin",
	.depends = needsgood_deps,
};
