/*
 * antispam.c: local, explainable spam filtering that learns.  The plugin
 * writes a honeypot and a signed, timestamped token into every public form
 * (form.fields), judges each submission (content.check) with reasons a
 * moderator can read, and learns at once from the moderators' decisions
 * (content.verdict).  Nothing leaves the server.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "antispam.h"

const struct ap_host *ap;
struct as_conf as_cf;

/* ---- settings ---- */

static const struct ap_setting as_settings[] = {
	{ "min_time", AP_SET_DURATION, "3s", 0, 3600,
	    "a form sent sooner after it was shown is a strong spam sign "
	    "(0: off)" },
	{ "max_age", AP_SET_DURATION, "24h", 60, 30 * 86400,
	    "a form older than this is sent back to the visitor, text kept" },
	{ "spam_threshold", AP_SET_STRING, "0.962", 0, 0,
	    "score (0 to 1) from which the verdict is spam" },
	{ "unsure_threshold", AP_SET_STRING, "0.4", 0, 0,
	    "score from which the verdict is unsure (held for moderation)" },
	{ "robs", AP_SET_STRING, "0.2", 0, 0,
	    "classifier: Robinson's s, strength of the prior" },
	{ "robx", AP_SET_STRING, "0.52", 0, 0,
	    "classifier: Robinson's x, probability of an unknown word" },
	{ "min_dev", AP_SET_STRING, "0.1", 0, 0,
	    "classifier: words closer than this to 0.5 are not counted" },
	{ "min_learned", AP_SET_INT, "10", 0, 1000000,
	    "spam and ham messages to learn before the classifier has a say" },
	{ "max_links", AP_SET_INT, "2", 0, 1000,
	    "links allowed before each further one counts against a text" },
	{ "flood_max", AP_SET_INT, "5", 1, 100000,
	    "submissions from one address or email within flood_window, "
	    "over several pages, before it counts as a flood" },
	{ "flood_window", AP_SET_DURATION, "10m", 1, 86400, "see flood_max" },
	{ "match_limit", AP_SET_INT, "100000", 100, 100000000,
	    "PCRE2 match limit of the admins' patterns" },
	{ "heap_limit", AP_SET_SIZE, "8M", 65536, 1073741824,
	    "PCRE2 heap limit of the admins' patterns" },
	{ "text_max", AP_SET_INT, "20000", 100, 1000000,
	    "characters of each field read by the rules and the classifier" },
	{ "pattern_max", AP_SET_INT, "500", 10, 10000,
	    "longest pattern an admin may write" },
	{ "rules_max", AP_SET_INT, "200", 1, 10000, "most rules in use" },
	{ "ip_keep", AP_SET_DURATION, "30d", 3600, 3650 * 86400,
	    "how long an IP address seen in spam is remembered" },
	{ "log_keep", AP_SET_DURATION, "30d", 3600, 3650 * 86400,
	    "how long the list of examined submissions is kept" },
	{ "learn", AP_SET_BOOL, "yes", 0, 0,
	    "learn from the moderators' decisions" },
	{ "own_domains", AP_SET_STRING, "", 0, 0,
	    "the site's own domains (space-separated), never counted as "
	    "spam links; the site's base_url host is always one" },
	{ NULL, 0, NULL, 0, 0, NULL },
};

/* A decimal setting in [0, 1]; -1 (logged) when it is not one. */
static double
as_conf_prob(const char *key)
{
	const char *v = ap->conf("antispam", key);
	char *end;
	double d;

	d = strtod(v ? v : "", &end);
	if (v == NULL || end == v || *end != '\0' || !(d >= 0 && d <= 1)) {
		ap->log(AP_LOG_ERR, "antispam: [antispam] %s must be a number "
		    "between 0 and 1, not \"%s\"", key, v ? v : "");
		return -1;
	}
	return d;
}

/* Adds a domain to the site's own. */
static void
as_own_add(const char *s, size_t n)
{
	char low[256], dom[128];

	if (n == 0 || n >= sizeof(low) || as_cf.nown >= 8)
		return;
	for (size_t i = 0; i < n; i++)
		low[i] = (char)tolower((unsigned char)s[i]);
	if (as_domain(low, n, dom, sizeof(dom)))
		snprintf(as_cf.own[as_cf.nown++], sizeof(as_cf.own[0]), "%s",
		    dom);
}

/* Reads the settings (refusing numbers out of range with the key named)
 * and the site's own domains; the token table and the rules are read
 * later, in each worker, at the first submission. */
