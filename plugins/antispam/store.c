/*
 * store.c: the classifier's token counts.  The database holds them
 * (antispam_tokens); each process keeps a copy in memory, shared by its
 * threads, so that classifying a text costs no query.
 *
 * Every write to the counts happens in a transaction that first bumps the
 * counter antispam.tokens and stamps the rows it changes with the new
 * value (seq).  The counter's row stays locked until the commit, so a
 * process that reads the counter at C can read the rows with seq > its
 * last C and miss nothing.  `spam reset` bumps antispam.epoch: every
 * process then reads the whole table again.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "antispam.h"

#define STORE_PAGE 5000        /* rows per query when reading everything */
#define STORE_BATCH 400        /* tokens per statement when writing */

static struct {
	pthread_rwlock_t lock;     /* the table */
	pthread_mutex_t refresh;   /* one thread reads the database */
	struct as_table t;
	long long seq, epoch;
	int loaded;
} store = {
	.lock = PTHREAD_RWLOCK_INITIALIZER,
	.refresh = PTHREAD_MUTEX_INITIALIZER,
};

int
as_store_init(void)
{
	as_table_init(&store.t);
	store.loaded = 0;
	return 0;
}

void
as_store_fini(void)
{
	pthread_rwlock_wrlock(&store.lock);
	as_table_free(&store.t);
	store.loaded = 0;
	pthread_rwlock_unlock(&store.lock);
}

/* Puts the rows of res (token, spam, ham) into t. */
static int
store_put_rows(struct as_table *t, const struct ap_res *res)
{
	for (size_t i = 0; i < ap->rows(res); i++) {
		const char *tok = ap->cell(res, i, 0);
		size_t len = ap->cell_len(res, i, 0);
		long long s = ap->cell_int(res, i, 1);
		long long h = ap->cell_int(res, i, 2);

		if (tok == NULL)
			continue;
		if (len == strlen(AS_MSGCOUNT) && memcmp(tok, AS_MSGCOUNT,
		    len) == 0) {
			t->nspam = s < 0 ? 0 : (uint32_t)s;
			t->nham = h < 0 ? 0 : (uint32_t)h;
			continue;
		}
		if (as_table_put(t, as_hash(tok, len), (long)s, (long)h,
		    0) != 0)
			return AP_ERROR;
	}
	return AP_OK;
}

/* Reads the whole table into a new one, page by page (by token). */
static int
store_load_all(struct ap_req *r, struct as_table *nt)
{
	char *last = ap->strdup(r, "");
	size_t lastlen = 0;

	for (;;) {
		struct ap_res *res = ap->query(r, "SELECT token, spam, ham "
		    "FROM antispam_tokens WHERE token > ? ORDER BY token "
		    "LIMIT 5000",
		    AP_ARGS(AP_BLOB(last, lastlen)));
		size_t n;

		if (res == NULL)
			return ap->db_error(r);
		if (store_put_rows(nt, res) != AP_OK) {
			ap->log(AP_LOG_ERR, "antispam: out of memory for the "
			    "token table");
			return AP_ERROR;
		}
		n = ap->rows(res);
		if (n < STORE_PAGE)
			return AP_OK;
		lastlen = ap->cell_len(res, n - 1, 0);
		last = ap->alloc(r, lastlen + 1);
		memcpy(last, ap->cell(res, n - 1, 0), lastlen);
	}
}

int
as_counters_read(struct ap_req *r, struct as_counters *k)
{
	struct ap_res *res = ap->query(r, "SELECT name, value FROM ap_counters "
	    "WHERE name IN (?, ?, ?)", AP_ARGS(AP_TEXT(AS_CTR_TOKENS),
	    AP_TEXT(AS_CTR_EPOCH), AP_TEXT(AS_CTR_RULES)));

	k->tokens = k->epoch = k->rules = 0;
	if (res == NULL)
		return ap->db_error(r);
	for (size_t i = 0; i < ap->rows(res); i++) {
		const char *n = ap->cell(res, i, 0);
		long long v = ap->cell_int(res, i, 1);

		if (strcmp(n, AS_CTR_TOKENS) == 0)
			k->tokens = v;
		else if (strcmp(n, AS_CTR_EPOCH) == 0)
			k->epoch = v;
		else
			k->rules = v;
	}
	return AP_OK;
}

