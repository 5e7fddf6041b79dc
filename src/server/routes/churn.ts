/**
 * Churn warnings through the API (issue 7 §4, issue 8 §7): the alert list by level and status
 * with reasons and value at risk (an agent sees their own customers' alerts; an analyst sees
 * names masked), assigning and resolving one, and the latest model's backtest figures.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { NotFoundError } from '../../errors.js';
import { listAlerts, updateAlert } from '../../store/alert-repo.js';
import { churnBacktestFigures } from '../../store/churn-repo.js';
import { type AppContext, addRoute, type Registry } from '../routing.js';
import { Cursor, Instant, Limit, pageOf } from '../schemas.js';

const Alert = z.object({
  customerId: z.string(),
  alertId: z.string(),
  customerName: z.string().nullable(),
  ownerId: z.string().nullable(),
  level: z.string().describe('red, orange or yellow'),
  raisedAt: Instant,
  reasons: z.array(z.unknown()),
  status: z.string().describe('open, resolved (by a person), retained, lost or cleared'),
  resolvedAt: Instant.nullable(),
  churnRisk: z.number().nullable(),
  valueAtRiskMinor: z.number().nullable().describe('churn risk × predicted CLV when raised, fen'),
  assignedTo: z.string().nullable(),
  resolvedBy: z.string().nullable(),
});

// The web app's words for the levels (high / medium / low) name the same three.
const LEVEL_ALIASES: Record<string, string> = { high: 'red', medium: 'orange', low: 'yellow' };

export function registerChurnRoutes(f: FastifyInstance, r: Registry, app: AppContext): void {
  addRoute(f, r, app, {
    method: 'GET',
    url: '/api/alerts',
    summary:
      'Churn alerts you may see, by value at risk (highest first): an agent sees their own customers’; an analyst sees names masked',
    tag: 'churn',
    auth: 'customers:read',
    query: z.strictObject({
      level: z
        .enum(['red', 'orange', 'yellow', 'high', 'medium', 'low'])
        .optional()
        .transform((l) => (l === undefined ? undefined : (LEVEL_ALIASES[l] ?? l)))
        .describe('red | orange | yellow (high | medium | low are the same)'),
      status: z.enum(['open', 'resolved', 'retained', 'lost', 'cleared']).optional(),
      limit: Limit,
      cursor: Cursor,
    }),
    response: pageOf(Alert),
    handler: ({ query, app, actor }) => listAlerts(app.db, actor, query),
  });

  addRoute(f, r, app, {
    method: 'PATCH',
    url: '/api/alerts/:customerId/:alertId',
    summary:
      'Assign an alert to a staff member (its task follows; managers and admins) and/or resolve it (its task is done)',
    tag: 'churn',
    auth: 'tasks:write',
    errors: [404],
    params: z.strictObject({
      customerId: z.string().min(1).max(200),
      alertId: z.string().min(1).max(200),
    }),
    body: z
      .strictObject({
        assignedTo: z.string().min(1).max(100).nullable().optional().describe('a staff code'),
        status: z.literal('resolved').optional(),
        note: z
          .string()
          .max(2000)
          .nullable()
          .optional()
          .describe('the resolution, kept on the task'),
      })
      .refine((b) => b.assignedTo !== undefined || b.status !== undefined, {
        message: 'say what to change: assignedTo, status or both',
      }),
    response: Alert,
    handler: ({ params, body, app, actor }) =>
      updateAlert(app.db, actor, params.customerId, params.alertId, body),
  });

  addRoute(f, r, app, {
    method: 'GET',
    url: '/api/churn/backtest',
    summary:
      'The latest churn model’s figures on its held-out customers: AUC, ROC points at the decile cut-offs, lift and capture by decile, calibration by decile, coefficients',
    tag: 'churn',
    auth: 'reports:read',
    errors: [404],
    response: z.object({
      asOf: z.string(),
      windowDays: z.number(),
      kind: z.string(),
      trainedAt: Instant,
      basis: z.literal('holdout'),
      customers: z.number(),
      churned: z.number(),
      baseRate: z.number().nullable(),
      auc: z.number().nullable(),
      prAuc: z.number().nullable(),
      brier: z.number().nullable(),
      roc: z.array(z.object({ fpr: z.number(), tpr: z.number() })),
      liftByDecile: z.array(
        z.object({
          decile: z.number(),
          lift: z.number().nullable(),
          capture: z.number().nullable(),
        }),
      ),
      calibration: z.array(
        z.object({
          decile: z.number(),
          predicted: z.number().nullable(),
          observed: z.number().nullable(),
          customers: z.number(),
        }),
      ),
      coefficients: z.array(z.object({ feature: z.string(), coefficient: z.number() })),
      notes: z.array(z.string()),
    }),
    handler: async ({ app }) => {
      const figures = await churnBacktestFigures(app.db);
      if (!figures) {
        throw new NotFoundError(
          'no churn model with held-out figures yet: run an analysis with enough history first',
        );
      }
      return figures;
    },
  });
}
