/**
 * The cash-in forecast: for every open invoice, and every accepted or delivered milestone not yet
 * invoiced (projected as the invoice it will become), when the money should arrive and how sure that
 * is; then, week by week and currency by currency, how much should come in, with an 80 % band.
 *
 * Pure, with time passed in. The probability is the playbook's four signal groups, weighted
 * 35/25/25/15, each kept so a card can say why:
 *   - invoice aging: days since sent and distance to the due date;
 *   - stakeholder responsiveness: acceptance lag, and whether reminders got an answer;
 *   - commercial clarity: accepted scope, evidence, no blockers;
 *   - account history: days to pay, late share and disputes.
 * The payment date of each invoice is modelled as a normal spread around its expected date (the
 * client's own spread when known), times the chance it is paid at all; weekly amounts and bands add
 * those up. Nothing is summed across currencies.
 */
import type { Money } from './money.js';
import { addDays, localDate, localInstant, weekdayOf } from './time.js';

const DAY = 86_400_000;

export type Tier = 'High' | 'Medium' | 'Low';

/** How a client has paid so far (from settled rows). */
export type ClientBehaviour = {
  readonly paymentTermsDays: number | null;
  readonly paidInvoices: number;
  /** Days from sent to paid. */
  readonly meanDaysToPay: number | null;
  readonly sdDaysToPay: number | null;
  /** Share of paid invoices paid after their due date, 0..1. */
  readonly lateShare: number | null;
  /** Invoices of this client that were disputed, and all its invoices. */
  readonly disputes: number;
  readonly invoices: number;
};

export type ForecastItem = {
  readonly id: string;
  readonly clientId: string | null;
  /** What is left to collect (an invoice's amount remaining; a projected invoice's total). */
  readonly amount: Money;
  readonly kind: 'invoice' | 'projected';
  /** When the invoice was sent; null for a projected one. */
  readonly sentAt: Date | null;
  /** Due date, at the start of that day in the founder's zone; for a projected invoice, null. */
  readonly dueAt: Date | null;
  readonly deliveredAt: Date | null;
  readonly acceptedAt: Date | null;
  readonly stage: 'Delivered' | 'Accepted' | null;
  readonly evidence: boolean;
  readonly blockers: number;
  readonly changeOrder: boolean;
  readonly disputed: boolean;
  readonly promiseToPay: Date | null;
  /** Reminder steps done, and when the last one was due. */
  readonly remindersDone: number;
  readonly lastReminderAt: Date | null;
  /** The client answered the chase: a promise, a part payment, a dispute raised. */
  readonly responded: boolean;
};

export type Signals = { readonly aging: number; readonly responsiveness: number; readonly clarity: number; readonly history: number };

export const SIGNAL_WEIGHTS: Readonly<Signals> = { aging: 0.35, responsiveness: 0.25, clarity: 0.25, history: 0.15 };

export type ItemForecast = {
  readonly id: string;
  readonly amount: Money;
  readonly expectedAt: Date;
  /** Probability (0..1) of payment by expectedAt. */
  readonly confidence: number;
  readonly tier: Tier;
  readonly signals: Signals;
  /** Why, in a few words per signal that pulled it down. */
  readonly reasons: readonly string[];
  /** Spread of the payment date, in days, and the chance it is paid at all. */
  readonly spreadDays: number;
  readonly payProbability: number;
};

export type WeekBand = { readonly start: Date; readonly expected: number; readonly low: number; readonly high: number };

export type CurrencyProjection = {
  readonly currency: string;
  /** Minor units. */
  readonly weeks: readonly WeekBand[];
  /** Outstanding on invoices past their due date, minor units. */
  readonly overdue: number;
};

export type Forecast = {
  readonly at: Date;
  readonly items: readonly ItemForecast[];
  readonly currencies: readonly CurrencyProjection[];
};

