/*
 * mxcep: receiving accounts (sql/015_receiving_accounts.sql): the CLABEs
 * an account is paid into. Registered and removed through the API, and
 * looked up by their last digits to complete a masked account on a
 * receipt (db_receiving_account_match).
 */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "util/util.h"
#include "store/store.h"
#include "store/store_int.h"

_Static_assert(RECEIVING_CLABE_SIZE == CLABE_LEN + 1, "a CLABE and its NUL");
_Static_assert(RECEIVING_BANK_SIZE == BANK_CODE_SIZE, "a participant code");

#define RECV_LAST_MIN	4	/* digits a match needs */

/* one row of RECV_COLS into ra (alias allocated) */
static void
recv_read(struct dbr *r, struct receiving_account *ra)
{
	dbr_strcpy(r, 0, ra->id, sizeof(ra->id));
	dbr_strcpy(r, 1, ra->account_id, sizeof(ra->account_id));
	dbr_strcpy(r, 2, ra->clabe, sizeof(ra->clabe));
	/* column 3, clabe_last4, is what the index holds: not kept */
	dbr_strcpy(r, 4, ra->bank_code, sizeof(ra->bank_code));
	ra->alias = dbr_str(r, 5);
	ra->created_at = dbr_time(r, 6);
}

/* the rows of a statement returning RECV_COLS */
static int
recv_rows(struct db *db, enum stmt id, struct dbp *p,
    struct receiving_account **out, size_t *nout)
{
	struct dbr			 r;
	struct receiving_account	*ra = NULL;
	size_t				 n = 0;
	int				 rc;

	if (db_run(db, id, p, &r) == -1)
		return -1;
	while ((rc = dbr_fetch(&r)) == 1) {
		ra = xrealloc(ra, (n + 1) * sizeof(*ra));
		memset(&ra[n], 0, sizeof(ra[n]));
		recv_read(&r, &ra[n++]);
	}
	dbr_done(&r);
	if (rc == -1) {
		receiving_account_list_free(ra, n);
		return -1;
	}
	*out = ra;
	*nout = n;
	return 0;
}

/* the id of the account's receiving account with that CLABE ("" none) */
static int
recv_id_by_clabe(struct db *db, const char *account_id, const char *clabe,
    char id[UUID_STR_LEN + 1])
{
	struct receiving_account	*ra = NULL;
	struct dbp			 p;
	size_t				 n = 0;

	id[0] = '\0';
	dbp_init(&p);
	dbp_str(&p, account_id);
	dbp_str(&p, clabe);
	if (recv_rows(db, STMT_RECV_BY_CLABE, &p, &ra, &n) == -1)
		return -1;
	if (n > 0)
		memcpy(id, ra[0].id, UUID_STR_LEN + 1);
	receiving_account_list_free(ra, n);
	return 0;
}

/* one try of db_receiving_account_create's transaction */
static int
create_tx(struct db *db, const struct receiving_account *ra,
    const struct idem_claim *idem, enum receiving_create *result,
    char existing_id[UUID_STR_LEN + 1])
{
	struct dbp	 p;
	int		 lost = 0;

	if (db_begin(db) == -1)
		return -1;
	if (idem != NULL && db_idem_set_resource(db, idem, ra->id, &lost) == -1)
		goto fail;
	if (lost) {
		db_rollback(db);
		*result = RECEIVING_CLAIM_LOST;
		return 0;
	}
	dbp_init(&p);
	dbp_str(&p, ra->id);
	dbp_str(&p, ra->account_id);
	dbp_str(&p, ra->clabe);
	dbp_str(&p, ra->bank_code);
	dbp_str(&p, ra->alias);
	dbp_time(&p, ra->created_at);
	if (db_run(db, STMT_RECV_INSERT, &p, NULL) == -1)
		goto fail;
	/* ON DUPLICATE KEY UPDATE id = id changes nothing: 0 rows */
	if (db_affected(db) == 0) {
		if (recv_id_by_clabe(db, ra->account_id, ra->clabe,
		    existing_id) == -1)
			goto fail;
		db_rollback(db);	/* the key names nothing */
		*result = RECEIVING_EXISTS;
		return 0;
	}
	if (db_commit(db) == -1)
		goto fail;
	*result = RECEIVING_CREATED;
	return 0;
fail:
	db_rollback(db);
	return -1;
}

