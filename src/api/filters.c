/*
 * mxcep: the list filters of spec 000 (GET /v1/validations, its stats,
 * its export and the admin views) from the query string into a typed
 * struct validation_filter. Both spellings are accepted: "status=" and
 * the JSON:API "filter[status]=", "page"/"per_page" and
 * "page[number]"/"page[size]". Unknown keys, repeated keys and bad
 * values are refused with the parameter named as the client spelled it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "core/core.h"
#include "store/store.h"

/* the keys, in the order of the lists in api.h */
#define FKEY_ENUM(key, plain, jsonapi)	key,
enum fkey {
	API_FILTER_LIST(FKEY_ENUM)
	API_ACCOUNT_LIST(FKEY_ENUM)
	API_PAGE_LIST(FKEY_ENUM)
	FK__MAX
};

#define FKEY_ALWAYS(key, plain, jsonapi) [key] = { plain, jsonapi, 0 },
#define FKEY_ACCOUNT(key, plain, jsonapi) \
	[key] = { plain, jsonapi, FILTER_ACCOUNT },
#define FKEY_PAGE(key, plain, jsonapi) \
	[key] = { plain, jsonapi, FILTER_PAGINATION },
static const struct {
	const char	*name;		/* plain spelling */
	const char	*jsonapi;	/* JSON:API spelling */
	unsigned int	 need;		/* FILTER_* flag that enables it, 0 = always */
} fkeys[FK__MAX] = {
	API_FILTER_LIST(FKEY_ALWAYS)
	API_ACCOUNT_LIST(FKEY_ACCOUNT)
	API_PAGE_LIST(FKEY_PAGE)
};

static int
filter_fail(struct filter_error *e, const char *code, const char *param,
    const char *fmt, ...) PRINTF_LIKE(4, 5);

static int
filter_fail(struct filter_error *e, const char *code, const char *param,
    const char *fmt, ...)
{
	va_list	 ap;

	e->status = 400;
	e->code = code;
	snprintf(e->parameter, sizeof(e->parameter), "%s", param);
	va_start(ap, fmt);
	vsnprintf(e->detail, sizeof(e->detail), fmt, ap);
	va_end(ap);
	return -1;
}

/* "YYYY-MM-DD" (a real calendar day) into out (11 bytes); 0/-1 */
static int
filter_date(const char *s, char out[11], struct date *d)
{
	if (strlen(s) != 10 || date_parse_iso(s, d) == -1)
		return -1;
	memcpy(out, s, 11);
	return 0;
}

/* 00:00 UTC of d (core/date.c counts the days) */
static time_t
filter_day_start(const struct date *d)
{
	return (time_t)(date_days_since_epoch(d->year, d->month, d->day) *
	    86400);
}

/* 1..max in plain decimal digits; -1 otherwise */
static long
filter_uint(const char *s, long max)
{
	long	 v = 0;
	size_t	 n = strlen(s);

	if (n == 0 || n > 9 || strspn(s, "0123456789") != n)
		return -1;
	v = strtol(s, NULL, 10);
	return v >= 1 && v <= max ? v : -1;
}

/* "1"/"true" -> 1, "0"/"false" -> 0, else -1 */
static int
filter_bool(const char *s)
{
	if (strcmp(s, "1") == 0 || strcmp(s, "true") == 0)
		return 1;
	if (strcmp(s, "0") == 0 || strcmp(s, "false") == 0)
		return 0;
	return -1;
}

/* valid UTF-8 without control characters */
static int
filter_text_ok(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	int			 k;

	while (*p != '\0') {
		if (*p < 0x20 || *p == 0x7f)
			return 0;
		if (*p < 0x80) {
			p++;
			continue;
		}
		if ((*p & 0xe0) == 0xc0 && *p >= 0xc2)
			k = 1;
		else if ((*p & 0xf0) == 0xe0)
			k = 2;
		else if ((*p & 0xf8) == 0xf0 && *p <= 0xf4)
			k = 3;
		else
			return 0;
		for (p++; k > 0; k--, p++)
			if ((*p & 0xc0) != 0x80)
				return 0;
	}
	return 1;
}

static int
filter_status(const char *val, const char *param, struct validation_filter *f,
    struct filter_error *e)
{
	enum validation_status	 st;
	char			*copy = xstrdup(val), *tok, *save = NULL;
	int			 rc = 0;

