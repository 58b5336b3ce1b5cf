/*
 * mxcep: retry policy maths (issue 5). Checks a retry_policy object,
 * and moves a retry cycle on after an attempt, a policy change or a
 * cancel. Pure: the store and the handlers apply what it decides.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "util/util.h"
#include "core/core.h"

static const struct {
	const char	*name;
	unsigned int	 bit;
} retry_outcome_names[] = {
	{ "not_found", RETRY_ON_NOT_FOUND },
	{ "cep_unavailable", RETRY_ON_CEP_UNAVAILABLE },
	{ "error", RETRY_ON_ERROR },
};
#define RETRY_NOUTCOMES \
	(sizeof(retry_outcome_names) / sizeof(retry_outcome_names[0]))

enum retry_result
retry_result_of(const char *status)
{
	if (status == NULL)
		return RETRY_RESULT_OTHER;
	if (strcmp(status, "queued") == 0 || strcmp(status, "processing") == 0)
		return RETRY_RESULT_PENDING;
	if (strcmp(status, "valid") == 0)
		return RETRY_RESULT_VALID;
	if (strcmp(status, "not_found") == 0)
		return RETRY_RESULT_NOT_FOUND;
	if (strcmp(status, "cep_unavailable") == 0)
		return RETRY_RESULT_CEP_UNAVAILABLE;
	if (strcmp(status, "error") == 0)
		return RETRY_RESULT_ERROR;
	return RETRY_RESULT_OTHER;
}

unsigned int
retry_result_bit(enum retry_result r)
{
	switch (r) {
	case RETRY_RESULT_NOT_FOUND:
		return RETRY_ON_NOT_FOUND;
	case RETRY_RESULT_CEP_UNAVAILABLE:
		return RETRY_ON_CEP_UNAVAILABLE;
	case RETRY_RESULT_ERROR:
		return RETRY_ON_ERROR;
	default:
		return 0;
	}
}

static int
policy_fail(struct retry_policy_error *e, const char *field, const char *code,
    const char *detail)
{
	e->field = field;
	e->code = code;
	snprintf(e->detail, sizeof(e->detail), "%s", detail);
	return -1;
}

/* an integer member in lo..hi; -1 with *e otherwise */
static int
policy_int(const json_t *o, const char *field, long long lo, long long hi,
    int *out, struct retry_policy_error *e)
{
	const json_t	*v = json_object_get(o, field);
	char		 detail[160];

	snprintf(detail, sizeof(detail), "retry_policy.%s is an integer "
	    "from %lld to %lld", field, lo, hi);
	if (v == NULL || json_is_null(v))
		return policy_fail(e, field, "missing_attribute", detail);
	if (!json_is_integer(v) || json_integer_value(v) < lo ||
	    json_integer_value(v) > hi)
		return policy_fail(e, field, "invalid_attribute", detail);
	*out = (int)json_integer_value(v);
	return 0;
}

static int
policy_outcomes(const json_t *o, unsigned int *bits,
    struct retry_policy_error *e)
{
	static const char	*want = "retry_policy.outcomes is a non-empty "
	    "array of distinct values among \"not_found\", "
	    "\"cep_unavailable\" and \"error\"";
	const json_t		*v = json_object_get(o, "outcomes"), *x;
	const char		*s;
	size_t			 i, k;
	unsigned int		 bit;

	*bits = 0;
	if (v == NULL || json_is_null(v))
		return policy_fail(e, "outcomes", "missing_attribute", want);
	if (!json_is_array(v) || json_array_size(v) == 0)
		return policy_fail(e, "outcomes", "invalid_attribute", want);
	json_array_foreach(v, i, x) {
		s = json_string_value(x);
		for (k = 0, bit = 0; s != NULL && k < RETRY_NOUTCOMES; k++)
			if (strcmp(s, retry_outcome_names[k].name) == 0)
				bit = retry_outcome_names[k].bit;
		if (bit == 0 || (*bits & bit) != 0)
			return policy_fail(e, "outcomes", "invalid_attribute",
			    want);
		*bits |= bit;
	}
	return 0;
}

