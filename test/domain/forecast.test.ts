/**
 * The cash-in forecast model (src/domain/forecast.ts), table by table: each of the four signal
 * groups moving the score and the tier, the tier thresholds, the expected date (history, terms,
 * the 30-day fallback, overdue money projected forward), weeks in the founder's zone, and currencies
 * kept apart.
 */
import { describe, expect, it } from 'vitest';
import {
  forecast,
  forecastItem,
  SIGNAL_WEIGHTS,
  tierOf,
  weekBounds,
  type ClientBehaviour,
  type ForecastItem,
  type ForecastOptions,
  type ItemForecast,
} from '../../src/domain/forecast.js';

const DAY = 86_400_000;
/** Wednesday 3 June 2026, 10:00 UTC. */
const NOW = new Date('2026-06-03T10:00:00Z');
const daysFromNow = (days: number) => new Date(NOW.getTime() + days * DAY);

const options = (over: Partial<ForecastOptions> = {}): ForecastOptions => ({
  now: NOW,
  utcOffsetMinutes: 0,
  timeZone: 'UTC',
  weeks: 5,
  fallbackTermsDays: 30,
  sendLagHours: 2,
  ...over,
});

/** An invoice sent 10 days ago, due in 20 days, accepted the day after delivery, with evidence. */
const invoice = (over: Partial<ForecastItem> = {}): ForecastItem => ({
  id: 'm-1',
  clientId: 'acme',
  amount: { minor: 1_000_000, currency: 'USD' },
  kind: 'invoice',
  sentAt: daysFromNow(-10),
  dueAt: daysFromNow(20),
  deliveredAt: daysFromNow(-12),
  acceptedAt: daysFromNow(-11.5),
  stage: 'Accepted',
  evidence: true,
  blockers: 0,
  changeOrder: false,
  disputed: false,
  promiseToPay: null,
  remindersDone: 0,
  lastReminderAt: null,
  responded: false,
  ...over,
});

/** An accepted milestone not invoiced yet. */
const projected = (over: Partial<ForecastItem> = {}): ForecastItem =>
  invoice({ kind: 'projected', sentAt: null, dueAt: null, deliveredAt: daysFromNow(-2), acceptedAt: daysFromNow(-1.5), ...over });

/** A client who paid 6 invoices in 30 days on average, never late, never disputed. */
const client = (over: Partial<ClientBehaviour> = {}): ClientBehaviour => ({
  paymentTermsDays: 30,
  paidInvoices: 6,
  meanDaysToPay: 30,
  sdDaysToPay: 3,
  lateShare: 0,
  disputes: 0,
  invoices: 6,
  ...over,
});
const noHistory = (over: Partial<ClientBehaviour> = {}) => client({ paidInvoices: 0, meanDaysToPay: null, sdDaysToPay: null, lateShare: null, ...over });

const run = (item: ForecastItem, who: ClientBehaviour | undefined, opts: ForecastOptions = options()): ItemForecast => forecastItem(item, who, opts);

type SignalName = keyof typeof SIGNAL_WEIGHTS;
type Case = readonly [ForecastItem, ClientBehaviour | undefined];

/**
 * One row: a label, the signal group it is about, the base case and the changed case (item and
 * client), the tiers they get, and the reason given. The changed case scores lower on that signal
 * and in confidence; the other groups do not move.
 */
type Row = readonly [string, SignalName, Case, Case, string, string, RegExp];

