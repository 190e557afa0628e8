/*
 * server.c: the three ways to run the same binary.
 *
 *  - Under a FastCGI parent (mod_fcgid, spawn-fcgi): the listening socket
 *    is fd 0; one process of T threads serves it.
 *  - Standalone (--listen unix:PATH or HOST:PORT): a master keeps N worker
 *    processes of T threads alive, restarts one that dies, re-executes
 *    itself on SIGHUP (new config, new plugins, the binary installed at
 *    its path; the socket is kept, the old workers drain), and drains on
 *    SIGTERM.
 *  - Plain CGI (fd 0 is not a socket): one request, then exit.
 *
 * In a worker, one thread at a time waits for a connection (epoll on the
 * socket and on a wake-up pipe, then a non-blocking accept), as in
 * libfcgi's threaded example; a SIGTERM writes to the pipe, the idle
 * threads leave, the busy ones finish their request first.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <mysql.h>

#include "core.h"

static int srv_fd = -1;
static char srv_exe[4096] = "/proc/self/exe";  /* what a reload runs */
static int srv_wake[2] = { -1, -1 };
static int srv_ep = -1;             /* the socket and the pipe */
static volatile int srv_quit;
static pthread_mutex_t srv_accept_lock = PTHREAD_MUTEX_INITIALIZER;

/* Serves one accepted request on w. */
static void
srv_answer(struct ap_worker *w)
{
	struct ap_req r;
	int rc;

	rc = ap_req_begin(&r, w, &w->fcgi);
	if (rc != 0)
		ap_req_error_page(&r, rc, r.reason);
	else
		ap_req_dispatch(&r);
	ap_req_finish(&r);
	/* libfcgi closes a connection by shutting down its side, then
	 * reading until the web server closes its own (so that input left
	 * unread cannot reset the answer): the thread waits for the web
	 * server each time.  When the input was read to its end (every
	 * request but one refused before its body was read), nothing more
	 * can come and a plain close is as safe; "detached" asks for it. */
	if (w->fcgi.in != NULL && FCGX_HasSeenEOF(w->fcgi.in) == EOF)
		w->fcgi.detached = 1;
	FCGX_Finish_r(&w->fcgi);
	ap_req_detach(&r);
	ap_housekeeping(&r);
	ap_arena_reset(&w->arena);
}

/* Waits for a connection or for the wake-up pipe; true when a request
 * was accepted into w->fcgi.  The socket is in an epoll set with
 * EPOLLEXCLUSIVE: a new connection wakes one worker process, not all of
 * them (with poll, every process woke and all but one found nothing to
 * accept). */
static bool
srv_accept(struct ap_worker *w)
{
	for (;;) {
		struct epoll_event ev[2];
		bool conn = false;
		int n;

		if (__atomic_load_n(&srv_quit, __ATOMIC_RELAXED))
			return false;
		n = epoll_wait(srv_ep, ev, 2, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ap_log(AP_LOG_ERR, "core: epoll_wait: %s",
			    strerror(errno));
			return false;
		}
		for (int i = 0; i < n; i++) {
			if (ev[i].data.fd == srv_wake[0])
				return false;
			conn = true;
		}
		if (!conn)
			continue;
		/* The socket is non-blocking: another process may have taken
		 * the connection, then accept fails and we wait again. */
		if (FCGX_Accept_r(&w->fcgi) >= 0)
			return true;
	}
}

static void *
srv_thread(void *arg)
{
	struct ap_worker *w = arg;

	FCGX_InitRequest(&w->fcgi, srv_fd, 0);
	for (;;) {
		bool got;

		pthread_mutex_lock(&srv_accept_lock);
		got = srv_accept(w);
		pthread_mutex_unlock(&srv_accept_lock);
		if (!got)
			break;
		srv_answer(w);
	}
	FCGX_Free(&w->fcgi, 1);
	mysql_thread_end();
	return NULL;
}

/* Blocks the signals that stop or reload a serving process, so that one
 * thread takes them by sigwait on set; a broken pipe is not one. */
