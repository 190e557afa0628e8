/* Unit tests: the gettext catalogs (a lookup, plural forms in French and
 * English) and a broken catalog, refused whole. */
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core.h"

struct mo_msg {
	const char *id;      /* "sing" or "sing\0plur" */
	size_t idlen;
	const char *str;     /* forms separated by NUL */
	size_t strlen;
	uint32_t bad_off;    /* non-zero: the translation's offset, wrong */
};

static char dir[64];

static void
put32(FILE *f, uint32_t v)
{
	fwrite(&v, 4, 1, f);
}

/* Writes DIR/en/LC_MESSAGES/aparte.mo with msgs (sorted by id). */
static void
write_mo(const struct mo_msg *m, uint32_t n)
{
	char path[128];
	uint32_t off = 28 + 16 * n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/en", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/en/LC_MESSAGES", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/en/LC_MESSAGES/aparte.mo", dir);
	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	put32(f, 0x950412deU);
	put32(f, 0);
	put32(f, n);
	put32(f, 28);
	put32(f, 28 + 8 * n);
	put32(f, 0);
	put32(f, 0);
	for (uint32_t i = 0; i < n; i++) {
		put32(f, (uint32_t)m[i].idlen);
		put32(f, off);
		off += (uint32_t)m[i].idlen + 1;
	}
	for (uint32_t i = 0; i < n; i++) {
		put32(f, (uint32_t)m[i].strlen);
		put32(f, m[i].bad_off ? m[i].bad_off : off);
		off += (uint32_t)m[i].strlen + 1;
	}
	for (uint32_t i = 0; i < n; i++)
		fwrite(m[i].id, 1, m[i].idlen + 1, f);
	for (uint32_t i = 0; i < n; i++)
		fwrite(m[i].str, 1, m[i].strlen + 1, f);
	fclose(f);
}

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/aparte-i18n-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void
teardown(void)
{
	char cmd[128];

	ap_i18n_free();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static const struct mo_msg good[] = {
	{ "%d fichier\0%d fichiers", 22, "%d file\0%d files", 16, 0 },
	{ "Bonjour", 7, "Hello", 5, 0 },
};

START_TEST(test_lookup_and_plural_forms)
{
	write_mo(good, 2);
	ap_i18n_load(dir, "aparte", "fr en");
	ck_assert_str_eq(ap_i18n_tr("en", "Bonjour"), "Hello");
	ck_assert_str_eq(ap_i18n_tr("fr", "Bonjour"), "Bonjour");
	ck_assert_str_eq(ap_i18n_tr("en", "Absent"), "Absent");
	/* English: one is singular, zero and two are plural */
	ck_assert_str_eq(ap_i18n_trn("en", "%d fichier", "%d fichiers", 1),
	    "%d file");
	ck_assert_str_eq(ap_i18n_trn("en", "%d fichier", "%d fichiers", 0),
	    "%d files");
	ck_assert_str_eq(ap_i18n_trn("en", "%d fichier", "%d fichiers", 2),
	    "%d files");
	/* French, the msgids: zero and one are singular */
	ck_assert_str_eq(ap_i18n_trn("fr", "%d fichier", "%d fichiers", 0),
	    "%d fichier");
	ck_assert_str_eq(ap_i18n_trn("fr", "%d fichier", "%d fichiers", 1),
	    "%d fichier");
	ck_assert_str_eq(ap_i18n_trn("fr", "%d fichier", "%d fichiers", 2),
	    "%d fichiers");
}
END_TEST

/* French, the source language, gets its typography: a no-break space
 * before a colon and inside « », a narrow one before ; ! ?, in the
 * singular and the plural; English and the texts without them are left
 * as they are. */
START_TEST(test_french_typography)
{
	const struct mo_msg typo[] = {
		{ "%d règle : « %s » ?\0%d règles ; « %s » !", 46,
		    "%d rule: \"%s\"?\0%d rules; \"%s\"!", 30, 0 },
		{ "Bonjour", 7, "Hello", 5, 0 },
		{ "Motif :", 7, "Pattern:", 8, 0 },
	};

	write_mo(typo, 3);
	ap_i18n_load(dir, "aparte", "fr en");
	ck_assert_str_eq(ap_i18n_tr("fr", "Motif :"), "Motif\u00a0:");
	ck_assert_str_eq(ap_i18n_tr("en", "Motif :"), "Pattern:");
	ck_assert_str_eq(ap_i18n_tr("fr", "Bonjour"), "Bonjour");
	ck_assert_str_eq(ap_i18n_trn("fr", "%d règle : « %s » ?",
	    "%d règles ; « %s » !", 1),
	    "%d règle\u00a0: «\u00a0%s\u00a0»\u202f?");
	ck_assert_str_eq(ap_i18n_trn("fr", "%d règle : « %s » ?",
	    "%d règles ; « %s » !", 2),
	    "%d règles\u202f; «\u00a0%s\u00a0»\u202f!");
	/* not in any catalog: as written */
	ck_assert_str_eq(ap_i18n_tr("fr", "Absent : oui"), "Absent : oui");
}
END_TEST

/* A catalog whose second message points past its end is refused whole:
 * nothing read before the fault is kept (it pointed into the file's
 * contents, which are freed). */
START_TEST(test_broken_catalog_is_refused_whole)
{
	const struct mo_msg broken[] = {
		{ "Bonjour", 7, "Hello", 5, 0 },
		{ "Zut", 3, "Damn", 4, 1u << 30 },
	};

	write_mo(broken, 2);
	ap_i18n_load(dir, "aparte", "fr en");
	ck_assert_str_eq(ap_i18n_tr("en", "Bonjour"), "Bonjour");
	ck_assert_str_eq(ap_i18n_tr("en", "Zut"), "Zut");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("i18n");
	TCase *tc = tcase_create("catalogs");
	SRunner *sr;
	int failed;

	ap_log_min = AP_LOG_ERR;
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_lookup_and_plural_forms);
	tcase_add_test(tc, test_broken_catalog_is_refused_whole);
	tcase_add_test(tc, test_french_typography);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
