/**
 * Migration (brand-switching) model of customer value.
 *
 * Assumptions: each period a customer's purchases go to one of k states (brands, tiers) with
 * probabilities given by the row of a Markov transition matrix M for her current state; the
 * expected share vector evolves as S(t+1) = S(t) · M. The value of state j is
 * CLV_j = Σ_{t=0}^{T} F_t · v · S_j(t) / (1 + d)^t, with F_t the purchases per period, v the
 * contribution per purchase and d the discount rate per period.
 *
 * References: Rust, R. T., Lemon, K. N. & Zeithaml, V. A. (2004). Return on Marketing: Using
 * Customer Equity to Focus Marketing Strategy. Journal of Marketing 68(1), 109–127 (the
 * brand-switching matrix and the individual CLV sum).
 * Seed 000 例3 (shares) and 例4 (CLV). M is estimated from observed state sequences by the
 * maximum-likelihood transition frequencies (Anderson & Goodman 1957).
 */
import { InputError } from '../../errors.js';

export type TransitionMatrix = readonly (readonly number[])[];

/** Check that M is square, non-negative and each row sums to 1 (within 1e-9). */
export function validateTransitionMatrix(M: TransitionMatrix): void {
  const k = M.length;
  if (k === 0) throw new InputError('transition matrix is empty', { field: 'M' });
  M.forEach((row, i) => {
    if (row.length !== k) {
      throw new InputError(`M.${i}: expected ${k} columns, got ${row.length}`, { field: `M.${i}` });
    }
    let sum = 0;
    row.forEach((v, j) => {
      if (!(v >= 0 && v <= 1)) {
        throw new InputError(`M.${i}.${j}: expected a probability, got ${v}`, {
          field: `M.${i}.${j}`,
          value: v,
        });
      }
      sum += v;
    });
    if (Math.abs(sum - 1) > 1e-9) {
      throw new InputError(`M.${i}: row must sum to 1, got ${sum}`, {
        field: `M.${i}`,
        value: sum,
      });
    }
  });
}

/** S(t+1) = S(t) · M. */
export function nextShares(S: readonly number[], M: TransitionMatrix): number[] {
  validateTransitionMatrix(M);
  if (S.length !== M.length) {
    throw new InputError(`shares: expected ${M.length} states, got ${S.length}`, { field: 'S' });
  }
  return step(S, M);
}

function step(S: readonly number[], M: TransitionMatrix): number[] {
  const k = M.length;
  const out = new Array<number>(k).fill(0);
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) out[j] += S[i] * M[i][j];
  return out;
}

/** S(0), S(1), …, S(periods). */
export function projectShares(
  S0: readonly number[],
  M: TransitionMatrix,
  periods: number,
): number[][] {
  const out = [[...S0]];
  let S = nextShares(S0, M);
  for (let t = 1; t <= periods; t++) {
    out.push(S);
    S = step(S, M);
  }
  return out;
}

export interface MigrationClvInput {
  readonly M: TransitionMatrix;
  /** shares at t = 0 */
  readonly S0: readonly number[];
  /** the state (brand) whose value is wanted, 0-based */
  readonly state: number;
  /** contribution per purchase, v */
  readonly contribution: number;
  /** purchases per period F_t: one number for every period, or one per period t = 0..T */
  readonly purchasesPerPeriod: number | readonly number[];
  /** discount rate per period, d */
  readonly discountRate: number;
  /** last period T (periods 0..T are summed) */
  readonly periods: number;
}

/** CLV_j = Σ_{t=0}^{T} F_t · v · S_j(t) / (1 + d)^t (Rust, Lemon & Zeithaml 2004; seed 000 例4). */
export function migrationClv(input: MigrationClvInput): number {
  const { M, S0, state, contribution, purchasesPerPeriod, discountRate, periods } = input;
  if (!(Number.isInteger(state) && state >= 0 && state < M.length)) {
    throw new InputError(`state: expected 0..${M.length - 1}, got ${state}`, {
      field: 'state',
      value: state,
    });
  }
  const shares = projectShares(S0, M, periods);
  let clv = 0;
  for (let t = 0; t <= periods; t++) {
    const F = typeof purchasesPerPeriod === 'number' ? purchasesPerPeriod : purchasesPerPeriod[t];
    clv += (F * contribution * shares[t][state]) / (1 + discountRate) ** t;
  }
  return clv;
}

export interface EstimatedTransitions {
  readonly M: number[][];
  /** observed transition counts, counts[i][j] = number of i → j moves */
  readonly counts: number[][];
  /** states never left in the data; their rows are set to "stay" (1 on the diagonal) */
  readonly unobservedStates: number[];
}

/**
 * Estimate M from observed state sequences (one per customer, states 0..k-1, one entry per
 * period): M_ij = n_ij / Σ_j n_ij, the maximum-likelihood estimate.
 */
export function estimateTransitionMatrix(
  sequences: readonly (readonly number[])[],
  k: number,
): EstimatedTransitions {
  const counts = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  sequences.forEach((seq, c) => {
    seq.forEach((s, t) => {
      if (!(Number.isInteger(s) && s >= 0 && s < k)) {
        throw new InputError(`sequences.${c}.${t}: expected a state 0..${k - 1}, got ${s}`, {
          field: `sequences.${c}.${t}`,
          value: s,
        });
      }
      if (t > 0) counts[seq[t - 1]][s] += 1;
    });
  });
  const unobservedStates: number[] = [];
  const M = counts.map((row, i) => {
    const total = row.reduce((a, b) => a + b, 0);
    if (total === 0) {
      unobservedStates.push(i);
      return row.map((_, j) => (i === j ? 1 : 0));
    }
    return row.map((v) => v / total);
  });
  return { M, counts, unobservedStates };
}
