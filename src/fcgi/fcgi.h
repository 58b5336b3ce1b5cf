/*
 * mxcep: the FastCGI side: process model (master and workers), the
 * request and response structures handlers see, and the router.
 * Only worker.c talks libfcgi; everything else sees plain structs.
 * This layer knows nothing of the API: the program passes the request
 * handler and the after-response hook to master_run()/worker_run().
 */
#ifndef MXCEP_FCGI_H
#define MXCEP_FCGI_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "app/app.h"
#include "util/util.h"

struct app;

enum method {
	METHOD_GET = 0,
	METHOD_HEAD,
	METHOD_POST,
	METHOD_PUT,
	METHOD_PATCH,
	METHOD_DELETE,
	METHOD_OPTIONS,
	METHOD__MAX
};

#define REQUEST_MAX_PARAMS	4
#define REQUEST_ID_MAX		64

/* One request; request_free() releases everything it holds. */
struct request {
	struct app	*app;			/* borrowed */
	enum method	 method;		/* METHOD__MAX when unknown */
	char		*method_name;
	char		*path;			/* without the query string */
	char		*query;			/* raw, "" when none */
	char		*content_type;		/* NULL when absent */
	char		*accept;		/* Accept header, NULL when absent */
	long		 content_length;	/* -1 when absent */
	char		*authorization;		/* NULL when absent */
	char		*if_none_match;		/* NULL when absent */
	char		*idempotency_key;	/* NULL when absent */
	char		*host;			/* Host header, NULL when absent */
	char		*remote_addr;		/* REMOTE_ADDR, "" when absent */
	int		 https;			/* 1 when the client used TLS */
	char		 id[REQUEST_ID_MAX + 1];	/* X-Request-Id */
	char		*params[REQUEST_MAX_PARAMS];	/* path parameters */
	size_t		 nparams;
	char		*body;			/* NUL-terminated, NULL when none */
	size_t		 body_len;
	int		 body_too_large;	/* CONTENT_LENGTH over the limit */
	json_t		*json;			/* parsed body, ROUTE_BODY_JSON */
	/* filled by authentication */
	char		 account_id[37];	/* "" when anonymous */
	char		 key_id[37];
	unsigned int	 scopes;
	double		 started;		/* clock_monotonic() at accept */
};

/*
 * A streamed body: after the head is sent, the worker calls stream(req,
 * w, arg), which writes with response_write() as it produces the data
 * (exports: the first bytes leave before the last row is read). The
 * worker frees arg with stream_free afterwards, whatever happened.
 */
struct response_writer;
struct request;
typedef int (*stream_fn)(struct request *, struct response_writer *,
    void *arg);

/*
 * What a request leaves to do after its answer has reached the client
 * (e.g. an async validation's job): the handler sets after_arg with
 * response_after(); once the FastCGI request is finished, the worker
 * passes it to the after hook it was given, then frees it.
 */
typedef void (*after_fn)(struct app *, void *after_arg);

struct response {
	int		 status;
	const char	*content_type;		/* static string */
	struct buf	 headers;		/* extra "Name: value\r\n" lines */
	struct buf	 body;
	stream_fn	 stream;		/* NULL = the body is in body */
	void		*stream_arg;		/* owned, freed with stream_free */
	void		(*stream_free)(void *);
	void		*after_arg;		/* owned, freed with after_free */
	void		(*after_free)(void *);
};

/* the request handler the worker calls for every request: returns the
 * HTTP status it set in the response */
typedef int (*handler_fn)(struct request *, struct response *);

/* master.c */
/* binds spec; a unix socket gets mode (e.g. 0660); returns fd or -1 */
int	 master_listen(const char *spec, unsigned int mode);
/* master_run consumes cfg (heap-allocated, freed at exit); its workers
 * run handle and after (see worker_run) */
int	 master_run(struct config *, const char *config_path, int listen_fd,
	    int is_own_socket, const char *pid_file, handler_fn handle,
	    after_fn after);

