/*
 * admin.c: the admin console.  /admin shows what waits (hook
 * admin.dashboard), /admin/plugins turns plugins on and off for every
 * worker, /admin/users manages accounts, /admin/audit shows who did what.
 * Every action is written to the audit trail.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "login.h"

static const struct {
	const char *path, *label, *role;
} admin_menu[] = {
	{ "/admin", AP_N_("Tableau de bord"), "moderator" },
	{ "/admin/plugins", AP_N_("Extensions"), "admin" },
	{ "/admin/users", AP_N_("Utilisateurs"), "admin" },
	{ "/admin/audit", AP_N_("Journal des actions"), "admin" },
};

/* Hook admin.menu: the console's own pages, those the visitor's role
 * opens, first in the menu of every console page (other plugins' pages
 * run the hook too).  The page being shown, or one below it, is marked. */
int
login_on_admin_menu(struct ap_req *r, void *state, void *data)
{
	const char *here = ap->path(r);
	int any = 0;

	(void)state;
	(void)data;
	for (size_t i = 0; i < sizeof(admin_menu) / sizeof(admin_menu[0]);
	    i++) {
		const char *p = admin_menu[i].path;
		size_t n = strlen(p);
		int current = strcmp(here, p) == 0 || (i > 0 &&
		    strncmp(here, p, n) == 0 && here[n] == '/');

		if (!ap->has_role(r, admin_menu[i].role))
			continue;
		ap->open(r, "li", NULL);
		ap->elem(r, "a", ap->tr(r, admin_menu[i].label), "href",
		    ap->url(r, p), "aria-current", current ? "page" : NULL,
		    NULL);
		ap->close(r);
		any = 1;
	}
	return any ? AP_OK : AP_DECLINED;
}

/* Opens a page of the console: its menu (hook admin.menu), then the main
 * part with its heading; the layout closes what is left open. */
static void
admin_begin(struct ap_req *r, const char *title)
{
	ap->no_cache(r);
	ap->page_begin(r, title);
	ap->open(r, "div", "class", "admin wide", NULL);
	ap->open(r, "nav", "class", "admin-menu", "aria-label",
	    ap->tr(r, "Menu de l’administration"), NULL);
	ap->open(r, "ul", NULL);
	ap->hook_run(r, "admin.menu", NULL);
	ap->close(r);   /* ul */
	ap->close(r);   /* nav */
	ap->open(r, "div", "class", "admin-main", NULL);
	ap->elem(r, "h1", title, NULL);
}

/* A page number from the query: 1 .. 100000. */
static long
admin_page_arg(struct ap_req *r)
{
	const char *s = ap->arg(r, "page");
	char *end;
	long n;

	if (s == NULL || *s == '\0' || strlen(s) > 6)
		return 1;
	n = strtol(s, &end, 10);
	return *end != '\0' || n < 1 ? 1 : n;
}

/* Links to the previous and next pages of a list of total rows; query
 * keeps the filters ("q=x&" ...). */
static void
admin_pager(struct ap_req *r, const char *path, const char *query,
    long page, long long total)
{
	long last = (long)((total + LOGIN_PAGE_ROWS - 1) / LOGIN_PAGE_ROWS);

	if (last <= 1)
		return;
	ap->open(r, "nav", "class", "pager", "aria-label",
	    ap->tr(r, "Pages"), NULL);
	ap->open(r, "p", NULL);
	if (page > 1)
		ap->elem(r, "a", ap->tr(r, "Page précédente"), "rel", "prev",
		    "href", ap->printf(r, "%s?%spage=%ld", ap->url(r, path),
		    query, page - 1), NULL);
	ap->text(r, " ");
	ap->textf(r, ap->tr(r, "Page %ld sur %ld"), page, last);
	ap->text(r, " ");
	if (page < last)
		ap->elem(r, "a", ap->tr(r, "Page suivante"), "rel", "next",
		    "href", ap->printf(r, "%s?%spage=%ld", ap->url(r, path),
		    query, page + 1), NULL);
	ap->close(r);
	ap->close(r);
}

/* ---- dashboard ---- */

/* GET /admin: what waits for the moderators, from every plugin. */
int
login_admin_home(struct ap_req *r, void *state)
{
	int rc = ap->require_role(r, "moderator");

	(void)state;
	if (rc != AP_OK)
		return rc;
	admin_begin(r, ap->tr(r, "Administration"));
	ap->elem(r, "h2", ap->tr(r, "Ce qui attend votre attention"), "id",
	    "h-attention", NULL);
	ap->open(r, "ul", "class", "attention", "aria-labelledby",
	    "h-attention", NULL);
	rc = ap->hook_run(r, "admin.dashboard", NULL);
	if (rc == AP_DECLINED)
		ap->elem(r, "li", ap->tr(r, "Rien n’attend votre attention pour "
		    "l’instant."), "class", "nothing", NULL);
	ap->close(r);
	if (ap->has_role(r, "admin")) {
		const struct ap_plugin_info *pl;
		long n = ap->plugins_list(r, &pl), on = 0;
		struct ap_res *res = ap->query(r, "SELECT COUNT(*), "
		    "COALESCE(SUM(status = 'active'), 0) FROM login_users",
		    AP_NOARGS);

		for (long i = 0; i < n; i++)
			on += pl[i].enabled ? 1 : 0;
		ap->elem(r, "h2", ap->tr(r, "Le site en bref"), NULL);
		ap->open(r, "ul", "class", "summary", NULL);
		if (n >= 0) {
			ap->open(r, "li", NULL);
			ap->elem(r, "a", ap->printf(r, ap->tr(r,
			    "Extensions activées : %ld sur %ld"), on, n),
			    "href",
			    ap->url(r, "/admin/plugins"), NULL);
			ap->close(r);
		}
		if (res != NULL) {
			long long act = ap->cell_int(res, 0, 1);

			ap->open(r, "li", NULL);
			ap->elem(r, "a", ap->printf(r, ap->trn(r,
			    "%lld compte actif", "%lld comptes actifs",
			    (unsigned long)act), act), "href",
			    ap->url(r, "/admin/users"), NULL);
			ap->close(r);
		}
		ap->close(r);
	}
	return AP_OK;
}

/* ---- plugins ---- */

static const struct ap_plugin_info *
admin_find(const struct ap_plugin_info *pl, long n, const char *name)
{
	for (long i = 0; name && i < n; i++)
		if (strcmp(pl[i].name, name) == 0)
			return &pl[i];
	return NULL;
}

static char *
admin_join(struct ap_req *r, const char *const *v)
{
	char *s = "";

	for (size_t i = 0; v && v[i]; i++)
		s = ap->printf(r, "%s%s%s", s, i ? ", " : "", v[i]);
	return s;
}

