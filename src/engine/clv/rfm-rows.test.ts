import { describe, expect, test } from 'vitest';
import { InputError } from '../../errors.js';
import { compressRfm, rfmRowsFromCounts } from './rfm-rows.js';

describe('compressRfm', () => {
  test('customers with the same (x, tx, T) share one row whose weight counts them', () => {
    const c = compressRfm([0, 2, 0, 2, 1], [0, 5, 0, 5, 3], [10, 10, 10, 10, 9]);
    expect(Array.from(c.rows.x)).toEqual([0, 1, 2]);
    expect(Array.from(c.rows.weight)).toEqual([2, 1, 2]);
    expect(Array.from(c.rowOf)).toEqual([0, 2, 0, 2, 1]);
  });

  test.each([
    {
      title: 'fractional x',
      x: 1.5,
      tx: 1,
      T: 2,
      message: 'customer 0 x: expected a whole number ≥ 0, got 1.5',
    },
    {
      title: 'tx after T',
      x: 1,
      tx: 3,
      T: 2,
      message: 'customer 0 tx: expected 0 ≤ tx ≤ T (2), got 3',
    },
    {
      title: 'zero T',
      x: 0,
      tx: 0,
      T: 0,
      message: 'customer 0 T: expected a positive time, got 0',
    },
    {
      title: 'recency without repeat purchases',
      x: 0,
      tx: 1,
      T: 2,
      message: 'customer 0 tx: a customer with no repeat purchase has tx = 0, got 1',
    },
  ])('rejects $title with a message naming the customer and field', ({ x, tx, T, message }) => {
    expect(() => compressRfm([x], [tx], [T])).toThrow(InputError);
    expect(() => compressRfm([x], [tx], [T])).toThrow(message);
  });

  test('rejects arrays of different lengths', () => {
    expect(() => compressRfm([1], [0, 1], [2])).toThrow(
      'x, tx and T must have the same length, got 1, 2 and 1',
    );
  });
});

describe('rfmRowsFromCounts', () => {
  test('takes pre-aggregated rows with counts, merging duplicates', () => {
    const rows = rfmRowsFromCounts([2, 0, 2], [5, 0, 5], [10, 10, 10], [3, 7, 2]);
    expect(Array.from(rows.x)).toEqual([0, 2]);
    expect(Array.from(rows.weight)).toEqual([7, 5]);
  });

  test('rejects a count that is not a whole number ≥ 1', () => {
    expect(() => rfmRowsFromCounts([1], [1], [2], [0])).toThrow(
      'row 0 count: expected a whole number ≥ 1, got 0',
    );
  });
});
