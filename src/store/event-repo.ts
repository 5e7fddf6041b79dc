/**
 * Real-time event ingestion (issue 7 §5). A batch is applied in one transaction:
 *
 *  1. every event's idempotency key (its SHA-256) goes into `event_receipts` with
 *     INSERT … ON CONFLICT DO NOTHING RETURNING — the keys returned are the new ones. A key
 *     another transaction is inserting at the same moment makes this one wait on the unique
 *     index until that commits, then skip it (PostgreSQL docs, "INSERT … ON CONFLICT"), so
 *     concurrent duplicates take effect exactly once;
 *  2. only the new events are applied, set-wise per type (jsonb_to_recordset);
 *  3. the affected customers are queued for refresh (scores, stage, webhooks) in the same
 *     transaction.
 *
 * A problem with any event (a refund of an unknown order…) rejects the whole batch with the
 * list of problems; nothing is written, not even the receipts.
 */
import { InputError } from '../errors.js';
import type { Actor } from './access.js';
import { audit } from './audit-repo.js';
import { CUSTOMER_COLUMNS, type CustomerField } from './customer-columns.js';
import type { Db } from './db.js';
import { sha256 } from './user-repo.js';

export interface CustomerData {
  customerId: string;
  [field: string]: unknown;
}

export interface TransactionData {
  transactionId: string;
  customerId: string;
  occurredAt: string;
  amountMinor: number;
  currency?: string;
  costMinor?: number | null;
  channel?: string | null;
  status?: 'completed' | 'refunded' | 'cancelled';
  lines?: {
    sku: string | null;
    quantity: number | null;
    unitPriceMinor: number | null;
    amountMinor: number;
  }[];
}

export interface RefundData {
  transactionId: string;
  customerId: string;
}

export interface InteractionData {
  interactionId: string;
  customerId: string;
  occurredAt: string;
  type: string;
  direction?: string | null;
  outcome?: string | null;
  satisfaction?: number | null;
  staff?: string | null;
  note?: string | null;
}

export interface SubscriptionData {
  subscriptionId: string;
  customerId: string;
  plan?: string | null;
  startedAt: string;
  endedAt?: string | null;
  monthlyFeeMinor?: number | null;
}

export type IngestEvent =
  | { idempotencyKey: string; type: 'customer.upserted'; data: CustomerData }
  | { idempotencyKey: string; type: 'transaction.created'; data: TransactionData }
  | { idempotencyKey: string; type: 'transaction.refunded'; data: RefundData }
  | { idempotencyKey: string; type: 'interaction.created'; data: InteractionData }
  | { idempotencyKey: string; type: 'subscription.changed'; data: SubscriptionData };

export interface EventProblem {
  index: number;
  idempotencyKey: string;
  message: string;
}

export interface IngestResult {
  batchId: string;
  received: number;
  applied: number;
  duplicates: number;
  /** per event, in order: applied now, or a duplicate of an earlier key */
  results: { idempotencyKey: string; status: 'applied' | 'duplicate' }[];
  customers: string[];
}

/** Marks customers for the refresh worker (inside the caller's transaction). */
export async function queueRefresh(tx: Db, customerIds: readonly string[]): Promise<void> {
  if (customerIds.length === 0) return;
  await tx.query(
    `INSERT INTO customer_refresh_queue (customer_id)
     SELECT DISTINCT id FROM unnest($1::text[]) AS id ORDER BY id
     ON CONFLICT (customer_id) DO NOTHING`,
    [customerIds],
  );
}

