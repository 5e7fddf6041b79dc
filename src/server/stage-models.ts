/**
 * The stored stage models and playbooks, read once per few seconds rather than on every customer
 * 360 (listStageModels seeds presets and validates each definition). Edits through the API
 * clear the cache at once; edits from the CLI show within `TTL_MS`.
 */
import type { Playbook, StageModel } from '../engine/index.js';
import type { Db } from '../store/db.js';
import { listStageModels } from '../store/stage-model-repo.js';

const TTL_MS = 5_000;

type Stored = { model: StageModel; enabled: boolean; playbook: Playbook | null }[];
const cache = new WeakMap<Db, { at: number; value: Promise<Stored> }>();

export function storedStageModels(db: Db): Promise<Stored> {
  const hit = cache.get(db);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.value;
  const value = listStageModels(db);
  cache.set(db, { at: Date.now(), value });
  value.catch(() => cache.delete(db));
  return value;
}

export function forgetStageModels(db: Db): void {
  cache.delete(db);
}
