/** A wall-clock time of day. */
export interface TimeOfDay {
  hour: number;
  minute: number;
}

const HOUR_MS = 60 * 60 * 1000;

/**
 * Widest span between a wall-clock time and the instant it names: UTC offsets range from
 * -12:00 to +14:00, and one extra hour on each side covers a transition at the window's edge.
 */
const EARLIEST_OFFSET_MS = -13 * HOUR_MS;
const LATEST_OFFSET_MS = 15 * HOUR_MS;

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Returns a cached formatter of wall-clock fields in `timeZone`; raises RangeError if unknown. */
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Returns the UTC offset of `timeZone` at `instantMs`, in milliseconds (east of UTC positive). */
export function utcOffsetMs(instantMs: number, timeZone: string): number {
  const fields: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(instantMs))) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  const wallClockAsUtc = Date.UTC(
    fields.year!,
    fields.month! - 1,
    fields.day!,
    fields.hour!,
    fields.minute!,
    fields.second!,
  );
  const wholeSecond = Math.floor(instantMs / 1000) * 1000;
  return wallClockAsUtc - wholeSecond;
}

/**
 * Returns the instant at which the wall clocks of `timeZone` show `time` on `date`
 * (YYYY-MM-DD). Daylight saving time is taken from the time zone database that Node's Intl
 * carries. When the clocks are set back and the time occurs twice, the earlier instant is
 * returned. When they are set forward past it, the time is moved forward by the length of the
 * gap (02:30 in a gap from 02:00 to 03:00 becomes 03:30), as java.time and Temporal do.
 *
 * @throws RangeError when `timeZone` is not an IANA time zone name in Node's Intl data.
 */
export function instantOfLocalTime(date: string, time: TimeOfDay, timeZone: string): Date {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const wallClockAsUtc = Date.UTC(year, month - 1, day, time.hour, time.minute);

  // A time zone changes its offset at most once in the 28 hours around a wall-clock time, so
  // the offsets at both ends of that window are the only candidates.
  const offsetBefore = utcOffsetMs(wallClockAsUtc - LATEST_OFFSET_MS, timeZone);
  const offsetAfter = utcOffsetMs(wallClockAsUtc - EARLIEST_OFFSET_MS, timeZone);
  const candidates = [wallClockAsUtc - offsetBefore, wallClockAsUtc - offsetAfter]
    .filter((instant) => instant + utcOffsetMs(instant, timeZone) === wallClockAsUtc)
    .sort((a, b) => a - b);

  // No candidate shows the wall-clock time: it falls in a gap, and the offset from before the
  // gap gives the instant that far past its start.
  return new Date(candidates[0] ?? wallClockAsUtc - offsetBefore);
}
