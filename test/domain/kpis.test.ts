import { describe, expect, it } from 'vitest';
import type { ForecastRow } from '../../src/domain/forecast-inputs.js';
import { agingKey, type AgingKey, kpis, median } from '../../src/domain/kpis.js';
import type { Money } from '../../src/domain/money.js';
import { localInstant } from '../../src/domain/time.js';

const TZ = 'Europe/Berlin'; // UTC+1 in December
const NOW = new Date('2026-12-10T12:00:00Z');
const at = (iso: string) => new Date(iso);
/** Start of a calendar day in Berlin, as due dates are kept. */
const day = (date: string) => localInstant(date, 0, TZ);
const m = (minor: number, currency = 'USD'): Money => ({ minor, currency });

let n = 0;
const nextId = () => {
  n += 1;
  return `m${n}`;
};
const row = (over: Partial<ForecastRow>): ForecastRow => ({
  id: nextId(),
  clientId: 'c1',
  stage: 'Accepted',
  total: m(100_00),
  remaining: m(100_00),
  completed: null,
  accepted: null,
  evidence: true,
  blockers: 0,
  changeOrder: false,
  invoiceStatus: 'Sent',
  sent: null,
  due: null,
  paidOn: null,
  disputed: false,
  promiseToPay: null,
  remindersDone: 0,
  lastReminderAt: null,
  ...over,
});
/** A paid invoice: nothing remains. */
const paid = (sent: string, paidOn: string, over: Partial<ForecastRow> = {}) =>
  row({ sent: at(sent), paidOn: at(paidOn), invoiceStatus: 'Paid', remaining: m(0), ...over });

describe('kpis with nothing to measure', () => {
  it.each([
    ['no rows', []],
    [
      'only milestones not invoiced yet',
      [row({ stage: 'Delivered', invoiceStatus: null }), row({ accepted: at('2026-12-09T10:00:00Z'), invoiceStatus: null })],
    ],
    ['only invoices sent after now', [row({ sent: at('2026-12-11T10:00:00Z'), accepted: at('2026-12-11T09:00:00Z') })]],
  ])('%s: nulls, not NaN', (_name, rows) => {
    const k = kpis(rows, NOW, TZ);
    expect(k.invoicesSent).toBe(0);
    expect(k.acceptanceLag).toEqual({ median: null, samples: 0 });
    expect(k.sameDayDispatch).toMatchObject({ rate: null, count: 0, of: 0, met: null, target: { comparison: 'above', value: 0.8 } });
    expect(k.disputeRate).toMatchObject({ rate: null, count: 0, of: 0, met: null, target: { comparison: 'below', value: 0.08 } });
    expect(k.daysToPay).toEqual({ median: null, samples: 0 });
    expect(k.dso).toEqual([]);
    expect(k.aging.map((b) => [b.key, b.count, b.amounts])).toEqual([
      ['current', 0, {}],
      ['1-7', 0, {}],
      ['8-14', 0, {}],
      ['15-30', 0, {}],
      ['31+', 0, {}],
    ]);
    expect(JSON.stringify(k)).not.toContain('NaN');
  });
});

describe('median', () => {
  it.each([
    [[], null],
    [[5], 5],
    [[3, 1], 2],
    [[9, 1, 4], 4],
    [[48, 1, 20.5, 2], 11.25],
  ])('of %j is %j', (values, expected) => {
    expect(median(values)).toBe(expected);
  });
});