export type ForecastOptions = {
  readonly now: Date;
  /** Minutes to add to UTC for the founder's local time at `now` (weeks start Monday 00:00 local). */
  readonly utcOffsetMinutes: number;
  /**
   * The founder's zone (CASHIN_TIMEZONE). When given, every week starts at Monday 00:00 local even
   * across a daylight-saving change; otherwise the weeks are 7 × 24 hours from the first Monday.
   */
  readonly timeZone?: string;
  readonly weeks: number;
  /** Days to pay when a client has neither history nor payment terms. */
  readonly fallbackTermsDays: number;
  /** Hours from acceptance to sending, for a projected invoice (the auto-send grace period). */
  readonly sendLagHours: number;
};

/** The z of a two-sided 80 % band. */
const Z80 = 1.2816;
/** History needs a few paid invoices before it speaks for the client. */
const HISTORY_MIN_PAID = 3;

const clamp = (x: number, lo = 0, hi = 1) => Math.min(hi, Math.max(lo, x));

/** Standard normal CDF (Abramowitz–Stegun 7.1.26, error below 1.5e-7). */
export function normalCdf(z: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(z / Math.SQRT2));
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-(z * z) / 2);
  return z >= 0 ? (1 + y) / 2 : (1 - y) / 2;
}

function aging(item: ForecastItem, now: number): { score: number; reason: string | null; daysOverdue: number } {
  if (item.kind === 'projected') return { score: 0.8, reason: null, daysOverdue: 0 };
  // An invoice without a sent date (typed in by hand) is still aged by its due date.
  const daysOverdue = item.dueAt ? Math.floor((now - item.dueAt.getTime()) / DAY) : 0;
  if (daysOverdue <= 0) {
    const sentDays = item.sentAt ? (now - item.sentAt.getTime()) / DAY : 0;
    return sentDays < 45 ? { score: 0.9, reason: null, daysOverdue: 0 } : { score: 0.7, reason: `sent ${Math.floor(sentDays)} days ago`, daysOverdue: 0 };
  }
  if (daysOverdue <= 7) return { score: 0.6, reason: `${daysOverdue} days overdue`, daysOverdue };
  if (daysOverdue <= 30) return { score: 0.35, reason: `${daysOverdue} days overdue`, daysOverdue };
  return { score: 0.15, reason: `${daysOverdue} days overdue`, daysOverdue };
}

function responsiveness(item: ForecastItem, now: number): { score: number; reason: string | null } {
  let score = 0.75;
  let reason: string | null = null;
  if (item.deliveredAt && item.acceptedAt) {
    const lagDays = (item.acceptedAt.getTime() - item.deliveredAt.getTime()) / DAY;
    score = lagDays <= 1 ? 0.95 : lagDays <= 3 ? 0.8 : lagDays <= 7 ? 0.6 : 0.4;
    if (lagDays > 3) reason = `acceptance took ${Math.round(lagDays)} days`;
  } else if (item.stage === 'Delivered' && item.deliveredAt) {
    const waiting = (now - item.deliveredAt.getTime()) / DAY;
    score = waiting <= 1 ? 0.75 : waiting <= 3 ? 0.55 : 0.35;
    if (waiting > 1) reason = `not accepted after ${Math.round(waiting)} days`;
  }
  if (item.responded) return { score: Math.max(score, 0.8), reason };
  // Reminders went out and nobody answered in 72 hours: a signal of its own.
  if (item.remindersDone > 0 && item.lastReminderAt && now - item.lastReminderAt.getTime() > 3 * DAY) {
    return { score: score * 0.5, reason: 'no answer to reminders in 72 hours' };
  }
  return { score, reason };
}

function clarity(item: ForecastItem): { score: number; reason: string | null } {
  const accepted = item.stage === 'Accepted' || item.kind === 'invoice';
  const parts = [accepted && !item.changeOrder ? 0.4 : 0, item.evidence ? 0.3 : 0, item.blockers === 0 ? 0.3 : 0];
  const why = [
    !accepted ? 'not accepted yet' : item.changeOrder ? 'scope change pending' : '',
    item.evidence ? '' : 'no acceptance evidence',
    item.blockers > 0 ? `${item.blockers} blockers` : '',
  ]
    .filter((w) => w !== '')
    .join(', ');
  return { score: parts.reduce((a, b) => a + b, 0), reason: why || null };
}

