-- mxcep 011: enqueued_at to the millisecond (issue 11).
--
-- processing_time_ms is "milliseconds from enqueue to terminal
-- resolution". enqueued_at is a DATETIME of whole seconds, so a job
-- finished by another process (the worker after its 202, mxcep-runner,
-- a retry) could only count whole seconds (0, 1000, 8000...).
-- enqueued_at_ms is the same instant in milliseconds since the epoch
-- (UTC), written with the record; NULL for records made before this
-- migration (their processing time counts from enqueued_at's second).
-- A column added at the end: instant in MariaDB 10.3+, no table rebuild.
-- Safe to re-run.

ALTER TABLE validations
  ADD COLUMN IF NOT EXISTS enqueued_at_ms BIGINT UNSIGNED NULL;