static int
as_init(const struct ap_host *host, void **state)
{
	const char *base, *own, *p;

	ap = host;
	(void)state;
	memset(&as_cf, 0, sizeof(as_cf));
	as_cf.min_time = (long)ap->conf_int("antispam", "min_time");
	as_cf.max_age = (long)ap->conf_int("antispam", "max_age");
	as_cf.spam = as_conf_prob("spam_threshold");
	as_cf.unsure = as_conf_prob("unsure_threshold");
	as_cf.bayes.robs = strtod(ap->conf("antispam", "robs"), NULL);
	as_cf.bayes.robx = as_conf_prob("robx");
	as_cf.bayes.min_dev = as_conf_prob("min_dev");
	as_cf.bayes.max_clues = 0;
	if (as_cf.spam < 0 || as_cf.unsure < 0 || as_cf.bayes.robx < 0 ||
	    as_cf.bayes.min_dev < 0 || as_cf.bayes.min_dev > 0.5)
		return -1;
	if (as_cf.unsure > as_cf.spam) {
		ap->log(AP_LOG_ERR, "antispam: unsure_threshold must not be "
		    "above spam_threshold");
		return -1;
	}
	if (!(as_cf.bayes.robs > 0 && as_cf.bayes.robs <= 100)) {
		ap->log(AP_LOG_ERR, "antispam: [antispam] robs must be a "
		    "number above 0 and at most 100");
		return -1;
	}
	as_cf.min_learned = (long)ap->conf_int("antispam", "min_learned");
	as_cf.max_links = (long)ap->conf_int("antispam", "max_links");
	as_cf.flood_max = (long)ap->conf_int("antispam", "flood_max");
	as_cf.flood_window = (long)ap->conf_int("antispam", "flood_window");
	as_cf.match_limit = (long)ap->conf_int("antispam", "match_limit");
	as_cf.heap_limit = (long)(ap->conf_int("antispam", "heap_limit") /
	    1024);
	as_cf.text_max = (size_t)ap->conf_int("antispam", "text_max");
	as_cf.pattern_max = (long)ap->conf_int("antispam", "pattern_max");
	as_cf.rules_max = (long)ap->conf_int("antispam", "rules_max");
	as_cf.ip_keep = (long)ap->conf_int("antispam", "ip_keep");
	as_cf.log_keep = (long)ap->conf_int("antispam", "log_keep");
	as_cf.learn = ap->conf_int("antispam", "learn") != 0;
	p = ap->conf("site", "language");
	as_cf.decimal = p != NULL && strcmp(p, "en") == 0 ? '.' : ',';
	/* The site's own domains: its base URL's, and those listed. */
	base = ap->conf("site", "base_url");
	if (base != NULL && (p = strstr(base, "://")) != NULL) {
		p += 3;
		as_own_add(p, strcspn(p, ":/"));
	}
	own = ap->conf("antispam", "own_domains");
	for (p = own ? own : ""; *p; ) {
		size_t n = strcspn(p, " ,");

		as_own_add(p, n);
		p += n;
		p += strspn(p, " ,");
	}
	as_store_init();
	as_rules_init();
	return 0;
}

static void
as_fini(void *state)
{
	(void)state;
	as_store_fini();
	as_rules_fini();
}

/* ---- judging ---- */

/* Appends to the content's reasons ("; "-separated). */
static void
as_reasons_append(struct ap_req *r, struct ap_content *c, const char *s)
{
	if (s == NULL || *s == '\0')
		return;
	c->reasons = c->reasons && *c->reasons ? ap->printf(r, "%s; %s",
	    c->reasons, s) : ap->strdup(r, s);
}

/* The admins' rules on the fields of c. */
static void
as_check_rules(struct ap_req *r, const struct ap_content *c,
    struct as_eval *e, const struct as_counters *k)
{
	struct as_rule_hit hits[8];
	const char *fields[5] = { as_capped(r, c->author),
	    as_capped(r, c->email), as_capped(r, c->url),
	    as_capped(r, c->subject), as_capped(r, c->text) };
	size_t n = as_rules_run(r, k, fields, 5, hits, 8);

	for (size_t i = 0; i < n; i++) {
		const struct as_rule_hit *h = &hits[i];
		const char *name = h->note && *h->note ? ap->printf(r,
		    ap->tr(NULL, "règle n° %lld (%s)"), h->id, h->note) :
		    ap->printf(r, ap->tr(NULL, "règle n° %lld"), h->id);

		if (h->limit)
			as_eval_add(e, 0, ap->printf(r, ap->tr(NULL, "%s : "
			    "limite de calcul atteinte, à vérifier"), name),
			    AP_UNSURE);
		else
			as_eval_add(e, h->unsure ? AS_W_RULE_UNSURE :
			    AS_W_RULE_SPAM, ap->printf(r, ap->tr(NULL,
			    "%s : « %s »"), name, h->what ? h->what : ""),
			    h->unsure ? AP_UNSURE : AP_SPAM);
	}
}

