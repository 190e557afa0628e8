/*
 * token.c: the site secret and what is made from it: signed, timestamped
 * tokens (BLAKE2b MACs with a key derived per purpose), random tokens, and
 * keyed hashes to store tokens without storing them.
 *
 * A signed token reads TIME.PAYLOAD.MAC, TIME in decimal seconds, PAYLOAD
 * and MAC in base64url: it can travel in a URL, a cookie or a form.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core.h"

static unsigned char token_secret[32];
static bool token_ready;

int
ap_token_init(const char *hex)
{
	size_t len = 0;

	if (sodium_init() < 0) {
		ap_log(AP_LOG_ERR, "core: libsodium failed to start");
		return -1;
	}
	if (hex == NULL || strlen(hex) != 64 ||
	    sodium_hex2bin(token_secret, sizeof(token_secret), hex, 64, NULL,
	    &len, NULL) != 0 || len != 32)
		return -1;   /* the caller says where the secret came from */
	token_ready = true;
	return 0;
}

char *
ap_b64url(struct ap_arena *a, const unsigned char *p, size_t n)
{
	size_t len = sodium_base64_ENCODED_LEN(n,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char *out = ap_arena_alloc_raw(a, len);

	sodium_bin2base64(out, len, p, n,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return out;
}

long
ap_b64url_decode(const char *s, unsigned char *out, size_t outcap)
{
	size_t len = 0;

	if (sodium_base642bin(out, outcap, s, strlen(s), NULL, &len, NULL,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		return -1;
	return (long)len;
}

static void
token_mac(const char *purpose, const char *ts, const char *payload_b64,
    unsigned char mac[32])
{
	unsigned char key[32];
	crypto_generichash_state st;

	/* One key per purpose: a token made for a form is worth nothing as
	 * a session or an unsubscribe link. */
	crypto_generichash(key, sizeof(key), (const unsigned char *)purpose,
	    strlen(purpose), token_secret, sizeof(token_secret));
	crypto_generichash_init(&st, key, sizeof(key), 32);
	crypto_generichash_update(&st, (const unsigned char *)ts, strlen(ts));
	crypto_generichash_update(&st, (const unsigned char *)".", 1);
	crypto_generichash_update(&st, (const unsigned char *)payload_b64,
	    strlen(payload_b64));
	crypto_generichash_final(&st, mac, 32);
	sodium_memzero(key, sizeof(key));
}

char *
ap_token_sign(struct ap_arena *a, const char *purpose, const char *payload,
    time_t now)
{
	unsigned char mac[32];
	char ts[24], *pb;

	snprintf(ts, sizeof(ts), "%lld", (long long)now);
	pb = ap_b64url(a, (const unsigned char *)payload, strlen(payload));
	token_mac(purpose, ts, pb, mac);
	return ap_arena_printf(a, "%s.%s.%s", ts, pb,
	    ap_b64url(a, mac, sizeof(mac)));
}

/* AP_OK with *payload (arena) and *age set; AP_EINVAL when the token was
 * not made here for this purpose; AP_EEXPIRED when older than max_age
 * (max_age <= 0: no limit). */
int
ap_token_verify(struct ap_arena *a, const char *purpose, const char *tok,
    time_t now, long max_age, const char **payload, long *age)
{
	unsigned char mac[32], given[33];
	const char *d1, *d2;
	char ts[24], *pb, *end;
	long long t;
	size_t plen;
	long n;

	if (tok == NULL || strlen(tok) > 4096)
		return AP_EINVAL;
	d1 = strchr(tok, '.');
	if (d1 == NULL || d1 == tok || (size_t)(d1 - tok) >= sizeof(ts))
		return AP_EINVAL;
	d2 = strchr(d1 + 1, '.');
	if (d2 == NULL)
		return AP_EINVAL;
	memcpy(ts, tok, (size_t)(d1 - tok));
	ts[d1 - tok] = '\0';
	t = strtoll(ts, &end, 10);
	if (*end != '\0' || t < 0)
		return AP_EINVAL;
	pb = ap_arena_strndup(a, d1 + 1, (size_t)(d2 - d1 - 1));
	if (ap_b64url_decode(d2 + 1, given, sizeof(given)) != 32)
		return AP_EINVAL;
	token_mac(purpose, ts, pb, mac);
	if (sodium_memcmp(mac, given, 32) != 0)
		return AP_EINVAL;
	plen = strlen(pb);
	{
		unsigned char *buf = ap_arena_alloc_raw(a, plen + 1);

		n = ap_b64url_decode(pb, buf, plen + 1);
		if (n < 0)
			return AP_EINVAL;
		buf[n] = '\0';
		if (payload)
			*payload = (const char *)buf;
	}
	if (t > (long long)now + 300)
		return AP_EINVAL;   /* from the future: a clock gone wrong */
	if (age)
		*age = (long)((long long)now - t);
	if (max_age > 0 && (long long)now - t > max_age)
		return AP_EEXPIRED;
	return AP_OK;
}

char *
ap_token_random(struct ap_arena *a, size_t bytes)
{
	unsigned char buf[64];

	if (bytes > sizeof(buf))
		bytes = sizeof(buf);
	randombytes_buf(buf, bytes);
	return ap_b64url(a, buf, bytes);
}

/* Keyed hash of s as 64 hex digits: what is stored of a session or reset
 * token, so that a copy of the database opens no session. */
char *
ap_token_hash_hex(struct ap_arena *a, const char *s)
{
	unsigned char h[32];
	char *hex = ap_arena_alloc_raw(a, 65);

	crypto_generichash(h, sizeof(h), (const unsigned char *)s, strlen(s),
	    token_secret, sizeof(token_secret));
	sodium_bin2hex(hex, 65, h, sizeof(h));
	return hex;
}

int
ap_token_equal(const char *a, const char *b)
{
	size_t la, lb;

	if (a == NULL || b == NULL)
		return 0;
	la = strlen(a);
	lb = strlen(b);
	if (la != lb)
		return 0;
	return sodium_memcmp(a, b, la) == 0;
}
