/** Calendar dates given on the command line. */
import { InputError } from '../errors.js';

/** `YYYY-MM-DD` → that UTC day, or an InputError naming the option. */
export function parseIsoDate(value: string, option: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
  if (!d || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== value) {
    throw new InputError(`${option} must be a date YYYY-MM-DD, got "${value}"`, {
      field: option,
      value,
    });
  }
  return d;
}

/** Today as a UTC calendar day. */
export function todayUtc(): Date {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}
