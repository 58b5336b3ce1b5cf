-- mxcep 007: fast lists at millions of rows (issue 4).
--
-- 1. Tallies. meta.total and the stats count rows; at a million rows a
--    COUNT(*) walks a million index entries (200-450 ms). Most filters
--    are categorical (status, type, playground, retry state, soft
--    deleted) or a range of creation days, so the counts are kept
--    ready: one row per account, period and combination of those
--    values, with the number of validations in it. Triggers on
--    validations keep them exact in the same transaction as the write
--    that changes them (a rolled-back write rolls its tally back), so
--    no code path can forget one. Two grains: months (what a count
--    without dates, or over whole months, sums: a few hundred rows)
--    and days (the partial months at the ends of a date range).
--    src/store/validation_query.c reads them; filters they cannot
--    answer (transfer date, amounts, search) count through an index.
-- 2. Indexes for the pages: each filter has an index that starts with
--    its equalities (account, live or not, the value) and ends with the
--    list order (created_at DESC, id DESC), so a page is read in index
--    order, and deep pages are found in the index alone (the page
--    query joins the 20 rows it needs afterwards). The transfer-date
--    and amount ranges, and the bank-code search branches, get live
--    indexes that hold every column their query reads.
--
-- Safe to re-run: IF [NOT] EXISTS, CREATE OR REPLACE, and the tallies
-- are rebuilt from the table under a write lock, so no write can slip
-- between the rebuild and the triggers. Statements end with ';' at the
-- end of a line (migrate.c splits there), so trigger bodies are single
-- statements.

