/*
 * mxcep: the master process. Binds (or inherits on fd 0) the listening
 * socket, preforks the workers and keeps their number: a worker that
 * dies or is recycled is replaced; SIGHUP re-reads the config and
 * replaces every worker gracefully; SIGUSR1 reopens log_file (after a
 * rotation) here and in every worker, as SIGHUP does; SIGTERM/SIGINT stop
 * the workers gracefully (SIGKILL after shutdown_timeout) and exit.
 * Workers that cannot start (MASTER_NOSTART_MAX in a row, none staying
 * up) stop the master with a non-zero exit instead of a crash loop.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fcgi/fcgi.h"

#define MASTER_MAX_PROCS	512	/* active plus retiring workers */
#define MASTER_RESPAWN_DELAY	1.0	/* s after a worker died young */
#define MASTER_NOSTART_MAX	5	/* workers in a row that could not
					   start: then the master gives up */

struct worker_slot {
	pid_t		 pid;		/* 0 = free slot */
	int		 retiring;	/* sent SIGTERM, not replaced */
	double		 started;	/* clock_monotonic() */
};

struct master {
	struct config		*cfg;		/* owned, swapped on SIGHUP */
	const char		*config_path;	/* NULL = default */
	int			 listen_fd;
	handler_fn		 handle;	/* what workers answer with */
	after_fn		 after;
	struct worker_slot	 slots[MASTER_MAX_PROCS];
	double			 hold_until;	/* no spawning before */
	int			 nostart;	/* workers in a row that could not
						   start (or died young) */
};

/*
 * Whether something answers on the unix socket at path: 1 yes (a live
 * server: leave it alone), 0 no (no file, or a stale socket file nothing
 * listens on: safe to replace), -1 a file that is not a socket or that
 * cannot be probed (logged).
 */
static int
master_unix_in_use(const struct sockaddr_un *sun)
{
	struct stat	 st;
	int		 fd, rc;

	if (lstat(sun->sun_path, &st) == -1) {
		if (errno == ENOENT)
			return 0;
		log_warn("%s: %s", __func__, sun->sun_path);
		return -1;
	}
	if (!S_ISSOCK(st.st_mode)) {
		log_warnx("%s: %s exists and is not a socket: not replacing "
		    "it", __func__, sun->sun_path);
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		log_warn("%s: socket", __func__);
		return -1;
	}
	if (connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0)
		rc = 1;
	else if (errno == ECONNREFUSED || errno == ENOENT)
		rc = 0;		/* stale: nobody listens */
	else if (errno == EAGAIN)
		rc = 1;		/* a full backlog: alive and busy */
	else {
		log_warn("%s: connect %s", __func__, sun->sun_path);
		rc = -1;
	}
	close(fd);
	return rc;
}

static int
master_listen_unix(const char *path, unsigned int mode)
{
	struct sockaddr_un	 sun;
	int			 fd, used;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		log_warnx("%s: socket path too long: %s", __func__, path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	/* Replacing a live socket would cut its server off silently: only a
	 * stale one (nothing answers) is unlinked. */
	if ((used = master_unix_in_use(&sun)) != 0) {
		if (used == 1)
			log_warnx("%s: something already answers on %s (another "
			    "mxcep-fcgi?): refusing to replace its socket; stop "
			    "it first or choose another listen", __func__, path);
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1) {
		log_warn("%s: socket", __func__);
		return -1;
	}
	if (unlink(path) == -1 && errno != ENOENT)
		log_warn("%s: unlink %s", __func__, path);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		log_warn("%s: bind %s", __func__, path);
		close(fd);
		return -1;
	}
	/* the web server's user must be able to connect: listen_mode */
	if (chmod(path, (mode_t)mode) == -1)
		log_warn("%s: chmod %s", __func__, path);
	return fd;
}