/* Keeps a line about the submission: floods are counted from these, and
 * moderators see them on the admin page. */
static int
as_log_eval(struct ap_req *r, const struct ap_content *c,
    const struct as_eval *e, const char *reasons)
{
	char excerpt[161];
	size_t n = 0, chars = 0;
	const char *t = c->text ? c->text : "";

	/* The first 120 characters, cut on a character boundary. */
	while (t[n] && chars < 120 && n < sizeof(excerpt) - 5) {
		n++;
		while ((t[n] & 0xc0) == 0x80)
			n++;
		chars++;
	}
	memcpy(excerpt, t, n);
	excerpt[n] = '\0';
	return ap->exec(r, "INSERT INTO antispam_log (at, kind, page, ip, "
	    "email, author, excerpt, verdict, score, reasons, cost_us) VALUES "
	    "(?, ?, LEFT(?, 255), ?, ?, LEFT(?, 100), ?, ?, ?, LEFT(?, 1000), "
	    "?)",
	    AP_ARGS(AP_INT(ap->now(r)), AP_TEXT(c->kind ? c->kind : ""),
	    AP_TEXT(c->page ? c->page : ""), AP_TEXT(as_ip_key(r, c->ip)),
	    AP_TEXT(as_hash_of(r, c->email)), AP_TEXT(c->author ? c->author :
	    ""), AP_TEXT(excerpt), AP_INT(e->verdict), AP_DOUBLE(e->score),
	    AP_TEXT(reasons), AP_INT(e->cost_us)));
}

int
as_evaluate(struct ap_req *r, const struct ap_content *c, struct as_eval *e,
    unsigned flags)
{
	struct as_counters k;
	struct timespec t0, t1;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(e, 0, sizeof(*e));
	if ((flags & AS_EVAL_FORM) && !ap->is_cli(r) &&
	    (rc = as_check_form(r, c, e)) != AP_OK)
		return rc;
	as_check_links(r, c, e);
	if ((rc = as_check_memory(r, c, e, &k)) != AP_OK)
		return rc;
	as_check_rules(r, c, e, &k);
	as_check_text(r, c, e, &k);
	as_eval_finish(e);
	/* What judging cost, up to the line that records it. */
	clock_gettime(CLOCK_MONOTONIC, &t1);
	e->cost_us = (long)((t1.tv_sec - t0.tv_sec) * 1000000L +
	    (t1.tv_nsec - t0.tv_nsec) / 1000);
	if (flags & AS_EVAL_LOG)
		return as_log_eval(r, c, e, as_eval_reasons(r, e, 8));
	return AP_OK;
}

static int
as_on_fields(struct ap_req *r, void *state, void *data)
{
	(void)state;
	as_form_fields(r, data);
	return AP_OK;
}

/* content.check: judges the submission and raises its verdict, its
 * score and its reasons; asks for a new sending when the form expired.
 * A failure other than the database's leaves the decision to others. */
static int
as_on_check(struct ap_req *r, void *state, void *data)
{
	struct ap_content *c = data;
	struct as_eval e;
	int rc;

	(void)state;
	rc = as_evaluate(r, c, &e, AS_EVAL_FORM | AS_EVAL_LOG);
	if (rc == AP_EDB)
		return rc;
	if (rc != AP_OK) {
		ap->log(AP_LOG_ERR, "antispam: a submission could not be "
		    "judged; left to the other rules");
		return AP_DECLINED;
	}
	c->checked = 1;
	if (e.verdict > c->verdict)
		c->verdict = e.verdict;
	if (e.score > c->score)
		c->score = e.score;
	if (e.retry)
		c->retry = 1;
	as_reasons_append(r, c, as_eval_reasons(r, &e, 6));
	return AP_OK;
}

/* ---- learning ---- */

