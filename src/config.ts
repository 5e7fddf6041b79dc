/** The only reader of process.env. Everything else gets a frozen Config passed down. */
import path from 'node:path';
import { InputError } from './errors.js';

export interface Config {
  /** PGlite data folder (TENURE_DATA_DIR, default ./tenure-data) */
  dataDir: string;
  /** a PostgreSQL server instead of the embedded database, when set */
  databaseUrl: string | null;
  /** show stacks on errors */
  debug: boolean;
  /**
   * minutes between the server's reminder-scheduler runs (TENURE_SCHEDULER_MINUTES, default 60;
   * 0 turns the scheduler off in the server)
   */
  schedulerMinutes: number;
}

function minutes(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) {
    throw new InputError(`must be a number of minutes ≥ 0 (0 turns it off), got "${value}"`, {
      field: name,
      value,
    });
  }
  return n;
}

export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<Config> = {},
): Config {
  return Object.freeze({
    dataDir: path.resolve(env.TENURE_DATA_DIR || './tenure-data'),
    databaseUrl: env.DATABASE_URL || null,
    debug: env.TENURE_DEBUG === '1',
    schedulerMinutes: minutes(env.TENURE_SCHEDULER_MINUTES, 60, 'TENURE_SCHEDULER_MINUTES'),
    ...overrides,
  });
}
