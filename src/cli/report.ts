/**
 * `tenure report`: one self-contained HTML file with the state of the customer base (issue 9 §5).
 *
 *   tenure report [--as-of YYYY-MM-DD] --out report.html [--lang zh-CN|en] [--json]
 *     --json prints {file, bytes, asOf, lang, sections: {id: hasData}} after writing the file.
 * Charts are inline SVG rendered here, with no script or external resource: the file opens
 * offline. Read-only.
 */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { type ReportLang, renderReportHtml } from '../engine/index.js';
import { InputError } from '../errors.js';
import { collectReportData } from '../store/report-repo.js';
import {
  listWeeklyReports,
  loadReportSchedule,
  updateReportSchedule,
} from '../store/weekly-report-repo.js';
import { type CliContext, printJson } from './context.js';
import { parseIsoDate, todayUtc } from './dates.js';
import { withDb } from './with-db.js';

export function registerReport(program: Command, ctx: CliContext): void {
  const report = program
    .command('report')
    .description(
      'write a self-contained HTML report with charts (opens offline); `report schedule` sets the weekly one the server writes',
    )
    .option('--out <file>', 'the HTML file to write (required)')
    .option('--as-of <date>', 'YYYY-MM-DD (default: today)', (v) => parseIsoDate(v, '--as-of'))
    .option('--lang <lang>', 'zh-CN or en', 'zh-CN')
    .option('--json', 'print a summary as JSON')
    .action(async (opts) => {
      if (!opts.out) {
        throw new InputError('--out is required: the HTML file to write', { field: '--out' });
      }
      if (opts.lang !== 'zh-CN' && opts.lang !== 'en') {
        throw new InputError(`--lang must be zh-CN or en, got "${opts.lang}"`, {
          field: '--lang',
          value: opts.lang,
        });
      }
      const asOf: Date = opts.asOf ?? todayUtc();
      const data = await withDb(ctx, (db) => collectReportData(db, asOf));
      const html = renderReportHtml(data, opts.lang as ReportLang);
      await writeFile(opts.out, html, 'utf8');
      const sections = {
        headline: data.headline.customers > 0,
        stages: data.stages !== null,
        value: data.tiers.length > 0 || data.pareto !== null,
        fits: data.fits.length > 0,
        segments:
          data.segments.rfm.length + data.segments.clusters.length + data.segments.saved.length > 0,
        churn: data.churn.risk.length > 0 || data.churn.levels.length > 0,
        cohorts: data.cohorts.length > 0,
        campaigns: data.campaigns.length > 0,
        crosssell: data.rules.length > 0,
        tasks: data.tasks.length > 0,
      };
      const bytes = Buffer.byteLength(html);
      if (opts.json) {
        printJson(ctx, { file: opts.out, bytes, asOf: data.asOf, lang: opts.lang, sections });
        return;
      }
      const empty = Object.entries(sections)
        .filter(([, has]) => !has)
        .map(([k]) => k);
      ctx.out.write(
        `wrote ${opts.out} (${(bytes / 1024).toFixed(0)} KiB, ${opts.lang}, as of ${data.asOf})` +
          (empty.length > 0 ? `; no data yet for: ${empty.join(', ')}` : '') +
          '\n',
      );
    });

  report
    .command('schedule')
    .description(
      'show or change the weekly report the server writes (tenure serve): weekday, hour, time zone, languages',
    )
    .option('--on', 'write the report every week')
    .option('--off', 'stop writing it')
    .option('--weekday <n>', 'ISO weekday 1 (Monday) … 7 (Sunday)', (v) =>
      wholeNumber(v, '--weekday'),
    )
    .option('--hour <h>', 'local hour 0–23', (v) => wholeNumber(v, '--hour'))
    .option('--time-zone <zone>', 'IANA time zone, e.g. Asia/Shanghai')
    .option('--langs <langs>', 'zh-CN, en or zh-CN,en')
    .option('--keep-weeks <n>', 'weeks of reports kept per language', (v) =>
      wholeNumber(v, '--keep-weeks'),
    )
    .option('--json', 'print the schedule and the stored reports as JSON')
    .action(async (_opts, cmd: Command) => {
      // --json is also an option of `report` itself, which commander gives the parent
      const opts = cmd.optsWithGlobals();
      if (opts.on && opts.off) {
        throw new InputError('--on and --off contradict each other', { field: '--off' });
      }
      const patch: Record<string, unknown> = {};
      if (opts.on) patch.enabled = true;
      if (opts.off) patch.enabled = false;
      if (opts.weekday !== undefined) patch.weekday = opts.weekday;
      if (opts.hour !== undefined) patch.hour = opts.hour;
      if (opts.timeZone !== undefined) patch.timeZone = opts.timeZone;
      if (opts.langs !== undefined)
        patch.langs = String(opts.langs)
          .split(',')
          .map((l) => l.trim());
      if (opts.keepWeeks !== undefined) patch.keepWeeks = opts.keepWeeks;
      const { schedule, reports } = await withDb(ctx, async (db) => ({
        schedule:
          Object.keys(patch).length > 0
            ? await updateReportSchedule(db, patch)
            : await loadReportSchedule(db),
        reports: await listWeeklyReports(db, 10),
      }));
      if (opts.json) {
        printJson(ctx, { schedule, reports });
        return;
      }
      const days = [
        '',
        'Monday',
        'Tuesday',
        'Wednesday',
        'Thursday',
        'Friday',
        'Saturday',
        'Sunday',
      ];
      ctx.out.write(
        `weekly report: ${schedule.enabled ? 'on' : 'off'} — ${days[schedule.weekday]} ${String(schedule.hour).padStart(2, '0')}:00 ${schedule.timeZone}, ` +
          `${schedule.langs.join(' + ')}, last ${schedule.keepWeeks} weeks kept` +
          (schedule.enabled ? ' (written by `tenure serve`)' : '') +
          '\n' +
          reports
            .map(
              (r) =>
                `  ${r.period} ${r.lang.padEnd(5)} as of ${r.asOf}  ${(r.bytes / 1024).toFixed(0)} KiB\n`,
            )
            .join(''),
      );
    });
}

function wholeNumber(value: string, option: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) {
    throw new InputError(`${option} must be a whole number, got "${value}"`, {
      field: option,
      value,
    });
  }
  return n;
}