const signalRows: Row[] = [
  // Invoice aging (35 %): days since sent, distance to the due date, days overdue.
  [
    'aging: 3 days overdue',
    'aging',
    [invoice(), client()],
    [invoice({ sentAt: daysFromNow(-33), dueAt: daysFromNow(-3) }), client()],
    'High',
    'High',
    /3 days overdue/,
  ],
  [
    'aging: more than 7 days overdue lowers the tier (7 days: High, 8 days: Medium)',
    'aging',
    [invoice({ sentAt: daysFromNow(-37), dueAt: daysFromNow(-7) }), client()],
    [invoice({ sentAt: daysFromNow(-38), dueAt: daysFromNow(-8) }), client()],
    'High',
    'Medium',
    /8 days overdue/,
  ],
  [
    'aging: 40 days overdue',
    'aging',
    [invoice(), client()],
    [invoice({ sentAt: daysFromNow(-70), dueAt: daysFromNow(-40) }), client()],
    'High',
    'Low',
    /40 days overdue/,
  ],
  [
    'aging: long terms, sent 50 days ago and not due yet',
    'aging',
    [invoice({ dueAt: daysFromNow(40) }), client({ meanDaysToPay: 55, paymentTermsDays: 90 })],
    [invoice({ sentAt: daysFromNow(-50), dueAt: daysFromNow(40) }), client({ meanDaysToPay: 55, paymentTermsDays: 90 })],
    'High',
    'High',
    /sent 50 days ago/,
  ],
  // Stakeholder responsiveness (25 %): acceptance lag, and answers to the ladder's steps.
  [
    'responsiveness: acceptance took 5 days',
    'responsiveness',
    [invoice(), client()],
    [invoice({ deliveredAt: daysFromNow(-16), acceptedAt: daysFromNow(-11) }), client()],
    'High',
    'High',
    /acceptance took 5 days/,
  ],
  [
    'responsiveness: acceptance took 12 days',
    'responsiveness',
    [invoice(), client()],
    [invoice({ deliveredAt: daysFromNow(-23), acceptedAt: daysFromNow(-11) }), client()],
    'High',
    'High',
    /acceptance took 12 days/,
  ],
  [
    'responsiveness: no response in 72 hours after a reminder',
    'responsiveness',
    [invoice({ remindersDone: 1, lastReminderAt: daysFromNow(-2.9) }), client()],
    [invoice({ remindersDone: 1, lastReminderAt: daysFromNow(-3.1) }), client()],
    'High',
    'High',
    /no answer to reminders in 72 hours/,
  ],
  [
    'responsiveness: no response in 72 hours to the reminders of an invoice 3 days overdue, accepted in 5 days',
    'responsiveness',
    [invoice({ sentAt: daysFromNow(-33), dueAt: daysFromNow(-3), deliveredAt: daysFromNow(-40), acceptedAt: daysFromNow(-35) }), client()],
    [
      invoice({
        sentAt: daysFromNow(-33),
        dueAt: daysFromNow(-3),
        deliveredAt: daysFromNow(-40),
        acceptedAt: daysFromNow(-35),
        remindersDone: 2,
        lastReminderAt: daysFromNow(-4),
      }),
      client(),
    ],
    'High',
    'Medium',
    /no answer to reminders in 72 hours/,
  ],
  // Commercial clarity (25 %): accepted scope, evidence, blockers.
  [
    'clarity: no acceptance evidence',
    'clarity',
    [projected(), client()],
    [projected({ evidence: false }), client()],
    'High',
    'Medium',
    /no acceptance evidence/,
  ],
  ['clarity: two blockers', 'clarity', [projected(), client()], [projected({ blockers: 2 }), client()], 'High', 'High', /2 blockers/],
  ['clarity: a change order pending', 'clarity', [projected(), client()], [projected({ changeOrder: true }), client()], 'High', 'High', /scope change pending/],
  [
    'clarity: a change order, blockers and no evidence',
    'clarity',
    [projected(), client()],
    [projected({ changeOrder: true, blockers: 1, evidence: false }), client()],
    'High',
    'Medium',
    /scope change pending, no acceptance evidence, 1 blockers/,
  ],
  // Account history (15 %): days to pay, late share, disputes.
  ['history: pays late 60 % of the time', 'history', [invoice(), client()], [invoice(), client({ lateShare: 0.6 })], 'High', 'High', /pays late 60 %/],
  ['history: disputed 2 invoices in 8', 'history', [invoice(), client()], [invoice(), client({ disputes: 2, invoices: 8 })], 'High', 'High', /disputes 25 %/],
  [
    'history: always late and disputing, on a slow acceptance',
    'history',
    [invoice({ deliveredAt: daysFromNow(-23), acceptedAt: daysFromNow(-11) }), client()],
    [invoice({ deliveredAt: daysFromNow(-23), acceptedAt: daysFromNow(-11) }), client({ lateShare: 1, disputes: 3, invoices: 6 })],
    'High',
    'Medium',
    /pays late 100 %/,
  ],
];

