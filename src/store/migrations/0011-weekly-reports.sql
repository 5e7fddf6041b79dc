-- The weekly report produced by the server (issue 9 §5): one HTML document per ISO week and
-- language, kept for the schedule's number of weeks. The schedule itself is the settings row
-- 'report_schedule'.
CREATE TABLE IF NOT EXISTS weekly_reports (
  report_id    text COLLATE "C" PRIMARY KEY,
  period       text NOT NULL,
  lang         text NOT NULL CHECK (lang IN ('zh-CN', 'en')),
  as_of        date NOT NULL,
  generated_at timestamptz NOT NULL DEFAULT now(),
  html         text NOT NULL,
  UNIQUE (period, lang)
);