int
retry_policy_from_json(const json_t *o, int cap, struct retry_policy *p,
    struct retry_policy_error *e)
{
	static const char *const known[] = { "enabled", "max_retries",
	    "interval_seconds", "outcomes", NULL };
	const char	*key;
	const json_t	*v, *en;
	size_t		 i;
	int		 ok;

	memset(p, 0, sizeof(*p));
	memset(e, 0, sizeof(*e));
	if (!json_is_object(o))
		return policy_fail(e, "", "invalid_attribute", "retry_policy "
		    "is an object {enabled, max_retries, interval_seconds, "
		    "outcomes}");
	json_object_foreach((json_t *)(uintptr_t)o, key, v) {
		for (i = 0, ok = 0; known[i] != NULL && !ok; i++)
			ok = strcmp(key, known[i]) == 0;
		if (!ok) {
			e->field = "";
			e->code = "unknown_attribute";
			snprintf(e->detail, sizeof(e->detail), "retry_policy "
			    "has no attribute \"%.60s\"", key);
			return -1;
		}
	}
	en = json_object_get(o, "enabled");
	if (en == NULL || !json_is_boolean(en))
		return policy_fail(e, "enabled", en == NULL ?
		    "missing_attribute" : "invalid_attribute",
		    "retry_policy.enabled is true or false");
	if (json_is_false(en))
		return 0;	/* retries off: the other members do not matter */
	p->enabled = 1;
	if (cap < 1)
		return policy_fail(e, "enabled", "max_retries_over_cap",
		    "retries are not available: the cap on max_retries is 0");
	v = json_object_get(o, "max_retries");
	if (v != NULL && json_is_integer(v) && json_integer_value(v) > cap) {
		e->field = "max_retries";
		e->code = "max_retries_over_cap";
		snprintf(e->detail, sizeof(e->detail), "retry_policy."
		    "max_retries is at most %d (the cap of this account)", cap);
		return -1;
	}
	if (policy_int(o, "max_retries", 1, cap, &p->max_retries, e) == -1 ||
	    policy_int(o, "interval_seconds", RETRY_INTERVAL_MIN,
	    RETRY_INTERVAL_MAX, &p->interval_seconds, e) == -1 ||
	    policy_outcomes(o, &p->outcomes, e) == -1)
		return -1;
	return 0;
}

char *
retry_outcomes_text(unsigned int outcomes)
{
	char	 s[64];
	size_t	 i, n = 0;

	s[n++] = '[';
	for (i = 0; i < RETRY_NOUTCOMES; i++) {
		if ((outcomes & retry_outcome_names[i].bit) == 0)
			continue;
		n += (size_t)snprintf(s + n, sizeof(s) - n, "%s\"%s\"",
		    n > 1 ? "," : "", retry_outcome_names[i].name);
	}
	snprintf(s + n, sizeof(s) - n, "]");
	return xstrdup(s);
}

unsigned int
retry_outcomes_parse(const char *text)
{
	json_t		*a, *x;
	size_t		 i, k;
	unsigned int	 bits = 0;

	if (text == NULL || (a = json_loads(text, 0, NULL)) == NULL)
		return 0;
	json_array_foreach(a, i, x) {
		for (k = 0; k < RETRY_NOUTCOMES; k++)
			if (json_is_string(x) && strcmp(json_string_value(x),
			    retry_outcome_names[k].name) == 0)
				bits |= retry_outcome_names[k].bit;
	}
	json_decref(a);
	return bits;
}

static int
cycle_finished(const struct retry_cycle *c)
{
	return c->state == RETRY_CYCLE_RESOLVED ||
	    c->state == RETRY_CYCLE_EXHAUSTED ||
	    c->state == RETRY_CYCLE_CANCELLED;
}

