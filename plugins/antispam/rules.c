/*
 * rules.c: the admins' rules, kept in antispam_rules.  A rule is a list of
 * words (one per line, matched as whole words, case and accents ignored)
 * or a PCRE2 pattern (case ignored, Unicode).  Its effect is "spam" or
 * "unsure" (hold for moderation).
 *
 * Patterns are compiled once per process (JIT where available), with a
 * length limit and a nesting limit, and run with a match limit, a heap
 * limit and a JIT stack of bounded size on text capped at text_max
 * characters: a pattern that backtracks without end gives up at its limit,
 * counts as "unsure", and is reported on the admin page.  The set is read
 * again when the counter antispam.rules changes; the compiled code is
 * shared by the threads, each thread has its own match data.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "antispam.h"

#define RULE_WORDS_MAX 500
#define RULE_WORD_LEN 100
#define RULE_NEST_MAX 50
#define RULE_OPTIONS (PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS | \
	PCRE2_NEVER_BACKSLASH_C)

struct rule {
	long long id;
	int pattern;               /* else a word list */
	int unsure;
	char *note;
	pcre2_code *re;
	char **words;              /* folded */
	char **shown;              /* as the admin wrote them */
	size_t nwords;
};

static struct {
	pthread_rwlock_t lock;
	pthread_mutex_t refresh;
	struct rule *v;
	size_t n;
	long long version;
	int loaded;
} rules = {
	.lock = PTHREAD_RWLOCK_INITIALIZER,
	.refresh = PTHREAD_MUTEX_INITIALIZER,
};

/* What a thread needs to match: its match data, its limits, its JIT
 * stack.  Made on first use, freed when the thread ends. */
struct rules_tls {
	pcre2_match_data *md;
	pcre2_match_context *mc;
	pcre2_jit_stack *js;
};

static pthread_key_t rules_key;
static pthread_once_t rules_once = PTHREAD_ONCE_INIT;

/* Frees a thread's match data when the thread ends. */
static void
rules_tls_free(void *p)
{
	struct rules_tls *t = p;

	if (t == NULL)
		return;
	pcre2_match_data_free(t->md);
	pcre2_match_context_free(t->mc);
	pcre2_jit_stack_free(t->js);
	free(t);
}

static void
rules_key_make(void)
{
	pthread_key_create(&rules_key, rules_tls_free);
}

static struct rules_tls *
rules_tls(void)
{
	struct rules_tls *t;

	pthread_once(&rules_once, rules_key_make);
	t = pthread_getspecific(rules_key);
	if (t != NULL)
		return t;
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	t->md = pcre2_match_data_create(1, NULL);
	t->mc = pcre2_match_context_create(NULL);
	t->js = pcre2_jit_stack_create(32 * 1024, 512 * 1024, NULL);
	if (t->md == NULL || t->mc == NULL) {
		rules_tls_free(t);
		return NULL;
	}
	pcre2_set_match_limit(t->mc, (uint32_t)as_cf.match_limit);
	pcre2_set_depth_limit(t->mc, (uint32_t)as_cf.match_limit);
	pcre2_set_heap_limit(t->mc, (uint32_t)as_cf.heap_limit);
	if (t->js != NULL)
		pcre2_jit_stack_assign(t->mc, NULL, t->js);
	pthread_setspecific(rules_key, t);
	return t;
}

/* Frees a set of compiled rules (no thread uses it any more). */
static void
rules_free_set(struct rule *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		pcre2_code_free(v[i].re);
		for (size_t k = 0; k < v[i].nwords; k++) {
			free(v[i].words[k]);
			free(v[i].shown[k]);
		}
		free(v[i].words);
		free(v[i].shown);
		free(v[i].note);
	}
	free(v);
}

int
as_rules_init(void)
{
	pthread_once(&rules_once, rules_key_make);
	return 0;
}

void
as_rules_fini(void)
{
	pthread_rwlock_wrlock(&rules.lock);
	rules_free_set(rules.v, rules.n);
	rules.v = NULL;
	rules.n = 0;
	rules.loaded = 0;
	pthread_rwlock_unlock(&rules.lock);
}

/* Compiles a pattern with the rules' options and limits.  NULL with the
 * error's text and offset when it does not compile. */
