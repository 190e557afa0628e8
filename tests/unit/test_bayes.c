/*
 * test_bayes.c: the antispam classifier's core (plugins/antispam/bayes.c):
 * folding, tokens, domains, the table of counts, Robinson's f(w) and
 * Fisher's combining.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bayes.h"

static const char *
fold(const char *s)
{
	static char out[512];

	as_fold(s, strlen(s), out, sizeof(out));
	return out;
}

/* True when the text's tokens include tok. */
static int
has(const struct as_toklist *l, const char *tok)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].s, tok) == 0)
			return 1;
	return 0;
}

static struct as_toklist
tokens(const char *text, const char *pfx)
{
	struct as_toklist l;

	as_toklist_init(&l);
	as_tokenize(&l, text, strlen(text), pfx);
	return l;
}

START_TEST(test_fold)
{
	ck_assert_str_eq(fold("Élégant ŒUVRE Straße"),
	    "elegant oeuvre strasse");
	ck_assert_str_eq(fold("L’été à Noël"), "l'ete a noel");
	ck_assert_str_eq(fold("Ça coûte 10 €"), "ca coute 10 $");
	/* fullwidth letters, an invisible space, a combining accent */
	ck_assert_str_eq(fold("ＦＲＥＥ vi\xe2\x80\x8b" "agra e\xcc\x81t\xc3\xa9"),
	    "free viagra ete");
	/* punctuation and emoji become spaces; other scripts stay */
	ck_assert_str_eq(fold("oui…\xf0\x9f\x98\x80non"), "oui  non");
	ck_assert_str_eq(fold("Привет"), "Привет");
	/* invalid UTF-8 and overlong forms become spaces */
	ck_assert_str_eq(fold("a\xff" "b\xc0\xafz"), "a b  z");
	/* never more than the room given */
	{
		char small[4];

		ck_assert_uint_eq(as_fold("abcdef", 6, small, sizeof(small)),
		    3);
		ck_assert_str_eq(small, "abc");
	}
}
END_TEST

START_TEST(test_words_and_pairs)
{
	struct as_toklist l = tokens(
	    "Le temps partagé, c’est l’avenir des PME.", "");

	ck_assert(has(&l, "temps"));
	ck_assert(has(&l, "partage"));
	ck_assert(has(&l, "temps partage"));
	ck_assert(has(&l, "avenir"));
	ck_assert(has(&l, "pme"));
	ck_assert(has(&l, "C:PME"));
	/* common words are no tokens, but bind pairs */
	ck_assert(!has(&l, "le"));
	ck_assert(!has(&l, "des"));
	ck_assert(has(&l, "avenir des"));
	ck_assert(has(&l, "des pme"));
	/* no pair of two common words */
	ck_assert(!has(&l, "c est"));
	as_toklist_free(&l);

	/* each token once; no pair across a sentence */
	l = tokens("Offre offre OFFRE. Gratuit !! Gratuit", "");
	ck_assert(has(&l, "offre offre"));
	ck_assert(!has(&l, "offre gratuit"));
	ck_assert(has(&l, "x:!!"));
	ck_assert(has(&l, "C:OFFRE"));
	for (size_t i = 0; i < l.n; i++)
		for (size_t k = i + 1; k < l.n; k++)
			ck_assert_str_ne(l.v[i].s, l.v[k].s);
	as_toklist_free(&l);
}
END_TEST

START_TEST(test_numbers_and_lengths)
{
	struct as_toklist l = tokens("Prix $99.95 ou 1 234 euros, réf "
	    "12345678, code A1B2C3D4, 2026", "");

	ck_assert(has(&l, "$99.95"));
	ck_assert(has(&l, "234"));
	ck_assert(has(&l, "2026"));
	ck_assert(has(&l, "a1b2c3d4"));
	ck_assert(!has(&l, "12345678"));   /* an id, seen once */
	as_toklist_free(&l);
	l = tokens("a b anticonstitutionnellementanticonstitutionnellement ok",
	    "");
	ck_assert(!has(&l, "a"));
	ck_assert(has(&l, "ok"));
	ck_assert_uint_eq(l.n, 1);
	as_toklist_free(&l);
}
END_TEST

