/*
 * bayes.c: folding, tokens, counts and Robinson–Fisher combining.  No
 * host, no database: what the classifier computes, for the plugin and for
 * the unit test.
 *
 * The method is bogofilter's: each token w of a text gets a spam
 * probability from how often it was seen in spam and in ham, normalized
 * by the number of messages of each class, p(w) = b / (b + g); Robinson's
 * f(w) = (s·x + n·p(w)) / (s + n) pulls the tokens seen n times toward x
 * (the probability of an unknown token) with strength s; the tokens far
 * enough from 0.5 are combined with Fisher's method into H (ham) and S
 * (spam) and the score is (1 + S − H) / 2.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bayes.h"

/* ---- folding ---- */

/* U+0100..U+017F: base letter of each; '1' is "ij", '2' is "oe". */
static const char bayes_ext_a[] =
    "aaaaaa" "cccccccc" "dddd" "eeeeeeeeee" "gggggggg" "hhhh" "iiiiiiiiii"
    "11" "jj" "kkk" "llllllllll" "nnnnnnnnn" "oooooo" "22" "rrrrrr"
    "ssssssss" "tttttt" "uuuuuuuuuuuu" "ww" "yyy" "zzzzzz" "s";

/* U+00C0..U+00FF, upper and lower alike ('1' is "ae", '2' "ss", '3'
 * "th", ' ' not a letter). */
static const char bayes_latin1[] =
    "aaaaaa1ceeeeiiii" "dnooooo ouuuuy32" "aaaaaa1ceeeeiiii"
    "dnooooo ouuuuy3y";

/* Decodes one UTF-8 sequence of s[0..n) (valid or not); returns its
 * length and the code point (U+FFFD for a bad byte). */
static size_t
bayes_utf8(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c = s[0];
	size_t len, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if ((c & 0xe0) == 0xc0) {
		len = 2;
		c &= 0x1f;
	} else if ((c & 0xf0) == 0xe0) {
		len = 3;
		c &= 0x0f;
	} else if ((c & 0xf8) == 0xf0) {
		len = 4;
		c &= 0x07;
	} else {
		*cp = 0xfffd;
		return 1;
	}
	if (len > n) {
		*cp = 0xfffd;
		return 1;
	}
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			*cp = 0xfffd;
			return 1;
		}
		c = (c << 6) | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates and what lies beyond U+10FFFF */
	if ((len == 2 && c < 0x80) || (len == 3 && c < 0x800) ||
	    (len == 4 && c < 0x10000) || (c >= 0xd800 && c <= 0xdfff) ||
	    c > 0x10ffff) {
		*cp = 0xfffd;
		return 1;
	}
	*cp = c;
	return len;
}

static size_t
bayes_put(char *out, size_t o, size_t cap, const char *s, size_t n)
{
	if (o + n + 1 > cap)
		return o;
	memcpy(out + o, s, n);
	return o + n;
}

size_t
as_fold(const char *in, size_t n, char *out, size_t outcap)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t i = 0, o = 0;

	if (outcap == 0)
		return 0;
	while (i < n && o + 1 < outcap) {
		uint32_t cp;
		size_t len = bayes_utf8(s + i, n - i, &cp);
		char c[3] = { 0 };
		const char *rep = c;
		size_t rl = 1;

		if (cp < 0x80) {
			c[0] = (char)(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp);
			if (cp == 0)
				c[0] = ' ';
		} else if (cp >= 0xc0 && cp <= 0xff) {
			char b = bayes_latin1[cp - 0xc0];

			rep = b == '1' ? "ae" : b == '2' ? "ss" : b == '3' ?
			    "th" : c;
			rl = rep == c ? 1 : 2;
			c[0] = b;
		} else if (cp >= 0x100 && cp <= 0x17f) {
			char b = bayes_ext_a[cp - 0x100];

			rep = b == '1' ? "ij" : b == '2' ? "oe" : c;
			rl = rep == c ? 1 : 2;
			c[0] = b;
		} else if (cp == 0x2018 || cp == 0x2019 || cp == 0x02bc ||
		    cp == 0x2032) {
			c[0] = '\'';
		} else if (cp == 0xa3 || cp == 0xa5 || cp == 0x20ac) {
			c[0] = '$';   /* pound, yen, euro: money alike */
		} else if (cp == 0xad || (cp >= 0x200b && cp <= 0x200d) ||
		    cp == 0x2060 || cp == 0xfeff || (cp >= 0x300 &&
		    cp <= 0x36f) || (cp >= 0xfe00 && cp <= 0xfe0f)) {
			rl = 0;       /* invisible, or a combining accent */
		} else if (cp >= 0xff01 && cp <= 0xff5e) {
			cp -= 0xfee0; /* fullwidth forms */
			c[0] = (char)(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp);
		} else if (cp < 0x250 || (cp >= 0x2000 && cp <= 0x2bff) ||
		    (cp >= 0x3000 && cp <= 0x303f) || cp >= 0x1f000 ||
		    cp == 0xfffd) {
			c[0] = ' ';   /* punctuation, symbols, emoji */
		} else {
			rep = (const char *)s + i;   /* another script: kept */
			rl = len;
		}
		o = bayes_put(out, o, outcap, rep, rl);
		i += len;
	}
	out[o] = '\0';
	return o;
}

