/*
 * cli.c: aparte-admin comments ...: moderation from the command line,
 * with or without the login plugin.  The actions are the console's
 * (cm_act): same hooks, same notifications, same audit trail.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "comments.h"

/* The subcommands, on standard output; returns the usage status 2. */
static int
cli_usage(struct ap_req *r)
{
	ap->out(r, "usage: aparte-admin comments COMMAND\n"
	    "  list [--status S] [--page KEY] [--limit N]\n"
	    "                      comments, newest first (S: pending, "
	    "approved,\n"
	    "                      spam, trash or all; default all)\n"
	    "  show ID             one comment, with what the filter said\n"
	    "  approve|spam|ham|trash ID...\n"
	    "                      moderate (ham: not spam, approves it)\n"
	    "  delete ID...        delete for good (spam or trash only)\n"
	    "  words               the word lists\n"
	    "  words hold|refuse WORD...   add to a list\n"
	    "  words remove WORD...        take out of both lists\n"
	    "  page KEY [--title TITLE] [--close|--open]\n"
	    "                      a page's title and whether it takes "
	    "comments\n");
	return 2;
}

static int
cli_db(struct ap_req *r, int rc)
{
	(void)r;
	fprintf(stderr, "aparte-admin comments: %s\n", rc == AP_EDB ?
	    "the database is unreachable" : "the database refused (see the "
	    "log)");
	return 1;
}

/* One line: an excerpt of at most n characters, without line breaks. */
static const char *
cli_excerpt(struct ap_req *r, const char *s, size_t n)
{
	char *e = ap->strdup(r, s ? s : "");
	size_t chars = 0, i;

	cm_squash(e);
	for (i = 0; e[i]; i++)
		if (((unsigned char)e[i] & 0xc0) != 0x80 && ++chars > n)
			break;
	if (e[i]) {
		e[i] = '\0';
		return ap->printf(r, "%s…", e);
	}
	return e;
}

/* comments list: one line per comment, newest first, tab-separated, with
 * what the filter said; the options filter by status and page. */
static int
cli_list(struct ap_req *r, int argc, char **argv)
{
	const char *status = "all", *page = "";
	long long limit = 100;
	struct ap_res *res;

	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--status") == 0 && i + 1 < argc)
			status = argv[++i];
		else if (strcmp(argv[i], "--page") == 0 && i + 1 < argc)
			page = argv[++i];
		else if (strcmp(argv[i], "--limit") == 0 && i + 1 < argc)
			limit = cm_id_arg(argv[++i]);
		else
			return cli_usage(r);
	}
	if (strcmp(status, "all") != 0 && cm_status_parse(status) < 0) {
		fprintf(stderr, "aparte-admin comments: unknown status %s "
		    "(pending, approved, spam, trash, all)\n", status);
		return 2;
	}
	if (*page && !cm_page_ok(page)) {
		fprintf(stderr, "aparte-admin comments: %s is not a page key "
		    "(a path such as /blog/article)\n", page);
		return 2;
	}
	if (limit < 1 || limit > 100000)
		limit = 100;
	res = ap->query(r, "SELECT id, status, created, page, author, email, "
	    "COALESCE(verdict, '-'), COALESCE(score, ''), COALESCE(reasons, "
	    "''), "
	    "body, parent_id FROM comments WHERE (status = ? OR ? = 1) AND "
	    "(page = ? OR ? = 0) ORDER BY created DESC, id DESC LIMIT ?",
	    AP_ARGS(AP_TEXT(status), AP_INT(strcmp(status, "all") == 0),
	    AP_TEXT(page), AP_INT(*page != '\0'), AP_INT(limit)));
	if (res == NULL)
		return cli_db(r, ap->db_error(r));
	ap->out(r, "ID\tSTATUS\tDATE\tPAGE\tPARENT\tAUTHOR\tEMAIL\tFILTER\t"
	    "REASONS\tTEXT\n");
	for (size_t i = 0; i < ap->rows(res); i++)
		ap->out(r, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s%s%s\t%s\t%s\n",
		    ap->cell(res, i, 0), ap->cell(res, i, 1),
		    ap->iso_date(r, (time_t)ap->cell_int(res, i, 2)),
		    ap->cell(res, i, 3), ap->cell(res, i, 10) ?
		    ap->cell(res, i, 10) : "-",
		    cli_excerpt(r, cm_author_name(NULL, ap->cell(res, i, 4)),
		    40),
		    *ap->cell(res, i, 5) ? ap->cell(res, i, 5) : "-",
		    ap->cell(res, i, 6), *ap->cell(res, i, 7) ? " " : "",
		    *ap->cell(res, i, 7) ? ap->printf(r, "%.2f",
		    strtod(ap->cell(res, i, 7), NULL)) : "",
		    *ap->cell(res, i, 8) ? cli_excerpt(r, ap->cell(res, i, 8),
		    80) : "-", cli_excerpt(r, ap->cell(res, i, 9), 60));
	return 0;
}