START_TEST(test_links_and_addresses)
{
	struct as_toklist l = tokens("Voyez https://www.Boutique.Example.co.uk/"
	    "promo?id=3 et http://203.0.113.9/x ou écrivez à "
	    "vente@promo.example.com", "");

	ck_assert(has(&l, "u:boutique.example.co.uk"));
	ck_assert(has(&l, "u:example.co.uk"));
	ck_assert(has(&l, "promo"));        /* the path's words */
	ck_assert(has(&l, "u:ip"));
	ck_assert(has(&l, "e:promo.example.com"));
	ck_assert(has(&l, "e:example.com"));
	ck_assert(!has(&l, "vente"));       /* the local part is no word */
	as_toklist_free(&l);

	as_toklist_init(&l);
	as_tokenize_domain(&l, "https://blog.jardin.example/a", AS_PFX_SITE);
	as_tokenize_domain(&l, "Marie@Courrier.Example", AS_PFX_FROM);
	ck_assert(has(&l, "s:blog.jardin.example"));
	ck_assert(has(&l, "s:jardin.example"));
	ck_assert(has(&l, "m:courrier.example"));
	as_toklist_free(&l);
}
END_TEST

START_TEST(test_domain)
{
	char d[64];

	ck_assert(as_domain("www.shop.example.co.uk", 22, d, sizeof(d)));
	ck_assert_str_eq(d, "example.co.uk");
	ck_assert(as_domain("a.b.example.com", 15, d, sizeof(d)));
	ck_assert_str_eq(d, "example.com");
	ck_assert(as_domain("example.fr.", 11, d, sizeof(d)));
	ck_assert_str_eq(d, "example.fr");
	ck_assert(!as_domain("co.uk", 5, d, sizeof(d)));
	ck_assert(!as_domain("localhost", 9, d, sizeof(d)));
	ck_assert(!as_domain("bad_host.com", 12, d, sizeof(d)));
	ck_assert(!as_domain("example.com", 11, d, 5));
}
END_TEST

START_TEST(test_scripts_and_languages)
{
	struct as_toklist l = tokens("免费发财 今天", "");

	ck_assert(has(&l, "免"));
	ck_assert(has(&l, "免 费"));
	ck_assert(has(&l, "今"));
	as_toklist_free(&l);

	l = tokens("Nous avons lu votre article et nous le trouvons très juste",
	    "");
	ck_assert(has(&l, "x:lang-fr"));
	as_toklist_free(&l);
	l = tokens("We have read your article and this is what we think of it",
	    "");
	ck_assert(has(&l, "x:lang-en"));
	as_toklist_free(&l);
	l = tokens("Socijalisticka partija Srbije konacno se odrekla politike "
	    "herojskog drzanja prema svetu danas", "");
	ck_assert(has(&l, "x:lang-other"));
	as_toklist_free(&l);
	/* fields have prefixes, and no language token */
	l = tokens("Jean de la Fontaine", AS_PFX_NAME);
	ck_assert(has(&l, "n:jean"));
	ck_assert(has(&l, "n:fontaine"));
	ck_assert(!has(&l, "x:lang-fr"));
	as_toklist_free(&l);
}
END_TEST

START_TEST(test_stopwords)
{
	ck_assert(as_stopword("le", 2));
	ck_assert(as_stopword("vous", 4));
	ck_assert(as_stopword("the", 3));
	ck_assert(as_stopword("a", 1));
	ck_assert(as_stopword("y", 1));
	ck_assert(!as_stopword("temps", 5));
	ck_assert(!as_stopword("l", 0));
}
END_TEST

START_TEST(test_token_list_limits)
{
	struct as_toklist l;
	char w[16];

	as_toklist_init(&l);
	for (int i = 0; i < AS_TOKENS_MAX + 100; i++) {
		snprintf(w, sizeof(w), "w%d", i);
		as_toklist_add(&l, "", w, strlen(w));
	}
	ck_assert_uint_eq(l.n, AS_TOKENS_MAX);
	ck_assert_str_eq(l.v[0].s, "w0");   /* the pool moved, tokens too */
	as_toklist_clear(&l);
	ck_assert_uint_eq(l.n, 0);
	ck_assert_int_eq(as_toklist_add(&l, "", "w0", 2), 1);
	as_toklist_free(&l);
}
END_TEST

START_TEST(test_table)
{
	struct as_table t;
	const struct as_counts *c;

	as_table_init(&t);
	ck_assert_ptr_null(as_table_get(&t, 42));
	for (uint64_t h = 1; h <= 10000; h++)
		ck_assert_int_eq(as_table_put(&t, h * 7919, (long)h, 1, 0), 0);
	ck_assert_uint_eq(t.n, 10000);
	c = as_table_get(&t, 5000 * 7919);
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(c->spam, 5000);
	as_table_put(&t, 5000 * 7919, 2, -5, 1);
	c = as_table_get(&t, 5000 * 7919);
	ck_assert_uint_eq(c->spam, 5002);
	ck_assert_uint_eq(c->ham, 0);       /* never below 0 */
	as_table_free(&t);
}
END_TEST

