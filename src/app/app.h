/*
 * mxcep: the per-process context. A worker and the runner each make one
 * after fork: one MariaDB connection, one memcached client, one curl
 * handle, the verified-key cache and the bank catalog, plus the clocks
 * of this process's Banxico queries. Everything above this layer (fcgi,
 * work, api, the programs) reaches the services through it.
 */
#ifndef MXCEP_APP_H
#define MXCEP_APP_H

#include <stdint.h>

#include "core/core.h"
#include "util/util.h"

struct db;
struct cache;
struct key_cache;
struct banxico;
struct bank_catalog;
struct bank_cache;

/* The per-process context: one of each handle, created after fork. */
struct app {
	const struct config	*cfg;		/* borrowed, read-only */
	struct db		*db;
	struct cache		*cache;
	struct key_cache	*keys;		/* verified API keys */
	struct banxico		*banxico;	/* one curl handle, kept alive */
	struct bank_cache	*banks;		/* the catalog, reloaded now and then */
	char			 owner[96];	/* "host:pid", the lease owner */
	unsigned long		 served;	/* requests answered so far */
	int			 lock_dir_warned;	/* an unusable lock_dir
						   was logged (once) */
	int			 held_slot;	/* the descriptor + 1 of the
						   host's slot of long-held
						   work this worker holds
						   (work/caps.c); 0: none, so
						   a zeroed app holds none */
	double			 banxico_last;	/* pacing without memcached */
	int			 banxico_token;	/* a rate slot taken ahead
						   (work_rate_try) for the
						   next query */
	double			 banxico_seconds;	/* s spent in Banxico
						   queries by this process */
	struct uuid_gen		 request_ids;	/* ids of requests that
						   bring none */
};

/* app.c: app_init returns 0, or -1 (logged) when the process cannot
 * work; app_free releases what app_init made, also after a failure */
int	 app_init(struct app *, const struct config *);
void	 app_free(struct app *);
/* connects to MariaDB now (0), or -1 (logged by the store): the
 * connection is retried on the next use */
int	 app_connect(struct app *);
/* the bank catalog of this process, reloaded every few minutes; NULL
 * when it could not be loaded (logged) */
const struct bank_catalog *app_banks(struct app *);

/*
 * key_cache.c: the verdicts on API keys this process has looked up,
 * by the SHA-256 (hex) of the secret, each trusted for ttl seconds
 * (0: nothing is kept), and keys MariaDB did not know, remembered for
 * a shorter while. A small direct-mapped table: a newer key may take
 * an older one's slot (an unknown key never takes a live known one's).
 * Also the unknown keys per client address, for the 429 of too many.
 */
#define KEY_HASH_LEN	64		/* hex SHA-256 */
struct key_verdict {
	char		 hash[KEY_HASH_LEN + 1];
	char		 account_id[37];
	char		 key_id[37];
	unsigned int	 scopes;
	int		 revoked;
	int		 unknown;	/* no such key (the rest is empty) */
	double		 expires;	/* clock_monotonic() */
};
struct key_cache	*key_cache_new(int ttl_seconds);
void			 key_cache_free(struct key_cache *);
int			 key_cache_ttl(const struct key_cache *);
/* 1 with *out filled when hash has a verdict still in force, else 0 */
int	 key_cache_get(struct key_cache *, const char *hash,
	    struct key_verdict *out);
/* keeps v (its expires set here from the ttl); no-op when ttl is 0 */
void	 key_cache_put(struct key_cache *, struct key_verdict *v);
/* a key MariaDB does not know: key_cache_get answers it (unknown = 1)
 * for ttl seconds (0: forgotten at once); it takes its slot only when
 * that holds no verdict on a known key still in force */
void	 key_cache_put_unknown(struct key_cache *, const char *hash,
	    int ttl_seconds);
/* 1 with *retry_after (seconds, >= 1) when addr presented limit or more
 * unknown keys in its current window of window seconds; 0 otherwise,
 * or when limit is 0. IPv6 addresses count by their /64. */
int	 key_cache_addr_blocked(struct key_cache *, const char *addr,
	    int limit, int window, int *retry_after);
/* counts one unknown key presented by addr (no-op when limit is 0) */
void	 key_cache_addr_failed(struct key_cache *, const char *addr,
	    int limit, int window);

#endif /* MXCEP_APP_H */
