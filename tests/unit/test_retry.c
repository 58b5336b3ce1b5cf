/*
 * mxcep: unit tests for src/core/retry.c: checking a retry_policy,
 * the next schedule, and the transitions of a retry cycle. The
 * scheduler tests go the way store/retries.c (db_retry_after_job, in
 * db_job_finish) does: the job's status name, retry_result_of(), then
 * retry_cycle_after(); a 1 means "queue retry attempts_completed + 1
 * at next_attempt_at".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/core.h"
#include "store/store.h"

#define T0	((time_t)1767225600)	/* 2026-01-01T00:00:00Z */

static int
check(const char *text, int cap, struct retry_policy *p,
    struct retry_policy_error *e)
{
	json_t	*o = json_loads(text, 0, NULL);
	int	 rc;

	assert_non_null(o);
	rc = retry_policy_from_json(o, cap, p, e);
	json_decref(o);
	return rc;
}

static void
assert_policy_error(const char *text, int cap, const char *field,
    const char *code)
{
	struct retry_policy		 p;
	struct retry_policy_error	 e;

	assert_int_equal(check(text, cap, &p, &e), -1);
	assert_string_equal(e.field, field);
	assert_string_equal(e.code, code);
	assert_true(strlen(e.detail) > 0);
}

static void
test_retry_policy__full__accepted(void **state)
{
	struct retry_policy		 p;
	struct retry_policy_error	 e;

	(void)state;
	assert_int_equal(check("{\"enabled\":true,\"max_retries\":3,"
	    "\"interval_seconds\":300,\"outcomes\":[\"not_found\","
	    "\"error\"]}", 5, &p, &e), 0);
	assert_int_equal(p.enabled, 1);
	assert_int_equal(p.max_retries, 3);
	assert_int_equal(p.interval_seconds, 300);
	assert_int_equal(p.outcomes, RETRY_ON_NOT_FOUND | RETRY_ON_ERROR);
}

static void
test_retry_policy__disabled__other_fields_ignored(void **state)
{
	struct retry_policy		 p;
	struct retry_policy_error	 e;

	(void)state;
	assert_int_equal(check("{\"enabled\":false,\"max_retries\":99}", 5,
	    &p, &e), 0);
	assert_int_equal(p.enabled, 0);
}

static void
test_retry_policy__bad_values__field_named(void **state)
{
	(void)state;
	assert_policy_error("{\"max_retries\":3}", 5, "enabled",
	    "missing_attribute");
	assert_policy_error("{\"enabled\":1}", 5, "enabled",
	    "invalid_attribute");
	assert_policy_error("{\"enabled\":true,\"interval_seconds\":300,"
	    "\"outcomes\":[\"error\"]}", 5, "max_retries", "missing_attribute");
	assert_policy_error("{\"enabled\":true,\"max_retries\":0,"
	    "\"interval_seconds\":300,\"outcomes\":[\"error\"]}", 5,
	    "max_retries", "invalid_attribute");
	assert_policy_error("{\"enabled\":true,\"max_retries\":2,"
	    "\"interval_seconds\":299,\"outcomes\":[\"error\"]}", 5,
	    "interval_seconds", "invalid_attribute");
	assert_policy_error("{\"enabled\":true,\"max_retries\":2,"
	    "\"interval_seconds\":86401,\"outcomes\":[\"error\"]}", 5,
	    "interval_seconds", "invalid_attribute");
	assert_policy_error("{\"enabled\":true,\"max_retries\":2,"
	    "\"interval_seconds\":\"300\",\"outcomes\":[\"error\"]}", 5,
	    "interval_seconds", "invalid_attribute");
	assert_policy_error("{\"enabled\":true,\"max_retries\":2,"
	    "\"interval_seconds\":300,\"outcomes\":[]}", 5, "outcomes",
	    "invalid_attribute");
	assert_policy_error("{\"enabled\":true,\"max_retries\":2,"
	    "\"interval_seconds\":300,\"outcomes\":[\"valid\"]}", 5,
	    "outcomes", "invalid_attribute");
	assert_policy_error("{\"enabled\":true,\"max_retries\":2,"
	    "\"interval_seconds\":300,\"outcomes\":[\"error\",\"error\"]}", 5,
	    "outcomes", "invalid_attribute");
	assert_policy_error("{\"enabled\":true,\"max_retries\":2,"
	    "\"interval_seconds\":300,\"outcomes\":[\"error\"],\"x\":1}", 5,
	    "", "unknown_attribute");
	assert_policy_error("[]", 5, "", "invalid_attribute");
}

