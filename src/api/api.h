/*
 * mxcep: the HTTP API. One file per resource; handlers see typed
 * request fields and call the store, never SQL or libfcgi.
 */
#ifndef MXCEP_API_H
#define MXCEP_API_H

#include "fcgi/fcgi.h"

/* routes.c: the route table and the request pipeline */
int	 api_handle(struct request *, struct response *);
/* 1 when the key's account is listed in operator_accounts */
int	 api_is_operator(const struct request *);
/* maps a store failure to 503 database_unavailable or 500 */
int	 api_db_error(struct request *, struct response *);
/* the top-level "meta" every document carries (datetime descriptor) */
json_t	*api_meta(void);
/* absolute URL for path ("/v1/..."); caller frees */
char	*api_url(const struct request *, const char *path);
/* JSON nesting depth of text, ignoring strings (for the depth limit) */
int	 api_json_depth(const char *, size_t);
/* JSON:API 1.1 content negotiation (pure). Accept: 0 when it lists
 * application/vnd.api+json and every instance has a parameter other
 * than ext, profile and q, or names an extension (none is supported):
 * 406; else 1 (also without Accept or without a JSON:API instance). */
int	 api_media_accept_ok(const char *accept);
/* Content-Type: 0 not the JSON:API type (or NULL), 1 the JSON:API type
 * with at most profile and an empty ext, -1 with another parameter or
 * an extension (415) */
int	 api_media_content_type(const char *content_type);
json_t	*api_time_or_null(time_t);	/* RFC 3339 string, null for 0 */

/*
 * filters.c: the list filters of spec 000 from the query string.
 * Keys (either spelling; each at most once):
 *   status | filter[status]          one status or a comma list
 *   type | filter[type]              direct | ocr
 *   date_from, date_to               YYYY-MM-DD, inclusive, on created_at (UTC)
 *   fecha_from, fecha_to             YYYY-MM-DD, inclusive, on the transfer date
 *   search                           1..64 bytes: prefix of clave_rastreo,
 *                                    referencia exactly, or a bank (code or
 *                                    catalog name) as emisor or receptor
 *   with_deleted                     1/true: soft-deleted rows too (0/false)
 *   amount_min, amount_max           exact pesos ("1500", "1500.5"), inclusive
 *   playground                       true/false (1/0)
 *   retry_state                      pending|resolved|exhausted|cancelled|none
 *   account_id                       only with FILTER_ACCOUNT (admin views)
 *   page | page[number]              1..FILTER_PAGE_MAX, FILTER_PAGINATION only
 *   per_page | page[size]            1..100 (default 20), FILTER_PAGINATION only
 * (every filter key also as filter[KEY]). Without FILTER_PAGINATION
 * f->per_page is 0 (no limit: exports, stats).
 * extra: keys the caller reads itself (" format "), skipped here.
 */
#define FILTER_PAGINATION	0x01u
#define FILTER_ACCOUNT		0x02u
/* the query keys of the route table (the router answers
 * unknown_parameter for anything else, before the handler runs) */
#define API_FILTER_KEYS \
	" status filter[status] type filter[type] date_from " \
	"filter[date_from] date_to filter[date_to] fecha_from " \
	"filter[fecha_from] fecha_to filter[fecha_to] search filter[search] " \
	"with_deleted filter[with_deleted] amount_min filter[amount_min] " \
	"amount_max filter[amount_max] playground filter[playground] " \
	"retry_state filter[retry_state] "
#define API_PAGE_KEYS		" page page[number] per_page page[size] "
#define API_ACCOUNT_KEYS	" account_id filter[account_id] "
struct validation;
struct validation_filter;
struct filter_error {
	int		 status;	/* 400 */
	const char	*code;		/* unknown_parameter | invalid_parameter */
	char		 parameter[80];	/* as the client spelled it */
	char		 detail[256];
};
/* Pure: parses query (raw, URL-encoded) into f. 0, or -1 with e set
 * (f is then reset to no condition). Does not set f->account_id
 * unless FILTER_ACCOUNT and account_id was given, nor search_bank. */
int	 api_filter_parse(const char *query, unsigned int flags,
	    const char *extra, struct validation_filter *f,
	    struct filter_error *e);
/* What a handler calls: parses req->query; confines f to the key's
 * account (unless FILTER_ACCOUNT: then account_id, "" = all accounts,
 * where only status, date_from/date_to and with_deleted are served);
 * resolves a bank named in search. Returns 0, or the 400 it answered. */
int	 api_filter_from_request(struct request *, struct response *,
	    unsigned int flags, const char *extra, struct validation_filter *f);

/* records.c: GET /v1/validations, stats, DELETE, image (spec 000, 004) */
int	 api_validations_list(struct request *, struct response *);
int	 api_validations_stats(struct request *, struct response *);
int	 api_validations_delete(struct request *, struct response *);
int	 api_validations_image(struct request *, struct response *);
/* a ValidationListItem resource (with_account: + attributes.account_id) */
json_t	*api_validation_item_json(const struct request *,
	    const struct validation *, int with_account);
