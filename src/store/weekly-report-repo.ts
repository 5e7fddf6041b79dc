/**
 * The weekly report the server writes on a schedule (issue 9 §5): the schedule (settings row
 * 'report_schedule'), the due week's HTML report in each chosen language — the same document
 * as `tenure report --as-of <slot day>` — stored in `weekly_reports`, announced to webhook
 * subscribers as `report.generated`, and older weeks deleted beyond `keepWeeks`.
 *
 * Exactly once per week and language: the insert is ON CONFLICT DO NOTHING on (period, lang)
 * under an advisory lock, so restarts, a second server or overlapping runs add nothing twice.
 */
import {
  latestSlot,
  parseReportSchedule,
  type ReportLang,
  type ReportSchedule,
  renderReportHtml,
} from '../engine/index.js';
import { NotFoundError } from '../errors.js';
import type { Db } from './db.js';
import { collectReportData } from './report-repo.js';
import { loadSetting, updateSetting } from './settings-repo.js';
import { newId } from './user-repo.js';
import { enqueueWebhookEvent } from './webhook-repo.js';

const KEY = 'report_schedule';

export function loadReportSchedule(db: Db): Promise<ReportSchedule> {
  return loadSetting(db, KEY, parseReportSchedule);
}

/** Merges `patch` into the stored schedule, validates and stores it. Invalid input changes nothing. */
export function updateReportSchedule(db: Db, patch: unknown): Promise<ReportSchedule> {
  return updateSetting(db, KEY, patch, parseReportSchedule);
}

export interface WeeklyReport {
  reportId: string;
  period: string;
  lang: ReportLang;
  asOf: string;
  generatedAt: Date;
  bytes: number;
}

const COLUMNS = `report_id AS "reportId", period, lang, to_char(as_of, 'YYYY-MM-DD') AS "asOf",
  generated_at AS "generatedAt", octet_length(html) AS bytes`;

/**
 * Writes the reports due at `now` that are not written yet; returns the ones written by this
 * call (none when the schedule is off, or the week's are there already).
 */
export async function runDueWeeklyReports(db: Db, now: Date): Promise<WeeklyReport[]> {
  const schedule = await loadReportSchedule(db);
  if (!schedule.enabled) return [];
  const slot = latestSlot(schedule, now);
  const { rows: have } = await db.query<{ lang: string }>(
    'SELECT lang FROM weekly_reports WHERE period = $1',
    [slot.period],
  );
  const missing = schedule.langs.filter((l) => !have.some((h) => h.lang === l));
  if (missing.length === 0) return [];
  // Read-only and slow-ish (seconds on a large base): outside the write transaction.
  const data = await collectReportData(db, new Date(`${slot.asOf}T00:00:00Z`));
  const documents = missing.map((lang) => ({ lang, html: renderReportHtml(data, lang) }));
  return db.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock(hashtext('tenure.weekly-report'))");
    const written: WeeklyReport[] = [];
    for (const { lang, html } of documents) {
      const { rows } = await tx.query<WeeklyReport>(
        `INSERT INTO weekly_reports (report_id, period, lang, as_of, html, generated_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (period, lang) DO NOTHING
         RETURNING ${COLUMNS}`,
        [newId('rpt'), slot.period, lang, slot.asOf, html, now],
      );
      if (rows.length === 0) continue;
      written.push(rows[0]);
      await enqueueWebhookEvent(tx, 'report.generated', null, {
        reportId: rows[0].reportId,
        period: slot.period,
        lang,
        asOf: slot.asOf,
        path: `/api/reports/weekly/${rows[0].reportId}`,
      });
      // Keep the newest `keepWeeks` of this language.
      await tx.query(
        `DELETE FROM weekly_reports WHERE lang = $1 AND report_id IN (
           SELECT report_id FROM weekly_reports WHERE lang = $1
           ORDER BY period DESC OFFSET $2)`,
        [lang, schedule.keepWeeks],
      );
    }
    return written;
  });
}

/** The stored weekly reports, newest first (without their HTML). */
export async function listWeeklyReports(db: Db, limit = 60): Promise<WeeklyReport[]> {
  const { rows } = await db.query<WeeklyReport>(
    `SELECT ${COLUMNS} FROM weekly_reports ORDER BY period DESC, lang LIMIT $1`,
    [limit],
  );
  return rows;
}

/** One stored report's HTML. */
export async function weeklyReportHtml(
  db: Db,
  reportId: string,
): Promise<{ report: WeeklyReport; html: string }> {
  const { rows } = await db.query<WeeklyReport & { html: string }>(
    `SELECT ${COLUMNS}, html FROM weekly_reports WHERE report_id = $1`,
    [reportId],
  );
  if (rows.length === 0) {
    throw new NotFoundError(`no weekly report "${reportId}"`, { value: reportId });
  }
  const { html, ...report } = rows[0];
  return { report, html };
}
