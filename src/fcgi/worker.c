/*
 * mxcep: a worker process: accept FastCGI requests one at a time on the
 * shared listening socket and answer them. The only file that talks
 * libfcgi. SIGTERM is blocked while a request is handled, so a request
 * in flight always finishes; it is delivered only while waiting in
 * accept, which it interrupts (FCGI_FAIL_ACCEPT_ON_INTR).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <unistd.h>

#include <fastcgi.h>
#include <fcgiapp.h>

#include "app/app.h"
#include "fcgi/fcgi.h"
#include "work/work.h"

static volatile sig_atomic_t worker_stop;	/* the shutdown flag */
static volatile sig_atomic_t worker_reopen;	/* SIGUSR1/SIGHUP: log_file */

/*
 * The sink of a streamed body (an export: hundreds of megabytes). libfcgi
 * cuts its output stream into records of 8 KB, one write(2) each, and the
 * web server reads them one by one; a streamed body goes out instead in
 * records of up to 64 KB written straight to the connection (FastCGI 1.0
 * section 3.3), after the stream's buffer is flushed, so the order holds.
 * The connection is FCGX_Request's ipcFd, a field fcgiapp.h marks as
 * internal (stable in libfcgi 2.4); when it is not a usable descriptor,
 * the body goes through FCGX_PutStr. FCGX_Finish_r ends the stream as
 * for any answer: its buffer is then empty (worker_handle closes the
 * streams itself, so the end of any answer is one write).
 *
 * Every write that can wait has a deadline: the connection of an answer
 * longer than WORKER_SMALL_ANSWER, or streamed, gets SO_SNDTIMEO =
 * write_timeout before its first byte, so a write that moves no byte for
 * that long fails with EAGAIN, whether it is ours
 * (writer_record) or libfcgi's own (the head, a buffered body, the end
 * records: libfcgi writes from inside FCGX_PutStr/FFlush on a blocking
 * descriptor, where no poll() of ours could go). A write that moves some
 * bytes returns them, and the next one has the whole deadline again:
 * the bound is on progress, not on the response's length. A stalled
 * response is abandoned (worker_abandon) and the worker goes on. A
 * smaller answer leaves in one write(2) at the end (libfcgi's buffer is
 * 8 KB) into an empty socket buffer (208 KB for a unix socket, 16 KB at
 * least over TCP), which cannot wait, so it is spared the setsockopt(2):
 * that is most of the API's answers, polls above all.
 */
#define WORKER_SMALL_ANSWER	8192
#define WRITER_RECORD_MAX	65528	/* content bytes: 64 KB less the
					   header, a multiple of 8 */

struct response_writer {
	FCGX_Request	*fr;
	int		 fd;		/* the connection, or -1: FCGX_PutStr */
	int		 failed;	/* the client went away */
	int		 stalled;	/* no progress for write_timeout */
	size_t		 written;	/* body bytes so far */
};

/* one FCGI_STDOUT record of n (1..WRITER_RECORD_MAX) bytes; -1 when the
 * connection failed */
