/*
 * mxcep: GET /v1/validations/export?format=csv|xlsx: the account's
 * validations under the list filters, as a file for spreadsheets.
 * CSV streams: rows are read unbuffered from MariaDB and written as they
 * arrive, so the first bytes leave before the last row is read and
 * memory stays flat. XLSX is a zip whose central directory comes last:
 * the workbook is built first (libxlsxwriter in constant-memory mode, a
 * private temp dir), then the finished file is streamed and removed; its
 * first byte necessarily waits for the last row.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "api/api.h"
#include "core/core.h"
#include "store/store.h"

#define EXPORT_CHUNK		(64 * 1024)	/* bytes per write to the client */
#define EXPORT_CT_CSV		"text/csv; charset=utf-8; header=present"
#define EXPORT_CT_XLSX		"application/vnd.openxmlformats-" \
				"officedocument.spreadsheetml.sheet"
#define EXPORT_SHEET_ROWS	1048576		/* Excel's rows per sheet */

enum export_kind {
	EK_TEXT = 0,		/* free text: neutralised if formula-like */
	EK_IDENT,		/* digits that must stay text (CLABE, clave) */
	EK_AMOUNT,		/* centavos: 2 decimals, a number in XLSX */
	EK_DATETIME,		/* UTC, RFC 3339 */
	EK_DATE,		/* YYYY-MM-DD */
	EK_BOOL
};

