/*
 * mxcep: every SQL statement of the service but the composed ones
 * (query_sql.c): its text, whether it may be retried, and its shape:
 * the type of each parameter and of each result column, in the letters
 * of struct dbp and struct dbr (store_int.h). db_run() binds results by
 * this shape and checks the parameters against it; callers read the
 * columns in this order.
 */
#include <stddef.h>

#include "store/store.h"
#include "store/store_int.h"
#include "store/validation_cols.h"

/* the shapes shared by several statements */
#define PLAN_FMT	"isit"		/* id, name, retry_max_retries, created_at */
#define ACCOUNT_FMT	"sssit"		/* ACCOUNT_COLS */
#define KEY_FMT		"ssssstt" "t"	/* KEY_COLS */
#define BANK_FMT	"sssss"		/* BANK_COLS */
#define JOB_DUE_FMT	"issisi"	/* id, validation_id, account_id, tries,
					   kind, attempt */
#define STATE_FMT	"stt"		/* value, until_at, updated_at */
#define RECV_FMT	"sssssst"	/* RECV_COLS */

#define KEY_COLS \
	"id, account_id, key_prefix, name, scopes, created_at, revoked_at, " \
	"last_used_at"
#define ACCOUNT_COLS \
	"a.id, a.name, p.name, p.retry_max_retries, a.created_at"
#define RECV_COLS \
	"r.id, r.account_id, r.clabe, r.clabe_last4, r.bank_code, r.alias, " \
	"r.created_at"
#define BANK_COLS \
	"b.participant_code, b.clabe_prefix, b.short_name, b.cep_name, " \
	"b.full_name"

