/*
 * plugin.c: the plugin loader, the enabled set and the hooks.
 *
 * Each NAME.so of the plugin folder is opened with RTLD_NOW | RTLD_LOCAL
 * (a missing symbol fails at start, never mid-request) and must export
 * ap_plugin_NAME.  A plugin of another ABI major or of a newer minor, with
 * a missing dependency, a route taken by another, or whose init fails, is
 * logged once and left off; the others serve.  Plugins are never unloaded
 * from a running worker: disabling one takes its routes and hooks out of
 * service at once, its data stays.
 *
 * Which plugins are enabled lives in the database (ap_plugins), with a
 * generation counter (ap_counters 'plugins') that every thread reads at
 * most once a second: a change reaches every worker of every host within a
 * second, without a restart.
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

static char **plugin_failed;   /* names of plugins that are off */
static size_t plugin_nfailed;

static bool
plugin_name_ok(const char *s, size_t n)
{
	if (n == 0 || n > 32 || !islower((unsigned char)s[0]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(islower((unsigned char)s[i]) ||
		    isdigit((unsigned char)s[i]) || s[i] == '_'))
			return false;
	return true;
}

static int
plugin_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ap_plugin_ent *)a)->name,
	    ((const struct ap_plugin_ent *)b)->name);
}

static void
plugin_off(struct ap_plugin_ent *p, const char *why)
{
	ap_log(AP_LOG_ERR, "core: plugin %s is off: %s", p->name, why);
	free(p->error);
	p->error = strdup(why);
	p->loaded = false;
}