function history(client: ClientBehaviour | undefined): { score: number; reason: string | null } {
  if (!client || client.paidInvoices < HISTORY_MIN_PAID) return { score: 0.6, reason: null };
  const late = client.lateShare ?? 0;
  const disputeRate = client.invoices > 0 ? client.disputes / client.invoices : 0;
  const score = clamp(1 - 0.7 * late - Math.min(0.4, 2 * disputeRate));
  const reason =
    late >= 0.5 ? `pays late ${Math.round(late * 100)} % of the time` : disputeRate >= 0.1 ? `disputes ${Math.round(disputeRate * 100)} % of invoices` : null;
  return { score, reason };
}

/** The tier of a confidence: High from 0.75, Medium from 0.5; more than 7 days overdue one lower; no evidence, never above Medium. */
export function tierOf(confidence: number, daysOverdue: number, evidence: boolean): Tier {
  const levels: Tier[] = ['Low', 'Medium', 'High'];
  let level = confidence >= 0.75 ? 2 : confidence >= 0.5 ? 1 : 0;
  // More than 7 days overdue lowers the tier; missing evidence keeps it from rising.
  if (daysOverdue > 7) level = Math.max(0, level - 1);
  if (!evidence) level = Math.min(level, 1);
  return levels[level] ?? 'Low';
}

/** When the money is expected, and how spread out that guess is (days). */
function timing(item: ForecastItem, client: ClientBehaviour | undefined, options: ForecastOptions): { expected: number; spreadDays: number } {
  const now = options.now.getTime();
  const known = client && client.paidInvoices >= HISTORY_MIN_PAID && client.meanDaysToPay !== null;
  const terms = client?.paymentTermsDays ?? options.fallbackTermsDays;
  const days = known ? (client.meanDaysToPay ?? 0) : terms;
  const spreadDays = known ? Math.max(2, client.sdDaysToPay ?? days * 0.3) : Math.max(3, days * 0.3);
  const dueAt = item.kind === 'invoice' ? (item.dueAt?.getTime() ?? null) : null;
  const sent =
    item.sentAt?.getTime() ??
    // An invoice without a sent date: sent its terms before its due date.
    (dueAt !== null
      ? dueAt - terms * DAY
      : // Projected: sent after the grace period once accepted; a delivered one waits for acceptance first.
        item.stage === 'Accepted'
        ? Math.max(now, (item.acceptedAt?.getTime() ?? now) + options.sendLagHours * 3_600_000)
        : now + 2 * DAY);
  // Without history an invoice is expected on its own due date (the terms it was sent on), in the day.
  let expected = known || dueAt === null ? sent + days * DAY : dueAt + DAY / 2;
  if (item.promiseToPay && item.promiseToPay.getTime() >= now) expected = item.promiseToPay.getTime() + DAY / 2;
  if (item.disputed) expected = Math.max(expected, now + 21 * DAY);
  // Overdue money is expected from today on, never in the past.
  if (expected < now) expected = now + Math.max(3, Math.min(21, spreadDays)) * DAY;
  return { expected, spreadDays };
}

export function forecastItem(item: ForecastItem, client: ClientBehaviour | undefined, options: ForecastOptions): ItemForecast {
  const now = options.now.getTime();
  const a = aging(item, now);
  const r = responsiveness(item, now);
  const c = clarity(item);
  const h = history(client);
  const signals = { aging: a.score, responsiveness: r.score, clarity: c.score, history: h.score };
  let confidence =
    SIGNAL_WEIGHTS.aging * a.score + SIGNAL_WEIGHTS.responsiveness * r.score + SIGNAL_WEIGHTS.clarity * c.score + SIGNAL_WEIGHTS.history * h.score;
  if (item.disputed) confidence *= 0.5;
  confidence = Math.round(clamp(confidence) * 100) / 100;
  const { expected, spreadDays } = timing(item, client, options);
  // The chance it is paid at all within the horizon: high for most, lower when the signals are poor.
  const payProbability = clamp(0.35 + 0.65 * confidence, 0, 0.99) * (item.disputed ? 0.7 : 1);
  return {
    id: item.id,
    amount: item.amount,
    expectedAt: new Date(expected),
    confidence,
    tier: tierOf(confidence, a.daysOverdue, item.evidence),
    signals,
    reasons: [a.reason, r.reason, c.reason, h.reason, item.disputed ? 'open exception' : null].filter((x): x is string => x !== null),
    spreadDays,
    payProbability,
  };
}

