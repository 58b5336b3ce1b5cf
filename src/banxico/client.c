/*
 * mxcep: the Banxico CEP client; the only file that calls curl for
 * Banxico. One CURL handle per process (created after fork), reused so
 * connections stay alive; its cookie engine is emptied before every
 * query, so each query is one portal session: POST valida.do, then GET
 * descarga.do?formato=XML and ?formato=PDF with the session's cookies
 * (shared/data/cep/PROTOCOL.md sections 2.2, 2.3 and 3).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "banxico/banxico.h"
#include "util/util.h"

#define BANXICO_UA		"Mozilla/5.0 (compatible; mxcep/" PACKAGE_VERSION ")"
#define BANXICO_MAX_REDIRECTS	3
#define VALIDA_MAX_BYTES	(1024 * 1024)
#define PDF_MAX_BYTES		(4 * 1024 * 1024)

struct banxico {
	const struct config	*cfg;		/* borrowed */
	CURL			*h;
	char			*base;		/* banxico_url without trailing '/' */
	char			*host;		/* its host name */
	int			 https;		/* base is https */
	long			 port;		/* its port (explicit or default);
						   a redirect keeps all three */
	char			 errbuf[CURL_ERROR_SIZE];
	struct buf		*sink;		/* body of the current transfer */
	size_t			 cap;		/* its size limit */
	int			 overflow;	/* the limit was hit */
};

/* how one HTTP exchange (with its redirects) ended */
enum http_end {
	HTTP_DONE = 0,		/* a final answer: status + body */
	HTTP_UNREACHABLE,	/* connect, TLS, timeout, reset... */
	HTTP_TOO_BIG,		/* body over the cap */
	HTTP_REDIRECT_REFUSED,	/* another origin, a re-POST, or too many */
};

static size_t
sink_write(char *p, size_t size, size_t nmemb, void *arg)
{
	struct banxico	*bx = arg;
	size_t		 n = size * nmemb;

	if (n > bx->cap || bx->sink->len > bx->cap - n) {
		bx->overflow = 1;
		return 0;		/* curl aborts with CURLE_WRITE_ERROR */
	}
	buf_append(bx->sink, p, n);
	return n;
}

/* the origin of url: host (lowercase copy), whether the scheme is https,
 * and the port (the scheme's default when none is given); -1 if not
 * http(s) */
static int
url_parts(const char *url, char **host, int *https, long *port)
{
	CURLU	*u = curl_url();
	char	*h = NULL, *scheme = NULL, *p = NULL, *end;
	int	 rc = -1;

	*host = NULL;
	if (u == NULL)
		return -1;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &h, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PORT, &p, CURLU_DEFAULT_PORT) !=
	    CURLUE_OK)
		goto out;
	*port = strtol(p, &end, 10);
	if (*end != '\0' || *port <= 0 || *port > 65535)
		goto out;
	if (strcasecmp(scheme, "https") == 0)
		*https = 1;
	else if (strcasecmp(scheme, "http") == 0)
		*https = 0;
	else
		goto out;
	*host = xstrdup(h);
	for (char *c = *host; *c != '\0'; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	rc = 0;
out:
	curl_free(h);
	curl_free(scheme);
	curl_free(p);
	curl_url_cleanup(u);
	return rc;
}

