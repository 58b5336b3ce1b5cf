/*
 * mxcep: small shared helpers: allocation, logging, configuration,
 * time, growable buffers and JSON helpers.
 * Public functions are grouped by the file that defines them.
 */
#ifndef MXCEP_UTIL_H
#define MXCEP_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define PRINTF_LIKE(f, a)	__attribute__((format(printf, f, a)))

/* xalloc.c: allocation that never returns NULL (prints and aborts) */
void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
char	*xasprintf(const char *, ...) PRINTF_LIKE(1, 2);

/* log.c: one line per event on stderr:
 * "2026-05-04T17:03:09.123Z prog[pid] LEVEL [req=ID] func: msg[: errno]" */
enum log_level {
	LOG_LEVEL_ERR = 0,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
	LOG_LEVEL__MAX
};
void	 log_init(const char *progname, enum log_level);
void	 log_set_level(enum log_level);
/* log_open: make stderr the file at path (append, created 0640), or the
 * original stderr again when path is NULL or ""; call it again to reopen
 * after a rotation. 0, or -1 (logged; stderr unchanged) */
int	 log_open(const char *path);
/* log_timestamp: now as RFC 3339 UTC with milliseconds (n >= 25) */
char	*log_timestamp(char *buf, size_t n);
int	 log_level_parse(const char *, enum log_level *);
void	 log_set_request_id(const char *);	/* NULL clears; copied */
int	 log_debug_enabled(void);
int	 log_info_enabled(void);	/* worth formatting an info line */
void	 log_warn(const char *, ...) PRINTF_LIKE(1, 2);	/* + strerror(errno) */
void	 log_warnx(const char *, ...) PRINTF_LIKE(1, 2);
void	 log_info(const char *, ...) PRINTF_LIKE(1, 2);
void	 log_debug(const char *, ...) PRINTF_LIKE(1, 2);
void	 fatal(const char *, ...) PRINTF_LIKE(1, 2) __attribute__((noreturn));
void	 fatalx(const char *, ...) PRINTF_LIKE(1, 2) __attribute__((noreturn));
/* Every log_* message is escaped whole once formatted (control bytes as
 * \n \r \t \xHH): a value cannot break or forge a line. log_escape:
 * copy src into dst (size n), escaping control bytes; returns dst */
char	*log_escape(char *dst, size_t n, const char *src);

/* config.c: one key table; file first, then MXCEP_<KEY> environment */
struct config {
	char	*path;			/* file read, or NULL when none */
	/* process model */
	char	*listen;		/* "" = socket on fd 0; "unix:/p", "host:port" */
	char	*listen_mode;		/* octal permissions of a unix socket */
	int	 workers;		/* preforked workers, 1..256 */
	int	 workers_explicit;	/* 1 when set by the file or environment */
	int	 max_requests;		/* requests before a worker is recycled; 0 = never */
	int	 shutdown_timeout;	/* seconds a worker may take to finish on SIGTERM */
	int	 write_timeout;		/* seconds a write to the web server may
					   make no progress: then the response
					   is abandoned */
	char	*lock_dir;		/* host-wide slots (slot.c); "" = no caps */
	int	 export_max_per_account;	/* exports at once per account */
	int	 export_max_concurrent;	/* exports at once on the host;
					   0 = workers - 1, at least 1 */
	enum log_level log_level;
	char	*log_file;		/* "" = stderr; reopened on SIGUSR1/SIGHUP */
	/* MariaDB */
	char	*db_host;		/* host name, or "" to use db_socket */
	int	 db_port;
	char	*db_socket;		/* unix socket path, "" = library default */
	char	*db_user;
	char	*db_password;		/* secret: never logged */
	char	*db_name;
	int	 db_connect_timeout;	/* seconds */
	int	 db_read_timeout;	/* seconds, also used for writes */
	char	*sql_dir;		/* folder of numbered migrations */
	/* memcached */
	char	*memcached_servers;	/* "host:port,..." or "/path.sock"; "" = off */
	int	 memcached_timeout_ms;
	/* HTTP limits */
	long	 max_body_bytes;
	int	 max_json_depth;
	int	 auth_cache_ttl;	/* seconds a verified key is trusted per worker */
	int	 auth_negative_ttl;	/* seconds an unknown key is remembered per worker */
	int	 auth_fail_limit;	/* unknown keys per client address and window
					   per worker before 429; 0 = no limit */
	int	 auth_fail_window;	/* seconds of that window */
	char	*public_url;		/* base for links, "" = from the request */
	char	*operator_accounts;	/* account ids whose admin keys see every
					   account (admin views), comma-separated */
	int	 list_locate_rows;	/* a list page this many rows deep is
					   located through the tallies; 0 = never */
	/* Banxico */
	char	*banxico_url;
	int	 banxico_connect_timeout_ms;
	int	 banxico_timeout_ms;
	int	 banxico_max_rps;	/* queries per second, all processes together */
	int	 banxico_backoff_seconds;	/* pause after Banxico throttles us */
	/* the queue */
	int	 queue_expiry_seconds;	/* a queued validation fails after this */
	int	 job_max_attempts;	/* runs of a job before it ends `error` */
	int	 banxico_max_concurrent;	/* Banxico-bound requests and
					   after-response jobs at once on the
					   host; 0 = workers - 1 (at least 1) */
	int	 poll_after_seconds;	/* Retry-After while queued/processing */
	/* files */
	char	*storage_dir;		/* receipt images (image_path is relative
					   to it); "" = no image storage */
	/* retries */
	int	 max_retries_cap;	/* ceiling of retry_policy.max_retries
					   over every plan; 0 = retries off */
};
int	 config_load(struct config *, const char *path, int path_required);
void	 config_free(struct config *);
/* config_dump: print every key (secrets masked) to stdout */
void	 config_dump(const struct config *);
const char *config_default_path(void);
/* config_validate: every value well-formed (config_load calls it);
 * 0, or -1 with the reason in err */