/** Monday 00:00 (local) of the week holding `now`, as a UTC instant, given the local offset. */
export function weekStart(now: Date, utcOffsetMinutes: number): number {
  const local = now.getTime() + utcOffsetMinutes * 60_000;
  const midnight = Math.floor(local / DAY) * DAY;
  const weekday = (new Date(midnight).getUTCDay() + 6) % 7;
  return midnight - weekday * DAY - utcOffsetMinutes * 60_000;
}

/** Where the forecast's weeks begin and end: weeks + 1 instants, the first the Monday of `now`'s week. */
export function weekBounds(options: Pick<ForecastOptions, 'now' | 'utcOffsetMinutes' | 'timeZone' | 'weeks'>): number[] {
  const { timeZone } = options;
  if (!timeZone) {
    const start = weekStart(options.now, options.utcOffsetMinutes);
    return Array.from({ length: options.weeks + 1 }, (_, i) => start + i * 7 * DAY);
  }
  const today = localDate(options.now, timeZone);
  const monday = addDays(today, -((weekdayOf(today) + 6) % 7));
  return Array.from({ length: options.weeks + 1 }, (_, i) => localInstant(addDays(monday, 7 * i), 0, timeZone).getTime());
}

export function forecast(items: readonly ForecastItem[], clients: ReadonlyMap<string, ClientBehaviour>, options: ForecastOptions): Forecast {
  const now = options.now.getTime();
  const bounds = weekBounds(options);
  type Acc = { mean: Float64Array; variance: Float64Array; overdue: number };
  const byCurrency = new Map<string, Acc>();
  const results: ItemForecast[] = [];
  for (const item of items) {
    if (item.amount.minor <= 0) continue;
    const f = forecastItem(item, item.clientId ? clients.get(item.clientId) : undefined, options);
    results.push(f);
    let acc = byCurrency.get(item.amount.currency);
    if (!acc) {
      acc = { mean: new Float64Array(options.weeks), variance: new Float64Array(options.weeks), overdue: 0 };
      byCurrency.set(item.amount.currency, acc);
    }
    if (item.dueAt && item.dueAt.getTime() + DAY <= now) acc.overdue += item.amount.minor;
    // Payment time ~ Normal(expected, spread), but never before now; weeks get their share.
    const mu = f.expectedAt.getTime();
    const sigma = f.spreadDays * DAY;
    const before = normalCdf((now - mu) / sigma);
    const norm = 1 - before;
    let previous = 0;
    for (let w = 0; w < options.weeks; w += 1) {
      const end = bounds[w + 1] ?? 0;
      const upTo = end <= now ? 0 : (normalCdf((end - mu) / sigma) - before) / norm;
      const share = f.payProbability * (upTo - previous);
      previous = upTo;
      if (share <= 0) continue;
      acc.mean[w] = (acc.mean[w] ?? 0) + item.amount.minor * share;
      acc.variance[w] = (acc.variance[w] ?? 0) + item.amount.minor * item.amount.minor * share * (1 - share);
    }
  }
  const currencies = [...byCurrency].map(([currency, acc]) => ({
    currency,
    overdue: acc.overdue,
    weeks: Array.from({ length: options.weeks }, (_, w) => {
      const mean = acc.mean[w] ?? 0;
      const sd = Math.sqrt(acc.variance[w] ?? 0);
      return { start: new Date(bounds[w] ?? 0), expected: mean, low: Math.max(0, mean - Z80 * sd), high: mean + Z80 * sd };
    }),
  }));
  return { at: options.now, items: results, currencies };
}
