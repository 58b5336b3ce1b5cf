/*
 * mxcep: JSON:API 1.1 content negotiation (pure): which Accept and
 * Content-Type headers a request may carry.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "api/api.h"

#define MEDIA_JSONAPI		"application/vnd.api+json"
#define MEDIA_JSONAPI_LEN	(sizeof(MEDIA_JSONAPI) - 1)

static const char *
media_skip_space(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/*
 * The parameters of one JSON:API media type instance, [p, end): the
 * text after "application/vnd.api+json", a ";"-separated list of
 * name=value (value bare or quoted). 1 when every parameter is ext or
 * profile (or q, the weight, when in_accept) and ext names no
 * extension (this server supports none); 0 otherwise. An empty
 * parameter (a stray ";") counts as none.
 */
static int
media_params_ok(const char *p, const char *end, int in_accept)
{
	const char	*name, *name_end, *val;
	int		 empty;

	for (;;) {
		p = media_skip_space(p, end);
		if (p == end)
			return 1;
		if (*p++ != ';')
			return 0;
		p = media_skip_space(p, end);
		name = p;
		while (p < end && *p != '=' && *p != ';' && *p != ' ' &&
		    *p != '\t')
			p++;
		name_end = p;
		p = media_skip_space(p, end);
		empty = 1;
		if (p < end && *p == '=') {
			val = p = media_skip_space(p + 1, end);
			if (p < end && *p == '"') {
				empty = 1;
				for (p++; p < end && *p != '"'; p++) {
					if (*p == '\\' && p + 1 < end)
						p++;
					if (*p != ' ' && *p != '\t')
						empty = 0;
				}
				if (p == end)
					return 0;	/* unterminated quote */
				p++;
			} else {
				while (p < end && *p != ';' && *p != ' ' &&
				    *p != '\t')
					p++;
				empty = p == val;
			}
		}
		if (name == name_end) {
			if (!empty)
				return 0;	/* "=value" without a name */
			continue;
		}
		if ((size_t)(name_end - name) == 3 &&
		    strncasecmp(name, "ext", 3) == 0) {
			if (!empty)
				return 0;
		} else if (!((size_t)(name_end - name) == 7 &&
		    strncasecmp(name, "profile", 7) == 0) &&
		    !(in_accept && name_end - name == 1 &&
		    (*name == 'q' || *name == 'Q')))
			return 0;
	}
}

/* 1 when [s, end) (spaces trimmed at the start) is the JSON:API type;
 * *params then points after it */
static int
media_is_jsonapi(const char *s, const char *end, const char **params)
{
	size_t	 n;

	s = media_skip_space(s, end);
	for (n = 0; s + n < end && s[n] != ';' && s[n] != ' ' &&
	    s[n] != '\t'; n++)
		;
	if (n != MEDIA_JSONAPI_LEN || strncasecmp(s, MEDIA_JSONAPI, n) != 0)
		return 0;
	*params = s + n;
	return 1;
}

int
api_media_accept_ok(const char *accept)
{
	const char	*p = accept, *start, *params;
	int		 seen = 0, quoted;

	if (accept == NULL)
		return 1;
	while (*p != '\0') {
		/* one element of the list: up to a comma outside quotes */
		for (start = p, quoted = 0; *p != '\0' &&
		    (quoted || *p != ','); p++) {
			if (quoted && *p == '\\' && p[1] != '\0')
				p++;
			else if (*p == '"')
				quoted = !quoted;
		}
		if (media_is_jsonapi(start, p, &params)) {
			seen = 1;
			if (media_params_ok(params, p, 1))
				return 1;
		}
		if (*p == ',')
			p++;
	}
	return !seen;
}

int
api_media_content_type(const char *ct)
{
	const char	*params, *end;

	if (ct == NULL)
		return 0;
	end = ct + strlen(ct);
	if (!media_is_jsonapi(ct, end, &params))
		return 0;
	return media_params_ok(params, end, 0) ? 1 : -1;
}
