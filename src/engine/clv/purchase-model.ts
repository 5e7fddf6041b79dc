/**
 * One interface over the repeat-purchase models (BG/NBD, MBG/NBD, Pareto/NBD), discriminated by
 * `kind`, so scoring and validation code does not care which model was fitted. All times are in
 * the unit the model was fitted on.
 */
import { assertNever } from '../../errors.js';
import type { FitResult } from '../optim/fit.js';
import {
  type BgNbdParams,
  bgNbdConditionalExpectedPurchases,
  bgNbdExpectedPurchases,
  bgNbdExpectedPurchasesIfAlive,
  bgNbdProbabilityAlive,
  fitBgNbd,
} from './bg-nbd.js';
import {
  fitMbgNbd,
  type MbgNbdParams,
  mbgNbdConditionalExpectedPurchases,
  mbgNbdExpectedPurchases,
  mbgNbdExpectedPurchasesIfAlive,
  mbgNbdProbabilityAlive,
} from './mbg-nbd.js';
import {
  fitParetoNbd,
  type ParetoNbdParams,
  paretoNbdConditionalExpectedPurchases,
  paretoNbdExpectedPurchases,
  paretoNbdExpectedPurchasesIfAlive,
  paretoNbdProbabilityAlive,
} from './pareto-nbd.js';
import type { RfmRows } from './rfm-rows.js';

export type PurchaseModel =
  | { readonly kind: 'bg-nbd'; readonly params: BgNbdParams }
  | { readonly kind: 'mbg-nbd'; readonly params: MbgNbdParams }
  | { readonly kind: 'pareto-nbd'; readonly params: ParetoNbdParams };

export type PurchaseModelKind = PurchaseModel['kind'];

export interface PurchaseModelFit {
  readonly model: PurchaseModel;
  readonly fit: FitResult<PurchaseModel['params']>;
}

/** Fit the named repeat-purchase model on unique rows; the fit says whether it converged. */
export function fitPurchaseModel(kind: PurchaseModelKind, rows: RfmRows): PurchaseModelFit {
  switch (kind) {
    case 'bg-nbd': {
      const fit = fitBgNbd(rows);
      return Object.freeze({ model: Object.freeze({ kind, params: fit.params }), fit });
    }
    case 'mbg-nbd': {
      const fit = fitMbgNbd(rows);
      return Object.freeze({ model: Object.freeze({ kind, params: fit.params }), fit });
    }
    case 'pareto-nbd': {
      const fit = fitParetoNbd(rows);
      return Object.freeze({ model: Object.freeze({ kind, params: fit.params }), fit });
    }
    default:
      return assertNever(kind, 'purchase model');
  }
}

/** Expected purchases in (T, T + t] for a customer with history (x, tx, T). */
export function expectedPurchasesAhead(
  model: PurchaseModel,
  t: number,
  x: number,
  tx: number,
  T: number,
): number {
  switch (model.kind) {
    case 'bg-nbd':
      return bgNbdConditionalExpectedPurchases(model.params, t, x, tx, T);
    case 'mbg-nbd':
      return mbgNbdConditionalExpectedPurchases(model.params, t, x, tx, T);
    case 'pareto-nbd':
      return paretoNbdConditionalExpectedPurchases(model.params, t, x, tx, T);
    default:
      return assertNever(model, 'purchase model');
  }
}

/** Expected purchases in (T, T + t] for a customer with x repeat purchases over T who is still active at T. */
export function expectedPurchasesAheadIfAlive(
  model: PurchaseModel,
  t: number,
  x: number,
  T: number,
): number {
  switch (model.kind) {
    case 'bg-nbd':
      return bgNbdExpectedPurchasesIfAlive(model.params, t, x, T);
    case 'mbg-nbd':
      return mbgNbdExpectedPurchasesIfAlive(model.params, t, x, T);
    case 'pareto-nbd':
      return paretoNbdExpectedPurchasesIfAlive(model.params, t, x, T);
    default:
      return assertNever(model, 'purchase model');
  }
}

/** Probability that a customer with history (x, tx, T) is still active at T. */
export function probabilityAlive(model: PurchaseModel, x: number, tx: number, T: number): number {
  switch (model.kind) {
    case 'bg-nbd':
      return bgNbdProbabilityAlive(model.params, x, tx, T);
    case 'mbg-nbd':
      return mbgNbdProbabilityAlive(model.params, x, tx, T);
    case 'pareto-nbd':
      return paretoNbdProbabilityAlive(model.params, x, tx, T);
    default:
      return assertNever(model, 'purchase model');
  }
}

/** Expected repeat purchases in (0, t] for a customer who has just made her first purchase. */
export function expectedPurchasesNew(model: PurchaseModel, t: number): number {
  switch (model.kind) {
    case 'bg-nbd':
      return bgNbdExpectedPurchases(model.params, t);
    case 'mbg-nbd':
      return mbgNbdExpectedPurchases(model.params, t);
    case 'pareto-nbd':
      return paretoNbdExpectedPurchases(model.params, t);
    default:
      return assertNever(model, 'purchase model');
  }
}