/* The enabled plugins that need name, ", "-joined, or NULL. */
static char *
admin_needed_by(struct ap_req *r, const struct ap_plugin_info *pl, long n,
    const char *name)
{
	char *s = NULL;

	for (long i = 0; i < n; i++) {
		if (!pl[i].enabled)
			continue;
		for (const char *const *d = pl[i].depends; d && *d; d++)
			if (strcmp(*d, name) == 0)
				s = s ? ap->printf(r, "%s, %s", s, pl[i].name) :
				    ap->strdup(r, pl[i].name);
	}
	return s;
}

/* The plugins to enable before p, dependencies first (each once); NULL
 * with *missing set when one of them cannot load. */
static const char **
admin_deps_to_enable(struct ap_req *r, const struct ap_plugin_info *pl,
    long n, const struct ap_plugin_info *p, const char **missing)
{
	const char **out = ap->alloc(r, (size_t)(n + 1) * sizeof(*out));
	char *seen = ap->alloc(r, (size_t)n + 1);
	size_t k = 0;

	/* Repeated passes over the list until no new dependency shows up:
	 * n is small, and a cycle ends when nothing new is found. */
	for (int changed = 1; changed;) {
		changed = 0;
		for (long i = -1; i < n; i++) {
			const struct ap_plugin_info *q = i < 0 ? p : &pl[i];

			if (i >= 0 && !seen[i])
				continue;
			for (const char *const *d = q->depends; d && *d; d++) {
				const struct ap_plugin_info *dep = admin_find(pl,
				    n, *d);
				long j;

				if (dep == NULL || !dep->loaded) {
					*missing = *d;
					return NULL;
				}
				j = dep - pl;
				if (dep->enabled || seen[j] || dep == p)
					continue;
				seen[j] = 1;
				changed = 1;
			}
		}
	}
	/* Order: a plugin after those it needs. */
	for (int progress = 1; progress;) {
		progress = 0;
		for (long i = 0; i < n; i++) {
			int ready = 1;

			if (seen[i] != 1)
				continue;
			for (const char *const *d = pl[i].depends; d && *d; d++) {
				const struct ap_plugin_info *dep = admin_find(pl,
				    n, *d);

				if (dep && seen[dep - pl] == 1)
					ready = 0;
			}
			if (ready) {
				out[k++] = pl[i].name;
				seen[i] = 2;
				progress = 1;
			}
		}
	}
	out[k] = NULL;
	return out;
}

/* The message after a switch (?done=on|off&name=N&with=A,B): only names
 * of installed plugins reach the page. */
static void
admin_plugins_done(struct ap_req *r, const struct ap_plugin_info *pl, long n)
{
	const char *done = ap->arg(r, "done");
	const struct ap_plugin_info *p = admin_find(pl, n, ap->arg(r, "name"));
	const char *with = ap->arg(r, "with");
	char *names = NULL;

	if (done == NULL || p == NULL)
		return;
	/* Only names of installed plugins reach the page. */
	if (with != NULL && strlen(with) < 512) {
		char *w = ap->strdup(r, with), *save = NULL;

		for (char *t = strtok_r(w, ",", &save); t;
		    t = strtok_r(NULL, ",", &save))
			if (admin_find(pl, n, t) != NULL)
				names = names ? ap->printf(r, "%s, %s", names,
				    t) : t;
	}
	if (strcmp(done, "on") == 0) {
		ap->message(r, "ok", names ? ap->printf(r, ap->tr(r,
		    "L’extension %s est activée, avec %s. Elle est en service "
		    "sur tous les serveurs d’ici une seconde."), p->name,
		    names) : ap->printf(r, ap->tr(r, "L’extension %s est "
		    "activée. Elle est en service sur tous les serveurs d’ici "
		    "une seconde."), p->name));
	} else if (strcmp(done, "off") == 0) {
		ap->message(r, "ok", ap->printf(r, ap->tr(r, "L’extension "
		    "%s est désactivée. Ses pages disparaissent d’ici une "
		    "seconde ; ses données sont gardées."), p->name));
	}
}

/* The last cell of a plugin's row: its switch, with the plugins it needs
 * (enabled with it) and those it suggests (ticked boxes). */
static void
admin_plugin_action(struct ap_req *r, const struct ap_plugin_info *pl,
    long n, const struct ap_plugin_info *p)
{
	const char *label;

	if (!p->loaded) {
		ap->elem(r, "span", ap->tr(r, "Indisponible"), "class", "muted",
		    NULL);
		return;
	}
	if (p->enabled && strcmp(p->name, "login") == 0) {
		ap->elem(r, "span", ap->tr(r, "Nécessaire à cette console"),
		    "class", "muted", NULL);
		return;
	}
	ap->open(r, "form", "method", "post", "action",
	    ap->url(r, "/admin/plugins"), "class", "plugin-action", NULL);
	ap->csrf_field(r, "plugins");
	ap->empty(r, "input", "type", "hidden", "name", "name", "value",
	    p->name, NULL);
	ap->empty(r, "input", "type", "hidden", "name", "on", "value",
	    p->enabled ? "0" : "1", NULL);
	if (!p->enabled) {
		const char *missing = NULL;
		const char **deps = admin_deps_to_enable(r, pl, n, p, &missing);

		if (deps != NULL && deps[0] != NULL)
			ap->elem(r, "p", ap->printf(r, ap->tr(r, "Active aussi "
			    "%s, dont elle a besoin."), admin_join(r, deps)),
			    "class", "hint", NULL);
		for (const char *const *s = p->suggests; s && *s; s++) {
			const struct ap_plugin_info *q = admin_find(pl, n, *s);
			const char *id;

			if (q == NULL || !q->loaded || q->enabled)
				continue;
			id = ap->printf(r, "also-%s-%s", p->name, q->name);
			ap->open(r, "div", "class", "field check", NULL);
			ap->empty(r, "input", "type", "checkbox", "id", id,
			    "name", "also", "value", q->name, "checked",
			    "checked", NULL);
			ap->elem(r, "label", ap->printf(r, ap->tr(r, "Activer "
			    "aussi %s (conseillé)"), q->name), "for", id, NULL);
			ap->close(r);
		}
	}
	label = p->enabled ? ap->tr(r, "Désactiver") : ap->tr(r, "Activer");
	ap->elem(r, "button", label, "type", "submit", "class", p->enabled ?
	    "button secondary" : "button", "aria-label", ap->printf(r, "%s %s",
	    label, p->name), NULL);
	ap->close(r);
}

/* The list of installed plugins, with an error above it (when a switch
 * was refused) and the given status. */
