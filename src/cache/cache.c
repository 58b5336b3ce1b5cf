/*
 * mxcep: the memcached client of one process. Servers come from the
 * memcached_servers key: "host:port,host:port" (consistent hashing
 * across the pool) or a unix socket path. Timeouts are short so a
 * dead memcached costs little, and a failed server is retried only
 * every few seconds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmemcached/memcached.h>

#include "cache/cache.h"
#include "util/util.h"

#define CACHE_KEY_PREFIX	"mxcep:"
#define CACHE_RETRY_SECONDS	2

struct cache {
	memcached_st	*mc;		/* NULL when disabled */
};

static int
cache_add_servers(memcached_st *mc, const char *spec)
{
	char			*copy = xstrdup(spec), *tok, *save = NULL, *colon;
	memcached_return_t	 rc;
	int			 n = 0;

	for (tok = strtok_r(copy, ", ", &save); tok != NULL;
	    tok = strtok_r(NULL, ", ", &save)) {
		if (tok[0] == '/')
			rc = memcached_server_add_unix_socket(mc, tok);
		else if ((colon = strrchr(tok, ':')) != NULL) {
			*colon = '\0';
			rc = memcached_server_add(mc, tok,
			    (in_port_t)atoi(colon + 1));
		} else
			rc = memcached_server_add(mc, tok, 11211);
		if (rc != MEMCACHED_SUCCESS) {
			log_warnx("%s: %s: %s", __func__, tok,
			    memcached_strerror(mc, rc));
			continue;
		}
		n++;
	}
	free(copy);
	return n;
}

struct cache *
cache_new(const struct config *cfg)
{
	struct cache	*c = xcalloc(1, sizeof(*c));
	uint64_t	 ms = (uint64_t)cfg->memcached_timeout_ms;

	if (cfg->memcached_servers[0] == '\0')
		return c;
	if ((c->mc = memcached_create(NULL)) == NULL) {
		log_warnx("%s: memcached_create failed", __func__);
		return c;
	}
	memcached_behavior_set(c->mc, MEMCACHED_BEHAVIOR_CONNECT_TIMEOUT, ms);
	memcached_behavior_set(c->mc, MEMCACHED_BEHAVIOR_POLL_TIMEOUT, ms);
	memcached_behavior_set(c->mc, MEMCACHED_BEHAVIOR_RCV_TIMEOUT,
	    ms * 1000);
	memcached_behavior_set(c->mc, MEMCACHED_BEHAVIOR_SND_TIMEOUT,
	    ms * 1000);
	memcached_behavior_set(c->mc, MEMCACHED_BEHAVIOR_TCP_NODELAY, 1);
	memcached_behavior_set(c->mc, MEMCACHED_BEHAVIOR_DISTRIBUTION,
	    MEMCACHED_DISTRIBUTION_CONSISTENT);
	memcached_behavior_set(c->mc, MEMCACHED_BEHAVIOR_RETRY_TIMEOUT,
	    CACHE_RETRY_SECONDS);
	memcached_behavior_set(c->mc, MEMCACHED_BEHAVIOR_SERVER_FAILURE_LIMIT,
	    1);
	if (cache_add_servers(c->mc, cfg->memcached_servers) == 0) {
		memcached_free(c->mc);
		c->mc = NULL;
	}
	return c;
}

void
cache_free(struct cache *c)
{
	if (c == NULL)
		return;
	if (c->mc != NULL)
		memcached_free(c->mc);
	free(c);
}

int
cache_enabled(const struct cache *c)
{
	return c->mc != NULL;
}

static int
cache_key(char *out, size_t n, const char *key)
{
	int	 len = snprintf(out, n, CACHE_KEY_PREFIX "%s", key);

	return len > 0 && (size_t)len < n && len <= 250 ? len : -1;
}

int
cache_get(struct cache *c, const char *key, char **val, size_t *len)
{
	char			 k[256];
	memcached_return_t	 rc;
	uint32_t		 flags = 0;
	int			 klen;

	*val = NULL;
	*len = 0;
	if (c->mc == NULL || (klen = cache_key(k, sizeof(k), key)) == -1)
		return 1;
	*val = memcached_get(c->mc, k, (size_t)klen, len, &flags, &rc);
	if (*val == NULL) {
		if (rc != MEMCACHED_NOTFOUND)
			log_debug("%s: %s", __func__,
			    memcached_strerror(c->mc, rc));
		return 1;
	}
	return 0;
}