static pcre2_code *
rules_compile(const char *body, char *err, size_t errlen, size_t *off)
{
	pcre2_compile_context *cc = pcre2_compile_context_create(NULL);
	pcre2_code *re;
	int ec = 0;

	if (cc == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	/* pattern_max counts characters, PCRE2 bytes: up to 4 each */
	pcre2_set_max_pattern_length(cc, (PCRE2_SIZE)as_cf.pattern_max * 4);
	pcre2_set_parens_nest_limit(cc, RULE_NEST_MAX);
	re = pcre2_compile((PCRE2_SPTR)body, PCRE2_ZERO_TERMINATED,
	    RULE_OPTIONS, &ec, off, cc);
	pcre2_compile_context_free(cc);
	if (re == NULL) {
		pcre2_get_error_message(ec, (PCRE2_UCHAR *)err, errlen);
		return NULL;
	}
	/* Without JIT (some platforms) the interpreter runs, with the
	 * same limits. */
	pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
	return re;
}

/* Characters (not bytes) of the UTF-8 text p[0..n). */
size_t
as_chars(const char *p, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)p[i] & 0xc0) != 0x80;
	return c;
}

/* A word of a list folded as texts are, without the spaces folding
 * leaves at its ends (punctuation alone folds to nothing). */
static size_t
rules_fold_word(const char *w, size_t n, char *buf, size_t cap)
{
	size_t len = as_fold(w, n, buf, cap), s = 0;

	while (len > 0 && buf[len - 1] == ' ')
		len--;
	buf[len] = '\0';
	while (buf[s] == ' ')
		s++;
	memmove(buf, buf + s, len - s + 1);
	return len - s;
}

/* Splits a word list into folded words; 0 words when none. */
static int
rules_words(const char *body, struct rule *ru)
{
	const char *p = body;

	ru->words = calloc(RULE_WORDS_MAX, sizeof(char *));
	ru->shown = calloc(RULE_WORDS_MAX, sizeof(char *));
	if (ru->words == NULL || ru->shown == NULL)
		return -1;
	while (*p && ru->nwords < RULE_WORDS_MAX) {
		size_t n = strcspn(p, "\r\n"), s = 0, e = n;
		char buf[4 * RULE_WORD_LEN + 1];

		while (s < e && (p[s] == ' ' || p[s] == '\t'))
			s++;
		while (e > s && (p[e - 1] == ' ' || p[e - 1] == '\t'))
			e--;
		if (e > s && as_chars(p + s, e - s) <= RULE_WORD_LEN &&
		    rules_fold_word(p + s, e - s, buf, sizeof(buf)) > 0) {
			ru->words[ru->nwords] = strdup(buf);
			ru->shown[ru->nwords] = strndup(p + s, e - s);
			if (ru->words[ru->nwords] == NULL ||
			    ru->shown[ru->nwords] == NULL)
				return -1;
			ru->nwords++;
		}
		p += n;
		while (*p == '\r' || *p == '\n')
			p++;
	}
	return 0;
}

/* Reads the rules again when their version changed. */
static int
rules_refresh(struct ap_req *r, long long version)
{
	struct ap_res *res;
	struct rule *v, *old;
	size_t n = 0, oldn;
	int fresh;

	pthread_rwlock_rdlock(&rules.lock);
	fresh = rules.loaded && rules.version == version;
	pthread_rwlock_unlock(&rules.lock);
	if (fresh)
		return AP_OK;
	pthread_mutex_lock(&rules.refresh);
	if (rules.loaded && rules.version == version) {
		pthread_mutex_unlock(&rules.refresh);
		return AP_OK;
	}
	res = ap->query(r, "SELECT id, kind, body, effect, note FROM "
	    "antispam_rules ORDER BY id LIMIT ?",
	    AP_ARGS(AP_INT(as_cf.rules_max)));
	if (res == NULL) {
		pthread_mutex_unlock(&rules.refresh);
		return ap->db_error(r);
	}
	v = calloc(ap->rows(res) + 1, sizeof(*v));
	if (v == NULL) {
		pthread_mutex_unlock(&rules.refresh);
		return AP_ERROR;
	}
	for (size_t i = 0; i < ap->rows(res); i++) {
		struct rule *ru = &v[n];
		const char *body = ap->cell(res, i, 2);
		char err[256];
		size_t off = 0;

		ru->id = ap->cell_int(res, i, 0);
		ru->pattern = strcmp(ap->cell(res, i, 1), "pattern") == 0;
		ru->unsure = strcmp(ap->cell(res, i, 3), "unsure") == 0;
		ru->note = strdup(ap->cell(res, i, 4));
		if (ru->pattern) {
			ru->re = rules_compile(body, err, sizeof(err), &off);
			if (ru->re == NULL) {
				/* checked when added; a limit lowered since */
				ap->log(AP_LOG_WARN, "antispam: rule %lld does "
				    "not compile (%s at %zu): skipped", ru->id,
				    err, off);
				free(ru->note);
				memset(ru, 0, sizeof(*ru));
				continue;
			}
		} else if (rules_words(body, ru) != 0) {
			ap->log(AP_LOG_ERR, "antispam: out of memory for "
			    "rules");
			rules_free_set(v, n + 1);
			pthread_mutex_unlock(&rules.refresh);
			return AP_ERROR;
		}
		n++;
	}
	pthread_rwlock_wrlock(&rules.lock);
	old = rules.v;
	oldn = rules.n;
	rules.v = v;
	rules.n = n;
	rules.version = version;
	rules.loaded = 1;
	pthread_rwlock_unlock(&rules.lock);
	rules_free_set(old, oldn);
	pthread_mutex_unlock(&rules.refresh);
	return AP_OK;
}

