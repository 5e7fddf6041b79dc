/**
 * The reminder scheduler inside the server (issue 9 §3 run by issue 7's process): `runScheduler`
 * once when the server starts and then every `intervalMs`. A run is idempotent by itself (each
 * reminder has a unique source_key, inserted ON CONFLICT DO NOTHING, under an advisory lock), so
 * a restart, a second server on the same database or an overlapping tick creates no duplicate;
 * here runs are also never overlapped within the process. `stop()` waits for a run in flight,
 * so the database is not closed under it on shutdown.
 *
 * Each run then writes the weekly report when its slot has come (`runDueWeeklyReports`, off
 * unless the report schedule is enabled; exactly once per week and language the same way).
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../store/db.js';
import { runScheduler, type SchedulerRun } from '../store/task-repo.js';
import { runDueWeeklyReports, type WeeklyReport } from '../store/weekly-report-repo.js';

export interface SchedulerOptions {
  intervalMs: number;
  now: () => Date;
}

export class ReminderScheduler {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<SchedulerRun | null> | null = null;
  private stopped = true;
  /** the last finished run, for health and tests */
  last: SchedulerRun | null = null;
  /** the weekly reports written by the last run */
  lastReports: WeeklyReport[] = [];

  constructor(
    private readonly db: Db,
    private readonly log: FastifyBaseLogger,
    private readonly options: SchedulerOptions,
  ) {}

  start(): void {
    this.stopped = false;
    void this.runOnce();
    this.timer = setInterval(() => void this.runOnce(), this.options.intervalMs);
    // The interval alone does not keep the process alive.
    this.timer.unref();
  }

  /** Runs now, or joins the run in progress; resolves to its result (null if it failed). */
  runOnce(): Promise<SchedulerRun | null> {
    if (this.running) return this.running;
    const now = this.options.now();
    this.running = runScheduler(this.db, now)
      .then(async (run) => {
        this.last = run;
        if (run.total > 0)
          this.log.info({ scheduler: run }, `scheduler created ${run.total} tasks`);
        try {
          this.lastReports = await runDueWeeklyReports(this.db, now);
          for (const r of this.lastReports) {
            this.log.info({ report: r }, `weekly report ${r.period} (${r.lang}) written`);
          }
        } catch (error) {
          if (!this.stopped) this.log.error({ err: error }, 'weekly report failed');
        }
        return run;
      })
      .catch((error) => {
        if (!this.stopped) this.log.error({ err: error }, 'reminder scheduler failed');
        return null;
      })
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
