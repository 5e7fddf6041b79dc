/** Bulk import into the store: keyed merges, idempotency, all-or-nothing. On every backend. */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { AnyRecord, CustomerRecord, TransactionRow } from '../src/engine/records.js';
import type { Db } from '../src/store/db.js';
import { ImportBatch, type ImportOptions, tableCounts } from '../src/store/import-repo.js';
import { BACKENDS } from './backends.js';

function customer(id: string, over: Partial<CustomerRecord> = {}): AnyRecord {
  return {
    kind: 'customers',
    record: {
      customerId: id,
      name: `客户${id}`,
      phones: ['13800138000'],
      emails: [],
      address: null,
      province: '广东',
      city: '深圳',
      gender: 'female',
      birthday: '1990-05-01',
      industry: null,
      channel: 'online',
      acquiredAt: new Date('2024-01-01T00:00:00Z'),
      ownerId: 'am01',
      tags: [],
      attributes: {},
      consent: {},
      ...over,
    },
  };
}

function tx(over: Partial<TransactionRow>): AnyRecord {
  return {
    kind: 'transactions',
    record: {
      transactionId: null,
      customerId: 'A',
      occurredAt: new Date('2024-02-01T10:00:00Z'),
      amountMinor: 10_000,
      currency: 'CNY',
      costMinor: null,
      channel: null,
      status: 'completed',
      sku: null,
      quantity: null,
      unitPriceMinor: null,
      ...over,
    },
  };
}

async function load(db: Db, items: AnyRecord[], options: ImportOptions = { strict: false }) {
  return db.transaction(async (t) => {
    const batch = new ImportBatch(t);
    let line = 1;
    for (const item of items) await batch.add(item, 'test.csv', ++line);
    return batch.finish(options);
  });
}

const ORDER_LINES = [
  tx({ transactionId: 'O1', sku: 'P1', quantity: 2, unitPriceMinor: 1500, amountMinor: 3000 }),
  tx({ transactionId: 'O1', sku: 'P2', quantity: 1, unitPriceMinor: 2000, amountMinor: 2000 }),
  tx({ transactionId: 'O2', customerId: 'B', amountMinor: 999 }),
  // two identical rows without ids are two purchases, not one
  tx({ customerId: 'A', amountMinor: 500 }),
  tx({ customerId: 'A', amountMinor: 500 }),
];

for (const backend of BACKENDS) {
  describe.skipIf(!backend.available)(`import into the store on ${backend.name}`, () => {
    let db: Db;
    let drop: () => Promise<void>;
    beforeAll(async () => {
      ({ db, drop } = await backend.fresh());
    });
    afterAll(async () => drop?.());

    test('line items sharing an order id become one order whose amount is their sum', async () => {
      const counts = await load(db, [customer('A'), customer('B'), ...ORDER_LINES]);
      expect(counts.customers).toEqual({ rows: 2, inserted: 2, updated: 0, unchanged: 0 });
      expect(counts.transactions).toMatchObject({ rows: 4, inserted: 4 });
      expect(counts.transactionLines).toMatchObject({ rows: 2, inserted: 2 });
      const { rows } = await db.query(
        `SELECT customer_id, transaction_id, amount_minor FROM transactions
         WHERE transaction_id IN ('O1','O2') ORDER BY 2`,
      );
      expect(rows).toEqual([
        { customer_id: 'A', transaction_id: 'O1', amount_minor: 5000 },
        { customer_id: 'B', transaction_id: 'O2', amount_minor: 999 },
      ]);
    });

    test('importing the same records again changes nothing', async () => {
      const before = await tableCounts(db);
      const snapshot = await db.query(
        'SELECT * FROM transactions ORDER BY customer_id, transaction_id',
      );
      const counts = await load(db, [customer('A'), customer('B'), ...ORDER_LINES]);
      expect(counts.customers).toEqual({ rows: 2, inserted: 0, updated: 0, unchanged: 2 });
      expect(counts.transactions).toMatchObject({ inserted: 0, updated: 0, unchanged: 4 });
      expect(await tableCounts(db)).toEqual(before);
      expect(
        await db.query('SELECT * FROM transactions ORDER BY customer_id, transaction_id'),
      ).toEqual(snapshot);
    });

    test('a changed customer is updated, and only the fields the source has are overwritten', async () => {
      const counts = await load(db, [customer('A', { city: '广州', birthday: null })], {
        strict: false,
        customerFields: new Map([['test.csv', new Set(['city'] as const)]]),
      });
      expect(counts.customers).toMatchObject({ inserted: 0, updated: 1 });
      const { rows } = await db.query(
        "SELECT city, birthday FROM customers WHERE customer_id = 'A'",
      );
      expect(rows[0]).toEqual({ city: '广州', birthday: '1990-05-01' });
    });

    test('two customer files in one import: the one without a city column keeps the city the other gave', async () => {
      await db.transaction(async (t) => {
        const batch = new ImportBatch(t);
        await batch.add(customer('M1', { city: '成都', name: '王芳' }), 'with-city.csv', 2);
        await batch.add(customer('M1', { city: null, name: '王芳芳' }), 'names-only.csv', 2);
        return batch.finish({
          strict: false,
          customerFields: new Map([
            ['with-city.csv', new Set(['city', 'name'] as const)],
            ['names-only.csv', new Set(['name'] as const)],
          ]),
        });
      });
      const { rows } = await db.query("SELECT name, city FROM customers WHERE customer_id = 'M1'");
      expect(rows[0]).toEqual({ name: '王芳芳', city: '成都' });
    });

    test('transactions of an unknown customer create a placeholder customer, reported in the counts', async () => {
      const counts = await load(db, [tx({ transactionId: 'O9', customerId: 'NEW1' })]);
      expect(counts.placeholderCustomers).toBe(1);
      const { rows } = await db.query(
        "SELECT is_placeholder FROM customers WHERE customer_id = 'NEW1'",
      );
      expect(rows).toEqual([{ is_placeholder: true }]);
    });

    test('--strict refuses an unknown customer with its file and line, and writes nothing', async () => {
      const before = await tableCounts(db);
      const error = await load(
        db,
        [customer('C'), tx({ transactionId: 'O10', customerId: 'C' }), tx({ customerId: 'GHOST' })],
        { strict: true },
      ).catch((e: unknown) => e);
      expect(error).toMatchObject({
        code: 'invalid_input',
        message: expect.stringContaining('unknown customer "GHOST"'),
        details: { file: 'test.csv', line: 4, field: 'customerId', value: 'GHOST' },
      });
      expect(await tableCounts(db)).toEqual(before);
    });
  });
}
