/*
 * text.c: the rules about text that need nothing from the core: lengths
 * in characters, what a name, an email, a website and a page key may be,
 * where the links of a comment are, folding for word lists and duplicate
 * detection, and WordPress's HTML turned back into plain text.  Strings are
 * valid UTF-8 (the core checks what comes in); every function works in
 * place or into a buffer the caller owns.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "comments.h"

/* Characters (code points) of a UTF-8 string. */
size_t
cm_chars(const char *s)
{
	size_t n = 0;

	for (; s && *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* Bytes of the first n characters of a UTF-8 string (all of it when
 * shorter): a cut there splits no character. */
size_t
cm_prefix(const char *s, size_t n)
{
	size_t b = 0;

	for (; s[b] && n > 0; n--)
		while (((unsigned char)s[++b] & 0xc0) == 0x80)
			;
	return b;
}

static int
text_is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	    c == '\f';
}

/* The bidi controls whose effect lasts past them: embeddings and
 * overrides (U+202A to U+202E) and isolates (U+2066 to U+2069), 3 bytes
 * each. */
static int
text_is_bidi_control(const unsigned char *p)
{
	return p[0] == 0xe2 && ((p[1] == 0x80 && p[2] >= 0xaa &&
	    p[2] <= 0xae) || (p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9));
}

/* The bytes of the character at p when it shows nothing, else 0: the C1
 * controls, the soft hyphen, the zero widths and joiners, the direction
 * marks and controls, the line and paragraph separators, the BOM. */
static size_t
text_invisible(const unsigned char *p)
{
	if (p[0] == 0xc2 && (p[1] < 0xa0 || p[1] == 0xad))
		return 2;
	if (text_is_bidi_control(p) || (p[0] == 0xe2 && ((p[1] == 0x80 &&
	    ((p[2] >= 0x8b && p[2] <= 0x8f) || p[2] == 0xa8 ||
	    p[2] == 0xa9)) || (p[1] == 0x81 && p[2] >= 0xa0 &&
	    p[2] <= 0xa4))) || (p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf))
		return 3;
	return 0;
}

/* One line: controls dropped (the bidi ones too: a name must not turn
 * round the text written after it), runs of white space made one space,
 * both ends trimmed (a name). */
void
cm_squash(char *s)
{
	char *o = s;
	int space = 0;

	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (text_is_space(c)) {
			space = o != s;
			continue;
		}
		if (c < 0x20 || c == 0x7f)
			continue;
		if (text_is_bidi_control((const unsigned char *)p)) {
			p += 2;
			continue;
		}
		if (space) {
			*o++ = ' ';
			space = 0;
		}
		*o++ = (char)c;
	}
	*o = '\0';
}

/* A comment's text: CRLF and CR become LF, other controls than LF and TAB
 * go, spaces at the end of lines go, white space at both ends goes. */
void
cm_clean_body(char *s)
{
	char *o = s, *start;
	size_t n;

	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '\r') {
			if (p[1] == '\n')
				continue;
			c = '\n';
		}
		if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
			continue;
		if (c == '\n')
			while (o > s && (o[-1] == ' ' || o[-1] == '\t'))
				o--;
		*o++ = (char)c;
	}
	while (o > s && text_is_space((unsigned char)o[-1]))
		o--;
	*o = '\0';
	/* white space before the text */
	start = s;
	while (text_is_space((unsigned char)*start))
		start++;
	if (start != s) {
		n = strlen(start);
		memmove(s, start, n + 1);
	}
}

static int
text_local_char(unsigned char c)
{
	return isalnum(c) || c >= 0x80 || strchr("!#$%&'*+/=?^_`{|}~.-", c);
}

static int
text_host_char(unsigned char c)
{
	return isalnum(c) || c >= 0x80 || c == '-';
}

/* A plausible address: local@domain.tld, no spaces, no quotes, at most 254
 * bytes, a local part of at most 64, labels of 1 to 63 without a hyphen
 * at either end.  Non-ASCII letters are allowed (internationalized
 * addresses). */
