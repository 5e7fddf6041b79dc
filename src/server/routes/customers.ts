/**
 * Customers (issue 7 §4): list with search, filters, sorting and cursor paging; read, create,
 * update, erase; the customer 360; logging an interaction. Row-level access (agent: own
 * customers; analyst: masked) is applied by the store from the caller's Actor.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  nextBestAction,
  PRESET_PLAYBOOKS,
  playbookRiskOf,
  playbookTierOfSnapshot,
} from '../../engine/index.js';
import { customer360, nextActionOf360 } from '../../store/customer-360-repo.js';
import {
  createCustomer,
  eraseCustomer,
  getCustomer,
  listCustomers,
  startCustomerExport,
  updateCustomer,
} from '../../store/customer-repo.js';
import { logInteraction } from '../../store/interaction-repo.js';
import { CONTENT_TYPES, customerTable, EXPORT_COLUMN_KEYS } from '../customer-export.js';
import { type AppContext, addRoute, type Registry } from '../routing.js';
import {
  Cursor,
  CustomerFields,
  CustomerSchema,
  IdParams,
  Instant,
  Limit,
  pageOf,
  Text,
} from '../schemas.js';
import { storedStageModels } from '../stage-models.js';

const ListQuery = z.strictObject({
  q: z.string().max(200).optional().describe('name, phone, e-mail or id (Chinese text works)'),
  stage: z.string().max(50).optional(),
  tier: z.string().max(50).optional(),
  segment: z.string().max(200).optional(),
  risk: z.string().max(50).optional().describe('warning level (red, orange, yellow)'),
  rfm: z.string().max(50).optional().describe('RFM segment'),
  owner: z.string().max(100).optional(),
  province: z.string().max(100).optional(),
  city: z.string().max(100).optional(),
  model: z
    .string()
    .max(50)
    .default('relationship')
    .describe('stage model for stage and the filter'),
  sort: z
    .enum(['id', '-id', 'name', '-name', 'updated', '-updated', 'clv', '-clv', 'risk', '-risk'])
    .default('id')
    .describe('a leading "-" sorts descending'),
  limit: Limit,
  cursor: Cursor,
});

const ExportQuery = ListQuery.omit({ limit: true, cursor: true }).extend({
  format: z.enum(['csv', 'xlsx']).describe('CSV (UTF-8 with BOM, CRLF) or Excel'),
  columns: z
    .string()
    .max(500)
    .transform((s) => s.split(','))
    .pipe(z.array(z.enum(EXPORT_COLUMN_KEYS)).min(1))
    .default(EXPORT_COLUMN_KEYS)
    .describe(`comma-separated, in order: ${EXPORT_COLUMN_KEYS.join(',')} (default: all)`),
  lang: z.enum(['zh-CN', 'en']).default('zh-CN').describe('language of the header row'),
});

/** The list's sort parameter ("-clv") as the store's sort and direction. */
function sortOf<Q extends { sort: string }>(query: Q) {
  return {
    ...query,
    sort: query.sort.replace('-', '') as 'id',
    desc: query.sort.startsWith('-'),
  };
}

const CustomerBody = z.strictObject({
  customerId: z.string().min(1).max(200).optional(),
  ...Object.fromEntries(Object.entries(CustomerFields).map(([k, v]) => [k, v.optional()])),
}) as z.ZodType<{ customerId?: string } & Partial<Record<keyof typeof CustomerFields, unknown>>>;

const CustomerPatch = z.strictObject(
  Object.fromEntries(Object.entries(CustomerFields).map(([k, v]) => [k, v.optional()])),
) as z.ZodType<Partial<Record<keyof typeof CustomerFields, unknown>>>;

const TimelineItem = z.object({
  kind: z.enum(['transaction', 'interaction']),
  id: z.string(),
  at: Instant,
  amountMinor: z.number().nullable(),
  status: z.string().nullable(),
  channel: z.string().nullable(),
  type: z.string().nullable(),
  direction: z.string().nullable(),
  outcome: z.string().nullable(),
  satisfaction: z.number().nullable(),
  staff: z.string().nullable(),
  note: z.string().nullable(),
});

