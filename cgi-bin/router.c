/*
 * router.c: METHOD + path pattern to handler.  Patterns are split into
 * segments once, at start; "{name}" captures one segment.  A path that
 * exists for other methods answers 405 with their list; GET routes answer
 * HEAD too.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

static char **
router_split(const char *path, size_t *nseg)
{
	size_t n = 0, i = 0;
	char **seg;
	const char *p;

	for (p = path; *p; p++)
		if (*p == '/')
			n++;
	seg = calloc(n + 1, sizeof(char *));
	if (seg == NULL)
		abort();
	p = path;
	while (*p) {
		const char *e;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		e = strchr(p, '/');
		if (e == NULL)
			e = p + strlen(p);
		seg[i] = strndup(p, (size_t)(e - p));
		if (seg[i] == NULL)
			abort();
		i++;
		p = e;
	}
	*nseg = i;
	return seg;
}

/* Adds a route; -1 when the same method and pattern is already taken
 * (two plugins cannot own one route). */
int
ap_router_add(struct ap_router *rt, const char *method, const char *path,
    unsigned flags, ap_handler_fn fn, int plugin)
{
	struct ap_route_ent *e;
	size_t nseg;
	char **seg;

	if (path == NULL || path[0] != '/' || method == NULL || fn == NULL)
		return -1;
	seg = router_split(path, &nseg);
	for (size_t i = 0; i < rt->n; i++) {
		bool same = strcmp(rt->r[i].method, method) == 0 &&
		    rt->r[i].nseg == nseg;

		for (size_t s = 0; same && s < nseg; s++) {
			bool a = seg[s][0] == '{', b = rt->r[i].seg[s][0] == '{';

			if (a != b || (!a && strcmp(seg[s], rt->r[i].seg[s])))
				same = false;
		}
		if (same) {
			for (size_t s = 0; s < nseg; s++)
				free(seg[s]);
			free(seg);
			return -1;
		}
	}
	if (rt->n == rt->cap) {
		size_t cap = rt->cap ? rt->cap * 2 : 32;
		void *p = realloc(rt->r, cap * sizeof(*rt->r));

		if (p == NULL)
			abort();
		rt->r = p;
		rt->cap = cap;
	}
	e = &rt->r[rt->n++];
	e->method = method;
	e->seg = seg;
	e->nseg = nseg;
	e->flags = flags;
	e->fn = fn;
	e->plugin = plugin;
	return 0;
}

static bool
router_path_match(const struct ap_route_ent *e, char **ps, size_t np)
{
	if (e->nseg != np)
		return false;
	for (size_t i = 0; i < np; i++)
		if (e->seg[i][0] != '{' && strcmp(e->seg[i], ps[i]) != 0)
			return false;
	return true;
}

/* Literal segments win over captures: "/experts/search" is found before
 * "/experts/{slug}" whatever the order of registration. */
static int
router_literal_count(const struct ap_route_ent *e)
{
	int n = 0;

	for (size_t i = 0; i < e->nseg; i++)
		if (e->seg[i][0] != '{')
			n++;
	return n;
}

enum ap_match
ap_router_match(const struct ap_router *rt, struct ap_arena *a,
    const char *method, const char *path, bool (*enabled)(void *, int),
    void *ctx, const struct ap_route_ent **found, struct ap_kvlist *args,
    char *allow, size_t allowlen)
{
	const struct ap_route_ent *best = NULL;
	char *ps[64];
	size_t np = 0;
	bool other = false;
	const char *p = path;
	int bestlit = -1;

	if (allowlen)
		allow[0] = '\0';
	while (*p) {
		const char *e;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		if (np == AP_NELEM(ps))
			return AP_MATCH_NONE;
		e = strchr(p, '/');
		if (e == NULL)
			e = p + strlen(p);
		ps[np++] = ap_arena_strndup(a, p, (size_t)(e - p));
		p = e;
	}
	for (size_t i = 0; i < rt->n; i++) {
		const struct ap_route_ent *e = &rt->r[i];
		bool m;
		int lit;

		if (!router_path_match(e, ps, np))
			continue;
		if (e->plugin >= 0 && enabled && !enabled(ctx, e->plugin))
			continue;
		m = strcmp(e->method, method) == 0 ||
		    (strcmp(method, "HEAD") == 0 && strcmp(e->method, "GET") == 0);
		if (!m) {
			size_t l = strlen(allow);

			other = true;
			if (strstr(allow, e->method) == NULL && l + 16 < allowlen)
				snprintf(allow + l, allowlen - l, "%s%s%s",
				    l ? ", " : "", e->method,
				    strcmp(e->method, "GET") == 0 ? ", HEAD" : "");
			continue;
		}
		lit = router_literal_count(e);
		if (lit > bestlit) {
			best = e;
			bestlit = lit;
		}
	}
	if (best == NULL)
		return other ? AP_MATCH_METHOD : AP_MATCH_NONE;
	for (size_t s = 0; s < best->nseg; s++) {
		if (best->seg[s][0] == '{') {
			size_t l = strlen(best->seg[s]);
			char *name = ap_arena_strndup(a, best->seg[s] + 1,
			    l >= 2 ? l - 2 : 0);

			ap_kv_add(a, args, name, ps[s]);
		}
	}
	*found = best;
	return AP_MATCH_OK;
}

void
ap_router_free(struct ap_router *rt)
{
	for (size_t i = 0; i < rt->n; i++) {
		for (size_t s = 0; s < rt->r[i].nseg; s++)
			free(rt->r[i].seg[s]);
		free(rt->r[i].seg);
	}
	free(rt->r);
	memset(rt, 0, sizeof(*rt));
}
