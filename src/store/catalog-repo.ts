/**
 * Products, orders, interactions and tasks through the API (issue 7 §4). Orders, interactions
 * and tasks are customers' data: the caller's scope is joined in (an agent sees those of their
 * own customers; an analyst sees interaction notes masked).
 */
import { randomUUID } from 'node:crypto';
import { NotFoundError } from '../errors.js';
import { type Actor, maskName, maskText, scopeOf } from './access.js';
import { audit } from './audit-repo.js';
import { decodeCursor, encodeCursor, type Page } from './customer-repo.js';
import type { Db } from './db.js';

export interface Product {
  sku: string;
  name: string | null;
  category: string | null;
  listPriceMinor: number | null;
  unitCostMinor: number | null;
}

export async function listProducts(
  db: Db,
  q: { category?: string; q?: string; limit: number; cursor?: string },
): Promise<Page<Product>> {
  const after = q.cursor ? String(decodeCursor(q.cursor, 1)[0]) : null;
  const { rows } = await db.query<Product>(
    `SELECT sku, name, category, list_price_minor AS "listPriceMinor", unit_cost_minor AS "unitCostMinor"
     FROM products
     WHERE ($1::text IS NULL OR category = $1) AND ($2::text IS NULL OR name ILIKE '%' || $2 || '%' OR sku = $2)
       AND ($3::text IS NULL OR sku > $3)
     ORDER BY sku LIMIT $4`,
    [q.category ?? null, q.q ?? null, after, q.limit + 1],
  );
  const items = rows.slice(0, q.limit);
  return {
    items,
    nextCursor: rows.length > q.limit ? encodeCursor([items[items.length - 1].sku]) : null,
  };
}

export async function upsertProduct(db: Db, actor: Actor, p: Product): Promise<Product> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<Product>(
      `INSERT INTO products (sku, name, category, list_price_minor, unit_cost_minor)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (sku) DO UPDATE SET name = EXCLUDED.name, category = EXCLUDED.category,
         list_price_minor = EXCLUDED.list_price_minor, unit_cost_minor = EXCLUDED.unit_cost_minor,
         updated_at = now()
       RETURNING sku, name, category, list_price_minor AS "listPriceMinor", unit_cost_minor AS "unitCostMinor"`,
      [p.sku, p.name, p.category, p.listPriceMinor, p.unitCostMinor],
    );
    await audit(tx, actor, 'product.upsert', null, { sku: p.sku });
    return rows[0];
  });
}

export interface Transaction {
  customerId: string;
  transactionId: string;
  occurredAt: Date;
  amountMinor: number;
  currency: string;
  costMinor: number | null;
  channel: string | null;
  status: string;
}

const SCOPE_JOIN = `JOIN customers c ON c.customer_id = t.customer_id
  AND c.erased_at IS NULL AND ($1::boolean = false OR c.owner_id = $2::text)`;

/** Newest first; keyset on (occurred_at, customer_id, id). */
export async function listTransactions(
  db: Db,
  actor: Actor,
  q: {
    customerId?: string;
    status?: string;
    from?: Date;
    to?: Date;
    limit: number;
    cursor?: string;
  },
): Promise<Page<Transaction>> {
  const s = scopeOf(actor);
  const k = q.cursor ? decodeCursor(q.cursor, 3) : [null, null, null];
  const { rows } = await db.query<Transaction>(
    `SELECT t.customer_id AS "customerId", t.transaction_id AS "transactionId", t.occurred_at AS "occurredAt",
            t.amount_minor AS "amountMinor", t.currency, t.cost_minor AS "costMinor", t.channel, t.status
     FROM transactions t ${SCOPE_JOIN}
     WHERE ($3::text IS NULL OR t.customer_id = $3) AND ($4::text IS NULL OR t.status = $4)
       AND ($5::timestamptz IS NULL OR t.occurred_at >= $5) AND ($6::timestamptz IS NULL OR t.occurred_at < $6)
       AND ($7::timestamptz IS NULL OR (t.occurred_at, t.customer_id, t.transaction_id) < ($7, $8::text, $9::text))
     ORDER BY t.occurred_at DESC, t.customer_id DESC, t.transaction_id DESC LIMIT $10`,
    [
      s.ownOnly,
      s.ownerId,
      q.customerId ?? null,
      q.status ?? null,
      q.from ?? null,
      q.to ?? null,
      k[0],
      k[1],
      k[2],
      q.limit + 1,
    ],
  );
  const items = rows.slice(0, q.limit);
  const last = items[items.length - 1];
  return {
    items,
    nextCursor:
      rows.length > q.limit
        ? encodeCursor([last.occurredAt.toISOString(), last.customerId, last.transactionId])
        : null,
  };
}