int
as_store_refresh(struct ap_req *r, const struct as_counters *k)
{
	struct as_counters mine;
	struct ap_res *res;
	long long seq, epoch;
	int fresh, rc = AP_OK;

	if (k == NULL) {
		if ((rc = as_counters_read(r, &mine)) != AP_OK)
			return rc;
		k = &mine;
	}
	seq = k->tokens;
	epoch = k->epoch;
	pthread_rwlock_rdlock(&store.lock);
	fresh = store.loaded && store.epoch == epoch && store.seq >= seq;
	pthread_rwlock_unlock(&store.lock);
	if (fresh)
		return AP_OK;

	pthread_mutex_lock(&store.refresh);
	if (!store.loaded || store.epoch != epoch) {
		struct as_table nt, old;

		as_table_init(&nt);
		rc = store_load_all(r, &nt);
		if (rc != AP_OK) {
			as_table_free(&nt);
			goto out;
		}
		pthread_rwlock_wrlock(&store.lock);
		old = store.t;
		store.t = nt;
		store.seq = seq;
		store.epoch = epoch;
		store.loaded = 1;
		pthread_rwlock_unlock(&store.lock);
		as_table_free(&old);
	} else if (store.seq < seq) {
		res = ap->query(r, "SELECT token, spam, ham FROM "
		    "antispam_tokens WHERE seq > ?",
		    AP_ARGS(AP_INT(store.seq)));
		if (res == NULL) {
			rc = ap->db_error(r);
			goto out;
		}
		pthread_rwlock_wrlock(&store.lock);
		rc = store_put_rows(&store.t, res);
		if (rc == AP_OK)
			store.seq = seq;
		else
			store.loaded = 0;   /* read everything next time */
		pthread_rwlock_unlock(&store.lock);
	}
out:
	pthread_mutex_unlock(&store.refresh);
	return rc;
}

double
as_store_classify(const struct as_toklist *l, struct as_clue *clues,
    size_t *nclues, int *trained)
{
	double s;

	pthread_rwlock_rdlock(&store.lock);
	*trained = store.t.nspam >= (uint32_t)as_cf.min_learned &&
	    store.t.nham >= (uint32_t)as_cf.min_learned;
	s = as_classify(&store.t, &as_cf.bayes, l, clues, nclues);
	pthread_rwlock_unlock(&store.lock);
	return s;
}

/* Appends s to a JSON string literal in buf. */
static size_t
store_json_str(char *buf, size_t o, const char *s, size_t n)
{
	buf[o++] = '"';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			buf[o++] = '\\';
			buf[o++] = (char)c;
		} else if (c < 0x20) {
			o += (size_t)sprintf(buf + o, "\\u%04x", c);
		} else {
			buf[o++] = (char)c;
		}
	}
	buf[o++] = '"';
	return o;
}

/* Writes rows [token, dspam, dham] (JSON) stamped with seq. */
static int
store_write_json(struct ap_req *r, const char *json, long long seq)
{
	return ap->exec(r, "INSERT INTO antispam_tokens (token, spam, ham, "
	    "seq) SELECT j.t, GREATEST(j.s, 0), GREATEST(j.h, 0), ? FROM "
	    "JSON_TABLE(?, '$[*]' COLUMNS (t VARCHAR(200) CHARACTER SET "
	    "utf8mb4 PATH '$[0]', s INT PATH '$[1]', h INT PATH '$[2]')) AS j "
	    "ON DUPLICATE KEY UPDATE spam = GREATEST(0, spam + j.s), "
	    "ham = GREATEST(0, ham + j.h), seq = VALUES(seq)",
	    AP_ARGS(AP_INT(seq), AP_TEXT(json)));
}

/* Bumps the tokens' counter and returns its new value (inside the
 * caller's transaction), or -1. */
static long long
store_next_seq(struct ap_req *r)
{
	if (ap->counter_bump(r, AS_CTR_TOKENS) != AP_OK)
		return -1;
	return ap->counter(r, AS_CTR_TOKENS);
}

/* ---- accumulated counts, written in batches ---- */

struct as_acc_ent {
	uint64_t h;
	char *tok;
	int ds, dh;
};

void
as_acc_init(struct as_acc *a)
{
	memset(a, 0, sizeof(*a));
}

void
as_acc_free(struct as_acc *a)
{
	for (size_t i = 0; i < a->cap; i++)
		free(a->v[i].tok);
	free(a->v);
	memset(a, 0, sizeof(*a));
}

static int
acc_grow(struct as_acc *a)
{
	size_t cap = a->cap ? a->cap * 2 : 1024;
	struct as_acc_ent *v = calloc(cap, sizeof(*v));

	if (v == NULL)
		return -1;
	for (size_t i = 0; i < a->cap; i++) {
		size_t k;

		if (a->v[i].tok == NULL)
			continue;
		for (k = a->v[i].h & (cap - 1); v[k].tok != NULL;
		    k = (k + 1) & (cap - 1))
			;
		v[k] = a->v[i];
	}
	free(a->v);
	a->v = v;
	a->cap = cap;
	return 0;
}

