/*
 * privacy.c: what the comments keep about people, and for how long.  The
 * cron hook erases commenters' IPs and browsers after ip_retention and
 * purges spam and the trash after their retention (a comment that
 * replies hang below keeps its place, emptied).  privacy.export gives
 * everything held about an email; privacy.erase anonymizes its comments
 * and keeps the threads whole, as WordPress's eraser does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "comments.h"

#define PRIVACY_BATCH 500

/* Deletes up to PRIVACY_BATCH comments of status older than age seconds
 * with no reply; returns how many, or an error. */
static long
privacy_purge(struct ap_req *r, const char *status, long age)
{
	struct ap_res *res = ap->query(r, "SELECT c.id FROM comments c WHERE "
	    "c.status = ? AND c.status_at < ? AND NOT EXISTS (SELECT 1 FROM "
	    "comments ch WHERE ch.parent_id = c.id) LIMIT ?",
	    AP_ARGS(AP_TEXT(status), AP_INT(ap->now(r) - age),
	    AP_INT(PRIVACY_BATCH)));
	long n = 0;

	if (res == NULL)
		return ap->db_error(r);
	for (size_t i = 0; i < ap->rows(res); i++) {
		int rc = ap->exec(r, "DELETE FROM comments WHERE id = ? AND "
		    "status = ?", AP_ARGS(AP_INT(ap->cell_int(res, i, 0)),
		    AP_TEXT(status)));

		if (rc != AP_OK)
			return rc;
		n += ap->affected(r) > 0;
	}
	return n;
}

/* cron: erases the IPs and browsers past ip_retention, purges the spam and
 * the trash past their retention. */
int
cm_on_cron(struct ap_req *r, void *state, void *data)
{
	long spam, trash;
	int rc;

	(void)state;
	(void)data;
	rc = ap->exec(r, "UPDATE comments SET ip = NULL, user_agent = NULL "
	    "WHERE ip IS NOT NULL AND created < ?",
	    AP_ARGS(AP_INT(ap->now(r) - cm_conf.ip_retention)));
	if (rc != AP_OK)
		return AP_DECLINED;
	if (ap->affected(r) > 0)
		ap->log(AP_LOG_INFO, "comments: IP addresses of %lld comments "
		    "erased (older than %ld days)", ap->affected(r),
		    cm_conf.ip_retention / 86400);
	/* what is left after erasing the IPs of the recent ones */
	rc = ap->exec(r, "UPDATE comments SET user_agent = NULL WHERE ip IS "
	    "NULL AND user_agent IS NOT NULL AND created < ?",
	    AP_ARGS(AP_INT(ap->now(r) - cm_conf.ip_retention)));
	if (rc != AP_OK)
		return AP_DECLINED;
	spam = privacy_purge(r, "spam", cm_conf.spam_retention);
	trash = privacy_purge(r, "trash", cm_conf.trash_retention);
	if (spam > 0 || trash > 0)
		ap->log(AP_LOG_INFO, "comments: purged %ld spam and %ld "
		    "trashed comments", spam > 0 ? spam : 0, trash > 0 ? trash :
		    0);
	return AP_OK;
}

/* privacy.export: every comment sent with the email, all its fields,
 * what the spam filter and the site's rules said of it included. */
int
cm_on_export(struct ap_req *r, void *state, void *data)
{
	struct ap_privacy *p = data;
	struct ap_res *res;

	(void)state;
	res = ap->query(r, "SELECT id, page, status, created, edited, author, "
	    "email, url, ip, user_agent, notify, body, parent_id, lang, "
	    "verdict, score, reasons FROM comments WHERE email = ? ORDER BY "
	    "created", AP_ARGS(AP_TEXT(p->email)));
	if (res == NULL)
		return ap->db_error(r);
	for (size_t i = 0; i < ap->rows(res); i++) {
		const char *kv[] = {
			"id", ap->cell(res, i, 0),
			"page", ap->cell(res, i, 1),
			"status", ap->cell(res, i, 2),
			"date", ap->iso_date(r, (time_t)ap->cell_int(res, i,
			    3)),
			"edited", ap->cell(res, i, 4) ? ap->iso_date(r,
			    (time_t)ap->cell_int(res, i, 4)) : "",
			"author", ap->cell(res, i, 5),
			"email", ap->cell(res, i, 6),
			"website", ap->cell(res, i, 7) ? ap->cell(res, i, 7) :
			    "",
			"ip", ap->cell(res, i, 8) ? ap->cell(res, i, 8) : "",
			"user_agent", ap->cell(res, i, 9) ?
			    ap->cell(res, i, 9) : "",
			"notify_replies", ap->cell_int(res, i, 10) ? "yes" :
			    "no",
			"text", ap->cell(res, i, 11),
			"in_reply_to", ap->cell(res, i, 12) ?
			    ap->cell(res, i, 12) : "",
			"language", ap->cell(res, i, 13),
			"filter_verdict", ap->cell(res, i, 14) ?
			    ap->cell(res, i, 14) : "",
			"filter_score", ap->cell(res, i, 15) ?
			    ap->cell(res, i, 15) : "",
			"moderation_reasons", ap->cell(res, i, 16) ?
			    ap->cell(res, i, 16) : "",
			NULL,
		};

		ap->privacy_item(r, p, "comment", kv);
	}
	return AP_OK;
}

/* Anonymizes every comment of the email in one transaction: name, email,
 * website, IP, browser go; the text and the thread stay. */
int
cm_on_erase(struct ap_req *r, void *state, void *data)
{
	struct ap_privacy *p = data;
	struct ap_res *pages;
	long long n;
	int rc;

	(void)state;
	if ((rc = ap->begin(r)) != AP_OK)
		return rc;
	pages = ap->query(r, "SELECT DISTINCT page FROM comments WHERE email = "
	    "? AND status = 'approved'", AP_ARGS(AP_TEXT(p->email)));
	if (pages == NULL) {
		rc = ap->db_error(r);
		ap->rollback(r);
		return rc;
	}
	rc = ap->exec(r, "UPDATE comments SET author = '', email = '', url = "
	    "NULL, ip = NULL, user_agent = NULL, notify = 0, user_id = NULL, "
	    "dup = NULL WHERE email = ?", AP_ARGS(AP_TEXT(p->email)));
	n = ap->affected(r);
	for (size_t i = 0; rc == AP_OK && i < ap->rows(pages); i++)
		rc = cm_changed(r, ap->cell(pages, i, 0));
	if (rc == AP_OK)
		rc = ap->commit(r);
	if (rc != AP_OK) {
		ap->rollback(r);
		return rc;
	}
	p->erased += (long)n;
	return AP_OK;
}
