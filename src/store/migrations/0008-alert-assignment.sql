-- Acting on churn alerts through the API (issue 7 §4, issue 8 §7): who an alert is assigned to
-- (a staff code, as customers.owner_id), and who resolved it by hand. A manual resolution has
-- status 'resolved'; the analysis's own outcomes stay retained | lost | cleared.
ALTER TABLE alerts ADD COLUMN assigned_to text COLLATE "C";
ALTER TABLE alerts ADD COLUMN resolved_by text;
CREATE INDEX alerts_open_raised_idx ON alerts (raised_at DESC) WHERE status = 'open';
