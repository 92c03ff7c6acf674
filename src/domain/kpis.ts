/**
 * The collection KPIs of the playbook, from the Milestones rows (open and settled) as they stood at
 * `now`: nothing dated after `now` counts (each row is read through `asOf`). Pure, with time and the
 * founder's zone passed in. Numbers only; the Slack view formats them.
 *
 * Definitions, all over the same window of the 90 × 24 hours up to `now` unless said otherwise:
 * - **Acceptance-to-invoice lag**: median hours from *Accepted* to *Invoice sent*, over invoices sent
 *   in the window that have both dates. A lag below zero (accepted recorded after sending) counts as 0.
 *   An *Accepted* date without a time is the start of that day in the founder's zone, as everywhere.
 * - **Same-day dispatch rate**: of those same invoices, the share sent on the calendar day (in
 *   `timeZone`) they were accepted. Target: above 80 %.
 * - **Dispute rate**: invoices sent in the window that are disputed (*Dispute reason* set, or
 *   *Invoice status* Disputed) over all invoices sent in the window. Target: below 8 %.
 * - **Median days-to-pay**: days (fractional) from sent to *Paid on*, over invoices Paid whose
 *   payment falls in the window. Below zero counts as 0.
 * - **DSO**, per currency, by the simple formula (not the count-back method):
 *   open receivables now ÷ amount invoiced in the window × 90. Open receivables are what remains to
 *   pay on every invoice sent and not Paid, Void or Uncollectible, whenever it was sent; invoiced is
 *   the total (tax included) of invoices sent in the window, Void ones left out. Null when nothing
 *   was invoiced in the window.
 * - **Aging**, of the same open receivables, by **days past due**: whole calendar days in `timeZone`
 *   from the due date to today. Not yet past due (due today or later, or no due date) is `current`;
 *   then 1–7, 8–14, 15–30 and 31+ days past due (the 0–7, 8–14, 15–30 and 30+, with day 0,
 *   the due date itself, kept in `current` since an invoice is overdue only from the day after, and
 *   day 30 in 15–30). Each bucket has a count and the amount outstanding per currency, minor units.
 *
 * A rate or median with nothing to measure is null (never NaN), and so is whether its target is met.
 * Currencies are never added together.
 */
import { asOf, type ForecastRow } from './forecast-inputs.js';
import { daysBetween, localDate } from './time.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
export const KPI_WINDOW_DAYS = 90;

const SETTLED = new Set(['Paid', 'Void', 'Uncollectible']);

export type Target = { readonly comparison: 'above' | 'below'; readonly value: number };

/** The playbook's targets, as shares (0..1). */
export const KPI_TARGETS = {
  sameDayDispatch: { comparison: 'above', value: 0.8 },
  disputeRate: { comparison: 'below', value: 0.08 },
} as const satisfies Record<string, Target>;

/** A share (0..1) of `count` out of `of`, and whether it meets its target. */
export type RateKpi = {
  readonly rate: number | null;
  readonly count: number;
  readonly of: number;
  readonly target: Target;
  readonly met: boolean | null;
};

export type MedianKpi = { readonly median: number | null; readonly samples: number };

export type Dso = {
  readonly currency: string;
  /** Minor units. */
  readonly receivables: number;
  /** Minor units, invoiced in the window. */
  readonly invoiced: number;
  /** Days; null when nothing was invoiced in the window. */
  readonly days: number | null;
};

export type AgingKey = 'current' | '1-7' | '8-14' | '15-30' | '31+';

export type AgingBucket = {
  readonly key: AgingKey;
  /** Days past due covered, inclusive; null for open-ended. `current` is due today or later. */
  readonly fromDays: number | null;
  readonly toDays: number | null;
  readonly count: number;
  /** Outstanding per currency, minor units; only currencies with something in the bucket. */
  readonly amounts: Readonly<Record<string, number>>;
};

export type Kpis = {
  readonly at: Date;
  readonly windowDays: number;
  /** Invoices sent in the window. */
  readonly invoicesSent: number;
  /** Hours. */
  readonly acceptanceLag: MedianKpi;
  readonly sameDayDispatch: RateKpi;
  readonly disputeRate: RateKpi;
  /** Days. */
  readonly daysToPay: MedianKpi;
  /** One per currency with receivables or invoicing, by currency code. */
  readonly dso: readonly Dso[];
  /** current, 1-7, 8-14, 15-30, 31+, always all five. */
  readonly aging: readonly AgingBucket[];
};

