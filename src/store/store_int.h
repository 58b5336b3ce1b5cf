/*
 * mxcep: internals shared by the files of src/store/ only. The SQL text
 * itself lives in stmts.c (stmt_defs[], with each statement's shape);
 * the other files name statements by enum and bind parameters and
 * results by type through dbp/dbr.
 */
#ifndef MXCEP_STORE_INT_H
#define MXCEP_STORE_INT_H

#include <mysql.h>
#include <stdint.h>
#include <time.h>

#include "core/core.h"
#include "store/store.h"

enum stmt {
	STMT_MIGRATE_LOCK = 0,
	STMT_MIGRATE_UNLOCK,
	STMT_MIGRATE_BOOTSTRAP,
	STMT_MIGRATE_LIST,
	STMT_MIGRATE_RECORD,
	STMT_PLAN_INSERT,
	STMT_PLAN_BY_NAME,
	STMT_PLAN_LIST,
	STMT_ACCOUNT_INSERT,
	STMT_ACCOUNT_EXISTS,
	STMT_ACCOUNT_GET,
	STMT_ACCOUNT_LIST,
	STMT_KEY_INSERT,
	STMT_KEY_BY_HASH,
	STMT_KEY_GET,
	STMT_KEY_GET_ACCOUNT,
	STMT_KEY_LIST_ALL,
	STMT_KEY_LIST_ACCOUNT,
	STMT_KEY_REVOKE,
	STMT_KEY_REVOKE_ACCOUNT,
	STMT_KEY_TOUCH,
	STMT_VALIDATION_INSERT,
	STMT_VALIDATION_GET,
	STMT_BANK_LIST,
	STMT_BANK_ALIAS_LIST,
	STMT_BANK_BY_CODE,
	STMT_BANK_BY_NAME,
	STMT_BANK_BY_PREFIX,
	STMT_JOB_INSERT,
	STMT_JOB_CLAIM,
	STMT_JOBS_DUE_QUEUED,
	STMT_JOBS_DUE_EXPIRED_LEASE,
	STMT_JOB_FINISH,
	STMT_JOB_RELEASE,
	STMT_JOBS_EXPIRED_QUEUE,
	STMT_VALIDATION_START,
	STMT_VALIDATION_FINISH,
	STMT_VALIDATION_ETAG,
	STMT_CEP_INSERT,
	STMT_CEP_XML,
	STMT_CEP_PDF,
	STMT_IDEM_INSERT,
	STMT_IDEM_GET,
	STMT_IDEM_TAKE_OVER,
	STMT_IDEM_SET_RESOURCE,
	STMT_IDEM_COMPLETE,
	STMT_IDEM_FORGET,
	STMT_IDEM_PURGE,
	STMT_STATE_GET,
	STMT_STATE_SET,
	STMT_STATE_ENSURE,
	STMT_STATE_LOCK,
	STMT_STATE_EXTEND,
	STMT_STATE_CLEAR,
	STMT_VALIDATION_SOFT_DELETE,
	STMT_VALIDATION_ACCOUNT_ETAG,
	STMT_VALIDATION_GET_ANY,
	STMT_CEP_RAW,
	STMT_JOBS_OF_VALIDATION,
	/* retries.c (issue 5) */
	STMT_RETRY_LOCK,
	STMT_RETRY_SAVE,
	STMT_RETRY_JOB_SCHEDULE,
	STMT_RETRY_ATTEMPT_SCHEDULE,
	STMT_RETRY_ATTEMPT_UNSCHEDULE,
	STMT_RETRY_JOB_UNSCHEDULE,
	STMT_RETRY_ATTEMPT_FINISH,
	STMT_RETRY_ATTEMPTS_LIST,
	STMT_ACCOUNT_RETRY_SETTINGS,
	STMT_ACCOUNT_RETRY_PUT,
	/* receiving_accounts.c (issue 14) */
	STMT_RECV_INSERT,
	STMT_RECV_BY_CLABE,
	STMT_RECV_GET,
	STMT_RECV_COUNT,
	STMT_RECV_PAGE,
	STMT_RECV_DELETE,
	STMT_RECV_MATCH,
	STMT__MAX
};

