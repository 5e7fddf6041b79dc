/**
 * Saved (dynamic) segments (issue 5 part 5): a name and a rule in the segment rule language
 * (src/engine/segments/segment-rule.ts), evaluated in the database as parameterised SQL over
 * one row per customer — profile fields, the score snapshot (value, RFM, tier, cluster, risk),
 * the current lifecycle stage and interaction aggregates, all as of the snapshot date.
 * Membership is kept with its history (joined_at / left_at) and daily counts.
 */
import { createHash } from 'node:crypto';
import {
  ARCHETYPES,
  DEFAULT_TIERS,
  parseSegmentRule,
  RFM_SEGMENTS,
  type RuleValue,
  type SegmentFieldType,
  type SegmentRule,
  validateSegmentRule,
} from '../engine/index.js';
import { ConflictError, InputError, NotFoundError } from '../errors.js';
import { type Actor, scopeOf } from './access.js';
import type { Db } from './db.js';
import { compileSegmentRule, type SegmentColumn } from './segment-sql.js';
import { listStageModels } from './stage-model-repo.js';

export interface SegmentField extends SegmentColumn {
  readonly zh: string;
  readonly en: string;
}

/**
 * The fields a rule may name (the whitelist): each is a column of the `segment_base` table
 * built below, so a rule can never reach another column or table.
 */
export const SEGMENT_FIELDS: Readonly<Record<string, SegmentField>> = Object.freeze({
  customer_id: { sql: 'b.customer_id', type: 'text', zh: '客户编号', en: 'customer id' },
  province: { sql: 'b.province', type: 'text', zh: '省份', en: 'province' },
  city: { sql: 'b.city', type: 'text', zh: '城市', en: 'city' },
  gender: { sql: 'b.gender', type: 'text', zh: '性别', en: 'gender (male, female, other)' },
  age: { sql: 'b.age', type: 'number', zh: '年龄', en: 'age in years' },
  industry: { sql: 'b.industry', type: 'text', zh: '行业', en: 'industry' },
  channel: { sql: 'b.channel', type: 'text', zh: '渠道', en: 'acquisition channel' },
  owner: { sql: 'b.owner', type: 'text', zh: '客户经理', en: 'owner (staff id)' },
  tags: { sql: 'b.tags', type: 'tags', zh: '标签', en: 'tags (use CONTAINS)' },
  acquired_on: { sql: 'b.acquired_on', type: 'date', zh: '获客日期', en: 'acquisition date' },
  stage: { sql: 'b.stage', type: 'text', zh: '生命周期阶段', en: 'lifecycle stage' },
  orders: { sql: 'b.orders', type: 'number', zh: '订单数', en: 'orders to date' },
  revenue: { sql: 'b.revenue', type: 'number', zh: '累计消费（元）', en: 'revenue to date (yuan)' },
  last_purchase: {
    sql: 'b.last_purchase',
    type: 'date',
    zh: '最近购买日期',
    en: 'last purchase date',
  },
  days_since_purchase: {
    sql: 'b.days_since_purchase',
    type: 'number',
    zh: '距上次购买天数',
    en: 'days since the last purchase',
  },
  tenure_days: {
    sql: 'b.tenure_days',
    type: 'number',
    zh: '客龄（天）',
    en: 'days since the first purchase',
  },
  p_alive: { sql: 'b.p_alive', type: 'number', zh: '存活概率', en: 'P(alive)' },
  expected_purchases: {
    sql: 'b.expected_purchases',
    type: 'number',
    zh: '预期购买次数',
    en: 'expected purchases in the horizon',
  },
  clv: { sql: 'b.clv', type: 'number', zh: '预测终身价值（元）', en: 'predicted CLV (yuan)' },
  churn_risk: { sql: 'b.churn_risk', type: 'number', zh: '流失风险', en: 'churn risk (0–1)' },
  warning_level: { sql: 'b.warning_level', type: 'text', zh: '预警级别', en: 'warning level' },
  rfm_r: { sql: 'b.rfm_r', type: 'number', zh: 'R 分', en: 'RFM recency score' },
  rfm_f: { sql: 'b.rfm_f', type: 'number', zh: 'F 分', en: 'RFM frequency score' },
  rfm_m: { sql: 'b.rfm_m', type: 'number', zh: 'M 分', en: 'RFM monetary score' },
  rfm_segment: { sql: 'b.rfm_segment', type: 'text', zh: 'RFM 分群', en: 'RFM segment' },
  tier: { sql: 'b.tier', type: 'text', zh: '价值层级', en: 'value tier' },
  cluster: { sql: 'b.cluster', type: 'text', zh: '聚类', en: 'cluster (C1, C2, …)' },
  archetype: { sql: 'b.archetype', type: 'text', zh: '聚类画像', en: 'cluster archetype' },
  complaints_30d: {
    sql: 'b.complaints_30d',
    type: 'number',
    zh: '30 天投诉数',
    en: 'complaints in 30 days',
  },
  complaints_90d: {
    sql: 'b.complaints_90d',
    type: 'number',
    zh: '90 天投诉数',
    en: 'complaints in 90 days',
  },
  interactions_90d: {
    sql: 'b.interactions_90d',
    type: 'number',
    zh: '90 天互动数',
    en: 'interactions in 90 days',
  },
  days_since_complaint: {
    sql: 'b.days_since_complaint',
    type: 'number',
    zh: '距上次投诉天数',
    en: 'days since the last complaint',
  },
  days_since_contact: {
    sql: 'b.days_since_contact',
    type: 'number',
    zh: '距上次接触天数',
    en: 'days since the last interaction',
  },
});