int
cm_email_ok(const char *s)
{
	const char *at = strrchr(s, '@'), *p;
	size_t label = 0, labels = 0;

	if (at == NULL || at == s || strlen(s) > CM_EMAIL_MAX ||
	    (size_t)(at - s) > 64)
		return 0;
	for (p = s; p < at; p++) {
		if (!text_local_char((unsigned char)*p))
			return 0;
		if (*p == '.' && (p == s || p + 1 == at || p[1] == '.'))
			return 0;
	}
	for (p = at + 1;; p++) {
		if (*p == '.' || *p == '\0') {
			if (label == 0 || label > 63 || p[-1] == '-')
				return 0;
			labels++;
			label = 0;
			if (*p == '\0')
				break;
			continue;
		}
		if (!text_host_char((unsigned char)*p))
			return 0;
		if (label == 0 && *p == '-')
			return 0;
		label++;
	}
	return labels >= 2;
}

/* A website: http:// or https://, a host without user name, then no
 * space, control or quote.  CM_URL_SCHEME for another scheme
 * (javascript:, data:, ftp: ...), CM_URL_BAD for the rest. */
enum cm_url_rc
cm_url_check(const char *s)
{
	const char *p;
	size_t host = 0, label = 0;

	if (strncasecmp(s, "http://", 7) == 0)
		p = s + 7;
	else if (strncasecmp(s, "https://", 8) == 0)
		p = s + 8;
	else
		return strchr(s, ':') != NULL ? CM_URL_SCHEME : CM_URL_BAD;
	for (; *p && *p != '/' && *p != '?' && *p != '#'; p++, host++) {
		if (!(text_host_char((unsigned char)*p) || *p == '.' ||
		    *p == ':' || *p == '[' || *p == ']'))
			return CM_URL_BAD;
		if (*p == '.' || *p == ':')
			label = 0;
		else if (++label > 63)
			return CM_URL_BAD;     /* a DNS label has 63 at most */
	}
	if (host == 0 || s[strcspn(s, ":") + 3] == '.')
		return CM_URL_BAD;
	for (; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c <= 0x20 || c == 0x7f || strchr("\"<>\\^`{|}", c))
			return CM_URL_BAD;
	}
	return CM_URL_OK;
}

/* A page key: a path on the site.  It starts with "/", has at most
 * CM_PAGE_MAX bytes of letters, digits and "-._~/" (and non-ASCII
 * letters, but no character that shows nothing nor a no-break space: a
 * key must not look like another), and no empty, "." or ".." segment. */
int
cm_page_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > CM_PAGE_MAX || s[0] != '/')
		return 0;
	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (!(isalnum(c) || c >= 0x80 || strchr("-._~/", c)) ||
		    text_invisible((const unsigned char *)p) ||
		    (c == 0xc2 && (unsigned char)p[1] == 0xa0))
			return 0;
		if (c == '/') {
			size_t seg = strcspn(p + 1, "/");

			if (p[1] == '/')
				return 0;
			if ((seg == 1 && p[1] == '.') ||
			    (seg == 2 && p[1] == '.' && p[2] == '.'))
				return 0;
		}
	}
	return 1;
}

/* Bytes that end a link in running French text: spaces, quotes and the
 * no-break spaces and guillemets of French typography, and the
 * characters that show nothing (a link cannot hide or turn round a part
 * of itself). */
static size_t
text_link_stop(const unsigned char *p)
{
	if (*p <= 0x20 || *p == 0x7f || strchr("\"<>`[]{}|\\^", *p) ||
	    text_invisible(p))
		return 1;
	if (p[0] == 0xc2 && (p[1] == 0xa0 || p[1] == 0xab || p[1] == 0xbb))
		return 1;                                /* nbsp « » */
	if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xaf || p[2] == 0xa6 ||
	    p[2] == 0x9c || p[2] == 0x9d || p[2] == 0x99))
		return 1;                                /* nnbsp … “ ” ’ */
	return 0;
}

/* Whether a link starts at s[i] (at a word's start): the length of its
 * scheme or "www.", else 0. */
