/**
 * Seeded synthetic books for the forecast backtest (`npm run backtest`): a small service firm's
 * Clients and Milestones over 61 weeks, with every event dated, and the ledger snapshot as it stood
 * at any instant (the JSON `npm run forecast` reads, keys as in docs/ledger.md).
 *
 * Pure: the same seed gives the same book, and nothing here reads a clock, a file or the network.
 *
 * What a book holds, and why it is not made to suit the model:
 * - 10 to 14 clients who join over the first year, each with its own terms (due on receipt to 60
 *   days, or none), reminder cadence, tax rate, PO rule, review-before-send, milestone rhythm and
 *   amounts; one client bills in EUR in about half the books.
 * - Each client has a paying habit: prompt, on time, late, very late, erratic, pays in parts,
 *   disputes, or a defaulter who stops paying for good. Every book has at least one late, very late,
 *   disputing, part-paying and defaulting client (whose work stops a few weeks after it stops
 *   paying). Any invoice may also never be paid (the client
 *   vanishes), and a few are paid early or late against habit.
 * - Milestones are delivered around their due date, accepted after a lag that is the client's own
 *   (slow payers are often, not always, slow to accept), sometimes held by missing evidence, a
 *   missing PO or a change order before the invoice can go out. Late payers sometimes answer a
 *   reminder with a promise to pay, and sometimes break it. Disputes end in payment, a credit note
 *   and payment, or a void. Unpaid invoices are written off (Uncollectible) after months, or just
 *   stay overdue.
 * - Payments land on weekdays in business hours, in the book's time zone (several zones with DST).
 */
import { plannedAt, PRESETS } from '../src/domain/ladder.js';
import { REMINDER_CADENCES, type ReminderCadence } from '../src/domain/milestone.js';
import { taxOn } from '../src/domain/money.js';
import { addDays, localDate, localInstant, weekdayOf } from '../src/domain/time.js';

const DAY = 86_400_000;

/** mulberry32: a small, fast, seeded PRNG (uniform in [0, 1)). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export class Rng {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  uniform(lo = 0, hi = 1): number {
    return lo + (hi - lo) * this.next();
  }
  int(lo: number, hi: number): number {
    return Math.floor(this.uniform(lo, hi + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }
  normal(mean = 0, sd = 1): number {
    const u = Math.max(1e-12, this.next());
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(this.normal(0, sigma));
  }
}

export type Habit = 'prompt' | 'on time' | 'late' | 'very late' | 'erratic' | 'partial' | 'disputes' | 'defaulter';

export type SimClient = {
  readonly name: string;
  readonly habit: Habit;
  readonly terms: number | null;
  readonly cadence: ReminderCadence;
  readonly currency: string;
  readonly taxRate: number | null;
  readonly poRequired: boolean;
  readonly reviewBeforeSend: boolean;
  /** Days from the book's start to its first milestone's due date, and the gap between milestones. */
  readonly joinDay: number;
  readonly gapDays: readonly [number, number];
  readonly amountMedian: number;
  /** Mean days from delivery to acceptance. */
  readonly acceptLagDays: number;
  /** Chance an overdue invoice's reminder is answered with a promise to pay. */
  readonly promiseRate: number;
  /** A defaulter stops paying from this day (book days) on. */
  readonly stopsPayingDay: number | null;
};

export type Payment = { readonly milestoneId: string; readonly at: number; readonly minor: number; readonly currency: string };

