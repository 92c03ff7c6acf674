/**
 * What the forecast reads (src/domain/forecast-inputs.ts): the ledger as it stood at one instant.
 * Nothing dated after it is known: a payment made later was not made, an invoice sent later was not
 * sent, an acceptance or a reminder step that came later had not happened. Then which rows are cash
 * to come, and each client's habits from what it had paid by then.
 */
import { describe, expect, it } from 'vitest';
import { forecast } from '../../src/domain/forecast.js';
import { asOf, behaviours, forecastItems, pipelineItems, type ForecastRow } from '../../src/domain/forecast-inputs.js';

const DAY = 86_400_000;
const AT = new Date('2026-06-03T10:00:00Z');
const d = (days: number) => new Date(AT.getTime() + days * DAY);
const usd = (major: number) => ({ minor: major * 100, currency: 'USD' });

/** An invoice of 1,000 USD sent 10 days before AT, due in 20 days, open. */
const row = (over: Partial<ForecastRow> = {}): ForecastRow => ({
  id: 'm-1',
  clientId: 'acme',
  stage: 'Accepted',
  total: usd(1000),
  remaining: usd(1000),
  completed: d(-12),
  accepted: d(-11),
  evidence: true,
  blockers: 0,
  changeOrder: false,
  invoiceStatus: 'Sent',
  sent: d(-10),
  due: d(20),
  paidOn: null,
  disputed: false,
  promiseToPay: null,
  remindersDone: 0,
  lastReminderAt: null,
  ...over,
});

const paid = (over: Partial<ForecastRow>) => row({ invoiceStatus: 'Paid', remaining: usd(0), ...over });

describe('asOf: the row as it was known at an instant', () => {
  it.each([
    ['a payment after it is not known yet', paid({ paidOn: d(2) }), { paidOn: null, invoiceStatus: 'Sent', remaining: usd(1000) }],
    ['a payment before it is', paid({ paidOn: d(-2) }), { invoiceStatus: 'Paid', remaining: usd(0) }],
    ['an invoice sent after it was not sent', row({ sent: d(1), due: d(31) }), { sent: null, invoiceStatus: null, remaining: usd(1000), stage: 'Accepted' }],
    [
      'an acceptance after it: only delivered, and its evidence not there yet',
      row({ sent: null, invoiceStatus: null, accepted: d(1) }),
      { stage: 'Delivered', accepted: null, evidence: false },
    ],
    [
      'a delivery after it: still in progress',
      row({ sent: null, invoiceStatus: null, completed: d(1), accepted: d(2) }),
      { stage: 'In progress', completed: null },
    ],
    [
      'reminder steps due after it were not done',
      row({ remindersDone: 3, lastReminderAt: d(4), reminderDates: [d(-7), d(-3), d(4)] }),
      { remindersDone: 2, lastReminderAt: d(-3), reminderDates: [d(-7), d(-3)] },
    ],
    ['a last reminder after it, without the steps’ dates', row({ remindersDone: 1, lastReminderAt: d(1) }), { lastReminderAt: null }],
    ['a status without a sent date cannot be dated: kept', row({ sent: null, invoiceStatus: 'Overdue' }), { invoiceStatus: 'Overdue' }],
    ['a hand-typed paid row, paid after it: open then', paid({ sent: null, paidOn: d(3) }), { invoiceStatus: 'Sent', remaining: usd(1000) }],
  ] as const)('%s', (_label, input, expected) => {
    expect(asOf(input, AT)).toMatchObject(expected);
  });

  it('leaves a row with nothing after the instant as it is', () => {
    const r = paid({ paidOn: d(-1) });
    expect(asOf(r, AT)).toEqual({ ...r, lastReminderAt: null });
  });
});

