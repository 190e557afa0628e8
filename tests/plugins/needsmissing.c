/* Depends on a plugin that is not installed: must be left off. */
#include <aparte/plugin.h>

static const char *const needsmissing_deps[] = { "nonexistent", NULL };

AP_PLUGIN(needsmissing) = {
	AP_PLUGIN_HEAD,
	.name = "needsmissing",
	.version = "1.0",
	.depends = needsmissing_deps,
};
