-- mxcep 003: the work queue, CEP documents, idempotency keys and the
-- small shared state of the service (Banxico back-off).

-- One row per unit of work on a validation. A job is claimed by setting
-- state 'running' with a lease; a lease that ran out (its process died)
-- makes the job claimable again. Finishing is conditional on still
-- holding the lease, so a job ends exactly once.
CREATE TABLE IF NOT EXISTS jobs (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  validation_id CHAR(36) CHARACTER SET ascii NOT NULL,
  kind ENUM('validate') NOT NULL DEFAULT 'validate',
  state ENUM('queued', 'running', 'done') NOT NULL,
  run_after DATETIME NOT NULL,
  lease_owner VARCHAR(96) CHARACTER SET ascii NULL,
  lease_until DATETIME NULL,
  tries INT UNSIGNED NOT NULL DEFAULT 0,
  created_at DATETIME NOT NULL,
  finished_at DATETIME NULL,
  UNIQUE KEY uq_jobs_validation_kind (validation_id, kind),
  KEY idx_jobs_due (state, run_after),
  KEY idx_jobs_lease (state, lease_until),
  CONSTRAINT fk_jobs_validation FOREIGN KEY (validation_id) REFERENCES validations (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The proof: the CEP as Banxico served it, and the raw answer of a
-- page nobody recognised (for the admin raw view).
CREATE TABLE IF NOT EXISTS cep_documents (
  validation_id CHAR(36) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  xml MEDIUMBLOB NULL,
  pdf MEDIUMBLOB NULL,
  raw_answer MEDIUMBLOB NULL,
  created_at DATETIME NOT NULL,
  CONSTRAINT fk_cep_documents_validation FOREIGN KEY (validation_id) REFERENCES validations (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Idempotency-Key: the first response is kept 24 h and replayed.
CREATE TABLE IF NOT EXISTS idempotency_keys (
  account_id CHAR(36) CHARACTER SET ascii NOT NULL,
  endpoint VARCHAR(64) CHARACTER SET ascii NOT NULL,
  idem_key VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  request_hash CHAR(64) CHARACTER SET ascii NOT NULL,
  state ENUM('in_flight', 'done') NOT NULL,
  status SMALLINT UNSIGNED NULL,
  headers TEXT NULL,
  body MEDIUMBLOB NULL,
  created_at DATETIME NOT NULL,
  expires_at DATETIME NOT NULL,
  PRIMARY KEY (account_id, endpoint, idem_key),
  KEY idx_idempotency_expires (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Named values shared by every process (e.g. the Banxico back-off).
CREATE TABLE IF NOT EXISTS service_state (
  name VARCHAR(64) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  value VARCHAR(255) NULL,
  until_at DATETIME NULL,
  updated_at DATETIME NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
