/**
 * `tenure serve [--port 8080] [--host 127.0.0.1]`: the HTTP API and the web app (issue 7 §1).
 * SIGINT/SIGTERM: stop accepting, let in-flight requests finish, stop the background worker,
 * close the database.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { InputError } from '../errors.js';
import { buildServer } from '../server/app.js';
import { failAbandonedRuns } from '../store/analysis-run-repo.js';
import type { Db } from '../store/db.js';
import { openDb } from '../store/open.js';
import type { CliContext } from './context.js';
import { describeTarget } from './with-db.js';

export const WEB_DIST = path.resolve(import.meta.dirname, '../../web/dist');

export interface ServeOptions {
  port: number;
  host: string;
  /** lines printed once listening (the demo's logins) */
  banner?: string;
  /** resolves when the server has stopped (tests); default: wait for a signal */
  signal?: AbortSignal;
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new InputError(`--port must be a whole number from 0 to 65535, got "${value}"`, {
      field: '--port',
      value,
    });
  }
  return n;
}

/** Opens the database, serves until SIGINT/SIGTERM (or `options.signal`), then shuts down cleanly. */
export async function serve(ctx: CliContext, options: ServeOptions, opened?: Db): Promise<void> {
  const db = opened ?? (await openDb(ctx.config));
  await failAbandonedRuns(db);
  const app = await buildServer({
    db,
    config: ctx.config,
    logger: { level: ctx.config.debug ? 'debug' : 'info' },
    webDist: existsSync(WEB_DIST) ? WEB_DIST : null,
  });
  let address: string;
  try {
    address = await app.listen({ port: options.port, host: options.host });
  } catch (error) {
    await app.close();
    await db.close();
    throw error;
  }
  ctx.out.write(
    `Tenure is serving ${describeTarget(ctx)} at ${address}/ (API docs: ${address}/api/docs)\n${options.banner ?? ''}`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    options.signal?.addEventListener('abort', stop, { once: true });
  });
  app.log.info('shutting down: finishing in-flight requests');
  await app.close();
  await db.close();
  ctx.out.write('Tenure stopped\n');
}

export function registerServe(program: Command, ctx: CliContext): void {
  program
    .command('serve')
    .description('serve the HTTP API (OpenAPI at /api/docs) and the web app')
    .option('--port <n>', 'port to listen on (0: any free port)', port, 8080)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .action(async (opts) => {
      await serve(ctx, { port: opts.port, host: opts.host });
    });
}
