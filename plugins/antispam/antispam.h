/*
 * antispam.h: what the files of the antispam plugin share.  The plugin
 * sees the core through <aparte/plugin.h> only.
 *
 *   antispam.c   descriptor, settings, the hooks (form fields, checks,
 *                learning), cron and privacy
 *   signals.c    what a submission shows: form token, honeypot, links,
 *                memory of decisions, floods; combining into one score
 *   store.c      the classifier's token counts: in memory per process,
 *                read from and written to the database
 *   rules.c      the admins' word lists and PCRE2 patterns
 *   admin.c      /admin/antispam, for admins and moderators
 *   cli.c        aparte-admin spam ...
 *   bayes.c      tokens and Robinson–Fisher combining (no host)
 */
#ifndef ANTISPAM_H
#define ANTISPAM_H

#include <aparte/plugin.h>

#include "bayes.h"

extern const struct ap_host *ap;

/* Settings, read once at init. */
struct as_conf {
	long min_time;          /* seconds: sooner is too fast (0: off) */
	long max_age;           /* seconds: an older form token expired */
	double spam;            /* score from which the verdict is spam */
	double unsure;          /* ... unsure */
	struct as_params bayes;
	long min_learned;       /* messages of each class before the
	                           classifier has a say */
	long max_links;
	long flood_max, flood_window;
	long match_limit, heap_limit;
	size_t text_max;        /* characters of a field the rules and the
	                           classifier read */
	long pattern_max, rules_max;
	long ip_keep, log_keep;
	int learn;
	char own[8][128];       /* the site's own domains */
	size_t nown;
	char decimal;           /* ',' or '.' in the reasons */
};
extern struct as_conf as_cf;

/* Counters in ap_counters. */
#define AS_CTR_TOKENS "antispam.tokens"
#define AS_CTR_RULES "antispam.rules"
#define AS_CTR_EPOCH "antispam.epoch"

/* Form fields written by form.fields. */
#define AS_FIELD_TOKEN "as_token"
#define AS_FIELD_TRAP "as_website"

/* Weights of the signals, in log-odds: the score is the logistic of
 * their sum with the classifier's log-odds. */
#define AS_W_TRAP 12.0
#define AS_W_NOTOKEN 4.0
#define AS_W_BADTOKEN 5.0
#define AS_W_FAST 6.0
#define AS_W_REPLAY 6.0
#define AS_W_LINK 1.5           /* each link beyond max_links */
#define AS_W_BBCODE 5.0
#define AS_W_HTMLLINK 4.0
#define AS_W_NAMELINK 5.0
#define AS_W_KNOWN_IP 3.0
#define AS_W_KNOWN_EMAIL 4.0
#define AS_W_KNOWN_DOMAIN 4.0
#define AS_W_KNOWN_TEXT 8.0
#define AS_W_GOOD_EMAIL (-2.5)
#define AS_W_FLOOD 3.5
#define AS_W_RULE_SPAM 8.0
#define AS_W_RULE_UNSURE 2.0
#define AS_UNTRAINED 0.25       /* the text's score when it says nothing */

/* One thing found about a submission: its weight and why, in the site's
 * language. */
struct as_reason {
	double w;
	const char *text;
	int floor;                  /* verdict at least this (AP_UNSURE ...) */
};

#define AS_REASONS_MAX 32

/* Everything found about one submission, and the result. */
struct as_eval {
	struct as_reason why[AS_REASONS_MAX];
	size_t n;
	double bayes;               /* the classifier's score, -1 if none */
	double score;
	enum ap_verdict verdict;
	int retry;
	long cost_us;               /* time spent judging */
};

struct as_counters;

/* ---- signals.c ---- */
void as_eval_add(struct as_eval *e, double w, const char *text, int floor);
/* The text of a number of seconds with one decimal, "1,2". */
const char *as_secs(struct ap_req *r, long ms);
/* Writes the honeypot and the signed token into a form. */
void as_form_fields(struct ap_req *r, const struct ap_form_ctx *f);
/* The form's own signals (token, honeypot); not for the command line. */
int as_check_form(struct ap_req *r, const struct ap_content *c,
    struct as_eval *e);
/* Links in the text, the author's name and website. */
void as_check_links(struct ap_req *r, const struct ap_content *c,
    struct as_eval *e);
/* The memory of decisions and floods across pages, and the counters (in
 * the same query); AP_OK or AP_EDB. */
int as_check_memory(struct ap_req *r, const struct ap_content *c,
    struct as_eval *e, struct as_counters *k);
/* The classifier on the fields of c. */
void as_check_text(struct ap_req *r, const struct ap_content *c,
    struct as_eval *e, const struct as_counters *k);
/* Sums the weights into e->score and e->verdict. */
void as_eval_finish(struct as_eval *e);
/* The reasons that weighed most, "; "-separated, at most max of them. */
char *as_eval_reasons(struct ap_req *r, const struct as_eval *e, size_t max);
/* Link domains of a content (text links, website), own domains left out;
 * up to max into out (arena strings).  Returns how many. */
