/*
 * mxcep: one MariaDB connection per process. Holds every SQL string of
 * the service in stmts[], prepares each lazily once per connection and
 * binds by type. A lost server closes the connection; the next call
 * reconnects and re-prepares. Read-only statements are retried once on
 * a fresh connection, writes are not (their outcome is unknown).
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
#include "store/validation_cols.h"

#define STMT_READ	0x01u	/* no side effect: safe to retry after reconnect */

#define KEY_COLS \
	"id, account_id, key_prefix, name, scopes, created_at, revoked_at, " \
	"last_used_at"
#define ACCOUNT_COLS \
	"a.id, a.name, p.name, p.retry_max_retries, a.created_at"
#define BANK_COLS \
	"b.participant_code, b.clabe_prefix, b.short_name, b.cep_name, " \
	"b.full_name"

static const struct {
	const char	*name;		/* for log lines */
	const char	*sql;
	unsigned int	 flags;		/* STMT_READ */
} stmts[STMT__MAX] = {
	[STMT_MIGRATE_LOCK] = { "migrate_lock",
	    "SELECT GET_LOCK('mxcep.migrate', ?)", 0 },
	[STMT_MIGRATE_UNLOCK] = { "migrate_unlock",
	    "SELECT RELEASE_LOCK('mxcep.migrate')", 0 },
	[STMT_MIGRATE_BOOTSTRAP] = { "migrate_bootstrap",
	    "CREATE TABLE IF NOT EXISTS schema_migrations ("
	    " version INT UNSIGNED NOT NULL PRIMARY KEY,"
	    " name VARCHAR(255) NOT NULL,"
	    " checksum CHAR(64) CHARACTER SET ascii NOT NULL,"
	    " applied_at DATETIME NOT NULL"
	    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci",
	    0 },
	[STMT_MIGRATE_LIST] = { "migrate_list",
	    "SELECT version, name, checksum FROM schema_migrations"
	    " ORDER BY version", STMT_READ },
	[STMT_MIGRATE_RECORD] = { "migrate_record",
	    "INSERT INTO schema_migrations (version, name, checksum, applied_at)"
	    " VALUES (?, ?, ?, ?)", 0 },
	[STMT_PLAN_INSERT] = { "plan_insert",
	    "INSERT INTO plans (name, retry_max_retries, created_at)"
	    " VALUES (?, ?, ?)", 0 },
	[STMT_PLAN_BY_NAME] = { "plan_by_name",
	    "SELECT id, name, retry_max_retries, created_at FROM plans"
	    " WHERE name = ?", STMT_READ },
	[STMT_PLAN_LIST] = { "plan_list",
	    "SELECT id, name, retry_max_retries, created_at FROM plans"
	    " ORDER BY name", STMT_READ },
	[STMT_ACCOUNT_INSERT] = { "account_insert",
	    "INSERT INTO accounts (id, name, plan_id, created_at)"
	    " SELECT ?, ?, id, ? FROM plans WHERE name = ?", 0 },
	[STMT_ACCOUNT_EXISTS] = { "account_exists",
	    "SELECT 1 FROM accounts WHERE id = ?", STMT_READ },
	[STMT_ACCOUNT_GET] = { "account_get",
	    "SELECT " ACCOUNT_COLS " FROM accounts a"
	    " JOIN plans p ON p.id = a.plan_id WHERE a.id = ?", STMT_READ },
	[STMT_ACCOUNT_LIST] = { "account_list",
	    "SELECT " ACCOUNT_COLS " FROM accounts a"
	    " JOIN plans p ON p.id = a.plan_id ORDER BY a.created_at, a.id",
	    STMT_READ },
	[STMT_KEY_INSERT] = { "key_insert",
	    "INSERT INTO api_keys (id, account_id, name, key_prefix, key_hash,"
	    " scopes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)", 0 },
	[STMT_KEY_BY_HASH] = { "key_by_hash",
	    "SELECT " KEY_COLS " FROM api_keys WHERE key_hash = ?", STMT_READ },
	[STMT_KEY_GET] = { "key_get",
	    "SELECT " KEY_COLS " FROM api_keys WHERE id = ?", STMT_READ },
	[STMT_KEY_GET_ACCOUNT] = { "key_get_account",
	    "SELECT " KEY_COLS " FROM api_keys WHERE id = ? AND account_id = ?",
	    STMT_READ },
	[STMT_KEY_LIST_ALL] = { "key_list_all",
	    "SELECT " KEY_COLS " FROM api_keys ORDER BY created_at, id",
	    STMT_READ },
	[STMT_KEY_LIST_ACCOUNT] = { "key_list_account",
	    "SELECT " KEY_COLS " FROM api_keys WHERE account_id = ?"
	    " ORDER BY created_at, id", STMT_READ },
	[STMT_KEY_REVOKE] = { "key_revoke",
	    "UPDATE api_keys SET revoked_at = ?"
	    " WHERE id = ? AND revoked_at IS NULL", 0 },
	[STMT_KEY_REVOKE_ACCOUNT] = { "key_revoke_account",
	    "UPDATE api_keys SET revoked_at = ?"
	    " WHERE id = ? AND account_id = ? AND revoked_at IS NULL", 0 },
	[STMT_KEY_TOUCH] = { "key_touch",
	    "UPDATE api_keys SET last_used_at = ? WHERE id = ?"
	    " AND (last_used_at IS NULL OR last_used_at < ?)", 0 },
	[STMT_VALIDATION_INSERT] = { "validation_insert",
	    "INSERT INTO validations (" VALIDATION_COLS ") VALUES ("
	    VALIDATION_MARKS ")", 0 },
	[STMT_VALIDATION_GET] = { "validation_get",
	    "SELECT " VALIDATION_COLS " FROM validations"
	    " WHERE id = ? AND account_id = ?", STMT_READ },
	/* banks.c: the participant catalog (sql/002_banks.sql) */
	[STMT_BANK_LIST] = { "bank_list",
	    "SELECT " BANK_COLS " FROM banks b ORDER BY b.participant_code",
	    STMT_READ },
	[STMT_BANK_ALIAS_LIST] = { "bank_alias_list",
	    "SELECT participant_code, alias, priority FROM bank_aliases"
	    " WHERE priority >= 2 ORDER BY participant_code, priority",
	    STMT_READ },
	[STMT_BANK_BY_CODE] = { "bank_by_code",
	    "SELECT " BANK_COLS " FROM banks b WHERE b.participant_code = ?",
	    STMT_READ },
	[STMT_BANK_BY_NAME] = { "bank_by_name",
	    "SELECT " BANK_COLS ", MIN(a.priority) AS prio FROM bank_aliases a"
	    " JOIN banks b ON b.participant_code = a.participant_code"
	    " WHERE a.search_name = ? GROUP BY " BANK_COLS
	    " ORDER BY prio, b.participant_code LIMIT 2", STMT_READ },
	[STMT_BANK_BY_PREFIX] = { "bank_by_prefix",
	    "SELECT " BANK_COLS " FROM banks b WHERE b.clabe_prefix = ?"
	    " ORDER BY b.participant_code LIMIT 2", STMT_READ },
	[STMT_JOB_INSERT] = { "job_insert",
	    "INSERT INTO jobs (validation_id, state, run_after, lease_owner,"
	    " lease_until, tries, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)", 0 },
	[STMT_JOB_CLAIM] = { "job_claim",
	    "UPDATE jobs SET state = 'running', lease_owner = ?,"
	    " lease_until = ?, tries = tries + 1 WHERE id = ? AND"
	    " (state = 'queued' OR (state = 'running' AND lease_until < ?))",
	    0 },
	[STMT_JOBS_DUE_QUEUED] = { "jobs_due_queued",
	    "SELECT j.id, j.validation_id, v.account_id, j.tries, j.kind,"
	    " j.attempt FROM jobs j"
	    " JOIN validations v ON v.id = j.validation_id"
	    " WHERE j.state = 'queued' AND j.run_after <= ?"
	    " ORDER BY j.run_after, j.id LIMIT ? FOR UPDATE SKIP LOCKED", 0 },
	[STMT_JOBS_DUE_EXPIRED_LEASE] = { "jobs_due_expired_lease",
	    "SELECT j.id, j.validation_id, v.account_id, j.tries, j.kind,"
	    " j.attempt FROM jobs j"
	    " JOIN validations v ON v.id = j.validation_id"
	    " WHERE j.state = 'running' AND j.lease_until < ?"
	    " ORDER BY j.lease_until, j.id LIMIT ? FOR UPDATE SKIP LOCKED",
	    0 },
	[STMT_JOB_FINISH] = { "job_finish",
	    "UPDATE jobs SET state = 'done', finished_at = ?, lease_until = NULL"
	    " WHERE id = ? AND state = 'running' AND lease_owner = ?", 0 },
	[STMT_JOB_RELEASE] = { "job_release",
	    "UPDATE jobs SET state = 'queued', run_after = ?, lease_owner = NULL,"
	    " lease_until = NULL WHERE id = ? AND state = 'running'"
	    " AND lease_owner = ?", 0 },
	[STMT_JOBS_EXPIRED_QUEUE] = { "jobs_expired_queue",
	    "SELECT j.id, j.validation_id, v.account_id, j.tries, j.kind,"
	    " j.attempt FROM jobs j"
	    " JOIN validations v ON v.id = j.validation_id"
	    " WHERE j.state = 'queued' AND j.kind = 'validate'"
	    " AND v.expires_at < ?"
	    " ORDER BY j.id LIMIT ? FOR UPDATE SKIP LOCKED", 0 },
	[STMT_VALIDATION_START] = { "validation_start",
	    "UPDATE validations SET status = 'processing',"
	    " processing_started_at = COALESCE(processing_started_at, ?),"
	    " updated_at = ?, etag_version = etag_version + 1"
	    " WHERE id = ? AND status = 'queued'", 0 },
	[STMT_VALIDATION_FINISH] = { "validation_finish",
	    "UPDATE validations SET status = ?, banxico_status = ?,"
	    " clave_rastreo = COALESCE(clave_rastreo, ?),"
	    " referencia = COALESCE(referencia, ?),"
	    " banxico_result = ?, error_code = ?, error_message = ?,"
	    " has_cep = ?, completed_at = ?, processing_time_ms = ?,"
	    " processing_started_at = COALESCE(processing_started_at, ?),"
	    " updated_at = ?, etag_version = etag_version + 1 WHERE id = ?", 0 },
	[STMT_VALIDATION_ETAG] = { "validation_etag",
	    "SELECT etag_version, status FROM validations WHERE id = ?",
	    STMT_READ },
	[STMT_CEP_INSERT] = { "cep_insert",
	    "INSERT INTO cep_documents (validation_id, xml, pdf, raw_answer,"
	    " created_at) VALUES (?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE"
	    " xml = VALUES(xml), pdf = VALUES(pdf),"
	    " raw_answer = VALUES(raw_answer)", 0 },
	[STMT_CEP_XML] = { "cep_xml",
	    "SELECT d.xml FROM cep_documents d JOIN validations v"
	    " ON v.id = d.validation_id WHERE d.validation_id = ?"
	    " AND v.account_id = ?", STMT_READ },
	[STMT_CEP_PDF] = { "cep_pdf",
	    "SELECT d.pdf FROM cep_documents d JOIN validations v"
	    " ON v.id = d.validation_id WHERE d.validation_id = ?"
	    " AND v.account_id = ?", STMT_READ },
	[STMT_IDEM_INSERT] = { "idem_insert",
	    "INSERT IGNORE INTO idempotency_keys (account_id, endpoint,"
	    " idem_key, request_hash, state, created_at, expires_at)"
	    " VALUES (?, ?, ?, ?, 'in_flight', ?, ?)", 0 },
	[STMT_IDEM_GET] = { "idem_get",
	    "SELECT request_hash, state, status, headers, body, created_at,"
	    " expires_at FROM idempotency_keys WHERE account_id = ?"
	    " AND endpoint = ? AND idem_key = ?", 0 },
	[STMT_IDEM_TAKE_OVER] = { "idem_take_over",
	    "UPDATE idempotency_keys SET request_hash = ?, state = 'in_flight',"
	    " status = NULL, headers = NULL, body = NULL, created_at = ?,"
	    " expires_at = ? WHERE account_id = ? AND endpoint = ?"
	    " AND idem_key = ? AND created_at = ?", 0 },
	[STMT_IDEM_COMPLETE] = { "idem_complete",
	    "UPDATE idempotency_keys SET state = 'done', status = ?,"
	    " headers = ?, body = ? WHERE account_id = ? AND endpoint = ?"
	    " AND idem_key = ?", 0 },
	[STMT_IDEM_FORGET] = { "idem_forget",
	    "DELETE FROM idempotency_keys WHERE account_id = ? AND endpoint = ?"
	    " AND idem_key = ?", 0 },
	[STMT_IDEM_PURGE] = { "idem_purge",
	    "DELETE FROM idempotency_keys WHERE expires_at < ? LIMIT 10000", 0 },
	/* a deadline: value = why, until_at = until, updated_at = since
	 * (set when it starts, kept when it is extended) */
	[STMT_STATE_GET] = { "state_get",
	    "SELECT value, until_at, updated_at FROM service_state"
	    " WHERE name = ?", STMT_READ },
	[STMT_STATE_SET] = { "state_set",
	    "INSERT INTO service_state (name, value, until_at, updated_at)"
	    " VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE value = VALUES(value),"
	    " until_at = VALUES(until_at), updated_at = VALUES(updated_at)", 0 },
	[STMT_STATE_ENSURE] = { "state_ensure",
	    "INSERT IGNORE INTO service_state (name, value, until_at,"
	    " updated_at) VALUES (?, NULL, NULL, ?)", 0 },
	[STMT_STATE_LOCK] = { "state_lock",
	    "SELECT value, until_at, updated_at FROM service_state"
	    " WHERE name = ? FOR UPDATE", 0 },
	[STMT_STATE_EXTEND] = { "state_extend",
	    "UPDATE service_state SET until_at = GREATEST(until_at, ?)"
	    " WHERE name = ?", 0 },
	[STMT_STATE_CLEAR] = { "state_clear",
	    "UPDATE service_state SET value = NULL, until_at = NULL,"
	    " updated_at = ? WHERE name = ?", 0 },
	/* validation_query.c: soft delete and the admin views */
	[STMT_VALIDATION_SOFT_DELETE] = { "validation_soft_delete",
	    "UPDATE validations SET deleted_at = ?, updated_at = ?,"
	    " etag_version = etag_version + 1"
	    " WHERE id = ? AND account_id = ? AND deleted_at IS NULL", 0 },
	[STMT_VALIDATION_ACCOUNT_ETAG] = { "validation_account_etag",
	    "SELECT etag_version FROM validations WHERE id = ?"
	    " AND account_id = ?", STMT_READ },
	[STMT_VALIDATION_GET_ANY] = { "validation_get_any",
	    "SELECT " VALIDATION_COLS " FROM validations WHERE id = ?",
	    STMT_READ },
	[STMT_CEP_RAW] = { "cep_raw",
	    "SELECT raw_answer FROM cep_documents WHERE validation_id = ?",
	    STMT_READ },
	[STMT_JOBS_OF_VALIDATION] = { "jobs_of_validation",
	    "SELECT id, kind, state, tries, run_after, lease_owner,"
	    " lease_until, created_at, finished_at FROM jobs"
	    " WHERE validation_id = ? ORDER BY id", STMT_READ },
	/* retries.c: retry cycles (sql/006_retries.sql) */
	[STMT_RETRY_LOCK] = { "retry_lock",
	    "SELECT status, retry_enabled, retry_max_retries,"
	    " retry_interval_seconds, retry_outcomes, retry_attempts_completed,"
	    " retry_next_attempt_at, retry_resolved_at, retry_exhausted_at,"
	    " retry_cancelled_at, retry_terminal_state, account_id"
	    " FROM validations WHERE id = ? FOR UPDATE", 0 },
	[STMT_RETRY_SAVE] = { "retry_save",
	    "UPDATE validations SET retry_enabled = ?, retry_max_retries = ?,"
	    " retry_interval_seconds = ?, retry_outcomes = ?,"
	    " retry_attempts_completed = ?, retry_next_attempt_at = ?,"
	    " retry_resolved_at = ?, retry_exhausted_at = ?,"
	    " retry_cancelled_at = ?, retry_terminal_state = ?, updated_at = ?,"
	    " etag_version = etag_version + ? WHERE id = ?", 0 },
	/* a retry is queued once; one cancelled earlier (done) is queued
	 * again, one queued or running is only moved (queued) or kept */
	[STMT_RETRY_JOB_SCHEDULE] = { "retry_job_schedule",
	    "INSERT INTO jobs (validation_id, kind, attempt, state, run_after,"
	    " tries, created_at) VALUES (?, 'retry', ?, 'queued', ?, 0, ?)"
	    " ON DUPLICATE KEY UPDATE"
	    " run_after = IF(state = 'running', run_after, VALUES(run_after)),"
	    " finished_at = IF(state = 'done', NULL, finished_at),"
	    " state = IF(state = 'done', 'queued', state)", 0 },
	[STMT_RETRY_ATTEMPT_SCHEDULE] = { "retry_attempt_schedule",
	    "INSERT INTO retry_attempts (validation_id, attempt, scheduled_at)"
	    " VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE scheduled_at ="
	    " IF(finished_at IS NULL, VALUES(scheduled_at), scheduled_at)", 0 },
	/* before STMT_RETRY_JOB_UNSCHEDULE: the attempts whose job is
	 * still queued (a running one finishes and is recorded) */
	[STMT_RETRY_ATTEMPT_UNSCHEDULE] = { "retry_attempt_unschedule",
	    "DELETE ra FROM retry_attempts ra JOIN jobs j"
	    " ON j.validation_id = ra.validation_id AND j.kind = 'retry'"
	    " AND j.attempt = ra.attempt WHERE ra.validation_id = ?"
	    " AND ra.finished_at IS NULL AND j.state = 'queued'", 0 },
	[STMT_RETRY_JOB_UNSCHEDULE] = { "retry_job_unschedule",
	    "UPDATE jobs SET state = 'done', finished_at = ?"
	    " WHERE validation_id = ? AND kind = 'retry' AND state = 'queued'",
	    0 },
	[STMT_RETRY_ATTEMPT_FINISH] = { "retry_attempt_finish",
	    "INSERT INTO retry_attempts (validation_id, attempt, scheduled_at,"
	    " started_at, finished_at, status, banxico_status, error_code,"
	    " duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
	    " ON DUPLICATE KEY UPDATE started_at = VALUES(started_at),"
	    " finished_at = VALUES(finished_at), status = VALUES(status),"
	    " banxico_status = VALUES(banxico_status),"
	    " error_code = VALUES(error_code),"
	    " duration_ms = VALUES(duration_ms)", 0 },
	[STMT_RETRY_ATTEMPTS_LIST] = { "retry_attempts_list",
	    "SELECT ra.attempt, ra.scheduled_at, ra.started_at, ra.finished_at,"
	    " ra.status, ra.banxico_status, ra.error_code, ra.duration_ms"
	    " FROM retry_attempts ra JOIN validations v"
	    " ON v.id = ra.validation_id WHERE ra.validation_id = ?"
	    " AND v.account_id = ? ORDER BY ra.attempt", STMT_READ },
	[STMT_ACCOUNT_RETRY_SETTINGS] = { "account_retry_settings",
	    "SELECT p.retry_max_retries, rp.enabled, rp.max_retries,"
	    " rp.interval_seconds, rp.outcomes FROM accounts a"
	    " JOIN plans p ON p.id = a.plan_id LEFT JOIN account_retry_policies"
	    " rp ON rp.account_id = a.id WHERE a.id = ?", STMT_READ },
	[STMT_ACCOUNT_RETRY_PUT] = { "account_retry_put",
	    "INSERT INTO account_retry_policies (account_id, enabled,"
	    " max_retries, interval_seconds, outcomes, updated_at)"
	    " VALUES (?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE"
	    " enabled = VALUES(enabled), max_retries = VALUES(max_retries),"
	    " interval_seconds = VALUES(interval_seconds),"
	    " outcomes = VALUES(outcomes), updated_at = VALUES(updated_at)", 0 },
};

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

