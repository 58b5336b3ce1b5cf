/*
 * mxcep: MariaDB access. The only code that holds SQL text. Every
 * statement is prepared once per connection and indexed by enum.
 * A struct db is one connection of one process. After the server went
 * away the connection is closed and the next call reconnects; a failed
 * read-only statement is retried once on the new connection, a write
 * fails (-1, db_unavailable() then says whether to answer 503).
 * All functions return 0 ok or -1 (logged); out pointers are only set
 * on success.
 */
#ifndef MXCEP_STORE_H
#define MXCEP_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct config;

/* API key scopes, a bit set */
#define SCOPE_VALIDATIONS_READ		0x01u
#define SCOPE_VALIDATIONS_WRITE		0x02u
#define SCOPE_VALIDATIONS_DELETE	0x04u
#define SCOPE_ADMIN			0x08u
#define SCOPE__ALL			0x0fu

#define UUID_STR_LEN	36	/* without the NUL */

/* db.c */
struct db;
struct db	*db_new(const struct config *);	/* never NULL; connects lazily;
						   borrows the config */
void		 db_free(struct db *);		/* NULL is a no-op */
int		 db_connect(struct db *);	/* 0 connected (or already), -1 down */
int		 db_ping(struct db *);		/* 0 server answers, -1 not */
int		 db_unavailable(const struct db *);/* 1 when the last failure was the
						   server being unreachable (map to 503) */
const char	*db_server_version(struct db *);	/* NULL when not connected */

/* db.c: transactions (no reconnect inside one) */
int		 db_begin(struct db *);
int		 db_commit(struct db *);
void		 db_rollback(struct db *);	/* no-op outside a transaction */

/* migrate.c: apply the missing sql/NNN_name.sql files in order, under
 * GET_LOCK; refuses (-1) a file whose checksum changed after it was
 * applied. Returns the number applied (0 when up to date), -1 on failure. */
int		 db_migrate(struct db *, const char *sql_dir);

/* accounts.c */
struct plan {
	uint64_t	 id;
	char		*name;
	int		 retry_max_retries;	/* plan cap for retry_state.max_retries */
	time_t		 created_at;
};
int	 db_plan_create(struct db *, const char *name, int retry_max_retries,
	    uint64_t *id);			/* -1 also for a duplicate name */
int	 db_plan_by_name(struct db *, const char *name, struct plan **);	/* *out NULL if none */
int	 db_plan_list(struct db *, struct plan **plans, size_t *n);	/* by name */
void	 plan_free(struct plan *);
void	 plan_list_free(struct plan *, size_t);

struct account {
	char		 id[UUID_STR_LEN + 1];
	char		*name;
	char		*plan_name;
	int		 retry_max_retries;	/* of its plan */
	time_t		 created_at;
};
/* plan_name NULL = "default"; -1 (logged) when the plan does not exist */
int	 db_account_create(struct db *, const char *name, const char *plan_name,
	    char id[UUID_STR_LEN + 1]);
int	 db_account_exists(struct db *, const char *id, int *exists);
int	 db_account_get(struct db *, const char *id, struct account **);	/* *out NULL if none */
int	 db_account_list(struct db *, struct account **accounts, size_t *n);	/* oldest first */
void	 account_free(struct account *);
void	 account_list_free(struct account *, size_t);

/* api_keys.c */
#define API_KEY_SECRET_SIZE	80	/* buffer for "mxcep_" + 43 base64url chars */
struct api_key {
	char		 id[UUID_STR_LEN + 1];
	char		 account_id[UUID_STR_LEN + 1];
	char		 prefix[16];		/* first 12 characters of the secret, for display */
	char		*name;			/* "" when none given */
	unsigned int	 scopes;		/* SCOPE_* */
	time_t		 created_at;
	time_t		 revoked_at;		/* 0 = active */
	time_t		 last_used_at;		/* 0 = never */
};
/* Creates a key; writes the secret "mxcep_..." into secret (n >=
 * API_KEY_SECRET_SIZE). Only its SHA-256 is stored. name NULL = "". */
