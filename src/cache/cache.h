/*
 * mxcep: memcached, as a cache and never as the truth. Every call
 * tolerates memcached being off or down: it answers "miss" and the
 * caller goes to MariaDB.
 */
#ifndef MXCEP_CACHE_H
#define MXCEP_CACHE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct config;

/* cache.c */
struct cache;
struct cache	*cache_new(const struct config *);	/* never NULL */
void		 cache_free(struct cache *);		/* NULL is a no-op */
int		 cache_enabled(const struct cache *);
/* 0 hit (*val malloc'ed, caller frees), 1 miss or unavailable */
int		 cache_get(struct cache *, const char *key, char **val,
		    size_t *len);
int		 cache_set(struct cache *, const char *key, const char *val,
		    size_t len, time_t ttl);		/* 0 stored, -1 not */
/* several keys in one round trip: vals[i] malloc'ed or NULL (miss);
 * returns how many hit */
size_t		 cache_get_many(struct cache *, const char *const *keys,
		    size_t n, char **vals, size_t *lens);
/* stores only when the key is absent: 0 stored, -1 not (exists/down) */
int		 cache_add(struct cache *, const char *key, const char *val,
		    size_t len, time_t ttl);
int		 cache_delete(struct cache *, const char *key);	/* 0, -1 */
/* adds 1 to a counter created with ttl; the new value, -1 unavailable */
int64_t		 cache_incr(struct cache *, const char *key, time_t ttl);
/* 0 up, -1 down, 1 disabled by config */
int		 cache_ping(struct cache *);

#endif /* MXCEP_CACHE_H */
