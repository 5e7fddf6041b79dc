-- Segmentation (issue 5): settings, the results of each segmentation run, saved rule segments
-- with their membership history and counts over time.

-- Editable settings as JSON documents, one per key (validated by the engine before they are stored).
CREATE TABLE settings (
  key        text PRIMARY KEY,
  value      jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- One row per analysis date and kind: the RFM grid, the pyramid, the Pareto curves, the cluster
-- profiles. The per-customer results live in score_snapshots (rfm_*, tier, cluster).
CREATE TABLE segment_runs (
  as_of       date NOT NULL,
  kind        text NOT NULL CHECK (kind IN ('rfm', 'tiers', 'pareto', 'clusters')),
  result      jsonb NOT NULL,
  computed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (as_of, kind)
);

ALTER TABLE segments ADD COLUMN rule text;
ALTER TABLE segments ADD COLUMN description text;
ALTER TABLE segments ADD COLUMN refreshed_at timestamptz;
CREATE UNIQUE INDEX segments_name_idx ON segments (name);

CREATE INDEX segment_memberships_customer_idx ON segment_memberships (customer_id)
  WHERE left_at IS NULL;

-- Members per saved segment at each refresh date, with the day's joins and leaves.
CREATE TABLE segment_counts (
  segment_id   text COLLATE "C" NOT NULL REFERENCES segments (segment_id) ON DELETE CASCADE,
  as_of        date NOT NULL,
  members      integer NOT NULL,
  joined       integer NOT NULL,
  left_count   integer NOT NULL,
  refreshed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (segment_id, as_of)
);

-- The archetype label of the customer's cluster (value-elite, churn-risk, …), beside the cluster
-- number, so rules can say `archetype = 'value-elite'`.
ALTER TABLE score_snapshots ADD COLUMN archetype text;

-- The segmentation run updates every row of a snapshot right after it is written; free space
-- on each page lets those updates stay on the page (HOT: no index entries rewritten).
ALTER TABLE score_snapshots SET (fillfactor = 70);
