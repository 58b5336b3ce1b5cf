-- mxcep 006: retry cycles (issue 5). A retry attempt is a job of kind
-- 'retry' in the same queue, numbered 1..max_retries (the first
-- validation is attempt 0 of kind 'validate'); its history is kept in
-- retry_attempts; an account may store a default retry policy.
-- Safe to re-run.

ALTER TABLE jobs
  MODIFY kind ENUM('validate', 'retry') NOT NULL DEFAULT 'validate',
  ADD COLUMN IF NOT EXISTS attempt INT UNSIGNED NOT NULL DEFAULT 0 AFTER kind;

-- one job per (validation, kind, attempt): a retry is scheduled once
ALTER TABLE jobs
  DROP INDEX IF EXISTS uq_jobs_validation_kind,
  ADD UNIQUE KEY IF NOT EXISTS uq_jobs_validation_kind_attempt (validation_id, kind, attempt);

-- One row per retry attempt, written when it is scheduled and completed
-- when it has run (in the transaction that finishes its job).
CREATE TABLE IF NOT EXISTS retry_attempts (
  validation_id CHAR(36) CHARACTER SET ascii NOT NULL,
  attempt INT UNSIGNED NOT NULL,
  scheduled_at DATETIME NOT NULL,
  started_at DATETIME NULL,
  finished_at DATETIME NULL,
  -- the validation status the attempt ended with (NULL until it ran)
  status ENUM('queued', 'processing', 'valid', 'not_found', 'cep_unavailable', 'invalid', 'failed', 'error') NULL,
  banxico_status VARCHAR(64) NULL,
  error_code VARCHAR(64) NULL,
  -- time spent in the Banxico query, ms (NULL when none was made)
  duration_ms BIGINT UNSIGNED NULL,
  PRIMARY KEY (validation_id, attempt),
  CONSTRAINT fk_retry_attempts_validation FOREIGN KEY (validation_id) REFERENCES validations (id),
  CONSTRAINT ck_retry_attempts_attempt CHECK (attempt >= 1)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The account's default policy (GET/PUT /v1/retry-policy), used when a
-- request carries none. No row = retries off.
CREATE TABLE IF NOT EXISTS account_retry_policies (
  account_id CHAR(36) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  enabled TINYINT(1) NOT NULL,
  max_retries INT UNSIGNED NULL,
  interval_seconds INT UNSIGNED NULL,
  outcomes LONGTEXT NULL,
  updated_at DATETIME NOT NULL,
  CONSTRAINT fk_account_retry_policies_account FOREIGN KEY (account_id) REFERENCES accounts (id),
  CONSTRAINT ck_account_retry_policies_outcomes CHECK (outcomes IS NULL OR JSON_VALID(outcomes)),
  CONSTRAINT ck_account_retry_policies_interval CHECK (interval_seconds IS NULL OR interval_seconds BETWEEN 300 AND 86400),
  CONSTRAINT ck_account_retry_policies_off CHECK (enabled = 1 OR (max_retries IS NULL AND interval_seconds IS NULL AND outcomes IS NULL))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
