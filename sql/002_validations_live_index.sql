-- mxcep 002: the default list (GET /v1/validations without with_deleted)
-- reads one account's live rows newest first: serve it from one index.
CREATE INDEX IF NOT EXISTS idx_validations_account_live
  ON validations (account_id, deleted_at, created_at DESC, id DESC);