static int
text_link_start(const char *s, size_t i)
{
	unsigned char prev = i ? (unsigned char)s[i - 1] : ' ';

	if (isalnum(prev) || strchr("/.@-_:", prev) || prev >= 0x80) {
		/* after a guillemet or a no-break space a link may start */
		if (!(i >= 2 && (unsigned char)s[i - 2] == 0xc2 &&
		    (prev == 0xa0 || prev == 0xab)))
			return 0;
	}
	if (strncasecmp(s + i, "https://", 8) == 0)
		return 8;
	if (strncasecmp(s + i, "http://", 7) == 0)
		return 7;
	if (strncasecmp(s + i, "www.", 4) == 0)
		return 4;
	return 0;
}

/* Where the link s[h..e) must end for its host to be one: after the
 * host's letters, digits, hyphens and dots, only a port, a path, a query
 * or a fragment may follow ("www.banque.fr@evil.example" links to
 * www.banque.fr, as it reads, not to evil.example). */
static size_t
text_link_host_end(const char *s, size_t h, size_t e)
{
	size_t d;

	while (h < e && (isalnum((unsigned char)s[h]) || s[h] == '-' ||
	    s[h] == '.' || (unsigned char)s[h] >= 0x80))
		h++;
	if (h == e || strchr("/?#", s[h]) != NULL)
		return e;
	if (s[h] != ':')
		return h;
	for (d = h + 1; d < e && isdigit((unsigned char)s[d]); d++)
		;
	return d == e || strchr("/?#", s[d]) != NULL ? e : h;
}

/* The address a link found in a text leads to, in out (cap bytes): a
 * www. one on https://, a "%" that escapes nothing escaped itself.  Cut
 * between characters when out is too small. */
char *
cm_link_href(const char *link, char *out, size_t cap)
{
	const char *pre = (link[0] == 'w' || link[0] == 'W') ? "https://" : "";
	size_t o = 0;

	if (cap == 0)
		return out;
	for (const char *p = pre; *p && o + 1 < cap; p++)
		out[o++] = *p;
	for (const unsigned char *p = (const unsigned char *)link; *p;) {
		int esc = *p == '%' && !(isxdigit(p[1]) && isxdigit(p[2]));
		size_t k = esc ? 1 : *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 :
		    *p >= 0xc0 ? 2 : 1;
		size_t w = esc ? 3 : k;

		if (o + w + 1 > cap)
			break;
		memcpy(out + o, esc ? "%25" : (const char *)p, w);
		o += w;
		p += k;
	}
	out[o] = '\0';
	return out;
}

/* Finds the next link of s at or after byte `from`: an http(s):// URL or
 * a www. address.  Trailing punctuation is not part of it, nor a closing
 * bracket that does not close one of its own.  Returns 1 with its start
 * and length, 0 when there is none. */
int
cm_link_next(const char *s, size_t from, size_t *start, size_t *len)
{
	size_t n = strlen(s);

	for (size_t i = from; i < n; i++) {
		size_t pre = (size_t)text_link_start(s, i), e, opened;

		if (pre == 0)
			continue;
		e = i + pre;
		while (e < n && !text_link_stop((const unsigned char *)s + e))
			e++;
		e = text_link_host_end(s, i + pre, e);
		for (;;) {
			char last = e > i + pre ? s[e - 1] : '\0';

			if (last == ')' || last == ']') {
				char open = last == ')' ? '(' : '[';
				size_t o = 0, c = 0;

				for (size_t k = i; k < e; k++) {
					o += s[k] == open;
					c += s[k] == last;
				}
				opened = o;
				if (c > opened) {
					e--;
					continue;
				}
				break;
			}
			if (last != '\0' && strchr(".,;:!?'*_", last)) {
				e--;
				continue;
			}
			break;
		}
		/* a host must follow: at least one letter or digit */
		if (e <= i + pre || !isalnum((unsigned char)s[i + pre]))
			continue;
		if (pre == 4 && memchr(s + i + pre, '.', e - i - pre) == NULL)
			continue;
		*start = i;
		*len = e - i;
		return 1;
	}
	return 0;
}

/* How many links a text holds (the "more than N links" rule). */
size_t
cm_links(const char *s)
{
	size_t from = 0, st, len, n = 0;

	while (cm_link_next(s, from, &st, &len)) {
		n++;
		from = st + len;
	}
	return n;
}

