/* Unit tests: parsing of query strings, bodies, cookies, paths and the
 * Accept headers; UTF-8 checks. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

static struct ap_arena a;
static const struct ap_parse_limits lim = { 10, 32, 100 };

static void
setup(void)
{
	ap_arena_init(&a);
}

static void
teardown(void)
{
	ap_arena_free(&a);
}

static enum ap_parse_rc
parse(const char *s, struct ap_kvlist *l)
{
	memset(l, 0, sizeof(*l));
	return ap_parse_urlencoded(&a, s, strlen(s), &lim, l);
}

START_TEST(test_simple_pairs)
{
	struct ap_kvlist l;

	ck_assert_int_eq(parse("a=1&b=two", &l), AP_PARSE_OK);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_str_eq(ap_kv_get(&l, "a"), "1");
	ck_assert_str_eq(ap_kv_get(&l, "b"), "two");
	ck_assert_ptr_null(ap_kv_get(&l, "c"));
}
END_TEST

START_TEST(test_repeated_keys_kept_in_order)
{
	struct ap_kvlist l;
	const char **v;

	ck_assert_int_eq(parse("id=3&id=1&id=2", &l), AP_PARSE_OK);
	ck_assert_uint_eq(ap_kv_all(&a, &l, "id", &v), 3);
	ck_assert_str_eq(v[0], "3");
	ck_assert_str_eq(v[1], "1");
	ck_assert_str_eq(v[2], "2");
	ck_assert_ptr_null(v[3]);
	ck_assert_str_eq(ap_kv_get(&l, "id"), "3");
}
END_TEST

START_TEST(test_empty_values_and_keys)
{
	struct ap_kvlist l;

	ck_assert_int_eq(parse("a=&b&&=x&c=3", &l), AP_PARSE_OK);
	ck_assert_str_eq(ap_kv_get(&l, "a"), "");
	ck_assert_str_eq(ap_kv_get(&l, "b"), "");
	ck_assert_str_eq(ap_kv_get(&l, "c"), "3");
	ck_assert_uint_eq(l.n, 3);   /* "=x" has no key: dropped */
}
END_TEST

START_TEST(test_plus_and_escapes)
{
	struct ap_kvlist l;

	ck_assert_int_eq(parse("q=temps+partag%C3%A9&p=%2Fblog%2Fx%3Fy%3D1", &l),
	    AP_PARSE_OK);
	ck_assert_str_eq(ap_kv_get(&l, "q"), "temps partagé");
	ck_assert_str_eq(ap_kv_get(&l, "p"), "/blog/x?y=1");
	ck_assert_int_eq(parse("a=%2B", &l), AP_PARSE_OK);
	ck_assert_str_eq(ap_kv_get(&l, "a"), "+");
}
END_TEST

START_TEST(test_bad_escapes)
{
	struct ap_kvlist l;

	ck_assert_int_eq(parse("a=%zz", &l), AP_PARSE_BAD_ESCAPE);
	ck_assert_int_eq(parse("a=%4", &l), AP_PARSE_BAD_ESCAPE);
	ck_assert_int_eq(parse("a=%", &l), AP_PARSE_BAD_ESCAPE);
	ck_assert_int_eq(parse("a%g1=b", &l), AP_PARSE_BAD_ESCAPE);
}
END_TEST

START_TEST(test_bad_utf8_and_nul)
{
	struct ap_kvlist l;

	ck_assert_int_eq(parse("a=%C3%28", &l), AP_PARSE_BAD_UTF8);
	ck_assert_int_eq(parse("a=%00", &l), AP_PARSE_BAD_UTF8);
	ck_assert_int_eq(parse("a=%C0%AF", &l), AP_PARSE_BAD_UTF8); /* overlong */
	ck_assert_int_eq(parse("a=%ED%A0%80", &l), AP_PARSE_BAD_UTF8); /* surrogate */
	ck_assert_int_eq(parse("a=%F4%90%80%80", &l), AP_PARSE_BAD_UTF8);
	ck_assert_int_eq(parse("a=\xff", &l), AP_PARSE_BAD_UTF8);
	ck_assert_int_eq(parse("a=%F0%9F%98%80", &l), AP_PARSE_OK); /* emoji */
}
END_TEST

