/*
 * signals.c: what a submission shows, each thing as a weight (log-odds)
 * and a reason a moderator can read: the form's token and honeypot,
 * links, the memory of past decisions, floods across pages, the admins'
 * rules and the classifier.  The score is the logistic of the sum; the
 * verdict comes from the thresholds, raised by the signals that set a
 * floor (a rule "unsure", a rule that gave up).
 *
 * Reasons are written in the site's language (they are stored with the
 * item and read later by moderators).
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "antispam.h"

#define SIG_DOMAINS 8
#define SIG_CLUES 40

void
as_eval_add(struct as_eval *e, double w, const char *text, int floor)
{
	if (e->n >= AS_REASONS_MAX)
		return;
	e->why[e->n].w = w;
	e->why[e->n].text = text;
	e->why[e->n].floor = floor;
	e->n++;
}

static long long
sig_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *
as_secs(struct ap_req *r, long ms)
{
	if (ms < 0)
		ms = 0;
	return ap->printf(r, "%ld%c%ld", ms / 1000, as_cf.decimal,
	    (ms % 1000) / 100);
}

/* A duration in words, roughly: "45 s", "10 min", "26 h", "3 j". */
static const char *
sig_duration(struct ap_req *r, long s)
{
	if (s < 60)
		return ap->printf(r, ap->tr(NULL, "%ld s"), s);
	if (s < 7200)
		return ap->printf(r, ap->tr(NULL, "%ld min"), (s + 30) / 60);
	if (s < 3 * 86400)
		return ap->printf(r, ap->tr(NULL, "%ld h"), (s + 1800) / 3600);
	return ap->printf(r, ap->tr(NULL, "%ld j"), (s + 43200) / 86400);
}

const char *
as_capped(struct ap_req *r, const char *s)
{
	size_t chars = 0, i;

	if (s == NULL)
		return NULL;
	for (i = 0; s[i]; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80 &&
		    ++chars > as_cf.text_max)
			return ap->strndup(r, s, i);
	return s;
}

