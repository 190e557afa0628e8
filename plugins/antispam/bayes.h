/*
 * bayes.h: the text classifier of the antispam plugin, without the host:
 * folding (lower case, accents removed), the tokenizer, the table of token
 * counts, and Robinson–Fisher combining of per-token spam probabilities
 * (the method of bogofilter and SpamBayes).  Compiled into antispam.so and
 * into the unit test tests/unit/test_bayes.
 */
#ifndef ANTISPAM_BAYES_H
#define ANTISPAM_BAYES_H

#include <stddef.h>
#include <stdint.h>

/* Longest token kept, in bytes after folding; longer words are dropped. */
#define AS_TOKEN_MAX 40
/* Most distinct tokens taken from one text. */
#define AS_TOKENS_MAX 3000

/* Prefixes that say where a token comes from. */
#define AS_PFX_URL "u:"      /* a link's host or domain */
#define AS_PFX_MAIL "e:"     /* the domain of an address in the text */
#define AS_PFX_NAME "n:"     /* a word of the author's name */
#define AS_PFX_SITE "s:"     /* the domain of the author's website */
#define AS_PFX_FROM "m:"     /* the domain of the author's email */
#define AS_PFX_SUBJ "t:"     /* a word of the subject */
/* The token that holds the message counts (no text makes it). */
#define AS_MSGCOUNT " msgs"

struct as_tok {
	const char *s;        /* NUL-terminated, in the list's pool */
	uint32_t len;
	uint64_t h;
};

/* The distinct tokens of a text.  Owns its memory (malloc). */
struct as_toklist {
	char *pool;
	size_t plen, pcap;
	struct as_tok *v;
	size_t n, cap;
	uint64_t *set;        /* open addressing, 0 = empty */
	size_t setcap;
	int failed;           /* out of memory: the list is cut */
};

void as_toklist_init(struct as_toklist *l);
void as_toklist_clear(struct as_toklist *l);
void as_toklist_free(struct as_toklist *l);
/* Adds one token (its bytes as given) unless already there.  Returns 1
 * when added. */
int as_toklist_add(struct as_toklist *l, const char *pfx, const char *s,
    size_t n);

/* Folds UTF-8 text for matching and tokens: lower case, Latin accents
 * removed (é→e, œ→oe, ß→ss), typographic apostrophes and spaces made
 * plain; other characters kept.  Writes at most outcap-1 bytes and a NUL;
 * returns the length written.  Output never exceeds 2×n bytes. */
size_t as_fold(const char *in, size_t n, char *out, size_t outcap);

/* Tokens of a text: its words (2 to AS_TOKEN_MAX bytes, letters, digits,
 * and . - _ inside), a link's host and registrable domain (u:), the domain
 * of an address (e:), and word pairs.  Common words of French and English
 * are skipped.  pfx (may be "") is put before every word token. */
void as_tokenize(struct as_toklist *l, const char *text, size_t n,
    const char *pfx);
/* Tokens of a website or email field: its domain with pfx. */
void as_tokenize_domain(struct as_toklist *l, const char *s, const char *pfx);

/* The registrable part of a host name ("www.shop.example.co.uk" gives
 * "example.co.uk"), written to out.  0 when host is not a domain. */
int as_domain(const char *host, size_t n, char *out, size_t outcap);

/* True when the folded word is one of the common words skipped. */
int as_stopword(const char *w, size_t n);

uint64_t as_hash(const char *s, size_t n);

/* ---- the table of counts ---- */

struct as_counts {
	uint32_t spam, ham;
};

struct as_table {
	uint64_t *keys;       /* hashes; 0 = empty */
	struct as_counts *vals;
	size_t cap, n;
	uint32_t nspam, nham; /* messages learned */
};

void as_table_init(struct as_table *t);
void as_table_free(struct as_table *t);
/* Sets (or, with add, adds to, never below 0) the counts of h.  -1 when
 * out of memory. */
int as_table_put(struct as_table *t, uint64_t h, long spam, long ham,
    int add);
const struct as_counts *as_table_get(const struct as_table *t, uint64_t h);

/* ---- combining ---- */

struct as_params {
	double robs;          /* s: strength of the prior */
	double robx;          /* x: probability of an unknown token */
	double min_dev;       /* tokens with |f - 0.5| below are ignored */
	int max_clues;        /* most extreme tokens used (0: all) */
};

/* A token that weighed: its index in the list and its f(w). */
struct as_clue {
	uint32_t idx;
	double f;
};

/* Robinson's f(w) for counts c with the table's message counts. */
double as_token_prob(const struct as_table *t, const struct as_params *p,
    const struct as_counts *c);
/* Fisher's combining of the f(w) of the tokens of l: 0 (ham) .. 1
 * (spam); 0.5 when no token weighs.  When clues is not NULL it receives
 * up to *nclues tokens that weighed (most extreme first) and *nclues is
 * set to their number. */
double as_classify(const struct as_table *t, const struct as_params *p,
    const struct as_toklist *l, struct as_clue *clues, size_t *nclues);
/* Probability that a chi-square variable with 2*half degrees of freedom
 * exceeds x2 (computed in log space: no underflow). */
double as_chi2q(double x2, unsigned half);

#endif /* ANTISPAM_BAYES_H */
