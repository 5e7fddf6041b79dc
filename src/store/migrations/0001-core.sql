-- Tenure's core data model (SPEC §2). Conventions:
--   * every table is keyed by, or carries, customer_id so it can be distributed by it (SPEC §9);
--   * money is bigint minor units (fen for CNY) in *_minor columns, never floating point;
--   * instants are timestamptz; calendar dates (birthdays, as-of dates) are date;
--   * the high-volume tables (transactions, their lines, interactions, and the derived
--     stage history and score snapshots written for every customer) carry no foreign keys
--     and no secondary indexes: their primary keys lead with customer_id, which serves every
--     per-customer read, and on 200k imported orders the per-row FK check cost 6.7 s of 12.6 s
--     (EXPLAIN ANALYZE, PostgreSQL 15). Import guarantees the customer exists (placeholder or
--     --strict), and erasure anonymises customers instead of deleting them;
--   * ids are text COLLATE "C": compared bytewise, not linguistically, which halved the time
--     to insert 200k orders under their primary key (2.65 s → 1.28 s, PostgreSQL 15, C.UTF-8).

CREATE TABLE customers (
  customer_id    text COLLATE "C" PRIMARY KEY,
  name           text,
  phones         text[] NOT NULL DEFAULT '{}',
  emails         text[] NOT NULL DEFAULT '{}',
  address        text,
  province       text,
  city           text,
  gender         text CHECK (gender IN ('male', 'female', 'other')),
  birthday       date,
  industry       text,
  channel        text,
  acquired_at    timestamptz,
  owner_id       text COLLATE "C",
  tags           text[] NOT NULL DEFAULT '{}',
  attributes     jsonb NOT NULL DEFAULT '{}',
  consent        jsonb NOT NULL DEFAULT '{}',
  -- created from a transaction or interaction that named an unknown customer
  is_placeholder boolean NOT NULL DEFAULT false,
  erased_at      timestamptz,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX customers_owner_idx ON customers (owner_id);
CREATE INDEX customers_region_idx ON customers (province, city);

CREATE TABLE products (
  sku              text COLLATE "C" PRIMARY KEY,
  name             text,
  category         text,
  list_price_minor bigint,
  unit_cost_minor  bigint,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX products_category_idx ON products (category);

CREATE TABLE transactions (
  customer_id    text COLLATE "C" NOT NULL,
  transaction_id text COLLATE "C" NOT NULL,
  occurred_at    timestamptz NOT NULL,
  amount_minor   bigint NOT NULL,
  currency       text NOT NULL DEFAULT 'CNY',
  cost_minor     bigint,
  channel        text,
  status         text NOT NULL DEFAULT 'completed'
                 CHECK (status IN ('completed', 'refunded', 'cancelled')),
  created_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (customer_id, transaction_id)
);

CREATE TABLE transaction_lines (
  customer_id      text COLLATE "C" NOT NULL,
  transaction_id   text COLLATE "C" NOT NULL,
  line_no          integer NOT NULL,
  sku              text COLLATE "C",
  quantity         numeric,
  unit_price_minor bigint,
  amount_minor     bigint NOT NULL,
  PRIMARY KEY (customer_id, transaction_id, line_no)
);

CREATE TABLE subscriptions (
  customer_id       text COLLATE "C" NOT NULL REFERENCES customers (customer_id),
  subscription_id   text COLLATE "C" NOT NULL,
  plan              text,
  started_at        timestamptz NOT NULL,
  ended_at          timestamptz,
  monthly_fee_minor bigint,
  created_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (customer_id, subscription_id),
  CHECK (ended_at IS NULL OR ended_at >= started_at)
);

CREATE TABLE interactions (
  customer_id    text COLLATE "C" NOT NULL,
  interaction_id text COLLATE "C" NOT NULL,
  occurred_at    timestamptz NOT NULL,
  type           text NOT NULL CHECK (type IN
                   ('call', 'visit', 'email', 'sms', 'complaint', 'service', 'survey', 'referral')),
  direction      text CHECK (direction IN ('inbound', 'outbound')),
  outcome        text,
  satisfaction   smallint CHECK (satisfaction BETWEEN 1 AND 5),
  staff          text,
  note           text,
  created_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (customer_id, interaction_id)
);

-- Derived data, kept with history (SPEC §2). Later migrations refine these as their issues land.

CREATE TABLE stage_models (
  model_id   text COLLATE "C" PRIMARY KEY,
  version    integer NOT NULL DEFAULT 1,
  definition jsonb NOT NULL,
  enabled    boolean NOT NULL DEFAULT true,
  is_active  boolean NOT NULL DEFAULT false,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE stage_history (
  customer_id  text COLLATE "C" NOT NULL,
  model_id     text COLLATE "C" NOT NULL,
  changed_at   timestamptz NOT NULL,
  from_stage   text,
  to_stage     text NOT NULL,
  reason       text NOT NULL,
  reason_data  jsonb NOT NULL DEFAULT '{}',
  PRIMARY KEY (customer_id, model_id, changed_at)
);
CREATE INDEX stage_history_model_time_idx ON stage_history (model_id, changed_at);

CREATE TABLE score_snapshots (
  customer_id         text COLLATE "C" NOT NULL,
  as_of               date NOT NULL,
  model               text NOT NULL,
  p_alive             double precision,
  expected_purchases  double precision,
  horizon_days        integer,
  expected_spend_minor bigint,
  clv_minor           bigint,
  historical          jsonb NOT NULL DEFAULT '{}',
  rfm_r               smallint,
  rfm_f               smallint,
  rfm_m               smallint,
  rfm_segment         text,
  tier                text,
  cluster             text,
  churn_risk          double precision,
  warning_level       text,
  computed_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (customer_id, as_of)
);
CREATE INDEX score_snapshots_as_of_idx ON score_snapshots (as_of);

CREATE TABLE segments (
  segment_id text COLLATE "C" PRIMARY KEY,
  name       text NOT NULL,
  kind       text NOT NULL DEFAULT 'rule',
  definition jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE segment_memberships (
  customer_id text COLLATE "C" NOT NULL REFERENCES customers (customer_id),
  segment_id  text COLLATE "C" NOT NULL REFERENCES segments (segment_id) ON DELETE CASCADE,
  joined_at   timestamptz NOT NULL,
  left_at     timestamptz,
  PRIMARY KEY (customer_id, segment_id, joined_at)
);
CREATE INDEX segment_memberships_segment_idx ON segment_memberships (segment_id) WHERE left_at IS NULL;

CREATE TABLE campaigns (
  campaign_id text COLLATE "C" PRIMARY KEY,
  name        text NOT NULL,
  segment_id  text COLLATE "C" REFERENCES segments (segment_id),
  channel     text,
  message     text,
  holdout_share double precision NOT NULL DEFAULT 0.1 CHECK (holdout_share >= 0 AND holdout_share < 1),
  status      text NOT NULL DEFAULT 'draft',
  starts_at   timestamptz,
  ends_at     timestamptz,
  cost_minor  bigint,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE campaign_members (
  customer_id  text COLLATE "C" NOT NULL REFERENCES customers (customer_id),
  campaign_id  text COLLATE "C" NOT NULL REFERENCES campaigns (campaign_id) ON DELETE CASCADE,
  arm          text NOT NULL CHECK (arm IN ('treatment', 'control')),
  contacted_at timestamptz,
  responded_at timestamptz,
  PRIMARY KEY (customer_id, campaign_id)
);

CREATE TABLE alerts (
  customer_id text COLLATE "C" NOT NULL REFERENCES customers (customer_id),
  alert_id    text COLLATE "C" NOT NULL,
  level       text NOT NULL,
  raised_at   timestamptz NOT NULL,
  reasons     jsonb NOT NULL DEFAULT '[]',
  status      text NOT NULL DEFAULT 'open',
  resolved_at timestamptz,
  PRIMARY KEY (customer_id, alert_id)
);

CREATE TABLE tasks (
  customer_id text COLLATE "C" NOT NULL REFERENCES customers (customer_id),
  task_id     text COLLATE "C" NOT NULL,
  type        text NOT NULL,
  owner_id    text COLLATE "C",
  due_at      timestamptz,
  status      text NOT NULL DEFAULT 'open',
  outcome     text,
  source      text,
  -- a scheduler's idempotency key: the same reminder is never created twice
  source_key  text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (customer_id, task_id),
  UNIQUE (customer_id, source_key)
);
CREATE INDEX tasks_owner_due_idx ON tasks (owner_id, due_at) WHERE status = 'open';

CREATE TABLE audit_log (
  audit_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at          timestamptz NOT NULL DEFAULT now(),
  actor       text NOT NULL,
  action      text NOT NULL,
  customer_id text COLLATE "C",
  details     jsonb NOT NULL DEFAULT '{}',
  origin      text
);
CREATE INDEX audit_log_customer_idx ON audit_log (customer_id, at);

-- The demo business's ground truth (issue 2 §4). The analysis never reads this table; tests
-- score the analysis against it.
CREATE TABLE demo_truth (
  customer_id text COLLATE "C" PRIMARY KEY,
  truth       jsonb NOT NULL
);
CREATE TABLE demo_meta (
  key   text PRIMARY KEY,
  value jsonb NOT NULL
);
