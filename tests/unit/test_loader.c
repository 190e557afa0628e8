/* The loader test: dlopens real plugin .so files built for the purpose
 * and checks that the good one serves and the others are refused with a
 * clear reason, the rest going on. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

static const struct ap_plugin_ent *
find(const char *name)
{
	int k = ap_plugin_index(name);

	return k < 0 ? NULL : &ap_core.plugins[k];
}

START_TEST(test_load_and_refuse)
{
	const struct ap_plugin_ent *p;
	const struct ap_route_ent *rt = NULL;
	struct ap_kvlist args = { 0 };
	struct ap_worker *w;
	struct ap_req r;
	char allow[64];
	int pings = 0;

	ck_assert_int_eq(ap_plugins_load(TEST_PLUGIN_DIR), 0);
	ck_assert_int_eq(ap_plugins_init(), 0);

	p = find("good");
	ck_assert_ptr_nonnull(p);
	ck_assert(p->loaded);
	ck_assert_str_eq(p->d.version, "1.0");
	ck_assert_str_eq((const char *)p->state, "good-state");

	p = find("badabi");
	ck_assert_ptr_nonnull(p);
	ck_assert(!p->loaded);
	ck_assert_ptr_nonnull(strstr(p->error, "ABI"));

	p = find("nosymbol");
	ck_assert(!p->loaded);
	ck_assert_ptr_nonnull(strstr(p->error, "ap_plugin_nosymbol"));

	p = find("needsmissing");
	ck_assert(!p->loaded);
	ck_assert_ptr_nonnull(strstr(p->error, "nonexistent"));

	/* a dependency that loaded is enough to load */
	p = find("needsgood");
	ck_assert_ptr_nonnull(p);
	ck_assert(p->loaded);

	p = find("failinit");
	ck_assert(!p->loaded);
	ck_assert_ptr_nonnull(strstr(p->error, "initialisation"));

	/* the good plugin's route is served; the failed one's is not */
	w = ap_worker_new(0);
	for (size_t i = 0; i < ap_core.nplugins; i++)
		w->enabled[i] = ap_core.plugins[i].loaded;
	w->enabled_known = true;
	ap_req_init_cli(&r, w);
	r.cli = false;
	ck_assert_int_eq(ap_router_match(&ap_core.router, r.a, "GET",
	    "/good/hello/claire", ap_req_enabled, &r, &rt, &args, allow,
	    sizeof(allow)), AP_MATCH_OK);
	ck_assert_str_eq(ap_kv_get(&args, "who"), "claire");
	ck_assert_int_eq(ap_router_match(&ap_core.router, r.a, "GET",
	    "/failinit", ap_req_enabled, &r, &rt, &args, allow,
	    sizeof(allow)), AP_MATCH_NONE);

	/* its hook runs, and not once it is disabled */
	ck_assert(ap_hook_has("test.ping"));
	ck_assert_int_eq(ap_hook_run(&r, "test.ping", &pings), AP_OK);
	ck_assert_int_eq(pings, 1);
	w->enabled[ap_plugin_index("good")] = false;
	ck_assert_int_eq(ap_hook_run(&r, "test.ping", &pings), AP_DECLINED);
	ck_assert_int_eq(pings, 1);
	ck_assert_int_eq(ap_router_match(&ap_core.router, r.a, "GET",
	    "/good/hello/claire", ap_req_enabled, &r, &rt, &args, allow,
	    sizeof(allow)), AP_MATCH_NONE);

	/* its settings are declared with their defaults */
	ck_assert_str_eq(ap_conf_get(&ap_core.conf, "good", "greeting"),
	    "bonjour");
	ck_assert_int_eq(ap_conf_num(&ap_core.conf, "good", "times"), 2);
	ap_arena_reset(&w->arena);
	ap_worker_free(w);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("loader");
	TCase *tc = tcase_create("load");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_load_and_refuse);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