static void
test_retry_policy__over_cap__states_the_cap(void **state)
{
	struct retry_policy		 p;
	struct retry_policy_error	 e;

	(void)state;
	assert_int_equal(check("{\"enabled\":true,\"max_retries\":6,"
	    "\"interval_seconds\":300,\"outcomes\":[\"error\"]}", 5, &p, &e),
	    -1);
	assert_string_equal(e.field, "max_retries");
	assert_string_equal(e.code, "max_retries_over_cap");
	assert_non_null(strstr(e.detail, "at most 5"));
}

static void
test_retry_outcomes__text__round_trip(void **state)
{
	char	*s;

	(void)state;
	s = retry_outcomes_text(RETRY_ON__ALL);
	assert_string_equal(s, "[\"not_found\",\"cep_unavailable\",\"error\"]");
	assert_int_equal(retry_outcomes_parse(s), RETRY_ON__ALL);
	free(s);
	s = retry_outcomes_text(RETRY_ON_CEP_UNAVAILABLE);
	assert_string_equal(s, "[\"cep_unavailable\"]");
	free(s);
	assert_int_equal(retry_outcomes_parse(NULL), 0);
	assert_int_equal(retry_result_of("processing"), RETRY_RESULT_PENDING);
	assert_int_equal(retry_result_of("failed"), RETRY_RESULT_OTHER);
	assert_int_equal(retry_result_bit(RETRY_RESULT_VALID), 0);
}

static void
cycle_init(struct retry_cycle *c, int max, unsigned int outcomes)
{
	memset(c, 0, sizeof(*c));
	c->policy.enabled = 1;
	c->policy.max_retries = max;
	c->policy.interval_seconds = 600;
	c->policy.outcomes = outcomes;
}

static void
test_retry_cycle__not_found_then_valid__resolved(void **state)
{
	struct retry_cycle	 c;

	(void)state;
	cycle_init(&c, 3, RETRY_ON_NOT_FOUND);
	assert_int_equal(retry_cycle_after(&c, 0, RETRY_RESULT_NOT_FOUND, T0),
	    1);
	assert_int_equal(c.state, RETRY_CYCLE_PENDING);
	assert_int_equal(c.next_attempt_at, T0 + 600);
	assert_int_equal(c.attempts_completed, 0);
	assert_int_equal(retry_cycle_after(&c, 1, RETRY_RESULT_NOT_FOUND,
	    T0 + 600), 1);
	assert_int_equal(c.next_attempt_at, T0 + 1200);
	assert_int_equal(c.attempts_completed, 1);
	assert_int_equal(retry_cycle_after(&c, 2, RETRY_RESULT_VALID,
	    T0 + 1200), 0);
	assert_int_equal(c.state, RETRY_CYCLE_RESOLVED);
	assert_int_equal(c.resolved_at, T0 + 1200);
	assert_int_equal(c.next_attempt_at, 0);
	assert_int_equal(c.attempts_completed, 2);
}

static void
test_retry_cycle__never_found__exhausted_after_max(void **state)
{
	struct retry_cycle	 c;
	int			 i;

	(void)state;
	cycle_init(&c, 3, RETRY_ON_NOT_FOUND | RETRY_ON_ERROR);
	assert_int_equal(retry_cycle_after(&c, 0, RETRY_RESULT_ERROR, T0), 1);
	for (i = 1; i < 3; i++)
		assert_int_equal(retry_cycle_after(&c, i,
		    RETRY_RESULT_NOT_FOUND, T0 + i), 1);
	assert_int_equal(retry_cycle_after(&c, 3, RETRY_RESULT_NOT_FOUND,
	    T0 + 3), 0);
	assert_int_equal(c.state, RETRY_CYCLE_EXHAUSTED);
	assert_int_equal(c.exhausted_at, T0 + 3);
	assert_int_equal(c.attempts_completed, 3);
	/* a finished cycle does not move again */
	assert_int_equal(retry_cycle_after(&c, 3, RETRY_RESULT_VALID, T0 + 9),
	    0);
	assert_int_equal(c.state, RETRY_CYCLE_EXHAUSTED);
}

