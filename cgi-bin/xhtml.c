/*
 * xhtml.c: every page is written through libxml2's xmlTextWriter, so that
 * every string is escaped by construction.  The output is XHTML5 that is
 * also valid HTML (polyglot): non-void elements always get their end tag,
 * void ones are written <br/>.  It is served as application/xhtml+xml when
 * the browser accepts it, as text/html otherwise, and as a fragment (one
 * root element, no layout) when the query says fragment=1.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlwriter.h>

#include "core.h"

#define XHTML_NS "http://www.w3.org/1999/xhtml"

static const char *const x_void_elements[] = {
	"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
	"meta", "source", "track", "wbr", NULL,
};

static bool
x_is_void(const char *el)
{
	for (size_t i = 0; x_void_elements[i]; i++)
		if (strcmp(el, x_void_elements[i]) == 0)
			return true;
	return false;
}

static int
x_out_write(void *ctx, const char *buf, int len)
{
	struct ap_req *r = ctx;

	if (r->xw == NULL)
		return len;   /* a writer being discarded: its bytes go nowhere */
	if (r->keep != NULL)
		ap_buf_add(r->keep, buf, (size_t)len);
	ap_buf_add(r->ob, buf, (size_t)len);
	ap_req_flush(r, false);
	return len;
}

static int
x_out_close(void *ctx)
{
	(void)ctx;
	return 0;
}

static int
x_writer_new(struct ap_req *r)
{
	if (r->xw != NULL)
		return 0;
	r->xo = xmlOutputBufferCreateIO(x_out_write, x_out_close, r, NULL);
	if (r->xo == NULL)
		return -1;
	r->xw = xmlNewTextWriter(r->xo);
	if (r->xw == NULL) {
		xmlOutputBufferClose(r->xo);
		r->xo = NULL;
		return -1;
	}
	r->depth = 0;
	return 0;
}

/* ---- markup kept for later (caches of rendered views) ---- */

/* Hands everything the writer holds to the answer, a start tag still
 * open for attributes included ("<ol" becomes "<ol>"), so that bytes
 * can follow it in order. */
static int
x_settle(struct ap_req *r)
{
	if (r->xw == NULL && x_writer_new(r) != 0)
		return -1;
	if (xmlTextWriterWriteRawLen(r->xw, BAD_CAST "", 0) < 0 ||
	    xmlTextWriterFlush(r->xw) < 0)
		return -1;
	return 0;
}

static void
x_keep_free(void *arg)
{
	struct ap_buf *b = arg;

	ap_buf_free(b);
	free(b);
}

/* Starts keeping a copy of what the writer writes (one at a time). */
void
ap_x_markup_begin(struct ap_req *r)
{
	if (r->keep != NULL || x_settle(r) != 0)
		return;
	r->keep = calloc(1, sizeof(*r->keep));
	if (r->keep == NULL)
		return;
	ap_arena_cleanup(r->a, x_keep_free, r->keep);
	r->keep_depth = r->depth;
}

/* The copy since markup_begin, in the arena; NULL when nothing was kept,
 * when the elements opened since are not all closed, or when an element
 * opened before was closed (the bytes would not stand alone). */
char *
ap_x_markup_end(struct ap_req *r, size_t *len)
{
	struct ap_buf *b = r->keep;
	char *out;

	*len = 0;
	if (b == NULL)
		return NULL;
	xmlTextWriterFlush(r->xw);
	r->keep = NULL;
	if (r->depth != r->keep_depth || b->failed)
		return NULL;
	out = ap_arena_alloc_raw(r->a, b->len + 1);
	if (b->len)
		memcpy(out, b->p, b->len);
	out[b->len] = '\0';
	*len = b->len;
	return out;
}

/* Writes bytes that markup_end returned (in an earlier request) at the
 * writer's current place. */
int
ap_x_markup(struct ap_req *r, const char *bytes, size_t len)
{
	if (x_settle(r) != 0)
		return AP_ERROR;
	if (r->keep != NULL)
		ap_buf_add(r->keep, bytes, len);
	ap_buf_add(r->ob, bytes, len);
	ap_req_flush(r, false);
	return r->ob->failed ? AP_ERROR : AP_OK;
}

/* Drops the writer without writing what it still holds (an error page
 * replaces it). */
void
ap_x_discard(struct ap_req *r)
{
	if (r->xw != NULL) {
		xmlTextWriterPtr xw = r->xw;

		/* Freeing flushes what the writer holds: with r->xw gone first,
		 * x_out_write drops it (it could have pushed the answer past
		 * AP_FLUSH_AT and sent the page being replaced). */
		r->xw = NULL;
		r->xo = NULL;
		xmlFreeTextWriter(xw);      /* closes the output */
	}
	r->depth = 0;
	r->layout = false;
	r->keep = NULL;              /* freed with the arena */
	if (!r->started)
		r->ob->len = 0;
}

