/* Unit tests: the XHTML writer (escaping by construction, full end tags,
 * layout, fragments, fields with their errors), and well-formedness of
 * what it writes. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "core.h"

static struct ap_worker *w;
static struct ap_req r;
static const char *langs[] = { "fr", "en", NULL };

static void
setup(void)
{
	ap_core.title = "Réseau";
	ap_core.static_url = "/aparte-static";
	ap_core.home = "/";
	ap_core.mount = "/aparte";
	ap_core.base_url = "http://127.0.0.1";
	ap_core.lang = "fr";
	ap_core.langs = langs;
	w = ap_worker_new(0);
	memset(&r, 0, sizeof(r));
	r.w = w;
	r.a = &w->arena;
	r.ob = &w->out;
	r.hdrs = &w->hdrs;
	r.lang = "fr";
	r.path = "/x";
	r.status = 200;
	r.plugin = -1;
	w->enabled_known = true;
}

static void
teardown(void)
{
	ap_worker_free(w);
}

static const char *
output(void)
{
	ap_x_page_end(&r);
	return r.ob->p ? r.ob->p : "";
}

static bool
well_formed(const char *s)
{
	xmlDocPtr d = xmlReadMemory(s, (int)strlen(s), "t.xml", NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);

	if (d == NULL)
		return false;
	xmlFreeDoc(d);
	return true;
}

START_TEST(test_fragment_escapes)
{
	const char *o;

	r.fragment = true;
	ap_x_page_begin(&r, "t");
	ap_x_open(&r, "section", "class", "a\"b", NULL);
	ap_x_elem(&r, "p", "<script>alert('x')</script> & co", NULL);
	ap_x_elem(&r, "a", "lien", "href", "javascript:\"><b>", "rel", NULL,
	    NULL);
	ap_x_close(&r);
	o = output();
	ck_assert_ptr_null(strstr(o, "<script>"));
	ck_assert_ptr_nonnull(strstr(o, "&lt;script&gt;"));
	ck_assert_ptr_nonnull(strstr(o, "&amp; co"));
	ck_assert_ptr_nonnull(strstr(o, "class=\"a&quot;b\""));
	ck_assert_ptr_null(strstr(o, "<b>"));
	ck_assert_ptr_null(strstr(o, "rel="));
	ck_assert_ptr_null(strstr(o, "DOCTYPE"));
	ck_assert(strncmp(o, "<section", 8) == 0);
	ck_assert(well_formed(o));
	ck_assert_str_eq(r.ctype, "text/html; charset=utf-8");
}
END_TEST

START_TEST(test_full_end_tags_and_void)
{
	const char *o;

	r.fragment = true;
	ap_x_page_begin(&r, "t");
	ap_x_open(&r, "div", NULL);
	ap_x_elem(&r, "span", "", "class", "empty", NULL);
	ap_x_empty(&r, "br", NULL);
	ap_x_elem(&r, "textarea", NULL, "name", "body", NULL);
	ap_x_close(&r);
	o = output();
	ck_assert_ptr_nonnull(strstr(o, "<span class=\"empty\"></span>"));
	ck_assert_ptr_nonnull(strstr(o, "<br/>"));
	ck_assert_ptr_nonnull(strstr(o, "<textarea name=\"body\"></textarea>"));
	ck_assert(well_formed(o));
}
END_TEST

START_TEST(test_full_page_xhtml)
{
	const char *o;

	r.xhtml = true;
	ap_x_page_begin(&r, "Titre");
	ap_x_elem(&r, "h1", "Bonjour", NULL);
	o = output();
	ck_assert(strncmp(o, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>", 38)
	    == 0);
	ck_assert_ptr_nonnull(strstr(o, "<!DOCTYPE html>"));
	ck_assert_ptr_nonnull(strstr(o, "xmlns=\"http://www.w3.org/1999/xhtml\""));
	ck_assert_ptr_nonnull(strstr(o, "lang=\"fr\" xml:lang=\"fr\""));
	ck_assert_ptr_nonnull(strstr(o, "<title>Titre – Réseau</title>"));
	ck_assert_ptr_nonnull(strstr(o, "<main id=\"main\" tabindex=\"-1\"><h1>Bonjour</h1>"
	    "</main>"));
	ck_assert_ptr_nonnull(strstr(o, "href=\"/aparte-static/aparte.css\""));
	ck_assert_ptr_nonnull(strstr(o, "</html>"));
	ck_assert_str_eq(r.ctype, "application/xhtml+xml; charset=utf-8");
	ck_assert(well_formed(o));
}
END_TEST

START_TEST(test_full_page_html)
{
	const char *o;

	r.xhtml = false;
	ap_x_page_begin(&r, "Titre");
	o = output();
	ck_assert(strncmp(o, "<!DOCTYPE html>", 15) == 0);
	ck_assert_ptr_null(strstr(o, "xml:lang"));
	ck_assert_str_eq(r.ctype, "text/html; charset=utf-8");
}
END_TEST

START_TEST(test_controls_stripped)
{
	const char *o;

	r.fragment = true;
	ap_x_page_begin(&r, NULL);
	ap_x_elem(&r, "p", "a\x01\x02 b\x1b", "title", "t\x07", NULL);
	o = output();
	ck_assert_ptr_nonnull(strstr(o, "<p title=\"t\" lang=\"fr\">a b</p>"));
	ck_assert(well_formed(o));
}
END_TEST

/* A fragment's root says its language (the page around it may be in
 * another), once, even when the handler gives one. */
