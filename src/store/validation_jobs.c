/*
 * mxcep: the admin view of a validation's jobs (the runner's queue).
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
db_validation_jobs(struct db *db, const char *id, struct job_attempt **out,
    size_t *n)
{
	struct dbp		 p;
	struct dbr		 r;
	struct job_attempt	*j = NULL;
	size_t			 nj = 0;
	int			 rc;

	dbp_init(&p);
	dbp_str(&p, id);
	if (db_run(db, STMT_JOBS_OF_VALIDATION, &p, &r) == -1)
		return -1;
	while ((rc = dbr_fetch(&r)) == 1) {
		j = xrealloc(j, (nj + 1) * sizeof(*j));
		memset(&j[nj], 0, sizeof(j[nj]));
		j[nj].id = (uint64_t)dbr_i64(&r, 0, 0);
		dbr_strcpy(&r, 1, j[nj].kind, sizeof(j[nj].kind));
		dbr_strcpy(&r, 2, j[nj].state, sizeof(j[nj].state));
		j[nj].tries = (int)dbr_i64(&r, 3, 0);
		j[nj].run_after = dbr_time(&r, 4);
		j[nj].lease_owner = dbr_str(&r, 5);
		j[nj].lease_until = dbr_time(&r, 6);
		j[nj].created_at = dbr_time(&r, 7);
		j[nj].finished_at = dbr_time(&r, 8);
		nj++;
	}
	dbr_done(&r);
	if (rc == -1) {
		job_attempt_list_free(j, nj);
		return -1;
	}
	*out = j;
	*n = nj;
	return 0;
}

void
job_attempt_list_free(struct job_attempt *j, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		free(j[i].lease_owner);
	free(j);
}