/* ---- the token list ---- */

uint64_t
as_hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	h ^= h >> 29;
	return h ? h : 1;
}

void
as_toklist_init(struct as_toklist *l)
{
	memset(l, 0, sizeof(*l));
}

void
as_toklist_clear(struct as_toklist *l)
{
	l->plen = 0;
	l->n = 0;
	l->failed = 0;
	if (l->set != NULL)
		memset(l->set, 0, l->setcap * sizeof(*l->set));
}

void
as_toklist_free(struct as_toklist *l)
{
	free(l->pool);
	free(l->v);
	free(l->set);
	memset(l, 0, sizeof(*l));
}

/* Grows the hash set to twice the tokens' room, rehashing. */
static int
bayes_set_grow(struct as_toklist *l)
{
	size_t cap = l->setcap ? l->setcap * 2 : 256;
	uint64_t *set = calloc(cap, sizeof(*set));

	if (set == NULL)
		return -1;
	for (size_t i = 0; i < l->n; i++) {
		size_t k = l->v[i].h & (cap - 1);

		while (set[k] != 0)
			k = (k + 1) & (cap - 1);
		set[k] = l->v[i].h;
	}
	free(l->set);
	l->set = set;
	l->setcap = cap;
	return 0;
}

int
as_toklist_add(struct as_toklist *l, const char *pfx, const char *s,
    size_t n)
{
	size_t pl = strlen(pfx), k;
	char buf[2 * AS_TOKEN_MAX + 16];
	uint64_t h;

	if (l->failed || l->n >= AS_TOKENS_MAX || n == 0 ||
	    pl + n >= sizeof(buf))
		return 0;
	memcpy(buf, pfx, pl);
	memcpy(buf + pl, s, n);
	n += pl;
	h = as_hash(buf, n);
	if ((l->n + 1) * 2 > l->setcap && bayes_set_grow(l) != 0) {
		l->failed = 1;
		return 0;
	}
	for (k = h & (l->setcap - 1); l->set[k] != 0;
	    k = (k + 1) & (l->setcap - 1))
		if (l->set[k] == h)
			return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct as_tok *v = realloc(l->v, cap * sizeof(*v));

		if (v == NULL) {
			l->failed = 1;
			return 0;
		}
		l->v = v;
		l->cap = cap;
	}
	if (l->plen + n + 1 > l->pcap) {
		size_t cap = l->pcap ? l->pcap * 2 : 4096;
		char *p;

		while (cap < l->plen + n + 1)
			cap *= 2;
		p = realloc(l->pool, cap);
		if (p == NULL) {
			l->failed = 1;
			return 0;
		}
		/* The tokens point into the pool: move them along. */
		for (size_t i = 0; i < l->n; i++)
			l->v[i].s = p + (l->v[i].s - l->pool);
		l->pool = p;
		l->pcap = cap;
	}
	memcpy(l->pool + l->plen, buf, n);
	l->pool[l->plen + n] = '\0';
	l->v[l->n].s = l->pool + l->plen;
	l->v[l->n].len = (uint32_t)n;
	l->v[l->n].h = h;
	l->n++;
	l->plen += n + 1;
	l->set[k] = h;
	return 1;
}

/* ---- common words ---- */