const FIELD_TYPES: Record<string, SegmentFieldType> = Object.fromEntries(
  Object.entries(SEGMENT_FIELDS).map(([k, f]) => [k, f.type]),
);

export interface SegmentFieldInfo {
  name: string;
  type: SegmentFieldType;
  zh: string;
  en: string;
  /** the codes a coded field takes (stage codes of the active model, tiers, RFM segments…) */
  values?: string[];
}

/** The rule builder's field list: every whitelisted field, with the values of coded ones. */
export async function segmentFieldList(db: Db): Promise<SegmentFieldInfo[]> {
  const active = await activeStageModel(db);
  const model = (await listStageModels(db)).find((m) => m.model.key === active)?.model;
  const values: Record<string, string[]> = {
    stage: model ? model.stages.map((s) => s.code) : [],
    tier: DEFAULT_TIERS.map((t) => t.key),
    rfm_segment: RFM_SEGMENTS.map((r) => r.key),
    archetype: Object.keys(ARCHETYPES),
    warning_level: ['red', 'orange', 'yellow'],
    gender: ['male', 'female', 'other'],
  };
  return Object.entries(SEGMENT_FIELDS).map(([name, f]) => ({
    name,
    type: f.type,
    zh: f.zh,
    en: f.en,
    ...(values[name]?.length ? { values: values[name] } : {}),
  }));
}

/** Names a user may write for coded values (`stage = '退化期'`, `tier = '铂金'`) → the stored code. */
async function valueAliases(db: Db): Promise<Map<string, Map<string, string>>> {
  const aliases = new Map<string, Map<string, string>>();
  const add = (field: string, code: string, ...names: string[]) => {
    const m = aliases.get(field) ?? new Map<string, string>();
    aliases.set(field, m);
    for (const name of names) if (!m.has(name.toLowerCase())) m.set(name.toLowerCase(), code);
  };
  for (const { model } of await listStageModels(db)) {
    for (const s of model.stages) add('stage', s.code, s.name.zh, s.name.en);
  }
  for (const t of DEFAULT_TIERS) add('tier', t.key, t.zh, t.en);
  for (const s of RFM_SEGMENTS) add('rfm_segment', s.key, s.zh, s.en);
  for (const [key, a] of Object.entries(ARCHETYPES)) add('archetype', key, a.zh, a.en);
  return aliases;
}

