/*
 * mxcep: logging to stderr, one line per event:
 *   2026-05-04T17:03:09.123Z prog[pid] LEVEL [req=ID] message[: strerror]
 * (the time is RFC 3339, UTC, in milliseconds). Every message is escaped
 * as a whole once formatted (log_escape_line), so no value, from a
 * request or from Banxico, can break a line or forge another; log_escape()
 * remains for values a caller also cuts to a size. With log_file set, stderr itself (fd 2)
 * is that file, so whatever else writes to stderr (sanitizers, libraries)
 * lands there too; log_open() opens it again after a rotation.
 * The log state is one of the three allowed globals (see STYLE.md 8).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/util.h"

static struct {
	char		 prog[32];
	int		 pid;		/* this process's, kept fresh across
					   fork() by log_after_fork; 0 before
					   the first line or log_init */
	enum log_level	 level;
	char		 req[72];
	int		 saved_stderr;	/* the original fd 2 once a log_file
					   replaced it, else -1 */
} log_state = { "mxcep", 0, LOG_LEVEL_INFO, "", -1 };

static const char *const log_names[LOG_LEVEL__MAX] = {
	"ERR", "WARN", "INFO", "DEBUG"
};

/* in every child of fork(): its own pid on its lines */
static void
log_after_fork(void)
{
	log_state.pid = (int)getpid();
}

/* the pid of a line: cached, so a line costs no getpid(2); the first
 * call (log_init, or the first line of a program that logs before it)
 * has fork() refresh it in every child */
static int
log_pid(void)
{
	if (log_state.pid == 0) {
		if (pthread_atfork(NULL, NULL, log_after_fork) != 0)
			return (int)getpid();	/* not cached: always right */
		log_state.pid = (int)getpid();
	}
	return log_state.pid;
}

void
log_init(const char *progname, enum log_level level)
{
	(void)log_pid();
	snprintf(log_state.prog, sizeof(log_state.prog), "%s", progname);
	log_state.level = level;
	setvbuf(stderr, NULL, _IOLBF, 0);
}

int
log_open(const char *path)
{
	int	 fd;

	if (path == NULL || path[0] == '\0') {
		/* back to the stderr we were started with */
		if (log_state.saved_stderr != -1) {
			dup2(log_state.saved_stderr, STDERR_FILENO);
			close(log_state.saved_stderr);
			log_state.saved_stderr = -1;
		}
		return 0;
	}
	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0640)) == -1) {
		log_warn("log_file %s", path);
		return -1;
	}
	fflush(stderr);
	if (log_state.saved_stderr == -1)
		log_state.saved_stderr = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC,
		    3);
	if (dup2(fd, STDERR_FILENO) == -1) {
		log_warn("log_file %s: dup2", path);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

void
log_set_level(enum log_level level)
{
	log_state.level = level;
}

int
log_level_parse(const char *s, enum log_level *out)
{
	static const char *const names[LOG_LEVEL__MAX] = {
		"err", "warn", "info", "debug"
	};
	int	 i;

	for (i = 0; i < LOG_LEVEL__MAX; i++)
		if (strcmp(s, names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	return -1;
}

void
log_set_request_id(const char *id)
{
	if (id == NULL)
		log_state.req[0] = '\0';
	else
		log_escape(log_state.req, sizeof(log_state.req), id);
}

int
log_debug_enabled(void)
{
	return log_state.level >= LOG_LEVEL_DEBUG;
}

int
log_info_enabled(void)
{
	return log_state.level >= LOG_LEVEL_INFO;
}

char *
log_escape(char *dst, size_t n, const char *src)
{
	size_t	 o = 0;
	unsigned char c;

	if (n == 0)
		return dst;
	for (; src != NULL && *src != '\0' && o + 1 < n; src++) {
		c = (unsigned char)*src;
		if (c == '\n' || c == '\t' || c == '\r') {
			if (o + 2 >= n)
				break;
			dst[o++] = '\\';
			dst[o++] = c == '\n' ? 'n' : c == '\t' ? 't' : 'r';
		} else if (c < 0x20 || c == 0x7f)
			dst[o++] = '?';
		else
			dst[o++] = (char)c;
	}
	dst[o] = '\0';
	return dst;
}

/* The formatted message src as one line into dst (size n): LF, CR and
 * TAB as \n \r \t, every other control byte (C0, DEL) as \xHH; cut
 * on an escape's boundary when dst is full. */
static void
log_escape_line(char *dst, size_t n, const char *src)
{
	static const char	 hex[] = "0123456789abcdef";
	size_t			 o = 0;
	unsigned char		 c;

	for (; *src != '\0'; src++) {
		c = (unsigned char)*src;
		if (c >= 0x20 && c != 0x7f) {
			if (o + 1 >= n)
				break;
			dst[o++] = (char)c;
		} else if (c == '\n' || c == '\r' || c == '\t') {
			if (o + 2 >= n)
				break;
			dst[o++] = '\\';
			dst[o++] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
		} else {
			if (o + 4 >= n)
				break;
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[c >> 4];
			dst[o++] = hex[c & 15];
		}
	}
	dst[o] = '\0';
}

char *
log_timestamp(char *buf, size_t n)
{
	struct timespec	 ts;
	struct tm	 tm;
	char		 sec[32];

	if (clock_gettime(CLOCK_REALTIME, &ts) == -1 ||
	    gmtime_r(&ts.tv_sec, &tm) == NULL ||
	    strftime(sec, sizeof(sec), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		snprintf(sec, sizeof(sec), "1970-01-01T00:00:00");
	snprintf(buf, n, "%s.%03ldZ", sec, (long)(ts.tv_nsec / 1000000));
	return buf;
}

static void
log_vemit(enum log_level level, int with_errno, const char *fmt, va_list ap)
{
	char	 raw[2048], msg[4 * sizeof(raw)], ts[40];
	int	 saved = errno;

	if (level > log_state.level)
		return;
	vsnprintf(raw, sizeof(raw), fmt, ap);
	log_escape_line(msg, sizeof(msg), raw);
	log_timestamp(ts, sizeof(ts));
	if (log_state.req[0] != '\0')
		fprintf(stderr, "%s %s[%d] %s req=%s %s%s%s\n", ts,
		    log_state.prog, log_pid(), log_names[level],
		    log_state.req, msg, with_errno ? ": " : "",
		    with_errno ? strerror(saved) : "");
	else
		fprintf(stderr, "%s %s[%d] %s %s%s%s\n", ts, log_state.prog,
		    log_pid(), log_names[level], msg,
		    with_errno ? ": " : "", with_errno ? strerror(saved) : "");
	errno = saved;
}

void
log_warn(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vemit(LOG_LEVEL_WARN, 1, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vemit(LOG_LEVEL_WARN, 0, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vemit(LOG_LEVEL_INFO, 0, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	 ap;

	if (log_state.level < LOG_LEVEL_DEBUG)
		return;
	va_start(ap, fmt);
	log_vemit(LOG_LEVEL_DEBUG, 0, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vemit(LOG_LEVEL_ERR, 1, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vemit(LOG_LEVEL_ERR, 0, fmt, ap);
	va_end(ap);
	exit(1);
}
