/*
 * page.c: GET /comments?page=KEY, the comments of a page as a full page
 * or (fragment=1) as the section a static page includes through SSI or
 * the embed script; and the comment form, shared with the pages that
 * show it again after an error.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "comments.h"

/* A positive id from a query or a form, else 0. */
long long
cm_id_arg(const char *s)
{
	long long v = 0;

	if (s == NULL || *s == '\0' || strlen(s) > 18)
		return 0;
	for (const char *p = s; *p; p++) {
		if (!isdigit((unsigned char)*p))
			return 0;
		v = v * 10 + (*p - '0');
	}
	return v;
}

/* An error page (or fragment) with a title and a sentence that says
 * what to do. */
int
cm_error(struct ap_req *r, int status, const char *title, const char *text)
{
	ap->status(r, status);
	ap->page_begin(r, title);
	ap->open(r, "section", "class", "comments comments-error", "id",
	    "comments", NULL);
	ap->elem(r, ap->is_fragment(r) ? "h2" : "h1", title, NULL);
	ap->elem(r, "p", text, NULL);
	ap->close(r);
	return AP_OK;
}

/* Name, email and website remembered in this browser (with consent). */
void
cm_me_read(struct ap_req *r, struct cm_input *in)
{
	const char *c = ap->cookie(r, CM_COOKIE_ME), *payload = NULL;
	char *a, *e, *u;
	long age;

	if (c == NULL || ap->verify(r, "comments.me", c, 365L * 86400,
	    &payload, &age) != AP_OK)
		return;
	a = ap->strdup(r, payload);
	e = strchr(a, '\n');
	if (e == NULL)
		return;
	*e++ = '\0';
	u = strchr(e, '\n');
	if (u == NULL)
		return;
	*u++ = '\0';
	in->author = a;
	in->email = e;
	in->url = *u ? u : NULL;
	in->remember = 1;
}

/* The comment form.  Everything typed comes back in it; an error sits
 * next to its field.  Its token is the plugin's own (signed, for this
 * page, usable once): the core's form token is tied to a cookie of the
 * mount path, which a static page that includes the form does not see. */
