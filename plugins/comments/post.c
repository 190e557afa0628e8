/*
 * post.c: POST /comments, a visitor's comment from the form to the
 * database: every field checked (the form comes back with what was typed
 * and the message next to the field), the form's token, the flood
 * control, duplicates, the content.check hook and the site's moderation
 * rules, then one transaction, the notifications, the author's cookie and
 * a redirect to the comment's permalink.  Also the author's edit and
 * delete, for edit_window after posting.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "comments.h"

/* ---- checking what was typed ---- */

static char *
post_field(struct ap_req *r, const char *name)
{
	const char *v = ap->form(r, name);

	return ap->strdup(r, v ? v : "");
}

/* Normalizes and checks author, email, url and body of in; sets the
 * errors.  Returns the number of errors. */
static int
post_check_fields(struct ap_req *r, struct cm_input *in, int with_email)
{
	int errors = 0;
	size_t n;

	if (in->author) {
		cm_squash((char *)in->author);
		n = cm_chars(in->author);
		if (n == 0) {
			in->e_author = ap->tr(r, "Indiquez votre nom (il sera "
			    "publié avec votre commentaire).");
			errors++;
		} else if (n > CM_AUTHOR_MAX) {
			in->e_author = ap->printf(r, ap->tr(r, "Votre nom est "
			    "trop long : %zu caractères, pour 100 au "
			    "plus."), n);
			errors++;
		}
	}
	if (with_email) {
		cm_squash((char *)in->email);
		if (*in->email == '\0') {
			in->e_email = ap->tr(r, "Indiquez votre adresse e-mail "
			    "(elle ne sera pas publiée).");
			errors++;
		} else if (strlen(in->email) > CM_EMAIL_MAX) {
			in->e_email = ap->tr(r, "Cette adresse e-mail est trop "
			    "longue : 254 caractères au plus.");
			errors++;
		} else if (!cm_email_ok(in->email)) {
			in->e_email = ap->tr(r, "Cette adresse e-mail n’est "
			    "pas "
			    "valide ; elle ressemble à nom@exemple.fr.");
			errors++;
		}
	}
	if (in->url) {
		cm_squash((char *)in->url);
		if (*in->url == '\0') {
			in->url = NULL;
		} else {
			enum cm_url_rc u = cm_url_check(in->url);

			/* "exemple.fr" is taken as https://exemple.fr */
			if (u == CM_URL_BAD && strchr(in->url, ':') == NULL &&
			    strchr(in->url, '.') != NULL && in->url[0] != '/' &&
			    in->url[0] != '.') {
				char *w = ap->printf(r, "https://%s", in->url);

				if (cm_url_check(w) == CM_URL_OK) {
					in->url = w;
					u = CM_URL_OK;
				}
			}
			if (u == CM_URL_SCHEME) {
				in->e_url = ap->tr(r, "L’adresse de votre site "
				    "doit "
				    "commencer par http:// ou https:// ; les "
				    "autres (javascript:, data: …) sont "
				    "refusées.");
				errors++;
			} else if (u != CM_URL_OK) {
				in->e_url = ap->tr(r, "Cette adresse de site "
				    "n’est "
				    "pas valide ; elle ressemble à "
				    "https://exemple.fr/.");
				errors++;
			} else if (cm_chars(in->url) > CM_URL_MAX) {
				in->e_url = ap->printf(r, ap->tr(r, "L’adresse "
				    "de "
				    "votre site est trop longue : %zu "
				    "caractères, pour 200 au plus."),
				    cm_chars(in->url));
				errors++;
			}
		}
	}
	cm_clean_body((char *)in->body);
	n = cm_chars(in->body);
	if (n < CM_BODY_MIN) {
		in->e_body = n == 0 ? ap->tr(r, "Écrivez votre commentaire.") :
		    ap->tr(r, "Votre commentaire est trop court : 2 caractères "
		    "au moins.");
		errors++;
	} else if (n > CM_BODY_MAX) {
		in->e_body = ap->printf(r, ap->tr(r, "Votre commentaire est "
		    "trop "
		    "long : %zu caractères, pour 10 000 au plus. Raccourcissez-"
		    "le ou partagez-le en deux."), n);
		errors++;
	}
	return errors;
}

