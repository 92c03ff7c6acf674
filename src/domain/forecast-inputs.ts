/**
 * What the forecast reads, from the ledger as it stood at one instant. The bot builds these rows from
 * what it follows (Notion rows and Stripe invoices); `npm run forecast` and the backtest build them
 * from a ledger snapshot. Either way nothing dated after `at` is used: an invoice sent later was not
 * sent yet, a payment made later was not made yet.
 */
import { Projection, weekBounds, type ClientBehaviour, type Forecast, type ForecastItem } from './forecast.js';
import type { Money } from './money.js';
import { zoneOffsetMinutes } from './time.js';

/** One Milestones row, reduced to what the forecast needs. Instants are Dates; null when empty. */
export type ForecastRow = {
  readonly id: string;
  readonly clientId: string | null;
  readonly stage: string | null;
  /** The amount to collect when invoiced (total with tax), and what is left to pay now. */
  readonly total: Money | null;
  readonly remaining: Money | null;
  readonly completed: Date | null;
  readonly accepted: Date | null;
  readonly evidence: boolean;
  readonly blockers: number;
  readonly changeOrder: boolean;
  readonly invoiceStatus: string | null;
  readonly sent: Date | null;
  /** Start of the due date in the founder's zone. */
  readonly due: Date | null;
  readonly paidOn: Date | null;
  readonly disputed: boolean;
  readonly promiseToPay: Date | null;
  readonly remindersDone: number;
  readonly lastReminderAt: Date | null;
  /**
   * When each reminder step done was due, in ladder order, when known (a snapshot knows them from
   * the ladder): then `asOf` counts only the steps due by `at`, and remindersDone and lastReminderAt
   * follow from them.
   */
  readonly reminderDates?: readonly Date[];
  /** What the client paid (minor units of total's currency), when known: credit notes are not cash. */
  readonly amountPaid?: number | null;
  /** The milestone's own due date (start of that day in the founder's zone): when the work should be delivered. */
  readonly planned?: Date | null;
};

export type ClientTerms = { readonly id: string; readonly paymentTermsDays: number | null };

const DAY = 86_400_000;
const SETTLED = new Set(['Paid', 'Void', 'Uncollectible']);
/** An invoice unpaid this many days past its due date counts against the client's record. */
const UNPAID_AFTER_DAYS = 45;

const meanOf = (xs: readonly number[]): number | null => (xs.length > 0 ? xs.reduce((x, y) => x + y, 0) / xs.length : null);

const before = (d: Date | null, at: Date): Date | null => (d && d.getTime() <= at.getTime() ? d : null);

/**
 * The stage the row had at `at`: a milestone accepted later was only delivered then, one delivered
 * later was still in progress. A stage without its date is taken as it is.
 */
function stageThen(row: ForecastRow, completed: Date | null, accepted: Date | null): string | null {
  const acceptedLater = row.accepted !== null && accepted === null;
  const completedLater = row.completed !== null && completed === null;
  if (row.stage === 'Accepted' && acceptedLater) return completed ? 'Delivered' : 'In progress';
  if ((row.stage === 'Accepted' || row.stage === 'Delivered') && completedLater) return 'In progress';
  return row.stage;
}

/** Whether the row is already as it was at `t`: the common case, answered without a copy. */
const isLater = (d: Date | null | undefined, t: number): boolean => d !== null && d !== undefined && d.getTime() > t;

function nothingLater(row: ForecastRow, t: number): boolean {
  if (isLater(row.sent, t) || isLater(row.paidOn, t) || isLater(row.completed, t) || isLater(row.accepted, t) || isLater(row.lastReminderAt, t)) return false;
  const dates = row.reminderDates;
  if (dates) {
    if (dates.length !== row.remindersDone || (dates.at(-1)?.getTime() ?? null) !== (row.lastReminderAt?.getTime() ?? null)) return false;
    for (const d of dates) if (isLater(d, t)) return false;
  }
  // A paid row leaves nothing to pay.
  return !(row.invoiceStatus === 'Paid' && row.paidOn !== null && row.total !== null && row.remaining?.minor !== 0);
}

/** The row as it was known at `at`: later dates are not known yet. */
export function asOf(row: ForecastRow, at: Date): ForecastRow {
  if (nothingLater(row, at.getTime())) return row;
  const sent = before(row.sent, at);
  // Sent later: not an invoice yet. A status without a sent date (typed in by hand) cannot be dated: kept.
  const sentLater = row.sent !== null && sent === null;
  const paidOn = before(row.paidOn, at);
  const paidLater = row.paidOn !== null && paidOn === null;
  const paidThen = paidOn !== null && row.invoiceStatus === 'Paid';
  const completed = before(row.completed, at);
  const accepted = before(row.accepted, at);
  const reminderDates = row.reminderDates?.filter((d) => d.getTime() <= at.getTime());
  return {
    ...row,
    stage: stageThen(row, completed, accepted),
    completed,
    accepted,
    // The evidence of an acceptance that came later was not there yet.
    evidence: row.evidence && !(row.accepted !== null && accepted === null),
    sent,
    paidOn,
    invoiceStatus: sentLater ? null : paidLater ? 'Sent' : row.invoiceStatus,
    // Left to pay then: nothing once paid, all of it when the payment came later.
    remaining: sentLater || paidLater ? row.total : paidThen && row.total ? { ...row.total, minor: 0 } : row.remaining,
    ...(reminderDates
      ? { reminderDates, remindersDone: reminderDates.length, lastReminderAt: reminderDates.at(-1) ?? null }
      : { lastReminderAt: before(row.lastReminderAt, at) }),
  };
}

