-- mxcep 007: fast lists at millions of rows (issue 4).
--
-- 1. Tallies. meta.total and the stats count rows; at a million rows a
--    COUNT(*) walks a million index entries (200-450 ms). So the counts
--    are kept ready in validation_tallies: per account, per "dimension"
--    value and per combination of the categorical filters (status, type,
--    playground, retry state, soft-deleted), the number of validations.
--    The dimensions (dim, k):
--      cm, cd  creation month / day (k = YYYYMM01 / YYYYMMDD, UTC)
--      fm, fd  transfer date (fecha) month / day
--      ab      amount bucket: k = the lower bound in pesos of the bucket
--              holding monto (whole pesos below 100, then the first two
--              digits: 100-109, ..., 1000-1099, 12000-12999, ...)
--      be, br  emisor / receptor participant code (k = the code; only
--              codes written as digits without a leading zero, so that
--              k and the text match one to one)
--      bs      the code when emisor = receptor
--    Every validation is counted once per dimension (none for a NULL
--    value). A count without dates sums the cm rows; a date range sums
--    the whole months and the days at its ends; an amount range sums the
--    whole buckets and counts the rows of the buckets at its ends through
--    the amount index; a bank code is be + br - bs. Triggers on
--    validations keep the tallies exact in the same transaction as the
--    write that changes them (a rolled-back write rolls its tally back),
--    so no code path can forget one. src/store/validation_query.c reads
--    them; filters they cannot answer together count through an index.
-- 2. Banks. A search by bank code matches emisor or receptor: two
--    indexes, whose union at page 500 merges 20,000 entries.
--    validation_banks holds one row per bank a record names (its emisor,
--    and its receptor when different), in list order, so the page of a
--    bank is one index walk. Kept by triggers like the tallies.
-- 3. Indexes for the pages: each filter has an index that starts with
--    its equalities (account, live or not, the value) and ends with the
--    list order (created_at DESC, id DESC), so a page is read in index
--    order, and deep pages are found in the index alone (the page
--    query joins the 20 rows it needs afterwards). The transfer-date
--    and amount ranges, and the search branches, get live indexes that
--    hold every column their query reads.
--
-- Safe to re-run: IF [NOT] EXISTS, CREATE OR REPLACE, and the tallies
-- are rebuilt from the table under a write lock, so no write can slip
-- between the rebuild and the triggers. Statements end with ';' at the
-- end of a line (migrate.c splits there), so trigger bodies are single
-- statements.