/** The rule with coded fields' display names replaced by their codes. */
function resolveAliases(rule: SegmentRule, aliases: Map<string, Map<string, string>>): SegmentRule {
  const map = (field: string, v: RuleValue): RuleValue =>
    typeof v === 'string' ? (aliases.get(field)?.get(v.toLowerCase()) ?? v) : v;
  switch (rule.kind) {
    case 'and':
    case 'or':
      return {
        ...rule,
        left: resolveAliases(rule.left, aliases),
        right: resolveAliases(rule.right, aliases),
      };
    case 'not':
      return { ...rule, operand: resolveAliases(rule.operand, aliases) };
    case 'compare':
    case 'contains':
      return { ...rule, value: map(rule.field, rule.value) };
    case 'in':
      return { ...rule, values: rule.values.map((v) => map(rule.field, v)) };
    case 'between':
      return { ...rule, low: map(rule.field, rule.low), high: map(rule.field, rule.high) };
    default:
      return rule;
  }
}

/** Parses and checks a rule against the whitelist; errors point at line and column. */
export function checkRuleText(text: string): SegmentRule {
  const rule = parseSegmentRule(text);
  validateSegmentRule(rule, FIELD_TYPES);
  return rule;
}

async function activeStageModel(db: Db): Promise<string> {
  const { rows } = await db.query<{ model_id: string }>(
    `SELECT model_id FROM stage_models WHERE enabled ORDER BY is_active DESC, model_id LIMIT 1`,
  );
  return rows[0]?.model_id ?? 'relationship';
}

/** The latest score snapshot date, or null when there is none. */
export async function latestSnapshotDate(db: Db): Promise<string | null> {
  const { rows } = await db.query<{ d: string | null }>(
    'SELECT max(as_of) AS d FROM score_snapshots',
  );
  return rows[0].d;
}

/**
 * Builds `segment_base` (one row per customer, every whitelisted field, as of `asOf`) as a
 * temporary table dropped at the end of the transaction `tx`.
 */
async function buildSegmentBase(
  tx: Db,
  asOf: string,
  only: readonly string[] | null = null,
): Promise<void> {
  const model = await activeStageModel(tx);
  await tx.exec(`DROP TABLE IF EXISTS segment_base;
    CREATE TEMP TABLE segment_base (
      customer_id text COLLATE "C", province text, city text, gender text, age integer,
      industry text, channel text, owner text, tags text[], acquired_on date, stage text,
      orders integer, revenue numeric, last_purchase date, days_since_purchase integer,
      tenure_days integer, p_alive double precision, expected_purchases double precision,
      clv numeric, churn_risk double precision, warning_level text, rfm_r smallint,
      rfm_f smallint, rfm_m smallint, rfm_segment text, tier text, cluster text, archetype text,
      complaints_30d integer, complaints_90d integer, interactions_90d integer,
      days_since_complaint integer, days_since_contact integer) ON COMMIT DROP`);
  await tx.query(
    `INSERT INTO segment_base
     SELECT c.customer_id, c.province, c.city, c.gender,
            CASE WHEN c.birthday IS NULL THEN NULL
                 ELSE extract(year FROM age($1::date, c.birthday))::int END,
            c.industry, c.channel, c.owner_id, c.tags,
            (c.acquired_at AT TIME ZONE 'UTC')::date,
            st.to_stage,
            coalesce((s.historical->>'orders')::int, 0),
            coalesce((s.historical->>'revenueMinor')::numeric, 0) / 100,
            (s.historical->>'lastPurchase')::date,
            (s.historical->>'daysSinceLastPurchase')::int,
            (s.historical->>'tenureDays')::int,
            s.p_alive, s.expected_purchases, s.clv_minor / 100.0, s.churn_risk, s.warning_level,
            s.rfm_r, s.rfm_f, s.rfm_m, s.rfm_segment, s.tier, s.cluster, s.archetype,
            coalesce(i.complaints_30d, 0), coalesce(i.complaints_90d, 0),
            coalesce(i.interactions_90d, 0),
            $1::date - i.last_complaint, $1::date - i.last_contact
     FROM customers c
     LEFT JOIN score_snapshots s ON s.customer_id = c.customer_id AND s.as_of = $1::date
     LEFT JOIN (SELECT DISTINCT ON (customer_id) customer_id, to_stage
                FROM stage_history
                WHERE model_id = $2 AND changed_at <= $3
                  AND ($5::text[] IS NULL OR customer_id = ANY($5::text[]))
                ORDER BY customer_id, changed_at DESC) st ON st.customer_id = c.customer_id
     LEFT JOIN (SELECT customer_id,
                       count(*) FILTER (WHERE type = 'complaint'
                                          AND occurred_at >= $4::timestamptz - interval '30 days') AS complaints_30d,
                       count(*) FILTER (WHERE type = 'complaint'
                                          AND occurred_at >= $4::timestamptz - interval '90 days') AS complaints_90d,
                       count(*) FILTER (WHERE occurred_at >= $4::timestamptz - interval '90 days') AS interactions_90d,
                       (max(occurred_at) FILTER (WHERE type = 'complaint') AT TIME ZONE 'UTC')::date AS last_complaint,
                       (max(occurred_at) AT TIME ZONE 'UTC')::date AS last_contact
                FROM interactions WHERE occurred_at < $4
                  AND ($5::text[] IS NULL OR customer_id = ANY($5::text[]))
                GROUP BY customer_id) i ON i.customer_id = c.customer_id
     WHERE c.erased_at IS NULL AND ($5::text[] IS NULL OR c.customer_id = ANY($5::text[]))`,
    [
      asOf,
      model,
      new Date(`${asOf}T00:00:00Z`),
      new Date(Date.parse(`${asOf}T00:00:00Z`) + 86_400_000),
      only,
    ],
  );
  // autovacuum never analyses temporary tables; the planner needs the row count for the joins
  await tx.exec('ANALYZE segment_base');
}

