-- mxcep 012: how many records hold each gram (issue 11).
--
-- A list's meta.total is exact. For a search term that is one gram
-- (4 characters) held by most of an account's records ("0000"),
-- counting its entries in validation_grams (sql/010_search_grams.sql)
-- reads ~100,000 index entries per request (~20 ms). validation_gram_counts
-- holds that count per account, gram and soft delete, so the total is
-- one or two rows (src/store/validation_query.c, gram_count_can).
--
-- Kept exact by triggers in the writing transaction, after 010's, from
-- the same grams: the distinct grams of the record's clave_rastreo and
-- referencia under the table's collation (as validation_grams' primary
-- key deduplicates them), +1 on insert, -1 on delete, and on an update
-- that changes the clave, the referencia or the soft delete the
-- difference (-1 for the old grams and flag, +1 for the new, netted).
-- Concurrent writes in one account update the same rows: each trigger
-- is one statement that takes its row locks in key order (ORDER BY
-- gram, g_deleted), so two writers never wait on each other in a
-- cycle. A count that falls to 0 keeps its row (n = 0).
--
-- Safe to re-run: the counts are rebuilt from validation_grams under a
-- write lock. Statements end with ';' at the end of a line (migrate.c
-- splits there), so trigger bodies are single statements.

CREATE TABLE IF NOT EXISTS validation_gram_counts (
  g_account CHAR(36) CHARACTER SET ascii NOT NULL,
  gram VARCHAR(4) NOT NULL,
  g_deleted TINYINT(1) NOT NULL,
  n BIGINT NOT NULL,
  PRIMARY KEY (g_account, gram, g_deleted)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

LOCK TABLES validations WRITE, validation_grams READ, validation_gram_counts WRITE, seq_1_to_61 AS q READ;

CREATE OR REPLACE TRIGGER validations_gram_counts_insert AFTER INSERT ON validations FOR EACH ROW
  FOLLOWS validations_grams_insert
  INSERT INTO validation_gram_counts (g_account, gram, g_deleted, n)
  SELECT NEW.account_id, o.gram, NEW.deleted_at IS NOT NULL, 1
  FROM (SELECT DISTINCT SUBSTRING(x.s, q.seq, 4) COLLATE utf8mb4_unicode_ci AS gram
      FROM (SELECT NEW.clave_rastreo AS s UNION ALL SELECT NEW.referencia) x
      JOIN seq_1_to_61 q ON q.seq <= CHAR_LENGTH(x.s) - 3) o
  ORDER BY o.gram
  ON DUPLICATE KEY UPDATE n = n + 1;

-- an update that changes none of them does nothing (the common case)
CREATE OR REPLACE TRIGGER validations_gram_counts_update AFTER UPDATE ON validations FOR EACH ROW
  FOLLOWS validations_grams_update_in
  INSERT INTO validation_gram_counts (g_account, gram, g_deleted, n)
  SELECT d.a, d.gram, d.del, SUM(d.n)
  FROM (SELECT OLD.account_id AS a, o.gram, OLD.deleted_at IS NOT NULL AS del, -1 AS n
      FROM (SELECT DISTINCT SUBSTRING(x.s, q.seq, 4) COLLATE utf8mb4_unicode_ci AS gram
        FROM (SELECT OLD.clave_rastreo AS s UNION ALL SELECT OLD.referencia) x
        JOIN seq_1_to_61 q ON q.seq <= CHAR_LENGTH(x.s) - 3) o
    UNION ALL SELECT NEW.account_id, o.gram, NEW.deleted_at IS NOT NULL, 1
      FROM (SELECT DISTINCT SUBSTRING(x.s, q.seq, 4) COLLATE utf8mb4_unicode_ci AS gram
        FROM (SELECT NEW.clave_rastreo AS s UNION ALL SELECT NEW.referencia) x
        JOIN seq_1_to_61 q ON q.seq <= CHAR_LENGTH(x.s) - 3) o) d
  WHERE NOT (OLD.account_id <=> NEW.account_id AND OLD.created_at <=> NEW.created_at AND OLD.id <=> NEW.id
    AND BINARY OLD.clave_rastreo <=> BINARY NEW.clave_rastreo AND BINARY OLD.referencia <=> BINARY NEW.referencia
    AND (OLD.deleted_at IS NULL) = (NEW.deleted_at IS NULL))
  GROUP BY d.a, d.gram, d.del
  HAVING SUM(d.n) <> 0
  ORDER BY d.a, d.gram, d.del
  ON DUPLICATE KEY UPDATE n = n + VALUES(n);

CREATE OR REPLACE TRIGGER validations_gram_counts_delete AFTER DELETE ON validations FOR EACH ROW
  FOLLOWS validations_grams_delete
  INSERT INTO validation_gram_counts (g_account, gram, g_deleted, n)
  SELECT OLD.account_id, o.gram, OLD.deleted_at IS NOT NULL, -1
  FROM (SELECT DISTINCT SUBSTRING(x.s, q.seq, 4) COLLATE utf8mb4_unicode_ci AS gram
      FROM (SELECT OLD.clave_rastreo AS s UNION ALL SELECT OLD.referencia) x
      JOIN seq_1_to_61 q ON q.seq <= CHAR_LENGTH(x.s) - 3) o
  ORDER BY o.gram
  ON DUPLICATE KEY UPDATE n = n - 1;

DELETE FROM validation_gram_counts;

-- one pass over validation_grams in its key order per flag (no sort,
-- no temporary table): the live holders, then the soft-deleted ones
INSERT INTO validation_gram_counts (g_account, gram, g_deleted, n)
  SELECT g_account, gram, 0, n FROM (SELECT g_account, gram, CAST(SUM(g_deleted = 0) AS SIGNED) AS n
    FROM validation_grams GROUP BY g_account, gram) t WHERE n > 0;

INSERT INTO validation_gram_counts (g_account, gram, g_deleted, n)
  SELECT g_account, gram, 1, n FROM (SELECT g_account, gram, CAST(SUM(g_deleted) AS SIGNED) AS n
    FROM validation_grams GROUP BY g_account, gram) t WHERE n > 0;

UNLOCK TABLES;
