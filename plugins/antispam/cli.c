/*
 * cli.c: aparte-admin spam ...  The classifier on files (one text per
 * file), so that it can be trained from a corpus and measured; the
 * counts; the rules.
 *
 *   spam train spam|ham FILE... [--list FILE]
 *   spam classify FILE... [--list FILE] [--timing]
 *   spam check FILE [--author A] [--email E] [--url U] [--ip IP]
 *   spam stats
 *   spam reset
 *   spam rules
 *   spam rule add words|pattern TEXT... [--unsure] [--note TEXT]
 *   spam rule delete ID
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "antispam.h"

static void
cli_usage(void)
{
	fprintf(stderr, "usage: aparte-admin spam train spam|ham FILE... "
	    "[--list FILE]\n"
	    "       aparte-admin spam classify FILE... [--list FILE] "
	    "[--timing]\n"
	    "       aparte-admin spam check FILE [--author NAME] [--email "
	    "EMAIL] [--url URL] [--ip IP]\n"
	    "       aparte-admin spam stats | reset | rules\n"
	    "       aparte-admin spam rule add words|pattern TEXT... "
	    "[--unsure] [--note TEXT]\n"
	    "       aparte-admin spam rule delete ID\n");
}

static double
cli_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Reads at most max bytes of a file (malloc, NUL-terminated); NULL with
 * a message when it cannot. */
static char *
cli_read(const char *path, size_t max, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;

	if (f == NULL) {
		fprintf(stderr, "aparte-admin spam: %s: %s\n", path,
		    strerror(errno));
		return NULL;
	}
	buf = malloc(max + 1);
	if (buf == NULL) {
		fclose(f);
		fprintf(stderr, "aparte-admin spam: out of memory\n");
		return NULL;
	}
	n = fread(buf, 1, max, f);
	if (ferror(f)) {
		fprintf(stderr, "aparte-admin spam: %s: %s\n", path,
		    strerror(errno));
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* The bytes a file may hold: what text_max characters take at most. */
static size_t
cli_max_bytes(void)
{
	return as_cf.text_max * 4;
}

/* Tokens of a file's text, as a content's text (capped alike). */
static int
cli_tokens(struct ap_req *r, const char *path, struct as_toklist *l)
{
	size_t n;
	char *text = cli_read(path, cli_max_bytes(), &n);
	const char *capped;

	if (text == NULL)
		return -1;
	/* NUL bytes end the text, as they would end a form's field */
	capped = as_capped(r, text);
	as_tokenize(l, capped, strlen(capped), "");
	free(text);
	return 0;
}

/* The files named by the arguments and by --list files, in order. */
struct cli_files {
	char **v;
	size_t n, cap;
};

static int
cli_files_add(struct cli_files *f, const char *path)
{
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 256;
		char **v = realloc(f->v, cap * sizeof(*v));

		if (v == NULL)
			return -1;
		f->v = v;
		f->cap = cap;
	}
	f->v[f->n] = strdup(path);
	if (f->v[f->n] == NULL)
		return -1;
	f->n++;
	return 0;
}

static void
cli_files_free(struct cli_files *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->v[i]);
	free(f->v);
	memset(f, 0, sizeof(*f));
}

/* Gathers FILE arguments and --list files from argv[from..]; flags
 * (--timing) are left for the caller.  -1 with a message on error. */
static int
cli_gather(int argc, char **argv, int from, struct cli_files *f)
{
	for (int i = from; i < argc; i++) {
		if (strcmp(argv[i], "--timing") == 0)
			continue;
		if (strcmp(argv[i], "--list") == 0) {
			FILE *lf;
			char line[4096];

			if (++i >= argc) {
				fprintf(stderr, "aparte-admin spam: --list "
				    "needs a file\n");
				return -1;
			}
			lf = fopen(argv[i], "r");
			if (lf == NULL) {
				fprintf(stderr, "aparte-admin spam: %s: %s\n",
				    argv[i], strerror(errno));
				return -1;
			}
			while (fgets(line, sizeof(line), lf) != NULL) {
				line[strcspn(line, "\r\n")] = '\0';
				if (*line && cli_files_add(f, line) != 0) {
					fclose(lf);
					return -1;
				}
			}
			fclose(lf);
			continue;
		}
		if (cli_files_add(f, argv[i]) != 0)
			return -1;
	}
	return 0;
}

static int
cli_db_fail(struct ap_req *r, int rc)
{
	if (rc == AP_EDB || ap->db_error(r) == AP_EDB)
		fprintf(stderr, "aparte-admin spam: the database is "
		    "unreachable\n");
	else
		fprintf(stderr, "aparte-admin spam: failed (see the log)\n");
	return 1;
}

