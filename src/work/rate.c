/*
 * mxcep: the service's own cap on Banxico queries: at most
 * banxico_max_rps per second from every process together, counted in
 * memcached per second; without memcached each process keeps its share
 * (workers / banxico_max_rps seconds between its queries).
 */
#include <stdio.h>
#include <time.h>

#include "cache/cache.h"
#include "work/work.h"

#define RATE_PAUSE_NS	(50 * 1000 * 1000)	/* between two tries */

int
work_rate_slot(struct app *app)
{
	struct timespec	 ts;
	char		 key[64];
	double		 start = clock_monotonic(), now, gap;
	int64_t		 n;
	time_t		 sec;

	for (;;) {
		now = clock_monotonic();
		sec = time(NULL);
		snprintf(key, sizeof(key), "banxico:rps:%lld", (long long)sec);
		n = cache_incr(app->cache, key, 5);
		if (n == -1) {
			gap = (double)app->cfg->workers /
			    app->cfg->banxico_max_rps;
			if (now - app->banxico_last >= gap) {
				app->banxico_last = now;
				return 0;
			}
		} else if (n <= app->cfg->banxico_max_rps)
			return 0;
		if (now - start >= WORK_RATE_WAIT_MAX)
			return -1;
		ts.tv_sec = 0;
		ts.tv_nsec = RATE_PAUSE_NS;
		nanosleep(&ts, NULL);
	}
}