static const char *
x_clean(struct ap_req *r, const char *s)
{
	char *c;

	if (s == NULL)
		return "";
	c = ap_xml_clean(r->a, s);
	return c ? c : s;
}

void
ap_x_attr(struct ap_req *r, const char *name, const char *value)
{
	if (r->xw == NULL || value == NULL)
		return;
	xmlTextWriterWriteAttribute(r->xw, BAD_CAST name,
	    BAD_CAST x_clean(r, value));
}

/* Opens el with the attribute pairs of ap.  A void element is closed at
 * once.  The root element of a fragment says its language (lang), unless
 * the handler does: the page that includes it may be in another one. */
void
ap_x_vopen(struct ap_req *r, const char *el, bool isvoid, va_list ap)
{
	const char *name, *value;
	bool root = r->fragment && r->depth == 0, lang = false;

	if (r->xw == NULL && x_writer_new(r) != 0)
		return;
	xmlTextWriterStartElement(r->xw, BAD_CAST el);
	while ((name = va_arg(ap, const char *)) != NULL) {
		value = va_arg(ap, const char *);
		ap_x_attr(r, name, value);
		lang = lang || (value != NULL && strcmp(name, "lang") == 0);
	}
	if (root && !lang)
		ap_x_attr(r, "lang", r->lang);
	if (isvoid || x_is_void(el)) {
		xmlTextWriterEndElement(r->xw);
		return;
	}
	if (r->depth < AP_XML_DEPTH)
		r->stack[r->depth] = el;
	r->depth++;
}

void
ap_x_open(struct ap_req *r, const char *el, ...)
{
	va_list ap;

	va_start(ap, el);
	ap_x_vopen(r, el, false, ap);
	va_end(ap);
}

void
ap_x_close(struct ap_req *r)
{
	if (r->xw == NULL || r->depth == 0)
		return;
	/* Closing what was open before markup_begin: the copy would not
	 * stand alone, whatever is opened after. */
	if (r->keep != NULL && r->depth <= r->keep_depth)
		r->keep_depth = -1;
	r->depth--;
	xmlTextWriterFullEndElement(r->xw);
}

void
ap_x_text(struct ap_req *r, const char *s)
{
	if (r->xw == NULL || s == NULL || *s == '\0')
		return;
	xmlTextWriterWriteString(r->xw, BAD_CAST x_clean(r, s));
}

void
ap_x_textf(struct ap_req *r, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = ap_arena_vprintf(r->a, fmt, ap);
	va_end(ap);
	ap_x_text(r, s);
}

void
ap_x_elem(struct ap_req *r, const char *el, const char *text, ...)
{
	va_list ap;

	va_start(ap, text);
	ap_x_vopen(r, el, false, ap);
	va_end(ap);
	ap_x_text(r, text);
	ap_x_close(r);
}

void
ap_x_empty(struct ap_req *r, const char *el, ...)
{
	va_list ap;

	va_start(ap, el);
	ap_x_vopen(r, el, true, ap);
	va_end(ap);
}

/* A labelled control with its hint and its error next to it, tied
 * together with aria-describedby so that a screen reader reads them. */
