/**
 * Failed sign-ins by what they count against (see migration 0010), for the server's login
 * throttle: shared by every server process on the database and kept across restarts.
 */
import type { Db } from './db.js';

export interface FailureCount {
  key: string;
  failures: number;
  /** the oldest failure still in the window (null: none) */
  oldest: Date | null;
}

/** For each key, the failures at or after `since`. */
export async function recentSignInFailures(
  db: Db,
  keys: readonly string[],
  since: Date,
): Promise<FailureCount[]> {
  const { rows } = await db.query<{ key: string; n: number; oldest: Date | null }>(
    `SELECT k.key, count(f.failed_at)::int AS n, min(f.failed_at) AS oldest
     FROM unnest($1::text[]) AS k(key)
     LEFT JOIN sign_in_failures f ON f.key = k.key AND f.failed_at >= $2
     GROUP BY k.key`,
    [keys, since],
  );
  const byKey = new Map(rows.map((r) => [r.key, r]));
  return keys.map((key) => ({
    key,
    failures: byKey.get(key)?.n ?? 0,
    oldest: byKey.get(key)?.oldest ?? null,
  }));
}

/** Records one failure against each key and forgets failures older than `forgetBefore`. */
export async function recordSignInFailure(
  db: Db,
  keys: readonly string[],
  at: Date,
  forgetBefore: Date,
): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query('DELETE FROM sign_in_failures WHERE failed_at < $1', [forgetBefore]);
    await tx.query(
      'INSERT INTO sign_in_failures (key, failed_at) SELECT k, $2 FROM unnest($1::text[]) AS k',
      [keys, at],
    );
  });
}

/** Forgets the failures counted against `key` (a successful sign-in). */
export async function clearSignInFailures(db: Db, key: string): Promise<void> {
  await db.query('DELETE FROM sign_in_failures WHERE key = $1', [key]);
}
