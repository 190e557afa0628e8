/*
 * mail.c: the one place that sends mail.  A message is built here (no
 * caller writes a header line), stored in ap_mail, then handed to the
 * configured sendmail-compatible command after the answer has gone out.
 * A failure is logged and retried later with a growing delay; the message
 * stays in the table either way, so nothing is lost.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

#include "core.h"

extern char **environ;

/* A header value may not carry CR, LF or other controls: that is what
 * would let a field of a form add a header.  It is UTF-8 (the encoded
 * words are cut at character boundaries). */
bool
ap_mail_header_ok(const char *v)
{
	if (v == NULL || !ap_utf8_valid(v, strlen(v)))
		return false;
	for (; *v; v++)
		if ((unsigned char)*v < 0x20 || *v == 0x7f)
			return false;
	return true;
}

static bool
mail_address_ok(const char *a)
{
	const char *at;

	if (!ap_mail_header_ok(a) || strlen(a) > 254)
		return false;
	at = strchr(a, '@');
	if (at == NULL || at == a || strchr(at + 1, '@') || !at[1] ||
	    strchr(a, ' ') || strchr(a, ',') || strchr(a, '<') ||
	    strchr(a, '>') || strchr(a, '"'))
		return false;
	return true;
}

static bool
mail_ascii(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return false;
	return true;
}

/* RFC 2047: text with non-ASCII characters travels as =?UTF-8?B?...?=
 * words of at most 75 characters, cut at character boundaries, folded
 * onto lines of their own. */
static void
mail_encode_words(struct ap_buf *b, const char *s, size_t n)
{
	size_t i = 0;

	if (mail_ascii(s, n)) {
		ap_buf_add(b, s, n);
		return;
	}
	while (i < n) {
		size_t len = n - i > 45 ? 45 : n - i;
		char enc[128];

		while (i + len < n && ((unsigned char)s[i + len] & 0xc0) == 0x80)
			len--;
		sodium_bin2base64(enc, sizeof(enc), (const unsigned char *)s + i,
		    len, sodium_base64_VARIANT_ORIGINAL);
		ap_buf_printf(b, "%s=?UTF-8?B?%s?=", i ? "\r\n " : "", enc);
		i += len;
	}
}

/* From: "Name <address>" (or an address): a name in UTF-8 is encoded, a
 * name with the characters that mean something in an address is
 * quoted. */
static void
mail_encode_from(struct ap_buf *b, const char *from)
{
	const char *lt = strrchr(from, '<');
	size_t nl;

	if (lt == NULL || from[strlen(from) - 1] != '>') {
		ap_buf_adds(b, from);
		return;
	}
	nl = (size_t)(lt - from);
	while (nl > 0 && from[nl - 1] == ' ')
		nl--;
	if (nl >= 2 && from[0] == '"' && from[nl - 1] == '"') {
		from++;
		nl -= 2;
	}
	if (nl == 0) {
		ap_buf_adds(b, lt);
		return;
	}
	if (!mail_ascii(from, nl)) {
		mail_encode_words(b, from, nl);
	} else if (strcspn(from, "()<>[]:;@\\,.\"") < nl) {
		ap_buf_add(b, "\"", 1);
		for (size_t i = 0; i < nl; i++) {
			if (from[i] == '"' || from[i] == '\\')
				ap_buf_add(b, "\\", 1);
			ap_buf_add(b, from + i, 1);
		}
		ap_buf_add(b, "\"", 1);
	} else {
		ap_buf_add(b, from, nl);
	}
	ap_buf_adds(b, " ");
	ap_buf_adds(b, lt);
}

/* Whether a line of body is longer than the 998 octets a line of mail
 * may hold (RFC 5322): a paragraph of a comment is one line. */
static bool
mail_long_line(const char *body)
{
	for (const char *p = body; *p; p += strspn(p, "\r\n")) {
		size_t n = strcspn(p, "\r\n");

		if (n > 998)
			return true;
		p += n;
	}
	return false;
}

/* One line of body in quoted-printable (RFC 2045): lines of 76
 * characters at most, ended by a soft break "=", every octet that is not
 * printable ASCII as =XX, and so is white space at the end. */
static void
mail_qp_line(struct ap_buf *m, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t col = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char e[3] = { '=', hex[c >> 4], hex[c & 15] };
		bool plain = (c >= 33 && c <= 126 && c != '=') ||
		    ((c == ' ' || c == '\t') && i + 1 < n);
		size_t w = plain ? 1 : 3;

		/* the last character may take the place of the soft break */
		if (col + w > (i + 1 < n ? 75 : 76)) {
			ap_buf_adds(m, "=\r\n");
			col = 0;
		}
		ap_buf_add(m, plain ? (const char *)s + i : e, w);
		col += w;
	}
}

/* Writes a whole message into m: the headers (every value checked, the
 * ones in UTF-8 encoded) and the body with CRLF line ends.  false, with
 * nothing written, when a value could break the header or an address is
 * not one. */
