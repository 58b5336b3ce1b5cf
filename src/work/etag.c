/*
 * mxcep: publishing a validation's version for pollers. GET
 * /v1/validations/:id answers If-None-Match from memcached when the
 * version there matches, so a poller costs no MariaDB round trip; every
 * change to a record publishes its new version here.
 */
#include <stdio.h>

#include "cache/cache.h"
#include "work/work.h"

#define ETAG_TTL	300	/* s a published version is kept */

void
work_etag_publish_state(struct app *app, const char *account_id,
    const char *id, int64_t etag, int writer, int pending)
{
	char	 key[128], val[32];
	int	 n;

	snprintf(key, sizeof(key), "etag:%s:%s", account_id, id);
	if (etag < 0) {
		(void)cache_delete(app->cache, key);
		return;
	}
	/* "<version>" or "<version>p" while queued/processing, so a 304
	 * from memcached can still say when to poll again */
	n = snprintf(val, sizeof(val), "%lld%s", (long long)etag,
	    pending ? "p" : "");
	if (!writer) {
		/* a reader only fills a gap: a writer's newer version that
		 * landed meanwhile must win */
		(void)cache_add(app->cache, key, val, (size_t)n, ETAG_TTL);
		return;
	}
	if (cache_set(app->cache, key, val, (size_t)n, ETAG_TTL) == -1)
		(void)cache_delete(app->cache, key);
}

void
work_etag_publish(struct app *app, const char *account_id, const char *id,
    int64_t etag, int writer)
{
	work_etag_publish_state(app, account_id, id, etag, writer, 0);
}
