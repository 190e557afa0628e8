/*
 * comments.h: what the files of the comments plugin share.  The plugin
 * reaches the core only through <aparte/plugin.h>.
 *
 *   comments.c   the descriptor, settings, statuses, shared helpers
 *   text.c       pure text rules: lengths, emails, URLs, page keys, links
 *   view.c       the thread of a page: reading, caching, rendering
 *   page.c       GET /comments (page and fragment), the form
 *   post.c       POST /comments, the author's edit and delete
 *   moderate.c   status changes, the moderation queue, the word lists
 *   notify.c     mail to moderators and to commenters, unsubscribe
 *   feed.c       Atom feeds
 *   privacy.c    cron purges, privacy export and erase
 *   cli.c        aparte-admin comments ...
 *   wxr.c        aparte-admin import wxr FILE
 */
#ifndef COMMENTS_H
#define COMMENTS_H

#include <stddef.h>
#include <time.h>

#include <aparte/plugin.h>

extern const struct ap_host *ap;

/* The limits, in characters. */
#define CM_AUTHOR_MAX 100
#define CM_EMAIL_MAX 254
#define CM_URL_MAX 200
#define CM_BODY_MIN 2
#define CM_BODY_MAX 10000
#define CM_PAGE_MAX 180
#define CM_WORD_MAX 100
#define CM_OWN_MAX 20          /* comment ids kept in the author's cookie */

/* Cookies (Path=/, so that the site's pages and their SSI see them). */
#define CM_COOKIE_OWN "aparte_comments"
#define CM_COOKIE_ME "aparte_commenter"

enum cm_status { CM_PENDING = 0, CM_APPROVED, CM_SPAM, CM_TRASH };

/* The settings of [comments], read once at start. */
struct cm_conf {
	int newest_first;
	int per_page;
	int depth;
	int hold_all;
	int hold_first;
	int max_links;
	long flood_interval;
	int flood_burst;
	long edit_window;
	long ip_retention;
	long spam_retention;
	long trash_retention;
	int notify_moderators;
	const char *moderators;
	const char *notify_roles;
	int feed_items;
	const char *pages;
	size_t cache_size;
	int https;
};
extern struct cm_conf cm_conf;

/* A comment as the thread shows it. */
struct cm_comment {
	long long id, parent;
	enum cm_status status;
	const char *author, *url, *body;
	time_t created, edited;
	char lang[8];           /* the site's language its author wrote in */
	/* per request */
	int own;                /* in the visitor's cookie */
	int shown;              /* approved, or an ancestor of one */
	int first, next, last;  /* children list, indices or -1 */
};

/* comments.c */
const char *cm_status_name(enum cm_status s);
int cm_status_parse(const char *s);          /* -1 when unknown */
const char *cm_status_label(struct ap_req *r, enum cm_status s);
char *cm_counter_name(struct ap_req *r, const char *page);
int cm_changed(struct ap_req *r, const char *page);
int cm_page_allowed(const char *page);
const char *cm_page_title(struct ap_req *r, const char *page);
char *cm_page_url(struct ap_req *r, const char *page, long pageno);
char *cm_site_url(struct ap_req *r, const char *path);
int cm_set_cookie(struct ap_req *r, const char *name, const char *value,
    long max_age);
long long *cm_own_ids(struct ap_req *r, size_t *n);
void cm_own_add(struct ap_req *r, long long id);
const char *cm_author_name(struct ap_req *r, const char *author);

/* text.c: no host calls, so that the unit tests run them alone. */
size_t cm_chars(const char *s);
size_t cm_prefix(const char *s, size_t n);
void cm_squash(char *s);
void cm_clean_body(char *s);
int cm_email_ok(const char *s);
enum cm_url_rc { CM_URL_OK = 0, CM_URL_SCHEME, CM_URL_BAD };
enum cm_url_rc cm_url_check(const char *s);
int cm_page_ok(const char *s);
int cm_link_next(const char *s, size_t from, size_t *start, size_t *len);
char *cm_link_href(const char *link, char *out, size_t cap);
size_t cm_links(const char *s);
void cm_fold(const char *in, char *out, size_t cap);
void cm_dup_text(const char *in, char *out, size_t cap);
size_t cm_html_to_text(const char *in, char *out, size_t cap);
int cm_ids_parse(const char *s, long long *ids, size_t max);