static void
test_retry_cycle__first_valid_or_unlisted__no_cycle(void **state)
{
	struct retry_cycle	 c;

	(void)state;
	cycle_init(&c, 3, RETRY_ON_NOT_FOUND);
	assert_int_equal(retry_cycle_after(&c, 0, RETRY_RESULT_VALID, T0), 0);
	assert_int_equal(c.state, RETRY_CYCLE_NONE);
	assert_int_equal(c.resolved_at, 0);
	cycle_init(&c, 3, RETRY_ON_NOT_FOUND);
	assert_int_equal(retry_cycle_after(&c, 0,
	    RETRY_RESULT_CEP_UNAVAILABLE, T0), 0);
	assert_int_equal(c.state, RETRY_CYCLE_NONE);
	/* retries off: nothing ever scheduled */
	memset(&c, 0, sizeof(c));
	assert_int_equal(retry_cycle_after(&c, 0, RETRY_RESULT_NOT_FOUND, T0),
	    0);
	assert_int_equal(c.state, RETRY_CYCLE_NONE);
}

static void
test_retry_cycle__unlisted_outcome_mid_cycle__exhausted(void **state)
{
	struct retry_cycle	 c;

	(void)state;
	cycle_init(&c, 5, RETRY_ON_NOT_FOUND);
	assert_int_equal(retry_cycle_after(&c, 0, RETRY_RESULT_NOT_FOUND, T0),
	    1);
	assert_int_equal(retry_cycle_after(&c, 1, RETRY_RESULT_OTHER, T0 + 1),
	    0);
	assert_int_equal(c.state, RETRY_CYCLE_EXHAUSTED);
}

static void
test_retry_cycle__cancel__once_then_same_then_refused(void **state)
{
	struct retry_cycle	 c;

	(void)state;
	cycle_init(&c, 3, RETRY_ON_NOT_FOUND);
	assert_int_equal(retry_cycle_after(&c, 0, RETRY_RESULT_NOT_FOUND, T0),
	    1);
	assert_int_equal(retry_cycle_cancel(&c, RETRY_RESULT_NOT_FOUND,
	    T0 + 5), 0);
	assert_int_equal(c.state, RETRY_CYCLE_CANCELLED);
	assert_int_equal(c.cancelled_at, T0 + 5);
	assert_int_equal(c.next_attempt_at, 0);
	assert_int_equal(retry_cycle_cancel(&c, RETRY_RESULT_NOT_FOUND,
	    T0 + 9), 1);
	assert_int_equal(c.cancelled_at, T0 + 5);
	/* a retry that was running when cancelled is counted, nothing more */
	assert_int_equal(retry_cycle_after(&c, 1, RETRY_RESULT_NOT_FOUND,
	    T0 + 10), 0);
	assert_int_equal(c.attempts_completed, 1);
	assert_int_equal(c.state, RETRY_CYCLE_CANCELLED);
	/* resolved: refused */
	cycle_init(&c, 3, RETRY_ON_NOT_FOUND);
	c.state = RETRY_CYCLE_RESOLVED;
	assert_int_equal(retry_cycle_cancel(&c, RETRY_RESULT_VALID, T0), -1);
	/* no cycle and nothing in flight: refused */
	cycle_init(&c, 3, RETRY_ON_NOT_FOUND);
	assert_int_equal(retry_cycle_cancel(&c, RETRY_RESULT_VALID, T0), -1);
	/* queued with a policy: cancelled before it starts */
	assert_int_equal(retry_cycle_cancel(&c, RETRY_RESULT_PENDING, T0), 0);
	assert_int_equal(retry_cycle_after(&c, 0, RETRY_RESULT_NOT_FOUND, T0),
	    0);
	assert_int_equal(c.state, RETRY_CYCLE_CANCELLED);
}