/* Adds ds spam and dh ham to each token of l, and one message. */
int
as_acc_add(struct as_acc *a, const struct as_toklist *l, int ds, int dh)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct as_tok *t = &l->v[i];
		size_t k;

		if ((a->n + 1) * 2 > a->cap && acc_grow(a) != 0)
			return -1;
		for (k = t->h & (a->cap - 1); a->v[k].tok != NULL &&
		    a->v[k].h != t->h; k = (k + 1) & (a->cap - 1))
			;
		if (a->v[k].tok == NULL) {
			a->v[k].tok = strdup(t->s);
			if (a->v[k].tok == NULL)
				return -1;
			a->v[k].h = t->h;
			a->n++;
		}
		a->v[k].ds += ds;
		a->v[k].dh += dh;
	}
	a->ms += ds;
	a->mh += dh;
	return 0;
}

/* Writes the accumulated counts (inside the caller's transaction). */
int
as_acc_write(struct ap_req *r, struct as_acc *a)
{
	size_t cap = STORE_BATCH * (2 * 6 * (2 * AS_TOKEN_MAX + 8) + 40) + 64;
	char *json = malloc(cap);
	long long seq = store_next_seq(r);
	size_t o = 0, inbatch = 0;
	int rc = AP_OK;

	if (json == NULL)
		return AP_ERROR;
	if (seq < 0) {
		free(json);
		return ap->db_error(r) ? ap->db_error(r) : AP_ERROR;
	}
	json[o++] = '[';
	for (size_t i = 0; i <= a->cap && rc == AP_OK; i++) {
		const struct as_acc_ent *e = i < a->cap ? &a->v[i] : NULL;
		char msgs[] = AS_MSGCOUNT;

		if (e != NULL && (e->tok == NULL || (e->ds == 0 && e->dh == 0)))
			continue;
		if (inbatch > 0)
			json[o++] = ',';
		json[o++] = '[';
		if (e != NULL)
			o = store_json_str(json, o, e->tok, strlen(e->tok));
		else
			o = store_json_str(json, o, msgs, strlen(msgs));
		o += (size_t)snprintf(json + o, cap - o, ",%d,%d]",
		    e ? e->ds : (int)a->ms, e ? e->dh : (int)a->mh);
		inbatch++;
		if (inbatch == STORE_BATCH || e == NULL) {
			json[o++] = ']';
			json[o] = '\0';
			rc = store_write_json(r, json, seq);
			o = 1;
			inbatch = 0;
		}
	}
	free(json);
	return rc;
}

int
as_store_learn(struct ap_req *r, const struct as_toklist *l, int dspam,
    int dham)
{
	struct as_acc a;
	int rc;

	as_acc_init(&a);
	if (as_acc_add(&a, l, dspam, dham) != 0) {
		as_acc_free(&a);
		return AP_ERROR;
	}
	rc = as_acc_write(r, &a);
	as_acc_free(&a);
	return rc;
}

int
as_store_counts(struct ap_req *r, long long *nspam, long long *nham,
    long long *ntokens)
{
	struct ap_res *res = ap->query(r, "SELECT "
	    "(SELECT COUNT(*) FROM antispam_tokens WHERE token <> ?), "
	    "(SELECT spam FROM antispam_tokens WHERE token = ?), "
	    "(SELECT ham FROM antispam_tokens WHERE token = ?)",
	    AP_ARGS(AP_TEXT(AS_MSGCOUNT), AP_TEXT(AS_MSGCOUNT),
	    AP_TEXT(AS_MSGCOUNT)));

	if (res == NULL || ap->rows(res) == 0)
		return ap->db_error(r) ? ap->db_error(r) : AP_ERROR;
	*ntokens = ap->cell_int(res, 0, 0);
	*nspam = ap->cell_int(res, 0, 1);
	*nham = ap->cell_int(res, 0, 2);
	return AP_OK;
}

int
as_store_reset(struct ap_req *r)
{
	int rc = ap->begin(r);

	if (rc == AP_OK)
		rc = ap->exec(r, "DELETE FROM antispam_tokens", AP_NOARGS);
	if (rc == AP_OK)
		rc = ap->exec(r, "DELETE FROM antispam_learned", AP_NOARGS);
	if (rc == AP_OK)
		rc = ap->exec(r, "DELETE FROM antispam_known", AP_NOARGS);
	if (rc == AP_OK)
		rc = ap->counter_bump(r, AS_CTR_EPOCH);
	if (rc == AP_OK)
		rc = ap->commit(r);
	if (rc != AP_OK)
		ap->rollback(r);
	return rc;
}
