/*
 * The benchmark's reference: the barest libfcgi program, as in libfcgi's
 * threaded example, answering the bytes of one file to every request.  It
 * shows what FastCGI itself costs on this machine, beside which the
 * backend's own cost can be read.
 *
 * Usage: fcgi-hello SOCKET FILE PROCESSES THREADS
 */
#include <fcgiapp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int hello_fd;
static char *hello_answer;
static size_t hello_len;
static pthread_mutex_t hello_lock = PTHREAD_MUTEX_INITIALIZER;

static void *
hello_thread(void *arg)
{
	FCGX_Request r;

	(void)arg;
	FCGX_InitRequest(&r, hello_fd, 0);
	for (;;) {
		int rc;

		pthread_mutex_lock(&hello_lock);
		rc = FCGX_Accept_r(&r);
		pthread_mutex_unlock(&hello_lock);
		if (rc < 0)
			break;
		FCGX_PutStr(hello_answer, (int)hello_len, r.out);
		FCGX_Finish_r(&r);
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	char body[65536];
	size_t n;
	FILE *f;
	int procs, threads;

	if (argc != 5)
		return 2;
	f = fopen(argv[2], "rb");
	if (f == NULL)
		return 1;
	n = fread(body, 1, sizeof(body), f);
	fclose(f);
	hello_answer = malloc(n + 128);
	hello_len = (size_t)snprintf(hello_answer, 128, "Status: 200 OK\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\nContent-Length: %zu"
	    "\r\n\r\n", n);
	memcpy(hello_answer + hello_len, body, n);
	hello_len += n;
	procs = atoi(argv[3]);
	threads = atoi(argv[4]);
	FCGX_Init();
	hello_fd = FCGX_OpenSocket(argv[1], 1024);
	if (hello_fd < 0)
		return 1;
	chmod(argv[1], 0666);
	for (int p = 1; p < procs; p++)
		if (fork() == 0)
			break;
	{
		pthread_t t[256];

		for (int i = 0; i < threads && i < 256; i++)
			pthread_create(&t[i], NULL, hello_thread, NULL);
		for (int i = 0; i < threads && i < 256; i++)
			pthread_join(t[i], NULL);
	}
	return 0;
}
