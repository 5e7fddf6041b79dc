/**
 * Issue 2 "Done means": a process killed (SIGKILL) in the middle of an import leaves the
 * database as it was before that import, and re-running the import completes it. On both
 * backends, through the real `tenure` command.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openDb } from '../src/store/open.js';
import { createServerDatabase, SERVER_URL } from './backends.js';

const BIN = path.resolve(import.meta.dirname, '../bin/tenure.js');
const ROWS = 150_000;

let dir: string;
let big: string;
let small: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'tenure-kill-'));
  const lines = ['order_id,customer_id,order_time,amount'];
  for (let i = 0; i < ROWS; i++) lines.push(`K${i},C${i % 20000},2024-05-01 08:00,${i % 700}.10`);
  big = path.join(dir, 'big.csv');
  writeFileSync(big, `${lines.join('\n')}\n`);
  small = path.join(dir, 'small.csv');
  writeFileSync(
    small,
    'order_id,customer_id,order_time,amount\nS1,C1,2024-01-01,10\nS2,C2,2024-01-02,20\n',
  );
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function finish(
  child: ChildProcess,
): Promise<{ code: number | null; signal: string | null; out: string; err: string }> {
  let out = '';
  let err = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (err += d));
  return new Promise((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, out, err })),
  );
}

/** Starts the big import and SIGKILLs it while it merges the staged rows, before it can commit. */
async function killMidImport(env: NodeJS.ProcessEnv) {
  const child = run(['import', big, '--progress', 'lines'], env);
  let seen = '';
  let killing = false;
  const done = finish(child);
  await new Promise<void>((resolve, reject) => {
    child.stderr?.on('data', (d) => {
      seen += d;
      // Kill while the merge into the real tables is running: the worst moment.
      if (!killing && seen.includes('merging into the tables')) {
        killing = true;
        setTimeout(() => {
          child.kill('SIGKILL');
          resolve();
        }, 150);
      }
    });
    child.on(
      'close',
      () => !killing && reject(new Error(`import ended before it could be killed: ${seen}`)),
    );
  });
  const result = await done;
  expect(result.signal).toBe('SIGKILL');
}

async function counts(target: { databaseUrl: string | null; dataDir: string | null }) {
  const db = await openDb(target);
  try {
    const { rows } = await db.query<{ c: number; t: number }>(
      'SELECT (SELECT count(*) FROM customers)::int AS c, (SELECT count(*) FROM transactions)::int AS t',
    );
    return rows[0];
  } finally {
    await db.close();
  }
}

const targets = [
  {
    name: 'pglite',
    available: true,
    async make() {
      const dataDir = path.join(dir, 'data');
      return {
        env: { TENURE_DATA_DIR: dataDir, DATABASE_URL: '' },
        target: { databaseUrl: null, dataDir },
        drop: async () => {},
      };
    },
  },
  {
    name: 'postgres',
    available: SERVER_URL !== null,
    async make() {
      const created = await createServerDatabase();
      return {
        env: { DATABASE_URL: created.url },
        target: { databaseUrl: created.url, dataDir: null },
        drop: created.drop,
      };
    },
  },
];

for (const backend of targets) {
  describe.skipIf(!backend.available)(`an import killed midway on ${backend.name}`, () => {
    test('issue 2: SIGKILL during an import leaves the database as it was, and re-running completes it', async () => {
      const { env, target, drop } = await backend.make();
      try {
        const first = await finish(run(['import', small], env));
        expect(first.code, first.err).toBe(0);
        expect(await counts(target)).toEqual({ c: 2, t: 2 });

        await killMidImport(env);
        expect(await counts(target)).toEqual({ c: 2, t: 2 });

        const again = await finish(run(['import', big, '--json'], env));
        expect(again.code, again.err).toBe(0);
        expect(JSON.parse(again.out).counts.transactions.inserted).toBe(ROWS);
        expect(await counts(target)).toEqual({ c: 20_000, t: ROWS + 2 });
      } finally {
        await drop();
      }
    }, 240_000);
  });
}
