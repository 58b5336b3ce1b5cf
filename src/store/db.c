/*
 * mxcep: one MariaDB connection per process. Prepares each statement of
 * stmt_defs[] (stmts.c) lazily once per connection and binds by type,
 * its parameters checked and its results read by the statement's shape. A lost server closes the connection; the next call
 * reconnects and re-prepares. Read-only statements are retried once on
 * a fresh connection, writes are not (their outcome is unknown). A
 * statement InnoDB chose as a deadlock's victim (or whose lock wait
 * timed out) was rolled back whole: outside a transaction it is run
 * again; inside one, db_conflict() tells the caller to run its whole
 * transaction again (db_tx_retry).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>

#include "core/core.h"
#include "util/util.h"
#include "store/store.h"
#include "store/store_int.h"

struct db {
	const struct config	*cfg;		/* borrowed */
	MYSQL			*my;		/* NULL = not connected */
	MYSQL_STMT		*st[STMT__MAX];	/* prepared on first use */
	struct {
		uint64_t	 key;		/* the caller's bit set */
		MYSQL_STMT	*st;		/* NULL = free slot */
	}			 composed[DB_COMPOSED_MAX];
	size_t			 composed_next;	/* slot to evict next */
	int			 unavailable;	/* last failure: server unreachable */
	int			 conflict;	/* last failure: a deadlock or a
						   lock wait timeout */
	int			 in_tx;		/* inside db_begin() .. commit/rollback */
	uint64_t		 affected;	/* of the last db_run */
	uint64_t		 insert_id;	/* AUTO_INCREMENT of the last db_run */
	char			 version[64];
};

struct db *
db_new(const struct config *cfg)
{
	struct db	*db;

	db = xcalloc(1, sizeof(*db));
	db->cfg = cfg;
	return db;
}

static void
db_close(struct db *db)
{
	size_t	 i;

	for (i = 0; i < STMT__MAX; i++) {
		if (db->st[i] != NULL)
			mysql_stmt_close(db->st[i]);
		db->st[i] = NULL;
	}
	for (i = 0; i < DB_COMPOSED_MAX; i++) {
		if (db->composed[i].st != NULL)
			mysql_stmt_close(db->composed[i].st);
		db->composed[i].st = NULL;
	}
	db->composed_next = 0;
	if (db->my != NULL)
		mysql_close(db->my);
	db->my = NULL;
	db->version[0] = '\0';
}

void
db_free(struct db *db)
{
	if (db == NULL)
		return;
	db_close(db);
	free(db);
}

/* is_gone: 1 for the errors that mean the connection is unusable */
static int
is_gone(unsigned int err)
{
	switch (err) {
	case CR_SERVER_GONE_ERROR:
	case CR_SERVER_LOST:
	case CR_CONN_HOST_ERROR:
	case CR_CONNECTION_ERROR:
	case CR_COMMANDS_OUT_OF_SYNC:
	case ER_CONNECTION_KILLED:
	case ER_SERVER_SHUTDOWN:
		return 1;
	default:
		return 0;
	}
}

/* is_conflict: 1 for the errors after which the same statements, run
 * again, may well succeed: InnoDB rolled the transaction back (deadlock)
 * or the statement gave up waiting for a lock */
static int
is_conflict(unsigned int err)
{
	return err == ER_LOCK_DEADLOCK || err == ER_LOCK_WAIT_TIMEOUT;
}

/* db_failed: after an error err on the connection, close it when the
 * server is gone, and remember whether that was the cause. */
static void
db_failed(struct db *db, unsigned int err)
{
	db->conflict = is_conflict(err);
	db->unavailable = is_gone(err);
	if (db->unavailable)
		db_close(db);
}

