/*
 * mxcep: logging to stderr, one line per event:
 *   LEVEL [req=ID] message[: strerror]
 * Request-derived text must go through log_escape() first.
 * The log state is one of the three allowed globals (see STYLE.md 8).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

static struct {
	char		 prog[32];
	enum log_level	 level;
	char		 req[72];
} log_state = { "mxcep", LOG_LEVEL_INFO, "" };

static const char *const log_names[LOG_LEVEL__MAX] = {
	"ERR", "WARN", "INFO", "DEBUG"
};

void
log_init(const char *progname, enum log_level level)
{
	snprintf(log_state.prog, sizeof(log_state.prog), "%s", progname);
	log_state.level = level;
	setvbuf(stderr, NULL, _IOLBF, 0);
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

static void
log_vemit(enum log_level level, int with_errno, const char *fmt, va_list ap)
{
	char	 msg[2048];
	int	 saved = errno;

	if (level > log_state.level)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_state.req[0] != '\0')
		fprintf(stderr, "%s req=%s %s%s%s\n", log_names[level],
		    log_state.req, msg, with_errno ? ": " : "",
		    with_errno ? strerror(saved) : "");
	else
		fprintf(stderr, "%s %s%s%s\n", log_names[level], msg,
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
