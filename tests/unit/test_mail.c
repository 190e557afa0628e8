/* Unit tests: the message the mail builder writes (headers encoded and
 * folded, CRLF line ends) and the values it refuses. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core.h"

#define FROM "Aparte <noreply@example.org>"

static struct ap_buf m;

static void
setup(void)
{
	memset(&m, 0, sizeof(m));
	ck_assert_int_ge(sodium_init(), 0);
}

static void
teardown(void)
{
	ap_buf_free(&m);
}

static const char *
built(void)
{
	ap_buf_add(&m, "", 1);   /* a NUL to read it as a string */
	return m.p;
}

/* The value of header name, unfolded, or NULL. */
static char *
header(const char *msg, const char *name)
{
	static char v[2048];
	size_t nl = strlen(name), o = 0;
	const char *end = strstr(msg, "\r\n\r\n");

	for (const char *p = msg; p && p < end; p = strstr(p, "\r\n"), p = p ?
	    p + 2 : NULL) {
		if (strncmp(p, name, nl) != 0 || p[nl] != ':')
			continue;
		p += nl + 2;
		while (p < end) {
			if (p[0] == '\r' && p[1] == '\n' && p[2] != ' ')
				break;
			if (p[0] == '\r' && p[1] == '\n') {
				p += 3;
				continue;
			}
			if (o < sizeof(v) - 1)
				v[o++] = *p;
			p++;
		}
		v[o] = '\0';
		return v;
	}
	return NULL;
}

/* Decodes the =?UTF-8?B?...?= words of v, glued as RFC 2047 says. */
static char *
decode_words(const char *v)
{
	static char out[2048];
	size_t o = 0;

	while (*v) {
		const char *end;
		size_t len = 0;

		if (strncmp(v, "=?UTF-8?B?", 10) != 0) {
			if (*v != ' ')
				out[o++] = *v;
			v++;
			continue;
		}
		end = strstr(v + 10, "?=");
		ck_assert_ptr_nonnull(end);
		ck_assert_int_le(end + 2 - v, 75);
		ck_assert_int_eq(sodium_base642bin((unsigned char *)out + o,
		    sizeof(out) - o, v + 10, (size_t)(end - v - 10), NULL, &len,
		    NULL, sodium_base64_VARIANT_ORIGINAL), 0);
		o += len;
		v = end + 2;
	}
	out[o] = '\0';
	return out;
}

START_TEST(test_headers_and_body)
{
	const char *msg;

	ck_assert(ap_mail_build(&m, FROM, "claire@example.org", "Hello",
	    "line 1\nline 2\r\nline 3\rline 4", "https://example.org/u?x=1",
	    86400 * 365, "abc123"));
	msg = built();
	ck_assert_str_eq(header(msg, "From"), FROM);
	ck_assert_str_eq(header(msg, "To"), "claire@example.org");
	ck_assert_str_eq(header(msg, "Subject"), "Hello");
	ck_assert_str_eq(header(msg, "Date"), "Fri, 01 Jan 1971 00:00:00 +0000");
	ck_assert_str_eq(header(msg, "Message-ID"), "<abc123@aparte.invalid>");
	ck_assert_str_eq(header(msg, "List-Unsubscribe"),
	    "<https://example.org/u?x=1>");
	ck_assert_str_eq(header(msg, "List-Unsubscribe-Post"),
	    "List-Unsubscribe=One-Click");
	ck_assert_str_eq(header(msg, "Content-Type"),
	    "text/plain; charset=UTF-8");
	ck_assert_str_eq(strstr(msg, "\r\n\r\n") + 4,
	    "line 1\r\nline 2\r\nline 3\r\nline 4\r\n");
	/* no bare LF anywhere */
	for (const char *p = msg; *p; p++)
		if (*p == '\n')
			ck_assert(p > msg && p[-1] == '\r');
}
END_TEST

START_TEST(test_no_unsubscribe)
{
	ck_assert(ap_mail_build(&m, FROM, "a@example.org", "S", "", NULL, 0,
	    "id"));
	ck_assert_ptr_null(header(built(), "List-Unsubscribe"));
	ck_assert_str_eq(strstr(m.p, "\r\n\r\n") + 4, "");
}
END_TEST

