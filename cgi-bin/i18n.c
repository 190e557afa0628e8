/*
 * i18n.c: the site's texts in the visitor's language.  The sources carry
 * French msgids (French is the site's source language); translations are
 * gettext catalogs (.mo) compiled from po/.  The catalogs are read once at
 * start into one sorted table per language, so that a lookup is a binary
 * search with no locale, no lock and no global state per request:
 * requests of different languages run side by side in one process.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core.h"

#define MO_MAGIC 0x950412deU
#define MO_MAX_SIZE (16 * 1024 * 1024)

struct i18n_msg {
	const char *id;        /* the singular msgid */
	size_t idlen;          /* with the plural msgid after a NUL, if any */
	const char *str;       /* forms separated by NUL */
	size_t strlen;
};

struct i18n_lang {
	char code[16];
	struct i18n_msg *m;
	size_t n, cap;
	char **blobs;          /* the files' contents, kept */
	size_t nblobs;
};

static struct i18n_lang i18n_langs[8];
static size_t i18n_nlangs;

static struct i18n_lang *
i18n_find(const char *code)
{
	for (size_t i = 0; i < i18n_nlangs; i++)
		if (strcmp(i18n_langs[i].code, code) == 0)
			return &i18n_langs[i];
	return NULL;
}

static uint32_t
mo_u32(const unsigned char *p, bool swap)
{
	uint32_t v;

	memcpy(&v, p, 4);
	if (swap)
		v = __builtin_bswap32(v);
	return v;
}

/* Reads one .mo file into lang.  Every offset is checked against the
 * file's size: a broken catalog is refused, never read past. */
static int
i18n_load_mo(struct i18n_lang *lang, const char *path)
{
	struct stat st;
	unsigned char *b;
	uint32_t n, oo, to;
	size_t first = lang->n;    /* this file's messages start here */
	bool swap;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || st.st_size < 28 || st.st_size > MO_MAX_SIZE) {
		close(fd);
		ap_log(AP_LOG_WARN, "core: %s: not a catalog", path);
		return -1;
	}
	b = malloc((size_t)st.st_size + 1);
	if (b == NULL || read(fd, b, (size_t)st.st_size) != st.st_size) {
		free(b);
		close(fd);
		return -1;
	}
	close(fd);
	b[st.st_size] = 0;
	if (mo_u32(b, false) == MO_MAGIC)
		swap = false;
	else if (mo_u32(b, true) == MO_MAGIC)
		swap = true;
	else
		goto bad;
	n = mo_u32(b + 8, swap);
	oo = mo_u32(b + 12, swap);
	to = mo_u32(b + 16, swap);
	if (n > (uint32_t)st.st_size / 8 || oo > st.st_size || to > st.st_size ||
	    (uint64_t)oo + (uint64_t)n * 8 > (uint64_t)st.st_size ||
	    (uint64_t)to + (uint64_t)n * 8 > (uint64_t)st.st_size)
		goto bad;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t ol = mo_u32(b + oo + i * 8, swap);
		uint32_t oof = mo_u32(b + oo + i * 8 + 4, swap);
		uint32_t tl = mo_u32(b + to + i * 8, swap);
		uint32_t tof = mo_u32(b + to + i * 8 + 4, swap);

		if ((uint64_t)oof + ol >= (uint64_t)st.st_size ||
		    (uint64_t)tof + tl >= (uint64_t)st.st_size)
			goto bad;
		if (ol == 0 || tl == 0)
			continue;          /* the header, or untranslated */
		if (lang->n == lang->cap) {
			size_t cap = lang->cap ? lang->cap * 2 : 256;
			void *p = realloc(lang->m, cap * sizeof(*lang->m));

			if (p == NULL)
				goto bad;
			lang->m = p;
			lang->cap = cap;
		}
		lang->m[lang->n].id = (const char *)b + oof;
		lang->m[lang->n].idlen = ol;
		lang->m[lang->n].str = (const char *)b + tof;
		lang->m[lang->n].strlen = tl;
		lang->n++;
	}
	{
		void *p = realloc(lang->blobs, (lang->nblobs + 1) * sizeof(char *));

		if (p == NULL)
			goto bad;
		lang->blobs = p;
		lang->blobs[lang->nblobs++] = (char *)b;
	}
	return 0;