int
db_connect(struct db *db)
{
	const struct config	*c = db->cfg;
	unsigned int		 cto, rto;
	my_bool			 off = 0;
	const char		*host, *sock;
	int			 fd, fl;

	if (db->my != NULL)
		return 0;
	if ((db->my = mysql_init(NULL)) == NULL) {
		log_warnx("%s: mysql_init failed", __func__);
		db->unavailable = 1;
		return -1;
	}
	cto = (unsigned int)c->db_connect_timeout;
	rto = (unsigned int)c->db_read_timeout;
	mysql_options(db->my, MYSQL_OPT_CONNECT_TIMEOUT, &cto);
	mysql_options(db->my, MYSQL_OPT_READ_TIMEOUT, &rto);
	mysql_options(db->my, MYSQL_OPT_WRITE_TIMEOUT, &rto);
	/* never reconnect behind our back: prepared statements would be
	 * lost silently; db_failed() reconnects and re-prepares instead */
	mysql_options(db->my, MYSQL_OPT_RECONNECT, &off);
	mysql_options(db->my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	mysql_options(db->my, MYSQL_INIT_COMMAND, "SET time_zone = '+00:00'");
	host = c->db_host[0] != '\0' ? c->db_host : NULL;
	sock = host == NULL && c->db_socket[0] != '\0' ? c->db_socket : NULL;
	if (mysql_real_connect(db->my, host, c->db_user, c->db_password,
	    c->db_name, (unsigned int)c->db_port, sock, 0) == NULL) {
		log_warnx("%s: %s: %s", __func__,
		    host != NULL ? host : (sock != NULL ? sock : "default socket"),
		    mysql_error(db->my));
		mysql_close(db->my);
		db->my = NULL;
		db->unavailable = 1;
		return -1;
	}
	/* the socket must not leak into children (exec'd helpers) */
	fd = (int)mysql_get_socket(db->my);
	if (fd >= 0 && (fl = fcntl(fd, F_GETFD)) != -1)
		(void)fcntl(fd, F_SETFD, fl | FD_CLOEXEC);
	snprintf(db->version, sizeof(db->version), "%s",
	    mysql_get_server_info(db->my));
	db->unavailable = 0;
	log_debug("%s: connected to MariaDB %s", __func__, db->version);
	return 0;
}

int
db_ping(struct db *db)
{
	if (db_connect(db) == -1)
		return -1;
	if (mysql_ping(db->my) != 0) {
		log_warnx("%s: %s", __func__, mysql_error(db->my));
		/* a ping that fails is the server being unreachable */
		db->unavailable = 1;
		db_close(db);
		return -1;
	}
	db->unavailable = 0;
	return 0;
}

int
db_unavailable(const struct db *db)
{
	return db->unavailable;
}

int
db_conflict(const struct db *db)
{
	return db->conflict;
}

int
db_tx_retry(struct db *db, int attempt, const char *what)
{
	struct timespec	 ts;

	if (!db->conflict || attempt >= DB_TX_ATTEMPTS)
		return 0;
	log_info("%s: lock conflict (attempt %d of %d), running it again",
	    what, attempt, DB_TX_ATTEMPTS);
	/* a short pause, longer each time, so that the other transaction
	 * can commit first */
	ts.tv_sec = 0;
	ts.tv_nsec = 5000000L * attempt;
	nanosleep(&ts, NULL);
	return 1;
}

const char *
db_server_version(struct db *db)
{
	return db->my != NULL ? db->version : NULL;
}

uint64_t
db_insert_id(const struct db *db)
{
	return db->insert_id;
}

uint64_t
db_affected(const struct db *db)
{
	return db->affected;
}

/* ---- statements ------------------------------------------------------ */

/* db_stmt: the prepared statement id on the current connection. */
static MYSQL_STMT *
db_stmt(struct db *db, enum stmt id)
{
	MYSQL_STMT	*st;

	if (db->st[id] != NULL)
		return db->st[id];
	if ((st = mysql_stmt_init(db->my)) == NULL) {
		log_warnx("%s: %s: %s", __func__, stmt_defs[id].name,
		    mysql_error(db->my));
		db_failed(db, mysql_errno(db->my));
		return NULL;
	}
	if (mysql_stmt_prepare(st, stmt_defs[id].sql,
	    (unsigned long)strlen(stmt_defs[id].sql)) != 0) {
		unsigned int	 err = mysql_stmt_errno(st);

		log_warnx("%s: %s: %s", __func__, stmt_defs[id].name,
		    mysql_stmt_error(st));
		mysql_stmt_close(st);
		db_failed(db, err);
		return NULL;
	}
	db->st[id] = st;
	return st;
}

static int
dbr_bind(struct dbr *r, MYSQL_STMT *st, const char *fmt)
{
	size_t	 i;

	memset(r->b, 0, sizeof(r->b));
	r->st = st;
	r->n = strlen(fmt);
	if (r->n > DB_MAXCOLS)
		fatalx("dbr: more than %d columns", DB_MAXCOLS);
	memcpy(r->fmt, fmt, r->n + 1);
	if (mysql_stmt_field_count(st) != r->n) {
		log_warnx("%s: statement has %u columns, bound %zu", __func__,
		    mysql_stmt_field_count(st), r->n);
		return -1;
	}
	for (i = 0; i < r->n; i++) {
		r->b[i].is_null = &r->null[i];
		r->b[i].error = &r->err[i];
		r->b[i].length = &r->len[i];
		switch (fmt[i]) {
		case 's':
			/* fetched by dbr_str() once the length is known */
			r->b[i].buffer_type = MYSQL_TYPE_STRING;
			break;
		case 'i':
			r->b[i].buffer_type = MYSQL_TYPE_LONGLONG;
			r->b[i].buffer = &r->v[i].i;
			break;
		case 'd':
			r->b[i].buffer_type = MYSQL_TYPE_DOUBLE;
			r->b[i].buffer = &r->v[i].d;
			break;
		case 't':
			r->b[i].buffer_type = MYSQL_TYPE_DATETIME;
			r->b[i].buffer = &r->v[i].t;
			break;
		default:
			fatalx("dbr: bad column type '%c'", fmt[i]);
		}
	}
	return 0;
}

/* db_exec: bind, execute and bind the result of a prepared statement;
 * -1 with db->unavailable telling why */
static int
db_exec(struct db *db, MYSQL_STMT *st, const char *name, struct dbp *p,
    struct dbr *r, const char *fmt, int unbuffered)
{
	unsigned int	 err;

	if (mysql_stmt_param_count(st) != (p != NULL ? p->n : 0))
		fatalx("%s: %s: %lu parameters, bound %zu", __func__,
		    name, mysql_stmt_param_count(st), p != NULL ? p->n : 0);
	if (p != NULL && p->n > 0 && mysql_stmt_bind_param(st, p->b) != 0)
		goto fail;
	if (mysql_stmt_execute(st) != 0)
		goto fail;
	db->affected = (uint64_t)mysql_stmt_affected_rows(st);
	db->insert_id = (uint64_t)mysql_stmt_insert_id(st);
	if (r == NULL) {
		/* drain anything the statement returned (GET_LOCK etc.) */
		if (mysql_stmt_field_count(st) > 0) {
			(void)mysql_stmt_store_result(st);
			mysql_stmt_free_result(st);
		}
		db->unavailable = 0;
		db->conflict = 0;
		return 0;
	}
	if (dbr_bind(r, st, fmt) == -1) {
		mysql_stmt_free_result(st);
		return -1;
	}
	if (mysql_stmt_bind_result(st, r->b) != 0 ||
	    (!unbuffered && mysql_stmt_store_result(st) != 0)) {
		mysql_stmt_free_result(st);
		goto fail;
	}
	db->unavailable = 0;
	db->conflict = 0;
	return 0;
fail:
	err = mysql_stmt_errno(st);
	log_warnx("%s: %s: %s", __func__, name, mysql_stmt_error(st));
	if (r != NULL)
		r->st = NULL;
	db_failed(db, err);
	return -1;
}

/* dbp_check: p has the shape of statement id (a NULL matches any
 * type); a mismatch is a programming error */
static void
dbp_check(enum stmt id, const struct dbp *p)
{
	const char	*want = stmt_defs[id].params;
	size_t		 i, n = p != NULL ? p->n : 0;

	if (strlen(want) != n)
		fatalx("%s: %zu parameters, its shape has %zu", stmt_defs[id].name,
		    n, strlen(want));
	for (i = 0; i < n; i++)
		if (p->type[i] != want[i] &&
		    p->b[i].buffer_type != MYSQL_TYPE_NULL)
			fatalx("%s: parameter %zu is '%c', its shape '%c'",
			    stmt_defs[id].name, i + 1, p->type[i], want[i]);
}

/* db_run_once: one attempt; -1 with db->unavailable telling why */
static int
db_run_once(struct db *db, enum stmt id, struct dbp *p, struct dbr *r)
{
	MYSQL_STMT	*st;

	if (db->my == NULL && db->in_tx) {
		/* the connection died inside a transaction: a reconnect
		 * would run the rest in autocommit mode, half applied */
		log_warnx("%s: %s: connection lost inside a transaction",
		    __func__, stmt_defs[id].name);
		db->unavailable = 1;
		return -1;
	}
	if (db_connect(db) == -1)
		return -1;
	if ((st = db_stmt(db, id)) == NULL)
		return -1;
	return db_exec(db, st, stmt_defs[id].name, p, r,
	    stmt_defs[id].result, 0);
}

int
db_run(struct db *db, enum stmt id, struct dbp *p, struct dbr *r)
{
	int	 was_connected = db->my != NULL, attempt;

	dbp_check(id, p);
	if (r != NULL && stmt_defs[id].result == NULL)
		fatalx("%s: no result shape to read", stmt_defs[id].name);

	if (r != NULL) {
		r->db = db;
		r->st = NULL;
		r->n = 0;
	}
	if (db_run_once(db, id, p, r) == 0)
		return 0;
	/* a statement of its own that lost a lock conflict was rolled
	 * back: run it again */
	for (attempt = 1; !db->in_tx && db_tx_retry(db, attempt,
	    stmt_defs[id].name); attempt++)
		if (db_run_once(db, id, p, r) == 0)
			return 0;
	/* a connection that sat idle may have been dropped by the server
	 * (wait_timeout): retry a read once on a new connection */
	if (was_connected && db->my == NULL && db->unavailable &&
	    !db->in_tx && (stmt_defs[id].flags & STMT_READ)) {
		log_info("%s: %s: reconnecting", __func__, stmt_defs[id].name);
		return db_run_once(db, id, p, r);
	}
	return -1;
}

/* ---- composed statements ------------------------------------------- */

/* db_stmt_composed: the statement cached under key on this connection,
 * composed and prepared on a miss (evicting the oldest slot). */
static MYSQL_STMT *
db_stmt_composed(struct db *db, uint64_t key, const char *name,
    void (*compose)(uint64_t, struct buf *))
{
	MYSQL_STMT	*st;
	struct buf	 sql;
	size_t		 i;
	unsigned int	 err;

	for (i = 0; i < DB_COMPOSED_MAX; i++)
		if (db->composed[i].st != NULL && db->composed[i].key == key)
			return db->composed[i].st;
	if ((st = mysql_stmt_init(db->my)) == NULL) {
		log_warnx("%s: %s: %s", __func__, name, mysql_error(db->my));
		db_failed(db, mysql_errno(db->my));
		return NULL;
	}
	buf_init(&sql);
	compose(key, &sql);
	if (mysql_stmt_prepare(st, sql.data, (unsigned long)sql.len) != 0) {
		err = mysql_stmt_errno(st);
		log_warnx("%s: %s %#llx: %s", __func__, name,
		    (unsigned long long)key, mysql_stmt_error(st));
		mysql_stmt_close(st);
		buf_free(&sql);
		db_failed(db, err);
		return NULL;
	}
	log_debug("%s: %s %#llx: %s", __func__, name,
	    (unsigned long long)key, sql.data);
	buf_free(&sql);
	i = db->composed_next;
	db->composed_next = (i + 1) % DB_COMPOSED_MAX;
	if (db->composed[i].st != NULL)
		mysql_stmt_close(db->composed[i].st);
	db->composed[i].key = key;
	db->composed[i].st = st;
	return st;
}

static int
db_run_composed_once(struct db *db, uint64_t key, const char *name,
    void (*compose)(uint64_t, struct buf *), struct dbp *p, struct dbr *r,
    const char *fmt, unsigned int flags)
{
	MYSQL_STMT	*st;

	if (db->my == NULL && db->in_tx) {
		log_warnx("%s: %s: connection lost inside a transaction",
		    __func__, name);
		db->unavailable = 1;
		return -1;
	}
	if (db_connect(db) == -1)
		return -1;
	if ((st = db_stmt_composed(db, key, name, compose)) == NULL)
		return -1;
	return db_exec(db, st, name, p, r, fmt,
	    (flags & DB_UNBUFFERED) != 0);
}

int
db_run_composed(struct db *db, uint64_t key, const char *name,
    void (*compose)(uint64_t, struct buf *), struct dbp *p, struct dbr *r,
    const char *fmt, unsigned int flags)
{
	int	 was_connected = db->my != NULL;

	if (r != NULL) {
		r->db = db;
		r->st = NULL;
		r->n = 0;
	}
	if (db_run_composed_once(db, key, name, compose, p, r, fmt,
	    flags) == 0)
		return 0;
	if (was_connected && db->my == NULL && db->unavailable &&
	    !db->in_tx && (flags & DB_READ)) {
		log_info("%s: %s: reconnecting", __func__, name);
		return db_run_composed_once(db, key, name, compose, p, r, fmt,
		    flags);
	}
	return -1;
}

int
dbr_fetch(struct dbr *r)
{
	int	 rc;

	if (r->st == NULL)
		return 0;
	rc = mysql_stmt_fetch(r->st);
	if (rc == 0 || rc == MYSQL_DATA_TRUNCATED)
		return 1;	/* text columns are fetched by length later */
	if (rc == MYSQL_NO_DATA)
		return 0;
	log_warnx("%s: %s", __func__, mysql_stmt_error(r->st));
	return -1;
}

void
dbr_done(struct dbr *r)
{
	if (r == NULL || r->st == NULL)
		return;
	mysql_stmt_free_result(r->st);
	r->st = NULL;
}

int
dbr_bind_text(struct dbr *r, size_t col, char *buf, size_t n)
{
	if (r->st == NULL || col >= r->n || r->fmt[col] != 's' || n < 2)
		return -1;
	r->b[col].buffer = buf;
	r->b[col].buffer_length = (unsigned long)(n - 1);
	r->tbuf_len[col] = n;
	if (mysql_stmt_bind_result(r->st, r->b) != 0) {
		log_warnx("%s: %s", __func__, mysql_stmt_error(r->st));
		return -1;
	}
	return 0;
}

char *
dbr_text(struct dbr *r, size_t col)
{
	char	*buf = r->b[col].buffer;
	size_t	 n = r->tbuf_len[col];

	if (r->null[col] || buf == NULL)
		return NULL;
	buf[r->len[col] < n - 1 ? r->len[col] : n - 1] = '\0';
	return buf;
}

int
dbr_null(const struct dbr *r, size_t col)
{
	return r->null[col] != 0;
}

char *
dbr_str(struct dbr *r, size_t col)
{
	MYSQL_BIND	 b;
	char		*s;
	unsigned long	 n;

	if (r->null[col])
		return NULL;
	n = r->len[col];
	s = xmalloc((size_t)n + 1);
	if (n > 0) {
		memset(&b, 0, sizeof(b));
		b.buffer_type = MYSQL_TYPE_STRING;
		b.buffer = s;
		b.buffer_length = n;
		if (mysql_stmt_fetch_column(r->st, &b, (unsigned int)col, 0)
		    != 0) {
			log_warnx("%s: column %zu: %s", __func__, col,
			    mysql_stmt_error(r->st));
			n = 0;
		}
	}
	s[n] = '\0';
	return s;
}

size_t
dbr_len(const struct dbr *r, size_t col)
{
	return r->null[col] ? 0 : (size_t)r->len[col];
}

void
dbr_strcpy(struct dbr *r, size_t col, char *dst, size_t n)
{
	MYSQL_BIND	 b;
	unsigned long	 len;

	if (n == 0)
		return;
	dst[0] = '\0';
	if (r->null[col])
		return;
	/* straight into dst, cut to fit: no allocation per column */
	len = r->len[col] < n ? r->len[col] : (unsigned long)(n - 1);
	if (len > 0) {
		memset(&b, 0, sizeof(b));
		b.buffer_type = MYSQL_TYPE_STRING;
		b.buffer = dst;
		b.buffer_length = len;
		if (mysql_stmt_fetch_column(r->st, &b, (unsigned int)col, 0)
		    != 0) {
			log_warnx("%s: column %zu: %s", __func__, col,
			    mysql_stmt_error(r->st));
			len = 0;
		}
	}
	dst[len] = '\0';
}

long long
dbr_i64(const struct dbr *r, size_t col, long long ifnull)
{
	return r->null[col] ? ifnull : r->v[col].i;
}

double
dbr_double(const struct dbr *r, size_t col, double ifnull)
{
	return r->null[col] ? ifnull : r->v[col].d;
}

time_t
dbr_time(const struct dbr *r, size_t col)
{
	const MYSQL_TIME	*t = &r->v[col].t;

	if (r->null[col])
		return 0;
	return (time_t)(date_days_since_epoch((int)t->year, (int)t->month,
	    (int)t->day) * 86400 + t->hour * 3600 + t->minute * 60 +
	    t->second);
}

int
db_exec_script(struct db *db, const char *sql, size_t len)
{
	MYSQL_RES	*res;

	if (db_connect(db) == -1)
		return -1;
	if (mysql_real_query(db->my, sql, (unsigned long)len) != 0) {
		log_warnx("%s: %s", __func__, mysql_error(db->my));
		db_failed(db, mysql_errno(db->my));
		return -1;
	}
	if ((res = mysql_store_result(db->my)) != NULL)
		mysql_free_result(res);
	db->affected = (uint64_t)mysql_affected_rows(db->my);
	return 0;
}

/*
 * Transactions. Statement text is constant; a lost connection inside
 * one fails every later statement until db_rollback(), never
 * reconnecting half way.
 */
static int
db_tx_query(struct db *db, const char *sql)
{
	unsigned int	 err;

	if (db->my == NULL)
		return -1;
	if (mysql_real_query(db->my, sql, (unsigned long)strlen(sql)) != 0) {
		err = mysql_errno(db->my);
		log_warnx("%s: %s: %s", __func__, sql, mysql_error(db->my));
		db_failed(db, err);
		return -1;
	}
	return 0;
}

int
db_begin(struct db *db)
{
	db->conflict = 0;
	if (db_connect(db) == -1)
		return -1;
	if (db_tx_query(db, "START TRANSACTION") == -1)
		return -1;
	db->in_tx = 1;
	return 0;
}

int
db_commit(struct db *db)
{
	int	 rc = db_tx_query(db, "COMMIT");

	db->in_tx = 0;
	return rc;
}

void
db_rollback(struct db *db)
{
	if (db->in_tx && db->my != NULL)
		(void)db_tx_query(db, "ROLLBACK");
	db->in_tx = 0;
}
