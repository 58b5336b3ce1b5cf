/*
 * mxcep: API key authentication. The presented key is hashed
 * (SHA-256) and looked up in a small per-worker cache before MariaDB,
 * so the hot path costs no database round trip. An entry is trusted
 * for auth_cache_ttl seconds: a revoked key stops working within that
 * bound. A key MariaDB does not know is remembered for
 * auth_negative_ttl seconds, and a client address that presented
 * auth_fail_limit unknown keys in auth_fail_window seconds is answered
 * 429 until its window ends, before any lookup: guessing keys costs
 * the database at most that many round trips per window and worker.
 * The secret itself is never stored or logged.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "app/app.h"
#include "core/core.h"
#include "store/store.h"

#define AUTH_SECRET_MAX		128

_Static_assert(KEY_HASH_LEN == 2 * SHA256_LEN, "the key cache keeps hex "
    "SHA-256 hashes");

/*
 * Extracts the token of "Bearer <token>". Returns it (pointing into
 * header), or NULL when the header is absent or another scheme.
 */
static const char *
auth_bearer(const char *header)
{
	if (header == NULL)
		return NULL;
	while (*header == ' ')
		header++;
	if (strncasecmp(header, "Bearer", 6) != 0 || (header[6] != ' ' &&
	    header[6] != '\t'))
		return NULL;
	header += 6;
	while (*header == ' ' || *header == '\t')
		header++;
	return *header != '\0' ? header : NULL;
}

static int
auth_secret_shape_ok(const char *s)
{
	size_t	 n = strlen(s);

	if (n < 10 || n > AUTH_SECRET_MAX || strncmp(s, "mxcep_", 6) != 0)
		return 0;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
			return 0;
	return 1;
}

static int
auth_fail(struct response *resp, const char *code, const char *detail)
{
	response_header(resp, "WWW-Authenticate", "Bearer realm=\"mxcep\"");
	return response_error(resp, 401, code, detail, NULL, NULL);
}

/* Looks the key up in MariaDB and caches the verdict. */
static int
auth_lookup(struct request *req, struct response *resp, const char *secret,
    struct key_verdict *e, const char *hash)
{
	struct api_key	*k = NULL;
	int		 status = 0;

	if (db_api_key_by_secret(req->app->db, secret, &k) == -1) {
		status = api_db_error(req, resp);
		goto out;
	}
	if (k == NULL) {
		key_cache_put_unknown(req->app->keys, hash,
		    req->app->cfg->auth_negative_ttl);
		key_cache_addr_failed(req->app->keys, req->remote_addr,
		    req->app->cfg->auth_fail_limit,
		    req->app->cfg->auth_fail_window);
		status = auth_fail(resp, "invalid_api_key",
		    "the API key is not valid");
		goto out;
	}
	snprintf(e->hash, sizeof(e->hash), "%s", hash);
	snprintf(e->account_id, sizeof(e->account_id), "%s", k->account_id);
	snprintf(e->key_id, sizeof(e->key_id), "%s", k->id);
	e->scopes = k->scopes;
	e->revoked = k->revoked_at != 0;
	key_cache_put(req->app->keys, e);
	/* last_used_at: only on a cache miss, so at most once per ttl per
	 * worker; a failure here must not fail the request */
	if (!e->revoked && db_api_key_touch(req->app->db, k->id) == -1)
		log_debug("%s: last_used_at not updated", __func__);
out:
	api_key_free(k);
	return status;
}

/* 429 when the client's address is over the limit of unknown keys
 * (every key it presents, valid or not, until the window ends); 0 */
static int
auth_throttled(struct request *req, struct response *resp)
{
	const struct config	*cfg = req->app->cfg;
	char			 detail[160];
	int			 after;

	if (!key_cache_addr_blocked(req->app->keys, req->remote_addr,
	    cfg->auth_fail_limit, cfg->auth_fail_window, &after))
		return 0;
	response_header(resp, "Retry-After", "%d", after);
	snprintf(detail, sizeof(detail), "too many invalid API keys from "
	    "this address (%d in %d s); retry after %d s",
	    cfg->auth_fail_limit, cfg->auth_fail_window, after);
	return response_error(resp, 429, "too_many_invalid_keys", detail,
	    NULL, NULL);
}

int
api_authenticate(struct request *req, struct response *resp,
    unsigned int scope)
{
	struct key_verdict	 verdict, *e = &verdict;
	const char		*secret;
	char			 hash[KEY_HASH_LEN + 1], *need, detail[160];
	int			 status;

	if ((secret = auth_bearer(req->authorization)) == NULL)
		return auth_fail(resp, "missing_api_key", "send "
		    "Authorization: Bearer mxcep_... with an API key");
	if ((status = auth_throttled(req, resp)) != 0)
		return status;
	if (!auth_secret_shape_ok(secret))
		return auth_fail(resp, "invalid_api_key",
		    "the API key is not valid");
	sha256_hex(secret, strlen(secret), hash);
	if (!key_cache_get(req->app->keys, hash, e)) {
		memset(e, 0, sizeof(*e));
		if ((status = auth_lookup(req, resp, secret, e, hash)) != 0)
			return status;
	} else if (e->unknown)
		return auth_fail(resp, "invalid_api_key",
		    "the API key is not valid");
	if (e->revoked)
		return auth_fail(resp, "api_key_revoked",
		    "the API key has been revoked");
	_Static_assert(sizeof(req->account_id) == sizeof(e->account_id) &&
	    sizeof(req->key_id) == sizeof(e->key_id), "ids of one size");
	memcpy(req->account_id, e->account_id, sizeof(req->account_id));
	memcpy(req->key_id, e->key_id, sizeof(req->key_id));
	req->scopes = e->scopes;
	if ((e->scopes & scope) != scope) {
		need = scopes_format(scope);
		snprintf(detail, sizeof(detail), "this API key lacks the "
		    "scope %s", need);
		free(need);
		return response_error(resp, 403, "insufficient_scope", detail,
		    NULL, NULL);
	}
	return 0;
}
