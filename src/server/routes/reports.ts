/** Dashboard aggregates and analysis runs (issue 7 §4). */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { PRESET_MODELS } from '../../engine/index.js';
import { NotFoundError } from '../../errors.js';
import {
  addRunProgress,
  finishRun,
  getRun,
  listRuns,
  runningRun,
  startRun,
} from '../../store/analysis-run-repo.js';
import { audit } from '../../store/audit-repo.js';
import { dashboard } from '../../store/dashboard-repo.js';
import { runLifecycleAnalysis } from '../../store/lifecycle-analysis.js';
import { loadSegmentRuns } from '../../store/segment-analysis.js';
import { buildStagesReport } from '../../store/stages-report.js';
import { runValueAnalysis } from '../../store/value-analysis.js';
import { enqueueWebhookEvent } from '../../store/webhook-repo.js';
import { ApiError } from '../http-errors.js';
import { type AppContext, addRoute, type Registry } from '../routing.js';
import { CalendarDate, IdParams, Instant } from '../schemas.js';
import { forgetStageModels, storedStageModels } from '../stage-models.js';

const Breakdown = z.array(
  z.object({
    key: z.string(),
    customers: z.number(),
    revenueMinor: z.number(),
    clvMinor: z.number(),
  }),
);

const DashboardSchema = z.object({
  asOf: z.string().nullable(),
  kpis: z.object({
    customers: z.number(),
    buyers: z.number(),
    orders: z.number(),
    revenueMinor: z.number(),
    revenueLast365Minor: z.number(),
    aovMinor: z.number(),
    totalClvMinor: z.number(),
    expectedActive: z.number(),
  }),
  stageMix: z.object({
    model: z.string(),
    dates: z.array(z.object({ date: z.string(), stages: z.record(z.string(), z.number()) })),
  }),
  tiers: z.array(
    z.object({
      tier: z.string(),
      customers: z.number(),
      clvMinor: z.number(),
      revenueMinor: z.number(),
    }),
  ),
  pareto: z.array(
    z.object({ customerShare: z.number(), revenueShare: z.number(), clvShare: z.number() }),
  ),
  cohorts: z.array(z.object({ cohort: z.string(), size: z.number(), active: z.array(z.number()) })),
  atRisk: z.array(
    z.object({
      customerId: z.string(),
      name: z.string().nullable(),
      stage: z.string().nullable(),
      clvMinor: z.number().nullable(),
      pAlive: z.number().nullable(),
      churnRisk: z.number().nullable(),
      warningLevel: z.string().nullable(),
    }),
  ),
  breakdowns: z.object({
    region: Breakdown,
    ageBand: Breakdown,
    industry: Breakdown,
    gender: Breakdown,
    channel: Breakdown,
  }),
  clvHistogram: z
    .array(z.object({ fromMinor: z.number(), toMinor: z.number(), customers: z.number() }))
    .describe(
      'customers by predicted CLV in log-spaced 1-2-5 bins [fromMinor, toMinor) in fen; the first bin [0, 100) holds CLV under ¥1',
    ),
});

const Bilingual = { zh: z.string(), en: z.string() };

const StagesSchema = z.object({
  model: z.string(),
  modelName: z.object(Bilingual),
  asOf: z.string(),
  from: z.string().nullable(),
  customers: z.number(),
  mix: z.array(
    z.object({
      stage: z.string(),
      ...Bilingual,
      colour: z.string(),
      customers: z.number(),
      share: z.number(),
      revenueYuan: z.number(),
      clvYuan: z.number(),
    }),
  ),
  valueSnapshot: z.string().nullable(),
  trajectories: z.array(
    z.object({
      pattern: z.string(),
      ...Bilingual,
      customers: z.number(),
      revenueYuan: z.number(),
      clvYuan: z.number(),
    }),
  ),
  transitions: z.object({
    counts: z.array(
      z.object({
        from: z.string().nullable(),
        to: z.string(),
        customers: z.number(),
        rate: z.number(),
      }),
    ),
    sankey: z.object({
      nodes: z.array(
        z.object({
          id: z.string(),
          stage: z.string().nullable(),
          side: z.enum(['from', 'to']),
          ...Bilingual,
          colour: z.string(),
        }),
      ),
      links: z.array(z.object({ source: z.string(), target: z.string(), value: z.number() })),
    }),
  }),
  dwell: z.array(
    z.object({
      stage: z.string(),
      ...Bilingual,
      stays: z.number(),
      ended: z.number(),
      ongoing: z.number(),
      q1Days: z.number().nullable(),
      medianDays: z.number().nullable(),
      q3Days: z.number().nullable(),
    }),
  ),
  funnel: z.array(
    z.object({
      stage: z.string(),
      ...Bilingual,
      reached: z.number(),
      conversion: z.number(),
      cumulative: z.number(),
    }),
  ),
});