export interface SegmentInfo {
  segmentId: string;
  name: string;
  rule: string;
  description: string | null;
  members: number;
  refreshedAt: string | null;
  createdAt: string;
}

interface SegmentRow {
  segment_id: string;
  name: string;
  rule: string | null;
  description: string | null;
  refreshed_at: Date | null;
  created_at: Date;
  members: number;
}

const toInfo = (r: SegmentRow): SegmentInfo => ({
  segmentId: r.segment_id,
  name: r.name,
  rule: r.rule ?? '',
  description: r.description,
  members: r.members,
  refreshedAt: r.refreshed_at ? r.refreshed_at.toISOString() : null,
  createdAt: r.created_at.toISOString(),
});

const SEGMENT_SELECT = `SELECT s.segment_id, s.name, s.rule, s.description, s.refreshed_at, s.created_at,
         (SELECT count(*)::int FROM segment_memberships m
          WHERE m.segment_id = s.segment_id AND m.left_at IS NULL) AS members
  FROM segments s`;

/** Every saved rule segment with its current member count, by name. */
export async function listSegments(db: Db): Promise<SegmentInfo[]> {
  const { rows } = await db.query<SegmentRow>(
    `${SEGMENT_SELECT} WHERE s.kind = 'rule' ORDER BY s.name`,
  );
  return rows.map(toInfo);
}

/** A segment by id or by name. */
export async function getSegment(db: Db, idOrName: string): Promise<SegmentInfo> {
  const { rows } = await db.query<SegmentRow>(
    `${SEGMENT_SELECT} WHERE s.kind = 'rule' AND (s.segment_id = $1 OR s.name = $1)`,
    [idOrName],
  );
  if (rows.length === 0) {
    throw new NotFoundError(`no segment "${idOrName}"`, { field: 'segment', value: idOrName });
  }
  return toInfo(rows[0]);
}

/** The id of a segment: derived from its name, so creating the same segment twice is one segment. */
function segmentIdFor(name: string): string {
  return `seg_${createHash('sha256').update(name).digest('hex').slice(0, 12)}`;
}

/**
 * Saves a rule segment and computes its members as of the latest snapshot. Creating a segment
 * that exists with the same rule returns it unchanged; the same name with another rule is a
 * conflict (use `updateSegment`).
 */
