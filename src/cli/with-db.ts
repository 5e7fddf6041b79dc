/** Opens the configured database for one command and always closes it. */
import type { Db } from '../store/db.js';
import { openDb } from '../store/open.js';
import type { CliContext } from './context.js';

export async function withDb<T>(ctx: CliContext, fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await openDb(ctx.config);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

/** Where the data is, for messages. */
export function describeTarget(ctx: CliContext): string {
  return ctx.config.databaseUrl ? 'the PostgreSQL server (DATABASE_URL)' : ctx.config.dataDir;
}