/* a statement: its SQL, flags and shape. params: one letter per
 * placeholder, as bound by dbp ('s' text, 'i' integer, 'd' double,
 * 't' DATETIME, 'b' blob; SQL NULL matches any); result: one letter per
 * column as dbr reads it (see struct dbr), NULL when no rows are read */
#define STMT_READ	0x01u	/* no side effect: safe to retry after reconnect */
struct stmt_def {
	const char	*name;		/* for log lines */
	const char	*sql;
	unsigned int	 flags;		/* STMT_READ */
	const char	*params;
	const char	*result;
};
extern const struct stmt_def stmt_defs[STMT__MAX];	/* stmts.c */

#define DB_MAXCOLS	128

/* parameters of one statement, bound by type; values are copied in */
struct dbp {
	MYSQL_BIND	 b[DB_MAXCOLS];
	union {
		long long	 i;
		double		 d;
		MYSQL_TIME	 t;
	}		 v[DB_MAXCOLS];
	unsigned long	 len[DB_MAXCOLS];
	char		 type[DB_MAXCOLS];	/* stmt_def's letter of each */
	size_t		 n;
};
void	 dbp_init(struct dbp *);
void	 dbp_str(struct dbp *, const char *);	/* NULL = SQL NULL; borrowed
						   until the statement ran */
void	 dbp_i64(struct dbp *, long long);
void	 dbp_i64n(struct dbp *, long long);	/* < 0 = SQL NULL */
void	 dbp_double(struct dbp *, double);
void	 dbp_doublen(struct dbp *, double);	/* < 0 = SQL NULL */
void	 dbp_time(struct dbp *, time_t);	/* 0 = SQL NULL; UTC DATETIME */
void	 dbp_blob(struct dbp *, const void *, size_t);	/* NULL = SQL NULL;
						   borrowed until it ran */

/* the result of one statement; columns typed by a format string:
 * 's' text (any type the server converts to text), 'i' integer,
 * 'd' double, 't' DATETIME as time_t */
struct dbr {
	struct db	*db;
	MYSQL_STMT	*st;
	size_t		 n;
	char		 fmt[DB_MAXCOLS + 1];
	MYSQL_BIND	 b[DB_MAXCOLS];
	union {
		long long	 i;
		double		 d;
		MYSQL_TIME	 t;
	}		 v[DB_MAXCOLS];
	unsigned long	 len[DB_MAXCOLS];
	my_bool		 null[DB_MAXCOLS];
	my_bool		 err[DB_MAXCOLS];
	size_t		 tbuf_len[DB_MAXCOLS];	/* dbr_bind_text's sizes */
};

/* db_run: execute statement id with params p (NULL = none), which must
 * have its shape (stmt_defs[id].params). With r, the result columns are
 * bound per stmt_defs[id].result and buffered; read them with
 * dbr_fetch() and always end with dbr_done(). 0 ok, -1 (logged). */
int	 db_run(struct db *, enum stmt, struct dbp *p, struct dbr *r);
/* db_conflict: 1 when the last failure was a lock conflict (InnoDB's
 * deadlock victim, or a lock wait timeout); db_tx_retry: after a failed
 * and rolled back transaction, 1 when it should be run again (a lock
 * conflict, attempt < DB_TX_ATTEMPTS; logged, after a short pause), else
 * 0. A transaction: for (a = 1; ; a++) { rc = tx(); if (rc != -1 ||
 * !db_tx_retry(db, a, name)) break; } */
#define DB_TX_ATTEMPTS	4
int	 db_conflict(const struct db *);
int	 db_tx_retry(struct db *, int attempt, const char *what);
uint64_t db_affected(const struct db *);	/* rows changed by the last db_run */
uint64_t db_insert_id(const struct db *);	/* AUTO_INCREMENT of the last db_run */
int	 dbr_fetch(struct dbr *);		/* 1 row, 0 no more, -1 (logged) */
void	 dbr_done(struct dbr *);		/* frees the result; r may be unused */
int	 dbr_null(const struct dbr *, size_t col);
/* dbr_bind_text: from the next dbr_fetch on, text column col is copied
 * by the fetch itself into buf (n bytes with the NUL; longer values are
 * cut), with no call per column: read it with dbr_text (buf, or NULL
 * for SQL NULL). For row-by-row reads of many rows. 0 or -1. */
