/**
 * Issue 2 §5, CLI conventions: --help on every command, exit codes 0 / 1 / 2, errors in one
 * sentence without a stack unless --debug.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, test } from 'vitest';
import { describeError, exitCodeFor } from '../src/cli/context.js';
import { buildProgram } from '../src/cli/program.js';
import { loadConfig } from '../src/config.js';
import { InputError } from '../src/errors.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'tenure-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

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

/** Runs `tenure …args` in-process as main.ts does; returns exit code and output. */
async function tenure(...args: string[]) {
  const out = sink();
  const err = sink();
  const debug = args.includes('--debug');
  const config = loadConfig({ TENURE_DATA_DIR: path.join(dir, 'data') }, { debug });
  const program = buildProgram({ config, out: out.stream, err: err.stream, interactive: false });
  let code = 0;
  try {
    await program.parseAsync(['node', 'tenure', ...args]);
  } catch (error) {
    code = exitCodeFor(error);
    if (code !== 0) err.stream.write(`tenure: ${describeError(error, config.debug)}\n`);
  }
  return { code, out: out.text(), err: err.text() };
}

const COMMANDS = ['import', 'demo', 'analyze', 'fit'];

describe('tenure command-line conventions', () => {
  test('a bad setting in the environment is refused in one sentence naming the variable, exit 2', () => {
    const r = spawnSync(
      process.execPath,
      [path.resolve(import.meta.dirname, '../bin/tenure.js'), 'serve', '--port', '0'],
      { env: { ...process.env, TENURE_SCHEDULER_MINUTES: 'hourly' }, encoding: 'utf8' },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      'tenure: TENURE_SCHEDULER_MINUTES: must be a number of minutes ≥ 0 (0 turns it off), got "hourly"\n',
    );
    expect(() => loadConfig({ TENURE_SCHEDULER_MINUTES: '-1' })).toThrow(InputError);
  });

  test.each(COMMANDS)(
    'issue 2 §5: `tenure %s --help` explains the command and exits 0',
    async (cmd) => {
      const r = await tenure(cmd, '--help');
      expect(r.code).toBe(0);
      expect(r.out).toContain(`Usage: tenure ${cmd}`);
      expect(r.out).toContain('--json');
    },
  );

  test.each([
    { title: 'an unknown command', args: ['nosuch'], code: 2, message: "unknown command 'nosuch'" },
    {
      title: 'an unknown option',
      args: ['import', 'x.csv', '--nope'],
      code: 2,
      message: "unknown option '--nope'",
    },
    {
      title: 'a bad --kind',
      args: ['import', 'x.csv', '--kind', 'orders'],
      code: 2,
      message:
        '--kind must be one of customers, products, transactions, interactions, subscriptions, got "orders"',
    },
    {
      title: 'a malformed --map',
      args: ['import', 'x.csv', '--map', 'nocolumn'],
      code: 2,
      message: '--map expects column=field, got "nocolumn"',
    },
    {
      title: 'a bad --as-of',
      args: ['analyze', '--as-of', '2024-02-30'],
      code: 2,
      message: '--as-of must be a date YYYY-MM-DD, got "2024-02-30"',
    },
    {
      title: 'a missing file',
      args: ['import', path.join(dir, 'missing.csv')],
      code: 2,
      message: 'missing.csv',
    },
  ])(
    'issue 2 §5: $title exits $code with one sentence and no stack',
    async ({ args, code, message }) => {
      const r = await tenure(...args);
      expect(r.code).toBe(code);
      const last = r.err.trim().split('\n').at(-1)!;
      expect(last).toMatch(/^tenure: /);
      expect(last).toContain(message);
      expect(r.err).not.toMatch(/\n\s+at /);
    },
  );

  test('issue 2 §5: --debug adds the stack to an error', async () => {
    const r = await tenure('import', path.join(dir, 'missing.csv'), '--debug');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/\n\s+at /);
  });

  test('issue 2 §5: --json prints one JSON object a machine can read', async () => {
    const file = path.join(dir, 'orders.csv');
    writeFileSync(file, 'order_id,customer_id,order_time,amount\nA1,C1,2024-01-02,10.50\n');
    const r = await tenure('import', file, '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out);
    expect(report).toMatchObject({ ok: true, counts: { transactions: { inserted: 1 } } });
  });
});