describe('acceptance-to-invoice lag and same-day dispatch', () => {
  // Each case: one invoice; accepted and sent as UTC instants; the lag in hours; sent the same Berlin day?
  it.each([
    ['an hour apart, same UTC day, across Berlin midnight', '2026-12-01T22:30:00Z', '2026-12-01T23:30:00Z', 1, false],
    ['20.5 hours apart, different UTC days, the same Berlin day', '2026-12-02T23:30:00Z', '2026-12-03T20:00:00Z', 20.5, true],
    ['two hours apart in the morning', '2026-12-04T08:00:00Z', '2026-12-04T10:00:00Z', 2, true],
    ['two days apart', '2026-12-05T08:00:00Z', '2026-12-07T08:00:00Z', 48, false],
    ['accepted recorded after sending: lag 0', '2026-12-04T10:00:00Z', '2026-12-04T09:00:00Z', 0, true],
    ['accepted as a date only (Berlin midnight), sent that evening', day('2026-12-08').toISOString(), '2026-12-08T18:00:00Z', 19, true],
  ])('%s', (_name, accepted, sent, hours, sameDay) => {
    const k = kpis([row({ accepted: at(accepted), sent: at(sent) })], NOW, TZ);
    expect(k.acceptanceLag).toEqual({ median: hours, samples: 1 });
    expect(k.sameDayDispatch).toMatchObject({ rate: sameDay ? 1 : 0, count: sameDay ? 1 : 0, of: 1, met: sameDay });
  });

  it('takes the median over invoices sent in the last 90 days with both dates', () => {
    const rows = [
      row({ accepted: at('2026-12-01T22:30:00Z'), sent: at('2026-12-01T23:30:00Z') }), // 1 h, not same day
      row({ accepted: at('2026-12-02T23:30:00Z'), sent: at('2026-12-03T20:00:00Z') }), // 20.5 h, same day
      row({ accepted: at('2026-12-04T08:00:00Z'), sent: at('2026-12-04T10:00:00Z') }), // 2 h, same day
      row({ accepted: at('2026-12-05T08:00:00Z'), sent: at('2026-12-07T08:00:00Z') }), // 48 h, not same day
      row({ sent: at('2026-12-06T08:00:00Z') }), // no acceptance date: counted as sent, not in the lag
      row({ accepted: at('2026-08-01T08:00:00Z'), sent: at('2026-08-01T09:00:00Z') }), // sent 131 days ago
      row({ accepted: at('2026-12-10T11:00:00Z'), sent: at('2026-12-10T13:00:00Z') }), // sent after now
    ];
    const k = kpis(rows, NOW, TZ);
    expect(k.invoicesSent).toBe(5);
    expect(k.acceptanceLag).toEqual({ median: 11.25, samples: 4 });
    expect(k.sameDayDispatch).toMatchObject({ rate: 0.5, count: 2, of: 4, met: false });
  });

  it.each([
    [4, 5, 0.8, false], // exactly 80 % is not above 80 %
    [9, 10, 0.9, true],
  ])('%i of %i sent the same day: rate %d, target met %s', (same, of, expected, met) => {
    const rows = Array.from({ length: of }, (_, i) =>
      row({ accepted: at('2026-12-01T09:00:00Z'), sent: at(i < same ? '2026-12-01T15:00:00Z' : '2026-12-02T15:00:00Z') }),
    );
    expect(kpis(rows, NOW, TZ).sameDayDispatch).toMatchObject({ rate: expected, count: same, of, met });
  });
});

describe('dispute rate', () => {
  const sentIn = (disputed: boolean, status = 'Sent') => row({ sent: at('2026-11-20T10:00:00Z'), disputed, invoiceStatus: status });
  it.each([
    ['1 of 25 disputed', [sentIn(true), ...Array.from({ length: 24 }, () => sentIn(false))], 1, 25, 0.04, true],
    ['2 of 25 disputed: 8 % is not below 8 %', [sentIn(true), sentIn(true), ...Array.from({ length: 23 }, () => sentIn(false))], 2, 25, 0.08, false],
    ['status Disputed counts too', [sentIn(false, 'Disputed'), sentIn(false)], 1, 2, 0.5, false],
    [
      'a dispute on an invoice sent 100 days ago is outside the window',
      [row({ sent: at('2026-09-01T10:00:00Z'), disputed: true }), sentIn(false)],
      0,
      1,
      0,
      true,
    ],
  ])('%s', (_name, rows, count, of, expected, met) => {
    expect(kpis(rows, NOW, TZ).disputeRate).toMatchObject({ rate: expected, count, of, met });
  });
});

describe('median days to pay', () => {
  it('is over invoices paid in the window, from sent to paid', () => {
    const rows = [
      paid('2026-12-01T10:00:00Z', '2026-12-05T10:00:00Z'), // 4 days
      paid('2026-11-01T10:00:00Z', '2026-11-21T10:00:00Z'), // 20 days
      paid('2026-11-10T10:00:00Z', '2026-11-12T22:00:00Z'), // 2.5 days
      paid('2026-07-01T10:00:00Z', '2026-08-01T10:00:00Z'), // paid 131 days ago: out
      paid('2026-12-01T10:00:00Z', '2026-12-12T10:00:00Z'), // paid after now: still open then
      row({ sent: at('2026-12-01T10:00:00Z'), paidOn: at('2026-12-03T10:00:00Z'), invoiceStatus: 'Void' }), // not paid
    ];
    const k = kpis(rows, NOW, TZ);
    expect(k.daysToPay).toEqual({ median: 4, samples: 3 });
    // The one paid after now is an open receivable as of now, and not yet due.
    expect(k.aging[0]).toMatchObject({ key: 'current', count: 1, amounts: { USD: 100_00 } });
  });
});

describe('DSO per currency (open receivables ÷ invoiced in 90 days × 90)', () => {
  it('keeps currencies apart and says null when nothing was invoiced', () => {
    const rows = [
      // USD: invoiced in the window 10,000 + 5,000; open 5,000 of those plus 2,000 sent 120 days ago.
      paid('2026-11-01T10:00:00Z', '2026-11-20T10:00:00Z', { total: m(10_000_00), remaining: m(0) }),
      row({ sent: at('2026-11-15T10:00:00Z'), total: m(5_000_00), remaining: m(5_000_00) }),
      row({ sent: at('2026-08-12T10:00:00Z'), total: m(2_000_00), remaining: m(2_000_00), invoiceStatus: 'Overdue' }),
      // A void invoice is neither invoiced nor receivable.
      row({ sent: at('2026-11-16T10:00:00Z'), total: m(9_999_00), remaining: m(9_999_00), invoiceStatus: 'Void' }),
      // EUR: 3,000 invoiced, 1,000 left after a part payment.
      row({ sent: at('2026-11-20T10:00:00Z'), total: m(3_000_00, 'EUR'), remaining: m(1_000_00, 'EUR') }),
      // JPY: open, but sent 200 days ago; nothing invoiced in the window.
      row({ sent: at('2026-05-24T10:00:00Z'), total: m(50_000, 'JPY'), remaining: m(50_000, 'JPY'), invoiceStatus: 'Overdue' }),
      // Uncollectible: invoiced, not receivable.
      row({ sent: at('2026-11-25T10:00:00Z'), total: m(500_00, 'EUR'), remaining: m(500_00, 'EUR'), invoiceStatus: 'Uncollectible' }),
    ];
    expect(kpis(rows, NOW, TZ).dso).toEqual([
      { currency: 'EUR', receivables: 1_000_00, invoiced: 3_500_00, days: (1_000_00 / 3_500_00) * 90 },
      { currency: 'JPY', receivables: 50_000, invoiced: 0, days: null },
      { currency: 'USD', receivables: 7_000_00, invoiced: 15_000_00, days: 42 },
    ]);
  });
});

