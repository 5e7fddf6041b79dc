/**
 * Log-space arithmetic helpers. Model likelihoods are sums of terms such as
 * (alpha + T)^-(r + x) that overflow for heavy buyers (PEER-LESSONS "Overflow and NaN"),
 * so every model adds such terms as logarithms.
 *
 * Algorithms: the usual max-shifted log-sum-exp; log(1 - e^x) after Mächler (2012),
 * "Accurately computing log(1 - exp(-|a|))", CRAN Rmpfr vignette, eq. (7).
 * Accuracy: a few ulps across the whole double range.
 */

/** log(e^a + e^b) without overflow; either argument may be -Infinity. */
export function logAddExp(a: number, b: number): number {
  if (a === Number.NEGATIVE_INFINITY) return b;
  if (b === Number.NEGATIVE_INFINITY) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

/** log(Σ e^{v_i}) without overflow; -Infinity for an empty list. */
export function logSumExp(values: ArrayLike<number>): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) if (values[i] > max) max = values[i];
  if (max === Number.NEGATIVE_INFINITY || !Number.isFinite(max)) return max;
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += Math.exp(values[i] - max);
  return max + Math.log(sum);
}

/** log(1 - e^x) for x ≤ 0, accurate near both x → 0⁻ and x → -∞ (Mächler 2012). */
export function log1mExp(x: number): number {
  if (x > 0) return Number.NaN;
  return x > -Math.LN2 ? Math.log(-Math.expm1(x)) : Math.log1p(-Math.exp(x));
}

/** log(e^a - e^b) for a ≥ b; -Infinity when they are equal. */
export function logSubExp(a: number, b: number): number {
  if (b === Number.NEGATIVE_INFINITY) return a;
  if (a < b) return Number.NaN;
  if (a === b) return Number.NEGATIVE_INFINITY;
  return a + log1mExp(b - a);
}

/** log(1 + e^x) without overflow for large x. */
export function log1pExp(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}