static void
test_retry_cycle__set_policy__schedules_moves_refuses(void **state)
{
	struct retry_cycle	 c;
	struct retry_policy	 p = { 1, 2, 900, RETRY_ON_NOT_FOUND };
	struct retry_policy	 off = { 0, 0, 0, 0 };

	(void)state;
	/* a finished not_found record without a cycle: one starts */
	memset(&c, 0, sizeof(c));
	assert_int_equal(retry_cycle_set_policy(&c, &p,
	    RETRY_RESULT_NOT_FOUND, T0), (int)RETRY_SET_SCHEDULE);
	assert_int_equal(c.state, RETRY_CYCLE_PENDING);
	assert_int_equal(c.next_attempt_at, T0 + 900);
	/* changed while pending: moved */
	p.interval_seconds = 300;
	assert_int_equal(retry_cycle_set_policy(&c, &p,
	    RETRY_RESULT_NOT_FOUND, T0 + 10), (int)RETRY_SET_SCHEDULE);
	assert_int_equal(c.next_attempt_at, T0 + 310);
	/* max lowered to what already ran: exhausted */
	c.attempts_completed = 2;
	p.max_retries = 2;
	assert_int_equal(retry_cycle_set_policy(&c, &p,
	    RETRY_RESULT_NOT_FOUND, T0 + 20), (int)RETRY_SET_UNSCHEDULE);
	assert_int_equal(c.state, RETRY_CYCLE_EXHAUSTED);
	assert_int_equal(retry_cycle_set_policy(&c, &p,
	    RETRY_RESULT_NOT_FOUND, T0 + 30), -1);
	/* turned off while pending */
	memset(&c, 0, sizeof(c));
	p.max_retries = 3;
	assert_int_equal(retry_cycle_set_policy(&c, &p,
	    RETRY_RESULT_ERROR, T0), 0);	/* error is not in outcomes */
	assert_int_equal(c.state, RETRY_CYCLE_NONE);
	assert_int_equal(retry_cycle_set_policy(&c, &p,
	    RETRY_RESULT_NOT_FOUND, T0), (int)RETRY_SET_SCHEDULE);
	assert_int_equal(retry_cycle_set_policy(&c, &off,
	    RETRY_RESULT_NOT_FOUND, T0), (int)RETRY_SET_UNSCHEDULE);
	assert_int_equal(c.state, RETRY_CYCLE_NONE);
	assert_int_equal(c.policy.enabled, 0);
	/* still queued: the first query applies it */
	memset(&c, 0, sizeof(c));
	assert_int_equal(retry_cycle_set_policy(&c, &p,
	    RETRY_RESULT_PENDING, T0), 0);
	assert_int_equal(c.policy.max_retries, 3);
}

/* what db_retry_after_job asks core after a job ended with status */
static int
after_job(struct retry_cycle *c, int attempt, enum validation_status status,
    time_t now)
{
	return retry_cycle_after(c, attempt,
	    retry_result_of(validation_status_name(status)), now);
}

static void
test_retry_scheduler__every_status_after_first_query__policy_decides(
    void **state)
{
	static const struct {
		enum validation_status	 status;
		int			 schedule;
		enum retry_cycle_state	 state;
	} want[VALIDATION_STATUS__MAX] = {
		/* not ended yet (a settled replay): nothing moves */
		{ VALIDATION_STATUS_QUEUED, 0, RETRY_CYCLE_NONE },
		{ VALIDATION_STATUS_PROCESSING, 0, RETRY_CYCLE_NONE },
		{ VALIDATION_STATUS_VALID, 0, RETRY_CYCLE_NONE },
		{ VALIDATION_STATUS_NOT_FOUND, 1, RETRY_CYCLE_PENDING },
		{ VALIDATION_STATUS_CEP_UNAVAILABLE, 1, RETRY_CYCLE_PENDING },
		/* never retried, whatever the policy lists */
		{ VALIDATION_STATUS_INVALID, 0, RETRY_CYCLE_NONE },
		{ VALIDATION_STATUS_FAILED, 0, RETRY_CYCLE_NONE },
		{ VALIDATION_STATUS_ERROR, 1, RETRY_CYCLE_PENDING },
	};
	struct retry_cycle	 c;
	size_t			 i;

	(void)state;
	for (i = 0; i < VALIDATION_STATUS__MAX; i++) {
		assert_int_equal(want[i].status, i);
		cycle_init(&c, 2, RETRY_ON__ALL);
		assert_int_equal(after_job(&c, 0, want[i].status, T0),
		    want[i].schedule);
		assert_int_equal(c.state, want[i].state);
		assert_int_equal(c.next_attempt_at,
		    want[i].schedule ? T0 + 600 : 0);
		assert_int_equal(c.attempts_completed, 0);
		assert_int_equal(c.resolved_at + c.exhausted_at +
		    c.cancelled_at, 0);
	}
}

