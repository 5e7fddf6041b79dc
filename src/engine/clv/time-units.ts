/**
 * Time units shared by fitting and prediction. A model fitted on weeks predicts in weeks; a
 * horizon given in months or a discount rate given per year is converted here, once, so the
 * units cannot silently disagree (PEER-LESSONS "Time units must agree").
 * A year is 365.25 days; a month is a twelfth of that (30.4375 days).
 */
import { InputError } from '../../errors.js';

export type TimeUnit = 'day' | 'week';

export const DAYS_PER_YEAR = 365.25;

/** Length of one unit in days. */
export function daysPerUnit(unit: TimeUnit): number {
  switch (unit) {
    case 'day':
      return 1;
    case 'week':
      return 7;
  }
}

/** Number of `unit`s in a year (365.25 days). */
export function unitsPerYear(unit: TimeUnit): number {
  return DAYS_PER_YEAR / daysPerUnit(unit);
}

/** Number of `unit`s in `months` months (a month is 365.25/12 days). */
export function monthsToUnits(months: number, unit: TimeUnit): number {
  return (months * DAYS_PER_YEAR) / 12 / daysPerUnit(unit);
}

/**
 * Discount rate per `unit` equivalent to `annualRate` per year under compounding:
 * (1 + annualRate)^(1/unitsPerYear) - 1. 10 %/year is 0.0261 %/day and 0.1828 %/week.
 */
export function discountRatePerUnit(annualRate: number, unit: TimeUnit): number {
  if (!(Number.isFinite(annualRate) && annualRate > -1)) {
    throw new InputError(`annual discount rate must be a number above -1, got ${annualRate}`, {
      field: 'annualDiscountRate',
      value: annualRate,
    });
  }
  return Math.expm1(Math.log1p(annualRate) / unitsPerYear(unit));
}