/** A client's rows, as behaviours() adds them up. */
type HabitsAcc = {
  paid: { on: number; days: number }[];
  late: number;
  disputes: number;
  invoices: number;
  unpaid: number;
  lags: number[];
  sends: number[];
};
const noHabits = (): HabitsAcc => ({ paid: [], late: 0, disputes: 0, invoices: 0, unpaid: 0, lags: [], sends: [] });

/** Adds a row, as it was at `at`, to its client's habits. */
function addHabits(acc: Map<string, HabitsAcc>, row: ForecastRow, at: Date): void {
  if (!row.clientId) return;
  let a = acc.get(row.clientId);
  if (!a) {
    a = noHabits();
    acc.set(row.clientId, a);
  }
  if (row.completed && row.accepted) a.lags.push(Math.max(0, (row.accepted.getTime() - row.completed.getTime()) / DAY));
  if (!row.sent) return;
  if (row.accepted) a.sends.push(Math.max(0, (row.sent.getTime() - row.accepted.getTime()) / DAY));
  a.invoices += 1;
  if (row.disputed) a.disputes += 1;
  if (row.invoiceStatus !== 'Paid' || !row.paidOn) {
    // Written off, or left unpaid long past its due date.
    const longOverdue = row.due !== null && at.getTime() - row.due.getTime() > UNPAID_AFTER_DAYS * DAY;
    const open = row.remaining !== null && row.remaining.minor > 0;
    if (row.invoiceStatus === 'Uncollectible' || (open && longOverdue && row.invoiceStatus !== 'Void')) a.unpaid += 1;
    return;
  }
  a.paid.push({ on: row.paidOn.getTime(), days: Math.max(0, (row.paidOn.getTime() - row.sent.getTime()) / DAY) });
  if (row.due && row.paidOn.getTime() >= row.due.getTime() + DAY) a.late += 1;
}

/** Each client of `terms`, with the habits added up. */
function habitsOf(acc: ReadonlyMap<string, HabitsAcc>, terms: readonly ClientTerms[]): Map<string, ClientBehaviour> {
  const out = new Map<string, ClientBehaviour>();
  for (const t of terms) {
    const a = acc.get(t.id) ?? noHabits();
    const days = a.paid.sort((x, y) => x.on - y.on).map((p) => p.days);
    const n = days.length;
    const mean = n > 0 ? days.reduce((x, y) => x + y, 0) / n : null;
    const sd = n > 1 && mean !== null ? Math.sqrt(days.reduce((x, y) => x + (y - mean) ** 2, 0) / (n - 1)) : null;
    out.set(t.id, {
      paymentTermsDays: t.paymentTermsDays,
      paidInvoices: n,
      meanDaysToPay: mean,
      sdDaysToPay: sd,
      lateShare: n > 0 ? a.late / n : null,
      disputes: a.disputes,
      invoices: a.invoices,
      daysToPay: days,
      unpaid: a.unpaid,
      acceptLagDays: meanOf(a.lags),
      sendLagDays: meanOf(a.sends),
    });
  }
  return out;
}

/** Each client's paying habits from its rows paid by `at`. */
export function behaviours(rows: readonly ForecastRow[], terms: readonly ClientTerms[], at: Date): Map<string, ClientBehaviour> {
  const acc = new Map<string, HabitsAcc>();
  for (const raw of rows) addHabits(acc, asOf(raw, at), at);
  return habitsOf(acc, terms);
}

/** The open invoices and the accepted or delivered milestones not invoiced yet, as of `at`. */
export function forecastItems(rows: readonly ForecastRow[], at: Date): ForecastItem[] {
  const items: ForecastItem[] = [];
  for (const raw of rows) {
    const item = itemOf(asOf(raw, at));
    if (item) items.push(item);
  }
  return items;
}

