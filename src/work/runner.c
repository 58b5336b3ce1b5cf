/*
 * mxcep: one pass of mxcep-runner over the queue: fail what expired,
 * run what is due (including jobs whose process died: their lease ran
 * out), purge old idempotency records. Jobs are claimed one at a time,
 * so a lease only ever has to cover one Banxico query.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/store.h"
#include "work/work.h"

#define RUNNER_EMPTY_TRIES	3		/* empty claims before a pass ends */
#define RUNNER_EMPTY_PAUSE_NS	(20 * 1000 * 1000)	/* between them */

/*
 * The end of a lease taken now. With --now in the past, the lease must
 * still outlast the real run, or a runner on the real clock would take
 * the job again while it runs: count from the later of the two clocks.
 */
static time_t
runner_lease_until(int lease)
{
	time_t	 fake = clock_now(), real = time(NULL);

	return (fake > real ? fake : real) + lease;
}

static int
runner_run_claimed(struct app *app, struct job *jobs, size_t n,
    struct runner_stats *st)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (jobs[i].kind == JOB_KIND_RETRY)
			st->retries++;
		switch (work_job_run(app, &jobs[i], 0, 0, NULL)) {
		case WORK_FINISHED:
			st->finished++;
			break;
		case WORK_PUT_BACK:
			st->deferred++;
			break;
		case WORK_FAILED:
			st->failed++;
			break;
		}
	}
	return 0;
}

int
work_runner_pass(struct app *app, double max_seconds, size_t max_jobs,
    const volatile int *stop, struct runner_stats *st)
{
	struct job	*jobs = NULL;
	size_t		 n = 0;
	double		 start = clock_monotonic();
	time_t		 now;
	uint64_t	 purged = 0;
	int		 lease = work_jobs_lease_seconds(app->cfg);
	double		 in_banxico = app->banxico_seconds;
	struct timespec	 pause = { 0, RUNNER_EMPTY_PAUSE_NS };
	int		 empty = 0;

	memset(st, 0, sizeof(*st));
	/* expired first: they must not wait behind due work */
	for (;;) {
		now = clock_now();
		if (db_jobs_claim_expired(app->db, now, app->owner,
		    runner_lease_until(lease), 1, &jobs, &n) == -1)
			return -1;
		if (n == 0)
			break;
		st->expired += n;
		runner_run_claimed(app, jobs, n, st);
		free(jobs);
		jobs = NULL;
		if ((stop != NULL && *stop) ||
		    clock_monotonic() - start >= max_seconds) {
			st->banxico_seconds = app->banxico_seconds -
			    in_banxico;
			return 0;
		}
	}
	while (max_jobs == 0 || st->claimed < max_jobs) {
		if ((stop != NULL && *stop) ||
		    clock_monotonic() - start >= max_seconds)
			break;
		now = clock_now();
		if (db_jobs_claim_due(app->db, now, app->owner,
		    runner_lease_until(lease), 1, &jobs, &n) == -1)
			return -1;
		if (n == 0) {
			/* SKIP LOCKED also skips the rows another runner's
			 * claim holds for a moment (its scan locks what it
			 * reads): look again before calling the queue empty */
			if (++empty >= RUNNER_EMPTY_TRIES)
				break;
			nanosleep(&pause, NULL);
			continue;
		}
		empty = 0;
		st->claimed += n;
		runner_run_claimed(app, jobs, n, st);
		free(jobs);
		jobs = NULL;
	}
	if (db_idem_purge(app->db, clock_now(), &purged) == 0)
		st->purged = purged;
	st->banxico_seconds = app->banxico_seconds - in_banxico;
	return 0;
}