/* The keyed hash that finds the same comment sent twice. */
static char *
post_dup_key(struct ap_req *r, const char *page, const char *email,
    const char *body)
{
	size_t cap = strlen(body) + 1;
	char *t = ap->alloc(r, cap), *e = ap->alloc(r, strlen(email) + 1);

	cm_dup_text(body, t, cap);
	cm_dup_text(email, e, strlen(email) + 1);
	return ap->hash_hex(r, ap->printf(r, "%s\n%s\n%s", page, e, t));
}

/* Appends a reason (in the site's language: moderators read them). */
static const char *
post_reason(struct ap_req *r, const char *reasons, const char *add)
{
	if (reasons == NULL || *reasons == '\0')
		return add;
	return ap->printf(r, "%s; %s", reasons, add);
}

/* Decides a new or edited comment's status: the filters listening to
 * content.check first, then the site's rules (hold_all, word lists, and
 * for what no filter judged or judged unsure: links and first comments).
 * A moderator's comment is approved.  form is the name the form gave to
 * form.fields ("comment", "comment-edit"): the filters check its fields
 * as that form's. */
int
cm_judge(struct ap_req *r, const char *form, const char *page,
    const char *author, const char *email, const char *url, const char *body,
    struct cm_judge *j)
{
	const char *ua = ap->env(r, "HTTP_USER_AGENT");
	struct ap_content c = { .size = sizeof(c), .kind = "comment",
	    .form = form, .text = body, .author = author, .email = email,
	    .url = url, .ip = ap->is_cli(r) ? NULL : ap->client_ip(r),
	    .user_agent = ua, .page = page };
	const char *word = NULL, *all;
	struct ap_res *words;
	char *folded = NULL;
	int rc, hold = 0;

	memset(j, 0, sizeof(*j));
	j->verdict = -1;
	rc = ap->hook_run(r, "content.check", &c);
	if (rc == AP_EDB)
		return AP_EDB;
	if (rc < 0) {
		/* A filter failed: keep the comment for a moderator. */
		j->status = CM_PENDING;
		j->reasons = ap->tr(NULL, "le filtre n’a pas pu juger");
		return AP_OK;
	}
	if (c.retry) {
		j->retry = 1;
		j->reasons = c.reasons;
		return AP_OK;
	}
	if (c.checked) {
		j->verdict = (int)c.verdict;
		j->score = c.score;
	}
	j->reasons = c.reasons;
	words = cm_words_load(r);
	if (words == NULL)
		return ap->db_error(r);
	if (ap->rows(words)) {
		all = ap->printf(r, "%s\n%s\n%s\n%s\n%s\n%s", author, email,
		    url ? url : "", body, c.ip ? c.ip : "", ua ? ua : "");
		folded = ap->alloc(r, strlen(all) + 1);
		cm_fold(all, folded, strlen(all) + 1);
		if (cm_words_match(r, words, "refuse", folded, &word)) {
			j->refused = word;
			return AP_OK;
		}
	}
	if (ap->has_role(r, "moderator")) {
		j->status = CM_APPROVED;
		return AP_OK;
	}
	if (c.checked && c.verdict == AP_SPAM) {
		j->status = CM_SPAM;
		return AP_OK;
	}
	if (cm_conf.hold_all) {
		hold = 1;
		j->reasons = post_reason(r, j->reasons, ap->tr(NULL,
		    "tous les commentaires sont modérés"));
	}
	if (folded != NULL && cm_words_match(r, words, "hold", folded, &word)) {
		hold = 1;
		j->reasons = post_reason(r, j->reasons, ap->printf(r,
		    ap->tr(NULL, "mot à modérer : « %s »"), word));
	}
	if (!c.checked || c.verdict == AP_UNSURE) {
		size_t links = cm_links(body);

		if (links > (size_t)cm_conf.max_links) {
			hold = 1;
			j->reasons = post_reason(r, j->reasons, ap->printf(r,
			    ap->tr(NULL, "%zu liens (plus de %d)"), links,
			    cm_conf.max_links));
		}
		if (cm_conf.hold_first) {
			struct ap_res *res = ap->query(r, "SELECT 1 FROM "
			    "comments WHERE email = ? AND status = 'approved' "
			    "LIMIT 1", AP_ARGS(AP_TEXT(email)));

			if (res == NULL)
				return ap->db_error(r);
			if (ap->rows(res) == 0) {
				hold = 1;
				j->reasons = post_reason(r, j->reasons,
				    ap->tr(NULL, "premier commentaire de cette "
				    "adresse e-mail"));
			}
		}
	}
	j->status = hold ? CM_PENDING : CM_APPROVED;
	return AP_OK;
}