size_t as_link_domains(struct ap_req *r, const struct ap_content *c,
    const char **out, size_t max);
/* Number of links in s (http, www., BBCode, HTML). */
size_t as_count_links(const char *s, int *bbcode, int *html);
/* Tokens of a content for the classifier (text, subject, name, domains). */
void as_content_tokens(const struct ap_content *c, struct as_toklist *l);
/* The text capped at the characters the checks read (arena copy when
 * cut). */
const char *as_capped(struct ap_req *r, const char *s);
/* Keyed hash of a text folded and with its spaces collapsed: what "the
 * same text" means ("" for an empty text). */
const char *as_text_key(struct ap_req *r, const char *text);
/* Keyed hash of an IP address or an email, folded ("" for none). */
const char *as_hash_of(struct ap_req *r, const char *s);
/* The same for a visitor's IP address; "" for the address of a proxy on
 * the same host (127.0.0.1, ::1), which stands for every visitor. */
const char *as_ip_key(struct ap_req *r, const char *ip);

/* ---- store.c ---- */

/* The counters that say when the token counts or the rules changed, read
 * in one query per submission. */
struct as_counters {
	long long tokens, epoch, rules;
};
int as_counters_read(struct ap_req *r, struct as_counters *k);

int as_store_init(void);
void as_store_fini(void);
/* Brings the process's table up to date with the database (once per
 * change of the counters; k NULL: read them).  AP_OK or an error code. */
int as_store_refresh(struct ap_req *r, const struct as_counters *k);
/* Classifies the tokens; *trained is false while the table holds fewer
 * than min_learned messages of a class. */
double as_store_classify(const struct as_toklist *l, struct as_clue *clues,
    size_t *nclues, int *trained);
/* Adds dspam/dham to each token and dmspam/dmham to the message counts,
 * in the database (inside the caller's transaction, if any). */
int as_store_learn(struct ap_req *r, const struct as_toklist *l, int dspam,
    int dham);
/* Message and token counts, from the database. */
int as_store_counts(struct ap_req *r, long long *nspam, long long *nham,
    long long *ntokens);
/* Forgets everything learned. */
int as_store_reset(struct ap_req *r);

/* Counts accumulated in memory (training from files), then written. */
struct as_acc_ent;
struct as_acc {
	struct as_acc_ent *v;
	size_t cap, n;
	long ms, mh;               /* message count deltas */
};
void as_acc_init(struct as_acc *a);
void as_acc_free(struct as_acc *a);
/* Adds ds spam and dh ham to each token of l, and ds, dh messages. */
int as_acc_add(struct as_acc *a, const struct as_toklist *l, int ds, int dh);
/* Writes them (inside the caller's transaction). */
int as_acc_write(struct ap_req *r, struct as_acc *a);

/* ---- rules.c ---- */
struct as_rule_hit {
	long long id;
	int unsure;                 /* effect "unsure" (else "spam") */
	int limit;                  /* gave up at a limit */
	const char *what;           /* the word or the pattern */
	const char *note;
};

int as_rules_init(void);
void as_rules_fini(void);
/* Runs every rule on the fields (each capped at text_max); fills up to
 * max hits.  Updates the rules' counters in the database. */
size_t as_rules_run(struct ap_req *r, const struct as_counters *k,
    const char *const *fields, size_t nfields, struct as_rule_hit *hits,
    size_t max);
/* NULL when body is a valid rule of kind ("words" or "pattern"), else
 * why not (translated, in the request's language). */
const char *as_rule_invalid(struct ap_req *r, const char *kind,
    const char *body);
/* Adds a rule (its id in *id); AP_OK or an error. */
/* Characters (not bytes) of the UTF-8 text p[0..n). */
size_t as_chars(const char *p, size_t n);
int as_rule_add(struct ap_req *r, const char *kind, const char *body,
    const char *effect, const char *note, long long *id);
int as_rule_delete(struct ap_req *r, long long id);

/* ---- admin.c, cli.c ---- */
int as_admin_page(struct ap_req *r, void *state);
int as_admin_rule_add(struct ap_req *r, void *state);
int as_admin_rule_delete(struct ap_req *r, void *state);
int as_admin_try(struct ap_req *r, void *state);
int as_admin_menu(struct ap_req *r, void *state, void *data);
int as_admin_dashboard(struct ap_req *r, void *state, void *data);
int as_cli(struct ap_req *r, void *state, int argc, char **argv);

/* ---- antispam.c ---- */
enum {
	AS_EVAL_FORM = 1 << 0,   /* the form's token and honeypot */
	AS_EVAL_LOG = 1 << 1,    /* keep a line in antispam_log */
};
/* Runs the checks on c into e (what content.check does, without writing
 * c).  AP_OK or an error. */
int as_evaluate(struct ap_req *r, const struct ap_content *c,
    struct as_eval *e, unsigned flags);

#endif /* ANTISPAM_H */
