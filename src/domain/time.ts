/** Time helpers for the domain: pure, every "now" and time zone passed in. */

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

export function isDateOnly(value: string): boolean {
  return DATE_ONLY.test(value);
}

/** Building an Intl formatter costs far more than using one; keep one per zone and style. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(locale: string, options: Intl.DateTimeFormatOptions & { timeZone: string }): Intl.DateTimeFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let found = formatters.get(key);
  if (!found) {
    found = new Intl.DateTimeFormat(locale, options);
    formatters.set(key, found);
  }
  return found;
}

/** Minutes to add to UTC to get local wall-clock time in `timeZone` at `at`. */
export function zoneOffsetMinutes(timeZone: string, at: Date): number {
  const parts = formatter('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(at);
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Math.round((asUtc - Math.floor(at.getTime() / 1000) * 1000) / 60_000);
}

/**
 * A Notion date as an instant. A date without a time means the start of that day in the founder's
 * time zone, not in UTC.
 */
export function parseInstant(value: string, timeZone: string): Date | null {
  if (isDateOnly(value)) {
    const midnightUtc = new Date(`${value}T00:00:00Z`);
    const offset = zoneOffsetMinutes(timeZone, midnightUtc);
    const guess = new Date(midnightUtc.getTime() - offset * 60_000);
    // Correct once for a DST change between the guess and local midnight.
    const corrected = zoneOffsetMinutes(timeZone, guess);
    return new Date(midnightUtc.getTime() - corrected * 60_000);
  }
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms);
}

/** The calendar date of `at` in `timeZone`, as YYYY-MM-DD. */
export function localDate(at: Date, timeZone: string): string {
  return formatter('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

/** ISO 8601 with the zone's offset, e.g. 2026-11-21T09:30:00+01:00: what the bot writes to Notion. */
export function isoWithOffset(at: Date, timeZone: string): string {
  const offset = zoneOffsetMinutes(timeZone, at);
  const local = new Date(Math.floor(at.getTime() / 1000) * 1000 + offset * 60_000);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${local.toISOString().slice(0, 19)}${sign}${hh}:${mm}`;
}

/** "21 Nov 2026, 09:30" in the founder's zone, for cards. */
export function formatForHumans(at: Date, timeZone: string): string {
  return formatter('en-GB', {
    timeZone,
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(at);
}

export function addMinutes(at: Date, minutes: number): Date {
  return new Date(at.getTime() + minutes * 60_000);
}

const DAY_MS = 86_400_000;

/** A calendar date (YYYY-MM-DD) moved by whole days. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Whole days from one calendar date to another (negative when `to` comes first). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/** Day of the week of a calendar date: 0 is Sunday, 6 is Saturday. */
export function weekdayOf(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

/** Minutes since local midnight of `at` in `timeZone`. */
export function minuteOfDay(at: Date, timeZone: string): number {
  const parts = formatter('en-US', { timeZone, hourCycle: 'h23', hour: '2-digit', minute: '2-digit' }).formatToParts(at);
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value);
  return get('hour') * 60 + get('minute');
}

/** The instant at which the wall clock in `timeZone` shows `minute` minutes past midnight on `date`. */
export function localInstant(date: string, minute: number, timeZone: string): Date {
  const wall = Date.parse(`${date}T00:00:00Z`) + minute * 60_000;
  const guess = wall - zoneOffsetMinutes(timeZone, new Date(wall)) * 60_000;
  // Correct once for a DST change between midnight and the wanted minute.
  return new Date(wall - zoneOffsetMinutes(timeZone, new Date(guess)) * 60_000);
}

/** "Mon 7 Dec" for a calendar date, as cards print upcoming steps. */
export function formatDay(date: string): string {
  return formatter('en-GB', { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short' }).format(new Date(`${date}T00:00:00Z`));
}

/** Whether `value` names an IANA time zone this runtime knows (Europe/Berlin, UTC). */
export function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}
