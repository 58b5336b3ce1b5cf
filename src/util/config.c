/*
 * mxcep: configuration. One key table drives parsing, bounds checks,
 * defaults, environment overrides (MXCEP_<KEY>) and the dump. The
 * struct is filled once and read-only afterwards.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/util.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/usr/local/etc"
#endif
#ifndef PKGDATADIR
#define PKGDATADIR "/usr/local/share/mxcep"
#endif

enum config_type {
	CONFIG_STR,
	CONFIG_INT,
	CONFIG_LONG,
	CONFIG_LEVEL,
};

struct config_key {
	const char	*name;
	enum config_type type;
	long		 min, max;	/* numbers only */
	size_t		 offset;
	const char	*def;
	int		 secret;	/* masked in dumps */
};

#define K(n, t, lo, hi, d, s) \
	{ #n, t, lo, hi, offsetof(struct config, n), d, s }

static const struct config_key config_keys[] = {
	K(listen, CONFIG_STR, 0, 0, "", 0),
	K(listen_mode, CONFIG_STR, 0, 0, "0660", 0),
	K(workers, CONFIG_INT, 1, 256, "4", 0),
	K(max_requests, CONFIG_INT, 0, INT_MAX, "10000", 0),
	K(shutdown_timeout, CONFIG_INT, 1, 3600, "30", 0),
	K(write_timeout, CONFIG_INT, 1, 3600, "30", 0),
	K(lock_dir, CONFIG_STR, 0, 0, "/run/mxcep", 0),
	K(export_max_per_account, CONFIG_INT, 1, 256, "1", 0),
	K(export_max_concurrent, CONFIG_INT, 0, 256, "0", 0),
	K(log_level, CONFIG_LEVEL, 0, 0, "info", 0),
	K(log_file, CONFIG_STR, 0, 0, "", 0),
	K(db_host, CONFIG_STR, 0, 0, "", 0),
	K(db_port, CONFIG_INT, 1, 65535, "3306", 0),
	K(db_socket, CONFIG_STR, 0, 0, "", 0),
	K(db_user, CONFIG_STR, 0, 0, "mxcep", 0),
	K(db_password, CONFIG_STR, 0, 0, "", 1),
	K(db_name, CONFIG_STR, 0, 0, "mxcep", 0),
	K(db_connect_timeout, CONFIG_INT, 1, 60, "2", 0),
	K(db_read_timeout, CONFIG_INT, 1, 600, "5", 0),
	K(sql_dir, CONFIG_STR, 0, 0, PKGDATADIR "/sql", 0),
	K(memcached_servers, CONFIG_STR, 0, 0, "", 0),
	K(memcached_timeout_ms, CONFIG_INT, 1, 10000, "100", 0),
	K(max_body_bytes, CONFIG_LONG, 1024, 1L << 30, "1048576", 0),
	K(max_json_depth, CONFIG_INT, 2, 1000, "32", 0),
	K(auth_cache_ttl, CONFIG_INT, 0, 3600, "30", 0),
	K(auth_negative_ttl, CONFIG_INT, 0, 3600, "10", 0),
	K(auth_fail_limit, CONFIG_INT, 0, 1000000, "20", 0),
	K(auth_fail_window, CONFIG_INT, 1, 86400, "60", 0),
	K(public_url, CONFIG_STR, 0, 0, "", 0),
	K(operator_accounts, CONFIG_STR, 0, 0, "", 0),
	K(list_locate_rows, CONFIG_INT, 0, INT_MAX, "1000", 0),
	K(banxico_url, CONFIG_STR, 0, 0, "https://www.banxico.org.mx/cep/", 0),
	K(banxico_connect_timeout_ms, CONFIG_INT, 100, 60000, "3000", 0),
	K(banxico_timeout_ms, CONFIG_INT, 100, 600000, "20000", 0),
	K(banxico_max_rps, CONFIG_INT, 1, 10000, "5", 0),
	K(banxico_backoff_seconds, CONFIG_INT, 1, 86400, "300", 0),
	K(queue_expiry_seconds, CONFIG_INT, 60, 604800, "3600", 0),
	K(job_max_attempts, CONFIG_INT, 1, 100, "5", 0),
	K(banxico_max_concurrent, CONFIG_INT, 0, 256, "0", 0),
	K(poll_after_seconds, CONFIG_INT, 1, 3600, "2", 0),
	K(storage_dir, CONFIG_STR, 0, 0, "", 0),
	K(max_retries_cap, CONFIG_INT, 0, 100, "5", 0),
};

#define CONFIG_NKEYS	(sizeof(config_keys) / sizeof(config_keys[0]))

const char *
config_default_path(void)
{
	return SYSCONFDIR "/mxcep/mxcep.conf";
}

static const struct config_key *
config_key_find(const char *name)
{
	size_t	 i;

	for (i = 0; i < CONFIG_NKEYS; i++)
		if (strcmp(config_keys[i].name, name) == 0)
			return &config_keys[i];
	return NULL;
}

/* 1 when s has a control byte (a value must fit on one config line) */
static int
config_has_control(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

/* 1 when s is a decimal TCP port 1..65535 */
static int
config_is_port(const char *s, size_t n)
{
	long	 v = 0;
	size_t	 i;

	if (n == 0 || n > 5)
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	return v >= 1 && v <= 65535;
}

/*
 * Length of the host at the start of s: a name or IPv4 address
 * (letters, digits, '.', '-', '_'), or an IPv6 address in brackets.
 * 0 when there is none.
 */
static size_t
config_host_len(const char *s)
{
	size_t	 n = 0;

	if (s[0] == '[') {
		for (n = 1; isxdigit((unsigned char)s[n]) || s[n] == ':' ||
		    s[n] == '.'; n++)
			;
		return s[n] == ']' && n > 1 ? n + 1 : 0;
	}
	while (isalnum((unsigned char)s[n]) || s[n] == '.' || s[n] == '-' ||
	    s[n] == '_')
		n++;
	return n;
}

/* HOST[:PORT] (port optional) or HOST:PORT (port_required); host may be
 * empty only when empty_host */
static int
config_is_host_port(const char *s, int port_required, int empty_host)
{
	size_t	 h = config_host_len(s);

	if (h == 0 && !empty_host)
		return 0;
	if (s[h] == '\0')
		return !port_required;
	return s[h] == ':' && config_is_port(s + h + 1, strlen(s + h + 1));
}

/* an absolute path that fits a unix socket address (sun_path: 108) */
static int
config_is_socket_path(const char *s)
{
	return s[0] == '/' && strlen(s) < 108;
}

/*
 * An http:// or https:// URL with a host, an optional port and an
 * optional path; no user, no spaces; with no_query, no '?' or '#'.
 */
static int
config_is_http_url(const char *s, int no_query)
{
	const char	*p;
	size_t		 h;

	if (strncasecmp(s, "http://", 7) == 0)
		p = s + 7;
	else if (strncasecmp(s, "https://", 8) == 0)
		p = s + 8;
	else
		return 0;
	if ((h = config_host_len(p)) == 0)
		return 0;
	p += h;
	if (*p == ':') {
		h = strcspn(p + 1, "/");
		if (!config_is_port(p + 1, h))
			return 0;
		p += 1 + h;
	}
	if (*p != '\0' && *p != '/')
		return 0;
	if (strpbrk(p, " \"<>\\^`{|}") != NULL)
		return 0;
	return !no_query || strpbrk(p, "?#") == NULL;
}

/* 1 when s is a UUID: 8-4-4-4-12 hex digits */
static int
config_is_uuid(const char *s, size_t n)
{
	size_t	 i;

	if (n != 36)
		return 0;
	for (i = 0; i < n; i++)
		if (i == 8 || i == 13 || i == 18 || i == 23 ?
		    s[i] != '-' : !isxdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* every item of a list separated by commas and/or spaces passes ok() */
static int
config_list_ok(const char *s, int (*ok)(const char *, size_t))
{
	char	 item[256];
	size_t	 n;

	for (;;) {
		s += strspn(s, ", ");
		if (*s == '\0')
			return 1;
		n = strcspn(s, ", ");
		if (n >= sizeof(item))
			return 0;
		memcpy(item, s, n);
		item[n] = '\0';
		if (!ok(item, n))
			return 0;
		s += n;
	}
}

static int
config_is_memcached_server(const char *s, size_t n)
{
	(void)n;
	return s[0] == '/' ? config_is_socket_path(s) :
	    config_is_host_port(s, 0, 0);
}

int
config_listen_mode(const char *s, unsigned int *mode)
{
	unsigned int	 v = 0;
	size_t		 i, n = strlen(s);

	if (n == 0 || n > 4)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '7')
			return -1;
		v = v * 8 + (unsigned int)(s[i] - '0');
	}
	if (v > 0777)
		return -1;
	*mode = v;
	return 0;
}

/* no control characters in a (non-secret) text value; 0, or -1 */
static int
config_validate_text(const struct config *c, char *err, size_t errlen)
{
	size_t	 i;

	for (i = 0; i < CONFIG_NKEYS; i++)
		if (config_keys[i].type == CONFIG_STR && !config_keys[i].secret &&
		    config_has_control(*(char *const *)((const char *)c +
		    config_keys[i].offset))) {
			snprintf(err, errlen, "%s: control characters in the "
			    "value", config_keys[i].name);
			return -1;
		}
	return 0;
}

/* the process model and logging: listen, listen_mode, log_file,
 * lock_dir */
static int
config_validate_process(const struct config *c, char *err, size_t errlen)
{
	const char	*l = c->listen;
	unsigned int	 mode;

	if (l[0] != '\0' && !(strncmp(l, "unix:", 5) == 0 ?
	    config_is_socket_path(l + 5) : l[0] == '/' ?
	    config_is_socket_path(l) : config_is_host_port(l, 1, 1))) {
		snprintf(err, errlen, "listen: \"%s\" is not unix:/PATH (an "
		    "absolute path under 108 bytes) or HOST:PORT", l);
		return -1;
	}
	if (config_listen_mode(c->listen_mode, &mode) == -1) {
		snprintf(err, errlen, "listen_mode: \"%s\" is not an octal "
		    "mode like 0660 (at most 0777)", c->listen_mode);
		return -1;
	}
	if (c->log_file[0] != '\0' && c->log_file[0] != '/') {
		snprintf(err, errlen, "log_file: \"%s\" is not an absolute "
		    "path", c->log_file);
		return -1;
	}
	if (c->lock_dir[0] != '\0' && c->lock_dir[0] != '/') {
		snprintf(err, errlen, "lock_dir: \"%s\" is not an absolute "
		    "path", c->lock_dir);
		return -1;
	}
	return 0;
}

/* MariaDB: db_host, db_socket, db_name, sql_dir */
static int
config_validate_db(const struct config *c, char *err, size_t errlen)
{
	/* a name, an IPv4 or a bare IPv6 address; the port is db_port */
	if (c->db_host[0] != '\0' && c->db_host[strspn(c->db_host,
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	    ".-_:")] != '\0') {
		snprintf(err, errlen, "db_host: \"%s\" is not a host name or "
		    "address (the port goes in db_port)", c->db_host);
		return -1;
	}
	if (c->db_socket[0] != '\0' && !config_is_socket_path(c->db_socket)) {
		snprintf(err, errlen, "db_socket: \"%s\" is not an absolute "
		    "path under 108 bytes", c->db_socket);
		return -1;
	}
	/* db_user may be empty: the login name (unix_socket auth) */
	if (c->db_name[0] == '\0') {
		snprintf(err, errlen, "db_name: must not be empty");
		return -1;
	}
	if (c->sql_dir[0] == '\0') {
		snprintf(err, errlen, "sql_dir: must not be empty");
		return -1;
	}
	return 0;
}

/* the rest: memcached, URLs, operator accounts, storage */
static int
config_validate_services(const struct config *c, char *err, size_t errlen)
{
	if (!config_list_ok(c->memcached_servers, config_is_memcached_server)) {
		snprintf(err, errlen, "memcached_servers: \"%s\" is not a list "
		    "of HOST[:PORT] or /socket/path", c->memcached_servers);
		return -1;
	}
	if (c->public_url[0] != '\0' && !config_is_http_url(c->public_url, 1)) {
		snprintf(err, errlen, "public_url: \"%s\" is not an http:// or "
		    "https:// URL without query (e.g. https://api.example.com)",
		    c->public_url);
		return -1;
	}
	if (!config_list_ok(c->operator_accounts, config_is_uuid)) {
		snprintf(err, errlen, "operator_accounts: \"%s\" is not a "
		    "comma-separated list of account ids (UUIDs)",
		    c->operator_accounts);
		return -1;
	}
	if (!config_is_http_url(c->banxico_url, 0)) {
		snprintf(err, errlen, "banxico_url: \"%s\" is not an http:// or "
		    "https:// URL (e.g. https://www.banxico.org.mx/cep/)",
		    c->banxico_url);
		return -1;
	}
	if (c->storage_dir[0] != '\0' && c->storage_dir[0] != '/') {
		snprintf(err, errlen, "storage_dir: \"%s\" is not an absolute "
		    "path", c->storage_dir);
		return -1;
	}
	return 0;
}

/* the checks in key-table order: the first problem is the one reported */
int
config_validate(const struct config *c, char *err, size_t errlen)
{
	if (config_validate_text(c, err, errlen) == -1 ||
	    config_validate_process(c, err, errlen) == -1 ||
	    config_validate_db(c, err, errlen) == -1 ||
	    config_validate_services(c, err, errlen) == -1)
		return -1;
	return 0;
}

/*
 * Sets one key from text. Returns 0, or -1 with a message in err.
 */
static int
config_set(struct config *c, const struct config_key *k, const char *val,
    char *err, size_t errlen)
{
	char		*end = NULL, **sp;
	long		 v;
	enum log_level	 lvl;

	switch (k->type) {
	case CONFIG_STR:
		sp = (char **)((char *)c + k->offset);
		free(*sp);
		*sp = xstrdup(val);
		return 0;
	case CONFIG_LEVEL:
		if (log_level_parse(val, &lvl) == -1) {
			snprintf(err, errlen, "%s: expected err, warn, info "
			    "or debug", k->name);
			return -1;
		}
		c->log_level = lvl;
		return 0;
	case CONFIG_INT:
	case CONFIG_LONG:
		errno = 0;
		v = strtol(val, &end, 10);
		if (errno != 0 || end == val || *end != '\0') {
			snprintf(err, errlen, "%s: not a number", k->name);
			return -1;
		}
		if (v < k->min || v > k->max) {
			snprintf(err, errlen, "%s: %ld out of range %ld..%ld",
			    k->name, v, k->min, k->max);
			return -1;
		}
		if (k->type == CONFIG_INT)
			*(int *)((char *)c + k->offset) = (int)v;
		else
			*(long *)((char *)c + k->offset) = v;
		return 0;
	}
	return -1;
}

static char *
config_trim(char *s)
{
	char	*e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/*
 * Reads "key = value" lines. Values may be double-quoted.
 * Returns 0, or -1 (logged with file and line).
 */
static int
config_read_file(struct config *c, FILE *f, const char *path)
{
	char			 line[4096], err[256], *p, *eq, *key, *val;
	const struct config_key	*k;
	int			 lineno = 0;
	size_t			 vl;

	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			log_warnx("%s:%d: line too long", path, lineno);
			return -1;
		}
		p = config_trim(line);
		if (*p == '\0' || *p == '#')
			continue;
		if ((eq = strchr(p, '=')) == NULL) {
			log_warnx("%s:%d: expected key = value", path, lineno);
			return -1;
		}
		*eq = '\0';
		key = config_trim(p);
		val = config_trim(eq + 1);
		vl = strlen(val);
		if (vl >= 2 && val[0] == '"' && val[vl - 1] == '"') {
			val[vl - 1] = '\0';
			val++;
		}
		if ((k = config_key_find(key)) == NULL) {
			log_warnx("%s:%d: unknown key \"%s\"", path, lineno,
			    key);
			return -1;
		}
		if (config_set(c, k, val, err, sizeof(err)) == -1) {
			log_warnx("%s:%d: %s", path, lineno, err);
			return -1;
		}
		if (k->offset == offsetof(struct config, workers))
			c->workers_explicit = 1;
	}
	return 0;
}

static int
config_read_env(struct config *c)
{
	char	 name[96], err[256];
	const char *val;
	size_t	 i, j;

	for (i = 0; i < CONFIG_NKEYS; i++) {
		snprintf(name, sizeof(name), "MXCEP_%s", config_keys[i].name);
		for (j = 6; name[j] != '\0'; j++)
			name[j] = (char)toupper((unsigned char)name[j]);
		if ((val = getenv(name)) == NULL)
			continue;
		if (config_set(c, &config_keys[i], val, err, sizeof(err))
		    == -1) {
			log_warnx("environment %s: %s", name, err);
			return -1;
		}
		if (config_keys[i].offset == offsetof(struct config, workers))
			c->workers_explicit = 1;
	}
	return 0;
}

int
config_load(struct config *c, const char *path, int path_required)
{
	char	 err[256];
	FILE	*f = NULL;
	size_t	 i;
	int	 rc = -1;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < CONFIG_NKEYS; i++)
		if (config_set(c, &config_keys[i], config_keys[i].def, err,
		    sizeof(err)) == -1)
			fatalx("%s: bad default: %s", __func__, err);
	if (path == NULL)
		path = config_default_path();
	if ((f = fopen(path, "r")) == NULL) {
		if (path_required || errno != ENOENT) {
			log_warn("config %s", path);
			goto out;
		}
	} else {
		c->path = xstrdup(path);
		if (config_read_file(c, f, path) == -1)
			goto out;
	}
	if (config_read_env(c) == -1)
		goto out;
	if (config_validate(c, err, sizeof(err)) == -1) {
		log_warnx("config %s: %s", c->path != NULL ? c->path :
		    "(defaults and environment)", err);
		goto out;
	}
	rc = 0;
out:
	if (f != NULL)
		fclose(f);
	if (rc == -1)
		config_free(c);
	return rc;
}

