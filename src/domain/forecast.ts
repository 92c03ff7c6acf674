/**
 * The cash-in forecast: for every open invoice, and every accepted or delivered milestone not yet
 * invoiced (projected as the invoice it will become), when the money should arrive and how sure that
 * is; then, week by week and currency by currency, how much should come in, with an 80 % band.
 *
 * Pure, with time passed in.
 *
 * Confidence and tier are the playbook's four signal groups, weighted 35/25/25/15, each kept so a
 * card can say why: invoice aging (days since sent, distance to the due date; more than 7 days
 * overdue lowers the tier), stakeholder responsiveness (acceptance lag; no answer 72 hours after a
 * reminder), commercial clarity (accepted scope, evidence, no blockers; missing evidence keeps the
 * tier from rising) and account history (late share, disputes).
 *
 * The expected date is the day sent (or the projected send) plus the client's own mean days to pay;
 * without history the invoice's due date (the client's terms, else 30 days); a promise to pay sets
 * it; money already overdue or disputed is expected at the middle of what is left, never in the past.
 *
 * The weekly cash comes from a payment-time model per item, learned from the client's record:
 *   - when it would be paid: the client's recent days to pay as kernels, a prior at the due date
 *     with a late share (worth one invoice), and an exponential tail for the very late; a promise
 *     or an open exception reshapes it;
 *   - whether it is paid at all: mostly, less for a client with invoices written off or long unpaid,
 *     less again while disputed; and, once the invoice is past the times the client usually pays,
 *     less every week it stays unpaid (the model is conditioned on "not paid by now");
 *   - projected invoices are sent after acceptance (the client's own lag, or the grace period),
 *     later when held by missing evidence, a blocker or a change order; work not delivered yet
 *     (pipelineItems) after its due date.
 * Payments arrive on business days: what the model expects on a weekend counts on the Monday after.
 * Each week gets each item's chance of being paid in it; the band is the Cornish-Fisher 80 %
 * interval of that sum (a week of a few large invoices is lopsided). Nothing is summed across
 * currencies. `npm run backtest` scores all of it on seeded synthetic books.
 */
import type { Money } from './money.js';
import { addDays, localDate, localInstant, minuteOfDay, weekdayOf } from './time.js';

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
  /** Days from sent to paid of each paid invoice, oldest first; without it, mean and spread stand in. */
  readonly daysToPay?: readonly number[];
  /** Invoices it has not paid: written off, or unpaid 45 days past their due date. */
  readonly unpaid?: number;
  /** Mean days from delivery to acceptance, and from acceptance to sending the invoice. */
  readonly acceptLagDays?: number | null;
  readonly sendLagDays?: number | null;
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
  /** Delivered or Accepted; null for work not delivered yet (see plannedDelivery). */
  readonly stage: 'Delivered' | 'Accepted' | null;
  /** Work not delivered yet: the milestone's due date, when it should be delivered. */
  readonly plannedDelivery?: Date | null;
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
  /**
   * The four signal groups' weighted score (0..1), two decimals: Cash-in confidence. It ranks items
   * (High pays by its date more often than Low) but is not a calibrated probability: `npm run
   * backtest` prints, by tier, how often invoices were paid by their expected date.
   */
  readonly confidence: number;
  readonly tier: Tier;
  readonly signals: Signals;
  /** Why, in a few words per signal that pulled it down. */
  readonly reasons: readonly string[];
  /** Spread of the payment date around each of the client's usual times, in days. */
  readonly spreadDays: number;
  /** The chance it is ever paid, knowing it is not paid by now. */
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

/**
 * Reason phrases with a day count or a number in them, made once per number: the forecast gives
 * thousands of items the same few, and each would otherwise be a new string kept with its item.
 */