static int
admin_plugins_page(struct ap_req *r, const char *error, int status)
{
	const struct ap_plugin_info *pl;
	long n = ap->plugins_list(r, &pl);

	if (n < 0)
		return (int)n;
	ap->status(r, status);
	admin_begin(r, ap->tr(r, "Extensions"));
	if (error != NULL)
		ap->message(r, "error", error);
	else
		admin_plugins_done(r, pl, n);
	ap->elem(r, "p", ap->tr(r, "Activez une extension pour mettre ses pages "
	    "en service sur tout le site ; désactivez-la pour les retirer. Ses "
	    "données restent dans la base."), "class", "intro", NULL);
	ap->open(r, "div", "class", "table-wrap", "tabindex", "0", "role",
	    "region", "aria-labelledby", "cap-plugins", NULL);
	ap->open(r, "table", "class", "data plugins stack", NULL);
	ap->elem(r, "caption", ap->tr(r, "Extensions installées"), "id",
	    "cap-plugins", NULL);
	ap->open(r, "thead", NULL);
	ap->open(r, "tr", NULL);
	ap->elem(r, "th", ap->tr(r, "Extension"), "scope", "col", NULL);
	ap->elem(r, "th", ap->tr(r, "Description"), "scope", "col", NULL);
	ap->elem(r, "th", ap->tr(r, "Version"), "scope", "col", NULL);
	ap->elem(r, "th", ap->tr(r, "Dépendances"), "scope", "col", NULL);
	ap->elem(r, "th", ap->tr(r, "État"), "scope", "col", NULL);
	ap->elem(r, "th", ap->tr(r, "Action"), "scope", "col", NULL);
	ap->close(r);
	ap->close(r);
	ap->open(r, "tbody", NULL);
	for (long i = 0; i < n; i++) {
		const struct ap_plugin_info *p = &pl[i];
		char *needed = p->enabled ? admin_needed_by(r, pl, n, p->name) :
		    NULL;

		ap->open(r, "tr", "id", ap->printf(r, "plugin-%s", p->name),
		    "class", p->enabled ? "on" : "off", NULL);
		ap->open(r, "th", "scope", "row", NULL);
		ap->elem(r, "code", p->name, NULL);
		ap->close(r);
		/* data-label: the column's name, shown on a phone where the
		 * rows become cards. */
		ap->elem(r, "td", p->description ? ap->tr(r, p->description) :
		    "", "data-label", ap->tr(r, "Description"), NULL);
		ap->elem(r, "td", p->version ? p->version : "—", "data-label",
		    ap->tr(r, "Version"), NULL);
		ap->open(r, "td", "data-label", ap->tr(r, "Dépendances"), NULL);
		if (p->depends && p->depends[0])
			ap->elem(r, "p", ap->printf(r, ap->tr(r, "Nécessite : %s"),
			    admin_join(r, p->depends)), NULL);
		if (p->suggests && p->suggests[0])
			ap->elem(r, "p", ap->printf(r, ap->tr(r, "Conseille : %s"),
			    admin_join(r, p->suggests)), NULL);
		if (needed != NULL)
			ap->elem(r, "p", ap->printf(r, ap->tr(r, "Nécessaire à : "
			    "%s"), needed), NULL);
		if (!(p->depends && p->depends[0]) && !(p->suggests &&
		    p->suggests[0]) && needed == NULL)
			ap->text(r, "—");
		ap->close(r);
		ap->open(r, "td", "data-label", ap->tr(r, "État"), NULL);
		if (!p->loaded) {
			ap->elem(r, "strong", ap->tr(r, "Hors service"), "class",
			    "badge badge-error", NULL);
			ap->elem(r, "p", p->error, "class", "meta", NULL);
		} else {
			ap->elem(r, "strong", p->enabled ? ap->tr(r, "Activée") :
			    ap->tr(r, "Désactivée"), "class", p->enabled ?
			    "badge badge-ok" : "badge", NULL);
		}
		ap->close(r);
		ap->open(r, "td", "class", "action", NULL);
		admin_plugin_action(r, pl, n, p);
		ap->close(r);
		ap->close(r);   /* tr */
	}
	ap->close(r);
	ap->close(r);   /* table */
	ap->close(r);   /* div.table-wrap */
	return AP_OK;
}

/* GET /admin/plugins. */
int
login_admin_plugins(struct ap_req *r, void *state)
{
	int rc = ap->require_role(r, "admin");

	(void)state;
	if (rc != AP_OK)
		return rc;
	return admin_plugins_page(r, NULL, 200);
}

/* POST /admin/plugins (token checked by the core): name, on=1|0, and the
 * suggested plugins to enable with it (also=NAME...). */
int
login_admin_plugins_post(struct ap_req *r, void *state)
{
	const struct ap_plugin_info *pl, *p;
	const char *name = ap->form(r, "name"), *on_s = ap->form(r, "on");
	const char **also = NULL, **deps, *missing = NULL;
	char *with = NULL;
	size_t nalso;
	long n;
	int rc = ap->require_role(r, "admin"), on;

	(void)state;
	if (rc != AP_OK)
		return rc;
	n = ap->plugins_list(r, &pl);
	if (n < 0)
		return (int)n;
	p = admin_find(pl, n, name);
	if (p == NULL || on_s == NULL || (strcmp(on_s, "1") != 0 &&
	    strcmp(on_s, "0") != 0))
		return admin_plugins_page(r, ap->tr(r, "Cette extension n’est "
		    "pas installée."), 404);
	on = strcmp(on_s, "1") == 0;
	if (!on) {
		char *needed = admin_needed_by(r, pl, n, p->name);

		if (strcmp(p->name, "login") == 0)
			return admin_plugins_page(r, ap->tr(r, "La connexion ne "
			    "peut pas être désactivée depuis cette console : "
			    "plus personne ne pourrait s’y connecter. Pour la "
			    "désactiver quand même, utilisez sur le serveur la "
			    "commande « aparte-admin plugin disable login »."),
			    409);
		if (needed != NULL)
			return admin_plugins_page(r, ap->printf(r, ap->tr(r,
			    "L’extension %s est nécessaire à %s : désactivez "
			    "d’abord celles-ci."), p->name, needed), 409);
		if (p->enabled) {
			rc = ap->plugin_enable(r, p->name, 0);
			if (rc == AP_EINVAL)
				return admin_plugins_page(r, ap->printf(r,
				    ap->tr(r, "L’extension %s n’a pas pu être "
				    "désactivée."), p->name), 409);
			if (rc != AP_OK)
				return rc;
			ap->audit(r, "plugin.disable", p->name);
		}
		return ap->redirect(r, 303, ap->printf(r, "%s?done=off&name=%s",
		    ap->url(r, "/admin/plugins"), ap->urlencode(r, p->name)));
	}
	if (!p->loaded)
		return admin_plugins_page(r, ap->printf(r, ap->tr(r, "L’extension "
		    "%s ne peut pas être activée : %s"), p->name, p->error), 409);
	deps = admin_deps_to_enable(r, pl, n, p, &missing);
	if (deps == NULL)
		return admin_plugins_page(r, ap->printf(r, ap->tr(r, "L’extension "
		    "%s a besoin de %s, qui n’est pas disponible."), p->name,
		    missing), 409);
	for (size_t i = 0; deps[i]; i++) {
		rc = ap->plugin_enable(r, deps[i], 1);
		if (rc != AP_OK && rc != AP_EINVAL)
			return rc;
		if (rc == AP_EINVAL)
			return admin_plugins_page(r, ap->printf(r, ap->tr(r,
			    "L’extension %s n’a pas pu être activée."), deps[i]),
			    409);
		ap->audit(r, "plugin.enable", ap->printf(r, "%s (needed by %s)",
		    deps[i], p->name));
		with = with ? ap->printf(r, "%s,%s", with, deps[i]) :
		    ap->strdup(r, deps[i]);
	}
	if (!p->enabled) {
		rc = ap->plugin_enable(r, p->name, 1);
		if (rc == AP_EINVAL)
			return admin_plugins_page(r, ap->printf(r, ap->tr(r,
			    "L’extension %s n’a pas pu être activée."), p->name),
			    409);
		if (rc != AP_OK)
			return rc;
		ap->audit(r, "plugin.enable", p->name);
	}
	/* The suggestions the admin kept ticked. */
	nalso = ap->forms(r, "also", &also);
	for (size_t i = 0; i < nalso && i < 16; i++) {
		const struct ap_plugin_info *q = admin_find(pl, n, also[i]);
		int suggested = 0;

		for (const char *const *s = p->suggests; s && *s; s++)
			if (q != NULL && strcmp(*s, q->name) == 0)
				suggested = 1;
		if (!suggested || !q->loaded || q->enabled)
			continue;
		deps = admin_deps_to_enable(r, pl, n, q, &missing);
		if (deps == NULL || deps[0] != NULL)
			continue;   /* only what stands alone is offered */
		rc = ap->plugin_enable(r, q->name, 1);
		if (rc == AP_EINVAL)
			continue;
		if (rc != AP_OK)
			return rc;
		ap->audit(r, "plugin.enable", ap->printf(r, "%s (suggested by "
		    "%s)", q->name, p->name));
		with = with ? ap->printf(r, "%s,%s", with, q->name) :
		    ap->strdup(r, q->name);
	}
	return ap->redirect(r, 303, ap->printf(r, "%s?done=on&name=%s%s%s",
	    ap->url(r, "/admin/plugins"), ap->urlencode(r, p->name),
	    with ? "&with=" : "", with ? ap->urlencode(r, with) : ""));
}

