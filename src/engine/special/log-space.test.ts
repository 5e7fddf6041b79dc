import { describe, expect, test } from 'vitest';
import { log1mExp, log1pExp, logAddExp, logSubExp, logSumExp } from './log-space.js';

describe('log-space helpers', () => {
  test('logSumExp of huge terms does not overflow', () => {
    expect(logSumExp([1000, 1000])).toBeCloseTo(1000 + Math.LN2, 12);
    expect(logSumExp([-1000, -1000])).toBeCloseTo(-1000 + Math.LN2, 12);
    expect(logSumExp([])).toBe(Number.NEGATIVE_INFINITY);
  });

  test('logAddExp treats -Infinity as zero', () => {
    expect(logAddExp(Number.NEGATIVE_INFINITY, 3)).toBe(3);
    expect(logAddExp(800, 800)).toBeCloseTo(800 + Math.LN2, 12);
  });

  test('log1mExp is accurate near 0 and far below it', () => {
    expect(log1mExp(-1e-20)).toBeCloseTo(Math.log(1e-20), 10);
    expect(log1mExp(-50)).toBeCloseTo(-Math.exp(-50), 30);
    expect(Number.isNaN(log1mExp(1))).toBe(true);
  });

  test('logSubExp of equal terms is -Infinity and otherwise exact', () => {
    expect(logSubExp(2, 2)).toBe(Number.NEGATIVE_INFINITY);
    expect(logSubExp(Math.log(5), Math.log(3))).toBeCloseTo(Math.log(2), 14);
  });

  test('log1pExp stays finite for large arguments', () => {
    expect(log1pExp(1000)).toBe(1000);
    expect(log1pExp(0)).toBeCloseTo(Math.LN2, 15);
  });
});