/* U+00C0 .. U+00FF without their accents, lower case. */
static const char *const text_latin1[64] = {
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i",
	"i", "i", "d", "n", "o", "o", "o", "o", "o", NULL, "o", "u", "u", "u",
	"u", "y", "th", "ss",
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i",
	"i", "i", "d", "n", "o", "o", "o", "o", "o", NULL, "o", "u", "u", "u",
	"u", "y", "th", "y",
};

/* The bytes of the character at p when folding drops it, else 0: the
 * combining accents (U+0300 to U+036F, an accent typed apart from its
 * letter) and the characters that show nothing. */
static size_t
text_fold_drops(const unsigned char *p)
{
	if (p[0] == 0xcc || (p[0] == 0xcd && p[1] <= 0xaf))
		return 2;
	return text_invisible(p);
}

/* Lower case without accents, for the word lists: "Écrivez-MOI",
 * "ecrivez-moi", "E\u0301crivez" and the same in full-width letters
 * match, and characters that show nothing are dropped.  Other characters
 * are copied; out is cut to cap. */
void
cm_fold(const char *in, char *out, size_t cap)
{
	size_t o = 0;

	if (cap == 0)
		return;
	for (const unsigned char *p = (const unsigned char *)in; *p;) {
		const char *rep = NULL;
		char one[2] = { 0, 0 };
		size_t k = 1, rl;

		if ((k = text_fold_drops(p)) != 0) {
			p += k;
			continue;
		}
		k = 1;
		if (p[0] == 0xc3 && p[1] >= 0x80 && p[1] <= 0xbf)
			rep = text_latin1[p[1] - 0x80], k = 2;
		else if (p[0] == 0xc5 && (p[1] == 0x92 || p[1] == 0x93))
			rep = "oe", k = 2;
		else if (p[0] == 0xef && ((p[1] == 0xbc && p[2] >= 0x81) ||
		    (p[1] == 0xbd && p[2] >= 0x80 && p[2] <= 0x9e))) {
			/* U+FF01 to U+FF5E: full-width ASCII */
			one[0] = (char)tolower(0x21 + (p[1] - 0xbc) * 64 +
			    (p[2] - 0x81));
			rep = one, k = 3;
		}
		if (rep == NULL) {
			if (*p < 0x80) {
				one[0] = (char)tolower(*p);
				rep = one;
			} else {
				/* copy the whole character */
				k = *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 :
				    *p >= 0xc0 ? 2 : 1;
				for (size_t j = 1; j < k; j++)
					if (p[j] == '\0')
						k = j;
				if (o + k >= cap)
					break;
				memcpy(out + o, p, k);
				o += k;
				p += k;
				continue;
			}
		}
		rl = strlen(rep);
		if (o + rl >= cap)
			break;
		memcpy(out + o, rep, rl);
		o += rl;
		p += k;
	}
	out[o] = '\0';
}

/* The form of a text that duplicate detection compares: folded as for
 * the word lists (case, accents), every run of white space one space, no
 * space at the ends.  Writes at most cap - 1 bytes. */
void
cm_dup_text(const char *in, char *out, size_t cap)
{
	size_t o = 0;
	int space = 0;

	if (cap == 0)
		return;
	cm_fold(in, out, cap);
	for (const unsigned char *p = (const unsigned char *)out; *p; p++) {
		if (text_is_space(*p)) {
			space = o > 0;
			continue;
		}
		if (space) {
			out[o++] = ' ';
			space = 0;
		}
		out[o++] = (char)*p;
	}
	out[o] = '\0';
}

/* ---- WordPress's HTML back to plain text ---- */