CREATE TABLE IF NOT EXISTS validation_tallies (
  account_id CHAR(36) CHARACTER SET ascii NOT NULL,
  dim CHAR(2) CHARACTER SET ascii NOT NULL,
  k BIGINT NOT NULL,
  status ENUM('queued', 'processing', 'valid', 'not_found', 'cep_unavailable', 'invalid', 'failed', 'error') NOT NULL,
  validation_type ENUM('direct', 'ocr') NOT NULL,
  playground TINYINT(1) NOT NULL,
  retry_state ENUM('none', 'pending', 'resolved', 'exhausted', 'cancelled') NOT NULL,
  deleted TINYINT(1) NOT NULL,
  n BIGINT NOT NULL,
  PRIMARY KEY (account_id, dim, k, status, validation_type, playground, retry_state, deleted)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS validation_banks (
  account_id CHAR(36) CHARACTER SET ascii NOT NULL,
  deleted TINYINT(1) NOT NULL,
  bank VARCHAR(128) NOT NULL,
  created_at DATETIME NOT NULL,
  id CHAR(36) CHARACTER SET ascii NOT NULL,
  PRIMARY KEY (account_id, deleted, bank, created_at DESC, id DESC),
  KEY idx_validation_banks_id (id)
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
  ADD INDEX IF NOT EXISTS idx_validations_account_live_receptor (account_id, deleted_at, receptor, created_at DESC, id DESC, emisor),
  ADD INDEX IF NOT EXISTS idx_validations_account_live_referencia (account_id, deleted_at, referencia, created_at DESC, id DESC);

LOCK TABLES validations WRITE, validations AS v READ, validation_tallies WRITE, validation_banks WRITE;

CREATE OR REPLACE TRIGGER validations_tally_insert AFTER INSERT ON validations FOR EACH ROW
  INSERT INTO validation_tallies (account_id, dim, k, status, validation_type, playground, retry_state, deleted, n)
  SELECT a, d, k, s, t, p, r, x, dn FROM (
    SELECT NEW.account_id AS a, 'cm' AS d, DATE_FORMAT(NEW.created_at, '%Y%m01') + 0 AS k, NEW.status AS s, NEW.validation_type AS t,
      NEW.playground AS p, COALESCE(NEW.retry_terminal_state, 'none') AS r, NEW.deleted_at IS NOT NULL AS x, 1 AS dn
    UNION ALL
    SELECT NEW.account_id, 'cd', DATE_FORMAT(NEW.created_at, '%Y%m%d') + 0, NEW.status, NEW.validation_type,
      NEW.playground, COALESCE(NEW.retry_terminal_state, 'none'), NEW.deleted_at IS NOT NULL, 1
    UNION ALL
    SELECT NEW.account_id, 'fm', DATE_FORMAT(NEW.fecha, '%Y%m01') + 0, NEW.status, NEW.validation_type,
      NEW.playground, COALESCE(NEW.retry_terminal_state, 'none'), NEW.deleted_at IS NOT NULL, 1
    UNION ALL
    SELECT NEW.account_id, 'fd', DATE_FORMAT(NEW.fecha, '%Y%m%d') + 0, NEW.status, NEW.validation_type,
      NEW.playground, COALESCE(NEW.retry_terminal_state, 'none'), NEW.deleted_at IS NOT NULL, 1
    UNION ALL
    SELECT NEW.account_id, 'ab', FLOOR(NEW.monto) DIV CAST(POW(10, GREATEST(CHAR_LENGTH(FLOOR(NEW.monto)) - 2, 0)) AS UNSIGNED) * CAST(POW(10, GREATEST(CHAR_LENGTH(FLOOR(NEW.monto)) - 2, 0)) AS UNSIGNED), NEW.status, NEW.validation_type,
      NEW.playground, COALESCE(NEW.retry_terminal_state, 'none'), NEW.deleted_at IS NOT NULL, 1
    UNION ALL
    SELECT NEW.account_id, 'be', IF(NEW.emisor REGEXP '^[1-9][0-9]{0,8}$', NEW.emisor + 0, NULL), NEW.status, NEW.validation_type,
      NEW.playground, COALESCE(NEW.retry_terminal_state, 'none'), NEW.deleted_at IS NOT NULL, 1
    UNION ALL
    SELECT NEW.account_id, 'br', IF(NEW.receptor REGEXP '^[1-9][0-9]{0,8}$', NEW.receptor + 0, NULL), NEW.status, NEW.validation_type,
      NEW.playground, COALESCE(NEW.retry_terminal_state, 'none'), NEW.deleted_at IS NOT NULL, 1
    UNION ALL
    SELECT NEW.account_id, 'bs', IF(NEW.emisor <=> NEW.receptor, IF(NEW.emisor REGEXP '^[1-9][0-9]{0,8}$', NEW.emisor + 0, NULL), NULL), NEW.status, NEW.validation_type,
      NEW.playground, COALESCE(NEW.retry_terminal_state, 'none'), NEW.deleted_at IS NOT NULL, 1
  ) y
  WHERE k IS NOT NULL
  ON DUPLICATE KEY UPDATE n = n + VALUES(n);

-- an update moves the record from its old values to its new ones, and
-- does nothing when no tallied value changed (the common case)
CREATE OR REPLACE TRIGGER validations_tally_update AFTER UPDATE ON validations FOR EACH ROW
  INSERT INTO validation_tallies (account_id, dim, k, status, validation_type, playground, retry_state, deleted, n)
  SELECT a, d, k, s, t, p, r, x, dn FROM (
    SELECT OLD.account_id AS a, 'cm' AS d, DATE_FORMAT(OLD.created_at, '%Y%m01') + 0 AS k, OLD.status AS s, OLD.validation_type AS t,
      OLD.playground AS p, COALESCE(OLD.retry_terminal_state, 'none') AS r, OLD.deleted_at IS NOT NULL AS x, -1 AS dn
    UNION ALL
    SELECT OLD.account_id, 'cd', DATE_FORMAT(OLD.created_at, '%Y%m%d') + 0, OLD.status, OLD.validation_type,
      OLD.playground, COALESCE(OLD.retry_terminal_state, 'none'), OLD.deleted_at IS NOT NULL, -1
    UNION ALL
    SELECT OLD.account_id, 'fm', DATE_FORMAT(OLD.fecha, '%Y%m01') + 0, OLD.status, OLD.validation_type,
      OLD.playground, COALESCE(OLD.retry_terminal_state, 'none'), OLD.deleted_at IS NOT NULL, -1
    UNION ALL
    SELECT OLD.account_id, 'fd', DATE_FORMAT(OLD.fecha, '%Y%m%d') + 0, OLD.status, OLD.validation_type,
      OLD.playground, COALESCE(OLD.retry_terminal_state, 'none'), OLD.deleted_at IS NOT NULL, -1
    UNION ALL
    SELECT OLD.account_id, 'ab', FLOOR(OLD.monto) DIV CAST(POW(10, GREATEST(CHAR_LENGTH(FLOOR(OLD.monto)) - 2, 0)) AS UNSIGNED) * CAST(POW(10, GREATEST(CHAR_LENGTH(FLOOR(OLD.monto)) - 2, 0)) AS UNSIGNED), OLD.status, OLD.validation_type,
      OLD.playground, COALESCE(OLD.retry_terminal_state, 'none'), OLD.deleted_at IS NOT NULL, -1
    UNION ALL
    SELECT OLD.account_id, 'be', IF(OLD.emisor REGEXP '^[1-9][0-9]{0,8}$', OLD.emisor + 0, NULL), OLD.status, OLD.validation_type,
      OLD.playground, COALESCE(OLD.retry_terminal_state, 'none'), OLD.deleted_at IS NOT NULL, -1
    UNION ALL
    SELECT OLD.account_id, 'br', IF(OLD.receptor REGEXP '^[1-9][0-9]{0,8}$', OLD.receptor + 0, NULL), OLD.status, OLD.validation_type,
      OLD.playground, COALESCE(OLD.retry_terminal_state, 'none'), OLD.deleted_at IS NOT NULL, -1
    UNION ALL
    SELECT OLD.account_id, 'bs', IF(OLD.emisor <=> OLD.receptor, IF(OLD.emisor REGEXP '^[1-9][0-9]{0,8}$', OLD.emisor + 0, NULL), NULL), OLD.status, OLD.validation_type,
      OLD.playground, COALESCE(OLD.retry_terminal_state, 'none'), OLD.deleted_at IS NOT NULL, -1
    UNION ALL
    SELECT NEW.account_id, 'cm', DATE_FORMAT(NEW.created_at, '%Y%m01') + 0, NEW.status, NEW.validation_type,
      NEW.playground, COALESCE(NEW.retry_terminal_state, 'none'), NEW.deleted_at IS NOT NULL, 1
    UNION ALL
    SELECT NEW.account_id, 'cd', DATE_FORMAT(NEW.created_at, '%Y%m%d') + 0, NEW.status, NEW.validation_type,
      NEW.playground, COALESCE(NEW.retry_terminal_state, 'none'), NEW.deleted_at IS NOT NULL, 1
    UNION ALL
    SELECT NEW.account_id, 'fm', DATE_FORMAT(NEW.fecha, '%Y%m01') + 0, NEW.status, NEW.validation_type,
      NEW.playground, COALESCE(NEW.retry_terminal_state, 'none'), NEW.deleted_at IS NOT NULL, 1
    UNION ALL
    SELECT NEW.account_id, 'fd', DATE_FORMAT(NEW.fecha, '%Y%m%d') + 0, NEW.status, NEW.validation_type,
      NEW.playground, COALESCE(NEW.retry_terminal_state, 'none'), NEW.deleted_at IS NOT NULL, 1
    UNION ALL
    SELECT NEW.account_id, 'ab', FLOOR(NEW.monto) DIV CAST(POW(10, GREATEST(CHAR_LENGTH(FLOOR(NEW.monto)) - 2, 0)) AS UNSIGNED) * CAST(POW(10, GREATEST(CHAR_LENGTH(FLOOR(NEW.monto)) - 2, 0)) AS UNSIGNED), NEW.status, NEW.validation_type,
      NEW.playground, COALESCE(NEW.retry_terminal_state, 'none'), NEW.deleted_at IS NOT NULL, 1
    UNION ALL
    SELECT NEW.account_id, 'be', IF(NEW.emisor REGEXP '^[1-9][0-9]{0,8}$', NEW.emisor + 0, NULL), NEW.status, NEW.validation_type,
      NEW.playground, COALESCE(NEW.retry_terminal_state, 'none'), NEW.deleted_at IS NOT NULL, 1
    UNION ALL
    SELECT NEW.account_id, 'br', IF(NEW.receptor REGEXP '^[1-9][0-9]{0,8}$', NEW.receptor + 0, NULL), NEW.status, NEW.validation_type,
      NEW.playground, COALESCE(NEW.retry_terminal_state, 'none'), NEW.deleted_at IS NOT NULL, 1
    UNION ALL
    SELECT NEW.account_id, 'bs', IF(NEW.emisor <=> NEW.receptor, IF(NEW.emisor REGEXP '^[1-9][0-9]{0,8}$', NEW.emisor + 0, NULL), NULL), NEW.status, NEW.validation_type,
      NEW.playground, COALESCE(NEW.retry_terminal_state, 'none'), NEW.deleted_at IS NOT NULL, 1
  ) y
  WHERE k IS NOT NULL AND NOT (OLD.account_id <=> NEW.account_id AND OLD.created_at <=> NEW.created_at
    AND OLD.fecha <=> NEW.fecha AND OLD.monto <=> NEW.monto
    AND OLD.emisor <=> NEW.emisor AND OLD.receptor <=> NEW.receptor
    AND OLD.status <=> NEW.status AND OLD.validation_type <=> NEW.validation_type
    AND OLD.playground <=> NEW.playground AND OLD.retry_terminal_state <=> NEW.retry_terminal_state
    AND (OLD.deleted_at IS NULL) = (NEW.deleted_at IS NULL))
  ON DUPLICATE KEY UPDATE n = n + VALUES(n);

-- rows are soft-deleted, never removed by mxcep; an operator's DELETE
-- is still counted out
CREATE OR REPLACE TRIGGER validations_tally_delete AFTER DELETE ON validations FOR EACH ROW
  INSERT INTO validation_tallies (account_id, dim, k, status, validation_type, playground, retry_state, deleted, n)
  SELECT a, d, k, s, t, p, r, x, dn FROM (
    SELECT OLD.account_id AS a, 'cm' AS d, DATE_FORMAT(OLD.created_at, '%Y%m01') + 0 AS k, OLD.status AS s, OLD.validation_type AS t,
      OLD.playground AS p, COALESCE(OLD.retry_terminal_state, 'none') AS r, OLD.deleted_at IS NOT NULL AS x, -1 AS dn
    UNION ALL
    SELECT OLD.account_id, 'cd', DATE_FORMAT(OLD.created_at, '%Y%m%d') + 0, OLD.status, OLD.validation_type,
      OLD.playground, COALESCE(OLD.retry_terminal_state, 'none'), OLD.deleted_at IS NOT NULL, -1
    UNION ALL
    SELECT OLD.account_id, 'fm', DATE_FORMAT(OLD.fecha, '%Y%m01') + 0, OLD.status, OLD.validation_type,
      OLD.playground, COALESCE(OLD.retry_terminal_state, 'none'), OLD.deleted_at IS NOT NULL, -1
    UNION ALL
    SELECT OLD.account_id, 'fd', DATE_FORMAT(OLD.fecha, '%Y%m%d') + 0, OLD.status, OLD.validation_type,
      OLD.playground, COALESCE(OLD.retry_terminal_state, 'none'), OLD.deleted_at IS NOT NULL, -1
    UNION ALL
    SELECT OLD.account_id, 'ab', FLOOR(OLD.monto) DIV CAST(POW(10, GREATEST(CHAR_LENGTH(FLOOR(OLD.monto)) - 2, 0)) AS UNSIGNED) * CAST(POW(10, GREATEST(CHAR_LENGTH(FLOOR(OLD.monto)) - 2, 0)) AS UNSIGNED), OLD.status, OLD.validation_type,
      OLD.playground, COALESCE(OLD.retry_terminal_state, 'none'), OLD.deleted_at IS NOT NULL, -1
    UNION ALL
    SELECT OLD.account_id, 'be', IF(OLD.emisor REGEXP '^[1-9][0-9]{0,8}$', OLD.emisor + 0, NULL), OLD.status, OLD.validation_type,
      OLD.playground, COALESCE(OLD.retry_terminal_state, 'none'), OLD.deleted_at IS NOT NULL, -1
    UNION ALL
    SELECT OLD.account_id, 'br', IF(OLD.receptor REGEXP '^[1-9][0-9]{0,8}$', OLD.receptor + 0, NULL), OLD.status, OLD.validation_type,
      OLD.playground, COALESCE(OLD.retry_terminal_state, 'none'), OLD.deleted_at IS NOT NULL, -1
    UNION ALL
    SELECT OLD.account_id, 'bs', IF(OLD.emisor <=> OLD.receptor, IF(OLD.emisor REGEXP '^[1-9][0-9]{0,8}$', OLD.emisor + 0, NULL), NULL), OLD.status, OLD.validation_type,
      OLD.playground, COALESCE(OLD.retry_terminal_state, 'none'), OLD.deleted_at IS NOT NULL, -1
  ) y
  WHERE k IS NOT NULL
  ON DUPLICATE KEY UPDATE n = n + VALUES(n);

-- the banks of a record: its emisor, and its receptor when different
CREATE OR REPLACE TRIGGER validations_banks_insert AFTER INSERT ON validations FOR EACH ROW
  FOLLOWS validations_tally_insert
  INSERT IGNORE INTO validation_banks (account_id, deleted, bank, created_at, id)
  SELECT NEW.account_id, NEW.deleted_at IS NOT NULL, b, NEW.created_at, NEW.id
  FROM (SELECT NEW.emisor AS b UNION SELECT NEW.receptor) x
  WHERE b IS NOT NULL;

CREATE OR REPLACE TRIGGER validations_banks_update_out AFTER UPDATE ON validations FOR EACH ROW
  FOLLOWS validations_tally_update
  DELETE FROM validation_banks
  WHERE id = OLD.id AND NOT (OLD.account_id <=> NEW.account_id AND OLD.created_at <=> NEW.created_at
    AND OLD.emisor <=> NEW.emisor AND OLD.receptor <=> NEW.receptor
    AND (OLD.deleted_at IS NULL) = (NEW.deleted_at IS NULL));

CREATE OR REPLACE TRIGGER validations_banks_update_in AFTER UPDATE ON validations FOR EACH ROW
  FOLLOWS validations_banks_update_out
  INSERT IGNORE INTO validation_banks (account_id, deleted, bank, created_at, id)
  SELECT NEW.account_id, NEW.deleted_at IS NOT NULL, b, NEW.created_at, NEW.id
  FROM (SELECT NEW.emisor AS b UNION SELECT NEW.receptor) x
  WHERE b IS NOT NULL AND NOT (OLD.account_id <=> NEW.account_id AND OLD.created_at <=> NEW.created_at
    AND OLD.emisor <=> NEW.emisor AND OLD.receptor <=> NEW.receptor
    AND (OLD.deleted_at IS NULL) = (NEW.deleted_at IS NULL));

CREATE OR REPLACE TRIGGER validations_banks_delete AFTER DELETE ON validations FOR EACH ROW
  FOLLOWS validations_tally_delete
  DELETE FROM validation_banks WHERE id = OLD.id;

DELETE FROM validation_tallies;

INSERT INTO validation_tallies (account_id, dim, k, status, validation_type, playground, retry_state, deleted, n)
  SELECT account_id, 'cm', k, status, validation_type, playground, r, x, COUNT(*) FROM (
    SELECT v.account_id, DATE_FORMAT(v.created_at, '%Y%m01') + 0 AS k, v.status, v.validation_type, v.playground,
      COALESCE(v.retry_terminal_state, 'none') AS r, v.deleted_at IS NOT NULL AS x
    FROM validations v) y
  WHERE k IS NOT NULL
  GROUP BY account_id, k, status, validation_type, playground, r, x;

INSERT INTO validation_tallies (account_id, dim, k, status, validation_type, playground, retry_state, deleted, n)
  SELECT account_id, 'cd', k, status, validation_type, playground, r, x, COUNT(*) FROM (
    SELECT v.account_id, DATE_FORMAT(v.created_at, '%Y%m%d') + 0 AS k, v.status, v.validation_type, v.playground,
      COALESCE(v.retry_terminal_state, 'none') AS r, v.deleted_at IS NOT NULL AS x
    FROM validations v) y
  WHERE k IS NOT NULL
  GROUP BY account_id, k, status, validation_type, playground, r, x;

INSERT INTO validation_tallies (account_id, dim, k, status, validation_type, playground, retry_state, deleted, n)
  SELECT account_id, 'fm', k, status, validation_type, playground, r, x, COUNT(*) FROM (
    SELECT v.account_id, DATE_FORMAT(v.fecha, '%Y%m01') + 0 AS k, v.status, v.validation_type, v.playground,
      COALESCE(v.retry_terminal_state, 'none') AS r, v.deleted_at IS NOT NULL AS x
    FROM validations v) y
  WHERE k IS NOT NULL
  GROUP BY account_id, k, status, validation_type, playground, r, x;

INSERT INTO validation_tallies (account_id, dim, k, status, validation_type, playground, retry_state, deleted, n)
  SELECT account_id, 'fd', k, status, validation_type, playground, r, x, COUNT(*) FROM (
    SELECT v.account_id, DATE_FORMAT(v.fecha, '%Y%m%d') + 0 AS k, v.status, v.validation_type, v.playground,
      COALESCE(v.retry_terminal_state, 'none') AS r, v.deleted_at IS NOT NULL AS x
    FROM validations v) y
  WHERE k IS NOT NULL
  GROUP BY account_id, k, status, validation_type, playground, r, x;

INSERT INTO validation_tallies (account_id, dim, k, status, validation_type, playground, retry_state, deleted, n)
  SELECT account_id, 'ab', k, status, validation_type, playground, r, x, COUNT(*) FROM (
    SELECT v.account_id, FLOOR(v.monto) DIV CAST(POW(10, GREATEST(CHAR_LENGTH(FLOOR(v.monto)) - 2, 0)) AS UNSIGNED) * CAST(POW(10, GREATEST(CHAR_LENGTH(FLOOR(v.monto)) - 2, 0)) AS UNSIGNED) AS k, v.status, v.validation_type, v.playground,
      COALESCE(v.retry_terminal_state, 'none') AS r, v.deleted_at IS NOT NULL AS x
    FROM validations v) y
  WHERE k IS NOT NULL
  GROUP BY account_id, k, status, validation_type, playground, r, x;

INSERT INTO validation_tallies (account_id, dim, k, status, validation_type, playground, retry_state, deleted, n)
  SELECT account_id, 'be', k, status, validation_type, playground, r, x, COUNT(*) FROM (
    SELECT v.account_id, IF(v.emisor REGEXP '^[1-9][0-9]{0,8}$', v.emisor + 0, NULL) AS k, v.status, v.validation_type, v.playground,
      COALESCE(v.retry_terminal_state, 'none') AS r, v.deleted_at IS NOT NULL AS x
    FROM validations v) y
  WHERE k IS NOT NULL
  GROUP BY account_id, k, status, validation_type, playground, r, x;

INSERT INTO validation_tallies (account_id, dim, k, status, validation_type, playground, retry_state, deleted, n)
  SELECT account_id, 'br', k, status, validation_type, playground, r, x, COUNT(*) FROM (
    SELECT v.account_id, IF(v.receptor REGEXP '^[1-9][0-9]{0,8}$', v.receptor + 0, NULL) AS k, v.status, v.validation_type, v.playground,
      COALESCE(v.retry_terminal_state, 'none') AS r, v.deleted_at IS NOT NULL AS x
    FROM validations v) y
  WHERE k IS NOT NULL
  GROUP BY account_id, k, status, validation_type, playground, r, x;

INSERT INTO validation_tallies (account_id, dim, k, status, validation_type, playground, retry_state, deleted, n)
  SELECT account_id, 'bs', k, status, validation_type, playground, r, x, COUNT(*) FROM (
    SELECT v.account_id, IF(v.emisor <=> v.receptor, IF(v.emisor REGEXP '^[1-9][0-9]{0,8}$', v.emisor + 0, NULL), NULL) AS k, v.status, v.validation_type, v.playground,
      COALESCE(v.retry_terminal_state, 'none') AS r, v.deleted_at IS NOT NULL AS x
    FROM validations v) y
  WHERE k IS NOT NULL
  GROUP BY account_id, k, status, validation_type, playground, r, x;

DELETE FROM validation_banks;

INSERT IGNORE INTO validation_banks (account_id, deleted, bank, created_at, id)
  SELECT v.account_id, v.deleted_at IS NOT NULL, v.emisor, v.created_at, v.id FROM validations v
  WHERE v.emisor IS NOT NULL;

INSERT IGNORE INTO validation_banks (account_id, deleted, bank, created_at, id)
  SELECT v.account_id, v.deleted_at IS NOT NULL, v.receptor, v.created_at, v.id FROM validations v
  WHERE v.receptor IS NOT NULL;

UNLOCK TABLES;