static const char *const post_verdicts[] = { "ham", "unsure", "spam" };

static struct ap_val
post_verdict_val(const struct cm_judge *j)
{
	return j->verdict >= 0 && j->verdict <= 2 ?
	    AP_TEXT(post_verdicts[j->verdict]) : AP_NULLV;
}

static struct ap_val
post_text_or_null(const char *s)
{
	return s && *s ? AP_TEXT(s) : AP_NULLV;
}

/* Cuts s to at most max bytes, at a character boundary. */
static const char *
post_cut(struct ap_req *r, const char *s, size_t max)
{
	size_t n;

	if (s == NULL || strlen(s) <= max)
		return s;
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return ap->strndup(r, s, n);
}

/* Where to go back after posting: the form's return target or the
 * Referer when it is a page of this site, else the backend's page. */
static const char *
post_back(struct ap_req *r, struct cm_input *in)
{
	const char *ref = ap->env(r, "HTTP_REFERER");
	const char *base = ap->conf("site", "base_url");
	const char *t = NULL;

	if (in->ret && ap->is_local_path(in->ret))
		t = in->ret;
	else if (ref && strncmp(ref, base, strlen(base)) == 0 &&
	    ap->is_local_path(ref + strlen(base)))
		t = ref + strlen(base);
	if (t == NULL)
		return cm_page_url(r, in->page, 0);
	return ap->strndup(r, t, strcspn(t, "#"));
}

/* The permalink: on the page the visitor came from when the thread is on
 * the first page of threads (the one the site's page includes), else on
 * the backend's page that locates the comment. */
static const char *
post_permalink(struct ap_req *r, struct cm_input *in, long long id)
{
	const char *back = post_back(r, in);
	int first = 1;

	if (cm_on_first_page(r, in->page, id, &first) == AP_OK && !first)
		return cm_locate_url(r, in->page, id);
	return ap->printf(r, "%s#comment-%lld", back, id);
}

/* The author's name, email and website, kept in this browser when they
 * asked, forgotten when they unticked the box. */
static void
post_remember(struct ap_req *r, struct cm_input *in)
{
	if (in->remember)
		cm_set_cookie(r, CM_COOKIE_ME, ap->sign(r, "comments.me",
		    ap->printf(r, "%s\n%s\n%s", in->author, in->email,
		    in->url ? in->url : "")), 365L * 86400);
	else if (ap->cookie(r, CM_COOKIE_ME) != NULL)
		cm_set_cookie(r, CM_COOKIE_ME, "", -1);
}

/* POST /comments: checks, in this order, the fields, the form's token, the
 * comment replied to, the page being open, duplicates, the flood control;
 * then the filters and rules; then stores the comment in one transaction,
 * tells who must be told, and sends the visitor to the comment.  Every
 * refusal shows the form again with what was typed. */
