/**
 * Stage models as data (issue 4 §1): the definitions a business evaluates, stored in
 * `stage_models` (definition jsonb, version, enabled). They start as the engine's presets —
 * the relationship model, and the telecom model once the business has subscriptions — and are
 * edited by changing thresholds, which makes a new version. History rows carry the version
 * that wrote them, so earlier history stays as it was.
 */
import {
  type Playbook,
  PRESET_MODELS,
  PRESET_PLAYBOOKS,
  STAGE_THRESHOLDS,
  type StageModel,
  type StageThresholdName,
  validatePlaybook,
  validateStageModel,
  withThresholds,
} from '../engine/index.js';
import { InputError, NotFoundError } from '../errors.js';
import type { Db } from './db.js';

interface Row {
  model_id: string;
  version: number;
  definition: unknown;
  enabled: boolean;
  playbook?: unknown;
}

/** Seeds the presets the business needs the first time; never overwrites edited models. */
async function ensureSeeded(db: Db): Promise<void> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM subscriptions');
  const wanted = ['relationship', ...(rows[0].n > 0 ? ['telecom'] : [])];
  for (const key of wanted) {
    const model = PRESET_MODELS[key];
    await db.query(
      `INSERT INTO stage_models (model_id, version, definition, enabled, is_active, playbook)
       VALUES ($1, $2, $3, true, $4, $5) ON CONFLICT (model_id) DO NOTHING`,
      [
        key,
        model.version,
        JSON.stringify(model),
        key === 'relationship',
        JSON.stringify(PRESET_PLAYBOOKS[key] ?? null),
      ],
    );
  }
}

/** Every stored model (seeding the presets on first use), enabled or not. */
export async function listStageModels(
  db: Db,
): Promise<{ model: StageModel; enabled: boolean; playbook: Playbook | null }[]> {
  await ensureSeeded(db);
  const { rows } = await db.query<Row>(
    'SELECT model_id, version, definition, enabled, playbook FROM stage_models ORDER BY model_id',
  );
  return rows.map((r) => {
    const model = validateStageModel(r.definition, `stage_models.${r.model_id}`);
    const stored = r.playbook ?? PRESET_PLAYBOOKS[r.model_id] ?? null;
    return {
      model,
      enabled: r.enabled,
      playbook: stored
        ? validatePlaybook(model, stored, `stage_models.${r.model_id}.playbook`)
        : null,
    };
  });
}

/** Replaces a model's playbook after validating it against the model's stages. */
export async function setStagePlaybook(db: Db, key: string, input: unknown): Promise<Playbook> {
  return db.transaction(async (tx) => {
    const models = await listStageModels(tx);
    const found = models.find((m) => m.model.key === key);
    if (!found) throw new NotFoundError(`no stage model "${key}"`, { field: 'model', value: key });
    const playbook = validatePlaybook(found.model, input, `playbooks.${key}`);
    await tx.query(
      'UPDATE stage_models SET playbook = $2, updated_at = now() WHERE model_id = $1',
      [key, JSON.stringify(playbook)],
    );
    return playbook;
  });
}

/** The models `tenure analyze` evaluates. */
export async function enabledStageModels(db: Db): Promise<StageModel[]> {
  return (await listStageModels(db)).filter((m) => m.enabled).map((m) => m.model);
}

/** Parses `name=value` settings into thresholds, naming the bad one. */
export function parseThresholdSettings(
  settings: readonly string[],
): Partial<Record<StageThresholdName, number>> {
  const out: Partial<Record<StageThresholdName, number>> = {};
  for (const s of settings) {
    const eq = s.indexOf('=');
    const name = s.slice(0, eq).trim();
    const value = Number(s.slice(eq + 1));
    if (eq <= 0 || !(name in STAGE_THRESHOLDS)) {
      throw new InputError(
        `unknown threshold "${eq <= 0 ? s : name}"; known: ${Object.keys(STAGE_THRESHOLDS).join(', ')}`,
        { field: 'threshold', value: s },
      );
    }
    if (!Number.isFinite(value)) {
      throw new InputError(`${name}: expected a number, got "${s.slice(eq + 1)}"`, {
        field: name,
        value: s.slice(eq + 1),
      });
    }
    out[name as StageThresholdName] = value;
  }
  return out;
}

/** Changes thresholds of a stored model: validated, saved as the next version. */
export async function setStageThresholds(
  db: Db,
  key: string,
  changes: Partial<Record<StageThresholdName, number>>,
): Promise<StageModel> {
  return db.transaction(async (tx) => {
    await ensureSeeded(tx);
    const { rows } = await tx.query<Row>(
      'SELECT model_id, version, definition, enabled FROM stage_models WHERE model_id = $1 FOR UPDATE',
      [key],
    );
    if (rows.length === 0) {
      const preset = PRESET_MODELS[key];
      if (!preset)
        throw new NotFoundError(`no stage model "${key}"`, { field: 'model', value: key });
      await tx.query(
        'INSERT INTO stage_models (model_id, version, definition, enabled) VALUES ($1, $2, $3, true)',
        [key, preset.version, JSON.stringify(preset)],
      );
      rows.push({ model_id: key, version: preset.version, definition: preset, enabled: true });
    }
    const current = validateStageModel(rows[0].definition, `stage_models.${key}`);
    const next = withThresholds(current, changes, `stage_models.${key}.thresholds`);
    await tx.query(
      `UPDATE stage_models SET version = $2, definition = $3, updated_at = now() WHERE model_id = $1`,
      [key, next.version, JSON.stringify(next)],
    );
    return next;
  });
}

/** Turns a stored model on or off for `tenure analyze` (its history stays). */
export async function setStageModelEnabled(db: Db, key: string, enabled: boolean): Promise<void> {
  await ensureSeeded(db);
  const preset = PRESET_MODELS[key];
  if (preset) {
    await db.query(
      `INSERT INTO stage_models (model_id, version, definition, enabled) VALUES ($1, $2, $3, $4)
       ON CONFLICT (model_id) DO UPDATE SET enabled = EXCLUDED.enabled, updated_at = now()`,
      [key, preset.version, JSON.stringify(preset), enabled],
    );
    return;
  }
  const res = await db.query('UPDATE stage_models SET enabled = $2 WHERE model_id = $1', [
    key,
    enabled,
  ]);
  if (res.rowCount === 0)
    throw new NotFoundError(`no stage model "${key}"`, { field: 'model', value: key });
}