int	 db_api_key_create(struct db *, const char *account_id,
	    const char *name, unsigned int scopes, char *secret, size_t n,
	    char id[UUID_STR_LEN + 1]);
/* Looks a presented secret up by its hash; *out NULL when unknown.
 * A revoked key is returned with revoked_at set. */
int	 db_api_key_by_secret(struct db *, const char *secret,
	    struct api_key **out);
int	 db_api_key_get(struct db *, const char *account_id, const char *id,
	    struct api_key **out);	/* account NULL = any; *out NULL if none */
int	 db_api_key_list(struct db *, const char *account_id,
	    struct api_key **keys, size_t *n);	/* account NULL = all; oldest first */
/* Revokes (idempotent); *found 0 when no such key. */
int	 db_api_key_revoke(struct db *, const char *id, int *found);
/* The same, confined to one account (a key of another account: *found 0). */
int	 db_api_key_revoke_account(struct db *, const char *account_id,
	    const char *id, int *found);
/* Sets last_used_at to now, at most once a minute per key (cheap to call). */
int	 db_api_key_touch(struct db *, const char *id);
void	 api_key_free(struct api_key *);
void	 api_key_list_free(struct api_key *, size_t);
int	 scopes_parse(const char *, unsigned int *);	/* "a,b" -> bits; -1 unknown/empty */
char	*scopes_format(unsigned int);			/* "a,b"; caller frees */
/* exactly one scope name (no list, no spaces) -> its bit; -1 otherwise */
int	 scope_parse_one(const char *, unsigned int *);
/* a key's name (len bytes) is valid UTF-8 without control characters
 * (C0, DEL, C1: no CR/LF/TAB to forge a listing's rows): 1, else 0 */
int	 api_key_name_ok(const char *, size_t len);

/* validations.c */
enum validation_type {
	VALIDATION_TYPE_DIRECT = 0,
	VALIDATION_TYPE_OCR,
	VALIDATION_TYPE__MAX
};
enum validation_status {
	VALIDATION_STATUS_QUEUED = 0,
	VALIDATION_STATUS_PROCESSING,
	VALIDATION_STATUS_VALID,
	VALIDATION_STATUS_NOT_FOUND,
	VALIDATION_STATUS_CEP_UNAVAILABLE,
	VALIDATION_STATUS_INVALID,
	VALIDATION_STATUS_FAILED,
	VALIDATION_STATUS_ERROR,
	VALIDATION_STATUS__MAX
};
enum retry_terminal {
	RETRY_TERMINAL_NONE = 0,		/* SQL NULL / JSON null */
	RETRY_TERMINAL_PENDING,
	RETRY_TERMINAL_RESOLVED,
	RETRY_TERMINAL_EXHAUSTED,
	RETRY_TERMINAL_CANCELLED,
	RETRY_TERMINAL__MAX
};
/* names exactly as in spec 001 ("direct", "not_found", "pending", ...);
 * RETRY_TERMINAL_NONE has the name NULL. parse: 0 ok, -1 unknown. */
const char	*validation_type_name(enum validation_type);
int		 validation_type_parse(const char *, enum validation_type *);
const char	*validation_status_name(enum validation_status);
int		 validation_status_parse(const char *, enum validation_status *);
const char	*retry_terminal_name(enum retry_terminal);
int		 retry_terminal_parse(const char *, enum retry_terminal *);

/*
 * One row of `validations`: every column of spec 001 (Validation) and
 * spec 004 (ValidationListItem). NULL conventions: char * NULL, time_t 0,
 * integers -1 (all are >= 0 when set), fecha "". JSON columns hold the
 * JSON text as stored (valid JSON, checked by the server).
 */
