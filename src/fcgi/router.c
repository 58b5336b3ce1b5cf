/*
 * mxcep: matching a request against the route table. The path is
 * matched before the method so the caller can tell 404 from 405; a
 * route without parameters that equals the path hides the patterns.
 */
#include <string.h>

#include "fcgi/fcgi.h"

/*
 * Matches one pattern ("/v1/validations/:id") against path. On a match
 * the parameter spans are written to starts/lens. Returns 1 or 0.
 */
static int
router_path_match(const char *pat, const char *path, const char **starts,
    size_t *lens, size_t *n)
{
	size_t	 seg;

	*n = 0;
	while (*pat != '\0' && *path != '\0') {
		if (*pat == ':') {
			seg = strcspn(path, "/");
			if (seg == 0 || *n == REQUEST_MAX_PARAMS)
				return 0;
			starts[*n] = path;
			lens[(*n)++] = seg;
			path += seg;
			pat += strcspn(pat, "/");
			continue;
		}
		if (*pat != *path)
			return 0;
		pat++;
		path++;
	}
	return *pat == '\0' && *path == '\0';
}

enum route_match
router_match(const struct route *routes, size_t nroutes, struct request *req,
    const struct route **found, struct buf *allow)
{
	const char	*starts[REQUEST_MAX_PARAMS];
	size_t		 lens[REQUEST_MAX_PARAMS], n, i, j;
	int		 path_seen = 0, has_get = 0, literal = 0;
	enum method	 want = req->method == METHOD_HEAD ? METHOD_GET :
			    req->method;

	*found = NULL;
	/* a literal path wins over a pattern: "/v1/validations/stats" is
	 * never taken for "/v1/validations/:id", whatever the method */
	for (i = 0; i < nroutes && !literal; i++)
		literal = strchr(routes[i].path, ':') == NULL &&
		    strcmp(routes[i].path, req->path) == 0;
	for (i = 0; i < nroutes; i++) {
		if (literal && strchr(routes[i].path, ':') != NULL)
			continue;
		if (!router_path_match(routes[i].path, req->path, starts,
		    lens, &n))
			continue;
		path_seen = 1;
		if (routes[i].method == METHOD_GET)
			has_get = 1;
		if (allow != NULL) {
			if (allow->len > 0)
				buf_puts(allow, ", ");
			buf_puts(allow, method_name(routes[i].method));
		}
		if (*found == NULL && routes[i].method == want) {
			*found = &routes[i];
			for (j = 0; j < n; j++)
				req->params[j] = xstrndup(starts[j], lens[j]);
			req->nparams = n;
		}
	}
	if (allow != NULL && path_seen) {
		if (has_get)
			buf_puts(allow, ", HEAD");
		buf_puts(allow, ", OPTIONS");
	}
	if (!path_seen)
		return ROUTE_NO_PATH;
	return *found != NULL ? ROUTE_FOUND : ROUTE_NO_METHOD;
}