/* ---- users ---- */

/* The list of roles (with "all" first for a filter); err_id ties it to
 * its error. */
static void
admin_role_select(struct ap_req *r, const char *id, const char *name,
    const char *current, int any, const char *err_id)
{
	static const char *const roles[] = { "admin", "moderator", "expert",
	    "member", NULL };

	ap->open(r, "select", "id", id, "name", name, "aria-describedby",
	    err_id, "aria-invalid", err_id ? "true" : NULL, NULL);
	if (any)
		ap->elem(r, "option", ap->tr(r, "Tous les rôles"), "value", "",
		    NULL);
	for (size_t i = 0; roles[i]; i++)
		ap->elem(r, "option", login_role_label(r, roles[i]), "value",
		    roles[i], "selected", current && strcmp(current,
		    roles[i]) == 0 ? "selected" : NULL, NULL);
	ap->close(r);
}

static const char *
admin_status_label(struct ap_req *r, const char *status)
{
	return strcmp(status, "active") == 0 ? ap->tr(r, "Actif") :
	    ap->tr(r, "Désactivé");
}

struct admin_add {
	const char *email, *name, *role;
	const char *error, *email_err, *name_err, *role_err;
};

/* The accounts, filtered and paged from the query, then the form that
 * adds one (with what add holds when it came back). */