size_t
cache_get_many(struct cache *c, const char *const *keys, size_t n,
    char **vals, size_t *lens)
{
	char			 k[8][256];
	const char		*kp[8];
	size_t			 kl[8], i, hits = 0, rl;
	memcached_result_st	*res;
	memcached_return_t	 rc;
	int			 len;

	for (i = 0; i < n; i++) {
		vals[i] = NULL;
		lens[i] = 0;
	}
	if (c->mc == NULL || n == 0 || n > 8)
		return 0;
	for (i = 0; i < n; i++) {
		if ((len = cache_key(k[i], sizeof(k[i]), keys[i])) == -1)
			return 0;
		kp[i] = k[i];
		kl[i] = (size_t)len;
	}
	if ((rc = memcached_mget(c->mc, kp, kl, n)) != MEMCACHED_SUCCESS) {
		log_debug("%s: %s", __func__, memcached_strerror(c->mc, rc));
		return 0;
	}
	while ((res = memcached_fetch_result(c->mc, NULL, &rc)) != NULL) {
		for (i = 0; i < n; i++) {
			rl = memcached_result_key_length(res);
			if (vals[i] == NULL && rl == kl[i] &&
			    memcmp(memcached_result_key_value(res), kp[i], rl)
			    == 0) {
				lens[i] = memcached_result_length(res);
				vals[i] = xmalloc(lens[i] + 1);
				memcpy(vals[i], memcached_result_value(res),
				    lens[i]);
				vals[i][lens[i]] = '\0';
				hits++;
				break;
			}
		}
		memcached_result_free(res);
	}
	return hits;
}

/*
 * memcached_set, or memcached_add when add (which only stores a key
 * that is not there: its refusal is an answer, not logged); func names
 * the caller in the log line. 0 stored, -1 not.
 */
static int
cache_store(struct cache *c, int add, const char *key, const char *val,
    size_t len, time_t ttl, const char *func)
{
	char			 k[256];
	memcached_return_t	 rc;
	int			 klen;

	if (c->mc == NULL || (klen = cache_key(k, sizeof(k), key)) == -1)
		return -1;
	if (add)
		rc = memcached_add(c->mc, k, (size_t)klen, val, len, ttl, 0);
	else
		rc = memcached_set(c->mc, k, (size_t)klen, val, len, ttl, 0);
	if (rc != MEMCACHED_SUCCESS) {
		if (!add)
			log_debug("%s: %s", func, memcached_strerror(c->mc, rc));
		return -1;
	}
	return 0;
}

int
cache_set(struct cache *c, const char *key, const char *val, size_t len,
    time_t ttl)
{
	return cache_store(c, 0, key, val, len, ttl, __func__);
}

int
cache_add(struct cache *c, const char *key, const char *val, size_t len,
    time_t ttl)
{
	return cache_store(c, 1, key, val, len, ttl, __func__);
}

int
cache_delete(struct cache *c, const char *key)
{
	char			 k[256];
	memcached_return_t	 rc;
	int			 klen;

	if (c->mc == NULL || (klen = cache_key(k, sizeof(k), key)) == -1)
		return -1;
	rc = memcached_delete(c->mc, k, (size_t)klen, 0);
	if (rc != MEMCACHED_SUCCESS && rc != MEMCACHED_NOTFOUND) {
		log_warnx("%s: %s", __func__, memcached_strerror(c->mc, rc));
		return -1;
	}
	return 0;
}

int64_t
cache_incr(struct cache *c, const char *key, time_t ttl)
{
	char			 k[256];
	memcached_return_t	 rc;
	uint64_t		 v = 0;
	int			 klen;

	if (c->mc == NULL || (klen = cache_key(k, sizeof(k), key)) == -1)
		return -1;
	/* the text protocol has no "increment with initial": increment,
	 * and only when the counter is missing add it and increment again */
	rc = memcached_increment(c->mc, k, (size_t)klen, 1, &v);
	if (rc == MEMCACHED_NOTFOUND) {
		rc = memcached_add(c->mc, k, (size_t)klen, "0", 1, ttl, 0);
		if (rc != MEMCACHED_SUCCESS && rc != MEMCACHED_NOTSTORED &&
		    rc != MEMCACHED_DATA_EXISTS) {
			log_debug("%s: %s", __func__,
			    memcached_strerror(c->mc, rc));
			return -1;
		}
		rc = memcached_increment(c->mc, k, (size_t)klen, 1, &v);
	}
	if (rc != MEMCACHED_SUCCESS) {
		log_debug("%s: %s", __func__, memcached_strerror(c->mc, rc));
		return -1;
	}
	return (int64_t)v;
}

int
cache_ping(struct cache *c)
{
	char			*v;
	size_t			 len;
	uint32_t		 flags;
	memcached_return_t	 rc;

	if (c->mc == NULL)
		return 1;
	v = memcached_get(c->mc, CACHE_KEY_PREFIX "ping",
	    sizeof(CACHE_KEY_PREFIX "ping") - 1, &len, &flags, &rc);
	free(v);
	return rc == MEMCACHED_SUCCESS || rc == MEMCACHED_NOTFOUND ? 0 : -1;
}