const Loose = z.record(z.string(), z.unknown());

const SegmentAnalysisSchema = z.object({
  asOf: z.string(),
  rfm: z
    .object({
      customers: z.number(),
      method: z.string(),
      segments: z.array(
        z.object({
          key: z.string(),
          ...Bilingual,
          customers: z.number(),
          share: z.number(),
        }),
      ),
      grid: z.array(z.array(z.number())).describe('customers per (R, FM): grid[5 − R][FM − 1]'),
      rf: z.array(z.array(z.number())).describe('customers per (R, F): rf[5 − R][F − 1]'),
    })
    .nullable(),
  tiers: z.object({ basis: z.string(), cutoffs: z.unknown(), tiers: z.array(Loose) }).nullable(),
  pareto: Loose.nullable(),
  clusters: z
    .object({
      features: z.array(z.object({ name: z.string(), role: z.string() })),
      populationMeans: z.array(z.number()),
      k: z.number(),
      chosenBy: z.string(),
      silhouettes: z.array(z.object({ k: z.number(), silhouette: z.number() })).nullable(),
      clusters: z.array(Loose),
    })
    .nullable(),
});

const Run = z.object({
  runId: z.string(),
  status: z.enum(['running', 'succeeded', 'failed']),
  asOf: z.string(),
  options: z.record(z.string(), z.unknown()),
  progress: z.array(z.object({ at: z.string(), step: z.string() })),
  result: z.unknown(),
  error: z.string().nullable(),
  startedBy: z.string().nullable(),
  startedAt: Instant,
  finishedAt: Instant.nullable(),
});