static int
admin_users_page(struct ap_req *r, const struct admin_add *add, int status)
{
	const char *q = login_trim(r, ap->arg(r, "q"));
	const char *role = ap->arg(r, "role"), *st = ap->arg(r, "status");
	const char *like, *query;
	long page = admin_page_arg(r);
	struct ap_res *res, *cnt;
	long long total;

	if (q != NULL && strlen(q) > 254)
		q = ap->strndup(r, q, 254);
	if (!login_role_ok(role))
		role = NULL;
	if (st != NULL && strcmp(st, "active") != 0 &&
	    strcmp(st, "disabled") != 0)
		st = NULL;
	/* LIKE's own characters in the search are taken literally. */
	like = "";
	if (q != NULL && *q) {
		char *e = ap->alloc(r, strlen(q) * 2 + 3), *o = e;

		*o++ = '%';
		for (const char *p = q; *p; p++) {
			if (*p == '%' || *p == '_' || *p == '\\')
				*o++ = '\\';
			*o++ = *p;
		}
		*o++ = '%';
		*o = '\0';
		like = e;
	}
#define USERS_WHERE "WHERE (CHAR_LENGTH(?) = 0 OR email LIKE ? OR " \
	"name LIKE ?) AND (? IS NULL OR role = ?) AND (? IS NULL OR status = ?)"
	cnt = ap->query(r, "SELECT COUNT(*) FROM login_users " USERS_WHERE,
	    AP_ARGS(AP_TEXT(like), AP_TEXT(like), AP_TEXT(like),
	    AP_TEXT(role), AP_TEXT(role), AP_TEXT(st), AP_TEXT(st)));
	if (cnt == NULL)
		return ap->db_error(r);
	total = ap->cell_int(cnt, 0, 0);
	res = ap->query(r, "SELECT id, name, email, role, status, "
	    "COALESCE(last_login, 0) FROM login_users " USERS_WHERE
	    " ORDER BY name, id LIMIT ? OFFSET ?",
	    AP_ARGS(AP_TEXT(like), AP_TEXT(like), AP_TEXT(like),
	    AP_TEXT(role), AP_TEXT(role), AP_TEXT(st), AP_TEXT(st),
	    AP_INT(LOGIN_PAGE_ROWS), AP_INT((page - 1) * LOGIN_PAGE_ROWS)));
	if (res == NULL)
		return ap->db_error(r);

	ap->status(r, status);
	admin_begin(r, ap->tr(r, "Utilisateurs"));
	if (add != NULL && add->error != NULL)
		ap->message(r, "error", add->error);

	ap->open(r, "form", "method", "get", "action",
	    ap->url(r, "/admin/users"), "class", "filters", "role", "search",
	    NULL);
	ap->field(r, &(struct ap_field){ .type = "search", .name = "q",
	    .label = ap->tr(r, "Nom ou adresse"), .value = q,
	    .maxlength = 254 });
	ap->open(r, "div", "class", "field", NULL);
	ap->elem(r, "label", ap->tr(r, "Rôle"), "for", "f-role-filter", NULL);
	admin_role_select(r, "f-role-filter", "role", role, 1, NULL);
	ap->close(r);
	ap->open(r, "div", "class", "field", NULL);
	ap->elem(r, "label", ap->tr(r, "État"), "for", "f-status", NULL);
	ap->open(r, "select", "id", "f-status", "name", "status", NULL);
	ap->elem(r, "option", ap->tr(r, "Tous"), "value", "", NULL);
	ap->elem(r, "option", ap->tr(r, "Actif"), "value", "active",
	    "selected", st && strcmp(st, "active") == 0 ? "selected" : NULL,
	    NULL);
	ap->elem(r, "option", ap->tr(r, "Désactivé"), "value", "disabled",
	    "selected", st && strcmp(st, "disabled") == 0 ? "selected" : NULL,
	    NULL);
	ap->close(r);
	ap->close(r);
	ap->elem(r, "button", ap->tr(r, "Filtrer"), "type", "submit", "class",
	    "button secondary", NULL);
	ap->close(r);   /* form */

	ap->open(r, "div", "class", "table-wrap", "tabindex", "0", "role",
	    "region", "aria-labelledby", "cap-users", NULL);
	ap->open(r, "table", "class", "data users stack", NULL);
	ap->elem(r, "caption", ap->printf(r, ap->trn(r, "%lld compte",
	    "%lld comptes", (unsigned long)total), total), "id", "cap-users",
	    NULL);
	ap->open(r, "thead", NULL);
	ap->open(r, "tr", NULL);
	ap->elem(r, "th", ap->tr(r, "Nom"), "scope", "col", NULL);
	ap->elem(r, "th", ap->tr(r, "Adresse e-mail"), "scope", "col", NULL);
	ap->elem(r, "th", ap->tr(r, "Rôle"), "scope", "col", NULL);
	ap->elem(r, "th", ap->tr(r, "État"), "scope", "col", NULL);
	ap->elem(r, "th", ap->tr(r, "Dernière connexion"), "scope", "col",
	    NULL);
	ap->close(r);
	ap->close(r);
	ap->open(r, "tbody", NULL);
	for (size_t i = 0; i < ap->rows(res); i++) {
		time_t last = (time_t)ap->cell_int(res, i, 5);

		ap->open(r, "tr", NULL);
		ap->open(r, "th", "scope", "row", NULL);
		ap->elem(r, "a", ap->cell(res, i, 1), "href", ap->url(r,
		    ap->printf(r, "/admin/users/%s", ap->cell(res, i, 0))),
		    NULL);
		ap->close(r);
		ap->elem(r, "td", ap->cell(res, i, 2), "data-label",
		    ap->tr(r, "Adresse e-mail"), NULL);
		ap->elem(r, "td", login_role_label(r, ap->cell(res, i, 3)),
		    "data-label", ap->tr(r, "Rôle"), NULL);
		ap->open(r, "td", "data-label", ap->tr(r, "État"), NULL);
		ap->elem(r, "span", admin_status_label(r, ap->cell(res, i, 4)),
		    "class", strcmp(ap->cell(res, i, 4), "active") == 0 ?
		    "badge badge-ok" : "badge badge-warn", NULL);
		ap->close(r);
		ap->open(r, "td", "data-label", ap->tr(r, "Dernière connexion"),
		    NULL);
		if (last > 0)
			ap->elem(r, "time", ap->date(r, last), "datetime",
			    ap->iso_date(r, last), NULL);
		else
			ap->text(r, ap->tr(r, "jamais"));
		ap->close(r);
		ap->close(r);
	}
	ap->close(r);
	ap->close(r);   /* table */
	ap->close(r);   /* div.table-wrap */
	query = ap->printf(r, "%s%s%s%s%s%s", q && *q ? "q=" : "",
	    q && *q ? ap->printf(r, "%s&", ap->urlencode(r, q)) : "",
	    role ? "role=" : "", role ? ap->printf(r, "%s&", role) : "",
	    st ? "status=" : "", st ? ap->printf(r, "%s&", st) : "");
	admin_pager(r, "/admin/users", query, page, total);

	ap->open(r, "section", "class", "add-user", "aria-labelledby",
	    "h-add", NULL);
	ap->elem(r, "h2", ap->tr(r, "Ajouter un compte"), "id", "h-add", NULL);
	ap->elem(r, "p", ap->tr(r, "La personne reçoit un message avec un lien "
	    "pour choisir son mot de passe."), NULL);
	ap->open(r, "form", "method", "post", "action",
	    ap->url(r, "/admin/users"), "class", "admin-form", NULL);
	ap->csrf_field(r, "user-add");
	login_required_note(r);
	ap->field(r, &(struct ap_field){ .type = "email", .name = "email",
	    .label = ap->tr(r, "Adresse e-mail"), .value = add ? add->email :
	    NULL, .error = add ? add->email_err : NULL, .autocomplete = "off",
	    .required = 1, .maxlength = LOGIN_EMAIL_MAX });
	ap->field(r, &(struct ap_field){ .type = "text", .name = "name",
	    .label = ap->tr(r, "Nom affiché"), .value = add ? add->name : NULL,
	    .error = add ? add->name_err : NULL, .autocomplete = "off",
	    .required = 1, .maxlength = LOGIN_DNAME_MAX });
	ap->open(r, "div", "class", add && add->role_err ? "field has-error" :
	    "field", NULL);
	ap->elem(r, "label", ap->tr(r, "Rôle"), "for", "f-role", NULL);
	if (add && add->role_err)
		ap->elem(r, "p", add->role_err, "class", "error", "id",
		    "f-role-err", NULL);
	admin_role_select(r, "f-role", "role", add && add->role ? add->role :
	    "member", 0, add && add->role_err ? "f-role-err" : NULL);
	ap->close(r);
	ap->open(r, "p", "class", "actions", NULL);
	ap->elem(r, "button", ap->tr(r, "Ajouter le compte"), "type", "submit",
	    "class", "button", NULL);
	ap->close(r);
	ap->close(r);   /* form */
	ap->close(r);   /* section */
	return AP_OK;
}

/* GET /admin/users?q=&role=&status=&page=. */
int
login_admin_users(struct ap_req *r, void *state)
{
	int rc = ap->require_role(r, "admin");

	(void)state;
	if (rc != AP_OK)
		return rc;
	return admin_users_page(r, NULL, 200);
}

/* POST /admin/users: a new account, without a password: the person
 * chooses it through the link mailed to them. */
