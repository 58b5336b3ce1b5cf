/*
 * mxcep: Idempotency-Key for every POST that creates something. The
 * handler hands its two halves to api_idempotent(): check (parse and
 * validate: a request that fails here records nothing, as Stripe and
 * the IETF draft do) and create. With a key, create runs at most once
 * per (account, endpoint, key) in 24 h: a retry gets the first answer
 * again (Idempotent-Replayed: true), a retry while the first still runs
 * 409 idempotency_key_in_use, the key with another request 422
 * idempotency_key_reused. 5xx answers are not kept: the client may try
 * the key again, unless the request created something (create handed
 * the claim to the store, which recorded the resource with the key):
 * the key keeps pointing at it, and once the first request is stale (its
 * process died, or it answered 5xx) a retry is answered from the
 * resource as it is now (op->existing), never by creating another.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/core.h"
#include "store/store.h"

#define IDEM_TTL		86400	/* s a key is kept */
#define IDEM_KEY_MAX		255

/* The key as sent (bare, or an RFC 8941 string in quotes), or NULL when
 * absent; *bad when present but not 1..255 visible ASCII characters. */
static char *
idem_key(const struct request *req, int *bad)
{
	const char	*k = req->idempotency_key, *p;
	size_t		 n;

	*bad = 0;
	if (k == NULL)
		return NULL;
	n = strlen(k);
	if (n >= 2 && k[0] == '"' && k[n - 1] == '"') {
		k++;
		n -= 2;
	}
	for (p = k; p < k + n; p++)
		if (!isgraph((unsigned char)*p) || *p == '"')
			break;
	if (n == 0 || n > IDEM_KEY_MAX || p != k + n) {
		*bad = 1;
		return NULL;
	}
	return xstrndup(k, n);
}

static int
idem_bad_key(struct response *resp)
{
	return response_errors(resp, 400, json_pack("[o]",
	    json_pack("{s:s, s:s, s:s, s:s, s:{s:s}}", "status", "400",
	    "code", "invalid_idempotency_key", "title", "Bad Request",
	    "detail", "Idempotency-Key is 1 to 255 visible ASCII "
	    "characters (a UUID is a good choice)", "source",
	    "header", "Idempotency-Key")));
}

/* What makes two requests "the same": the variant and the body. */
static void
idem_request_hash(const struct request *req, const char *variant,
    char out[2 * SHA256_LEN + 1])
{
	char	*canon, *s;

	canon = req->json != NULL ?
	    json_dumps(req->json, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	s = xasprintf("%s:%s", variant, canon != NULL ? canon : "");
	sha256_hex(s, strlen(s), out);
	free(s);
	free(canon);
}

static int
idem_replay(struct response *resp, const struct idem_record *rec)
{
	resp->status = rec->status;
	resp->content_type = "application/vnd.api+json";
	if (rec->headers != NULL)
		buf_puts(&resp->headers, rec->headers);
	response_header(resp, "Idempotent-Replayed", "true");
	buf_reset(&resp->body);
	if (rec->body != NULL)
		buf_append(&resp->body, rec->body, rec->body_len);
	return rec->status;
}

/* keeps the answer for replays, as sent or as op->redact makes it */
static void
idem_keep(struct request *req, struct response *resp,
    const struct api_idem_op *op, const struct idem_claim *claim, int status)
{
	json_t	*doc = NULL;
	char	*kept = NULL;
	int	 rc;

	if (op->redact != NULL && resp->body.len > 0 && (doc =
	    json_loadb(resp->body.data, resp->body.len, 0, NULL)) != NULL) {
		op->redact(doc);
		kept = json_dumps(doc, JSON_COMPACT);
		json_decref(doc);
	}
	rc = db_idem_complete(req->app->db, claim, status,
	    resp->headers.data, kept != NULL ? kept :
	    resp->body.data, kept != NULL ? strlen(kept) : resp->body.len);
	if (rc == -1)
		log_warnx("%s: idempotent response not stored", __func__);
	free(kept);
}

int
api_idempotent(struct request *req, struct response *resp,
    const struct api_idem_op *op, void *arg)
{
	struct idem_record	 rec;
	struct idem_claim	 claim;
	enum idem_state		 state;
	char			*key, hash[2 * SHA256_LEN + 1];
	int			 bad, status;

	memset(&rec, 0, sizeof(rec));
	key = idem_key(req, &bad);
	if (bad)
		return idem_bad_key(resp);
	if ((status = op->check(req, resp, arg)) != 0 || key == NULL) {
		free(key);
		return status != 0 ? status : op->create(req, resp, NULL, arg);
	}
	idem_request_hash(req, op->variant != NULL ? op->variant(arg) : "",
	    hash);
	claim.account_id = req->account_id;
	claim.endpoint = op->endpoint;
	claim.key = key;
	claim.claimed_at = clock_now();
	if (db_idem_begin(req->app->db, req->account_id, op->endpoint, key,
	    hash, claim.claimed_at, work_jobs_lease_seconds(req->app->cfg),
	    IDEM_TTL, &state, &rec) == -1) {
		status = api_db_error(req, resp);
		goto out;
	}
	switch (state) {
	case IDEM_REPLAY:
		status = idem_replay(resp, &rec);
		goto out;
	case IDEM_RESOURCE:
		if (op->existing != NULL) {
			status = op->existing(req, resp, rec.resource_id, arg);
			if (status < 400)
				response_header(resp, "Idempotent-Replayed",
				    "true");
			goto out;
		}
		/* FALLTHROUGH */
	case IDEM_IN_FLIGHT:
		status = response_error(resp, 409, "idempotency_key_in_use",
		    "a request with this Idempotency-Key is still being "
		    "processed", NULL, NULL);
		goto out;
	case IDEM_MISMATCH:
		status = response_error(resp, 422, "idempotency_key_reused",
		    op->mismatch, NULL, NULL);
		goto out;
	case IDEM_NEW:
		break;
	}
	status = op->create(req, resp, &claim, arg);
	if (status < 500)
		idem_keep(req, resp, op, &claim, status);
	else	/* kept when create recorded a resource with the key */
		(void)db_idem_forget(req->app->db, &claim);
out:
	idem_record_free(&rec);
	free(key);
	return status;
}
