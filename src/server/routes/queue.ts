/**
 * The daily work queue through the API (issue 9 §1): each customer's next best action, best
 * expected value first (src/store/next-action-repo.ts), and tasks made from it in one click.
 * An agent gets the queue of their own customers whatever owner they name — the store decides
 * that, not this handler.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { customerNames } from '../../store/customer-repo.js';
import { queueTasksFor, workQueueFor } from '../../store/next-action-repo.js';
import { type AppContext, addRoute, type Registry } from '../routing.js';
import { CalendarDate, Text } from '../schemas.js';

const Action = z.object({
  customerId: z.string(),
  customerName: z.string().nullable(),
  ownerId: z.string().nullable(),
  kind: z.enum(['retention', 'cross-sell', 'up-sell', 'playbook', 'let-go']),
  title: Text,
  channel: z.string(),
  reason: Text,
  expectedValueMinor: z.number().describe('expected value of doing it, fen'),
  stage: z.string().nullable(),
  tier: z.string().nullable(),
  risk: z.number().nullable(),
  riskLevel: z.string().nullable(),
  ref: z.string().nullable().describe('the playbook action or product behind it'),
});

const dayOf = (asOf: string | undefined, now: Date): Date =>
  asOf ? new Date(`${asOf}T00:00:00Z`) : new Date(`${now.toISOString().slice(0, 10)}T00:00:00Z`);

export function registerQueueRoutes(f: FastifyInstance, r: Registry, app: AppContext): void {
  addRoute(f, r, app, {
    method: 'GET',
    url: '/api/queue',
    summary:
      'The day’s work queue: each customer’s next best action with its reason and expected value, best first (an agent: their own customers only)',
    tag: 'queue',
    auth: 'queue:read',
    query: z.strictObject({
      owner: z.string().max(100).optional().describe('one account manager (ignored for agents)'),
      limit: z.coerce.number().int().min(1).max(500).default(50),
      asOf: CalendarDate.optional().describe('default: today (UTC)'),
    }),
    response: z.object({
      asOf: z.string(),
      owner: z.string().nullable(),
      items: z.array(Action),
    }),
    handler: async ({ query, app, actor }) => {
      const asOf = dayOf(query.asOf, app.now());
      const actions = await workQueueFor(app.db, actor, {
        asOf,
        ownerId: query.owner,
        limit: query.limit,
      });
      const names = await customerNames(
        app.db,
        actor,
        actions.map((a) => a.customerId),
      );
      return {
        asOf: asOf.toISOString().slice(0, 10),
        owner: actor.role === 'agent' ? actor.staffId : (query.owner ?? null),
        items: actions.map((a) => ({ ...a, customerName: names.get(a.customerId) ?? null })),
      };
    },
  });

  addRoute(f, r, app, {
    method: 'POST',
    url: '/api/queue/tasks',
    summary:
      'Put the named customers’ next best actions in the task list (once per customer and day); an agent only their own customers',
    tag: 'queue',
    auth: 'tasks:write',
    status: 201,
    errors: [404],
    body: z.strictObject({
      customerIds: z.array(z.string().min(1).max(200)).min(1).max(100),
      asOf: CalendarDate.optional().describe('default: today (UTC)'),
    }),
    response: z.object({
      created: z.number().describe('tasks created now (0 when they exist already)'),
      items: z.array(Action.omit({ customerName: true })),
    }),
    handler: async ({ body, app, actor }) => {
      const r = await queueTasksFor(app.db, actor, body.customerIds, dayOf(body.asOf, app.now()));
      return { created: r.created, items: r.actions };
    },
  });
}