int
db_receiving_account_create(struct db *db, const struct receiving_account *ra,
    const struct idem_claim *idem, enum receiving_create *result,
    char existing_id[UUID_STR_LEN + 1])
{
	int	 rc, attempt;

	existing_id[0] = '\0';
	for (attempt = 1; ; attempt++) {
		rc = create_tx(db, ra, idem, result, existing_id);
		if (rc != -1 || !db_tx_retry(db, attempt, __func__))
			return rc;
	}
}

int
db_receiving_account_get(struct db *db, const char *account_id,
    const char *id, struct receiving_account **out)
{
	struct receiving_account	*ra = NULL;
	struct dbp			 p;
	size_t				 n = 0;

	*out = NULL;
	if (!uuid_valid(id))
		return 0;
	dbp_init(&p);
	dbp_str(&p, id);
	dbp_str(&p, account_id);
	if (recv_rows(db, STMT_RECV_GET, &p, &ra, &n) == -1)
		return -1;
	if (n == 0) {
		free(ra);
		return 0;
	}
	*out = ra;	/* the first (only) element owns the allocation */
	return 0;
}

int
db_receiving_account_page(struct db *db, const char *account_id, int page,
    int per_page, struct receiving_account **rows, size_t *n,
    uint64_t *total)
{
	struct dbp	 p;
	struct dbr	 r;
	int		 rc;

	if (page < 1 || per_page < 1) {
		log_warnx("%s: bad page %d of %d", __func__, page, per_page);
		return -1;
	}
	dbp_init(&p);
	dbp_str(&p, account_id);
	if (db_run(db, STMT_RECV_COUNT, &p, &r) == -1)
		return -1;
	if ((rc = dbr_fetch(&r)) == 1)
		*total = (uint64_t)dbr_i64(&r, 0, 0);
	dbr_done(&r);
	if (rc != 1)
		return -1;
	dbp_init(&p);
	dbp_str(&p, account_id);
	dbp_i64(&p, per_page);
	dbp_i64(&p, (long long)(page - 1) * per_page);
	return recv_rows(db, STMT_RECV_PAGE, &p, rows, n);
}

int
db_receiving_account_delete(struct db *db, const char *account_id,
    const char *id, int *found)
{
	struct dbp	 p;

	*found = 0;
	if (!uuid_valid(id))
		return 0;
	dbp_init(&p);
	dbp_str(&p, id);
	dbp_str(&p, account_id);
	if (db_run(db, STMT_RECV_DELETE, &p, NULL) == -1)
		return -1;
	*found = db_affected(db) > 0;
	return 0;
}

int
db_receiving_account_match(struct db *db, const char *account_id,
    const char *last_digits, const char *bank_code,
    struct receiving_account **rows, size_t *n)
{
	struct dbp	 p;
	char		 code[BANK_CODE_SIZE] = "", like[CLABE_LEN + 2];
	size_t		 len;

	*rows = NULL;
	*n = 0;
	len = last_digits != NULL ? strlen(last_digits) : 0;
	if (len < RECV_LAST_MIN || len > CLABE_LEN ||
	    strspn(last_digits, "0123456789") != len)
		return 0;
	if (bank_code != NULL && bank_code[0] != '\0' &&
	    bank_code_normalize(bank_code, code) == -1)
		return 0;	/* no participant has that code */
	like[0] = '%';
	memcpy(like + 1, last_digits, len + 1);
	dbp_init(&p);
	dbp_str(&p, account_id);
	dbp_str(&p, last_digits + len - RECV_LAST_MIN);
	dbp_str(&p, like);
	dbp_str(&p, code);
	dbp_str(&p, code);
	dbp_str(&p, code);
	dbp_i64(&p, RECEIVING_MATCH_MAX);
	return recv_rows(db, STMT_RECV_MATCH, &p, rows, n);
}

void
receiving_account_free(struct receiving_account *ra)
{
	if (ra == NULL)
		return;
	free(ra->alias);
	free(ra);
}

void
receiving_account_list_free(struct receiving_account *ra, size_t n)
{
	size_t	 i;

	if (ra == NULL)
		return;
	for (i = 0; i < n; i++)
		free(ra[i].alias);
	free(ra);
}
