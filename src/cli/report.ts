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
import { type CliContext, printJson } from './context.js';
import { parseIsoDate, todayUtc } from './dates.js';
import { withDb } from './with-db.js';

export function registerReport(program: Command, ctx: CliContext): void {
  program
    .command('report')
    .description('write a self-contained HTML report with charts (opens offline)')
    .requiredOption('--out <file>', 'the HTML file to write')
    .option('--as-of <date>', 'YYYY-MM-DD (default: today)', (v) => parseIsoDate(v, '--as-of'))
    .option('--lang <lang>', 'zh-CN or en', 'zh-CN')
    .option('--json', 'print a summary as JSON')
    .action(async (opts) => {
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
}
