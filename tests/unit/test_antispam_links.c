/* The antispam plugin's link counting (plugins/antispam/signals.c), on
 * texts that end where their memory ends: a check that reads past a
 * text's end touches a page that cannot be read, and the test dies. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "antispam.h"

/* What signals.c takes from the rest of the plugin: nothing these tests
 * reach. */
const struct ap_host *ap;
struct as_conf as_cf;

int
as_store_refresh(struct ap_req *r, const struct as_counters *k)
{
	(void)r;
	(void)k;
	return AP_ERROR;
}

double
as_store_classify(const struct as_toklist *l, struct as_clue *clues,
    size_t *nclues, int *trained)
{
	(void)l;
	(void)clues;
	*nclues = 0;
	*trained = 0;
	return 0.5;
}

/* A copy of s whose NUL is the last byte of a page; the next page cannot
 * be read. */
static const char *
at_page_end(const char *s)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE), n = strlen(s) + 1;
	char *m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ck_assert_ptr_ne(m, MAP_FAILED);
	ck_assert_int_eq(mprotect(m + pg, pg, PROT_NONE), 0);
	memcpy(m + pg - n, s, n);
	return m + pg - n;
}

START_TEST(bbcode_and_html_links)
{
	int bb, html;

	ck_assert_uint_eq(as_count_links("voir [url=http://a.example]a[/url]",
	    &bb, &html), 1);
	ck_assert_int_eq(bb, 1);
	ck_assert_int_eq(html, 0);
	as_count_links("[link]http://a.example[/link]", &bb, &html);
	ck_assert_int_eq(bb, 1);
	as_count_links("<a href=\"http://a.example\">a</a>", &bb, &html);
	ck_assert_int_eq(bb, 0);
	ck_assert_int_eq(html, 1);
	ck_assert_uint_eq(as_count_links("www.a.example et https://b.example",
	    NULL, NULL), 2);
	as_count_links("[urgent] rien", &bb, &html);
	ck_assert_int_eq(bb, 0);
}
END_TEST

START_TEST(texts_that_end_in_the_middle_of_a_link)
{
	static const char *const ends[] = { "voir [url", "voir [URL", "[link",
	    "[lin", "<a", "<a ", "www", "www.", "http://", "https:/", "[" };
	int bb, html;

	for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++) {
		as_count_links(at_page_end(ends[i]), &bb, &html);
		ck_assert_int_eq(bb, 0);
		ck_assert_int_eq(html, 0);
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("antispam links");
	TCase *tc = tcase_create("links");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, bbcode_and_html_links);
	tcase_add_test(tc, texts_that_end_in_the_middle_of_a_link);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