	f->status_mask = 0;
	if (val[0] == '\0' || val[strlen(val) - 1] == ',' || val[0] == ',')
		rc = -1;
	for (tok = strtok_r(copy, ",", &save); rc == 0 && tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if (validation_status_parse(tok, &st) == -1)
			rc = -1;
		else
			f->status_mask |= 1u << st;
	}
	if (rc == -1 || strstr(val, ",,") != NULL) {
		free(copy);
		return filter_fail(e, "invalid_parameter", param, "%s must be "
		    "one or more of queued, processing, valid, not_found, "
		    "cep_unavailable, invalid, failed, error (comma-separated)",
		    param);
	}
	free(copy);
	return 0;
}

static int
filter_amount(const char *val, const char *param, int64_t *out,
    struct filter_error *e)
{
	enum money_error	 why = MONEY_OK;
	int64_t			 c = 0;

	if (money_parse(val, &c, &why) == -1) {
		if (why != MONEY_ERR_ZERO)
			return filter_fail(e, "invalid_parameter", param,
			    "%s: %s (pesos, e.g. 1500 or 1500.50)", param,
			    money_error_str(why));
		c = 0;
	}
	*out = c;
	return 0;
}

/* date_from/date_to (on created_at, UTC days) and fecha_from/fecha_to
 * (the transfer's date) */
static int
filter_dates(enum fkey k, const char *param, const char *val,
    struct validation_filter *f, struct filter_error *e)
{
	struct date	 d;
	char		 tmp[11];

	switch (k) {
	case FK_DATE_FROM:
	case FK_DATE_TO:
		if (filter_date(val, tmp, &d) == -1)
			return filter_fail(e, "invalid_parameter", param,
			    "%s must be a date YYYY-MM-DD (UTC)", param);
		if (k == FK_DATE_FROM)
			f->created_from = filter_day_start(&d);
		else	/* inclusive: before the next day */
			f->created_before = filter_day_start(&d) + 86400;
		return 0;
	default:
		if (filter_date(val, k == FK_FECHA_FROM ? f->fecha_from :
		    f->fecha_to, &d) == -1)
			return filter_fail(e, "invalid_parameter", param,
			    "%s must be a date YYYY-MM-DD", param);
		return 0;
	}
}

/* search: 1..FILTER_SEARCH_MAX bytes of text, spaces trimmed */
static int
filter_search(const char *param, const char *val,
    struct validation_filter *f, struct filter_error *e)
{
	size_t	 len;

	val += strspn(val, " ");
	len = strlen(val);
	while (len > 0 && val[len - 1] == ' ')
		len--;
	if (len == 0 || len > FILTER_SEARCH_MAX)
		return filter_fail(e, "invalid_parameter", param,
		    "%s must be 1 to %d bytes of text", param,
		    FILTER_SEARCH_MAX);
	memcpy(f->search, val, len);
	f->search[len] = '\0';
	if (!filter_text_ok(f->search)) {
		f->search[0] = '\0';
		return filter_fail(e, "invalid_parameter", param,
		    "%s must be UTF-8 text without control characters",
		    param);
	}
	return 0;
}

/* one key=value; k is the key's index, param its spelling */
static int
filter_one(enum fkey k, const char *param, const char *val,
    struct validation_filter *f, struct filter_error *e)
{
	enum validation_type	 t;
	enum retry_terminal	 rt;
	long			 n;
	int			 b;

