/*
 * mxcep: a retry cycle's state as core/retry.c knows it (enum
 * retry_cycle_state) and as the validations table stores it (enum
 * retry_terminal, store.h), mapped by name in one table, never by value.
 */
#include <stddef.h>

#include "util/util.h"
#include "core/core.h"
#include "store/store.h"
#include "store/store_int.h"

/* the stored terminal state (store.h) of each cycle state (core.h):
 * mapped by name, never by value */
static const struct {
	enum retry_terminal	 stored;
	enum retry_cycle_state	 cycle;
} cycle_states[] = {
	{ RETRY_TERMINAL_NONE, RETRY_CYCLE_NONE },
	{ RETRY_TERMINAL_PENDING, RETRY_CYCLE_PENDING },
	{ RETRY_TERMINAL_RESOLVED, RETRY_CYCLE_RESOLVED },
	{ RETRY_TERMINAL_EXHAUSTED, RETRY_CYCLE_EXHAUSTED },
	{ RETRY_TERMINAL_CANCELLED, RETRY_CYCLE_CANCELLED },
};
#define N_CYCLE_STATES	(sizeof(cycle_states) / sizeof(cycle_states[0]))
_Static_assert(N_CYCLE_STATES == RETRY_CYCLE__MAX &&
    N_CYCLE_STATES == RETRY_TERMINAL__MAX,
    "a cycle state or a terminal state without its pair");

/* the cycle state of stored state t; -1 (logged) for an unknown one */
int
retry_cycle_state_of(enum retry_terminal t, enum retry_cycle_state *out)
{
	size_t	 i;

	for (i = 0; i < N_CYCLE_STATES; i++)
		if (cycle_states[i].stored == t) {
			*out = cycle_states[i].cycle;
			return 0;
		}
	log_warnx("%s: unknown retry terminal state %d", __func__, (int)t);
	return -1;
}

/* the stored state of cycle state c; -1 (logged) for an unknown one */
int
retry_stored_state_of(enum retry_cycle_state c, enum retry_terminal *out)
{
	size_t	 i;

	for (i = 0; i < N_CYCLE_STATES; i++)
		if (cycle_states[i].cycle == c) {
			*out = cycle_states[i].stored;
			return 0;
		}
	log_warnx("%s: unknown retry cycle state %d", __func__, (int)c);
	return -1;
}