static int
writer_record(struct response_writer *w, const unsigned char *data,
    size_t n)
{
	unsigned char	 h[FCGI_HEADER_LEN];
	struct iovec	 iov[2];
	struct msghdr	 msg;
	ssize_t		 k;
	size_t		 left = sizeof(h) + n;

	h[0] = FCGI_VERSION_1;
	h[1] = FCGI_STDOUT;
	h[2] = (unsigned char)((w->fr->requestId >> 8) & 0xff);
	h[3] = (unsigned char)(w->fr->requestId & 0xff);
	h[4] = (unsigned char)((n >> 8) & 0xff);
	h[5] = (unsigned char)(n & 0xff);
	h[6] = 0;			/* no padding */
	h[7] = 0;
	iov[0].iov_base = h;
	iov[0].iov_len = sizeof(h);
	iov[1].iov_base = (void *)(uintptr_t)data;
	iov[1].iov_len = n;
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = iov;
	msg.msg_iovlen = 2;
	while (left > 0) {
		k = sendmsg(w->fd, &msg, MSG_NOSIGNAL);
		if (k == -1 && errno == EINTR)
			continue;
		if (k == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			w->stalled = 1;	/* SO_SNDTIMEO ran out */
		if (k <= 0)
			return -1;
		left -= (size_t)k;
		/* a short write: skip what went */
		while (msg.msg_iovlen > 0 && (size_t)k >= msg.msg_iov->iov_len) {
			k -= (ssize_t)msg.msg_iov->iov_len;
			msg.msg_iov++;
			msg.msg_iovlen--;
		}
		if (msg.msg_iovlen > 0) {
			msg.msg_iov->iov_base = (char *)msg.msg_iov->iov_base + k;
			msg.msg_iov->iov_len -= (size_t)k;
		}
	}
	return 0;
}

int
response_write(struct response_writer *w, const void *data, size_t n)
{
	const unsigned char	*p = data;
	size_t			 off = 0, chunk;

	while (!w->failed && off < n) {
		if (w->fd >= 0) {
			chunk = n - off > WRITER_RECORD_MAX ?
			    WRITER_RECORD_MAX : n - off;
			if (writer_record(w, p + off, chunk) == -1)
				w->failed = 1;
		} else {
			chunk = n - off > (1u << 20) ? 1u << 20 : n - off;
			if (FCGX_PutStr((const char *)p + off, (int)chunk,
			    w->fr->out) != (int)chunk ||
			    FCGX_GetError(w->fr->out) != 0)
				w->failed = 1;
		}
		off += chunk;
	}
	if (!w->failed)
		w->written += n;
	return w->failed ? -1 : 0;
}

/*
 * The deadline of every write on this request's connection (see above);
 * the descriptor is libfcgi's ipcFd.
 */
static void
worker_write_deadline(FCGX_Request *fr, int seconds)
{
	struct timeval	 tv = { seconds, 0 };

	if (fr->ipcFd >= 0 && setsockopt(fr->ipcFd, SOL_SOCKET, SO_SNDTIMEO,
	    &tv, sizeof(tv)) == -1)
		log_warn("%s: setsockopt SO_SNDTIMEO", __func__);
}

/*
 * A response the web server stopped taking: logged, and the connection
 * shut down both ways, so libfcgi's closing writes (end records) fail at
 * once instead of waiting out the deadline again, and its lingering read
 * before close(2) sees the end at once.
 */
static void
worker_abandon(struct app *app, FCGX_Request *fr, int streamed,
    size_t written)
{
	if (streamed)
		log_warnx("response abandoned: the web server took nothing "
		    "for %d s (write_timeout) after %zu body bytes; worker "
		    "freed", app->cfg->write_timeout, written);
	else
		log_warnx("response abandoned: the web server took nothing "
		    "for %d s (write_timeout) of a buffered answer; worker "
		    "freed", app->cfg->write_timeout);
	if (fr->ipcFd >= 0)
		shutdown(fr->ipcFd, SHUT_RDWR);
}

/* the streamed body's writer: the head must have left (FCGX_FFlush) */
static void
writer_init(struct response_writer *w, FCGX_Request *fr)
{
	struct stat	 st;

	memset(w, 0, sizeof(*w));
	w->fr = fr;
	w->fd = -1;
	if (fr->ipcFd >= 0 && fstat(fr->ipcFd, &st) == 0 &&
	    S_ISSOCK(st.st_mode) && FCGX_GetError(fr->out) == 0)
		w->fd = fr->ipcFd;
}

static void
worker_on_term(int sig)
{
	(void)sig;
	worker_stop = 1;
}

static void
worker_on_reopen(int sig)
{
	(void)sig;
	worker_reopen = 1;
}

/*
 * Reads the body, at most max_body_bytes; a larger one is not read and
 * marks the request too large. Returns 0, or -1 on a broken stream.
 */
static int
worker_read_body(FCGX_Request *fr, struct request *req, long limit)
{
	struct buf	 b;
	char		 chunk[8192];
	int		 n;

	if (req->content_length > limit) {
		req->body_too_large = 1;
		return 0;
	}
	buf_init(&b);
	while ((n = FCGX_GetStr(chunk, sizeof(chunk), fr->in)) > 0) {
		if ((long)(b.len + (size_t)n) > limit) {
			req->body_too_large = 1;
			buf_free(&b);
			return 0;
		}
		buf_append(&b, chunk, (size_t)n);
	}
	if (FCGX_GetError(fr->in) != 0) {
		log_warnx("%s: request body stream error %d", __func__,
		    FCGX_GetError(fr->in));
		buf_free(&b);
		return -1;
	}
	if (b.len > 0 || req->content_length > 0) {
		if (b.data == NULL)
			buf_append(&b, "", 0);
		req->body = b.data;
		req->body_len = b.len;
	}
	return 0;
}

/* The pending after-response work of one request (the response's
 * after_arg, taken before the response is freed). */
struct worker_after {
	void		*arg;
	void		(*arg_free)(void *);
};

/*
 * Answers one request. Returns 1 when all of the request's input was
 * read and the answer went out whole, so nothing is left to linger for
 * (worker_close_at_once); 0 otherwise.
 */
static int
worker_handle(struct app *app, FCGX_Request *fr, handler_fn handle,
    struct worker_after *after)
{
	struct request	*req;
	struct response	 resp;
	struct buf	 head;
	char		 method[32], path[256], client[64];
	size_t		 written = 0;
	int		 status, stalled = 0, streamed = 0, drained;

	req = request_new(app, fr->envp);
	log_set_request_id(req->id);
	response_init(&resp);
	buf_init(&head);

	if (worker_read_body(fr, req, app->cfg->max_body_bytes) == -1) {
		status = response_error(&resp, 400, "bad_request",
		    "the request body could not be read", NULL, NULL);
		drained = 0;
	} else {
		drained = !req->body_too_large;
		status = handle(req, &resp);
	}
	resp.status = status;

	response_head(&resp, req->id, &head);
	if (resp.stream != NULL ||
	    head.len + resp.body.len > WORKER_SMALL_ANSWER)
		worker_write_deadline(fr, app->cfg->write_timeout);
	FCGX_PutStr(head.data, (int)head.len, fr->out);
	if (req->method != METHOD_HEAD && resp.stream != NULL) {
		struct response_writer w;

		FCGX_FFlush(fr->out);	/* the head leaves now */
		writer_init(&w, fr);
		if ((resp.stream(req, &w, resp.stream_arg) == -1 ||
		    w.failed) && !w.stalled)
			log_warnx("%s: streamed body cut after %zu bytes",
			    __func__, w.written);
		stalled = w.stalled;
		written = w.written;
		streamed = 1;
	} else if (req->method != METHOD_HEAD && resp.body.len > 0)
		FCGX_PutStr(resp.body.data, (int)resp.body.len, fr->out);
	/* every value from the request escaped: no forged log line; the
	 * client as the web server saw it (behind a proxy, the front
	 * server's REMOTE_ADDR is what the back one passes on) */
	if (log_info_enabled())
		log_info("request: %s %s status=%d ms=%.1f account=%s "
		    "client=%s",
		    log_escape(method, sizeof(method), req->method_name),
		    log_escape(path, sizeof(path), req->path),
		    status, (clock_monotonic() - req->started) * 1000.0,
		    req->account_id[0] != '\0' ? req->account_id : "-",
		    log_escape(client, sizeof(client),
		    req->remote_addr[0] != '\0' ? req->remote_addr : "-"));
	/* The end: the rest of the buffer, the empty stdout record and
	 * END_REQUEST leave in one write(2) (FCGX_FClose of stderr first,
	 * which writes nothing as nothing went there, so stdout is the last
	 * writer: libfcgi adds END_REQUEST to its close). A flush before
	 * FCGX_Finish_r would cost a second write; FCGX_Finish_r's own
	 * closes are then no-ops. After the access line, as before: when
	 * the client has its answer, the line is in the log. */
	if (!stalled) {
		FCGX_FClose(fr->err);
		FCGX_FClose(fr->out);
	}
	if (FCGX_GetError(fr->out) == EAGAIN ||
	    FCGX_GetError(fr->out) == EWOULDBLOCK)
		stalled = 1;
	else if (FCGX_GetError(fr->out) != 0)
		log_warnx("%s: client went away while answering (%d)",
		    __func__, FCGX_GetError(fr->out));
	if (stalled)
		worker_abandon(app, fr, streamed, written);
	else if (FCGX_GetError(fr->out) != 0)
		drained = 0;
	log_set_request_id(NULL);
	buf_free(&head);
	after->arg = resp.after_arg;
	after->arg_free = resp.after_free;
	resp.after_arg = NULL;
	resp.after_free = NULL;
	response_free(&resp);
	request_free(req);
	app->served++;
	return drained && !stalled;
}

/*
 * libfcgi ends every connection with a lingering close: shutdown(2) of
 * its sending side, then poll(2) and read(2) until the web server has
 * closed its own, so that data still coming cannot make TCP reset the
 * connection and destroy the answer in flight. That wait for the web
 * server to be scheduled cost every request a sleep and three system
 * calls. Over a unix socket there is no reset: a peer reads everything
 * queued before it sees the end. So when the request's input was read
 * to its end and the answer went out whole, the connection is closed at
 * once (FCGX_Detach: FCGX_Finish_r then close(2)s without lingering).
 * Over TCP, or with input left unread (a body over max_body_bytes), the
 * lingering close stays.
 */
static void
worker_close_at_once(FCGX_Request *fr, int unix_socket, int drained)
{
	if (unix_socket && drained && !fr->keepConnection)
		(void)FCGX_Detach(fr);
}

/* 1 when the listening socket (and so every connection) is AF_UNIX */
static int
worker_listens_unix(int listen_fd)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof(ss);

	return getsockname(listen_fd, (struct sockaddr *)&ss, &len) == 0 &&
	    ss.ss_family == AF_UNIX;
}