START_TEST(test_robinson_f)
{
	struct as_table t;
	struct as_params p = { 0.2, 0.52, 0.1, 0 };
	struct as_counts c;

	as_table_init(&t);
	t.nspam = 10;
	t.nham = 10;
	/* unknown: x */
	ck_assert_double_eq_tol(as_token_prob(&t, &p, NULL), 0.52, 1e-12);
	/* seen once, in spam only: (s·x + 1) / (s + 1) */
	c.spam = 1;
	c.ham = 0;
	ck_assert_double_eq_tol(as_token_prob(&t, &p, &c), (0.2 * 0.52 + 1) /
	    1.2, 1e-12);
	/* as often in both classes, normalized by the classes' sizes */
	t.nspam = 10;
	t.nham = 40;
	c.spam = 2;
	c.ham = 8;
	ck_assert_double_eq_tol(as_token_prob(&t, &p, &c), (0.2 * 0.52 +
	    10 * 0.5) / 10.2, 1e-12);
	as_table_free(&t);
}
END_TEST

START_TEST(test_chi2q)
{
	ck_assert_double_eq_tol(as_chi2q(0, 3), 1.0, 1e-12);
	ck_assert_double_eq_tol(as_chi2q(2, 1), exp(-1), 1e-12);
	ck_assert_double_eq_tol(as_chi2q(4, 2), exp(-2) * 3, 1e-12);
	ck_assert_double_eq_tol(as_chi2q(10, 3), exp(-5) * (1 + 5 + 12.5),
	    1e-12);
	/* far in the tail: tiny, not zero by underflow, never above 1 */
	ck_assert(as_chi2q(3000, 500) > 0);
	ck_assert(as_chi2q(3000, 500) < 1e-100);
	ck_assert(as_chi2q(1, 2000) <= 1.0);
}
END_TEST

/* A table where the words of spam and ham are known. */
static void
train(struct as_table *t, const char *text, int spam)
{
	struct as_toklist l = tokens(text, "");

	for (size_t i = 0; i < l.n; i++)
		as_table_put(t, l.v[i].h, spam, !spam, 1);
	if (spam)
		t->nspam++;
	else
		t->nham++;
	as_toklist_free(&l);
}

START_TEST(test_fisher)
{
	struct as_table t;
	struct as_params p = { 0.2, 0.52, 0.1, 0 };
	struct as_clue clues[8];
	size_t n = 8;
	struct as_toklist l;
	double s;

	as_table_init(&t);
	for (int i = 0; i < 5; i++) {
		train(&t, "casino bonus gratuit jackpot cliquez", 1);
		train(&t, "mission expert temps partagé trésorerie", 0);
	}
	/* nothing known: 0.5 */
	l = tokens("zorglub bidule", "");
	ck_assert_double_eq_tol(as_classify(&t, &p, &l, NULL, NULL), 0.5,
	    1e-12);
	as_toklist_free(&l);
	l = tokens("Bonus casino gratuit !", "");
	s = as_classify(&t, &p, &l, clues, &n);
	ck_assert(s > 0.99);
	ck_assert_uint_gt(n, 2);
	ck_assert(clues[0].f > 0.9);
	/* the clues come strongest first */
	for (size_t i = 1; i < n; i++)
		ck_assert(fabs(clues[i - 1].f - 0.5) >= fabs(clues[i].f - 0.5));
	as_toklist_free(&l);
	l = tokens("Une mission d’expert en trésorerie", "");
	ck_assert(as_classify(&t, &p, &l, NULL, NULL) < 0.01);
	as_toklist_free(&l);
	/* as much of each: undecided */
	l = tokens("casino mission", "");
	s = as_classify(&t, &p, &l, NULL, NULL);
	ck_assert_double_eq_tol(s, 0.5, 0.05);
	as_toklist_free(&l);
	/* the most extreme clues only, when asked */
	p.max_clues = 1;
	l = tokens("casino mission trésorerie", "");
	ck_assert(as_classify(&t, &p, &l, NULL, NULL) != 0.5);
	as_toklist_free(&l);
	as_table_free(&t);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("bayes");
	TCase *tc = tcase_create("bayes");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_fold);
	tcase_add_test(tc, test_words_and_pairs);
	tcase_add_test(tc, test_numbers_and_lengths);
	tcase_add_test(tc, test_links_and_addresses);
	tcase_add_test(tc, test_domain);
	tcase_add_test(tc, test_scripts_and_languages);
	tcase_add_test(tc, test_stopwords);
	tcase_add_test(tc, test_token_list_limits);
	tcase_add_test(tc, test_table);
	tcase_add_test(tc, test_robinson_f);
	tcase_add_test(tc, test_chi2q);
	tcase_add_test(tc, test_fisher);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
