/*
 * mxcep: the HTTP API. One file per resource; handlers see typed
 * request fields and call the store, never SQL or libfcgi.
 */
#ifndef MXCEP_API_H
#define MXCEP_API_H

#include "fcgi/fcgi.h"

/* routes.c: the route table and the request pipeline */
int	 api_handle(struct request *, struct response *);
/* maps a store failure to 503 database_unavailable or 500 */
int	 api_db_error(struct request *, struct response *);
/* the top-level "meta" every document carries (datetime descriptor) */
json_t	*api_meta(void);
/* absolute URL for path ("/v1/..."); caller frees */
char	*api_url(const struct request *, const char *path);
/* JSON nesting depth of text, ignoring strings (for the depth limit) */
int	 api_json_depth(const char *, size_t);
json_t	*api_time_or_null(time_t);	/* RFC 3339 string, null for 0 */

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
/* 0 finished, 1 put back / lease lost, -1 failed (left to the runner) */
int	 api_jobs_run(struct app *, const struct job *, int sync, double t0);
void	 api_jobs_run_deferred(struct app *);	/* app->deferred_job */
int	 api_jobs_lease_seconds(const struct config *);
/* tells pollers (memcached) the validation's version; < 0 forgets it.
 * writer: after a change (set); a reader only fills a gap (add). */
void	 api_etag_publish(struct app *, const char *account_id,
	    const char *id, int64_t etag, int writer);

/* runner.c: one pass of mxcep-runner */
struct runner_stats {
	size_t		 claimed;	/* due jobs claimed */
	size_t		 expired;	/* queued past expires_at */
	size_t		 finished;	/* ended in a terminal state */
	size_t		 deferred;	/* put back (Banxico back-off), lease lost */
	size_t		 failed;	/* left for a later pass (MariaDB trouble) */
	uint64_t	 purged;	/* idempotency records removed */
};
/* 0, or -1 when the queue could not be read (logged) */
int	 api_runner_pass(struct app *, double max_seconds, size_t max_jobs,
	    const volatile int *stop, struct runner_stats *);

/* validate.c */
int	 api_validate_post(struct request *, struct response *);

/* cep.c */
int	 api_cep_get(struct request *, struct response *);

/* admin.c: the account's API keys */
int	 api_admin_keys_list(struct request *, struct response *);
int	 api_admin_keys_create(struct request *, struct response *);
int	 api_admin_keys_revoke(struct request *, struct response *);

#endif /* MXCEP_API_H */
