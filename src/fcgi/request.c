/*
 * mxcep: building a struct request from the FastCGI parameters.
 * Everything taken from envp is copied: envp dies at FCGX_Finish_r.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "fcgi/fcgi.h"

static const char *const method_names[METHOD__MAX] = {
	"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"
};

enum method
method_parse(const char *s)
{
	int	 i;

	for (i = 0; s != NULL && i < METHOD__MAX; i++)
		if (strcmp(s, method_names[i]) == 0)
			return (enum method)i;
	return METHOD__MAX;
}

const char *
method_name(enum method m)
{
	return m < METHOD__MAX ? method_names[m] : "?";
}

const char *
request_env(char *const *envp, const char *name)
{
	size_t	 n = strlen(name);

	for (; envp != NULL && *envp != NULL; envp++)
		if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

int
request_id_valid(const char *s)
{
	size_t	 n = 0;

	for (; *s != '\0'; s++, n++)
		if (!isalnum((unsigned char)*s) && *s != '.' && *s != '_' &&
		    *s != '-')
			return 0;
	return n >= 1 && n <= REQUEST_ID_MAX;
}

/*
 * Decodes %XX and '+' (n = bytes of src to read). dst must hold n + 1.
 * Returns the decoded length; a bad escape is kept as it is.
 */
size_t
url_decode(char *dst, const char *src, size_t n)
{
	size_t	 i, o = 0;
	char	 hex[3] = { 0, 0, 0 };

	for (i = 0; i < n; i++) {
		if (src[i] == '+')
			dst[o++] = ' ';
		else if (src[i] == '%' && i + 2 < n &&
		    isxdigit((unsigned char)src[i + 1]) &&
		    isxdigit((unsigned char)src[i + 2])) {
			hex[0] = src[i + 1];
			hex[1] = src[i + 2];
			dst[o++] = (char)strtol(hex, NULL, 16);
			i += 2;
		} else
			dst[o++] = src[i];
	}
	dst[o] = '\0';
	return o;
}

char *
request_query_get(const struct request *req, const char *key)
{
	const char	*p = req->query, *amp, *eq;
	size_t		 klen = strlen(key), len;
	char		*name, *val;

	while (p != NULL && *p != '\0') {
		amp = strchr(p, '&');
		len = amp != NULL ? (size_t)(amp - p) : strlen(p);
		eq = memchr(p, '=', len);
		name = xmalloc(len + 1);
		url_decode(name, p, eq != NULL ? (size_t)(eq - p) : len);
		if (strlen(name) == klen && strcmp(name, key) == 0) {
			free(name);
			val = xmalloc(len + 1);
			if (eq != NULL)
				url_decode(val, eq + 1,
				    len - (size_t)(eq + 1 - p));
			else
				val[0] = '\0';
			return val;
		}
		free(name);
		p = amp != NULL ? amp + 1 : NULL;
	}
	return NULL;
}

char *
request_query_unknown(const struct request *req, const char *allowed)
{
	const char	*p = req->query, *amp, *eq;
	size_t		 len;
	char		*name, *pat;

	while (p != NULL && *p != '\0') {
		amp = strchr(p, '&');
		len = amp != NULL ? (size_t)(amp - p) : strlen(p);
		eq = memchr(p, '=', len);
		if (len > 0) {
			name = xmalloc(len + 1);
			url_decode(name, p, eq != NULL ? (size_t)(eq - p) : len);
			pat = xasprintf(" %s ", name);
			if (allowed == NULL || strstr(allowed, pat) == NULL) {
				free(pat);
				return name;
			}
			free(pat);
			free(name);
		}
		p = amp != NULL ? amp + 1 : NULL;
	}
	return NULL;
}

/*
 * The parameters a request is built from, found in one pass over envp:
 * a web server passes 20 to 40 of them, and a lookup per name (strncmp
 * down the whole list each time) cost more than the rest of a poll's
 * own work.
 */
enum req_param {
	RP_METHOD, RP_URI, RP_SCRIPT, RP_PATH_INFO, RP_QUERY, RP_ACCEPT,
	RP_CTYPE, RP_CLEN, RP_AUTH, RP_REDIRECT_AUTH, RP_INM, RP_IDEM,
	RP_HOST, RP_ADDR, RP_HTTPS, RP_SCHEME, RP_REQUEST_ID, RP__MAX
};

static const struct {
	const char	*name;
	size_t		 len;
} req_params[RP__MAX] = {
#define RP(k, n)	[k] = { n, sizeof(n) - 1 }
	RP(RP_METHOD, "REQUEST_METHOD"),
	RP(RP_URI, "REQUEST_URI"),
	RP(RP_SCRIPT, "SCRIPT_NAME"),
	RP(RP_PATH_INFO, "PATH_INFO"),
	RP(RP_QUERY, "QUERY_STRING"),
	RP(RP_ACCEPT, "HTTP_ACCEPT"),
	RP(RP_CTYPE, "CONTENT_TYPE"),
	RP(RP_CLEN, "CONTENT_LENGTH"),
	RP(RP_AUTH, "HTTP_AUTHORIZATION"),
	RP(RP_REDIRECT_AUTH, "REDIRECT_HTTP_AUTHORIZATION"),
	RP(RP_INM, "HTTP_IF_NONE_MATCH"),
	RP(RP_IDEM, "HTTP_IDEMPOTENCY_KEY"),
	RP(RP_HOST, "HTTP_HOST"),
	RP(RP_ADDR, "REMOTE_ADDR"),
	RP(RP_HTTPS, "HTTPS"),
	RP(RP_SCHEME, "REQUEST_SCHEME"),
	RP(RP_REQUEST_ID, "HTTP_X_REQUEST_ID"),
#undef RP
};

