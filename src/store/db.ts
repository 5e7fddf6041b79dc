/**
 * The `Db` port: the narrow interface every repository is written against, implemented for the
 * embedded database (PGlite) and for a PostgreSQL server (pg). Both run the same SQL.
 */

export type Row = Record<string, unknown>;

export interface QueryResult<R> {
  rows: R[];
  /** rows returned or affected */
  rowCount: number;
}

/** A value for COPY: null is SQL NULL; arrays become text[] literals; objects become json. */
export type CopyValue = string | number | boolean | Date | null | readonly string[] | object;

export type Backend = 'pglite' | 'postgres';

export interface QueryOptions {
  /**
   * Keep the statement prepared under this name on each server connection, so a hot query is
   * parsed and planned once per connection rather than on every call (PostgreSQL "PREPARE";
   * node-postgres "prepared statements"). One name, one SQL text. Ignored by the embedded database.
   */
  prepare?: string;
}

export interface Db {
  readonly backend: Backend;
  /** One parameterised statement ($1, $2, …). */
  query<R = Row>(
    sql: string,
    params?: readonly unknown[],
    options?: QueryOptions,
  ): Promise<QueryResult<R>>;
  /** A script of several statements, no parameters (migrations). */
  exec(script: string): Promise<void>;
  /** Bulk-load one batch of rows with COPY … FROM STDIN (text format); returns rows loaded. */
  copyIn(table: string, columns: readonly string[], rows: readonly CopyValue[][]): Promise<number>;
  /**
   * Read a large result in batches through a server-side cursor (flat memory). Outside a
   * transaction it holds one open until the last batch is taken: on the embedded database that
   * connection is exclusive, so do not query the same Db while consuming the stream.
   */
  stream<R = Row>(sql: string, params?: readonly unknown[], batchSize?: number): AsyncIterable<R[]>;
  /** Run `fn` in a transaction (a savepoint when already inside one); rolls back if it throws. */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  /** True on a Db bound to an open transaction. */
  readonly inTransaction: boolean;
  close(): Promise<void>;
}