export interface Interaction {
  customerId: string;
  interactionId: string;
  occurredAt: Date;
  type: string;
  direction: string | null;
  outcome: string | null;
  satisfaction: number | null;
  staff: string | null;
  note: string | null;
}

export async function listInteractions(
  db: Db,
  actor: Actor,
  q: { customerId?: string; type?: string; limit: number; cursor?: string },
): Promise<Page<Interaction>> {
  const s = scopeOf(actor);
  const k = q.cursor ? decodeCursor(q.cursor, 3) : [null, null, null];
  const { rows } = await db.query<Interaction>(
    `SELECT t.customer_id AS "customerId", t.interaction_id AS "interactionId", t.occurred_at AS "occurredAt",
            t.type, t.direction, t.outcome, t.satisfaction, t.staff, t.note
     FROM interactions t ${SCOPE_JOIN}
     WHERE ($3::text IS NULL OR t.customer_id = $3) AND ($4::text IS NULL OR t.type = $4)
       AND ($5::timestamptz IS NULL OR (t.occurred_at, t.customer_id, t.interaction_id) < ($5, $6::text, $7::text))
     ORDER BY t.occurred_at DESC, t.customer_id DESC, t.interaction_id DESC LIMIT $8`,
    [s.ownOnly, s.ownerId, q.customerId ?? null, q.type ?? null, k[0], k[1], k[2], q.limit + 1],
  );
  const items = rows
    .slice(0, q.limit)
    .map((r) => (s.mask ? { ...r, note: maskText(r.note), outcome: maskText(r.outcome) } : r));
  const last = items[items.length - 1];
  if (!s.mask && q.customerId && items.length > 0) {
    await audit(db, actor, 'interaction.list', q.customerId, { count: items.length });
  }
  return {
    items,
    nextCursor:
      rows.length > q.limit
        ? encodeCursor([last.occurredAt.toISOString(), last.customerId, last.interactionId])
        : null,
  };
}

export interface Task {
  customerId: string;
  taskId: string;
  type: string;
  ownerId: string | null;
  dueAt: Date | null;
  status: string;
  outcome: string | null;
  source: string | null;
  createdAt: Date;
  /** what to do, in zh-CN and English (null: the type says it) */
  title: { zh?: string; en?: string } | null;
}

const TASK_COLUMNS = `t.customer_id AS "customerId", t.task_id AS "taskId", t.type, t.owner_id AS "ownerId",
  t.due_at AS "dueAt", t.status, t.outcome, t.source, t.created_at AS "createdAt",
  nullif(t.title, '{}'::jsonb) AS title`;

