/** The only reader of process.env. Everything else gets a frozen Config passed down. */
import path from 'node:path';

export interface Config {
  /** PGlite data folder (TENURE_DATA_DIR, default ./tenure-data) */
  dataDir: string;
  /** a PostgreSQL server instead of the embedded database, when set */
  databaseUrl: string | null;
  /** show stacks on errors */
  debug: boolean;
}

export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<Config> = {},
): Config {
  return Object.freeze({
    dataDir: path.resolve(env.TENURE_DATA_DIR || './tenure-data'),
    databaseUrl: env.DATABASE_URL || null,
    debug: env.TENURE_DEBUG === '1',
    ...overrides,
  });
}
