-- mxcep 015: receiving accounts (issue 14). A business registers the
-- CLABEs it is paid into (GET/POST/DELETE /v1/receiving-accounts), so
-- that a receipt showing a masked account (****1234 and a bank) can be
-- completed from the account's own CLABEs.
--
-- clabe is checked by the API (18 digits, check digit, a known bank
-- prefix); bank_code is the participant code the catalog gives for the
-- CLABE's first 3 digits (e.g. 40012), or those 3 digits when several
-- participants share the prefix. clabe_last4 is stored (generated) so
-- that idx_receiving_accounts_last4 finds an account's CLABEs by their
-- last 4 digits (clabe is a VARCHAR, with a CHECK for its 18 digits:
-- MariaDB refuses RIGHT() of a CHAR column in a generated column, as its
-- value would depend on sql_mode PAD_CHAR_TO_FULL_LENGTH). Safe to re-run.

CREATE TABLE IF NOT EXISTS receiving_accounts (
  id CHAR(36) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  account_id CHAR(36) CHARACTER SET ascii NOT NULL,
  clabe VARCHAR(18) CHARACTER SET ascii NOT NULL,
  clabe_last4 CHAR(4) CHARACTER SET ascii AS (RIGHT(clabe, 4)) STORED,
  bank_code VARCHAR(5) CHARACTER SET ascii NOT NULL,
  alias VARCHAR(100) NULL,
  created_at DATETIME NOT NULL,
  UNIQUE KEY uq_receiving_accounts_clabe (account_id, clabe),
  KEY idx_receiving_accounts_last4 (account_id, clabe_last4),
  KEY idx_receiving_accounts_created (account_id, created_at),
  CONSTRAINT ck_receiving_accounts_clabe CHECK (clabe REGEXP '^[0-9]{18}$'),
  CONSTRAINT fk_receiving_accounts_account FOREIGN KEY (account_id) REFERENCES accounts (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