void
ap_stop_signals_wait(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, set, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static int
srv_watch(int fd, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.fd = fd };

	return epoll_ctl(srv_ep, EPOLL_CTL_ADD, fd, &ev);
}

/* One worker process: T threads on fd until SIGTERM or SIGINT. */
int
ap_serve(int fd, int threads)
{
	pthread_t *tid = calloc((size_t)threads, sizeof(pthread_t));
	struct ap_worker **ws = calloc((size_t)threads, sizeof(*ws));
	sigset_t set;
	int sig, started = 0;

	if (tid == NULL || ws == NULL)
		abort();
	srv_fd = fd;
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	if (pipe2(srv_wake, O_CLOEXEC) != 0) {
		ap_log(AP_LOG_ERR, "core: pipe: %s", strerror(errno));
		return 1;
	}
	srv_ep = epoll_create1(EPOLL_CLOEXEC);
	if (srv_ep < 0 || srv_watch(fd, EPOLLIN | EPOLLEXCLUSIVE) != 0 ||
	    srv_watch(srv_wake[0], EPOLLIN) != 0) {
		ap_log(AP_LOG_ERR, "core: epoll: %s", strerror(errno));
		return 1;
	}
	ap_stop_signals_wait(&set);
	ap_plugins_worker_init();
	for (int i = 0; i < threads; i++) {
		ws[i] = ap_worker_new(i);
		if (pthread_create(&tid[i], NULL, srv_thread, ws[i]) != 0) {
			ap_log(AP_LOG_ERR, "core: cannot start thread %d", i);
			ap_worker_free(ws[i]);
			ws[i] = NULL;
			break;
		}
		started++;
	}
	ap_log(AP_LOG_INFO, "core: worker %ld serving with %d threads",
	    (long)getpid(), started);
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGTERM || sig == SIGINT)
			break;
		/* SIGHUP reaches a worker only from a terminal; the master
		 * handles reloads. */
	}
	__atomic_store_n(&srv_quit, 1, __ATOMIC_RELAXED);
	(void)!write(srv_wake[1], "q", 1);
	for (int i = 0; i < started; i++) {
		pthread_join(tid[i], NULL);
		ap_worker_free(ws[i]);
	}
	ap_log(AP_LOG_INFO, "core: worker %ld stopped", (long)getpid());
	free(tid);
	free(ws);
	return 0;
}

/* Plain CGI: the request is in the environment and on stdin, the answer
 * goes to stdout.  (libfcgi's FCGX_Accept does not do CGI: the request
 * reads stdin and writes stdout itself when it has no FastCGI streams.) */
int
ap_serve_cgi(void)
{
	extern char **environ;
	struct ap_worker *w = ap_worker_new(0);
	struct ap_req r;
	int rc;

	signal(SIGPIPE, SIG_IGN);
	ap_plugins_worker_init();
	w->fcgi.in = NULL;
	w->fcgi.out = NULL;
	w->fcgi.err = NULL;
	w->fcgi.envp = environ;
	rc = ap_req_begin(&r, w, &w->fcgi);
	if (rc != 0)
		ap_req_error_page(&r, rc, r.reason);
	else
		ap_req_dispatch(&r);
	ap_req_finish(&r);
	fflush(stdout);
	rc = r.failed ? 1 : 0;
	ap_req_detach(&r);
	ap_housekeeping(&r);
	ap_arena_reset(&w->arena);
	ap_worker_free(w);
	mysql_thread_end();
	return rc;
}

/* ---- standalone master ---- */

