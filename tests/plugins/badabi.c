/* Built for an ABI this core does not offer: must be refused. */
#include <aparte/plugin.h>

AP_PLUGIN(badabi) = {
	.abi_major = AP_ABI_MAJOR + 1,
	.abi_minor = 0,
	.size = sizeof(struct ap_plugin),
	.name = "badabi",
	.version = "1.0",
};
