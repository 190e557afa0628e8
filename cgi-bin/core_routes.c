/*
 * core_routes.c: the few pages the core answers itself: the status for
 * monitors, the language switch, and the backend's home page.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core.h"

/* GET /status: plain text for monitors; 503 when the database does not
 * answer.  The database is asked at most once a second per thread: the
 * check of the enabled plugins has already asked it this second. */
static int
core_status(struct ap_req *r, void *state)
{
	bool db;
	struct ap_buf *o = r->ob;

	(void)state;
	db = ap_db_ok_now(r);
	if (!db)
		db = ap_db_query(r, "SELECT 1", AP_NOARGS) != NULL;
	r->status = db ? 200 : 503;
	r->ctype = "text/plain; charset=utf-8";
	r->nocache = true;
	ap_buf_printf(o, "aparte %s\ndatabase: %s\nplugins loaded:",
	    PACKAGE_VERSION, db ? "ok" : "unreachable");
	for (size_t i = 0; i < ap_core.nplugins; i++)
		if (ap_core.plugins[i].loaded)
			ap_buf_printf(o, " %s", ap_core.plugins[i].name);
	ap_buf_adds(o, "\nplugins enabled:");
	if (!r->w->enabled_known)
		ap_buf_adds(o, " (unknown)");
	for (size_t i = 0; r->w->enabled_known && i < ap_core.nplugins; i++)
		if (r->w->enabled[i])
			ap_buf_printf(o, " %s", ap_core.plugins[i].name);
	ap_buf_adds(o, "\n");
	for (size_t i = 0; i < ap_core.nplugins; i++)
		if (!ap_core.plugins[i].loaded)
			ap_buf_printf(o, "plugin %s off: %s\n",
			    ap_core.plugins[i].name, ap_core.plugins[i].error ?
			    ap_core.plugins[i].error : "not loaded");
	return AP_OK;
}

/* GET /lang/{code}?back=PATH: remembers the visitor's language for a year
 * and goes back to the page (a path on this site only). */
static int
core_lang(struct ap_req *r, void *state)
{
	const char *code = ap_kv_get(&r->rargs, "code");
	const char *back = ap_kv_get(&r->query, "back");
	bool ok = false;

	(void)state;
	for (size_t i = 0; ap_core.langs[i]; i++)
		if (strcmp(ap_core.langs[i], code) == 0)
			ok = true;
	if (!ok)
		return 404;
	ap_host_table.set_cookie(r, "ap_lang", code, 365L * 86400, 0);
	if (back == NULL || !ap_is_local_path(back))
		back = ap_core.home;
	return ap_host_table.redirect(r, 303, back);
}

/* GET /: what this site offers, from the navigation of the enabled
 * plugins. */
static int
core_home(struct ap_req *r, void *state)
{
	(void)state;
	ap_x_page_begin(r, ap_i18n_tr(r->lang, "Espace du site"));
	ap_x_open(r, "section", "class", "home", NULL);
	ap_x_elem(r, "h1", ap_core.title, NULL);
	ap_x_elem(r, "p", ap_i18n_tr(r->lang, "Les parties dynamiques du "
	    "site : commentaires, connexion, contact et annuaire des experts, "
	    "selon ce que l’administrateur a activé."), NULL);
	ap_x_close(r);
	return AP_OK;
}

int
ap_core_routes(void)
{
	if (ap_router_add(&ap_core.router, "GET", "/status",
	    AP_ROUTE_RAW | AP_ROUTE_NOSESSION, core_status, -1) != 0)
		return -1;
	if (ap_router_add(&ap_core.router, "GET", "/lang/{code}",
	    AP_ROUTE_NOSESSION, core_lang, -1) != 0)
		return -1;
	if (ap_router_add(&ap_core.router, "GET", "/", 0, core_home, -1) != 0)
		return -1;
	return 0;
}
