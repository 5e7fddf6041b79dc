/** A PostgreSQL server through node-postgres, with COPY through pg-copy-streams. */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { copyStatement, encodeCopyRows } from './copy-format.js';
import type { CopyValue, Db, QueryOptions, QueryResult } from './db.js';
import { cursorStream, savepointTransaction } from './db-helpers.js';
import { TYPE_PARSERS } from './type-parsers.js';

const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    const parser = TYPE_PARSERS[oid];
    if (parser && format !== 'binary') return parser;
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

type Conn = pg.Pool | pg.PoolClient;

class PgDb implements Db {
  readonly backend = 'postgres' as const;

  constructor(
    private readonly pool: pg.Pool,
    private readonly conn: Conn,
    readonly inTransaction: boolean,
    private readonly depth = 0,
  ) {}

  async query<R>(
    sql: string,
    params: readonly unknown[] = [],
    options?: QueryOptions,
  ): Promise<QueryResult<R>> {
    const res = await this.conn.query({
      ...(options?.prepare ? { name: options.prepare } : {}),
      text: sql,
      values: params as unknown[],
      types,
    });
    return { rows: res.rows as R[], rowCount: res.rowCount ?? res.rows.length };
  }

  async exec(script: string): Promise<void> {
    // The simple query protocol runs a multi-statement script when there are no parameters.
    await this.conn.query(script);
  }

  async copyIn(table: string, columns: readonly string[], rows: readonly CopyValue[][]) {
    if (rows.length === 0) return 0;
    const run = async (client: pg.PoolClient) => {
      const sink = client.query(copyFrom(copyStatement(table, columns)));
      await pipeline(Readable.from([encodeCopyRows(rows)]), sink);
    };
    if (this.conn instanceof pg.Pool) {
      const client = await this.pool.connect();
      try {
        await run(client);
      } finally {
        client.release();
      }
    } else {
      await run(this.conn);
    }
    return rows.length;
  }

  stream<R>(sql: string, params: readonly unknown[] = [], batchSize = 10_000): AsyncIterable<R[]> {
    return cursorStream<R>(this, sql, params, batchSize);
  }

  async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    if (this.inTransaction) {
      return savepointTransaction(this, this.depth + 1, () =>
        fn(new PgDb(this.pool, this.conn, true, this.depth + 1)),
      );
    }
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await fn(new PgDb(this.pool, client, true, 0));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true;
      }
      throw error;
    } finally {
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** Connects to the server at `url` (postgres://…). */
export async function openPostgres(url: string): Promise<Db> {
  const pool = new pg.Pool({ connectionString: url, max: 8 });
  // Fail now, with the reason, rather than on the first query.
  const client = await pool.connect();
  client.release();
  return new PgDb(pool, pool, false);
}