/** One milestone's whole life; instants are epoch milliseconds, null when it never happens. */
export type SimMilestone = {
  readonly id: string;
  readonly client: SimClient;
  readonly title: string;
  readonly amount: number;
  readonly currency: string;
  /** Total with tax, minor units. */
  readonly totalMinor: number;
  readonly createdAt: number;
  readonly startedAt: number;
  readonly due: string;
  readonly completedAt: number;
  readonly acceptedAt: number;
  readonly evidenceAt: number;
  readonly poAt: number | null;
  readonly changeOrder: { readonly from: number; readonly to: number } | null;
  readonly sentAt: number;
  readonly dueDate: string;
  readonly payments: readonly Payment[];
  readonly credit: { readonly at: number; readonly minor: number } | null;
  readonly dispute: { readonly from: number; readonly to: number; readonly reason: string } | null;
  readonly voidAt: number | null;
  readonly writtenOffAt: number | null;
  readonly promise: { readonly madeAt: number; readonly date: string } | null;
};

export type Book = {
  readonly seed: number;
  readonly timeZone: string;
  readonly currency: string;
  readonly start: string;
  readonly clients: readonly SimClient[];
  readonly milestones: readonly SimMilestone[];
  /** Every payment, in time order. */
  readonly payments: readonly Payment[];
  /** Monday 08:00 local of each scored week (the weekly post's time). */
  readonly scoredMondays: readonly Date[];
};

export const BOOK_WEEKS = { warmUp: 26, scored: 30, tail: 5 } as const;

const ZONES = ['Europe/Berlin', 'America/New_York', 'Europe/London', 'America/Los_Angeles', 'Australia/Sydney', 'UTC'] as const;
const HABITS_REQUIRED: readonly Habit[] = ['late', 'very late', 'disputes', 'partial', 'defaulter'];
const HABITS_ANY: readonly Habit[] = [
  'prompt',
  'prompt',
  'on time',
  'on time',
  'on time',
  'on time',
  'late',
  'late',
  'very late',
  'erratic',
  'partial',
  'disputes',
];
const NAMES = [
  'Acme',
  'Globex',
  'Initech',
  'Umbrella',
  'Hooli',
  'Vandelay',
  'Stark',
  'Wayne',
  'Tyrell',
  'Soylent',
  'Cyberdyne',
  'Wonka',
  'Oscorp',
  'Pied Piper',
];
const TITLES = ['Discovery', 'Wireframes', 'Visual design', 'Build sprint', 'Integration', 'QA round', 'Launch', 'Content', 'Analytics', 'Retainer month'];
const REASONS = ['PO mismatch', 'Scope dispute', 'Legal review', 'Procurement', 'Payment failed', 'Other'];

/** Whether a payment habit pays its invoices late, used for how fast a client accepts work. */
const slowHabit = (h: Habit) => h === 'late' || h === 'very late' || h === 'defaulter' || h === 'disputes';

function makeClient(rng: Rng, name: string, habit: Habit, currency: string): SimClient {
  const slow = slowHabit(habit);
  // Slow payers are often slow to accept too; not always.
  const acceptLagDays = rng.chance(0.7) === slow ? rng.uniform(2, 7) : rng.uniform(0.2, 2);
  const gapLo = rng.int(9, 24);
  return {
    name,
    habit,
    terms: rng.pick([0, 7, 14, 14, 30, 30, 30, 30, 45, 60, null, null]),
    cadence: rng.pick(REMINDER_CADENCES),
    currency,
    taxRate: rng.pick([null, null, 10, 20]),
    poRequired: rng.chance(0.25),
    reviewBeforeSend: rng.chance(0.4),
    joinDay: rng.chance(0.65) ? rng.int(-40, 30) : rng.int(30, 330),
    gapDays: [gapLo, gapLo + rng.int(5, 20)],
    amountMedian: Math.round(rng.logNormal(4500, 0.6) / 100) * 100,
    acceptLagDays,
    promiseRate: habit === 'prompt' || habit === 'on time' ? 0.1 : rng.uniform(0.15, 0.6),
    stopsPayingDay: habit === 'defaulter' ? rng.int(150, 330) : null,
  };
}

type Clock = {
  readonly tz: string;
  readonly start: string;
  /** The instant of a local date and minute of the day. */
  at(date: string, minute: number): number;
  /** A weekday in business hours on or after the date (weekends move to Monday). */
  business(date: string, rng: Rng): number;
  date(instant: number): string;
};

