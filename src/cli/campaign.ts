/**
 * `tenure campaign`: campaigns with a random hold-out control group (issue 9 §4).
 *
 *   tenure campaign create --name NAME (--segment ID | --customers C1,C2,… | --customers-file ids.txt)
 *       --start YYYY-MM-DD --end YYYY-MM-DD [--holdout 0.2] [--seed 1] [--action ID] [--channel sms]
 *       [--message TEXT] [--cost YUAN] [--cost-per-contact YUAN] [--margin-share 0.4] [--id ID] [--json]
 *   tenure campaign list [--json]
 *   tenure campaign export <id> --out contacts.csv|contacts.xlsx [--mark-contacted] [--json]
 *       the treatment group's contact list (the control group is never contacted)
 *   tenure campaign respond <id> (--customers C1,C2 | --file responses.csv) [--at YYYY-MM-DD]
 *       [--response TEXT] [--json]      responses.csv: customer_id[,responded_at][,revenue_yuan]
 *   tenure campaign simulate <id> --base-rate 0.1 --uplift 0.05 [--seed N] [--json]   demo only
 *   tenure campaign report <id> [--json]
 *     --json: { campaign, window: {start, end, complete}, treatment: {members, contacted,
 *       responded, converted, conversionRate, revenueMinor, revenuePerCustomerMinor, retained,
 *       retentionRate}, control: {…}, uplift: {conversion, revenuePerCustomerMinor, retention,
 *       churn: {treatment, control, difference, low, high, confidence, method} | null},
 *       costMinor, marginShare, incrementalRevenueMinor, incrementalMarginMinor, roi }
 */
import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import ExcelJS from 'exceljs';
import { InputError } from '../errors.js';
import { SYSTEM_ACTOR } from '../store/access.js';
import {
  type Campaign,
  type CampaignReport,
  CONTACT_HEADERS,
  campaignContacts,
  campaignReport,
  contactCells,
  createCampaign,
  listCampaigns,
  recordContacts,
  recordResponses,
  simulateDemoResponses,
} from '../store/campaign-repo.js';
import { type CliContext, printJson } from './context.js';
import { numberIn } from './crosssell.js';
import { parseIsoDate } from './dates.js';
import { withDb } from './with-db.js';

const yuanToFen = (name: string) => (v: string) => Math.round(numberIn(name, 0, 1e12)(v) * 100);
const pct = (x: number | null | undefined): string =>
  x == null ? '—' : `${(x * 100).toFixed(2)}%`;
const yuan = (minor: number | null): string =>
  minor === null ? '—' : `¥${(minor / 100).toFixed(2)}`;

