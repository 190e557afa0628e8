/*
 * arena.c: the request's memory.  Handlers allocate and never free one by
 * one; the arena is reset when the request ends, running the cleanups
 * registered on it (statements, writers, match data) in reverse order.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

#define ARENA_CHUNK (64 * 1024)
#define ARENA_ALIGN 16

struct ap_chunk {
	struct ap_chunk *next;
	size_t size, used;
	unsigned char data[];
};

struct ap_cleanup {
	struct ap_cleanup *next;
	void (*fn)(void *);
	void *arg;
};

void
ap_arena_init(struct ap_arena *a)
{
	memset(a, 0, sizeof(*a));
}

static struct ap_chunk *
arena_chunk_new(size_t min)
{
	size_t size = min > ARENA_CHUNK ? min : ARENA_CHUNK;
	struct ap_chunk *c;

	c = malloc(sizeof(*c) + size);
	if (c == NULL) {
		/* The handlers rely on allocation never failing: out of
		 * memory in a request is the one fatal condition. */
		ap_log(AP_LOG_ERR, "core: out of memory (%zu bytes)", size);
		abort();
	}
	c->next = NULL;
	c->size = size;
	c->used = 0;
	return c;
}

/* Returns n bytes, aligned, valid until the next reset. Never NULL. */
void *
ap_arena_alloc_raw(struct ap_arena *a, size_t n)
{
	struct ap_chunk *c = a->head;
	size_t off;

	if (n == 0)
		n = 1;
	if (n > SIZE_MAX / 2) {
		ap_log(AP_LOG_ERR, "core: allocation of %zu bytes refused", n);
		abort();
	}
	if (c != NULL) {
		off = (c->used + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
		if (off <= c->size && c->size - off >= n) {
			c->used = off + n;
			a->total += n;
			return c->data + off;
		}
	}
	/* Reuse a chunk kept from before the last reset if it is free. */
	if (c != NULL && c->next != NULL && c->next->used == 0 &&
	    c->next->size >= n) {
		c = c->next;
	} else {
		struct ap_chunk *nc = arena_chunk_new(n);

		if (c == NULL) {
			a->first = nc;
		} else {
			nc->next = c->next;
			c->next = nc;
		}
		c = nc;
	}
	a->head = c;
	c->used = n;
	a->total += n;
	return c->data;
}

void *
ap_arena_alloc(struct ap_arena *a, size_t n)
{
	void *p = ap_arena_alloc_raw(a, n);

	memset(p, 0, n ? n : 1);
	return p;
}

char *
ap_arena_strndup(struct ap_arena *a, const char *s, size_t n)
{
	char *p = ap_arena_alloc_raw(a, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
ap_arena_strdup(struct ap_arena *a, const char *s)
{
	return s == NULL ? NULL : ap_arena_strndup(a, s, strlen(s));
}

char *
ap_arena_vprintf(struct ap_arena *a, const char *fmt, va_list ap)
{
	va_list cp;
	char small[256], *p;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(small, sizeof(small), fmt, cp);
	va_end(cp);
	if (n < 0)
		return ap_arena_strdup(a, "");
	p = ap_arena_alloc_raw(a, (size_t)n + 1);
	if ((size_t)n < sizeof(small))
		memcpy(p, small, (size_t)n + 1);
	else
		vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *
ap_arena_printf(struct ap_arena *a, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = ap_arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

/* fn(arg) runs at the next reset, after the cleanups registered later. */
void
ap_arena_cleanup(struct ap_arena *a, void (*fn)(void *), void *arg)
{
	struct ap_cleanup *c = ap_arena_alloc(a, sizeof(*c));

	c->fn = fn;
	c->arg = arg;
	c->next = a->cleanups;
	a->cleanups = c;
}

/* Runs the cleanups, then keeps the first two chunks for the next request
 * and gives the others back. */
static void
arena_release(struct ap_arena *a, int keep_max)
{
	struct ap_chunk *c, *next, *keep = NULL, **tail = &keep;
	int kept = 0;

	while (a->cleanups != NULL) {
		struct ap_cleanup *cl = a->cleanups;

		a->cleanups = cl->next;
		cl->fn(cl->arg);
	}
	for (c = a->first; c != NULL; c = next) {
		next = c->next;
		if (kept < keep_max && c->size == ARENA_CHUNK) {
			c->used = 0;
			c->next = NULL;
			*tail = c;
			tail = &c->next;
			kept++;
		} else {
			free(c);
		}
	}
	a->first = keep;
	a->head = keep;
	a->total = 0;
}

void
ap_arena_reset(struct ap_arena *a)
{
	arena_release(a, 2);
}

void
ap_arena_free(struct ap_arena *a)
{
	arena_release(a, 0);
}

/* ---- ap_buf ---- */

static bool
buf_grow(struct ap_buf *b, size_t need)
{
	size_t cap;
	char *p;

	if (b->failed)
		return false;
	if (need > SIZE_MAX - b->len) {
		b->failed = true;
		return false;
	}
	if (b->len + need + 1 <= b->cap)
		return true;
	cap = b->cap ? b->cap : 4096;
	while (cap < b->len + need + 1)
		cap *= 2;
	p = realloc(b->p, cap);
	if (p == NULL) {
		b->failed = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

void
ap_buf_add(struct ap_buf *b, const void *p, size_t n)
{
	if (!buf_grow(b, n))
		return;
	memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
ap_buf_adds(struct ap_buf *b, const char *s)
{
	ap_buf_add(b, s, strlen(s));
}

/* Formats into the free space first; formats again only when it was too
 * small. */
void
ap_buf_printf(struct ap_buf *b, const char *fmt, ...)
{
	va_list ap;
	size_t room;
	int n;

	if (b->failed || (b->cap == 0 && !buf_grow(b, 256)))
		return;
	room = b->cap - b->len;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, room, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->p[b->len] = '\0';
		return;
	}
	if ((size_t)n >= room) {
		if (!buf_grow(b, (size_t)n)) {
			b->p[b->len] = '\0';
			return;
		}
		va_start(ap, fmt);
		vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

void
ap_buf_free(struct ap_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}
