/*
 * mxcep: building responses: JSON:API documents, error objects with a
 * stable code, and the CGI header block.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fcgi/fcgi.h"

#define MEDIA_JSONAPI	"application/vnd.api+json"
#define JSONAPI_VERSION	"1.1"

static const struct {
	int		 code;
	const char	*reason;
} http_status[] = {
	{ 200, "OK" }, { 201, "Created" }, { 202, "Accepted" },
	{ 204, "No Content" }, { 304, "Not Modified" },
	{ 400, "Bad Request" }, { 401, "Unauthorized" },
	{ 403, "Forbidden" }, { 404, "Not Found" },
	{ 405, "Method Not Allowed" }, { 406, "Not Acceptable" },
	{ 409, "Conflict" }, { 412, "Precondition Failed" },
	{ 413, "Content Too Large" }, { 415, "Unsupported Media Type" },
	{ 422, "Unprocessable Content" }, { 429, "Too Many Requests" },
	{ 500, "Internal Server Error" }, { 502, "Bad Gateway" },
	{ 503, "Service Unavailable" }, { 504, "Gateway Timeout" },
};

const char *
response_reason(int status)
{
	size_t	 i;

	for (i = 0; i < sizeof(http_status) / sizeof(http_status[0]); i++)
		if (http_status[i].code == status)
			return http_status[i].reason;
	return "Unknown";
}

void
response_init(struct response *resp)
{
	resp->status = 500;
	resp->content_type = NULL;
	buf_init(&resp->headers);
	buf_init(&resp->body);
	resp->stream = NULL;
	resp->stream_arg = NULL;
	resp->stream_free = NULL;
	resp->after_arg = NULL;
	resp->after_free = NULL;
}

void
response_after(struct response *resp, void *arg, void (*arg_free)(void *))
{
	if (resp->after_free != NULL && resp->after_arg != NULL)
		resp->after_free(resp->after_arg);
	resp->after_arg = arg;
	resp->after_free = arg_free;
}

void
response_free(struct response *resp)
{
	if (resp == NULL)
		return;
	buf_free(&resp->headers);
	buf_free(&resp->body);
	if (resp->stream_free != NULL && resp->stream_arg != NULL)
		resp->stream_free(resp->stream_arg);
	resp->stream = NULL;
	resp->stream_arg = NULL;
	resp->stream_free = NULL;
	if (resp->after_free != NULL && resp->after_arg != NULL)
		resp->after_free(resp->after_arg);
	resp->after_arg = NULL;
	resp->after_free = NULL;
}

int
response_stream(struct response *resp, int status, const char *content_type,
    stream_fn fn, void *arg, void (*arg_free)(void *))
{
	resp->status = status;
	resp->content_type = content_type;
	buf_reset(&resp->body);
	resp->stream = fn;
	resp->stream_arg = arg;
	resp->stream_free = arg_free;
	return status;
}

void
response_header(struct response *resp, const char *name, const char *fmt,
    ...)
{
	va_list	 ap;
	char	 val[1024];

	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	/* header injection is impossible by construction: no CR/LF */
	val[strcspn(val, "\r\n")] = '\0';
	buf_printf(&resp->headers, "%s: %s\r\n", name, val);
}