/* Function words of French and English, folded, sorted for bsearch.
 * They say which language a text is in, not whether it is spam: a site
 * in French must not hold its own language against a text. */
static const char *const bayes_stop[] = {
	"a", "ai", "aie", "ainsi", "alors", "an", "and", "are", "as", "at",
	"au", "aussi", "autre", "aux", "avait", "avec", "avez", "avoir",
	"avons", "be", "been", "bien", "but", "by", "c", "ca", "car", "ce",
	"ceci", "cela", "celle", "celui", "ces", "cet", "cette", "ceux",
	"chaque", "chez", "comme", "d", "dans", "de", "deja", "des", "deux",
	"did", "do", "does", "donc", "dont", "du", "elle", "elles", "en",
	"encore", "entre", "est", "et", "etaient", "etait", "ete", "etre",
	"eu", "eux", "faire", "fait", "for", "from", "had", "has", "have",
	"he", "her", "his", "i", "il", "ils", "in", "is", "it", "its", "j",
	"je", "jusqu", "l", "la", "le", "les", "leur", "leurs", "lui", "m",
	"ma", "mais", "me", "meme", "mes", "moi", "mon", "n", "ne", "ni",
	"nos", "notre", "nous", "of", "on", "ont", "or", "ou", "par", "pas",
	"peu", "peut", "plus", "pour", "pourquoi", "qu", "quand", "que",
	"quel", "quelle", "qui", "s", "sa", "sans", "se", "sera", "ses",
	"she", "si", "sien", "soit", "son", "sont", "sous", "sur", "t", "ta",
	"te", "tes", "that", "the", "their", "them", "they", "this", "to",
	"ton", "tous", "tout", "toute", "tres", "tu", "un", "une", "vers",
	"very", "voici", "voila", "vos", "votre", "vous", "was", "we", "were",
	"which", "who", "will", "with", "y",
};

/* Function words that only French has (language hint). */
static const char *const bayes_fr_only[] = {
	"au", "aux", "avec", "ce", "ces", "cette", "dans", "de", "des", "du",
	"elle", "est", "et", "il", "je", "la", "le", "les", "mais", "nous",
	"ou", "par", "pas", "pour", "que", "qui", "sont", "sur", "un", "une",
	"vous",
};

static const char *const bayes_en_only[] = {
	"and", "are", "for", "from", "have", "is", "it", "of", "that", "the",
	"their", "this", "to", "was", "we", "were", "which", "will", "with",
	"you", "your",
};