void
cm_form(struct ap_req *r, struct cm_input *in, int heading)
{
	long days = (cm_conf.ip_retention + 86399) / 86400;
	struct ap_form_ctx fc = { .size = sizeof(fc), .kind = "comment",
	    .form = "comment" };
	struct ap_field f;

	ap->open(r, "div", "class", "comment-respond", "id", "respond", NULL);
	if (heading) {
		ap->open(r, "h3", "id", "reply-title", NULL);
		if (in->parent && in->parent_name) {
			ap->text(r, ap->printf(r, ap->tr(r, "Répondre à %s"),
			    in->parent_name));
			ap->text(r, " ");
			ap->elem(r, "a", ap->tr(r, "Annuler la réponse"),
			    "class", "comment-cancel-reply", "href",
			    ap->printf(r, "%s#respond", ap->is_fragment(r) ?
			    in->page : cm_page_url(r, in->page, 0)), NULL);
		} else {
			ap->text(r, ap->tr(r, "Laisser une réponse"));
		}
		ap->close(r);
	}
	if (in->closed) {
		ap->elem(r, "p", ap->tr(r, "Les commentaires sont fermés sur "
		    "cette page."), "class", "comments-closed", NULL);
		ap->close(r);
		return;
	}
	if (in->message)
		ap->message(r, in->message_kind ? in->message_kind : "error",
		    in->message);
	ap->open(r, "form", "method", "post", "action",
	    ap->url(r, "/comments"), "class", "comment-form", NULL);
	ap->elem(r, "p", ap->tr(r, "Votre adresse e-mail ne sera pas publiée. "
	    "Les champs marqués d’un * sont obligatoires."), "class",
	    "comment-notes", NULL);
	ap->empty(r, "input", "type", "hidden", "name", "page", "value",
	    in->page, NULL);
	if (in->parent)
		ap->empty(r, "input", "type", "hidden", "name", "parent",
		    "value", ap->printf(r, "%lld", in->parent), NULL);
	if (in->ret)
		ap->empty(r, "input", "type", "hidden", "name", "return",
		    "value", in->ret, NULL);
	/* a nonce: two forms made in the same second differ */
	ap->empty(r, "input", "type", "hidden", "name", "_ctok", "value",
	    ap->sign(r, "comments.form", ap->printf(r, "%s\n%s", in->page,
	    ap->random_token(r, 9))), NULL);
	ap->hook_run(r, "form.fields", &fc);

	memset(&f, 0, sizeof(f));
	f.type = "text";
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
	f.type = "email";
	f.name = "email";
	f.id = "cf-email";
	f.label = ap->tr(r, "E-mail");
	f.value = in->email;
	f.error = in->e_email;
	f.hint = ap->tr(r, "Jamais publiée.");
	f.autocomplete = "email";
	f.required = 1;
	f.maxlength = CM_EMAIL_MAX;
	ap->field(r, &f);

	memset(&f, 0, sizeof(f));
	f.type = "url";
	f.name = "url";
	f.id = "cf-url";
	f.label = ap->tr(r, "Site web");
	f.value = in->url;
	f.error = in->e_url;
	f.hint = ap->tr(r, "Facultatif ; une adresse qui commence par "
	    "http:// ou https://.");
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
	f.hint = ap->tr(r, "Texte simple, de 2 à 10 000 caractères : une "
	    "ligne vide sépare les paragraphes, les adresses web deviennent "
	    "des liens.");
	f.required = 1;
	f.maxlength = CM_BODY_MAX;
	f.rows = 8;
	ap->field(r, &f);

	memset(&f, 0, sizeof(f));
	f.type = "checkbox";
	f.name = "remember";
	f.id = "cf-remember";
	f.label = ap->tr(r, "Enregistrer mon nom, mon e-mail et mon site dans "
	    "ce navigateur pour mon prochain commentaire.");
	f.value = in->remember ? "1" : NULL;
	ap->field(r, &f);

	memset(&f, 0, sizeof(f));
	f.type = "checkbox";
	f.name = "notify";
	f.id = "cf-notify";
	f.label = ap->tr(r, "Me prévenir par e-mail des réponses à mon "
	    "commentaire.");
	f.value = in->notify ? "1" : NULL;
	ap->field(r, &f);

	ap->elem(r, "p", ap->printf(r, ap->trn(r,
	    "Ce que nous gardons, et pourquoi : votre nom, votre site et "
	    "votre commentaire sont publiés. Votre adresse e-mail ne l’est "
	    "jamais ; elle sert à reconnaître vos prochains commentaires et, "
	    "si vous le demandez, à vous prévenir des réponses (chaque "
	    "message contient un lien de désabonnement). Votre adresse IP et "
	    "votre navigateur sont gardés %ld jour contre les abus, puis "
	    "effacés. Vous pouvez demander à voir ou à effacer ce que nous "
	    "gardons sur vous.",
	    "Ce que nous gardons, et pourquoi : votre nom, votre site et "
	    "votre commentaire sont publiés. Votre adresse e-mail ne l’est "
	    "jamais ; elle sert à reconnaître vos prochains commentaires et, "
	    "si vous le demandez, à vous prévenir des réponses (chaque "
	    "message contient un lien de désabonnement). Votre adresse IP et "
	    "votre navigateur sont gardés %ld jours contre les abus, puis "
	    "effacés. Vous pouvez demander à voir ou à effacer ce que nous "
	    "gardons sur vous.", (unsigned long)days), days), "class",
	    "comment-privacy", NULL);
	ap->open(r, "p", "class", "form-submit", NULL);
	ap->elem(r, "button", ap->tr(r, "Publier le commentaire"), "type",
	    "submit", NULL);
	ap->close(r);
	ap->close(r);   /* form */
	ap->close(r);   /* div */
}

/* Request state for the form written inside the thread. */
struct page_form {
	struct cm_render rd;
	struct cm_input in;
};

static void
page_form_cb(struct ap_req *r, struct cm_render *rd)
{
	struct page_form *pf = (struct page_form *)rd;

	if (pf->in.parent != rd->reply)
		pf->in.parent = 0;
	cm_form(r, &pf->in, 1);
}

/* Checks a page key from outside; answers the error itself (returns
 * nonzero) when it is not one. */
static int
page_key_check(struct ap_req *r, const char *page)
{
	if (page == NULL || !cm_page_ok(page)) {
		cm_error(r, 400, ap->tr(r, "Page à commenter inconnue"),
		    ap->tr(r, "L’adresse de la page à commenter manque ou "
		    "n’est pas valide : un chemin du site, qui commence par / "
		    "(180 caractères au plus, lettres, chiffres et - . _ ~ "
		    "/)."));
		return 1;
	}
	if (!cm_page_allowed(page)) {
		cm_error(r, 404, ap->tr(r, "Pas de commentaires ici"),
		    ap->tr(r, "Cette page du site ne reçoit pas de "
		    "commentaires."));
		return 1;
	}
	return 0;
}

