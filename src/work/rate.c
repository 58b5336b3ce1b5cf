/*
 * mxcep: the service's own cap on Banxico queries: at most
 * banxico_max_rps per second from every process together, counted in
 * memcached per second; without memcached each process keeps its share
 * (workers / banxico_max_rps seconds between its queries). A query
 * waits up to WORK_RATE_WAIT_MAX s for a slot (the runner, a synchronous
 * request); an after-response job only tries once (work_rate_try) and is
 * left to the runner without one: a worker never waits for the cap.
 */
#include <stdio.h>
#include <time.h>

#include "cache/cache.h"
#include "work/work.h"

#define RATE_PAUSE_NS	(50 * 1000 * 1000)	/* between two tries */

/* one try: 1 with a slot of this second, else 0 */
static int
rate_try_once(struct app *app)
{
	char		 key[64];
	double		 now = clock_monotonic(), gap;
	int64_t		 n;

	snprintf(key, sizeof(key), "banxico:rps:%lld",
	    (long long)time(NULL));
	n = cache_incr(app->cache, key, 5);
	if (n != -1)
		return n <= app->cfg->banxico_max_rps;
	gap = (double)app->cfg->workers / app->cfg->banxico_max_rps;
	if (now - app->banxico_last < gap)
		return 0;
	app->banxico_last = now;
	return 1;
}

int
work_rate_slot(struct app *app)
{
	struct timespec	 ts;
	double		 start = clock_monotonic();

	if (app->banxico_token) {
		app->banxico_token = 0;	/* taken ahead by work_rate_try */
		return 0;
	}
	for (;;) {
		if (rate_try_once(app))
			return 0;
		if (clock_monotonic() - start >= WORK_RATE_WAIT_MAX)
			return -1;
		ts.tv_sec = 0;
		ts.tv_nsec = RATE_PAUSE_NS;
		nanosleep(&ts, NULL);
	}
}

int
work_rate_try(struct app *app)
{
	if (app->banxico_token)
		return 0;
	if (!rate_try_once(app))
		return -1;
	app->banxico_token = 1;
	return 0;
}

void
work_rate_drop(struct app *app)
{
	app->banxico_token = 0;
}