struct validation {
	char			 id[UUID_STR_LEN + 1];
	char			 account_id[UUID_STR_LEN + 1];
	enum validation_type	 type;		/* validation_type */
	int			 playground;	/* is_playground, 0/1 */
	enum validation_status	 status;
	/* request fields (spec 004 list columns); NULL until known (OCR) */
	char			 fecha[11];	/* "YYYY-MM-DD", "" = NULL */
	char			*clave_rastreo;
	char			*referencia;
	char			*emisor;
	char			*receptor;
	char			*cuenta;
	int64_t			 monto_cents;	/* DECIMAL(18,2) in centavos; -1 = NULL */
	char			*request_data;	/* JSON object, never NULL in the DB */
	/* lifecycle */
	char			*banxico_status;
	int64_t			 processing_time_ms;	/* -1 = NULL */
	time_t			 created_at;
	time_t			 updated_at;
	time_t			 completed_at;
	time_t			 enqueued_at;
	int64_t			 enqueued_at_ms;	/* the same instant in ms since
						   the epoch; -1 = NULL (older
						   records) */
	time_t			 processing_started_at;
	time_t			 expires_at;
	int64_t			 etag_version;	/* starts at 1 */
	/* OCR */
	char			*image_path;
	char			*ocr_result;	/* JSON object */
	double			 ocr_confidence;	/* 0..1; -1 = NULL */
	char			*normalized_data;	/* JSON object */
	char			*normalization_warnings;/* JSON array */
	int			 is_masked;	/* 0/1; -1 = NULL */
	/* Banxico */
	char			*banxico_result;	/* JSON object */
	int			 has_cep;	/* 0/1 */
	char			*error_message;
	char			*error_code;
	/* bulk import */
	int64_t			 batch_id;	/* -1 = NULL */
	int64_t			 batch_position;/* 1-based; -1 = NULL */
	/* retry_state */
	int			 retry_enabled;	/* 0/1 */
	int64_t			 retry_max_retries;	/* -1 = NULL (always when disabled) */
	int64_t			 retry_interval_seconds;/* 300..86400; -1 = NULL */
	char			*retry_outcomes;	/* JSON array; NULL when disabled */
	int64_t			 retry_attempts_completed;
	time_t			 retry_next_attempt_at;
	time_t			 retry_resolved_at;
	time_t			 retry_exhausted_at;
	time_t			 retry_cancelled_at;
	enum retry_terminal	 retry_terminal_state;
	/* soft delete */
	time_t			 deleted_at;	/* 0 = not deleted (is_deleted) */
};
/* validation_new: an empty record with every nullable field NULL,
 * type direct, status queued, etag_version 1. */
struct validation *validation_new(void);
void	 validation_free(struct validation *);	/* NULL is a no-op */
struct validation *validation_dup(const struct validation *);	/* deep copy */
/* Inserts v as it is (id, account_id, request_data and created_at must
 * be set; updated_at 0 = created_at). -1 (logged) on failure. */
int	 db_validation_create(struct db *, const struct validation *v);
/* The record of that account, soft-deleted ones included (deleted_at
 * set); *out NULL when none, another account's, or id not a uuid. */
int	 db_validation_get(struct db *, const char *account_id, const char *id,
	    struct validation **out);

/*
 * validation_query.c: lists, counts, stats and exports of validations
 * under a typed filter. The SQL is composed only from constant
 * fragments with `?` placeholders, chosen by which filters are set
 * (never from request text); each composition is prepared once per
 * connection and cached under its bit set. Order: created_at DESC,
 * id DESC (newest first). Every composition is served by an index
 * (sql/004_list_indexes.sql).
 *
 * A filter is filled by api_filter_parse() (src/api/filters.c) from
 * the query string, or by hand: validation_filter_init() then set
 * fields. Every field has an "unset" value that means "no condition".
 */