int
ap_plugin_index(const char *name)
{
	for (size_t i = 0; i < ap_core.nplugins; i++)
		if (strcmp(ap_core.plugins[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* Opens one file and checks its descriptor. */
static void
plugin_open(struct ap_plugin_ent *p)
{
	const struct ap_plugin *d;
	char sym[64], why[512];

	p->dl = dlopen(p->file, RTLD_NOW | RTLD_LOCAL);
	if (p->dl == NULL) {
		snprintf(why, sizeof(why), "cannot load %s: %s", p->file,
		    dlerror());
		plugin_off(p, why);
		return;
	}
	snprintf(sym, sizeof(sym), "ap_plugin_%s", p->name);
	d = dlsym(p->dl, sym);
	if (d == NULL) {
		snprintf(why, sizeof(why), "%s does not export %s", p->file,
		    sym);
		plugin_off(p, why);
		return;
	}
	if (d->abi_major != AP_ABI_MAJOR || d->abi_minor > AP_ABI_MINOR) {
		snprintf(why, sizeof(why), "built for plugin ABI %u.%u, this "
		    "core offers %d.%d: rebuild the plugin against this "
		    "version's <aparte/plugin.h>", d->abi_major, d->abi_minor,
		    AP_ABI_MAJOR, AP_ABI_MINOR);
		plugin_off(p, why);
		return;
	}
	if (d->size < offsetof(struct ap_plugin, routes)) {
		plugin_off(p, "descriptor too small");
		return;
	}
	/* Read only what the plugin declared; members it does not know of
	 * stay zero. */
	memset(&p->d, 0, sizeof(p->d));
	memcpy(&p->d, d, d->size < sizeof(p->d) ? d->size : sizeof(p->d));
	if (p->d.name == NULL || strcmp(p->d.name, p->name) != 0) {
		plugin_off(p, "its descriptor names another plugin");
		return;
	}
	p->loaded = true;
}

/* Loads every NAME.so of dir, in name order. */
int
ap_plugins_load(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t cap = 0;

	if (d == NULL) {
		ap_log(AP_LOG_WARN, "core: no plugin folder %s", dir);
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);
		struct ap_plugin_ent *p;

		if (n < 4 || strcmp(de->d_name + n - 3, ".so") != 0)
			continue;
		if (!plugin_name_ok(de->d_name, n - 3)) {
			ap_log(AP_LOG_WARN, "core: %s/%s: not a plugin name, "
			    "ignored", dir, de->d_name);
			continue;
		}
		if (ap_core.nplugins == cap) {
			void *np;

			cap = cap ? cap * 2 : 8;
			np = realloc(ap_core.plugins, cap * sizeof(*p));
			if (np == NULL)
				abort();
			ap_core.plugins = np;
		}
		p = &ap_core.plugins[ap_core.nplugins++];
		memset(p, 0, sizeof(*p));
		p->name = strndup(de->d_name, n - 3);
		if (asprintf(&p->file, "%s/%s", dir, de->d_name) < 0)
			abort();
	}
	closedir(d);
	if (ap_core.nplugins)
		qsort(ap_core.plugins, ap_core.nplugins,
		    sizeof(*ap_core.plugins), plugin_cmp);
	for (size_t i = 0; i < ap_core.nplugins; i++)
		plugin_open(&ap_core.plugins[i]);
	/* Dependencies: until nothing changes, a plugin that needs one that
	 * is off is off too. */
	for (bool changed = true; changed;) {
		changed = false;
		for (size_t i = 0; i < ap_core.nplugins; i++) {
			struct ap_plugin_ent *p = &ap_core.plugins[i];

			for (const char *const *dep = p->d.depends;
			    p->loaded && dep && *dep; dep++) {
				int k = ap_plugin_index(*dep);

				if (k < 0 || !ap_core.plugins[k].loaded) {
					char why[128];

					snprintf(why, sizeof(why),
					    "needs plugin %s, which is not "
					    "available", *dep);
					plugin_off(p, why);
					changed = true;
				}
			}
		}
	}
	for (size_t i = 0; i < ap_core.nplugins; i++) {
		struct ap_plugin_ent *p = &ap_core.plugins[i];

		if (p->loaded)
			ap_conf_declare(&ap_core.conf, p->name, p->d.settings);
	}
	return 0;
}

const char *const *
ap_plugins_failed_names(void)
{
	free(plugin_failed);
	plugin_nfailed = 0;
	plugin_failed = calloc(ap_core.nplugins + 1, sizeof(char *));
	if (plugin_failed == NULL)
		abort();
	for (size_t i = 0; i < ap_core.nplugins; i++)
		if (!ap_core.plugins[i].loaded)
			plugin_failed[plugin_nfailed++] = ap_core.plugins[i].name;
	return (const char *const *)plugin_failed;
}

static int
hook_cmp(const void *a, const void *b)
{
	const struct ap_hook_ent *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c != 0)
		return c;
	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	return x->plugin - y->plugin;
}

/* Runs each plugin's init, then registers its routes and hooks. */
int
ap_plugins_init(void)
{
	size_t nh = 0;

	for (size_t i = 0; i < ap_core.nplugins; i++) {
		struct ap_plugin_ent *p = &ap_core.plugins[i];

		if (!p->loaded)
			continue;
		if (p->d.init != NULL && p->d.init(&ap_host_table,
		    &p->state) != 0) {
			plugin_off(p, "its initialisation failed (see above)");
			continue;
		}
		for (const struct ap_route *rt = p->d.routes; rt && rt->path;
		    rt++) {
			if (ap_router_add(&ap_core.router, rt->method, rt->path,
			    rt->flags, rt->fn, (int)i) != 0)
				ap_log(AP_LOG_ERR, "core: plugin %s: route %s %s "
				    "is taken or malformed; ignored", p->name,
				    rt->method, rt->path);
		}
		for (const struct ap_hook *h = p->d.hooks; h && h->name; h++)
			nh++;
	}
	ap_core.hooks = calloc(nh + 1, sizeof(*ap_core.hooks));
	if (ap_core.hooks == NULL)
		abort();
	for (size_t i = 0; i < ap_core.nplugins; i++) {
		struct ap_plugin_ent *p = &ap_core.plugins[i];

		if (!p->loaded)
			continue;
		for (const struct ap_hook *h = p->d.hooks; h && h->name; h++) {
			struct ap_hook_ent *e = &ap_core.hooks[ap_core.nhooks++];

			e->name = h->name;
			e->order = h->order;
			e->fn = h->fn;
			e->plugin = (int)i;
		}
	}
	qsort(ap_core.hooks, ap_core.nhooks, sizeof(*ap_core.hooks), hook_cmp);
	for (size_t i = 0; i < ap_core.nplugins; i++)
		if (ap_core.plugins[i].loaded)
			ap_log(AP_LOG_INFO, "core: plugin %s %s loaded",
			    ap_core.plugins[i].name,
			    ap_core.plugins[i].d.version ?
			    ap_core.plugins[i].d.version : "");
	return 0;
}

/* Once in each process that serves, before its first request: in each
 * worker after the fork (standalone), or in the one process (under a
 * FastCGI parent, or a CGI run). */
void
ap_plugins_worker_init(void)
{
	static bool done;

	if (done)
		return;
	done = true;
	for (size_t i = 0; i < ap_core.nplugins; i++) {
		struct ap_plugin_ent *p = &ap_core.plugins[i];

		if (p->loaded && p->d.worker_init != NULL &&
		    p->d.worker_init(p->state) != 0)
			plugin_off(p, "its worker initialisation failed");
	}
}

void
ap_plugins_fini(void)
{
	for (size_t i = 0; i < ap_core.nplugins; i++) {
		struct ap_plugin_ent *p = &ap_core.plugins[i];

		if (p->loaded && p->d.fini != NULL)
			p->d.fini(p->state);
		/* The .so stays mapped: nothing may point into it after. */
		free(p->name);
		free(p->file);
		free(p->error);
	}
	free(ap_core.plugins);
	free(ap_core.hooks);
	free(plugin_failed);
	ap_core.plugins = NULL;
	ap_core.hooks = NULL;
	ap_core.nplugins = ap_core.nhooks = 0;
	plugin_failed = NULL;
}

/* Fills enabled[] from the database: a plugin is on when it loaded, the
 * admin enabled it, and everything it depends on is on. */
int
ap_plugins_read_enabled(struct ap_req *r, bool *enabled)
{
	struct ap_res *res = ap_db_query(r,
	    "SELECT name FROM ap_plugins WHERE enabled = 1", AP_NOARGS);

	if (res == NULL)
		return r->db_err ? r->db_err : AP_EDB;
	for (size_t i = 0; i < ap_core.nplugins; i++)
		enabled[i] = false;
	for (size_t row = 0; row < ap_db_rows(res); row++) {
		int k = ap_plugin_index(ap_db_cell(res, row, 0));

		if (k >= 0 && ap_core.plugins[k].loaded)
			enabled[k] = true;
	}
	for (bool changed = true; changed;) {
		changed = false;
		for (size_t i = 0; i < ap_core.nplugins; i++) {
			const struct ap_plugin_ent *p = &ap_core.plugins[i];

			for (const char *const *dep = p->d.depends;
			    enabled[i] && dep && *dep; dep++) {
				int k = ap_plugin_index(*dep);

				if (k < 0 || !enabled[k]) {
					enabled[i] = false;
					changed = true;
				}
			}
		}
	}
	return AP_OK;
}

/* At most once a second per thread: has the enabled set changed? */
void
ap_plugins_refresh(struct ap_req *r)
{
	struct ap_worker *w = r->w;
	long long gen;

	if (w->gen_checked == r->now)
		return;
	w->gen_checked = r->now;
	gen = ap_db_counter(r, "plugins");
	if (gen < 0)
		return;     /* keep what is known; the status route says why */
	if (w->enabled_known && gen == w->generation)
		return;
	if (ap_plugins_read_enabled(r, w->enabled) == AP_OK) {
		w->enabled_known = true;
		w->generation = gen;
	}
}

/* Enables or disables a plugin for every worker (the generation counter
 * tells them).  Refuses what would break a dependency, with a message on
 * stderr. */
int
ap_plugin_set_enabled(struct ap_req *r, const char *name, bool on)
{
	bool *en = ap_arena_alloc(r->a, (ap_core.nplugins + 1) * sizeof(bool));
	int k = ap_plugin_index(name), rc;

	if (k < 0) {
		ap_log(AP_LOG_ERR, "core: no plugin named %s is installed", name);
		return AP_EINVAL;
	}
	if (on && !ap_core.plugins[k].loaded) {
		ap_log(AP_LOG_ERR, "core: plugin %s cannot be enabled: %s", name,
		    ap_core.plugins[k].error ? ap_core.plugins[k].error :
		    "not loaded");
		return AP_EINVAL;
	}
	rc = ap_plugins_read_enabled(r, en);
	if (rc != AP_OK)
		return rc;
	if (on) {
		for (const char *const *dep = ap_core.plugins[k].d.depends;
		    dep && *dep; dep++) {
			int d = ap_plugin_index(*dep);

			if (d < 0 || !en[d]) {
				ap_log(AP_LOG_ERR, "core: plugin %s needs %s: "
				    "enable %s first", name, *dep, *dep);
				return AP_EINVAL;
			}
		}
	} else {
		for (size_t i = 0; i < ap_core.nplugins; i++) {
			const struct ap_plugin_ent *p = &ap_core.plugins[i];

			if (!en[i] || (int)i == k)
				continue;
			for (const char *const *dep = p->d.depends; dep && *dep;
			    dep++) {
				if (strcmp(*dep, name) == 0) {
					ap_log(AP_LOG_ERR, "core: plugin %s "
					    "needs %s: disable %s first",
					    p->name, name, p->name);
					return AP_EINVAL;
				}
			}
		}
	}
	if ((rc = ap_db_begin(r)) != AP_OK)
		return rc;
	rc = ap_db_exec(r, "INSERT INTO ap_plugins (name, enabled, changed_at) "
	    "VALUES (?, ?, UTC_TIMESTAMP()) ON DUPLICATE KEY UPDATE "
	    "enabled = VALUES(enabled), changed_at = VALUES(changed_at)",
	    AP_ARGS(AP_TEXT(name), AP_INT(on ? 1 : 0)));
	if (rc == AP_OK)
		rc = ap_db_counter_bump(r, "plugins");
	if (rc != AP_OK) {
		ap_db_rollback(r);
		return rc;
	}
	rc = ap_db_commit(r);
	if (rc == AP_OK)
		ap_log(AP_LOG_INFO, "core: plugin %s %s", name,
		    on ? "enabled" : "disabled");
	return rc;
}

bool
ap_hook_has(const char *name)
{
	for (size_t i = 0; i < ap_core.nhooks; i++)
		if (strcmp(ap_core.hooks[i].name, name) == 0)
			return true;
	return false;
}

/* Runs the listeners of name in order, skipping plugins that are off.
 * Returns AP_STOP when one stopped the run, AP_OK when at least one ran,
 * AP_DECLINED when none did, or the first error. */
int
ap_hook_run(struct ap_req *r, const char *name, void *data)
{
	static __thread int depth;
	int ran = AP_DECLINED;
	int saved = r->plugin;

	if (depth >= 8) {
		ap_log(AP_LOG_ERR, "core: hooks nested too deep at %s", name);
		return AP_ERROR;
	}
	depth++;
	for (size_t i = 0; i < ap_core.nhooks; i++) {
		const struct ap_hook_ent *h = &ap_core.hooks[i];
		int rc;

		if (strcmp(h->name, name) != 0)
			continue;
		if (!r->cli && !ap_req_enabled(r, h->plugin))
			continue;
		if (!ap_core.plugins[h->plugin].loaded)
			continue;
		r->plugin = h->plugin;
		rc = h->fn(r, ap_core.plugins[h->plugin].state, data);
		r->plugin = saved;
		if (rc == AP_STOP) {
			ran = AP_STOP;
			break;
		}
		if (rc < 0) {
			ran = rc;
			break;
		}
		if (rc == AP_OK)
			ran = AP_OK;
	}
	depth--;
	return ran;
}