/* answers one page of f: data, meta (total, page, per_page), links */
int	 api_records_page(struct request *, struct response *,
	    const struct validation_filter *, int admin);

/* admin_validations.c: scope admin, every account */
int	 api_admin_validations_list(struct request *, struct response *);
int	 api_admin_validations_recent(struct request *, struct response *);
int	 api_admin_validations_raw(struct request *, struct response *);
char	*api_base64(const void *, size_t);	/* caller frees */

/* auth.c: Bearer keys with a short per-worker cache */
struct auth_cache;
struct auth_cache	*auth_cache_new(int ttl_seconds);
void			 auth_cache_free(struct auth_cache *);
/* 0 when authenticated with scope; otherwise the error status sent */
int	 api_authenticate(struct request *, struct response *,
	    unsigned int scope);

/* health.c */
int	 api_health_get(struct request *, struct response *);

/* validations.c */
struct validation;
int	 api_validations_get(struct request *, struct response *);
json_t	*api_validation_json(const struct request *, const struct validation *);
json_t	*api_retry_state_json(const struct validation *);
int	 api_etag_matches(const char *if_none_match, int64_t version);

/* jobs.c: running validation jobs (worker and runner) */
struct job;
/* 0 finished, 1 put back / lease lost, -1 failed (left to the runner);
 * known: the record when the caller has it, NULL to read it */
int	 api_jobs_run(struct app *, const struct job *, int sync, double t0,
	    const struct validation *known);
void	 api_jobs_run_deferred(struct app *);	/* app->deferred_job */
/* The Banxico back-off in force (out->until 0: none). One that ran out
 * is ended here by the first process to see it, which logs its end. */
struct state_deadline;
int	 api_backoff_get(struct app *, struct state_deadline *out);
int	 api_jobs_lease_seconds(const struct config *);
/* tells pollers (memcached) the validation's version; < 0 forgets it.
 * writer: after a change (set); a reader only fills a gap (add). */
void	 api_etag_publish(struct app *, const char *account_id,
	    const char *id, int64_t etag, int writer);
/* the same, telling whether the validation is still queued/processing */
void	 api_etag_publish_state(struct app *, const char *account_id,
	    const char *id, int64_t etag, int writer, int pending);

/* runner.c: one pass of mxcep-runner */
struct runner_stats {
	size_t		 claimed;	/* due jobs claimed */
	size_t		 expired;	/* queued past expires_at */
	size_t		 finished;	/* ended in a terminal state */
	size_t		 deferred;	/* put back (Banxico back-off), lease lost */
	size_t		 failed;	/* left for a later pass (MariaDB trouble) */
	uint64_t	 purged;	/* idempotency records removed */
	size_t		 retries;	/* of the claimed jobs: retry attempts */
	double		 banxico_seconds;	/* spent inside Banxico queries */
};
/* 0, or -1 when the queue could not be read (logged) */
int	 api_runner_pass(struct app *, double max_seconds, size_t max_jobs,
	    const volatile int *stop, struct runner_stats *);

/* validate.c */
int	 api_validate_post(struct request *, struct response *);

/* retry.c: retry cycles (issue 5) */
struct retry_policy;
enum validation_status;
int	 api_retry_policy_get(struct request *, struct response *);
int	 api_retry_policy_put(struct request *, struct response *);
int	 api_validation_retry_policy_put(struct request *, struct response *);
int	 api_validation_retry_cancel(struct request *, struct response *);
int	 api_validation_retry_attempts(struct request *, struct response *);
/* The policy of a new validation: given (the body's retry_policy; NULL
 * or null = none) checked against the account's cap, else the
 * account's default. A bad policy appends one 422 error object under
 * pointer to errs. -1 only when MariaDB failed. */
int	 api_retry_policy_for(struct request *, const json_t *given,
	    const char *pointer, struct retry_policy *out, json_t *errs);
/* sets the retry_state columns of a new record from p */
void	 api_retry_policy_apply(struct validation *,
	    const struct retry_policy *p);
/* called after every job that finished (first query or retry): the
 * hook point for webhooks; a no-op for now */
void	 api_validation_completed(struct app *, const struct job *,
	    enum validation_status);

/* cep.c */
int	 api_cep_get(struct request *, struct response *);

/* export.c: GET /v1/validations/export (CSV streamed, XLSX), and
 * GET /v1/admin/validations/export (every account, scope admin) */
int	 api_validations_export(struct request *, struct response *);
int	 api_admin_validations_export(struct request *, struct response *);

/* admin.c: the account's API keys */
int	 api_admin_keys_list(struct request *, struct response *);
int	 api_admin_keys_create(struct request *, struct response *);
int	 api_admin_keys_revoke(struct request *, struct response *);

#endif /* MXCEP_API_H */