void
ap_x_field(struct ap_req *r, const struct ap_field *f)
{
	const char *id = f->id ? f->id : ap_arena_printf(r->a, "f-%s", f->name);
	const char *hint_id = f->hint ? ap_arena_printf(r->a, "%s-hint", id) :
	    NULL;
	const char *err_id = f->error ? ap_arena_printf(r->a, "%s-err", id) :
	    NULL;
	const char *described = NULL;
	const char *type = f->type ? f->type : "text";
	bool checkbox = strcmp(type, "checkbox") == 0;
	char maxlen[24];

	if (strcmp(type, "hidden") == 0) {
		ap_x_empty(r, "input", "type", "hidden", "name", f->name,
		    "value", f->value ? f->value : "", NULL);
		return;
	}
	if (hint_id && err_id)
		described = ap_arena_printf(r->a, "%s %s", err_id, hint_id);
	else
		described = err_id ? err_id : hint_id;
	snprintf(maxlen, sizeof(maxlen), "%d", f->maxlength);
	ap_x_open(r, "div", "class", f->error ? (checkbox ?
	    "field check has-error" : "field has-error") :
	    (checkbox ? "field check" : "field"), NULL);
	if (checkbox) {
		ap_x_empty(r, "input", "type", "checkbox", "id", id,
		    "name", f->name, "value", "1",
		    "checked", f->value ? "checked" : NULL,
		    "aria-describedby", described,
		    "aria-invalid", f->error ? "true" : NULL, NULL);
	}
	ap_x_open(r, "label", "for", id, NULL);
	ap_x_text(r, f->label);
	if (f->required) {
		ap_x_text(r, " ");
		ap_x_elem(r, "span", "*", "class", "req", NULL);
	}
	ap_x_close(r);
	if (err_id != NULL) {
		ap_x_elem(r, "p", f->error, "class", "error", "id", err_id,
		    NULL);
	}
	if (strcmp(type, "textarea") == 0) {
		char rows[16];

		snprintf(rows, sizeof(rows), "%d", f->rows > 0 ? f->rows : 6);
		ap_x_open(r, "textarea", "id", id, "name", f->name,
		    "rows", rows, "cols", "60",
		    "required", f->required ? "required" : NULL,
		    "maxlength", f->maxlength > 0 ? maxlen : NULL,
		    "aria-describedby", described,
		    "aria-invalid", f->error ? "true" : NULL, NULL);
		ap_x_text(r, f->value);
		ap_x_close(r);
	} else if (!checkbox) {
		ap_x_empty(r, "input", "type", type, "id", id, "name", f->name,
		    "value", f->value ? f->value : "",
		    "required", f->required ? "required" : NULL,
		    "maxlength", f->maxlength > 0 ? maxlen : NULL,
		    "autocomplete", f->autocomplete,
		    "aria-describedby", described,
		    "aria-invalid", f->error ? "true" : NULL, NULL);
	}
	if (hint_id != NULL)
		ap_x_elem(r, "p", f->hint, "class", "hint", "id", hint_id, NULL);
	ap_x_close(r);
}

void
ap_x_message(struct ap_req *r, const char *kind, const char *text)
{
	bool alert = kind != NULL && strcmp(kind, "error") == 0;

	ap_x_elem(r, "p", text, "class", ap_arena_printf(r->a, "msg msg-%s",
	    kind ? kind : "info"), "role", alert ? "alert" : "status", NULL);
}

/* ---- layout ---- */

struct x_navlink {
	const char *label, *href;
	int order;
};

static int
x_nav_cmp(const void *a, const void *b)
{
	return ((const struct x_navlink *)a)->order -
	    ((const struct x_navlink *)b)->order;
}

static bool
x_nav_visible(struct ap_req *r, const char *role)
{
	if (role == NULL)
		return true;
	if (strcmp(role, "guest") == 0)
		return !r->has_user;
	return ap_host_table.has_role(r, role);
}

static void
x_nav(struct ap_req *r)
{
	struct x_navlink links[32];
	size_t n = 0;

	for (size_t i = 0; i < ap_core.nplugins; i++) {
		const struct ap_plugin_ent *p = &ap_core.plugins[i];

		if (!p->loaded || !ap_req_enabled(r, (int)i) || p->d.nav == NULL)
			continue;
		for (const struct ap_nav *nv = p->d.nav; nv->label && n <
		    AP_NELEM(links); nv++) {
			if (!x_nav_visible(r, nv->role))
				continue;
			links[n].label = ap_i18n_tr(r->lang, nv->label);
			links[n].href = ap_host_table.url(r, nv->path);
			links[n].order = nv->order;
			n++;
		}
	}
	qsort(links, n, sizeof(links[0]), x_nav_cmp);
	ap_x_open(r, "nav", "aria-label", ap_i18n_tr(r->lang,
	    "Navigation principale"), NULL);
	ap_x_open(r, "ul", NULL);
	ap_x_open(r, "li", NULL);
	ap_x_elem(r, "a", ap_i18n_tr(r->lang, "Accueil"), "href",
	    ap_core.home, NULL);
	ap_x_close(r);
	for (size_t i = 0; i < n; i++) {
		const char *here = ap_host_table.url(r, r->path);

		ap_x_open(r, "li", NULL);
		ap_x_elem(r, "a", links[i].label, "href", links[i].href,
		    "aria-current", strcmp(here, links[i].href) == 0 ?
		    "page" : NULL, NULL);
		ap_x_close(r);
	}
	ap_x_close(r);
	ap_x_close(r);
}