CREATE TABLE IF NOT EXISTS validation_tally_months (
  account_id CHAR(36) CHARACTER SET ascii NOT NULL,
  month DATE NOT NULL,
  status ENUM('queued', 'processing', 'valid', 'not_found', 'cep_unavailable', 'invalid', 'failed', 'error') NOT NULL,
  validation_type ENUM('direct', 'ocr') NOT NULL,
  playground TINYINT(1) NOT NULL,
  retry_state ENUM('none', 'pending', 'resolved', 'exhausted', 'cancelled') NOT NULL,
  deleted TINYINT(1) NOT NULL,
  n BIGINT NOT NULL,
  PRIMARY KEY (account_id, month, status, validation_type, playground, retry_state, deleted)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS validation_tally_days (
  account_id CHAR(36) CHARACTER SET ascii NOT NULL,
  day DATE NOT NULL,
  status ENUM('queued', 'processing', 'valid', 'not_found', 'cep_unavailable', 'invalid', 'failed', 'error') NOT NULL,
  validation_type ENUM('direct', 'ocr') NOT NULL,
  playground TINYINT(1) NOT NULL,
  retry_state ENUM('none', 'pending', 'resolved', 'exhausted', 'cancelled') NOT NULL,
  deleted TINYINT(1) NOT NULL,
  n BIGINT NOT NULL,
  PRIMARY KEY (account_id, day, status, validation_type, playground, retry_state, deleted)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

ALTER TABLE validations
  -- replaced by live versions with the list order at the end
  DROP INDEX IF EXISTS idx_validations_account_playground,
  DROP INDEX IF EXISTS idx_validations_account_retry,
  DROP INDEX IF EXISTS idx_validations_account_fecha,
  DROP INDEX IF EXISTS idx_validations_account_monto,
  DROP INDEX IF EXISTS idx_validations_account_emisor,
  DROP INDEX IF EXISTS idx_validations_account_receptor;

ALTER TABLE validations
  ADD INDEX IF NOT EXISTS idx_validations_account_live_playground (account_id, deleted_at, playground, created_at DESC, id DESC),
  ADD INDEX IF NOT EXISTS idx_validations_account_live_retry (account_id, deleted_at, retry_terminal_state, created_at DESC, id DESC),
  ADD INDEX IF NOT EXISTS idx_validations_account_live_fecha (account_id, deleted_at, fecha, created_at DESC, id DESC),
  ADD INDEX IF NOT EXISTS idx_validations_account_live_monto (account_id, deleted_at, monto, created_at DESC, id DESC),
  ADD INDEX IF NOT EXISTS idx_validations_account_live_emisor (account_id, deleted_at, emisor, created_at DESC, id DESC),
  ADD INDEX IF NOT EXISTS idx_validations_account_live_receptor (account_id, deleted_at, receptor, created_at DESC, id DESC),
  ADD INDEX IF NOT EXISTS idx_validations_account_live_referencia (account_id, deleted_at, referencia, created_at DESC, id DESC);

LOCK TABLES validations WRITE, validation_tally_months WRITE, validation_tally_days WRITE;

CREATE OR REPLACE TRIGGER validations_tally_months_insert AFTER INSERT ON validations FOR EACH ROW
  INSERT INTO validation_tally_months (account_id, month, status, validation_type, playground, retry_state, deleted, n)
  VALUES (NEW.account_id, DATE_FORMAT(NEW.created_at, '%Y-%m-01'), NEW.status, NEW.validation_type, NEW.playground,
    COALESCE(NEW.retry_terminal_state, 'none'), NEW.deleted_at IS NOT NULL, 1)
  ON DUPLICATE KEY UPDATE n = n + 1;

CREATE OR REPLACE TRIGGER validations_tally_days_insert AFTER INSERT ON validations FOR EACH ROW
  FOLLOWS validations_tally_months_insert
  INSERT INTO validation_tally_days (account_id, day, status, validation_type, playground, retry_state, deleted, n)
  VALUES (NEW.account_id, DATE(NEW.created_at), NEW.status, NEW.validation_type, NEW.playground,
    COALESCE(NEW.retry_terminal_state, 'none'), NEW.deleted_at IS NOT NULL, 1)
  ON DUPLICATE KEY UPDATE n = n + 1;

-- an update moves one from the old combination to the new one, and
-- does nothing when no tallied value changed (the common case)
CREATE OR REPLACE TRIGGER validations_tally_months_update AFTER UPDATE ON validations FOR EACH ROW
  INSERT INTO validation_tally_months (account_id, month, status, validation_type, playground, retry_state, deleted, n)
  SELECT a, m, s, t, p, r, d, dn FROM (
    SELECT OLD.account_id AS a, DATE_FORMAT(OLD.created_at, '%Y-%m-01') AS m, OLD.status AS s,
      OLD.validation_type AS t, OLD.playground AS p, COALESCE(OLD.retry_terminal_state, 'none') AS r,
      OLD.deleted_at IS NOT NULL AS d, -1 AS dn
    UNION ALL
    SELECT NEW.account_id, DATE_FORMAT(NEW.created_at, '%Y-%m-01'), NEW.status, NEW.validation_type,
      NEW.playground, COALESCE(NEW.retry_terminal_state, 'none'), NEW.deleted_at IS NOT NULL, 1
  ) x
  WHERE NOT (OLD.account_id <=> NEW.account_id AND OLD.created_at <=> NEW.created_at
    AND OLD.status <=> NEW.status AND OLD.validation_type <=> NEW.validation_type
    AND OLD.playground <=> NEW.playground AND OLD.retry_terminal_state <=> NEW.retry_terminal_state
    AND (OLD.deleted_at IS NULL) = (NEW.deleted_at IS NULL))
  ON DUPLICATE KEY UPDATE n = n + VALUES(n);

CREATE OR REPLACE TRIGGER validations_tally_days_update AFTER UPDATE ON validations FOR EACH ROW
  FOLLOWS validations_tally_months_update
  INSERT INTO validation_tally_days (account_id, day, status, validation_type, playground, retry_state, deleted, n)
  SELECT a, dy, s, t, p, r, d, dn FROM (
    SELECT OLD.account_id AS a, DATE(OLD.created_at) AS dy, OLD.status AS s,
      OLD.validation_type AS t, OLD.playground AS p, COALESCE(OLD.retry_terminal_state, 'none') AS r,
      OLD.deleted_at IS NOT NULL AS d, -1 AS dn
    UNION ALL
    SELECT NEW.account_id, DATE(NEW.created_at), NEW.status, NEW.validation_type,
      NEW.playground, COALESCE(NEW.retry_terminal_state, 'none'), NEW.deleted_at IS NOT NULL, 1
  ) x
  WHERE NOT (OLD.account_id <=> NEW.account_id AND OLD.created_at <=> NEW.created_at
    AND OLD.status <=> NEW.status AND OLD.validation_type <=> NEW.validation_type
    AND OLD.playground <=> NEW.playground AND OLD.retry_terminal_state <=> NEW.retry_terminal_state
    AND (OLD.deleted_at IS NULL) = (NEW.deleted_at IS NULL))
  ON DUPLICATE KEY UPDATE n = n + VALUES(n);

-- rows are soft-deleted, never removed by mxcep; an operator's DELETE
-- is still counted out
CREATE OR REPLACE TRIGGER validations_tally_months_delete AFTER DELETE ON validations FOR EACH ROW
  UPDATE validation_tally_months SET n = n - 1
  WHERE account_id = OLD.account_id AND month = DATE_FORMAT(OLD.created_at, '%Y-%m-01')
    AND status = OLD.status AND validation_type = OLD.validation_type AND playground = OLD.playground
    AND retry_state = COALESCE(OLD.retry_terminal_state, 'none') AND deleted = (OLD.deleted_at IS NOT NULL);

CREATE OR REPLACE TRIGGER validations_tally_days_delete AFTER DELETE ON validations FOR EACH ROW
  FOLLOWS validations_tally_months_delete
  UPDATE validation_tally_days SET n = n - 1
  WHERE account_id = OLD.account_id AND day = DATE(OLD.created_at)
    AND status = OLD.status AND validation_type = OLD.validation_type AND playground = OLD.playground
    AND retry_state = COALESCE(OLD.retry_terminal_state, 'none') AND deleted = (OLD.deleted_at IS NOT NULL);

DELETE FROM validation_tally_months;

DELETE FROM validation_tally_days;

INSERT INTO validation_tally_days (account_id, day, status, validation_type, playground, retry_state, deleted, n)
  SELECT account_id, DATE(created_at), status, validation_type, playground,
    COALESCE(retry_terminal_state, 'none'), deleted_at IS NOT NULL, COUNT(*)
  FROM validations
  GROUP BY account_id, DATE(created_at), status, validation_type, playground,
    COALESCE(retry_terminal_state, 'none'), deleted_at IS NOT NULL;

INSERT INTO validation_tally_months (account_id, month, status, validation_type, playground, retry_state, deleted, n)
  SELECT account_id, DATE_FORMAT(day, '%Y-%m-01'), status, validation_type, playground, retry_state, deleted, SUM(n)
  FROM validation_tally_days
  GROUP BY account_id, DATE_FORMAT(day, '%Y-%m-01'), status, validation_type, playground, retry_state, deleted;

UNLOCK TABLES;
