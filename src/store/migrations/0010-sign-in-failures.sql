-- Failed sign-ins (issue 7 §2 "login rate-limited"), kept in the database so that every server
-- process behind a load balancer counts the same failures and a restart forgets none.
-- `key` is what the failure counts against: 'a:<address>', 'u:<address>:<username>' or
-- 'n:<username>' (any address). Rows older than the window are deleted as new ones come in.
CREATE TABLE IF NOT EXISTS sign_in_failures (
  key       text COLLATE "C" NOT NULL,
  failed_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS sign_in_failures_key_idx ON sign_in_failures (key, failed_at);
CREATE INDEX IF NOT EXISTS sign_in_failures_at_idx ON sign_in_failures (failed_at);