bad:
	/* Refused whole: the messages read before the fault point into b. */
	lang->n = first;
	ap_log(AP_LOG_WARN, "core: %s: broken catalog, ignored", path);
	free(b);
	return -1;
}

static int
i18n_cmp(const void *a, const void *b)
{
	return strcmp(((const struct i18n_msg *)a)->id,
	    ((const struct i18n_msg *)b)->id);
}

/* French typography: the sources write a plain space before : ; ! ? and
 * inside « » (easy to type, to search and to test); a French reader
 * expects a no-break space before « : » and inside « », a narrow one
 * before ; ! ? (as the static pages have them), so that no line starts
 * with a colon or a question mark.  A copy of s (len bytes, NULs
 * included) with them, its length in *outlen, or NULL if it has none. */
static char *
i18n_french(const char *s, size_t len, size_t *outlen)
{
	static const char nbsp[] = "\xc2\xa0", nnbsp[] = "\xe2\x80\xaf";
	char *out, *o;
	bool changed = false;

	out = malloc(len * 3 + 1);
	if (out == NULL)
		return NULL;
	o = out;
	for (size_t i = 0; i < len; i++) {
		const char *next = s + i + 1, *sp = NULL;

		if (s[i] == ' ' && i + 1 < len) {
			if (*next == ':' || (i + 2 < len &&
			    memcmp(next, "\xc2\xbb", 2) == 0))   /* » */
				sp = nbsp;
			else if (*next == ';' || *next == '!' || *next == '?')
				sp = nnbsp;
		}
		if (s[i] == ' ' && sp == NULL && i >= 2 &&
		    memcmp(s + i - 2, "\xc2\xab", 2) == 0)      /* « */
			sp = nbsp;
		if (sp != NULL) {
			o = stpcpy(o, sp);
			changed = true;
		} else
			*o++ = s[i];
	}
	*o = '\0';
	if (!changed) {
		free(out);
		return NULL;
	}
	*outlen = (size_t)(o - out);
	return out;
}

/* French has no catalog (its texts are the msgids): its table holds the
 * msgids that i18n_french changes, found in another language's catalog
 * (every text is translated). */
static void
i18n_french_table(struct i18n_lang *fr)
{
	const struct i18n_lang *src = NULL;

	for (size_t i = 0; i < i18n_nlangs && src == NULL; i++)
		if (i18n_langs[i].n > 0 && &i18n_langs[i] != fr)
			src = &i18n_langs[i];
	if (src == NULL)
		return;
	for (size_t i = 0; i < src->n; i++) {
		const struct i18n_msg *m = &src->m[i];
		size_t tl;
		char *t = i18n_french(m->id, m->idlen, &tl);
		void *p;

		if (t == NULL)
			continue;
		p = realloc(fr->blobs, (fr->nblobs + 1) * sizeof(char *));
		if (p == NULL) {
			free(t);
			return;
		}
		fr->blobs = p;
		fr->blobs[fr->nblobs++] = t;
		if (fr->n == fr->cap) {
			size_t cap = fr->cap ? fr->cap * 2 : 128;

			p = realloc(fr->m, cap * sizeof(*fr->m));
			if (p == NULL)
				return;
			fr->m = p;
			fr->cap = cap;
		}
		fr->m[fr->n].id = m->id;
		fr->m[fr->n].idlen = m->idlen;
		fr->m[fr->n].str = t;
		fr->m[fr->n].strlen = tl;
		fr->n++;
	}
	if (fr->n > 0)          /* qsort takes no NULL, even for none */
		qsort(fr->m, fr->n, sizeof(*fr->m), i18n_cmp);
}

/* Loads LOCALEDIR/LANG/LC_MESSAGES/DOMAIN*.mo for each language of langs
 * (space-separated).  A language without catalogs shows the msgids: for
 * French, the source language, that is what is wanted (with its
 * typography, i18n_french). */