START_TEST(test_utf8_subject_is_encoded_and_folded)
{
	/* 200 characters, 2 bytes each: several words, cut between
	 * characters, never inside one */
	char subject[512] = "Réunion ";
	const char *msg, *v;

	for (int i = 0; i < 100; i++)
		strcat(subject, "é");
	for (int i = 0; i < 92; i++)
		strcat(subject, "x");
	ck_assert(ap_mail_build(&m, FROM, "a@example.org", subject, "b", NULL,
	    0, "id"));
	msg = built();
	for (const char *p = msg; p < strstr(msg, "\r\n\r\n"); p++)
		ck_assert((unsigned char)*p < 0x80);
	v = header(msg, "Subject");
	ck_assert_ptr_nonnull(strstr(msg, "?=\r\n =?UTF-8?B?"));
	ck_assert_str_eq(decode_words(v), subject);
}
END_TEST

START_TEST(test_from_name_encoded_or_quoted)
{
	ck_assert(ap_mail_build(&m, "Réseau Temps Partagé <n@example.org>",
	    "a@example.org", "S", "b", NULL, 0, "id"));
	ck_assert_str_eq(header(built(), "From"),
	    "=?UTF-8?B?UsOpc2VhdSBUZW1wcyBQYXJ0YWfDqQ==?= <n@example.org>");
	ap_buf_free(&m);
	memset(&m, 0, sizeof(m));
	ck_assert(ap_mail_build(&m, "Dupont, Claire <n@example.org>",
	    "a@example.org", "S", "b", NULL, 0, "id"));
	ck_assert_str_eq(header(built(), "From"),
	    "\"Dupont, Claire\" <n@example.org>");
	ap_buf_free(&m);
	memset(&m, 0, sizeof(m));
	ck_assert(ap_mail_build(&m, "n@example.org", "a@example.org", "S", "b",
	    NULL, 0, "id"));
	ck_assert_str_eq(header(built(), "From"), "n@example.org");
}
END_TEST

START_TEST(test_injection_refused)
{
	static const char *const bad_to[] = { "a@example.org\r\nBcc: v@x.org",
		"a@example.org, v@example.org", "Claire <a@example.org>",
		"no-at-sign", "@example.org", "a@", "a@b@c", "a b@example.org",
		NULL };

	for (size_t i = 0; bad_to[i]; i++)
		ck_assert_msg(!ap_mail_build(&m, FROM, bad_to[i], "S", "b", NULL,
		    0, "id"), "%s accepted", bad_to[i]);
	ck_assert(!ap_mail_build(&m, FROM, "a@example.org", "S\r\nBcc: v@x.org",
	    "b", NULL, 0, "id"));
	ck_assert(!ap_mail_build(&m, FROM, "a@example.org", "S\nX: y", "b",
	    NULL, 0, "id"));
	ck_assert(!ap_mail_build(&m, FROM, "a@example.org", "S\tT\x01", "b",
	    NULL, 0, "id"));
	ck_assert(!ap_mail_build(&m, FROM, "a@example.org", "S", "b",
	    "https://x.example/\r\nBcc: v@x.org", 0, "id"));
	ck_assert(!ap_mail_build(&m, "A <n@x.org>\r\nBcc: v@x.org",
	    "a@example.org", "S", "b", NULL, 0, "id"));
	ck_assert_uint_eq(m.len, 0);
	ck_assert(!ap_mail_header_ok(NULL));
	ck_assert(ap_mail_header_ok("Une ligne, é, « ok »"));
}
END_TEST

/* A subject or a name that is not UTF-8 is refused (cutting such text
 * into encoded words at character boundaries never ended). */
START_TEST(test_invalid_utf8_refused)
{
	char subject[64] = "R\xc3\xa9union ";

	memset(subject + strlen(subject), 0x80, 50);
	ck_assert(!ap_mail_build(&m, FROM, "a@example.org", subject, "b", NULL,
	    0, "id"));
	ck_assert(!ap_mail_build(&m, FROM, "a@example.org", "\xe9t\xe9", "b",
	    NULL, 0, "id"));
	ck_assert(!ap_mail_build(&m, "R\xe9seau <n@example.org>",
	    "a@example.org", "S", "b", NULL, 0, "id"));
	ck_assert_uint_eq(m.len, 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("mail");
	TCase *tc = tcase_create("build");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_headers_and_body);
	tcase_add_test(tc, test_no_unsubscribe);
	tcase_add_test(tc, test_utf8_subject_is_encoded_and_folded);
	tcase_add_test(tc, test_from_name_encoded_or_quoted);
	tcase_add_test(tc, test_injection_refused);
	tcase_add_test(tc, test_invalid_utf8_refused);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