static void
test_retry_scheduler__outcome_not_in_policy__no_cycle_or_exhausted(
    void **state)
{
	struct retry_cycle	 c;

	(void)state;
	/* first query: the cycle never starts */
	cycle_init(&c, 3, RETRY_ON_NOT_FOUND);
	assert_int_equal(after_job(&c, 0, VALIDATION_STATUS_ERROR, T0), 0);
	assert_int_equal(c.state, RETRY_CYCLE_NONE);
	assert_int_equal(c.exhausted_at, 0);
	/* a listed outcome keeps it going, an unlisted one ends it */
	cycle_init(&c, 5, RETRY_ON_NOT_FOUND | RETRY_ON_CEP_UNAVAILABLE);
	assert_int_equal(after_job(&c, 0, VALIDATION_STATUS_NOT_FOUND, T0), 1);
	assert_int_equal(after_job(&c, 1, VALIDATION_STATUS_CEP_UNAVAILABLE,
	    T0 + 600), 1);
	assert_int_equal(c.next_attempt_at, T0 + 1200);
	assert_int_equal(after_job(&c, 2, VALIDATION_STATUS_ERROR, T0 + 1200),
	    0);
	assert_int_equal(c.state, RETRY_CYCLE_EXHAUSTED);
	assert_int_equal(c.exhausted_at, T0 + 1200);
	assert_int_equal(c.next_attempt_at, 0);
	assert_int_equal(c.attempts_completed, 2);
	/* a retry that finds the record invalid ends it the same way */
	cycle_init(&c, 5, RETRY_ON__ALL);
	assert_int_equal(after_job(&c, 0, VALIDATION_STATUS_ERROR, T0), 1);
	assert_int_equal(after_job(&c, 1, VALIDATION_STATUS_INVALID, T0 + 1),
	    0);
	assert_int_equal(c.state, RETRY_CYCLE_EXHAUSTED);
}

static void
test_retry_scheduler__attempt_times__interval_after_each_end(void **state)
{
	struct retry_cycle	 c;

	(void)state;
	cycle_init(&c, 3, RETRY_ON_NOT_FOUND);
	c.policy.interval_seconds = RETRY_INTERVAL_MIN;
	assert_int_equal(after_job(&c, 0, VALIDATION_STATUS_NOT_FOUND, T0), 1);
	/* retry number attempts_completed + 1 = 1 at T0 + 300 */
	assert_int_equal(c.attempts_completed + 1, 1);
	assert_int_equal(c.next_attempt_at, T0 + 300);
	/* it ran 45 s late: the next is counted from when it ended */
	assert_int_equal(after_job(&c, 1, VALIDATION_STATUS_NOT_FOUND,
	    T0 + 345), 1);
	assert_int_equal(c.attempts_completed + 1, 2);
	assert_int_equal(c.next_attempt_at, T0 + 645);
	/* the longest interval */
	cycle_init(&c, 1, RETRY_ON_ERROR);
	c.policy.interval_seconds = RETRY_INTERVAL_MAX;
	assert_int_equal(after_job(&c, 0, VALIDATION_STATUS_ERROR, T0), 1);
	assert_int_equal(c.next_attempt_at, T0 + 86400);
}

static void
test_retry_scheduler__max_retries_reached__exhausted_or_resolved(
    void **state)
{
	struct retry_cycle	 c;

	(void)state;
	/* one retry allowed: it runs, then the cycle ends */
	cycle_init(&c, 1, RETRY_ON_NOT_FOUND);
	assert_int_equal(after_job(&c, 0, VALIDATION_STATUS_NOT_FOUND, T0), 1);
	assert_int_equal(after_job(&c, 1, VALIDATION_STATUS_NOT_FOUND,
	    T0 + 600), 0);
	assert_int_equal(c.state, RETRY_CYCLE_EXHAUSTED);
	assert_int_equal(c.exhausted_at, T0 + 600);
	assert_int_equal(c.resolved_at, 0);
	/* found on the last allowed retry: resolved, not exhausted */
	cycle_init(&c, 2, RETRY_ON_NOT_FOUND);
	assert_int_equal(after_job(&c, 0, VALIDATION_STATUS_NOT_FOUND, T0), 1);
	assert_int_equal(after_job(&c, 1, VALIDATION_STATUS_NOT_FOUND,
	    T0 + 600), 1);
	assert_int_equal(after_job(&c, 2, VALIDATION_STATUS_VALID, T0 + 1200),
	    0);
	assert_int_equal(c.state, RETRY_CYCLE_RESOLVED);
	assert_int_equal(c.resolved_at, T0 + 1200);
	assert_int_equal(c.exhausted_at, 0);
	assert_int_equal(c.next_attempt_at, 0);
	/* found by the first retry */
	cycle_init(&c, 3, RETRY_ON_CEP_UNAVAILABLE);
	assert_int_equal(after_job(&c, 0, VALIDATION_STATUS_CEP_UNAVAILABLE,
	    T0), 1);
	assert_int_equal(after_job(&c, 1, VALIDATION_STATUS_VALID, T0 + 600),
	    0);
	assert_int_equal(c.state, RETRY_CYCLE_RESOLVED);
	assert_int_equal(c.resolved_at, T0 + 600);
	assert_int_equal(c.attempts_completed, 1);
}