export async function createSegment(
  db: Db,
  input: { name: string; rule: string; description?: string | null },
): Promise<{ segment: SegmentInfo; created: boolean; refresh: RefreshResult | null }> {
  const name = input.name.trim();
  if (name === '' || name.length > 200) {
    throw new InputError('segment name: expected 1–200 characters', {
      field: 'name',
      value: input.name,
    });
  }
  checkRuleText(input.rule);
  return db.transaction(async (tx) => {
    const existing = await tx.query<{ segment_id: string; rule: string | null }>(
      `SELECT segment_id, rule FROM segments WHERE name = $1`,
      [name],
    );
    if (existing.rows.length > 0) {
      if (existing.rows[0].rule === input.rule) {
        return {
          segment: await getSegment(tx, existing.rows[0].segment_id),
          created: false,
          refresh: null,
        };
      }
      throw new ConflictError(`a segment named "${name}" already exists with another rule`, {
        field: 'name',
        value: name,
      });
    }
    const id = segmentIdFor(name);
    await tx.query(
      `INSERT INTO segments (segment_id, name, kind, definition, rule, description)
       VALUES ($1, $2, 'rule', $3, $4, $5)`,
      [id, name, JSON.stringify({ rule: input.rule }), input.rule, input.description ?? null],
    );
    const asOf = (await latestSnapshotDate(tx)) ?? new Date().toISOString().slice(0, 10);
    const [refresh] = await refreshSegments(tx, { asOf, segmentIds: [id] });
    return { segment: await getSegment(tx, id), created: true, refresh };
  });
}

/** Changes a segment's rule (and so its members from the next refresh, which runs now). */
export async function updateSegment(
  db: Db,
  idOrName: string,
  patch: { name?: string; rule?: string; description?: string | null },
): Promise<SegmentInfo> {
  if (patch.rule !== undefined) checkRuleText(patch.rule);
  return db.transaction(async (tx) => {
    const seg = await getSegment(tx, idOrName);
    await tx.query(
      `UPDATE segments SET name = coalesce($2, name), rule = coalesce($3, rule),
              definition = CASE WHEN $3::text IS NULL THEN definition ELSE jsonb_build_object('rule', $3::text) END,
              description = CASE WHEN $4 THEN $5 ELSE description END, updated_at = now()
       WHERE segment_id = $1`,
      [
        seg.segmentId,
        patch.name ?? null,
        patch.rule ?? null,
        'description' in patch,
        patch.description ?? null,
      ],
    );
    if (patch.rule !== undefined) {
      const asOf = (await latestSnapshotDate(tx)) ?? new Date().toISOString().slice(0, 10);
      await refreshSegments(tx, { asOf, segmentIds: [seg.segmentId] });
    }
    return getSegment(tx, seg.segmentId);
  });
}

/** Deletes a segment with its membership history. */
export async function deleteSegment(db: Db, idOrName: string): Promise<void> {
  await db.transaction(async (tx) => {
    const seg = await getSegment(tx, idOrName);
    await tx.query('DELETE FROM segment_memberships WHERE segment_id = $1', [seg.segmentId]);
    await tx.query('DELETE FROM segments WHERE segment_id = $1', [seg.segmentId]);
  });
}

export interface RefreshResult {
  segmentId: string;
  name: string;
  asOf: string;
  members: number;
  joined: number;
  left: number;
  /** set when the segment was not refreshed, with the reason */
  skipped?: string;
}

/**
 * Recomputes the members of the saved segments (all, or `segmentIds`) as of `asOf` and records
 * who joined and who left. A segment already refreshed for a later date is left as it is (its
 * history must not run backwards).
 */