const BUCKETS: readonly { key: AgingKey; fromDays: number | null; toDays: number | null }[] = [
  { key: 'current', fromDays: null, toDays: 0 },
  { key: '1-7', fromDays: 1, toDays: 7 },
  { key: '8-14', fromDays: 8, toDays: 14 },
  { key: '15-30', fromDays: 15, toDays: 30 },
  { key: '31+', fromDays: 31, toDays: null },
];

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const hi = sorted[mid] ?? 0;
  return sorted.length % 2 === 1 ? hi : ((sorted[mid - 1] ?? 0) + hi) / 2;
}

function rate(count: number, of: number, target: Target): RateKpi {
  const r = of === 0 ? null : count / of;
  const met = r === null ? null : target.comparison === 'above' ? r > target.value : r < target.value;
  return { rate: r, count, of, target, met };
}

/** Which aging bucket `daysPastDue` falls in (0 or less is current). */
export function agingKey(daysPastDue: number): AgingKey {
  if (daysPastDue <= 0) return 'current';
  if (daysPastDue <= 7) return '1-7';
  if (daysPastDue <= 14) return '8-14';
  if (daysPastDue <= 30) return '15-30';
  return '31+';
}

export function kpis(rows: readonly ForecastRow[], now: Date, timeZone: string): Kpis {
  const nowMs = now.getTime();
  const windowStart = nowMs - KPI_WINDOW_DAYS * DAY;
  const inWindow = (d: Date | null): d is Date => d !== null && d.getTime() >= windowStart && d.getTime() <= nowMs;
  const today = localDate(now, timeZone);

  const lags: number[] = [];
  let sameDay = 0;
  let sent = 0;
  let disputed = 0;
  const daysToPay: number[] = [];
  const dso = new Map<string, { receivables: number; invoiced: number }>();
  const dsoOf = (currency: string) => {
    let d = dso.get(currency);
    if (!d) {
      d = { receivables: 0, invoiced: 0 };
      dso.set(currency, d);
    }
    return d;
  };
  const aging = new Map<AgingKey, { count: number; amounts: Record<string, number> }>(BUCKETS.map((b) => [b.key, { count: 0, amounts: {} }]));

  for (const raw of rows) {
    const row = asOf(raw, now);
    if (!row.sent) continue;
    const status = row.invoiceStatus;

    if (inWindow(row.sent)) {
      sent += 1;
      if (row.disputed || status === 'Disputed') disputed += 1;
      if (row.accepted) {
        lags.push(Math.max(0, (row.sent.getTime() - row.accepted.getTime()) / HOUR));
        if (localDate(row.sent, timeZone) === localDate(row.accepted, timeZone)) sameDay += 1;
      }
      if (row.total && status !== 'Void') dsoOf(row.total.currency).invoiced += row.total.minor;
    }

    if (status === 'Paid' && inWindow(row.paidOn)) daysToPay.push(Math.max(0, (row.paidOn.getTime() - row.sent.getTime()) / DAY));

    if (status !== null && !SETTLED.has(status)) {
      const open = row.remaining ?? row.total;
      if (!open || open.minor <= 0) continue;
      dsoOf(open.currency).receivables += open.minor;
      const pastDue = row.due ? daysBetween(localDate(row.due, timeZone), today) : 0;
      const bucket = aging.get(agingKey(pastDue));
      if (bucket) {
        bucket.count += 1;
        bucket.amounts[open.currency] = (bucket.amounts[open.currency] ?? 0) + open.minor;
      }
    }
  }

  return {
    at: now,
    windowDays: KPI_WINDOW_DAYS,
    invoicesSent: sent,
    acceptanceLag: { median: median(lags), samples: lags.length },
    sameDayDispatch: rate(sameDay, lags.length, KPI_TARGETS.sameDayDispatch),
    disputeRate: rate(disputed, sent, KPI_TARGETS.disputeRate),
    daysToPay: { median: median(daysToPay), samples: daysToPay.length },
    dso: [...dso]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([currency, d]) => ({
        currency,
        receivables: d.receivables,
        invoiced: d.invoiced,
        days: d.invoiced > 0 ? (d.receivables / d.invoiced) * KPI_WINDOW_DAYS : null,
      })),
    aging: BUCKETS.map((b) => {
      const got = aging.get(b.key) ?? { count: 0, amounts: {} };
      return { ...b, count: got.count, amounts: got.amounts };
    }),
  };
}