describe('the four signal groups', () => {
  it('weighs them 35 / 25 / 25 / 15', () => {
    expect(SIGNAL_WEIGHTS).toEqual({ aging: 0.35, responsiveness: 0.25, clarity: 0.25, history: 0.15 });
    const f = run(invoice({ deliveredAt: daysFromNow(-16), acceptedAt: daysFromNow(-11) }), client({ lateShare: 0.5 }));
    const weighted = (Object.keys(SIGNAL_WEIGHTS) as SignalName[]).reduce((sum, k) => sum + SIGNAL_WEIGHTS[k] * f.signals[k], 0);
    expect(f.confidence).toBeCloseTo(weighted, 2);
  });

  it.each(signalRows)('%s', (_label, signal, [baseItem, baseClient], [item, who], baseTier, tier, reason) => {
    const base = run(baseItem, baseClient);
    const changed = run(item, who);
    expect(changed.signals[signal]).toBeLessThan(base.signals[signal]);
    expect(changed.confidence).toBeLessThan(base.confidence);
    expect([base.tier, changed.tier]).toEqual([baseTier, tier]);
    expect(changed.reasons.join('; ')).toMatch(reason);
    for (const other of Object.keys(SIGNAL_WEIGHTS) as SignalName[]) if (other !== signal) expect(changed.signals[other]).toBe(base.signals[other]);
  });

  it('a milestone delivered and not accepted yet is less clear and less responsive the longer it waits', () => {
    const accepted = run(projected(), client());
    const fresh = run(projected({ stage: 'Delivered', acceptedAt: null, deliveredAt: daysFromNow(-0.5) }), client());
    const waiting = run(projected({ stage: 'Delivered', acceptedAt: null, deliveredAt: daysFromNow(-6) }), client());
    expect(fresh.signals.clarity).toBeLessThan(accepted.signals.clarity);
    expect(fresh.reasons.join('; ')).toMatch(/not accepted yet/);
    expect(waiting.signals.responsiveness).toBeLessThan(fresh.signals.responsiveness);
    expect(waiting.reasons.join('; ')).toMatch(/not accepted after 6 days/);
    expect([accepted.tier, fresh.tier, waiting.tier]).toEqual(['High', 'High', 'Medium']);
  });

  it.each([
    ['a promise to pay', { promiseToPay: daysFromNow(5) }],
    ['a part payment', {}],
  ])('a reminder answered (%s) is not a missing response', (_label, over) => {
    const silent = run(invoice({ remindersDone: 2, lastReminderAt: daysFromNow(-5) }), client());
    const answered = run(invoice({ remindersDone: 2, lastReminderAt: daysFromNow(-5), responded: true, ...over }), client());
    expect(answered.signals.responsiveness).toBeGreaterThan(silent.signals.responsiveness);
    expect(answered.reasons.join('; ')).not.toMatch(/72 hours/);
  });

  it.each([
    ['a projected invoice', projected({ evidence: false })],
    ['an invoice (typed in without evidence)', invoice({ evidence: false })],
  ])('missing evidence keeps the tier from rising: %s', (_label, item) => {
    const f = run(item, client());
    expect(f.confidence).toBeGreaterThanOrEqual(0.75);
    expect(f.tier).toBe('Medium');
  });

  it('an open exception halves the confidence and says so', () => {
    const f = run(invoice({ disputed: true, responded: true }), client());
    expect(f.confidence).toBeLessThan(0.5);
    expect(f.tier).toBe('Low');
    expect(f.reasons).toContain('open exception');
  });

  it('needs three paid invoices before history speaks for a client', () => {
    const few = run(invoice(), client({ paidInvoices: 2, lateShare: 1, meanDaysToPay: 80 }));
    const none = run(invoice(), undefined);
    const three = run(invoice(), client({ paidInvoices: 3, lateShare: 1, meanDaysToPay: 80 }));
    expect(few.signals.history).toBe(none.signals.history);
    expect(three.signals.history).toBeLessThan(few.signals.history);
  });
});

