/*
 * mxcep: work a worker does after its response has left: the job of an
 * async validation, claimed and run at once, so shared hosting needs no
 * daemon. If the claim fails (the runner has it, or a crash happens),
 * the host's cap on Banxico-bound work is reached (caps.c), or no slot
 * of banxico_max_rps is free this second (rate.c: a worker never waits
 * for one), the job stays in the queue for mxcep-runner: nothing is
 * lost.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "work/work.h"

struct work_deferred {
	uint64_t	 job_id;
	char		 validation_id[UUID_STR_LEN + 1];
	char		 account_id[UUID_STR_LEN + 1];
};

struct work_deferred *
work_deferred_job(uint64_t job_id, const char *validation_id,
    const char *account_id)
{
	struct work_deferred	*d = xcalloc(1, sizeof(*d));

	d->job_id = job_id;
	snprintf(d->validation_id, sizeof(d->validation_id), "%s",
	    validation_id);
	snprintf(d->account_id, sizeof(d->account_id), "%s", account_id);
	return d;
}

void
work_after_response(struct app *app, void *arg)
{
	const struct work_deferred	*d = arg;
	struct job			 job;
	time_t				 now = clock_now();
	int				 claimed = 0, slot;

	memset(&job, 0, sizeof(job));
	job.id = d->job_id;
	snprintf(job.validation_id, sizeof(job.validation_id), "%s",
	    d->validation_id);
	snprintf(job.account_id, sizeof(job.account_id), "%s",
	    d->account_id);
	/* over the host's cap on Banxico-bound work: the job stays queued
	 * for mxcep-runner, and this worker goes back to reads */
	if ((slot = work_banxico_job_slot(app)) == WORK_SLOT_FULL) {
		log_info("validation %s: left to the runner (%d Banxico "
		    "queries already run in workers: banxico_max_concurrent "
		    "less one for synchronous ones)",
		    job.validation_id, work_banxico_job_max(app->cfg));
		return;
	}
	/* nor does a worker wait for a slot of banxico_max_rps: one try,
	 * and without it the runner takes the job (it may wait) */
	if (work_rate_try(app) == -1) {
		log_info("validation %s: left to the runner (banxico_max_rps "
		    "%d reached this second)", job.validation_id,
		    app->cfg->banxico_max_rps);
		work_banxico_release(app, slot);
		return;
	}
	if (db_job_claim(app->db, job.id, app->owner, now,
	    now + work_jobs_lease_seconds(app->cfg), &claimed) == 0 &&
	    claimed)
		(void)work_job_run(app, &job, 0, 0, NULL);
	/* else the runner has it, or will */
	work_rate_drop(app);	/* a slot the job did not use */
	work_banxico_release(app, slot);
}