#define FILTER_SEARCH_MAX	64	/* bytes of a search term */
#define FILTER_SEARCH_BANKS	8	/* participants a term names at most */
#define SEARCH_GRAMS_USED	4	/* grams of a term looked up at most */
enum search_text {
	SEARCH_TEXT_UNPLANNED = 0,
	SEARCH_TEXT_PREFIX,	/* under 4 characters: clave prefix, referencia */
	SEARCH_TEXT_GRAMS,	/* validation_grams (sql/010_search_grams.sql) */
	SEARCH_TEXT_NONE	/* a gram no record holds: no clave/referencia
				   matches */
};
#define FILTER_PER_PAGE_DEFAULT	20
#define FILTER_PER_PAGE_MAX	100
#define FILTER_PAGE_MAX		100000
struct validation_filter {
	char		 account_id[UUID_STR_LEN + 1];	/* "" = every account
						   (admin views only) */
	unsigned int	 status_mask;	/* 1u << VALIDATION_STATUS_*; 0 = any */
	int		 type;		/* enum validation_type; -1 = any */
	time_t		 created_from;	/* created_at >= (UTC); 0 = none */
	time_t		 created_before;/* created_at < (UTC, the day after
					   date_to); 0 = none */
	char		 fecha_from[11];/* "YYYY-MM-DD", fecha >=; "" = none */
	char		 fecha_to[11];	/* fecha <= ; "" = none */
	char		 search[FILTER_SEARCH_MAX + 1];	/* "" = none: 4+
					   characters: any part of clave_rastreo
					   or referencia; fewer: a prefix of
					   clave_rastreo, or referencia exactly */
	char		 search_banks[FILTER_SEARCH_BANKS][8];	/* participant
					   codes the term names, matched against
					   emisor/receptor (api/filters.c) */
	int		 search_nbanks;	/* how many; 0 = none */
	/* the text part of search, planned by the store (validation_query.c):
	 * callers leave these zero */
	int		 search_text;	/* SEARCH_TEXT_* */
	int		 search_ngrams;	/* grams to look up, rarest first */
	long long	 search_lead;	/* records holding the rarest, up to
					   the probe's cap */
	char		 search_grams[SEARCH_GRAMS_USED][17];	/* 4 UTF-8
					   characters */
	int		 with_deleted;	/* 1: soft-deleted rows too */
	int64_t		 amount_min;	/* centavos, monto >=; -1 = none */
	int64_t		 amount_max;	/* centavos, monto <=; -1 = none */
	int		 playground;	/* 0/1; -1 = any */
	int		 retry_state;	/* enum retry_terminal (NONE = no retry
					   cycle, terminal_state NULL); -1 = any */
	int		 page;		/* 1-based */
	int		 per_page;	/* rows per page; 0 = no limit (export) */
};
void	 validation_filter_init(struct validation_filter *);	/* no condition,
						   page 1, per_page 20 */
/* The page (f->page, f->per_page) into *rows (*n of them, malloc'ed;
 * free with validation_list_free). Only the list columns are read:
 * request_data, ocr_result, banxico_result, normalized_data,
 * retry policy fields... stay NULL. */
int	 db_validation_list(struct db *, const struct validation_filter *,
	    struct validation ***rows, size_t *n);
void	 validation_list_free(struct validation **, size_t);
/* The page of f and the number of rows matching f, read in one
 * snapshot (what GET /v1/validations answers). *rows as above. A page
 * locate_rows or more rows deep is located through the tallies when
 * they count f (0: never). */
int	 db_validation_page(struct db *, const struct validation_filter *,
	    long long locate_rows, struct validation ***rows, size_t *n,
	    uint64_t *total);
/* Rows matching f (pagination ignored) */
int	 db_validation_count(struct db *, const struct validation_filter *,
	    uint64_t *total);
/* Counts of the rows matching f except for f->with_deleted, split by
 * status and by soft-deleted or not: live[s] + deleted[s] per status. */
struct validation_counts {
	uint64_t	 live[VALIDATION_STATUS__MAX];
	uint64_t	 deleted[VALIDATION_STATUS__MAX];
};
int	 db_validation_counts(struct db *, const struct validation_filter *,
	    struct validation_counts *);