int
ap_i18n_load(const char *localedir, const char *domain, const char *langs)
{
	const char *p = langs;

	while (*p && i18n_nlangs < AP_NELEM(i18n_langs)) {
		size_t l = strcspn(p, " ,");
		struct i18n_lang *lang;
		char dir[4096];
		DIR *d;
		struct dirent *de;

		if (l == 0 || l >= sizeof(lang->code)) {
			p += l ? l : 1;
			continue;
		}
		lang = &i18n_langs[i18n_nlangs++];
		memcpy(lang->code, p, l);
		lang->code[l] = '\0';
		p += l;
		while (*p == ' ' || *p == ',')
			p++;
		snprintf(dir, sizeof(dir), "%s/%s/LC_MESSAGES", localedir,
		    lang->code);
		d = opendir(dir);
		if (d == NULL)
			continue;
		while ((de = readdir(d)) != NULL) {
			size_t nl = strlen(de->d_name);
			char path[sizeof(dir) + 260];

			if (strncmp(de->d_name, domain, strlen(domain)) != 0 ||
			    nl < 4 || strcmp(de->d_name + nl - 3, ".mo") != 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			i18n_load_mo(lang, path);
		}
		closedir(d);
		qsort(lang->m, lang->n, sizeof(*lang->m), i18n_cmp);
		ap_log(AP_LOG_DEBUG, "core: %zu messages in %s", lang->n,
		    lang->code);
	}
	for (size_t i = 0; i < i18n_nlangs; i++)
		if (strcmp(i18n_langs[i].code, "fr") == 0 &&
		    i18n_langs[i].n == 0)
			i18n_french_table(&i18n_langs[i]);
	return 0;
}

static const struct i18n_msg *
i18n_lookup(const char *code, const char *msgid)
{
	struct i18n_lang *lang = code ? i18n_find(code) : NULL;
	struct i18n_msg key = { .id = msgid };

	if (lang == NULL || lang->n == 0)
		return NULL;
	return bsearch(&key, lang->m, lang->n, sizeof(key), i18n_cmp);
}

const char *
ap_i18n_tr(const char *lang, const char *msgid)
{
	const struct i18n_msg *m = i18n_lookup(lang, msgid);

	return m ? m->str : msgid;
}

/* Plural forms of the languages offered: French counts 0 and 1 as
 * singular, English only 1. */
static unsigned
i18n_plural(const char *lang, unsigned long n)
{
	if (lang != NULL && strcmp(lang, "fr") == 0)
		return n > 1;
	return n != 1;
}

const char *
ap_i18n_trn(const char *lang, const char *sing, const char *plur,
    unsigned long n)
{
	const struct i18n_msg *m = i18n_lookup(lang, sing);
	unsigned form = i18n_plural(lang, n);
	const char *s, *end;

	if (m == NULL)
		return form ? plur : sing;
	s = m->str;
	end = m->str + m->strlen;
	for (unsigned i = 0; i < form; i++) {
		s += strlen(s) + 1;
		if (s >= end)
			return form ? plur : sing;
	}
	return s;
}

static const char *const i18n_months[12] = {
	N_("janvier"), N_("février"), N_("mars"), N_("avril"), N_("mai"),
	N_("juin"), N_("juillet"), N_("août"), N_("septembre"),
	N_("octobre"), N_("novembre"), N_("décembre"),
};

/* "27 novembre 2026 à 14 h 05" in the site's time zone (TZ is set from
 * the config at start). */
char *
ap_i18n_date(struct ap_arena *a, const char *lang, time_t t)
{
	struct tm tm;

	localtime_r(&t, &tm);
	/* TRANSLATORS: day, month name, year, hour, minute; the spaces
	 * that must not break a line are no-break spaces (U+00A0). */
	return ap_arena_printf(a, ap_i18n_tr(lang, "%1$d\xc2\xa0%2$s %3$d à "
	    "%4$d\xc2\xa0h\xc2\xa0%5$02d"), tm.tm_mday, ap_i18n_tr(lang,
	    i18n_months[tm.tm_mon]), tm.tm_year + 1900, tm.tm_hour, tm.tm_min);
}

void
ap_i18n_free(void)
{
	for (size_t i = 0; i < i18n_nlangs; i++) {
		for (size_t b = 0; b < i18n_langs[i].nblobs; b++)
			free(i18n_langs[i].blobs[b]);
		free(i18n_langs[i].blobs);
		free(i18n_langs[i].m);
	}
	memset(i18n_langs, 0, sizeof(i18n_langs));
	i18n_nlangs = 0;
}
