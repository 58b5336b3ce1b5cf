/*
 * mxcep: the columns of `validations` as struct validation holds them,
 * written once. Every statement that reads or writes a whole record
 * (stmts.c), the list's columns (query.h) and the reader that fills
 * struct validation (validations.c) are made from this table:
 *
 *   X(column, member of struct validation, kind, in the list, in the
 *     export)
 *
 * The first column is given to F, the others to X (so that the column
 * list of the SQL text can be written without a trailing comma). The
 * kind says how a value is read and bound (VC_*, validations.c) and its
 * letter in the dbr/dbp formats (VC_FMT_*). "in the list": a column of
 * the list's rows (ValidationListItem, spec 004); "in the export": one
 * the export cursor reads (query_export.c, src/api/export.c).
 */
#ifndef MXCEP_STORE_VALIDATION_COLS_H
#define MXCEP_STORE_VALIDATION_COLS_H

#define VALIDATION_COLUMNS(F, X) \
	F(id, id, VC_TEXT, 1, 1) \
	X(account_id, account_id, VC_TEXT, 1, 1) \
	X(validation_type, type, VC_TYPE, 1, 1) \
	X(playground, playground, VC_BOOL, 1, 1) \
	X(status, status, VC_STATUS, 1, 1) \
	X(fecha, fecha, VC_TEXT, 1, 1) \
	X(clave_rastreo, clave_rastreo, VC_STR, 1, 1) \
	X(referencia, referencia, VC_STR, 1, 1) \
	X(emisor, emisor, VC_STR, 1, 1) \
	X(receptor, receptor, VC_STR, 1, 1) \
	X(cuenta, cuenta, VC_STR, 1, 1) \
	X(monto, monto_cents, VC_MONEY, 1, 1) \
	X(request_data, request_data, VC_STR, 0, 0) \
	X(banxico_status, banxico_status, VC_STR, 1, 1) \
	X(processing_time_ms, processing_time_ms, VC_I64, 1, 0) \
	X(created_at, created_at, VC_TIME, 1, 1) \
	X(updated_at, updated_at, VC_TIME, 1, 0) \
	X(completed_at, completed_at, VC_TIME, 1, 1) \
	X(enqueued_at, enqueued_at, VC_TIME, 0, 0) \
	X(processing_started_at, processing_started_at, VC_TIME, 0, 0) \
	X(expires_at, expires_at, VC_TIME, 0, 0) \
	X(etag_version, etag_version, VC_I64, 1, 0) \
	X(image_path, image_path, VC_STR, 1, 0) \
	X(ocr_result, ocr_result, VC_STR, 0, 0) \
	X(ocr_confidence, ocr_confidence, VC_DOUBLE, 0, 0) \
	X(normalized_data, normalized_data, VC_STR, 0, 0) \
	X(normalization_warnings, normalization_warnings, VC_STR, 0, 0) \
	X(is_masked, is_masked, VC_INT, 0, 0) \
	X(banxico_result, banxico_result, VC_STR, 0, 0) \
	X(has_cep, has_cep, VC_BOOL, 1, 1) \
	X(error_message, error_message, VC_STR, 1, 0) \
	X(error_code, error_code, VC_STR, 1, 1) \
	X(batch_id, batch_id, VC_I64, 0, 0) \
	X(batch_position, batch_position, VC_I64, 0, 0) \
	X(retry_enabled, retry_enabled, VC_BOOL, 1, 0) \
	X(retry_max_retries, retry_max_retries, VC_I64, 0, 0) \
	X(retry_interval_seconds, retry_interval_seconds, VC_I64, 0, 0) \
	X(retry_outcomes, retry_outcomes, VC_STR, 0, 0) \
	X(retry_attempts_completed, retry_attempts_completed, VC_COUNT, 1, 0) \
	X(retry_next_attempt_at, retry_next_attempt_at, VC_TIME, 1, 0) \
	X(retry_resolved_at, retry_resolved_at, VC_TIME, 1, 0) \
	X(retry_exhausted_at, retry_exhausted_at, VC_TIME, 1, 0) \
	X(retry_cancelled_at, retry_cancelled_at, VC_TIME, 1, 0) \
	X(retry_terminal_state, retry_terminal_state, VC_TERMINAL, 1, 0) \
	X(deleted_at, deleted_at, VC_TIME, 1, 1) \
	X(enqueued_at_ms, enqueued_at_ms, VC_I64, 0, 0)