/* view.c */
struct cm_view;
int cm_view_get(struct ap_req *r, const char *page, struct cm_view **v);
long long cm_view_total(const struct cm_view *v);
const char *cm_view_title(const struct cm_view *v);
int cm_view_closed(const struct cm_view *v);
int cm_on_first_page(struct ap_req *r, const char *page, long long id,
    int *first);
char *cm_locate_url(struct ap_req *r, const char *page, long long id);
void cm_body(struct ap_req *r, const char *body);
void cm_view_free_all(void);

struct cm_render {
	const char *page;
	long pageno;
	long long reply;        /* the comment replied to, or 0 */
	long long locate;       /* show the page of threads holding it */
	int fragment;
	const char *ret;        /* where the form comes back to */
};
int cm_thread(struct ap_req *r, struct cm_view *v, struct cm_render *rd,
    void (*form)(struct ap_req *, struct cm_render *));

/* page.c */
struct cm_input {
	const char *page, *ret;
	long long parent;
	const char *author, *email, *url, *body;
	int remember, notify;
	int closed;             /* the page takes no new comments */
	const char *parent_name;
	/* errors, already translated, next to their field */
	const char *e_author, *e_email, *e_url, *e_body;
	const char *message;    /* above the form */
	const char *message_kind;
};
void cm_form(struct ap_req *r, struct cm_input *in, int heading);
int cm_get(struct ap_req *r, void *state);
int cm_form_page(struct ap_req *r, struct cm_input *in, int status);
int cm_error(struct ap_req *r, int status, const char *title,
    const char *text);
void cm_me_read(struct ap_req *r, struct cm_input *in);
long long cm_id_arg(const char *s);

/* post.c */
int cm_post(struct ap_req *r, void *state);
int cm_edit_get(struct ap_req *r, void *state);
int cm_edit_post(struct ap_req *r, void *state);
int cm_delete_post(struct ap_req *r, void *state);
struct cm_judge {
	enum cm_status status;
	int verdict;            /* -1: no filter judged */
	double score;
	const char *reasons;
	int retry;
	const char *refused;    /* a refuse-list word, or NULL */
};
int cm_judge(struct ap_req *r, const char *form, const char *page,
    const char *author, const char *email, const char *url, const char *body,
    struct cm_judge *j);

/* moderate.c */
enum cm_action { CM_ACT_APPROVE, CM_ACT_SPAM, CM_ACT_HAM, CM_ACT_TRASH,
	CM_ACT_DELETE, CM_ACT_NONE };
enum cm_action cm_action_parse(const char *s);
int cm_act(struct ap_req *r, long long id, enum cm_action act);
int cm_admin_get(struct ap_req *r, void *state);
int cm_admin_post(struct ap_req *r, void *state);
int cm_admin_one_get(struct ap_req *r, void *state);
int cm_admin_one_post(struct ap_req *r, void *state);
int cm_admin_reply_post(struct ap_req *r, void *state);
int cm_words_get(struct ap_req *r, void *state);
int cm_words_post(struct ap_req *r, void *state);
int cm_on_dashboard(struct ap_req *r, void *state, void *data);
int cm_on_menu(struct ap_req *r, void *state, void *data);
struct ap_res *cm_words_load(struct ap_req *r);
int cm_words_match(struct ap_req *r, struct ap_res *words, const char *list,
    const char *folded, const char **word);

/* notify.c */
void cm_notify_moderators(struct ap_req *r, long long id);
void cm_notify_reply(struct ap_req *r, long long id);
int cm_unsub_get(struct ap_req *r, void *state);
int cm_unsub_post(struct ap_req *r, void *state);

/* feed.c */
int cm_feed(struct ap_req *r, void *state);

/* privacy.c */
int cm_on_cron(struct ap_req *r, void *state, void *data);
int cm_on_export(struct ap_req *r, void *state, void *data);
int cm_on_erase(struct ap_req *r, void *state, void *data);

/* cli.c, wxr.c */
int cm_cli(struct ap_req *r, void *state, int argc, char **argv);
int cm_import(struct ap_req *r, void *state, int argc, char **argv);

#endif /* COMMENTS_H */