/* spam train spam|ham FILE... [--list F]: counts every file's tokens in
 * memory, then writes them in one transaction. */
static int
cli_train(struct ap_req *r, int argc, char **argv)
{
	struct cli_files files = { 0 };
	struct as_toklist l;
	struct as_acc acc;
	int spam, rc;

	if (argc < 4 || (strcmp(argv[2], "spam") != 0 &&
	    strcmp(argv[2], "ham") != 0)) {
		cli_usage();
		return 2;
	}
	spam = strcmp(argv[2], "spam") == 0;
	if (cli_gather(argc, argv, 3, &files) != 0) {
		cli_files_free(&files);
		return 1;
	}
	as_toklist_init(&l);
	as_acc_init(&acc);
	for (size_t i = 0; i < files.n; i++) {
		as_toklist_clear(&l);
		if (cli_tokens(r, files.v[i], &l) != 0 ||
		    as_acc_add(&acc, &l, spam, !spam) != 0) {
			as_toklist_free(&l);
			as_acc_free(&acc);
			cli_files_free(&files);
			return 1;
		}
	}
	as_toklist_free(&l);
	rc = ap->begin(r);
	if (rc == AP_OK)
		rc = as_acc_write(r, &acc);
	if (rc == AP_OK)
		rc = ap->commit(r);
	if (rc != AP_OK) {
		ap->rollback(r);
		as_acc_free(&acc);
		cli_files_free(&files);
		return cli_db_fail(r, rc);
	}
	ap->out(r, "learned %zu %s text%s (%zu distinct tokens)\n", files.n,
	    spam ? "spam" : "ham", files.n == 1 ? "" : "s", acc.n);
	as_acc_free(&acc);
	cli_files_free(&files);
	return 0;
}

static const char *
cli_verdict(double s)
{
	return s >= as_cf.spam ? "spam" : s >= as_cf.unsure ? "unsure" : "ham";
}

/* spam classify FILE... [--list F] [--timing]: FILE, verdict and score
 * per line, in order; the time spent classifying (files read and token
 * table loaded beforehand) on stderr with --timing. */
static int
cli_classify(struct ap_req *r, int argc, char **argv)
{
	struct cli_files files = { 0 };
	struct as_toklist l;
	char **texts;
	size_t *lens;
	double t0, t1, t2, busy = 0;
	int timing = 0, trained, rc, status = 0;

	for (int i = 2; i < argc; i++)
		if (strcmp(argv[i], "--timing") == 0)
			timing = 1;
	if (cli_gather(argc, argv, 2, &files) != 0) {
		cli_files_free(&files);
		return 1;
	}
	if (files.n == 0) {
		cli_usage();
		return 2;
	}
	t0 = cli_clock();
	rc = as_store_refresh(r, NULL);
	if (rc != AP_OK) {
		cli_files_free(&files);
		return cli_db_fail(r, rc);
	}
	t1 = cli_clock();
	/* Files are read first: what is timed is the classifier. */
	texts = calloc(files.n, sizeof(*texts));
	lens = calloc(files.n, sizeof(*lens));
	if (texts == NULL || lens == NULL) {
		free(texts);
		free(lens);
		cli_files_free(&files);
		return 1;
	}
	for (size_t i = 0; i < files.n; i++) {
		texts[i] = cli_read(files.v[i], cli_max_bytes(), &lens[i]);
		if (texts[i] == NULL)
			status = 1;
	}
	as_toklist_init(&l);
	for (size_t i = 0; i < files.n; i++) {
		const char *capped;
		double s, a;

		if (texts[i] == NULL)
			continue;
		a = cli_clock();
		capped = as_capped(r, texts[i]);
		as_toklist_clear(&l);
		as_tokenize(&l, capped, strlen(capped), "");
		s = as_store_classify(&l, NULL, NULL, &trained);
		busy += cli_clock() - a;
		ap->out(r, "%s\t%s\t%.6f\n", files.v[i], cli_verdict(s), s);
	}
	t2 = cli_clock();
	as_toklist_free(&l);
	if (timing)
		fprintf(stderr, "classified %zu texts in %.3f s: %.0f per "
		    "second (token table read in %.3f s, %.3f s in all)\n",
		    files.n,
		    busy, busy > 0 ? (double)files.n / busy : 0.0, t1 - t0,
		    t2 - t0);
	for (size_t i = 0; i < files.n; i++)
		free(texts[i]);
	free(texts);
	free(lens);
	cli_files_free(&files);
	return status;
}

