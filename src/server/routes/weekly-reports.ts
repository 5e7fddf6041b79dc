/**
 * The weekly report the server writes (issue 9 §5): its schedule (read by anyone with reports,
 * changed by an admin) and the stored reports, each a self-contained HTML page that opens
 * offline — the same document `tenure report` writes.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { audit } from '../../store/audit-repo.js';
import {
  listWeeklyReports,
  loadReportSchedule,
  updateReportSchedule,
  weeklyReportHtml,
} from '../../store/weekly-report-repo.js';
import { type AppContext, addRoute, type Registry } from '../routing.js';
import { IdParams } from '../schemas.js';

const Lang = z.enum(['zh-CN', 'en']);

const Schedule = z.object({
  enabled: z.boolean().describe('write the report every week'),
  weekday: z.number().int().min(1).max(7).describe('ISO weekday: 1 Monday … 7 Sunday'),
  hour: z.number().int().min(0).max(23).describe('local hour in timeZone'),
  timeZone: z.string().max(64).describe('IANA time zone, e.g. Asia/Shanghai'),
  langs: z.array(Lang).min(1).max(2),
  keepWeeks: z.number().int().min(1).max(520).describe('weeks of reports kept per language'),
});

const WeeklyReportSchema = z.object({
  reportId: z.string(),
  period: z.string().describe('ISO week, e.g. 2026-W49'),
  lang: Lang,
  asOf: z.string(),
  generatedAt: z.date().or(z.string()),
  bytes: z.number(),
});

export function registerWeeklyReportRoutes(f: FastifyInstance, r: Registry, app: AppContext): void {
  addRoute(f, r, app, {
    method: 'GET',
    url: '/api/reports/schedule',
    summary: 'The weekly report’s schedule',
    tag: 'reports',
    auth: 'reports:read',
    response: Schedule,
    handler: ({ app }) => loadReportSchedule(app.db),
  });

  addRoute(f, r, app, {
    method: 'PUT',
    url: '/api/reports/schedule',
    summary:
      'Change the weekly report’s schedule (any of its fields); the server writes the due week’s report within its scheduler interval',
    tag: 'reports',
    auth: 'settings:write',
    body: Schedule.partial().strict(),
    response: Schedule,
    handler: async ({ body, app, actor }) => {
      const schedule = await updateReportSchedule(app.db, body);
      await audit(app.db, actor, 'settings.report_schedule', null, { schedule });
      return schedule;
    },
  });

  addRoute(f, r, app, {
    method: 'GET',
    url: '/api/reports/weekly',
    summary: 'The weekly reports written so far, newest first',
    tag: 'reports',
    auth: 'reports:read',
    response: z.object({ items: z.array(WeeklyReportSchema) }),
    handler: async ({ app }) => ({ items: await listWeeklyReports(app.db) }),
  });

  addRoute(f, r, app, {
    method: 'GET',
    url: '/api/reports/weekly/:id',
    summary: 'One weekly report as a self-contained HTML page (text/html)',
    tag: 'reports',
    auth: 'reports:read',
    errors: [404],
    params: IdParams,
    handler: async ({ params, app, reply }) => {
      const { report, html } = await weeklyReportHtml(app.db, params.id);
      return reply
        .type('text/html; charset=utf-8')
        .header(
          'content-disposition',
          `inline; filename="tenure-${report.period}-${report.lang}.html"`,
        )
        .send(html);
    },
  });
}