static const struct {
	const char *name, *utf8;
} text_entities[] = {
	{ "amp", "&" }, { "lt", "<" }, { "gt", ">" }, { "quot", "\"" },
	{ "apos", "'" }, { "nbsp", "\xc2\xa0" }, { "hellip", "\xe2\x80\xa6" },
	{ "rsquo", "\xe2\x80\x99" }, { "lsquo", "\xe2\x80\x98" },
	{ "ldquo", "\xe2\x80\x9c" }, { "rdquo", "\xe2\x80\x9d" },
	{ "laquo", "\xc2\xab" }, { "raquo", "\xc2\xbb" },
	{ "ndash", "\xe2\x80\x93" }, { "mdash", "\xe2\x80\x94" },
	{ "eacute", "\xc3\xa9" }, { "egrave", "\xc3\xa8" },
	{ "ecirc", "\xc3\xaa" }, { "agrave", "\xc3\xa0" },
	{ "acirc", "\xc3\xa2" }, { "ccedil", "\xc3\xa7" },
	{ "ocirc", "\xc3\xb4" }, { "icirc", "\xc3\xae" },
	{ "ugrave", "\xc3\xb9" }, { "euro", "\xe2\x82\xac" },
	{ "oelig", "\xc5\x93" }, { "Eacute", "\xc3\x89" },
	{ NULL, NULL },
};

/* Appends the UTF-8 form of code point cp; controls other than LF and
 * TAB, surrogates and values past U+10FFFF are dropped. */