function clockOf(tz: string, start: string): Clock {
  return {
    tz,
    start,
    at: (date, minute) => localInstant(date, minute, tz).getTime(),
    business(date, rng) {
      const weekday = weekdayOf(date);
      const day = weekday === 6 ? addDays(date, 2) : weekday === 0 ? addDays(date, 1) : date;
      return localInstant(day, rng.int(8 * 60, 18 * 60), tz).getTime();
    },
    date: (instant) => localDate(new Date(instant), tz),
  };
}

/** Days (possibly fractional) after an instant, landing on a business day. */
const after = (clock: Clock, rng: Rng, from: number, days: number): number => clock.business(clock.date(from + Math.max(0, days) * DAY), rng);

function payDaysAfterDue(rng: Rng, habit: Habit, terms: number): number {
  const early = () => -terms * rng.uniform(0.2, 0.8) - rng.uniform(0, 2);
  switch (habit) {
    case 'prompt':
      return rng.chance(0.9) ? early() : rng.uniform(1, 10);
    case 'on time':
      return rng.chance(0.85) ? rng.normal(-1, 2) : rng.uniform(3, 15);
    case 'late':
    case 'disputes':
    case 'partial':
      return rng.chance(0.15) ? rng.normal(0, 2) : Math.abs(rng.normal(10, 7)) + 1;
    case 'very late':
      return rng.chance(0.1) ? rng.uniform(1, 10) : rng.uniform(20, 65);
    case 'erratic':
      return rng.pick([() => rng.normal(-1, 3), () => rng.normal(-1, 3), () => rng.uniform(5, 20), () => rng.uniform(25, 70)])();
    case 'defaulter':
      return Math.abs(rng.normal(14, 8)) + 1;
  }
}