describe('aging of unpaid invoices by days past due', () => {
  it.each([
    [-10, 'current'],
    [0, 'current'],
    [1, '1-7'],
    [7, '1-7'],
    [8, '8-14'],
    [14, '8-14'],
    [15, '15-30'],
    [30, '15-30'],
    [31, '31+'],
    [400, '31+'],
  ] as [number, AgingKey][])('%i days past due is %s', (days, key) => {
    expect(agingKey(days)).toBe(key);
  });

  // Today in Berlin is 10 December 2026.
  it.each([
    ['due in ten days', '2026-12-20', 'current'],
    ['due today', '2026-12-10', 'current'],
    ['due yesterday', '2026-12-09', '1-7'],
    ['7 days past due', '2026-12-03', '1-7'],
    ['8 days past due', '2026-12-02', '8-14'],
    ['14 days past due', '2026-11-26', '8-14'],
    ['15 days past due', '2026-11-25', '15-30'],
    ['30 days past due', '2026-11-10', '15-30'],
    ['31 days past due', '2026-11-09', '31+'],
  ])('%s (%s) is %s', (_name, due, key) => {
    const k = kpis([row({ sent: at('2026-10-01T10:00:00Z'), due: day(due), invoiceStatus: 'Overdue' })], NOW, TZ);
    expect(k.aging.filter((b) => b.count > 0).map((b) => b.key)).toEqual([key]);
  });

  it('turns over at midnight in the founder zone, not in UTC', () => {
    const rows = [row({ sent: at('2026-11-01T10:00:00Z'), due: day('2026-12-10') })];
    const key = (now: string) => kpis(rows, at(now), TZ).aging.find((b) => b.count > 0)?.key;
    expect(key('2026-12-10T22:30:00Z')).toBe('current'); // 23:30 on the 10th in Berlin
    expect(key('2026-12-10T23:30:00Z')).toBe('1-7'); // 00:30 on the 11th in Berlin, still the 10th in UTC
  });

  it('counts and sums what remains per currency, leaving settled invoices out', () => {
    const rows = [
      row({ sent: at('2026-11-20T10:00:00Z'), due: day('2026-12-05'), remaining: m(1_000_00), invoiceStatus: 'Overdue' }),
      row({ sent: at('2026-11-20T10:00:00Z'), due: day('2026-12-06'), total: m(800_00), remaining: m(250_50), invoiceStatus: 'Overdue' }),
      row({
        sent: at('2026-11-20T10:00:00Z'),
        due: day('2026-12-04'),
        total: m(700_00, 'EUR'),
        remaining: m(700_00, 'EUR'),
        disputed: true,
        invoiceStatus: 'Disputed',
      }),
      row({ sent: at('2026-10-01T10:00:00Z'), due: day('2026-10-31'), total: m(90_000, 'JPY'), remaining: m(90_000, 'JPY'), invoiceStatus: 'Overdue' }),
      row({ sent: at('2026-12-08T10:00:00Z'), due: day('2026-12-22'), remaining: m(300_00) }),
      row({ sent: at('2026-12-01T10:00:00Z') }), // no due date: current
      paid('2026-11-01T10:00:00Z', '2026-11-30T10:00:00Z', { due: day('2026-11-15') }),
      row({ sent: at('2026-10-01T10:00:00Z'), due: day('2026-10-15'), invoiceStatus: 'Void' }),
      row({ sent: at('2026-10-01T10:00:00Z'), due: day('2026-10-15'), invoiceStatus: 'Uncollectible' }),
    ];
    expect(kpis(rows, NOW, TZ).aging).toEqual([
      { key: 'current', fromDays: null, toDays: 0, count: 2, amounts: { USD: 400_00 } },
      { key: '1-7', fromDays: 1, toDays: 7, count: 3, amounts: { USD: 1_250_50, EUR: 700_00 } },
      { key: '8-14', fromDays: 8, toDays: 14, count: 0, amounts: {} },
      { key: '15-30', fromDays: 15, toDays: 30, count: 0, amounts: {} },
      { key: '31+', fromDays: 31, toDays: null, count: 1, amounts: { JPY: 90_000 } },
    ]);
  });
});