static size_t
text_utf8(unsigned long cp, char *o)
{
	if ((cp < 0x20 && cp != '\n' && cp != '\t') || cp == 0x7f ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Decodes the entity at p ("&...;"); returns the bytes it takes in the
 * input (0 when it is not one) and writes its text to o (*olen).  Looks
 * no further than an entity's length: a text of ampersands stays linear. */
static size_t
text_entity(const char *p, char *o, size_t *olen)
{
	const char *semi = memchr(p, ';', strnlen(p, 13));
	size_t n;

	*olen = 0;
	if (semi == NULL || semi == p + 1)
		return 0;
	n = (size_t)(semi - p) + 1;
	if (p[1] == '#') {
		char *end;
		unsigned long cp = p[2] == 'x' || p[2] == 'X' ?
		    strtoul(p + 3, &end, 16) : strtoul(p + 2, &end, 10);

		if (end != semi || !isxdigit((unsigned char)p[2 +
		    (p[2] == 'x' || p[2] == 'X')]))
			return 0;
		*olen = text_utf8(cp, o);
		return n;
	}
	for (size_t i = 0; text_entities[i].name; i++) {
		size_t l = strlen(text_entities[i].name);

		if (l == n - 2 &&
		    strncmp(p + 1, text_entities[i].name, l) == 0) {
			*olen = strlen(text_entities[i].utf8);
			memcpy(o, text_entities[i].utf8, *olen);
			return n;
		}
	}
	return 0;
}

/* The name of the tag at p ("<a href=...>", "</p>"), lower case, in
 * name (cap 12); *closing tells "</...". */
static void
text_tag_name(const char *p, char *name, size_t cap, int *closing)
{
	size_t i = 0;

	p++;
	*closing = *p == '/';
	if (*closing)
		p++;
	while (isalnum((unsigned char)*p) && i + 1 < cap)
		name[i++] = (char)tolower((unsigned char)*p++);
	name[i] = '\0';
}

/* The value of attribute attr inside the tag [p, end), into val. */
static void
text_tag_attr(const char *p, const char *end, const char *attr, char *val,
    size_t cap)
{
	size_t al = strlen(attr);

	val[0] = '\0';
	for (const char *q = p; q + al < end; q++) {
		const char *v;
		char quote;
		size_t i = 0;

		if (strncasecmp(q, attr, al) != 0 || !isspace((unsigned char)
		    q[-1]))
			continue;
		v = q + al;
		while (v < end && isspace((unsigned char)*v))
			v++;
		if (v >= end || *v != '=')
			continue;
		v++;
		while (v < end && isspace((unsigned char)*v))
			v++;
		quote = (*v == '"' || *v == '\'') ? *v++ : 0;
		while (v < end && (quote ? *v != quote :
		    !isspace((unsigned char)*v) && *v != '>') && i + 1 < cap)
			val[i++] = *v++;
		val[i] = '\0';
		return;
	}
}

/* WordPress keeps a comment as typed, with a few HTML tags and entities:
 * this gives the plain text back.  Line breaks stay; <br> is a line
 * break, <p> and </p> a blank line; a link keeps its text and, when it
 * differs, its address in brackets; other tags go; entities are decoded.
 * Writes at most cap - 1 bytes; returns the length. */
size_t
cm_html_to_text(const char *in, char *out, size_t cap)
{
	char href[CM_URL_MAX * 4 + 1] = "";
	size_t o = 0, link_at = 0;
	const char *p = in;

	if (cap == 0)
		return 0;
#define TEXT_PUT(s, n) do { size_t n_ = (n); if (o + n_ >= cap) goto full; \
	memcpy(out + o, (s), n_); o += n_; } while (0)
	while (*p) {
		if (*p == '<' && strncmp(p, "<!--", 4) == 0) {
			const char *e = strstr(p + 4, "-->");

			p = e ? e + 3 : p + strlen(p);
			continue;
		}
		if (*p == '<' && (isalpha((unsigned char)p[1]) ||
		    (p[1] == '/' && isalpha((unsigned char)p[2])))) {
			const char *e = strchr(p, '>');
			char name[12];
			int closing;

			if (e == NULL)
				break;
			text_tag_name(p, name, sizeof(name), &closing);
			if (strcmp(name, "br") == 0) {
				TEXT_PUT("\n", 1);
			} else if (strcmp(name, "p") == 0 ||
			    strcmp(name, "blockquote") == 0 ||
			    strcmp(name, "ul") == 0 ||
			    strcmp(name, "ol") == 0 ||
			    strcmp(name, "pre") == 0) {
				if (o > 0)
					TEXT_PUT("\n\n", 2);
			} else if (strcmp(name, "li") == 0 && !closing) {
				if (o > 0)
					TEXT_PUT("\n", 1);
				TEXT_PUT("- ", 2);
			} else if (strcmp(name, "a") == 0 && !closing) {
				text_tag_attr(p, e, "href", href, sizeof(href));
				link_at = o;
			} else if (strcmp(name, "a") == 0 && closing) {
				size_t tl = o - link_at;

				if (href[0] &&
				    cm_url_check(href) == CM_URL_OK &&
				    !(tl == strlen(href) &&
				    memcmp(out + link_at, href, tl) == 0)) {
					TEXT_PUT(" (", 2);
					TEXT_PUT(href, strlen(href));
					TEXT_PUT(")", 1);
				}
				href[0] = '\0';
			}
			p = e + 1;
			continue;
		}
		if (*p == '&') {
			char buf[8];
			size_t bl, used = text_entity(p, buf, &bl);

			if (used > 0) {
				TEXT_PUT(buf, bl);
				p += used;
				continue;
			}
		}
		TEXT_PUT(p, 1);
		p++;
	}
full:
#undef TEXT_PUT
	/* never cut a character in two */
	if (o > 0) {
		size_t k = o - 1, want;
		unsigned char lead;

		while (k > 0 && ((unsigned char)out[k] & 0xc0) == 0x80)
			k--;
		lead = (unsigned char)out[k];
		want = lead < 0x80 ? 1 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 :
		    lead >= 0xc0 ? 2 : 1;
		if (o - k < want)
			o = k;
	}
	out[o] = '\0';
	cm_clean_body(out);
	/* at most one blank line in a row */
	{
		char *w = out;
		int nl = 0;

		for (char *q = out; *q; q++) {
			nl = *q == '\n' ? nl + 1 : 0;
			if (nl <= 2)
				*w++ = *q;
		}
		*w = '\0';
		o = (size_t)(w - out);
	}
	return o;
}

/* "12.40.41" into ids (at most max); -1 when malformed. */
int
cm_ids_parse(const char *s, long long *ids, size_t max)
{
	size_t n = 0;

	while (s && *s) {
		char *end;
		long long v;

		if (!isdigit((unsigned char)*s))
			return -1;
		v = strtoll(s, &end, 10);
		if (v <= 0 || n >= max)
			return -1;
		ids[n++] = v;
		if (*end == '.')
			end++;
		else if (*end != '\0')
			return -1;
		s = end;
	}
	return (int)n;
}
