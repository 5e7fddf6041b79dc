-- The HTTP server's tables (issue 7): people who sign in, their sessions and API tokens, the
-- event receipts that make ingestion idempotent, webhook subscriptions with their outbox and
-- delivery log, and analysis runs started through the API.

CREATE TABLE users (
  user_id       text COLLATE "C" PRIMARY KEY,
  username      text NOT NULL UNIQUE,
  display_name  text,
  role          text NOT NULL CHECK (role IN ('admin', 'manager', 'agent', 'analyst')),
  -- the staff code customers.owner_id and tasks.owner_id name (an agent sees only these)
  staff_id      text COLLATE "C",
  -- scrypt$N$r$p$salt$hash (base64), node:crypto scrypt (RFC 7914)
  password_hash text NOT NULL,
  disabled_at   timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now()
);

-- Only a hash of each secret is kept: a leaked table opens no session and no integration.
CREATE TABLE sessions (
  token_hash  text PRIMARY KEY,
  user_id     text COLLATE "C" NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
  csrf_token  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  origin      text
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

CREATE TABLE api_tokens (
  token_id     text COLLATE "C" PRIMARY KEY,
  user_id      text COLLATE "C" NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
  name         text NOT NULL,
  token_hash   text NOT NULL UNIQUE,
  scopes       text[] NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at   timestamptz
);

-- One row per accepted event (issue 7 §5): the idempotency key's SHA-256 is the primary key, so
-- a repeated key is ignored by INSERT … ON CONFLICT DO NOTHING inside the batch's transaction,
-- also when duplicates race on different connections.
CREATE TABLE event_receipts (
  key_hash    text PRIMARY KEY,
  event_type  text NOT NULL,
  customer_id text COLLATE "C",
  batch_id    text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX event_receipts_customer_idx ON event_receipts (customer_id);

CREATE TABLE webhook_subscriptions (
  subscription_id text COLLATE "C" PRIMARY KEY,
  url             text NOT NULL,
  secret          text NOT NULL,
  event_types     text[] NOT NULL,
  active          boolean NOT NULL DEFAULT true,
  created_at      timestamptz NOT NULL DEFAULT now()
);

-- The outbox: written in the same transaction as the change it announces, so a committed change
-- always has its event and a rolled-back one never does.
CREATE TABLE webhook_outbox (
  event_id    text COLLATE "C" PRIMARY KEY,
  event_type  text NOT NULL,
  customer_id text COLLATE "C",
  payload     jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_outbox_customer_idx ON webhook_outbox (customer_id);

CREATE TABLE webhook_deliveries (
  event_id        text COLLATE "C" NOT NULL REFERENCES webhook_outbox (event_id) ON DELETE CASCADE,
  subscription_id text COLLATE "C" NOT NULL REFERENCES webhook_subscriptions (subscription_id) ON DELETE CASCADE,
  status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead')),
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_status     integer,
  last_error      text,
  delivered_at    timestamptz,
  PRIMARY KEY (event_id, subscription_id)
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';

CREATE TABLE webhook_attempts (
  event_id        text COLLATE "C" NOT NULL,
  subscription_id text COLLATE "C" NOT NULL,
  attempt         integer NOT NULL,
  at              timestamptz NOT NULL DEFAULT now(),
  status          integer,
  error           text,
  ms              double precision,
  PRIMARY KEY (event_id, subscription_id, attempt)
);

CREATE TABLE analysis_runs (
  run_id      text COLLATE "C" PRIMARY KEY,
  status      text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
  as_of       date NOT NULL,
  options     jsonb NOT NULL DEFAULT '{}',
  progress    jsonb NOT NULL DEFAULT '[]',
  result      jsonb,
  error       text,
  started_by  text,
  started_at  timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);

CREATE INDEX audit_log_at_idx ON audit_log (at);
CREATE INDEX customers_updated_idx ON customers (updated_at, customer_id);

-- Customers whose data changed through the API and whose scores and stage are to be brought up
-- to date (issue 7 §5). Written in the same transaction as the change, drained by the server's
-- refresh worker, so an acknowledged event's update survives a crash before it ran.
CREATE TABLE customer_refresh_queue (
  customer_id text COLLATE "C" PRIMARY KEY,
  queued_at   timestamptz NOT NULL DEFAULT now()
);
