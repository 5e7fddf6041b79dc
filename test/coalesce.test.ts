/** The Coalescer behind the 360 reads and the audit rows (src/store/coalesce.ts). */
import { describe, expect, test } from 'vitest';
import { Coalescer } from '../src/store/coalesce.js';

function deferred() {
  let release!: () => void;
  const done = new Promise<void>((r) => {
    release = r;
  });
  return { done, release };
}

describe('Coalescer', () => {
  test('requests that arrive while the statements run go out together, each answered with its own result', async () => {
    const batches: number[][] = [];
    const gate = deferred();
    const c = new Coalescer<number, number>(
      async (items) => {
        batches.push(items);
        await gate.done;
        return items.map((x) => x * 10);
      },
      { maxInFlight: 2, maxBatch: 3 },
    );
    const answers = Promise.all([1, 2, 3, 4, 5, 6, 7].map((x) => c.add(x)));
    // two alone at once; the rest wait
    expect(batches).toEqual([[1], [2]]);
    gate.release();
    expect(await answers).toEqual([10, 20, 30, 40, 50, 60, 70]);
    // then at most three in a statement, in arrival order
    expect(batches).toEqual([[1], [2], [3, 4, 5], [6, 7]]);
  });

  test("one request's bad value fails only that request: the others are run again alone", async () => {
    const runs: string[][] = [];
    const gate = deferred();
    const c = new Coalescer<string, string>(
      async (items) => {
        runs.push(items);
        await gate.done;
        if (items.includes('bad')) throw new Error('invalid byte sequence');
        return items.map((x) => x.toUpperCase());
      },
      { maxInFlight: 1, maxBatch: 10 },
    );
    const first = c.add('a');
    const rest = ['b', 'bad', 'c'].map((x) =>
      c.add(x).then(
        (v) => ({ ok: v }),
        (e: Error) => ({ error: e.message }),
      ),
    );
    gate.release();
    expect(await first).toBe('A');
    expect(await Promise.all(rest)).toEqual([
      { ok: 'B' },
      { error: 'invalid byte sequence' },
      { ok: 'C' },
    ]);
    expect(runs).toEqual([['a'], ['b', 'bad', 'c'], ['b'], ['bad'], ['c']]);
  });

  test('when every run fails (the database is down) every request fails, one run each after the batch', async () => {
    let calls = 0;
    const c = new Coalescer<number, number>(
      async () => {
        calls++;
        throw new Error('connection refused');
      },
      { maxInFlight: 1, maxBatch: 10 },
    );
    const all = await Promise.allSettled([1, 2, 3].map((x) => c.add(x)));
    expect(all.every((r) => r.status === 'rejected')).toBe(true);
    // [1] alone, then [2, 3] together, then 2 and 3 alone
    expect(calls).toBe(4);
  });
});
