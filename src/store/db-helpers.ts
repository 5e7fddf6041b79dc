/** Behaviour both backends share, written once against the port itself. */
import type { Db } from './db.js';

let cursorSeq = 0;

/**
 * Batches of a query's rows through DECLARE … CURSOR / FETCH (PostgreSQL docs, "DECLARE"),
 * inside a transaction (a cursor lives only there), so memory holds one batch at a time.
 */
export async function* cursorStream<R>(
  db: Db,
  sql: string,
  params: readonly unknown[],
  batchSize: number,
): AsyncGenerator<R[]> {
  if (!Number.isInteger(batchSize) || batchSize <= 0) throw new RangeError('batchSize must be > 0');
  if (!db.inTransaction) {
    // A generator cannot yield from inside a callback, so hold the transaction open by hand.
    yield* await collectInTransaction<R>(db, sql, params, batchSize);
    return;
  }
  const name = `tenure_cursor_${++cursorSeq}`;
  await db.query(`DECLARE ${name} NO SCROLL CURSOR FOR ${sql}`, params);
  try {
    for (;;) {
      const { rows } = await db.query<R>(`FETCH ${batchSize} FROM ${name}`);
      if (rows.length === 0) break;
      yield rows;
      if (rows.length < batchSize) break;
    }
  } finally {
    await db.query(`CLOSE ${name}`);
  }
}

/**
 * Outside a transaction, stream through a short-lived one. The batches are produced lazily by
 * a pump that keeps the transaction open until the consumer has taken every batch.
 */
async function collectInTransaction<R>(
  db: Db,
  sql: string,
  params: readonly unknown[],
  batchSize: number,
): Promise<AsyncGenerator<R[]>> {
  const queue: { batch?: R[]; done?: boolean; error?: unknown }[] = [];
  let wake: (() => void) | null = null;
  let release: (() => void) | null = null;
  let cancelled = false;
  const notify = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  const txDone = db
    .transaction(async (tx) => {
      for await (const batch of cursorStream<R>(tx, sql, params, batchSize)) {
        queue.push({ batch });
        notify();
        // Back-pressure: wait until the consumer asks for more.
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        if (cancelled) break;
      }
    })
    .then(
      () => {
        queue.push({ done: true });
        notify();
      },
      (error: unknown) => {
        queue.push({ error });
        notify();
      },
    );
  async function* consume(): AsyncGenerator<R[]> {
    try {
      for (;;) {
        if (queue.length === 0) await new Promise<void>((r) => (wake = r));
        const item = queue.shift()!;
        if (item.error) throw item.error;
        if (item.done) return;
        yield item.batch!;
        const r = release as (() => void) | null;
        release = null;
        r?.();
      }
    } finally {
      cancelled = true;
      const r = release as (() => void) | null;
      release = null;
      r?.();
      await txDone;
    }
  }
  return consume();
}

/** A nested transaction as a savepoint (PostgreSQL docs, "SAVEPOINT"). */
export async function savepointTransaction<T>(
  db: Db,
  depth: number,
  fn: () => Promise<T>,
): Promise<T> {
  const name = `tenure_sp_${depth}`;
  await db.query(`SAVEPOINT ${name}`);
  try {
    const result = await fn();
    await db.query(`RELEASE SAVEPOINT ${name}`);
    return result;
  } catch (error) {
    await db.query(`ROLLBACK TO SAVEPOINT ${name}`);
    throw error;
  }
}
