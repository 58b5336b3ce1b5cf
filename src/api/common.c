/*
 * mxcep: what every handler shares: the document meta, absolute URLs,
 * the answer to a store failure, operator accounts, the JSON depth
 * limit.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "core/core.h"
#include "store/store.h"

json_t *
api_meta(void)
{
	return json_pack("{s:{s:s, s:s, s:s}}", "datetime",
	    "format", "RFC 3339", "timezone", "UTC",
	    "pattern", "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$");
}

json_t *
api_time_or_null(time_t t)
{
	char	 s[32];

	if (t == 0)
		return json_null();
	return json_string(clock_rfc3339(t, s, sizeof(s)));
}

char *
api_url(const struct request *req, const char *path)
{
	const char	*base = req->app->cfg->public_url;
	size_t		 n = strlen(base);

	if (n > 0)
		return xasprintf("%.*s%s", (int)(base[n - 1] == '/' ? n - 1 :
		    n), base, path);
	if (req->host != NULL && req->host[0] != '\0' &&
	    strpbrk(req->host, "/\\\"<> ") == NULL)
		return xasprintf("%s://%s%s", req->https ? "https" : "http",
		    req->host, path);
	return xstrdup(path);
}

int
api_is_operator(const struct request *req)
{
	const char	*list = req->app->cfg->operator_accounts, *p;
	size_t		 n = strlen(req->account_id);

	if (n == 0)
		return 0;
	for (p = list; (p = strstr(p, req->account_id)) != NULL; p += n)
		if ((p == list || p[-1] == ',' || p[-1] == ' ') &&
		    (p[n] == '\0' || p[n] == ',' || p[n] == ' '))
			return 1;
	return 0;
}

int
api_db_error(struct request *req, struct response *resp)
{
	if (db_unavailable(req->app->db)) {
		response_header(resp, "Retry-After", "5");
		return response_error(resp, 503, "database_unavailable",
		    "the database is unreachable; retry shortly", NULL, NULL);
	}
	return response_error(resp, 500, "internal_error",
	    "the request could not be completed", NULL, NULL);
}

int
api_json_depth(const char *s, size_t n)
{
	size_t	 i;
	int	 depth = 0, max = 0, in_str = 0;

	for (i = 0; i < n; i++) {
		if (in_str) {
			if (s[i] == '\\')
				i++;
			else if (s[i] == '"')
				in_str = 0;
			continue;
		}
		switch (s[i]) {
		case '"':
			in_str = 1;
			break;
		case '[':
		case '{':
			if (++depth > max)
				max = depth;
			break;
		case ']':
		case '}':
			depth--;
			break;
		}
	}
	return max;
}

int
api_not_found(struct response *resp, const char *code)
{
	static const struct {
		const char	*code;
		const char	*detail;
	} missing[] = {
		{ API_VALIDATION_NOT_FOUND, "no such validation" },
		{ API_KEY_NOT_FOUND, "no such API key" },
		{ API_RECEIVING_ACCOUNT_NOT_FOUND, "no such receiving account" },
	};
	size_t	 i;

	for (i = 0; i < sizeof(missing) / sizeof(missing[0]); i++)
		if (strcmp(code, missing[i].code) == 0)
			return response_error(resp, 404, code,
			    missing[i].detail, NULL, NULL);
	return response_error(resp, 404, code, "no such resource", NULL,
	    NULL);
}

int
api_id_check(struct request *req, struct response *resp, const char *code)
{
	if (req->nparams > 0 && uuid_valid(req->params[0]))
		return 0;
	return api_not_found(resp, code);
}

int
api_validation_load(struct request *req, struct response *resp,
    struct validation **out)
{
	*out = NULL;
	if (db_validation_get(req->app->db, req->account_id, req->params[0],
	    out) == -1)
		return api_db_error(req, resp);
	if (*out == NULL)
		return api_not_found(resp, API_VALIDATION_NOT_FOUND);
	return 0;
}

/* the decoded name of the query pair p (len bytes); caller frees */
static char *
api_query_name(const char *p, size_t len)
{
	const char	*eq = memchr(p, '=', len);
	char		*name = xmalloc(len + 1);

	url_decode(name, p, eq != NULL ? (size_t)(eq - p) : len);
	return name;
}

char *
api_query_repeated(const char *query)
{
	const char	*p = query, *amp, *q, *qamp;
	size_t		 len, qlen;
	char		*name, *other;

	for (; p != NULL && *p != '\0'; p = amp != NULL ? amp + 1 : NULL) {
		amp = strchr(p, '&');
		len = amp != NULL ? (size_t)(amp - p) : strlen(p);
		if (len == 0)
			continue;
		name = api_query_name(p, len);
		for (q = amp; q != NULL; q = qamp) {
			q++;
			qamp = strchr(q, '&');
			qlen = qamp != NULL ? (size_t)(qamp - q) : strlen(q);
			if (qlen == 0)
				continue;
			other = api_query_name(q, qlen);
			if (strcmp(name, other) == 0) {
				free(other);
				return name;
			}
			free(other);
		}
		free(name);
	}
	return NULL;
}