START_TEST(test_fragment_root_has_its_language)
{
	r.fragment = true;
	ap_x_page_begin(&r, NULL);
	ap_x_open(&r, "section", "lang", "en", NULL);
	ap_x_elem(&r, "p", "x", NULL);
	ap_x_close(&r);
	ck_assert_str_eq(output(), "<section lang=\"en\"><p>x</p></section>\n");
}
END_TEST

/* What HTML does not take either (the Nu checker's "forbidden code
 * point"): DEL, the C1 controls and the noncharacters of every plane. */
START_TEST(test_c1_controls_and_noncharacters_stripped)
{
	const char *o;

	r.fragment = true;
	ap_x_page_begin(&r, NULL);
	ap_x_elem(&r, "p", "a\xc2\x85" "b\x7f\xc2\x80\xc2\x9f c\ufdd0\ufdef"
	    "\U0001fffe\U0010ffff\ufffe d\u00a0\ufdcf\ufdf0\U0010fffd",
	    "title", "t\xc2\x91", NULL);
	o = output();
	ck_assert_ptr_nonnull(strstr(o, "<p title=\"t\" lang=\"fr\">ab c "
	    "d\u00a0\ufdcf\ufdf0\U0010fffd</p>"));
	ck_assert(well_formed(o));
}
END_TEST

START_TEST(test_field_with_error)
{
	const char *o;
	struct ap_field f = {
		.type = "email", .name = "email", .label = "Courriel",
		.value = "pas-un-courriel<", .error = "Adresse invalide",
		.hint = "Jamais publiée", .required = 1, .maxlength = 254,
		.autocomplete = "email",
	};

	r.fragment = true;
	ap_x_page_begin(&r, NULL);
	ap_x_open(&r, "form", NULL);
	ap_x_field(&r, &f);
	ap_x_close(&r);
	o = output();
	ck_assert_ptr_nonnull(strstr(o, "value=\"pas-un-courriel&lt;\""));
	ck_assert_ptr_nonnull(strstr(o, "aria-invalid=\"true\""));
	ck_assert_ptr_nonnull(strstr(o,
	    "aria-describedby=\"f-email-err f-email-hint\""));
	ck_assert_ptr_nonnull(strstr(o, "id=\"f-email-err\">Adresse invalide"));
	ck_assert_ptr_nonnull(strstr(o, "<label for=\"f-email\">Courriel "
	    "<span class=\"req\">*</span></label>"));
	ck_assert_ptr_nonnull(strstr(o, "required=\"required\""));
	ck_assert_ptr_nonnull(strstr(o, "maxlength=\"254\""));
	ck_assert(well_formed(o));
}
END_TEST

/* Markup kept in one request and written back in another comes out in
 * place, byte for byte, within a full page (ABI 1.1). */