/* worker.c */
/* a worker's exit status when it could not start (logged why): the
 * master gives up after MASTER_NOSTART_MAX of them in a row */
#define WORKER_EXIT_NOSTART	3
/* worker_run: serve until stopped or recycled, answering each request
 * with handle, then running after with the response's after_arg (when
 * it set one; after may be NULL); the process exit status: 0, or
 * WORKER_EXIT_NOSTART */
int	 worker_run(const struct config *, int listen_fd, handler_fn handle,
	    after_fn after);

/* request.c */
struct request	*request_new(struct app *, char *const *envp);
void		 request_free(struct request *);
const char	*request_env(char *const *envp, const char *name);
int		 request_id_valid(const char *);
enum method	 method_parse(const char *);
const char	*method_name(enum method);
/* request_query_get: first value of key in the raw query, decoded; caller frees */
char		*request_query_get(const struct request *, const char *key);
/* request_query_unknown: the first key not in allowed (" a b "), decoded,
 * caller frees; NULL when every key is allowed */
char		*request_query_unknown(const struct request *, const char *allowed);
size_t		 url_decode(char *dst, const char *src, size_t n);

/* response.c */
void	 response_init(struct response *);
void	 response_free(struct response *);
void	 response_header(struct response *, const char *name,
	    const char *fmt, ...) PRINTF_LIKE(3, 4);
int	 response_json(struct response *, int status, json_t *doc);	/* steals doc */
int	 response_error(struct response *, int status, const char *code,
	    const char *detail, const char *pointer, const char *parameter);
int	 response_errors(struct response *, int status, json_t *errors);	/* steals */
/* an error object; what it echoes is cut (see RESPONSE_*_MAX) */
json_t	*response_error_object(int status, const char *code,
	    const char *detail, const char *pointer, const char *parameter);
/* the most an error object echoes, in bytes: longer detail,
 * source.pointer and source.parameter are cut to this (on a UTF-8
 * character boundary) and end in "..." (docs/api.md, Errors) */
#define RESPONSE_DETAIL_MAX	512
#define RESPONSE_SOURCE_MAX	128
int	 response_empty(struct response *, int status);
const char *response_reason(int status);
/* starts a streamed body (status, content type; arg consumed) */
int	 response_stream(struct response *, int status,
	    const char *content_type, stream_fn, void *arg,
	    void (*arg_free)(void *));
/* leaves arg (consumed) to the worker's after hook, run once the
 * client has the answer; a second call replaces (frees) the first */
void	 response_after(struct response *, void *arg,
	    void (*arg_free)(void *));
/* worker.c: 0 written, -1 the client went away (stop producing) */
int	 response_write(struct response_writer *, const void *, size_t);
/* the CGI header block ("Status: ...\r\n...\r\n\r\n") */
void	 response_head(const struct response *, const char *request_id,
	    struct buf *out);

/* router.c */

#define ROUTE_AUTH		0x01u	/* needs a valid API key */
#define ROUTE_BODY_JSON		0x02u	/* needs a JSON:API body */
#define ROUTE_OPERATOR		0x04u	/* across accounts: operator accounts only */

struct route {
	enum method	 method;
	const char	*path;		/* "/v1/validations/:id" */
	handler_fn	 handler;
	unsigned int	 flags;		/* ROUTE_* */
	unsigned int	 scope;		/* SCOPE_* required, 0 = none */
	const char	*query;		/* allowed query keys " a b ", NULL = none */
	const char	*id_404;	/* :id must be a UUID v4, else a 404
					   with this code; NULL = no :id */
};

enum route_match {
	ROUTE_FOUND = 0,
	ROUTE_NO_PATH,			/* 404 */
	ROUTE_NO_METHOD			/* 405, allow filled */
};
/* Matches path then method; params are copied into req->params. */
enum route_match router_match(const struct route *, size_t nroutes,
	    struct request *, const struct route **found, struct buf *allow);

#endif /* MXCEP_FCGI_H */
