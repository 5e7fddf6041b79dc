import { describe, expect, test } from 'vitest';
import { InputError } from '../../errors.js';
import { estimateTransitionMatrix, migrationClv, nextShares, projectShares } from './migration.js';

const M = [
  [0.7, 0.2, 0.1],
  [0.1, 0.8, 0.1],
  [0.25, 0.15, 0.6],
];
const S0 = [0.6, 0.3, 0.1];

describe('migration model', () => {
  test('seed 000 例3: next-period share of brand A is 47.5 %', () => {
    const S1 = nextShares(S0, M);
    expect(S1[0]).toBeCloseTo(0.475, 12);
    expect(S1[1]).toBeCloseTo(0.375, 12);
    expect(S1[2]).toBeCloseTo(0.15, 12);
  });

  test('seed 000 例4: brand A is worth 689.38 over two years at 9 % with one purchase of 500 a year', () => {
    // 500 · (0.6 + 0.475/1.09 + 0.4075/1.09²)
    const clv = migrationClv({
      M,
      S0,
      state: 0,
      contribution: 500,
      purchasesPerPeriod: 1,
      discountRate: 0.09,
      periods: 2,
    });
    expect(clv).toBeCloseTo(689.38, 2);
    expect(projectShares(S0, M, 2)[2][0]).toBeCloseTo(0.4075, 12);
  });

  test('the transition matrix estimated from simulated sequences is the one they came from', () => {
    const sequences: number[][] = [];
    let seed = 12345;
    const next = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    for (let c = 0; c < 3000; c++) {
      const seq = [c % 3];
      for (let t = 1; t < 12; t++) {
        const u = next();
        const row = M[seq[t - 1]];
        seq.push(u < row[0] ? 0 : u < row[0] + row[1] ? 1 : 2);
      }
      sequences.push(seq);
    }
    const est = estimateTransitionMatrix(sequences, 3);
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) expect(Math.abs(est.M[i][j] - M[i][j])).toBeLessThan(0.02);
    expect(est.unobservedStates).toEqual([]);
  });

  test('a state never left is reported and kept as staying put', () => {
    const est = estimateTransitionMatrix(
      [
        [0, 1],
        [0, 0],
      ],
      3,
    );
    expect(est.unobservedStates).toEqual([1, 2]);
    expect(est.M[1]).toEqual([0, 1, 0]);
    expect(est.M[0]).toEqual([0.5, 0.5, 0]);
  });

  test.each([
    {
      title: 'a row that does not sum to 1',
      M: [
        [0.5, 0.4],
        [0, 1],
      ],
      message: 'M.0: row must sum to 1, got 0.9',
    },
    {
      title: 'a negative probability',
      M: [
        [1.5, -0.5],
        [0, 1],
      ],
      message: 'M.0.0: expected a probability, got 1.5',
    },
    { title: 'a ragged matrix', M: [[1], [0, 1]], message: 'M.0: expected 2 columns, got 1' },
  ])('rejects $title', ({ M: bad, message }) => {
    expect(() => nextShares([0.5, 0.5], bad)).toThrow(InputError);
    expect(() => nextShares([0.5, 0.5], bad)).toThrow(message);
  });
});