function lifeOf(rng: Rng, clock: Clock, client: SimClient, id: string, due: string, bookEnd: number): SimMilestone {
  const amount = Math.max(300, Math.round(rng.logNormal(client.amountMedian, 0.35) / 50) * 50);
  const money = { minor: amount * 100, currency: client.currency };
  const totalMinor = money.minor + taxOn(money, client.taxRate).minor;
  const createdAt = clock.at(addDays(due, -rng.int(20, 45)), 9 * 60);
  const startedAt = clock.at(addDays(due, -rng.int(7, 18)), 9 * 60);
  // Delivered around the due date; accepted after the client's own lag (now and then much later).
  const completedAt = clock.business(addDays(due, Math.round(rng.normal(0, 3))), rng);
  const lag = rng.chance(0.05) ? rng.uniform(15, 50) : Math.max(0.05, rng.normal(client.acceptLagDays, client.acceptLagDays * 0.6));
  const acceptedAt = Math.max(completedAt + 3_600_000, after(clock, rng, completedAt, lag));
  // Billing holds: evidence linked late, a missing PO, a change order to settle.
  const evidenceAt = rng.chance(0.88) ? acceptedAt : after(clock, rng, acceptedAt, rng.uniform(1, 8));
  const poAt = client.poRequired ? (rng.chance(0.75) ? createdAt : after(clock, rng, acceptedAt, rng.uniform(1, 12))) : null;
  const changeOrder = rng.chance(0.06) ? { from: completedAt, to: after(clock, rng, completedAt, rng.uniform(5, 20)) } : null;
  const ready = Math.max(acceptedAt, evidenceAt, poAt ?? 0, changeOrder?.to ?? 0);
  const sentAt = client.reviewBeforeSend ? after(clock, rng, ready, rng.chance(0.6) ? 0 : rng.uniform(1, 4)) : ready + 2 * 3_600_000;
  const terms = client.terms ?? 30;
  const dueDate = addDays(clock.date(sentAt), terms);
  const dueAt = clock.at(dueDate, 0);

  const payments: Payment[] = [];
  const pay = (at: number, minor: number) => {
    if (minor > 0) payments.push({ milestoneId: id, at, minor, currency: client.currency });
  };
  let dispute: SimMilestone['dispute'] = null;
  let credit: SimMilestone['credit'] = null;
  let voidAt: number | null = null;
  let writtenOffAt: number | null = null;
  let promise: SimMilestone['promise'] = null;
  const neverPaid = () => {
    // Written off months later, or left overdue.
    writtenOffAt = rng.chance(0.6) ? after(clock, rng, dueAt, rng.uniform(75, 150)) : null;
  };

  const defaulted = client.stopsPayingDay !== null && sentAt >= clock.at(addDays(clock.start, client.stopsPayingDay), 0);
  const disputed = client.habit === 'disputes' ? rng.chance(0.35) : rng.chance(0.03);
  if (defaulted || rng.chance(0.015)) {
    neverPaid();
  } else if (disputed) {
    const from = after(clock, rng, sentAt, rng.uniform(2, 18));
    const to = after(clock, rng, from, rng.uniform(8, 50));
    dispute = { from, to, reason: rng.pick(REASONS) };
    const outcome = rng.uniform();
    if (outcome < 0.6) pay(after(clock, rng, to, rng.uniform(0, 8)), totalMinor);
    else if (outcome < 0.85) {
      const credited = Math.round(totalMinor * rng.uniform(0.15, 0.5));
      credit = { at: to, minor: credited };
      pay(after(clock, rng, to, rng.uniform(1, 10)), totalMinor - credited);
    } else voidAt = to;
  } else {
    let payAt = after(clock, rng, dueAt + DAY / 2, payDaysAfterDue(rng, client.habit, terms));
    payAt = Math.max(payAt, sentAt + 3_600_000);
    // A late payer may answer a reminder with a promise, kept or not.
    if (payAt > dueAt + 4 * DAY && rng.chance(client.promiseRate)) {
      const madeAt = after(clock, rng, dueAt, rng.uniform(1, Math.min(20, (payAt - dueAt) / DAY - 2)));
      if (madeAt < payAt) {
        const kept = rng.chance(0.7);
        const promised = kept ? payAt - rng.uniform(-1, 2) * DAY : madeAt + rng.uniform(3, 10) * DAY;
        promise = { madeAt, date: clock.date(Math.max(promised, madeAt + DAY)) };
      }
    }
    if (client.habit === 'partial' && rng.chance(0.7)) {
      const first = Math.round(totalMinor * rng.pick([0.3, 0.4, 0.5, 0.5, 0.6]));
      pay(payAt, first);
      if (rng.chance(0.88)) pay(after(clock, rng, payAt, rng.uniform(10, 45)), totalMinor - first);
      else if (rng.chance(0.5)) credit = { at: after(clock, rng, payAt, rng.uniform(20, 60)), minor: totalMinor - first };
      else writtenOffAt = after(clock, rng, payAt, rng.uniform(60, 120));
    } else pay(payAt, totalMinor);
  }
  return {
    id,
    client,
    title: rng.pick(TITLES),
    amount,
    currency: client.currency,
    totalMinor,
    createdAt,
    startedAt,
    due,
    completedAt,
    acceptedAt,
    evidenceAt,
    poAt,
    changeOrder,
    sentAt,
    dueDate,
    payments: payments.filter((p) => p.at < bookEnd + 400 * DAY),
    credit,
    dispute,
    voidAt,
    writtenOffAt,
    promise,
  };
}