/* Runs every check a submission gets (except the form's), on a file's
 * text with the fields given. */
static int
cli_check(struct ap_req *r, int argc, char **argv)
{
	struct ap_content c = { .size = sizeof(c), .kind = "comment",
	    .page = "(command line)" };
	struct as_eval e;
	const char *names[] = { "ham", "unsure", "spam" };
	const char *file = NULL;
	char *text;
	size_t n;
	int rc;

	for (int i = 2; i < argc; i++) {
		if (i + 1 < argc && strcmp(argv[i], "--author") == 0)
			c.author = argv[++i];
		else if (i + 1 < argc && strcmp(argv[i], "--email") == 0)
			c.email = argv[++i];
		else if (i + 1 < argc && strcmp(argv[i], "--url") == 0)
			c.url = argv[++i];
		else if (i + 1 < argc && strcmp(argv[i], "--ip") == 0)
			c.ip = argv[++i];
		else if (file == NULL && argv[i][0] != '-')
			file = argv[i];
		else {
			cli_usage();
			return 2;
		}
	}
	if (file == NULL) {
		cli_usage();
		return 2;
	}
	text = cli_read(file, cli_max_bytes(), &n);
	if (text == NULL)
		return 1;
	c.text = ap->strdup(r, text);
	free(text);
	rc = as_evaluate(r, &c, &e, 0);
	if (rc != AP_OK)
		return cli_db_fail(r, rc);
	ap->out(r, "%s\t%s\t%.6f\n", file, names[e.verdict], e.score);
	ap->out(r, "reasons: %s\n", as_eval_reasons(r, &e, AS_REASONS_MAX));
	return 0;
}

static int
cli_long_cmp(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return x < y ? -1 : x > y;
}

/* spam stats: what was learned, remembered, ruled and examined, and
 * what judging costs. */
static int
cli_stats(struct ap_req *r)
{
	long long ns = 0, nh = 0, nt = 0;
	struct ap_res *res;
	int rc = as_store_counts(r, &ns, &nh, &nt);

	if (rc != AP_OK)
		return cli_db_fail(r, rc);
	ap->out(r, "learned: %lld spam, %lld ham (%lld distinct tokens)\n", ns,
	    nh, nt);
	if (ns < as_cf.min_learned || nh < as_cf.min_learned)
		ap->out(r, "the classifier has its say from %ld texts of each "
		    "kind\n", as_cf.min_learned);
	res = ap->query(r, "SELECT kind, SUM(spam > ham), SUM(ham > 0 AND "
	    "spam = 0) FROM antispam_known GROUP BY kind ORDER BY kind",
	    AP_NOARGS);
	if (res == NULL)
		return cli_db_fail(r, AP_ERROR);
	for (size_t i = 0; i < ap->rows(res); i++)
		ap->out(r, "remembered %s: %lld in spam, %lld in ham only\n",
		    ap->cell(res, i, 0), ap->cell_int(res, i, 1),
		    ap->cell_int(res, i, 2));
	res = ap->query(r, "SELECT COUNT(*), SUM(limit_hits > 0), "
	    "COALESCE(SUM(hits), 0) FROM antispam_rules", AP_NOARGS);
	if (res == NULL)
		return cli_db_fail(r, AP_ERROR);
	ap->out(r, "rules: %lld (%lld gave up at a limit), %lld hits\n",
	    ap->cell_int(res, 0, 0), ap->cell_int(res, 0, 1),
	    ap->cell_int(res, 0, 2));
	res = ap->query(r, "SELECT COUNT(*), COALESCE(SUM(verdict = 0), 0), "
	    "COALESCE(SUM(verdict = 1), 0), COALESCE(SUM(verdict = 2), 0) "
	    "FROM antispam_log", AP_NOARGS);
	if (res == NULL)
		return cli_db_fail(r, AP_ERROR);
	ap->out(r, "examined: %lld (ham %lld, unsure %lld, spam %lld)\n",
	    ap->cell_int(res, 0, 0), ap->cell_int(res, 0, 1),
	    ap->cell_int(res, 0, 2), ap->cell_int(res, 0, 3));
	res = ap->query(r, "SELECT cost_us FROM antispam_log ORDER BY id DESC "
	    "LIMIT 1000", AP_NOARGS);
	if (res != NULL && ap->rows(res) > 0) {
		size_t n = ap->rows(res);
		long *v = ap->alloc(r, n * sizeof(*v));

		for (size_t i = 0; i < n; i++)
			v[i] = (long)ap->cell_int(res, i, 0);
		qsort(v, n, sizeof(*v), cli_long_cmp);
		ap->out(r, "judging: median %.2f ms, 90th percentile %.2f ms "
		    "(last %zu submissions)\n", v[n / 2] / 1000.0,
		    v[n * 9 / 10] / 1000.0, n);
	}
	return 0;
}

