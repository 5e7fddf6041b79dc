/** The Db port's conformance suite: the same behaviour on every backend. */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Db } from '../src/store/db.js';
import { listMigrations, migrate, schemaVersion } from '../src/store/migrate.js';
import { BACKENDS } from './backends.js';

for (const backend of BACKENDS) {
  describe.skipIf(!backend.available)(`Db on ${backend.name}`, () => {
    let db: Db;
    let drop: () => Promise<void>;
    beforeAll(async () => {
      ({ db, drop } = await backend.fresh());
    });
    afterAll(async () => drop?.());

    test('a new database is migrated to the newest version, and migrating again applies nothing', async () => {
      const newest = listMigrations().at(-1)!.version;
      expect(await schemaVersion(db)).toBe(newest);
      expect(await migrate(db)).toEqual([]);
    });

    test('bigint money and numeric come back as numbers, dates as YYYY-MM-DD, instants as Date', async () => {
      const { rows } = await db.query<{ m: number; n: number; d: string; t: Date }>(
        `SELECT 123456789012::bigint AS m, 12.5::numeric AS n, '2024-01-31'::date AS d,
                '2024-01-31T08:00:00Z'::timestamptz AS t`,
      );
      expect(rows[0]).toEqual({
        m: 123456789012,
        n: 12.5,
        d: '2024-01-31',
        t: new Date('2024-01-31T08:00:00Z'),
      });
    });

    test('parameters are data, never SQL: a hostile string is stored as written', async () => {
      const hostile = "x'); DROP TABLE customers; --";
      await db.query('INSERT INTO customers (customer_id, name) VALUES ($1, $2)', ['h1', hostile]);
      const { rows } = await db.query<{ name: string }>(
        'SELECT name FROM customers WHERE customer_id = $1',
        ['h1'],
      );
      expect(rows[0].name).toBe(hostile);
      await db.query('DELETE FROM customers WHERE customer_id = $1', ['h1']);
    });

    test('COPY loads text with tabs, newlines, backslashes, quotes, arrays, json and NULLs intact', async () => {
      const rows = [
        ['c1', 'tab\there', ['a,b', 'q"uote', 'back\\slash'], { k: 'v\nw' }, null],
        ['c2', '换行\n第二行', [], {}, '2020-02-29'],
      ];
      await db.transaction(async (tx) => {
        await tx.copyIn(
          'customers',
          ['customer_id', 'name', 'tags', 'attributes', 'birthday'],
          rows,
        );
      });
      const { rows: got } = await db.query(
        `SELECT customer_id, name, tags, attributes, birthday FROM customers
         WHERE customer_id IN ('c1','c2') ORDER BY customer_id`,
      );
      expect(got).toEqual([
        {
          customer_id: 'c1',
          name: 'tab\there',
          tags: ['a,b', 'q"uote', 'back\\slash'],
          attributes: { k: 'v\nw' },
          birthday: null,
        },
        {
          customer_id: 'c2',
          name: '换行\n第二行',
          tags: [],
          attributes: {},
          birthday: '2020-02-29',
        },
      ]);
    });

    test('a transaction that throws leaves the data exactly as it was', async () => {
      const before = await db.query('SELECT count(*)::int AS n FROM customers');
      await expect(
        db.transaction(async (tx) => {
          await tx.query("INSERT INTO customers (customer_id) VALUES ('t1')");
          await tx.copyIn('customers', ['customer_id'], [['t2']]);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      const after = await db.query('SELECT count(*)::int AS n FROM customers');
      expect(after.rows).toEqual(before.rows);
    });

    test('a nested transaction is a savepoint: its failure undoes only its own work', async () => {
      await db.transaction(async (tx) => {
        await tx.query("INSERT INTO customers (customer_id) VALUES ('n1')");
        await expect(
          tx.transaction(async (inner) => {
            await inner.query("INSERT INTO customers (customer_id) VALUES ('n2')");
            throw new Error('inner');
          }),
        ).rejects.toThrow('inner');
      });
      const { rows } = await db.query(
        "SELECT customer_id FROM customers WHERE customer_id IN ('n1','n2')",
      );
      expect(rows).toEqual([{ customer_id: 'n1' }]);
    });

    test('stream reads every row in batches, inside and outside a transaction', async () => {
      const ids = Array.from({ length: 2500 }, (_, i) => [`s${String(i).padStart(5, '0')}`]);
      await db.transaction((tx) => tx.copyIn('customers', ['customer_id'], ids));
      const sql = 'SELECT customer_id FROM customers WHERE customer_id LIKE $1 ORDER BY 1';
      const sizes: number[] = [];
      let n = 0;
      for await (const batch of db.stream<{ customer_id: string }>(sql, ['s%'], 1000)) {
        sizes.push(batch.length);
        n += batch.length;
      }
      expect(sizes).toEqual([1000, 1000, 500]);
      expect(n).toBe(2500);
      const inTx = await db.transaction(async (tx) => {
        let m = 0;
        for await (const batch of tx.stream(sql, ['s%'], 700)) m += batch.length;
        return m;
      });
      expect(inTx).toBe(2500);
      // Leaving early closes the cursor and the database stays usable.
      for await (const _ of db.stream(sql, ['s%'], 100)) break;
      const { rows } = await db.query(
        'SELECT count(*)::int AS n FROM customers WHERE customer_id LIKE $1',
        ['s%'],
      );
      expect(rows[0]).toEqual({ n: 2500 });
    });
  });
}
