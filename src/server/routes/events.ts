/**
 * POST /api/events (issue 7 §5): a batch of up to 1,000 events, each with an idempotency key.
 * 200 with per-event status (applied / duplicate) when the batch committed; 400 with
 * `details.events` (index, key, message) when any event is bad — then nothing was applied.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ingestEvents } from '../../store/event-repo.js';
import { newId } from '../../store/user-repo.js';
import { type AppContext, addRoute, type Registry } from '../routing.js';
import { CustomerFields } from '../schemas.js';

const Key = z
  .string()
  .min(1)
  .max(200)
  .describe('unique per event; a repeat is acknowledged and ignored');
const Id = z.string().min(1).max(200);
const At = z.iso.datetime({ offset: true });
const Money = z.number().int().min(-1e15).max(1e15).describe('minor units (fen)');

export const EventSchema = z.discriminatedUnion('type', [
  z.strictObject({
    idempotencyKey: Key,
    type: z.literal('customer.upserted'),
    data: z.strictObject({
      customerId: Id,
      ...Object.fromEntries(Object.entries(CustomerFields).map(([k, v]) => [k, v.optional()])),
    }),
  }),
  z.strictObject({
    idempotencyKey: Key,
    type: z.literal('transaction.created'),
    data: z.strictObject({
      transactionId: Id,
      customerId: Id,
      occurredAt: At,
      amountMinor: Money,
      currency: z.string().length(3).optional(),
      costMinor: Money.nullable().optional(),
      channel: z.string().max(100).nullable().optional(),
      status: z.enum(['completed', 'refunded', 'cancelled']).optional(),
      lines: z
        .array(
          z.strictObject({
            sku: z.string().max(200).nullable(),
            quantity: z.number().nullable(),
            unitPriceMinor: Money.nullable(),
            amountMinor: Money,
          }),
        )
        .max(500)
        .optional(),
    }),
  }),
  z.strictObject({
    idempotencyKey: Key,
    type: z.literal('transaction.refunded'),
    data: z.strictObject({ transactionId: Id, customerId: Id }),
  }),
  z.strictObject({
    idempotencyKey: Key,
    type: z.literal('interaction.created'),
    data: z.strictObject({
      interactionId: Id,
      customerId: Id,
      occurredAt: At,
      type: z.enum(['call', 'visit', 'email', 'sms', 'complaint', 'service', 'survey', 'referral']),
      direction: z.enum(['inbound', 'outbound']).nullable().optional(),
      outcome: z.string().max(200).nullable().optional(),
      satisfaction: z.number().int().min(1).max(5).nullable().optional(),
      staff: z.string().max(100).nullable().optional(),
      note: z.string().max(5000).nullable().optional(),
    }),
  }),
  z.strictObject({
    idempotencyKey: Key,
    type: z.literal('subscription.changed'),
    data: z.strictObject({
      subscriptionId: Id,
      customerId: Id,
      plan: z.string().max(100).nullable().optional(),
      startedAt: At,
      endedAt: At.nullable().optional(),
      monthlyFeeMinor: Money.nullable().optional(),
    }),
  }),
]);

export const MAX_BATCH = 1000;

export function registerEventRoutes(f: FastifyInstance, r: Registry, app: AppContext): void {
  addRoute(f, r, app, {
    method: 'POST',
    url: '/api/events',
    summary:
      'Ingest a batch of up to 1,000 events atomically; each idempotency key takes effect exactly once. Affected customers are re-scored and re-staged right after commit',
    tag: 'events',
    auth: 'events:write',
    bodyLimit: 8 * 1024 * 1024,
    body: z.strictObject({ events: z.array(EventSchema).min(1).max(MAX_BATCH) }),
    response: z.object({
      batchId: z.string(),
      received: z.number(),
      applied: z.number(),
      duplicates: z.number(),
      results: z.array(
        z.object({ idempotencyKey: z.string(), status: z.enum(['applied', 'duplicate']) }),
      ),
    }),
    handler: async ({ body, app, actor }) => {
      const result = await withRetry(() =>
        ingestEvents(app.db, actor, newId('bat'), body.events as never),
      );
      if (result.applied > 0) app.notifyOutbox();
      const { customers: _c, ...rest } = result;
      return rest;
    },
  });
}

/** Retries a transaction that lost a deadlock or serialization race (SQLSTATE 40P01 / 40001). */
async function withRetry<T>(fn: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (i >= attempts || (code !== '40P01' && code !== '40001')) throw error;
      await new Promise((r) => setTimeout(r, 10 * i * Math.random()));
    }
  }
}