export function registerReportRoutes(f: FastifyInstance, r: Registry, app: AppContext): void {
  addRoute(f, r, app, {
    method: 'GET',
    url: '/api/dashboard',
    summary:
      'KPIs, stage mix over time, tiers, Pareto, cohorts, the at-risk list and breakdowns by region / age band / industry / gender / channel',
    tag: 'reports',
    auth: 'reports:read',
    query: z.strictObject({ model: z.string().max(50).default('relationship') }),
    response: DashboardSchema,
    handler: ({ query, app, actor }) => dashboard(app.db, actor, query.model),
  });

  addRoute(f, r, app, {
    method: 'GET',
    url: '/api/stages',
    summary:
      'The lifecycle report of a stage model (as `tenure stages --json`): mix with revenue and CLV, trajectories, transitions with Sankey data, Kaplan–Meier dwell times, funnel',
    tag: 'reports',
    auth: 'reports:read',
    errors: [404],
    query: z.strictObject({
      model: z.string().max(50).default('relationship'),
      asOf: CalendarDate.optional().describe('default: the model’s latest history day'),
      from: CalendarDate.optional().describe('transitions from this day (default: the one before)'),
    }),
    response: StagesSchema,
    handler: async ({ query, app }) => {
      const stored = (await storedStageModels(app.db)).find((m) => m.model.key === query.model);
      const model = stored?.model ?? PRESET_MODELS[query.model];
      if (!model) {
        throw new NotFoundError(`no stage model "${query.model}"`, {
          field: 'model',
          value: query.model,
        });
      }
      const day = (d: string | undefined) => (d ? new Date(`${d}T00:00:00Z`) : undefined);
      return buildStagesReport(app.db, model, { asOf: day(query.asOf), from: day(query.from) });
    },
  });

  addRoute(f, r, app, {
    method: 'GET',
    url: '/api/segment-analysis',
    summary:
      'The stored segmentation run (latest, or the one at asOf): RFM segments and 5×5 grids, value tiers, Pareto curve, clusters with profiles and archetypes',
    tag: 'reports',
    auth: 'segments:read',
    errors: [404],
    query: z.strictObject({
      asOf: CalendarDate.optional().describe('default: the latest run'),
    }),
    response: SegmentAnalysisSchema,
    handler: async ({ query, app }) => {
      const runs = await loadSegmentRuns(app.db, query.asOf);
      if (!runs) {
        throw new NotFoundError(
          query.asOf
            ? `no segmentation run on ${query.asOf}`
            : 'no segmentation run yet: run an analysis first',
          { field: 'asOf', value: query.asOf ?? null },
        );
      }
      // The score bands and the cluster model are for re-scoring, not for reading: left out.
      const rfm = runs.rfm && (({ bands: _b, ...rest }) => rest)(runs.rfm);
      const clusters = runs.clusters && (({ model: _m, ...rest }) => rest)(runs.clusters);
      return { ...runs, rfm, clusters };
    },
  });

  addRoute(f, r, app, {
    method: 'POST',
    url: '/api/analysis-runs',
    summary:
      'Start an analysis (value models, then lifecycle stages) as of a date; returns at once with the run to poll',
    tag: 'analysis',
    auth: 'analysis:run',
    status: 202,
    errors: [409],
    body: z.strictObject({
      asOf: CalendarDate.optional().describe('default: today (UTC)'),
      model: z.enum(['auto', 'bgnbd', 'mbgnbd', 'pareto']).default('auto'),
    }),
    response: Run,
    handler: async ({ body, app, actor }) => {
      if (await runningRun(app.db)) {
        throw new ApiError(409, 'conflict', 'an analysis is already running; poll it or wait');
      }
      const asOf = body.asOf ?? app.now().toISOString().slice(0, 10);
      const run = await startRun(app.db, asOf, { model: body.model }, actor.username);
      await audit(app.db, actor, 'analysis.start', null, { runId: run.runId, asOf });
      const date = new Date(`${asOf}T00:00:00Z`);
      // Runs after the response; progress and the result are in analysis_runs.
      void (async () => {
        try {
          const value = await runValueAnalysis(app.db, {
            asOf: date,
            model: body.model,
            onProgress: (step) => void addRunProgress(app.db, run.runId, step).catch(() => {}),
          });
          await addRunProgress(app.db, run.runId, 'evaluating lifecycle stages');
          const lifecycle = await runLifecycleAnalysis(app.db, { asOf: date });
          forgetStageModels(app.db);
          const result = { value, lifecycle };
          await app.db.transaction(async (tx) => {
            await finishRun(tx, run.runId, { result });
            await enqueueWebhookEvent(tx, 'analysis.completed', null, {
              runId: run.runId,
              asOf,
              customers: value.customers,
              model: value.chosen,
            });
          });
          app.notifyOutbox();
        } catch (error) {
          await finishRun(app.db, run.runId, { error: (error as Error).message }).catch(() => {});
        }
      })();
      return run;
    },
  });

  addRoute(f, r, app, {
    method: 'GET',
    url: '/api/analysis-runs',
    summary: 'Recent analysis runs',
    tag: 'analysis',
    auth: 'reports:read',
    response: z.object({ items: z.array(Run) }),
    handler: async ({ app }) => ({ items: await listRuns(app.db, 20) }),
  });

  addRoute(f, r, app, {
    method: 'GET',
    url: '/api/analysis-runs/:id',
    summary: 'One run: status, progress steps, and the result when done',
    tag: 'analysis',
    auth: 'reports:read',
    errors: [404],
    params: IdParams,
    response: Run,
    handler: ({ params, app }) => getRun(app.db, params.id),
  });
}