const Customer360 = z.object({
  customer: CustomerSchema,
  totals: z.object({ orders: z.number(), revenueMinor: z.number(), interactions: z.number() }),
  timeline: z.array(TimelineItem),
  stages: z.array(
    z.object({
      model: z.string(),
      modelName: Text,
      current: z.object({
        stage: z.string(),
        name: Text,
        since: Instant,
        reason: Text,
        ruleId: z.string().nullable(),
      }),
      history: z.array(
        z.object({
          at: Instant,
          from: z.string().nullable(),
          to: z.string(),
          name: Text,
          reason: Text,
          ruleId: z.string().nullable(),
          wonBack: z.boolean(),
        }),
      ),
      nextAction: z
        .object({
          goal: Text,
          kpi: Text,
          action: z.object({ id: z.string(), title: Text, channel: z.string(), timing: Text }),
          reason: Text,
        })
        .nullable(),
    }),
  ),
  value: z
    .object({
      asOf: z.string(),
      model: z.string(),
      pAlive: z.number().nullable(),
      expectedPurchases: z.number().nullable(),
      horizonDays: z.number().nullable(),
      expectedSpendMinor: z.number().nullable(),
      clvMinor: z.number().nullable().describe('discounted CLV (margin) over horizonDays, fen'),
      historical: z.record(z.string(), z.unknown()),
      rfm: z.object({
        r: z.number().nullable(),
        f: z.number().nullable(),
        m: z.number().nullable(),
        segment: z.string().nullable(),
      }),
      tier: z.string().nullable(),
      cluster: z.string().nullable(),
    })
    .nullable(),
  risk: z.object({
    churnRisk: z.number().nullable(),
    warningLevel: z.string().nullable(),
    reasons: z.array(z.unknown()),
  }),
  nextBestAction: z
    .object({
      kind: z.enum(['retention', 'cross-sell', 'up-sell', 'playbook', 'let-go']),
      title: Text,
      channel: z.string(),
      reason: Text,
      expectedValueMinor: z.number().describe('expected value of doing it, fen'),
      stage: z.string().nullable(),
      tier: z.string().nullable().describe('pyramid tier: platinum, gold, iron, lead'),
      risk: z.number().nullable(),
      riskLevel: z.string().nullable(),
      ref: z.string().nullable().describe('the playbook action or product behind it'),
    })
    .describe(
      'the one action to take now (issue 9): retention, cross-sell, up-sell, the stage playbook or let go, by expected value',
    ),
  segments: z.array(z.object({ segmentId: z.string(), name: z.string(), joinedAt: Instant })),
  alerts: z.array(
    z.object({
      alertId: z.string(),
      level: z.string(),
      raisedAt: Instant,
      reasons: z.unknown(),
      status: z.string(),
    }),
  ),
  tasks: z.array(
    z.object({
      taskId: z.string(),
      type: z.string(),
      ownerId: z.string().nullable(),
      dueAt: Instant.nullable(),
      status: z.string(),
      source: z.string().nullable(),
    }),
  ),
});

const InteractionBody = z.strictObject({
  interactionId: z.string().min(1).max(200).optional(),
  occurredAt: z.iso.datetime({ offset: true }).optional().describe('default: now'),
  type: z.enum(['call', 'visit', 'email', 'sms', 'complaint', 'service', 'survey', 'referral']),
  direction: z.enum(['inbound', 'outbound']).nullable().optional(),
  outcome: z.string().max(200).nullable().optional(),
  satisfaction: z.number().int().min(1).max(5).nullable().optional(),
  note: z.string().max(5000).nullable().optional(),
});

function toInput(body: Record<string, unknown>) {
  const out: Record<string, unknown> = { ...body };
  delete out.customerId;
  if (typeof out.acquiredAt === 'string') out.acquiredAt = new Date(out.acquiredAt);
  return out;
}