/*
 * Row-by-row reading (exports): unbuffered, so memory stays flat
 * whatever the row count and the first row arrives before the last is
 * read; every matching row, newest first (f->page and f->per_page are
 * ignored). Only the export's fields are read: id, account_id, created_at,
 * completed_at, status, type, playground, fecha, clave_rastreo,
 * referencia, emisor, receptor, cuenta, monto_cents, banxico_status,
 * error_code, has_cep, deleted_at; the rest are zero/NULL.
 *   struct validation_cursor *c = NULL;
 *   const struct validation *v;
 *   if (db_validation_query_open(db, &f, &c) == -1) -> 503/500
 *   while ((rc = db_validation_query_next(c, &v)) == 1) { write v }
 *   db_validation_query_close(c);	-- always, also after an error
 * While a cursor is open NOTHING else may run on that db (the
 * connection is busy streaming; any other statement would fail with
 * "commands out of sync" and drop the connection): read what else you
 * need before opening. *v is borrowed until the next call or close.
 * next returns 1 (a row), 0 (end), -1 (logged; connection closed).
 * close drains what is left and frees; NULL is a no-op.
 */
struct validation_cursor;
int	 db_validation_query_open(struct db *, const struct validation_filter *,
	    struct validation_cursor **);
int	 db_validation_query_next(struct validation_cursor *,
	    const struct validation **);
void	 db_validation_query_close(struct validation_cursor *);
/* Soft delete, in one transaction under the row lock: sets deleted_at
 * = now and bumps etag_version, once, and ends a pending retry cycle
 * cancelled (cancelled_at = now, its queued retry removed), so a
 * deleted record is never queried again. *found 0 when there is no
 * such validation in the account; *changed 0 when it was already
 * deleted with no cycle left to end; *cancelled 1 when a cycle ended;
 * *etag its (new) version. */
int	 db_validation_soft_delete(struct db *, const char *account_id,
	    const char *id, time_t now, int *found, int *changed,
	    int *cancelled, int64_t *etag);
/* Admin: any account's record (*out NULL when none). */
int	 db_validation_get_any(struct db *, const char *id,
	    struct validation **out);
/* Admin raw view: the raw Banxico answer (cep_documents.raw_answer;
 * *raw NULL when none) and the jobs of the validation. */
struct job_attempt {
	uint64_t	 id;
	char		 kind[16];
	char		 state[16];
	int		 tries;
	time_t		 run_after;
	char		*lease_owner;	/* NULL when none */
	time_t		 lease_until;	/* 0 = none */
	time_t		 created_at;
	time_t		 finished_at;	/* 0 = not finished */
};
int	 db_validation_raw_answer(struct db *, const char *id, char **raw,
	    size_t *len);
int	 db_validation_jobs(struct db *, const char *id,
	    struct job_attempt **jobs, size_t *n);
void	 job_attempt_list_free(struct job_attempt *, size_t);

/* jobs.c: the work queue on MariaDB. A job is claimed with a lease;
 * a lease that ran out (its process died) makes it claimable again;
 * finishing needs the lease, so each job ends exactly once. */
enum job_kind {
	JOB_KIND_VALIDATE = 0,		/* the first query (attempt 0) */
	JOB_KIND_RETRY,			/* retry number `attempt` (1..) */
	JOB_KIND__MAX
};
struct job {
	uint64_t	 id;
	char		 validation_id[UUID_STR_LEN + 1];
	char		 account_id[UUID_STR_LEN + 1];
	int		 tries;		/* claims so far, this one included */
	enum job_kind	 kind;
	int		 attempt;	/* 0 for validate, the retry number */
};
/* Inserts v and its job in one transaction; with lease_owner the job is
 * born claimed (synchronous validation), otherwise queued. With idem
 * (the request's Idempotency-Key claim, v's account) the key records
 * v->id in the same transaction. 0 done; 1 the claim was taken over
 * meanwhile (nothing written); -1 error. */
struct idem_claim;
int	 db_validation_enqueue(struct db *, const struct validation *v,
	    time_t now, const char *lease_owner, time_t lease_until,
	    const struct idem_claim *idem, uint64_t *job_id);
/* Claims one job if it is queued (or its lease ran out); *claimed 0/1. */
int	 db_job_claim(struct db *, uint64_t job_id, const char *owner,
	    time_t now, time_t lease_until, int *claimed);
/* Claims up to limit due jobs (queued and due, or lease ran out) with
 * SELECT ... FOR UPDATE SKIP LOCKED; *jobs malloc'ed, caller frees. */
