import { describe, expect, test } from 'vitest';
import { InputError } from '../../errors.js';
import { hyp2f1, logHyp2f1, logHyp2f1WithGradient } from './hyp2f1.js';

// Reference values: mpmath log(hyp2f1(a, b, c, z)) at 30 digits.
describe('logHyp2f1', () => {
  test.each([
    { a: 1, b: 1, c: 2, z: 0.5, expected: 0.326634259978281 },
    { a: 0.5, b: 0.5, c: 1.5, z: 0.25, expected: 0.046117597181290486 },
    { a: 2.5, b: 3.2, c: 4.7, z: 0.9, expected: 3.4019234355154597 },
    { a: 1001.553, b: 1.606, c: 1003.159, z: 0.092, expected: 0.1547360519813569 },
    { a: 1001.553, b: 1000.553, c: 1003.159, z: 0.092, expected: 96.4096583235468 },
    { a: 0.243, b: 2.426, c: 2.219, z: 0.6, expected: 0.25077774401361097 },
    { a: 1.6, b: 2.4, c: 5.1, z: 0.999, expected: 1.6291760620097242 },
    { a: 50, b: 60, c: 20, z: 0.7, expected: 127.75633898280537 },
    { a: 3, b: 1.5, c: 4, z: 0.9999, expected: 6.370406452749373 },
  ])(
    'log 2F1($a, $b; $c; $z) matches the reference to 1e-11 relative',
    ({ a, b, c, z, expected }) => {
      const got = logHyp2f1(a, b, c, z);
      expect(Math.abs(got - expected)).toBeLessThan(1e-11 * Math.max(1, Math.abs(expected)));
    },
  );

  test('2F1(1, 1; 2; z) is -log(1 - z) / z', () => {
    for (const z of [0.1, 0.5, 0.9, 0.99]) {
      expect(hyp2f1(1, 1, 2, z)).toBeCloseTo(-Math.log1p(-z) / z, 12);
    }
  });

  test('2F1 is 1 at z = 0', () => {
    expect(hyp2f1(3, 4, 5, 0)).toBe(1);
  });

  test('a value too large for a double stays finite in log space', () => {
    const v = logHyp2f1(5000, 5000, 10, 0.9);
    expect(Number.isFinite(v)).toBe(true);
    expect(v).toBeGreaterThan(710);
  });

  test.each([
    { title: 'z = 1', args: [1, 1, 2, 1] },
    { title: 'negative z', args: [1, 1, 2, -0.1] },
    { title: 'c ≤ 0', args: [1, 1, 0, 0.5] },
  ])('rejects $title with an InputError', ({ args }) => {
    expect(() => logHyp2f1(args[0], args[1], args[2], args[3])).toThrow(InputError);
  });
});

describe('logHyp2f1WithGradient', () => {
  test.each([
    { a: 1.2, b: 2.3, c: 3.1, z: 0.3 },
    { a: 2.5, b: 3.2, c: 4.7, z: 0.9 },
    { a: 1001.5, b: 1.6, c: 1002.5, z: 0.092 },
    { a: 0.6, b: 1.6, c: 1.6, z: 0.7 },
  ])('derivatives of log 2F1($a, $b; $c; $z) match central differences', ({ a, b, c, z }) => {
    const grad = new Float64Array(4);
    const value = logHyp2f1WithGradient(a, b, c, z, grad);
    expect(Math.abs(value - logHyp2f1(a, b, c, z))).toBeLessThan(
      1e-13 * Math.max(1, Math.abs(value)),
    );
    const args = [a, b, c, z];
    for (let k = 0; k < 4; k++) {
      const h = 1e-6 * Math.max(1, args[k]);
      const up = [...args];
      const down = [...args];
      up[k] += h;
      down[k] -= h;
      const fd =
        (logHyp2f1(up[0], up[1], up[2], up[3]) - logHyp2f1(down[0], down[1], down[2], down[3])) /
        (2 * h);
      expect(grad[k]).toBeCloseTo(fd, 6);
    }
  });
});
