/**
 * Saved rule segments through the API (issue 7 §4), over the segment engineer's store
 * (src/store/segment-repo.ts, rule language in src/store/segment-sql.ts). Members are listed
 * through the customer list, so the caller's scope and masking apply to them as to any customer.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { audit } from '../../store/audit-repo.js';
import { listCustomers } from '../../store/customer-repo.js';
import {
  countRuleMatches,
  createSegment,
  deleteSegment,
  getSegment,
  listSegments,
  segmentFieldList,
  segmentHistory,
  updateSegment,
} from '../../store/segment-repo.js';
import { type AppContext, addRoute, type Registry } from '../routing.js';
import { CalendarDate, Cursor, CustomerSchema, IdParams, Limit, pageOf } from '../schemas.js';

const Segment = z.object({
  segmentId: z.string(),
  name: z.string(),
  rule: z.string(),
  description: z.string().nullable(),
  members: z.number(),
  refreshedAt: z.string().nullable(),
  createdAt: z.string(),
});

const Rule = z
  .string()
  .min(1)
  .max(4000)
  .describe("the rule language, e.g. stage = '退化期' AND province IN ('浙江', '江苏')");

export function registerSegmentRoutes(f: FastifyInstance, r: Registry, app: AppContext): void {
  addRoute(f, r, app, {
    method: 'GET',
    url: '/api/segments',
    summary: 'Saved rule segments with their member counts',
    tag: 'segments',
    auth: 'segments:read',
    response: z.object({ items: z.array(Segment) }),
    handler: async ({ app }) => ({ items: await listSegments(app.db) }),
  });

  addRoute(f, r, app, {
    method: 'POST',
    url: '/api/segments',
    summary:
      'Save a rule segment; its members are computed at once (same name and rule: unchanged)',
    tag: 'segments',
    auth: 'segments:write',
    status: 201,
    errors: [409],
    body: z.strictObject({
      name: z.string().min(1).max(200),
      rule: Rule,
      description: z.string().max(2000).nullable().optional(),
    }),
    response: Segment,
    handler: async ({ body, app, actor }) =>
      app.db.transaction(async (tx) => {
        const made = await createSegment(tx, body);
        await audit(tx, actor, 'segment.create', null, { segmentId: made.segment.segmentId });
        return made.segment;
      }),
  });

  addRoute(f, r, app, {
    method: 'GET',
    url: '/api/segments/fields',
    summary:
      'The fields a segment rule may name, with their type, names in zh/en and the codes of coded fields',
    tag: 'segments',
    auth: 'segments:read',
    response: z.object({
      items: z.array(
        z.object({
          name: z.string(),
          type: z.enum(['text', 'number', 'date', 'boolean', 'tags']),
          zh: z.string(),
          en: z.string(),
          values: z.array(z.string()).optional(),
        }),
      ),
    }),
    handler: async ({ app }) => ({ items: await segmentFieldList(app.db) }),
  });

  addRoute(f, r, app, {
    method: 'POST',
    url: '/api/segments/preview',
    summary:
      'How many customers a rule selects as of the latest score snapshot, without saving anything (the rule builder’s live count). A rule error is 400 with details.line and details.column',
    tag: 'segments',
    auth: 'segments:read',
    body: z.strictObject({
      rule: Rule,
      asOf: CalendarDate.optional().describe('score snapshot date (default: the latest)'),
    }),
    response: z.object({
      count: z.number().describe('customers the rule selects'),
      total: z.number().describe('customers it was evaluated over'),
      asOf: z.string(),
    }),
    handler: async ({ body, app, actor }) => {
      const m = await countRuleMatches(app.db, actor, body.rule, body.asOf);
      return { count: m.customers, total: m.total, asOf: m.asOf };
    },
  });

  addRoute(f, r, app, {
    method: 'GET',
    url: '/api/segments/:id',
    summary: 'One segment (by id or name)',
    tag: 'segments',
    auth: 'segments:read',
    errors: [404],
    params: IdParams,
    response: Segment,
    handler: ({ params, app }) => getSegment(app.db, params.id),
  });

  addRoute(f, r, app, {
    method: 'PATCH',
    url: '/api/segments/:id',
    summary: 'Rename a segment or change its rule (members are recomputed)',
    tag: 'segments',
    auth: 'segments:write',
    errors: [404],
    params: IdParams,
    body: z.strictObject({
      name: z.string().min(1).max(200).optional(),
      rule: Rule.optional(),
      description: z.string().max(2000).nullable().optional(),
    }),
    response: Segment,
    handler: async ({ params, body, app, actor }) =>
      app.db.transaction(async (tx) => {
        const seg = await updateSegment(tx, params.id, body);
        await audit(tx, actor, 'segment.update', null, { segmentId: seg.segmentId });
        return seg;
      }),
  });

  addRoute(f, r, app, {
    method: 'DELETE',
    url: '/api/segments/:id',
    summary: 'Delete a segment with its membership history',
    tag: 'segments',
    auth: 'segments:write',
    status: 204,
    errors: [404],
    params: IdParams,
    handler: async ({ params, app, actor }) => {
      await app.db.transaction(async (tx) => {
        const seg = await getSegment(tx, params.id);
        await deleteSegment(tx, seg.segmentId);
        await audit(tx, actor, 'segment.delete', null, { segmentId: seg.segmentId });
      });
    },
  });

  addRoute(f, r, app, {
    method: 'GET',
    url: '/api/segments/:id/members',
    summary: 'Current members, as customers (scope and masking apply), with cursor paging',
    tag: 'segments',
    auth: 'segments:read',
    errors: [404],
    params: IdParams,
    query: z.strictObject({ limit: Limit, cursor: Cursor }),
    response: pageOf(CustomerSchema),
    handler: async ({ params, query, app, actor }) => {
      const seg = await getSegment(app.db, params.id);
      return listCustomers(app.db, actor, {
        segment: seg.segmentId,
        model: 'relationship',
        sort: 'id',
        desc: false,
        limit: query.limit,
        cursor: query.cursor,
      });
    },
  });

  addRoute(f, r, app, {
    method: 'GET',
    url: '/api/segments/:id/history',
    summary: 'Members per refresh date, with how many joined and left',
    tag: 'segments',
    auth: 'segments:read',
    errors: [404],
    params: IdParams,
    response: z.object({
      items: z.array(
        z.object({ asOf: z.string(), members: z.number(), joined: z.number(), left: z.number() }),
      ),
    }),
    handler: async ({ params, app }) => {
      const seg = await getSegment(app.db, params.id);
      return { items: await segmentHistory(app.db, seg.segmentId) };
    },
  });
}
