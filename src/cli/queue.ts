/**
 * `tenure queue`: the daily work queue of next best actions (issue 9 §1), and
 * `tenure action-settings`: show or replace the editable rules of the acting side.
 *
 *   tenure queue [--owner AM001] [--customer C1] [--as-of YYYY-MM-DD] [--limit 50] [--create-tasks] [--json]
 *     --json: { asOf, owner, created: n | null, actions: [{customerId, ownerId, kind
 *               (retention | cross-sell | up-sell | playbook | let-go), title: {zh, en}, channel,
 *               reason: {zh, en}, expectedValueMinor (fen), stage, tier, risk, riskLevel, ref}] }
 *     --customer prints that customer's action even when it is worth nothing.
 *   tenure action-settings <nba|scheduler> [--file settings.json] [--json]
 *     without --file prints the settings in force; with it validates and stores them.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { validateNbaSettings, validateSchedulerSettings } from '../engine/index.js';
import { InputError } from '../errors.js';
import { nbaSettings, nextActionFor, queueToTasks, workQueue } from '../store/next-action-repo.js';
import { saveActionSettings, schedulerSettings } from '../store/task-repo.js';
import { type CliContext, printJson } from './context.js';
import { numberIn } from './crosssell.js';
import { parseIsoDate, todayUtc } from './dates.js';
import { withDb } from './with-db.js';

const yuan = (minor: number): string => `¥${(minor / 100).toFixed(2)}`;

export function registerQueue(program: Command, ctx: CliContext): void {
  program
    .command('queue')
    .description(
      "the day's work queue: each customer's next best action, best expected value first",
    )
    .option('--owner <id>', 'only this account manager')
    .option('--customer <id>', "one customer's next best action")
    .option('--as-of <date>', 'YYYY-MM-DD (default: today)', (v) => parseIsoDate(v, '--as-of'))
    .option('--limit <n>', 'actions listed', numberIn('--limit', 1, 1_000_000, true), 50)
    .option(
      '--create-tasks',
      'also put the listed actions in the task list (once per customer and day)',
    )
    .option('--json', 'print as JSON')
    .action(async (opts) => {
      const asOf: Date = opts.asOf ?? todayUtc();
      const { actions, created } = await withDb(ctx, async (db) => {
        const actions = opts.customer
          ? [await nextActionFor(db, opts.customer, asOf)]
          : await workQueue(db, { asOf, ownerId: opts.owner, limit: opts.limit });
        const created = opts.createTasks ? await queueToTasks(db, actions, asOf) : null;
        return { actions, created };
      });
      if (opts.json) {
        printJson(ctx, {
          asOf: asOf.toISOString().slice(0, 10),
          owner: opts.owner ?? null,
          created,
          actions,
        });
        return;
      }
      ctx.out.write(
        `work queue ${asOf.toISOString().slice(0, 10)}${opts.owner ? ` for ${opts.owner}` : ''}: ${actions.length} actions\n`,
      );
      actions.forEach((a, i) => {
        ctx.out.write(
          `${String(i + 1).padStart(3)}. ${a.customerId} (${a.ownerId ?? '—'}) ${a.kind}: ${a.title.zh} / ${a.title.en} via ${a.channel}, expected ${yuan(a.expectedValueMinor)}\n` +
            `     ${a.reason.zh}\n     ${a.reason.en}\n`,
        );
      });
      if (created !== null) ctx.out.write(`${created} tasks created\n`);
    });

  program
    .command('action-settings')
    .description(
      'show or replace the editable rules of next best action (nba) or the reminder scheduler',
    )
    .argument('<which>', 'nba or scheduler')
    .option('--file <json>', 'validate and store these settings')
    .option('--json', 'print as JSON')
    .action(async (which: string, opts) => {
      if (which !== 'nba' && which !== 'scheduler') {
        throw new InputError(`expected nba or scheduler, got "${which}"`, {
          field: 'which',
          value: which,
        });
      }
      const settings = await withDb(ctx, async (db) => {
        if (opts.file) {
          let input: unknown;
          try {
            input = JSON.parse(await readFile(opts.file, 'utf8'));
          } catch (error) {
            throw new InputError(`${opts.file}: ${(error as Error).message}`, { file: opts.file });
          }
          const valid =
            which === 'nba'
              ? validateNbaSettings(input, opts.file)
              : validateSchedulerSettings(input, opts.file);
          await saveActionSettings(db, which, valid);
          return valid;
        }
        return which === 'nba' ? nbaSettings(db) : schedulerSettings(db);
      });
      if (opts.json || !opts.file) printJson(ctx, settings);
      else ctx.out.write(`stored the ${which} settings\n`);
    });
}
