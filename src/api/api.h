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
int	 api_validations_get(struct request *, struct response *);

/* admin.c: the account's API keys */
int	 api_admin_keys_list(struct request *, struct response *);
int	 api_admin_keys_create(struct request *, struct response *);
int	 api_admin_keys_revoke(struct request *, struct response *);

#endif /* MXCEP_API_H */