int
cm_post(struct ap_req *r, void *state)
{
	struct cm_input in = { 0 };
	struct cm_judge j;
	const char *tok = ap->form(r, "_ctok"), *payload = NULL, *dup;
	const char *form_key;
	const char *parent_s = ap->form(r, "parent"), *ip;
	const struct ap_user *u = ap->user(r);
	long long parent_root = 0, id;
	struct ap_res *res;
	long age;
	int errors, rc, trc;

	(void)state;
	in.page = post_field(r, "page");
	in.ret = ap->form(r, "return");
	if (in.ret && (!ap->is_local_path(in.ret) || strlen(in.ret) > 1000))
		in.ret = NULL;
	in.author = post_field(r, "author");
	in.email = post_field(r, "email");
	in.url = post_field(r, "url");
	in.body = post_field(r, "body");
	in.remember = ap->form(r, "remember") != NULL;
	in.notify = ap->form(r, "notify") != NULL;
	in.parent = cm_id_arg(parent_s);
	if (!cm_page_ok(in.page) || !cm_page_allowed(in.page)) {
		in.message = ap->tr(r, "Ce commentaire ne dit pas à quelle "
		    "page "
		    "du site il se rapporte, ou cette page ne reçoit pas de "
		    "commentaires. Votre texte est conservé ci-dessous.");
		in.page = "/";
		return cm_form_page(r, &in, 400);
	}
	errors = post_check_fields(r, &in, 1);
	if (parent_s && *parent_s && in.parent == 0) {
		in.message = ap->tr(r, "Le commentaire auquel vous répondez "
		    "n’est "
		    "pas valide.");
		errors++;
	}
	trc = ap->verify(r, "comments.form", tok, 86400, &payload, &age);
	if (trc == AP_OK && (strncmp(payload, in.page, strlen(in.page)) != 0 ||
	    payload[strlen(in.page)] != '\n'))
		trc = AP_EINVAL;
	if (trc != AP_OK) {
		in.message = trc == AP_EEXPIRED ? ap->tr(r, "Ce formulaire a "
		    "expiré (il a plus d’un jour). Votre texte est conservé : "
		    "vérifiez-le et renvoyez-le.") : ap->tr(r, "Ce formulaire "
		    "n’a pas pu être vérifié. Votre texte est conservé : "
		    "renvoyez-le.");
		return cm_form_page(r, &in, trc == AP_EEXPIRED ? 422 : 400);
	}
	if (in.parent) {
		res = ap->query(r, "SELECT page, status, author, root_id FROM "
		    "comments WHERE id = ?", AP_ARGS(AP_INT(in.parent)));
		if (res == NULL)
			return ap->db_error(r);
		if (ap->rows(res) == 0 || strcmp(ap->cell(res, 0, 0),
		    in.page) != 0 || strcmp(ap->cell(res, 0, 1),
		    "approved") != 0) {
			in.message = ap->tr(r, "Le commentaire auquel vous "
			    "répondiez n’existe pas ou n’est plus publié. "
			    "Votre "
			    "texte est conservé : envoyé tel quel, il sera "
			    "publié à la suite de la discussion.");
			in.parent = 0;
			return cm_form_page(r, &in, 422);
		}
		in.parent_name = cm_author_name(r, ap->cell(res, 0, 2));
		parent_root = ap->cell_int(res, 0, 3);
	}
	if (errors) {
		if (in.message == NULL)
			in.message = errors == 1 ? ap->tr(r, "Votre "
			    "commentaire "
			    "n’est pas encore publié : corrigez ce qui est "
			    "signalé ci-dessous.") : ap->tr(r, "Votre "
			    "commentaire "
			    "n’est pas encore publié : corrigez les points "
			    "signalés ci-dessous.");
		return cm_form_page(r, &in, 422);
	}
	res = ap->query(r, "SELECT closed FROM comments_pages WHERE page = ?",
	    AP_ARGS(AP_TEXT(in.page)));
	if (res == NULL)
		return ap->db_error(r);
	if (ap->rows(res) && ap->cell_int(res, 0, 0)) {
		in.closed = 1;
		return cm_form_page(r, &in, 403);
	}

	/* The same comment twice: the form that sent it, sent again (a
	 * double click), goes to the comment; any other form is told.  Only
	 * the form that made the comment gets a hold on it: another could
	 * carry the text and email of someone else's. */
	dup = post_dup_key(r, in.page, in.email, in.body);
	form_key = ap->hash_hex(r, ap->printf(r, "comments.made\n%s", tok));
	res = ap->query(r, "SELECT id, form_key FROM comments WHERE page = ? "
	    "AND dup = ?", AP_ARGS(AP_TEXT(in.page), AP_TEXT(dup)));
	if (res == NULL)
		return ap->db_error(r);
	if (ap->rows(res)) {
		id = ap->cell_int(res, 0, 0);
		rc = ap->spend(r, "comments.form", tok, 86400 + 300);
		if (rc == AP_EDUP && ap->cell(res, 0, 1) != NULL &&
		    ap->equal(ap->cell(res, 0, 1), form_key)) {
			cm_own_add(r, id);
			return ap->redirect(r, 303, post_permalink(r, &in, id));
		}
		if (rc != AP_OK && rc != AP_EDUP)
			return rc;
		in.e_body = ap->tr(r, "Vous avez déjà envoyé ce commentaire "
		    "sur "
		    "cette page.");
		in.message = ap->tr(r, "Ce commentaire est un doublon : il a "
		    "déjà été envoyé, il n’est pas publié une seconde fois.");
		return cm_form_page(r, &in, 409);
	}

	/* The flood control comes before the token is spent: the form
	 * shown again with the 429 can be sent as it is. */
	ip = ap->client_ip(r);
	if (cm_conf.flood_interval > 0 && !ap->has_role(r, "moderator")) {
		rc = ap->rate(r, ap->printf(r, "comments.flood %s", ip),
		    cm_conf.flood_burst, cm_conf.flood_interval);
		if (rc == AP_STOP) {
			ap->header(r, "Retry-After", ap->printf(r, "%ld",
			    cm_conf.flood_interval));
			in.message = ap->printf(r, ap->trn(r, "Vous commentez "
			    "trop vite : un commentaire par %ld seconde au "
			    "plus. "
			    "Patientez un instant, puis renvoyez-le : votre "
			    "texte "
			    "est conservé.", "Vous commentez trop vite : un "
			    "commentaire par %ld secondes au plus. Patientez "
			    "un "
			    "instant, puis renvoyez-le : votre texte est "
			    "conservé.", (unsigned long)cm_conf.flood_interval),
			    cm_conf.flood_interval);
			return cm_form_page(r, &in, 429);
		}
		if (rc != AP_OK)
			return rc;
	}
	rc = ap->spend(r, "comments.form", tok, 86400 + 300);
	if (rc == AP_EDUP) {
		in.message = ap->tr(r, "Ce formulaire a déjà été envoyé une "
		    "fois. "
		    "Votre texte est conservé : renvoyez-le si vous le "
		    "souhaitez.");
		return cm_form_page(r, &in, 400);
	}
	if (rc != AP_OK)
		return rc;

	rc = cm_judge(r, "comment", in.page, in.author, in.email, in.url,
	    in.body, &j);
	if (rc != AP_OK)
		return rc;
	if (j.retry) {
		in.message = ap->tr(r, "Votre envoi n’a pas pu être vérifié "
		    "(le "
		    "formulaire a peut-être expiré). Votre texte est conservé "
		    ": "
		    "renvoyez-le.");
		return cm_form_page(r, &in, 422);
	}
	if (j.refused) {
		in.e_body = ap->printf(r, ap->tr(r, "Votre commentaire "
		    "contient "
		    "« %s », que ce site n’accepte pas."), j.refused);
		in.message = ap->tr(r, "Votre commentaire n’est pas publié : "
		    "corrigez ce qui est signalé ci-dessous.");
		return cm_form_page(r, &in, 422);
	}

	if ((rc = ap->begin(r)) != AP_OK)
		return rc;
	rc = ap->exec(r, "INSERT INTO comments (page, parent_id, root_id, "
	    "status, status_at, author, email, url, body, created, ip, "
	    "user_agent, user_id, lang, notify, verdict, score, reasons, dup, "
	    "form_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
	    "?, ?, ?, ?)",
	    AP_ARGS(AP_TEXT(in.page), in.parent ? AP_INT(in.parent) : AP_NULLV,
	    AP_INT(parent_root), AP_TEXT(cm_status_name(j.status)),
	    AP_INT(ap->now(r)), AP_TEXT(in.author), AP_TEXT(in.email),
	    post_text_or_null(in.url), AP_TEXT(in.body), AP_INT(ap->now(r)),
	    AP_TEXT(ip), post_text_or_null(post_cut(r,
	    ap->env(r, "HTTP_USER_AGENT"), 255)), u ? AP_INT(u->id) : AP_NULLV,
	    AP_TEXT(ap->lang(r)), AP_INT(in.notify), post_verdict_val(&j),
	    j.verdict >= 0 ? AP_DOUBLE(j.score) : AP_NULLV,
	    post_text_or_null(post_cut(r, j.reasons, 1000)), AP_TEXT(dup),
	    AP_TEXT(form_key)));
	if (rc == AP_OK) {
		id = ap->insert_id(r);
		if (!in.parent)
			rc = ap->exec(r, "UPDATE comments SET root_id = id "
			    "WHERE "
			    "id = ?", AP_ARGS(AP_INT(id)));
	}
	if (rc == AP_OK && j.status == CM_APPROVED)
		rc = cm_changed(r, in.page);
	if (rc == AP_OK)
		rc = ap->commit(r);
	if (rc != AP_OK) {
		ap->rollback(r);
		if (rc == AP_EDUP) {
			in.e_body = ap->tr(r, "Vous avez déjà envoyé ce "
			    "commentaire sur cette page.");
			return cm_form_page(r, &in, 409);
		}
		return rc;
	}
	cm_own_add(r, id);
	post_remember(r, &in);
	if (j.status == CM_PENDING)
		cm_notify_moderators(r, id);
	else if (j.status == CM_APPROVED && in.parent)
		cm_notify_reply(r, id);
	return ap->redirect(r, 303, post_permalink(r, &in, id));
}

