/*
 * mxcep: the per-process cache of verified API keys. The API's
 * authentication asks it before MariaDB, so the hot path costs no
 * database round trip; an entry is trusted for ttl seconds, so a
 * revoked key stops working within that bound. Only the hash of a
 * secret is kept, never the secret.
 */
#include <stdlib.h>
#include <string.h>

#include "app/app.h"

#define KEY_SLOTS	256	/* direct-mapped by the hash's first byte */

struct key_cache {
	int			 ttl;		/* seconds, 0 = no caching */
	struct key_verdict	 slots[KEY_SLOTS];
};

struct key_cache *
key_cache_new(int ttl_seconds)
{
	struct key_cache	*c = xcalloc(1, sizeof(*c));

	c->ttl = ttl_seconds;
	return c;
}

void
key_cache_free(struct key_cache *c)
{
	free(c);
}

int
key_cache_ttl(const struct key_cache *c)
{
	return c->ttl;
}

static struct key_verdict *
key_cache_slot(struct key_cache *c, const char *hash)
{
	char	 hex[3] = { hash[0], hash[1], '\0' };

	return &c->slots[strtoul(hex, NULL, 16) % KEY_SLOTS];
}

int
key_cache_get(struct key_cache *c, const char *hash, struct key_verdict *out)
{
	const struct key_verdict	*e;

	if (c->ttl == 0)
		return 0;
	e = key_cache_slot(c, hash);
	if (strcmp(e->hash, hash) != 0 || clock_monotonic() >= e->expires)
		return 0;
	*out = *e;
	return 1;
}

void
key_cache_put(struct key_cache *c, struct key_verdict *v)
{
	v->expires = clock_monotonic() + c->ttl;
	if (c->ttl == 0)
		return;
	*key_cache_slot(c, v->hash) = *v;
}

void
key_cache_forget(struct key_cache *c, const char *hash)
{
	key_cache_slot(c, hash)->hash[0] = '\0';
}
