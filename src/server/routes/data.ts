/** Products, orders, interactions, tasks, stage models with playbooks, and the audit log (issue 7 §3–4). */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { STAGE_THRESHOLDS, type StageThresholdName } from '../../engine/index.js';
import { audit, listAudit } from '../../store/audit-repo.js';
import {
  completeTask,
  createCustomerTask,
  listInteractions,
  listProducts,
  listTasks,
  listTransactions,
  upsertProduct,
} from '../../store/catalog-repo.js';
import { previewStageThresholds } from '../../store/lifecycle-analysis.js';
import {
  setStageModelEnabled,
  setStagePlaybook,
  setStageThresholds,
} from '../../store/stage-model-repo.js';
import { type AppContext, addRoute, type Registry } from '../routing.js';
import { Cursor, IdParams, Instant, Limit, pageOf } from '../schemas.js';
import { forgetStageModels, storedStageModels } from '../stage-models.js';

const Product = z.object({
  sku: z.string(),
  name: z.string().nullable(),
  category: z.string().nullable(),
  listPriceMinor: z.number().nullable(),
  unitCostMinor: z.number().nullable(),
});

const Transaction = z.object({
  customerId: z.string(),
  transactionId: z.string(),
  occurredAt: Instant,
  amountMinor: z.number(),
  currency: z.string(),
  costMinor: z.number().nullable(),
  channel: z.string().nullable(),
  status: z.string(),
});

const Interaction = z.object({
  customerId: z.string(),
  interactionId: z.string(),
  occurredAt: Instant,
  type: z.string(),
  direction: z.string().nullable(),
  outcome: z.string().nullable(),
  satisfaction: z.number().nullable(),
  staff: z.string().nullable(),
  note: z.string().nullable(),
});

const Task = z.object({
  customerId: z.string(),
  taskId: z.string(),
  type: z.string(),
  ownerId: z.string().nullable(),
  dueAt: Instant.nullable(),
  status: z.string(),
  outcome: z.string().nullable(),
  source: z.string().nullable(),
  createdAt: Instant,
  title: z
    .object({ zh: z.string().optional(), en: z.string().optional() })
    .nullable()
    .describe('what to do, in zh-CN and English; null: the type says it'),
  customerName: z
    .string()
    .nullable()
    .optional()
    .describe('in the lists (masked as the role requires)'),
});

const StageModelOut = z.object({
  key: z.string(),
  version: z.number(),
  enabled: z.boolean(),
  definition: z.record(z.string(), z.unknown()),
  playbook: z.record(z.string(), z.unknown()).nullable(),
});

/** A stored stage model as the API answers it. */
function stageModelOut(m: Awaited<ReturnType<typeof storedStageModels>>[number]) {
  return {
    key: m.model.key,
    version: m.model.version,
    enabled: m.enabled,
    definition: m.model as unknown as Record<string, unknown>,
    playbook: m.playbook as unknown as Record<string, unknown> | null,
  };
}

const Instantish = z.iso.datetime({ offset: true });

const Thresholds = z.strictObject(
  Object.fromEntries(
    Object.keys(STAGE_THRESHOLDS).map((k) => [k, z.number().optional()]),
  ) as Record<StageThresholdName, z.ZodOptional<z.ZodNumber>>,
);