static int
bayes_inlist(const char *const *list, size_t nl, const char *w, size_t n)
{
	size_t lo = 0, hi = nl;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strncmp(list[mid], w, n);

		if (c == 0 && list[mid][n] != '\0')
			c = 1;
		if (c == 0)
			return 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

int
as_stopword(const char *w, size_t n)
{
	return bayes_inlist(bayes_stop, NELEM(bayes_stop), w, n);
}

/* ---- tokens ---- */

/* True when s (n bytes left) starts with a character of a script written
 * without spaces (CJK, kana, hangul): each is a word of its own. */
static int
bayes_cjk(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	uint32_t cp;

	if (n < 3 || (u[0] & 0xf0) != 0xe0)
		return 0;
	cp = ((uint32_t)(u[0] & 0x0f) << 12) | ((uint32_t)(u[1] & 0x3f) << 6) |
	    (u[2] & 0x3f);
	return (cp >= 0x2e80 && cp <= 0x9fff) || (cp >= 0xac00 &&
	    cp <= 0xd7af) || (cp >= 0xf900 && cp <= 0xfaff);
}

static int
bayes_wordc(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80;
}

/* True when w has a letter: long numbers are ids, seen once. */
static int
bayes_letters(const char *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((w[i] >= 'a' && w[i] <= 'z') || (unsigned char)w[i] >= 0x80)
			return 1;
	return 0;
}

static int
bayes_hostc(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
	    c == '.' || c >= 0x80;
}

/* Second-level labels under which names are registered one level down
 * (example.co.uk, example.com.au). */
static const char *const bayes_sld[] = {
	"ac", "co", "com", "edu", "gouv", "gov", "ltd", "ne", "net", "or",
	"org", "plc",
};

int
as_domain(const char *host, size_t n, char *out, size_t outcap)
{
	size_t start, dots = 0, i, keep = 2;
	const char *last = NULL, *prev = NULL;

	while (n > 0 && host[n - 1] == '.')
		n--;
	while (n > 0 && host[0] == '.') {
		host++;
		n--;
	}
	if (n == 0 || n >= outcap)
		return 0;
	for (i = 0; i < n; i++) {
		if (!bayes_hostc((unsigned char)host[i]))
			return 0;
		if (host[i] == '.')
			dots++;
	}
	if (dots == 0)
		return 0;
	/* The last two labels, or three under a known second level. */
	for (i = n; i > 0; i--)
		if (host[i - 1] == '.') {
			if (last == NULL)
				last = host + i;
			else if (prev == NULL) {
				prev = host + i;
				break;
			}
		}
	if (last != NULL && (size_t)(host + n - last) == 2 && prev != NULL &&
	    bayes_inlist(bayes_sld, NELEM(bayes_sld), prev,
	    (size_t)(last - 1 - prev)))
		keep = 3;
	if (last != NULL && (size_t)(host + n - last) == 2 && prev == NULL &&
	    dots >= 1) {
		/* two labels only: "co.uk" is not a domain of anyone */
		if (bayes_inlist(bayes_sld, NELEM(bayes_sld), host,
		    (size_t)(last - 1 - host)))
			return 0;
	}
	start = n;
	for (size_t seen = 0; start > 0; start--)
		if (host[start - 1] == '.' && ++seen == keep)
			break;
	if (strncmp(host + start, "www.", 4) == 0)
		start += 4;
	memcpy(out, host + start, n - start);
	out[n - start] = '\0';
	return 1;
}

/* Adds u:HOST and u:DOMAIN for a host name. */
static void
bayes_host(struct as_toklist *l, const char *pfx, const char *h, size_t n)
{
	char dom[256];

	while (n > 0 && (h[n - 1] == '.' || h[n - 1] == '-'))
		n--;
	if (n > 4 && strncmp(h, "www.", 4) == 0) {
		h += 4;
		n -= 4;
	}
	if (n >= 7 && strspn(h, "0123456789.") >= n) {
		as_toklist_add(l, pfx, "ip", 2);   /* a link to an address */
		return;
	}
	if (!as_domain(h, n, dom, sizeof(dom)))
		return;
	as_toklist_add(l, pfx, h, n);
	as_toklist_add(l, pfx, dom, strlen(dom));
}

/* Length of a link starting at s (http://, https://, www.), 0 if none;
 * the host is at *host for *hlen bytes. */
static size_t
bayes_link(const char *s, size_t n, const char **host, size_t *hlen)
{
	size_t i = 0, h;

	if (n > 7 && strncmp(s, "http://", 7) == 0)
		i = 7;
	else if (n > 8 && strncmp(s, "https://", 8) == 0)
		i = 8;
	else if (n > 4 && strncmp(s, "www.", 4) == 0)
		i = 0;
	else
		return 0;
	h = i;
	while (i < n && bayes_hostc((unsigned char)s[i]))
		i++;
	*host = s + h;
	*hlen = i - h;
	if (*hlen == 0)
		return 0;
	/* port, user@ and path are part of the link */
	while (i < n && s[i] != ' ' && s[i] != '\n' && s[i] != '\t' &&
	    s[i] != '\r' && s[i] != '"' && s[i] != '<' && s[i] != '>' &&
	    s[i] != ']' && s[i] != '[')
		i++;
	return i;
}

/* An address local@domain at s: its length, the domain in *dom. */
static size_t
bayes_email(const char *s, size_t n, const char **dom, size_t *dlen)
{
	size_t i = 0, d;

	while (i < n && (bayes_wordc((unsigned char)s[i]) || s[i] == '.' ||
	    s[i] == '_' || s[i] == '-' || s[i] == '+'))
		i++;
	if (i == 0 || i >= n || s[i] != '@')
		return 0;
	d = ++i;
	while (i < n && bayes_hostc((unsigned char)s[i]))
		i++;
	while (i > d && (s[i - 1] == '.' || s[i - 1] == '-'))
		i--;
	if (i == d || memchr(s + d, '.', i - d) == NULL)
		return 0;
	*dom = s + d;
	*dlen = i - d;
	return i;
}

/* Length of the word at s: letters and digits, with . - _ inside (and ,
 * inside a number), or one CJK character; '$' may start it. */
static size_t
bayes_word(const char *s, size_t n)
{
	size_t k = s[0] == '$' ? 1 : 0;

	if (bayes_cjk(s, n))
		return 3;
	while (k < n) {
		unsigned char d = (unsigned char)s[k];

		if (d >= 0x80 && bayes_cjk(s + k, n - k))
			break;
		if (bayes_wordc(d)) {
			k++;
			continue;
		}
		if ((d == '.' || d == '-' || d == '_' || d == ',') && k > 0 &&
		    k + 1 < n && bayes_wordc((unsigned char)s[k + 1]) &&
		    bayes_wordc((unsigned char)s[k - 1]) &&
		    (d != ',' || (s[k - 1] >= '0' && s[k - 1] <= '9'))) {
			k++;
			continue;
		}
		break;
	}
	return k;
}

/* Splits folded text into tokens; see as_tokenize.  Each word also
 * makes a pair with the word before it in the same sentence (a pair of
 * two common words is not kept). */
static void
bayes_scan(struct as_toklist *l, const char *s, size_t n, const char *pfx)
{
	char pair[2 * AS_TOKEN_MAX + 2];
	const char *prev = NULL;
	size_t i = 0, plen = 0;
	int prev_stop = 0, fr = 0, en = 0, words = 0;

	while (i < n) {
		const char *host;
		size_t hlen, k, w;
		unsigned char c = (unsigned char)s[i];
		int stop;

		if (!bayes_wordc(c) && c != '$') {
			/* a sentence ends: no pair across it */
			if (c == '.' || c == '!' || c == '?' || c == '\n')
				prev = NULL;
			i++;
			continue;
		}
		if ((k = bayes_link(s + i, n - i, &host, &hlen)) > 0) {
			bayes_host(l, AS_PFX_URL, host, hlen);
			/* the path's words count as words */
			i += (size_t)(host - (s + i)) + hlen;
			prev = NULL;
			continue;
		}
		if ((k = bayes_email(s + i, n - i, &host, &hlen)) > 0) {
			bayes_host(l, AS_PFX_MAIL, host, hlen);
			i += k;
			prev = NULL;
			continue;
		}
		w = bayes_word(s + i, n - i);
		if (w == 0) {
			i++;
			continue;
		}
		if (w > AS_TOKEN_MAX || w < 2 || (w > 5 && c != '$' &&
		    !bayes_letters(s + i, w))) {
			i += w;
			prev = NULL;
			continue;
		}
		words++;
		if (bayes_inlist(bayes_fr_only, NELEM(bayes_fr_only), s + i, w))
			fr++;
		if (bayes_inlist(bayes_en_only, NELEM(bayes_en_only), s + i, w))
			en++;
		/* A common word is no token, but it binds a pair ("click
		 * here", "prix de"). */
		stop = as_stopword(s + i, w);
		if (!stop)
			as_toklist_add(l, pfx, s + i, w);
		if (prev != NULL && !(stop && prev_stop)) {
			memcpy(pair, prev, plen);
			pair[plen] = ' ';
			memcpy(pair + plen + 1, s + i, w);
			as_toklist_add(l, pfx, pair, plen + 1 + w);
		}
		prev = s + i;
		plen = w;
		prev_stop = stop;
		i += w;
	}
	/* Which language the text is in, as a token of its own: a site
	 * learns whether texts in another language are its spam. */
	if (*pfx == '\0' && words >= 10 && (fr + en) * 25 < words)
		as_toklist_add(l, "", "x:lang-other", 12);
	else if (*pfx == '\0' && fr + en >= 3) {
		const char *lang = fr > 2 * en ? "x:lang-fr" : en > 2 * fr ?
		    "x:lang-en" : "x:lang-mixed";

		as_toklist_add(l, "", lang, strlen(lang));
	}
}

/* Tokens of the original text that folding would lose: words in capitals
 * ("C:FREE") and runs of !, $ or ?. */
static void
bayes_shape(struct as_toklist *l, const char *t, size_t n, const char *pfx)
{
	char tok[AS_TOKEN_MAX + 3];
	size_t i = 0;

	while (i < n) {
		size_t k = i;

		while (k < n && t[k] >= 'A' && t[k] <= 'Z')
			k++;
		if (k - i >= 3 && k - i <= AS_TOKEN_MAX && (i == 0 ||
		    !(t[i - 1] >= 'a' && t[i - 1] <= 'z')) && (k == n ||
		    !(t[k] >= 'a' && t[k] <= 'z'))) {
			tok[0] = 'C';
			tok[1] = ':';
			memcpy(tok + 2, t + i, k - i);
			as_toklist_add(l, pfx, tok, k - i + 2);
		}
		i = k > i ? k : i + 1;
	}
	if (memmem(t, n, "!!", 2) != NULL)
		as_toklist_add(l, pfx, "x:!!", 4);
	if (memmem(t, n, "$$", 2) != NULL)
		as_toklist_add(l, pfx, "x:$$", 4);
	if (memmem(t, n, "??", 2) != NULL)
		as_toklist_add(l, pfx, "x:??", 4);
}

void
as_tokenize(struct as_toklist *l, const char *text, size_t n,
    const char *pfx)
{
	char stackbuf[8192], *buf = stackbuf;
	size_t cap = 2 * n + 1, len;

	if (text == NULL || n == 0)
		return;
	if (cap > sizeof(stackbuf)) {
		buf = malloc(cap);
		if (buf == NULL) {
			l->failed = 1;
			return;
		}
	}
	bayes_shape(l, text, n, pfx ? pfx : "");
	len = as_fold(text, n, buf, cap);
	bayes_scan(l, buf, len, pfx ? pfx : "");
	if (buf != stackbuf)
		free(buf);
}

void
as_tokenize_domain(struct as_toklist *l, const char *s, const char *pfx)
{
	char buf[512];
	const char *host = NULL;
	size_t n, hlen = 0, k;

	if (s == NULL || *s == '\0')
		return;
	n = as_fold(s, strlen(s), buf, sizeof(buf));
	if (bayes_link(buf, n, &host, &hlen) > 0)
		bayes_host(l, pfx, host, hlen);
	else if (bayes_email(buf, n, &host, &hlen) > 0)
		bayes_host(l, pfx, host, hlen);
	else {
		for (k = 0; k < n && bayes_hostc((unsigned char)buf[k]); k++)
			;
		bayes_host(l, pfx, buf, k);
	}
}

/* ---- the table ---- */

void
as_table_init(struct as_table *t)
{
	memset(t, 0, sizeof(*t));
}

void
as_table_free(struct as_table *t)
{
	free(t->keys);
	free(t->vals);
	memset(t, 0, sizeof(*t));
}

/* Doubles the table, rehashing; -1 when out of memory (the table is
 * unchanged). */
static int
bayes_table_grow(struct as_table *t)
{
	size_t cap = t->cap ? t->cap * 2 : 4096;
	uint64_t *keys = calloc(cap, sizeof(*keys));
	struct as_counts *vals = calloc(cap, sizeof(*vals));

	if (keys == NULL || vals == NULL) {
		free(keys);
		free(vals);
		return -1;
	}
	for (size_t i = 0; i < t->cap; i++) {
		size_t k;

		if (t->keys[i] == 0)
			continue;
		for (k = t->keys[i] & (cap - 1); keys[k] != 0;
		    k = (k + 1) & (cap - 1))
			;
		keys[k] = t->keys[i];
		vals[k] = t->vals[i];
	}
	free(t->keys);
	free(t->vals);
	t->keys = keys;
	t->vals = vals;
	t->cap = cap;
	return 0;
}

static uint32_t
bayes_clamp(long long v)
{
	return v < 0 ? 0 : v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

int
as_table_put(struct as_table *t, uint64_t h, long spam, long ham, int add)
{
	size_t k;

	if ((t->n + 1) * 4 > t->cap * 3 && bayes_table_grow(t) != 0)
		return -1;
	for (k = h & (t->cap - 1); t->keys[k] != 0 && t->keys[k] != h;
	    k = (k + 1) & (t->cap - 1))
		;
	if (t->keys[k] == 0) {
		t->keys[k] = h;
		t->vals[k].spam = t->vals[k].ham = 0;
		t->n++;
	}
	if (add) {
		t->vals[k].spam = bayes_clamp((long long)t->vals[k].spam +
		    spam);
		t->vals[k].ham = bayes_clamp((long long)t->vals[k].ham + ham);
	} else {
		t->vals[k].spam = bayes_clamp(spam);
		t->vals[k].ham = bayes_clamp(ham);
	}
	return 0;
}

const struct as_counts *
as_table_get(const struct as_table *t, uint64_t h)
{
	size_t k;

	if (t->cap == 0)
		return NULL;
	for (k = h & (t->cap - 1); t->keys[k] != 0;
	    k = (k + 1) & (t->cap - 1))
		if (t->keys[k] == h)
			return &t->vals[k];
	return NULL;
}

/* ---- combining ---- */

double
as_token_prob(const struct as_table *t, const struct as_params *p,
    const struct as_counts *c)
{
	double b, g, pw, n;

	if (c == NULL || (c->spam == 0 && c->ham == 0))
		return p->robx;
	b = t->nspam ? (double)c->spam / t->nspam : 0;
	g = t->nham ? (double)c->ham / t->nham : 0;
	/* A class with no message yet: the other class's count alone. */
	if (t->nspam == 0)
		b = 0;
	if (t->nham == 0)
		g = 0;
	if (b + g <= 0)
		return p->robx;
	if (b > 1)
		b = 1;
	if (g > 1)
		g = 1;
	pw = b / (b + g);
	n = (double)c->spam + c->ham;
	return (p->robs * p->robx + n * pw) / (p->robs + n);
}

double
as_chi2q(double x2, unsigned half)
{
	double m = x2 / 2.0, lm, term, lsum;

	if (x2 <= 0 || half == 0)
		return 1.0;
	lm = log(m);
	/* sum_{i<half} e^-m m^i / i!, summed in log space */
	term = -m;
	lsum = term;
	for (unsigned i = 1; i < half; i++) {
		term += lm - log((double)i);
		lsum = lsum > term ? lsum + log1p(exp(term - lsum)) :
		    term + log1p(exp(lsum - term));
	}
	return lsum >= 0 ? 1.0 : exp(lsum);
}

/* Orders clues by how far they are from 0.5, farthest first. */
static int
bayes_clue_cmp(const void *a, const void *b)
{
	double da = fabs(((const struct as_clue *)a)->f - 0.5);
	double db = fabs(((const struct as_clue *)b)->f - 0.5);

	return da < db ? 1 : da > db ? -1 : 0;
}

double
as_classify(const struct as_table *t, const struct as_params *p,
    const struct as_toklist *l, struct as_clue *clues, size_t *nclues)
{
	struct as_clue stack[512], *all = stack;
	double lh = 0, ls = 0, hq, sq;
	size_t n = 0, use, want = nclues ? *nclues : 0;

	if (nclues)
		*nclues = 0;
	if (l->n > NELEM(stack)) {
		all = malloc(l->n * sizeof(*all));
		if (all == NULL)
			return 0.5;
	}
	for (size_t i = 0; i < l->n; i++) {
		double f = as_token_prob(t, p, as_table_get(t, l->v[i].h));

		if (fabs(f - 0.5) < p->min_dev)
			continue;
		all[n].idx = (uint32_t)i;
		all[n].f = f;
		n++;
	}
	use = n;
	if (p->max_clues > 0 && n > (size_t)p->max_clues) {
		qsort(all, n, sizeof(*all), bayes_clue_cmp);
		use = (size_t)p->max_clues;
	} else if (want > 0) {
		qsort(all, n, sizeof(*all), bayes_clue_cmp);
	}
	for (size_t i = 0; i < use; i++) {
		double f = all[i].f;

		if (f < 1e-6)
			f = 1e-6;
		if (f > 1 - 1e-6)
			f = 1 - 1e-6;
		lh += log(f);
		ls += log(1 - f);
	}
	if (clues != NULL && nclues != NULL) {
		size_t k = use < want ? use : want;

		memcpy(clues, all, k * sizeof(*clues));
		*nclues = k;
	}
	if (all != stack)
		free(all);
	if (use == 0)
		return 0.5;
	/* H = 1 - hq near 1: the tokens look like ham; S = 1 - sq near 1:
	 * like spam.  (1 + S - H) / 2, written so that tiny hq and sq keep
	 * their difference. */
	hq = as_chi2q(-2.0 * lh, (unsigned)use);
	sq = as_chi2q(-2.0 * ls, (unsigned)use);
	return (1.0 + hq - sq) / 2.0;
}
