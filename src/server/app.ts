/**
 * `buildServer(deps)`: the Fastify application (issue 7 §1). Used in-process by tests
 * (`app.inject`) and over real HTTP by `tenure serve` (`app.listen`). One error handler maps
 * everything thrown to `{"error": {"code", "message", "details"}}` (http-errors.ts).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import type { Db } from '../store/db.js';
import { LoginLimiter } from './auth.js';
import { toHttpError } from './http-errors.js';
import { registerAuthRoutes } from './routes/auth.js';
import { registerCampaignRoutes } from './routes/campaigns.js';
import { registerChurnRoutes } from './routes/churn.js';
import { registerCustomerRoutes } from './routes/customers.js';
import { registerDataRoutes } from './routes/data.js';
import { registerEventRoutes } from './routes/events.js';
import { registerImportRoutes } from './routes/imports.js';
import { registerMetaRoutes } from './routes/meta.js';
import { registerQueueRoutes } from './routes/queue.js';
import { registerReportRoutes } from './routes/reports.js';
import { registerSegmentRoutes } from './routes/segments.js';
import { registerWebhookRoutes } from './routes/webhooks.js';
import { registerWeeklyReportRoutes } from './routes/weekly-reports.js';
import { type AppContext, openApiDocument, type Registry } from './routing.js';
import { ReminderScheduler } from './scheduler.js';
import { BackgroundWorker, type WorkerOptions } from './worker.js';

export const API_VERSION = '0.1.0';
/** Default body limit; POST /api/events allows more (a batch of 1,000 events), POST /api/imports 50 MiB (a file). */
export const BODY_LIMIT = 1024 * 1024;

export interface ServerDeps {
  db: Db;
  config: Config;
  /** pino logger options, or false for none (tests) */
  logger?: boolean | Record<string, unknown>;
  /** the web app's build; served at / with an SPA fallback when the folder exists */
  webDist?: string | null;
  now?: () => Date;
  /** run the webhook delivery worker in this process (default true) */
  worker?: boolean | Omit<WorkerOptions, 'now'>;
  loginLimiter?: LoginLimiter;
  /**
   * run the reminder scheduler in this process: on start, then every `intervalMs` (default:
   * config.schedulerMinutes; 0 there, or false here, turns it off)
   */
  scheduler?: boolean | { intervalMs: number };
}

export interface TenureServer extends FastifyInstance {
  tenure: {
    registry: Registry;
    context: AppContext;
    worker: BackgroundWorker | null;
    scheduler: ReminderScheduler | null;
  };
}

export async function buildServer(deps: ServerDeps): Promise<TenureServer> {
  const fastify = Fastify({
    logger: deps.logger ?? false,
    bodyLimit: BODY_LIMIT,
    // Behind nothing by default: the peer address is the client's.
    trustProxy: false,
    // In-flight requests finish on close; idle keep-alive sockets are closed at once.
    forceCloseConnections: 'idle',
    // customer ids may contain characters that are percent-encoded
    routerOptions: { maxParamLength: 500 },
  });
  await fastify.register(fastifyCookie);
  // JSON only: any other body type is 415 (text/plain is parsed by default otherwise).
  fastify.removeContentTypeParser('text/plain');

  const registry: Registry = { routes: [] };
  let worker: BackgroundWorker | null = null;
  const context: AppContext = {
    db: deps.db,
    config: deps.config,
    now: deps.now ?? (() => new Date()),
    notifyOutbox: () => worker?.wake(),
  };
  if (deps.worker !== false) {
    const opts = typeof deps.worker === 'object' ? deps.worker : {};
    worker = new BackgroundWorker(deps.db, fastify.log, { ...opts, now: context.now });
  }

  let scheduler: ReminderScheduler | null = null;
  const intervalMs =
    typeof deps.scheduler === 'object'
      ? deps.scheduler.intervalMs
      : deps.config.schedulerMinutes * 60_000;
  if (deps.scheduler !== false && intervalMs > 0) {
    scheduler = new ReminderScheduler(deps.db, fastify.log, { intervalMs, now: context.now });
  }

  fastify.setErrorHandler((error, req, reply) => {
    const { status, body, headers, internal } = toHttpError(error);
    if (internal) req.log.error({ err: error }, 'unhandled error');
    else if (status >= 500) req.log.warn({ err: error }, body.error.message);
    reply.code(status).headers(headers).type('application/json; charset=utf-8').send(body);
  });

  registerMetaRoutes(fastify, registry, context);
  registerAuthRoutes(fastify, registry, context, deps.loginLimiter ?? new LoginLimiter());
  registerCustomerRoutes(fastify, registry, context);
  registerDataRoutes(fastify, registry, context);
  registerReportRoutes(fastify, registry, context);
  registerSegmentRoutes(fastify, registry, context);
  registerChurnRoutes(fastify, registry, context);
  registerImportRoutes(fastify, registry, context);
  registerEventRoutes(fastify, registry, context);
  registerWebhookRoutes(fastify, registry, context);
  registerWeeklyReportRoutes(fastify, registry, context);
  registerCampaignRoutes(fastify, registry, context);
  registerQueueRoutes(fastify, registry, context);

  const doc = openApiDocument(registry, API_VERSION);
  fastify.get('/api/openapi.json', async (_req, reply) => reply.send(doc));
  const { DOCS_HTML } = await import('./docs-page.js');
  fastify.get('/api/docs', async (_req, reply) =>
    reply.type('text/html; charset=utf-8').send(DOCS_HTML),
  );

  const webDist = deps.webDist ?? null;
  const hasWeb = webDist !== null && existsSync(path.join(webDist, 'index.html'));
  if (hasWeb) {
    await fastify.register(fastifyStatic, { root: path.resolve(webDist), wildcard: false });
  }
  fastify.setNotFoundHandler((req, reply) => {
    const url = req.url.split('?')[0];
    if (hasWeb && req.method === 'GET' && !url.startsWith('/api/') && url !== '/api') {
      // Client-side routes (/customers/42) are the web app's: serve its index (SPA fallback).
      return reply.sendFile('index.html');
    }
    reply
      .code(404)
      .type('application/json; charset=utf-8')
      .send({
        error: {
          code: 'not_found',
          message: `no endpoint ${req.method} ${url}`,
          details: { method: req.method, path: url },
        },
      });
  });

  fastify.addHook('onReady', async () => {
    worker?.start();
    scheduler?.start();
  });
  fastify.addHook('onClose', async () => {
    await scheduler?.stop();
    await worker?.stop();
  });

  const server = fastify as unknown as TenureServer;
  server.tenure = { registry, context, worker, scheduler };
  return server;
}
