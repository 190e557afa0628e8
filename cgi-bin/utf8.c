/*
 * utf8.c: checks on text that comes from outside, before it reaches the
 * database or the XML writer.
 */
#include "config.h"

#include <string.h>

#include "core.h"

/* Length of the sequence starting at s (at most n bytes available), or 0
 * when it is not well-formed UTF-8 (overlong forms, surrogates and code
 * points above U+10FFFF are refused). */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		if (n < 2 || (s[1] & 0xc0) != 0x80)
			return 0;
		return 2;
	}
	if (c >= 0xe0 && c <= 0xef) {
		if (n < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0 && s[1] < 0xa0)
			return 0;   /* overlong */
		if (c == 0xed && s[1] >= 0xa0)
			return 0;   /* surrogate */
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (n < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
		    (s[3] & 0xc0) != 0x80)
			return 0;
		if (c == 0xf0 && s[1] < 0x90)
			return 0;   /* overlong */
		if (c == 0xf4 && s[1] >= 0x90)
			return 0;   /* above U+10FFFF */
		return 4;
	}
	return 0;
}

size_t
ap_utf8_prefix(const char *s, size_t chars)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), b = 0, k;

	for (; b < n && chars > 0; chars--, b += k)
		if ((k = utf8_seq(p + b, n - b)) == 0)
			k = 1;   /* not UTF-8: a byte counts as a character */
	return b;
}

bool
ap_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k;

	while (i < n) {
		if (p[i] == 0)
			return false;
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		k = utf8_seq(p + i, n - i);
		if (k == 0)
			return false;
		i += k;
	}
	return true;
}

size_t
ap_utf8_len(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}


/* The characters a page may not hold: the controls XML forbids, and
 * those HTML forbids besides (DEL and the C1 controls, the noncharacters
 * U+FDD0 to U+FDEF and the last two code points of every plane), which
 * the markup checker reports as forbidden code points. */
static bool
xml_forbidden(const unsigned char *p, size_t k)
{
	if (k == 1)
		return (p[0] < 0x20 && p[0] != '\t' && p[0] != '\n' &&
		    p[0] != '\r') || p[0] == 0x7f;
	if (k == 2)
		return p[0] == 0xc2 && p[1] < 0xa0;
	if (k == 3)
		return p[0] == 0xef && ((p[1] == 0xb7 && p[2] >= 0x90 &&
		    p[2] <= 0xaf) || (p[1] == 0xbf && p[2] >= 0xbe));
	return (p[1] & 0x0f) == 0x0f && p[2] == 0xbf && p[3] >= 0xbe;
}

/* A copy of s in the arena with each byte that does not start a
 * well-formed sequence replaced by U+FFFD and, when xml, the characters
 * XML forbids dropped; NULL when there is nothing to change (the common
 * case costs one scan and no copy). */
static char *
utf8_clean(struct ap_arena *a, const char *s, bool xml)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i, k;
	char *out, *o;
	bool dirty = false;

	for (i = 0; i < n; i += k) {
		k = p[i] < 0x80 ? 1 : utf8_seq(p + i, n - i);
		if (k == 0 || (xml && xml_forbidden(p + i, k))) {
			dirty = true;
			break;
		}
	}
	if (!dirty)
		return NULL;
	out = o = ap_arena_alloc_raw(a, n * 3 + 1);
	for (i = 0; i < n; i += k) {
		k = p[i] < 0x80 ? 1 : utf8_seq(p + i, n - i);
		if (k == 0) {
			memcpy(o, "\xef\xbf\xbd", 3);   /* U+FFFD */
			o += 3;
			k = 1;
			continue;
		}
		if (xml && xml_forbidden(p + i, k))
			continue;
		memcpy(o, p + i, k);
		o += k;
	}
	*o = '\0';
	return out;
}

/* Returns a cleaned copy in the arena, or NULL when s is already clean. */
char *
ap_xml_clean(struct ap_arena *a, const char *s)
{
	return utf8_clean(a, s, true);
}

/* s itself when it is valid UTF-8, else a copy in the arena with U+FFFD
 * in place of each byte that is not (text from outside that is not
 * refused, such as a request header). */
const char *
ap_utf8_clean(struct ap_arena *a, const char *s)
{
	char *c = s != NULL ? utf8_clean(a, s, false) : NULL;

	return c != NULL ? c : s;
}
