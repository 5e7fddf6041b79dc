/**
 * Closed-form customer value for a constant retention rate, and group lifetime from a churn rate.
 *
 * simpleRetentionClv: CLV = m · r / (1 + d - r) — margin m per period, retention r per period,
 * discount d per period, first margin received at the end of the first period if retained
 * (Gupta & Lehmann 2003, "Customers as assets", Journal of Interactive Marketing 17(1), 9–24;
 * seed 000). groupLifetime: mean lifetime of a geometric churn process, 1 / churn
 * (seed 000: churn 20 %/year → 5 years).
 */
import { InputError } from '../../errors.js';

/** m · r / (1 + d − r): margin per period m, retention per period r in [0, 1), discount per period d ≥ 0. */
export function simpleRetentionClv(margin: number, retention: number, discount: number): number {
  if (!(retention >= 0 && retention < 1)) {
    throw new InputError(`retention: expected a rate in [0, 1), got ${retention}`, {
      field: 'retention',
      value: retention,
    });
  }
  if (!(discount >= 0)) {
    throw new InputError(`discount: expected a rate ≥ 0, got ${discount}`, {
      field: 'discount',
      value: discount,
    });
  }
  return (margin * retention) / (1 + discount - retention);
}

/** Expected lifetime in periods for a churn rate per period in (0, 1]: 1 / churn. */
export function groupLifetime(churnRate: number): number {
  if (!(churnRate > 0 && churnRate <= 1)) {
    throw new InputError(`churn rate: expected a rate in (0, 1], got ${churnRate}`, {
      field: 'churnRate',
      value: churnRate,
    });
  }
  return 1 / churnRate;
}
