/*
 * mxcep: GET /v1/validations/export?format=csv|xlsx: the account's
 * validations under the list filters, as a file for spreadsheets;
 * GET /v1/admin/validations/export: the same across accounts (the admin
 * list's filters), with an account_id column first.
 * Both formats stream: rows are read unbuffered from MariaDB and written
 * as they arrive, so the first bytes leave before the last row is read
 * and memory stays flat. XLSX is a zip whose central directory comes
 * last; core/xlsx.c writes it front to back all the same.
 * An export holds a worker for as long as its client reads, so exports
 * are capped (export_slots_take): export_max_per_account per account
 * and export_max_concurrent in all, across every process of the host.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "core/core.h"
#include "store/store.h"

#define EXPORT_CHUNK		(64 * 1024)	/* bytes per write to the client */
#define EXPORT_CT_CSV		"text/csv; charset=utf-8; header=present"
#define EXPORT_CT_XLSX		"application/vnd.openxmlformats-" \
				"officedocument.spreadsheetml.sheet"
#define EXPORT_SHEET_ROWS	XLSX_MAX_ROWS	/* then a new sheet */
#define EXPORT_NAMES_SLOTS	256		/* participant codes remembered */
#define EXPORT_RETRY_AFTER	10		/* s, over an export cap */

enum export_kind {
	EK_TEXT = 0,		/* free text: neutralised if formula-like */
	EK_IDENT,		/* digits that must stay text (CLABE, clave) */
	EK_AMOUNT,		/* centavos: 2 decimals, a number in XLSX */
	EK_DATETIME,		/* UTC, RFC 3339 */
	EK_DATE,		/* YYYY-MM-DD */
	EK_BOOL
};

enum export_col {
	EC_ACCOUNT_ID = 0,	/* admin exports only */
	EC_ID,
	EC_CREATED_AT,
	EC_COMPLETED_AT,
	EC_STATUS,
	EC_TYPE,
	EC_PLAYGROUND,
	EC_FECHA,
	EC_CLAVE,
	EC_REFERENCIA,
	EC_EMISOR,
	EC_EMISOR_NAME,
	EC_RECEPTOR,
	EC_RECEPTOR_NAME,
	EC_CUENTA,
	EC_MONTO,
	EC_BANXICO_STATUS,
	EC_ERROR_CODE,
	EC_HAS_CEP,
	EC_DELETED_AT,
	EC__MAX
};

/* the columns, in order (docs/api.md "Export" lists them) */
static const struct {
	const char		*name;
	enum export_kind	 kind;
	double			 width;		/* XLSX characters */
} export_cols[EC__MAX] = {
	[EC_ACCOUNT_ID] = { "account_id", EK_TEXT, 38 },
	[EC_ID] = { "id", EK_TEXT, 38 },
	[EC_CREATED_AT] = { "created_at", EK_DATETIME, 21 },
	[EC_COMPLETED_AT] = { "completed_at", EK_DATETIME, 21 },
	[EC_STATUS] = { "status", EK_TEXT, 16 },
	[EC_TYPE] = { "validation_type", EK_TEXT, 15 },
	[EC_PLAYGROUND] = { "is_playground", EK_BOOL, 13 },
	[EC_FECHA] = { "fecha", EK_DATE, 11 },
	[EC_CLAVE] = { "clave_rastreo", EK_IDENT, 32 },
	[EC_REFERENCIA] = { "referencia", EK_IDENT, 12 },
	[EC_EMISOR] = { "emisor", EK_IDENT, 8 },
	[EC_EMISOR_NAME] = { "emisor_name", EK_TEXT, 24 },
	[EC_RECEPTOR] = { "receptor", EK_IDENT, 9 },
	[EC_RECEPTOR_NAME] = { "receptor_name", EK_TEXT, 24 },
	[EC_CUENTA] = { "cuenta", EK_IDENT, 20 },
	[EC_MONTO] = { "monto", EK_AMOUNT, 16 },
	[EC_BANXICO_STATUS] = { "banxico_status", EK_TEXT, 16 },
	[EC_ERROR_CODE] = { "error_code", EK_TEXT, 22 },
	[EC_HAS_CEP] = { "has_cep", EK_BOOL, 8 },
	[EC_DELETED_AT] = { "deleted_at", EK_DATETIME, 21 },
};

