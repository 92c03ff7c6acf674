/**
 * The Friday review: why invoices are overdue, and the two numbers to watch week after week (the
 * share of invoices paid on time, and days from sending to payment). A metric that worsens two
 * weeks running is called out: that is when reminder timing or terms deserve a look. Pure.
 */
import type { InvoiceHistoryRow } from './client-history.js';
import type { ThreadNote } from './collection-notes.js';
import { formatMoney, type Money } from './money.js';
import { addDays, daysBetween, localDate, localInstant, parseInstant, weekdayOf } from './time.js';

/** An unpaid invoice past its due date (or under an exception), as the review counts it. */
export type OverdueItem = {
  readonly title: string;
  readonly clientName: string;
  readonly outstanding: Money;
  readonly daysLate: number;
  /** Dispute reason, when an exception is open. */
  readonly exception: string | null;
  readonly promiseToPay: string | null;
  /** The last reminder step done. */
  readonly reminderStage: string | null;
};

export type WeekTrend = {
  /** ISO week, e.g. 2026-W49. */
  readonly week: string;
  readonly paid: number;
  /** Percent paid on or before the due date; null when nothing was paid. */
  readonly onTimeRate: number | null;
  /** Median days from sent to paid; null when nothing was paid. */
  readonly medianDaysToPay: number | null;
};

export type WeeklyReview = {
  readonly week: string;
  readonly overdueCount: number;
  readonly overdueTotals: readonly Money[];
  readonly reasons: readonly { readonly reason: string; readonly count: number }[];
  /** Oldest week first, this week last. */
  readonly trends: readonly WeekTrend[];
  readonly drift: readonly string[];
};

/** Monday of the week `date` falls in (YYYY-MM-DD). */
export function mondayOf(date: string): string {
  return addDays(date, -((weekdayOf(date) + 6) % 7));
}

/** ISO 8601 week of a calendar date, e.g. 2026-W49. */
export function isoWeek(date: string): string {
  const thursday = addDays(mondayOf(date), 3);
  const year = Number(thursday.slice(0, 4));
  const week = Math.floor(daysBetween(`${year}-01-01`, thursday) / 7) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/**
 * The latest weekly slot at or before `now` (weekday 0–6, minute of day, in `timeZone`): when a
 * weekly post was last due. The caller posts it once, however late it starts.
 */
export function latestWeeklySlot(now: Date, timeZone: string, weekday: number, minute: number): { at: Date; week: string } {
  const today = localDate(now, timeZone);
  let day = addDays(today, -((weekdayOf(today) - weekday + 7) % 7));
  let at = localInstant(day, minute, timeZone);
  if (at.getTime() > now.getTime()) {
    day = addDays(day, -7);
    at = localInstant(day, minute, timeZone);
  }
  return { at, week: isoWeek(day) };
}

/** Why an overdue invoice is not paid yet, in the founder's words. */
export function overdueReason(item: OverdueItem): string {
  if (item.exception) return `Exception: ${item.exception}`;
  if (item.promiseToPay) return 'Promised to pay, date not reached or missed';
  if (item.reminderStage) return 'No payment after reminders';
  return 'Not chased yet';
}

const median = (values: readonly number[]): number | null => {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const value = sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  return Math.round(value * 10) / 10;
};

export function buildWeeklyReview(input: {
  now: Date;
  timeZone: string;
  overdue: readonly OverdueItem[];
  history: readonly InvoiceHistoryRow[];
  weeks?: number;
}): WeeklyReview {
  const { now, timeZone } = input;
  const thisMonday = mondayOf(localDate(now, timeZone));
  const weeks = Array.from({ length: input.weeks ?? 5 }, (_, i) => addDays(thisMonday, -7 * ((input.weeks ?? 5) - 1 - i)));
  const paidByWeek = new Map<string, { onTime: number; days: number[]; paid: number }>(weeks.map((w) => [w, { onTime: 0, days: [], paid: 0 }]));
  for (const row of input.history) {
    if (row.status !== 'Paid' || !row.paidOn) continue;
    const paid = parseInstant(row.paidOn, timeZone);
    if (!paid || paid.getTime() > now.getTime()) continue;
    const bucket = paidByWeek.get(mondayOf(localDate(paid, timeZone)));
    if (!bucket) continue;
    bucket.paid += 1;
    if (row.due && localDate(paid, timeZone) <= row.due.slice(0, 10)) bucket.onTime += 1;
    const sent = row.sent ? parseInstant(row.sent, timeZone) : null;
    if (sent) bucket.days.push(Math.max(0, (paid.getTime() - sent.getTime()) / 86_400_000));
  }
  const trends = weeks.map((monday) => {
    const b = paidByWeek.get(monday) ?? { onTime: 0, days: [], paid: 0 };
    return { week: isoWeek(monday), paid: b.paid, onTimeRate: b.paid === 0 ? null : Math.round((b.onTime / b.paid) * 100), medianDaysToPay: median(b.days) };
  });

  const reasons = new Map<string, number>();
  for (const item of input.overdue) reasons.set(overdueReason(item), (reasons.get(overdueReason(item)) ?? 0) + 1);
  const totals = new Map<string, number>();
  for (const item of input.overdue) totals.set(item.outstanding.currency, (totals.get(item.outstanding.currency) ?? 0) + item.outstanding.minor);

  return {
    week: isoWeek(localDate(now, timeZone)),
    overdueCount: input.overdue.length,
    overdueTotals: [...totals].map(([currency, minor]) => ({ currency, minor })),
    reasons: [...reasons].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count),
    trends,
    drift: driftOf(trends),
  };
}