/* v[k] = the value of req_params[k] (the first one, as request_env), or
 * NULL */
static void
request_scan(char *const *envp, const char *v[RP__MAX])
{
	const char	*e, *eq;
	size_t		 n;
	int		 k;

	for (k = 0; k < RP__MAX; k++)
		v[k] = NULL;
	for (; envp != NULL && *envp != NULL; envp++) {
		e = *envp;
		if ((eq = strchr(e, '=')) == NULL)
			continue;
		n = (size_t)(eq - e);
		for (k = 0; k < RP__MAX; k++)
			if (req_params[k].len == n && v[k] == NULL &&
			    memcmp(e, req_params[k].name, n) == 0) {
				v[k] = eq + 1;
				break;
			}
	}
}

static char *
dup_or_null(const char *v)
{
	return v != NULL ? xstrdup(v) : NULL;
}

/* Path: REQUEST_URI without the query; falls back to SCRIPT_NAME +
 * PATH_INFO where the server does not pass REQUEST_URI. */
static void
request_path_query(struct request *req, const char *const v[RP__MAX])
{
	const char	*uri = v[RP_URI], *q = NULL, *query = v[RP_QUERY];

	if (uri != NULL) {
		q = strchr(uri, '?');
		req->path = xmalloc(strlen(uri) + 1);
		url_decode(req->path, uri, q != NULL ? (size_t)(q - uri) :
		    strlen(uri));
	} else
		req->path = xasprintf("%s%s",
		    v[RP_SCRIPT] != NULL ? v[RP_SCRIPT] : "",
		    v[RP_PATH_INFO] != NULL ? v[RP_PATH_INFO] : "");
	if (query == NULL && q != NULL)
		query = q + 1;
	req->query = xstrdup(query != NULL ? query : "");
}

struct request *
request_new(struct app *app, char *const *envp)
{
	struct request	*req = xcalloc(1, sizeof(*req));
	const char	*v[RP__MAX];
	char		*end = NULL;

	request_scan(envp, v);
	req->app = app;
	req->started = clock_monotonic();
	req->content_length = -1;
	req->method_name = xstrdup(v[RP_METHOD] != NULL ? v[RP_METHOD] : "");
	req->method = method_parse(v[RP_METHOD]);
	request_path_query(req, v);

	req->accept = dup_or_null(v[RP_ACCEPT]);
	if (v[RP_CTYPE] != NULL && v[RP_CTYPE][0] != '\0')
		req->content_type = xstrdup(v[RP_CTYPE]);
	if (v[RP_CLEN] != NULL && *v[RP_CLEN] != '\0') {
		req->content_length = strtol(v[RP_CLEN], &end, 10);
		if (*end != '\0' || req->content_length < 0)
			req->content_length = -1;
	}
	req->authorization = dup_or_null(v[RP_AUTH] != NULL ? v[RP_AUTH] :
	    v[RP_REDIRECT_AUTH]);
	req->if_none_match = dup_or_null(v[RP_INM]);
	req->idempotency_key = dup_or_null(v[RP_IDEM]);
	req->host = dup_or_null(v[RP_HOST]);
	req->remote_addr = xstrdup(v[RP_ADDR] != NULL ? v[RP_ADDR] : "");
	req->https = v[RP_HTTPS] != NULL && (strcmp(v[RP_HTTPS], "on") == 0 ||
	    strcmp(v[RP_HTTPS], "1") == 0);
	if (v[RP_SCHEME] != NULL && strcmp(v[RP_SCHEME], "https") == 0)
		req->https = 1;

	if (v[RP_REQUEST_ID] != NULL && request_id_valid(v[RP_REQUEST_ID]))
		snprintf(req->id, sizeof(req->id), "%s", v[RP_REQUEST_ID]);
	else if ((app != NULL ? uuid_gen_next(&app->request_ids, req->id) :
	    uuid_v4(req->id)) == -1)
		snprintf(req->id, sizeof(req->id), "%.0f",
		    req->started * 1e6);
	return req;
}

void
request_free(struct request *req)
{
	size_t	 i;

	if (req == NULL)
		return;
	free(req->method_name);
	free(req->path);
	free(req->query);
	free(req->accept);
	free(req->content_type);
	free(req->authorization);
	free(req->if_none_match);
	free(req->idempotency_key);
	free(req->host);
	free(req->remote_addr);
	for (i = 0; i < req->nparams; i++)
		free(req->params[i]);
	free(req->body);
	json_decref(req->json);
	free(req);
}