/*
 * SIGTERM/SIGINT stop, SIGUSR1/SIGHUP reopen log_file (the master sends
 * SIGUSR1 on a rotation; it replaces its workers on SIGHUP). All four
 * stay blocked except while waiting in accept. Our SIGUSR1 handler is
 * in place before FCGX_Init, so libfcgi keeps it (its own would make
 * every later accept fail). The master forks us with everything
 * blocked: the mask is set only once the handlers are.
 */
static void
worker_signals(sigset_t *blocked)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = worker_on_term;	/* no SA_RESTART: accept must fail */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = worker_on_reopen;
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGCHLD, &sa, NULL);

	sigemptyset(blocked);
	sigaddset(blocked, SIGTERM);
	sigaddset(blocked, SIGINT);
	sigaddset(blocked, SIGUSR1);
	sigaddset(blocked, SIGHUP);
	sigprocmask(SIG_SETMASK, blocked, NULL);
}

/* 1 when a connection waits to be accepted on the listening socket */
static int
worker_backlog_pending(int listen_fd)
{
	struct pollfd	 pfd = { listen_fd, POLLIN, 0 };

	return poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN);
}

int
worker_run(const struct config *cfg, int listen_fd, handler_fn handle,
    after_fn after_hook)
{
	struct worker_after	 after;
	struct app	 app;
	FCGX_Request	 fr;
	sigset_t	 blocked;
	int		 rc, failures = 0, drained;
	int		 unix_socket = worker_listens_unix(listen_fd);

	worker_signals(&blocked);
	if (app_init(&app, cfg) == -1) {
		log_warnx("worker %d cannot start", (int)getpid());
		app_free(&app);
		return WORKER_EXIT_NOSTART;
	}
	if (app_connect(&app) == -1)
		log_warnx("%s: MariaDB not reachable yet; will retry per "
		    "request", __func__);

	if (FCGX_Init() != 0 ||
	    FCGX_InitRequest(&fr, listen_fd, FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
		log_warnx("worker %d cannot start: libfcgi initialisation "
		    "failed", (int)getpid());
		app_free(&app);
		return WORKER_EXIT_NOSTART;
	}

	for (;;) {
		if (worker_reopen) {
			worker_reopen = 0;
			log_open(cfg->log_file);	/* failure: logged, kept */
		}
		if (cfg->max_requests > 0 &&
		    app.served >= (unsigned long)cfg->max_requests) {
			log_info("worker %d recycled after %lu requests",
			    (int)getpid(), app.served);
			break;
		}
		/* Stopping: answer what already waits in the backlog, so no
		 * connection the web server has sent is reset. */
		if (worker_stop && !worker_backlog_pending(listen_fd))
			break;
		sigprocmask(SIG_UNBLOCK, &blocked, NULL);
		rc = FCGX_Accept_r(&fr);
		sigprocmask(SIG_BLOCK, &blocked, NULL);
		if (rc < 0) {
			if (worker_stop || worker_reopen)
				continue;
			if (++failures > 100) {
				log_warnx("%s: accept keeps failing (%d)",
				    __func__, rc);
				break;
			}
			continue;
		}
		failures = 0;
		drained = worker_handle(&app, &fr, handle, &after);
		worker_close_at_once(&fr, unix_socket, drained);
		FCGX_Finish_r(&fr);
		/* the client has its answer; now the work it queued (async
		 * validation), so no daemon is needed on shared hosting */
		if (after.arg != NULL && after_hook != NULL)
			after_hook(&app, after.arg);
		if (after.arg != NULL && after.arg_free != NULL)
			after.arg_free(after.arg);
		/* whatever held slot a path forgot goes back now: a slot
		 * kept would shrink the host's caps until this worker ends */
		work_held_release(&app);
	}
	FCGX_Free(&fr, 0);
	app_free(&app);
	return 0;
}