const struct stmt_def stmt_defs[STMT__MAX] = {
	[STMT_MIGRATE_LOCK] = { "migrate_lock",
	    "SELECT GET_LOCK('mxcep.migrate', ?)", 0,
	    "i", "i" },
	[STMT_MIGRATE_UNLOCK] = { "migrate_unlock",
	    "SELECT RELEASE_LOCK('mxcep.migrate')", 0,
	    "", NULL },
	[STMT_MIGRATE_BOOTSTRAP] = { "migrate_bootstrap",
	    "CREATE TABLE IF NOT EXISTS schema_migrations ("
	    " version INT UNSIGNED NOT NULL PRIMARY KEY,"
	    " name VARCHAR(255) NOT NULL,"
	    " checksum CHAR(64) CHARACTER SET ascii NOT NULL,"
	    " applied_at DATETIME NOT NULL"
	    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci",
	    0,
	    "", NULL },
	[STMT_MIGRATE_LIST] = { "migrate_list",
	    "SELECT version, name, checksum FROM schema_migrations"
	    " ORDER BY version", STMT_READ,
	    "", "iss" },
	[STMT_MIGRATE_RECORD] = { "migrate_record",
	    "INSERT INTO schema_migrations (version, name, checksum, applied_at)"
	    " VALUES (?, ?, ?, ?)", 0,
	    "isst", NULL },
	[STMT_PLAN_INSERT] = { "plan_insert",
	    "INSERT INTO plans (name, retry_max_retries, created_at)"
	    " VALUES (?, ?, ?)", 0,
	    "sit", NULL },
	[STMT_PLAN_BY_NAME] = { "plan_by_name",
	    "SELECT id, name, retry_max_retries, created_at FROM plans"
	    " WHERE name = ?", STMT_READ,
	    "s", PLAN_FMT },
	[STMT_PLAN_LIST] = { "plan_list",
	    "SELECT id, name, retry_max_retries, created_at FROM plans"
	    " ORDER BY name", STMT_READ,
	    "", PLAN_FMT },
	[STMT_ACCOUNT_INSERT] = { "account_insert",
	    "INSERT INTO accounts (id, name, plan_id, created_at)"
	    " SELECT ?, ?, id, ? FROM plans WHERE name = ?", 0,
	    "ssts", NULL },
	[STMT_ACCOUNT_EXISTS] = { "account_exists",
	    "SELECT 1 FROM accounts WHERE id = ?", STMT_READ,
	    "s", "i" },
	[STMT_ACCOUNT_GET] = { "account_get",
	    "SELECT " ACCOUNT_COLS " FROM accounts a"
	    " JOIN plans p ON p.id = a.plan_id WHERE a.id = ?", STMT_READ,
	    "s", ACCOUNT_FMT },
	[STMT_ACCOUNT_LIST] = { "account_list",
	    "SELECT " ACCOUNT_COLS " FROM accounts a"
	    " JOIN plans p ON p.id = a.plan_id ORDER BY a.created_at, a.id",
	    STMT_READ,
	    "", ACCOUNT_FMT },
	[STMT_KEY_INSERT] = { "key_insert",
	    "INSERT INTO api_keys (id, account_id, name, key_prefix, key_hash,"
	    " scopes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)", 0,
	    "sssssst", NULL },
	[STMT_KEY_BY_HASH] = { "key_by_hash",
	    "SELECT " KEY_COLS " FROM api_keys WHERE key_hash = ?", STMT_READ,
	    "s", KEY_FMT },
	[STMT_KEY_GET] = { "key_get",
	    "SELECT " KEY_COLS " FROM api_keys WHERE id = ?", STMT_READ,
	    "s", KEY_FMT },
	[STMT_KEY_GET_ACCOUNT] = { "key_get_account",
	    "SELECT " KEY_COLS " FROM api_keys WHERE id = ? AND account_id = ?",
	    STMT_READ,
	    "ss", KEY_FMT },
	[STMT_KEY_LIST_ALL] = { "key_list_all",
	    "SELECT " KEY_COLS " FROM api_keys ORDER BY created_at, id",
	    STMT_READ,
	    "", KEY_FMT },
	[STMT_KEY_LIST_ACCOUNT] = { "key_list_account",
	    "SELECT " KEY_COLS " FROM api_keys WHERE account_id = ?"
	    " ORDER BY created_at, id", STMT_READ,
	    "s", KEY_FMT },
	[STMT_KEY_REVOKE] = { "key_revoke",
	    "UPDATE api_keys SET revoked_at = ?"
	    " WHERE id = ? AND revoked_at IS NULL", 0,
	    "ts", NULL },
	[STMT_KEY_REVOKE_ACCOUNT] = { "key_revoke_account",
	    "UPDATE api_keys SET revoked_at = ?"
	    " WHERE id = ? AND account_id = ? AND revoked_at IS NULL", 0,
	    "tss", NULL },
	[STMT_KEY_TOUCH] = { "key_touch",
	    "UPDATE api_keys SET last_used_at = ? WHERE id = ?"
	    " AND (last_used_at IS NULL OR last_used_at < ?)", 0,
	    "tst", NULL },
	[STMT_VALIDATION_INSERT] = { "validation_insert",
	    "INSERT INTO validations (" VALIDATION_COLS ") VALUES ("
	    VALIDATION_MARKS ")", 0,
	    VALIDATION_FMT, NULL },
	[STMT_VALIDATION_GET] = { "validation_get",
	    "SELECT " VALIDATION_COLS " FROM validations"
	    " WHERE id = ? AND account_id = ?", STMT_READ,
	    "ss", VALIDATION_FMT },
	/* banks.c: the participant catalog (sql/002_banks.sql) */
	[STMT_BANK_LIST] = { "bank_list",
	    "SELECT " BANK_COLS " FROM banks b ORDER BY b.participant_code",
	    STMT_READ,
	    "", BANK_FMT },
	[STMT_BANK_ALIAS_LIST] = { "bank_alias_list",
	    "SELECT participant_code, alias, priority FROM bank_aliases"
	    " WHERE priority >= 2 ORDER BY participant_code, priority",
	    STMT_READ,
	    "", "ssi" },
	[STMT_BANK_BY_CODE] = { "bank_by_code",
	    "SELECT " BANK_COLS " FROM banks b WHERE b.participant_code = ?",
	    STMT_READ,
	    "s", BANK_FMT },
	[STMT_BANK_BY_NAME] = { "bank_by_name",
	    "SELECT " BANK_COLS ", MIN(a.priority) AS prio FROM bank_aliases a"
	    " JOIN banks b ON b.participant_code = a.participant_code"
	    " WHERE a.search_name = ? GROUP BY " BANK_COLS
	    " ORDER BY prio, b.participant_code LIMIT 2", STMT_READ,
	    "s", BANK_FMT "i" },
	[STMT_BANK_BY_PREFIX] = { "bank_by_prefix",
	    "SELECT " BANK_COLS " FROM banks b WHERE b.clabe_prefix = ?"
	    " ORDER BY b.participant_code LIMIT 2", STMT_READ,
	    "s", BANK_FMT },
	[STMT_JOB_INSERT] = { "job_insert",
	    "INSERT INTO jobs (validation_id, state, run_after, lease_owner,"
	    " lease_until, tries, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)", 0,
	    "sststit", NULL },
	[STMT_JOB_CLAIM] = { "job_claim",
	    "UPDATE jobs SET state = 'running', lease_owner = ?,"
	    " lease_until = ?, tries = tries + 1 WHERE id = ? AND"
	    " (state = 'queued' OR (state = 'running' AND lease_until < ?))",
	    0,
	    "stit", NULL },
	[STMT_JOBS_DUE_QUEUED] = { "jobs_due_queued",
	    "SELECT j.id, j.validation_id, v.account_id, j.tries, j.kind,"
	    " j.attempt FROM jobs j"
	    " JOIN validations v ON v.id = j.validation_id"
	    " WHERE j.state = 'queued' AND j.run_after <= ?"
	    " ORDER BY j.run_after, j.id LIMIT ? FOR UPDATE SKIP LOCKED", 0,
	    "ti", JOB_DUE_FMT },
	[STMT_JOBS_DUE_EXPIRED_LEASE] = { "jobs_due_expired_lease",
	    "SELECT j.id, j.validation_id, v.account_id, j.tries, j.kind,"
	    " j.attempt FROM jobs j"
	    " JOIN validations v ON v.id = j.validation_id"
	    " WHERE j.state = 'running' AND j.lease_until < ?"
	    " ORDER BY j.lease_until, j.id LIMIT ? FOR UPDATE SKIP LOCKED",
	    0,
	    "ti", JOB_DUE_FMT },
	[STMT_JOB_FINISH] = { "job_finish",
	    "UPDATE jobs SET state = 'done', finished_at = ?, lease_until = NULL"
	    " WHERE id = ? AND state = 'running' AND lease_owner = ?", 0,
	    "tis", NULL },
	[STMT_JOB_RELEASE] = { "job_release",
	    "UPDATE jobs SET state = 'queued', run_after = ?, lease_owner = NULL,"
	    " lease_until = NULL, tries = IF(tries > 0, tries - 1, 0)"
	    " WHERE id = ? AND state = 'running'"
	    " AND lease_owner = ?", 0,
	    "tis", NULL },
	[STMT_JOBS_EXPIRED_QUEUE] = { "jobs_expired_queue",
	    "SELECT j.id, j.validation_id, v.account_id, j.tries, j.kind,"
	    " j.attempt FROM jobs j"
	    " JOIN validations v ON v.id = j.validation_id"
	    " WHERE j.state = 'queued' AND j.kind = 'validate'"
	    " AND v.expires_at < ?"
	    " ORDER BY j.id LIMIT ? FOR UPDATE SKIP LOCKED", 0,
	    "ti", JOB_DUE_FMT },
	[STMT_VALIDATION_START] = { "validation_start",
	    "UPDATE validations SET status = 'processing',"
	    " processing_started_at = COALESCE(processing_started_at, ?),"
	    " updated_at = ?, etag_version = etag_version + 1"
	    " WHERE id = ? AND status = 'queued'", 0,
	    "tts", NULL },
	[STMT_VALIDATION_FINISH] = { "validation_finish",
	    "UPDATE validations SET status = ?, banxico_status = ?,"
	    " clave_rastreo = COALESCE(clave_rastreo, ?),"
	    " referencia = COALESCE(referencia, ?),"
	    " banxico_result = ?, error_code = ?, error_message = ?,"
	    " has_cep = ?, completed_at = ?, processing_time_ms = ?,"
	    " processing_started_at = COALESCE(processing_started_at, ?),"
	    " updated_at = ?, etag_version = etag_version + 1 WHERE id = ?", 0,
	    "sssssssititts", NULL },
	[STMT_VALIDATION_ETAG] = { "validation_etag",
	    "SELECT etag_version, status FROM validations WHERE id = ?",
	    STMT_READ,
	    "s", "is" },
	[STMT_CEP_INSERT] = { "cep_insert",
	    "INSERT INTO cep_documents (validation_id, xml, pdf, raw_answer,"
	    " created_at) VALUES (?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE"
	    " xml = VALUES(xml), pdf = VALUES(pdf),"
	    " raw_answer = VALUES(raw_answer)", 0,
	    "sbbbt", NULL },
	[STMT_CEP_XML] = { "cep_xml",
	    "SELECT d.xml FROM cep_documents d JOIN validations v"
	    " ON v.id = d.validation_id WHERE d.validation_id = ?"
	    " AND v.account_id = ?", STMT_READ,
	    "ss", "s" },
	[STMT_CEP_PDF] = { "cep_pdf",
	    "SELECT d.pdf FROM cep_documents d JOIN validations v"
	    " ON v.id = d.validation_id WHERE d.validation_id = ?"
	    " AND v.account_id = ?", STMT_READ,
	    "ss", "s" },
	[STMT_IDEM_INSERT] = { "idem_insert",
	    "INSERT IGNORE INTO idempotency_keys (account_id, endpoint,"
	    " idem_key, request_hash, state, created_at, expires_at)"
	    " VALUES (?, ?, ?, ?, 'in_flight', ?, ?)", 0,
	    "sssstt", NULL },
	[STMT_IDEM_GET] = { "idem_get",
	    "SELECT request_hash, state, status, headers, body, created_at,"
	    " expires_at, resource_id FROM idempotency_keys"
	    " WHERE account_id = ? AND endpoint = ? AND idem_key = ?", 0,
	    "sss", "ssisstts" },
	/* an expired record, or a stale one whose request created nothing */
	[STMT_IDEM_TAKE_OVER] = { "idem_take_over",
	    "UPDATE idempotency_keys SET request_hash = ?, state = 'in_flight',"
	    " status = NULL, headers = NULL, body = NULL, resource_id = NULL,"
	    " created_at = ?, expires_at = ? WHERE account_id = ?"
	    " AND endpoint = ? AND idem_key = ? AND created_at = ?"
	    " AND (resource_id IS NULL OR expires_at < ?)", 0,
	    "sttssstt", NULL },
	/* in the transaction that creates the resource: only while the
	 * claim (its created_at) is still the key's */
	[STMT_IDEM_SET_RESOURCE] = { "idem_set_resource",
	    "UPDATE idempotency_keys SET resource_id = ? WHERE account_id = ?"
	    " AND endpoint = ? AND idem_key = ? AND created_at = ?"
	    " AND state = 'in_flight' AND resource_id IS NULL", 0,
	    "sssst", NULL },
	/* complete and forget: only while the claim is still the key's */
	[STMT_IDEM_COMPLETE] = { "idem_complete",
	    "UPDATE idempotency_keys SET state = 'done', status = ?,"
	    " headers = ?, body = ? WHERE account_id = ? AND endpoint = ?"
	    " AND idem_key = ? AND created_at = ?", 0,
	    "isbssst", NULL },
	/* a key whose request created something keeps pointing at it */
	[STMT_IDEM_FORGET] = { "idem_forget",
	    "DELETE FROM idempotency_keys WHERE account_id = ? AND endpoint = ?"
	    " AND idem_key = ? AND created_at = ? AND resource_id IS NULL", 0,
	    "ssst", NULL },
	[STMT_IDEM_PURGE] = { "idem_purge",
	    "DELETE FROM idempotency_keys WHERE expires_at < ? LIMIT 10000", 0,
	    "t", NULL },
	/* a deadline: value = why, until_at = until, updated_at = since
	 * (set when it starts, kept when it is extended) */
	[STMT_STATE_GET] = { "state_get",
	    "SELECT value, until_at, updated_at FROM service_state"
	    " WHERE name = ?", STMT_READ,
	    "s", STATE_FMT },
	[STMT_STATE_SET] = { "state_set",
	    "INSERT INTO service_state (name, value, until_at, updated_at)"
	    " VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE value = VALUES(value),"
	    " until_at = VALUES(until_at), updated_at = VALUES(updated_at)", 0,
	    "sstt", NULL },
	[STMT_STATE_ENSURE] = { "state_ensure",
	    "INSERT IGNORE INTO service_state (name, value, until_at,"
	    " updated_at) VALUES (?, NULL, NULL, ?)", 0,
	    "st", NULL },
	[STMT_STATE_LOCK] = { "state_lock",
	    "SELECT value, until_at, updated_at FROM service_state"
	    " WHERE name = ? FOR UPDATE", 0,
	    "s", STATE_FMT },
	[STMT_STATE_EXTEND] = { "state_extend",
	    "UPDATE service_state SET until_at = GREATEST(until_at, ?)"
	    " WHERE name = ?", 0,
	    "ts", NULL },
	[STMT_STATE_CLEAR] = { "state_clear",
	    "UPDATE service_state SET value = NULL, until_at = NULL,"
	    " updated_at = ? WHERE name = ?", 0,
	    "ts", NULL },
	/* validation_query.c: soft delete and the admin views */
	[STMT_VALIDATION_SOFT_DELETE] = { "validation_soft_delete",
	    "UPDATE validations SET deleted_at = ?, updated_at = ?,"
	    " etag_version = etag_version + 1"
	    " WHERE id = ? AND account_id = ? AND deleted_at IS NULL", 0,
	    "ttss", NULL },
	[STMT_VALIDATION_ACCOUNT_ETAG] = { "validation_account_etag",
	    "SELECT etag_version FROM validations WHERE id = ?"
	    " AND account_id = ?", STMT_READ,
	    "ss", "i" },
	[STMT_VALIDATION_GET_ANY] = { "validation_get_any",
	    "SELECT " VALIDATION_COLS " FROM validations WHERE id = ?",
	    STMT_READ,
	    "s", VALIDATION_FMT },
	[STMT_CEP_RAW] = { "cep_raw",
	    "SELECT raw_answer FROM cep_documents WHERE validation_id = ?",
	    STMT_READ,
	    "s", "s" },
	[STMT_JOBS_OF_VALIDATION] = { "jobs_of_validation",
	    "SELECT id, kind, state, tries, run_after, lease_owner,"
	    " lease_until, created_at, finished_at FROM jobs"
	    " WHERE validation_id = ? ORDER BY id", STMT_READ,
	    "s", "issitsttt" },
	/* retries.c: retry cycles (sql/006_retries.sql) */
	[STMT_RETRY_LOCK] = { "retry_lock",
	    "SELECT status, retry_enabled, retry_max_retries,"
	    " retry_interval_seconds, retry_outcomes, retry_attempts_completed,"
	    " retry_next_attempt_at, retry_resolved_at, retry_exhausted_at,"
	    " retry_cancelled_at, retry_terminal_state, account_id"
	    " FROM validations WHERE id = ? FOR UPDATE", 0,
	    "s", "siiisitttts" "s" },
	[STMT_RETRY_SAVE] = { "retry_save",
	    "UPDATE validations SET retry_enabled = ?, retry_max_retries = ?,"
	    " retry_interval_seconds = ?, retry_outcomes = ?,"
	    " retry_attempts_completed = ?, retry_next_attempt_at = ?,"
	    " retry_resolved_at = ?, retry_exhausted_at = ?,"
	    " retry_cancelled_at = ?, retry_terminal_state = ?, updated_at = ?,"
	    " etag_version = etag_version + ? WHERE id = ?", 0,
	    "iiisittttstis", NULL },
	/* a retry is queued once; one cancelled earlier (done) is queued
	 * again, one queued or running is only moved (queued) or kept */
	[STMT_RETRY_JOB_SCHEDULE] = { "retry_job_schedule",
	    "INSERT INTO jobs (validation_id, kind, attempt, state, run_after,"
	    " tries, created_at) VALUES (?, 'retry', ?, 'queued', ?, 0, ?)"
	    " ON DUPLICATE KEY UPDATE"
	    " run_after = IF(state = 'running', run_after, VALUES(run_after)),"
	    " finished_at = IF(state = 'done', NULL, finished_at),"
	    " state = IF(state = 'done', 'queued', state)", 0,
	    "sitt", NULL },
	[STMT_RETRY_ATTEMPT_SCHEDULE] = { "retry_attempt_schedule",
	    "INSERT INTO retry_attempts (validation_id, attempt, scheduled_at)"
	    " VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE scheduled_at ="
	    " IF(finished_at IS NULL, VALUES(scheduled_at), scheduled_at)", 0,
	    "sit", NULL },
	/* before STMT_RETRY_JOB_UNSCHEDULE: the attempts whose job is
	 * still queued (a running one finishes and is recorded) */
	[STMT_RETRY_ATTEMPT_UNSCHEDULE] = { "retry_attempt_unschedule",
	    "DELETE ra FROM retry_attempts ra JOIN jobs j"
	    " ON j.validation_id = ra.validation_id AND j.kind = 'retry'"
	    " AND j.attempt = ra.attempt WHERE ra.validation_id = ?"
	    " AND ra.finished_at IS NULL AND j.state = 'queued'", 0,
	    "s", NULL },
	[STMT_RETRY_JOB_UNSCHEDULE] = { "retry_job_unschedule",
	    "UPDATE jobs SET state = 'done', finished_at = ?"
	    " WHERE validation_id = ? AND kind = 'retry' AND state = 'queued'",
	    0,
	    "ts", NULL },
	[STMT_RETRY_ATTEMPT_FINISH] = { "retry_attempt_finish",
	    "INSERT INTO retry_attempts (validation_id, attempt, scheduled_at,"
	    " started_at, finished_at, status, banxico_status, error_code,"
	    " duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
	    " ON DUPLICATE KEY UPDATE started_at = VALUES(started_at),"
	    " finished_at = VALUES(finished_at), status = VALUES(status),"
	    " banxico_status = VALUES(banxico_status),"
	    " error_code = VALUES(error_code),"
	    " duration_ms = VALUES(duration_ms)", 0,
	    "sitttsssi", NULL },
	[STMT_RETRY_ATTEMPTS_LIST] = { "retry_attempts_list",
	    "SELECT ra.attempt, ra.scheduled_at, ra.started_at, ra.finished_at,"
	    " ra.status, ra.banxico_status, ra.error_code, ra.duration_ms"
	    " FROM retry_attempts ra JOIN validations v"
	    " ON v.id = ra.validation_id WHERE ra.validation_id = ?"
	    " AND v.account_id = ? ORDER BY ra.attempt", STMT_READ,
	    "ss", "itttsssi" },
	[STMT_ACCOUNT_RETRY_SETTINGS] = { "account_retry_settings",
	    "SELECT p.retry_max_retries, rp.enabled, rp.max_retries,"
	    " rp.interval_seconds, rp.outcomes FROM accounts a"
	    " JOIN plans p ON p.id = a.plan_id LEFT JOIN account_retry_policies"
	    " rp ON rp.account_id = a.id WHERE a.id = ?", STMT_READ,
	    "s", "iiiis" },
	[STMT_ACCOUNT_RETRY_PUT] = { "account_retry_put",
	    "INSERT INTO account_retry_policies (account_id, enabled,"
	    " max_retries, interval_seconds, outcomes, updated_at)"
	    " VALUES (?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE"
	    " enabled = VALUES(enabled), max_retries = VALUES(max_retries),"
	    " interval_seconds = VALUES(interval_seconds),"
	    " outcomes = VALUES(outcomes), updated_at = VALUES(updated_at)", 0,
	    "siiist", NULL },
	/* receiving_accounts.c: the CLABEs an account is paid into
	 * (sql/015_receiving_accounts.sql) */
	[STMT_RECV_INSERT] = { "recv_insert",
	    "INSERT INTO receiving_accounts (id, account_id, clabe, bank_code,"
	    " alias, created_at) VALUES (?, ?, ?, ?, ?, ?)"
	    " ON DUPLICATE KEY UPDATE id = id", 0,
	    "ssssst", NULL },
	[STMT_RECV_BY_CLABE] = { "recv_by_clabe",
	    "SELECT " RECV_COLS " FROM receiving_accounts r"
	    " WHERE r.account_id = ? AND r.clabe = ?", STMT_READ,
	    "ss", RECV_FMT },
	[STMT_RECV_GET] = { "recv_get",
	    "SELECT " RECV_COLS " FROM receiving_accounts r"
	    " WHERE r.id = ? AND r.account_id = ?", STMT_READ,
	    "ss", RECV_FMT },
	[STMT_RECV_COUNT] = { "recv_count",
	    "SELECT COUNT(*) FROM receiving_accounts WHERE account_id = ?",
	    STMT_READ,
	    "s", "i" },
	[STMT_RECV_PAGE] = { "recv_page",
	    "SELECT " RECV_COLS " FROM receiving_accounts r"
	    " WHERE r.account_id = ? ORDER BY r.created_at DESC, r.id DESC"
	    " LIMIT ? OFFSET ?", STMT_READ,
	    "sii", RECV_FMT },
	[STMT_RECV_DELETE] = { "recv_delete",
	    "DELETE FROM receiving_accounts WHERE id = ? AND account_id = ?", 0,
	    "ss", NULL },
	/* by (account_id, clabe_last4): idx_receiving_accounts_last4; a
	 * participant code matches the CLABEs of its prefix */
	[STMT_RECV_MATCH] = { "recv_match",
	    "SELECT " RECV_COLS " FROM receiving_accounts r"
	    " WHERE r.account_id = ? AND r.clabe_last4 = ? AND r.clabe LIKE ?"
	    " AND (? = '' OR r.bank_code = ? OR LEFT(r.clabe, 3) ="
	    " (SELECT b.clabe_prefix FROM banks b WHERE b.participant_code = ?))"
	    " ORDER BY r.created_at DESC, r.id DESC LIMIT ?", STMT_READ,
	    "ssssssi", RECV_FMT },
};
