-- bench/records-seed.sql: 100,000 validations numbered @base + 1 ..
-- @base + 100,000, for bench/run-records (which runs it ten times, @base
-- = 0, 100000, ... 900000). Needs the temporary table seed_acc (idx, id):
-- row n belongs to account idx n MOD 10: ten accounts of 100,000 rows
-- each, their rows interleaved in time as real tenants' are.
-- Deterministic: the same n gives the same row.
--   created_at  2025-11-01 .. 2026-11-01 UTC, increasing with n (+0..30 s)
--   status      valid 60 %, not_found 15, cep_unavailable 5, invalid 5,
--               failed 3, error 2, queued 5, processing 5
--   type        ocr 20 %; playground 5 %; soft-deleted 2 % (a day later)
--   retry       enabled 20 %, terminal state pending / resolved / exhausted
--               / cancelled 5 % each
--   fecha       the creation day minus 0..2 days; emisor and receptor among
--               ten participant codes; clave_rastreo <bank prefix><YYYYMMDD>
--               <n, 10 digits>; referencia 7 digits; cuenta 18 digits;
--               monto log-uniform 1 .. 200,000.00
INSERT INTO validations (id, account_id, validation_type, playground, status,
  fecha, clave_rastreo, referencia, emisor, receptor, cuenta, monto, request_data,
  banxico_status, processing_time_ms, created_at, updated_at, completed_at,
  etag_version, has_cep, error_code, error_message, retry_enabled,
  retry_max_retries, retry_interval_seconds, retry_attempts_completed,
  retry_terminal_state, retry_next_attempt_at, retry_resolved_at,
  retry_exhausted_at, retry_cancelled_at, deleted_at)
SELECT id, account_id, vtype, playground, status, fecha, clave, referencia,
  emisor, receptor, cuenta, monto,
  JSON_OBJECT('fecha', DATE_FORMAT(fecha, '%Y-%m-%d'), 'clave_rastreo', clave,
    'emisor', emisor, 'receptor', receptor, 'cuenta', cuenta,
    'monto', CAST(monto AS CHAR), 'referencia', referencia),
  IF(status IN ('valid', 'invalid'), 'LIQUIDADA', NULL),
  IF(status IN ('queued', 'processing'), NULL, 700 + h MOD 3000),
  created_at, created_at + INTERVAL 2 SECOND,
  IF(status IN ('queued', 'processing'), NULL, created_at + INTERVAL 2 SECOND),
  1 + g MOD 3, status = 'valid',
  CASE status WHEN 'error' THEN 'banxico_unavailable'
    WHEN 'failed' THEN 'banxico_unrecognised_answer' ELSE NULL END,
  CASE status WHEN 'error' THEN 'Banxico did not answer'
    WHEN 'failed' THEN 'unrecognised answer' ELSE NULL END,
  retry, IF(retry, 5, NULL), IF(retry, 3600, NULL),
  IF(retry, (g DIV 7) MOD 6, 0), rstate,
  IF(rstate = 'pending', created_at + INTERVAL 1 HOUR, NULL),
  IF(rstate = 'resolved', created_at + INTERVAL 3 HOUR, NULL),
  IF(rstate = 'exhausted', created_at + INTERVAL 5 HOUR, NULL),
  IF(rstate = 'cancelled', created_at + INTERVAL 2 HOUR, NULL),
  IF(g MOD 50 = 0, created_at + INTERVAL 1 DAY, NULL)
FROM (
  SELECT s.n, s.h, s.g,
    LOWER(CONCAT_WS('-', SUBSTR(m, 1, 8), SUBSTR(m, 9, 4), CONCAT('4', SUBSTR(m, 14, 3)),
      CONCAT(ELT(1 + s.g MOD 4, '8', '9', 'a', 'b'), SUBSTR(m, 18, 3)), SUBSTR(m, 21, 12))) AS id,
    a.id AS account_id,
    IF((s.h DIV 100) MOD 5 = 0, 'ocr', 'direct') AS vtype,
    (s.h DIV 500) MOD 20 = 0 AS playground,
    CASE WHEN s.h MOD 100 < 60 THEN 'valid' WHEN s.h MOD 100 < 75 THEN 'not_found'
      WHEN s.h MOD 100 < 80 THEN 'cep_unavailable' WHEN s.h MOD 100 < 85 THEN 'invalid'
      WHEN s.h MOD 100 < 88 THEN 'failed' WHEN s.h MOD 100 < 90 THEN 'error'
      WHEN s.h MOD 100 < 95 THEN 'queued' ELSE 'processing' END AS status,
    DATE(s.created_at) - INTERVAL ((s.g DIV 5000) MOD 3) DAY AS fecha,
    CONCAT(ELT(1 + (s.h DIV 10000) MOD 10, 'MBAN01', 'SANT', 'BNM', 'BNTE', 'STP',
      'AZTK', 'HSBC', 'SCOT', 'BJIO', 'MPAG'), DATE_FORMAT(s.created_at, '%Y%m%d'),
      LPAD(s.n, 10, '0')) AS clave,
    LPAD(s.h MOD 10000000, 7, '0') AS referencia,
    ELT(1 + (s.h DIV 10000) MOD 10, '40012', '40014', '40002', '40072', '90646',
      '40127', '40021', '40044', '40030', '90722') AS emisor,
    ELT(1 + (s.g DIV 100000) MOD 10, '40012', '40014', '40002', '40072', '90646',
      '40127', '40021', '40044', '40030', '90722') AS receptor,
    CONCAT(ELT(1 + (s.g DIV 100000) MOD 10, '012', '014', '002', '072', '646',
      '127', '021', '044', '030', '722'), LPAD(CONCAT(s.g MOD 100000000, s.h MOD 10000000), 15, '0')) AS cuenta,
    ROUND(EXP(((s.h DIV 7) MOD 10000) / 10000 * LN(200000)), 2) AS monto,
    IF((s.g DIV 50) MOD 5 = 0, 1, 0) AS retry,
    IF((s.g DIV 50) MOD 5 = 0, ELT(1 + (s.g DIV 500) MOD 4, 'pending', 'resolved', 'exhausted', 'cancelled'), NULL) AS rstate,
    s.created_at
  FROM (
    SELECT q.n, CRC32(q.n) AS h, CRC32(q.n * 7 + 3) AS g, MD5(CONCAT('mxcep-bench-', q.n)) AS m,
      FROM_UNIXTIME(1761955200 + (q.n - 1) * 31536000 DIV 1000000 + CRC32(q.n) MOD 31) AS created_at
    FROM (SELECT seq + @base AS n FROM seq_1_to_100000) q
  ) s
  JOIN seed_acc a ON a.idx = s.n MOD 10
) x;
