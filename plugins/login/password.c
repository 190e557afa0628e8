/*
 * password.c: hashing (argon2id through libsodium, with the parameters of
 * the OWASP Password Storage Cheat Sheet by default: 19 MiB, 2 passes, one
 * lane), verification in constant time whether or not the account exists,
 * and the rules a new password must follow.
 */
#include <ctype.h>
#include <errno.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "login.h"

#define COMMON_LINE_MAX 256

/* The common passwords, lowercased and sorted, for a binary search. */
static char **common;
static size_t ncommon;

/* A hash of a random password with the current parameters: checked when
 * the account does not exist, so that the answer takes as long. */
static char dummy_hash[crypto_pwhash_STRBYTES];

/* At most argon2_parallel hashes at once in a process: each takes
 * argon2_memory, and a flood of sign-ins must not take the machine's
 * memory.  The others wait their turn. */
static sem_t slots;
static int slots_ok;

/* Waits for a free argon2id slot; true when one was taken. */
static int
password_enter(void)
{
	if (!slots_ok)
		return 0;
	while (sem_wait(&slots) != 0)
		if (errno != EINTR)
			return 0;
	return 1;
}

static void
password_leave(int entered)
{
	if (entered)
		sem_post(&slots);
}

static int
password_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
password_lower_ascii(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

/* Loads the list of common passwords (one a line, # for comments) and
 * makes the dummy hash.  -1 when the list cannot be read: a site must
 * not run without it. */
int
login_password_init(const char *path)
{
	char line[COMMON_LINE_MAX], pw[33];
	size_t cap = 0;
	FILE *f;

	f = fopen(path, "r");
	if (f == NULL) {
		ap->log(AP_LOG_ERR, "login: cannot read the list of common "
		    "passwords %s: %s ([login] common_passwords)", path,
		    strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		size_t n = strcspn(line, "\r\n");

		line[n] = '\0';
		if (n == 0 || line[0] == '#')
			continue;
		if (ncommon == cap) {
			char **nv;

			cap = cap ? cap * 2 : 4096;
			nv = realloc(common, cap * sizeof(*common));
			if (nv == NULL) {
				fclose(f);
				ap->log(AP_LOG_ERR, "login: out of memory");
				return -1;
			}
			common = nv;
		}
		common[ncommon] = strdup(line);
		if (common[ncommon] == NULL) {
			fclose(f);
			return -1;
		}
		password_lower_ascii(common[ncommon]);
		ncommon++;
	}
	fclose(f);
	if (ncommon)
		qsort(common, ncommon, sizeof(*common), password_cmp);
	if (sem_init(&slots, 0, (unsigned)login_conf.argon2_parallel) == 0)
		slots_ok = 1;
	randombytes_buf(pw, sizeof(pw) - 1);
	for (size_t i = 0; i < sizeof(pw) - 1; i++)
		pw[i] = (char)('a' + (unsigned char)pw[i] % 26);
	pw[sizeof(pw) - 1] = '\0';
	if (crypto_pwhash_str_alg(dummy_hash, pw, strlen(pw),
	    login_conf.argon2_time, (size_t)login_conf.argon2_memory,
	    crypto_pwhash_ALG_ARGON2ID13) != 0) {
		ap->log(AP_LOG_ERR, "login: argon2id failed (out of memory?)");
		return -1;
	}
	sodium_memzero(pw, sizeof(pw));
	return 0;
}

void
login_password_fini(void)
{
	for (size_t i = 0; i < ncommon; i++)
		free(common[i]);
	free(common);
	common = NULL;
	ncommon = 0;
	if (slots_ok)
		sem_destroy(&slots);
	slots_ok = 0;
}

char *
login_password_hash(struct ap_req *r, const char *pw)
{
	char *out = ap->alloc(r, crypto_pwhash_STRBYTES);
	int slot = password_enter(), rc;

	rc = crypto_pwhash_str_alg(out, pw, strlen(pw), login_conf.argon2_time,
	    (size_t)login_conf.argon2_memory, crypto_pwhash_ALG_ARGON2ID13);
	password_leave(slot);
	if (rc != 0) {
		ap->log(AP_LOG_ERR, "login: argon2id failed (out of memory?)");
		return NULL;
	}
	return out;
}

int
login_password_verify(const char *hash, const char *pw)
{
	int ok, slot = password_enter();

	if (hash == NULL || strlen(hash) >= crypto_pwhash_STRBYTES ||
	    strncmp(hash, "$argon2", 7) != 0) {
		/* The result is thrown away, but not the time it takes. */
		ok = crypto_pwhash_str_verify(dummy_hash, pw, strlen(pw));
		password_leave(slot);
		return ok & 0;
	}
	ok = crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0;
	password_leave(slot);
	return ok;
}

int
login_password_needs_rehash(const char *hash)
{
	if (hash == NULL || strncmp(hash, "$argon2id$", 10) != 0)
		return 1;
	return crypto_pwhash_str_needs_rehash(hash, login_conf.argon2_time,
	    (size_t)login_conf.argon2_memory) != 0;
}

/* Code points of a valid UTF-8 string. */
static size_t
password_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* True when pw, whatever its case, is in the list of common passwords. */
static int
password_is_common(struct ap_req *r, const char *pw)
{
	char *low = ap->strdup(r, pw), **found;

	password_lower_ascii(low);
	found = bsearch(&low, common, ncommon, sizeof(*common), password_cmp);
	return found != NULL;
}

/* Fewer than four different characters: "abababababab", "aaaa1111aaaa". */
static int
password_repetitive(const char *pw)
{
	unsigned char seen[256] = { 0 };
	int distinct = 0;

	for (const unsigned char *p = (const unsigned char *)pw; *p; p++)
		if (!seen[*p]++)
			distinct++;
	return distinct < 4;
}

const char *
login_password_problem(struct ap_req *r, const char *pw, const char *email,
    const char *name)
{
	size_t n;

	if (pw == NULL || *pw == '\0')
		return ap->tr(r, "Saisissez un mot de passe.");
	n = password_chars(pw);
	if (n < LOGIN_PASSWORD_MIN)
		return ap->printf(r, ap->tr(r, "Le mot de passe doit compter au "
		    "moins %d caractères (il en compte %zu)."),
		    LOGIN_PASSWORD_MIN, n);
	if (n > LOGIN_PASSWORD_MAX)
		return ap->printf(r, ap->tr(r, "Le mot de passe doit compter au "
		    "plus %d caractères (il en compte %zu)."),
		    LOGIN_PASSWORD_MAX, n);
	if (password_is_common(r, pw))
		return ap->tr(r, "Ce mot de passe fait partie des plus courants : "
		    "choisissez-en un autre, par exemple une phrase de "
		    "plusieurs mots.");
	if (password_repetitive(pw))
		return ap->tr(r, "Ce mot de passe est trop répétitif : "
		    "choisissez-en un plus varié.");
	if (email != NULL && *email) {
		const char *at = strchr(email, '@');
		char *local = ap->strndup(r, email, at ? (size_t)(at - email) :
		    strlen(email));

		if (strcasecmp(pw, email) == 0 || (strlen(local) >= 4 &&
		    strcasecmp(pw, local) == 0))
			return ap->tr(r, "Le mot de passe ne doit pas reprendre "
			    "votre adresse e-mail.");
	}
	if (name != NULL && *name && strcasecmp(pw, name) == 0)
		return ap->tr(r, "Le mot de passe ne doit pas reprendre votre "
		    "nom.");
	return NULL;
}

char *
login_password_generate(struct ap_req *r)
{
	/* 15 random bytes: 120 bits, 20 base64url characters. */
	return ap->random_token(r, 15);
}
