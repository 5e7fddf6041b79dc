/**
 * The backends every store suite runs against (STYLE.md "Tests"): PGlite always; a PostgreSQL
 * server when one answers (TENURE_TEST_DATABASE_URL, else pg_isready on 127.0.0.1:5432), each
 * suite in a database of its own so suites can run in parallel.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Db } from '../src/store/db.js';
import { openDb } from '../src/store/open.js';

function serverUrl(): string | null {
  if (process.env.TENURE_TEST_DATABASE_URL) return process.env.TENURE_TEST_DATABASE_URL;
  try {
    execFileSync('pg_isready', ['-h', '127.0.0.1', '-p', '5432', '-q'], { stdio: 'ignore' });
    return 'postgres://postgres@127.0.0.1:5432/test';
  } catch {
    return null;
  }
}

export const SERVER_URL = serverUrl();
if (!SERVER_URL) {
  console.warn(
    'PostgreSQL server not reachable (pg_isready on 127.0.0.1:5432 failed and TENURE_TEST_DATABASE_URL is unset): ' +
      'the postgres backend is skipped; PGlite tests still run.',
  );
}

export interface Backend {
  name: 'pglite' | 'postgres';
  available: boolean;
  /** A fresh, migrated, empty database and a way to drop it. */
  fresh(): Promise<{ db: Db; url: string | null; drop(): Promise<void> }>;
}

/** A new empty database on the server; returns its URL. */
export async function createServerDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const base = SERVER_URL!;
  const name = `tenure_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export const BACKENDS: Backend[] = [
  {
    name: 'pglite',
    available: true,
    async fresh() {
      const db = await openDb({ databaseUrl: null, dataDir: null });
      return { db, url: null, drop: () => db.close() };
    },
  },
  {
    name: 'postgres',
    available: SERVER_URL !== null,
    async fresh() {
      const created = await createServerDatabase();
      const db = await openDb({ databaseUrl: created.url, dataDir: null });
      return {
        db,
        url: created.url,
        async drop() {
          await db.close();
          await created.drop();
        },
      };
    },
  },
];
