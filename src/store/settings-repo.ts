/** Editable settings kept as JSON documents (`settings` table), validated by the engine. */
import { parseSegmentSettings, type SegmentSettings } from '../engine/index.js';
import type { Db } from './db.js';

const SEGMENTS_KEY = 'segments';

/** The stored segmentation settings, or the defaults. */
export async function loadSegmentSettings(db: Db): Promise<SegmentSettings> {
  const { rows } = await db.query<{ value: unknown }>('SELECT value FROM settings WHERE key = $1', [
    SEGMENTS_KEY,
  ]);
  return parseSegmentSettings(rows[0]?.value ?? null);
}

/**
 * Merges `patch` (a partial settings document) into the stored settings, validates the result
 * and stores it; returns it. Invalid input changes nothing.
 */
export async function updateSegmentSettings(db: Db, patch: unknown): Promise<SegmentSettings> {
  return db.transaction(async (tx) => {
    const current = await loadSegmentSettings(tx);
    const merged =
      typeof patch === 'object' && patch !== null && !Array.isArray(patch)
        ? { ...current, ...patch }
        : patch;
    const settings = parseSegmentSettings(merged);
    await tx.query(
      `INSERT INTO settings (key, value) VALUES ($1, $2)
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
      [SEGMENTS_KEY, JSON.stringify(settings)],
    );
    return settings;
  });
}
