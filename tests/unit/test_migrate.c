/* Unit tests: the statement splitter of migration files (semicolons in
 * strings, identifiers and comments; comments alone make no statement;
 * MariaDB's executable comments kept). */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

/* Splits text and checks that the statements are exactly want (a NULL
 * terminated list). */
static void
split_is(const char *text, const char *const *want)
{
	char *copy = strdup(text), *cur = copy, *s;
	size_t i = 0;

	while ((s = ap_sql_next(&cur)) != NULL) {
		ck_assert_msg(want[i] != NULL, "extra statement [%s]", s);
		ck_assert_str_eq(s, want[i]);
		i++;
	}
	ck_assert_msg(want[i] == NULL, "missing statement [%s]", want[i]);
	free(copy);
}

#define SPLIT(text, ...) \
	split_is(text, (const char *const[]){ __VA_ARGS__, NULL })

START_TEST(test_plain)
{
	SPLIT("CREATE TABLE a (x INT);\nINSERT INTO a VALUES (1);\n",
	    "CREATE TABLE a (x INT)", "INSERT INTO a VALUES (1)");
	SPLIT("SELECT 1", "SELECT 1");
	SPLIT("  SELECT 1 ;;  ; SELECT 2", "SELECT 1", "SELECT 2");
	split_is("", (const char *const[]){ NULL });
	split_is(" ;\n; ", (const char *const[]){ NULL });
}
END_TEST

START_TEST(test_quotes)
{
	SPLIT("INSERT INTO t VALUES ('a;b'); SELECT 2",
	    "INSERT INTO t VALUES ('a;b')", "SELECT 2");
	SPLIT("INSERT INTO t VALUES ('it\\'s;'), ('x''y;');",
	    "INSERT INTO t VALUES ('it\\'s;'), ('x''y;')");
	SPLIT("SELECT \"a;\\\"b\" AS `c;d`; SELECT `e``;f`",
	    "SELECT \"a;\\\"b\" AS `c;d`", "SELECT `e``;f`");
	/* a comment sign in a string is text */
	SPLIT("INSERT INTO t VALUES ('-- no; # no /* no */');",
	    "INSERT INTO t VALUES ('-- no; # no /* no */')");
}
END_TEST

START_TEST(test_comments)
{
	SPLIT("-- a; b\nSELECT 1; /* c; d */ SELECT 2; # e; f\n",
	    "SELECT 1", "SELECT 2");
	SPLIT("SELECT 1; -- the end", "SELECT 1");
	SPLIT("SELECT 1; /* unterminated; ", "SELECT 1");
	SPLIT("-- only a comment\n", NULL);
	/* "--" without a space after is an operator, not a comment */
	SPLIT("SELECT 1--1; SELECT 2", "SELECT 1--1", "SELECT 2");
	SPLIT("SELECT 1 --\nFROM DUAL;", "SELECT 1   \nFROM DUAL");
	/* quotes in comments open nothing */
	SPLIT("-- it's\nSELECT 1; /* \" */ SELECT 2", "SELECT 1", "SELECT 2");
}
END_TEST

START_TEST(test_executable_comments_kept)
{
	SPLIT("/*!40101 SET x = 1; */; SELECT 1",
	    "/*!40101 SET x = 1; */", "SELECT 1");
	SPLIT("CREATE TABLE t (a INT) /*M!100100 ENGINE=InnoDB */;",
	    "CREATE TABLE t (a INT) /*M!100100 ENGINE=InnoDB */");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("migrate");
	TCase *tc = tcase_create("split");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_plain);
	tcase_add_test(tc, test_quotes);
	tcase_add_test(tc, test_comments);
	tcase_add_test(tc, test_executable_comments_kept);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
