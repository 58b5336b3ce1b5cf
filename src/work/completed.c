/*
 * mxcep: what happens when a validation's job finishes (its first query
 * or a retry). The hook point for webhook deliveries.
 */
#include "store/store.h"
#include "work/work.h"

void
work_validation_completed(struct app *app, const struct job *job,
    enum validation_status status)
{
	/*
	 * XXX: the hook point for the webhooks issue (deliver the
	 * validation's outcome, a retry's included). Quota: retries do not
	 * consume any; when quota accounting exists, only the first
	 * attempt (job->kind == JOB_KIND_VALIDATE) may be charged.
	 */
	(void)app;
	(void)job;
	(void)status;
}