bool
ap_mail_build(struct ap_buf *m, const char *from, const char *to,
    const char *subject, const char *body, const char *unsub, time_t now,
    const char *id)
{
	char date[64];
	struct tm tm;
	bool qp;

	if (!ap_mail_header_ok(from) || !mail_address_ok(to) ||
	    !ap_mail_header_ok(subject) || !ap_mail_header_ok(id) ||
	    (unsub != NULL && !ap_mail_header_ok(unsub)) || body == NULL)
		return false;
	qp = mail_long_line(body);
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	ap_buf_adds(m, "From: ");
	mail_encode_from(m, from);
	ap_buf_printf(m, "\r\nTo: %s\r\nSubject: ", to);
	mail_encode_words(m, subject, strlen(subject));
	ap_buf_printf(m, "\r\nDate: %s\r\nMessage-ID: <%s@%s>\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: %s\r\n"
	    "Auto-Submitted: auto-generated\r\n", date, id, "aparte.invalid",
	    qp ? "quoted-printable" : "8bit");
	if (unsub != NULL)
		ap_buf_printf(m, "List-Unsubscribe: <%s>\r\n"
		    "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n",
		    unsub);
	ap_buf_adds(m, "\r\n");
	/* The body, line by line (quoted-printable when one is too long): a
	 * bare LF or a bare CR becomes CRLF, as the format wants. */
	for (const char *p = body; *p; p++) {
		size_t n = strcspn(p, "\r\n");

		if (qp)
			mail_qp_line(m, p, n);
		else
			ap_buf_add(m, p, n);
		p += n;
		if (*p == '\0')
			break;
		ap_buf_adds(m, "\r\n");
		if (p[0] == '\r' && p[1] == '\n')
			p++;
	}
	if (m->len == 0 || m->p[m->len - 1] != '\n')
		ap_buf_adds(m, "\r\n");
	return true;
}

/* Stores a message for `to`.  The subject and the body are the caller's
 * text (UTF-8); everything else is written here.  AP_EINVAL when a value
 * could break the header. */
int
ap_mail_queue(struct ap_req *r, const char *to, const char *subject,
    const char *body, const char *unsub)
{
	struct ap_buf m = { 0 };
	int rc;

	if (!ap_mail_build(&m, ap_conf_get(&ap_core.conf, "mail", "from"), to,
	    subject, body, unsub, r->now, ap_token_random(r->a, 12))) {
		ap_buf_free(&m);
		ap_log(AP_LOG_ERR, "core: mail refused: a header value is not "
		    "valid");
		return AP_EINVAL;
	}
	if (m.failed) {
		ap_buf_free(&m);
		return AP_ERROR;
	}
	rc = ap_db_exec(r, "INSERT INTO ap_mail (created, recipient, subject, "
	    "message, tries, next_try) VALUES (?, ?, ?, ?, 0, ?)",
	    AP_ARGS(AP_INT(r->now), AP_TEXT(to), AP_TEXT(subject),
	    AP_BLOB(m.p, m.len), AP_INT(r->now)));
	ap_buf_free(&m);
	if (rc == AP_OK)
		r->mail_queued = true;
	return rc;
}

/* Runs the command with msg on its standard input; 0 when it exited 0
 * within the timeout.  why gets the reason otherwise. */
static int
mail_spawn(const char *msg, size_t len, char *why, size_t whylen)
{
	const char *cmd = ap_conf_get(&ap_core.conf, "mail", "command");
	long timeout = (long)ap_conf_num(&ap_core.conf, "mail", "timeout");
	char *copy = strdup(cmd), *argv[32], *save = NULL;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t sa;
	sigset_t none, dfl;
	int in[2], status = 0, argc = 0, rc;
	size_t off = 0;
	pid_t pid;
	struct timespec start, now;

	if (copy == NULL)
		return -1;
	for (char *t = strtok_r(copy, " \t", &save); t && argc < 31;
	    t = strtok_r(NULL, " \t", &save))
		argv[argc++] = t;
	argv[argc] = NULL;
	if (argc == 0) {
		snprintf(why, whylen, "no mail command");
		free(copy);
		return -1;
	}
	if (pipe2(in, O_CLOEXEC) != 0) {
		snprintf(why, whylen, "pipe: %s", strerror(errno));
		free(copy);
		return -1;
	}
	/* A worker thread starts it: the sockets other threads hold (the web
	 * server's connections, libfcgi opens them without CLOEXEC) are
	 * closed in the child, and it gets neither the thread's blocked
	 * signals (SIGTERM ...) nor the ignored SIGPIPE. */
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
#ifdef HAVE_POSIX_SPAWN_FILE_ACTIONS_ADDCLOSEFROM_NP
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
#endif
	posix_spawnattr_init(&sa);
	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	posix_spawnattr_setsigmask(&sa, &none);
	posix_spawnattr_setsigdefault(&sa, &dfl);
	posix_spawnattr_setflags(&sa, POSIX_SPAWN_SETSIGMASK |
	    POSIX_SPAWN_SETSIGDEF);
	rc = posix_spawn(&pid, argv[0], &fa, &sa, argv, environ);
	posix_spawnattr_destroy(&sa);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0) {
		snprintf(why, whylen, "cannot run %s: %s", argv[0],
		    strerror(rc));   /* posix_spawn returns the error */
		close(in[0]);
		close(in[1]);
		free(copy);
		return -1;
	}
	close(in[0]);
	clock_gettime(CLOCK_MONOTONIC, &start);
	fcntl(in[1], F_SETFL, O_NONBLOCK);
	while (off < len) {
		struct pollfd pfd = { .fd = in[1], .events = POLLOUT };
		ssize_t n;

		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec > timeout)
			break;
		if (poll(&pfd, 1, 1000) <= 0)
			continue;
		n = write(in[1], msg + off, len - off);
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			break;
		if (n > 0)
			off += (size_t)n;
	}
	close(in[1]);
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			status = -1;
			break;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec > timeout) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			snprintf(why, whylen, "%s took longer than %lds",
			    argv[0], timeout);
			free(copy);
			return -1;
		}
		usleep(2000);
	}
	/* A command that failed says more by its status than by the part
	 * of the message it left unread. */
	rc = 0;
	if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		snprintf(why, whylen, "%s exited with status %d", argv[0],
		    WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		rc = -1;
	} else if (off < len) {
		snprintf(why, whylen, "%s did not read the message", argv[0]);
		rc = -1;
	}
	free(copy);   /* argv points into it */
	return rc;
}