function phrases(make: (n: number) => string): (n: number) => string {
  const made: string[] = [];
  return (n) => {
    if (!Number.isInteger(n) || n < 0 || n >= 1000) return make(n);
    let found = made[n];
    if (found === undefined) {
      found = make(n);
      made[n] = found;
    }
    return found;
  };
}
const SENT_DAYS_AGO = phrases((n) => `sent ${n} days ago`);
const DAYS_OVERDUE = phrases((n) => `${n} days overdue`);
const ACCEPTANCE_TOOK = phrases((n) => `acceptance took ${n} days`);
const NOT_ACCEPTED_AFTER = phrases((n) => `not accepted after ${n} days`);
const BLOCKERS = phrases((n) => `${n} blockers`);

/** Whole days past the due date (an invoice without one, or a projected one, is not overdue). */
function daysOverdueOf(item: ForecastItem, now: number): number {
  if (item.kind === 'projected' || !item.dueAt) return 0;
  return Math.max(0, Math.floor((now - item.dueAt.getTime()) / DAY));
}

/** Each signal group scores the item (0..1) and adds its reason, when it has one, to `reasons`. */
function aging(item: ForecastItem, now: number, daysOverdue: number, reasons: string[]): number {
  if (item.kind === 'projected') return 0.8;
  // An invoice without a sent date (typed in by hand) is still aged by its due date.
  if (daysOverdue <= 0) {
    const sentDays = item.sentAt ? (now - item.sentAt.getTime()) / DAY : 0;
    if (sentDays < 45) return 0.9;
    reasons.push(SENT_DAYS_AGO(Math.floor(sentDays)));
    return 0.7;
  }
  reasons.push(DAYS_OVERDUE(daysOverdue));
  return daysOverdue <= 7 ? 0.6 : daysOverdue <= 30 ? 0.35 : 0.15;
}

function responsiveness(item: ForecastItem, now: number, reasons: string[]): number {
  let score = 0.75;
  let reason: string | null = null;
  if (item.deliveredAt && item.acceptedAt) {
    const lagDays = (item.acceptedAt.getTime() - item.deliveredAt.getTime()) / DAY;
    score = lagDays <= 1 ? 0.95 : lagDays <= 3 ? 0.8 : lagDays <= 7 ? 0.6 : 0.4;
    if (lagDays > 3) reason = ACCEPTANCE_TOOK(Math.round(lagDays));
  } else if (item.stage === 'Delivered' && item.deliveredAt) {
    const waiting = (now - item.deliveredAt.getTime()) / DAY;
    score = waiting <= 1 ? 0.75 : waiting <= 3 ? 0.55 : 0.35;
    if (waiting > 1) reason = NOT_ACCEPTED_AFTER(Math.round(waiting));
  }
  if (item.responded) score = Math.max(score, 0.8);
  else if (item.remindersDone > 0 && item.lastReminderAt && now - item.lastReminderAt.getTime() > 3 * DAY) {
    // Reminders went out and nobody answered in 72 hours: a signal of its own.
    score *= 0.5;
    reason = 'no answer to reminders in 72 hours';
  }
  if (reason !== null) reasons.push(reason);
  return score;
}