/* Adds ds and dh to the memory of one IP, email, domain or text. */
static int
as_known_add(struct ap_req *r, const char *kind, const char *v, int ds,
    int dh)
{
	if (v == NULL || *v == '\0')
		return AP_OK;
	return ap->exec(r, "INSERT INTO antispam_known (kind, v, spam, ham, "
	    "last) VALUES (?, LEFT(?, 190), GREATEST(?, 0), GREATEST(?, 0), ?) "
	    "ON DUPLICATE KEY UPDATE spam = GREATEST(0, spam + ?), "
	    "ham = GREATEST(0, ham + ?), last = VALUES(last)",
	    AP_ARGS(AP_TEXT(kind), AP_TEXT(v), AP_INT(ds), AP_INT(dh),
	    AP_INT(ap->now(r)), AP_INT(ds), AP_INT(dh)));
}

/* Learns c as spam (ds = 1) or ham (dh = 1), unlearning first what was
 * learned of the same item the other way.  One transaction. */
static int
as_learn(struct ap_req *r, const struct ap_content *c, int ds, int dh)
{
	const char *dom[8] = { 0 };
	size_t nd = as_link_domains(r, c, dom, 8);
	struct as_toklist l;
	int rc;

	as_toklist_init(&l);
	as_content_tokens(c, &l);
	rc = as_store_learn(r, &l, ds, dh);
	as_toklist_free(&l);
	if (rc == AP_OK)
		rc = as_known_add(r, "ip", as_ip_key(r, c->ip), ds, dh);
	if (rc == AP_OK)
		rc = as_known_add(r, "email", as_hash_of(r, c->email), ds, dh);
	for (size_t i = 0; i < nd && rc == AP_OK; i++)
		rc = as_known_add(r, "domain", dom[i], ds, dh);
	if (rc == AP_OK && c->text != NULL)
		rc = as_known_add(r, "text", as_text_key(r, c->text), ds, dh);
	return rc;
}

/* content.verdict: a moderator decided; learned at once, and only once
 * per item (a change of mind unlearns the first decision). */
static int
as_on_verdict(struct ap_req *r, void *state, void *data)
{
	const struct ap_content *c = data;
	int ds = 0, dh = 0, rc, prev = -1;

	(void)state;
	if (!as_cf.learn || (c->verdict != AP_SPAM && c->verdict != AP_HAM))
		return AP_DECLINED;
	if (c->id > 0) {
		struct ap_res *res = ap->query(r, "SELECT verdict FROM "
		    "antispam_learned WHERE kind = ? AND item = ?",
		    AP_ARGS(AP_TEXT(c->kind ? c->kind : ""), AP_INT(c->id)));

		if (res == NULL)
			return ap->db_error(r);
		if (ap->rows(res) > 0)
			prev = (int)ap->cell_int(res, 0, 0);
	}
	if (prev == (int)c->verdict)
		return AP_OK;   /* learned already */
	if (c->verdict == AP_SPAM)
		ds = 1;
	else
		dh = 1;
	if (prev == AP_SPAM)
		ds--;
	else if (prev == AP_HAM)
		dh--;
	rc = ap->begin(r);
	if (rc == AP_OK)
		rc = as_learn(r, c, ds, dh);
	if (rc == AP_OK && c->id > 0)
		rc = ap->exec(r, "INSERT INTO antispam_learned (kind, item, "
		    "verdict, at) VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE "
		    "verdict = VALUES(verdict), at = VALUES(at)",
		    AP_ARGS(AP_TEXT(c->kind ? c->kind : ""), AP_INT(c->id),
		    AP_INT(c->verdict), AP_INT(ap->now(r))));
	if (rc == AP_OK)
		rc = ap->commit(r);
	if (rc != AP_OK) {
		ap->rollback(r);
		return rc == AP_EDB ? rc : AP_ERROR;
	}
	/* This process knows it at once; the others at their next check. */
	as_store_refresh(r, NULL);
	return AP_OK;
}

/* ---- housekeeping and privacy ---- */

/* cron: forgets the examined submissions and the IP addresses past
 * their time. */
static int
as_on_cron(struct ap_req *r, void *state, void *data)
{
	(void)state;
	(void)data;
	ap->exec(r, "DELETE FROM antispam_log WHERE at < ?",
	    AP_ARGS(AP_INT(ap->now(r) - as_cf.log_keep)));
	ap->exec(r, "DELETE FROM antispam_known WHERE kind = 'ip' AND last < ?",
	    AP_ARGS(AP_INT(ap->now(r) - as_cf.ip_keep)));
	return AP_OK;
}

/* privacy.export: the submissions examined for this email and what the
 * filter remembers of the moderators' decisions on it (the email is kept
 * as a keyed hash: found by hashing it again). */
