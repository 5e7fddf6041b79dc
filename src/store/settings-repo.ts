/** Editable settings kept as JSON documents (`settings` table), validated by the engine. */
import { parseSegmentSettings, type SegmentSettings } from '../engine/index.js';
import type { Db } from './db.js';

/** The stored document under `key` parsed (the parser supplies the defaults for null). */
export async function loadSetting<T>(db: Db, key: string, parse: (v: unknown) => T): Promise<T> {
  const { rows } = await db.query<{ value: unknown }>('SELECT value FROM settings WHERE key = $1', [
    key,
  ]);
  return parse(rows[0]?.value ?? null);
}

/**
 * Merges `patch` (a partial document) into the stored one under `key`, validates the result
 * with `parse` and stores it; returns it. Invalid input changes nothing.
 */
export async function updateSetting<T>(
  db: Db,
  key: string,
  patch: unknown,
  parse: (v: unknown) => T,
): Promise<T> {
  return db.transaction(async (tx) => {
    const current = await loadSetting(tx, key, parse);
    const merged =
      typeof patch === 'object' && patch !== null && !Array.isArray(patch)
        ? { ...current, ...patch }
        : patch;
    const value = parse(merged);
    await tx.query(
      `INSERT INTO settings (key, value) VALUES ($1, $2)
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
      [key, JSON.stringify(value)],
    );
    return value;
  });
}

const SEGMENTS_KEY = 'segments';

/** The stored segmentation settings, or the defaults. */
export function loadSegmentSettings(db: Db): Promise<SegmentSettings> {
  return loadSetting(db, SEGMENTS_KEY, parseSegmentSettings);
}

/** Merges `patch` into the segmentation settings (see `updateSetting`). */
export function updateSegmentSettings(db: Db, patch: unknown): Promise<SegmentSettings> {
  return updateSetting(db, SEGMENTS_KEY, patch, parseSegmentSettings);
}
