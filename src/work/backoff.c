/*
 * mxcep: the Banxico back-off. When Banxico throttles a query (or asks
 * for a captcha), every process of every host pauses its queries for
 * banxico_backoff_seconds. The deadline lives in MariaDB (the state
 * table), the truth all of them share, and is read before each query.
 */
#include <stdio.h>
#include <string.h>

#include "banxico/banxico.h"
#include "store/store.h"
#include "work/work.h"

int
work_backoff_get(struct app *app, struct state_deadline *out)
{
	struct state_deadline	 was;
	char			 at[32], since[32];
	time_t			 now = clock_now();
	int			 ended;

	if (db_state_get(app->db, STATE_BANXICO_BACKOFF, out) == -1)
		return -1;
	if (out->until == 0 || out->until > now)
		return 0;
	/* ran out: whoever ends it first says so, once */
	if (db_state_end(app->db, STATE_BANXICO_BACKOFF, now, 0, &was,
	    &ended) == 0 && ended)
		log_info("Banxico back-off ended: it ran out at %s (paused "
		    "since %s)", clock_rfc3339(was.until, at, sizeof(at)),
		    clock_rfc3339(was.since, since, sizeof(since)));
	memset(out, 0, sizeof(*out));
	return 0;
}

void
work_backoff_start(struct app *app, enum banxico_outcome outcome,
    const char *validation_id, time_t *until)
{
	char	 reason[200], at[32];
	int	 started = 0;

	*until = clock_now() + app->cfg->banxico_backoff_seconds;
	if (outcome == BANXICO_CAPTCHA)
		snprintf(reason, sizeof(reason), "captcha: Banxico asked for "
		    "a captcha on the query of validation %s", validation_id);
	else
		snprintf(reason, sizeof(reason), "throttled: Banxico answered "
		    "\"ha excedido el numero maximo de consultas\" to the "
		    "query of validation %s", validation_id);
	if (db_state_start(app->db, STATE_BANXICO_BACKOFF, *until, reason,
	    clock_now(), &started) == -1) {
		log_warnx("%s: the Banxico back-off could not be recorded",
		    __func__);
		return;
	}
	clock_rfc3339(*until, at, sizeof(at));
	if (started)
		log_warnx("Banxico back-off started: queries paused until %s "
		    "(%d s): %s", at, app->cfg->banxico_backoff_seconds,
		    reason);
	else
		log_debug("Banxico back-off extended to %s: %s", at, reason);
}