struct banxico *
banxico_new(const struct config *cfg)
{
	struct banxico	*bx = xcalloc(1, sizeof(*bx));
	size_t		 n;

	bx->cfg = cfg;
	bx->base = xstrdup(cfg->banxico_url);
	n = strlen(bx->base);
	while (n > 0 && bx->base[n - 1] == '/')
		bx->base[--n] = '\0';
	if (url_parts(bx->base, &bx->host, &bx->https, &bx->port) == -1) {
		log_warnx("%s: banxico_url is not an http(s) URL: %s",
		    __func__, cfg->banxico_url);
		goto fail;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_warnx("%s: curl_global_init failed", __func__);
		goto fail;
	}
	if ((bx->h = curl_easy_init()) == NULL) {
		log_warnx("%s: curl_easy_init failed", __func__);
		curl_global_cleanup();
		goto fail;
	}
	curl_easy_setopt(bx->h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(bx->h, CURLOPT_ERRORBUFFER, bx->errbuf);
	curl_easy_setopt(bx->h, CURLOPT_WRITEFUNCTION, sink_write);
	curl_easy_setopt(bx->h, CURLOPT_WRITEDATA, bx);
	curl_easy_setopt(bx->h, CURLOPT_USERAGENT, BANXICO_UA);
	curl_easy_setopt(bx->h, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(bx->h, CURLOPT_COOKIEFILE, "");	/* cookie engine */
	curl_easy_setopt(bx->h, CURLOPT_FOLLOWLOCATION, 0L);	/* done by hand */
	curl_easy_setopt(bx->h, CURLOPT_PROXY, "");	/* ignore *_proxy env */
	curl_easy_setopt(bx->h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(bx->h, CURLOPT_FAILONERROR, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(bx->h, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(bx->h, CURLOPT_PROTOCOLS,
	    (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	return bx;
fail:
	free(bx->base);
	free(bx->host);
	free(bx);
	return NULL;
}

void
banxico_free(struct banxico *bx)
{
	if (bx == NULL)
		return;
	curl_easy_cleanup(bx->h);
	curl_global_cleanup();
	free(bx->base);
	free(bx->host);
	free(bx);
}

/* append s percent-encoded (application/x-www-form-urlencoded) */
static void
form_escape(struct buf *b, const char *s)
{
	static const char	 hex[] = "0123456789ABCDEF";
	char			 e[3];

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~') {
			buf_append(b, s, 1);
			continue;
		}
		e[0] = '%';
		e[1] = hex[c >> 4];
		e[2] = hex[c & 15];
		buf_append(b, e, 3);
	}
}

char *
banxico_form_body(const struct banxico_query *q, char *detail, size_t n)
{
	struct buf	 b;
	const char	*s;
	char		 monto[32];

	if (q->tipo_criterio != BANXICO_CRITERIO_RASTREO &&
	    q->tipo_criterio != BANXICO_CRITERIO_REFERENCIA) {
		snprintf(detail, n, "bad tipo_criterio");
		return NULL;
	}
	if (q->fecha == NULL || !cep_date_valid(q->fecha)) {
		snprintf(detail, n, "fecha must be a date YYYY-MM-DD");
		return NULL;
	}
	if (q->tipo_criterio == BANXICO_CRITERIO_REFERENCIA) {
		if (!str_is_digits(q->criterio, 1, 7)) {
			snprintf(detail, n, "referencia must be 1-7 digits");
			return NULL;
		}
	} else {
		if (q->criterio == NULL || strlen(q->criterio) < 1 ||
		    strlen(q->criterio) > 30) {
			snprintf(detail, n, "clave de rastreo must be 1-30 "
			    "characters");
			return NULL;
		}
		for (s = q->criterio; *s != '\0'; s++)
			if (*s <= ' ' || *s > '~') {
				snprintf(detail, n, "clave de rastreo has a "
				    "character outside ASCII letters, digits "
				    "and punctuation");
				return NULL;
			}
	}
	if (!str_is_digits(q->emisor, 3, 6) || !str_is_digits(q->receptor, 3, 6)) {
		snprintf(detail, n, "emisor and receptor must be participant "
		    "codes (3-6 digits)");
		return NULL;
	}
	if (!str_is_digits(q->cuenta, 1, 20)) {
		snprintf(detail, n, "cuenta must be 1-20 digits");
		return NULL;
	}
	if (q->monto_cents <= 0 || q->monto_cents >= INT64_C(100000000000000000)) {
		snprintf(detail, n, "monto must be positive");
		return NULL;
	}
	/* the field order of CP's cassettes (2025) */
	buf_init(&b);
	buf_printf(&b, "tipoCriterio=%s&captcha=c&tipoConsulta=1&fecha="
	    "%.2s-%.2s-%.4s&criterio=",
	    q->tipo_criterio == BANXICO_CRITERIO_RASTREO ? "T" : "R",
	    q->fecha + 8, q->fecha + 5, q->fecha);
	form_escape(&b, q->criterio);
	buf_printf(&b, "&emisor=%s&receptor=%s&cuenta=%s&monto=%s"
	    "&receptorParticipante=%d", q->emisor, q->receptor, q->cuenta,
	    cep_cents_format(q->monto_cents, monto, sizeof(monto)),
	    q->receptor_participante ? 1 : 0);
	return b.data;
}

/* may the client follow a redirect to url? Only within banxico_url's
 * origin: the same scheme, host and port. */
static int
redirect_allowed(const struct banxico *bx, const char *url, char *detail,
    size_t n)
{
	char	*host = NULL;
	int	 https = 0, ok = 0;
	long	 port = 0;

	if (url_parts(url, &host, &https, &port) == -1)
		snprintf(detail, n, "redirect to a non-http URL refused");
	else if (strcmp(host, bx->host) != 0)
		snprintf(detail, n, "redirect to another host refused: %.80s",
		    host);
	else if (bx->https != https)
		snprintf(detail, n, "redirect from %s to %s refused",
		    bx->https ? "https" : "http", https ? "https" : "http");
	else if (port != bx->port)
		snprintf(detail, n, "redirect to another port refused: %ld",
		    port);
	else
		ok = 1;
	free(host);
	return ok;
}

/* the handle set for one request to url: ms left, at most cap bytes
 * into out; POST form when not NULL, else GET */
static void
http_prepare(struct banxico *bx, const char *url, const char *form,
    size_t cap, long ms, struct buf *out)
{
	long	 cms = bx->cfg->banxico_connect_timeout_ms;

	curl_easy_setopt(bx->h, CURLOPT_URL, url);
	curl_easy_setopt(bx->h, CURLOPT_TIMEOUT_MS, ms);
	curl_easy_setopt(bx->h, CURLOPT_CONNECTTIMEOUT_MS, cms < ms ? cms : ms);
	curl_easy_setopt(bx->h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)cap);
	if (form != NULL) {
		curl_easy_setopt(bx->h, CURLOPT_POSTFIELDS, form);
		curl_easy_setopt(bx->h, CURLOPT_POSTFIELDSIZE,
		    (long)strlen(form));
	} else
		curl_easy_setopt(bx->h, CURLOPT_HTTPGET, 1L);
	bx->sink = out;
	bx->cap = cap;
	bx->overflow = 0;
	bx->errbuf[0] = '\0';
}

/*
 * One request (POST when form != NULL, else GET) and its same-origin
 * redirects, within the deadline (clock_monotonic() seconds). The final
 * body goes to out (reset first), its status to *status.
 */
static enum http_end
http_do(struct banxico *bx, const char *first_url, const char *form,
    size_t cap, double deadline, struct buf *out, long *status,
    char *detail, size_t n)
{
	char		*url = xstrdup(first_url), *next = NULL;
	const char	*what = strrchr(first_url, '/');
	double		 left;
	long		 ms;
	CURLcode	 rc;
	enum http_end	 end = HTTP_UNREACHABLE;
	int		 hops;

	*status = 0;
	for (hops = 0; ; hops++) {
		buf_reset(out);
		buf_append(out, "", 0);
		left = deadline - clock_monotonic();
		if ((ms = (long)(left * 1000.0)) < 1) {
			snprintf(detail, n, "%s: timed out (banxico_timeout_ms)",
			    what + 1);
			break;
		}
		http_prepare(bx, url, form, cap, ms, out);
		rc = curl_easy_perform(bx->h);
		bx->sink = NULL;
		if (bx->overflow || rc == CURLE_FILESIZE_EXCEEDED) {
			snprintf(detail, n, "%s: answer larger than %zu bytes",
			    what + 1, cap);
			end = HTTP_TOO_BIG;
			break;
		}
		if (rc != CURLE_OK) {
			snprintf(detail, n, "%s: %s%s%.120s", what + 1,
			    curl_easy_strerror(rc), bx->errbuf[0] ? ": " : "",
			    bx->errbuf);
			log_warnx("%s: %s", __func__, detail);
			break;
		}
		curl_easy_getinfo(bx->h, CURLINFO_RESPONSE_CODE, status);
		next = NULL;
		if (*status >= 300 && *status < 400)
			curl_easy_getinfo(bx->h, CURLINFO_REDIRECT_URL, &next);
		if (next == NULL) {
			end = HTTP_DONE;
			break;
		}
		if (hops == BANXICO_MAX_REDIRECTS) {
			snprintf(detail, n, "%s: more than %d redirects",
			    what + 1, BANXICO_MAX_REDIRECTS);
			end = HTTP_REDIRECT_REFUSED;
			break;
		}
		if (!redirect_allowed(bx, next, detail, n)) {
			end = HTTP_REDIRECT_REFUSED;
			break;
		}
		/* 307/308 would send the form again: never; 301/302/303
		 * turn to GET */
		if (form != NULL && (*status == 307 || *status == 308)) {
			snprintf(detail, n, "%s: redirect %ld of a POST refused "
			    "(the form is never sent twice)", what + 1, *status);
			end = HTTP_REDIRECT_REFUSED;
			break;
		}
		form = NULL;
		free(url);
		url = xstrdup(next);
	}
	free(url);
	return end;
}

static void
take_raw(struct banxico_answer *a, struct buf *body)
{
	buf_free(&a->raw);
	a->raw = *body;
	buf_init(body);
}

/* a failed exchange -> the answer's outcome */
static enum banxico_outcome
end_outcome(enum http_end end)
{
	switch (end) {
	case HTTP_UNREACHABLE:
		return BANXICO_UNREACHABLE;
	case HTTP_DONE:
		return BANXICO_FOUND;
	case HTTP_TOO_BIG:
	case HTTP_REDIRECT_REFUSED:
	default:
		return BANXICO_UNRECOGNISED;
	}
}

/* step 2: the XML, parsed, checked, matched against the query */
static void
fetch_xml(struct banxico *bx, const struct banxico_query *q, double deadline,
    struct banxico_answer *a)
{
	struct cep_xml_error	 xerr;
	enum http_end		 end;
	char			*url = xasprintf("%s/descarga.do?formato=XML",
	    bx->base);

	end = http_do(bx, url, NULL, CEP_XML_MAX_BYTES, deadline, &a->xml,
	    &a->http_status, a->detail, sizeof(a->detail));
	free(url);
	if (end == HTTP_TOO_BIG) {
		a->outcome = BANXICO_CEP_INVALID;
		buf_free(&a->xml);
		return;
	}
	if (end != HTTP_DONE) {
		a->outcome = end_outcome(end);
		buf_free(&a->xml);
		return;
	}
	a->outcome = cep_classify_descarga(CEP_FORMAT_XML, a->http_status,
	    a->xml.data, a->xml.len);
	if (a->outcome != BANXICO_FOUND) {
		snprintf(a->detail, sizeof(a->detail), "descarga.do XML: %s",
		    banxico_outcome_name(a->outcome));
		if (a->outcome == BANXICO_UNRECOGNISED)
			take_raw(a, &a->xml);
		buf_free(&a->xml);
		return;
	}
	if ((a->cep = cep_xml_parse(a->xml.data, a->xml.len, &xerr)) == NULL) {
		a->outcome = xerr.code == CEP_XML_ALTERED ?
		    BANXICO_CEP_ALTERED : BANXICO_CEP_INVALID;
		snprintf(a->detail, sizeof(a->detail), "CEP XML: %s",
		    xerr.detail);
		return;
	}
	if (cep_match_query(a->cep, q, a->detail, sizeof(a->detail)) == -1)
		a->outcome = BANXICO_CEP_MISMATCH;
	else
		snprintf(a->detail, sizeof(a->detail), "CEP %s %s",
		    a->cep->fecha_operacion, a->cep->clave_rastreo);
}

/* step 3: the PDF; its failure only sets pdf_outcome */
static void
fetch_pdf(struct banxico *bx, double deadline, struct banxico_answer *a)
{
	enum http_end	 end;
	long		 status = 0;
	char		 detail[160];
	char		*url = xasprintf("%s/descarga.do?formato=PDF", bx->base);

	end = http_do(bx, url, NULL, PDF_MAX_BYTES, deadline, &a->pdf,
	    &status, detail, sizeof(detail));
	free(url);
	if (end != HTTP_DONE)
		a->pdf_outcome = end_outcome(end);
	else
		a->pdf_outcome = cep_classify_descarga(CEP_FORMAT_PDF, status,
		    a->pdf.data, a->pdf.len);
	if (a->pdf_outcome != BANXICO_FOUND) {
		log_info("%s: PDF not downloaded: %s (http %ld)", __func__,
		    banxico_outcome_name(a->pdf_outcome), status);
		buf_free(&a->pdf);
	}
}

/* detail (size n) as well-formed UTF-8 (U+FFFD for a byte that is not):
 * it quotes outside text (redirect hosts, curl's errors, CEP fields cut
 * to a byte count), and goes into banxico_result and the log */
static void
detail_repair(char *detail, size_t n)
{
	char	 fixed[256];

	if (n > sizeof(fixed))
		n = sizeof(fixed);
	utf8_copy(fixed, n, detail, strlen(detail), 0);
	memcpy(detail, fixed, strlen(fixed) + 1);
}

int
banxico_query(struct banxico *bx, const struct banxico_query *q,
    struct banxico_answer *a)
{
	double		 t0 = clock_monotonic(), deadline;
	struct buf	 body;
	enum http_end	 end;
	char		*form = NULL, *url = NULL, estado[4 * 40 + 1];
	int		 rc = 0;

	memset(a, 0, sizeof(*a));
	buf_init(&a->xml);
	buf_init(&a->pdf);
	buf_init(&a->raw);
	buf_init(&body);
	a->pdf_outcome = BANXICO_UNRECOGNISED;
	deadline = t0 + bx->cfg->banxico_timeout_ms / 1000.0;
	if ((form = banxico_form_body(q, a->detail, sizeof(a->detail))) ==
	    NULL) {
		a->outcome = BANXICO_BAD_QUERY;
		rc = -1;
		goto out;
	}
	/* a new portal session: no cookie of the previous query */
	curl_easy_setopt(bx->h, CURLOPT_COOKIELIST, "ALL");
	url = xasprintf("%s/valida.do", bx->base);
	end = http_do(bx, url, form, VALIDA_MAX_BYTES, deadline, &body,
	    &a->http_status, a->detail, sizeof(a->detail));
	if (end != HTTP_DONE) {
		a->outcome = end_outcome(end);
		goto out;
	}
	a->outcome = cep_classify_valida(a->http_status, body.data, body.len,
	    &a->status);
	snprintf(a->detail, sizeof(a->detail), "valida.do: %s",
	    banxico_outcome_name(a->outcome));
	if (a->outcome == BANXICO_NO_CEP_YET && a->status->estado_text != NULL) {
		/* at most 40 whole characters of Banxico's text */
		utf8_copy(estado, sizeof(estado), a->status->estado_text,
		    strlen(a->status->estado_text), 40);
		snprintf(a->detail, sizeof(a->detail), "valida.do: payment "
		    "found, no CEP; estado %s", estado);
	}
	if (a->outcome == BANXICO_UNRECOGNISED)
		take_raw(a, &body);
	if (a->outcome != BANXICO_FOUND)
		goto out;
	fetch_xml(bx, q, deadline, a);
	if (a->outcome == BANXICO_FOUND || a->outcome == BANXICO_CEP_MISMATCH)
		fetch_pdf(bx, deadline, a);
out:
	detail_repair(a->detail, sizeof(a->detail));
	a->elapsed_ms = (long)((clock_monotonic() - t0) * 1000.0);
	log_info("%s: %s http=%ld ms=%ld: %s", __func__,
	    banxico_outcome_name(a->outcome), a->http_status, a->elapsed_ms,
	    a->detail);
	buf_free(&body);
	free(form);
	free(url);
	return rc;
}
