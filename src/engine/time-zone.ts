/**
 * Time zones through Intl (IANA names): a zone's UTC offset at an instant, looked up once per
 * hour of time and remembered; wall-clock time in a zone to the UTC instant and back. Used by
 * the importers (times written without a zone are the business's local time) and by the weekly
 * report's schedule (weekday and hour in the business's zone).
 */

/** A time zone's UTC offsets, looked up through Intl once per hour of time and remembered. */
class ZoneOffsets {
  private readonly format: Intl.DateTimeFormat;
  private readonly byHour = new Map<number, number>();
  // The last two hours asked for: wallClockToUtc asks twice per value, 8 hours apart in Shanghai.
  private hourA = Number.NaN;
  private offsetA = 0;
  private hourB = Number.NaN;
  private offsetB = 0;

  constructor(timeZone: string) {
    // Throws RangeError for a name that is not an IANA time zone.
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  }

  /** offset from UTC in ms at a UTC instant */
  at(utcMs: number): number {
    const hour = Math.floor(utcMs / 3_600_000);
    if (hour === this.hourA) return this.offsetA;
    if (hour === this.hourB) return this.offsetB;
    let offset = this.byHour.get(hour);
    if (offset === undefined) {
      const parts = this.format.formatToParts(new Date(hour * 3_600_000));
      const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value);
      const wall = Date.UTC(
        get('year'),
        get('month') - 1,
        get('day'),
        get('hour'),
        get('minute'),
        get('second'),
      );
      offset = wall - hour * 3_600_000;
      if (this.byHour.size > 100_000) this.byHour.clear();
      this.byHour.set(hour, offset);
    }
    this.hourB = this.hourA;
    this.offsetB = this.offsetA;
    this.hourA = hour;
    this.offsetA = offset;
    return offset;
  }
}

const zones = new Map<string, ZoneOffsets>();
let lastZoneName = '';
let lastZone: ZoneOffsets | null = null;

function zone(timeZone: string): ZoneOffsets {
  if (timeZone === lastZoneName && lastZone !== null) return lastZone;
  let z = zones.get(timeZone);
  if (!z) {
    z = new ZoneOffsets(timeZone);
    zones.set(timeZone, z);
  }
  lastZoneName = timeZone;
  lastZone = z;
  return z;
}

/** Throws RangeError for a name that is not an IANA time zone. */
export function checkTimeZone(timeZone: string): void {
  zone(timeZone);
}

/** Wall-clock milliseconds (as if UTC) in `timeZone` → the UTC instant. */
export function wallClockToUtc(wallMs: number, timeZone: string): number {
  if (timeZone === 'UTC' || timeZone === 'Etc/UTC') return wallMs;
  const z = zone(timeZone);
  const first = wallMs - z.at(wallMs);
  // A second pass settles instants near an offset change (DST); a gap resolves forward.
  return wallMs - z.at(first);
}

/** The UTC instant → wall-clock milliseconds (as if UTC) in `timeZone`. */
export function utcToWallClock(utcMs: number, timeZone: string): number {
  if (timeZone === 'UTC' || timeZone === 'Etc/UTC') return utcMs;
  return utcMs + zone(timeZone).at(utcMs);
}
