/*
 * mxcep: the admin raw view of a validation: Banxico's answer as
 * stored with the CEP.
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
db_validation_raw_answer(struct db *db, const char *id, char **raw,
    size_t *len)
{
	struct dbp	 p;
	struct dbr	 r;
	int		 rc;

	*raw = NULL;
	*len = 0;
	dbp_init(&p);
	dbp_str(&p, id);
	if (db_run(db, STMT_CEP_RAW, &p, &r) == -1)
		return -1;
	if ((rc = dbr_fetch(&r)) == 1 && !dbr_null(&r, 0)) {
		*len = dbr_len(&r, 0);
		*raw = dbr_str(&r, 0);
	}
	dbr_done(&r);
	return rc == -1 ? -1 : 0;
}