static int
rules_wordc(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80;
}

/* True when the folded word w occurs in the folded text as a whole word. */
static int
rules_has_word(const char *text, size_t n, const char *w)
{
	size_t wl = strlen(w);
	const char *p = text, *end = text + n;

	while ((p = memmem(p, (size_t)(end - p), w, wl)) != NULL) {
		if ((p == text || !rules_wordc((unsigned char)p[-1]) ||
		    !rules_wordc((unsigned char)w[0])) &&
		    (p + wl == end || !rules_wordc((unsigned char)p[wl]) ||
		    !rules_wordc((unsigned char)w[wl - 1])))
			return 1;
		p++;
	}
	return 0;
}

/* Records a hit (or a limit reached) on the rule's row. */
static void
rules_count(struct ap_req *r, long long id, int limit)
{
	if (limit)
		ap->exec(r, "UPDATE antispam_rules SET limit_hits = limit_hits "
		    "+ 1, last_limit = ? WHERE id = ?",
		    AP_ARGS(AP_INT(ap->now(r)), AP_INT(id)));
	else
		ap->exec(r, "UPDATE antispam_rules SET hits = hits + 1, "
		    "last_hit = ? WHERE id = ?",
		    AP_ARGS(AP_INT(ap->now(r)), AP_INT(id)));
}

size_t
as_rules_run(struct ap_req *r, const struct as_counters *ctr,
    const char *const *fields, size_t nfields, struct as_rule_hit *hits,
    size_t max)
{
	struct rules_tls *tls;
	char **folded;
	size_t *flen, nhits = 0;
	struct {
		long long id;
		int limit;
	} seen[64];
	size_t nseen = 0;

	if (max == 0 || rules_refresh(r, ctr->rules) != AP_OK)
		return 0;
	tls = rules_tls();
	folded = ap->alloc(r, (nfields + 1) * sizeof(*folded));
	flen = ap->alloc(r, (nfields + 1) * sizeof(*flen));
	pthread_rwlock_rdlock(&rules.lock);
	for (size_t i = 0; i < rules.n && nhits < max; i++) {
		const struct rule *ru = &rules.v[i];
		struct as_rule_hit h = { .id = ru->id, .unsure = ru->unsure,
		    .note = ru->note };
		int hit = 0;

		for (size_t f = 0; f < nfields && !hit; f++) {
			const char *s = fields[f];

			if (s == NULL || *s == '\0')
				continue;
			if (!ru->pattern) {
				if (folded[f] == NULL) {
					size_t n = strlen(s);

					folded[f] = ap->alloc(r, 2 * n + 1);
					flen[f] = as_fold(s, n, folded[f],
					    2 * n + 1);
				}
				for (size_t k = 0; k < ru->nwords; k++)
					if (rules_has_word(folded[f], flen[f],
					    ru->words[k])) {
						hit = 1;
						h.what = ap->strdup(r,
						    ru->shown[k]);
						break;
					}
				continue;
			}
			if (tls == NULL) {
				hit = 1;
				h.limit = 1;
				break;
			}
			int rc = pcre2_match(ru->re, (PCRE2_SPTR)s,
			    strlen(s), 0, 0, tls->md, tls->mc);

			if (rc >= 0) {
				PCRE2_SIZE *ov = pcre2_get_ovector_pointer(
				    tls->md);
				size_t ml = ov[1] > ov[0] ? ov[1] - ov[0] : 0;

				hit = 1;
				h.what = ap->strndup(r, s + ov[0],
				    ml > 60 ? 60 : ml);
			} else if (rc != PCRE2_ERROR_NOMATCH) {
				/* match, depth, heap or JIT stack limit */
				hit = 1;
				h.limit = 1;
				ap->log(AP_LOG_WARN, "antispam: rule %lld gave "
				    "up on %zu bytes (PCRE2 error %d): counted "
				    "as unsure", ru->id, strlen(s), rc);
			}
		}
		if (!hit)
			continue;
		hits[nhits++] = h;
		if (nseen < sizeof(seen) / sizeof(seen[0])) {
			seen[nseen].id = h.id;
			seen[nseen].limit = h.limit;
			nseen++;
		}
	}
	pthread_rwlock_unlock(&rules.lock);
	for (size_t i = 0; i < nseen; i++)
		rules_count(r, seen[i].id, seen[i].limit);
	return nhits;
}