/* one cell's value; which member counts depends on the column kind */
struct export_cell {
	const char	*text;		/* EK_TEXT, EK_IDENT, EK_DATE; NULL = empty */
	int64_t		 cents;		/* EK_AMOUNT; -1 = empty */
	time_t		 t;		/* EK_DATETIME; 0 = empty */
	int		 b;		/* EK_BOOL */
};

/* the catalog's short name of a participant code, NULL when unknown */
static const char *
export_bank_name(const struct bank_catalog *cat, const char *code)
{
	const struct bank	*b = NULL;

	if (cat == NULL || code == NULL || code[0] == '\0')
		return NULL;
	if (bank_catalog_resolve(cat, code, &b) != BANK_MATCH_ONE || b == NULL)
		return NULL;
	return b->short_name;
}

/*
 * The names of the participant codes seen in one export: resolving a
 * code (normalising it, scanning the catalog) for two columns of every
 * row cost more than writing the row, and an export holds few distinct
 * codes. Open addressing; a code that does not fit is resolved each time.
 */
struct export_name {
	char		 code[8];	/* "" = a free slot */
	const char	*name;		/* borrowed from the catalog; NULL = unknown */
};
struct export_names {
	const struct bank_catalog	*cat;	/* borrowed; NULL = no names */
	struct export_name		 slot[EXPORT_NAMES_SLOTS];
};

static void
export_names_init(struct export_names *n, const struct bank_catalog *cat)
{
	memset(n, 0, sizeof(*n));
	n->cat = cat;
}

static const char *
export_names_get(struct export_names *n, const char *code)
{
	struct export_name	*e;
	size_t			 len, i, h = 2166136261u;

	if (n->cat == NULL || code == NULL || code[0] == '\0')
		return NULL;
	for (len = 0; code[len] != '\0'; len++) {
		if (len + 1 >= sizeof(e->code))
			return export_bank_name(n->cat, code);
		h = (h ^ (unsigned char)code[len]) * 16777619u;
	}
	for (i = 0; i < EXPORT_NAMES_SLOTS; i++) {
		e = &n->slot[(h + i) % EXPORT_NAMES_SLOTS];
		if (e->code[0] == '\0') {
			memcpy(e->code, code, len + 1);
			e->name = export_bank_name(n->cat, code);
			return e->name;
		}
		if (strcmp(e->code, code) == 0)
			return e->name;
	}
	return export_bank_name(n->cat, code);	/* every slot taken */
}

/* column col of v into *c (pointers borrowed from v and the catalog) */
static void
export_cell(const struct validation *v, struct export_names *names,
    enum export_col col, struct export_cell *c)
{
	memset(c, 0, sizeof(*c));
	c->cents = -1;
	switch (col) {
	case EC_ACCOUNT_ID: c->text = v->account_id; break;
	case EC_ID: c->text = v->id; break;
	case EC_CREATED_AT: c->t = v->created_at; break;
	case EC_COMPLETED_AT: c->t = v->completed_at; break;
	case EC_STATUS: c->text = validation_status_name(v->status); break;
	case EC_TYPE: c->text = validation_type_name(v->type); break;
	case EC_PLAYGROUND: c->b = v->playground; break;
	case EC_FECHA: c->text = v->fecha[0] != '\0' ? v->fecha : NULL; break;
	case EC_CLAVE: c->text = v->clave_rastreo; break;
	case EC_REFERENCIA: c->text = v->referencia; break;
	case EC_EMISOR: c->text = v->emisor; break;
	case EC_EMISOR_NAME: c->text = export_names_get(names, v->emisor); break;
	case EC_RECEPTOR: c->text = v->receptor; break;
	case EC_RECEPTOR_NAME:
		c->text = export_names_get(names, v->receptor);
		break;
	case EC_CUENTA: c->text = v->cuenta; break;
	case EC_MONTO: c->cents = v->monto_cents; break;
	case EC_BANXICO_STATUS: c->text = v->banxico_status; break;
	case EC_ERROR_CODE: c->text = v->error_code; break;
	case EC_HAS_CEP: c->b = v->has_cep; break;
	case EC_DELETED_AT: c->t = v->deleted_at; break;
	case EC__MAX: break;
	}
}