/* comments show ID: every field of one comment, then its text. */
static int
cli_show(struct ap_req *r, const char *ids)
{
	long long id = cm_id_arg(ids);
	struct ap_res *res = ap->query(r, "SELECT id, page, parent_id, status, "
	    "author, email, url, created, edited, ip, user_agent, verdict, "
	    "score, reasons, notify, body FROM comments WHERE id = ?",
	    AP_ARGS(AP_INT(id)));
	static const char *const names[] = { "id", "page", "parent", "status",
	    "author", "email", "website", "created", "edited", "ip", "browser",
	    "filter", "score", "reasons", "notify" };

	if (res == NULL)
		return cli_db(r, ap->db_error(r));
	if (ap->rows(res) == 0) {
		fprintf(stderr, "aparte-admin comments: no comment %s\n", ids);
		return 1;
	}
	for (size_t c = 0; c < 15; c++) {
		const char *v = ap->cell(res, 0, c);

		if ((c == 7 || c == 8) && v)
			v = ap->iso_date(r, (time_t)ap->cell_int(res, 0, c));
		ap->out(r, "%-8s %s\n", names[c], v ? v : "-");
	}
	ap->out(r, "\n%s\n", ap->cell(res, 0, 15));
	return 0;
}

/* comments words: the two lists; words hold|refuse WORD... adds, words
 * remove WORD... takes out of both. */
static int
cli_words(struct ap_req *r, int argc, char **argv)
{
	struct ap_res *res;
	int rc;

	if (argc == 2) {
		res = ap->query(r, "SELECT list, word FROM comments_words "
		    "ORDER "
		    "BY list, word", AP_NOARGS);
		if (res == NULL)
			return cli_db(r, ap->db_error(r));
		for (size_t i = 0; i < ap->rows(res); i++)
			ap->out(r, "%s\t%s\n", ap->cell(res, i, 0),
			    ap->cell(res, i, 1));
		return 0;
	}
	if (argc < 4)
		return cli_usage(r);
	for (int i = 3; i < argc; i++) {
		char *w = ap->strdup(r, argv[i]);

		cm_squash(w);
		if (*w == '\0' || cm_chars(w) > CM_WORD_MAX) {
			fprintf(stderr, "aparte-admin comments: a word has 1 "
			    "to "
			    "100 characters\n");
			return 2;
		}
		if (strcmp(argv[2], "remove") == 0)
			rc = ap->exec(r, "DELETE FROM comments_words WHERE "
			    "word = "
			    "?", AP_ARGS(AP_TEXT(w)));
		else if (strcmp(argv[2], "hold") == 0 ||
		    strcmp(argv[2], "refuse") == 0)
			rc = ap->exec(r, "INSERT IGNORE INTO comments_words "
			    "(list, "
			    "word) VALUES (?, ?)", AP_ARGS(AP_TEXT(argv[2]),
			    AP_TEXT(w)));
		else
			return cli_usage(r);
		if (rc != AP_OK)
			return cli_db(r, rc);
		ap->out(r, "%s %s\n", strcmp(argv[2], "remove") == 0 ?
		    "removed" : argv[2], w);
	}
	ap->audit(r, "comments.words", argv[2]);
	return 0;
}

/* comments page KEY: a page's title and whether it takes comments; the
 * change bumps the page's version (the views and feeds show it at once). */
