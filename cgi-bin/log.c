/*
 * log.c: one line per event on stderr, which is the web server's error
 * log under a FastCGI parent and the service's log when standalone.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core.h"

int ap_log_min = AP_LOG_INFO;

static const char *
log_level_name(enum ap_log_level lvl)
{
	switch (lvl) {
	case AP_LOG_ERR:
		return "error";
	case AP_LOG_WARN:
		return "warning";
	case AP_LOG_INFO:
		return "info";
	default:
		return "debug";
	}
}

/* Formats the whole line first and writes it with one write(2), so lines
 * of different threads and processes never interleave. */
void
ap_vlog(enum ap_log_level lvl, const char *fmt, va_list ap)
{
	char line[2048];
	struct tm tm;
	time_t now;
	size_t n;
	int k;

	if ((int)lvl > ap_log_min)
		return;
	now = time(NULL);
	gmtime_r(&now, &tm);
	n = strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%SZ", &tm);
	k = snprintf(line + n, sizeof(line) - n, " aparte[%ld] %s: ",
	    (long)getpid(), log_level_name(lvl));
	if (k > 0)
		n += (size_t)k;
	k = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	if (k > 0)
		n += (size_t)k;
	if (n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	/* One event, one line: fold any newline a message carried. */
	for (size_t i = 0; i < n; i++)
		if (line[i] == '\n' || line[i] == '\r')
			line[i] = ' ';
	line[n++] = '\n';
	(void)!write(STDERR_FILENO, line, n);
}

void
ap_log(enum ap_log_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ap_vlog(lvl, fmt, ap);
	va_end(ap);
}