/* what a stream (CSV or XLSX) reads from */
struct export_src {
	struct validation_cursor	*cur;	/* open, unbuffered */
	const struct bank_catalog	*banks;	/* borrowed; NULL = no names */
	int				 first;	/* first column: EC_ACCOUNT_ID
						 * (admin) or EC_ID */
	int				 slots[2];	/* the account's and the
						 * host's export slots, -1 = none */
	struct app			*app;	/* holds the held slot */
};

/* gives back an export's slots (the account's, the host's, the held
 * one) */
static void
export_slots_release(struct app *app, int slots[2])
{
	slot_release(slots[0]);
	slot_release(slots[1]);
	slots[0] = slots[1] = -1;
	work_held_release(app);
}

static void
export_src_free(void *arg)
{
	struct export_src	*x = arg;

	if (x == NULL)
		return;
	db_validation_query_close(x->cur);	/* drains what is left */
	export_slots_release(x->app, x->slots);
	free(x);
}

/* ---- the caps ----------------------------------------------------- */

/*
 * Takes the caller's account slot, then one of the host's, into slots
 * (released by export_src_free). Over a cap: the error response's status
 * (429 too_many_exports for the account, 503 busy for the host), else 0.
 * An unusable lock_dir (logged) lets the export run uncapped: a broken
 * folder must not stop every export. lock_dir "" turns the caps off.
 */
static int
export_slots_take(struct request *req, struct response *resp, int slots[2])
{
	const struct config	*cfg = req->app->cfg;
	char			 name[64];

	slots[0] = slots[1] = -1;
	if (cfg->lock_dir[0] == '\0')
		return 0;
	snprintf(name, sizeof(name), "export-%s", req->account_id);
	slots[0] = slot_take(cfg->lock_dir, name,
	    cfg->export_max_per_account);
	if (slots[0] == SLOT_ERROR) {
		log_warn("%s: lock_dir %s: this export is not capped",
		    __func__, cfg->lock_dir);
		slots[0] = -1;
		return 0;
	}
	if (slots[0] == SLOT_FULL) {
		response_header(resp, "Retry-After", "%d", EXPORT_RETRY_AFTER);
		return response_error(resp, 429, "too_many_exports",
		    "this account already has as many exports running as it "
		    "may (export_max_per_account); retry when one ends", NULL,
		    NULL);
	}
	slots[1] = slot_take(cfg->lock_dir, "export",
	    work_export_max(cfg));
	if (slots[1] == SLOT_FULL) {
		slot_release(slots[0]);
		slots[0] = -1;
		response_header(resp, "Retry-After", "%d", EXPORT_RETRY_AFTER);
		return response_error(resp, 503, "busy",
		    "the server is running as many exports as it may; retry "
		    "shortly", NULL, NULL);
	}
	if (slots[1] == SLOT_ERROR) {
		log_warn("%s: lock_dir %s: this export is not capped by the "
		    "host's slots", __func__, cfg->lock_dir);
		slots[1] = -1;
		return 0;
	}
	/* and one of the slots every long-held request shares */
	if (work_held_take(req->app) == WORK_SLOT_FULL) {
		export_slots_release(req->app, slots);
		response_header(resp, "Retry-After", "%d", EXPORT_RETRY_AFTER);
		return response_error(resp, 503, "busy",
		    "the server is running as many long-held requests "
		    "(exports, validations waiting for Banxico) as it may; "
		    "retry shortly", NULL, NULL);
	}
	return 0;
}

/* ---- CSV ---------------------------------------------------------- */

static void
export_csv_row(struct csv *c, const struct validation *v,
    struct export_names *names, int first)
{
	struct export_cell	 cell;
	int			 i;