static int
as_on_privacy_export(struct ap_req *r, void *state, void *data)
{
	struct ap_privacy *p = data;
	const char *h = as_hash_of(r, p->email);
	struct ap_res *res;

	(void)state;
	if (*h == '\0')
		return AP_DECLINED;
	res = ap->query(r, "SELECT at, kind, page, author, excerpt, verdict, "
	    "reasons FROM antispam_log WHERE email = ? ORDER BY at",
	    AP_ARGS(AP_TEXT(h)));
	if (res == NULL)
		return ap->db_error(r);
	for (size_t i = 0; i < ap->rows(res); i++) {
		const char *verdicts[] = { "ham", "unsure", "spam" };
		long long v = ap->cell_int(res, i, 5);
		const char *kv[] = {
			"date", ap->iso_date(r,
			    (time_t)ap->cell_int(res, i, 0)),
			"kind", ap->cell(res, i, 1),
			"page", ap->cell(res, i, 2),
			"author", ap->cell(res, i, 3),
			"excerpt", ap->cell(res, i, 4),
			"verdict", verdicts[v >= 0 && v <= 2 ? v : 1],
			"reasons", ap->cell(res, i, 6),
			NULL,
		};

		ap->privacy_item(r, p, "examined submission", kv);
	}
	/* The memory of the moderators' decisions on this email. */
	res = ap->query(r, "SELECT spam, ham, last FROM antispam_known WHERE "
	    "kind = 'email' AND v = ?", AP_ARGS(AP_TEXT(h)));
	if (res == NULL)
		return ap->db_error(r);
	for (size_t i = 0; i < ap->rows(res); i++) {
		const char *kv[] = {
			"marked_spam", ap->cell(res, i, 0),
			"marked_not_spam", ap->cell(res, i, 1),
			"last_decision", ap->iso_date(r,
			    (time_t)ap->cell_int(res, i, 2)),
			NULL,
		};

		ap->privacy_item(r, p, "moderators' decisions", kv);
	}
	return AP_OK;
}

/* privacy.erase: forgets the submissions and the memory of this email. */
static int
as_on_privacy_erase(struct ap_req *r, void *state, void *data)
{
	struct ap_privacy *p = data;
	const char *h = as_hash_of(r, p->email);
	int rc;

	(void)state;
	if (*h == '\0')
		return AP_DECLINED;
	rc = ap->exec(r, "DELETE FROM antispam_log WHERE email = ?",
	    AP_ARGS(AP_TEXT(h)));
	if (rc != AP_OK)
		return rc;
	p->erased += (long)ap->affected(r);
	rc = ap->exec(r, "DELETE FROM antispam_known WHERE kind = 'email' AND "
	    "v = ?", AP_ARGS(AP_TEXT(h)));
	if (rc == AP_OK)
		p->erased += (long)ap->affected(r);
	return rc;
}

/* ---- the descriptor ---- */

static const struct ap_route as_routes[] = {
	{ "GET", "/admin/antispam", 0, as_admin_page },
	{ "POST", "/admin/antispam/rules", AP_ROUTE_FORM, as_admin_rule_add },
	{ "POST", "/admin/antispam/rules/{id}/delete", AP_ROUTE_FORM,
	    as_admin_rule_delete },
	{ "POST", "/admin/antispam/try", AP_ROUTE_FORM, as_admin_try },
	{ NULL, NULL, 0, NULL },
};

static const struct ap_hook as_hooks[] = {
	{ "form.fields", 50, as_on_fields },
	{ "content.check", 50, as_on_check },
	{ "content.verdict", 50, as_on_verdict },
	{ "cron", 50, as_on_cron },
	{ "privacy.export", 50, as_on_privacy_export },
	{ "privacy.erase", 50, as_on_privacy_erase },
	{ "admin.menu", 50, as_admin_menu },
	{ "admin.dashboard", 50, as_admin_dashboard },
	{ NULL, 0, NULL },
};

static const struct ap_command as_commands[] = {
	{ "spam", "spam train|classify|stats|reset|rules ...",
	    "the spam filter: learn from files, classify files, counts, rules",
	    as_cli },
	{ NULL, NULL, NULL, NULL },
};

AP_PLUGIN(antispam) = {
	AP_PLUGIN_HEAD,
	.name = "antispam",
	.version = "1.0",
	.description = AP_N_("Filtre les indésirables sur le serveur même, "
	    "dit pourquoi, et apprend des décisions des modérateurs"),
	.init = as_init,
	.fini = as_fini,
	.routes = as_routes,
	.hooks = as_hooks,
	.settings = as_settings,
	.commands = as_commands,
	.schema = "antispam",
};