	switch (k) {
	case FK_STATUS:
		return filter_status(val, param, f, e);
	case FK_TYPE:
		if (validation_type_parse(val, &t) == -1)
			return filter_fail(e, "invalid_parameter", param,
			    "%s must be direct or ocr", param);
		f->type = (int)t;
		return 0;
	case FK_DATE_FROM:
	case FK_DATE_TO:
	case FK_FECHA_FROM:
	case FK_FECHA_TO:
		return filter_dates(k, param, val, f, e);
	case FK_SEARCH:
		return filter_search(param, val, f, e);
	case FK_WITH_DELETED:
		if ((b = filter_bool(val)) == -1)
			return filter_fail(e, "invalid_parameter", param,
			    "%s must be 1 or 0 (true or false)", param);
		f->with_deleted = b;
		return 0;
	case FK_AMOUNT_MIN:
		return filter_amount(val, param, &f->amount_min, e);
	case FK_AMOUNT_MAX:
		return filter_amount(val, param, &f->amount_max, e);
	case FK_PLAYGROUND:
		if ((b = filter_bool(val)) == -1)
			return filter_fail(e, "invalid_parameter", param,
			    "%s must be true or false", param);
		f->playground = b;
		return 0;
	case FK_RETRY_STATE:
		if (strcmp(val, "none") == 0)
			rt = RETRY_TERMINAL_NONE;
		else if (retry_terminal_parse(val, &rt) == -1 ||
		    rt == RETRY_TERMINAL_NONE)
			return filter_fail(e, "invalid_parameter", param,
			    "%s must be pending, resolved, exhausted, "
			    "cancelled or none", param);
		f->retry_state = (int)rt;
		return 0;
	case FK_ACCOUNT_ID:
		if (!uuid_valid(val))
			return filter_fail(e, "invalid_parameter", param,
			    "%s must be an account id (a lowercase uuid)",
			    param);
		snprintf(f->account_id, sizeof(f->account_id), "%s", val);
		return 0;
	case FK_PAGE:
		if ((n = filter_uint(val, FILTER_PAGE_MAX)) == -1)
			return filter_fail(e, "invalid_parameter", param,
			    "%s must be an integer from 1 to %d", param,
			    FILTER_PAGE_MAX);
		f->page = (int)n;
		return 0;
	case FK_PER_PAGE:
		if ((n = filter_uint(val, FILTER_PER_PAGE_MAX)) == -1)
			return filter_fail(e, "invalid_parameter", param,
			    "%s must be an integer from 1 to %d", param,
			    FILTER_PER_PAGE_MAX);
		f->per_page = (int)n;
		return 0;
	default:
		break;
	}
	return filter_fail(e, "unknown_parameter", param,
	    "unknown query parameter \"%.60s\"", param);
}

/* the index of a key in either spelling, FK__MAX when unknown */
static enum fkey
filter_key(const char *name, unsigned int flags)
{
	int	 k;

	for (k = 0; k < FK__MAX; k++) {
		if (fkeys[k].need != 0 && !(flags & fkeys[k].need))
			continue;
		if (strcmp(name, fkeys[k].name) == 0 ||
		    strcmp(name, fkeys[k].jsonapi) == 0)
			return (enum fkey)k;
	}
	return FK__MAX;
}

/* extra (" a b ") lists name? */
static int
filter_extra(const char *extra, const char *name)
{
	const char	*p;
	size_t		 n = strlen(name);

	if (extra == NULL || n == 0)
		return 0;
	for (p = extra; (p = strstr(p, name)) != NULL; p++)
		if (p > extra && p[-1] == ' ' && p[n] == ' ')
			return 1;
	return 0;
}

/* One name=value pair of the query (decoded; a NUL byte inside makes
 * strlen fall short of its length): 0, or -1 with e set. seen: the
 * spelling each key was given in. */
static int
filter_pair(const char *name, size_t nlen, const char *val, size_t vlen,
    unsigned int flags, const char *extra, char seen[][32],
    struct validation_filter *f, struct filter_error *e)
{
	enum fkey	 k = FK__MAX;
	int		 has_nul = strlen(name) != nlen || strlen(val) != vlen;
	int		 is_extra = filter_extra(extra, name);

	if (strlen(name) == nlen && !is_extra) {
		if ((k = filter_key(name, flags)) == FK__MAX)
			return filter_fail(e, "unknown_parameter", name,
			    "unknown query parameter \"%.60s\"", name);
		if (seen[k][0] != '\0')
			return filter_fail(e, "invalid_parameter", name,
			    "%s is given more than once (as %s and %s)",
			    fkeys[k].name, seen[k], name);
		snprintf(seen[k], 32, "%s", name);
	}
	if (has_nul)
		return filter_fail(e, "invalid_parameter", name,
		    "a query parameter contains a NUL byte");
	if (is_extra)
		return 0;
	return filter_one(k, name, val, f, e);
}

/* the bounds given as pairs must not cross: 0, or -1 with e set */
static int
filter_ranges(const struct validation_filter *f, char seen[][32],
    struct filter_error *e)
{
	if (f->created_from != 0 && f->created_before != 0 &&
	    f->created_from >= f->created_before)
		return filter_fail(e, "invalid_parameter", seen[FK_DATE_TO],
		    "%s is before %s", seen[FK_DATE_TO], seen[FK_DATE_FROM]);
	if (f->fecha_from[0] != '\0' && f->fecha_to[0] != '\0' &&
	    strcmp(f->fecha_from, f->fecha_to) > 0)
		return filter_fail(e, "invalid_parameter", seen[FK_FECHA_TO],
		    "%s is before %s", seen[FK_FECHA_TO], seen[FK_FECHA_FROM]);
	if (f->amount_min >= 0 && f->amount_max >= 0 &&
	    f->amount_min > f->amount_max)
		return filter_fail(e, "invalid_parameter", seen[FK_AMOUNT_MAX],
		    "%s is less than %s", seen[FK_AMOUNT_MAX],
		    seen[FK_AMOUNT_MIN]);
	return 0;
}

