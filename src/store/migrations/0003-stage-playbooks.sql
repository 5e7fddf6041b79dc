-- Each stage model's playbook (issue 4 §5): goal, actions with channel and timing, and KPI per
-- stage, seeded from the presets and editable as data like the model itself.
ALTER TABLE stage_models ADD COLUMN playbook jsonb;