/* One spelling for the same text: decomposed accents (e + U+0301) come
 * out composed (NFC), in keys and values; ASCII and text already composed
 * come out as they went in. */
START_TEST(test_text_is_composed)
{
	struct ap_kvlist l;

	ck_assert_int_eq(parse("pa%CC%88ge=e%CC%81te%CC%81+%C3%A9te", &l),
	    AP_PARSE_OK);
	ck_assert_str_eq(ap_kv_get(&l, "p\u00e4ge"), "\u00e9t\u00e9 \u00e9te");
	ck_assert_int_eq(parse("k=%EF%AC%81+%E2%84%AB+caf%C3%A9", &l),
	    AP_PARSE_OK);   /* a ligature stays (NFC, not NFKC); the angstrom sign is Å */
	ck_assert_str_eq(ap_kv_get(&l, "k"), "\ufb01 \u00c5 caf\u00e9");
}
END_TEST

START_TEST(test_limits)
{
	struct ap_kvlist l;
	char big[300];

	ck_assert_int_eq(parse("a=1&b=1&c=1&d=1&e=1&f=1&g=1&h=1&i=1&j=1", &l),
	    AP_PARSE_OK);
	ck_assert_int_eq(parse("a=1&b=1&c=1&d=1&e=1&f=1&g=1&h=1&i=1&j=1&k=1",
	    &l), AP_PARSE_TOO_MANY);
	memset(big, 'x', sizeof(big));
	memcpy(big, "v=", 2);
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(parse(big, &l), AP_PARSE_TOO_LONG);
	ck_assert_int_eq(parse("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=1", &l),
	    AP_PARSE_TOO_LONG);
}
END_TEST

START_TEST(test_cookies)
{
	struct ap_kvlist l = { 0 };

	ap_parse_cookies(&a, "ap_v=abc; lang=fr;bad; x=\"quoted\" ; =noname",
	    &lim, &l);
	ck_assert_str_eq(ap_kv_get(&l, "ap_v"), "abc");
	ck_assert_str_eq(ap_kv_get(&l, "lang"), "fr");
	ck_assert_str_eq(ap_kv_get(&l, "x"), "quoted");
	ck_assert_ptr_null(ap_kv_get(&l, "bad"));
	ck_assert_uint_eq(l.n, 3);
}
END_TEST

START_TEST(test_paths)
{
	ck_assert_str_eq(ap_decode_path(&a, "/experts/%C3%A9lise", 19),
	    "/experts/élise");
	ck_assert_str_eq(ap_decode_path(&a, "/a+b", 4), "/a+b");
	ck_assert_ptr_null(ap_decode_path(&a, "/a%00b", 6));
	ck_assert_ptr_null(ap_decode_path(&a, "/a%zz", 5));
	ck_assert_ptr_null(ap_decode_path(&a, "/a%ff", 5));
}
END_TEST

START_TEST(test_accept_language)
{
	static const char *const offered[] = { "fr", "en", NULL };

	ck_assert_str_eq(ap_accept_language("en-US,en;q=0.9,fr;q=0.8",
	    offered), "en");
	ck_assert_str_eq(ap_accept_language("fr-FR,fr;q=0.9,en;q=0.5",
	    offered), "fr");
	ck_assert_str_eq(ap_accept_language("de, en;q=0.3", offered), "en");
	ck_assert_str_eq(ap_accept_language("en;q=0.2, fr;q=0.7", offered),
	    "fr");
	ck_assert_ptr_null(ap_accept_language("de, es", offered));
	ck_assert_ptr_null(ap_accept_language(NULL, offered));
	ck_assert_ptr_null(ap_accept_language("en;q=0", offered));
}
END_TEST

START_TEST(test_accept_xhtml)
{
	ck_assert(ap_accepts_xhtml("text/html,application/xhtml+xml,"
	    "application/xml;q=0.9,*/*;q=0.8"));
	ck_assert(!ap_accepts_xhtml("text/html"));
	ck_assert(!ap_accepts_xhtml(NULL));
	ck_assert(!ap_accepts_xhtml("application/xhtml+xml;q=0, text/html"));
}
END_TEST

