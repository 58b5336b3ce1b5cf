-- mxcep 008: deep pages found without walking to them (issue 4).
--
-- A page 10,000 rows deep walks 10,000 index entries (3-4 ms at a
-- million rows), and the tallies of 007, kept per combination of the
-- categorical filters, hold ~150 rows per account and month: summing a
-- year of them costs about as much. validation_rollups keeps the same
-- counts without the combinations, per account and soft-deleted or not:
--   facet m  k = 0, t = creation month (YYYYMM01, UTC)
--   facet d  k = 0, t = creation day (YYYYMMDD)
--   facet a  k = amount bucket (as the 'ab' tallies), t = creation month
--   facet b  k = participant code (as the 'be'/'br' tallies: digits
--            without a leading zero), t = creation month; one count per
--            row of validation_banks (its emisor, and its receptor when
--            different)
-- src/store/validation_query.c counts the default list, a creation-date
-- range, an amount range and a bank search with them, and finds the
-- month (then, by the d rows, the day) a deep page starts in: the page
-- is then read from that month or day on, with the rest of the offset.
-- Triggers keep them exact in the writing transaction, like the tallies.
--
-- idx_validations_account_live also holds monto, so that an amount
-- range's page found within one month walks the list order in the index
-- alone.
--
-- Safe to re-run. Statements end with ';' at the end of a line.

