/**
 * The forecast of a ledger snapshot as `npm run forecast` prints it, also what the backtest scores:
 *
 *   { "at": "2026-06-01T09:00:00Z", "currency": "USD",
 *     "weeks": [ { "start": "2026-06-01", "expected": 12345.67, "low": 9000, "high": 15000 } ],
 *     "otherCurrencies": { "EUR": [ { "start": "2026-06-01", "expected": 850, "low": 0, "high": 1350 } ] },
 *     "invoices": [ { "id": "m-001", "expectedDate": "2026-06-20", "confidence": 0.82, "tier": "High" } ] }
 *
 * - `weeks` run Monday to Sunday in the time zone, the first holding `at`; `low` and `high` bound an
 *   80 % interval. Amounts are major units of `currency`, rounded to its decimals.
 * - Money in any other currency is never converted or summed in: each currency gets its own list of
 *   weeks under `otherCurrencies`, keyed by its code. The key is always there, `{}` when there is none.
 * - `invoices` holds every forecast item (open invoices, and accepted or delivered milestones as the
 *   invoices they will become) in snapshot order: the local date the money is expected, the
 *   confidence (0..1, two decimals) and the tier.
 * - The weeks also count work not delivered yet (Planned or In progress) whose Due date falls inside
 *   them, as the invoices it should become (pipelineItems); such work is not listed in `invoices`.
 * - Only what was known at `at` is used (see forecast-inputs.ts): later sends, payments, acceptances
 *   and reminder steps are not, and each client's habits come from its payments made by then.
 */
import { weekBounds, type Forecast, type Tier } from '../domain/forecast.js';
import { forecastRows } from '../domain/forecast-inputs.js';
import { currencyExponent, stripeExponent } from '../domain/money.js';
import { localDate, zoneOffsetMinutes } from '../domain/time.js';
import type { LedgerSnapshot } from './read.js';

export type WeekOut = { start: string; expected: number; low: number; high: number };
export type InvoiceOut = { id: string; expectedDate: string; confidence: number; tier: Tier };
export type ForecastReport = {
  at: string;
  currency: string;
  weeks: WeekOut[];
  otherCurrencies: Record<string, WeekOut[]>;
  invoices: InvoiceOut[];
};

export type ReportOptions = {
  readonly at: Date;
  readonly weeks: number;
  readonly timeZone: string;
  /** Days to pay for a client with neither history nor payment terms. */
  readonly fallbackTermsDays?: number;
  /** Hours from acceptance to sending a projected invoice (AUTO_SEND_AFTER_MINUTES). */
  readonly sendLagHours?: number;
};

/** The forecast model run on a snapshot as of `at`. */
export function forecastSnapshot(snapshot: LedgerSnapshot, options: ReportOptions): Forecast {
  return forecastRows(snapshot.rows, snapshot.clients, {
    at: options.at,
    weeks: options.weeks,
    timeZone: options.timeZone,
    fallbackTermsDays: options.fallbackTermsDays ?? 30,
    sendLagHours: options.sendLagHours ?? 2,
  });
}

/** Minor units as major units, rounded to the decimals the currency is read in. */
export function majorUnits(minor: number, currency: string): number {
  const decimals = Math.min(currencyExponent(currency) ?? 2, stripeExponent(currency));
  const major = Math.round(minor) / 10 ** stripeExponent(currency);
  const scale = 10 ** decimals;
  return Math.round(major * scale) / scale;
}

/** "2026-06-01T09:00:00Z": the instant in UTC, milliseconds only when it has some. */
export function isoInstant(at: Date): string {
  return at.toISOString().replace(/\.000Z$/, 'Z');
}

/** The local date of many instants: one zone lookup per hour rather than per instant. */
function localDates(timeZone: string): (at: Date) => string {
  const offsets = new Map<number, number>();
  return (at) => {
    const hour = Math.floor(at.getTime() / 3_600_000);
    let offset = offsets.get(hour);
    if (offset === undefined) {
      offset = zoneOffsetMinutes(timeZone, at);
      offsets.set(hour, offset);
    }
    return new Date(at.getTime() + offset * 60_000).toISOString().slice(0, 10);
  };
}

export function forecastReport(snapshot: LedgerSnapshot, options: ReportOptions): ForecastReport {
  const result = forecastSnapshot(snapshot, options);
  const starts = weekBounds({ ...options, now: options.at, utcOffsetMinutes: 0 })
    .slice(0, options.weeks)
    .map((b) => localDate(new Date(b), options.timeZone));
  const weeksOf = (currency: string): WeekOut[] => {
    const found = result.currencies.find((c) => c.currency === currency);
    return starts.map((start, w) => {
      const week = found?.weeks[w];
      return {
        start,
        expected: majorUnits(week?.expected ?? 0, currency),
        low: majorUnits(week?.low ?? 0, currency),
        high: majorUnits(week?.high ?? 0, currency),
      };
    });
  };
  const otherCurrencies: Record<string, WeekOut[]> = {};
  for (const c of [...result.currencies].sort((a, b) => a.currency.localeCompare(b.currency))) {
    if (c.currency !== snapshot.currency) otherCurrencies[c.currency] = weeksOf(c.currency);
  }
  const dateOf = localDates(options.timeZone);
  return {
    at: isoInstant(options.at),
    currency: snapshot.currency,
    weeks: weeksOf(snapshot.currency),
    otherCurrencies,
    invoices: result.items.map((item) => ({ id: item.id, expectedDate: dateOf(item.expectedAt), confidence: item.confidence, tier: item.tier })),
  };
}
