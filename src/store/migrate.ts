/**
 * Versioned SQL migrations: `migrations/NNNN-name.sql`, applied in order at start-up, each in
 * its own transaction and recorded in `schema_migrations`, so a database made by an older
 * version upgrades in place and a crash mid-migration leaves the last good version.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { TenureError } from '../errors.js';
import type { Db } from './db.js';

const DIR = path.join(import.meta.dirname, 'migrations');

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function listMigrations(dir = DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}-[a-z0-9-]+\.sql$/.test(f))
    .sort()
    .map((f) => ({
      version: Number(f.slice(0, 4)),
      name: f.slice(5, -4),
      sql: readFileSync(path.join(dir, f), 'utf8'),
    }));
}

/** Applies what is missing; returns the versions applied now. */
export async function migrate(db: Db, migrations = listMigrations()): Promise<number[]> {
  await db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
  const applied: number[] = [];
  for (const m of migrations) {
    const done = await db.transaction(async (tx) => {
      // Serialise concurrent starters on a server (PostgreSQL docs, "Advisory Locks").
      await tx.query('SELECT pg_advisory_xact_lock(73652024)');
      const { rows } = await tx.query('SELECT 1 FROM schema_migrations WHERE version = $1', [
        m.version,
      ]);
      if (rows.length > 0) return false;
      try {
        await tx.exec(m.sql);
      } catch (error) {
        throw new TenureError(
          'internal',
          `migration ${m.version}-${m.name} failed: ${(error as Error).message}`,
          {},
          error,
        );
      }
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        m.version,
        m.name,
      ]);
      return true;
    });
    if (done) applied.push(m.version);
  }
  return applied;
}

/** The newest version applied, or 0 on an empty database. */
export async function schemaVersion(db: Db): Promise<number> {
  const { rows } = await db.query<{ v: number | null }>(
    `SELECT max(version) AS v FROM schema_migrations`,
  );
  return rows[0]?.v ?? 0;
}
