-- Churn early warning (issue 6).
--
-- Each churn model `tenure analyze` trains: the logistic coefficients on standardised features
-- with their means and scales, the calibration, the value model (BG/NBD) fitted at the same
-- as-of date, and the warning thresholds, so one customer can be scored later on its own
-- (scoreChurnForCustomers) exactly as the batch scored everyone.
CREATE TABLE churn_models (
  as_of       date PRIMARY KEY,
  window_days integer NOT NULL CHECK (window_days > 0),
  kind        text NOT NULL CHECK (kind IN ('logistic', 'fallback')),
  model       jsonb NOT NULL,
  value_model jsonb,
  warning     jsonb NOT NULL,
  training    jsonb NOT NULL DEFAULT '{}',
  notes       jsonb NOT NULL DEFAULT '[]',
  trained_at  timestamptz NOT NULL DEFAULT now()
);

-- Settings of the warning (thresholds, window), editable with `tenure churn thresholds`.
CREATE TABLE churn_settings (
  key        text PRIMARY KEY,
  value      jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- The top reasons behind each customer's churn risk in a snapshot, in words (zh, en) and data.
ALTER TABLE score_snapshots ADD COLUMN churn_reasons jsonb;

-- Churn alerts: the episode an alert belongs to (one episode = from entering a level to its
-- outcome), the risk and value at risk when it was raised. status: open | retained | lost | cleared.
ALTER TABLE alerts ADD COLUMN churn_episode text;
ALTER TABLE alerts ADD COLUMN churn_risk double precision;
ALTER TABLE alerts ADD COLUMN value_at_risk_minor bigint;
CREATE INDEX alerts_churn_open_idx ON alerts (customer_id) WHERE status = 'open' AND churn_episode IS NOT NULL;