int
login_admin_users_post(struct ap_req *r, void *state)
{
	struct admin_add a = { 0 };
	struct login_user u;
	long long id;
	char *tok;
	int rc = ap->require_role(r, "admin");

	(void)state;
	if (rc != AP_OK)
		return rc;
	a.email = login_trim(r, ap->form(r, "email"));
	a.name = login_trim(r, ap->form(r, "name"));
	a.role = ap->form(r, "role");
	rc = ap->csrf_check(r, "user-add");
	if (rc == AP_EDB)
		return rc;
	if (rc != AP_OK) {
		a.error = login_csrf_message(r);
		return admin_users_page(r, &a, 403);
	}
	a.email_err = login_email_problem(r, a.email);
	a.name_err = login_name_problem(r, a.name);
	if (!login_role_ok(a.role)) {
		a.role_err = ap->tr(r, "Choisissez un rôle dans la liste.");
		a.role = NULL;
	}
	if (a.email_err || a.name_err || a.role_err) {
		a.error = ap->tr(r, "Le formulaire contient des erreurs : "
		    "corrigez les champs signalés.");
		return admin_users_page(r, &a, 422);
	}
	if ((rc = ap->begin(r)) != AP_OK)
		return rc;
	rc = ap->exec(r, "INSERT INTO login_users (email, name, role, status, "
	    "created, updated) VALUES (?, ?, ?, 'active', ?, ?)",
	    AP_ARGS(AP_TEXT(a.email), AP_TEXT(a.name), AP_TEXT(a.role),
	    AP_INT(ap->now(r)), AP_INT(ap->now(r))));
	if (rc == AP_EDUP) {
		ap->rollback(r);
		a.email_err = ap->tr(r, "Un compte existe déjà avec cette "
		    "adresse.");
		a.error = ap->tr(r, "Le formulaire contient des erreurs : "
		    "corrigez les champs signalés.");
		return admin_users_page(r, &a, 409);
	}
	id = ap->insert_id(r);
	memset(&u, 0, sizeof(u));
	u.id = id;
	u.email = a.email;
	u.name = a.name;
	tok = rc == AP_OK ? login_token_new(r, id, "welcome", NULL,
	    login_conf.welcome_validity, &rc) : NULL;
	if (tok != NULL)
		rc = login_mail_link(r, &u, "welcome", tok);
	if (rc == AP_OK)
		rc = ap->audit(r, "user.add", ap->printf(r, "%s (%s)", a.email,
		    a.role));
	if (rc == AP_OK)
		rc = ap->commit(r);
	if (rc != AP_OK) {
		ap->rollback(r);
		return rc;
	}
	return ap->redirect(r, 303, ap->printf(r, "%s?done=added",
	    ap->url(r, ap->printf(r, "/admin/users/%lld", id))));
}

/* The {id} of the route: a positive number, else 0. */
static long long
admin_user_id(struct ap_req *r)
{
	const char *s = ap->route_arg(r, "id");
	char *end;
	long long id;

	if (s == NULL || *s == '\0' || strlen(s) > 18 || *s == '-' ||
	    *s == '+')
		return 0;
	id = strtoll(s, &end, 10);
	return *end == '\0' && id > 0 ? id : 0;
}

static const struct {
	const char *key, *msg;
} admin_user_done[] = {
	{ "added", AP_N_("Le compte est créé ; un lien pour choisir son mot "
	    "de passe a été envoyé à la personne.") },
	{ "role", AP_N_("Le rôle est changé.") },
	{ "disabled", AP_N_("Le compte est désactivé ; ses sessions sont "
	    "terminées.") },
	{ "enabled", AP_N_("Le compte est réactivé.") },
	{ "reset", AP_N_("Un lien pour choisir un nouveau mot de passe a été "
	    "envoyé.") },
	{ "sessions", AP_N_("Toutes les sessions de ce compte sont "
	    "terminées.") },
	{ NULL, NULL },
};

/* An account's facts and the buttons acting on it (none on one's own),
 * with an error (a refused action) or the message of ?done=. */
static int
admin_user_page(struct ap_req *r, const struct login_user *u,
    const char *error, int status)
{
	const char *done = ap->arg(r, "done");
	const char *path = ap->url(r, ap->printf(r, "/admin/users/%lld", u->id));
	const struct ap_user *me = ap->user(r);
	int self = me != NULL && me->id == u->id;
	struct ap_res *res = ap->query(r, "SELECT COUNT(*) FROM login_sessions "
	    "WHERE user_id = ? AND expires > ?", AP_ARGS(AP_INT(u->id),
	    AP_INT(ap->now(r))));

	ap->status(r, status);
	admin_begin(r, u->name);
	if (error != NULL)
		ap->message(r, "error", error);
	for (size_t i = 0; error == NULL && done && admin_user_done[i].key;
	    i++)
		if (strcmp(done, admin_user_done[i].key) == 0)
			ap->message(r, "ok", ap->tr(r,
			    admin_user_done[i].msg));
	ap->open(r, "dl", "class", "user-facts", NULL);
	ap->elem(r, "dt", ap->tr(r, "Adresse e-mail"), NULL);
	ap->elem(r, "dd", u->email, NULL);
	ap->elem(r, "dt", ap->tr(r, "Rôle"), NULL);
	ap->elem(r, "dd", login_role_label(r, u->role), NULL);
	ap->elem(r, "dt", ap->tr(r, "État"), NULL);
	ap->elem(r, "dd", admin_status_label(r, u->status), NULL);
	ap->elem(r, "dt", ap->tr(r, "Compte créé le"), NULL);
	ap->open(r, "dd", NULL);
	ap->elem(r, "time", ap->date(r, (time_t)u->created), "datetime",
	    ap->iso_date(r, (time_t)u->created), NULL);
	ap->close(r);
	ap->elem(r, "dt", ap->tr(r, "Dernière connexion"), NULL);
	ap->open(r, "dd", NULL);
	if (u->last_login > 0)
		ap->elem(r, "time", ap->date(r, (time_t)u->last_login),
		    "datetime", ap->iso_date(r, (time_t)u->last_login), NULL);
	else
		ap->text(r, ap->tr(r, "jamais"));
	ap->close(r);
	ap->elem(r, "dt", ap->tr(r, "Mot de passe"), NULL);
	ap->elem(r, "dd", u->pwhash ? ap->tr(r, "choisi") : ap->tr(r, "pas "
	    "encore choisi"), NULL);
	ap->elem(r, "dt", ap->tr(r, "Sessions ouvertes"), NULL);
	ap->elem(r, "dd", ap->printf(r, "%lld", res ? ap->cell_int(res, 0, 0) :
	    0LL), NULL);
	ap->close(r);   /* dl */

	if (self) {
		ap->elem(r, "p", ap->tr(r, "C’est votre propre compte : changez "
		    "votre nom, votre adresse ou votre mot de passe depuis « Mon "
		    "compte ». Un autre administrateur peut changer votre rôle."),
		    "class", "hint", NULL);
	} else {
		ap->open(r, "form", "method", "post", "action", path, "class",
		    "admin-form role-form", NULL);
		ap->csrf_field(r, "user");
		ap->empty(r, "input", "type", "hidden", "name", "action",
		    "value", "role", NULL);
		ap->open(r, "div", "class", "field", NULL);
		ap->elem(r, "label", ap->tr(r, "Rôle"), "for", "f-role", NULL);
		admin_role_select(r, "f-role", "role", u->role, 0, NULL);
		ap->close(r);
		ap->elem(r, "button", ap->tr(r, "Changer le rôle"), "type",
		    "submit", "class", "button secondary", NULL);
		ap->close(r);
		ap->open(r, "ul", "class", "actions-list", NULL);
		ap->open(r, "li", NULL);
		ap->open(r, "form", "method", "post", "action", path, "class",
		    "inline", NULL);
		ap->csrf_field(r, "user");
		ap->empty(r, "input", "type", "hidden", "name", "action",
		    "value", strcmp(u->status, "active") == 0 ? "disable" :
		    "enable", NULL);
		if (strcmp(u->status, "active") == 0)
			ap->elem(r, "button", ap->tr(r, "Désactiver le compte"),
			    "type", "submit", "class", "button danger",
			    "data-confirm", ap->printf(r, ap->tr(r, "Désactiver "
			    "le compte de %s ? Ses sessions seront terminées."),
			    u->email), NULL);
		else
			ap->elem(r, "button", ap->tr(r, "Réactiver le compte"),
			    "type", "submit", "class", "button", NULL);
		ap->close(r);
		ap->close(r);
		if (strcmp(u->status, "active") == 0) {
			ap->open(r, "li", NULL);
			ap->open(r, "form", "method", "post", "action", path,
			    "class", "inline", NULL);
			ap->csrf_field(r, "user");
			ap->empty(r, "input", "type", "hidden", "name",
			    "action", "value", "reset", NULL);
			ap->elem(r, "button", ap->tr(r, "Envoyer un lien de "
			    "réinitialisation du mot de passe"), "type", "submit",
			    "class", "button secondary", NULL);
			ap->close(r);
			ap->close(r);
		}
		ap->open(r, "li", NULL);
		ap->open(r, "form", "method", "post", "action", path, "class",
		    "inline", NULL);
		ap->csrf_field(r, "user");
		ap->empty(r, "input", "type", "hidden", "name", "action",
		    "value", "sessions", NULL);
		ap->elem(r, "button", ap->tr(r, "Terminer ses sessions"),
		    "type", "submit", "class", "button secondary", NULL);
		ap->close(r);
		ap->close(r);
		ap->close(r);   /* ul */
	}
	ap->open(r, "p", NULL);
	ap->elem(r, "a", ap->tr(r, "Retour à la liste des comptes"), "href",
	    ap->url(r, "/admin/users"), NULL);
	ap->close(r);
	return AP_OK;
}

