-- mxcep 004: indexes for the record lists, stats and exports (issue 4).
-- Every composition of src/store/validation_query.c is served by one:
-- equality prefixes first, then created_at DESC, id DESC so the common
-- pages (one account, newest first, live or with_deleted, one status,
-- one type) are read in index order with no filesort; range filters
-- (dates, fecha, amounts) and search branches have their own.
-- Safe to re-run (IF [NOT] EXISTS). Statements end with ';' at the end
-- of a line (migrate.c splits there).

-- the ordering needs id DESC too: these replace the 001 versions
-- that ended at created_at
ALTER TABLE validations
  DROP INDEX IF EXISTS idx_validations_account_status,
  DROP INDEX IF EXISTS idx_validations_account_type;

ALTER TABLE validations
  -- admin views across accounts: recent (every row), and live rows
  ADD INDEX IF NOT EXISTS idx_validations_created (created_at DESC, id DESC),
  ADD INDEX IF NOT EXISTS idx_validations_live_created (deleted_at, created_at DESC, id DESC),
  -- status / type, live and with_deleted
  ADD INDEX IF NOT EXISTS idx_validations_account_live_status (account_id, deleted_at, status, created_at DESC, id DESC),
  ADD INDEX IF NOT EXISTS idx_validations_account_status_created (account_id, status, created_at DESC, id DESC),
  ADD INDEX IF NOT EXISTS idx_validations_account_live_type (account_id, deleted_at, validation_type, created_at DESC, id DESC),
  ADD INDEX IF NOT EXISTS idx_validations_account_type_created (account_id, validation_type, created_at DESC, id DESC),
  -- playground, retry_state
  ADD INDEX IF NOT EXISTS idx_validations_account_playground (account_id, playground, created_at DESC, id DESC),
  ADD INDEX IF NOT EXISTS idx_validations_account_retry (account_id, retry_terminal_state, created_at DESC, id DESC),
  -- amount ranges
  ADD INDEX IF NOT EXISTS idx_validations_account_monto (account_id, monto),
  -- search: clave_rastreo prefix and referencia have 001's indexes;
  -- a bank matches emisor or receptor (participant codes)
  ADD INDEX IF NOT EXISTS idx_validations_account_emisor (account_id, emisor, created_at DESC),
  ADD INDEX IF NOT EXISTS idx_validations_account_receptor (account_id, receptor, created_at DESC);