/* Opens "unix:PATH" (mode given in octal digits) or "HOST:PORT". */
int
ap_listen_open(const char *spec, int mode_digits, char *err, size_t errlen)
{
	int fd;

	if (strncmp(spec, "unix:", 5) == 0) {
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		const char *path = spec + 5;
		struct stat st;
		mode_t mode;

		if (strlen(path) >= sizeof(sa.sun_path)) {
			snprintf(err, errlen, "socket path too long: %s", path);
			return -1;
		}
		{
			char digits[8];

			snprintf(digits, sizeof(digits), "%d", mode_digits);
			mode = (mode_t)strtol(digits, NULL, 8);
		}
		strcpy(sa.sun_path, path);
		if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
			unlink(path);
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
			snprintf(err, errlen, "cannot bind %s: %s", path,
			    strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
		chmod(path, mode);
	} else {
		struct sockaddr_in sa = { .sin_family = AF_INET };
		const char *colon = strrchr(spec, ':');
		char host[64];
		int one = 1;
		long port;

		if (colon == NULL || (size_t)(colon - spec) >= sizeof(host)) {
			snprintf(err, errlen, "--listen takes unix:PATH or "
			    "HOST:PORT, not %s", spec);
			return -1;
		}
		memcpy(host, spec, (size_t)(colon - spec));
		host[colon - spec] = '\0';
		port = strtol(colon + 1, NULL, 10);
		if (port <= 0 || port > 65535 ||
		    inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
			snprintf(err, errlen, "bad address %s (an IPv4 address "
			    "and a port)", spec);
			return -1;
		}
		sa.sin_port = htons((uint16_t)port);
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -1;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
			snprintf(err, errlen, "cannot bind %s: %s", spec,
			    strerror(errno));
			close(fd);
			return -1;
		}
	}
	if (listen(fd, 1024) != 0) {
		snprintf(err, errlen, "cannot listen on %s: %s", spec,
		    strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

struct srv_child {
	pid_t pid;
	time_t started;
	bool old;             /* from before a reload: not restarted */
};

static pid_t
srv_spawn(int fd, int threads)
{
	pid_t pid = fork();

	if (pid == 0) {
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		_exit(ap_serve(fd, threads));
	}
	return pid;
}

/* Keeps `workers` processes alive on fd.  argv is used to re-execute on
 * SIGHUP; old_workers (from a previous image) are drained. */
/* Runs this binary with argv and --check-config: true when the config
 * (and the plugins) a reload would load are good. */
static bool
srv_reload_ok(int argc, char **argv)
{
	char **av = calloc((size_t)argc + 2, sizeof(char *));
	int status = 0;
	pid_t pid;

	if (av == NULL)
		return false;
	memcpy(av, argv, (size_t)argc * sizeof(char *));
	av[argc] = "--check-config";
	pid = fork();
	if (pid == 0) {
		sigset_t none;
		int devnull = open("/dev/null", O_WRONLY);

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (devnull >= 0)
			dup2(devnull, 1);
		execv(srv_exe, av);
		_exit(127);
	}
	free(av);
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return false;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int
ap_master(int fd, int workers, int threads, int argc, char **argv,
    const char *old_workers, const char *unlink_path)
{
	struct srv_child *kids = calloc((size_t)workers + 256, sizeof(*kids));
	size_t nkids = 0;
	sigset_t set;
	bool quitting = false;
	time_t quit_at = 0;

	if (kids == NULL)
		abort();
	/* A reload runs the binary installed at the path this one came
	 * from, so that an upgrade (make install, then SIGHUP) takes effect;
	 * /proc/self/exe would run the replaced file again. */
	{
		ssize_t n = readlink("/proc/self/exe", srv_exe,
		    sizeof(srv_exe) - 1);

		if (n > 0 && (size_t)n < sizeof(srv_exe) - 1) {
			srv_exe[n] = '\0';
			if (n > 10 && strcmp(srv_exe + n - 10, " (deleted)") == 0)
				strcpy(srv_exe, "/proc/self/exe");
		} else {
			strcpy(srv_exe, "/proc/self/exe");
		}
	}
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* Workers of the image before a reload: drain them. */
	for (const char *p = old_workers; p && *p;) {
		long pid = strtol(p, (char **)&p, 10);

		if (pid > 0 && nkids < (size_t)workers + 256) {
			kids[nkids].pid = (pid_t)pid;
			kids[nkids].old = true;
			nkids++;
			kill((pid_t)pid, SIGTERM);
		}
		while (*p == ',')
			p++;
	}
	for (int i = 0; i < workers; i++) {
		kids[nkids].pid = srv_spawn(fd, threads);
		kids[nkids].started = time(NULL);
		nkids++;
	}
	ap_log(AP_LOG_INFO, "core: master %ld: %d workers of %d threads",
	    (long)getpid(), workers, threads);
	for (;;) {
		struct timespec ts = { .tv_sec = 1 };
		siginfo_t si;
		int sig = sigtimedwait(&set, &si, &ts);
		pid_t pid;
		int status;

		while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
			for (size_t i = 0; i < nkids; i++) {
				if (kids[i].pid != pid)
					continue;
				if (!kids[i].old && !quitting &&
				    !(WIFEXITED(status) &&
				    WEXITSTATUS(status) == 0))
					ap_log(AP_LOG_ERR, "core: worker %ld "
					    "died (%s %d)", (long)pid,
					    WIFSIGNALED(status) ? "signal" :
					    "status", WIFSIGNALED(status) ?
					    WTERMSIG(status) :
					    WEXITSTATUS(status));
				kids[i].pid = 0;
			}
		}
		if (sig == SIGTERM || sig == SIGINT) {
			if (!quitting)
				ap_log(AP_LOG_INFO, "core: stopping; workers "
				    "finish what they serve");
			quitting = true;
			quit_at = time(NULL);
			for (size_t i = 0; i < nkids; i++)
				if (kids[i].pid > 0)
					kill(kids[i].pid, SIGTERM);
		} else if (sig == SIGHUP && !quitting && !srv_reload_ok(argc,
		    argv)) {
			ap_log(AP_LOG_ERR, "core: reload refused: the new "
			    "configuration does not start (see above); still "
			    "serving with the old one");
		} else if (sig == SIGHUP && !quitting) {
			char pids[4096] = "", fdbuf[16];
			size_t l = 0;

			ap_log(AP_LOG_INFO, "core: reloading");
			for (size_t i = 0; i < nkids; i++)
				if (kids[i].pid > 0 && l + 16 < sizeof(pids))
					l += (size_t)snprintf(pids + l,
					    sizeof(pids) - l, "%s%ld", l ? "," :
					    "", (long)kids[i].pid);
			snprintf(fdbuf, sizeof(fdbuf), "%d", fd);
			setenv("APARTE_LISTEN_FD", fdbuf, 1);
			setenv("APARTE_OLD_WORKERS", pids, 1);
			fcntl(fd, F_SETFD, 0);   /* keep it across exec */
			sigprocmask(SIG_UNBLOCK, &set, NULL);
			execv(srv_exe, argv);
			ap_log(AP_LOG_ERR, "core: reload failed: %s",
			    strerror(errno));
			sigprocmask(SIG_BLOCK, &set, NULL);
			fcntl(fd, F_SETFD, FD_CLOEXEC);
		}
		if (quitting) {
			bool any = false;

			for (size_t i = 0; i < nkids; i++)
				if (kids[i].pid > 0)
					any = true;
			if (!any)
				break;
			if (time(NULL) - quit_at > 30) {
				for (size_t i = 0; i < nkids; i++)
					if (kids[i].pid > 0)
						kill(kids[i].pid, SIGKILL);
			}
			continue;
		}
		/* Restart the dead, at most one per slot and second (a
		 * worker that dies at once must not spin the machine). */
		for (size_t i = 0; i < nkids; i++) {
			if (kids[i].pid != 0 || kids[i].old)
				continue;
			if (time(NULL) - kids[i].started < 1)
				continue;
			kids[i].pid = srv_spawn(fd, threads);
			kids[i].started = time(NULL);
		}
		/* Forget the drained old workers. */
		for (size_t i = 0; i < nkids; i++) {
			if (kids[i].old && kids[i].pid == 0) {
				kids[i] = kids[--nkids];
				i--;
			}
		}
	}
	if (unlink_path != NULL)
		unlink(unlink_path);
	ap_log(AP_LOG_INFO, "core: master stopped");
	free(kids);
	return 0;
}
