/* The comments plugin's text rules: lengths, names, emails, websites,
 * page keys, links, folding, WordPress's HTML. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "comments.h"

/* text.c needs nothing of the host; comments.h names it. */
const struct ap_host *ap;

static char *
squash(const char *s)
{
	static char buf[256];

	strcpy(buf, s);
	cm_squash(buf);
	return buf;
}

static char *
clean(const char *s)
{
	static char buf[256];

	strcpy(buf, s);
	cm_clean_body(buf);
	return buf;
}

START_TEST(chars_count_code_points)
{
	ck_assert_uint_eq(cm_chars(""), 0);
	ck_assert_uint_eq(cm_chars("abc"), 3);
	ck_assert_uint_eq(cm_chars("Hélène"), 6);
	ck_assert_uint_eq(cm_chars("€ 😀"), 3);
	/* the bytes of the first n characters */
	ck_assert_uint_eq(cm_prefix("Hélène", 2), 3);
	ck_assert_uint_eq(cm_prefix("€ 😀", 3), 8);
	ck_assert_uint_eq(cm_prefix("ab", 5), 2);
	ck_assert_uint_eq(cm_prefix("ab", 0), 0);
}
END_TEST

START_TEST(names_are_one_trimmed_line)
{
	ck_assert_str_eq(squash("  Claire \t Moreau\n"), "Claire Moreau");
	ck_assert_str_eq(squash("a\x01\x1f" "b"), "ab");
	ck_assert_str_eq(squash(" \n "), "");
	/* the bidi embeddings, overrides and isolates go: a name cannot
	 * turn round the date written after it */
	ck_assert_str_eq(squash("Anne\u202e\u202a\u202b\u202c\u202d"
	    "\u2066\u2067\u2068\u2069 Roy"), "Anne Roy");
	ck_assert_str_eq(squash("\u202e "), "");
	/* letters of every script stay, and the marks that turn nothing */
	ck_assert_str_eq(squash("\u05e9\u05e8\u05d4\u200f Cohen"),
	    "\u05e9\u05e8\u05d4\u200f Cohen");
}
END_TEST

START_TEST(bodies_keep_paragraphs)
{
	ck_assert_str_eq(clean("\n\n  a  \r\nb\rc \n\n\nd\n\n"),
	    "a\nb\nc\n\n\nd");
	ck_assert_str_eq(clean("x\x07y\tz\x7f"), "xy\tz");
	ck_assert_str_eq(clean(" \n \t\n"), "");
}
END_TEST

START_TEST(emails)
{
	char longmail[300];

	ck_assert(cm_email_ok("claire@cabinet-moreau.example"));
	ck_assert(cm_email_ok("a.b+c@x.fr"));
	ck_assert(cm_email_ok("hélène@société.fr"));
	ck_assert(!cm_email_ok("claire"));
	ck_assert(!cm_email_ok("@x.fr"));
	ck_assert(!cm_email_ok("a@x"));
	ck_assert(!cm_email_ok("a@-x.fr"));
	ck_assert(!cm_email_ok("a@x..fr"));
	ck_assert(!cm_email_ok("a b@x.fr"));
	ck_assert(!cm_email_ok(".a@x.fr"));
	ck_assert(!cm_email_ok("a\"b@x.fr"));
	ck_assert(!cm_email_ok("a@x.fr\nBcc: z@y.fr"));
	memset(longmail, 'a', 250);
	strcpy(longmail + 50, "@x.fr");
	ck_assert(cm_email_ok(longmail));
	memset(longmail, 'a', 65);
	strcpy(longmail + 65, "@x.fr");
	ck_assert(!cm_email_ok(longmail));
}
END_TEST

