/*
 * mxcep: record mutations of a validation: the soft delete (its retry
 * cycle cancelled under the same row lock).
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/core.h"
#include "util/util.h"
#include "store/store.h"
#include "store/store_int.h"
#include "store/query.h"

int
db_validation_soft_delete(struct db *db, const char *account_id,
    const char *id, time_t now, int *found, int *changed, int *cancelled,
    int64_t *etag)
{
	struct dbp	 p;
	struct dbr	 r;
	int		 rc;

	*found = *changed = *cancelled = 0;
	*etag = -1;
	if (!uuid_valid(id) || !uuid_valid(account_id))
		return 0;
	if (db_begin(db) == -1)
		return -1;
	/* the row lock first: the cycle and the delete move together */
	if (db_retry_cancel_locked(db, account_id, id, now, found,
	    cancelled) == -1)
		goto fail;
	if (!*found) {
		db_rollback(db);
		return 0;
	}
	dbp_init(&p);
	dbp_time(&p, now);
	dbp_time(&p, now);
	dbp_str(&p, id);
	dbp_str(&p, account_id);
	if (db_run(db, STMT_VALIDATION_SOFT_DELETE, &p, NULL) == -1)
		goto fail;
	*changed = db_affected(db) > 0 || *cancelled;
	dbp_init(&p);
	dbp_str(&p, id);
	dbp_str(&p, account_id);
	if (db_run(db, STMT_VALIDATION_ACCOUNT_ETAG, &p, &r) == -1)
		goto fail;
	if ((rc = dbr_fetch(&r)) == 1)
		*etag = dbr_i64(&r, 0, -1);
	dbr_done(&r);
	if (rc == -1 || db_commit(db) == -1)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	*found = *changed = *cancelled = 0;
	return -1;
}
