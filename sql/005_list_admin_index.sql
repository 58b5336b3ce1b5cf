-- mxcep 005: the admin view across accounts filters by status too
-- (src/store/validation_query.c); every other filter needs account_id.
-- Safe to re-run.

ALTER TABLE validations
  ADD INDEX IF NOT EXISTS idx_validations_status_created (status, created_at DESC, id DESC);