void
config_free(struct config *c)
{
	size_t	 i;

	if (c == NULL)
		return;
	for (i = 0; i < CONFIG_NKEYS; i++)
		if (config_keys[i].type == CONFIG_STR) {
			free(*(char **)((char *)c + config_keys[i].offset));
			*(char **)((char *)c + config_keys[i].offset) = NULL;
		}
	free(c->path);
	c->path = NULL;
}

void
config_dump(const struct config *c)
{
	static const char *const levels[LOG_LEVEL__MAX] = {
		"err", "warn", "info", "debug"
	};
	const struct config_key	*k;
	const char		*s;
	size_t			 i;

	printf("# config file: %s\n", c->path != NULL ? c->path : "(none)");
	for (i = 0; i < CONFIG_NKEYS; i++) {
		k = &config_keys[i];
		switch (k->type) {
		case CONFIG_STR:
			s = *(char *const *)((const char *)c + k->offset);
			if (k->secret && s[0] != '\0')
				s = "********";
			printf("%s = \"%s\"\n", k->name, s);
			break;
		case CONFIG_INT:
			printf("%s = %d\n", k->name,
			    *(const int *)((const char *)c + k->offset));
			break;
		case CONFIG_LONG:
			printf("%s = %ld\n", k->name,
			    *(const long *)((const char *)c + k->offset));
			break;
		case CONFIG_LEVEL:
			printf("%s = %s\n", k->name, levels[c->log_level]);
			break;
		}
	}
}
