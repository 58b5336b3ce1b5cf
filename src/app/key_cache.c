/*
 * mxcep: the per-process memory of API key authentication. Verdicts on
 * keys: the API asks it before MariaDB, so the hot path costs no
 * database round trip; a verified key is trusted for ttl seconds (a
 * revoked key stops working within that bound), a key MariaDB does not
 * know is remembered as unknown for a few seconds, so a client
 * repeating a bad key costs no round trip either. Only the hash of a
 * secret is kept, never the secret.
 *
 * And the unknown keys each client address presented, counted in
 * fixed windows: over the limit, the address is refused (429) until
 * its window ends, before any lookup. Per process, like the verdicts:
 * no round trip and nothing to fail; with N workers an address gets
 * at most N times the limit per window.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"

#define KEY_SLOTS	256	/* direct-mapped by the hash's first byte */
#define ADDR_SETS	256	/* addresses: 256 sets of ADDR_WAYS */
#define ADDR_WAYS	4
#define ADDR_LEN	48	/* an address as counted ("v6:" + /64) */

struct addr_count {
	char		 addr[ADDR_LEN];	/* "" = free */
	double		 start;		/* clock_monotonic() of the window */
	unsigned int	 count;		/* unknown keys in the window */
};

struct key_cache {
	int			 ttl;		/* seconds, 0 = no caching */
	struct key_verdict	 slots[KEY_SLOTS];
	struct addr_count	 addrs[ADDR_SETS][ADDR_WAYS];
	double			 blocked_until;	/* no address is blocked
						   from then on (0: none) */
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

	e = key_cache_slot(c, hash);
	if (e->hash[0] == '\0' || strcmp(e->hash, hash) != 0 ||
	    clock_monotonic() >= e->expires)
		return 0;
	*out = *e;
	return 1;
}

void
key_cache_put(struct key_cache *c, struct key_verdict *v)
{
	v->expires = clock_monotonic() + c->ttl;
	v->unknown = 0;
	if (c->ttl == 0)
		return;
	*key_cache_slot(c, v->hash) = *v;
}

void
key_cache_put_unknown(struct key_cache *c, const char *hash, int ttl_seconds)
{
	struct key_verdict	*e = key_cache_slot(c, hash);
	double			 now = clock_monotonic();

	/* a guess must not push out a key in use: only a free, expired
	 * or unknown slot takes it (the slot of hash is emptied anyway
	 * when it held this very hash) */
	if (strcmp(e->hash, hash) == 0)
		e->hash[0] = '\0';
	if (ttl_seconds <= 0 || (e->hash[0] != '\0' && !e->unknown &&
	    now < e->expires))
		return;
	memset(e, 0, sizeof(*e));
	snprintf(e->hash, sizeof(e->hash), "%s", hash);
	e->unknown = 1;
	e->expires = now + ttl_seconds;
}

/*
 * The address as counted: an IPv6 address by its /64 (one host
 * usually has the whole /64), an IPv4-mapped one as the IPv4 address,
 * anything else as given (cut to fit).
 */
static void
addr_key(const char *addr, char out[ADDR_LEN])
{
	unsigned char	 a[16];

	if (addr == NULL || addr[0] == '\0')
		addr = "-";
	if (inet_pton(AF_INET6, addr, a) == 1) {
		static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0,
		    0, 0, 0, 0, 0xff, 0xff };

		if (memcmp(a, mapped, sizeof(mapped)) == 0)
			snprintf(out, ADDR_LEN, "%u.%u.%u.%u", a[12], a[13],
			    a[14], a[15]);
		else
			snprintf(out, ADDR_LEN, "v6:%02x%02x:%02x%02x:%02x%02x:"
			    "%02x%02x::/64", a[0], a[1], a[2], a[3], a[4], a[5],
			    a[6], a[7]);
		return;
	}
	snprintf(out, ADDR_LEN, "%s", addr);
}

static struct addr_count *
addr_set(struct key_cache *c, const char *key)
{
	uint32_t	 h = 2166136261u;	/* FNV-1a */

	for (; *key != '\0'; key++)
		h = (h ^ (unsigned char)*key) * 16777619u;
	return c->addrs[h % ADDR_SETS];
}

static struct addr_count *
addr_find(struct key_cache *c, const char *key)
{
	struct addr_count	*set = addr_set(c, key);
	int			 i;

	for (i = 0; i < ADDR_WAYS; i++)
		if (strcmp(set[i].addr, key) == 0)
			return &set[i];
	return NULL;
}

int
key_cache_addr_blocked(struct key_cache *c, const char *addr, int limit,
    int window, int *retry_after)
{
	struct addr_count	*e;
	char			 key[ADDR_LEN];
	double			 left;

	/* the hot path: nobody over the limit, no hashing */
	if (limit <= 0 || c->blocked_until == 0 ||
	    clock_monotonic() >= c->blocked_until)
		return 0;
	addr_key(addr, key);
	if ((e = addr_find(c, key)) == NULL || e->count < (unsigned int)limit)
		return 0;
	if ((left = e->start + window - clock_monotonic()) <= 0)
		return 0;
	*retry_after = (int)left + ((double)(int)left < left);
	return 1;
}

void
key_cache_addr_failed(struct key_cache *c, const char *addr, int limit,
    int window)
{
	struct addr_count	*set, *e;
	char			 key[ADDR_LEN];
	double			 now = clock_monotonic();
	int			 i;

	if (limit <= 0)
		return;
	addr_key(addr, key);
	if ((e = addr_find(c, key)) == NULL) {
		/* a free way, else the one whose window began first */
		set = addr_set(c, key);
		for (e = &set[0], i = 0; i < ADDR_WAYS; i++) {
			if (set[i].addr[0] == '\0') {
				e = &set[i];
				break;
			}
			if (set[i].start < e->start)
				e = &set[i];
		}
		snprintf(e->addr, sizeof(e->addr), "%s", key);
		e->count = 0;
		e->start = now;
	}
	if (now >= e->start + window) {
		e->count = 0;
		e->start = now;
	}
	if (++e->count >= (unsigned int)limit &&
	    e->start + window > c->blocked_until)
		c->blocked_until = e->start + window;
}