/* ---- the author's edit and delete ---- */

struct post_own {
	long long id, parent;
	const char *page, *author, *email, *url, *body;
	enum cm_status status;
	time_t created;
	int children;
};

/* Loads comment id when this browser posted it less than edit_window
 * ago; otherwise answers with a page that says why (returns nonzero). */
static int
post_own_load(struct ap_req *r, long long id, struct post_own *o, int *rc)
{
	size_t n;
	long long *ids = cm_own_ids(r, &n);
	struct ap_res *res;
	int mine = 0;

	*rc = AP_OK;
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			mine = 1;
	if (!mine) {
		cm_error(r, 403, ap->tr(r, "Modification impossible"),
		    ap->tr(r, "Vous ne pouvez modifier ou supprimer que vos "
		    "propres commentaires, depuis le navigateur qui les a "
		    "envoyés."));
		return 1;
	}
	res = ap->query(r, "SELECT c.page, c.author, c.email, c.url, c.body, "
	    "c.status, c.created, c.parent_id, (SELECT COUNT(*) FROM comments "
	    "ch WHERE ch.parent_id = c.id) FROM comments c WHERE c.id = ? AND "
	    "c.status <> 'trash'", AP_ARGS(AP_INT(id)));
	if (res == NULL) {
		*rc = ap->db_error(r);
		return 1;
	}
	if (ap->rows(res) == 0) {
		cm_error(r, 404, ap->tr(r, "Commentaire introuvable"),
		    ap->tr(r, "Ce commentaire n’existe pas ou plus."));
		return 1;
	}
	o->id = id;
	o->page = ap->cell(res, 0, 0);
	o->author = ap->cell(res, 0, 1);
	o->email = ap->cell(res, 0, 2);
	o->url = ap->cell(res, 0, 3);
	o->body = ap->cell(res, 0, 4);
	o->status = (enum cm_status)cm_status_parse(ap->cell(res, 0, 5));
	o->created = (time_t)ap->cell_int(res, 0, 6);
	o->parent = ap->cell_int(res, 0, 7);
	o->children = (int)ap->cell_int(res, 0, 8);
	if (o->created + cm_conf.edit_window <= ap->now(r)) {
		cm_error(r, 403, ap->tr(r, "Délai de modification passé"),
		    ap->printf(r, ap->trn(r, "Un commentaire se modifie ou se "
		    "supprime dans la minute qui suit son envoi ; ce délai est "
		    "passé.", "Un commentaire se modifie ou se supprime dans "
		    "les "
		    "%ld minutes qui suivent son envoi ; ce délai est passé.",
		    (unsigned long)(cm_conf.edit_window / 60)),
		    cm_conf.edit_window / 60));
		return 1;
	}
	return 0;
}