/** Tasks: an agent's are those assigned to them; others see all (filter by owner). */
export async function listTasks(
  db: Db,
  actor: Actor,
  q: { owner?: string; status?: string; mine: boolean; limit: number; cursor?: string },
): Promise<Page<Task & { customerName: string | null }>> {
  const s = scopeOf(actor);
  const owner = s.ownOnly || q.mine ? (actor.staffId ?? '\u0000none') : (q.owner ?? null);
  const k = q.cursor ? decodeCursor(q.cursor, 3) : [null, null, null];
  const { rows } = await db.query<Task & { due_key: Date | string; customerName: string | null }>(
    `SELECT ${TASK_COLUMNS}, c.name AS "customerName", coalesce(t.due_at, 'infinity'::timestamptz) AS due_key
     FROM tasks t JOIN customers c ON c.customer_id = t.customer_id AND c.erased_at IS NULL
     WHERE ($1::text IS NULL OR t.owner_id = $1) AND ($2::text IS NULL OR t.status = $2)
       AND ($3::timestamptz IS NULL OR (coalesce(t.due_at, 'infinity'::timestamptz), t.customer_id, t.task_id) > ($3, $4::text, $5::text))
     ORDER BY coalesce(t.due_at, 'infinity'::timestamptz), t.customer_id, t.task_id LIMIT $6`,
    [owner, q.status ?? null, k[0], k[1], k[2], q.limit + 1],
  );
  // the customer's name, masked as everywhere for a role that sees masked data
  const items = rows.slice(0, q.limit).map(({ due_key: _d, ...t }) => ({
    ...t,
    customerName: s.mask && t.customerName ? maskName(t.customerName) : t.customerName,
  }));
  const last = rows[q.limit - 1];
  return {
    items,
    nextCursor:
      rows.length > q.limit
        ? encodeCursor([
            last.due_key instanceof Date ? last.due_key.toISOString() : String(last.due_key),
            last.customerId,
            last.taskId,
          ])
        : null,
  };
}

/** Marks a task done (or cancelled) with its outcome; an agent only their own. */
export async function completeTask(
  db: Db,
  actor: Actor,
  customerId: string,
  taskId: string,
  status: 'done' | 'cancelled',
  outcome: string,
): Promise<Task> {
  const s = scopeOf(actor);
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<Task>(
      `UPDATE tasks t SET status = $5, outcome = $6
       FROM customers c
       WHERE t.customer_id = $3 AND t.task_id = $4 AND c.customer_id = t.customer_id
         AND c.erased_at IS NULL AND ($1::boolean = false OR t.owner_id = $2::text)
       RETURNING ${TASK_COLUMNS}`,
      [s.ownOnly, s.ownerId, customerId, taskId, status, outcome],
    );
    if (!rows[0]) {
      throw new NotFoundError(`task "${taskId}" of customer "${customerId}" does not exist`, {
        value: taskId,
      });
    }
    await audit(tx, actor, 'task.complete', customerId, { taskId, status });
    return rows[0];
  });
}

/**
 * A task a person creates for a customer (a follow-up from the 360 page): owned by the
 * customer's owner, due at `dueAt`. The caller's scope is in the INSERT … SELECT, so an agent
 * creating a task on another agent's customer gets "not found" and nothing is written.
 */
export async function createCustomerTask(
  db: Db,
  actor: Actor,
  customerId: string,
  input: { type: string; title: string | null; dueAt: Date; note: string | null },
): Promise<Task> {
  const s = scopeOf(actor);
  return db.transaction(async (tx) => {
    const taskId = `M${randomUUID().replaceAll('-', '').slice(0, 15)}`;
    const title = input.title === null ? {} : { zh: input.title, en: input.title };
    const { rows } = await tx.query<Task>(
      `INSERT INTO tasks AS t (customer_id, task_id, type, owner_id, due_at, status, source, title, details)
       SELECT c.customer_id, $3, $4, c.owner_id, $5, 'open', 'manual', $6, $7
       FROM customers c
       WHERE c.customer_id = $1 AND c.erased_at IS NULL AND ($2::boolean = false OR c.owner_id = $8::text)
       RETURNING ${TASK_COLUMNS}`,
      [
        customerId,
        s.ownOnly,
        taskId,
        input.type,
        input.dueAt,
        JSON.stringify(title),
        JSON.stringify(input.note === null ? {} : { note: input.note }),
        s.ownerId,
      ],
    );
    if (!rows[0]) {
      throw new NotFoundError(`customer "${customerId}" does not exist`, {
        field: 'customerId',
        value: customerId,
      });
    }
    await audit(tx, actor, 'task.create', customerId, { taskId, type: input.type });
    return rows[0];
  });
}
