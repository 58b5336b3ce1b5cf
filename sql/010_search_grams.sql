-- mxcep 010: free-text search inside claves de rastreo and referencias
-- (issue 11).
--
-- Spec 000's `search` matches any part of the clave de rastreo or of the
-- referencia. `LIKE '%term%'` cannot use an index, and MariaDB has no
-- n-gram FULLTEXT parser, so validation_grams holds every 4-character
-- substring ("gram") of a record's clave_rastreo and referencia, once
-- per record (the collation folds case and accents, as LIKE does):
--   "MBAN01" -> MBAN, BAN0, AN01
-- in list order per account and gram, so the records holding a gram are
-- one index range, newest first. A term of 4+ characters is searched
-- through its grams (src/store/validation_query.c): the records holding
-- all of a few of them (the rarest first), confirmed against the real
-- columns with LIKE when the term is longer than one gram.
-- The column names differ from validations' (g_account, g_created,
-- g_id, g_deleted) so that the list's filters can be written against
-- validations in the same join without qualifying them.
-- g_deleted follows soft deletes, so that the live records of a gram
-- are walked without reading the records.
--
-- Triggers keep the grams exact in the writing transaction, like the
-- tallies (007) and rollups (008): an insert adds the record's grams,
-- an update that changes the clave, the referencia or the soft delete
-- replaces them (e.g. the clave or referencia filled in from the CEP
-- after Banxico answered), a delete removes them. The deletes look
-- each of the record's grams up by the whole key (a join from the
-- list of its grams): `gram IN (subquery)` in a one-table DELETE would
-- scan all the account's grams for every record.
-- Cost: about 25 rows of ~100 bytes per record with a 30-character
-- clave (docs/operator-guide.md has the measured figures).
--
-- Safe to re-run: the grams are rebuilt from the table under a write
-- lock. Statements end with ';' at the end of a line (migrate.c splits
-- there), so trigger bodies are single statements. The gram positions
-- come from MariaDB's sequence engine (seq_1_to_61: a clave is at most
-- 64 characters).

CREATE TABLE IF NOT EXISTS validation_grams (
  g_account CHAR(36) CHARACTER SET ascii NOT NULL,
  gram VARCHAR(4) NOT NULL,
  g_created DATETIME NOT NULL,
  g_id CHAR(36) CHARACTER SET ascii NOT NULL,
  g_deleted TINYINT(1) NOT NULL,
  PRIMARY KEY (g_account, gram, g_created DESC, g_id DESC)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

LOCK TABLES validations WRITE, validations AS v READ, validation_grams WRITE, seq_1_to_61 AS q READ;

CREATE OR REPLACE TRIGGER validations_grams_insert AFTER INSERT ON validations FOR EACH ROW
  FOLLOWS validations_rollup_insert
  INSERT IGNORE INTO validation_grams (g_account, gram, g_created, g_id, g_deleted)
  SELECT NEW.account_id, SUBSTRING(x.s, q.seq, 4), NEW.created_at, NEW.id, NEW.deleted_at IS NOT NULL
  FROM (SELECT NEW.clave_rastreo AS s UNION ALL SELECT NEW.referencia) x
  JOIN seq_1_to_61 q ON q.seq <= CHAR_LENGTH(x.s) - 3;

-- an update that changes none of them does nothing (the common case)
CREATE OR REPLACE TRIGGER validations_grams_update_out AFTER UPDATE ON validations FOR EACH ROW
  FOLLOWS validations_rollup_update
  DELETE g FROM (SELECT DISTINCT SUBSTRING(x.s, q.seq, 4) AS gram
      FROM (SELECT OLD.clave_rastreo AS s UNION ALL SELECT OLD.referencia) x
      JOIN seq_1_to_61 q ON q.seq <= CHAR_LENGTH(x.s) - 3) o
    STRAIGHT_JOIN validation_grams g
    ON g.g_account = OLD.account_id AND g.gram = o.gram AND g.g_created = OLD.created_at AND g.g_id = OLD.id
  WHERE NOT (OLD.account_id <=> NEW.account_id AND OLD.created_at <=> NEW.created_at AND OLD.id <=> NEW.id
    AND BINARY OLD.clave_rastreo <=> BINARY NEW.clave_rastreo AND BINARY OLD.referencia <=> BINARY NEW.referencia
    AND (OLD.deleted_at IS NULL) = (NEW.deleted_at IS NULL));

CREATE OR REPLACE TRIGGER validations_grams_update_in AFTER UPDATE ON validations FOR EACH ROW
  FOLLOWS validations_grams_update_out
  INSERT IGNORE INTO validation_grams (g_account, gram, g_created, g_id, g_deleted)
  SELECT NEW.account_id, SUBSTRING(x.s, q.seq, 4), NEW.created_at, NEW.id, NEW.deleted_at IS NOT NULL
  FROM (SELECT NEW.clave_rastreo AS s UNION ALL SELECT NEW.referencia) x
  JOIN seq_1_to_61 q ON q.seq <= CHAR_LENGTH(x.s) - 3
  WHERE NOT (OLD.account_id <=> NEW.account_id AND OLD.created_at <=> NEW.created_at AND OLD.id <=> NEW.id
    AND BINARY OLD.clave_rastreo <=> BINARY NEW.clave_rastreo AND BINARY OLD.referencia <=> BINARY NEW.referencia
    AND (OLD.deleted_at IS NULL) = (NEW.deleted_at IS NULL));

CREATE OR REPLACE TRIGGER validations_grams_delete AFTER DELETE ON validations FOR EACH ROW
  FOLLOWS validations_rollup_delete
  DELETE g FROM (SELECT DISTINCT SUBSTRING(x.s, q.seq, 4) AS gram
      FROM (SELECT OLD.clave_rastreo AS s UNION ALL SELECT OLD.referencia) x
      JOIN seq_1_to_61 q ON q.seq <= CHAR_LENGTH(x.s) - 3) o
    STRAIGHT_JOIN validation_grams g
    ON g.g_account = OLD.account_id AND g.gram = o.gram AND g.g_created = OLD.created_at AND g.g_id = OLD.id;

DELETE FROM validation_grams;

-- one account after the other, newest first (the account's index, in
-- order: no sort): each gram's rows are appended in its index order
INSERT IGNORE INTO validation_grams (g_account, gram, g_created, g_id, g_deleted)
  SELECT STRAIGHT_JOIN v.account_id, SUBSTRING(v.clave_rastreo, q.seq, 4), v.created_at, v.id, v.deleted_at IS NOT NULL
  FROM validations v FORCE INDEX (idx_validations_account_created)
  JOIN seq_1_to_61 q ON q.seq <= CHAR_LENGTH(v.clave_rastreo) - 3
  WHERE v.account_id > ''
  ORDER BY v.account_id, v.created_at DESC, v.id DESC;

INSERT IGNORE INTO validation_grams (g_account, gram, g_created, g_id, g_deleted)
  SELECT STRAIGHT_JOIN v.account_id, SUBSTRING(v.referencia, q.seq, 4), v.created_at, v.id, v.deleted_at IS NOT NULL
  FROM validations v FORCE INDEX (idx_validations_account_created)
  JOIN seq_1_to_61 q ON q.seq <= CHAR_LENGTH(v.referencia) - 3
  WHERE v.account_id > ''
  ORDER BY v.account_id, v.created_at DESC, v.id DESC;

UNLOCK TABLES;
