/* Unit tests: signed tokens (purpose, age, tampering), random tokens,
 * keyed hashes, constant-time compare. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

static struct ap_arena a;
static const char *secret =
    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

static void
setup(void)
{
	ap_arena_init(&a);
	ck_assert_int_eq(ap_token_init(secret), 0);
}

static void
teardown(void)
{
	ap_arena_free(&a);
}

START_TEST(test_roundtrip)
{
	const char *payload = NULL;
	long age = -1;
	char *t = ap_token_sign(&a, "form", "comment|v1|0", 1000);

	ck_assert_int_eq(ap_token_verify(&a, "form", t, 1010, 3600, &payload,
	    &age), AP_OK);
	ck_assert_str_eq(payload, "comment|v1|0");
	ck_assert_int_eq(age, 10);
}
END_TEST

START_TEST(test_other_purpose_refused)
{
	char *t = ap_token_sign(&a, "form", "x", 1000);

	ck_assert_int_eq(ap_token_verify(&a, "session", t, 1000, 0, NULL,
	    NULL), AP_EINVAL);
}
END_TEST

START_TEST(test_expired)
{
	char *t = ap_token_sign(&a, "form", "x", 1000);

	ck_assert_int_eq(ap_token_verify(&a, "form", t, 1000 + 86401, 86400,
	    NULL, NULL), AP_EEXPIRED);
	ck_assert_int_eq(ap_token_verify(&a, "form", t, 1000 + 86401, 0, NULL,
	    NULL), AP_OK);
	/* from the future */
	ck_assert_int_eq(ap_token_verify(&a, "form", t, 100, 0, NULL, NULL),
	    AP_EINVAL);
}
END_TEST

START_TEST(test_tampered)
{
	char *t = ap_token_sign(&a, "form", "user=1", 1000);
	char *u = ap_arena_strdup(&a, t);
	char *dot = strchr(u, '.');

	/* change the time */
	u[0] = u[0] == '1' ? '2' : '1';
	ck_assert_int_eq(ap_token_verify(&a, "form", u, 5000, 0, NULL, NULL),
	    AP_EINVAL);
	/* change the payload */
	u = ap_arena_strdup(&a, t);
	dot = strchr(u, '.');
	dot[1] = dot[1] == 'A' ? 'B' : 'A';
	ck_assert_int_eq(ap_token_verify(&a, "form", u, 1000, 0, NULL, NULL),
	    AP_EINVAL);
	ck_assert_int_eq(ap_token_verify(&a, "form", "", 1000, 0, NULL, NULL),
	    AP_EINVAL);
	ck_assert_int_eq(ap_token_verify(&a, "form", "1.2.3", 1000, 0, NULL,
	    NULL), AP_EINVAL);
	ck_assert_int_eq(ap_token_verify(&a, "form", NULL, 1000, 0, NULL,
	    NULL), AP_EINVAL);
}
END_TEST

START_TEST(test_random_and_hash)
{
	char *x = ap_token_random(&a, 32), *y = ap_token_random(&a, 32);

	ck_assert_uint_eq(strlen(x), 43);
	ck_assert_str_ne(x, y);
	ck_assert_uint_eq(strlen(ap_token_hash_hex(&a, x)), 64);
	ck_assert_str_eq(ap_token_hash_hex(&a, x), ap_token_hash_hex(&a, x));
	ck_assert_str_ne(ap_token_hash_hex(&a, x), ap_token_hash_hex(&a, y));
	ck_assert(ap_token_equal("abc", "abc"));
	ck_assert(!ap_token_equal("abc", "abd"));
	ck_assert(!ap_token_equal("abc", "abcd"));
	ck_assert(!ap_token_equal(NULL, "a"));
}
END_TEST

START_TEST(test_bad_secret)
{
	ck_assert_int_eq(ap_token_init("short"), -1);
	ck_assert_int_eq(ap_token_init(NULL), -1);
	ck_assert_int_eq(ap_token_init("zz112233445566778899aabbccddeeff"
	    "00112233445566778899aabbccddeeff"), -1);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("token");
	TCase *tc = tcase_create("token");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_roundtrip);
	tcase_add_test(tc, test_other_purpose_refused);
	tcase_add_test(tc, test_expired);
	tcase_add_test(tc, test_tampered);
	tcase_add_test(tc, test_random_and_hash);
	tcase_add_test(tc, test_bad_secret);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