static int
cli_page(struct ap_req *r, int argc, char **argv)
{
	const char *page, *title = NULL;
	int closed = -1, rc;
	struct ap_res *res;

	if (argc < 3)
		return cli_usage(r);
	page = argv[2];
	if (!cm_page_ok(page)) {
		fprintf(stderr, "aparte-admin comments: %s is not a page key "
		    "(a path such as /blog/article)\n", page);
		return 2;
	}
	for (int i = 3; i < argc; i++) {
		if (strcmp(argv[i], "--title") == 0 && i + 1 < argc)
			title = argv[++i];
		else if (strcmp(argv[i], "--close") == 0)
			closed = 1;
		else if (strcmp(argv[i], "--open") == 0)
			closed = 0;
		else
			return cli_usage(r);
	}
	if (title && cm_chars(title) > 300) {
		fprintf(stderr, "aparte-admin comments: a title has at most "
		    "300 characters\n");
		return 2;
	}
	if (title || closed >= 0) {
		if ((rc = ap->begin(r)) != AP_OK)
			return cli_db(r, rc);
		rc = ap->exec(r, "INSERT INTO comments_pages (page, title, "
		    "closed) "
		    "VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE title = "
		    "COALESCE(?, title), closed = IF(? < 0, closed, ?)",
		    AP_ARGS(AP_TEXT(page), AP_TEXT(title), AP_INT(closed > 0),
		    AP_TEXT(title), AP_INT(closed), AP_INT(closed)));
		if (rc == AP_OK)
			rc = cm_changed(r, page);
		if (rc == AP_OK)
			rc = ap->commit(r);
		if (rc != AP_OK) {
			ap->rollback(r);
			return cli_db(r, rc);
		}
		ap->audit(r, "comments.page", page);
	}
	res = ap->query(r, "SELECT COALESCE(title, '-'), closed, (SELECT "
	    "COUNT(*) FROM comments c WHERE c.page = ? AND c.status = "
	    "'approved') FROM comments_pages WHERE page = ?",
	    AP_ARGS(AP_TEXT(page), AP_TEXT(page)));
	if (res == NULL)
		return cli_db(r, ap->db_error(r));
	if (ap->rows(res) == 0)
		ap->out(r, "%s\ttitle -\topen\n", page);
	else
		ap->out(r, "%s\ttitle %s\t%s\t%s approved\n", page,
		    ap->cell(res, 0, 0), ap->cell_int(res, 0, 1) ? "closed" :
		    "open", ap->cell(res, 0, 2));
	return 0;
}

/* aparte-admin comments ...: dispatches to the subcommands; the actions
 * go through cm_act, as the console's do.  Exit status 0, 1 (a comment
 * could not be changed) or 2 (usage). */
int
cm_cli(struct ap_req *r, void *state, int argc, char **argv)
{
	enum cm_action a;
	int fails = 0;

	(void)state;
	if (argc < 2 || strcmp(argv[1], "help") == 0)
		return cli_usage(r);
	if (strcmp(argv[1], "list") == 0)
		return cli_list(r, argc, argv);
	if (strcmp(argv[1], "show") == 0 && argc == 3)
		return cli_show(r, argv[2]);
	if (strcmp(argv[1], "words") == 0)
		return cli_words(r, argc, argv);
	if (strcmp(argv[1], "page") == 0)
		return cli_page(r, argc, argv);
	a = cm_action_parse(argv[1]);
	if (a == CM_ACT_NONE || argc < 3)
		return cli_usage(r);
	for (int i = 2; i < argc; i++) {
		long long id = cm_id_arg(argv[i]);
		int rc = id ? cm_act(r, id, a) : AP_EINVAL;

		if (rc == AP_OK) {
			ap->out(r, "%lld %s\n", id, a == CM_ACT_DELETE ?
			    "deleted" : a == CM_ACT_TRASH ? "trashed" :
			    a == CM_ACT_SPAM ? "marked spam" : "approved");
		} else if (rc == AP_EINVAL) {
			fprintf(stderr, "aparte-admin comments: %s: "
			    "%s\n", argv[i],
			    a == CM_ACT_DELETE ? "no such comment in the spam "
			    "or "
			    "the trash" : "no such comment");
			fails++;
		} else {
			return cli_db(r, rc);
		}
	}
	return fails ? 1 : 0;
}