function clarity(item: ForecastItem, reasons: string[]): number {
  const accepted = item.stage === 'Accepted' || item.kind === 'invoice';
  let score = 0;
  score += accepted && !item.changeOrder ? 0.4 : 0;
  score += item.evidence ? 0.3 : 0;
  score += item.blockers === 0 ? 0.3 : 0;
  let why = !accepted ? 'not accepted yet' : item.changeOrder ? 'scope change pending' : '';
  if (!item.evidence) why = why === '' ? 'no acceptance evidence' : `${why}, no acceptance evidence`;
  if (item.blockers > 0) why = why === '' ? BLOCKERS(item.blockers) : `${why}, ${BLOCKERS(item.blockers)}`;
  if (why !== '') reasons.push(why);
  return score;
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

const LEVELS: readonly Tier[] = ['Low', 'Medium', 'High'];

/** The tier of a confidence: High from 0.75, Medium from 0.5; more than 7 days overdue one lower; no evidence, never above Medium. */
export function tierOf(confidence: number, daysOverdue: number, evidence: boolean): Tier {
  let level = confidence >= 0.75 ? 2 : confidence >= 0.5 ? 1 : 0;
  // More than 7 days overdue lowers the tier; missing evidence keeps it from rising.
  if (daysOverdue > 7) level = Math.max(0, level - 1);
  if (!evidence) level = Math.min(level, 1);
  return LEVELS[level] ?? 'Low';
}

/**
 * When a payment comes, given that it comes: normal kernels (the client's own days to pay, and a
 * prior at the due date with a late share) and an exponential tail for the very late; and whether
 * it comes at all. One item's model at a time: forecast() fills the same one for every item (the
 * forecast runs over thousands of them, and a few objects each add up).
 */
type CashModel = {
  /** The client's own days to pay, after `base` (when sent), each point `scale` times its weight, `sd` wide. */
  own: OwnTimes;
  base: number;
  sd: number;
  scale: number;
  /**
   * The prior (kernels 0 and 1), a promise (kernel 2); or an open exception alone (kernel 0): how
   * many, and each one's center, width and weight.
   */
  kernels: 1 | 2 | 3;
  c0: number;
  s0: number;
  w0: number;
  c1: number;
  s1: number;
  w1: number;
  c2: number;
  s2: number;
  w2: number;
  /** The very late: from `tailStart`, exponential with mean `tailMean`, this much of it. */
  tailStart: number;
  tailMean: number;
  tailWeight: number;
  /** The chance it is ever paid; when it is (or will be) sent, and due. */
  everPaid: number;
  sent: number;
  due: number;
};

const newModel = (): CashModel => ({
  own: NO_TIMES,
  base: 0,
  sd: 0,
  scale: 0,
  kernels: 1,
  c0: 0,
  s0: 1,
  w0: 0,
  c1: 0,
  s1: 1,
  w1: 0,
  c2: 0,
  s2: 1,
  w2: 0,
  tailStart: 0,
  tailMean: 1,
  tailWeight: 0,
  everPaid: 0,
  sent: 0,
  due: 0,
});

/** The cash model's constants, in days unless said otherwise. */
const MODEL = {
  /** The prior: paid about on the due date, or some two weeks late; worth this many invoices. */
  prior: { weight: 1, onTimeShare: 0.7, onTimeLate: 1, late: 14, lateSd: 10 },
  /** The very late: a share of every client's payments, spread past the due date. */
  tail: { weight: 0.05, mean: 30 },
  /** The client's most recent paid invoices speak for it. */
  recent: 16,
  /** Kernel width, as a share of the spread of the client's days to pay. */
  bandwidth: 0.5,
  /** The chance an invoice is paid at all, before the client's own record: worth this many invoices. */
  everPaid: { base: 0.96, weight: 3 },
  /** An open exception: settled in about this many days, and paid less often. */
  dispute: { days: 18, sd: 12, factor: 0.75 },
  /** A promise to pay is mostly kept. */
  promise: { kept: 0.7, sd: 1.5 },
  /** Days a billing hold (no evidence, a blocker, a change order) delays sending; acceptance without history. */
  holdDays: 5,
  acceptDays: 2,
  /** What the model does not see, as a share of a week's expected cash-in, added to the band's spread. */
  unseen: 0.1,
  /** Work not delivered yet: delivery slips by days either way, and some is not billed as planned. */
  pipeline: { sd: 3, factor: 0.85, soonest: 2 },
  /** A delivery waiting past the client's usual acceptance lag waits about this share of its wait again. */
  stuck: 0.5,
};

/** normalCdf from a table, linearly interpolated (error below 1e-5): the forecast calls it millions of times. */
const PHI_STEPS = 64;
const PHI_TABLE = Float64Array.from({ length: 16 * PHI_STEPS + 2 }, (_, i) => normalCdf(i / PHI_STEPS - 8));
function phi(z: number): number {
  if (z <= -8) return 0;
  if (z >= 8) return 1;
  const x = (z + 8) * PHI_STEPS;
  const i = Math.floor(x);
  const lo = PHI_TABLE[i] ?? 0;
  return lo + ((PHI_TABLE[i + 1] ?? 1) - lo) * (x - i);
}

/** exp(-x) for x ≥ 0, from a table (error below 1e-5). */
const DECAY_TABLE = Float64Array.from({ length: 24 * PHI_STEPS + 2 }, (_, i) => Math.exp(-i / PHI_STEPS));
function decay(x: number): number {
  if (x >= 24) return 0;
  const k = x * PHI_STEPS;
  const i = Math.floor(k);
  const lo = DECAY_TABLE[i] ?? 1;
  return lo + ((DECAY_TABLE[i + 1] ?? 0) - lo) * (k - i);
}

/** How much of the payment time's distribution lies before `t`. */
function cdf(m: CashModel, t: number): number {
  let p = 0;
  const { own } = m;
  if (m.scale > 0 && own.at.length > 0) p += m.scale * ownCdf(own, t - m.base, m.sd);
  p += m.w0 * phi((t - m.c0) / m.s0);
  if (m.kernels > 1) p += m.w1 * phi((t - m.c1) / m.s1);
  if (m.kernels > 2) p += m.w2 * phi((t - m.c2) / m.s2);
  if (t > m.tailStart) p += m.tailWeight * (1 - decay((t - m.tailStart) / m.tailMean));
  return p;
}

const sdOf = (xs: readonly number[]): number | null => {
  if (xs.length < 2) return null;
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
};

/** The client's own days to pay (its most recent paid invoices), in order, as points of a mixture. */
type OwnTimes = {
  readonly at: Float64Array;
  readonly weight: Float64Array;
  /** Their weights added up, and the last of them. */
  readonly total: number;
  readonly last: number;
  readonly count: number;
  readonly bandwidth: number;
  /** ownCdf at the client's own width, tabulated the first time it is needed. */
  table: { readonly start: number; readonly step: number; readonly values: Float64Array } | null;
};
const NO_TIMES: OwnTimes = { at: new Float64Array(0), weight: new Float64Array(0), total: 0, last: 0, count: 0, bandwidth: 0, table: null };

/** What the model reads of a client, worked out once per ClientBehaviour rather than once per item. */
type Profile = {
  readonly own: OwnTimes;
  /** The account-history signal. */
  readonly history: { readonly score: number; readonly reason: string | null };
  /** Enough paid invoices, with a mean, for the expected date to come from them. */
  readonly known: boolean;
};
const NO_CLIENT: Profile = { own: NO_TIMES, history: history(undefined), known: false };
const profiles = new WeakMap<ClientBehaviour, Profile>();
function profileOf(client: ClientBehaviour | undefined): Profile {
  if (!client) return NO_CLIENT;
  let found = profiles.get(client);
  if (!found) {
    found = {
      own: ownTimesNow(client),
      history: history(client),
      known: client.paidInvoices >= HISTORY_MIN_PAID && client.meanDaysToPay !== null,
    };
    profiles.set(client, found);
  }
  return found;
}

function ownTimesNow(client: ClientBehaviour): OwnTimes {
  const paid = client.daysToPay?.slice(-MODEL.recent) ?? (client.meanDaysToPay !== null && client.paidInvoices > 0 ? [client.meanDaysToPay] : []);
  if (paid.length === 0) return NO_TIMES;
  const count = client.daysToPay ? paid.length : Math.min(client.paidInvoices, MODEL.recent);
  const spread = client.daysToPay ? sdOf(paid) : client.sdDaysToPay;
  const bandwidth = client.daysToPay ? clamp(MODEL.bandwidth * (spread ?? 8), 1.5, 10) : Math.max(2, spread ?? 0.3 * (paid[0] ?? 30));
  const at = Float64Array.from(paid.map((days) => days * DAY)).sort();
  const weight = new Float64Array(at.length).fill(count / at.length);
  return {
    at,
    weight,
    total: count,
    last: at.at(-1) ?? 0,
    count,
    bandwidth,
    table: null,
  };
}

/**
 * The client's points as a mixture of normals `sd` wide, at `x` after sending. At the client's own
 * width (every sent invoice of the client), from a table built once and read between its steps.
 */
function ownCdf(own: OwnTimes, x: number, sd: number): number {
  if (sd !== own.bandwidth * DAY) return ownCdfAt(own, x, sd);
  const table = own.table ?? buildTable(own, sd);
  const k = (x - table.start) / table.step;
  if (k <= 0) return 0;
  if (k >= table.values.length - 1) return own.total;
  const i = Math.floor(k);
  const lo = table.values[i] ?? 0;
  return lo + ((table.values[i + 1] ?? lo) - lo) * (k - i);
}

/** Long past every point, all of them count in full; otherwise add them up, in order, until the rest are still to come. */
function ownCdfAt(own: OwnTimes, x: number, sd: number): number {
  if (x >= own.last + 8 * sd) return own.total;
  let q = 0;
  for (let i = 0; i < own.at.length; i += 1) {
    const z = (x - (own.at[i] ?? 0)) / sd;
    if (z <= -8) break;
    q += (own.weight[i] ?? 0) * phi(z);
  }
  return q;
}

/** ownCdf's table: a quarter of the width apart, from 8 widths before the first point to 8 after the last. */
function buildTable(own: OwnTimes, sd: number): NonNullable<OwnTimes['table']> {
  const step = sd / 4;
  const start = (own.at[0] ?? 0) - 8 * sd;
  const values = new Float64Array(Math.ceil((own.last + 8 * sd - start) / step) + 2);
  for (let i = 0; i < values.length; i += 1) values[i] = ownCdfAt(own, start + i * step, sd);
  own.table = { start, step, values };
  return own.table;
}

/** A kernel's width (ms): its own spread and the doubt about when the invoice goes out, in days. */
const widthOf = (sd: number, sendSd: number) => Math.sqrt(sd * sd + sendSd * sendSd) * DAY;

/** The cash model of one item, into `m`: when it is sent and due, when it would be paid, and the chance it ever is. */
function cashModel(m: CashModel, item: ForecastItem, client: ClientBehaviour | undefined, own: OwnTimes, options: ForecastOptions, now: number): void {
  const invoiceDue = item.kind === 'invoice' ? (item.dueAt?.getTime() ?? null) : null;
  const terms =
    item.sentAt && invoiceDue !== null ? Math.max(0, (invoiceDue - item.sentAt.getTime()) / DAY) : (client?.paymentTermsDays ?? options.fallbackTermsDays);
  // When it is (or will be) sent, and how unsure that is.
  let sent: number;
  let sendSd = 0;
  if (item.sentAt) sent = item.sentAt.getTime();
  else if (invoiceDue !== null) sent = invoiceDue - terms * DAY;
  else {
    // Held: a blocker or a change order; once accepted, a missing evidence link too (a delivery has none yet).
    const held = item.stage !== null && (item.blockers > 0 || item.changeOrder || (item.stage === 'Accepted' && !item.evidence));
    const grace = options.sendLagHours * 3_600_000;
    const acceptDays = client?.acceptLagDays ?? MODEL.acceptDays;
    // From acceptance to sending: the grace period, or the client's usual wait (reviews, missing details).
    const sendLag = Math.max(grace, (client?.sendLagDays ?? 0) * DAY);
    if (item.stage === 'Accepted') sent = Math.max(now + grace, (item.acceptedAt?.getTime() ?? now) + sendLag);
    else if (item.stage === 'Delivered') {
      // Still waiting past the client's usual lag: as long again as it has waited, about.
      const waited = item.deliveredAt ? (now - item.deliveredAt.getTime()) / DAY : 0;
      sent = now + Math.max(0.5, acceptDays - waited, MODEL.stuck * waited) * DAY + sendLag;
      sendSd = 2;
    } else {
      // Work not delivered yet: delivered about its due date (a late one soon), then accepted and sent.
      sent = Math.max(now + MODEL.pipeline.soonest * DAY, item.plannedDelivery?.getTime() ?? now) + acceptDays * DAY + sendLag;
      sendSd = MODEL.pipeline.sd;
    }
    if (held) {
      sent += MODEL.holdDays * DAY;
      sendSd = Math.max(sendSd, 3);
    }
  }
  const due = invoiceDue ?? sent + terms * DAY;
  // The client's own days to pay, as kernels; then the prior, worth a few invoices.
  const total = own.count + MODEL.prior.weight;
  const share = (1 - MODEL.tail.weight) / total;
  const { prior } = MODEL;
  let scale = share;
  m.kernels = 2;
  m.c0 = due + prior.onTimeLate * DAY;
  m.s0 = widthOf(Math.max(2.5, 0.15 * terms), sendSd);
  m.w0 = prior.weight * prior.onTimeShare * share;
  m.c1 = due + prior.late * DAY;
  m.s1 = widthOf(prior.lateSd, sendSd);
  m.w1 = prior.weight * (1 - prior.onTimeShare) * share;
  const promise = item.promiseToPay?.getTime() ?? null;
  if (promise !== null && promise >= now) {
    const kept = MODEL.promise.kept;
    scale *= 1 - kept;
    m.w0 *= 1 - kept;
    m.w1 *= 1 - kept;
    m.kernels = 3;
    m.c2 = promise + DAY / 2;
    m.s2 = widthOf(MODEL.promise.sd, 0);
    m.w2 = kept * (1 - MODEL.tail.weight);
  }
  if (item.disputed) {
    scale = 0;
    m.kernels = 1;
    m.c0 = now + MODEL.dispute.days * DAY;
    m.s0 = widthOf(MODEL.dispute.sd, 0);
    m.w0 = 1 - MODEL.tail.weight;
  }

  const { everPaid: ever } = MODEL;
  const paid = client?.paidInvoices ?? 0;
  m.everPaid =
    ((paid + ever.weight * ever.base) / (paid + (client?.unpaid ?? 0) + ever.weight)) *
    (item.disputed ? MODEL.dispute.factor : 1) *
    (item.kind === 'projected' && item.stage === null ? MODEL.pipeline.factor : 1);
  m.own = own;
  m.base = sent;
  m.sd = widthOf(own.bandwidth, sendSd);
  m.scale = scale;
  m.tailStart = Math.max(sent, due);
  m.tailMean = MODEL.tail.mean * DAY;
  m.tailWeight = MODEL.tail.weight;
  m.sent = sent;
  m.due = due;
}

/** When the payment time's distribution reaches `half`, from now on: a week at a time, then within the week. */
function middleOfWhatIsLeft(m: CashModel, now: number, half: number): number {
  let lo = now;
  let hi = now + 7 * DAY;
  let atHi = cdf(m, hi);
  while (atHi < half && hi < now + 730 * DAY) {
    lo = hi;
    hi += 7 * DAY;
    atHi = cdf(m, hi);
  }
  let atLo = cdf(m, lo);
  // Halve the week three times (to under a day), then read between the two ends.
  for (let i = 0; i < 3; i += 1) {
    const mid = (lo + hi) / 2;
    const at = cdf(m, mid);
    if (at < half) {
      lo = mid;
      atLo = at;
    } else {
      hi = mid;
      atHi = at;
    }
  }
  return Math.max(now, atHi > atLo ? lo + ((hi - lo) * (half - atLo)) / (atHi - atLo) : hi);
}

/** assess() gathers an item's reasons here, then keeps a copy of their length (a list grown one by one has room for 17). */
const REASONS: string[] = [];

/** What forecast() needs of an item besides its forecast: the model's value by `paidBy`, and the norm. */
type Assessed = { before: number; norm: number };

/**
 * The item's forecast; its cash model is left in `m`, and in `out` the model's value by `paidBy`
 * and the norm (the chance it is paid, given it is not paid by now).
 */
function assess(
  item: ForecastItem,
  client: ClientBehaviour | undefined,
  options: ForecastOptions,
  now: number,
  paidBy: number,
  m: CashModel,
  out: Assessed,
): ItemForecast {
  const profile = profileOf(client);
  const reasons = REASONS;
  reasons.length = 0;
  const daysOverdue = daysOverdueOf(item, now);
  const signals: Signals = {
    aging: aging(item, now, daysOverdue, reasons),
    responsiveness: responsiveness(item, now, reasons),
    clarity: clarity(item, reasons),
    history: profile.history.score,
  };
  if (profile.history.reason !== null) reasons.push(profile.history.reason);
  if (item.disputed) reasons.push('open exception');
  let confidence =
    SIGNAL_WEIGHTS.aging * signals.aging +
    SIGNAL_WEIGHTS.responsiveness * signals.responsiveness +
    SIGNAL_WEIGHTS.clarity * signals.clarity +
    SIGNAL_WEIGHTS.history * signals.history;
  if (item.disputed) confidence *= 0.5;
  confidence = Math.round(clamp(confidence) * 100) / 100;

  cashModel(m, item, client, profile.own, options, now);
  // The chance it is paid, given it is not paid by now.
  const before = cdf(m, paidBy);
  const survives = Math.max(0, 1 - before);
  const norm = m.everPaid * survives + (1 - m.everPaid);
  // The expected date: sent plus the client's own days to pay; without history, the due date.
  let expected = profile.known ? m.sent + (client?.meanDaysToPay ?? 0) * DAY : item.kind === 'invoice' ? m.due + DAY / 2 : m.due;
  const promise = item.promiseToPay?.getTime() ?? null;
  if (promise !== null && promise >= now) expected = promise + DAY / 2;
  // Overdue money is expected from now on, never in the past: the middle of what is left.
  if (item.disputed || expected < now) expected = middleOfWhatIsLeft(m, now, before + survives / 2);
  out.before = before;
  out.norm = norm;
  return {
    id: item.id,
    amount: item.amount,
    expectedAt: new Date(expected),
    confidence,
    tier: tierOf(confidence, daysOverdue, item.evidence),
    signals,
    reasons: reasons.slice(),
    spreadDays: (m.own.count > 0 ? m.sd : m.s0) / DAY,
    payProbability: norm > 0 ? (m.everPaid * survives) / norm : 0,
  };
}

export function forecastItem(item: ForecastItem, client: ClientBehaviour | undefined, options: ForecastOptions): ItemForecast {
  const now = options.now.getTime();
  return assess(item, client, options, now, businessCut(now, options), newModel(), { before: 0, norm: 0 });
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

/**
 * Payments arrive on business days: what the model expects on a weekend comes in on Monday. So what
 * has come in by `t` is what the model expects by the Saturday before, from Saturday until Monday
 * noon (local).
 */
function businessCut(t: number, options: Pick<ForecastOptions, 'utcOffsetMinutes' | 'timeZone'>): number {
  const { timeZone } = options;
  const date = timeZone ? localDate(new Date(t), timeZone) : new Date(t + options.utcOffsetMinutes * 60_000).toISOString().slice(0, 10);
  const weekday = weekdayOf(date);
  const minute = timeZone ? minuteOfDay(new Date(t), timeZone) : Math.floor((t + options.utcOffsetMinutes * 60_000) / 60_000) % 1440;
  const back = weekday === 6 ? 0 : weekday === 0 ? 1 : weekday === 1 && minute < 12 * 60 ? 2 : -1;
  if (back < 0) return t;
  const saturday = addDays(date, -back);
  return timeZone ? localInstant(saturday, 0, timeZone).getTime() : Date.parse(`${saturday}T00:00:00Z`) - options.utcOffsetMinutes * 60_000;
}

export function forecast(items: readonly ForecastItem[], clients: ReadonlyMap<string, ClientBehaviour>, options: ForecastOptions): Forecast {
  const projection = new Projection(clients, options);
  for (const item of items) projection.add(item);
  return projection.finish();
}

/**
 * forecast(), an item at a time: forecastRows() adds each item as it makes it, so no list of
 * thousands of items is kept while the forecast runs. Items added in the same order give the same
 * forecast.
 */
export class Projection {
  readonly #clients: ReadonlyMap<string, ClientBehaviour>;
  readonly #options: ForecastOptions;
  readonly #now: number;
  readonly #bounds: readonly number[];
  readonly #paidBy: number;
  readonly #cuts: readonly number[];
  /**
   * Per currency and week: the mean, the variance and the third cumulant of the cash-in (each item
   * paid in full in one week or not at all, independently of the others).
   */
  readonly #byCurrency = new Map<string, { mean: Float64Array; variance: Float64Array; skew: Float64Array; overdue: number }>();
  readonly #results: ItemForecast[] = [];
  /** One cash model, filled for each item in turn. */
  readonly #model = newModel();
  readonly #assessed: Assessed = { before: 0, norm: 0 };

  constructor(clients: ReadonlyMap<string, ClientBehaviour>, options: ForecastOptions) {
    this.#clients = clients;
    this.#options = options;
    this.#now = options.now.getTime();
    this.#bounds = weekBounds(options);
    this.#paidBy = businessCut(this.#now, options);
    this.#cuts = this.#bounds.map((b) => businessCut(b, options));
  }

  add(item: ForecastItem): void {
    if (item.amount.minor <= 0) return;
    const now = this.#now;
    const paidBy = this.#paidBy;
    const { weeks } = this.#options;
    const model = this.#model;
    const assessed = this.#assessed;
    this.#results.push(assess(item, item.clientId ? this.#clients.get(item.clientId) : undefined, this.#options, now, paidBy, model, assessed));
    const { before, norm } = assessed;
    let acc = this.#byCurrency.get(item.amount.currency);
    if (!acc) {
      acc = { mean: new Float64Array(weeks), variance: new Float64Array(weeks), skew: new Float64Array(weeks), overdue: 0 };
      this.#byCurrency.set(item.amount.currency, acc);
    }
    if (item.dueAt && item.dueAt.getTime() + DAY <= now) acc.overdue += item.amount.minor;
    if (norm <= 0) return;
    const amount = item.amount.minor;
    const cuts = this.#cuts;
    let previous = before;
    for (let w = 0; w < weeks; w += 1) {
      const end = cuts[w + 1] ?? 0;
      if (end <= paidBy) continue;
      const upTo = cdf(model, end);
      const p = clamp((model.everPaid * (upTo - previous)) / norm);
      previous = upTo;
      if (p <= 0) continue;
      acc.mean[w] = (acc.mean[w] ?? 0) + amount * p;
      acc.variance[w] = (acc.variance[w] ?? 0) + amount * amount * p * (1 - p);
      acc.skew[w] = (acc.skew[w] ?? 0) + amount * amount * amount * p * (1 - p) * (1 - 2 * p);
    }
  }

  finish(): Forecast {
    const { weeks, now: at } = this.#options;
    const bounds = this.#bounds;
    const currencies = [...this.#byCurrency].map(([currency, acc]) => ({
      currency,
      overdue: acc.overdue,
      weeks: Array.from({ length: weeks }, (_, w) => ({
        start: new Date(bounds[w] ?? 0),
        ...band(acc.mean[w] ?? 0, acc.variance[w] ?? 0, acc.skew[w] ?? 0),
      })),
    }));
    return { at, items: this.#results, currencies };
  }
}

/**
 * The 80 % band of a week's cash-in: the Cornish-Fisher quantiles of its mean, variance and skew (a
 * week of a few large invoices is lopsided), widened for what the model does not see (work not
 * delivered yet, timing learned from few invoices).
 */
function band(mean: number, variance: number, thirdCumulant: number): { expected: number; low: number; high: number } {
  const unseen = (MODEL.unseen * mean) ** 2;
  const sd = Math.sqrt(variance + unseen);
  if (sd === 0) return { expected: mean, low: mean, high: mean };
  const skew = clamp(thirdCumulant / sd ** 3, -3, 3);
  const quantile = (z: number) => mean + sd * (z + ((z * z - 1) * skew) / 6);
  return { expected: mean, low: clamp(quantile(-Z80), 0, mean), high: Math.max(mean, quantile(Z80)) };
}