static const char *
post_ret(struct ap_req *r, const char *ret, const char *page)
{
	if (ret && ap->is_local_path(ret) && strlen(ret) <= 1000)
		return ap->strndup(r, ret, strcspn(ret, "#"));
	return cm_page_url(r, page, 0);
}

/* The edit page: the text as it is (or as typed), the time left, and a
 * separate form to delete. */
static int
post_edit_page(struct ap_req *r, struct post_own *o, struct cm_input *in,
    int status)
{
	long left = (long)(o->created + cm_conf.edit_window - ap->now(r) + 59) /
	    60;
	struct ap_form_ctx fc = { .size = sizeof(fc), .kind = "comment",
	    .form = "comment-edit" };
	struct ap_field f;

	ap->status(r, status);
	ap->no_cache(r);
	ap->page_begin(r, ap->tr(r, "Modifier votre commentaire"));
	ap->open(r, "section", "class", "comments comment-edit", "id",
	    "comments", NULL);
	ap->elem(r, "h1", ap->tr(r, "Modifier votre commentaire"), NULL);
	ap->elem(r, "p", ap->printf(r, ap->trn(r, "Vous pouvez encore le "
	    "modifier ou le supprimer pendant %ld minute.", "Vous pouvez "
	    "encore "
	    "le modifier ou le supprimer pendant %ld minutes.",
	    (unsigned long)left), left), "class", "comment-edit-left", NULL);
	if (o->status != CM_APPROVED)
		ap->elem(r, "p", ap->tr(r, "Il est en attente de modération."),
		    NULL);
	if (in->message)
		ap->message(r, "error", in->message);
	ap->open(r, "form", "method", "post", "action",
	    ap->url(r, "/comments/edit"), "class", "comment-form", NULL);
	ap->csrf_field(r, "comments-edit");
	ap->empty(r, "input", "type", "hidden", "name", "id", "value",
	    ap->printf(r, "%lld", o->id), NULL);
	ap->empty(r, "input", "type", "hidden", "name", "return", "value",
	    in->ret, NULL);
	ap->hook_run(r, "form.fields", &fc);
	memset(&f, 0, sizeof(f));
	f.name = "author";
	f.id = "cf-author";
	f.label = ap->tr(r, "Nom");
	f.value = in->author;
	f.error = in->e_author;
	f.autocomplete = "name";
	f.required = 1;
	f.maxlength = CM_AUTHOR_MAX;
	ap->field(r, &f);
	memset(&f, 0, sizeof(f));
	f.type = "url";
	f.name = "url";
	f.id = "cf-url";
	f.label = ap->tr(r, "Site web");
	f.value = in->url;
	f.error = in->e_url;
	f.autocomplete = "url";
	f.maxlength = CM_URL_MAX;
	ap->field(r, &f);
	memset(&f, 0, sizeof(f));
	f.type = "textarea";
	f.name = "body";
	f.id = "cf-body";
	f.label = ap->tr(r, "Commentaire");
	f.value = in->body;
	f.error = in->e_body;
	f.required = 1;
	f.maxlength = CM_BODY_MAX;
	f.rows = 8;
	ap->field(r, &f);
	ap->open(r, "p", "class", "form-submit", NULL);
	ap->elem(r, "button", ap->tr(r, "Enregistrer les modifications"),
	    "type", "submit", NULL);
	ap->close(r);
	ap->close(r);   /* form */

	ap->open(r, "form", "method", "post", "action",
	    ap->url(r, "/comments/delete"), "class", "comment-delete", NULL);
	ap->csrf_field(r, "comments-delete");
	ap->empty(r, "input", "type", "hidden", "name", "id", "value",
	    ap->printf(r, "%lld", o->id), NULL);
	ap->empty(r, "input", "type", "hidden", "name", "return", "value",
	    in->ret, NULL);
	ap->open(r, "p", NULL);
	ap->elem(r, "button", ap->tr(r, "Supprimer ce commentaire"), "type",
	    "submit", "class", "button danger", "data-confirm",
	    ap->tr(r, "Supprimer ce commentaire ? Cela ne se défait pas."),
	    NULL);
	ap->close(r);
	ap->close(r);
	ap->open(r, "p", "class", "comments-back", NULL);
	ap->elem(r, "a", ap->tr(r, "Revenir à la discussion sans rien changer"),
	    "href", ap->printf(r, "%s#comment-%lld", in->ret, o->id), NULL);
	ap->close(r);
	ap->close(r);   /* section */
	return AP_OK;
}

