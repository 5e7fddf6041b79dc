/**
 * The published CDNOW estimates are the reference every fit must reproduce (SPEC §4):
 * parameters to 3 significant figures, log-likelihood to 0.1.
 */
import { describe, expect, test } from 'vitest';
import {
  bgNbdConditionalExpectedPurchases,
  compressRfm,
  fitBgNbd,
  fitGammaGamma,
  fitMbgNbd,
  fitParetoNbd,
  fitPurchaseModel,
  scoreCustomers,
} from '../../src/engine/index.js';
import { loadCdnowSummary } from './cdnow.js';

const cdnow = loadCdnowSummary();
const rows = compressRfm(cdnow.x, cdnow.tx, cdnow.T).rows;

function sig3(v: number): number {
  return Number(v.toPrecision(3));
}

describe('CDNOW published estimates', () => {
  test('BG/NBD reproduces Fader, Hardie & Lee (2005): r=0.243, alpha=4.414, a=0.793, b=2.426, LL=-9582.4', () => {
    const fit = fitBgNbd(rows);
    expect(fit.converged).toBe(true);
    expect(sig3(fit.params.r)).toBe(0.243);
    expect(sig3(fit.params.alpha)).toBe(4.41);
    expect(sig3(fit.params.a)).toBe(0.793);
    expect(sig3(fit.params.b)).toBe(2.43);
    expect(Math.abs(fit.logLik - -9582.4)).toBeLessThan(0.1);
    expect(fit.nObs).toBe(2357);
    expect(fit.warnings).toEqual([]);
  });

  test('BG/NBD predicts 1.226 purchases in the next 39 weeks for the papers’ example customer (x=2, tx=30.43, T=38.86)', () => {
    const fit = fitBgNbd(rows);
    expect(bgNbdConditionalExpectedPurchases(fit.params, 39, 2, 30.43, 38.86)).toBeCloseTo(
      1.226,
      3,
    );
  });

  test('Pareto/NBD reproduces r=0.553, alpha=10.578, s=0.606, beta=11.669, LL=-9595.0', () => {
    const fit = fitParetoNbd(rows);
    expect(fit.converged).toBe(true);
    expect(sig3(fit.params.r)).toBe(0.553);
    expect(sig3(fit.params.alpha)).toBe(10.6);
    expect(sig3(fit.params.s)).toBe(0.606);
    expect(sig3(fit.params.beta)).toBe(11.7);
    expect(Math.abs(fit.logLik - -9595.0)).toBeLessThan(0.1);
    expect(fit.warnings).toEqual([]);
  });

  test('MBG/NBD fits CDNOW slightly better than BG/NBD (regression values of this implementation)', () => {
    const fit = fitMbgNbd(rows);
    expect(fit.converged).toBe(true);
    expect(sig3(fit.params.r)).toBe(0.525);
    expect(sig3(fit.params.alpha)).toBe(6.18);
    expect(sig3(fit.params.a)).toBe(0.891);
    expect(sig3(fit.params.b)).toBe(1.61);
    expect(fit.logLik).toBeCloseTo(-9582.13, 1);
  });

  test('gamma-gamma reproduces Fader & Hardie (2013) on the 946 repeaters: p=6.25, q=3.74, gamma=15.44', () => {
    const fit = fitGammaGamma(cdnow.x, cdnow.zbar);
    expect(fit.converged).toBe(true);
    expect(fit.nObs).toBe(946);
    expect(sig3(fit.params.p)).toBe(6.25);
    expect(sig3(fit.params.q)).toBe(3.74);
    expect(sig3(fit.params.gamma)).toBe(15.4);
    expect(fit.frequencySpendCorrelation).toBeCloseTo(0.11, 2);
    expect(fit.warnings).toEqual([]);
  });

  test('standard errors are reported for every parameter', () => {
    const fit = fitParetoNbd(rows);
    for (const v of Object.values(fit.stdErr)) {
      expect(v).toBeGreaterThan(0);
      expect(Number.isFinite(v)).toBe(true);
    }
    expect(Object.isFrozen(fit)).toBe(true);
    expect(Object.isFrozen(fit.params)).toBe(true);
  });

  test('fitPurchaseModel + scoreCustomers: the papers’ example customer is worth 1.23 purchases × $24.66 = $30.32 over 9 months', () => {
    const { model, fit } = fitPurchaseModel('bg-nbd', rows);
    expect(model.kind).toBe('bg-nbd');
    expect(fit.converged).toBe(true);
    const spend = fitGammaGamma(cdnow.x, cdnow.zbar);
    const scores = scoreCustomers(
      model,
      spend.params,
      { x: cdnow.x, tx: cdnow.tx, T: cdnow.T, zbar: cdnow.zbar },
      { unit: 'week', horizonMonths: 9, annualDiscountRate: 0 },
    );
    // 9 months = 39.13 weeks; customer 1 has x = 2, tx = 30.43, T = 38.86.
    expect(scores.expectedPurchasesInHorizon[0]).toBeCloseTo(1.23, 2);
    // Gamma-gamma shrinks her $22.35 mean repeat spend toward the population mean.
    expect(scores.expectedSpendPerPurchase[0]).toBeCloseTo(24.66, 2);
    expect(scores.discountedClv[0]).toBeCloseTo(30.32, 2);
  });
});