static int
master_listen_tcp(const char *spec)
{
	struct addrinfo	 hints, *res = NULL, *ai;
	char		 host[256];
	const char	*colon = strrchr(spec, ':');
	int		 fd = -1, on = 1, rc;

	if (colon == NULL || (size_t)(colon - spec) >= sizeof(host)) {
		log_warnx("%s: expected HOST:PORT, got %s", __func__, spec);
		return -1;
	}
	memcpy(host, spec, (size_t)(colon - spec));
	host[colon - spec] = '\0';
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = '\0';
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	if ((rc = getaddrinfo(host[0] ? host : NULL, colon + 1, &hints,
	    &res)) != 0) {
		log_warnx("%s: %s: %s", __func__, spec, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if ((fd = socket(ai->ai_family, ai->ai_socktype,
		    ai->ai_protocol)) == -1)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		if (errno == EADDRINUSE)
			log_warnx("%s: %s is already in use (another "
			    "mxcep-fcgi?): stop it first or choose another "
			    "listen", __func__, spec);
		else
			log_warn("%s: bind %s", __func__, spec);
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

int
master_listen(const char *spec, unsigned int mode)
{
	int	 fd;

	if (strncmp(spec, "unix:", 5) == 0)
		fd = master_listen_unix(spec + 5, mode);
	else if (spec[0] == '/')
		fd = master_listen_unix(spec, mode);
	else
		fd = master_listen_tcp(spec);
	if (fd == -1)
		return -1;
	if (listen(fd, 1024) == -1) {
		log_warn("%s: listen %s", __func__, spec);
		close(fd);
		return -1;
	}
	return fd;
}

static size_t
master_active(const struct master *m)
{
	size_t	 i, n = 0;

	for (i = 0; i < MASTER_MAX_PROCS; i++)
		if (m->slots[i].pid > 0 && !m->slots[i].retiring)
			n++;
	return n;
}

static size_t
master_alive(const struct master *m)
{
	size_t	 i, n = 0;

	for (i = 0; i < MASTER_MAX_PROCS; i++)
		if (m->slots[i].pid > 0)
			n++;
	return n;
}

static void
master_spawn(struct master *m)
{
	struct worker_slot	*s = NULL;
	pid_t			 pid;
	size_t			 i;

	for (i = 0; i < MASTER_MAX_PROCS && s == NULL; i++)
		if (m->slots[i].pid == 0)
			s = &m->slots[i];
	if (s == NULL)
		return;
	fflush(NULL);	/* nothing buffered may be written twice */
	if ((pid = fork()) == -1) {
		log_warn("%s: fork", __func__);
		m->hold_until = clock_monotonic() + MASTER_RESPAWN_DELAY;
		return;
	}
	if (pid == 0) {
		/* The master's signals stay blocked until worker_run has
		 * its handlers (a SIGUSR1 now must not kill it). exit(),
		 * not _exit(): LeakSanitizer checks at exit. */
		exit(worker_run(m->cfg, m->listen_fd, m->handle, m->after));
	}
	s->pid = pid;
	s->retiring = 0;
	s->started = clock_monotonic();
	log_debug("worker %d started", (int)pid);
}

static void
master_reap(struct master *m)
{
	pid_t	 pid;
	int	 status, failed, young;
	size_t	 i;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (i = 0; i < MASTER_MAX_PROCS; i++) {
			if (m->slots[i].pid != pid)
				continue;
			failed = WIFSIGNALED(status) ||
			    WEXITSTATUS(status) != 0;
			young = clock_monotonic() - m->slots[i].started <
			    MASTER_RESPAWN_DELAY;
			if (WIFSIGNALED(status))
				log_warnx("worker %d killed by signal %d",
				    (int)pid, WTERMSIG(status));
			else if (WEXITSTATUS(status) == WORKER_EXIT_NOSTART)
				log_warnx("worker %d could not start (its "
				    "reason is logged above)", (int)pid);
			else if (WEXITSTATUS(status) != 0)
				log_warnx("worker %d exited with status %d",
				    (int)pid, WEXITSTATUS(status));
			if (!m->slots[i].retiring && failed && young)
				m->hold_until = clock_monotonic() +
				    MASTER_RESPAWN_DELAY;
			if (!m->slots[i].retiring && ((failed && young) ||
			    (!WIFSIGNALED(status) &&
			    WEXITSTATUS(status) == WORKER_EXIT_NOSTART)))
				m->nostart++;
			else if (!failed)
				m->nostart = 0;
			m->slots[i].pid = 0;
			break;
		}
	}
}

/* A worker that stayed up past the respawn delay started: the count of
 * workers that could not start begins again. */
static void
master_note_started(struct master *m)
{
	size_t	 i;

	for (i = 0; i < MASTER_MAX_PROCS; i++)
		if (m->slots[i].pid > 0 && !m->slots[i].retiring &&
		    clock_monotonic() - m->slots[i].started >=
		    MASTER_RESPAWN_DELAY)
			m->nostart = 0;
}

static void
master_signal_all(struct master *m, int sig, int retire)
{
	size_t	 i;

	for (i = 0; i < MASTER_MAX_PROCS; i++)
		if (m->slots[i].pid > 0) {
			if (retire)
				m->slots[i].retiring = 1;
			kill(m->slots[i].pid, sig);
		}
}

/* Retires workers beyond the configured number (after a SIGHUP). */
static void
master_trim(struct master *m)
{
	size_t	 i, active = master_active(m);

	for (i = 0; i < MASTER_MAX_PROCS && active > (size_t)m->cfg->workers;
	    i++)
		if (m->slots[i].pid > 0 && !m->slots[i].retiring) {
			m->slots[i].retiring = 1;
			kill(m->slots[i].pid, SIGTERM);
			active--;
		}
}

static void
master_reload(struct master *m)
{
	struct config	*fresh = xcalloc(1, sizeof(*fresh));

	if (config_load(fresh, m->config_path, m->config_path != NULL) == -1) {
		log_warnx("SIGHUP: config not reloaded, keeping the old one");
		free(fresh);
		return;
	}
	if (strcmp(fresh->listen, m->cfg->listen) != 0)
		log_warnx("SIGHUP: a new listen address needs a restart");
	/* the new workers inherit the reopened (or new) log_file */
	if (log_open(fresh->log_file) == -1)
		log_warnx("SIGHUP: log_file %s not opened, logging where "
		    "before", fresh->log_file);
	/* Workers fork from the master and keep their own copy; the old
	 * config may be freed once every worker of it has been told to go. */
	master_signal_all(m, SIGTERM, 1);
	config_free(m->cfg);
	free(m->cfg);
	m->cfg = fresh;
	log_set_level(fresh->log_level);
	log_info("SIGHUP: config re-read, replacing %zu workers",
	    master_alive(m));
}

/* Stops every worker: SIGTERM now and every 0.5 s, SIGKILL at the end. */
static void
master_shutdown(struct master *m)
{
	struct timespec	 ts = { 0, 100 * 1000 * 1000 };
	double		 deadline, next_term;

	log_info("stopping %zu workers", master_alive(m));
	deadline = clock_monotonic() + m->cfg->shutdown_timeout;
	next_term = 0;
	while (master_alive(m) > 0) {
		if (clock_monotonic() >= deadline) {
			log_warnx("workers still busy after %d s: killing",
			    m->cfg->shutdown_timeout);
			master_signal_all(m, SIGKILL, 1);
			deadline = clock_monotonic() + 5;
		} else if (clock_monotonic() >= next_term) {
			master_signal_all(m, SIGTERM, 1);
			next_term = clock_monotonic() + 0.5;
		}
		nanosleep(&ts, NULL);
		master_reap(m);
	}
}

static int
master_write_pid(const char *path)
{
	FILE	*f;

	if (path == NULL)
		return 0;
	if ((f = fopen(path, "w")) == NULL) {
		log_warn("%s: %s", __func__, path);
		return -1;
	}
	fprintf(f, "%d\n", (int)getpid());
	fclose(f);
	return 0;
}

/*
 * Keeps cfg->workers workers alive and answers the signals, until
 * SIGTERM/SIGINT (0) or too many workers in a row could not start (-1).
 */
static int
master_loop(struct master *m)
{
	struct timespec	 ts;
	siginfo_t	 si;
	sigset_t	 set;
	int		 sig, stop = 0, rc = 0;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	log_info("master %d: %d workers, max_requests %d", (int)getpid(),
	    m->cfg->workers, m->cfg->max_requests);

	while (!stop) {
		master_reap(m);
		master_note_started(m);
		if (m->nostart >= MASTER_NOSTART_MAX) {
			log_warnx("master %d: %d workers in a row could not "
			    "start (the reason is logged above): giving up",
			    (int)getpid(), m->nostart);
			rc = -1;
			break;
		}
		master_trim(m);
		while (master_active(m) < (size_t)m->cfg->workers &&
		    clock_monotonic() >= m->hold_until)
			master_spawn(m);
		ts.tv_sec = 0;
		ts.tv_nsec = 250 * 1000 * 1000;
		sig = sigtimedwait(&set, &si, &ts);
		switch (sig) {
		case SIGTERM:
		case SIGINT:
			stop = 1;
			break;
		case SIGHUP:
			master_reload(m);
			break;
		case SIGUSR1:	/* logrotate moved log_file away */
			if (m->cfg->log_file[0] != '\0' &&
			    log_open(m->cfg->log_file) == 0)
				log_info("SIGUSR1: log_file reopened");
			master_signal_all(m, SIGUSR1, 0);
			break;
		default:	/* SIGCHLD, timeout: reap at the loop top */
			break;
		}
	}
	return rc;
}

int
master_run(struct config *cfg, const char *config_path, int listen_fd,
    int is_own_socket, const char *pid_file, handler_fn handle,
    after_fn after)
{
	struct master	*m = xcalloc(1, sizeof(*m));
	int		 rc;
	char		*sock = NULL;

	m->cfg = cfg;
	m->config_path = config_path;
	m->listen_fd = listen_fd;
	m->handle = handle;
	m->after = after;
	if (is_own_socket)
		sock = xstrdup(cfg->listen);
	if (master_write_pid(pid_file) == -1) {
		free(sock);
		config_free(cfg);
		free(cfg);
		free(m);
		return -1;
	}
	rc = master_loop(m);
	/* No new connections from here on (the web server sees the
	 * backend gone); workers drain what is already queued. */
	if (sock != NULL) {
		if (strncmp(sock, "unix:", 5) == 0)
			unlink(sock + 5);
		else if (sock[0] == '/')
			unlink(sock);
	}
	master_shutdown(m);
	if (pid_file != NULL)
		unlink(pid_file);
	log_info("master %d: stopped", (int)getpid());
	free(sock);
	config_free(m->cfg);
	free(m->cfg);
	free(m);
	return rc;
}