/* how a column is held in struct validation (validations.c reads it) */
enum vc_kind {
	VC_TEXT,	/* char[]: cut to fit, "" for NULL */
	VC_STR,		/* char *: a copy, NULL for NULL */
	VC_TYPE,	/* enum validation_type by name */
	VC_STATUS,	/* enum validation_status by name */
	VC_TERMINAL,	/* enum retry_terminal by name, NONE for NULL */
	VC_MONEY,	/* int64_t centavos of a DECIMAL, -1 for NULL */
	VC_BOOL,	/* int 0/1, 0 for NULL */
	VC_INT,		/* int, -1 for NULL */
	VC_I64,		/* int64_t, -1 for NULL */
	VC_COUNT,	/* int64_t, 0 for NULL */
	VC_TIME,	/* time_t, 0 for NULL */
	VC_DOUBLE	/* double, -1 for NULL */
};

/* the dbr/dbp letter of each kind (store_int.h) */
#define VC_FMT_VC_TEXT		"s"
#define VC_FMT_VC_STR		"s"
#define VC_FMT_VC_TYPE		"s"
#define VC_FMT_VC_STATUS	"s"
#define VC_FMT_VC_TERMINAL	"s"
#define VC_FMT_VC_MONEY		"s"
#define VC_FMT_VC_BOOL		"i"
#define VC_FMT_VC_INT		"i"
#define VC_FMT_VC_I64		"i"
#define VC_FMT_VC_COUNT		"i"
#define VC_FMT_VC_TIME		"t"
#define VC_FMT_VC_DOUBLE	"d"

#define VC_IF_0(x)
#define VC_IF_1(x)	x
#define VC_NAME_FIRST(c, m, k, l, e)	#c
#define VC_NAME_NEXT(c, m, k, l, e)	", " #c
#define VC_LIST_NEXT(c, m, k, l, e)	VC_IF_##l(", " #c)
#define VC_EXPORT_NEXT(c, m, k, l, e)	VC_IF_##e(", " #c)
#define VC_MARK_FIRST(c, m, k, l, e)	"?"
#define VC_MARK_NEXT(c, m, k, l, e)	", ?"
#define VC_FMT(c, m, k, l, e)		VC_FMT_##k
#define VC_LIST_FMT(c, m, k, l, e)	VC_IF_##l(VC_FMT_##k)
#define VC_EXPORT_FMT(c, m, k, l, e)	VC_IF_##e(VC_FMT_##k)

/* every column, in table order: the SQL list, its placeholders, and
 * the dbr/dbp format */
#define VALIDATION_COLS		VALIDATION_COLUMNS(VC_NAME_FIRST, VC_NAME_NEXT)
#define VALIDATION_MARKS	VALIDATION_COLUMNS(VC_MARK_FIRST, VC_MARK_NEXT)
#define VALIDATION_FMT		VALIDATION_COLUMNS(VC_FMT, VC_FMT)
/* the list's columns, in table order (the first column is in it) */
#define VALIDATION_LIST_COLS	VALIDATION_COLUMNS(VC_NAME_FIRST, VC_LIST_NEXT)
#define VALIDATION_LIST_FMT	VALIDATION_COLUMNS(VC_FMT, VC_LIST_FMT)
/* the export's columns, in table order (the first column is in it) */
#define VALIDATION_EXPORT_COLS	VALIDATION_COLUMNS(VC_NAME_FIRST, VC_EXPORT_NEXT)
#define VALIDATION_EXPORT_FMT	VALIDATION_COLUMNS(VC_FMT, VC_EXPORT_FMT)

/* which columns a row holds (validation_row_read) */
#define VC_ROW_ALL	0
#define VC_ROW_LIST	1
#define VC_ROW_EXPORT	2

#endif /* MXCEP_STORE_VALIDATION_COLS_H */
