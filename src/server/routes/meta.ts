/** Liveness and readiness (issue 7 §1). */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { listMigrations, schemaVersion } from '../../store/migrate.js';
import { ApiError } from '../http-errors.js';
import { type AppContext, addRoute, type Registry } from '../routing.js';

export function registerMetaRoutes(f: FastifyInstance, r: Registry, app: AppContext): void {
  const latest = Math.max(...listMigrations().map((m) => m.version));
  addRoute(f, r, app, {
    method: 'GET',
    url: '/api/health',
    summary: 'Liveness: the process answers',
    tag: 'meta',
    auth: 'public',
    response: z.object({ status: z.literal('ok') }),
    handler: () => ({ status: 'ok' as const }),
  });
  addRoute(f, r, app, {
    method: 'GET',
    url: '/api/ready',
    summary: 'Readiness: the database answers and every migration is applied (503 otherwise)',
    tag: 'meta',
    auth: 'public',
    errors: [503],
    response: z.object({
      status: z.literal('ready'),
      backend: z.string(),
      schemaVersion: z.number(),
    }),
    handler: async ({ app }) => {
      let version: number;
      try {
        version = await schemaVersion(app.db);
      } catch (error) {
        throw new ApiError(
          503,
          'unavailable',
          `the database does not answer: ${(error as Error).message}`,
        );
      }
      if (version < latest) {
        throw new ApiError(
          503,
          'unavailable',
          `the schema is at version ${version}, expected ${latest}`,
          {
            schemaVersion: version,
            expected: latest,
          },
        );
      }
      return { status: 'ready' as const, backend: app.db.backend, schemaVersion: version };
    },
  });
}
