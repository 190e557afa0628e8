/* Exports a descriptor under the wrong name: must be refused. */
#include <aparte/plugin.h>

AP_PLUGIN(someone_else) = {
	AP_PLUGIN_HEAD,
	.name = "nosymbol",
	.version = "1.0",
};