static void
x_footer(struct ap_req *r)
{
	ap_x_open(r, "footer", "class", "site", NULL);
	if (ap_core.langs[0] != NULL && ap_core.langs[1] != NULL) {
		const char *uri = ap_req_env(r, "REQUEST_URI");

		ap_x_open(r, "p", "class", "langs", NULL);
		for (size_t i = 0; ap_core.langs[i]; i++) {
			const char *l = ap_core.langs[i];
			const char *name = strcmp(l, "fr") == 0 ? "Français" :
			    strcmp(l, "en") == 0 ? "English" : l;

			if (i)
				ap_x_text(r, " · ");
			if (strcmp(l, r->lang) == 0) {
				ap_x_elem(r, "strong", name, "lang", l, NULL);
				continue;
			}
			ap_x_elem(r, "a", name, "lang", l, "hreflang", l,
			    "href", ap_arena_printf(r->a, "%s?back=%s",
			    ap_host_table.url(r, ap_arena_printf(r->a,
			    "/lang/%s", l)), ap_urlencode(r->a, uri &&
			    ap_is_local_path(uri) ? uri : ap_core.home)),
			    NULL);
		}
		ap_x_close(r);
	}
	ap_x_open(r, "p", NULL);
	ap_x_text(r, ap_core.title);
	ap_x_text(r, " — ");
	ap_x_text(r, ap_i18n_tr(r->lang, "réseau d’experts en temps partagé"));
	ap_x_close(r);
	ap_x_close(r);
}

/* Starts the answer: the layout for a full page, nothing for a fragment
 * (the handler's one root element is the answer). */
int
ap_x_page_begin(struct ap_req *r, const char *title)
{
	const char *css, *js;

	if (r->xw != NULL)
		return AP_OK;
	if (r->fragment)
		r->ctype = "text/html; charset=utf-8";
	else if (r->xhtml)
		r->ctype = "application/xhtml+xml; charset=utf-8";
	else
		r->ctype = "text/html; charset=utf-8";
	if (x_writer_new(r) != 0)
		return AP_ERROR;
	if (r->fragment)
		return AP_OK;
	if (r->xhtml)
		xmlTextWriterStartDocument(r->xw, "1.0", "UTF-8", NULL);
	xmlTextWriterWriteDTD(r->xw, BAD_CAST "html", NULL, NULL, NULL);
	xmlTextWriterWriteRaw(r->xw, BAD_CAST "\n");
	ap_x_open(r, "html", "xmlns", XHTML_NS, "lang", r->lang,
	    "xml:lang", r->xhtml ? r->lang : NULL, NULL);
	ap_x_open(r, "head", NULL);
	ap_x_empty(r, "meta", "charset", "UTF-8", NULL);
	ap_x_empty(r, "meta", "name", "viewport", "content",
	    "width=device-width, initial-scale=1", NULL);
	ap_x_elem(r, "title", title && *title ? ap_arena_printf(r->a,
	    "%s – %s", title, ap_core.title) : ap_core.title, NULL);
	css = ap_arena_printf(r->a, "%s/aparte.css", ap_core.static_url);
	js = ap_arena_printf(r->a, "%s/aparte.js", ap_core.static_url);
	ap_x_empty(r, "link", "rel", "stylesheet", "href", css, NULL);
	ap_x_elem(r, "script", NULL, "src", js, "defer", "defer", NULL);
	ap_x_close(r);   /* head */
	ap_x_open(r, "body", NULL);
	ap_x_elem(r, "a", ap_i18n_tr(r->lang, "Aller au contenu"), "class",
	    "skip", "href", "#main", NULL);
	ap_x_open(r, "header", "class", "site", NULL);
	ap_x_open(r, "p", "class", "brand", NULL);
	ap_x_elem(r, "a", ap_core.title, "href", ap_core.home, NULL);
	ap_x_close(r);
	x_nav(r);
	ap_x_close(r);   /* header */
	/* tabindex -1: the skip link moves the focus itself, not only the
	 * view, so that a screen reader goes on from there. */
	ap_x_open(r, "main", "id", "main", "tabindex", "-1", NULL);
	r->layout = true;
	return AP_OK;
}

/* Closes whatever the handler left open, then the layout, and hands the
 * writer's last bytes to the answer. */
int
ap_x_page_end(struct ap_req *r)
{
	if (r->xw == NULL)
		return AP_OK;
	if (r->layout) {
		while (r->depth > 3)   /* html, body, main */
			ap_x_close(r);
		ap_x_close(r);          /* main */
		x_footer(r);
	}
	while (r->depth > 0)
		ap_x_close(r);
	xmlTextWriterFlush(r->xw);
	xmlFreeTextWriter(r->xw);
	r->xw = NULL;
	r->xo = NULL;
	r->layout = false;
	if (!r->cli && r->fragment && r->ob->len && !r->started)
		ap_buf_adds(r->ob, "\n");
	return AP_OK;
}

int
ap_x_xml_begin(struct ap_req *r, const char *ctype)
{
	if (r->xw != NULL)
		return AP_OK;
	r->ctype = ctype;
	if (x_writer_new(r) != 0)
		return AP_ERROR;
	xmlTextWriterStartDocument(r->xw, "1.0", "UTF-8", NULL);
	return AP_OK;
}

int
ap_x_xml_end(struct ap_req *r)
{
	return ap_x_page_end(r);
}