/* spam rules: the rules, one per line, tab-separated. */
static int
cli_rules(struct ap_req *r)
{
	struct ap_res *res = ap->query(r, "SELECT id, kind, effect, hits, "
	    "limit_hits, REPLACE(body, '\\n', ' | '), note FROM antispam_rules "
	    "ORDER BY id", AP_NOARGS);

	if (res == NULL)
		return cli_db_fail(r, AP_ERROR);
	ap->out(r, "ID\tKIND\tEFFECT\tHITS\tLIMITS\tRULE\tNOTE\n");
	for (size_t i = 0; i < ap->rows(res); i++)
		ap->out(r, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", ap->cell(res, i, 0),
		    ap->cell(res, i, 1), ap->cell(res, i, 2),
		    ap->cell(res, i, 3), ap->cell(res, i, 4),
		    ap->cell(res, i, 5), ap->cell(res, i, 6));
	return 0;
}

/* spam rule add|delete: the same checks as the admin page. */
static int
cli_rule(struct ap_req *r, int argc, char **argv)
{
	if (argc >= 4 && strcmp(argv[2], "delete") == 0) {
		char *end;
		long long id = strtoll(argv[3], &end, 10);
		int rc;

		if (*end != '\0' || id <= 0) {
			cli_usage();
			return 2;
		}
		rc = as_rule_delete(r, id);
		if (rc == AP_EINVAL) {
			fprintf(stderr, "aparte-admin spam: no rule %lld\n",
			    id);
			return 1;
		}
		if (rc != AP_OK)
			return cli_db_fail(r, rc);
		ap->audit(r, "antispam.rule.delete", argv[3]);
		ap->out(r, "rule %lld deleted\n", id);
		return 0;
	}
	if (argc >= 5 && strcmp(argv[2], "add") == 0) {
		const char *kind = argv[3], *note = "", *effect = "spam", *why;
		char *body = ap->strdup(r, "");
		long long id = 0;
		int words = 0, rc;

		for (int i = 4; i < argc; i++) {
			if (strcmp(argv[i], "--unsure") == 0) {
				effect = "unsure";
			} else if (strcmp(argv[i], "--note") == 0 &&
			    i + 1 < argc) {
				note = argv[++i];
			} else {
				body = ap->printf(r, "%s%s%s", body, words ?
				    "\n" : "", argv[i]);
				words++;
			}
		}
		if (strcmp(kind, "pattern") == 0 && words > 1) {
			fprintf(stderr, "aparte-admin spam: one pattern at a "
			    "time\n");
			return 2;
		}
		why = as_rule_invalid(r, kind, body);
		if (why != NULL) {
			fprintf(stderr, "aparte-admin spam: %s\n", why);
			return 1;
		}
		rc = as_rule_add(r, kind, body, effect, note, &id);
		if (rc != AP_OK)
			return cli_db_fail(r, rc);
		ap->audit(r, "antispam.rule.add", body);
		ap->out(r, "rule %lld added\n", id);
		return 0;
	}
	cli_usage();
	return 2;
}

/* aparte-admin spam ...: dispatches to the subcommands. */
int
as_cli(struct ap_req *r, void *state, int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";
	int rc;

	(void)state;
	if (strcmp(cmd, "train") == 0)
		return cli_train(r, argc, argv);
	if (strcmp(cmd, "classify") == 0)
		return cli_classify(r, argc, argv);
	if (strcmp(cmd, "check") == 0)
		return cli_check(r, argc, argv);
	if (strcmp(cmd, "stats") == 0)
		return cli_stats(r);
	if (strcmp(cmd, "rules") == 0)
		return cli_rules(r);
	if (strcmp(cmd, "rule") == 0)
		return cli_rule(r, argc, argv);
	if (strcmp(cmd, "reset") == 0) {
		rc = as_store_reset(r);
		if (rc != AP_OK)
			return cli_db_fail(r, rc);
		ap->audit(r, "antispam.reset", NULL);
		ap->out(r, "everything learned is forgotten (rules kept)\n");
		return 0;
	}
	cli_usage();
	return 2;
}
