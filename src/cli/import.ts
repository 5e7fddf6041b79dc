/** `tenure import <file>...` */
import type { Command } from 'commander';
import { RECORD_KINDS, type RecordKind } from '../engine/records.js';
import { InputError, TenureError } from '../errors.js';
import {
  formatProblem,
  type ImportReport,
  importFiles,
  openSources,
  type RowProblem,
} from '../ingest/index.js';

import { type CliContext, printJson } from './context.js';
import { PROGRESS_MODES, type ProgressMode, startProgress } from './progress.js';
import { describeTarget, withDb } from './with-db.js';

function collectMap(value: string, previous: Record<string, string>): Record<string, string> {
  const eq = value.lastIndexOf('=');
  if (eq <= 0 || eq === value.length - 1) {
    throw new InputError(`--map expects column=field, got "${value}"`, {
      field: '--map',
      value,
    });
  }
  return { ...previous, [value.slice(0, eq).trim()]: value.slice(eq + 1).trim() };
}

function parseKind(value: string): RecordKind {
  if (!(RECORD_KINDS as readonly string[]).includes(value)) {
    throw new InputError(`--kind must be one of ${RECORD_KINDS.join(', ')}, got "${value}"`, {
      field: '--kind',
      value,
    });
  }
  return value as RecordKind;
}

function parseProgress(value: string): ProgressMode {
  if (!(PROGRESS_MODES as readonly string[]).includes(value)) {
    throw new InputError(`--progress must be one of ${PROGRESS_MODES.join(', ')}, got "${value}"`, {
      field: '--progress',
      value,
    });
  }
  return value as ProgressMode;
}

export function summarise(report: ImportReport): string {
  const c = report.counts;
  const parts: string[] = [];
  const kinds = [
    ['customers', c.customers],
    ['products', c.products],
    ['orders', c.transactions],
    ['order lines', c.transactionLines],
    ['interactions', c.interactions],
    ['subscriptions', c.subscriptions],
  ] as const;
  for (const [name, m] of kinds) {
    if (m.rows === 0) continue;
    parts.push(`${name}: ${m.inserted} new, ${m.updated} updated, ${m.unchanged} unchanged`);
  }
  if (c.placeholderCustomers > 0) {
    parts.push(
      `${c.placeholderCustomers} customers created from orders/interactions (not in any customer file)`,
    );
  }
  const rows = report.files.reduce((n, f) => n + f.rows, 0);
  const rejected = report.files.reduce((n, f) => n + f.rejected, 0);
  const secs = report.ms / 1000;
  const head = `imported ${rows - rejected} of ${rows} rows from ${report.files.length} file${report.files.length === 1 ? '' : 's'} in ${secs.toFixed(1)} s (${Math.round(rows / Math.max(secs, 1e-3))} rows/s)`;
  const rej = rejected ? `\n${rejected} rejected rows written to ${report.rejectsFile}` : '';
  return `${head}\n  ${parts.join('\n  ')}${rej}\n`;
}

export function registerImport(program: Command, ctx: CliContext): void {
  program
    .command('import')
    .description(
      'import customers, products, orders, interactions or subscriptions from CSV, XLSX or JSON Lines files',
    )
    .argument('<files...>', 'files to import (one transaction for all of them)')
    .option(
      '--kind <kind>',
      `what the files hold: ${RECORD_KINDS.join('|')} (default: from headers)`,
      parseKind,
    )
    .option('--map <column=field>', 'read a column as a Tenure field (repeatable)', collectMap, {})
    .option('--skip-invalid', 'load the valid rows and write the rejected ones to a rejects file')
    .option('--rejects <file>', 'where --skip-invalid writes rejected rows')
    .option('--strict', 'refuse orders and interactions of customers not imported before')
    .option('--time-zone <tz>', 'time zone of times without one', 'Asia/Shanghai')
    .option('--json', 'print the report as JSON')
    .option(
      '--progress <mode>',
      `progress display: ${PROGRESS_MODES.join('|')}`,
      parseProgress,
      'auto',
    )
    .action(async (files: string[], opts) => {
      const progress = startProgress(ctx, 'importing', 1000, 'rows', opts.json, opts.progress);
      let fileRows = 0;
      let lastFile = -1;
      try {
        const sources = await openSources(files, opts);
        const report = await withDb(ctx, (db) =>
          importFiles(db, sources, {
            kind: opts.kind,
            map: opts.map,
            skipInvalid: Boolean(opts.skipInvalid),
            rejectsFile: opts.rejects,
            strict: Boolean(opts.strict),
            timeZone: opts.timeZone,
            onProgress: (p) => {
              if (p.phase === 'merging') {
                const rows = fileRows;
                progress.note(`${rows} rows read; merging into the tables`);
                return;
              }
              if (p.fileIndex !== lastFile) {
                lastFile = p.fileIndex;
                fileRows = 0;
              }
              fileRows = p.rows;
              const frac = (p.fileIndex + p.bytesRead / Math.max(p.bytesTotal, 1)) / p.files;
              progress.update(Math.round(frac * 1000), { items: fileRows });
            },
          }),
        );
        progress.stop();
        if (opts.json) printJson(ctx, { ok: true, target: describeTarget(ctx), ...report });
        else ctx.out.write(summarise(report));
      } catch (error) {
        progress.stop();
        if (error instanceof TenureError && Array.isArray(error.details.problems)) {
          const problems = error.details.problems as RowProblem[];
          const total = Number(error.details.problemCount ?? problems.length);
          if (opts.json) {
            printJson(ctx, { ok: false, problems, problemCount: total, message: error.message });
          } else if (total > 1) {
            for (const p of problems) ctx.err.write(`${formatProblem(p)}\n`);
            if (total > problems.length)
              ctx.err.write(`… and ${total - problems.length} more problems\n`);
          }
        }
        throw error;
      }
    });
}
