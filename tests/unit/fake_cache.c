/*
 * mxcep: a fake memcached (see fakes.h): stands in for
 * src/cache/cache.c. The rate cap's counter answers what the test
 * scripted; writes are recorded, reads always miss.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fakes.h"
#include "cache/cache.h"

struct fake_cache fake_cache;

static void
fake_cache_note(const char *key, const char *val, size_t len)
{
	snprintf(fake_cache.last_key, sizeof(fake_cache.last_key), "%s", key);
	snprintf(fake_cache.last_value, sizeof(fake_cache.last_value), "%.*s",
	    (int)len, val != NULL ? val : "");
}

struct cache *
cache_new(const struct config *cfg)
{
	(void)cfg;
	return NULL;
}

void
cache_free(struct cache *c)
{
	(void)c;
}

int
cache_enabled(const struct cache *c)
{
	(void)c;
	return 1;
}

int
cache_get(struct cache *c, const char *key, char **val, size_t *len)
{
	(void)c;
	(void)key;
	(void)val;
	(void)len;
	return 1;
}

size_t
cache_get_many(struct cache *c, const char *const *keys, size_t n,
    char **vals, size_t *lens)
{
	size_t	 i;

	(void)c;
	(void)keys;
	for (i = 0; i < n; i++) {
		vals[i] = NULL;
		lens[i] = 0;
	}
	return 0;
}

int
cache_set(struct cache *c, const char *key, const char *val, size_t len,
    time_t ttl)
{
	(void)c;
	(void)ttl;
	fake_cache.set_calls++;
	fake_cache_note(key, val, len);
	return 0;
}

int
cache_add(struct cache *c, const char *key, const char *val, size_t len,
    time_t ttl)
{
	(void)c;
	(void)ttl;
	fake_cache_note(key, val, len);
	return 0;
}

int
cache_delete(struct cache *c, const char *key)
{
	(void)c;
	fake_cache.delete_calls++;
	fake_cache_note(key, NULL, 0);
	return 0;
}

int64_t
cache_incr(struct cache *c, const char *key, time_t ttl)
{
	(void)c;
	(void)key;
	(void)ttl;
	fake_cache.incr_calls++;
	return fake_cache.incr_value;
}

int
cache_ping(struct cache *c)
{
	(void)c;
	return 0;
}
