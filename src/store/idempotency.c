/*
 * mxcep: Idempotency-Key records. The first request with a key is
 * recorded "in flight"; its response is stored when it ends and
 * replayed for the same key and body for ttl seconds. The request that
 * creates something records its id with the key in the same transaction
 * (jobs.c, db_validation_enqueue): a record left in flight by a process
 * that died is answered from that resource once it is stale, and taken
 * over only when its request created nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "util/util.h"
#include "store/store.h"
#include "store/store_int.h"

void
idem_record_free(struct idem_record *r)
{
	if (r == NULL)
		return;
	free(r->headers);
	free(r->body);
	memset(r, 0, sizeof(*r));
}

static int
idem_insert(struct db *db, const char *account_id, const char *endpoint,
    const char *key, const char *hash, time_t now, int ttl, int *inserted)
{
	struct dbp	 p;

	dbp_init(&p);
	dbp_str(&p, account_id);
	dbp_str(&p, endpoint);
	dbp_str(&p, key);
	dbp_str(&p, hash);
	dbp_time(&p, now);
	dbp_time(&p, now + ttl);
	if (db_run(db, STMT_IDEM_INSERT, &p, NULL) == -1)
		return -1;
	*inserted = db_affected(db) == 1;
	return 0;
}

/* Takes over an expired record, or a stale one whose request created
 * nothing (conditional on created_at, so two takers can't both win, and
 * on the resource, so a late create can't be lost). */
static int
idem_take_over(struct db *db, const char *account_id, const char *endpoint,
    const char *key, const char *hash, time_t now, int ttl, time_t seen,
    int *taken)
{
	struct dbp	 p;

	dbp_init(&p);
	dbp_str(&p, hash);
	dbp_time(&p, now);
	dbp_time(&p, now + ttl);
	dbp_str(&p, account_id);
	dbp_str(&p, endpoint);
	dbp_str(&p, key);
	dbp_time(&p, seen);
	dbp_time(&p, now);
	if (db_run(db, STMT_IDEM_TAKE_OVER, &p, NULL) == -1)
		return -1;
	*taken = db_affected(db) == 1;
	return 0;
}

int
db_idem_begin(struct db *db, const char *account_id, const char *endpoint,
    const char *key, const char *request_hash, time_t now, int stale_seconds,
    int ttl_seconds, enum idem_state *state, struct idem_record *rec)
{
	struct dbp	 p;
	struct dbr	 r;
	char		 hash[65], st[16], res[UUID_STR_LEN + 1];
	time_t		 created, expires;
	int		 inserted, taken, rc, tries, stale;

	memset(rec, 0, sizeof(*rec));
	for (tries = 0; tries < 3; tries++) {
		if (idem_insert(db, account_id, endpoint, key, request_hash,
		    now, ttl_seconds, &inserted) == -1)
			return -1;
		if (inserted) {
			*state = IDEM_NEW;
			return 0;
		}
		dbp_init(&p);
		dbp_str(&p, account_id);
		dbp_str(&p, endpoint);
		dbp_str(&p, key);
		if (db_run(db, STMT_IDEM_GET, &p, &r) == -1)
			return -1;
		if ((rc = dbr_fetch(&r)) != 1) {
			dbr_done(&r);
			if (rc == -1)
				return -1;
			continue;	/* purged in between: insert again */
		}
		dbr_strcpy(&r, 0, hash, sizeof(hash));
		dbr_strcpy(&r, 1, st, sizeof(st));
		created = dbr_time(&r, 5);
		expires = dbr_time(&r, 6);
		dbr_strcpy(&r, 7, res, sizeof(res));
		if (expires >= now && strcmp(st, "done") == 0) {
			rec->status = (int)dbr_i64(&r, 2, 0);
			rec->headers = dbr_str(&r, 3);
			rec->body_len = dbr_len(&r, 4);
			rec->body = dbr_str(&r, 4);
		}
		dbr_done(&r);
		stale = strcmp(st, "in_flight") == 0 &&
		    created + stale_seconds < now;
		if (expires < now || (stale && res[0] == '\0')) {
			if (idem_take_over(db, account_id, endpoint, key,
			    request_hash, now, ttl_seconds, created, &taken)
			    == -1)
				return -1;
			if (taken) {
				*state = IDEM_NEW;
				return 0;
			}
			continue;
		}
		if (strcmp(hash, request_hash) != 0)
			*state = IDEM_MISMATCH;
		else if (strcmp(st, "done") == 0)
			*state = IDEM_REPLAY;
		else if (stale)		/* its process died after creating res */
			*state = IDEM_RESOURCE;
		else
			*state = IDEM_IN_FLIGHT;
		if (*state != IDEM_REPLAY)
			idem_record_free(rec);
		if (*state == IDEM_RESOURCE)
			memcpy(rec->resource_id, res, sizeof(res));
		return 0;
	}
	*state = IDEM_IN_FLIGHT;
	return 0;
}

int
db_idem_complete(struct db *db, const struct idem_claim *c, int status,
    const char *headers, const char *body, size_t body_len)
{
	struct dbp	 p;

	dbp_init(&p);
	dbp_i64(&p, status);
	dbp_str(&p, headers);
	dbp_blob(&p, body != NULL ? body : "", body_len);
	dbp_str(&p, c->account_id);
	dbp_str(&p, c->endpoint);
	dbp_str(&p, c->key);
	dbp_time(&p, c->claimed_at);
	return db_run(db, STMT_IDEM_COMPLETE, &p, NULL);
}

int
db_idem_forget(struct db *db, const struct idem_claim *c)
{
	struct dbp	 p;

	dbp_init(&p);
	dbp_str(&p, c->account_id);
	dbp_str(&p, c->endpoint);
	dbp_str(&p, c->key);
	dbp_time(&p, c->claimed_at);
	return db_run(db, STMT_IDEM_FORGET, &p, NULL);
}

int
db_idem_purge(struct db *db, time_t now, uint64_t *purged)
{
	struct dbp	 p;

	*purged = 0;
	dbp_init(&p);
	dbp_time(&p, now);
	if (db_run(db, STMT_IDEM_PURGE, &p, NULL) == -1)
		return -1;
	*purged = db_affected(db);
	return 0;
}

/* Inside the transaction that creates the resource: the key's claim now
 * names id, or *lost when another request took the claim over. */
int
db_idem_set_resource(struct db *db, const struct idem_claim *idem,
    const char *id, int *lost)
{
	struct dbp	 p;

	dbp_init(&p);
	dbp_str(&p, id);
	dbp_str(&p, idem->account_id);
	dbp_str(&p, idem->endpoint);
	dbp_str(&p, idem->key);
	dbp_time(&p, idem->claimed_at);
	if (db_run(db, STMT_IDEM_SET_RESOURCE, &p, NULL) == -1)
		return -1;
	*lost = db_affected(db) != 1;
	return 0;
}