describe('tiers', () => {
  it.each([
    [0.95, 0, true, 'High'],
    [0.75, 0, true, 'High'],
    [0.74, 0, true, 'Medium'],
    [0.5, 0, true, 'Medium'],
    [0.49, 0, true, 'Low'],
    [0, 0, true, 'Low'],
    // More than 7 days overdue: one tier lower.
    [0.9, 7, true, 'High'],
    [0.9, 8, true, 'Medium'],
    [0.6, 8, true, 'Low'],
    [0.3, 30, true, 'Low'],
    // Missing evidence: never above Medium.
    [0.9, 0, false, 'Medium'],
    [0.6, 0, false, 'Medium'],
    [0.4, 0, false, 'Low'],
    [0.9, 8, false, 'Medium'],
  ] as const)('confidence %s, %s days overdue, evidence %s: %s', (confidence, overdue, evidence, tier) => {
    expect(tierOf(confidence, overdue, evidence)).toBe(tier);
  });
});

describe('when the money is expected', () => {
  const expectedDays = (f: ItemForecast, from: Date) => (f.expectedAt.getTime() - from.getTime()) / DAY;

  it.each([
    ['history: the client’s own days to pay, from the day sent', invoice(), client({ meanDaysToPay: 41, paymentTermsDays: 30 }), 41],
    ['no history: an invoice on its due date (the terms it was sent on)', invoice({ dueAt: daysFromNow(4) }), noHistory({ paymentTermsDays: 30 }), 14],
    ['no history: a projected invoice, the client’s payment terms', projected(), noHistory({ paymentTermsDays: 14 }), 14],
    ['too little history (2 paid): still the terms', projected(), client({ paidInvoices: 2, meanDaysToPay: 60, paymentTermsDays: 45 }), 45],
    ['no history, no terms: 30 days', projected(), noHistory({ paymentTermsDays: null }), 30],
    ['an unknown client: 30 days', projected({ clientId: null }), undefined, 30],
    ['terms of 0 days are terms, not a blank', projected(), noHistory({ paymentTermsDays: 0 }), 0],
    ['an invoice without a sent date: its due date', invoice({ sentAt: null, dueAt: daysFromNow(6) }), noHistory(), 6],
  ] as const)('%s', (_label, item, who, days) => {
    const f = run(item, who);
    const from = item.sentAt ?? NOW;
    expect(expectedDays(f, from)).toBeGreaterThanOrEqual(days - 0.01);
    expect(expectedDays(f, from)).toBeLessThanOrEqual(days + 0.51);
  });

  it('projects an accepted milestone as the invoice it will become: sent after the grace period, then days to pay', () => {
    const f = run(projected({ acceptedAt: daysFromNow(-1) }), client({ meanDaysToPay: 20 }));
    expect(expectedDays(f, NOW)).toBeCloseTo(20, 0);
    const delivered = run(projected({ stage: 'Delivered', acceptedAt: null, deliveredAt: daysFromNow(-1) }), client({ meanDaysToPay: 20 }));
    expect(delivered.expectedAt.getTime()).toBeGreaterThan(f.expectedAt.getTime());
  });

  it('projects work not delivered yet: delivered on its due date, accepted, sent, then the client’s days to pay', () => {
    const work = projected({ stage: null, deliveredAt: null, acceptedAt: null, evidence: false, plannedDelivery: daysFromNow(9) });
    const f = run(work, client({ meanDaysToPay: 14, daysToPay: [13, 14, 15, 14], acceptLagDays: 2, sendLagDays: 1 }));
    expect(expectedDays(f, NOW)).toBeGreaterThanOrEqual(9 + 2 + 1 + 13);
    expect(expectedDays(f, NOW)).toBeLessThanOrEqual(9 + 2 + 1 + 15);
    // Late work is delivered soon, not in the past.
    const late = run({ ...work, plannedDelivery: daysFromNow(-10) }, client({ meanDaysToPay: 14, acceptLagDays: 2 }));
    expect(expectedDays(late, NOW)).toBeGreaterThan(14);
  });

  it.each([1, 3, 8, 20, 45, 120, 400])('an invoice %s days overdue is expected from today on, never in the past', (overdue) => {
    for (const who of [client(), client({ meanDaysToPay: 10, sdDaysToPay: 40 }), noHistory(), undefined]) {
      const f = run(invoice({ sentAt: daysFromNow(-30 - overdue), dueAt: daysFromNow(-overdue), remindersDone: 3, lastReminderAt: daysFromNow(-10) }), who);
      expect(f.expectedAt.getTime()).toBeGreaterThan(NOW.getTime());
      expect(f.expectedAt.getTime()).toBeLessThanOrEqual(NOW.getTime() + 60 * DAY);
    }
  });

  it('a promise to pay sets the date; an open exception pushes it out by weeks, and makes payment less likely', () => {
    expect(expectedDays(run(invoice({ promiseToPay: daysFromNow(4), responded: true }), client()), NOW)).toBeCloseTo(4.5, 1);
    const disputed = run(invoice({ disputed: true, responded: true }), client());
    expect(expectedDays(disputed, NOW)).toBeGreaterThanOrEqual(14);
    expect(expectedDays(disputed, NOW)).toBeLessThanOrEqual(30);
    expect(disputed.payProbability).toBeLessThan(run(invoice(), client()).payProbability);
  });

  it('the longer an invoice stays unpaid past the client’s habits, the less likely it is ever paid', () => {
    const chance = (overdue: number) => run(invoice({ sentAt: daysFromNow(-30 - overdue), dueAt: daysFromNow(-overdue) }), client()).payProbability;
    const chances = [0, 5, 15, 45, 90, 180].map(chance);
    for (let i = 1; i < chances.length; i += 1) expect(chances[i]).toBeLessThan(chances[i - 1] ?? 1);
    expect(chances[0]).toBeGreaterThan(0.9);
    expect(chances.at(-1)).toBeLessThan(0.1);
    // A client who always pays 40 days late: 20 days overdue is nothing unusual yet.
    const slow = client({ daysToPay: [68, 70, 72, 69, 71, 70], meanDaysToPay: 70, lateShare: 1 });
    expect(run(invoice({ sentAt: daysFromNow(-50), dueAt: daysFromNow(-20) }), slow).payProbability).toBeGreaterThan(0.9);
  });

  it('a client with invoices it never paid is less likely to pay this one', () => {
    const good = run(invoice(), client());
    const bad = run(invoice(), client({ unpaid: 3 }));
    expect(bad.payProbability).toBeLessThan(good.payProbability - 0.1);
  });
});