export function registerDataRoutes(f: FastifyInstance, r: Registry, app: AppContext): void {
  addRoute(f, r, app, {
    method: 'GET',
    url: '/api/products',
    summary: 'Products, by SKU',
    tag: 'products',
    auth: 'products:read',
    query: z.strictObject({
      category: z.string().max(100).optional(),
      q: z.string().max(200).optional(),
      limit: Limit,
      cursor: Cursor,
    }),
    response: pageOf(Product),
    handler: ({ query, app }) => listProducts(app.db, query),
  });

  addRoute(f, r, app, {
    method: 'PUT',
    url: '/api/products/:id',
    summary: 'Create or replace a product (id = SKU)',
    tag: 'products',
    auth: 'products:write',
    params: IdParams,
    body: z.strictObject({
      name: z.string().max(200).nullable(),
      category: z.string().max(100).nullable(),
      listPriceMinor: z.number().int().nullable(),
      unitCostMinor: z.number().int().nullable(),
    }),
    response: Product,
    handler: ({ params, body, app, actor }) =>
      upsertProduct(app.db, actor, { sku: params.id, ...body }),
  });

  addRoute(f, r, app, {
    method: 'GET',
    url: '/api/transactions',
    summary: 'Orders, newest first (an agent sees their customers’ orders)',
    tag: 'transactions',
    auth: 'transactions:read',
    query: z.strictObject({
      customerId: z.string().max(200).optional(),
      status: z.enum(['completed', 'refunded', 'cancelled']).optional(),
      from: Instantish.optional(),
      to: Instantish.optional(),
      limit: Limit,
      cursor: Cursor,
    }),
    response: pageOf(Transaction),
    handler: ({ query, app, actor }) =>
      listTransactions(app.db, actor, {
        ...query,
        from: query.from ? new Date(query.from) : undefined,
        to: query.to ? new Date(query.to) : undefined,
      }),
  });

  addRoute(f, r, app, {
    method: 'GET',
    url: '/api/interactions',
    summary: 'Interactions, newest first (notes masked for analysts)',
    tag: 'interactions',
    auth: 'customers:read',
    query: z.strictObject({
      customerId: z.string().max(200).optional(),
      type: z.string().max(50).optional(),
      limit: Limit,
      cursor: Cursor,
    }),
    response: pageOf(Interaction),
    handler: ({ query, app, actor }) => listInteractions(app.db, actor, query),
  });

  addRoute(f, r, app, {
    method: 'GET',
    url: '/api/tasks',
    summary: 'Tasks by due date: mine=true (or an agent) gives your own',
    tag: 'tasks',
    auth: 'tasks:read',
    query: z.strictObject({
      mine: z
        .enum(['true', 'false'])
        .default('false')
        .transform((v) => v === 'true'),
      owner: z.string().max(100).optional(),
      status: z.enum(['open', 'done', 'cancelled']).default('open'),
      limit: Limit,
      cursor: Cursor,
    }),
    response: pageOf(Task),
    handler: ({ query, app, actor }) => listTasks(app.db, actor, query),
  });

  addRoute(f, r, app, {
    method: 'POST',
    url: '/api/customers/:id/tasks',
    summary:
      'Create a task for a customer (a follow-up, a call…), owned by the customer’s owner; an agent only on their own customers',
    tag: 'tasks',
    auth: 'tasks:write',
    status: 201,
    errors: [404],
    params: IdParams,
    body: z.strictObject({
      type: z.enum(['follow-up', 'call', 'visit', 'next-action', 'manual']),
      title: z.string().min(1).max(500).nullable().optional(),
      dueAt: Instantish.optional().describe('default: one day from now'),
      note: z.string().max(5000).nullable().optional(),
    }),
    response: Task,
    handler: ({ params, body, app, actor }) =>
      createCustomerTask(app.db, actor, params.id, {
        type: body.type,
        title: body.title ?? null,
        dueAt: body.dueAt ? new Date(body.dueAt) : new Date(app.now().getTime() + 86_400_000),
        note: body.note ?? null,
      }),
  });

  addRoute(f, r, app, {
    method: 'POST',
    url: '/api/customers/:id/tasks/:taskId/complete',
    summary: 'Complete (or cancel) a task with its outcome',
    tag: 'tasks',
    auth: 'tasks:write',
    errors: [404],
    params: z.strictObject({ id: z.string().min(1).max(200), taskId: z.string().min(1).max(200) }),
    body: z.strictObject({
      outcome: z.string().min(1).max(2000),
      status: z.enum(['done', 'cancelled']).default('done'),
    }),
    response: Task,
    handler: ({ params, body, app, actor }) =>
      completeTask(app.db, actor, params.id, params.taskId, body.status, body.outcome),
  });

  addRoute(f, r, app, {
    method: 'GET',
    url: '/api/stage-models',
    summary: 'Stage models with their definitions and playbooks',
    tag: 'stage-models',
    auth: 'stage-models:read',
    response: z.object({ items: z.array(StageModelOut) }),
    handler: async ({ app }) => {
      forgetStageModels(app.db);
      const models = await storedStageModels(app.db);
      return {
        items: models.map(stageModelOut),
      };
    },
  });

  addRoute(f, r, app, {
    method: 'PUT',
    url: '/api/stage-models/:id/playbook',
    summary: 'Replace a stage model’s playbook (validated against its stages)',
    tag: 'stage-models',
    auth: 'stage-models:write',
    errors: [404],
    params: IdParams,
    body: z.record(z.string(), z.unknown()),
    response: z.record(z.string(), z.unknown()),
    handler: async ({ params, body, app, actor }) => {
      const playbook = await app.db.transaction(async (tx) => {
        const p = await setStagePlaybook(tx, params.id, body);
        await audit(tx, actor, 'stage-model.playbook', null, { model: params.id });
        return p;
      });
      forgetStageModels(app.db);
      return playbook as unknown as Record<string, unknown>;
    },
  });

  addRoute(f, r, app, {
    method: 'PATCH',
    url: '/api/stage-models/:id',
    summary: 'Change thresholds (a new version of the model) or enable/disable it',
    tag: 'stage-models',
    auth: 'stage-models:write',
    errors: [404],
    params: IdParams,
    body: z.strictObject({
      enabled: z.boolean().optional(),
      thresholds: Thresholds.optional(),
    }),
    response: StageModelOut,
    handler: async ({ params, body, app, actor }) => {
      await app.db.transaction(async (tx) => {
        if (body.thresholds && Object.keys(body.thresholds).length > 0) {
          await setStageThresholds(tx, params.id, body.thresholds);
        }
        if (body.enabled !== undefined) await setStageModelEnabled(tx, params.id, body.enabled);
        await audit(tx, actor, 'stage-model.update', null, { model: params.id, ...body });
      });
      forgetStageModels(app.db);
      return stageModelOut(
        (await storedStageModels(app.db)).find((x) => x.model.key === params.id)!,
      );
    },
  });

  addRoute(f, r, app, {
    method: 'POST',
    url: '/api/stage-models/:id/preview',
    summary:
      'How many customers proposed thresholds would move, by stage, as of the model’s latest history day — nothing is written',
    tag: 'stage-models',
    auth: 'stage-models:write',
    errors: [404],
    params: IdParams,
    body: z.strictObject({ thresholds: Thresholds }),
    response: z.object({
      model: z.string(),
      asOf: z.string(),
      customers: z.number(),
      wouldMove: z.number(),
      byStage: z.array(
        z.object({
          stage: z.string(),
          zh: z.string(),
          en: z.string(),
          before: z.number(),
          after: z.number(),
        }),
      ),
      moves: z.array(z.object({ from: z.string(), to: z.string(), customers: z.number() })),
    }),
    handler: ({ params, body, app }) =>
      previewStageThresholds(app.db, params.id, body.thresholds, app.now()),
  });

  addRoute(f, r, app, {
    method: 'GET',
    url: '/api/audit',
    summary: 'The audit log, newest first: reads of personal data and every change',
    tag: 'audit',
    auth: 'audit:read',
    query: z.strictObject({
      actor: z.string().max(100).optional(),
      action: z.string().max(100).optional(),
      customerId: z.string().max(200).optional(),
      from: Instantish.optional(),
      to: Instantish.optional(),
      limit: Limit,
      cursor: Cursor,
    }),
    response: pageOf(
      z.object({
        auditId: z.number(),
        at: Instant,
        actor: z.string(),
        action: z.string(),
        customerId: z.string().nullable(),
        details: z.record(z.string(), z.unknown()),
        origin: z.string().nullable(),
      }),
    ),
    handler: async ({ query, app }) => {
      const before = query.cursor
        ? Number(Buffer.from(query.cursor, 'base64url').toString())
        : undefined;
      const items = await listAudit(app.db, {
        actor: query.actor,
        action: query.action,
        customerId: query.customerId,
        from: query.from ? new Date(query.from) : undefined,
        to: query.to ? new Date(query.to) : undefined,
        before: Number.isFinite(before) ? before : undefined,
        limit: query.limit,
      });
      return {
        items,
        nextCursor:
          items.length === query.limit
            ? Buffer.from(String(items[items.length - 1].auditId)).toString('base64url')
            : null,
      };
    },
  });
}
