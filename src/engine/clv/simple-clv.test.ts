import { describe, expect, test } from 'vitest';
import { InputError } from '../../errors.js';
import { groupLifetime, simpleRetentionClv } from './simple-clv.js';

describe('simple CLV forms', () => {
  test('seed 000: a churn rate of 20 % a year means a 5-year group lifetime', () => {
    expect(groupLifetime(0.2)).toBeCloseTo(5, 12);
  });

  test('m·r/(1+d−r): margin 100, retention 80 %, discount 10 % gives 266.67', () => {
    expect(simpleRetentionClv(100, 0.8, 0.1)).toBeCloseTo(266.6667, 3);
  });

  test('the closed form equals the discounted sum of retained margins', () => {
    let sum = 0;
    for (let t = 1; t < 2000; t++) sum += (100 * 0.8 ** t) / 1.1 ** t;
    expect(simpleRetentionClv(100, 0.8, 0.1)).toBeCloseTo(sum, 8);
  });

  test.each([
    {
      title: 'retention of 100 %',
      run: () => simpleRetentionClv(1, 1, 0.1),
      message: 'retention: expected a rate in [0, 1), got 1',
    },
    {
      title: 'negative discount',
      run: () => simpleRetentionClv(1, 0.5, -0.1),
      message: 'discount: expected a rate ≥ 0, got -0.1',
    },
    {
      title: 'zero churn',
      run: () => groupLifetime(0),
      message: 'churn rate: expected a rate in (0, 1], got 0',
    },
  ])('rejects $title', ({ run, message }) => {
    expect(run).toThrow(InputError);
    expect(run).toThrow(message);
  });
});
