/**
 * Webhooks (issue 7 §6): subscriptions, the outbox (written in the transaction of the change it
 * announces), the deliveries owed to each subscription, and the log of every attempt.
 */
import { randomBytes } from 'node:crypto';
import { NotFoundError } from '../errors.js';
import type { Db } from './db.js';
import { newId } from './user-repo.js';

export const WEBHOOK_EVENT_TYPES = [
  'customer.stage_changed',
  'customer.risk_level_changed',
  'alert.created',
  'segment.member_joined',
  'segment.member_left',
  'analysis.completed',
  'report.generated',
  'campaign.contact',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export interface WebhookSubscription {
  subscriptionId: string;
  url: string;
  eventTypes: string[];
  active: boolean;
  createdAt: Date;
}

const SUB_COLUMNS = `subscription_id AS "subscriptionId", url, event_types AS "eventTypes", active,
  created_at AS "createdAt"`;

export async function createSubscription(
  db: Db,
  url: string,
  eventTypes: readonly string[],
): Promise<{ subscription: WebhookSubscription; secret: string }> {
  const secret = `whsec_${randomBytes(24).toString('base64url')}`;
  const { rows } = await db.query<WebhookSubscription>(
    `INSERT INTO webhook_subscriptions (subscription_id, url, secret, event_types)
     VALUES ($1, $2, $3, $4) RETURNING ${SUB_COLUMNS}`,
    [newId('whk'), url, secret, eventTypes],
  );
  return { subscription: rows[0], secret };
}

export async function listSubscriptions(db: Db): Promise<WebhookSubscription[]> {
  const { rows } = await db.query<WebhookSubscription>(
    `SELECT ${SUB_COLUMNS} FROM webhook_subscriptions ORDER BY created_at`,
  );
  return rows;
}

export async function deleteSubscription(db: Db, id: string): Promise<void> {
  const res = await db.query('DELETE FROM webhook_subscriptions WHERE subscription_id = $1', [id]);
  if (res.rowCount === 0) throw new NotFoundError(`no webhook subscription "${id}"`, { value: id });
}

/** Records an event in the outbox and a pending delivery for each active subscription to its type. */
export async function enqueueWebhookEvent(
  tx: Db,
  type: WebhookEventType,
  customerId: string | null,
  data: Record<string, unknown>,
): Promise<string> {
  const eventId = newId('evt');
  const payload = { id: eventId, type, createdAt: new Date().toISOString(), data };
  await tx.query(
    `INSERT INTO webhook_outbox (event_id, event_type, customer_id, payload) VALUES ($1, $2, $3, $4)`,
    [eventId, type, customerId, JSON.stringify(payload)],
  );
  await tx.query(
    `INSERT INTO webhook_deliveries (event_id, subscription_id)
     SELECT $1, subscription_id FROM webhook_subscriptions WHERE active AND $2 = ANY(event_types)`,
    [eventId, type],
  );
  return eventId;
}

export interface DueDelivery {
  eventId: string;
  subscriptionId: string;
  attempt: number;
  url: string;
  secret: string;
  payload: Record<string, unknown>;
}

/**
 * Claims up to `limit` due deliveries: each is leased for `leaseSeconds` (its next attempt moved
 * forward), so a worker that dies mid-delivery leaves it to be retried, and two workers never
 * send the same delivery at once (FOR UPDATE SKIP LOCKED).
 */
export async function claimDueDeliveries(
  db: Db,
  limit: number,
  leaseSeconds = 60,
): Promise<DueDelivery[]> {
  const { rows } = await db.query<DueDelivery>(
    `WITH due AS (
       SELECT event_id, subscription_id FROM webhook_deliveries
       WHERE status = 'pending' AND next_attempt_at <= now()
       ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
     UPDATE webhook_deliveries d
     SET attempts = d.attempts + 1, next_attempt_at = now() + $2 * interval '1 second'
     FROM due, webhook_outbox o, webhook_subscriptions s
     WHERE d.event_id = due.event_id AND d.subscription_id = due.subscription_id
       AND o.event_id = d.event_id AND s.subscription_id = d.subscription_id
     RETURNING d.event_id AS "eventId", d.subscription_id AS "subscriptionId",
               d.attempts AS attempt, s.url, s.secret, o.payload`,
    [limit, leaseSeconds],
  );
  return rows;
}

/** Records an attempt's outcome: delivered, retried after `retryInMs`, or given up (dead). */
export async function recordDeliveryAttempt(
  db: Db,
  d: DueDelivery,
  outcome: { status: number | null; error: string | null; ms: number },
  next: { kind: 'delivered' } | { kind: 'retry'; inMs: number } | { kind: 'dead' },
): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO webhook_attempts (event_id, subscription_id, attempt, status, error, ms)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
      [d.eventId, d.subscriptionId, d.attempt, outcome.status, outcome.error, outcome.ms],
    );
    await tx.query(
      `UPDATE webhook_deliveries SET
         status = CASE $3 WHEN 'delivered' THEN 'delivered' WHEN 'dead' THEN 'dead' ELSE 'pending' END,
         last_status = $4, last_error = $5,
         delivered_at = CASE WHEN $3 = 'delivered' THEN now() END,
         next_attempt_at = now() + $6 * interval '1 millisecond'
       WHERE event_id = $1 AND subscription_id = $2`,
      [
        d.eventId,
        d.subscriptionId,
        next.kind,
        outcome.status,
        outcome.error,
        next.kind === 'retry' ? next.inMs : 0,
      ],
    );
  });
}

export interface DeliveryLogEntry {
  eventId: string;
  eventType: string;
  subscriptionId: string;
  status: string;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  deliveredAt: Date | null;
  nextAttemptAt: Date;
  createdAt: Date;
}

export async function listDeliveries(
  db: Db,
  subscriptionId: string | null,
  limit: number,
): Promise<DeliveryLogEntry[]> {
  const { rows } = await db.query<DeliveryLogEntry>(
    `SELECT d.event_id AS "eventId", o.event_type AS "eventType", d.subscription_id AS "subscriptionId",
            d.status, d.attempts, d.last_status AS "lastStatus", d.last_error AS "lastError",
            d.delivered_at AS "deliveredAt", d.next_attempt_at AS "nextAttemptAt", o.created_at AS "createdAt"
     FROM webhook_deliveries d JOIN webhook_outbox o USING (event_id)
     WHERE ($1::text IS NULL OR d.subscription_id = $1)
     ORDER BY o.created_at DESC LIMIT $2`,
    [subscriptionId, limit],
  );
  return rows;
}