/* the cycle ends at now in state s */
static void
cycle_end(struct retry_cycle *c, enum retry_cycle_state s, time_t now)
{
	c->state = s;
	c->next_attempt_at = 0;
	if (s == RETRY_CYCLE_RESOLVED)
		c->resolved_at = now;
	else if (s == RETRY_CYCLE_EXHAUSTED)
		c->exhausted_at = now;
	else if (s == RETRY_CYCLE_CANCELLED)
		c->cancelled_at = now;
}

/* schedules the next retry at now + interval; 1 */
static int
cycle_schedule(struct retry_cycle *c, time_t now)
{
	c->state = RETRY_CYCLE_PENDING;
	c->next_attempt_at = now + c->policy.interval_seconds;
	return 1;
}

int
retry_cycle_after(struct retry_cycle *c, int attempt, enum retry_result r,
    time_t now)
{
	if (attempt > c->attempts_completed)
		c->attempts_completed = attempt;
	if (cycle_finished(c) || r == RETRY_RESULT_PENDING)
		return 0;
	if (!c->policy.enabled) {
		c->state = RETRY_CYCLE_NONE;
		c->next_attempt_at = 0;
		return 0;
	}
	if (r == RETRY_RESULT_VALID) {
		/* the first validation found it: no cycle was needed */
		if (attempt >= 1)
			cycle_end(c, RETRY_CYCLE_RESOLVED, now);
		else {
			c->state = RETRY_CYCLE_NONE;
			c->next_attempt_at = 0;
		}
		return 0;
	}
	if ((retry_result_bit(r) & c->policy.outcomes) != 0 &&
	    c->attempts_completed < c->policy.max_retries)
		return cycle_schedule(c, now);
	if (attempt >= 1 || c->state == RETRY_CYCLE_PENDING)
		/* the last attempt, or an outcome that is not retried
		 * (invalid, failed): the cycle ends unresolved */
		cycle_end(c, RETRY_CYCLE_EXHAUSTED, now);
	else {
		c->state = RETRY_CYCLE_NONE;
		c->next_attempt_at = 0;
	}
	return 0;
}

int
retry_cycle_set_policy(struct retry_cycle *c, const struct retry_policy *p,
    enum retry_result current, time_t now)
{
	int	 was_pending = c->state == RETRY_CYCLE_PENDING;

	if (cycle_finished(c))
		return -1;
	if (!p->enabled) {
		memset(&c->policy, 0, sizeof(c->policy));
		c->state = RETRY_CYCLE_NONE;
		c->next_attempt_at = 0;
		return was_pending ? (int)RETRY_SET_UNSCHEDULE : 0;
	}
	c->policy = *p;
	if (current == RETRY_RESULT_PENDING && !was_pending)
		return 0;	/* the first validation will apply it */
	if (was_pending) {
		if (c->attempts_completed >= p->max_retries) {
			cycle_end(c, RETRY_CYCLE_EXHAUSTED, now);
			return (int)RETRY_SET_UNSCHEDULE;
		}
		return cycle_schedule(c, now) ? (int)RETRY_SET_SCHEDULE : 0;
	}
	/* no cycle yet: start one when the record's outcome calls for it */
	if ((retry_result_bit(current) & p->outcomes) != 0 &&
	    c->attempts_completed < p->max_retries)
		return cycle_schedule(c, now) ? (int)RETRY_SET_SCHEDULE : 0;
	return 0;
}

int
retry_cycle_cancel(struct retry_cycle *c, enum retry_result current,
    time_t now)
{
	if (c->state == RETRY_CYCLE_CANCELLED)
		return 1;
	if (c->state == RETRY_CYCLE_PENDING ||
	    (c->state == RETRY_CYCLE_NONE && c->policy.enabled &&
	    current == RETRY_RESULT_PENDING)) {
		cycle_end(c, RETRY_CYCLE_CANCELLED, now);
		return 0;
	}
	return -1;
}
