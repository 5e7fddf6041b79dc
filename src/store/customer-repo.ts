/**
 * Customers through the API (issue 7 §2–4): list with search, filters, sorting and cursor
 * paging; read, create, update and erase one. Every function takes the `Actor`: an agent's
 * queries carry `owner_id = <their staff id>` in the SQL, an analyst's rows come back masked,
 * and each read of personal data or change is written to the audit log in the same transaction.
 */
import { ConflictError, InputError, NotFoundError } from '../errors.js';
import {
  type Actor,
  maskEmail,
  maskName,
  maskPhone,
  maskText,
  type Scope,
  scopeOf,
} from './access.js';
import { audit } from './audit-repo.js';
import { quoteIdent } from './copy-format.js';
import { CUSTOMER_COLUMNS } from './customer-columns.js';
import type { Db } from './db.js';
import { newId } from './user-repo.js';

export interface CustomerInput {
  name?: string | null;
  phones?: string[];
  emails?: string[];
  address?: string | null;
  province?: string | null;
  city?: string | null;
  gender?: 'male' | 'female' | 'other' | null;
  birthday?: string | null;
  industry?: string | null;
  channel?: string | null;
  acquiredAt?: Date | null;
  ownerId?: string | null;
  tags?: string[];
  attributes?: Record<string, unknown>;
  consent?: Record<string, boolean>;
}

export interface CurrentScores {
  asOf: string | null;
  stage: string | null;
  tier: string | null;
  clvMinor: number | null;
  churnRisk: number | null;
  warningLevel: string | null;
  rfmSegment: string | null;
}

export interface Customer {
  customerId: string;
  name: string | null;
  phones: string[];
  emails: string[];
  address: string | null;
  province: string | null;
  city: string | null;
  gender: string | null;
  birthday: string | null;
  industry: string | null;
  channel: string | null;
  acquiredAt: Date | null;
  ownerId: string | null;
  tags: string[];
  attributes: Record<string, unknown>;
  consent: Record<string, boolean>;
  isPlaceholder: boolean;
  createdAt: Date;
  updatedAt: Date;
  current: CurrentScores;
}

export interface CustomerRow {
  customer_id: string;
  name: string | null;
  phones: string[];
  emails: string[];
  address: string | null;
  province: string | null;
  city: string | null;
  gender: string | null;
  birthday: string | null;
  industry: string | null;
  channel: string | null;
  acquired_at: Date | null;
  owner_id: string | null;
  tags: string[];
  attributes: Record<string, unknown>;
  consent: Record<string, boolean>;
  is_placeholder: boolean;
  created_at: Date;
  updated_at: Date;
  as_of: string | null;
  stage: string | null;
  tier: string | null;
  clv_minor: number | null;
  churn_risk: number | null;
  warning_level: string | null;
  rfm_segment: string | null;
}

export function toCustomer(r: CustomerRow, scope: Scope): Customer {
  const m = scope.mask;
  return {
    customerId: r.customer_id,
    name: r.name === null ? null : m ? maskName(r.name) : r.name,
    phones: m ? r.phones.map(maskPhone) : r.phones,
    emails: m ? r.emails.map(maskEmail) : r.emails,
    address: m ? maskText(r.address) : r.address,
    province: r.province,
    city: r.city,
    gender: r.gender,
    // a birthday identifies a person; the analyst's age bands come from the dashboard
    birthday: m ? null : r.birthday,
    industry: r.industry,
    channel: r.channel,
    acquiredAt: r.acquired_at,
    ownerId: r.owner_id,
    tags: r.tags,
    attributes: m ? {} : r.attributes,
    consent: r.consent,
    isPlaceholder: r.is_placeholder,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    current: {
      asOf: r.as_of,
      stage: r.stage,
      tier: r.tier,
      clvMinor: r.clv_minor,
      churnRisk: r.churn_risk,
      warningLevel: r.warning_level,
      rfmSegment: r.rfm_segment,
    },
  };
}

// The customer with their latest score snapshot and current stage under the model $1.
export const SELECT_CUSTOMER = `
  SELECT c.customer_id, c.name, c.phones, c.emails, c.address, c.province, c.city, c.gender,
         c.birthday, c.industry, c.channel, c.acquired_at, c.owner_id, c.tags, c.attributes,
         c.consent, c.is_placeholder, c.created_at, c.updated_at,
         sc.as_of, st.to_stage AS stage, sc.tier, sc.clv_minor, sc.churn_risk, sc.warning_level,
         sc.rfm_segment
  FROM customers c
  LEFT JOIN LATERAL (SELECT s.as_of, s.tier, s.clv_minor, s.churn_risk, s.warning_level, s.rfm_segment
                     FROM score_snapshots s WHERE s.customer_id = c.customer_id
                     ORDER BY s.as_of DESC LIMIT 1) sc ON true
  LEFT JOIN LATERAL (SELECT h.to_stage FROM stage_history h
                     WHERE h.customer_id = c.customer_id AND h.model_id = $1
                     ORDER BY h.changed_at DESC LIMIT 1) st ON true`;