START_TEST(test_markup_kept_and_replayed)
{
	const char *o;
	char *kept, *copy;
	size_t len;

	r.fragment = true;
	ap_x_page_begin(&r, "t");
	ap_x_open(&r, "section", NULL);
	ap_x_open(&r, "ol", "class", "list", NULL);
	ap_x_markup_begin(&r);
	ap_x_elem(&r, "li", "un <b>", "id", "c-1", NULL);
	ap_x_elem(&r, "li", "deux", NULL);
	kept = ap_x_markup_end(&r, &len);
	ck_assert_ptr_nonnull(kept);
	ck_assert_str_eq(kept, "<li id=\"c-1\">un &lt;b&gt;</li><li>deux</li>");
	ck_assert_uint_eq(len, strlen(kept));
	copy = strdup(kept);
	ap_x_close(&r);
	ap_x_close(&r);
	o = output();
	ck_assert_str_eq(o, "<section lang=\"fr\"><ol class=\"list\"><li "
	    "id=\"c-1\">un &lt;b&gt;</li><li>deux</li></ol></section>\n");

	/* another request: the start tag before is closed first */
	w->out.len = 0;
	ap_arena_reset(&w->arena);
	r.xw = NULL;
	r.fragment = false;
	r.xhtml = true;
	ap_x_page_begin(&r, "t");
	ap_x_open(&r, "ol", "class", "list", NULL);
	ck_assert_int_eq(ap_x_markup(&r, copy, strlen(copy)), AP_OK);
	ap_x_elem(&r, "li", "trois", NULL);
	ap_x_close(&r);
	o = output();
	ck_assert_ptr_nonnull(strstr(o, "><ol class=\"list\"><li id=\"c-1\">"
	    "un &lt;b&gt;</li><li>deux</li><li>trois</li></ol></main>"));
	ck_assert(well_formed(o));
	free(copy);
}
END_TEST

/* What does not stand alone is not kept. */
START_TEST(test_markup_unbalanced_is_refused)
{
	size_t len;

	r.fragment = true;
	ap_x_page_begin(&r, "t");
	ap_x_open(&r, "div", NULL);
	ap_x_markup_begin(&r);
	ap_x_open(&r, "p", NULL);
	ck_assert_ptr_null(ap_x_markup_end(&r, &len));
	ck_assert_uint_eq(len, 0);
	ap_x_close(&r);
	ap_x_close(&r);
	ck_assert_str_eq(output(), "<div lang=\"fr\"><p></p></div>\n");
}
END_TEST

/* Nor what closes an element opened before the copy began, even when as
 * many are opened again: "</div><p>" written back elsewhere would break
 * the page. */
START_TEST(test_markup_closing_an_outer_element_is_refused)
{
	size_t len;

	r.fragment = true;
	ap_x_page_begin(&r, "t");
	ap_x_open(&r, "section", NULL);
	ap_x_open(&r, "div", NULL);
	ap_x_markup_begin(&r);
	ap_x_close(&r);
	ap_x_open(&r, "p", NULL);
	ck_assert_ptr_null(ap_x_markup_end(&r, &len));
	ck_assert_uint_eq(len, 0);
	ap_x_close(&r);
	ap_x_close(&r);
	ck_assert_str_eq(output(),
	    "<section lang=\"fr\"><div></div><p></p></section>\n");
}
END_TEST

/* A page given up for an error page near the size where the answer
 * starts to stream: what the writer still held is dropped with it, not
 * sent (under a 200) before the error page. */
START_TEST(test_discarded_page_is_not_sent)
{
	char *big = malloc(62001), *small = malloc(3601);

	memset(big, 'x', 62000);
	big[62000] = '\0';
	memset(small, 'y', 3600);
	small[3600] = '\0';
	r.failed = true;            /* nowhere to send to in this test */
	r.fragment = true;
	ap_x_page_begin(&r, "t");
	ap_x_open(&r, "p", NULL);
	ap_x_text(&r, big);         /* handed to the answer */
	ap_x_text(&r, small);       /* still in the writer */
	ck_assert(!r.started);
	ck_assert_uint_lt(r.ob->len, 64 * 1024);
	ap_req_error_page(&r, 503, NULL);
	ck_assert(!r.started);
	ck_assert_int_eq(r.status, 503);
	ck_assert_ptr_null(strstr(output(), "yyy"));
	free(big);
	free(small);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("xhtml");
	TCase *tc = tcase_create("writer");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_fragment_escapes);
	tcase_add_test(tc, test_full_end_tags_and_void);
	tcase_add_test(tc, test_full_page_xhtml);
	tcase_add_test(tc, test_full_page_html);
	tcase_add_test(tc, test_controls_stripped);
	tcase_add_test(tc, test_fragment_root_has_its_language);
	tcase_add_test(tc, test_c1_controls_and_noncharacters_stripped);
	tcase_add_test(tc, test_field_with_error);
	tcase_add_test(tc, test_markup_kept_and_replayed);
	tcase_add_test(tc, test_markup_unbalanced_is_refused);
	tcase_add_test(tc, test_markup_closing_an_outer_element_is_refused);
	tcase_add_test(tc, test_discarded_page_is_not_sent);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
