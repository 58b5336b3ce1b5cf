-- mxcep 014: an Idempotency-Key remembers what its first request created
-- (issue 13).
--
-- resource_id is the id of the record the key's first request created
-- (a validation), written in the same transaction as the record and its
-- job. A first request whose process died after that point left a record
-- the runner finishes: a retry with the key is answered from that record
-- and never creates a second one. Only a first request that died before
-- creating anything (resource_id NULL) may be taken over.
-- A column added at the end: instant in MariaDB 10.3+, no table rebuild.
-- Safe to re-run.

ALTER TABLE idempotency_keys
  ADD COLUMN IF NOT EXISTS resource_id CHAR(36) CHARACTER SET ascii NULL;