/** A metric worse two weeks running (compared with the week before each): worth a look on Friday. */
function driftOf(trends: readonly WeekTrend[]): string[] {
  const last = trends.slice(-3);
  const [a, b, c] = last;
  if (!a || !b || !c) return [];
  const notes: string[] = [];
  if (a.onTimeRate !== null && b.onTimeRate !== null && c.onTimeRate !== null && b.onTimeRate < a.onTimeRate && c.onTimeRate < b.onTimeRate) {
    notes.push(
      `On-time rate fell two weeks running (${a.onTimeRate} % → ${b.onTimeRate} % → ${c.onTimeRate} %): look at reminder timing or terms for the clients paying late.`,
    );
  }
  if (
    a.medianDaysToPay !== null &&
    b.medianDaysToPay !== null &&
    c.medianDaysToPay !== null &&
    b.medianDaysToPay > a.medianDaysToPay &&
    c.medianDaysToPay > b.medianDaysToPay
  ) {
    notes.push(`Days to pay rose two weeks running (${a.medianDaysToPay} → ${b.medianDaysToPay} → ${c.medianDaysToPay}): an earlier first reminder may help.`);
  }
  return notes;
}

/** The review as a message in the channel: posted once per week (its key), for the founder. */
export function weeklyReviewNote(review: WeeklyReview): ThreadNote {
  const totals = review.overdueTotals.map(formatMoney).join(' + ');
  const overdue =
    review.overdueCount === 0
      ? ['Nothing is overdue.']
      : [
          `${review.overdueCount} invoice${review.overdueCount === 1 ? '' : 's'} overdue: ${totals}. Why:`,
          ...review.reasons.map((r) => `• ${r.reason}: ${r.count}`),
        ];
  const trend = review.trends.map(
    (t) =>
      `${t.week}: ${t.paid} paid${t.onTimeRate === null ? '' : `, ${t.onTimeRate} % on time`}${t.medianDaysToPay === null ? '' : `, ${t.medianDaysToPay} days to pay (median)`}`,
  );
  return {
    key: `weekly-review:${review.week}`,
    needsFounder: true,
    title: `Weekly review, ${review.week}`,
    lines: [...overdue, '', 'On-time payment and days to pay, week by week:', ...trend, ...(review.drift.length > 0 ? ['', ...review.drift] : [])],
    checklist: [],
    draft: null,
    buttons: null,
    milestoneId: '',
    invoiceId: null,
  };
}
