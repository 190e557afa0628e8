/* Unit tests: the router (patterns, captures, 404/405, HEAD, enabled
 * plugins, literal segments before captures). */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

static int h_list(struct ap_req *r, void *s) { return 1; }
static int h_show(struct ap_req *r, void *s) { return 2; }
static int h_search(struct ap_req *r, void *s) { return 3; }
static int h_post(struct ap_req *r, void *s) { return 4; }
static int h_off(struct ap_req *r, void *s) { return 5; }

static struct ap_router rt;
static struct ap_arena a;

static bool
only_plugin_0(void *ctx, int plugin)
{
	return plugin == 0;
}

static void
setup(void)
{
	memset(&rt, 0, sizeof(rt));
	ap_arena_init(&a);
	ck_assert_int_eq(ap_router_add(&rt, "GET", "/experts", 0, h_list, 0), 0);
	ck_assert_int_eq(ap_router_add(&rt, "GET", "/experts/{slug}", 0, h_show,
	    0), 0);
	ck_assert_int_eq(ap_router_add(&rt, "GET", "/experts/search", 0,
	    h_search, 0), 0);
	ck_assert_int_eq(ap_router_add(&rt, "POST", "/experts", 0, h_post, 0),
	    0);
	ck_assert_int_eq(ap_router_add(&rt, "GET", "/off", 0, h_off, 1), 0);
}

static void
teardown(void)
{
	ap_router_free(&rt);
	ap_arena_free(&a);
}

static enum ap_match
match(const char *method, const char *path, int *which, struct ap_kvlist *args,
    char *allow)
{
	const struct ap_route_ent *e = NULL;
	enum ap_match m;

	memset(args, 0, sizeof(*args));
	m = ap_router_match(&rt, &a, method, path, only_plugin_0, NULL, &e,
	    args, allow, 128);
	*which = e ? e->fn(NULL, NULL) : 0;
	return m;
}

START_TEST(test_literal_and_capture)
{
	struct ap_kvlist args;
	char allow[128];
	int which;

	ck_assert_int_eq(match("GET", "/experts", &which, &args, allow),
	    AP_MATCH_OK);
	ck_assert_int_eq(which, 1);
	ck_assert_int_eq(match("GET", "/experts/claire-dubois", &which, &args,
	    allow), AP_MATCH_OK);
	ck_assert_int_eq(which, 2);
	ck_assert_str_eq(ap_kv_get(&args, "slug"), "claire-dubois");
	/* the literal segment wins over the capture */
	ck_assert_int_eq(match("GET", "/experts/search", &which, &args, allow),
	    AP_MATCH_OK);
	ck_assert_int_eq(which, 3);
}
END_TEST

START_TEST(test_not_found_and_method)
{
	struct ap_kvlist args;
	char allow[128];
	int which;

	ck_assert_int_eq(match("GET", "/nothing", &which, &args, allow),
	    AP_MATCH_NONE);
	ck_assert_int_eq(match("GET", "/experts/a/b", &which, &args, allow),
	    AP_MATCH_NONE);
	ck_assert_int_eq(match("DELETE", "/experts", &which, &args, allow),
	    AP_MATCH_METHOD);
	ck_assert_ptr_nonnull(strstr(allow, "GET"));
	ck_assert_ptr_nonnull(strstr(allow, "POST"));
	ck_assert_ptr_nonnull(strstr(allow, "HEAD"));
	ck_assert_int_eq(match("POST", "/experts", &which, &args, allow),
	    AP_MATCH_OK);
	ck_assert_int_eq(which, 4);
}
END_TEST

START_TEST(test_head_is_get)
{
	struct ap_kvlist args;
	char allow[128];
	int which;

	ck_assert_int_eq(match("HEAD", "/experts", &which, &args, allow),
	    AP_MATCH_OK);
	ck_assert_int_eq(which, 1);
}
END_TEST

START_TEST(test_disabled_plugin_is_404)
{
	struct ap_kvlist args;
	char allow[128];
	int which;

	ck_assert_int_eq(match("GET", "/off", &which, &args, allow),
	    AP_MATCH_NONE);
}
END_TEST

START_TEST(test_duplicate_refused)
{
	ck_assert_int_eq(ap_router_add(&rt, "GET", "/experts/{other}", 0,
	    h_show, 1), -1);
	ck_assert_int_eq(ap_router_add(&rt, "GET", "/experts", 0, h_list, 1),
	    -1);
	ck_assert_int_eq(ap_router_add(&rt, "GET", "relative", 0, h_list, 1),
	    -1);
	ck_assert_int_eq(ap_router_add(&rt, "PUT", "/experts", 0, h_list, 1),
	    0);
}
END_TEST

START_TEST(test_trailing_and_double_slashes)
{
	struct ap_kvlist args;
	char allow[128];
	int which;

	ck_assert_int_eq(match("GET", "/experts/", &which, &args, allow),
	    AP_MATCH_OK);
	ck_assert_int_eq(which, 1);
	ck_assert_int_eq(match("GET", "//experts//x", &which, &args, allow),
	    AP_MATCH_OK);
	ck_assert_str_eq(ap_kv_get(&args, "slug"), "x");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("router");
	TCase *tc = tcase_create("match");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_literal_and_capture);
	tcase_add_test(tc, test_not_found_and_method);
	tcase_add_test(tc, test_head_is_get);
	tcase_add_test(tc, test_disabled_plugin_is_404);
	tcase_add_test(tc, test_duplicate_refused);
	tcase_add_test(tc, test_trailing_and_double_slashes);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