describe('the weekly projection', () => {
  const total = (weeks: readonly { expected: number }[]) => weeks.reduce((s, w) => s + w.expected, 0);

  it('keeps every currency apart: nothing summed across them, each with its own weeks', () => {
    const usd = [invoice({ id: 'u1' }), invoice({ id: 'u2', amount: { minor: 500_000, currency: 'USD' }, dueAt: daysFromNow(3) })];
    const eur = [invoice({ id: 'e1', amount: { minor: 700_000, currency: 'EUR' } })];
    const jpy = [projected({ id: 'j1', amount: { minor: 300_000, currency: 'JPY' } })];
    const clients = new Map([['acme', client()]]);
    const all = forecast([...usd, ...eur, ...jpy], clients, options());
    expect(all.currencies.map((c) => c.currency).sort()).toEqual(['EUR', 'JPY', 'USD']);
    for (const [code, items] of [
      ['USD', usd],
      ['EUR', eur],
      ['JPY', jpy],
    ] as const) {
      const alone = forecast(items, clients, options()).currencies;
      const mixed = all.currencies.find((c) => c.currency === code);
      expect(alone).toHaveLength(1);
      expect(mixed?.weeks).toEqual(alone[0]?.weeks);
      expect(mixed?.weeks.map((w) => w.start)).toEqual(
        weekBounds(options())
          .slice(0, 5)
          .map((b) => new Date(b)),
      );
    }
    const eurWeeks = all.currencies.find((c) => c.currency === 'EUR')?.weeks ?? [];
    expect(total(eurWeeks)).toBeLessThanOrEqual(700_000);
    expect(total(eurWeeks)).toBeGreaterThan(0);
  });

  it('gives each week an expected amount inside an 80 % band, and spreads at most what is owed', () => {
    const items = Array.from({ length: 12 }, (_, i) => invoice({ id: `m-${i}`, sentAt: daysFromNow(-25 + i * 2), dueAt: daysFromNow(5 + i * 2) }));
    const result = forecast(items, new Map([['acme', client()]]), options({ weeks: 13 }));
    const weeks = result.currencies[0]?.weeks ?? [];
    expect(weeks).toHaveLength(13);
    for (const w of weeks) {
      expect(w.low).toBeLessThanOrEqual(w.expected);
      expect(w.high).toBeGreaterThanOrEqual(w.expected);
      expect(w.low).toBeGreaterThanOrEqual(0);
    }
    expect(total(weeks)).toBeLessThanOrEqual(12 * 1_000_000);
    expect(total(weeks)).toBeGreaterThan(0.8 * 12 * 1_000_000);
  });

  it.each([
    ['Thursday', '2026-06-04T00:00:00Z', 0],
    ['Friday', '2026-06-05T00:00:00Z', 0],
    // Payments arrive on business days: one expected on a weekend comes in on Monday, next week.
    ['Saturday', '2026-06-06T00:00:00Z', 1],
    ['Sunday', '2026-06-07T00:00:00Z', 1],
    ['Monday', '2026-06-08T00:00:00Z', 1],
  ])('money promised for %s comes in the week it can arrive', (_label, promise, week) => {
    const result = forecast([invoice({ promiseToPay: new Date(promise), responded: true })], new Map([['acme', client()]]), options({ weeks: 2 }));
    const weeks = result.currencies[0]?.weeks ?? [];
    expect(weeks[week]?.expected ?? 0).toBeGreaterThan(weeks[1 - week]?.expected ?? 0);
  });

  it('on Monday morning, what the model expected over the weekend is still to come this week', () => {
    const monday = (hour: string) => options({ now: new Date(`2026-06-08T${hour}:00:00Z`), weeks: 1 });
    // Due on Saturday 6 June, from a client who pays on the due date.
    const item = invoice({ sentAt: new Date('2026-05-07T10:00:00Z'), dueAt: new Date('2026-06-06T00:00:00Z') });
    const who = new Map([['acme', client({ daysToPay: [30, 30, 30, 30], meanDaysToPay: 30, sdDaysToPay: 0.5 })]]);
    const morning = forecast([item], who, monday('08')).currencies[0]?.weeks[0]?.expected ?? 0;
    const afternoon = forecast([item], who, monday('15')).currencies[0]?.weeks[0]?.expected ?? 0;
    expect(morning).toBeGreaterThan(0.5 * 1_000_000);
    expect(afternoon).toBeLessThan(morning);
  });

  it('counts what is past its due date as overdue', () => {
    const result = forecast(
      [
        invoice({ id: 'late', dueAt: daysFromNow(-2), sentAt: daysFromNow(-32) }),
        invoice({ id: 'due today', dueAt: daysFromNow(-0.2) }),
        invoice({ id: 'fine', amount: { minor: 300, currency: 'USD' } }),
      ],
      new Map(),
      options(),
    );
    expect(result.currencies[0]?.overdue).toBe(1_000_000);
  });

  it('leaves out what there is nothing left to collect on', () => {
    const result = forecast([invoice({ amount: { minor: 0, currency: 'USD' } })], new Map(), options());
    expect(result.items).toEqual([]);
    expect(result.currencies).toEqual([]);
  });
});