/* GET /comments/edit?id=ID: the author's edit page, while it is time. */
int
cm_edit_get(struct ap_req *r, void *state)
{
	struct post_own o;
	struct cm_input in = { 0 };
	int rc;

	(void)state;
	if (post_own_load(r, cm_id_arg(ap->arg(r, "id")), &o, &rc))
		return rc;
	in.ret = post_ret(r, ap->arg(r, "return"), o.page);
	in.author = o.author;
	in.url = o.url;
	in.body = o.body;
	return post_edit_page(r, &o, &in, 200);
}

/* POST /comments/edit: the author's new name, website and text, checked
 * and judged again as a new comment is. */
int
cm_edit_post(struct ap_req *r, void *state)
{
	struct post_own o;
	struct cm_input in = { 0 };
	struct cm_judge j;
	enum cm_status st;
	const char *dup;
	int rc;

	(void)state;
	if (post_own_load(r, cm_id_arg(ap->form(r, "id")), &o, &rc))
		return rc;
	in.page = o.page;
	in.ret = post_ret(r, ap->form(r, "return"), o.page);
	in.author = post_field(r, "author");
	in.email = o.email;
	in.url = post_field(r, "url");
	in.body = post_field(r, "body");
	if (post_check_fields(r, &in, 0)) {
		in.message = ap->tr(r, "Vos modifications ne sont pas "
		    "enregistrées : corrigez ce qui est signalé ci-dessous.");
		return post_edit_page(r, &o, &in, 422);
	}
	rc = cm_judge(r, "comment-edit", o.page, in.author, o.email, in.url,
	    in.body, &j);
	if (rc != AP_OK)
		return rc;
	if (j.retry || j.refused) {
		if (j.refused)
			in.e_body = ap->printf(r, ap->tr(r, "Votre commentaire "
			    "contient « %s », que ce site n’accepte pas."),
			    j.refused);
		in.message = j.refused ? ap->tr(r, "Vos modifications ne sont "
		    "pas enregistrées : corrigez ce qui est signalé "
		    "ci-dessous.")
		    : ap->tr(r, "Votre envoi n’a pas pu être vérifié. Votre "
		    "texte est conservé : renvoyez-le.");
		return post_edit_page(r, &o, &in, 422);
	}
	/* An edit never publishes what was held; it may hold what was
	 * published. */
	st = o.status == CM_APPROVED ? j.status : j.status == CM_SPAM ?
	    CM_SPAM : o.status;
	dup = post_dup_key(r, o.page, o.email, in.body);
	if ((rc = ap->begin(r)) != AP_OK)
		return rc;
	rc = ap->exec(r, "UPDATE comments SET author = ?, url = ?, body = ?, "
	    "edited = ?, status = ?, status_at = IF(status = ?, status_at, ?), "
	    "verdict = ?, score = ?, reasons = ?, dup = ? WHERE id = ?",
	    AP_ARGS(AP_TEXT(in.author), post_text_or_null(in.url),
	    AP_TEXT(in.body), AP_INT(ap->now(r)), AP_TEXT(cm_status_name(st)),
	    AP_TEXT(cm_status_name(st)), AP_INT(ap->now(r)),
	    post_verdict_val(&j), j.verdict >= 0 ? AP_DOUBLE(j.score) :
	    AP_NULLV, post_text_or_null(post_cut(r, j.reasons, 1000)),
	    AP_TEXT(dup), AP_INT(o.id)));
	if (rc == AP_OK && (st == CM_APPROVED || o.status == CM_APPROVED))
		rc = cm_changed(r, o.page);
	if (rc == AP_OK)
		rc = ap->commit(r);
	if (rc != AP_OK) {
		ap->rollback(r);
		if (rc == AP_EDUP) {
			in.e_body = ap->tr(r, "Vous avez déjà envoyé ce "
			    "commentaire sur cette page.");
			in.message = ap->tr(r, "Vos modifications ne sont pas "
			    "enregistrées.");
			return post_edit_page(r, &o, &in, 409);
		}
		return rc;
	}
	if (st == CM_PENDING && o.status == CM_APPROVED)
		cm_notify_moderators(r, o.id);
	return ap->redirect(r, 303, ap->printf(r, "%s#comment-%lld", in.ret,
	    o.id));
}

