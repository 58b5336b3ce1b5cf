-- mxcep 001: initial schema. Safe to re-run: every statement is
-- IF NOT EXISTS or INSERT IGNORE. All DATETIME columns hold UTC (the
-- service sets time_zone '+00:00'); money is DECIMAL, never float.
-- Statements end with ';' at the end of a line (migrate.c splits there).

CREATE TABLE IF NOT EXISTS schema_migrations (
  version INT UNSIGNED NOT NULL PRIMARY KEY,
  name VARCHAR(255) NOT NULL,
  checksum CHAR(64) CHARACTER SET ascii NOT NULL,
  applied_at DATETIME NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS plans (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(64) NOT NULL,
  -- cap for retry_state.max_retries of this plan's validations
  retry_max_retries INT UNSIGNED NOT NULL DEFAULT 5,
  created_at DATETIME NOT NULL,
  UNIQUE KEY uq_plans_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT IGNORE INTO plans (name, retry_max_retries, created_at)
  VALUES ('default', 5, UTC_TIMESTAMP());

CREATE TABLE IF NOT EXISTS accounts (
  id CHAR(36) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  name VARCHAR(255) NOT NULL,
  plan_id BIGINT UNSIGNED NOT NULL,
  created_at DATETIME NOT NULL,
  KEY idx_accounts_plan (plan_id),
  KEY idx_accounts_created (created_at),
  CONSTRAINT fk_accounts_plan FOREIGN KEY (plan_id) REFERENCES plans (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS api_keys (
  id CHAR(36) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  account_id CHAR(36) CHARACTER SET ascii NOT NULL,
  name VARCHAR(255) NOT NULL DEFAULT '',
  -- first 12 characters of the secret, shown to tell keys apart
  key_prefix VARCHAR(16) CHARACTER SET ascii NOT NULL,
  -- lowercase hex SHA-256 of the whole secret; the secret is never stored
  key_hash CHAR(64) CHARACTER SET ascii NOT NULL,
  scopes SET('validations:read', 'validations:write', 'validations:delete', 'admin') NOT NULL,
  created_at DATETIME NOT NULL,
  last_used_at DATETIME NULL,
  revoked_at DATETIME NULL,
  UNIQUE KEY uq_api_keys_hash (key_hash),
  KEY idx_api_keys_account (account_id, created_at),
  CONSTRAINT fk_api_keys_account FOREIGN KEY (account_id) REFERENCES accounts (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- validations: every field of spec 001 (Validation) and spec 004
-- (ValidationListItem). The retry_* columns are retry_state (RetryStateFull).
CREATE TABLE IF NOT EXISTS validations (
  id CHAR(36) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  account_id CHAR(36) CHARACTER SET ascii NOT NULL,
  validation_type ENUM('direct', 'ocr') NOT NULL DEFAULT 'direct',
  playground TINYINT(1) NOT NULL DEFAULT 0,
  status ENUM('queued', 'processing', 'valid', 'not_found', 'cep_unavailable', 'invalid', 'failed', 'error') NOT NULL DEFAULT 'queued',
  -- request fields (NULL until known, e.g. before OCR)
  fecha DATE NULL,
  clave_rastreo VARCHAR(64) NULL,
  referencia VARCHAR(32) NULL,
  emisor VARCHAR(128) NULL,
  receptor VARCHAR(128) NULL,
  cuenta VARCHAR(32) NULL,
  monto DECIMAL(18,2) NULL,
  request_data LONGTEXT NOT NULL,
  -- lifecycle
  banxico_status VARCHAR(64) NULL,
  processing_time_ms BIGINT UNSIGNED NULL,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL,
  completed_at DATETIME NULL,
  enqueued_at DATETIME NULL,
  processing_started_at DATETIME NULL,
  expires_at DATETIME NULL,
  etag_version BIGINT UNSIGNED NOT NULL DEFAULT 1,
  -- OCR
  image_path VARCHAR(512) NULL,
  ocr_result LONGTEXT NULL,
  ocr_confidence DOUBLE NULL,
  normalized_data LONGTEXT NULL,
  normalization_warnings LONGTEXT NULL,
  is_masked TINYINT(1) NULL,
  -- Banxico
  banxico_result LONGTEXT NULL,
  has_cep TINYINT(1) NOT NULL DEFAULT 0,
  error_message TEXT NULL,
  error_code VARCHAR(64) NULL,
  -- bulk import
  batch_id BIGINT UNSIGNED NULL,
  batch_position INT UNSIGNED NULL,
  -- retry_state
  retry_enabled TINYINT(1) NOT NULL DEFAULT 0,
  retry_max_retries INT UNSIGNED NULL,
  retry_interval_seconds INT UNSIGNED NULL,
  retry_outcomes LONGTEXT NULL,
  retry_attempts_completed INT UNSIGNED NOT NULL DEFAULT 0,
  retry_next_attempt_at DATETIME NULL,
  retry_resolved_at DATETIME NULL,
  retry_exhausted_at DATETIME NULL,
  retry_cancelled_at DATETIME NULL,
  retry_terminal_state ENUM('pending', 'resolved', 'exhausted', 'cancelled') NULL,
  -- soft delete (is_deleted = deleted_at IS NOT NULL)
  deleted_at DATETIME NULL,
  KEY idx_validations_account_created (account_id, created_at DESC, id DESC),
  -- the default list (without with_deleted): one account's live rows, newest first
  KEY idx_validations_account_live (account_id, deleted_at, created_at DESC, id DESC),
  KEY idx_validations_account_status (account_id, status, created_at DESC),
  KEY idx_validations_account_type (account_id, validation_type, created_at DESC),
  KEY idx_validations_account_fecha (account_id, fecha),
  KEY idx_validations_account_clave (account_id, clave_rastreo),
  KEY idx_validations_account_referencia (account_id, referencia),
  KEY idx_validations_deleted (deleted_at),
  KEY idx_validations_retry_next (retry_next_attempt_at),
  KEY idx_validations_batch (batch_id, batch_position),
  CONSTRAINT fk_validations_account FOREIGN KEY (account_id) REFERENCES accounts (id),
  CONSTRAINT ck_validations_request_data CHECK (JSON_VALID(request_data)),
  CONSTRAINT ck_validations_ocr_result CHECK (ocr_result IS NULL OR JSON_VALID(ocr_result)),
  CONSTRAINT ck_validations_normalized CHECK (normalized_data IS NULL OR JSON_VALID(normalized_data)),
  CONSTRAINT ck_validations_warnings CHECK (normalization_warnings IS NULL OR JSON_VALID(normalization_warnings)),
  CONSTRAINT ck_validations_banxico_result CHECK (banxico_result IS NULL OR JSON_VALID(banxico_result)),
  CONSTRAINT ck_validations_retry_outcomes CHECK (retry_outcomes IS NULL OR JSON_VALID(retry_outcomes)),
  CONSTRAINT ck_validations_monto CHECK (monto IS NULL OR monto >= 0),
  CONSTRAINT ck_validations_ocr_confidence CHECK (ocr_confidence IS NULL OR (ocr_confidence >= 0 AND ocr_confidence <= 1)),
  CONSTRAINT ck_validations_batch_position CHECK (batch_position IS NULL OR batch_position >= 1),
  CONSTRAINT ck_validations_retry_interval CHECK (retry_interval_seconds IS NULL OR retry_interval_seconds BETWEEN 300 AND 86400),
  CONSTRAINT ck_validations_retry_policy CHECK (retry_enabled = 1 OR (retry_max_retries IS NULL AND retry_interval_seconds IS NULL AND retry_outcomes IS NULL))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