export function generateBook(seed: number): Book {
  const rng = new Rng(seed * 7919 + 17);
  const timeZone = ZONES[(seed - 1) % ZONES.length] ?? 'UTC';
  const start = '2025-01-06';
  const clock = clockOf(timeZone, start);
  const totalWeeks = BOOK_WEEKS.warmUp + BOOK_WEEKS.scored + BOOK_WEEKS.tail;
  const bookEnd = clock.at(addDays(start, totalWeeks * 7), 0);

  const count = rng.int(10, 14);
  const habits: Habit[] = [...HABITS_REQUIRED];
  while (habits.length < count) habits.push(rng.pick(HABITS_ANY));
  const withEur = rng.chance(0.5);
  const clients = habits.map((habit, i) => makeClient(rng, NAMES[i] ?? `Client ${i + 1}`, habit, withEur && i === count - 1 ? 'EUR' : 'USD'));

  const milestones: SimMilestone[] = [];
  for (const client of clients) {
    let day = client.joinDay;
    let n = 0;
    // A defaulter's work stops a few weeks after it stops paying.
    const lastDay = client.stopsPayingDay === null ? totalWeeks * 7 : Math.min(totalWeeks * 7, client.stopsPayingDay + rng.int(20, 50));
    while (day < lastDay) {
      n += 1;
      milestones.push(lifeOf(rng, clock, client, `${client.name.slice(0, 3).toLowerCase()}-${String(n).padStart(3, '0')}`, addDays(start, day), bookEnd));
      day += rng.int(client.gapDays[0], client.gapDays[1]);
    }
  }
  const payments = milestones.flatMap((m) => m.payments).sort((a, b) => a.at - b.at);
  const scoredMondays = Array.from({ length: BOOK_WEEKS.scored }, (_, i) => new Date(clock.at(addDays(start, (BOOK_WEEKS.warmUp + i) * 7), 8 * 60)));
  return { seed, timeZone, currency: 'USD', start, clients, milestones, payments, scoredMondays };
}

type Json = Record<string, unknown>;

const iso = (ms: number) => new Date(ms).toISOString();

/** The reminder stage recorded by `t`: the last step of the client's ladder due by then, while chased. */
function reminderStage(m: SimMilestone, t: number, tz: string, paidInFullAt: number | null, settledAt: number | null): string | null {
  const ladder = PRESETS[m.client.cadence];
  const facts = { sentAt: new Date(m.sentAt), dueDate: m.dueDate, pausedMs: 0 };
  // Chasing stops when the invoice is settled, and waits while a dispute is open.
  const until = Math.min(t, paidInFullAt ?? Number.POSITIVE_INFINITY, settledAt ?? Number.POSITIVE_INFINITY, m.dispute?.from ?? Number.POSITIVE_INFINITY);
  let stage: string | null = null;
  for (const s of ladder.steps) {
    const planned = plannedAt(s, facts, tz);
    if (planned && planned.getTime() <= until) stage = s.name;
  }
  return stage;
}

/** When payments and credit first cover the total, or null. */
export function paidInFullAt(m: SimMilestone): number | null {
  let sum = m.credit?.minor ?? 0;
  for (const p of m.payments) {
    sum += p.minor;
    if (sum >= m.totalMinor) return Math.max(p.at, m.credit?.at ?? 0);
  }
  return null;
}