/* db_failed: after an error err on the connection, close it when the
 * server is gone, and remember whether that was the cause. */
static void
db_failed(struct db *db, unsigned int err)
{
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

/* ---- parameters ------------------------------------------------------ */

void
dbp_init(struct dbp *p)
{
	memset(p, 0, sizeof(*p));
}

static MYSQL_BIND *
dbp_next(struct dbp *p)
{
	if (p->n >= DB_MAXCOLS)
		fatalx("dbp: more than %d parameters", DB_MAXCOLS);
	return &p->b[p->n++];
}

void
dbp_str(struct dbp *p, const char *s)
{
	MYSQL_BIND	*b = dbp_next(p);
	size_t		 i = p->n - 1;

	if (s == NULL) {
		b->buffer_type = MYSQL_TYPE_NULL;
		return;
	}
	p->len[i] = (unsigned long)strlen(s);
	b->buffer_type = MYSQL_TYPE_STRING;
	b->buffer = (void *)(uintptr_t)s;
	b->buffer_length = p->len[i];
	b->length = &p->len[i];
}

void
dbp_blob(struct dbp *p, const void *data, size_t n)
{
	MYSQL_BIND	*b = dbp_next(p);
	size_t		 i = p->n - 1;

	if (data == NULL) {
		b->buffer_type = MYSQL_TYPE_NULL;
		return;
	}
	p->len[i] = (unsigned long)n;
	b->buffer_type = MYSQL_TYPE_BLOB;
	b->buffer = (void *)(uintptr_t)data;
	b->buffer_length = p->len[i];
	b->length = &p->len[i];
}

void
dbp_i64(struct dbp *p, long long v)
{
	MYSQL_BIND	*b = dbp_next(p);
	size_t		 i = p->n - 1;

	p->v[i].i = v;
	b->buffer_type = MYSQL_TYPE_LONGLONG;
	b->buffer = &p->v[i].i;
}

void
dbp_i64n(struct dbp *p, long long v)
{
	if (v < 0)
		dbp_str(p, NULL);
	else
		dbp_i64(p, v);
}

void
dbp_double(struct dbp *p, double v)
{
	MYSQL_BIND	*b = dbp_next(p);
	size_t		 i = p->n - 1;

	p->v[i].d = v;
	b->buffer_type = MYSQL_TYPE_DOUBLE;
	b->buffer = &p->v[i].d;
}

void
dbp_doublen(struct dbp *p, double v)
{
	if (v < 0)
		dbp_str(p, NULL);
	else
		dbp_double(p, v);
}

void
dbp_time(struct dbp *p, time_t t)
{
	MYSQL_BIND	*b;
	size_t		 i;
	struct tm	 tm;

	if (t == 0) {
		dbp_str(p, NULL);
		return;
	}
	b = dbp_next(p);
	i = p->n - 1;
	gmtime_r(&t, &tm);
	memset(&p->v[i].t, 0, sizeof(p->v[i].t));
	p->v[i].t.year = (unsigned int)tm.tm_year + 1900;
	p->v[i].t.month = (unsigned int)tm.tm_mon + 1;
	p->v[i].t.day = (unsigned int)tm.tm_mday;
	p->v[i].t.hour = (unsigned int)tm.tm_hour;
	p->v[i].t.minute = (unsigned int)tm.tm_min;
	p->v[i].t.second = (unsigned int)tm.tm_sec;
	p->v[i].t.time_type = MYSQL_TIMESTAMP_DATETIME;
	b->buffer_type = MYSQL_TYPE_DATETIME;
	b->buffer = &p->v[i].t;
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
		log_warnx("%s: %s: %s", __func__, stmts[id].name,
		    mysql_error(db->my));
		db_failed(db, mysql_errno(db->my));
		return NULL;
	}
	if (mysql_stmt_prepare(st, stmts[id].sql,
	    (unsigned long)strlen(stmts[id].sql)) != 0) {
		unsigned int	 err = mysql_stmt_errno(st);

		log_warnx("%s: %s: %s", __func__, stmts[id].name,
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
	return 0;
fail:
	err = mysql_stmt_errno(st);
	log_warnx("%s: %s: %s", __func__, name, mysql_stmt_error(st));
	if (r != NULL)
		r->st = NULL;
	db_failed(db, err);
	return -1;
}

/* db_run_once: one attempt; -1 with db->unavailable telling why */
static int
db_run_once(struct db *db, enum stmt id, struct dbp *p, struct dbr *r,
    const char *fmt)
{
	MYSQL_STMT	*st;

	if (db->my == NULL && db->in_tx) {
		/* the connection died inside a transaction: a reconnect
		 * would run the rest in autocommit mode, half applied */
		log_warnx("%s: %s: connection lost inside a transaction",
		    __func__, stmts[id].name);
		db->unavailable = 1;
		return -1;
	}
	if (db_connect(db) == -1)
		return -1;
	if ((st = db_stmt(db, id)) == NULL)
		return -1;
	return db_exec(db, st, stmts[id].name, p, r, fmt, 0);
}

int
db_run(struct db *db, enum stmt id, struct dbp *p, struct dbr *r,
    const char *fmt)
{
	int	 was_connected = db->my != NULL;

	if (r != NULL) {
		r->db = db;
		r->st = NULL;
		r->n = 0;
	}
	if (db_run_once(db, id, p, r, fmt) == 0)
		return 0;
	/* a connection that sat idle may have been dropped by the server
	 * (wait_timeout): retry a read once on a new connection */
	if (was_connected && db->my == NULL && db->unavailable &&
	    !db->in_tx && (stmts[id].flags & STMT_READ)) {
		log_info("%s: %s: reconnecting", __func__, stmts[id].name);
		return db_run_once(db, id, p, r, fmt);
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