const char *
as_hash_of(struct ap_req *r, const char *s)
{
	char *low;
	size_t n;

	if (s == NULL)
		return "";
	while (isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	if (n == 0)
		return "";
	low = ap->strndup(r, s, n);
	for (char *p = low; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return ap->hash_hex(r, ap->printf(r, "antispam|%s", low));
}

const char *
as_ip_key(struct ap_req *r, const char *ip)
{
	if (ip == NULL || strcmp(ip, "127.0.0.1") == 0 ||
	    strcmp(ip, "::1") == 0 || strcmp(ip, "::ffff:127.0.0.1") == 0)
		return "";
	return as_hash_of(r, ip);
}

/* ---- the form: honeypot and token ---- */

/* A form name made safe for an element id. */
static const char *
sig_idpart(struct ap_req *r, const char *form)
{
	char *s = ap->strdup(r, form && *form ? form : "form");

	for (char *p = s; *p; p++)
		if (!isalnum((unsigned char)*p))
			*p = '-';
	return s;
}

void
as_form_fields(struct ap_req *r, const struct ap_form_ctx *f)
{
	const char *form = f && f->form ? f->form : "";
	const char *payload = ap->printf(r, "1|%s|%lld|%s", form, sig_now_ms(),
	    ap->random_token(r, 6));
	const char *id = ap->printf(r, "as-trap-%s", sig_idpart(r, form));

	/* Hidden from everyone: by the stylesheet, from assistive
	 * technology (aria-hidden), from the keyboard (tabindex); its label
	 * says what to do should it show. */
	ap->open(r, "div", "class", "as-trap", "aria-hidden", "true", NULL);
	ap->elem(r, "label", ap->tr(r, "Laissez ce champ vide : il sert à "
	    "repérer les robots."), "for", id, NULL);
	ap->empty(r, "input", "type", "text", "id", id, "name", AS_FIELD_TRAP,
	    "value", "", "tabindex", "-1", "autocomplete", "off", NULL);
	ap->close(r);
	ap->empty(r, "input", "type", "hidden", "name", AS_FIELD_TOKEN,
	    "value", ap->sign(r, "antispam", payload), NULL);
}

int
as_check_form(struct ap_req *r, const struct ap_content *c,
    struct as_eval *e)
{
	const char *trap = ap->form(r, AS_FIELD_TRAP);
	const char *tok = ap->form(r, AS_FIELD_TOKEN), *payload = NULL;
	char *p, *form, *ms;
	long age = 0;
	long long shown, elapsed;
	int rc;

	if (trap != NULL && *trap != '\0')
		as_eval_add(e, AS_W_TRAP, ap->tr(NULL,
		    "champ piège rempli (invisible pour une personne)"),
		    AP_SPAM);
	if (tok == NULL || *tok == '\0') {
		as_eval_add(e, AS_W_NOTOKEN, ap->tr(NULL,
		    "formulaire envoyé sans son jeton"), AP_UNSURE);
		return AP_OK;
	}
	rc = ap->verify(r, "antispam", tok, as_cf.max_age, &payload, &age);
	if (rc == AP_EEXPIRED) {
		e->retry = 1;
		as_eval_add(e, 0, ap->printf(r, ap->tr(NULL,
		    "formulaire affiché il y a %s : le visiteur doit "
		    "l’envoyer de nouveau"), sig_duration(r, age)), 0);
		return AP_OK;
	}
	/* "1|FORM|MS|NONCE", read from its end (a form's name is the
	 * caller's) */
	if (rc != AP_OK || payload == NULL || strncmp(payload, "1|", 2) != 0 ||
	    (p = strrchr(payload + 2, '|')) == NULL || p == payload + 2) {
		as_eval_add(e, AS_W_BADTOKEN, ap->tr(NULL,
		    "jeton du formulaire invalide"), AP_UNSURE);
		return AP_OK;
	}
	form = ap->strndup(r, payload + 2, (size_t)(p - payload - 2));
	if ((p = strrchr(form, '|')) == NULL) {
		as_eval_add(e, AS_W_BADTOKEN, ap->tr(NULL,
		    "jeton du formulaire invalide"), AP_UNSURE);
		return AP_OK;
	}
	*p = '\0';
	ms = p + 1;
	if (c->form != NULL && *c->form && strcmp(form, c->form) != 0) {
		as_eval_add(e, AS_W_BADTOKEN, ap->tr(NULL,
		    "jeton d’un autre formulaire"), AP_UNSURE);
		return AP_OK;
	}
	shown = strtoll(ms, NULL, 10);
	elapsed = sig_now_ms() - shown;
	if (elapsed < 0)
		elapsed = 0;   /* another host's clock, a little ahead */
	if (as_cf.min_time > 0 && elapsed < as_cf.min_time * 1000)
		as_eval_add(e, AS_W_FAST, ap->printf(r, ap->tr(NULL,
		    "envoyé %s s après l’affichage du formulaire"),
		    as_secs(r, (long)elapsed)), AP_UNSURE);
	/* Single use, per address: a page served from a cache gives the
	 * same token to every visitor. */
	rc = ap->spend(r, "antispam", ap->printf(r, "%s|%s", tok,
	    c->ip ? c->ip : ""), as_cf.max_age + 600);
	if (rc == AP_EDUP)
		as_eval_add(e, AS_W_REPLAY, ap->tr(NULL,
		    "formulaire déjà envoyé une fois (jeton réutilisé)"),
		    AP_UNSURE);
	else if (rc != AP_OK)
		return rc;
	return AP_OK;
}

/* ---- links ---- */

size_t
as_count_links(const char *s, int *bbcode, int *html)
{
	size_t n = 0;

	if (bbcode)
		*bbcode = 0;
	if (html)
		*html = 0;
	for (const char *p = s; p && *p; p++) {
		if (strncasecmp(p, "http://", 7) == 0 ||
		    strncasecmp(p, "https://", 8) == 0) {
			n++;
			p += 6;
		} else if (strncasecmp(p, "www.", 4) == 0 && (p == s ||
		    (!isalnum((unsigned char)p[-1]) && p[-1] != '/'))) {
			n++;
			p += 3;
		} else if (*p == '[' && ((strncasecmp(p, "[url", 4) == 0 &&
		    (p[4] == '=' || p[4] == ']')) || (strncasecmp(p, "[link",
		    5) == 0 && (p[5] == '=' || p[5] == ']')))) {
			if (bbcode)
				*bbcode = 1;
		} else if (*p == '<' && strncasecmp(p, "<a", 2) == 0 &&
		    isspace((unsigned char)p[2])) {
			const char *gt = strchr(p, '>');

			if (gt != NULL && memmem(p, (size_t)(gt - p), "href",
			    4) != NULL && html)
				*html = 1;
		}
	}
	return n;
}

/* Top-level domains that say "web address" in a name. */
static const char *const sig_tlds[] = {
	"biz", "cc", "ch", "club", "cn", "co", "com", "de", "eu", "example",
	"fr", "info", "invalid", "io", "me", "net", "online", "org", "pro",
	"ru", "shop", "site", "store", "top", "tv", "uk", "us", "xyz",
};

/* True when a name looks like a web address: a link, or word.tld. */
static int
sig_name_link(const char *s)
{
	if (s == NULL)
		return 0;
	if (as_count_links(s, NULL, NULL) > 0)
		return 1;
	for (const char *p = s; *p; p++) {
		size_t k = 0;

		if (*p != '.' || p == s || !isalnum((unsigned char)p[-1]))
			continue;
		while (isalpha((unsigned char)p[1 + k]))
			k++;
		if (k < 2 || isalnum((unsigned char)p[1 + k]))
			continue;
		for (size_t i = 0; i < sizeof(sig_tlds) / sizeof(sig_tlds[0]);
		    i++)
			if (strlen(sig_tlds[i]) == k &&
			    strncasecmp(p + 1, sig_tlds[i], k) == 0)
				return 1;
	}
	return 0;
}

void
as_check_links(struct ap_req *r, const struct ap_content *c,
    struct as_eval *e)
{
	int bb = 0, html = 0, bb2 = 0, html2 = 0;
	size_t n = as_count_links(c->text, &bb, &html) +
	    as_count_links(c->subject, &bb2, &html2);

	if (bb || bb2)
		as_eval_add(e, AS_W_BBCODE, ap->tr(NULL, "lien BBCode [url=…]"),
		    AP_UNSURE);
	if (html || html2)
		as_eval_add(e, AS_W_HTMLLINK, ap->tr(NULL,
		    "lien HTML <a href=…>"), AP_UNSURE);
	if (n > (size_t)as_cf.max_links) {
		size_t over = n - (size_t)as_cf.max_links;

		as_eval_add(e, AS_W_LINK * (double)(over > 4 ? 4 : over),
		    ap->printf(r, ap->trn(NULL, "%zu lien", "%zu liens", n), n),
		    0);
	}
	if (sig_name_link(c->author))
		as_eval_add(e, AS_W_NAMELINK, ap->tr(NULL,
		    "lien dans le nom de l’auteur"), 0);
}

/* Adds the registrable domain of host to out unless there or the site's. */
static size_t
sig_add_domain(struct ap_req *r, const char *host, size_t hl,
    const char **out, size_t n, size_t max)
{
	char dom[256];
	size_t dl;

	if (n >= max || hl == 0 || hl >= sizeof(dom))
		return n;
	{
		char low[256];

		for (size_t i = 0; i < hl; i++)
			low[i] = (char)tolower((unsigned char)host[i]);
		if (!as_domain(low, hl, dom, sizeof(dom)))
			return n;
	}
	dl = strlen(dom);
	for (size_t i = 0; i < as_cf.nown; i++) {
		size_t ol = strlen(as_cf.own[i]);

		if (strcmp(dom, as_cf.own[i]) == 0 || (dl > ol &&
		    dom[dl - ol - 1] == '.' && strcmp(dom + dl - ol,
		    as_cf.own[i]) == 0))
			return n;
	}
	for (size_t i = 0; i < n; i++)
		if (strcmp(out[i], dom) == 0)
			return n;
	out[n] = ap->strdup(r, dom);
	return n + 1;
}

/* The host of a link starting at p (after the scheme, or www.). */
static size_t
sig_host(const char *p, const char **host)
{
	size_t k = 0;

	if (strncasecmp(p, "http://", 7) == 0)
		p += 7;
	else if (strncasecmp(p, "https://", 8) == 0)
		p += 8;
	*host = p;
	while (isalnum((unsigned char)p[k]) || p[k] == '-' || p[k] == '.' ||
	    (unsigned char)p[k] >= 0x80)
		k++;
	return k;
}

size_t
as_link_domains(struct ap_req *r, const struct ap_content *c,
    const char **out, size_t max)
{
	const char *fields[3] = { c->text, c->subject, c->url };
	size_t n = 0;

	for (size_t f = 0; f < 3; f++) {
		const char *s = fields[f];

		for (const char *p = s; p && *p; p++) {
			const char *host;
			size_t hl;

			if (strncasecmp(p, "http://", 7) != 0 &&
			    strncasecmp(p, "https://", 8) != 0 &&
			    !(strncasecmp(p, "www.", 4) == 0 && (p == s ||
			    !isalnum((unsigned char)p[-1]))))
				continue;
			hl = sig_host(p, &host);
			n = sig_add_domain(r, host, hl, out, n, max);
			p = host + hl - 1;
		}
		if (f == 2 && s != NULL && n < max && as_count_links(s, NULL,
		    NULL) == 0) {
			/* a website given without its scheme */
			const char *host;
			size_t hl = sig_host(s, &host);

			n = sig_add_domain(r, host, hl, out, n, max);
		}
	}
	return n;
}

/* The folded text with its spaces collapsed: what "the same text" means. */
const char *
as_text_key(struct ap_req *r, const char *text)
{
	size_t n, o = 0;
	char *f, *out;
	int space = 1;

	text = as_capped(r, text);
	n = strlen(text);
	f = ap->alloc(r, 2 * n + 1);
	out = ap->alloc(r, 2 * n + 1);
	n = as_fold(text, n, f, 2 * n + 1);
	for (size_t i = 0; i < n; i++) {
		if (isspace((unsigned char)f[i])) {
			if (!space)
				out[o++] = ' ';
			space = 1;
			continue;
		}
		out[o++] = f[i];
		space = 0;
	}
	while (o > 0 && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
	return o ? ap->hash_hex(r, ap->printf(r, "antispam-text|%s", out)) :
	    "";
}

int
as_check_memory(struct ap_req *r, const struct ap_content *c,
    struct as_eval *e, struct as_counters *k)
{
	const char *dom[SIG_DOMAINS] = { 0 }, *site = NULL;
	const char *ip = as_ip_key(r, c->ip), *email = as_hash_of(r, c->email);
	const char *text = c->text ? as_text_key(r, c->text) : "";
	size_t nd = as_link_domains(r, c, dom, SIG_DOMAINS);
	struct ap_res *res;

	if (c->url != NULL && *c->url) {
		const char *one[1] = { NULL };
		struct ap_content only = { .url = c->url };

		if (as_link_domains(r, &only, one, 1) == 1)
			site = one[0];
	}
	/* One round trip: the memory's rows, a row of flood counts (the
	 * same address or email on several pages in the window), and the
	 * counters that say whether the token counts or the rules
	 * changed. */
	res = ap->query(r, "SELECT kind, v, spam, ham FROM antispam_known "
	    "WHERE (kind = 'ip' AND v = ?) OR (kind = 'email' AND v = ?) OR "
	    "(kind = 'text' AND v = ?) OR (kind = 'domain' AND v IN "
	    "(?, ?, ?, ?, ?, ?, ?, ?)) "
	    "UNION ALL SELECT 'flood', '', COUNT(*), COUNT(DISTINCT page) + "
	    "(COALESCE(SUM(page = ?), 0) = 0) FROM antispam_log WHERE at > ? "
	    "AND ((ip = ? AND ip <> '') OR (email = ? AND email <> '')) "
	    "UNION ALL SELECT 'counter', name, value, 0 FROM ap_counters "
	    "WHERE name IN (?, ?, ?)",
	    AP_ARGS(AP_TEXT(ip), AP_TEXT(email), AP_TEXT(text),
	    AP_TEXT(dom[0]), AP_TEXT(dom[1]), AP_TEXT(dom[2]), AP_TEXT(dom[3]),
	    AP_TEXT(dom[4]), AP_TEXT(dom[5]), AP_TEXT(dom[6]),
	    AP_TEXT(dom[7]), AP_TEXT(c->page ? c->page : ""),
	    AP_INT(ap->now(r) - as_cf.flood_window), AP_TEXT(ip),
	    AP_TEXT(email), AP_TEXT(AS_CTR_TOKENS), AP_TEXT(AS_CTR_EPOCH),
	    AP_TEXT(AS_CTR_RULES)));
	if (res == NULL)
		return ap->db_error(r);
	(void)nd;
	k->tokens = k->epoch = k->rules = 0;
	for (size_t i = 0; i < ap->rows(res); i++) {
		const char *kind = ap->cell(res, i, 0);
		const char *v = ap->cell(res, i, 1);
		long long s = ap->cell_int(res, i, 2);
		long long h = ap->cell_int(res, i, 3);

		if (strcmp(kind, "counter") == 0) {
			if (strcmp(v, AS_CTR_TOKENS) == 0)
				k->tokens = s;
			else if (strcmp(v, AS_CTR_EPOCH) == 0)
				k->epoch = s;
			else if (strcmp(v, AS_CTR_RULES) == 0)
				k->rules = s;
			continue;
		}

		if (strcmp(kind, "flood") == 0) {
			/* s: earlier submissions; h: pages with this one */
			if (s + 1 > as_cf.flood_max && h >= 2 &&
			    (*ip || *email))
				as_eval_add(e, AS_W_FLOOD, ap->printf(r,
				    ap->tr(NULL, "%lld envois en %s depuis la "
				    "même adresse, sur %lld pages"), s + 1,
				    sig_duration(r, as_cf.flood_window), h),
				    AP_UNSURE);
			continue;
		}
		if (*v == '\0')
			continue;
		if (strcmp(kind, "email") == 0 && s == 0 && h > 0) {
			as_eval_add(e, AS_W_GOOD_EMAIL, ap->tr(NULL,
			    "adresse e-mail déjà approuvée par un modérateur"),
			    0);
			continue;
		}
		if (s <= h)
			continue;
		if (strcmp(kind, "ip") == 0)
			as_eval_add(e, AS_W_KNOWN_IP, ap->tr(NULL,
			    "adresse IP déjà vue dans des indésirables"), 0);
		else if (strcmp(kind, "email") == 0)
			as_eval_add(e, AS_W_KNOWN_EMAIL, ap->tr(NULL,
			    "adresse e-mail déjà vue dans des indésirables"),
			    0);
		else if (strcmp(kind, "text") == 0)
			as_eval_add(e, AS_W_KNOWN_TEXT, ap->tr(NULL, "texte "
			    "identique à un indésirable"), AP_SPAM);
		else if (site != NULL && strcmp(v, site) == 0)
			as_eval_add(e, AS_W_KNOWN_DOMAIN, ap->printf(r,
			    ap->tr(NULL, "site web sur un domaine déjà vu dans "
			    "des indésirables : %s"), v), 0);
		else
			as_eval_add(e, AS_W_KNOWN_DOMAIN, ap->printf(r,
			    ap->tr(NULL, "lien vers un domaine déjà vu dans "
			    "des indésirables : %s"), v), 0);
	}
	return AP_OK;
}

/* ---- the classifier ---- */

void
as_content_tokens(const struct ap_content *c, struct as_toklist *l)
{
	size_t cap = as_cf.text_max * 4;

	if (c->text != NULL)
		as_tokenize(l, c->text, strnlen(c->text, cap), "");
	if (c->subject != NULL)
		as_tokenize(l, c->subject, strnlen(c->subject, 1000),
		    AS_PFX_SUBJ);
	if (c->author != NULL)
		as_tokenize(l, c->author, strnlen(c->author, 200), AS_PFX_NAME);
	as_tokenize_domain(l, c->url, AS_PFX_SITE);
	as_tokenize_domain(l, c->email, AS_PFX_FROM);
}

/* A token as a moderator reads it: without its prefix; NULL for the
 * tokens that are not words. */
static const char *
sig_token_shown(const char *t)
{
	if (strncmp(t, "x:", 2) == 0 || strncmp(t, "C:", 2) == 0)
		return strncmp(t, "C:", 2) == 0 ? t + 2 : NULL;
	if (t[0] != '\0' && t[1] == ':' && strchr("uenmst", t[0]) != NULL)
		return t + 2;
	return t;
}

void
as_check_text(struct ap_req *r, const struct ap_content *c,
    struct as_eval *e, const struct as_counters *k)
{
	struct as_clue clues[SIG_CLUES];
	size_t nclues = SIG_CLUES;
	struct as_toklist l;
	const char *words = "";
	size_t shown = 0;
	int trained = 0, spammy;
	double s, w;

	e->bayes = -1;
	if (as_store_refresh(r, k) != AP_OK) {
		ap->log(AP_LOG_WARN, "antispam: token table not read; the text "
		    "is not classified");
		return;
	}
	as_toklist_init(&l);
	as_content_tokens(c, &l);
	s = as_store_classify(&l, clues, &nclues, &trained);
	if (!trained || nclues == 0) {
		/* Too little learned yet, or no word of the text known to
		 * weigh: the text says nothing, and a submission that shows
		 * nothing else passes, as on a site without the filter. */
		as_toklist_free(&l);
		as_eval_add(e, log(AS_UNTRAINED / (1 - AS_UNTRAINED)), NULL, 0);
		return;
	}
	e->bayes = s;
	spammy = s >= 0.5;
	/* The tokens that pulled the same way as the score, strongest
	 * first (as_classify sorted them). */
	for (size_t i = 0; i < nclues && shown < 6; i++) {
		const char *t;

		if ((clues[i].f >= 0.5) != spammy)
			continue;
		t = sig_token_shown(l.v[clues[i].idx].s);
		if (t == NULL)
			continue;
		words = ap->printf(r, "%s%s%s", words, shown ? ", " : "", t);
		shown++;
	}
	as_toklist_free(&l);
	/* The text alone moves the score by at most 99:1 either way: a
	 * copied legitimate text does not hide what the form shows. */
	w = s < 0.01 ? 0.01 : s > 0.99 ? 0.99 : s;
	w = log(w / (1 - w));
	if (shown == 0)
		as_eval_add(e, w, ap->printf(r, ap->tr(NULL,
		    "texte à %.0f %% indésirable selon ce qui a été appris"),
		    s * 100), 0);
	else if (spammy)
		as_eval_add(e, w, ap->printf(r, ap->tr(NULL,
		    "texte à %.0f %% indésirable (mots appris comme "
		    "indésirables : %s)"), s * 100, words), 0);
	else
		as_eval_add(e, w, ap->printf(r, ap->tr(NULL,
		    "texte à %.0f %% indésirable (mots appris comme "
		    "légitimes : %s)"), s * 100, words), 0);
}

/* ---- combining ---- */

void
as_eval_finish(struct as_eval *e)
{
	double sum = 0;
	int floor = AP_HAM;

	for (size_t i = 0; i < e->n; i++) {
		sum += e->why[i].w;
		if (e->why[i].floor > floor)
			floor = e->why[i].floor;
	}
	if (sum > 40)
		sum = 40;
	if (sum < -40)
		sum = -40;
	e->score = 1.0 / (1.0 + exp(-sum));
	e->verdict = e->score >= as_cf.spam ? AP_SPAM : e->score >=
	    as_cf.unsure ? AP_UNSURE : AP_HAM;
	if ((int)e->verdict < floor)
		e->verdict = (enum ap_verdict)floor;
}

char *
as_eval_reasons(struct ap_req *r, const struct as_eval *e, size_t max)
{
	size_t order[AS_REASONS_MAX], n = 0;
	char *out = ap->strdup(r, "");

	for (size_t i = 0; i < e->n; i++)
		if (e->why[i].text != NULL)
			order[n++] = i;
	/* Strongest toward spam first, then toward ham; a floor counts as
	 * strong. */
	for (size_t i = 1; i < n; i++)
		for (size_t k = i; k > 0; k--) {
			const struct as_reason *a = &e->why[order[k - 1]];
			const struct as_reason *b = &e->why[order[k]];
			double wa = a->w + (a->floor ? 10 : 0);
			double wb = b->w + (b->floor ? 10 : 0);

			if (wb <= wa)
				break;
			size_t t = order[k - 1];

			order[k - 1] = order[k];
			order[k] = t;
		}
	for (size_t i = 0; i < n && i < max; i++)
		out = ap->printf(r, "%s%s%s", out, i ? "; " : "",
		    e->why[order[i]].text);
	return out;
}