/* GET /admin/users/{id}. */
int
login_admin_user(struct ap_req *r, void *state)
{
	struct login_user u;
	long long id = admin_user_id(r);
	int rc = ap->require_role(r, "admin");

	(void)state;
	if (rc != AP_OK)
		return rc;
	if (id == 0)
		return 404;
	rc = login_user_by_id(r, id, &u);
	if (rc == AP_DECLINED)
		return 404;
	if (rc != AP_OK)
		return rc;
	return admin_user_page(r, &u, NULL, 200);
}

/* POST /admin/users/{id} (token checked by the core): action = role,
 * disable, enable, reset or sessions.  An admin never acts on their own
 * account here, and the last active admin stays one. */
int
login_admin_user_post(struct ap_req *r, void *state)
{
	struct login_user u;
	const struct ap_user *me;
	const char *action = ap->form(r, "action"), *done;
	long long id = admin_user_id(r), admins;
	int rc = ap->require_role(r, "admin");

	(void)state;
	if (rc != AP_OK)
		return rc;
	if (id == 0)
		return 404;
	rc = login_user_by_id(r, id, &u);
	if (rc == AP_DECLINED)
		return 404;
	if (rc != AP_OK)
		return rc;
	me = ap->user(r);
	if (action == NULL)
		action = "";
	if (me->id == u.id)
		return admin_user_page(r, &u, ap->tr(r, "Vous ne pouvez pas "
		    "changer le rôle ou l’état de votre propre compte ici."), 409);
	if ((rc = ap->begin(r)) != AP_OK)
		return rc;
	if (strcmp(action, "role") == 0) {
		const char *role = ap->form(r, "role");

		if (!login_role_ok(role)) {
			ap->rollback(r);
			return admin_user_page(r, &u, ap->tr(r, "Choisissez un "
			    "rôle dans la liste."), 422);
		}
		/* Locks the admins' rows: two admins demoting each other at
		 * once cannot leave none. */
		admins = login_active_admins(r);
		if (admins < 0) {
			ap->rollback(r);
			return (int)admins;
		}
		if (strcmp(u.role, "admin") == 0 && strcmp(role, "admin") != 0 &&
		    strcmp(u.status, "active") == 0 && admins <= 1) {
			ap->rollback(r);
			return admin_user_page(r, &u, ap->tr(r, "C’est le dernier "
			    "administrateur actif : nommez-en un autre d’abord."),
			    409);
		}
		rc = ap->exec(r, "UPDATE login_users SET role = ?, updated = ? "
		    "WHERE id = ?", AP_ARGS(AP_TEXT(role), AP_INT(ap->now(r)),
		    AP_INT(u.id)));
		if (rc == AP_OK)
			rc = ap->audit(r, "user.role", ap->printf(r,
			    "%s: %s -> %s", u.email, u.role, role));
		done = "role";
	} else if (strcmp(action, "disable") == 0) {
		admins = login_active_admins(r);
		if (admins < 0) {
			ap->rollback(r);
			return (int)admins;
		}
		if (strcmp(u.role, "admin") == 0 && admins <= 1) {
			ap->rollback(r);
			return admin_user_page(r, &u, ap->tr(r, "C’est le dernier "
			    "administrateur actif : nommez-en un autre d’abord."),
			    409);
		}
		rc = ap->exec(r, "UPDATE login_users SET status = 'disabled', "
		    "updated = ? WHERE id = ?", AP_ARGS(AP_INT(ap->now(r)),
		    AP_INT(u.id)));
		if (rc == AP_OK)
			rc = login_sessions_end_user(r, u.id);
		if (rc == AP_OK)
			rc = ap->exec(r, "DELETE FROM login_tokens WHERE "
			    "user_id = ? AND used_at IS NULL",
			    AP_ARGS(AP_INT(u.id)));
		if (rc == AP_OK)
			rc = ap->audit(r, "user.disable", u.email);
		done = "disabled";
	} else if (strcmp(action, "enable") == 0) {
		rc = ap->exec(r, "UPDATE login_users SET status = 'active', "
		    "updated = ? WHERE id = ?", AP_ARGS(AP_INT(ap->now(r)),
		    AP_INT(u.id)));
		if (rc == AP_OK)
			rc = ap->audit(r, "user.enable", u.email);
		done = "enabled";
	} else if (strcmp(action, "reset") == 0) {
		char *tok;

		if (strcmp(u.status, "active") != 0) {
			ap->rollback(r);
			return admin_user_page(r, &u, ap->tr(r, "Ce compte est "
			    "désactivé : réactivez-le d’abord."), 409);
		}
		tok = login_token_new(r, u.id, u.pwhash ? "reset" : "welcome",
		    NULL, u.pwhash ? login_conf.reset_validity :
		    login_conf.welcome_validity, &rc);
		if (tok != NULL)
			rc = login_mail_link(r, &u, u.pwhash ? "reset" :
			    "welcome", tok);
		if (rc == AP_OK)
			rc = ap->audit(r, "user.reset", u.email);
		done = "reset";
	} else if (strcmp(action, "sessions") == 0) {
		rc = login_sessions_end_user(r, u.id);
		if (rc == AP_OK)
			rc = ap->audit(r, "user.sessions", u.email);
		done = "sessions";
	} else {
		ap->rollback(r);
		return 400;
	}
	if (rc == AP_OK)
		rc = ap->commit(r);
	if (rc != AP_OK) {
		ap->rollback(r);
		return rc;
	}
	return ap->redirect(r, 303, ap->printf(r, "%s?done=%s",
	    ap->url(r, ap->printf(r, "/admin/users/%lld", u.id)), done));
}

