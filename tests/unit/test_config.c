/* Unit tests: aparte.conf (sections, types, limits, defaults, errors that
 * name the line). */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core.h"

static const struct ap_setting plug[] = {
	{ "depth", AP_SET_INT, "5", 1, 20, "" },
	{ "notify", AP_SET_BOOL, "yes", 0, 0, "" },
	{ "hold", AP_SET_DURATION, "30d", 0, 0, "" },
	{ "size", AP_SET_SIZE, "1M", 0, 0, "" },
	{ NULL, 0, NULL, 0, 0, NULL },
};

static char path[64];

static int
load(const char *text, struct ap_conf *c, char *err, size_t errlen,
    const char *const *tolerated)
{
	FILE *f;
	int fd;

	strcpy(path, "/tmp/aparte-conf-XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	memset(c, 0, sizeof(*c));
	for (const struct ap_conf_section *s = ap_core_sections; s->name; s++)
		ap_conf_declare(c, s->name, s->settings);
	ap_conf_declare(c, "comments", plug);
	err[0] = '\0';
	if (ap_conf_read(c, path, err, errlen) != 0) {
		unlink(path);
		return -1;
	}
	unlink(path);
	return ap_conf_validate(c, tolerated, err, errlen);
}

START_TEST(test_values_and_defaults)
{
	struct ap_conf c;
	char err[512];

	ck_assert_int_eq(load("# comment\n[site]\ntitle = Réseau Temps "
	    "Partagé\nbase_url=https://example.org\n\n[comments]\ndepth = 7\n"
	    "notify = off\nhold = 2h\nsize = 64K\n[limits]\nbody_max = 2M\n",
	    &c, err, sizeof(err), NULL), 0);
	ck_assert_str_eq(ap_conf_get(&c, "site", "title"), "Réseau Temps Partagé");
	ck_assert_str_eq(ap_conf_get(&c, "site", "mount"), "/aparte");
	ck_assert_int_eq(ap_conf_num(&c, "comments", "depth"), 7);
	ck_assert_int_eq(ap_conf_num(&c, "comments", "notify"), 0);
	ck_assert_int_eq(ap_conf_num(&c, "comments", "hold"), 7200);
	ck_assert_int_eq(ap_conf_num(&c, "comments", "size"), 65536);
	ck_assert_int_eq(ap_conf_num(&c, "limits", "body_max"), 2 * 1048576);
	ck_assert_int_eq(ap_conf_num(&c, "limits", "fields_max"), 200);
	/* where each value came from, for the messages that refuse one */
	ck_assert_int_eq(ap_conf_line(&c, "site", "title"), 3);
	ck_assert_int_eq(ap_conf_line(&c, "comments", "hold"), 9);
	ck_assert_int_eq(ap_conf_line(&c, "site", "mount"), 0);
	ck_assert_int_eq(ap_conf_line(&c, "nowhere", "x"), 0);
	ap_conf_free(&c);
}
END_TEST

START_TEST(test_unknown_key_names_line)
{
	struct ap_conf c;
	char err[512];

	ck_assert_int_eq(load("[site]\ntitle = x\n\ncolour = blue\n", &c, err,
	    sizeof(err), NULL), -1);
	ck_assert_ptr_nonnull(strstr(err, ":4:"));
	ck_assert_ptr_nonnull(strstr(err, "colour"));
	ap_conf_free(&c);
}
END_TEST

START_TEST(test_unknown_section)
{
	struct ap_conf c;
	char err[512];
	static const char *const tol[] = { "broken", NULL };

	ck_assert_int_eq(load("[nowhere]\na = 1\n", &c, err, sizeof(err),
	    NULL), -1);
	ck_assert_ptr_nonnull(strstr(err, ":2:"));
	ck_assert_ptr_nonnull(strstr(err, "nowhere"));
	ap_conf_free(&c);
	/* the section of a plugin that failed to load is tolerated */
	ck_assert_int_eq(load("[broken]\na = 1\n", &c, err, sizeof(err), tol),
	    0);
	ap_conf_free(&c);
}
END_TEST

START_TEST(test_bad_values)
{
	struct ap_conf c;
	char err[512];

	ck_assert_int_eq(load("[comments]\ndepth = 50\n", &c, err, sizeof(err),
	    NULL), -1);
	ck_assert_ptr_nonnull(strstr(err, ":2:"));
	ck_assert_ptr_nonnull(strstr(err, "out of range"));
	ap_conf_free(&c);
	ck_assert_int_eq(load("[comments]\n\ndepth = five\n", &c, err,
	    sizeof(err), NULL), -1);
	ck_assert_ptr_nonnull(strstr(err, ":3:"));
	ap_conf_free(&c);
	ck_assert_int_eq(load("[comments]\nnotify = perhaps\n", &c, err,
	    sizeof(err), NULL), -1);
	ap_conf_free(&c);
	ck_assert_int_eq(load("[limits]\nbody_max = 12X\n", &c, err,
	    sizeof(err), NULL), -1);
	ap_conf_free(&c);
	ck_assert_int_eq(load("[comments]\nhold = -3\n", &c, err, sizeof(err),
	    NULL), -1);
	ap_conf_free(&c);
}
END_TEST

START_TEST(test_syntax_errors)
{
	struct ap_conf c;
	char err[512];

	ck_assert_int_eq(load("title = x\n", &c, err, sizeof(err), NULL), -1);
	ck_assert_ptr_nonnull(strstr(err, ":1:"));
	ap_conf_free(&c);
	ck_assert_int_eq(load("[site\n", &c, err, sizeof(err), NULL), -1);
	ap_conf_free(&c);
	ck_assert_int_eq(load("[site]\njust words\n", &c, err, sizeof(err),
	    NULL), -1);
	ck_assert_ptr_nonnull(strstr(err, ":2:"));
	ap_conf_free(&c);
	ck_assert_int_eq(load("[site]\ntitle = a\ntitle = b\n", &c, err,
	    sizeof(err), NULL), -1);
	ck_assert_ptr_nonnull(strstr(err, "twice"));
	ap_conf_free(&c);
}
END_TEST

START_TEST(test_quoted_value)
{
	struct ap_conf c;
	char err[512];

	ck_assert_int_eq(load("[database]\npassword = \" a#b \"\n", &c, err,
	    sizeof(err), NULL), 0);
	ck_assert_str_eq(ap_conf_get(&c, "database", "password"), " a#b ");
	ap_conf_free(&c);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("load");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_values_and_defaults);
	tcase_add_test(tc, test_unknown_key_names_line);
	tcase_add_test(tc, test_unknown_section);
	tcase_add_test(tc, test_bad_values);
	tcase_add_test(tc, test_syntax_errors);
	tcase_add_test(tc, test_quoted_value);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