int	 config_validate(const struct config *, char *err, size_t errlen);
/* config_listen_mode: the octal listen_mode ("0660"); 0, or -1 */
int	 config_listen_mode(const char *, unsigned int *mode);

/* clock.c: the one source of "now" for the whole service */
time_t	 clock_now(void);		/* honours clock_set_now() */
int64_t	 clock_now_ms(void);		/* the same in ms since the epoch */
void	 clock_set_now(time_t);		/* 0 = real time again */
double	 clock_monotonic(void);		/* seconds, for durations */
/* format t as "YYYY-MM-DDTHH:MM:SSZ" into buf (>= 21 bytes) */
char	*clock_rfc3339(time_t, char *buf, size_t n);
int	 clock_parse_rfc3339(const char *, time_t *);
/* t as whole days since 1970-01-01 (returned) and *secs into that day,
 * 0..86399, UTC; before 1970 the day is the one t falls in (floored) */
int64_t	 clock_day_split(time_t, int64_t *secs);

/* buf.c: growable byte buffer */
struct buf {
	char	*data;			/* NUL-terminated, NULL until first append */
	size_t	 len;
	size_t	 cap;
};
void	 buf_init(struct buf *);
void	 buf_free(struct buf *);		/* releases data, leaves an empty buf */
void	 buf_reset(struct buf *);
void	 buf_append(struct buf *, const void *, size_t);
void	 buf_puts(struct buf *, const char *);
void	 buf_printf(struct buf *, const char *, ...) PRINTF_LIKE(2, 3);

/* slot.c: host-wide slots (flock on files in a folder; a dead holder's
 * slot is free at once) */
#define SLOT_FULL	(-1)	/* all max slots of name are held */
#define SLOT_ERROR	(-2)	/* the folder is unusable: errno says why */
/* slot_take: hold one of the max slots of name in dir; a descriptor
 * (give it to slot_release), SLOT_FULL or SLOT_ERROR */
int	 slot_take(const char *dir, const char *name, int max);
void	 slot_release(int fd);		/* -1 and the errors: nothing */

/* file.c: file_write_atomic writes data to root/rel through a synced
 * temporary file and a rename (then the folder synced), making the
 * folders of rel; rel must be relative and may not hold "." or ".."
 * components (EINVAL). 0, or -1 with errno. */
int	 file_write_atomic(const char *root, const char *rel, const void *,
	    size_t);

/* str.c: string predicates */
/* 1 when s is min..max ASCII digits (no sign, no blanks), else 0; NULL
 * is 0 */
int	 str_is_digits(const char *s, size_t min, size_t max);
/* the length of the UTF-8 character at s (n > 0 bytes left) with its
 * code point in *cp; 0 when the bytes there are not valid UTF-8
 * (stray or missing continuation, overlong, surrogate, > U+10FFFF) */
size_t	 str_utf8_char(const unsigned char *s, size_t n, unsigned long *cp);

/* json.c: jansson helpers (util.h names jansson's json_t as a struct so
 * it need not include jansson.h) */
struct json_t;
/* a new reference: the string s (copied), or JSON null when s is NULL */
struct json_t	*json_str_or_null(const char *s);

/* utf8.c: text from outside as well-formed UTF-8 */
/* UTF-8, strictly (RFC 3629): the length (1..4) of the well-formed
 * character at s (n bytes left), or 0 for a byte that starts none (a
 * stray continuation, an overlong form, a surrogate, above U+10FFFF, a
 * sequence cut short) */
size_t	 utf8_char_len(const unsigned char *s, size_t n);
/* utf8_copy: text from outside into dst (size bytes, NUL included):
 * src (len bytes, or up to its NUL) cut on a character boundary to fit
 * and to at most max_chars characters (0 = no limit), each byte that
 * starts no well-formed character replaced by U+FFFD. Returns the bytes
 * written (NUL excluded). */
size_t	 utf8_copy(char *dst, size_t size, const char *src, size_t len,
	    size_t max_chars);
/* utf8_repair: a new string, s (len bytes) with U+FFFD for each byte
 * that starts no well-formed character */
char	*utf8_repair(const char *s, size_t len);

#endif /* MXCEP_UTIL_H */