/* ---- audit ---- */

/* What the audit's codes mean, for the console; a code not listed here (a
 * plugin's own) is shown as it is. */
static const struct {
	const char *code, *label;
} admin_audit_labels[] = {
	{ "antispam.reset", AP_N_("Mémoire du filtre effacée") },
	{ "antispam.rule.add", AP_N_("Règle du filtre ajoutée") },
	{ "antispam.rule.delete", AP_N_("Règle du filtre supprimée") },
	{ "comments.approve", AP_N_("Commentaire approuvé") },
	{ "comments.delete", AP_N_("Commentaire supprimé") },
	{ "comments.edit", AP_N_("Commentaire modifié") },
	{ "comments.ham", AP_N_("Commentaire déclaré non indésirable") },
	{ "comments.import", AP_N_("Commentaires importés de WordPress") },
	{ "comments.page", AP_N_("Page commentée réglée") },
	{ "comments.reply", AP_N_("Réponse de la modération") },
	{ "comments.spam", AP_N_("Commentaire déclaré indésirable") },
	{ "comments.trash", AP_N_("Commentaire mis à la corbeille") },
	{ "comments.words", AP_N_("Listes de mots modifiées") },
	{ "plugin.disable", AP_N_("Extension désactivée") },
	{ "plugin.enable", AP_N_("Extension activée") },
	{ "privacy.erase", AP_N_("Données d’une personne effacées") },
	{ "privacy.export", AP_N_("Données d’une personne exportées") },
	{ "user.add", AP_N_("Compte créé") },
	{ "user.disable", AP_N_("Compte désactivé") },
	{ "user.enable", AP_N_("Compte réactivé") },
	{ "user.passwd", AP_N_("Mot de passe changé") },
	{ "user.reset", AP_N_("Lien de mot de passe envoyé") },
	{ "user.role", AP_N_("Rôle changé") },
	{ "user.sessions", AP_N_("Sessions fermées") },
};

/* An audit line's action: what it means, then its code. */
static void
admin_audit_action(struct ap_req *r, const char *code)
{
	for (size_t i = 0; i < sizeof(admin_audit_labels) /
	    sizeof(admin_audit_labels[0]); i++)
		if (strcmp(code, admin_audit_labels[i].code) == 0) {
			ap->text(r, ap->tr(r, admin_audit_labels[i].label));
			ap->text(r, " ");
			break;
		}
	ap->elem(r, "code", code, NULL);
}


/* GET /admin/audit?page=N: newest first. */
int
login_admin_audit(struct ap_req *r, void *state)
{
	long page = admin_page_arg(r);
	struct ap_res *res, *cnt;
	long long total;
	int rc = ap->require_role(r, "admin");

	(void)state;
	if (rc != AP_OK)
		return rc;
	cnt = ap->query(r, "SELECT COUNT(*) FROM ap_audit", AP_NOARGS);
	if (cnt == NULL)
		return ap->db_error(r);
	total = ap->cell_int(cnt, 0, 0);
	res = ap->query(r, "SELECT TIMESTAMPDIFF(SECOND, '1970-01-01 "
	    "00:00:00', at), COALESCE(user_email, ''), ip, action, "
	    "COALESCE(detail, '') FROM ap_audit ORDER BY id DESC LIMIT ? "
	    "OFFSET ?", AP_ARGS(AP_INT(LOGIN_PAGE_ROWS),
	    AP_INT((page - 1) * LOGIN_PAGE_ROWS)));
	if (res == NULL)
		return ap->db_error(r);
	admin_begin(r, ap->tr(r, "Journal des actions"));
	ap->elem(r, "p", ap->tr(r, "Ce que les administrateurs ont fait, du plus "
	    "récent au plus ancien : qui, quoi, quand, depuis quelle adresse."),
	    "class", "intro", NULL);
	ap->open(r, "div", "class", "table-wrap", "tabindex", "0", "role",
	    "region", "aria-labelledby", "cap-audit", NULL);
	ap->open(r, "table", "class", "data audit stack", NULL);
	ap->elem(r, "caption", ap->printf(r, ap->trn(r, "%lld action",
	    "%lld actions", (unsigned long)total), total), "id", "cap-audit",
	    NULL);
	ap->open(r, "thead", NULL);
	ap->open(r, "tr", NULL);
	ap->elem(r, "th", ap->tr(r, "Date"), "scope", "col", NULL);
	ap->elem(r, "th", ap->tr(r, "Qui"), "scope", "col", NULL);
	ap->elem(r, "th", ap->tr(r, "Adresse IP"), "scope", "col", NULL);
	ap->elem(r, "th", ap->tr(r, "Action"), "scope", "col", NULL);
	ap->elem(r, "th", ap->tr(r, "Détail"), "scope", "col", NULL);
	ap->close(r);
	ap->close(r);
	ap->open(r, "tbody", NULL);
	for (size_t i = 0; i < ap->rows(res); i++) {
		time_t at = (time_t)ap->cell_int(res, i, 0);

		ap->open(r, "tr", NULL);
		ap->open(r, "td", "data-label", ap->tr(r, "Date"), NULL);
		ap->elem(r, "time", ap->date(r, at), "datetime",
		    ap->iso_date(r, at), NULL);
		ap->close(r);
		ap->elem(r, "td", ap->cell(res, i, 1), "data-label",
		    ap->tr(r, "Qui"), NULL);
		ap->elem(r, "td", ap->cell(res, i, 2), "data-label",
		    ap->tr(r, "Adresse IP"), NULL);
		ap->open(r, "td", "data-label", ap->tr(r, "Action"), NULL);
		admin_audit_action(r, ap->cell(res, i, 3));
		ap->close(r);
		ap->elem(r, "td", ap->cell(res, i, 4), "data-label",
		    ap->tr(r, "Détail"), NULL);
		ap->close(r);
	}
	ap->close(r);
	ap->close(r);   /* table */
	ap->close(r);   /* div.table-wrap */
	admin_pager(r, "/admin/audit", "", page, total);
	return AP_OK;
}