/* Sends the messages that are due (all that are unsent when `all`).
 * Rows are claimed first so that two workers never send one twice.
 * Returns the number sent, or a negative code. */
int
ap_mail_run(struct ap_req *r, bool all)
{
	long retry = (long)ap_conf_num(&ap_core.conf, "mail", "retry");
	long tries = (long)ap_conf_num(&ap_core.conf, "mail", "tries");
	long timeout = (long)ap_conf_num(&ap_core.conf, "mail", "timeout");
	const char *claim = ap_token_random(r->a, 12);
	time_t now = time(NULL);
	struct ap_res *res;
	int sent = 0, rc;

	r->mail_queued = false;
	rc = ap_db_exec(r, "UPDATE ap_mail SET claim = ?, claimed_until = ? "
	    "WHERE sent_at IS NULL AND tries < ? AND (next_try <= ? OR ?) AND "
	    "(claimed_until IS NULL OR claimed_until < ?) ORDER BY id LIMIT 20",
	    AP_ARGS(AP_TEXT(claim), AP_INT(now + timeout * 3), AP_INT(tries),
	    AP_INT(now), AP_INT(all ? 1 : 0), AP_INT(now)));
	if (rc != AP_OK || r->affected == 0)
		return rc == AP_OK ? 0 : rc;
	res = ap_db_query(r, "SELECT id, message, tries FROM ap_mail "
	    "WHERE claim = ? ORDER BY id", AP_ARGS(AP_TEXT(claim)));
	for (size_t i = 0; i < ap_db_rows(res); i++) {
		long long id = ap_db_cell_int(res, i, 0);
		long t = (long)ap_db_cell_int(res, i, 2);
		char why[256] = "";

		/* The claim lasts three timeouts, a batch may take twenty: each
		 * message is claimed anew (a new mark, so that a row still held
		 * always changes) just before it goes, and one that another run
		 * took over once the claim had run out is left to it. */
		if (ap_db_exec(r, "UPDATE ap_mail SET claim = ?, claimed_until = "
		    "? WHERE id = ? AND claim = ? AND sent_at IS NULL",
		    AP_ARGS(AP_TEXT(ap_token_random(r->a, 12)),
		    AP_INT(time(NULL) + timeout * 3), AP_INT(id),
		    AP_TEXT(claim))) != AP_OK || r->affected == 0)
			continue;
		if (mail_spawn(ap_db_cell(res, i, 1), ap_db_cell_len(res, i, 1),
		    why, sizeof(why)) == 0) {
			ap_db_exec(r, "UPDATE ap_mail SET sent_at = ?, tries = "
			    "tries + 1, claim = NULL, claimed_until = NULL, "
			    "last_error = NULL WHERE id = ?",
			    AP_ARGS(AP_INT(time(NULL)), AP_INT(id)));
			sent++;
			continue;
		}
		ap_log(AP_LOG_WARN, "core: mail %lld not sent (try %ld): %s; "
		    "it stays queued", id, t + 1, why);
		ap_db_exec(r, "UPDATE ap_mail SET tries = tries + 1, next_try = "
		    "?, last_error = ?, claim = NULL, claimed_until = NULL "
		    "WHERE id = ?", AP_ARGS(AP_INT(time(NULL) + retry *
		    (1L << (t < 10 ? t : 10))), AP_TEXT(why), AP_INT(id)));
	}
	return sent;
}
