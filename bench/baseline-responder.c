/*
 * baseline-responder: the yardstick of bench/run.  A bare libfcgi responder
 * that answers every request with one fixed JSON body of BYTES bytes, so the
 * benchmark can compare mxcep-fcgi with the cheapest possible FastCGI
 * application returning the same number of bytes over the same kind of
 * socket, through the same web server.  Not part of the product.
 *
 * usage: baseline-responder -s /path/to.sock -n PROCS -b BYTES [-c STATUS] [-q]
 * -b 0 answers with no body at all (the yardstick of a 304 Not Modified);
 * -c sets the status code (default 200; 304 implies -b 0); -q closes each
 * connection at once as mxcep-fcgi does over a unix socket (FCGX_Detach:
 * no lingering shutdown + poll + read), for the diagnostic of bench/README
 * ("The hot path"): by default the responder is stock libfcgi.
 * The master binds the unix socket, forks PROCS children that accept on it,
 * and on SIGTERM or SIGINT stops them and removes the socket.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcgiapp.h>

#define MAX_PROCS	64
#define MIN_BYTES	11	/* strlen("{\"data\":\"\"}") */

static volatile sig_atomic_t	 stop_flag;

static void
on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void
usage(void)
{
	fprintf(stderr, "usage: baseline-responder -s SOCKET -n PROCS "
	    "-b BYTES [-c STATUS] [-q]\n");
	exit(2);
}

/*
 * body_new: a JSON document of exactly n bytes, {"data":"xxx..."}.
 * Returns a malloc'd string the caller frees, or NULL.
 */
static char *
body_new(size_t n)
{
	char	*body = NULL;

	if ((body = malloc(n + 1)) == NULL)
		return NULL;
	if (n == 0) {
		body[0] = '\0';
		return body;
	}
	memcpy(body, "{\"data\":\"", 9);
	memset(body + 9, 'x', n - MIN_BYTES);
	memcpy(body + n - 2, "\"}", 3);
	return body;
}

/* serve: one child's accept loop; never returns */
static void __attribute__((noreturn))
serve(int listen_fd, const char *head, const char *body, size_t body_len,
    int quick_close)
{
	FCGX_Request	 req;

	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	/* Linux: do not outlive a master that was SIGKILLed */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() == 1)
		_exit(1);
	if (FCGX_InitRequest(&req, listen_fd, 0) != 0) {
		fprintf(stderr, "baseline-responder: FCGX_InitRequest failed\n");
		_exit(1);
	}
	while (FCGX_Accept_r(&req) >= 0) {
		FCGX_PutS(head, req.out);
		if (body_len > 0)
			FCGX_PutStr(body, (int)body_len, req.out);
		if (quick_close)
			(void)FCGX_Detach(&req);
		FCGX_Finish_r(&req);
	}
	_exit(0);
}

static long
parse_number(const char *s, long min, long max)
{
	char	*end = NULL;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		usage();
	return v;
}

int
main(int argc, char *argv[])
{
	const char	*sock_path = NULL;
	char		*body = NULL;
	char		 head[256];
	struct sigaction sa;
	pid_t		 kids[MAX_PROCS];
	long		 procs = 1, bytes = 64, code = 200, i;
	int		 ch, listen_fd = -1, status = 1, quick_close = 0;

	while ((ch = getopt(argc, argv, "s:n:b:c:q")) != -1) {
		switch (ch) {
		case 's':
			sock_path = optarg;
			break;
		case 'n':
			procs = parse_number(optarg, 1, MAX_PROCS);
			break;
		case 'b':
			bytes = parse_number(optarg, 0, 16L * 1024 * 1024);
			break;
		case 'c':
			code = parse_number(optarg, 200, 599);
			break;
		case 'q':
			quick_close = 1;
			break;
		default:
			usage();
		}
	}
	if (sock_path == NULL || optind != argc)
		usage();
	if (code == 304)
		bytes = 0;
	if (bytes != 0 && bytes < MIN_BYTES)
		usage();

	if ((body = body_new((size_t)bytes)) == NULL) {
		perror("baseline-responder: malloc");
		goto out;
	}
	if (code == 304)
		snprintf(head, sizeof(head), "Status: 304 Not Modified\r\n"
		    "\r\n");
	else if (bytes == 0)
		snprintf(head, sizeof(head), "Status: %ld OK\r\n"
		    "Content-Length: 0\r\n\r\n", code);
	else
		snprintf(head, sizeof(head), "Status: %ld OK\r\n"
		    "Content-Type: application/vnd.api+json\r\n"
		    "Content-Length: %ld\r\n\r\n", code, bytes);

	if (FCGX_Init() != 0) {
		fprintf(stderr, "baseline-responder: FCGX_Init failed\n");
		goto out;
	}
	unlink(sock_path);
	if ((listen_fd = FCGX_OpenSocket(sock_path, 128)) < 0) {
		fprintf(stderr, "baseline-responder: cannot listen on %s\n",
		    sock_path);
		goto out;
	}

	/* no SA_RESTART: the signal must interrupt waitpid() below */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	for (i = 0; i < procs; i++) {
		kids[i] = fork();
		if (kids[i] == -1) {
			perror("baseline-responder: fork");
			procs = i;
			goto stop;
		}
		if (kids[i] == 0)
			serve(listen_fd, head, body, (size_t)bytes, quick_close);
	}

	/* A child that dies ends the run: the numbers would be wrong. */
	while (!stop_flag) {
		if (waitpid(-1, NULL, 0) > 0) {
			fprintf(stderr, "baseline-responder: a child died\n");
			goto stop;
		}
		if (errno != EINTR)
			break;
	}
	status = 0;
stop:
	for (i = 0; i < procs; i++)
		kill(kids[i], SIGTERM);
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
	unlink(sock_path);
out:
	free(body);
	return status;
}