	for (i = first; i < EC__MAX; i++) {
		export_cell(v, names, (enum export_col)i, &cell);
		switch (export_cols[i].kind) {
		case EK_TEXT:
		case EK_DATE:
			csv_text(c, cell.text);
			break;
		case EK_IDENT:
			csv_ident(c, cell.text);
			break;
		case EK_AMOUNT:
			csv_amount(c, cell.cents);
			break;
		case EK_DATETIME:
			csv_datetime(c, cell.t);
			break;
		case EK_BOOL:
			csv_bool(c, cell.b);
			break;
		}
	}
	csv_end(c);
}

/* The stream: BOM and header, then one record per row as it arrives,
 * handed to the client every EXPORT_CHUNK bytes. -1 when the client went
 * away or MariaDB failed (the file is then cut short; logged). */
static int
export_csv_stream(struct request *req, struct response_writer *w, void *arg)
{
	struct export_src		*x = arg;
	const struct validation		*v = NULL;
	struct export_names		 names;
	struct buf			 b;
	struct csv			 c;
	size_t				 rows = 0;
	int				 i, rc, status = -1;

	(void)req;
	export_names_init(&names, x->banks);
	buf_init(&b);
	csv_init(&c, &b);
	csv_bom(&c);
	for (i = x->first; i < EC__MAX; i++)
		csv_text(&c, export_cols[i].name);
	csv_end(&c);
	while ((rc = db_validation_query_next(x->cur, &v)) == 1) {
		export_csv_row(&c, v, &names, x->first);
		rows++;
		if (b.len >= EXPORT_CHUNK) {
			if (response_write(w, b.data, b.len) == -1)
				goto out;
			buf_reset(&b);
		}
	}
	if (rc == -1) {
		log_warnx("%s: MariaDB failed after %zu rows; the CSV is cut "
		    "short", __func__, rows);
		goto out;
	}
	if (b.len > 0 && response_write(w, b.data, b.len) == -1)
		goto out;
	log_debug("%s: %zu rows", __func__, rows);
	status = 0;
out:
	buf_free(&b);
	return status;
}

/* ---- XLSX --------------------------------------------------------- */

/* the writer's sink: the client */
static int
export_xlsx_sink(void *arg, const void *p, size_t n)
{
	return response_write(arg, p, n);
}

/* one row; empty values are blank cells */
static void
export_xlsx_row(struct xlsx *x, const struct validation *v,
    struct export_names *names, int first)
{
	struct export_cell	 cell;
	int			 i;

	for (i = first; i < EC__MAX; i++) {
		export_cell(v, names, (enum export_col)i, &cell);
		switch (export_cols[i].kind) {
		case EK_TEXT:
			/* an inline string is never evaluated; "@" keeps a
			 * formula-like value text even when the user edits
			 * the cell */
			xlsx_text(x, cell.text, csv_is_formula_like(cell.text) ?
			    XLSX_STYLE_TEXT : XLSX_STYLE_GENERAL);
			break;
		case EK_IDENT:
			xlsx_text(x, cell.text, XLSX_STYLE_TEXT);
			break;
		case EK_AMOUNT:
			xlsx_amount(x, cell.cents);
			break;
		case EK_DATETIME:
			xlsx_datetime(x, cell.t);
			break;
		case EK_DATE:
			xlsx_date(x, cell.text);
			break;
		case EK_BOOL:
			xlsx_bool(x, cell.b);
			break;
		}
	}
}

/* The stream: the workbook is written as the rows arrive (a zip whose
 * central directory comes last is still written front to back), handed
 * to the client in 64 KiB pieces. -1 when the client went away or
 * MariaDB failed (the file is then cut short and unreadable; logged). */