export async function refreshSegments(
  db: Db,
  options: {
    asOf: string;
    segmentIds?: readonly string[];
    /** re-evaluate only these customers (after events); the others keep their membership */
    customerIds?: readonly string[];
  },
): Promise<RefreshResult[]> {
  const { asOf } = options;
  const only = options.customerIds ?? null;
  return db.transaction(async (tx) => {
    const { rows: segs } = await tx.query<{
      segment_id: string;
      name: string;
      rule: string;
      last: string | null;
    }>(
      `SELECT s.segment_id, s.name, s.rule,
              (SELECT max(as_of) FROM segment_counts k WHERE k.segment_id = s.segment_id) AS last
       FROM segments s
       WHERE s.kind = 'rule' AND s.rule IS NOT NULL
         AND ($1::text[] IS NULL OR s.segment_id = ANY($1::text[]))
       ORDER BY s.name`,
      [options.segmentIds ?? null],
    );
    if (segs.length === 0) return [];
    await buildSegmentBase(tx, asOf, only);
    const aliases = await valueAliases(tx);
    const at = new Date(`${asOf}T00:00:00Z`);
    const out: RefreshResult[] = [];
    await tx.exec(
      'DROP TABLE IF EXISTS segment_now; CREATE TEMP TABLE segment_now (customer_id text COLLATE "C") ON COMMIT DROP',
    );
    for (const s of segs) {
      if (s.last !== null && s.last > asOf) {
        out.push({
          segmentId: s.segment_id,
          name: s.name,
          asOf,
          members: 0,
          joined: 0,
          left: 0,
          skipped: `already refreshed for ${s.last}, a later date`,
        });
        continue;
      }
      const rule = resolveAliases(checkRuleText(s.rule), aliases);
      const compiled = compileSegmentRule(rule, SEGMENT_FIELDS, 1);
      await tx.exec('TRUNCATE segment_now');
      await tx.query(
        `INSERT INTO segment_now SELECT b.customer_id FROM segment_base b WHERE ${compiled.where}`,
        compiled.params,
      );
      await tx.exec('ANALYZE segment_now');
      const left = await tx.query(
        `UPDATE segment_memberships m SET left_at = $2
         WHERE m.segment_id = $1 AND m.left_at IS NULL
           AND ($3::text[] IS NULL OR m.customer_id = ANY($3::text[]))
           AND NOT EXISTS (SELECT 1 FROM segment_now n WHERE n.customer_id = m.customer_id)`,
        [s.segment_id, at, only],
      );
      const joined = await tx.query(
        `INSERT INTO segment_memberships (customer_id, segment_id, joined_at)
         SELECT n.customer_id, $1, $2 FROM segment_now n
         WHERE NOT EXISTS (SELECT 1 FROM segment_memberships m
                           WHERE m.segment_id = $1 AND m.customer_id = n.customer_id AND m.left_at IS NULL)
         ON CONFLICT (customer_id, segment_id, joined_at) DO UPDATE SET left_at = NULL`,
        [s.segment_id, at],
      );
      const { rows: cnt } = await tx.query<{ n: number }>(
        only === null
          ? 'SELECT count(*)::int AS n FROM segment_now'
          : 'SELECT count(*)::int AS n FROM segment_memberships WHERE segment_id = $1 AND left_at IS NULL',
        only === null ? [] : [s.segment_id],
      );
      await tx.query(
        `INSERT INTO segment_counts (segment_id, as_of, members, joined, left_count)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (segment_id, as_of) DO UPDATE
           SET members = EXCLUDED.members,
               joined = segment_counts.joined + EXCLUDED.joined,
               left_count = segment_counts.left_count + EXCLUDED.left_count,
               refreshed_at = now()`,
        [s.segment_id, asOf, cnt[0].n, joined.rowCount, left.rowCount],
      );
      await tx.query('UPDATE segments SET refreshed_at = now() WHERE segment_id = $1', [
        s.segment_id,
      ]);
      out.push({
        segmentId: s.segment_id,
        name: s.name,
        asOf,
        members: cnt[0].n,
        joined: joined.rowCount,
        left: left.rowCount,
      });
    }
    return out;
  });
}

/**
 * How many customers a rule would select as of the latest snapshot, without saving anything
 * (the rule builder's live count).
 */
export async function countRuleMatches(
  db: Db,
  actor: Actor,
  ruleText: string,
  asOf?: string,
): Promise<{ asOf: string; customers: number; total: number }> {
  const parsed = checkRuleText(ruleText);
  // An agent counts among their own customers only (as every list they see), others the base.
  const scope = scopeOf(actor);
  return db.transaction(async (tx) => {
    const date = asOf ?? (await latestSnapshotDate(tx)) ?? new Date().toISOString().slice(0, 10);
    await buildSegmentBase(tx, date);
    const rule = resolveAliases(parsed, await valueAliases(tx));
    const compiled = compileSegmentRule(rule, SEGMENT_FIELDS, 2);
    const { rows } = await tx.query<{ n: number; total: number }>(
      `SELECT count(*) FILTER (WHERE ${compiled.where})::int AS n, count(*)::int AS total
       FROM segment_base b WHERE ($1::text IS NULL OR b.owner = $1::text)`,
      [scope.ownOnly ? (scope.ownerId ?? '') : null, ...compiled.params],
    );
    await tx.exec('DROP TABLE segment_base');
    return { asOf: date, customers: rows[0].n, total: rows[0].total };
  });
}