describe('weeks in the founder’s zone', () => {
  const starts = (now: string, timeZone: string, weeks = 3) =>
    weekBounds({ now: new Date(now), utcOffsetMinutes: 0, timeZone, weeks }).map((b) => new Date(b).toISOString());

  it.each([
    // Monday 00:00 local, the first week holding `now`.
    [
      'a Wednesday in Berlin summer',
      '2026-06-03T10:00:00Z',
      'Europe/Berlin',
      ['2026-05-31T22:00:00.000Z', '2026-06-07T22:00:00.000Z', '2026-06-14T22:00:00.000Z'],
    ],
    [
      'Sunday 23:30 in Berlin is still last week',
      '2026-06-07T21:30:00Z',
      'Europe/Berlin',
      ['2026-05-31T22:00:00.000Z', '2026-06-07T22:00:00.000Z', '2026-06-14T22:00:00.000Z'],
    ],
    [
      'Monday 00:30 in Berlin (Sunday in UTC) is the new week',
      '2026-06-07T22:30:00Z',
      'Europe/Berlin',
      ['2026-06-07T22:00:00.000Z', '2026-06-14T22:00:00.000Z', '2026-06-21T22:00:00.000Z'],
    ],
    // Clocks go forward on Sunday 29 March 2026 in Berlin: that week is 167 hours long.
    [
      'across Berlin’s spring change',
      '2026-03-25T12:00:00Z',
      'Europe/Berlin',
      ['2026-03-22T23:00:00.000Z', '2026-03-29T22:00:00.000Z', '2026-04-05T22:00:00.000Z'],
    ],
    // Clocks go back on Sunday 1 November 2026 in New York: that week is 169 hours long.
    [
      'across New York’s autumn change',
      '2026-10-28T12:00:00Z',
      'America/New_York',
      ['2026-10-26T04:00:00.000Z', '2026-11-02T05:00:00.000Z', '2026-11-09T05:00:00.000Z'],
    ],
    [
      'Sunday evening in Los Angeles (Monday in UTC)',
      '2026-06-08T03:00:00Z',
      'America/Los_Angeles',
      ['2026-06-01T07:00:00.000Z', '2026-06-08T07:00:00.000Z', '2026-06-15T07:00:00.000Z'],
    ],
    ['UTC', '2026-06-01T00:00:00Z', 'UTC', ['2026-06-01T00:00:00.000Z', '2026-06-08T00:00:00.000Z', '2026-06-15T00:00:00.000Z']],
  ])('%s', (_label, now, zone, expected) => {
    expect(starts(now, zone)).toEqual([...expected, expect.any(String)]);
  });

  it('without a zone, weeks start at Monday 00:00 at the given offset', () => {
    const bounds = weekBounds({ now: new Date('2026-06-07T22:30:00Z'), utcOffsetMinutes: 120, weeks: 2 }).map((b) => new Date(b).toISOString());
    expect(bounds).toEqual(['2026-06-07T22:00:00.000Z', '2026-06-14T22:00:00.000Z', '2026-06-21T22:00:00.000Z']);
  });
});