/**
 * The SQL condition that limits customers `c` to what an actor may see: not erased, and an
 * agent's own only. `ownOnly` and `ownerId` are SQL expressions for the scope's two values.
 */
export function scopeSql(ownOnly: string, ownerId: string): string {
  return `c.erased_at IS NULL AND (${ownOnly} = false OR c.owner_id = ${ownerId})`;
}

/** `scopeSql` with params $2 (own only) and $3 (owner). */
export const SCOPE_SQL = scopeSql('$2::boolean', '$3::text');

/** The administrative suffix of a province-level name (a constant: not user input). */
const PROVINCE_SUFFIX = '(省|市|(壮族|回族|维吾尔)?自治区|特别行政区)$';

export type CustomerSort = 'id' | 'name' | 'updated' | 'clv' | 'risk';

const SORTS: Record<CustomerSort, { expr: string; cast: string }> = {
  id: { expr: 'c.customer_id', cast: 'text' },
  name: { expr: "coalesce(c.name, '')", cast: 'text' },
  updated: { expr: 'c.updated_at', cast: 'timestamptz' },
  clv: { expr: 'coalesce(sc.clv_minor, -9007199254740991)', cast: 'bigint' },
  risk: { expr: 'coalesce(sc.churn_risk, -1)', cast: 'float8' },
};