describe('forecastItems: the cash to come', () => {
  it.each([
    ['an open invoice', row(), 'invoice', 1000],
    ['an overdue invoice', row({ invoiceStatus: 'Overdue', sent: d(-40), due: d(-10) }), 'invoice', 1000],
    ['a disputed invoice', row({ invoiceStatus: 'Disputed', disputed: true }), 'invoice', 1000],
    ['a part-paid invoice: what is left', row({ remaining: usd(400) }), 'invoice', 400],
    ['an invoice paid after the instant: all of it', paid({ paidOn: d(1) }), 'invoice', 1000],
    ['an invoice sent after the instant: projected', row({ sent: d(1), due: d(31) }), 'projected', 1000],
    ['an accepted milestone not invoiced', row({ sent: null, invoiceStatus: null }), 'projected', 1000],
    ['a delivered milestone', row({ stage: 'Delivered', accepted: null, sent: null, invoiceStatus: null }), 'projected', 1000],
    ['a draft invoice: still to be sent', row({ sent: null, invoiceStatus: 'Draft' }), 'projected', 1000],
    ['an open invoice typed in without a sent date', row({ sent: null, invoiceStatus: 'Overdue', due: d(-5) }), 'invoice', 1000],
    ['an invoice paid before the instant', paid({ paidOn: d(-1) }), null, 0],
    ['a paid row typed in without a sent date', paid({ sent: null, paidOn: null }), null, 0],
    ['a void invoice', row({ invoiceStatus: 'Void' }), null, 0],
    ['an uncollectible invoice', row({ invoiceStatus: 'Uncollectible' }), null, 0],
    ['nothing left to pay', row({ remaining: usd(0) }), null, 0],
    ['a milestone in progress', row({ stage: 'In progress', completed: null, accepted: null, sent: null, invoiceStatus: null }), null, 0],
    ['a milestone delivered after the instant', row({ stage: 'Delivered', completed: d(1), accepted: null, sent: null, invoiceStatus: null }), null, 0],
    ['a delivered milestone without its date', row({ stage: 'Delivered', completed: null, accepted: null, sent: null, invoiceStatus: null }), null, 0],
  ] as const)('%s', (_label, input, kind, major) => {
    const items = forecastItems([input], AT);
    expect(items.map((i) => i.kind)).toEqual(kind ? [kind] : []);
    if (kind) expect(items[0]?.amount).toEqual(usd(major));
  });

  it.each([
    ['a promise to pay', row({ promiseToPay: d(3) }), true],
    ['a dispute', row({ disputed: true }), true],
    ['a part payment', row({ remaining: usd(500) }), true],
    ['silence', row({ remindersDone: 2, lastReminderAt: d(-4) }), false],
  ] as const)('an answer to the chase: %s', (_label, input, responded) => {
    expect(forecastItems([input], AT)[0]?.responded).toBe(responded);
  });
});

describe('pipelineItems: work not delivered yet, due within the horizon', () => {
  const work = (over: Partial<ForecastRow>) =>
    row({ stage: 'In progress', completed: null, accepted: null, evidence: false, sent: null, invoiceStatus: null, due: null, planned: d(10), ...over });
  it.each([
    ['in progress, due in 10 days', work({}), true],
    ['planned, due in 30 days', work({ stage: 'Planned', planned: d(30) }), true],
    ['in progress and late: due 5 days ago', work({ planned: d(-5) }), true],
    ['due after the horizon', work({ planned: d(40) }), false],
    ['without a due date', work({ planned: null }), false],
    ['without an amount', work({ total: null, remaining: null }), false],
    ['delivered: a forecast item already', work({ stage: 'Delivered', completed: d(-1) }), false],
    ['delivered only after the instant: still work in progress then', work({ stage: 'Delivered', completed: d(2) }), true],
    ['invoiced', work({ stage: 'Accepted', completed: d(-3), accepted: d(-2), sent: d(-1), invoiceStatus: 'Sent' }), false],
  ] as const)('%s', (_label, input, included) => {
    const items = pipelineItems([input], AT, d(35));
    expect(items.map((i) => i.id)).toEqual(included ? ['m-1'] : []);
    if (included) expect(items[0]).toMatchObject({ kind: 'projected', stage: null, plannedDelivery: input.planned, amount: usd(1000) });
    // Never both: an item of forecastItems is not pipeline work.
    if (included) expect(forecastItems([input], AT)).toEqual([]);
  });
});

