/*
 * main.c: aparte.fcgi.  Reads the options, starts the core (config,
 * plugins, translations) once, then serves in the mode the environment
 * asks for: standalone with --listen, under a FastCGI parent when fd 0 is
 * a listening socket, as plain CGI otherwise.
 */
#include "config.h"

#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "core.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: aparte.fcgi [--config FILE] [--listen unix:PATH|HOST:PORT]\n"
	    "                   [--workers N] [--threads N] [--check-config]\n"
	    "\n"
	    "Serves the site's dynamic parts over FastCGI.  Without --listen it\n"
	    "serves the socket on fd 0 (mod_fcgid, spawn-fcgi), or one CGI\n"
	    "request when fd 0 is not a socket.  The config file comes from\n"
	    "--config, else $APARTE_CONF, else the FastCGI parameter\n"
	    "APARTE_CONF of the first request, else %s/aparte.conf.\n",
	    SYSCONFDIR);
}

/* Under a FastCGI parent with no config named: the first request may
 * carry it as the parameter APARTE_CONF (nginx's fastcgi_param). */
static const char *
main_conf_from_first_request(FCGX_Request *req)
{
	const char *p;

	if (FCGX_Accept_r(req) < 0)
		return NULL;
	p = FCGX_GetParam("APARTE_CONF", req->envp);
	return p ? strdup(p) : NULL;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "listen", required_argument, NULL, 'l' },
		{ "workers", required_argument, NULL, 'w' },
		{ "threads", required_argument, NULL, 't' },
		{ "check-config", no_argument, NULL, 'k' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *conf = NULL, *listen_spec = NULL;
	int workers = 0, threads = 0, ch, rc;
	bool check = false, pending = false;
	FCGX_Request first;
	char err[1024];

	while ((ch = getopt_long(argc, argv, "c:l:w:t:kVh", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			conf = optarg;
			break;
		case 'l':
			listen_spec = optarg;
			break;
		case 'w':
			workers = atoi(optarg);
			break;
		case 't':
			threads = atoi(optarg);
			break;
		case 'k':
			check = true;
			break;
		case 'V':
			printf("aparte %s (plugin ABI %d.%d)\n", PACKAGE_VERSION,
			    AP_ABI_MAJOR, AP_ABI_MINOR);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (workers < 0 || workers > 256 || threads < 0 || threads > 1024) {
		fprintf(stderr, "aparte.fcgi: --workers 1..256, --threads "
		    "1..1024\n");
		return 2;
	}
	if (conf == NULL)
		conf = getenv("APARTE_CONF");
	/* A fixed threshold: blocks of 128 KB and more (a big page's buffers)
	 * are mapped and given back when freed.  glibc's default raises the
	 * threshold after the first such free, and each thread's heap then
	 * keeps the memory of the biggest page it ever built: 12 MB per
	 * worker instead of 7.5 serving 107 KB pages, at the same speed. */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	if (FCGX_Init() != 0) {
		fprintf(stderr, "aparte.fcgi: cannot start libfcgi\n");
		return 1;
	}
	if (conf == NULL && listen_spec == NULL && !check && !FCGX_IsCGI()) {
		FCGX_InitRequest(&first, 0, 0);
		conf = main_conf_from_first_request(&first);
		pending = true;
	}
	if (conf == NULL)
		conf = SYSCONFDIR "/aparte.conf";
	if (ap_startup(conf, false, err, sizeof(err)) != 0) {
		ap_log(AP_LOG_ERR, "core: %s", err);
		if (pending) {
			const char *msg = "Status: 500 Internal Server Error\r\n"
			    "Content-Type: text/plain; charset=utf-8\r\n\r\n"
			    "aparte: configuration error (see the server's "
			    "error log)\n";

			FCGX_PutStr(msg, (int)strlen(msg), first.out);
			FCGX_Finish_r(&first);
		}
		if (check)
			fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (check) {
		printf("%s: ok\n", conf);
		return 0;
	}
	if (threads == 0)
		threads = ap_core.threads;
	if (listen_spec == NULL) {
		const char *l = ap_conf_get(&ap_core.conf, "server", "listen");

		if (l != NULL && *l)
			listen_spec = l;
	}
	if (pending) {
		/* Answer the request that brought the config, then serve. */
		struct ap_worker *w = ap_worker_new(-1);
		struct ap_req r;
		sigset_t set;

		/* A stop asked meanwhile waits for this answer: ap_serve's
		 * sigwait takes it then, as for any request in flight. */
		ap_stop_signals_wait(&set);
		ap_plugins_worker_init();   /* this process serves from now */
		w->fcgi = first;
		rc = ap_req_begin(&r, w, &w->fcgi);
		if (rc != 0)
			ap_req_error_page(&r, rc, r.reason);
		else
			ap_req_dispatch(&r);
		ap_req_finish(&r);
		FCGX_Finish_r(&w->fcgi);
		ap_worker_free(w);
		rc = ap_serve(0, threads);
	} else if (listen_spec != NULL) {
		char *inherited = getenv("APARTE_LISTEN_FD");
		char *old = getenv("APARTE_OLD_WORKERS");
		int fd;

		/* Left by the image before a reload; not for the children. */
		inherited = inherited ? strdup(inherited) : NULL;
		old = old ? strdup(old) : NULL;
		unsetenv("APARTE_LISTEN_FD");
		unsetenv("APARTE_OLD_WORKERS");

		if (workers == 0)
			workers = (int)ap_conf_num(&ap_core.conf, "server",
			    "workers");
		if (inherited != NULL) {
			fd = atoi(inherited);
		} else {
			fd = ap_listen_open(listen_spec, (int)ap_conf_num(
			    &ap_core.conf, "server", "socket_mode"), err,
			    sizeof(err));
			if (fd < 0) {
				ap_log(AP_LOG_ERR, "core: %s", err);
				return 1;
			}
		}
		rc = ap_master(fd, workers, threads, argc, argv, old,
		    strncmp(listen_spec, "unix:", 5) == 0 ?
		    listen_spec + 5 : NULL);
	} else if (!FCGX_IsCGI()) {
		rc = ap_serve(0, threads);
	} else {
		rc = ap_serve_cgi();
	}
	ap_shutdown();
	return rc;
}
