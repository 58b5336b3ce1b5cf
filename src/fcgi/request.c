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

static char *
request_env_dup(char *const *envp, const char *name)
{
	const char	*v = request_env(envp, name);

	return v != NULL ? xstrdup(v) : NULL;
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

struct request *
request_new(struct app *app, char *const *envp)
{
	struct request	*req = xcalloc(1, sizeof(*req));
	const char	*v, *uri, *q;
	char		*end = NULL;

	req->app = app;
	req->started = clock_monotonic();
	req->content_length = -1;
	v = request_env(envp, "REQUEST_METHOD");
	req->method_name = xstrdup(v != NULL ? v : "");
	req->method = method_parse(v);

	/* Path: REQUEST_URI without the query; falls back to SCRIPT_NAME +
	 * PATH_INFO where the server does not pass REQUEST_URI. */
	if ((uri = request_env(envp, "REQUEST_URI")) != NULL) {
		q = strchr(uri, '?');
		req->path = xmalloc(strlen(uri) + 1);
		url_decode(req->path, uri, q != NULL ? (size_t)(q - uri) :
		    strlen(uri));
	} else
		req->path = xasprintf("%s%s",
		    (v = request_env(envp, "SCRIPT_NAME")) ? v : "",
		    (q = request_env(envp, "PATH_INFO")) ? q : "");
	if ((v = request_env(envp, "QUERY_STRING")) == NULL && uri != NULL &&
	    (q = strchr(uri, '?')) != NULL)
		v = q + 1;
	req->query = xstrdup(v != NULL ? v : "");

	req->accept = request_env_dup(envp, "HTTP_ACCEPT");
	req->content_type = request_env_dup(envp, "CONTENT_TYPE");
	if (req->content_type != NULL && req->content_type[0] == '\0') {
		free(req->content_type);
		req->content_type = NULL;
	}
	if ((v = request_env(envp, "CONTENT_LENGTH")) != NULL && *v != '\0') {
		req->content_length = strtol(v, &end, 10);
		if (*end != '\0' || req->content_length < 0)
			req->content_length = -1;
	}
	req->authorization = request_env_dup(envp, "HTTP_AUTHORIZATION");
	if (req->authorization == NULL)
		req->authorization = request_env_dup(envp,
		    "REDIRECT_HTTP_AUTHORIZATION");
	req->if_none_match = request_env_dup(envp, "HTTP_IF_NONE_MATCH");
	req->idempotency_key = request_env_dup(envp, "HTTP_IDEMPOTENCY_KEY");
	req->host = request_env_dup(envp, "HTTP_HOST");
	v = request_env(envp, "REMOTE_ADDR");
	req->remote_addr = xstrdup(v != NULL ? v : "");
	v = request_env(envp, "HTTPS");
	req->https = v != NULL && (strcmp(v, "on") == 0 || strcmp(v, "1") == 0);
	v = request_env(envp, "REQUEST_SCHEME");
	if (v != NULL && strcmp(v, "https") == 0)
		req->https = 1;

	v = request_env(envp, "HTTP_X_REQUEST_ID");
	if (v != NULL && request_id_valid(v))
		snprintf(req->id, sizeof(req->id), "%s", v);
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