/** A row as it was then, as an item of forecastItems; null when it is not one. */
function itemOf(row: ForecastRow): ForecastItem | null {
  // An invoice status without a sent date is an invoice too (a row typed in by hand): a paid one is
  // not cash to come, an open one is aged by its due date.
  const invoiced = row.sent !== null || (row.invoiceStatus !== null && row.invoiceStatus !== 'Draft');
  if (invoiced && (row.invoiceStatus === null || SETTLED.has(row.invoiceStatus))) return null;
  if (!invoiced && row.stage !== 'Accepted' && row.stage !== 'Delivered') return null;
  if (!invoiced && row.stage === 'Delivered' && !row.completed) return null;
  if (!invoiced && row.stage === 'Accepted' && !row.accepted && !row.completed) return null;
  const amount = invoiced ? row.remaining : row.total;
  if (!amount || amount.minor <= 0) return null;
  return {
    id: row.id,
    clientId: row.clientId,
    amount,
    kind: invoiced ? 'invoice' : 'projected',
    sentAt: row.sent,
    dueAt: invoiced ? row.due : null,
    deliveredAt: row.completed,
    acceptedAt: row.accepted,
    stage: row.stage === 'Accepted' || row.stage === 'Delivered' ? row.stage : null,
    evidence: row.evidence,
    blockers: row.blockers,
    changeOrder: row.changeOrder,
    disputed: row.disputed,
    promiseToPay: row.promiseToPay,
    remindersDone: row.remindersDone,
    lastReminderAt: row.lastReminderAt,
    responded: row.promiseToPay !== null || row.disputed || (row.remaining !== null && row.total !== null && row.remaining.minor < row.total.minor),
  };
}

/**
 * Work not delivered yet (Planned or In progress) that is due by `until`, as the invoices it should
 * become: the cash it brings inside the horizon. Kept apart from forecastItems: these are not
 * invoices or billable milestones yet, and get no expected date of their own on a card.
 */
export function pipelineItems(rows: readonly ForecastRow[], at: Date, until: Date): ForecastItem[] {
  const items: ForecastItem[] = [];
  for (const raw of rows) {
    const item = pipelineItemOf(asOf(raw, at), until.getTime());
    if (item) items.push(item);
  }
  return items;
}

/** A row as it was then, as an item of pipelineItems; null when it is not one. */
function pipelineItemOf(row: ForecastRow, until: number): ForecastItem | null {
  if (row.stage !== 'Planned' && row.stage !== 'In progress') return null;
  if (row.sent !== null || (row.invoiceStatus !== null && row.invoiceStatus !== 'Draft')) return null;
  if (!row.planned || row.planned.getTime() > until || !row.total || row.total.minor <= 0) return null;
  return {
    id: row.id,
    clientId: row.clientId,
    amount: row.total,
    kind: 'projected',
    sentAt: null,
    dueAt: null,
    deliveredAt: null,
    acceptedAt: null,
    stage: null,
    plannedDelivery: row.planned,
    evidence: row.evidence,
    blockers: row.blockers,
    changeOrder: row.changeOrder,
    disputed: false,
    promiseToPay: null,
    remindersDone: 0,
    lastReminderAt: null,
    responded: false,
  };
}

export type RowsForecastOptions = {
  readonly at: Date;
  readonly weeks: number;
  /** The founder's zone: weeks run Monday to Sunday in it. */
  readonly timeZone: string;
  /** Days to pay for a client with neither history nor payment terms. */
  readonly fallbackTermsDays: number;
  /** Hours from acceptance to sending a projected invoice (the auto-send grace period). */
  readonly sendLagHours: number;
};

/**
 * The forecast of a ledger as it stood at `at`: open invoices and accepted or delivered milestones
 * as items, each client's habits from its rows, and work due for delivery within the horizon adding
 * to the weeks (not listed among the items). The bot and `npm run forecast` both run this.
 */
export function forecastRows(rows: readonly ForecastRow[], terms: readonly ClientTerms[], options: RowsForecastOptions): Forecast {
  const { at, weeks, timeZone } = options;
  const utcOffsetMinutes = zoneOffsetMinutes(timeZone, at);
  const bounds = weekBounds({ now: at, utcOffsetMinutes, timeZone, weeks });
  const until = bounds.at(-1) ?? at.getTime();
  // Each row read as of `at` once: the clients' habits first, then the items one at a time (the
  // forecast keeps no list of them), then the work due for delivery.
  const habits = new Map<string, HabitsAcc>();
  const known: ForecastRow[] = [];
  const pipeline: ForecastItem[] = [];
  for (const raw of rows) {
    const row = asOf(raw, at);
    addHabits(habits, row, at);
    known.push(row);
    const planned = pipelineItemOf(row, until);
    if (planned) pipeline.push(planned);
  }
  const projection = new Projection(habitsOf(habits, terms), {
    now: at,
    utcOffsetMinutes,
    timeZone,
    weeks,
    fallbackTermsDays: options.fallbackTermsDays,
    sendLagHours: options.sendLagHours,
  });
  for (const row of known) {
    const item = itemOf(row);
    if (item) projection.add(item);
  }
  for (const p of pipeline) projection.add(p);
  const result = projection.finish();
  if (pipeline.length === 0) return result;
  const planned = new Set(pipeline.map((p) => p.id));
  return { ...result, items: result.items.filter((i) => !planned.has(i.id)) };
}
