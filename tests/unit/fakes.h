/*
 * mxcep: link seams for the unit tests of the api and work layers. A
 * test program links these fakes in place of the store, the Banxico
 * client and memcached (it names no libmxcep_store.a, and the
 * libraries' client.o and cache.o are never pulled in because every
 * symbol of theirs is defined here). Each fake records the calls it
 * got and answers what the test scripted in its struct; a function
 * no test scripts fails the test when called.
 *
 * fake_reset() before each test (a cmocka setup), fake_free() after.
 */
#ifndef MXCEP_TESTS_FAKES_H
#define MXCEP_TESTS_FAKES_H

#include <stdint.h>
#include <time.h>

#include "banxico/banxico.h"
#include "core/core.h"
#include "store/store.h"

/* fake_store.c: one in-memory record (the one enqueued or given) and
 * the calls of the work queue, the back-off state and idempotency */
struct fake_store {
	/* db_unavailable(): 1 = the server is down (503) */
	int			 unavailable;
	/* the record db_validation_get() answers (a copy); NULL = none.
	 * db_validation_enqueue() sets it to a copy of what it got, and
	 * db_job_finish() writes the outcome into it. */
	struct validation	*record;
	int			 get_rc, get_calls;
	/* db_validation_enqueue: enqueue_rc 1 = the key's claim was lost */
	int			 enqueue_rc, enqueue_calls;
	char			 enqueue_idem_key[256];	/* "" = no claim */
	uint64_t		 enqueue_job_id;	/* handed out */
	char			 enqueue_owner[96];	/* "" = NULL (queued) */
	time_t			 enqueue_lease_until;
	/* db_job_claim (an async job run after its response) */
	int			 claim_calls, claim_claimed;
	uint64_t		 claim_job_id;
	/* db_validation_start, db_validation_etag */
	int			 start_calls;
	/* db_job_release */
	int			 release_calls;
	uint64_t		 release_job_id;
	time_t			 release_when;
	/* db_job_finish: finish_finished 0 = the lease was lost */
	int			 finish_rc, finish_finished, finish_calls;
	struct job		 finish_job;
	struct validation_outcome finish;	/* its strings point below */
	char			*finish_error_code, *finish_error_message,
				*finish_banxico_status, *finish_banxico_result,
				*finish_clave_rastreo, *finish_referencia;
	/* the back-off: db_state_get answers state; start/end record */
	int			 state_get_rc, state_get_calls;
	struct state_deadline	 state;
	int			 state_start_calls, state_end_calls;
	time_t			 state_start_until;
	/* db_idem_begin answers idem_state and idem_record (copied: the
	 * answer of IDEM_REPLAY, the resource_id of IDEM_RESOURCE) */
	int			 idem_begin_rc, idem_begin_calls;
	enum idem_state		 idem_state;
	struct idem_record	 idem_record;
	char			 idem_key[256], idem_endpoint[32];
	char			 idem_hash[65];	/* the request's, as sent */
	int			 idem_complete_calls, idem_complete_status;
	int			 idem_forget_calls;
	/* db_account_retry_settings */
	int			 retry_plan_cap, retry_found;
	struct retry_policy	 retry_default;
	/* the bank catalog bank_cache_catalog() answers; NULL = none */
	struct bank_catalog	*banks;
};
extern struct fake_store fake_store;

/* fake_banxico.c: banxico_query() answers fake_banxico.answer */
struct fake_banxico {
	enum banxico_outcome	 outcome;
	long			 http_status;
	struct cep_status	*status;	/* copied into the answer */
	const char		*xml;		/* the CEP bytes, NULL = none */
	const char		*cep_clave;	/* a parsed CEP's clave_rastreo */
	int			 calls;
	struct banxico_query	 query;		/* the last one (borrowed) */
	char			 criterio[64];	/* its criterio, copied */
};
extern struct fake_banxico fake_banxico;

/* fake_cache.c: cache_incr() answers incr_value (-1 = memcached down);
 * cache_set/add/delete record the last key */
struct fake_cache {
	int64_t			 incr_value;
	int			 incr_calls, set_calls, delete_calls;
	char			 last_key[128];
	char			 last_value[32];
};
extern struct fake_cache fake_cache;

void	 fake_reset(void);
/* the config both seam tests start from (workers 2, Banxico limits,
 * job_max_attempts 5); a test sets what it needs on top */
struct config;
void	 fake_config(struct config *);
void	 fake_free(void);
/* a cep_status with these fields (NULL = absent), for fake_banxico */
struct cep_status *fake_cep_status(const char *estado_text,
	    const char *clave_rastreo, const char *referencia);

#endif /* MXCEP_TESTS_FAKES_H */