static int
export_xlsx_stream(struct request *req, struct response_writer *w, void *arg)
{
	struct export_src		*xa = arg;
	struct xlsx_column		 cols[EC__MAX];
	struct xlsx_options		 opt;
	struct export_names		 names;
	struct xlsx			*x = NULL;
	const struct validation		*v = NULL;
	size_t				 rows = 0, ncols = 0;
	int				 i, rc, status = -1;

	(void)req;
	export_names_init(&names, xa->banks);
	for (i = xa->first; i < EC__MAX; i++, ncols++) {
		cols[ncols].name = export_cols[i].name;
		cols[ncols].width = export_cols[i].width;
		cols[ncols].style = export_cols[i].kind == EK_IDENT ?
		    XLSX_STYLE_TEXT : XLSX_STYLE_GENERAL;
	}
	memset(&opt, 0, sizeof(opt));
	opt.sheet_name = "validations";
	opt.cols = cols;
	opt.ncols = ncols;
	opt.sheet_rows = EXPORT_SHEET_ROWS;
	opt.mtime = clock_now();
	if ((x = xlsx_new(&opt, export_xlsx_sink, w)) == NULL)
		goto out;
	while ((rc = db_validation_query_next(xa->cur, &v)) == 1) {
		if (xlsx_row(x) == -1)
			goto out;
		export_xlsx_row(x, v, &names, xa->first);
		rows++;
	}
	if (rc == -1) {
		log_warnx("%s: MariaDB failed after %zu rows; the XLSX is cut "
		    "short", __func__, rows);
		goto out;
	}
	if (xlsx_finish(x) == -1)
		goto out;
	log_debug("%s: %zu rows", __func__, rows);
	status = 0;
out:
	xlsx_free(x);
	return status;
}

/* ---- the handler -------------------------------------------------- */

/* a download, named after the time of the export (UTC), never cached */
static void
export_headers(struct response *resp, const char *ext)
{
	char		 stamp[32];
	time_t		 now = time(NULL);
	struct tm	 tm;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	response_header(resp, "Content-Disposition",
	    "attachment; filename=\"validations-%s.%s\"", stamp, ext);
	response_header(resp, "Cache-Control", "private, no-store");
}

/*
 * Both exports: format, then the filters of flags (FILTER_ACCOUNT: the
 * admin list's, across accounts, with the account_id column); the route
 * table lists the query keys each accepts. Returns the status it sent.
 */
static int
export_respond(struct request *req, struct response *resp,
    unsigned int flags)
{
	struct validation_filter	 f;
	struct validation_cursor	*cur = NULL;
	const struct bank_catalog	*cat;
	struct export_src		*x;
	char				*format;
	int				 xlsx, status, slots[2];

	format = request_query_get(req, "format");
	xlsx = format != NULL && strcmp(format, "xlsx") == 0;
	if (format != NULL && !xlsx && strcmp(format, "csv") != 0) {
		free(format);
		return response_error(resp, 400, "invalid_parameter",
		    "format must be csv or xlsx", NULL, "format");
	}
	free(format);
	if ((status = api_filter_from_request(req, resp, flags, " format ",
	    &f)) != 0)
		return status;
	if ((status = export_slots_take(req, resp, slots)) != 0)
		return status;
	/* read everything else first: while the cursor is open the
	 * connection belongs to it (the catalog may need a reload) */
	cat = app_banks(req->app);
	if (db_validation_query_open(req->app->db, &f, &cur) == -1) {
		export_slots_release(req->app, slots);
		return api_db_error(req, resp);
	}

	x = xcalloc(1, sizeof(*x));
	x->slots[0] = slots[0];
	x->slots[1] = slots[1];
	x->app = req->app;
	x->cur = cur;
	x->banks = cat;
	x->first = (flags & FILTER_ACCOUNT) ? EC_ACCOUNT_ID : EC_ID;
	if (!xlsx) {
		export_headers(resp, "csv");
		return response_stream(resp, 200, EXPORT_CT_CSV,
		    export_csv_stream, x, export_src_free);
	}
	export_headers(resp, "xlsx");
	return response_stream(resp, 200, EXPORT_CT_XLSX, export_xlsx_stream,
	    x, export_src_free);
}

/* GET /v1/validations/export: the key's account */
int
api_validations_export(struct request *req, struct response *resp)
{
	return export_respond(req, resp, 0);
}

/* GET /v1/admin/validations/export: every account, or account_id's */
int
api_admin_validations_export(struct request *req, struct response *resp)
{
	return export_respond(req, resp, FILTER_ACCOUNT);
}