int	 db_jobs_claim_due(struct db *, time_t now, const char *owner,
	    time_t lease_until, size_t limit, struct job **jobs, size_t *n);
/* Claims up to limit queued jobs whose validation expired. */
int	 db_jobs_claim_expired(struct db *, time_t now, const char *owner,
	    time_t lease_until, size_t limit, struct job **jobs, size_t *n);
/* Puts a claimed job back in the queue, due at run_after; its claim
 * (a run that never asked Banxico) is not counted in tries. */
int	 db_job_release(struct db *, uint64_t job_id, const char *owner,
	    time_t run_after);
/* queued -> processing (processing_started_at, etag bump) */
int	 db_validation_start(struct db *, const char *id, time_t now);

/* What a finished job wrote into its validation. */
struct validation_outcome {
	enum validation_status	 status;
	const char		*banxico_status;	/* NULL = null */
	const char		*banxico_result;	/* JSON text, NULL = null */
	const char		*error_code;
	const char		*error_message;
	int			 has_cep;
	const char		*xml;		/* CEP documents, NULL = none */
	size_t			 xml_len;
	const char		*pdf;
	size_t			 pdf_len;
	const char		*raw;		/* unrecognised answer */
	size_t			 raw_len;
	int64_t			 processing_time_ms;	/* -1 = null */
	time_t			 started_at;	/* the attempt began; 0 = now */
	int64_t			 duration_ms;	/* in the Banxico query; -1 = none */
	/* what Banxico told of the transfer's identifiers: written only
	 * into a column that is still NULL; NULL = nothing learned */
	const char		*clave_rastreo;
	const char		*referencia;
};
/* In one transaction: the job done (only while owner holds its lease),
 * the validation's result, the documents, and its retry cycle moved on
 * (the next retry scheduled, the attempt recorded: retries.c).
 * *finished 0 when the lease was lost (nothing written); *etag the
 * validation's new version. */
int	 db_job_finish(struct db *, const struct job *, const char *owner,
	    time_t now, const struct validation_outcome *, int *finished,
	    int64_t *etag);
/* The current etag_version of a validation (-1 when none). */
int	 db_validation_etag(struct db *, const char *id, int64_t *etag);

/*
 * retries.c: retry cycles (issue 5). The policy maths is in
 * core/retry.c; these apply it under a row lock on the validation.
 */
struct retry_policy;
/* The account's cap (its plan's retry_max_retries) and default policy
 * (*def zeroed, enabled 0, when it has none). *found 0: no account. */
int	 db_account_retry_settings(struct db *, const char *account_id,
	    int *plan_cap, struct retry_policy *def, int *found);
int	 db_account_retry_policy_put(struct db *, const char *account_id,
	    const struct retry_policy *, time_t now);
/* What a change of one record's cycle did. */
struct retry_change {
	int		 found;		/* 0: no such validation in the account */
	int		 result;	/* retry_cycle_cancel/_set_policy's: -1
					   refused (409), 0 changed, 1 unchanged */
	int64_t		 etag;		/* the validation's (new) version */
};
/* PUT /v1/validations/{id}/retry-policy */
int	 db_validation_retry_policy(struct db *, const char *account_id,
	    const char *id, const struct retry_policy *, time_t now,
	    struct retry_change *);
/* POST /v1/validations/{id}/cancel-retries */
int	 db_validation_retry_cancel(struct db *, const char *account_id,
	    const char *id, time_t now, struct retry_change *);
/* One row of the history (GET /v1/validations/{id}/retry-attempts). */
struct retry_attempt {
	int		 attempt;	/* 1.. */
	time_t		 scheduled_at;
	time_t		 started_at;	/* 0 = not yet */
	time_t		 finished_at;	/* 0 = not yet */
	char		 status[16];	/* "" = not run yet */
	char		*banxico_status;	/* NULL = null */
	char		*error_code;
	int64_t		 duration_ms;	/* -1 = null */
};
int	 db_retry_attempts(struct db *, const char *account_id,
	    const char *id, struct retry_attempt **, size_t *n);
