/** Opens the database the config names and brings its schema up to date. */
import type { Config } from '../config.js';
import { UnavailableError } from '../errors.js';
import type { Db } from './db.js';
import { migrate } from './migrate.js';
import { openPostgres } from './pg-db.js';
import { openPglite } from './pglite-db.js';

export interface OpenTarget {
  /** postgres://… ; null for the embedded database */
  databaseUrl: string | null;
  /** embedded database folder; null for in-memory */
  dataDir: string | null;
}

/** Opens and migrates. */
export async function openDb(target: OpenTarget | Config): Promise<Db> {
  let db: Db;
  if (target.databaseUrl) {
    try {
      db = await openPostgres(target.databaseUrl);
    } catch (error) {
      throw new UnavailableError(
        `cannot reach PostgreSQL at ${redactUrl(target.databaseUrl)}: ${(error as Error).message}`,
        {},
        error,
      );
    }
  } else {
    db = await openPglite(target.dataDir);
  }
  try {
    await migrate(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}

/** postgres://user:secret@host/db → postgres://user:***@host/db */
export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@');
}