enum export_col {
	EC_ID = 0,
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

/* column col of v into *c (pointers borrowed from v and cat) */
static void
export_cell(const struct validation *v, const struct bank_catalog *cat,
    enum export_col col, struct export_cell *c)
{
	memset(c, 0, sizeof(*c));
	c->cents = -1;
	switch (col) {
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
	case EC_EMISOR_NAME: c->text = export_bank_name(cat, v->emisor); break;
	case EC_RECEPTOR: c->text = v->receptor; break;
	case EC_RECEPTOR_NAME:
		c->text = export_bank_name(cat, v->receptor);
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

/* ---- CSV ---------------------------------------------------------- */

struct export_csv {
	struct validation_cursor	*cur;	/* open, unbuffered */
	const struct bank_catalog	*banks;	/* borrowed; NULL = no names */
};

static void
export_csv_free(void *arg)
{
	struct export_csv	*x = arg;

	if (x == NULL)
		return;
	db_validation_query_close(x->cur);	/* drains what is left */
	free(x);
}

static void
export_csv_row(struct csv *c, const struct validation *v,
    const struct bank_catalog *cat)
{
	struct export_cell	 cell;
	int			 i;

	for (i = 0; i < EC__MAX; i++) {
		export_cell(v, cat, (enum export_col)i, &cell);
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
	struct export_csv		*x = arg;
	const struct validation		*v = NULL;
	struct buf			 b;
	struct csv			 c;
	size_t				 rows = 0;
	int				 i, rc, status = -1;

	(void)req;
	buf_init(&b);
	csv_init(&c, &b);
	csv_bom(&c);
	for (i = 0; i < EC__MAX; i++)
		csv_text(&c, export_cols[i].name);
	csv_end(&c);
	while ((rc = db_validation_query_next(x->cur, &v)) == 1) {
		export_csv_row(&c, v, x->banks);
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

struct export_xlsx {
	int	 fd;		/* the finished workbook, already unlinked */
};

static void
export_xlsx_free(void *arg)
{
	struct export_xlsx	*x = arg;

	if (x == NULL)
		return;
	if (x->fd != -1)
		close(x->fd);
	free(x);
}

static int
export_xlsx_stream(struct request *req, struct response_writer *w, void *arg)
{
	struct export_xlsx	*x = arg;
	char			*chunk;
	ssize_t			 n;
	int			 status = -1;

	(void)req;
	chunk = xmalloc(EXPORT_CHUNK);
	while ((n = read(x->fd, chunk, EXPORT_CHUNK)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			log_warn("%s: read", __func__);
			goto out;
		}
		if (response_write(w, chunk, (size_t)n) == -1)
			goto out;
	}
	status = 0;
out:
	free(chunk);
	return status;
}

/* the formats of the workbook (owned by it) */
struct xlsx_formats {
	lxw_format	*header;	/* bold */
	lxw_format	*text;		/* "@": stays text when edited */
	lxw_format	*amount;	/* 0.00 */
	lxw_format	*datetime;	/* shown as RFC 3339 UTC */
	lxw_format	*date;		/* yyyy-mm-dd */
};

static lxw_worksheet *
export_xlsx_sheet(lxw_workbook *wb, const struct xlsx_formats *fm, int n)
{
	lxw_worksheet	*ws;
	char		 name[32];
	int		 i;

	if (n == 1)
		snprintf(name, sizeof(name), "validations");
	else
		snprintf(name, sizeof(name), "validations %d", n);
	if ((ws = workbook_add_worksheet(wb, name)) == NULL)
		return NULL;
	for (i = 0; i < EC__MAX; i++) {
		worksheet_set_column(ws, (lxw_col_t)i, (lxw_col_t)i,
		    export_cols[i].width, export_cols[i].kind == EK_IDENT ?
		    fm->text : NULL);
		worksheet_write_string(ws, 0, (lxw_col_t)i, export_cols[i].name,
		    fm->header);
	}
	worksheet_freeze_panes(ws, 1, 0);
	return ws;
}

static lxw_datetime
export_xlsx_time(time_t t)
{
	struct tm	 tm;
	lxw_datetime	 d;

	gmtime_r(&t, &tm);
	d.year = tm.tm_year + 1900;
	d.month = tm.tm_mon + 1;
	d.day = tm.tm_mday;
	d.hour = tm.tm_hour;
	d.min = tm.tm_min;
	d.sec = tm.tm_sec;
	return d;
}

/* one cell; empty values are left blank */
static lxw_error
export_xlsx_cell(lxw_worksheet *ws, lxw_row_t r, lxw_col_t col,
    enum export_kind kind, const struct export_cell *c,
    const struct xlsx_formats *fm)
{
	lxw_datetime	 d;

	switch (kind) {
	case EK_TEXT:
	case EK_IDENT:
		if (c->text == NULL || c->text[0] == '\0')
			return LXW_NO_ERROR;
		/* a string cell is never evaluated; "@" keeps a formula-like
		 * value text even when the user edits the cell */
		return worksheet_write_string(ws, r, col, c->text,
		    kind == EK_IDENT || csv_is_formula_like(c->text) ?
		    fm->text : NULL);
	case EK_AMOUNT:
		if (c->cents < 0)
			return LXW_NO_ERROR;
		return worksheet_write_number(ws, r, col,
		    (double)c->cents / 100.0, fm->amount);
	case EK_DATETIME:
		if (c->t == 0)
			return LXW_NO_ERROR;
		d = export_xlsx_time(c->t);
		return worksheet_write_datetime(ws, r, col, &d, fm->datetime);
	case EK_DATE:
		if (c->text == NULL ||
		    sscanf(c->text, "%4d-%2d-%2d", &d.year, &d.month, &d.day)
		    != 3)
			return LXW_NO_ERROR;
		d.hour = d.min = 0;
		d.sec = 0;
		return worksheet_write_datetime(ws, r, col, &d, fm->date);
	case EK_BOOL:
		return worksheet_write_boolean(ws, r, col, c->b, NULL);
	}
	return LXW_NO_ERROR;
}

/*
 * Writes every row of cur into a workbook at path (constant memory, its
 * temporary files in tmpdir). Returns 0, or -1 (logged; *db_failed 1
 * when MariaDB was the cause).
 */
static int
export_xlsx_build(const char *path, char *tmpdir,
    struct validation_cursor *cur, const struct bank_catalog *cat,
    int *db_failed)
{
	lxw_workbook_options	 opt = { .constant_memory = LXW_TRUE,
				    .tmpdir = tmpdir, .use_zip64 = LXW_FALSE };
	lxw_workbook		*wb;
	lxw_worksheet		*ws;
	struct xlsx_formats	 fm;
	struct export_cell	 cell;
	const struct validation	*v = NULL;
	lxw_error		 err = LXW_NO_ERROR;
	lxw_row_t		 r = 0;
	int			 i, rc, sheets = 1, status = -1;

	*db_failed = 0;
	if ((wb = workbook_new_opt(path, &opt)) == NULL) {
		log_warnx("%s: workbook_new_opt %s failed", __func__, path);
		return -1;
	}
	fm.header = workbook_add_format(wb);
	format_set_bold(fm.header);
	fm.text = workbook_add_format(wb);
	format_set_num_format(fm.text, "@");
	fm.amount = workbook_add_format(wb);
	format_set_num_format(fm.amount, "0.00");
	fm.datetime = workbook_add_format(wb);
	format_set_num_format(fm.datetime, "yyyy-mm-dd\"T\"hh:mm:ss\"Z\"");
	fm.date = workbook_add_format(wb);
	format_set_num_format(fm.date, "yyyy-mm-dd");
	if ((ws = export_xlsx_sheet(wb, &fm, sheets)) == NULL)
		goto close;
	while ((rc = db_validation_query_next(cur, &v)) == 1) {
		if (++r == EXPORT_SHEET_ROWS) {
			/* past Excel's last row: go on in a new sheet */
			if ((ws = export_xlsx_sheet(wb, &fm, ++sheets)) == NULL)
				goto close;
			r = 1;
		}
		for (i = 0; i < EC__MAX && err == LXW_NO_ERROR; i++) {
			export_cell(v, cat, (enum export_col)i, &cell);
			err = export_xlsx_cell(ws, r, (lxw_col_t)i,
			    export_cols[i].kind, &cell, &fm);
		}
		if (err != LXW_NO_ERROR) {
			log_warnx("%s: row %u: %s", __func__, (unsigned)r,
			    lxw_strerror(err));
			goto close;
		}
	}
	if (rc == -1) {
		*db_failed = 1;
		goto close;
	}
	worksheet_autofilter(ws, 0, 0, r, EC__MAX - 1);
	status = 0;
close:
	/* the zip is written here: its central directory comes last */
	if ((err = workbook_close(wb)) != LXW_NO_ERROR) {
		log_warnx("%s: workbook_close: %s", __func__,
		    lxw_strerror(err));
		status = -1;
	}
	return status;
}

/*
 * The workbook of cur, built in a private directory under $TMPDIR (or
 * /tmp) and opened; the directory is gone when this returns. *fd the
 * open file, *size its length. 0, or -1 (logged).
 */
static int
export_xlsx_file(struct validation_cursor *cur, const struct bank_catalog *cat,
    int *fd, off_t *size, int *db_failed)
{
	const char	*root = getenv("TMPDIR");
	char		*dir = NULL, *path = NULL;
	struct stat	 st;
	int		 tfd = -1, status = -1;

	*fd = -1;
	*db_failed = 0;
	if (root == NULL || root[0] != '/')
		root = "/tmp";
	dir = xasprintf("%s/mxcep-export.XXXXXX", root);
	if (mkdtemp(dir) == NULL) {	/* mode 0700: ours alone */
		log_warn("%s: mkdtemp %s", __func__, dir);
		free(dir);
		return -1;
	}
	path = xasprintf("%s/validations.XXXXXX", dir);
	if ((tfd = mkstemp(path)) == -1) {
		log_warn("%s: mkstemp %s", __func__, path);
		free(path);
		path = NULL;
		goto out;
	}
	close(tfd);
	if (export_xlsx_build(path, dir, cur, cat, db_failed) == -1)
		goto out;
	if ((tfd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		log_warn("%s: open %s", __func__, path);
		goto out;
	}
	if (fstat(tfd, &st) == -1) {
		log_warn("%s: fstat %s", __func__, path);
		close(tfd);
		goto out;
	}
	*fd = tfd;
	*size = st.st_size;
	status = 0;
out:
	/* unlinked now: the open descriptor keeps the data until closed,
	 * and a crash while streaming leaves nothing behind */
	if (path != NULL && unlink(path) == -1)
		log_warn("%s: unlink %s", __func__, path);
	if (rmdir(dir) == -1)
		log_warn("%s: rmdir %s", __func__, dir);
	free(path);
	free(dir);
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

int
api_validations_export(struct request *req, struct response *resp)
{
	struct validation_filter	 f;
	struct validation_cursor	*cur = NULL;
	const struct bank_catalog	*cat;
	struct export_csv		*xc;
	struct export_xlsx		*xx;
	char				*format;
	int				 xlsx, status, fd = -1, db_failed = 0;
	off_t				 size = 0;

	format = request_query_get(req, "format");
	xlsx = format != NULL && strcmp(format, "xlsx") == 0;
	if (format != NULL && !xlsx && strcmp(format, "csv") != 0) {
		free(format);
		return response_error(resp, 400, "invalid_parameter",
		    "format must be csv or xlsx", NULL, "format");
	}
	free(format);
	if ((status = api_filter_from_request(req, resp, 0, " format ",
	    &f)) != 0)
		return status;
	/* read everything else first: while the cursor is open the
	 * connection belongs to it (the catalog may need a reload) */
	cat = app_banks(req->app);
	if (db_validation_query_open(req->app->db, &f, &cur) == -1)
		return api_db_error(req, resp);

	if (!xlsx) {
		export_headers(resp, "csv");
		xc = xcalloc(1, sizeof(*xc));
		xc->cur = cur;
		xc->banks = cat;
		return response_stream(resp, 200, EXPORT_CT_CSV,
		    export_csv_stream, xc, export_csv_free);
	}
	status = export_xlsx_file(cur, cat, &fd, &size, &db_failed);
	db_validation_query_close(cur);
	if (status == -1) {
		if (db_failed)
			return api_db_error(req, resp);
		return response_error(resp, 500, "internal_error",
		    "the spreadsheet could not be written", NULL, NULL);
	}
	export_headers(resp, "xlsx");
	response_header(resp, "Content-Length", "%lld", (long long)size);
	xx = xcalloc(1, sizeof(*xx));
	xx->fd = fd;
	return response_stream(resp, 200, EXPORT_CT_XLSX, export_xlsx_stream,
	    xx, export_xlsx_free);
}