/* NULL when body is a valid word list: lines of at most RULE_WORD_LEN
 * characters, at most RULE_WORDS_MAX words, at least one. */
static const char *
rules_words_invalid(struct ap_req *r, const char *body)
{
	size_t words = 0;

	for (const char *p = body; *p; ) {
		size_t n = strcspn(p, "\r\n");
		char buf[4 * RULE_WORD_LEN + 1];

		if (as_chars(p, n) > RULE_WORD_LEN)
			return ap->printf(r, ap->tr(r, "Une ligne dépasse %d "
			    "caractères."), RULE_WORD_LEN);
		if (n > 0 && rules_fold_word(p, n, buf, sizeof(buf)) > 0)
			words++;
		p += n;
		while (*p == '\r' || *p == '\n')
			p++;
	}
	if (words > RULE_WORDS_MAX)
		return ap->printf(r, ap->tr(r, "Une liste compte au plus %d "
		    "mots."), RULE_WORDS_MAX);
	if (words == 0)
		return ap->tr(r, "Écrivez au moins un mot ou un motif.");
	return NULL;
}

const char *
as_rule_invalid(struct ap_req *r, const char *kind, const char *body)
{
	if (body == NULL || body[strspn(body, " \t\r\n")] == '\0')
		return ap->tr(r, "Écrivez au moins un mot ou un motif.");
	if (kind != NULL && strcmp(kind, "pattern") == 0) {
		char err[256];
		size_t off = 0;
		pcre2_code *re;

		if (as_chars(body, strlen(body)) > (size_t)as_cf.pattern_max)
			return ap->printf(r, ap->tr(r, "Le motif dépasse %ld "
			    "caractères."), as_cf.pattern_max);
		re = rules_compile(body, err, sizeof(err), &off);
		if (re == NULL)
			return ap->printf(r, ap->tr(r, "Le motif n’est pas "
			    "valide : %s (position %zu)."), err, off);
		pcre2_code_free(re);
		return NULL;
	}
	if (kind == NULL || strcmp(kind, "words") != 0)
		return ap->tr(r, "Type de règle inconnu.");
	return rules_words_invalid(r, body);
}

/* Ends the transaction that changed the rules (rc: how it went so far):
 * every worker compiles them again, or nothing was changed. */
static int
rules_changed(struct ap_req *r, int rc)
{
	if (rc == AP_OK)
		rc = ap->counter_bump(r, AS_CTR_RULES);
	if (rc == AP_OK)
		rc = ap->commit(r);
	if (rc != AP_OK)
		ap->rollback(r);
	return rc;
}

int
as_rule_add(struct ap_req *r, const char *kind, const char *body,
    const char *effect, const char *note, long long *id)
{
	const struct ap_user *u = ap->user(r);
	int rc = ap->begin(r);

	if (rc == AP_OK)
		rc = ap->exec(r, "INSERT INTO antispam_rules (kind, body, "
		    "effect, note, created, created_by) VALUES (?, ?, ?, ?, ?, "
		    "?)",
		    AP_ARGS(AP_TEXT(kind), AP_TEXT(body), AP_TEXT(effect),
		    AP_TEXT(note ? note : ""), AP_INT(ap->now(r)),
		    AP_TEXT(u ? u->email : NULL)));
	*id = ap->insert_id(r);
	return rules_changed(r, rc);
}

int
as_rule_delete(struct ap_req *r, long long id)
{
	int rc = ap->begin(r);

	if (rc == AP_OK)
		rc = ap->exec(r, "DELETE FROM antispam_rules WHERE id = ?",
		    AP_ARGS(AP_INT(id)));
	if (rc == AP_OK && ap->affected(r) == 0) {
		ap->rollback(r);
		return AP_EINVAL;
	}
	return rules_changed(r, rc);
}
