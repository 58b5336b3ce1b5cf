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
	K(log_level, CONFIG_LEVEL, 0, 0, "info", 0),
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
	K(public_url, CONFIG_STR, 0, 0, "", 0),
	K(operator_accounts, CONFIG_STR, 0, 0, "", 0),
	K(list_locate_rows, CONFIG_INT, 0, INT_MAX, "1000", 0),
	K(banxico_url, CONFIG_STR, 0, 0, "https://www.banxico.org.mx/cep/", 0),
	K(banxico_connect_timeout_ms, CONFIG_INT, 100, 60000, "3000", 0),
	K(banxico_timeout_ms, CONFIG_INT, 100, 600000, "20000", 0),
	K(banxico_max_rps, CONFIG_INT, 1, 10000, "5", 0),
	K(banxico_backoff_seconds, CONFIG_INT, 1, 86400, "300", 0),
	K(queue_expiry_seconds, CONFIG_INT, 60, 604800, "3600", 0),
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