int
response_json(struct response *resp, int status, json_t *doc)
{
	char	*s;

	resp->status = status;
	resp->content_type = MEDIA_JSONAPI;
	buf_reset(&resp->body);
	/* every document says which JSON:API it speaks */
	if (json_is_object(doc) && json_object_get(doc, "jsonapi") == NULL)
		json_object_set_new(doc, "jsonapi", json_pack("{s:s}",
		    "version", JSONAPI_VERSION));
	/* 15 significant digits: amounts print as 1234.56, not 1234.5599999999999 */
	s = json_dumps(doc, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
	json_decref(doc);
	if (s == NULL) {
		log_warnx("%s: json_dumps failed", __func__);
		resp->status = 500;
		buf_puts(&resp->body, "{\"errors\":[{\"status\":\"500\","
		    "\"code\":\"internal_error\",\"title\":\"Internal Server "
		    "Error\",\"detail\":\"could not encode the response\"}],"
		    "\"jsonapi\":{\"version\":\"" JSONAPI_VERSION "\"}}");
		return 500;
	}
	buf_puts(&resp->body, s);
	free(s);
	return status;
}

/*
 * What an error echoes of the request is cut to max bytes (on a UTF-8
 * character boundary, "..." appended), so a huge parameter name or
 * member name cannot make a huge error; a byte that is not UTF-8
 * (a name cut short by a "%.60s" upstream) becomes '?', so the text
 * is always a JSON string. out holds max + 4.
 */
static const char *
response_error_text(const char *s, size_t max, char *out)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 left, o = 0, n;
	unsigned long		 cp;

	if (s == NULL)
		return NULL;
	for (left = strlen(s); left > 0; p += n, left -= n) {
		n = str_utf8_char(p, left, &cp);
		if (o + (n > 0 ? n : 1) > max) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		if (n == 0) {
			out[o++] = '?';
			n = 1;
		} else {
			memcpy(out + o, p, n);
			o += n;
		}
	}
	out[o] = '\0';
	return out;
}

json_t *
response_error_object(int status, const char *code, const char *detail,
    const char *pointer, const char *parameter)
{
	char	 st[8], dcut[RESPONSE_DETAIL_MAX + 4];
	char	 pcut[RESPONSE_SOURCE_MAX + 4], qcut[RESPONSE_SOURCE_MAX + 4];
	json_t	*e, *src;

	snprintf(st, sizeof(st), "%d", status);
	detail = response_error_text(detail, RESPONSE_DETAIL_MAX, dcut);
	pointer = response_error_text(pointer, RESPONSE_SOURCE_MAX, pcut);
	parameter = response_error_text(parameter, RESPONSE_SOURCE_MAX, qcut);
	e = json_pack("{s:s, s:s, s:s, s:s}", "status", st, "code", code,
	    "title", response_reason(status), "detail",
	    detail != NULL ? detail : response_reason(status));
	if (pointer != NULL || parameter != NULL) {
		src = json_object();
		if (pointer != NULL)
			json_object_set_new(src, "pointer",
			    json_string(pointer));
		if (parameter != NULL)
			json_object_set_new(src, "parameter",
			    json_string(parameter));
		json_object_set_new(e, "source", src);
	}
	return e;
}

int
response_errors(struct response *resp, int status, json_t *errors)
{
	return response_json(resp, status, json_pack("{s:o}", "errors",
	    errors));
}

int
response_error(struct response *resp, int status, const char *code,
    const char *detail, const char *pointer, const char *parameter)
{
	return response_errors(resp, status, json_pack("[o]",
	    response_error_object(status, code, detail, pointer,
	    parameter)));
}

int
response_empty(struct response *resp, int status)
{
	resp->status = status;
	resp->content_type = NULL;
	buf_reset(&resp->body);
	return status;
}

void
response_head(const struct response *resp, const char *request_id,
    struct buf *out)
{
	buf_printf(out, "Status: %d %s\r\n", resp->status,
	    response_reason(resp->status));
	if (resp->content_type != NULL && resp->status != 204 &&
	    resp->status != 304)
		buf_printf(out, "Content-Type: %s\r\n", resp->content_type);
	if (resp->status != 204 && resp->status != 304 && resp->stream == NULL)
		buf_printf(out, "Content-Length: %zu\r\n", resp->body.len);
	if (request_id != NULL && request_id[0] != '\0')
		buf_printf(out, "X-Request-Id: %s\r\n", request_id);
	if (resp->headers.len > 0)
		buf_append(out, resp->headers.data, resp->headers.len);
	buf_puts(out, "\r\n");
}
