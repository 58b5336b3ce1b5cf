/*
 * mxcep: the HTTP API. One file per resource; handlers see typed
 * request fields and call the store, never SQL or libfcgi.
 */
#ifndef MXCEP_API_H
#define MXCEP_API_H

#include "fcgi/fcgi.h"
#include "work/work.h"

/* routes.c: the route table and the request pipeline */
int	 api_handle(struct request *, struct response *);
/* 1 when the key's account is listed in operator_accounts */
int	 api_is_operator(const struct request *);
/* maps a store failure to 503 database_unavailable or 500 */
int	 api_db_error(struct request *, struct response *);
/* the 404 of a resource that does not exist (or is another account's):
 * code is one of these */
#define API_VALIDATION_NOT_FOUND	"validation_not_found"
#define API_KEY_NOT_FOUND		"api_key_not_found"
#define API_RECEIVING_ACCOUNT_NOT_FOUND	"receiving_account_not_found"
int	 api_not_found(struct response *, const char *code);
/* the route's :id (req->params[0]) is a UUID v4: 0, else the 404 answered */
int	 api_id_check(struct request *, struct response *, const char *code);
/* the key's validation :id: 0 with *out (validation_free()), else the
 * status answered (404, or the store's failure) */
struct validation;
int	 api_validation_load(struct request *, struct response *,
	    struct validation **out);
/* the first query key (decoded) given more than once in query (raw),
 * caller frees; NULL when none is. Every query parameter of the API
 * takes one value (lists are comma-separated). */
char	*api_query_repeated(const char *query);
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
/*
 * The query keys of the list filters, written once: each X(key, plain
 * spelling, JSON:API spelling). filters.c makes its parser's table of
 * them; the route table's allowed keys (the router answers
 * unknown_parameter for anything else, before the handler runs) are
 * the same lists as text.
 */
#define API_FILTER_LIST(X) \
	X(FK_STATUS, "status", "filter[status]") \
	X(FK_TYPE, "type", "filter[type]") \
	X(FK_DATE_FROM, "date_from", "filter[date_from]") \
	X(FK_DATE_TO, "date_to", "filter[date_to]") \
	X(FK_FECHA_FROM, "fecha_from", "filter[fecha_from]") \
	X(FK_FECHA_TO, "fecha_to", "filter[fecha_to]") \
	X(FK_SEARCH, "search", "filter[search]") \
	X(FK_WITH_DELETED, "with_deleted", "filter[with_deleted]") \
	X(FK_AMOUNT_MIN, "amount_min", "filter[amount_min]") \
	X(FK_AMOUNT_MAX, "amount_max", "filter[amount_max]") \
	X(FK_PLAYGROUND, "playground", "filter[playground]") \
	X(FK_RETRY_STATE, "retry_state", "filter[retry_state]")
/* only with FILTER_ACCOUNT */
#define API_ACCOUNT_LIST(X) \
	X(FK_ACCOUNT_ID, "account_id", "filter[account_id]")
/* only with FILTER_PAGINATION */
#define API_PAGE_LIST(X) \
	X(FK_PAGE, "page", "page[number]") \
	X(FK_PER_PAGE, "per_page", "page[size]")
#define API_KEY_TEXT(key, plain, jsonapi)	" " plain " " jsonapi " "
#define API_FILTER_KEYS		API_FILTER_LIST(API_KEY_TEXT)
#define API_PAGE_KEYS		API_PAGE_LIST(API_KEY_TEXT)
#define API_ACCOUNT_KEYS	API_ACCOUNT_LIST(API_KEY_TEXT)
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
/* the JSON:API pagination links (self, first, prev, next, last) of the
 * request's collection at page of per_page, total rows in all */
json_t	*api_page_links(const struct request *, int page, int per_page,
	    uint64_t total);

/* admin_validations.c: scope admin, every account */
int	 api_admin_validations_list(struct request *, struct response *);
int	 api_admin_validations_recent(struct request *, struct response *);
int	 api_admin_validations_raw(struct request *, struct response *);
char	*api_base64(const void *, size_t);	/* caller frees */

/* auth.c: Bearer keys, verdicts kept in the per-process key cache;
 * 0 when authenticated with scope, otherwise the error status sent */
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

/* idempotency.c: Idempotency-Key on a POST that creates something.
 * check parses and validates the request (0 = go on, else the status it
 * answered: nothing is recorded); create makes the thing and answers.
 * api_idempotent answers a bad key (400), runs check, then create at
 * most once per key (replaying, 409 or 422 on a repeat). create gets the
 * key's claim (NULL without a key): a create that hands it to the store
 * call making the resource (db_validation_enqueue) ties the key to it,
 * and a retry after its process died is answered by existing instead of
 * creating another. */
struct idem_claim;
struct api_idem_op {
	const char	*endpoint;	/* the key's scope, e.g. "validate" */
	int		(*check)(struct request *, struct response *, void *);
	int		(*create)(struct request *, struct response *,
			    const struct idem_claim *, void *);
	/* answers for the resource id a first request created but never
	 * answered (its process died); NULL when create records none */
	int		(*existing)(struct request *, struct response *,
			    const char *id, void *);
	/* besides the body, what makes two requests differ ("" = nothing) */
	const char	*(*variant)(void *);
	/* what the kept copy must not hold (a secret); NULL = kept as sent */
	void		(*redact)(json_t *doc);
	const char	*mismatch;	/* detail of the 422 */
};
int	 api_idempotent(struct request *, struct response *,
	    const struct api_idem_op *, void *arg);

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

/* receiving_input.c: the body of POST /v1/receiving-accounts, checked
 * (pure: the bank catalog is given, NULL when it could not be read).
 * {"data":{"type":"receiving_account","attributes":{"clabe":"...",
 * "alias":"..."}}}: clabe 18 digits with its check digit and a bank
 * prefix the catalog knows; alias optional (null or "" = none), at most
 * RECEIVING_ALIAS_MAX characters, no control characters. */
#define RECEIVING_ALIAS_MAX	100	/* characters (code points) */
struct receiving_input {
	char		 clabe[CLABE_LEN + 1];
	char		 bank_code[BANK_CODE_SIZE];	/* the participant of
					   the prefix, or the 3-digit prefix
					   when several share it */
	char		*alias;			/* NULL = none */
};
/* 0 with *in filled (free with api_receiving_input_free), or the status
 * to answer with the error objects appended to errs (one per problem:
 * 400 the document's shape, 409 type_mismatch, 422 a value, 503 no
 * catalog; the status is the most general of them) */
int	 api_receiving_input(const json_t *doc, const struct bank_catalog *,
	    struct receiving_input *in, json_t *errs);
void	 api_receiving_input_free(struct receiving_input *);

/* receiving_accounts.c: /v1/receiving-accounts, the account's own
 * CLABEs (scopes validations:read to read, validations:write to add
 * and delete) */
int	 api_receiving_accounts_list(struct request *, struct response *);
int	 api_receiving_accounts_create(struct request *, struct response *);
int	 api_receiving_accounts_get(struct request *, struct response *);
int	 api_receiving_accounts_delete(struct request *, struct response *);

#endif /* MXCEP_API_H */
