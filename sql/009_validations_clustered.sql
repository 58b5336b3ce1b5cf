-- mxcep 009: validations stored in list order (issue 4).
--
-- InnoDB keeps a table's rows in the order of its primary key. With the
-- key on id, a random UUID v4, rows lay in random order: an export
-- (every row, newest first) looked each row up by its id through the
-- B-tree, one random page after another (3.1-3.5 s of MariaDB's time
-- for a million rows), and every insert landed on a random page.
-- The key is now the list order itself, (created_at DESC, id DESC):
-- an export of every account reads the table front to back, an
-- account's export reads its rows in that order too (its index, then
-- neighbouring rows), new records are written at one end, and a page's
-- rows are read by the key the deferred join already holds. id stays
-- the public identifier and unique (uk_validations_id, also the index
-- the foreign keys of jobs, cep_documents and retry_attempts use).
-- created_at is never updated (src/store), so a row never moves.
--
-- One rebuild of the table: about 45 s per million records (measured
-- on bench/run-records' data); the table is readable meanwhile.
-- Safe to re-run (a second run rebuilds the same key again).
-- Statements end with ';' at the end of a line.

ALTER TABLE validations
  DROP PRIMARY KEY,
  ADD PRIMARY KEY (created_at DESC, id DESC),
  ADD UNIQUE KEY IF NOT EXISTS uk_validations_id (id);
