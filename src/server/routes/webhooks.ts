/** Webhook subscriptions and their delivery log (issue 7 §6). */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { audit } from '../../store/audit-repo.js';
import {
  createSubscription,
  deleteSubscription,
  listDeliveries,
  listSubscriptions,
  WEBHOOK_EVENT_TYPES,
} from '../../store/webhook-repo.js';
import { type AppContext, addRoute, type Registry } from '../routing.js';
import { IdParams, Instant } from '../schemas.js';

const Subscription = z.object({
  subscriptionId: z.string(),
  url: z.string(),
  eventTypes: z.array(z.string()),
  active: z.boolean(),
  createdAt: Instant,
});

export function registerWebhookRoutes(f: FastifyInstance, r: Registry, app: AppContext): void {
  addRoute(f, r, app, {
    method: 'GET',
    url: '/api/webhooks',
    summary: 'Webhook subscriptions',
    tag: 'webhooks',
    auth: 'webhooks:manage',
    response: z.object({ items: z.array(Subscription) }),
    handler: async ({ app }) => ({ items: await listSubscriptions(app.db) }),
  });

  addRoute(f, r, app, {
    method: 'POST',
    url: '/api/webhooks',
    summary:
      'Subscribe a URL to event types. Deliveries are POSTed with Tenure-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>; the secret is in this response only',
    tag: 'webhooks',
    auth: 'webhooks:manage',
    status: 201,
    body: z.strictObject({
      url: z.url({ protocol: /^https?$/ }),
      eventTypes: z.array(z.enum(WEBHOOK_EVENT_TYPES)).min(1),
    }),
    response: z.object({ subscription: Subscription, secret: z.string() }),
    handler: async ({ body, app, actor }) =>
      app.db.transaction(async (tx) => {
        const made = await createSubscription(tx, body.url, body.eventTypes);
        await audit(tx, actor, 'webhook.subscribe', null, {
          subscriptionId: made.subscription.subscriptionId,
          url: body.url,
        });
        return made;
      }),
  });

  addRoute(f, r, app, {
    method: 'DELETE',
    url: '/api/webhooks/:id',
    summary: 'Remove a subscription (its pending deliveries go with it)',
    tag: 'webhooks',
    auth: 'webhooks:manage',
    status: 204,
    errors: [404],
    params: IdParams,
    handler: async ({ params, app, actor }) => {
      await app.db.transaction(async (tx) => {
        await deleteSubscription(tx, params.id);
        await audit(tx, actor, 'webhook.unsubscribe', null, { subscriptionId: params.id });
      });
    },
  });

  addRoute(f, r, app, {
    method: 'GET',
    url: '/api/webhooks/deliveries',
    summary: 'The delivery log: each event owed to each subscription, attempts and outcome',
    tag: 'webhooks',
    auth: 'webhooks:manage',
    query: z.strictObject({
      subscriptionId: z.string().max(200).optional(),
      limit: z.coerce.number().int().min(1).max(500).default(100),
    }),
    response: z.object({
      items: z.array(
        z.object({
          eventId: z.string(),
          eventType: z.string(),
          subscriptionId: z.string(),
          status: z.string(),
          attempts: z.number(),
          lastStatus: z.number().nullable(),
          lastError: z.string().nullable(),
          deliveredAt: Instant.nullable(),
          nextAttemptAt: Instant,
          createdAt: Instant,
        }),
      ),
    }),
    handler: async ({ query, app }) => ({
      items: await listDeliveries(app.db, query.subscriptionId ?? null, query.limit),
    }),
  });
}
