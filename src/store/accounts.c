/*
 * mxcep: plans and accounts. An account belongs to one plan; the plan
 * caps per-validation retry settings. Ids are UUID v4 made here.
 */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "util/util.h"
#include "store/store.h"
#include "store/store_int.h"

static void
plan_read(struct dbr *r, struct plan *p)
{
	p->id = (uint64_t)dbr_i64(r, 0, 0);
	p->name = dbr_str(r, 1);
	p->retry_max_retries = (int)dbr_i64(r, 2, 0);
	p->created_at = dbr_time(r, 3);
}

int
db_plan_create(struct db *db, const char *name, int retry_max_retries,
    uint64_t *id)
{
	struct dbp	 p;
	struct plan	*pl = NULL;
	int		 rc = -1;

	dbp_init(&p);
	dbp_str(&p, name);
	dbp_i64(&p, retry_max_retries);
	dbp_time(&p, clock_now());
	if (db_run(db, STMT_PLAN_INSERT, &p, NULL) == -1)
		return -1;
	if (db_plan_by_name(db, name, &pl) == -1 || pl == NULL)
		goto out;
	*id = pl->id;
	rc = 0;
out:
	plan_free(pl);
	return rc;
}

int
db_plan_by_name(struct db *db, const char *name, struct plan **out)
{
	struct dbp	 p;
	struct dbr	 r;
	struct plan	*pl = NULL;
	int		 rc;

	dbp_init(&p);
	dbp_str(&p, name);
	if (db_run(db, STMT_PLAN_BY_NAME, &p, &r) == -1)
		return -1;
	if ((rc = dbr_fetch(&r)) == 1) {
		pl = xcalloc(1, sizeof(*pl));
		plan_read(&r, pl);
	}
	dbr_done(&r);
	if (rc == -1)
		return -1;
	*out = pl;
	return 0;
}

int
db_plan_list(struct db *db, struct plan **out, size_t *nout)
{
	struct dbr	 r;
	struct plan	*pl = NULL;
	size_t		 n = 0;
	int		 rc;

	if (db_run(db, STMT_PLAN_LIST, NULL, &r) == -1)
		return -1;
	while ((rc = dbr_fetch(&r)) == 1) {
		pl = xrealloc(pl, (n + 1) * sizeof(*pl));
		plan_read(&r, &pl[n++]);
	}
	dbr_done(&r);
	if (rc == -1) {
		plan_list_free(pl, n);
		return -1;
	}
	*out = pl;
	*nout = n;
	return 0;
}

void
plan_free(struct plan *p)
{
	if (p == NULL)
		return;
	free(p->name);
	free(p);
}

void
plan_list_free(struct plan *p, size_t n)
{
	size_t	 i;

	if (p == NULL)
		return;
	for (i = 0; i < n; i++)
		free(p[i].name);
	free(p);
}

int
db_account_create(struct db *db, const char *name, const char *plan_name,
    char id[UUID_STR_LEN + 1])
{
	struct dbp	 p;
	char		 nid[UUID_STR_LEN + 1];

	if (plan_name == NULL)
		plan_name = "default";
	if (uuid_v4(nid) == -1)
		return -1;
	dbp_init(&p);
	dbp_str(&p, nid);
	dbp_str(&p, name);
	dbp_time(&p, clock_now());
	dbp_str(&p, plan_name);
	if (db_run(db, STMT_ACCOUNT_INSERT, &p, NULL) == -1)
		return -1;
	if (db_affected(db) != 1) {
		log_warnx("%s: no plan named \"%s\"", __func__, plan_name);
		return -1;
	}
	memcpy(id, nid, sizeof(nid));
	return 0;
}

int
db_account_exists(struct db *db, const char *id, int *exists)
{
	struct dbp	 p;
	struct dbr	 r;
	int		 rc;

	if (!uuid_valid(id)) {
		*exists = 0;
		return 0;
	}
	dbp_init(&p);
	dbp_str(&p, id);
	if (db_run(db, STMT_ACCOUNT_EXISTS, &p, &r) == -1)
		return -1;
	rc = dbr_fetch(&r);
	dbr_done(&r);
	if (rc == -1)
		return -1;
	*exists = rc == 1;
	return 0;
}

static void
account_read(struct dbr *r, struct account *a)
{
	dbr_strcpy(r, 0, a->id, sizeof(a->id));
	a->name = dbr_str(r, 1);
	a->plan_name = dbr_str(r, 2);
	a->retry_max_retries = (int)dbr_i64(r, 3, 0);
	a->created_at = dbr_time(r, 4);
}

int
db_account_get(struct db *db, const char *id, struct account **out)
{
	struct dbp	 p;
	struct dbr	 r;
	struct account	*a = NULL;
	int		 rc;

	if (!uuid_valid(id)) {
		*out = NULL;
		return 0;
	}
	dbp_init(&p);
	dbp_str(&p, id);
	if (db_run(db, STMT_ACCOUNT_GET, &p, &r) == -1)
		return -1;
	if ((rc = dbr_fetch(&r)) == 1) {
		a = xcalloc(1, sizeof(*a));
		account_read(&r, a);
	}
	dbr_done(&r);
	if (rc == -1)
		return -1;
	*out = a;
	return 0;
}

int
db_account_list(struct db *db, struct account **out, size_t *nout)
{
	struct dbr	 r;
	struct account	*a = NULL;
	size_t		 n = 0;
	int		 rc;

	if (db_run(db, STMT_ACCOUNT_LIST, NULL, &r) == -1)
		return -1;
	while ((rc = dbr_fetch(&r)) == 1) {
		a = xrealloc(a, (n + 1) * sizeof(*a));
		memset(&a[n], 0, sizeof(a[n]));
		account_read(&r, &a[n++]);
	}
	dbr_done(&r);
	if (rc == -1) {
		account_list_free(a, n);
		return -1;
	}
	*out = a;
	*nout = n;
	return 0;
}

void
account_free(struct account *a)
{
	if (a == NULL)
		return;
	free(a->name);
	free(a->plan_name);
	free(a);
}

void
account_list_free(struct account *a, size_t n)
{
	size_t	 i;

	if (a == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(a[i].name);
		free(a[i].plan_name);
	}
	free(a);
}
