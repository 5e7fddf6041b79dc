import { describe, expect, test } from 'vitest';
import { InputError } from '../../errors.js';
import { createSummaryAccumulator } from './transaction-summary.js';

const day = (iso: string) => new Date(`${iso}T00:00:00Z`);

function build(events: [string, string, number][], unit: 'day' | 'week' = 'day') {
  const acc = createSummaryAccumulator({
    calibrationEnd: day('2024-01-31'),
    holdoutEnd: day('2024-02-29'),
    unit,
  });
  for (const [id, at, amount] of events) acc.add(id, new Date(at), amount);
  return acc.finish();
}

describe('transaction summary', () => {
  test('several purchases on one calendar day count as one occasion with their amounts summed', () => {
    const s = build([
      ['a', '2024-01-01T09:00:00Z', 500],
      ['a', '2024-01-11T10:00:00Z', 300],
      ['a', '2024-01-11T18:30:00Z', 200],
      ['a', '2024-01-21T08:00:00Z', 1000],
    ]);
    expect(s.x[0]).toBe(2);
    expect(s.tx[0]).toBe(20);
    expect(s.T[0]).toBe(30);
    expect(s.meanRepeatSpendMinor[0]).toBe(750);
  });

  test('the first purchase is not a repeat: a one-time buyer has x = 0, tx = 0 and no mean spend', () => {
    const s = build([['b', '2024-01-10T12:00:00Z', 999]]);
    expect([s.x[0], s.tx[0], s.T[0], s.meanRepeatSpendMinor[0]]).toEqual([0, 0, 21, 0]);
  });

  test('holdout purchases are counted separately and purchases after the holdout are ignored', () => {
    const s = build([
      ['c', '2024-01-05T00:00:00Z', 100],
      ['c', '2024-02-01T00:00:00Z', 200],
      ['c', '2024-02-29T23:59:59Z', 300],
      ['c', '2024-03-01T00:00:00Z', 400],
    ]);
    expect(s.x[0]).toBe(0);
    expect(s.holdoutPurchases[0]).toBe(2);
    expect(s.holdoutSpendMinor[0]).toBe(500);
  });

  test('customers who first buy after calibration are left out and counted', () => {
    const s = build([
      ['d', '2024-02-10T00:00:00Z', 100],
      ['e', '2024-01-03T00:00:00Z', 100],
    ]);
    expect(s.customerIds).toEqual(['e']);
    expect(s.customersAfterCalibration).toBe(1);
  });

  test('weeks are 7 days', () => {
    const s = build(
      [
        ['f', '2024-01-03T00:00:00Z', 100],
        ['f', '2024-01-17T00:00:00Z', 100],
      ],
      'week',
    );
    expect(s.tx[0]).toBe(2);
    expect(s.T[0]).toBe(4);
  });

  test.each([
    {
      title: 'a fractional amount',
      event: ['g', '2024-01-02T00:00:00Z', 12.5],
      message: 'event 1 amountMinor: expected whole minor units, got 12.5',
    },
    {
      title: 'an invalid date',
      event: ['g', 'not a date', 100],
      message: 'event 1 occurredAt: expected a valid date, got Invalid Date',
    },
    {
      title: 'an empty customer id',
      event: ['', '2024-01-02T00:00:00Z', 100],
      message: 'event 1 customerId: expected a non-empty id',
    },
  ] as const)('rejects $title, naming the event', ({ event, message }) => {
    const acc = createSummaryAccumulator({ calibrationEnd: day('2024-01-31'), unit: 'day' });
    expect(() => acc.add(event[0], new Date(event[1]), event[2])).toThrow(InputError);
    const acc2 = createSummaryAccumulator({ calibrationEnd: day('2024-01-31'), unit: 'day' });
    expect(() => acc2.add(event[0], new Date(event[1]), event[2])).toThrow(message);
  });
});