int
api_filter_parse(const char *query, unsigned int flags, const char *extra,
    struct validation_filter *f, struct filter_error *e)
{
	const char	*p = query, *amp, *eq;
	char		*name = NULL, *val = NULL;
	char		 seen[FK__MAX][32];	/* the spelling used, "" = not seen */
	size_t		 len, nlen, vlen;
	int		 rc = -1;

	validation_filter_init(f);
	memset(e, 0, sizeof(*e));
	memset(seen, 0, sizeof(seen));
	while (p != NULL && *p != '\0') {
		amp = strchr(p, '&');
		len = amp != NULL ? (size_t)(amp - p) : strlen(p);
		eq = memchr(p, '=', len);
		nlen = eq != NULL ? (size_t)(eq - p) : len;
		free(name);
		free(val);
		name = xmalloc(len + 1);
		val = xmalloc(len + 1);
		nlen = url_decode(name, p, nlen);
		vlen = eq != NULL ? url_decode(val, eq + 1,
		    len - (size_t)(eq + 1 - p)) : 0;
		val[vlen] = '\0';
		p = amp != NULL ? amp + 1 : NULL;
		if (len == 0)
			continue;	/* "a=1&&b=2" */
		if (filter_pair(name, nlen, val, vlen, flags, extra, seen, f,
		    e) == -1)
			goto out;
	}
	if (filter_ranges(f, seen, e) == -1)
		goto out;
	if (!(flags & FILTER_PAGINATION))
		f->per_page = 0;
	rc = 0;
out:
	free(name);
	free(val);
	if (rc == -1)
		validation_filter_init(f);
	return rc;
}

/*
 * The participants a search term names (bank_catalog_search: a code,
 * whole or partial names, aliases) also match emisor and receptor,
 * which hold participant codes. Without the catalog (MariaDB down) a
 * code still matches.
 */
static void
filter_search_bank(struct request *req, struct validation_filter *f)
{
	const struct bank_catalog *cat = NULL;
	char		 codes[FILTER_SEARCH_BANKS][BANK_CODE_SIZE];
	size_t		 i, n;

	f->search_nbanks = 0;
	if (f->search[0] == '\0')
		return;
	if (bank_cache_catalog(req->app->banks, req->app->db, &cat) == -1)
		cat = NULL;
	n = bank_catalog_search(cat, f->search, codes, FILTER_SEARCH_BANKS);
	for (i = 0; i < n; i++)
		memcpy(f->search_banks[i], codes[i], BANK_CODE_SIZE);
	f->search_nbanks = (int)n;
}

/* the first filter set that the admin view cannot serve across
 * accounts, NULL when none */
static const char *
filter_cross_account(const struct validation_filter *f)
{
	if (f->type >= 0)
		return "type";
	if (f->fecha_from[0] != '\0')
		return "fecha_from";
	if (f->fecha_to[0] != '\0')
		return "fecha_to";
	if (f->search[0] != '\0')
		return "search";
	if (f->amount_min >= 0)
		return "amount_min";
	if (f->amount_max >= 0)
		return "amount_max";
	if (f->playground >= 0)
		return "playground";
	if (f->retry_state >= 0)
		return "retry_state";
	return NULL;
}

int
api_filter_from_request(struct request *req, struct response *resp,
    unsigned int flags, const char *extra, struct validation_filter *f)
{
	struct filter_error	 e;
	const char		*bad;
	char			 detail[200];

	if (api_filter_parse(req->query, flags, extra, f, &e) == -1)
		return response_error(resp, e.status, e.code, e.detail, NULL,
		    e.parameter);
	if (!(flags & FILTER_ACCOUNT))
		snprintf(f->account_id, sizeof(f->account_id), "%s",
		    req->account_id);
	else if (f->account_id[0] == '\0' &&
	    (bad = filter_cross_account(f)) != NULL) {
		/* only status and created_at have indexes not led by the
		 * account: anything else would scan every account's rows */
		snprintf(detail, sizeof(detail), "%s across all accounts is "
		    "not supported: add account_id (only status, date_from, "
		    "date_to and with_deleted work without it)", bad);
		return response_error(resp, 400, "invalid_parameter", detail,
		    NULL, bad);
	}
	filter_search_bank(req, f);
	return 0;
}
