/**
 * `tenure tasks`: reminders and tasks (issue 9 §3).
 *
 *   tenure tasks due [--days 30] [--owner AM001] [--customer C1] [--as-of YYYY-MM-DD] [--no-schedule] [--json]
 *     runs the scheduler for the as-of day first (idempotent: nothing is created twice), then
 *     lists open tasks due by as-of + days, overdue ones included, soonest first.
 *     --json: { asOf, until, scheduled: {today, until, created: {holiday, birthday, revisit,
 *               complaint-follow-up, onboarding}, total} | null,
 *               tasks: [{taskId, customerId, customerName, type, ownerId, dueAt, status, title: {zh, en},
 *                        source, sourceKey, details}] }
 *   tenure tasks schedule [--as-of YYYY-MM-DD] [--json]     the scheduler alone
 *   tenure tasks add <customer> --title TEXT [--type manual] [--due YYYY-MM-DD] [--owner X] [--json]
 *   tenure tasks done <taskId> --outcome TEXT [--cancel] [--json]
 */
import type { Command } from 'commander';
import { InputError } from '../errors.js';
import {
  completeTask,
  createTask,
  dueTasks,
  runScheduler,
  type SchedulerRun,
  type Task,
  type TaskType,
} from '../store/task-repo.js';
import { type CliContext, printJson } from './context.js';
import { numberIn } from './crosssell.js';
import { parseIsoDate, todayUtc } from './dates.js';
import { withDb } from './with-db.js';

const TASK_TYPES: readonly TaskType[] = [
  'manual',
  'holiday',
  'birthday',
  'revisit',
  'complaint-follow-up',
  'onboarding',
  'next-action',
  'campaign',
];
const day = (d: Date | null): string => (d ? d.toISOString().slice(0, 10) : '—');

function describeRun(run: SchedulerRun): string {
  const c = run.created;
  return `scheduler ${run.today}…${run.until}: created ${run.total} (holiday ${c.holiday}, birthday ${c.birthday}, revisit ${c.revisit}, complaint follow-up ${c['complaint-follow-up']}, onboarding ${c.onboarding})\n`;
}

function describeTask(t: Task): string {
  return `  ${day(t.dueAt)}  ${t.taskId}  ${t.type.padEnd(19)} ${t.customerId} ${t.customerName ?? ''}  owner ${t.ownerId ?? '—'}  ${t.title.zh ?? ''} / ${t.title.en ?? ''}\n`;
}

export function registerTasks(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('tasks')
    .description('reminders and tasks: due list, scheduler, add, done');
  const asOfOption = (v: string): Date => parseIsoDate(v, '--as-of');

  cmd
    .command('due')
    .description('open tasks due in the next days (runs the reminder scheduler first)')
    .option('--days <n>', 'days ahead', numberIn('--days', 0, 366, true), 30)
    .option('--owner <id>', 'only this account manager')
    .option('--customer <id>', 'only this customer')
    .option('--as-of <date>', 'today, YYYY-MM-DD (default: today)', asOfOption)
    .option('--no-schedule', 'list only; do not run the scheduler')
    .option('--json', 'print as JSON')
    .action(async (opts) => {
      const asOf: Date = opts.asOf ?? todayUtc();
      const until = new Date(asOf.getTime() + opts.days * 86_400_000);
      const { scheduled, tasks } = await withDb(ctx, async (db) => {
        const scheduled = opts.schedule ? await runScheduler(db, asOf) : null;
        const tasks = await dueTasks(db, { until, ownerId: opts.owner, customerId: opts.customer });
        return { scheduled, tasks };
      });
      if (opts.json) {
        printJson(ctx, { asOf: day(asOf), until: day(until), scheduled, tasks });
        return;
      }
      if (scheduled) ctx.out.write(describeRun(scheduled));
      ctx.out.write(
        `${tasks.length} open tasks due by ${day(until)}${opts.owner ? ` for ${opts.owner}` : ''}\n`,
      );
      for (const t of tasks) ctx.out.write(describeTask(t));
    });

  cmd
    .command('schedule')
    .description('create the reminders due in the horizon (idempotent)')
    .option('--as-of <date>', 'today, YYYY-MM-DD (default: today)', asOfOption)
    .option('--json', 'print as JSON')
    .action(async (opts) => {
      const run = await withDb(ctx, (db) => runScheduler(db, opts.asOf ?? todayUtc()));
      if (opts.json) printJson(ctx, run);
      else ctx.out.write(describeRun(run));
    });

  cmd
    .command('add')
    .description('a task made by a person')
    .argument('<customer>', 'customer id')
    .requiredOption('--title <text>', 'what to do')
    .option('--type <type>', `one of ${TASK_TYPES.join(', ')}`, 'manual')
    .option('--due <date>', 'due day, YYYY-MM-DD (default: today)', (v) => parseIsoDate(v, '--due'))
    .option('--owner <id>', "owner (default: the customer's account manager)")
    .option('--json', 'print as JSON')
    .action(async (customer: string, opts) => {
      if (!TASK_TYPES.includes(opts.type)) {
        throw new InputError(`--type must be one of ${TASK_TYPES.join(', ')}, got "${opts.type}"`, {
          field: '--type',
          value: opts.type,
        });
      }
      const task = await withDb(ctx, (db) =>
        createTask(db, {
          customerId: customer,
          type: opts.type,
          due: opts.due ?? todayUtc(),
          title: { zh: opts.title, en: opts.title },
          ownerId: opts.owner,
        }),
      );
      if (opts.json) printJson(ctx, task);
      else
        ctx.out.write(
          `created task ${task.taskId} for ${task.customerId}, due ${day(task.dueAt)}\n`,
        );
    });

  cmd
    .command('done')
    .description('close a task with its outcome')
    .argument('<taskId>', 'the task id')
    .requiredOption('--outcome <text>', 'what happened')
    .option('--cancel', 'cancelled rather than done')
    .option('--json', 'print as JSON')
    .action(async (taskId: string, opts) => {
      const task = await withDb(ctx, (db) =>
        completeTask(db, taskId, {
          outcome: opts.outcome,
          at: new Date(),
          status: opts.cancel ? 'cancelled' : 'done',
        }),
      );
      if (opts.json) printJson(ctx, task);
      else
        ctx.out.write(`task ${task.taskId} (${task.customerId}) ${task.status}: ${task.outcome}\n`);
    });
}
