/*
 * mxcep: the work layer. Everything that is not HTTP and must survive a
 * crash: running a validation job (the Banxico query and its outcome),
 * the Banxico back-off and rate cap, telling pollers a record's new
 * version (ETags in memcached), the hook run when a validation
 * finishes, and mxcep-runner's passes over the queue. A worker runs a
 * job after its response (the fcgi layer's after hook); the runner runs
 * what is due. It calls the store, Banxico and memcached through the
 * per-process context, and nothing of the API.
 */
#ifndef MXCEP_WORK_H
#define MXCEP_WORK_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "app/app.h"

struct banxico_answer;
struct job;
struct state_deadline;
struct validation;
struct validation_outcome;
enum banxico_outcome;
enum validation_status;

/* etag.c: tells pollers (memcached) the validation's version; < 0
 * forgets it. writer: after a change (set); a reader only fills a gap
 * (add). The _state form also tells whether the validation is still
 * queued/processing (pending). */
void	 work_etag_publish(struct app *, const char *account_id,
	    const char *id, int64_t etag, int writer);
void	 work_etag_publish_state(struct app *, const char *account_id,
	    const char *id, int64_t etag, int writer, int pending);

/* backoff.c: the Banxico back-off shared by every process (MariaDB).
 * work_backoff_get: the one in force (out->until 0: none); one that ran
 * out is ended here by the first process to see it, which logs it. */
int	 work_backoff_get(struct app *, struct state_deadline *out);
/* starts (or extends) it for banxico_backoff_seconds after Banxico
 * throttled the query of validation_id; *until: its end */
void	 work_backoff_start(struct app *, enum banxico_outcome,
	    const char *validation_id, time_t *until);

/* rate.c: a slot under banxico_max_rps for the whole service (a
 * per-second counter in memcached, or this process's share without
 * it): 0 with a slot, -1 when none came within WORK_RATE_WAIT_MAX s */
#define WORK_RATE_WAIT_MAX	3.0
int	 work_rate_slot(struct app *);
/* one try, no wait: 0 with a slot kept for this process's next query
 * (work_rate_slot then takes it without counting again), -1 without;
 * work_rate_drop gives up a slot kept and not used */
int	 work_rate_try(struct app *);
void	 work_rate_drop(struct app *);

/* banxico_status holds this many characters (VARCHAR(64), utf8mb4);
 * a buffer of WORK_BANXICO_STATUS_SIZE bytes takes them all */
#define WORK_BANXICO_STATUS_CHARS	64
#define WORK_BANXICO_STATUS_SIZE	(4 * WORK_BANXICO_STATUS_CHARS + 1)
/* outcome.c (pure): what Banxico's answer a to the query of v means
 * for the record (spec 001): status, error code and message,
 * banxico_status (state: its buffer, cut on a character boundary to
 * its size and to the column's characters), banxico_result (*result: a JSON
 * text the caller frees), the CEP and the identifiers learned */
void	 work_outcome_of_answer(const struct validation *v,
	    const struct banxico_answer *a, struct validation_outcome *o,
	    char *state, size_t state_len, char **result);
/* the query Banxico is asked for v (borrows v's strings) */
struct banxico_query;
void	 work_query_of(const struct validation *v, struct banxico_query *q);

/* jobs.c: running a validation job (a worker after its response, a
 * synchronous POST, the runner). known: the record when the caller has
 * it, NULL to read it. */
enum work_result {
	WORK_FAILED = -1,	/* left to the runner (MariaDB trouble) */
	WORK_FINISHED = 0,	/* the record is in a terminal state */
	WORK_PUT_BACK = 1	/* released for later, or the lease was lost */
};
enum work_result work_job_run(struct app *, const struct job *, int sync,
	    double t0, const struct validation *known);
/* the lease a job is claimed for: the whole Banxico deadline, the rate
 * wait and a margin */
int	 work_jobs_lease_seconds(const struct config *);
/* An async validation's job, to run once its 202 has been sent: made by
 * the handler (freed with free()), run by work_after_response, the
 * after hook of mxcep-fcgi's workers. */
struct work_deferred;
struct work_deferred *work_deferred_job(uint64_t job_id,
	    const char *validation_id, const char *account_id);
void	 work_after_response(struct app *, void *deferred);

/* caps.c: a slot of the host's cap on Banxico-bound work in workers
 * (banxico_max_concurrent, default workers - 1, at least 1): a
 * descriptor to give to slot_release once the query is over,
 * WORK_SLOT_FULL when every slot is taken, or WORK_SLOT_NONE when the
 * work runs uncapped (lock_dir "" or unusable: logged) */
#define WORK_SLOT_NONE		(-1)
#define WORK_SLOT_FULL		(-2)
int	 work_banxico_slot(struct app *);
int	 work_banxico_max(const struct config *);
/* the same for an after-response job: one slot less (at least 1), the
 * last is kept for synchronous requests */
int	 work_banxico_job_slot(struct app *);
int	 work_banxico_job_max(const struct config *);
/* gives back a slot of work_banxico_slot/work_banxico_job_slot (and the
 * held slot taken with it) */
void	 work_banxico_release(struct app *, int slot);
/* export_max_concurrent, or its default (workers - 1, at least 1) */
int	 work_export_max(const struct config *);
/*
 * Every long-held request (Banxico-bound work, an export) also holds one
 * of the host's "held" slots, at most work_held_max (the larger of the
 * two caps) at once: each cap bounds its kind, and together they cannot
 * take more workers than the larger one either. work_held_take: 0 (the
 * slot is app->held_slot, or the work runs uncapped) or WORK_SLOT_FULL;
 * work_held_release gives it back (a no-op without one).
 */
int	 work_held_max(const struct config *);
int	 work_held_take(struct app *);
void	 work_held_release(struct app *);

/* completed.c: called after every job that finished (first query or
 * retry): the hook point for webhooks; a no-op for now */
void	 work_validation_completed(struct app *, const struct job *,
	    enum validation_status);

/* runner.c: one pass of mxcep-runner */
struct runner_stats {
	size_t		 claimed;	/* due jobs claimed */
	size_t		 expired;	/* queued past expires_at */
	size_t		 finished;	/* ended in a terminal state */
	size_t		 deferred;	/* put back (Banxico back-off), lease lost */
	size_t		 failed;	/* left for a later pass (MariaDB trouble) */
	uint64_t	 purged;	/* idempotency records removed */
	size_t		 retries;	/* of the claimed jobs: retry attempts */
	double		 banxico_seconds;	/* spent inside Banxico queries */
};
/* 0, or -1 when the queue could not be read (logged) */
int	 work_runner_pass(struct app *, double max_seconds, size_t max_jobs,
	    const volatile int *stop, struct runner_stats *);

#endif /* MXCEP_WORK_H */
