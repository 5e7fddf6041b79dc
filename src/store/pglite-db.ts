/** The embedded database: PostgreSQL compiled to WebAssembly (PGlite), in a data folder or memory. */
import { mkdirSync } from 'node:fs';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { encodeCopyRows, quoteIdent } from './copy-format.js';
import type { CopyValue, Db, QueryResult } from './db.js';
import { cursorStream, savepointTransaction } from './db-helpers.js';
import { TYPE_PARSERS } from './type-parsers.js';

type Conn = PGlite | Transaction;

class PgliteDb implements Db {
  readonly backend = 'pglite' as const;

  constructor(
    private readonly root: PGlite,
    private readonly conn: Conn,
    readonly inTransaction: boolean,
    private readonly depth = 0,
  ) {}

  async query<R>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
    const res = await this.conn.query<R>(sql, params as unknown[]);
    return { rows: res.rows, rowCount: res.rowCount ?? res.affectedRows ?? res.rows.length };
  }

  async exec(script: string): Promise<void> {
    await this.conn.exec(script);
  }

  async copyIn(table: string, columns: readonly string[], rows: readonly CopyValue[][]) {
    if (rows.length === 0) return 0;
    // PGlite reads COPY data from a Blob mounted at /dev/blob (PGlite docs, "Query options: blob").
    const blob = new Blob([encodeCopyRows(rows)]);
    const sql = `COPY ${quoteIdent(table)} (${columns.map(quoteIdent).join(', ')}) FROM '/dev/blob'`;
    await this.conn.query(sql, [], { blob });
    return rows.length;
  }

  stream<R>(sql: string, params: readonly unknown[] = [], batchSize = 10_000): AsyncIterable<R[]> {
    return cursorStream<R>(this, sql, params, batchSize);
  }

  async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    if (this.inTransaction) {
      return savepointTransaction(this, this.depth + 1, () =>
        fn(new PgliteDb(this.root, this.conn, true, this.depth + 1)),
      );
    }
    return this.root.transaction((tx) => fn(new PgliteDb(this.root, tx, true, 0)));
  }

  async close(): Promise<void> {
    if (!this.root.closed) await this.root.close();
  }
}

/** Opens the embedded database in `dataDir`, or in memory when `dataDir` is null. */
export async function openPglite(dataDir: string | null): Promise<Db> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const pg = await PGlite.create(dataDir ?? 'memory://', { parsers: { ...TYPE_PARSERS } });
  return new PgliteDb(pg, pg, false);
}
