/**
 * Campaigns through the API (issue 9 §4), over the store's campaign-repo: the same groups,
 * contact list and measurement as `tenure campaign`. Managers and admins run campaigns
 * (`campaigns:write`); analysts read them and their results (`campaigns:read`). The contact list
 * is personal data: the store masks it for an analyst and audits an unmasked read.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { audit } from '../../store/audit-repo.js';
import {
  type Campaign,
  CONTACT_HEADERS,
  campaignContacts,
  campaignProgress,
  campaignReport,
  contactCells,
  createCampaign,
  getCampaign,
  listCampaigns,
  recordContacts,
  recordResponses,
  sendCampaign,
  simulateDemoResponses,
} from '../../store/campaign-repo.js';
import type { Db } from '../../store/db.js';
import { type AppContext, addRoute, type Registry } from '../routing.js';
import { CalendarDate, IdParams, Instant } from '../schemas.js';
import { tableCsv, tableXlsx } from '../table-response.js';

const Day = z.union([CalendarDate, z.iso.datetime({ offset: true })]);
const dayOf = (v: string): Date => new Date(v.length === 10 ? `${v}T00:00:00Z` : v);

const CampaignOut = z.object({
  campaignId: z.string(),
  name: z.string(),
  segmentId: z.string().nullable(),
  action: z.string().nullable(),
  channel: z.string().nullable(),
  message: z.string().nullable(),
  holdoutShare: z.number(),
  seed: z.number(),
  status: z.string(),
  phase: z
    .enum(['scheduled', 'running', 'ended'])
    .describe('from the window: before its start, inside it, after its end'),
  startsAt: Instant.nullable(),
  endsAt: Instant.nullable(),
  costMinor: z.number().describe('fixed cost, fen'),
  costPerContactMinor: z.number().describe('fen'),
  marginShare: z.number().nullable(),
  members: z.object({ treatment: z.number(), control: z.number() }),
  byTier: z.array(
    z.object({ tier: z.string().nullable(), treatment: z.number(), control: z.number() }),
  ),
});

const CampaignDetail = CampaignOut.extend({
  progress: z.object({
    contacted: z.number(),
    responded: z.number(),
    sent: z.number().describe('campaign.contact webhook events enqueued'),
  }),
});

const DifferenceOut = z.object({
  treatment: z.number(),
  control: z.number(),
  difference: z.number().describe('treatment − control'),
  low: z.number(),
  high: z.number(),
  confidence: z.number(),
  method: z.string(),
});

const ArmOut = z.object({
  members: z.number(),
  contacted: z.number(),
  responded: z.number(),
  converted: z.number(),
  conversionRate: z.number(),
  revenueMinor: z.number(),
  revenuePerCustomerMinor: z.number(),
  retained: z.number().nullable(),
  retentionRate: z.number().nullable(),
});

const ReportOut = z.object({
  campaign: CampaignOut,
  window: z.object({ start: Instant, end: Instant, complete: z.boolean() }),
  treatment: ArmOut,
  control: ArmOut,
  uplift: z.object({
    conversion: DifferenceOut.nullable(),
    revenuePerCustomerMinor: DifferenceOut.extend({
      df: z.number(),
      standardError: z.number(),
    }).nullable(),
    retention: DifferenceOut.nullable(),
    churn: DifferenceOut.nullable(),
  }),
  costMinor: z.number(),
  marginShare: z.number(),
  incrementalRevenueMinor: z.number().nullable(),
  incrementalMarginMinor: z.number().nullable(),
  roi: z.number().nullable(),
});

function out(c: Campaign, now: Date): z.input<typeof CampaignOut> {
  const t = now.getTime();
  const phase =
    c.startsAt !== null && t < c.startsAt.getTime()
      ? 'scheduled'
      : c.endsAt !== null && t >= c.endsAt.getTime()
        ? 'ended'
        : 'running';
  return {
    ...c,
    phase,
    startsAt: c.startsAt?.toISOString() ?? null,
    endsAt: c.endsAt?.toISOString() ?? null,
  };
}

async function detail(db: Db, id: string, now: Date) {
  const c = await getCampaign(db, id);
  return { ...out(c, now), progress: await campaignProgress(db, id) };
}

export function registerCampaignRoutes(f: FastifyInstance, r: Registry, app: AppContext): void {
  addRoute(f, r, app, {
    method: 'GET',
    url: '/api/campaigns',
    summary: 'Campaigns, newest first, with their groups',
    tag: 'campaigns',
    auth: 'campaigns:read',
    response: z.object({ items: z.array(CampaignOut) }),
    handler: async ({ app }) => {
      const now = app.now();
      return { items: (await listCampaigns(app.db)).map((c) => out(c, now)) };
    },
  });

  addRoute(f, r, app, {
    method: 'POST',
    url: '/api/campaigns',
    summary:
      'Create a campaign on a saved segment’s current members (or a customer list), split into treatment and a hold-out control group within each value tier',
    tag: 'campaigns',
    auth: 'campaigns:write',
    status: 201,
    errors: [404, 409],
    body: z
      .strictObject({
        name: z.string().min(1).max(200),
        segmentId: z.string().min(1).max(200).optional(),
        customerIds: z.array(z.string().min(1).max(200)).min(2).max(100_000).optional(),
        action: z.string().max(200).optional().describe('the action offered'),
        channel: z.string().max(50).optional().describe('sms, call, email, wechat, …'),
        message: z.string().max(2000).optional(),
        holdoutShare: z
          .number()
          .gt(0)
          .lt(1)
          .default(0.2)
          .describe('share of each tier held out as control'),
        seed: z.number().int().min(0).max(2_147_483_647).default(1),
        startsAt: Day.describe('window start'),
        endsAt: Day.describe('window end (exclusive)'),
        costMinor: z.number().int().min(0).default(0).describe('fixed cost, fen'),
        costPerContactMinor: z.number().int().min(0).default(0).describe('fen'),
        marginShare: z
          .number()
          .min(0)
          .max(1)
          .optional()
          .describe('margin on incremental revenue (default: the orders’ own)'),
        campaignId: z
          .string()
          .regex(/^[A-Za-z0-9_-]{1,40}$/)
          .optional(),
      })
      .refine((b) => (b.segmentId === undefined) !== (b.customerIds === undefined), {
        message: 'give either segmentId or customerIds',
        path: ['segmentId'],
      }),
    response: CampaignDetail,
    handler: async ({ body, app, actor }) => {
      const c = await app.db.transaction(async (tx) => {
        const made = await createCampaign(tx, {
          ...body,
          startsAt: dayOf(body.startsAt),
          endsAt: dayOf(body.endsAt),
        });
        await audit(tx, actor, 'campaign.create', null, {
          campaignId: made.campaignId,
          segmentId: made.segmentId,
          members: made.members,
        });
        return made;
      });
      return detail(app.db, c.campaignId, app.now());
    },
  });

  addRoute(f, r, app, {
    method: 'GET',
    url: '/api/campaigns/:id',
    summary: 'A campaign: its definition, groups by tier, contacts, responses and sends',
    tag: 'campaigns',
    auth: 'campaigns:read',
    errors: [404],
    params: IdParams,
    response: CampaignDetail,
    handler: ({ params, app }) => detail(app.db, params.id, app.now()),
  });

  addRoute(f, r, app, {
    method: 'GET',
    url: '/api/campaigns/:id/contacts',
    summary:
      'The treatment group’s contact list as CSV (UTF-8 with BOM) or XLSX; masked for analysts; an unmasked read is audited',
    tag: 'campaigns',
    auth: 'campaigns:read',
    errors: [404],
    params: IdParams,
    query: z.strictObject({ format: z.enum(['csv', 'xlsx']).default('csv') }),
    handler: async ({ params, query, app, actor, reply }) => {
      const rows = await campaignContacts(app.db, actor, params.id);
      const cells = rows.map(contactCells);
      const file = `campaign-${params.id}-contacts.${query.format}`;
      reply.header('content-disposition', `attachment; filename="${file}"`);
      if (query.format === 'xlsx') {
        reply.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
        return reply.send(await tableXlsx('contacts', CONTACT_HEADERS, cells));
      }
      reply.type('text/csv; charset=utf-8');
      return reply.send(tableCsv(CONTACT_HEADERS, cells));
    },
  });

  addRoute(f, r, app, {
    method: 'POST',
    url: '/api/campaigns/:id/responses',
    summary:
      'Record contacts (treatment members; all when customerIds is left out) and responses (any member; again replaces) in one batch, all or nothing',
    tag: 'campaigns',
    auth: 'campaigns:write',
    errors: [404],
    params: IdParams,
    body: z
      .strictObject({
        contacts: z
          .strictObject({
            customerIds: z.array(z.string().min(1).max(200)).max(100_000).optional(),
            at: z.iso.datetime({ offset: true }).optional().describe('default: now'),
          })
          .optional(),
        responses: z
          .array(
            z.strictObject({
              customerId: z.string().min(1).max(200),
              at: z.iso.datetime({ offset: true }).optional().describe('default: now'),
              response: z.string().min(1).max(200).optional().describe('default: responded'),
              revenueMinor: z.number().int().min(0).optional().describe('fen'),
            }),
          )
          .max(100_000)
          .optional(),
      })
      .refine((b) => b.contacts !== undefined || (b.responses?.length ?? 0) > 0, {
        message: 'give contacts or at least one response',
        path: ['responses'],
      }),
    response: z.object({ contacted: z.number(), responses: z.number() }),
    handler: async ({ params, body, app, actor }) => {
      await getCampaign(app.db, params.id);
      const now = app.now();
      return app.db.transaction(async (tx) => {
        const contacted = body.contacts
          ? await recordContacts(
              tx,
              params.id,
              body.contacts.at ? new Date(body.contacts.at) : now,
              body.contacts.customerIds,
            )
          : 0;
        const responses = body.responses?.length
          ? await recordResponses(
              tx,
              params.id,
              body.responses.map((x) => ({
                customerId: x.customerId,
                at: x.at ? new Date(x.at) : now,
                response: x.response,
                revenueMinor: x.revenueMinor,
              })),
            )
          : 0;
        await audit(tx, actor, 'campaign.responses', null, {
          campaignId: params.id,
          contacted,
          responses,
        });
        return { contacted, responses };
      });
    },
  });

  addRoute(f, r, app, {
    method: 'GET',
    url: '/api/campaigns/:id/report',
    summary:
      'Results: conversion, revenue per customer and retention of treatment vs control; uplift with 95 % intervals (Newcombe for proportions, Welch for revenue); cost, incremental margin and ROI — the numbers of `tenure campaign report`',
    tag: 'campaigns',
    auth: 'campaigns:read',
    errors: [404],
    params: IdParams,
    response: ReportOut,
    handler: async ({ params, app }) => {
      const now = app.now();
      const report = await campaignReport(app.db, params.id, now);
      return {
        ...report,
        campaign: out(report.campaign, now),
      };
    },
  });

  addRoute(f, r, app, {
    method: 'POST',
    url: '/api/campaigns/:id/send',
    summary:
      'Send through webhooks: one campaign.contact event per treatment member to every subscriber of that type, members marked contacted. Sending again enqueues nothing more',
    tag: 'campaigns',
    auth: 'campaigns:write',
    errors: [404],
    params: IdParams,
    response: z.object({
      events: z.number().describe('events enqueued now'),
      alreadySent: z.number().describe('members whose event was enqueued before'),
      deliveries: z.number().describe('deliveries owed to subscribers'),
    }),
    handler: async ({ params, app, actor }) => {
      const sent = await sendCampaign(app.db, actor, params.id, app.now());
      if (sent.deliveries > 0) app.notifyOutbox();
      return sent;
    },
  });

  addRoute(f, r, app, {
    method: 'POST',
    url: '/api/campaigns/:id/simulate',
    summary:
      'Demo business only: add responses with a planted true uplift in conversion (orders in the window); refused (400) on any other database',
    tag: 'campaigns',
    auth: 'campaigns:write',
    errors: [404],
    params: IdParams,
    body: z.strictObject({
      baseRate: z.number().min(0).max(1),
      uplift: z.number().min(-1).max(1),
      seed: z.number().int().min(0).max(2_147_483_647).optional(),
    }),
    response: z.object({
      orders: z.number(),
      treatmentConverted: z.number(),
      controlConverted: z.number(),
    }),
    handler: async ({ params, body, app, actor }) => {
      const r = await simulateDemoResponses(app.db, params.id, body);
      await audit(app.db, actor, 'campaign.simulate', null, { campaignId: params.id, ...body });
      return r;
    },
  });
}