void	 retry_attempt_list_free(struct retry_attempt *, size_t);

/* CEP documents of the account's validation; *data NULL when none */
int	 db_cep_document(struct db *, const char *account_id,
	    const char *validation_id, int pdf, char **data, size_t *len);

/* idempotency.c */
enum idem_state {
	IDEM_NEW = 0,		/* recorded in flight: go ahead */
	IDEM_REPLAY,		/* finished before: replay the record */
	IDEM_IN_FLIGHT,		/* the first request still runs: 409 */
	IDEM_MISMATCH,		/* same key, other body: 422 */
	IDEM_RESOURCE		/* the first request created resource_id and
				   never answered: answer from it */
};
struct idem_record {
	int	 status;
	char	*headers;	/* "Name: value\r\n" lines */
	char	*body;
	size_t	 body_len;
	char	 resource_id[UUID_STR_LEN + 1];	/* IDEM_RESOURCE */
};
/* One request's hold on a key (IDEM_NEW): given to the store call that
 * creates the resource, which records its id with the key. */
struct idem_claim {
	const char	*account_id;
	const char	*endpoint;
	const char	*key;
	time_t		 claimed_at;	/* the now given to db_idem_begin */
};
/* stale: an in-flight record older than this is taken over when its
 * request created nothing (its process died first), and answered from
 * its resource when it did; ttl: how long a record is kept (24 h). */
int	 db_idem_begin(struct db *, const char *account_id,
	    const char *endpoint, const char *key, const char *request_hash,
	    time_t now, int stale_seconds, int ttl_seconds,
	    enum idem_state *, struct idem_record *);
/* Keeps the answer of the claim's request for replays (a claim taken
 * over meanwhile is left alone). */
int	 db_idem_complete(struct db *, const struct idem_claim *, int status,
	    const char *headers, const char *body, size_t body_len);
/* Drops the claim's key unless its request created something (a 5xx
 * answer: the client may try the key again). */
int	 db_idem_forget(struct db *, const struct idem_claim *);
int	 db_idem_purge(struct db *, time_t now, uint64_t *purged);
void	 idem_record_free(struct idem_record *);	/* frees the members */

/* receiving_accounts.c: the CLABEs an account is paid into (issue 14),
 * registered through /v1/receiving-accounts. The API checks a CLABE
 * before it gets here (18 digits, check digit, a known bank prefix). */
#define RECEIVING_CLABE_SIZE	19	/* 18 digits + NUL */
#define RECEIVING_BANK_SIZE	6	/* a participant code ("40012",
					   "2001") or a 3-digit prefix + NUL */
#define RECEIVING_MATCH_MAX	10	/* rows db_receiving_account_match
					   returns at most */
struct receiving_account {
	char		 id[UUID_STR_LEN + 1];
	char		 account_id[UUID_STR_LEN + 1];
	char		 clabe[RECEIVING_CLABE_SIZE];
	char		 bank_code[RECEIVING_BANK_SIZE];	/* the participant
					   the catalog gives for the CLABE's
					   first 3 digits; those 3 digits when
					   several share them */
	char		*alias;			/* NULL = none */
	time_t		 created_at;
};
/* What db_receiving_account_create did. */
enum receiving_create {
	RECEIVING_CREATED = 0,
	RECEIVING_EXISTS,	/* the account has that CLABE already: its id
				   in existing_id, nothing written */
	RECEIVING_CLAIM_LOST	/* the Idempotency-Key claim was taken over
				   meanwhile: nothing written */
};
/* Inserts ra (every member set, alias NULL = none). With idem (the
 * request's Idempotency-Key claim) the key records ra->id in the same
 * transaction. */
int	 db_receiving_account_create(struct db *,
	    const struct receiving_account *ra, const struct idem_claim *idem,
	    enum receiving_create *result, char existing_id[UUID_STR_LEN + 1]);
/* The account's receiving account id; *out NULL when none, another
 * account's, or id not a uuid. */
int	 db_receiving_account_get(struct db *, const char *account_id,
	    const char *id, struct receiving_account **out);
