/*
 * http.c: parsing of what a visitor sends (query strings, form bodies,
 * cookies, paths, Accept headers).  Pure functions over an arena: the
 * request code decides which HTTP status a failure becomes.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <uninorm.h>

#include "core.h"

void
ap_kv_add(struct ap_arena *a, struct ap_kvlist *l, const char *k,
    const char *v)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct ap_kv *nv = ap_arena_alloc_raw(a, cap * sizeof(*nv));

		if (l->n)
			memcpy(nv, l->v, l->n * sizeof(*nv));
		l->v = nv;
		l->cap = cap;
	}
	l->v[l->n].key = k;
	l->v[l->n].val = v;
	l->n++;
}

const char *
ap_kv_get(const struct ap_kvlist *l, const char *k)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].key, k) == 0)
			return l->v[i].val;
	return NULL;
}

size_t
ap_kv_all(struct ap_arena *a, const struct ap_kvlist *l, const char *k,
    const char ***vals)
{
	size_t n = 0, j = 0;

	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].key, k) == 0)
			n++;
	*vals = ap_arena_alloc(a, (n + 1) * sizeof(char *));
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].key, k) == 0)
			(*vals)[j++] = l->v[i].val;
	return n;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* s[0..*len) in its composed form (NFC): the one HTML wants, and one
 * spelling for the same text, so that "é" sent as e + U+0301 (as some
 * keyboards and systems send it) is the same page key, listed word or
 * duplicate as "é".  ASCII is already composed. */
static char *
http_nfc(struct ap_arena *a, char *s, size_t *len)
{
	size_t i, n = 0;
	uint8_t *u;
	char *d;

	for (i = 0; i < *len && (unsigned char)s[i] < 0x80; i++)
		continue;
	if (i == *len)
		return s;
	u = u8_normalize(UNINORM_NFC, (const uint8_t *)s, *len, NULL, &n);
	if (u == NULL)
		return s;       /* out of memory: kept as it came, still valid */
	d = ap_arena_alloc_raw(a, n + 1);
	memcpy(d, u, n);
	d[n] = '\0';
	free(u);
	*len = n;
	return d;
}

/* Decodes s[0..n) into a NUL-terminated arena string in NFC; plus_space
 * turns '+' into a space (form encoding, not paths). */
static enum ap_parse_rc
http_decode(struct ap_arena *a, const char *s, size_t n, bool plus_space,
    char **out, size_t *outlen)
{
	char *d = ap_arena_alloc_raw(a, n + 1), *o = d;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%') {
			int h, l;

			if (i + 2 >= n)
				return AP_PARSE_BAD_ESCAPE;
			h = hexval((unsigned char)s[i + 1]);
			l = hexval((unsigned char)s[i + 2]);
			if (h < 0 || l < 0)
				return AP_PARSE_BAD_ESCAPE;
			*o++ = (char)(h * 16 + l);
			i += 2;
		} else if (s[i] == '+' && plus_space) {
			*o++ = ' ';
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	if (!ap_utf8_valid(d, (size_t)(o - d)))
		return AP_PARSE_BAD_UTF8;
	*outlen = (size_t)(o - d);
	*out = http_nfc(a, d, outlen);
	return AP_PARSE_OK;
}

enum ap_parse_rc
ap_parse_urlencoded(struct ap_arena *a, const char *s, size_t n,
    const struct ap_parse_limits *lim, struct ap_kvlist *list)
{
	size_t i = 0;

	while (i < n) {
		size_t start = i, eq = (size_t)-1, klen, vlen;
		char *k, *v;
		enum ap_parse_rc rc;

		while (i < n && s[i] != '&' && s[i] != ';') {
			if (s[i] == '=' && eq == (size_t)-1)
				eq = i;
			i++;
		}
		if (i > start) {
			size_t kend = eq == (size_t)-1 ? i : eq;

			if (list->n >= lim->max_fields)
				return AP_PARSE_TOO_MANY;
			rc = http_decode(a, s + start, kend - start, true, &k,
			    &klen);
			if (rc != AP_PARSE_OK)
				return rc;
			if (eq == (size_t)-1)
				rc = http_decode(a, "", 0, true, &v, &vlen);
			else
				rc = http_decode(a, s + eq + 1, i - eq - 1,
				    true, &v, &vlen);
			if (rc != AP_PARSE_OK)
				return rc;
			if (klen > lim->max_key || vlen > lim->max_value)
				return AP_PARSE_TOO_LONG;
			if (klen > 0)
				ap_kv_add(a, list, k, v);
		}
		i++;   /* skip the separator */
	}
	return AP_PARSE_OK;
}