/* GET /comments?page=KEY[&fragment=1][&cpage=N][&reply=ID][&comment=ID]:
 * the discussion of a page, with the form below it or below the comment
 * replied to; comment=ID shows the page of threads that holds ID. */
int
cm_get(struct ap_req *r, void *state)
{
	const char *page = ap->arg(r, "page"), *ret = ap->arg(r, "return");
	const char *cp = ap->arg(r, "cpage");
	struct page_form *pf;
	struct cm_view *v;
	const char *title;
	int rc;

	(void)state;
	if (page_key_check(r, page))
		return AP_OK;
	rc = cm_view_get(r, page, &v);
	if (rc != AP_OK)
		return rc;
	pf = ap->alloc(r, sizeof(*pf));
	pf->rd.page = page;
	pf->rd.fragment = ap->is_fragment(r);
	pf->rd.pageno = cp ? (long)cm_id_arg(cp) : 1;
	if (pf->rd.pageno < 1 || pf->rd.pageno > 1000000)
		pf->rd.pageno = 1;
	pf->rd.reply = cm_id_arg(ap->arg(r, "reply"));
	pf->rd.locate = cm_id_arg(ap->arg(r, "comment"));
	if (ret != NULL && (!ap->is_local_path(ret) || strlen(ret) > 1000))
		ret = NULL;
	pf->rd.ret = ret ? ret : pf->rd.fragment ? page : NULL;
	pf->in.page = page;
	pf->in.ret = pf->rd.ret;
	pf->in.closed = cm_view_closed(v);
	cm_me_read(r, &pf->in);
	if (pf->rd.reply) {
		struct ap_res *res = ap->query(r, "SELECT author FROM comments "
		    "WHERE id = ? AND page = ? AND status = 'approved'",
		    AP_ARGS(AP_INT(pf->rd.reply), AP_TEXT(page)));

		if (res == NULL)
			return ap->db_error(r);
		if (ap->rows(res)) {
			pf->in.parent = pf->rd.reply;
			pf->in.parent_name = cm_author_name(r, ap->cell(res, 0,
			    0));
		} else {
			pf->rd.reply = 0;
		}
	}
	title = cm_view_title(v);
	ap->page_begin(r, title ? ap->printf(r, ap->tr(r,
	    "Commentaires : %s"), title) : ap->tr(r, "Commentaires"));
	if (!pf->rd.fragment) {
		ap->elem(r, "h1", title ? ap->printf(r, ap->tr(r,
		    "Commentaires : %s"), title) : ap->tr(r, "Commentaires"),
		    NULL);
		ap->open(r, "p", "class", "comments-back", NULL);
		ap->elem(r, "a", title ? ap->printf(r, ap->tr(r, "Lire la "
		    "page « %s »"), title) : ap->printf(r, ap->tr(r, "Lire la "
		    "page %s"), page), "href", page, NULL);
		ap->close(r);
	}
	ap->open(r, "section", "class", "comments", "id", "comments",
	    "aria-labelledby", "comments-title", NULL);
	rc = cm_thread(r, v, &pf->rd, page_form_cb);
	if (rc != AP_OK)
		return rc;
	ap->open(r, "p", "class", "comments-feed", NULL);
	ap->elem(r, "a", ap->tr(r, "Suivre les commentaires de cette page "
	    "(flux Atom)"), "href", ap->printf(r, "%s?page=%s",
	    ap->url(r, "/comments/feed"), ap->urlencode(r, page)), "type",
	    "application/atom+xml", NULL);
	ap->close(r);
	ap->close(r);   /* section */
	return AP_OK;
}

/* The form alone, as a full page, after a submission that could not be
 * taken: status says why (400, 409, 422, 429). */
int
cm_form_page(struct ap_req *r, struct cm_input *in, int status)
{
	const char *back = in->ret && ap->is_local_path(in->ret) ? in->ret :
	    cm_page_url(r, in->page, 0);

	ap->status(r, status);
	ap->no_cache(r);
	ap->page_begin(r, ap->tr(r, "Laisser une réponse"));
	ap->open(r, "section", "class", "comments comments-again", "id",
	    "comments", NULL);
	ap->elem(r, "h1", in->parent && in->parent_name ? ap->printf(r,
	    ap->tr(r, "Répondre à %s"), in->parent_name) :
	    ap->tr(r, "Laisser une réponse"), NULL);
	ap->open(r, "p", "class", "comments-back", NULL);
	ap->elem(r, "a", ap->tr(r, "Revenir à la discussion"), "href",
	    ap->printf(r, "%s#comments", back), NULL);
	ap->close(r);
	cm_form(r, in, 0);
	ap->close(r);
	return AP_OK;
}