/** The Milestones row as it stood at `t`, or null before the row existed. */
function rowAt(m: SimMilestone, t: number, clock: Clock): Json | null {
  if (t < m.createdAt) return null;
  const row: Json = { id: m.id, Milestone: m.title, Client: m.client.name, Amount: m.amount, Due: m.due };
  if (m.currency !== m.client.currency || m.currency === 'EUR') row.Currency = m.currency;
  row.Stage = t < m.startedAt ? 'Planned' : t < m.completedAt ? 'In progress' : t < m.acceptedAt ? 'Delivered' : 'Accepted';
  if (t >= m.completedAt) row.Completed = iso(m.completedAt);
  if (t >= m.acceptedAt) row.Accepted = iso(m.acceptedAt);
  if (t >= m.evidenceAt && t >= m.acceptedAt) row['Acceptance evidence'] = `https://example.test/${m.id}/accepted`;
  if (m.poAt !== null && t >= m.poAt) row['PO number'] = `PO-${m.id.toUpperCase()}`;
  if (m.changeOrder && t >= m.changeOrder.from && t < m.changeOrder.to) row['Change order required'] = true;
  if (t < m.sentAt) return row;

  const paid = m.payments.filter((p) => p.at <= t).reduce((s, p) => s + p.minor, 0);
  const credited = m.credit && m.credit.at <= t ? m.credit.minor : 0;
  const fullAt = paidInFullAt(m);
  const settledAt = m.voidAt ?? m.writtenOffAt;
  row['Invoice sent'] = iso(m.sentAt);
  row['Invoice due'] = m.dueDate;
  row['Amount paid'] = paid / 100;
  if (credited > 0) row['Amount credited'] = credited / 100;
  const disputeOpen = m.dispute !== null && t >= m.dispute.from && t < m.dispute.to;
  if (disputeOpen && m.dispute) row['Dispute reason'] = m.dispute.reason;
  if (m.promise && t >= m.promise.madeAt) row['Promise to pay'] = m.promise.date;
  let status: string;
  if (m.voidAt !== null && t >= m.voidAt) status = 'Void';
  else if (fullAt !== null && t >= fullAt) {
    status = 'Paid';
    row['Paid on'] = iso(fullAt);
  } else if (m.writtenOffAt !== null && t >= m.writtenOffAt) status = 'Uncollectible';
  else if (disputeOpen) status = 'Disputed';
  else status = t >= clock.at(addDays(m.dueDate, 1), 0) ? 'Overdue' : 'Sent';
  row['Invoice status'] = status;
  const stage = reminderStage(m, t, clock.tz, fullAt, settledAt);
  if (stage && status !== 'Paid' && status !== 'Void') row['Reminder stage'] = stage;
  return row;
}

/** The ledger snapshot (docs/ledger.md keys) as it stood at `t`: what a snapshot taken then holds. */
export function snapshotAt(book: Book, t: Date): { currency: string; clients: Json[]; milestones: Json[] } {
  const clock = clockOf(book.timeZone, book.start);
  const now = t.getTime();
  const clients = book.clients.map((c) => ({
    Client: c.name,
    'Billing email': `ap@${c.name.toLowerCase().replace(/[^a-z]/g, '')}.test`,
    Currency: c.currency,
    'Payment terms': c.terms,
    'PO required': c.poRequired,
    'Tax rate': c.taxRate,
    'Reminder cadence': c.cadence,
    'Review before send': c.reviewBeforeSend,
  }));
  const milestones = book.milestones.map((m) => rowAt(m, now, clock)).filter((r): r is Json => r !== null);
  return { currency: book.currency, clients, milestones };
}

/** What a book holds, to show it is varied: counts by outcome. */
export function bookFacts(book: Book): Record<string, number> {
  const end = book.scoredMondays.at(-1)?.getTime() ?? 0;
  const sent = book.milestones.filter((m) => m.sentAt <= end);
  const paidMinor = (m: SimMilestone) => m.payments.reduce((s, p) => s + p.minor, 0);
  return {
    clients: book.clients.length,
    invoices: sent.length,
    disputed: sent.filter((m) => m.dispute).length,
    'never paid': sent.filter((m) => m.payments.length === 0).length,
    'paid in parts': sent.filter((m) => m.payments.length > 1).length,
    'paid late': sent.filter((m) => m.payments.some((p) => p.at >= localInstant(addDays(m.dueDate, 1), 0, book.timeZone).getTime())).length,
    'short paid': sent.filter((m) => m.payments.length > 0 && paidMinor(m) < m.totalMinor).length,
    promises: sent.filter((m) => m.promise).length,
    'held (evidence, PO, change order)': sent.filter((m) => m.evidenceAt > m.acceptedAt || (m.poAt ?? 0) > m.acceptedAt || m.changeOrder).length,
  };
}