export interface SegmentMember {
  customerId: string;
  name: string | null;
  phone: string | null;
  email: string | null;
  province: string | null;
  city: string | null;
  owner: string | null;
  joinedAt: string;
}

/** The current members of a segment, by customer id, in pages (streamed for export). */
export async function* segmentMembers(
  db: Db,
  segmentId: string,
  batchSize = 5_000,
): AsyncIterable<SegmentMember[]> {
  for await (const batch of db.stream<{
    customer_id: string;
    name: string | null;
    phones: string[];
    emails: string[];
    province: string | null;
    city: string | null;
    owner_id: string | null;
    joined_at: Date;
  }>(
    `SELECT m.customer_id, c.name, c.phones, c.emails, c.province, c.city, c.owner_id, m.joined_at
     FROM segment_memberships m JOIN customers c ON c.customer_id = m.customer_id
     WHERE m.segment_id = $1 AND m.left_at IS NULL
     ORDER BY m.customer_id`,
    [segmentId],
    batchSize,
  )) {
    yield batch.map((r) => ({
      customerId: r.customer_id,
      name: r.name,
      phone: r.phones[0] ?? null,
      email: r.emails[0] ?? null,
      province: r.province,
      city: r.city,
      owner: r.owner_id,
      joinedAt: r.joined_at.toISOString(),
    }));
  }
}

/** Members per refresh date, with the joins and leaves of each. */
export async function segmentHistory(
  db: Db,
  segmentId: string,
): Promise<{ asOf: string; members: number; joined: number; left: number }[]> {
  const { rows } = await db.query<{
    as_of: string;
    members: number;
    joined: number;
    left_count: number;
  }>(
    'SELECT as_of, members, joined, left_count FROM segment_counts WHERE segment_id = $1 ORDER BY as_of',
    [segmentId],
  );
  return rows.map((r) => ({
    asOf: r.as_of,
    members: r.members,
    joined: r.joined,
    left: r.left_count,
  }));
}

/** The saved segments one customer belongs to now. */
export async function customerSegments(
  db: Db,
  customerId: string,
): Promise<{ segmentId: string; name: string; joinedAt: string }[]> {
  const { rows } = await db.query<{ segment_id: string; name: string; joined_at: Date }>(
    `SELECT s.segment_id, s.name, m.joined_at FROM segment_memberships m
     JOIN segments s ON s.segment_id = m.segment_id
     WHERE m.customer_id = $1 AND m.left_at IS NULL ORDER BY s.name`,
    [customerId],
  );
  return rows.map((r) => ({
    segmentId: r.segment_id,
    name: r.name,
    joinedAt: r.joined_at.toISOString(),
  }));
}

/**
 * The current saved-segment memberships of some customers, keyed `segmentId \0 customerId`
 * (the event worker compares them before and after an incremental refresh).
 */
export async function openMemberships(
  db: Db,
  customerIds: readonly string[],
): Promise<Map<string, { segmentId: string; name: string; customerId: string }>> {
  const { rows } = await db.query<{ segment_id: string; name: string; customer_id: string }>(
    `SELECT m.segment_id, s.name, m.customer_id FROM segment_memberships m
     JOIN segments s ON s.segment_id = m.segment_id
     WHERE m.customer_id = ANY($1::text[]) AND m.left_at IS NULL`,
    [[...customerIds]],
  );
  return new Map(
    rows.map((r) => [
      `${r.segment_id}\u0000${r.customer_id}`,
      { segmentId: r.segment_id, name: r.name, customerId: r.customer_id },
    ]),
  );
}