/* One page (1-based, per_page rows) of the account's receiving
 * accounts, newest first (created_at, then id, descending), and how
 * many it has in all. *rows: receiving_account_list_free(). */
int	 db_receiving_account_page(struct db *, const char *account_id,
	    int page, int per_page, struct receiving_account **rows, size_t *n,
	    uint64_t *total);
/* Deletes it; *found 0 when the account has no such receiving account. */
int	 db_receiving_account_delete(struct db *, const char *account_id,
	    const char *id, int *found);
/* For completing a masked account (OCR): the account's receiving
 * accounts whose CLABE ends in last_digits (4 to 18 digits: fewer
 * cannot tell accounts apart, and anything but digits matches nothing:
 * *n 0), and when bank_code is neither NULL nor "", at that bank (a
 * participant code, 4 or 5 digits as bank_code_normalize takes them,
 * matching the CLABEs of its 3-digit prefix). Newest first, at most
 * RECEIVING_MATCH_MAX; found through (account_id, clabe_last4). */
int	 db_receiving_account_match(struct db *, const char *account_id,
	    const char *last_digits, const char *bank_code,
	    struct receiving_account **rows, size_t *n);
void	 receiving_account_free(struct receiving_account *);	/* NULL no-op */
void	 receiving_account_list_free(struct receiving_account *, size_t);

/*
 * jobs.c: service_state: named deadlines shared by every process and
 * host (the Banxico back-off). A deadline is in force while until > now;
 * one that ran out stays recorded until someone ends it, so that its
 * end is seen (and logged) exactly once.
 */
#define STATE_BANXICO_BACKOFF	"banxico_backoff"	/* Banxico throttled us */
struct state_deadline {
	time_t		 until;		/* 0 = none recorded */
	time_t		 since;		/* when it started (kept when extended) */
	char		 reason[256];	/* why; "" = not told */
};
int	 db_state_get(struct db *, const char *name, struct state_deadline *);
/* Starts a deadline, or extends the one in force (until only moves
 * later; reason and since are kept), in one transaction under the row
 * lock: *started 1 when none was in force. */
int	 db_state_start(struct db *, const char *name, time_t until,
	    const char *reason, time_t now, int *started);
/* Ends the recorded deadline: one that ran out, or with force any
 * (an operator's clear); *ended 1 for the one caller that did it, with
 * what it was in *was. */
int	 db_state_end(struct db *, const char *name, time_t now, int force,
	    struct state_deadline *was, int *ended);

/* banks.c: the SPEI participant catalog (tables banks, bank_aliases;
 * matching rules in core/bankcat.c). *out is a copy (bank_free()), NULL
 * when nothing matches OR when the text is ambiguous (several
 * participants fit: ask for the 5-digit code). */
struct bank;
struct bank_catalog;
int	 db_bank_resolve(struct db *, const char *text, struct bank **out);
/* the receiving participant of a CLABE (its first 3 digits) */
int	 db_bank_by_clabe_prefix(struct db *, const char *clabe,
	    struct bank **out);
/* the whole catalog (2 statements); caller frees with bank_catalog_free */
int	 db_bank_catalog_load(struct db *, struct bank_catalog **out);
/* A per-process copy of the catalog, loaded on first use and reloaded
 * every refresh_seconds (a failed reload keeps the old copy and is
 * retried within a minute), so lookups cost no round trip. */
struct bank_cache;
struct bank_cache *bank_cache_new(int refresh_seconds);
void	 bank_cache_free(struct bank_cache *);	/* NULL is a no-op */
/* *out borrowed until the next bank_cache_ call on c; -1 only when no
 * copy could ever be loaded */
int	 bank_cache_catalog(struct bank_cache *c, struct db *,
	    const struct bank_catalog **out);
int	 bank_cache_resolve(struct bank_cache *, struct db *, const char *text,
	    struct bank **out);
int	 bank_cache_by_clabe_prefix(struct bank_cache *, struct db *,
	    const char *clabe, struct bank **out);

#endif /* MXCEP_STORE_H */