describe('behaviours: each client’s habits from its payments by the instant', () => {
  const terms = [
    { id: 'acme', paymentTermsDays: 14 },
    { id: 'new', paymentTermsDays: null },
  ];
  const history = [
    paid({ id: 'h1', sent: d(-100), due: d(-86), paidOn: d(-90) }), // 10 days, on time
    paid({ id: 'h2', sent: d(-80), due: d(-66), paidOn: d(-60) }), // 20 days, late
    paid({ id: 'h3', sent: d(-60), due: d(-46), paidOn: d(-30), disputed: true }), // 30 days, late, disputed
    paid({ id: 'h4', sent: d(-20), due: d(-6), paidOn: d(5) }), // paid after the instant: open then
    row({ id: 'h5', sent: d(5), invoiceStatus: 'Sent' }), // sent after the instant: not an invoice yet
  ];

  it('learns days to pay, late share and disputes from what was paid by then', () => {
    const acme = behaviours(history, terms, AT).get('acme');
    expect(acme).toMatchObject({ paymentTermsDays: 14, paidInvoices: 3, meanDaysToPay: 20, lateShare: 2 / 3, disputes: 1, invoices: 4 });
    expect(acme?.sdDaysToPay).toBeCloseTo(10, 5);
  });

  it('gives a client without history its terms and nothing else', () => {
    expect(behaviours(history, terms, AT).get('new')).toEqual({
      paymentTermsDays: null,
      paidInvoices: 0,
      meanDaysToPay: null,
      sdDaysToPay: null,
      lateShare: null,
      disputes: 0,
      invoices: 0,
      daysToPay: [],
      unpaid: 0,
      acceptLagDays: null,
      sendLagDays: null,
    });
  });

  it('keeps each payment’s days in order, and counts what went unpaid', () => {
    const rows = [
      ...history,
      row({ id: 'open', sent: d(-12), due: d(2) }),
      row({ id: 'late', sent: d(-80), due: d(-50), invoiceStatus: 'Overdue' }),
      row({ id: 'written off', sent: d(-200), due: d(-170), invoiceStatus: 'Uncollectible' }),
      row({ id: 'void', sent: d(-30), due: d(-10), invoiceStatus: 'Void' }),
    ];
    const acme = behaviours(rows, terms, AT).get('acme');
    expect(acme?.daysToPay).toEqual([10, 20, 30]);
    // 'late' (50 days past due) and the written-off one are unpaid; h4 (paid after the instant), 'open' and the void one are not.
    expect(acme?.unpaid).toBe(2);
  });

  it('learns how long the client takes to accept delivered work, and how long until the invoice goes out', () => {
    const rows = [
      row({ id: 'a', completed: d(-30), accepted: d(-28), sent: d(-27) }),
      row({ id: 'b', completed: d(-20), accepted: d(-16), sent: d(-13) }),
      row({ id: 'c', stage: 'Accepted', completed: d(-3), accepted: d(-3), sent: null, invoiceStatus: null }),
      row({ id: 'd', stage: 'Delivered', completed: d(-2), accepted: null, sent: null, invoiceStatus: null }),
    ];
    const acme = behaviours(rows, terms, AT).get('acme');
    expect(acme?.acceptLagDays).toBeCloseTo(2, 5);
    expect(acme?.sendLagDays).toBeCloseTo(2, 5);
  });

  it('paid on the due date is on time, the day after is late', () => {
    const rows = [paid({ id: 'a', due: d(-30), paidOn: new Date(d(-30).getTime() + DAY - 1) }), paid({ id: 'b', due: d(-30), paidOn: d(-29) })];
    expect(behaviours(rows, terms, AT).get('acme')?.lateShare).toBe(0.5);
  });
});

describe('nothing dated after the instant changes the forecast', () => {
  const terms = [{ id: 'acme', paymentTermsDays: 30 }];
  const before = [
    paid({ id: 'p1', sent: d(-90), due: d(-60), paidOn: d(-62) }),
    paid({ id: 'p2', sent: d(-70), due: d(-40), paidOn: d(-35) }),
    paid({ id: 'p3', sent: d(-50), due: d(-20), paidOn: d(-21) }),
    row({ id: 'open', sent: d(-20), due: d(10) }),
    row({ id: 'overdue', sent: d(-45), due: d(-15), invoiceStatus: 'Overdue', reminderDates: [d(-42), d(-38)], remindersDone: 2, lastReminderAt: d(-38) }),
    row({ id: 'accepted', sent: null, invoiceStatus: null, accepted: d(-1) }),
    row({ id: 'delivered', stage: 'Delivered', sent: null, invoiceStatus: null, completed: d(-2), accepted: null, evidence: false }),
  ];
  const after = [
    paid({ id: 'p1', sent: d(-90), due: d(-60), paidOn: d(-62) }),
    paid({ id: 'p2', sent: d(-70), due: d(-40), paidOn: d(-35) }),
    paid({ id: 'p3', sent: d(-50), due: d(-20), paidOn: d(-21) }),
    paid({ id: 'open', sent: d(-20), due: d(10), paidOn: d(1) }),
    row({
      id: 'overdue',
      sent: d(-45),
      due: d(-15),
      invoiceStatus: 'Overdue',
      reminderDates: [d(-42), d(-38), d(2)],
      remindersDone: 3,
      lastReminderAt: d(2),
    }),
    paid({ id: 'accepted', accepted: d(-1), sent: d(1), due: d(31), paidOn: d(20) }),
    row({ id: 'delivered', stage: 'Accepted', sent: d(3), invoiceStatus: 'Sent', completed: d(-2), accepted: d(2) }),
  ];

  it('gives the same items, habits and weeks with or without what came later', () => {
    const run = (rows: ForecastRow[]) =>
      forecast(forecastItems(rows, AT), behaviours(rows, terms, AT), {
        now: AT,
        utcOffsetMinutes: 0,
        timeZone: 'UTC',
        weeks: 5,
        fallbackTermsDays: 30,
        sendLagHours: 2,
      });
    expect(forecastItems(after, AT)).toEqual(forecastItems(before, AT));
    expect(behaviours(after, terms, AT)).toEqual(behaviours(before, terms, AT));
    expect(run(after)).toEqual(run(before));
    expect(run(before).items.map((i) => i.id)).toEqual(['open', 'overdue', 'accepted', 'delivered']);
  });
});