START_TEST(test_local_path)
{
	ck_assert(ap_is_local_path("/aparte/admin"));
	ck_assert(ap_is_local_path("/blog/x?y=1#z"));
	ck_assert(!ap_is_local_path("//evil.example"));
	ck_assert(!ap_is_local_path("/\\evil.example"));
	ck_assert(!ap_is_local_path("https://evil.example"));
	ck_assert(!ap_is_local_path("evil"));
	ck_assert(!ap_is_local_path("/a\r\nLocation: x"));
	ck_assert(!ap_is_local_path(""));
	ck_assert(!ap_is_local_path(NULL));
}
END_TEST

START_TEST(test_utf8_and_xml_clean)
{
	ck_assert(ap_utf8_valid("Élodie", strlen("Élodie")));
	ck_assert(!ap_utf8_valid("a\0b", 3));
	ck_assert_uint_eq(ap_utf8_len("Élodie"), 6);
	ck_assert_ptr_null(ap_xml_clean(&a, "clean\ttext\n"));
	ck_assert_str_eq(ap_xml_clean(&a, "bell\x07 here"), "bell here");
	ck_assert_str_eq(ap_xml_clean(&a, "bad\xff!"), "bad\xef\xbf\xbd!");
}
END_TEST

START_TEST(test_urlencode)
{
	ck_assert_str_eq(ap_urlencode(&a, "/blog/été?x=1&y"),
	    "/blog/%C3%A9t%C3%A9%3Fx%3D1%26y");
}
END_TEST

START_TEST(test_edge_cases)
{
	static const char *const offered[] = { "fr", "en", NULL };
	struct ap_kvlist l = { 0 };

	/* a value may hold '=', a cookie without a name is skipped */
	ap_parse_cookies(&a, "a=b=c; =nameless; ;  sp = v ", &lim, &l);
	ck_assert_str_eq(ap_kv_get(&l, "a"), "b=c");
	ck_assert_str_eq(ap_kv_get(&l, "sp"), "v");
	ck_assert_uint_eq(l.n, 2);
	/* a key escaped like a value */
	ck_assert_int_eq(parse("%6B%C3%A9=1&k%2Bx=2", &l), AP_PARSE_OK);
	ck_assert_str_eq(ap_kv_get(&l, "ké"), "1");
	ck_assert_str_eq(ap_kv_get(&l, "k+x"), "2");
	/* the escape at the very end */
	ck_assert_int_eq(parse("a=%41", &l), AP_PARSE_OK);
	ck_assert_str_eq(ap_kv_get(&l, "a"), "A");
	/* case, spaces and odd q values in Accept-Language */
	ck_assert_str_eq(ap_accept_language(" EN-gb ; q=0.8 , fr;q=0.1",
	    offered), "en");
	ck_assert_ptr_null(ap_accept_language("fr;q=abc", offered));
	ck_assert_ptr_null(ap_accept_language("", offered));
	ck_assert_str_eq(ap_accept_language("*, en;q=0.1", offered), "en");
	/* parameters before q in Accept */
	ck_assert(!ap_accepts_xhtml("application/xhtml+xml;level=1;q=0"));
	ck_assert(ap_accepts_xhtml("application/xhtml+xml;q=0.1"));
	ck_assert(ap_accepts_xhtml("text/html;q=0, application/xhtml+xml"));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("http");
	TCase *tc = tcase_create("parse");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_simple_pairs);
	tcase_add_test(tc, test_text_is_composed);
	tcase_add_test(tc, test_repeated_keys_kept_in_order);
	tcase_add_test(tc, test_empty_values_and_keys);
	tcase_add_test(tc, test_plus_and_escapes);
	tcase_add_test(tc, test_bad_escapes);
	tcase_add_test(tc, test_bad_utf8_and_nul);
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_cookies);
	tcase_add_test(tc, test_paths);
	tcase_add_test(tc, test_accept_language);
	tcase_add_test(tc, test_accept_xhtml);
	tcase_add_test(tc, test_local_path);
	tcase_add_test(tc, test_utf8_and_xml_clean);
	tcase_add_test(tc, test_urlencode);
	tcase_add_test(tc, test_edge_cases);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