static void
test_retry_scheduler__finished_cycle__counts_but_never_reschedules(
    void **state)
{
	static const enum retry_cycle_state done[] = { RETRY_CYCLE_RESOLVED,
	    RETRY_CYCLE_EXHAUSTED, RETRY_CYCLE_CANCELLED };
	struct retry_cycle	 c;
	size_t			 i;

	(void)state;
	for (i = 0; i < 3; i++) {
		cycle_init(&c, 5, RETRY_ON__ALL);
		c.state = done[i];
		c.attempts_completed = 1;
		assert_int_equal(after_job(&c, 2, VALIDATION_STATUS_NOT_FOUND,
		    T0), 0);
		assert_int_equal(c.state, done[i]);
		assert_int_equal(c.next_attempt_at, 0);
		assert_int_equal(c.attempts_completed, 2);
	}
}

static void
test_retry_scheduler__late_or_pending_job__cycle_kept(void **state)
{
	struct retry_cycle	 c;

	(void)state;
	cycle_init(&c, 5, RETRY_ON_NOT_FOUND);
	assert_int_equal(after_job(&c, 0, VALIDATION_STATUS_NOT_FOUND, T0), 1);
	assert_int_equal(after_job(&c, 1, VALIDATION_STATUS_NOT_FOUND,
	    T0 + 600), 1);
	assert_int_equal(after_job(&c, 2, VALIDATION_STATUS_NOT_FOUND,
	    T0 + 1200), 1);
	/* retry 1 finishing again (a replayed lease): the count stays */
	assert_int_equal(after_job(&c, 1, VALIDATION_STATUS_NOT_FOUND,
	    T0 + 1300), 1);
	assert_int_equal(c.attempts_completed, 2);
	assert_int_equal(c.attempts_completed + 1, 3);
	/* a job that left the record pending moves nothing */
	cycle_init(&c, 5, RETRY_ON_NOT_FOUND);
	assert_int_equal(after_job(&c, 0, VALIDATION_STATUS_NOT_FOUND, T0), 1);
	assert_int_equal(after_job(&c, 1, VALIDATION_STATUS_PROCESSING,
	    T0 + 600), 0);
	assert_int_equal(c.state, RETRY_CYCLE_PENDING);
	assert_int_equal(c.next_attempt_at, T0 + 600);
	/* retries turned off meanwhile: the cycle stops, nothing queued */
	c.policy.enabled = 0;
	assert_int_equal(after_job(&c, 1, VALIDATION_STATUS_NOT_FOUND,
	    T0 + 600), 0);
	assert_int_equal(c.state, RETRY_CYCLE_NONE);
	assert_int_equal(c.next_attempt_at, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_retry_policy__full__accepted),
		cmocka_unit_test(
		    test_retry_policy__disabled__other_fields_ignored),
		cmocka_unit_test(test_retry_policy__bad_values__field_named),
		cmocka_unit_test(test_retry_policy__over_cap__states_the_cap),
		cmocka_unit_test(test_retry_outcomes__text__round_trip),
		cmocka_unit_test(
		    test_retry_cycle__not_found_then_valid__resolved),
		cmocka_unit_test(
		    test_retry_cycle__never_found__exhausted_after_max),
		cmocka_unit_test(
		    test_retry_cycle__first_valid_or_unlisted__no_cycle),
		cmocka_unit_test(
		    test_retry_cycle__unlisted_outcome_mid_cycle__exhausted),
		cmocka_unit_test(
		    test_retry_cycle__cancel__once_then_same_then_refused),
		cmocka_unit_test(
		    test_retry_cycle__set_policy__schedules_moves_refuses),
		cmocka_unit_test(
		    test_retry_scheduler__every_status_after_first_query__policy_decides),
		cmocka_unit_test(
		    test_retry_scheduler__outcome_not_in_policy__no_cycle_or_exhausted),
		cmocka_unit_test(
		    test_retry_scheduler__attempt_times__interval_after_each_end),
		cmocka_unit_test(
		    test_retry_scheduler__max_retries_reached__exhausted_or_resolved),
		cmocka_unit_test(
		    test_retry_scheduler__finished_cycle__counts_but_never_reschedules),
		cmocka_unit_test(
		    test_retry_scheduler__late_or_pending_job__cycle_kept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