export interface CustomerQuery {
  q?: string;
  stage?: string;
  tier?: string;
  segment?: string;
  risk?: string;
  rfm?: string;
  owner?: string;
  province?: string;
  city?: string;
  model: string;
  sort: CustomerSort;
  desc: boolean;
  limit: number;
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export function encodeCursor(values: unknown[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor(cursor: string, length: number): unknown[] {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === length) return v;
  } catch {
    // fall through
  }
  throw new InputError('cursor is not one this API returned', { field: 'cursor', value: cursor });
}

function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** The filters of the list and the export (the list adds `limit` and `cursor`). */
export type CustomerFilters = Omit<CustomerQuery, 'limit' | 'cursor'>;

/**
 * The list's SQL for `scope`: the filters, the keyset condition after `cursor`, the order, and a
 * LIMIT when `limit` is given. Each row carries its `sort_key` for the next cursor.
 */
function customerListSql(
  scope: Scope,
  query: CustomerFilters,
  page: { cursor?: string; limit?: number },
): { sql: string; params: unknown[] } {
  const sort = SORTS[query.sort];
  const params: unknown[] = [query.model, scope.ownOnly, scope.ownerId];
  const where = [SCOPE_SQL];
  const add = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  if (query.q) {
    const q = query.q.trim();
    if (scope.mask) {
      // A masked reader finds customers by id only: searching by phone would reveal it.
      where.push(`c.customer_id LIKE ${add(`${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)}`);
    } else {
      const p = add(likePattern(q));
      const exact = add(q);
      where.push(`(c.customer_id = ${exact} OR c.name ILIKE ${p}
        OR EXISTS (SELECT 1 FROM unnest(c.phones) ph WHERE ph LIKE ${p})
        OR EXISTS (SELECT 1 FROM unnest(c.emails) em WHERE em ILIKE ${p}))`);
    }
  }
  if (query.stage) where.push(`st.to_stage = ${add(query.stage)}`);
  if (query.tier) where.push(`sc.tier = ${add(query.tier)}`);
  if (query.risk) where.push(`sc.warning_level = ${add(query.risk)}`);
  if (query.rfm) where.push(`sc.rfm_segment = ${add(query.rfm)}`);
  if (query.owner) where.push(`c.owner_id = ${add(query.owner)}`);
  if (query.province) {
    // 广东 finds 广东省, and 广东省 finds a record saying 广东 (GB/T 2260 names: the short name
    // plus 省, 市, 自治区 with its qualifier, or 特别行政区)
    where.push(
      `regexp_replace(c.province, '${PROVINCE_SUFFIX}', '') = regexp_replace(${add(query.province.trim())}, '${PROVINCE_SUFFIX}', '')`,
    );
  }
  if (query.city) where.push(`c.city = ${add(query.city)}`);
  if (query.segment) {
    where.push(`EXISTS (SELECT 1 FROM segment_memberships m WHERE m.customer_id = c.customer_id
      AND m.segment_id = ${add(query.segment)} AND m.left_at IS NULL)`);
  }
  const cmp = query.desc ? '<' : '>';
  if (page.cursor) {
    const [k, id] = decodeCursor(page.cursor, 2);
    where.push(`(${sort.expr}, c.customer_id) ${cmp} (${add(k)}::${sort.cast}, ${add(id)}::text)`);
  }
  const dir = query.desc ? 'DESC' : 'ASC';
  const limit = page.limit === undefined ? '' : ` LIMIT ${add(page.limit)}`;
  return {
    sql: `SELECT * FROM (${SELECT_CUSTOMER.replace('SELECT c.customer_id', `SELECT ${sort.expr} AS sort_key, c.customer_id`)}
      WHERE ${where.join(' AND ')}
      ORDER BY ${sort.expr} ${dir}, c.customer_id ${dir}${limit}) page`,
    params,
  };
}

/** One page of the customers the actor may see. */
export async function listCustomers(
  db: Db,
  actor: Actor,
  query: CustomerQuery,
): Promise<Page<Customer>> {
  const scope = scopeOf(actor);
  const { sql, params } = customerListSql(scope, query, {
    cursor: query.cursor,
    limit: query.limit + 1,
  });
  const { rows } = await db.query<CustomerRow & { sort_key: unknown }>(sql, params);
  const more = rows.length > query.limit;
  const items = rows.slice(0, query.limit);
  const last = items[items.length - 1];
  const key = last?.sort_key instanceof Date ? last.sort_key.toISOString() : last?.sort_key;
  if (items.length > 0 && !scope.mask) {
    await audit(db, actor, 'customer.list', null, {
      customers: items.map((r) => r.customer_id),
    });
  }
  return {
    items: items.map((r) => toCustomer(r, scope)),
    nextCursor: more && last ? encodeCursor([key, last.customer_id]) : null,
  };
}

/**
 * Every customer the actor may see under `filters`, in the list's order, in batches of
 * `batchSize` read through one server-side cursor (flat memory for a million rows; one sort
 * instead of one per page). Rows are masked as in the list.
 *
 * Audited twice: `customer.export.start` (who, the filters, format and columns) is committed
 * before this resolves — so no personal data leaves before the read is on record, and a failed
 * audit write fails the request before anything is sent — and, when the consumer has taken the
 * last batch or stops early, `customer.export` with the rows read and whether it completed
 * (written after the cursor is closed: on the embedded database it holds the only connection).
 */
export async function startCustomerExport(
  db: Db,
  actor: Actor,
  filters: CustomerFilters,
  what: { format: string; columns: readonly string[] },
  batchSize = 1000,
): Promise<AsyncGenerator<Customer[]>> {
  await audit(db, actor, 'customer.export.start', null, {
    filters: askedFilters(filters),
    ...what,
    masked: scopeOf(actor).mask,
  });
  return exportCustomers(db, actor, filters, what, batchSize);
}

function askedFilters(filters: CustomerFilters): Record<string, unknown> {
  return Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== undefined && v !== ''));
}

async function* exportCustomers(
  db: Db,
  actor: Actor,
  filters: CustomerFilters,
  what: { format: string; columns: readonly string[] },
  batchSize = 1000,
): AsyncGenerator<Customer[]> {
  const scope = scopeOf(actor);
  const { sql, params } = customerListSql(scope, filters, {});
  let rows = 0;
  let complete = false;
  try {
    for await (const batch of db.stream<CustomerRow>(sql, params, batchSize)) {
      rows += batch.length;
      yield batch.map((r) => toCustomer(r, scope));
    }
    complete = true;
  } finally {
    await audit(db, actor, 'customer.export', null, {
      filters: askedFilters(filters),
      ...what,
      rows,
      complete,
      masked: scope.mask,
    });
  }
}

async function loadVisible(db: Db, actor: Actor, id: string, model: string, lock = false) {
  const scope = scopeOf(actor);
  const { rows } = await db.query<CustomerRow>(
    `${SELECT_CUSTOMER} WHERE ${SCOPE_SQL} AND c.customer_id = $4${lock ? ' FOR UPDATE OF c' : ''}`,
    [model, scope.ownOnly, scope.ownerId, id],
  );
  if (!rows[0]) {
    throw new NotFoundError(`customer "${id}" does not exist`, { field: 'customerId', value: id });
  }
  return rows[0];
}

/** One customer the actor may see (404 otherwise); the read is audited. */
export async function getCustomer(
  db: Db,
  actor: Actor,
  id: string,
  model = 'relationship',
): Promise<Customer> {
  const row = await loadVisible(db, actor, id, model);
  const scope = scopeOf(actor);
  if (!scope.mask) await audit(db, actor, 'customer.read', id);
  return toCustomer(row, scope);
}

/** Throws NotFoundError unless the actor may see customer `id`. */
export async function assertCustomerVisible(db: Db, actor: Actor, id: string): Promise<void> {
  const scope = scopeOf(actor);
  const { rows } = await db.query(
    `SELECT 1 FROM customers c WHERE ${SCOPE_SQL} AND c.customer_id = $1`,
    [id, scope.ownOnly, scope.ownerId],
  );
  if (rows.length === 0) {
    throw new NotFoundError(`customer "${id}" does not exist`, { field: 'customerId', value: id });
  }
}

/**
 * The names of customers `ids` the actor may see (others are left out), masked for an analyst;
 * an unmasked read is audited as a list read.
 */
export async function customerNames(
  db: Db,
  actor: Actor,
  ids: readonly string[],
): Promise<Map<string, string | null>> {
  if (ids.length === 0) return new Map();
  const scope = scopeOf(actor);
  const { rows } = await db.query<{ customer_id: string; name: string | null }>(
    `SELECT c.customer_id, c.name FROM customers c
     WHERE ${SCOPE_SQL} AND c.customer_id = ANY($1::text[])`,
    [ids, scope.ownOnly, scope.ownerId],
  );
  if (!scope.mask && rows.length > 0) {
    await audit(db, actor, 'customer.list', null, { customers: rows.map((r) => r.customer_id) });
  }
  return new Map(
    rows.map((r) => [
      r.customer_id,
      r.name === null ? null : scope.mask ? maskName(r.name) : r.name,
    ]),
  );
}

const FIELD_COLUMNS = (field: keyof CustomerInput): string => CUSTOMER_COLUMNS[field].column;

function columnValue(field: keyof CustomerInput, value: unknown): unknown {
  if (field === 'attributes' || field === 'consent') return JSON.stringify(value ?? {});
  return value ?? (field === 'phones' || field === 'emails' || field === 'tags' ? [] : null);
}

/** Creates a customer; an agent's new customer is theirs whatever `ownerId` says. */
export async function createCustomer(
  db: Db,
  actor: Actor,
  id: string | null,
  input: CustomerInput,
): Promise<Customer> {
  const customerId = id ?? newId('cus');
  const data: CustomerInput = { ...input };
  if (actor.role === 'agent') data.ownerId = actor.staffId;
  const fields = Object.keys(data).filter(
    (f) => data[f as keyof CustomerInput] !== undefined,
  ) as (keyof CustomerInput)[];
  return db.transaction(async (tx) => {
    const res = await tx.query(
      `INSERT INTO customers (customer_id${fields.map((f) => `, ${FIELD_COLUMNS(f)}`).join('')})
       VALUES ($1${fields.map((_, i) => `, $${i + 2}`).join('')})
       ON CONFLICT (customer_id) DO NOTHING`,
      [customerId, ...fields.map((f) => columnValue(f, data[f]))],
    );
    if (res.rowCount === 0) {
      throw new ConflictError(`customer "${customerId}" already exists`, {
        field: 'customerId',
        value: customerId,
      });
    }
    await audit(tx, actor, 'customer.create', customerId, { fields });
    return getCustomerUnaudited(tx, actor, customerId);
  });
}

async function getCustomerUnaudited(db: Db, actor: Actor, id: string): Promise<Customer> {
  return toCustomer(await loadVisible(db, actor, id, 'relationship'), scopeOf(actor));
}

/** Changes the given fields; the audit row names the fields changed (not their values). */
export async function updateCustomer(
  db: Db,
  actor: Actor,
  id: string,
  patch: CustomerInput,
): Promise<Customer> {
  return db.transaction(async (tx) => {
    await loadVisible(tx, actor, id, 'relationship', true);
    const data: CustomerInput = { ...patch };
    // An agent cannot hand a customer to someone else (they would lose it, and it is a manager's call).
    if (actor.role === 'agent' && data.ownerId !== undefined && data.ownerId !== actor.staffId) {
      throw new InputError('an agent cannot change a customer’s owner', {
        field: 'ownerId',
        value: data.ownerId,
      });
    }
    const fields = Object.keys(data).filter(
      (f) => data[f as keyof CustomerInput] !== undefined,
    ) as (keyof CustomerInput)[];
    if (fields.length > 0) {
      await tx.query(
        `UPDATE customers SET ${fields.map((f, i) => `${FIELD_COLUMNS(f)} = $${i + 2}`).join(', ')},
           is_placeholder = false, updated_at = now()
         WHERE customer_id = $1`,
        [id, ...fields.map((f) => columnValue(f, data[f]))],
      );
    }
    await audit(tx, actor, 'customer.update', id, { fields });
    return getCustomerUnaudited(tx, actor, id);
  });
}

/**
 * Right to erasure (issue 7 §3): the customer's personal data goes everywhere it is kept —
 * profile, interaction notes and outcomes, audit payloads, webhook payloads, demo truth — and
 * their id is replaced by a random pseudonym in every table, so their orders stay in the
 * aggregates without pointing at a person. Returns the pseudonym.
 */
export async function eraseCustomer(db: Db, actor: Actor, id: string): Promise<string> {
  return db.transaction(async (tx) => {
    await loadVisible(tx, actor, id, 'relationship', true);
    const pseudonym = newId('erased');
    await tx.query(
      `INSERT INTO customers (customer_id, is_placeholder, erased_at, created_at, updated_at)
       SELECT $2, false, now(), created_at, now() FROM customers WHERE customer_id = $1`,
      [id, pseudonym],
    );
    // Re-point every row that names the customer, then scrub free text.
    // Every table with a customer_id, including those later migrations add.
    const { rows: tables } = await tx.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.columns
       WHERE column_name = 'customer_id' AND table_schema = current_schema()
         AND table_name NOT IN ('customers', 'audit_log', 'demo_truth')
         AND table_name IN (SELECT table_name FROM information_schema.tables
                            WHERE table_schema = current_schema() AND table_type = 'BASE TABLE')
       ORDER BY table_name`,
    );
    for (const { table_name } of tables) {
      await tx.query(
        `UPDATE ${quoteIdent(table_name)} SET customer_id = $2 WHERE customer_id = $1`,
        [id, pseudonym],
      );
    }
    await tx.query('UPDATE interactions SET note = NULL, outcome = NULL WHERE customer_id = $1', [
      pseudonym,
    ]);
    await tx.query('UPDATE tasks SET outcome = NULL WHERE customer_id = $1', [pseudonym]);
    await tx.query(
      `UPDATE webhook_outbox SET payload = jsonb_build_object('erased', true) WHERE customer_id = $1`,
      [pseudonym],
    );
    await tx.query(
      `UPDATE webhook_deliveries SET status = 'dead', last_error = 'customer erased'
       WHERE status = 'pending' AND event_id IN (SELECT event_id FROM webhook_outbox WHERE customer_id = $1)`,
      [pseudonym],
    );
    await tx.query(
      `UPDATE audit_log SET customer_id = $2, details = jsonb_build_object('erased', true)
       WHERE customer_id = $1`,
      [id, pseudonym],
    );
    // List reads (customers, a campaign's contacts, tasks from the queue) name the customers
    // they returned in details.customers.
    await tx.query(
      `UPDATE audit_log SET details = jsonb_set(details, '{customers}',
         (SELECT coalesce(jsonb_agg(CASE WHEN v = to_jsonb($1::text) THEN to_jsonb($2::text) ELSE v END), '[]'::jsonb)
          FROM jsonb_array_elements(details->'customers') v))
       WHERE jsonb_typeof(details->'customers') = 'array' AND details->'customers' ? $1`,
      [id, pseudonym],
    );
    await tx.query('DELETE FROM demo_truth WHERE customer_id = $1', [id]);
    await tx.query('DELETE FROM customers WHERE customer_id = $1', [id]);
    await audit(tx, actor, 'customer.erase', pseudonym, {});
    return pseudonym;
  });
}

/** Owner ids with the most customers (the demo gives its agent user the first). */
export async function topOwners(
  db: Db,
  limit: number,
): Promise<{ ownerId: string; customers: number }[]> {
  const { rows } = await db.query<{ ownerId: string; customers: number }>(
    `SELECT owner_id AS "ownerId", count(*)::int AS customers FROM customers
     WHERE owner_id IS NOT NULL AND erased_at IS NULL GROUP BY owner_id ORDER BY 2 DESC, 1 LIMIT $1`,
    [limit],
  );
  return rows;
}