/** Applies a batch exactly once per idempotency key; throws InputError listing each bad event. */
export async function ingestEvents(
  db: Db,
  actor: Actor,
  batchId: string,
  events: readonly IngestEvent[],
): Promise<IngestResult> {
  const hashes = events.map((e) => sha256(e.idempotencyKey));
  return db.transaction(async (tx) => {
    // Keys in one order, so two batches sharing keys cannot deadlock.
    const order = [...new Set(hashes)].sort();
    const typeOf = new Map(hashes.map((h, i) => [h, events[i].type]));
    const customerOf = new Map(hashes.map((h, i) => [h, events[i].data.customerId]));
    const { rows } = await tx.query<{ key_hash: string }>(
      `INSERT INTO event_receipts (key_hash, event_type, customer_id, batch_id)
       SELECT k, t, c, $4 FROM unnest($1::text[], $2::text[], $3::text[]) AS u(k, t, c) ORDER BY k
       ON CONFLICT (key_hash) DO NOTHING RETURNING key_hash`,
      [order, order.map((h) => typeOf.get(h)), order.map((h) => customerOf.get(h)), batchId],
    );
    const fresh = new Set(rows.map((r) => r.key_hash));
    const seen = new Set<string>();
    const applied: IngestEvent[] = [];
    const results: IngestResult['results'] = events.map((e, i) => {
      const h = hashes[i];
      if (fresh.has(h) && !seen.has(h)) {
        seen.add(h);
        applied.push(e);
        return { idempotencyKey: e.idempotencyKey, status: 'applied' as const };
      }
      return { idempotencyKey: e.idempotencyKey, status: 'duplicate' as const };
    });
    const indexOf = new Map(applied.map((e) => [e, events.indexOf(e)]));
    const problems: EventProblem[] = [];
    const of = <T extends IngestEvent['type']>(type: T) =>
      applied.filter((e): e is Extract<IngestEvent, { type: T }> => e.type === type);

    // 1. customers (each event names only the fields it changes)
    for (const e of of('customer.upserted').sort((a, b) =>
      a.data.customerId < b.data.customerId ? -1 : a.data.customerId > b.data.customerId ? 1 : 0,
    )) {
      const fields = Object.keys(e.data).filter((k) => Object.hasOwn(CUSTOMER_COLUMNS, k));
      const cols = fields.map((k) => CUSTOMER_COLUMNS[k as CustomerField].column);
      const values = fields.map((k) => {
        const v = e.data[k];
        return CUSTOMER_COLUMNS[k as CustomerField].kind === 'json'
          ? JSON.stringify(v ?? {})
          : (v ?? (CUSTOMER_COLUMNS[k as CustomerField].kind === 'array' ? [] : null));
      });
      await tx.query(
        `INSERT INTO customers AS c (customer_id${cols.map((c) => `, ${c}`).join('')})
         VALUES ($1${cols.map((_, i) => `, $${i + 2}`).join('')})
         ON CONFLICT (customer_id) DO UPDATE SET ${[
           ...cols.map((c) => `${c} = EXCLUDED.${c}`),
           'is_placeholder = false',
           'updated_at = now()',
         ].join(', ')}
         WHERE c.erased_at IS NULL`,
        [e.data.customerId, ...values],
      );
    }

    // 2. placeholders for customers first named by an order, interaction or subscription
    const named = [
      ...new Set(
        applied.filter((e) => e.type !== 'customer.upserted').map((e) => e.data.customerId),
      ),
    ].sort();
    if (named.length > 0) {
      await tx.query(
        `INSERT INTO customers (customer_id, is_placeholder)
         SELECT id, true FROM unnest($1::text[]) AS id ORDER BY id
         ON CONFLICT (customer_id) DO NOTHING`,
        [named],
      );
    }

    // 3. orders and their lines (an order id already stored is left as it is)
    const orders = of('transaction.created');
    if (orders.length > 0) {
      await tx.query(
        `INSERT INTO transactions (customer_id, transaction_id, occurred_at, amount_minor, currency,
                                   cost_minor, channel, status)
         SELECT r."customerId", r."transactionId", r."occurredAt", r."amountMinor",
                coalesce(r.currency, 'CNY'), r."costMinor", r.channel, coalesce(r.status, 'completed')
         FROM jsonb_to_recordset($1::jsonb) AS r("customerId" text, "transactionId" text,
              "occurredAt" timestamptz, "amountMinor" bigint, currency text, "costMinor" bigint,
              channel text, status text)
         ORDER BY 1, 2
         ON CONFLICT (customer_id, transaction_id) DO NOTHING`,
        [JSON.stringify(orders.map((e) => ({ ...e.data, lines: undefined })))],
      );
      const lines = orders.flatMap((e) =>
        (e.data.lines ?? []).map((l, i) => ({
          customerId: e.data.customerId,
          transactionId: e.data.transactionId,
          lineNo: i + 1,
          ...l,
        })),
      );
      if (lines.length > 0) {
        await tx.query(
          `INSERT INTO transaction_lines (customer_id, transaction_id, line_no, sku, quantity,
                                          unit_price_minor, amount_minor)
           SELECT r."customerId", r."transactionId", r."lineNo", r.sku, r.quantity,
                  r."unitPriceMinor", r."amountMinor"
           FROM jsonb_to_recordset($1::jsonb) AS r("customerId" text, "transactionId" text,
                "lineNo" int, sku text, quantity numeric, "unitPriceMinor" bigint, "amountMinor" bigint)
           ORDER BY 1, 2, 3
           ON CONFLICT DO NOTHING`,
          [JSON.stringify(lines)],
        );
      }
    }

    // 4. refunds of stored orders
    const refunds = of('transaction.refunded');
    if (refunds.length > 0) {
      const { rows: done } = await tx.query<{ customer_id: string; transaction_id: string }>(
        `UPDATE transactions t SET status = 'refunded'
         FROM jsonb_to_recordset($1::jsonb) AS r("customerId" text, "transactionId" text)
         WHERE t.customer_id = r."customerId" AND t.transaction_id = r."transactionId"
         RETURNING t.customer_id, t.transaction_id`,
        [JSON.stringify(refunds.map((e) => e.data))],
      );
      const found = new Set(done.map((d) => `${d.customer_id}\u0000${d.transaction_id}`));
      for (const e of refunds) {
        if (!found.has(`${e.data.customerId}\u0000${e.data.transactionId}`)) {
          problems.push({
            index: indexOf.get(e)!,
            idempotencyKey: e.idempotencyKey,
            message: `customer "${e.data.customerId}" has no order "${e.data.transactionId}" to refund`,
          });
        }
      }
    }

    // 5. interactions
    const touches = of('interaction.created');
    if (touches.length > 0) {
      await tx.query(
        `INSERT INTO interactions (customer_id, interaction_id, occurred_at, type, direction, outcome,
                                   satisfaction, staff, note)
         SELECT r."customerId", r."interactionId", r."occurredAt", r.type, r.direction, r.outcome,
                r.satisfaction, r.staff, r.note
         FROM jsonb_to_recordset($1::jsonb) AS r("customerId" text, "interactionId" text,
              "occurredAt" timestamptz, type text, direction text, outcome text,
              satisfaction smallint, staff text, note text)
         ORDER BY 1, 2
         ON CONFLICT (customer_id, interaction_id) DO NOTHING`,
        [JSON.stringify(touches.map((e) => e.data))],
      );
    }

    // 6. subscriptions (the latest event for a subscription wins)
    const subs = of('subscription.changed');
    if (subs.length > 0) {
      await tx.query(
        `INSERT INTO subscriptions AS s (customer_id, subscription_id, plan, started_at, ended_at,
                                         monthly_fee_minor)
         SELECT DISTINCT ON (r."customerId", r."subscriptionId") r."customerId", r."subscriptionId",
                r.plan, r."startedAt", r."endedAt", r."monthlyFeeMinor"
         FROM jsonb_to_recordset($1::jsonb) WITH ORDINALITY AS r("customerId" text,
              "subscriptionId" text, plan text, "startedAt" timestamptz, "endedAt" timestamptz,
              "monthlyFeeMinor" bigint, n bigint)
         ORDER BY r."customerId", r."subscriptionId", n DESC
         ON CONFLICT (customer_id, subscription_id) DO UPDATE SET plan = EXCLUDED.plan,
           started_at = EXCLUDED.started_at, ended_at = EXCLUDED.ended_at,
           monthly_fee_minor = EXCLUDED.monthly_fee_minor`,
        [JSON.stringify(subs.map((e) => e.data))],
      );
    }

    if (problems.length > 0) {
      problems.sort((a, b) => a.index - b.index);
      throw new InputError(
        `${problems.length} event${problems.length > 1 ? 's' : ''} rejected, so the batch was not applied: ${problems
          .slice(0, 3)
          .map((p) => `events.${p.index}: ${p.message}`)
          .join('; ')}`,
        { field: 'events', events: problems },
      );
    }
    const customers = [...new Set(applied.map((e) => e.data.customerId))].sort();
    await queueRefresh(tx, customers);
    if (applied.length > 0) {
      await audit(tx, actor, 'events.ingest', null, {
        batchId,
        applied: applied.length,
        duplicates: events.length - applied.length,
      });
    }
    return {
      batchId,
      received: events.length,
      applied: applied.length,
      duplicates: events.length - applied.length,
      results,
      customers,
    };
  });
}

/** Takes up to `limit` queued customers (oldest first) for refreshing; SKIP LOCKED lets several workers share the queue. */
export async function claimRefreshBatch(tx: Db, limit: number): Promise<string[]> {
  const { rows } = await tx.query<{ customer_id: string }>(
    `DELETE FROM customer_refresh_queue
     WHERE customer_id IN (SELECT customer_id FROM customer_refresh_queue
                           ORDER BY queued_at, customer_id LIMIT $1 FOR UPDATE SKIP LOCKED)
     RETURNING customer_id`,
    [limit],
  );
  return rows.map((r) => r.customer_id).sort();
}

export async function refreshQueueLength(db: Db): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM customer_refresh_queue',
  );
  return rows[0].n;
}