START_TEST(websites)
{
	ck_assert_int_eq(cm_url_check("https://exemple.fr/"), CM_URL_OK);
	ck_assert_int_eq(cm_url_check("HTTP://exemple.fr:8080/a?b=c#d"),
	    CM_URL_OK);
	ck_assert_int_eq(cm_url_check("javascript:alert(1)"), CM_URL_SCHEME);
	ck_assert_int_eq(cm_url_check("JavaScript:alert(1)"), CM_URL_SCHEME);
	ck_assert_int_eq(cm_url_check("data:text/html,x"), CM_URL_SCHEME);
	ck_assert_int_eq(cm_url_check("ftp://exemple.fr/"), CM_URL_SCHEME);
	ck_assert_int_eq(cm_url_check("exemple.fr"), CM_URL_BAD);
	ck_assert_int_eq(cm_url_check("https://"), CM_URL_BAD);
	ck_assert_int_eq(cm_url_check("https://a b.fr/"), CM_URL_BAD);
	ck_assert_int_eq(cm_url_check("https://x.fr/a\"onmouseover"),
	    CM_URL_BAD);
	ck_assert_int_eq(cm_url_check("https://user@evil.example/"),
	    CM_URL_BAD);
	ck_assert_int_eq(cm_url_check("https://"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.fr/"),
	    CM_URL_OK);
	ck_assert_int_eq(cm_url_check("https://"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.fr/"),
	    CM_URL_BAD);
}
END_TEST

START_TEST(page_keys)
{
	char key[200];

	ck_assert(cm_page_ok("/blog/partager-son-temps"));
	ck_assert(cm_page_ok("/"));
	ck_assert(cm_page_ok("/blog/été/"));
	ck_assert(cm_page_ok("/a/b.html"));
	ck_assert(!cm_page_ok(""));
	ck_assert(!cm_page_ok("blog/x"));
	ck_assert(!cm_page_ok("//evil.example/x"));
	ck_assert(!cm_page_ok("/a/../b"));
	ck_assert(!cm_page_ok("/a/./b"));
	ck_assert(!cm_page_ok("/a/.."));
	ck_assert(!cm_page_ok("/a b"));
	ck_assert(!cm_page_ok("/a?b"));
	ck_assert(!cm_page_ok("/a#b"));
	ck_assert(!cm_page_ok("/a\\b"));
	ck_assert(!cm_page_ok("/<script>"));
	/* no character that shows nothing: a key cannot look like another */
	ck_assert(!cm_page_ok("/blog/partager-son-temps\u200b"));
	ck_assert(!cm_page_ok("/blog/a\u202eb"));
	ck_assert(!cm_page_ok("/blog/a\xc2\x85"));
	ck_assert(!cm_page_ok("/blog/\ufeffa"));
	ck_assert(!cm_page_ok("/blog/a\u00a0b"));
	key[0] = '/';
	memset(key + 1, 'a', 179);
	key[180] = '\0';
	ck_assert(cm_page_ok(key));
	key[180] = 'a';
	key[181] = '\0';
	ck_assert(!cm_page_ok(key));
}
END_TEST

static char *
link_at(const char *s, size_t from)
{
	static char buf[256];
	size_t st, len;

	if (!cm_link_next(s, from, &st, &len))
		return NULL;
	memcpy(buf, s + st, len);
	buf[len] = '\0';
	return buf;
}

/* Texts, and the link found in each. */
static const struct {
	const char *text, *link;
} ends[] = {
	{ "www.banque.fr@evil.example/x", "www.banque.fr" },
	{ "https://exemple.fr)x", "https://exemple.fr" },
	{ "http://exemple.fr:8080/a", "http://exemple.fr:8080/a" },
	{ "https://aé.fr/à", "https://aé.fr/à" },
	{ "https://exemple.fr/a\u202egpj.exe", "https://exemple.fr/a" },
	{ "https://exemple.fr/a\u200bb", "https://exemple.fr/a" },
	{ "https://exem\ufeffple.fr/", "https://exem" },
	{ "https://exemple.fr/\xc2\x85x", "https://exemple.fr/" },
};

START_TEST(links)
{
	ck_assert_str_eq(link_at("voir https://exemple.fr/a?b=1.", 0),
	    "https://exemple.fr/a?b=1");
	ck_assert_str_eq(link_at("(voir https://fr.wikipedia.org/wiki/X_(y))",
	    0), "https://fr.wikipedia.org/wiki/X_(y)");
	ck_assert_str_eq(link_at("(https://exemple.fr/a)", 0),
	    "https://exemple.fr/a");
	ck_assert_str_eq(link_at("sur www.exemple.fr, voyez", 0),
	    "www.exemple.fr");
	ck_assert_str_eq(link_at("« https://exemple.fr »", 0),
	    "https://exemple.fr");
	ck_assert_str_eq(link_at("ici\xc2\xa0https://exemple.fr\xc2\xa0!", 0),
	    "https://exemple.fr");
	ck_assert_ptr_null(link_at("https:// rien", 0));
	ck_assert_ptr_null(link_at("xhttps://exemple.fr", 0));
	ck_assert_ptr_null(link_at("www.", 0));
	ck_assert_ptr_null(link_at("aucun lien", 0));
	ck_assert_uint_eq(cm_links("a http://a.fr b https://b.fr www.c.fr"), 3);
	ck_assert_uint_eq(cm_links("[url=http://x.fr]y[/url]"), 1);
	ck_assert_uint_eq(cm_links("rien"), 0);
	/* the host ends where a host cannot go on: no user name before an
	 * "@", nothing glued after it but a path, a query, a port; and
	 * characters that show nothing end a link: it cannot hide or turn
	 * round a part of itself */
	for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++)
		ck_assert_str_eq(link_at(ends[i].text, 0), ends[i].link);
}
END_TEST

START_TEST(link_targets)
{
	char out[128];

	/* www. takes https://; a "%" that escapes nothing is escaped; cut
	 * to the room there is */
	ck_assert_str_eq(cm_link_href("www.exemple.fr/100%", out,
	    sizeof(out)), "https://www.exemple.fr/100%25");
	ck_assert_str_eq(cm_link_href("https://x.fr/a%20b%2é", out,
	    sizeof(out)), "https://x.fr/a%20b%252é");
	ck_assert_str_eq(cm_link_href("https://x.fr/abcdef", out, 16),
	    "https://x.fr/ab");
}
END_TEST

START_TEST(folding)
{
	char out[64];

	cm_fold("Écrivez-MOI à Noël, cœur", out, sizeof(out));
	ck_assert_str_eq(out, "ecrivez-moi a noel, coeur");
	cm_fold("日本", out, sizeof(out));
	ck_assert_str_eq(out, "日本");
	cm_fold("abcdef", out, 4);
	ck_assert_str_eq(out, "abc");
	/* an accent written as a combining mark (NFD) goes as well */
	cm_fold("E\u0301crivez a\u0300 Noe\u0308l", out, sizeof(out));
	ck_assert_str_eq(out, "ecrivez a noel");
	/* invisible characters inside a word do not hide it */
	cm_fold("vi\u200bag\u00adr\u2060a\ufeff \u200cx\u200dy",
	    out, sizeof(out));
	ck_assert_str_eq(out, "viagra xy");
	/* nor letters of full width */
	cm_fold("\uff36\uff49\uff41\uff47\uff52\uff41\uff01", out,
	    sizeof(out));
	ck_assert_str_eq(out, "viagra!");
	cm_dup_text("  Bonjour\n\n  TOUT  le MONDE Élevé ", out, sizeof(out));
	ck_assert_str_eq(out, "bonjour tout le monde eleve");
}
END_TEST

static char *
html(const char *in)
{
	static char buf[512];

	cm_html_to_text(in, buf, sizeof(buf));
	return buf;
}

START_TEST(wordpress_html)
{
	ck_assert_str_eq(html("Un&nbsp;essai &amp; l&#8217;autre&hellip;"),
	    "Un\xc2\xa0" "essai & l’autre…");
	ck_assert_str_eq(html("<p>Un</p><p>Deux<br />trois</p>"),
	    "Un\n\nDeux\ntrois");
	ck_assert_str_eq(html("Voir <a href=\"https://x.fr/\">ce site</a>."),
	    "Voir ce site (https://x.fr/).");
	ck_assert_str_eq(html("<a href='https://x.fr/'>https://x.fr/</a>"),
	    "https://x.fr/");
	ck_assert_str_eq(html("<a href=\"javascript:alert(1)\">clic</a>"),
	    "clic");
	ck_assert_str_eq(html("<script>alert(1)</script><!-- note -->ok"),
	    "alert(1)ok");
	ck_assert_str_eq(html("1 &lt; 2 &#x3C; 3 &bogus; &#0;"),
	    "1 < 2 < 3 &bogus;");
	ck_assert_str_eq(html("ligne\n\n\n\nautre"), "ligne\n\nautre");
	ck_assert_str_eq(html("a < b"), "a < b");
}
END_TEST

START_TEST(html_never_overflows)
{
	char small[8];

	cm_html_to_text("éééééééééé", small, sizeof(small));
	ck_assert_str_eq(small, "ééé");
	cm_html_to_text("<a href=\"https://x.fr/\">t</a>", small,
	    sizeof(small));
	ck_assert_uint_le(strlen(small), 7);
}
END_TEST

/* An export's text is untrusted: a text of ampersands that begin no
 * entity takes one pass, not one pass per ampersand (Check's timeout
 * stops a quadratic run). */
START_TEST(html_of_many_ampersands_is_quick)
{
	size_t n = 4 * 1024 * 1024;
	char *in = malloc(n + 1), *out = malloc(n + 1);

	ck_assert_ptr_nonnull(in);
	ck_assert_ptr_nonnull(out);
	memset(in, '&', n);
	in[n] = '\0';
	ck_assert_uint_eq(cm_html_to_text(in, out, n + 1), n);
	memcpy(in + n - 6, "&amp;x", 6);
	ck_assert_uint_eq(cm_html_to_text(in, out, n + 1), n - 4);
	free(in);
	free(out);
}
END_TEST

START_TEST(id_lists)
{
	long long ids[4];

	ck_assert_int_eq(cm_ids_parse("12.40.41", ids, 4), 3);
	ck_assert_int_eq(ids[2], 41);
	ck_assert_int_eq(cm_ids_parse("", ids, 4), 0);
	ck_assert_int_eq(cm_ids_parse("1.2.3.4.5", ids, 4), -1);
	ck_assert_int_eq(cm_ids_parse("1..2", ids, 4), -1);
	ck_assert_int_eq(cm_ids_parse("-1", ids, 4), -1);
	ck_assert_int_eq(cm_ids_parse("0", ids, 4), -1);
	ck_assert_int_eq(cm_ids_parse("1a", ids, 4), -1);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("comments text");
	TCase *tc = tcase_create("text");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, chars_count_code_points);
	tcase_add_test(tc, names_are_one_trimmed_line);
	tcase_add_test(tc, bodies_keep_paragraphs);
	tcase_add_test(tc, emails);
	tcase_add_test(tc, websites);
	tcase_add_test(tc, page_keys);
	tcase_add_test(tc, links);
	tcase_add_test(tc, link_targets);
	tcase_add_test(tc, folding);
	tcase_add_test(tc, wordpress_html);
	tcase_add_test(tc, html_never_overflows);
	tcase_add_test(tc, html_of_many_ampersands_is_quick);
	tcase_add_test(tc, id_lists);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
