/**
 * How both backends turn PostgreSQL values into JavaScript, so the same query gives the same
 * rows on PGlite and on a server: int8 and numeric become numbers (money is integer minor units,
 * well inside 2^53), dates stay 'YYYY-MM-DD' strings (no local-time shift), timestamptz is a Date.
 */

export const OID = Object.freeze({ int8: 20, numeric: 1700, date: 1082 });

function toNumber(v: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) && Number.isInteger(n)) {
    throw new RangeError(`integer ${v} is beyond what Tenure handles exactly (2^53)`);
  }
  return n;
}

export const TYPE_PARSERS: Readonly<Record<number, (v: string) => unknown>> = Object.freeze({
  [OID.int8]: toNumber,
  [OID.numeric]: Number,
  [OID.date]: (v: string) => v,
});