/* POST /comments/delete: the author deletes their comment, while it is
 * time. */
int
cm_delete_post(struct ap_req *r, void *state)
{
	struct post_own o;
	const char *ret;
	int rc;

	(void)state;
	if (post_own_load(r, cm_id_arg(ap->form(r, "id")), &o, &rc))
		return rc;
	ret = post_ret(r, ap->form(r, "return"), o.page);
	if ((rc = ap->begin(r)) != AP_OK)
		return rc;
	/* With replies below it, its place stays (empty) so that the
	 * thread holds together. */
	if (o.children)
		rc = ap->exec(r, "UPDATE comments SET status = 'trash', "
		    "status_at = ?, author = '', email = '', url = NULL, "
		    "body = '', ip = NULL, user_agent = NULL, notify = 0, "
		    "dup = NULL WHERE id = ?", AP_ARGS(AP_INT(ap->now(r)),
		    AP_INT(o.id)));
	else
		rc = ap->exec(r, "DELETE FROM comments WHERE id = ?",
		    AP_ARGS(AP_INT(o.id)));
	if (rc == AP_OK && o.status == CM_APPROVED)
		rc = cm_changed(r, o.page);
	if (rc == AP_OK)
		rc = ap->commit(r);
	if (rc != AP_OK) {
		ap->rollback(r);
		return rc;
	}
	return ap->redirect(r, 303, ap->printf(r, "%s#comments", ret));
}