int	 dbr_bind_text(struct dbr *, size_t col, char *buf, size_t n);
char	*dbr_text(struct dbr *, size_t col);	/* the caller's buffer */
char	*dbr_str(struct dbr *, size_t col);	/* copy, NULL for SQL NULL */
size_t	 dbr_len(const struct dbr *, size_t col);	/* bytes of a text column */
void	 dbr_strcpy(struct dbr *, size_t col, char *dst, size_t n);	/* "" for NULL;
						   truncates */
long long dbr_i64(const struct dbr *, size_t col, long long ifnull);
double	 dbr_double(const struct dbr *, size_t col, double ifnull);
time_t	 dbr_time(const struct dbr *, size_t col);	/* 0 for NULL */

/*
 * db_run_composed: like db_run for a statement that compose(key, sql)
 * writes from constant fragments only (never request text), chosen by
 * the bits of key. Prepared once per connection and cached under key
 * (DB_COMPOSED_MAX of them, the oldest evicted), re-prepared after a
 * reconnect. Keys must be unique across callers: each caller tags its
 * keys with its own DB_KEY_* in the top byte. flags: DB_READ (retried
 * once on a new connection), DB_UNBUFFERED (rows are read from the
 * server by dbr_fetch(); nothing else may run on db before dbr_done()).
 */
#define DB_COMPOSED_MAX		32
#define DB_READ			0x01u
#define DB_UNBUFFERED		0x02u
#define DB_KEY_SHIFT		56	/* the caller's tag: the top byte */
#define DB_KEY_WIDTH		8
#define DB_KEY(tag)		((uint64_t)(tag) << DB_KEY_SHIFT)
#define DB_KEY_VALIDATION_QUERY	DB_KEY(1)
struct buf;
int	 db_run_composed(struct db *, uint64_t key, const char *name,
	    void (*compose)(uint64_t, struct buf *), struct dbp *p,
	    struct dbr *r, const char *fmt, unsigned int flags);

/* db_exec_script: run one statement of a migration file as plain text
 * (trusted, from sql_dir; never from a request); results are discarded. */
int	 db_exec_script(struct db *, const char *sql, size_t len);

/* validations.c: the columns of a row of validations, in the order of
 * validation_cols.h (which: VC_ROW_ALL, _LIST or _EXPORT), into v (from
 * validation_new(): the columns not read keep their NULL); _borrow: the
 * export's, its text pointing into the buffers bound with dbr_bind_text
 * (every text column must be); _col: the index of column in those rows,
 * -1 when it is not one of them */
struct validation;
void	 validation_row_read(struct dbr *, struct validation *, int which);
void	 validation_row_borrow(struct dbr *, struct validation *);
int	 validation_row_col(const char *column, int which);

/* idempotency.c: inside the transaction that creates a resource under
 * an Idempotency-Key claim, the claim names its id; *lost = 1 when
 * another request took the claim over. 0, or -1. */
struct idem_claim;
int	 db_idem_set_resource(struct db *, const struct idem_claim *,
	    const char *id, int *lost);

/* retry_states.c: a cycle state (core.h) of a stored terminal state
 * (store.h) and back; 0, or -1 (logged) for a value without its pair */
int	 retry_cycle_state_of(enum retry_terminal, enum retry_cycle_state *);
int	 retry_stored_state_of(enum retry_cycle_state, enum retry_terminal *);

/* retries.c: inside db_job_finish()'s transaction, after the job was
 * finished and before the validation's result is written: locks the
 * validation's retry state, then moves the cycle on for outcome o of
 * job (schedules the next retry, records the attempt). 0 or -1. */
struct job;
struct validation_outcome;
int	 db_retry_after_job(struct db *, const struct job *,
	    const struct validation_outcome *o, time_t now);
/* retries.c: inside the caller's transaction: locks the validation of
 * the account (*found 0: none) and ends its retry cycle cancelled when
 * one is pending, its queued retry removed (*cancelled 1). 0 or -1. */
int	 db_retry_cancel_locked(struct db *, const char *account_id,
	    const char *id, time_t now, int *found, int *cancelled);

#endif /* MXCEP_STORE_INT_H */
