/**
 * Running `tenure` in-process against a database, for the command-line suites: a target per
 * backend (a PGlite data folder, or a fresh database on the PostgreSQL server) and a runner that
 * captures stdout, stderr and the exit code as the real CLI would give them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { describeError, exitCodeFor } from '../src/cli/context.js';
import { buildProgram } from '../src/cli/program.js';
import { loadConfig } from '../src/config.js';
import type { Db } from '../src/store/db.js';
import { openDb } from '../src/store/open.js';
import { createServerDatabase } from './backends.js';

export interface CliTarget {
  /** the environment `tenure` reads its database from */
  env: Record<string, string>;
  /** a scratch folder for files (removed by cleanup) */
  dir: string;
  open(): Promise<Db>;
  cleanup(): Promise<void>;
}

/** A fresh database for one suite on `backend`, and a scratch folder. */
export async function makeCliTarget(
  backend: 'pglite' | 'postgres',
  prefix: string,
): Promise<CliTarget> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `tenure-${prefix}-`));
  if (backend === 'pglite') {
    const dataDir = path.join(dir, 'data');
    return {
      env: { TENURE_DATA_DIR: dataDir },
      dir,
      open: () => openDb({ databaseUrl: null, dataDir }),
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const created = await createServerDatabase();
  return {
    env: { DATABASE_URL: created.url },
    dir,
    open: () => openDb({ databaseUrl: created.url, dataDir: null }),
    cleanup: async () => {
      rmSync(dir, { recursive: true, force: true });
      await created.drop();
    },
  };
}

function sink() {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, done) {
      text += chunk;
      done();
    },
  });
  return { stream, text: () => text };
}

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/** `tenure ...args` with `env`, in-process: output, errors as the CLI prints them, exit code. */
export async function runTenure(
  env: Record<string, string>,
  args: readonly string[],
): Promise<CliResult> {
  const out = sink();
  const err = sink();
  const program = buildProgram({
    config: loadConfig(env),
    out: out.stream,
    err: err.stream,
    interactive: false,
  });
  let code = 0;
  try {
    await program.parseAsync(['node', 'tenure', ...args]);
  } catch (error) {
    code = exitCodeFor(error);
    if (code !== 0) err.stream.write(`tenure: ${describeError(error, false)}\n`);
  }
  return { code, out: out.text(), err: err.text() };
}

/** One query against the target, on a connection opened and closed for it. */
export async function querySql<R>(
  target: CliTarget,
  text: string,
  params: unknown[] = [],
): Promise<R[]> {
  const db = await target.open();
  try {
    return (await db.query<R>(text, params)).rows;
  } finally {
    await db.close();
  }
}
