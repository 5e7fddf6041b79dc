/**
 * Streaming calibration/holdout summary of transactions: the (x, tx, T, mean repeat spend) the
 * models take, plus holdout actuals, from events in any order.
 *
 * Definitions (Fader, Hardie & Lee 2005; PEER-LESSONS "Definitions that silently break models"):
 * purchases are counted per UTC calendar day (several on one day are one occasion, their amounts
 * summed); x = calibration purchase days after the first one (repeat occasions); tx = last minus
 * first purchase day; T = calibration end day minus first purchase day; mean repeat spend = mean
 * amount over the repeat days (the first day excluded), 0 when x = 0. Calibration covers days up
 * to and including the calibration end day; holdout covers the following days up to and including
 * the holdout end day. Times are in the chosen unit (day or week = 7 days). Customers whose first
 * purchase falls after the calibration end are left out and counted in `customersAfterCalibration`.
 * A customer whose first purchase is on the calibration end day has T = 0 and cannot be fitted.
 */
import { InputError } from '../../errors.js';
import { daysPerUnit, type TimeUnit } from './time-units.js';

const MS_PER_DAY = 86_400_000;

export interface SummaryOptions {
  /** last calendar day (UTC) of the calibration period, inclusive */
  readonly calibrationEnd: Date;
  /** last calendar day (UTC) of the holdout period, inclusive; no holdout when absent */
  readonly holdoutEnd?: Date;
  readonly unit: TimeUnit;
}

export interface CustomerSummary {
  readonly unit: TimeUnit;
  /** customers in ascending id order */
  readonly customerIds: readonly string[];
  readonly x: Float64Array;
  readonly tx: Float64Array;
  readonly T: Float64Array;
  /** mean amount of the repeat purchase days in calibration (minor units); 0 when x = 0 */
  readonly meanRepeatSpendMinor: Float64Array;
  /** purchase days in the holdout period */
  readonly holdoutPurchases: Float64Array;
  /** total amount in the holdout period (minor units) */
  readonly holdoutSpendMinor: Float64Array;
  /** first purchase, in units after the earliest first purchase of the cohort (`originDay`) */
  readonly firstPurchaseAt: Float64Array;
  /** UTC day number (days since 1970-01-01) of the earliest first purchase */
  readonly originDay: number;
  /** repeat purchase days per unit period since `originDay`, calibration and holdout together */
  readonly repeatPurchasesPerPeriod: Float64Array;
  readonly customersAfterCalibration: number;
}

export interface SummaryAccumulator {
  /** Add one transaction; amounts are integer minor units. */
  add(customerId: string, occurredAt: Date, amountMinor: number): void;
  /** The summary of everything added so far (the accumulator can keep accepting events). */
  finish(): CustomerSummary;
}

function dayOf(d: Date, field: string): number {
  const ms = d instanceof Date ? d.getTime() : Number.NaN;
  if (!Number.isFinite(ms)) {
    throw new InputError(`${field}: expected a valid date, got ${String(d)}`, { field, value: d });
  }
  return Math.floor(ms / MS_PER_DAY);
}

/** Create a streaming summary accumulator (see file header for the definitions). */
export function createSummaryAccumulator(options: SummaryOptions): SummaryAccumulator {
  const calEnd = dayOf(options.calibrationEnd, 'calibrationEnd');
  const holdEnd =
    options.holdoutEnd === undefined ? calEnd : dayOf(options.holdoutEnd, 'holdoutEnd');
  if (holdEnd < calEnd) {
    throw new InputError('holdoutEnd: must not be before calibrationEnd', { field: 'holdoutEnd' });
  }
  const unitDays = daysPerUnit(options.unit);
  const customers = new Map<string, Map<number, number>>();
  let count = 0;

  return {
    add(customerId, occurredAt, amountMinor) {
      count++;
      if (typeof customerId !== 'string' || customerId === '') {
        throw new InputError(`event ${count} customerId: expected a non-empty id`, {
          field: 'customerId',
          value: customerId,
        });
      }
      if (!Number.isInteger(amountMinor)) {
        throw new InputError(
          `event ${count} amountMinor: expected whole minor units, got ${amountMinor}`,
          { field: 'amountMinor', value: amountMinor },
        );
      }
      const day = dayOf(occurredAt, `event ${count} occurredAt`);
      if (day > holdEnd) return;
      let days = customers.get(customerId);
      if (days === undefined) {
        days = new Map();
        customers.set(customerId, days);
      }
      days.set(day, (days.get(day) ?? 0) + amountMinor);
    },

    finish() {
      const ids: string[] = [];
      const rows: { first: number; days: number[]; amounts: Map<number, number> }[] = [];
      let after = 0;
      for (const id of [...customers.keys()].sort()) {
        const amounts = customers.get(id) as Map<number, number>;
        const days = [...amounts.keys()].sort((a, b) => a - b);
        if (days[0] > calEnd) {
          after++;
          continue;
        }
        ids.push(id);
        rows.push({ first: days[0], days, amounts });
      }
      const n = ids.length;
      const x = new Float64Array(n);
      const tx = new Float64Array(n);
      const T = new Float64Array(n);
      const zbar = new Float64Array(n);
      const hPurchases = new Float64Array(n);
      const hSpend = new Float64Array(n);
      const firstAt = new Float64Array(n);
      let origin = Number.POSITIVE_INFINITY;
      for (const r of rows) origin = Math.min(origin, r.first);
      if (n === 0) origin = calEnd;
      const periods = Math.floor((holdEnd - origin) / unitDays) + 1;
      const perPeriod = new Float64Array(Math.max(periods, 0));
      rows.forEach((r, i) => {
        let repeats = 0;
        let last = r.first;
        let spend = 0;
        for (const d of r.days) {
          if (d !== r.first) perPeriod[Math.floor((d - origin) / unitDays)] += 1;
          if (d <= calEnd) {
            if (d !== r.first) {
              repeats++;
              spend += r.amounts.get(d) as number;
              last = d;
            }
          } else {
            hPurchases[i] += 1;
            hSpend[i] += r.amounts.get(d) as number;
          }
        }
        x[i] = repeats;
        tx[i] = (last - r.first) / unitDays;
        T[i] = (calEnd - r.first) / unitDays;
        zbar[i] = repeats > 0 ? spend / repeats : 0;
        firstAt[i] = (r.first - origin) / unitDays;
      });
      return Object.freeze({
        unit: options.unit,
        customerIds: Object.freeze(ids),
        x,
        tx,
        T,
        meanRepeatSpendMinor: zbar,
        holdoutPurchases: hPurchases,
        holdoutSpendMinor: hSpend,
        firstPurchaseAt: firstAt,
        originDay: origin,
        repeatPurchasesPerPeriod: perPeriod,
        customersAfterCalibration: after,
      });
    },
  };
}