void
ap_parse_cookies(struct ap_arena *a, const char *s,
    const struct ap_parse_limits *lim, struct ap_kvlist *list)
{
	while (s != NULL && *s) {
		const char *end = strchr(s, ';'), *eq;
		size_t len = end ? (size_t)(end - s) : strlen(s);
		const char *ks, *ke, *vs, *ve;

		eq = memchr(s, '=', len);
		if (eq != NULL && list->n < lim->max_fields) {
			ks = s;
			ke = eq;
			vs = eq + 1;
			ve = s + len;
			while (ks < ke && (*ks == ' ' || *ks == '\t'))
				ks++;
			while (ke > ks && (ke[-1] == ' ' || ke[-1] == '\t'))
				ke--;
			while (vs < ve && (*vs == ' ' || *vs == '\t'))
				vs++;
			while (ve > vs && (ve[-1] == ' ' || ve[-1] == '\t'))
				ve--;
			if (ve - vs >= 2 && *vs == '"' && ve[-1] == '"') {
				vs++;
				ve--;
			}
			if (ke > ks && (size_t)(ke - ks) <= lim->max_key &&
			    (size_t)(ve - vs) <= lim->max_value &&
			    ap_utf8_valid(ks, (size_t)(ke - ks)) &&
			    ap_utf8_valid(vs, (size_t)(ve - vs)))
				ap_kv_add(a, list,
				    ap_arena_strndup(a, ks, (size_t)(ke - ks)),
				    ap_arena_strndup(a, vs, (size_t)(ve - vs)));
		}
		if (end == NULL)
			break;
		s = end + 1;
	}
}

char *
ap_decode_path(struct ap_arena *a, const char *s, size_t n)
{
	char *out;
	size_t len;

	if (http_decode(a, s, n, false, &out, &len) != AP_PARSE_OK)
		return NULL;
	return out;
}

/* Picks the language of `offered` (a NULL-terminated list, e.g. {"fr",
 * "en"}) with the highest q in the header; ties go to the header's order.
 * Returns the element of offered, or NULL when the header names none. */
const char *
ap_accept_language(const char *header, const char *const *offered)
{
	const char *best = NULL, *p = header;
	double bestq = 0.0;

	if (header == NULL || offered == NULL)
		return NULL;
	while (*p) {
		char tag[32];
		size_t tl = 0;
		double q = 1.0;

		while (*p == ' ' || *p == ',')
			p++;
		while (*p && *p != ',' && *p != ';' && *p != ' ' &&
		    tl < sizeof(tag) - 1)
			tag[tl++] = (char)tolower((unsigned char)*p++);
		tag[tl] = '\0';
		while (*p && *p != ',') {
			if (*p == ';') {
				const char *qs = p + 1;

				while (*qs == ' ')
					qs++;
				if (qs[0] == 'q' && qs[1] == '=')
					q = strtod(qs + 2, NULL);
			}
			p++;
		}
		if (tl == 0)
			continue;
		tag[strcspn(tag, "-_")] = '\0';    /* "en-GB" counts for "en" */
		if (q <= bestq)
			continue;
		for (size_t i = 0; offered[i] != NULL; i++) {
			if (strcmp(offered[i], tag) == 0) {
				best = offered[i];
				bestq = q;
				break;
			}
		}
	}
	return best;
}

bool
ap_accepts_xhtml(const char *accept)
{
	const char *p;

	if (accept == NULL)
		return false;
	p = strstr(accept, "application/xhtml+xml");
	if (p == NULL)
		return false;
	p += strlen("application/xhtml+xml");
	/* "application/xhtml+xml;q=0" refuses it. */
	while (*p == ' ')
		p++;
	if (*p == ';') {
		const char *q = strstr(p, "q=");
		const char *comma = strchr(p, ',');

		if (q != NULL && (comma == NULL || q < comma) &&
		    strtod(q + 2, NULL) <= 0.0)
			return false;
	}
	return true;
}

/* A redirect target is followed only when it stays on this site: a path
 * starting with one '/', not "//host" or "/\host", no scheme, no control
 * characters. */
bool
ap_is_local_path(const char *t)
{
	if (t == NULL || t[0] != '/')
		return false;
	if (t[1] == '/' || t[1] == '\\')
		return false;
	for (const unsigned char *p = (const unsigned char *)t; *p; p++)
		if (*p < 0x20 || *p == 0x7f || *p == '\\')
			return false;
	return true;
}

char *
ap_urlencode(struct ap_arena *a, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(s);
	char *out = ap_arena_alloc_raw(a, n * 3 + 1), *o = out;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (isalnum(*p) || *p == '-' || *p == '_' || *p == '.' ||
		    *p == '~' || *p == '/') {
			*o++ = (char)*p;
		} else {
			*o++ = '%';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 15];
		}
	}
	*o = '\0';
	return out;
}