function ids(list: string): string[] {
  return list
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function describeCampaign(c: Campaign): string {
  const tiers = c.byTier
    .map((t) => `${t.tier ?? 'no tier'} ${t.treatment}/${t.control}`)
    .join(', ');
  return (
    `campaign ${c.campaignId} "${c.name}" (${c.status}) ${c.startsAt?.toISOString().slice(0, 10)}…${c.endsAt?.toISOString().slice(0, 10)}: ` +
    `${c.members.treatment} treatment, ${c.members.control} control (hold-out ${pct(c.holdoutShare)}, seed ${c.seed}); by tier treatment/control: ${tiers}\n`
  );
}

export function describeCampaignReport(r: CampaignReport): string {
  const u = r.uplift;
  const ci = (
    d: { difference: number; low: number; high: number } | null,
    f: (x: number) => string,
  ) => (d === null ? '—' : `${f(d.difference)} (95% CI ${f(d.low)} to ${f(d.high)})`);
  const lines = [
    describeCampaign(r.campaign).trimEnd(),
    `  window ${r.window.start.slice(0, 10)}…${r.window.end.slice(0, 10)}${r.window.complete ? '' : ' (still running: figures so far)'}`,
    '                      treatment        control',
    `  members             ${String(r.treatment.members).padEnd(16)} ${r.control.members}`,
    `  contacted           ${String(r.treatment.contacted).padEnd(16)} ${r.control.contacted}`,
    `  responded           ${String(r.treatment.responded).padEnd(16)} ${r.control.responded}`,
    `  converted           ${`${r.treatment.converted} (${pct(r.treatment.conversionRate)})`.padEnd(16)} ${r.control.converted} (${pct(r.control.conversionRate)})`,
    `  revenue/customer    ${yuan(r.treatment.revenuePerCustomerMinor).padEnd(16)} ${yuan(r.control.revenuePerCustomerMinor)}`,
    `  retained            ${pct(r.treatment.retentionRate).padEnd(16)} ${pct(r.control.retentionRate)}`,
    `  uplift in conversion: ${ci(u.conversion, (x) => `${(x * 100).toFixed(2)} pts`)} — Newcombe hybrid score`,
    `  uplift in revenue per customer: ${ci(u.revenuePerCustomerMinor, (x) => yuan(x))} — Welch`,
    `  uplift in retention: ${ci(u.retention, (x) => `${(x * 100).toFixed(2)} pts`)}${u.retention === null ? ' (no stage analysis at or after the window end)' : ''}`,
    `  cost ${yuan(r.costMinor)}; incremental revenue ${yuan(r.incrementalRevenueMinor)}, margin ${yuan(r.incrementalMarginMinor)} at ${pct(r.marginShare)}; ROI ${r.roi === null ? '—' : `${(r.roi * 100).toFixed(0)}%`}`,
  ];
  return `${lines.join('\n')}\n`;
}

export function registerCampaign(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('campaign')
    .description(
      'campaigns with a random hold-out control group: create, export, responses, report',
    );

  cmd
    .command('create')
    .description(
      'create a campaign on a segment or a customer list, split into treatment and control',
    )
    .requiredOption('--name <name>', 'campaign name')
    .option('--segment <id>', 'a saved segment (its current members)')
    .option('--customers <ids>', 'customer ids, comma-separated')
    .option('--customers-file <file>', 'customer ids, one per line')
    .requiredOption('--start <date>', 'window start, YYYY-MM-DD', (v) => parseIsoDate(v, '--start'))
    .requiredOption('--end <date>', 'window end (exclusive), YYYY-MM-DD', (v) =>
      parseIsoDate(v, '--end'),
    )
    .option('--holdout <share>', 'control group share', numberIn('--holdout', 0.001, 0.999), 0.2)
    .option('--seed <n>', 'random seed of the split', numberIn('--seed', 0, 2 ** 31, true), 1)
    .option('--action <id>', 'the action offered (e.g. a playbook action id)')
    .option('--channel <channel>', 'sms, call, email, wechat, …')
    .option('--message <text>', 'the message')
    .option('--cost <yuan>', 'fixed cost in yuan', yuanToFen('--cost'), 0)
    .option(
      '--cost-per-contact <yuan>',
      'cost per contact in yuan',
      yuanToFen('--cost-per-contact'),
      0,
    )
    .option(
      '--margin-share <s>',
      'margin on incremental revenue (default: the base’s)',
      numberIn('--margin-share', 0, 1),
    )
    .option('--id <id>', 'campaign id (default: generated)')
    .option('--json', 'print as JSON')
    .action(async (opts) => {
      let customerIds: string[] | undefined;
      if (opts.customers) customerIds = ids(opts.customers);
      if (opts.customersFile) {
        customerIds = [...(customerIds ?? []), ...ids(await readFile(opts.customersFile, 'utf8'))];
      }
      if ((opts.segment === undefined) === (customerIds === undefined)) {
        throw new InputError('give either --segment or --customers / --customers-file', {
          field: '--segment',
        });
      }
      const c = await withDb(ctx, (db) =>
        createCampaign(db, {
          campaignId: opts.id,
          name: opts.name,
          segmentId: opts.segment,
          customerIds,
          action: opts.action,
          channel: opts.channel,
          message: opts.message,
          holdoutShare: opts.holdout,
          seed: opts.seed,
          startsAt: opts.start,
          endsAt: opts.end,
          costMinor: opts.cost,
          costPerContactMinor: opts.costPerContact,
          marginShare: opts.marginShare,
        }),
      );
      if (opts.json) printJson(ctx, c);
      else ctx.out.write(describeCampaign(c));
    });

  cmd
    .command('list')
    .description('every campaign with its groups')
    .option('--json', 'print as JSON')
    .action(async (opts) => {
      const list = await withDb(ctx, (db) => listCampaigns(db));
      if (opts.json) printJson(ctx, list);
      else if (list.length === 0) ctx.out.write('no campaigns yet\n');
      else for (const c of list) ctx.out.write(describeCampaign(c));
    });

  cmd
    .command('export')
    .description("write the treatment group's contact list as CSV or XLSX")
    .argument('<id>', 'campaign id')
    .requiredOption('--out <file>', 'contacts.csv or contacts.xlsx')
    .option('--mark-contacted', 'record the export as the contact of every listed customer (now)')
    .option('--json', 'print as JSON')
    .action(async (id: string, opts) => {
      const out: string = opts.out;
      if (!/\.(csv|xlsx)$/i.test(out)) {
        throw new InputError(`--out must end in .csv or .xlsx, got "${out}"`, {
          field: '--out',
          value: out,
        });
      }
      const { rows, marked } = await withDb(ctx, async (db) => {
        const rows = await campaignContacts(db, SYSTEM_ACTOR, id);
        const marked = opts.markContacted ? await recordContacts(db, id, new Date()) : 0;
        return { rows, marked };
      });
      const header = CONTACT_HEADERS;
      const table = rows.map(contactCells);
      if (/\.xlsx$/i.test(out)) {
        const book = new ExcelJS.Workbook();
        const sheet = book.addWorksheet('contacts');
        sheet.addRow(header);
        for (const row of table) sheet.addRow(row.map((v) => v ?? ''));
        await book.xlsx.writeFile(out);
      } else {
        // RFC 4180 §2: fields with quotes, commas or line breaks are quoted, quotes doubled;
        // UTF-8 with a BOM so Excel opens the Chinese text correctly.
        const cell = (v: string | null): string => {
          const s = v ?? '';
          return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
        };
        const text = [header, ...table].map((r) => r.map(cell).join(',')).join('\r\n');
        await writeFile(out, `\uFEFF${text}\r\n`, 'utf8');
      }
      if (opts.json) printJson(ctx, { file: out, rows: rows.length, markedContacted: marked });
      else
        ctx.out.write(
          `wrote ${rows.length} contacts to ${out}${opts.markContacted ? `; ${marked} marked contacted` : ''}\n`,
        );
    });

  cmd
    .command('respond')
    .description('record responses of campaign members')
    .argument('<id>', 'campaign id')
    .option('--customers <ids>', 'customer ids, comma-separated')
    .option('--file <csv>', 'customer_id[,responded_at YYYY-MM-DD][,revenue in yuan] per line')
    .option('--at <date>', 'response day when not in the file (default: today)', (v) =>
      parseIsoDate(v, '--at'),
    )
    .option('--response <text>', 'what they did', 'responded')
    .option('--json', 'print as JSON')
    .action(async (id: string, opts) => {
      const at: Date = opts.at ?? new Date();
      const responses: { customerId: string; at: Date; response: string; revenueMinor?: number }[] =
        [];
      for (const c of opts.customers ? ids(opts.customers) : []) {
        responses.push({ customerId: c, at, response: opts.response });
      }
      if (opts.file) {
        const lines = (await readFile(opts.file, 'utf8')).replace(/^\uFEFF/, '').split(/\r?\n/);
        lines.forEach((line, i) => {
          const [cust, day, revenue] = line.split(',').map((s) => s.trim());
          if (!cust || (i === 0 && /customer/i.test(cust))) return;
          const where = `${opts.file}:${i + 1}`;
          const when = day ? parseIsoDate(day, `${where} responded_at`) : at;
          let revenueMinor: number | undefined;
          if (revenue) {
            const n = Number(revenue);
            if (!Number.isFinite(n) || n < 0) {
              throw new InputError(
                `${where} revenue: expected an amount in yuan, got "${revenue}"`,
                {
                  file: opts.file,
                  line: i + 1,
                  field: 'revenue',
                  value: revenue,
                },
              );
            }
            revenueMinor = Math.round(n * 100);
          }
          responses.push({ customerId: cust, at: when, response: opts.response, revenueMinor });
        });
      }
      if (responses.length === 0) {
        throw new InputError('give --customers or --file with at least one response', {
          field: '--customers',
        });
      }
      const n = await withDb(ctx, (db) => recordResponses(db, id, responses));
      if (opts.json) printJson(ctx, { recorded: n });
      else ctx.out.write(`recorded ${n} responses\n`);
    });

  cmd
    .command('simulate')
    .description('demo only: simulate responses with a planted true uplift in conversion')
    .argument('<id>', 'campaign id')
    .requiredOption(
      '--base-rate <p>',
      'conversion without the campaign',
      numberIn('--base-rate', 0, 1),
    )
    .requiredOption('--uplift <d>', 'true uplift in conversion', numberIn('--uplift', -1, 1))
    .option(
      '--seed <n>',
      'random seed (default: the campaign’s)',
      numberIn('--seed', 0, 2 ** 31, true),
    )
    .option('--json', 'print as JSON')
    .action(async (id: string, opts) => {
      const r = await withDb(ctx, (db) =>
        simulateDemoResponses(db, id, {
          baseRate: opts.baseRate,
          uplift: opts.uplift,
          seed: opts.seed,
        }),
      );
      if (opts.json) printJson(ctx, r);
      else
        ctx.out.write(
          `simulated ${r.treatmentConverted} treatment and ${r.controlConverted} control conversions (${r.orders} orders added)\n`,
        );
    });

  cmd
    .command('report')
    .description(
      'results: conversion, revenue per customer, retention, uplift with intervals, cost and ROI',
    )
    .argument('<id>', 'campaign id')
    .option('--json', 'print as JSON')
    .action(async (id: string, opts) => {
      const r = await withDb(ctx, (db) => campaignReport(db, id));
      if (opts.json) printJson(ctx, r);
      else ctx.out.write(describeCampaignReport(r));
    });
}