CREATE TABLE IF NOT EXISTS validation_rollups (
  account_id CHAR(36) CHARACTER SET ascii NOT NULL,
  deleted TINYINT(1) NOT NULL,
  facet CHAR(1) CHARACTER SET ascii NOT NULL,
  k BIGINT NOT NULL,
  t INT NOT NULL,
  n BIGINT NOT NULL,
  PRIMARY KEY (account_id, deleted, facet, k, t)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

ALTER TABLE validations
  DROP INDEX IF EXISTS idx_validations_account_live,
  ADD INDEX idx_validations_account_live (account_id, deleted_at, created_at DESC, id DESC, monto);

LOCK TABLES validations WRITE, validations AS v READ, validation_rollups WRITE;
CREATE OR REPLACE TRIGGER validations_rollup_insert AFTER INSERT ON validations FOR EACH ROW
  FOLLOWS validations_banks_insert
  INSERT INTO validation_rollups (account_id, deleted, facet, k, t, n)
  SELECT NEW.account_id, NEW.deleted_at IS NOT NULL, f, k, t, 1 FROM (
    SELECT 'm' AS f, 0 AS k, DATE_FORMAT(NEW.created_at, '%Y%m01') + 0 AS t
    UNION ALL
    SELECT 'd', 0, DATE_FORMAT(NEW.created_at, '%Y%m%d') + 0
    UNION ALL
    SELECT 'a', FLOOR(NEW.monto) DIV CAST(POW(10, GREATEST(CHAR_LENGTH(FLOOR(NEW.monto)) - 2, 0)) AS UNSIGNED) * CAST(POW(10, GREATEST(CHAR_LENGTH(FLOOR(NEW.monto)) - 2, 0)) AS UNSIGNED),
      DATE_FORMAT(NEW.created_at, '%Y%m01') + 0
    UNION ALL
    SELECT 'b', IF(NEW.emisor REGEXP '^[1-9][0-9]{0,8}$', NEW.emisor + 0, NULL), DATE_FORMAT(NEW.created_at, '%Y%m01') + 0
    UNION ALL
    SELECT 'b', IF(NOT (NEW.emisor <=> NEW.receptor) AND NEW.receptor REGEXP '^[1-9][0-9]{0,8}$', NEW.receptor + 0, NULL),
      DATE_FORMAT(NEW.created_at, '%Y%m01') + 0
  ) y
  WHERE k IS NOT NULL
  ON DUPLICATE KEY UPDATE n = n + VALUES(n);
-- an update moves the record from its old values to its new ones, and
-- does nothing when none of them changed (the common case)
CREATE OR REPLACE TRIGGER validations_rollup_update AFTER UPDATE ON validations FOR EACH ROW
  FOLLOWS validations_banks_update_in
  INSERT INTO validation_rollups (account_id, deleted, facet, k, t, n)
  SELECT a, x, f, k, t, dn FROM (
    SELECT OLD.account_id AS a, OLD.deleted_at IS NOT NULL AS x, 'm' AS f, 0 AS k, DATE_FORMAT(OLD.created_at, '%Y%m01') + 0 AS t, -1 AS dn
    UNION ALL
    SELECT OLD.account_id, OLD.deleted_at IS NOT NULL, 'd', 0, DATE_FORMAT(OLD.created_at, '%Y%m%d') + 0, -1
    UNION ALL
    SELECT OLD.account_id, OLD.deleted_at IS NOT NULL, 'a', FLOOR(OLD.monto) DIV CAST(POW(10, GREATEST(CHAR_LENGTH(FLOOR(OLD.monto)) - 2, 0)) AS UNSIGNED) * CAST(POW(10, GREATEST(CHAR_LENGTH(FLOOR(OLD.monto)) - 2, 0)) AS UNSIGNED),
      DATE_FORMAT(OLD.created_at, '%Y%m01') + 0, -1
    UNION ALL
    SELECT OLD.account_id, OLD.deleted_at IS NOT NULL, 'b', IF(OLD.emisor REGEXP '^[1-9][0-9]{0,8}$', OLD.emisor + 0, NULL),
      DATE_FORMAT(OLD.created_at, '%Y%m01') + 0, -1
    UNION ALL
    SELECT OLD.account_id, OLD.deleted_at IS NOT NULL, 'b', IF(NOT (OLD.emisor <=> OLD.receptor) AND OLD.receptor REGEXP '^[1-9][0-9]{0,8}$', OLD.receptor + 0, NULL),
      DATE_FORMAT(OLD.created_at, '%Y%m01') + 0, -1
    UNION ALL
    SELECT NEW.account_id, NEW.deleted_at IS NOT NULL, 'm', 0, DATE_FORMAT(NEW.created_at, '%Y%m01') + 0, 1
    UNION ALL
    SELECT NEW.account_id, NEW.deleted_at IS NOT NULL, 'd', 0, DATE_FORMAT(NEW.created_at, '%Y%m%d') + 0, 1
    UNION ALL
    SELECT NEW.account_id, NEW.deleted_at IS NOT NULL, 'a', FLOOR(NEW.monto) DIV CAST(POW(10, GREATEST(CHAR_LENGTH(FLOOR(NEW.monto)) - 2, 0)) AS UNSIGNED) * CAST(POW(10, GREATEST(CHAR_LENGTH(FLOOR(NEW.monto)) - 2, 0)) AS UNSIGNED),
      DATE_FORMAT(NEW.created_at, '%Y%m01') + 0, 1
    UNION ALL
    SELECT NEW.account_id, NEW.deleted_at IS NOT NULL, 'b', IF(NEW.emisor REGEXP '^[1-9][0-9]{0,8}$', NEW.emisor + 0, NULL),
      DATE_FORMAT(NEW.created_at, '%Y%m01') + 0, 1
    UNION ALL
    SELECT NEW.account_id, NEW.deleted_at IS NOT NULL, 'b', IF(NOT (NEW.emisor <=> NEW.receptor) AND NEW.receptor REGEXP '^[1-9][0-9]{0,8}$', NEW.receptor + 0, NULL),
      DATE_FORMAT(NEW.created_at, '%Y%m01') + 0, 1
  ) y
  WHERE k IS NOT NULL AND NOT (OLD.account_id <=> NEW.account_id AND OLD.created_at <=> NEW.created_at
    AND OLD.monto <=> NEW.monto AND OLD.emisor <=> NEW.emisor AND OLD.receptor <=> NEW.receptor
    AND (OLD.deleted_at IS NULL) = (NEW.deleted_at IS NULL))
  ON DUPLICATE KEY UPDATE n = n + VALUES(n);
CREATE OR REPLACE TRIGGER validations_rollup_delete AFTER DELETE ON validations FOR EACH ROW
  FOLLOWS validations_banks_delete
  INSERT INTO validation_rollups (account_id, deleted, facet, k, t, n)
  SELECT OLD.account_id, OLD.deleted_at IS NOT NULL, f, k, t, -1 FROM (
    SELECT 'm' AS f, 0 AS k, DATE_FORMAT(OLD.created_at, '%Y%m01') + 0 AS t
    UNION ALL
    SELECT 'd', 0, DATE_FORMAT(OLD.created_at, '%Y%m%d') + 0
    UNION ALL
    SELECT 'a', FLOOR(OLD.monto) DIV CAST(POW(10, GREATEST(CHAR_LENGTH(FLOOR(OLD.monto)) - 2, 0)) AS UNSIGNED) * CAST(POW(10, GREATEST(CHAR_LENGTH(FLOOR(OLD.monto)) - 2, 0)) AS UNSIGNED),
      DATE_FORMAT(OLD.created_at, '%Y%m01') + 0
    UNION ALL
    SELECT 'b', IF(OLD.emisor REGEXP '^[1-9][0-9]{0,8}$', OLD.emisor + 0, NULL), DATE_FORMAT(OLD.created_at, '%Y%m01') + 0
    UNION ALL
    SELECT 'b', IF(NOT (OLD.emisor <=> OLD.receptor) AND OLD.receptor REGEXP '^[1-9][0-9]{0,8}$', OLD.receptor + 0, NULL),
      DATE_FORMAT(OLD.created_at, '%Y%m01') + 0
  ) y
  WHERE k IS NOT NULL
  ON DUPLICATE KEY UPDATE n = n + VALUES(n);
DELETE FROM validation_rollups;
INSERT INTO validation_rollups (account_id, deleted, facet, k, t, n)
  SELECT account_id, x, 'm', 0, t, COUNT(*) FROM (
    SELECT v.account_id, v.deleted_at IS NOT NULL AS x, DATE_FORMAT(v.created_at, '%Y%m01') + 0 AS t FROM validations v) y
  GROUP BY account_id, x, t;
INSERT INTO validation_rollups (account_id, deleted, facet, k, t, n)
  SELECT account_id, x, 'd', 0, t, COUNT(*) FROM (
    SELECT v.account_id, v.deleted_at IS NOT NULL AS x, DATE_FORMAT(v.created_at, '%Y%m%d') + 0 AS t FROM validations v) y
  GROUP BY account_id, x, t;
INSERT INTO validation_rollups (account_id, deleted, facet, k, t, n)
  SELECT account_id, x, 'a', k, t, COUNT(*) FROM (
    SELECT v.account_id, v.deleted_at IS NOT NULL AS x,
      FLOOR(v.monto) DIV CAST(POW(10, GREATEST(CHAR_LENGTH(FLOOR(v.monto)) - 2, 0)) AS UNSIGNED) * CAST(POW(10, GREATEST(CHAR_LENGTH(FLOOR(v.monto)) - 2, 0)) AS UNSIGNED) AS k,
      DATE_FORMAT(v.created_at, '%Y%m01') + 0 AS t FROM validations v) y
  WHERE k IS NOT NULL
  GROUP BY account_id, x, k, t;
INSERT INTO validation_rollups (account_id, deleted, facet, k, t, n)
  SELECT account_id, x, 'b', k, t, COUNT(*) FROM (
    SELECT v.account_id, v.deleted_at IS NOT NULL AS x, IF(v.emisor REGEXP '^[1-9][0-9]{0,8}$', v.emisor + 0, NULL) AS k,
      DATE_FORMAT(v.created_at, '%Y%m01') + 0 AS t FROM validations v) y
  WHERE k IS NOT NULL
  GROUP BY account_id, x, k, t;
INSERT INTO validation_rollups (account_id, deleted, facet, k, t, n)
  SELECT account_id, x, 'b', k, t, COUNT(*) FROM (
    SELECT v.account_id, v.deleted_at IS NOT NULL AS x,
      IF(NOT (v.emisor <=> v.receptor) AND v.receptor REGEXP '^[1-9][0-9]{0,8}$', v.receptor + 0, NULL) AS k,
      DATE_FORMAT(v.created_at, '%Y%m01') + 0 AS t FROM validations v) y
  WHERE k IS NOT NULL
  GROUP BY account_id, x, k, t
  ON DUPLICATE KEY UPDATE n = n + VALUES(n);
UNLOCK TABLES;
