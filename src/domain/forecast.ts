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

/**
 * When a payment comes, given that it comes: normal kernels (the client's own days to pay, and a
 * prior at the due date with a late share) and an exponential tail for the very late.
 */
type Kernel = { readonly center: number; readonly sd: number; readonly weight: number };
type PayTime = {
  /** The client's own days to pay, after `base` (when sent), each point `scale` times its weight, `sd` wide. */
  readonly own: OwnTimes;
  readonly base: number;
  readonly sd: number;
  readonly scale: number;
  /** The prior, a promise, an open exception. */
  readonly kernels: readonly Kernel[];
  /** The very late: from `tailStart`, exponential with mean `tailMean`, this much of it. */
  readonly tailStart: number;
  readonly tailMean: number;
  readonly tailWeight: number;
};

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

function cdf(time: PayTime, t: number): number {
  let p = 0;
  const { own } = time;
  if (time.scale > 0 && own.at.length > 0) p += time.scale * ownCdf(own, t - time.base, time.sd);
  const { kernels } = time;
  for (let i = 0; i < kernels.length; i += 1) {
    const k = kernels[i];
    if (k) p += k.weight * phi((t - k.center) / k.sd);
  }
  if (t > time.tailStart) p += time.tailWeight * (1 - decay((t - time.tailStart) / time.tailMean));
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
const ownTimesOf = new WeakMap<ClientBehaviour, OwnTimes>();
function ownTimes(client: ClientBehaviour | undefined): OwnTimes {
  if (!client) return NO_TIMES;
  let found = ownTimesOf.get(client);
  if (!found) {
    found = ownTimesNow(client);
    ownTimesOf.set(client, found);
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

type CashModel = { readonly time: PayTime; readonly everPaid: number; readonly sent: number; readonly due: number; readonly known: boolean };

/** The cash model of one item: when it is sent and due, when it would be paid, and the chance it ever is. */
function cashModel(item: ForecastItem, client: ClientBehaviour | undefined, options: ForecastOptions): CashModel {
  const now = options.now.getTime();
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
  const known = client !== undefined && client.paidInvoices >= HISTORY_MIN_PAID && client.meanDaysToPay !== null;
  const own = ownTimes(client);
  const total = own.count + MODEL.prior.weight;
  const share = (1 - MODEL.tail.weight) / total;
  const { prior } = MODEL;
  let scale = share;
  let kernels: Kernel[] = [
    { center: due + prior.onTimeLate * DAY, sd: widthOf(Math.max(2.5, 0.15 * terms), sendSd), weight: prior.weight * prior.onTimeShare * share },
    { center: due + prior.late * DAY, sd: widthOf(prior.lateSd, sendSd), weight: prior.weight * (1 - prior.onTimeShare) * share },
  ];
  const promise = item.promiseToPay?.getTime() ?? null;
  if (promise !== null && promise >= now) {
    const kept = MODEL.promise.kept;
    scale *= 1 - kept;
    kernels = kernels.map((k) => ({ ...k, weight: k.weight * (1 - kept) }));
    kernels.push({ center: promise + DAY / 2, sd: widthOf(MODEL.promise.sd, 0), weight: kept * (1 - MODEL.tail.weight) });
  }
  if (item.disputed) {
    scale = 0;
    kernels = [{ center: now + MODEL.dispute.days * DAY, sd: widthOf(MODEL.dispute.sd, 0), weight: 1 - MODEL.tail.weight }];
  }

  const { everPaid: ever } = MODEL;
  const paid = client?.paidInvoices ?? 0;
  const everPaid =
    ((paid + ever.weight * ever.base) / (paid + (client?.unpaid ?? 0) + ever.weight)) *
    (item.disputed ? MODEL.dispute.factor : 1) *
    (item.kind === 'projected' && item.stage === null ? MODEL.pipeline.factor : 1);
  const time = {
    own,
    base: sent,
    sd: widthOf(own.bandwidth, sendSd),
    scale,
    kernels,
    tailStart: Math.max(sent, due),
    tailMean: MODEL.tail.mean * DAY,
    tailWeight: MODEL.tail.weight,
  };
  return { time, everPaid, sent, due, known };
}

/** When the payment time's distribution reaches `half`, from now on: a week at a time, then within the week. */
function middleOfWhatIsLeft(time: PayTime, now: number, half: number): number {
  let lo = now;
  let hi = now + 7 * DAY;
  let atHi = cdf(time, hi);
  while (atHi < half && hi < now + 730 * DAY) {
    lo = hi;
    hi += 7 * DAY;
    atHi = cdf(time, hi);
  }
  let atLo = cdf(time, lo);
  // Halve the week three times (to under a day), then read between the two ends.
  for (let i = 0; i < 3; i += 1) {
    const mid = (lo + hi) / 2;
    const at = cdf(time, mid);
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

/** The chance it is paid, given it is not paid by now, and the date it is expected. */
function timing(item: ForecastItem, client: ClientBehaviour | undefined, model: CashModel, options: ForecastOptions, paidBy: number) {
  const now = options.now.getTime();
  const before = cdf(model.time, paidBy);
  const survives = Math.max(0, 1 - before);
  const norm = model.everPaid * survives + (1 - model.everPaid);
  const payProbability = norm > 0 ? (model.everPaid * survives) / norm : 0;
  // The expected date: sent plus the client's own days to pay; without history, the due date.
  let expected = model.known ? model.sent + (client?.meanDaysToPay ?? 0) * DAY : item.kind === 'invoice' ? model.due + DAY / 2 : model.due;
  if (item.promiseToPay && item.promiseToPay.getTime() >= now) expected = item.promiseToPay.getTime() + DAY / 2;
  // Overdue money is expected from now on, never in the past: the middle of what is left.
  if (item.disputed || expected < now) expected = middleOfWhatIsLeft(model.time, now, before + survives / 2);
  return { expected, payProbability, before, norm };
}

function reasonsOf(...reasons: (string | null)[]): string[] {
  const out: string[] = [];
  for (const r of reasons) if (r !== null) out.push(r);
  return out;
}

/** The item's forecast and what its weeks need: the cash model, its value at now, and the norm. */
function assess(item: ForecastItem, client: ClientBehaviour | undefined, options: ForecastOptions, paidBy = businessCut(options.now.getTime(), options)) {
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
  const model = cashModel(item, client, options);
  const t = timing(item, client, model, options, paidBy);
  const forecast: ItemForecast = {
    id: item.id,
    amount: item.amount,
    expectedAt: new Date(t.expected),
    confidence,
    tier: tierOf(confidence, a.daysOverdue, item.evidence),
    signals,
    reasons: reasonsOf(a.reason, r.reason, c.reason, h.reason, item.disputed ? 'open exception' : null),
    spreadDays: (model.time.own.count > 0 ? model.time.sd : (model.time.kernels[0]?.sd ?? DAY)) / DAY,
    payProbability: t.payProbability,
  };
  return { forecast, model, before: t.before, norm: t.norm };
}

export function forecastItem(item: ForecastItem, client: ClientBehaviour | undefined, options: ForecastOptions): ItemForecast {
  return assess(item, client, options).forecast;
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
  const now = options.now.getTime();
  const bounds = weekBounds(options);
  const paidBy = businessCut(now, options);
  const cuts = bounds.map((b) => businessCut(b, options));
  // Per week: the mean, the variance and the third cumulant of the cash-in (each item paid in full in
  // one week or not at all, independently of the others).
  type Acc = { mean: Float64Array; variance: Float64Array; skew: Float64Array; overdue: number };
  const byCurrency = new Map<string, Acc>();
  const results: ItemForecast[] = [];
  for (const item of items) {
    if (item.amount.minor <= 0) continue;
    const { forecast: f, model, before, norm } = assess(item, item.clientId ? clients.get(item.clientId) : undefined, options, paidBy);
    results.push(f);
    let acc = byCurrency.get(item.amount.currency);
    if (!acc) {
      const zeros = () => new Float64Array(options.weeks);
      acc = { mean: zeros(), variance: zeros(), skew: zeros(), overdue: 0 };
      byCurrency.set(item.amount.currency, acc);
    }
    if (item.dueAt && item.dueAt.getTime() + DAY <= now) acc.overdue += item.amount.minor;
    if (norm <= 0) continue;
    const amount = item.amount.minor;
    let previous = before;
    for (let w = 0; w < options.weeks; w += 1) {
      const end = cuts[w + 1] ?? 0;
      if (end <= paidBy) continue;
      const upTo = cdf(model.time, end);
      const p = clamp((model.everPaid * (upTo - previous)) / norm);
      previous = upTo;
      if (p <= 0) continue;
      acc.mean[w] = (acc.mean[w] ?? 0) + amount * p;
      acc.variance[w] = (acc.variance[w] ?? 0) + amount * amount * p * (1 - p);
      acc.skew[w] = (acc.skew[w] ?? 0) + amount * amount * amount * p * (1 - p) * (1 - 2 * p);
    }
  }
  const currencies = [...byCurrency].map(([currency, acc]) => ({
    currency,
    overdue: acc.overdue,
    weeks: Array.from({ length: options.weeks }, (_, w) => ({
      start: new Date(bounds[w] ?? 0),
      ...band(acc.mean[w] ?? 0, acc.variance[w] ?? 0, acc.skew[w] ?? 0),
    })),
  }));
  return { at: options.now, items: results, currencies };
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