export function registerCustomerRoutes(f: FastifyInstance, r: Registry, app: AppContext): void {
  addRoute(f, r, app, {
    method: 'GET',
    url: '/api/customers',
    summary:
      'Customers you may see: search (q), filters, sorting and cursor paging. Agents see their own; analysts see masked personal data',
    tag: 'customers',
    auth: 'customers:read',
    query: ListQuery,
    response: pageOf(CustomerSchema),
    handler: ({ query, app, actor }) => listCustomers(app.db, actor, sortOf(query)),
  });

  addRoute(f, r, app, {
    method: 'GET',
    url: '/api/customers/export',
    summary:
      'Every customer the list would return for the same filters and sort, as a CSV or Excel file, streamed (no row cap). Scoped and masked as the list; one audit row per export',
    tag: 'customers',
    auth: 'customers:read',
    query: ExportQuery,
    produces: Object.values(CONTENT_TYPES),
    handler: async ({ query, app, actor, req, reply }) => {
      const { format, columns, lang, ...filters } = query;
      const batches = await startCustomerExport(app.db, actor, sortOf(filters), {
        format,
        columns,
      });
      const body = customerTable(format, columns, lang, batches, (error) =>
        req.log.error({ err: error }, 'customer export failed part-way'),
      );
      const day = app.now().toISOString().slice(0, 10);
      return reply
        .code(200)
        .type(CONTENT_TYPES[format])
        .header('content-disposition', `attachment; filename="customers-${day}.${format}"`)
        .header('cache-control', 'no-store')
        .send(body);
    },
  });

  addRoute(f, r, app, {
    method: 'POST',
    url: '/api/customers',
    summary: 'Create a customer (an agent’s new customer is theirs)',
    tag: 'customers',
    auth: 'customers:write',
    status: 201,
    errors: [409],
    body: CustomerBody,
    response: CustomerSchema,
    handler: ({ body, app, actor }) =>
      createCustomer(app.db, actor, body.customerId ?? null, toInput(body)),
  });

  addRoute(f, r, app, {
    method: 'GET',
    url: '/api/customers/:id',
    summary: 'One customer (404 when it does not exist or is not yours to see)',
    tag: 'customers',
    auth: 'customers:read',
    errors: [404],
    params: IdParams,
    response: CustomerSchema,
    handler: ({ params, app, actor }) => getCustomer(app.db, actor, params.id),
  });

  addRoute(f, r, app, {
    method: 'PATCH',
    url: '/api/customers/:id',
    summary: 'Change some of a customer’s fields',
    tag: 'customers',
    auth: 'customers:write',
    errors: [404],
    params: IdParams,
    body: CustomerPatch,
    response: CustomerSchema,
    handler: ({ params, body, app, actor }) =>
      updateCustomer(app.db, actor, params.id, toInput(body)),
  });

  addRoute(f, r, app, {
    method: 'DELETE',
    url: '/api/customers/:id',
    summary:
      'Erase a customer (right to erasure): personal data removed everywhere; orders kept under a random pseudonym for aggregates',
    tag: 'customers',
    auth: 'customers:erase',
    errors: [404],
    params: IdParams,
    response: z.object({ erased: z.literal(true), pseudonym: z.string() }),
    handler: async ({ params, app, actor }) => ({
      erased: true as const,
      pseudonym: await eraseCustomer(app.db, actor, params.id),
    }),
  });

  addRoute(f, r, app, {
    method: 'GET',
    url: '/api/customers/:id/360',
    summary:
      'Customer 360: profile, timeline, stages with reasons, value and CLV, RFM, tier, cluster, segments, risk with reasons, next best action, open tasks',
    tag: 'customers',
    auth: 'customers:read',
    errors: [404],
    params: IdParams,
    query: z.strictObject({
      timeline: z.coerce.number().int().min(1).max(500).default(50).describe('timeline items'),
    }),
    response: Customer360,
    handler: async ({ params, query, app, actor }) => {
      const [data, stored] = await Promise.all([
        customer360(app.db, actor, params.id, 'relationship', query.timeline),
        storedStageModels(app.db),
      ]);
      const best = await nextActionOf360(app.db, data);
      const models = new Map(stored.map((s) => [s.model.key, s]));
      // the snapshot's tier and warning level as the playbook reads them (as `tenure customer`)
      const tier = playbookTierOfSnapshot(data.score?.tier);
      const riskLevel = playbookRiskOf(data.score ?? {});
      const byModel = new Map<string, typeof data.stageHistory>();
      for (const h of data.stageHistory) {
        const list = byModel.get(h.modelId) ?? [];
        list.push(h);
        byModel.set(h.modelId, list);
      }
      const stages = [...byModel].map(([key, list]) => {
        const model = models.get(key)?.model;
        const nameOf = (code: string) => {
          const s = model?.stages.find((x) => x.code === code);
          return s ? { zh: s.name.zh, en: s.name.en } : { zh: code, en: code };
        };
        const history = list.map((h) => ({
          at: h.changedAt,
          from: h.fromStage,
          to: h.toStage,
          name: nameOf(h.toStage),
          reason: { zh: h.reason, en: String(h.reasonData.en ?? '') },
          ruleId: (h.reasonData.ruleId as string | undefined) ?? null,
          wonBack: h.reasonData.wonBack === true,
        }));
        const last = history[history.length - 1];
        const playbook = models.get(key)?.playbook ?? PRESET_PLAYBOOKS[key] ?? null;
        const next =
          playbook && playbook.stages[last.to] !== undefined
            ? nextBestAction(last.to, playbook, tier, riskLevel)
            : null;
        return {
          model: key,
          modelName: model ? { zh: model.name.zh, en: model.name.en } : { zh: key, en: key },
          current: {
            stage: last.to,
            name: last.name,
            since: last.at,
            reason: last.reason,
            ruleId: last.ruleId,
          },
          history,
          nextAction: next && {
            goal: next.goal,
            kpi: next.kpi,
            action: {
              id: next.action.id,
              title: next.action.title,
              channel: next.action.channel,
              timing: next.action.timing,
            },
            reason: next.reason,
          },
        };
      });
      const s = data.score;
      return {
        customer: data.customer,
        totals: data.totals,
        timeline: data.timeline,
        stages,
        value: s && {
          asOf: s.asOf,
          model: s.model,
          pAlive: s.pAlive,
          expectedPurchases: s.expectedPurchases,
          horizonDays: s.horizonDays,
          expectedSpendMinor: s.expectedSpendMinor,
          clvMinor: s.clvMinor,
          historical: s.historical,
          rfm: s.rfm,
          tier: s.tier,
          cluster: s.cluster,
        },
        risk: {
          churnRisk: s?.churnRisk ?? null,
          warningLevel: s?.warningLevel ?? null,
          reasons: data.alerts.flatMap((a) => (Array.isArray(a.reasons) ? a.reasons : [])),
        },
        nextBestAction: {
          kind: best.kind,
          title: best.title,
          channel: best.channel,
          reason: best.reason,
          expectedValueMinor: best.expectedValueMinor,
          stage: best.stage,
          tier: best.tier,
          risk: best.risk,
          riskLevel: best.riskLevel,
          ref: best.ref,
        },
        segments: data.segments,
        alerts: data.alerts,
        tasks: data.tasks,
      };
    },
  });

  addRoute(f, r, app, {
    method: 'POST',
    url: '/api/customers/:id/interactions',
    summary: 'Log a call, visit, complaint… for a customer (you are recorded as the staff)',
    tag: 'customers',
    auth: 'interactions:write',
    status: 201,
    errors: [404, 409],
    params: IdParams,
    body: InteractionBody,
    response: z.object({ interactionId: z.string(), customerId: z.string(), occurredAt: Instant }),
    handler: async ({ params, body, app, actor }) => {
      const logged = await logInteraction(app.db, actor, params.id, {
        interactionId: body.interactionId ?? null,
        occurredAt: body.occurredAt ? new Date(body.occurredAt) : app.now(),
        type: body.type,
        direction: body.direction ?? null,
        outcome: body.outcome ?? null,
        satisfaction: body.satisfaction ?? null,
        note: body.note ?? null,
      });
      app.notifyOutbox();
      return logged;
    },
  });
}
