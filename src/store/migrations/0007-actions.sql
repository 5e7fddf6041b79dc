-- Acting on the analysis (issue 9): cross-sell rules, tasks and reminders, next-best-action
-- rules, campaigns with hold-out groups.

-- The association rules of the latest `tenure crosssell rules` run per basket kind, replaced as a
-- whole on each run. Items are skus; support, confidence, lift and conviction as in Agrawal,
-- Imieliński & Swami (1993) and Brin, Motwani, Ullman & Tsur (1997).
CREATE TABLE crosssell_rules (
  basket_kind  text NOT NULL,
  rank         integer NOT NULL,
  antecedent   text[] NOT NULL,
  consequent   text[] NOT NULL,
  baskets      bigint NOT NULL,
  support      double precision NOT NULL,
  confidence   double precision NOT NULL,
  lift         double precision NOT NULL,
  -- NULL when the confidence is 1 (conviction is infinite)
  conviction   double precision,
  params       jsonb NOT NULL DEFAULT '{}',
  computed_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (basket_kind, rank)
);

-- Editable settings of the acting side live in `settings` (0004) under 'actions.scheduler' and
-- 'actions.nba'.

ALTER TABLE tasks
  ADD COLUMN title        jsonb NOT NULL DEFAULT '{}',
  ADD COLUMN details      jsonb NOT NULL DEFAULT '{}',
  ADD COLUMN completed_at timestamptz,
  ADD CONSTRAINT tasks_status_check CHECK (status IN ('open', 'done', 'cancelled'));

ALTER TABLE campaigns
  ADD COLUMN action      text,
  ADD COLUMN seed        integer NOT NULL DEFAULT 1,
  ADD COLUMN cost_per_contact_minor bigint NOT NULL DEFAULT 0,
  -- margin on incremental revenue for the ROI (share of revenue); NULL = the base's cost share
  ADD COLUMN margin_share double precision,
  ADD COLUMN target      jsonb NOT NULL DEFAULT '{}';

ALTER TABLE campaign_members
  ADD COLUMN tier        text,
  ADD COLUMN response    text,
  ADD COLUMN revenue_minor bigint;
CREATE INDEX campaign_members_campaign_idx ON campaign_members (campaign_id, arm);
