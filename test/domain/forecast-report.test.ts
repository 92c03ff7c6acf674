/**
 * The forecast of a ledger snapshot as `npm run forecast` prints it (src/snapshot/report.ts): each
 * currency on its own weeks, weeks from the Monday of `at` in the founder's zone, overdue money
 * expected from `at` on.
 */
import { describe, expect, it } from 'vitest';
import { readSnapshot } from '../../src/snapshot/read.js';
import { forecastReport } from '../../src/snapshot/report.js';

const clients = [
  { Client: 'Acme', 'Billing email': 'ap@acme.test', Currency: 'USD', 'Payment terms': 30 },
  { Client: 'Bäckerei', 'Billing email': 'buch@baeckerei.test', Currency: 'EUR', 'Payment terms': 14 },
  { Client: 'Kaisha', 'Billing email': 'keiri@kaisha.test', Currency: 'JPY' },
];
const invoice = (id: string, client: string, amount: number, sent: string, due: string, extra: Record<string, unknown> = {}) => ({
  id,
  Milestone: id,
  Client: client,
  Amount: amount,
  Stage: 'Accepted',
  Completed: sent.slice(0, 10),
  Accepted: sent.slice(0, 10),
  'Acceptance evidence': 'https://example.test/ok',
  'Invoice status': 'Sent',
  'Invoice sent': sent,
  'Invoice due': due,
  ...extra,
});
const snapshot = {
  currency: 'USD',
  clients,
  milestones: [
    invoice('u-1', 'Acme', 2500, '2026-05-19T10:00:00Z', '2026-06-18'),
    invoice('u-late', 'Acme', 1200, '2026-03-02T10:00:00Z', '2026-04-01', { 'Invoice status': 'Overdue' }),
    invoice('e-1', 'Bäckerei', 850, '2026-05-25T10:00:00Z', '2026-06-08'),
    invoice('j-1', 'Kaisha', 120000, '2026-05-20T01:00:00Z', '2026-06-19'),
  ],
};

const report = (at: string, timeZone = 'UTC', weeks = 5) => forecastReport(readSnapshot(snapshot, { timeZone }), { at: new Date(at), weeks, timeZone });

describe('the snapshot forecast', () => {
  it('reports the snapshot’s currency in weeks and every other currency on its own, never summed in', () => {
    const all = report('2026-06-03T09:00:00Z');
    expect(Object.keys(all).sort()).toEqual(['at', 'currency', 'invoices', 'otherCurrencies', 'weeks']);
    expect(Object.keys(all.otherCurrencies)).toEqual(['EUR', 'JPY']);
    const usdOnly = forecastReport(readSnapshot({ ...snapshot, milestones: snapshot.milestones.filter((m) => m.id.startsWith('u-')) }, { timeZone: 'UTC' }), {
      at: new Date('2026-06-03T09:00:00Z'),
      weeks: 5,
      timeZone: 'UTC',
    });
    expect(all.weeks).toEqual(usdOnly.weeks);
    expect(usdOnly.otherCurrencies).toEqual({});
    // JPY has no decimals; each list has the same weeks.
    for (const weeks of Object.values(all.otherCurrencies)) expect(weeks.map((w) => w.start)).toEqual(all.weeks.map((w) => w.start));
    for (const w of all.otherCurrencies.JPY ?? []) expect(Number.isInteger(w.expected)).toBe(true);
    const eurTotal = (all.otherCurrencies.EUR ?? []).reduce((s, w) => s + w.expected, 0);
    expect(eurTotal).toBeGreaterThan(0);
    expect(eurTotal).toBeLessThanOrEqual(850);
  });

  it.each([
    ['UTC, a Wednesday', '2026-06-03T09:00:00Z', 'UTC', '2026-06-01'],
    ['Berlin, Monday 00:30 (Sunday in UTC)', '2026-05-31T22:30:00Z', 'Europe/Berlin', '2026-06-01'],
    ['Los Angeles, Sunday evening (Monday in UTC)', '2026-06-01T03:00:00Z', 'America/Los_Angeles', '2026-05-25'],
    ['Berlin, the week clocks go forward', '2026-03-26T09:00:00Z', 'Europe/Berlin', '2026-03-23'],
  ])('weeks start on the Monday of the week holding --at: %s', (_label, at, zone, first) => {
    const r = report(at, zone);
    expect(r.weeks).toHaveLength(5);
    expect(r.weeks[0]?.start).toBe(first);
    for (const [i, w] of r.weeks.entries()) {
      expect(new Date(`${w.start}T00:00:00Z`).getUTCDay()).toBe(1);
      expect(Date.parse(`${w.start}T00:00:00Z`) - Date.parse(`${first}T00:00:00Z`)).toBe(i * 7 * 86_400_000);
    }
    expect(report(at, zone, 13).weeks).toHaveLength(13);
  });

  it('adds work due for delivery within the horizon to the weeks, not to the invoices', () => {
    const inProgress = (due: string) => ({ id: `w-${due}`, Milestone: 'Next phase', Client: 'Acme', Amount: 4000, Stage: 'In progress', Due: due });
    const at = new Date('2026-06-03T09:00:00Z');
    const withWork = (due: string) =>
      forecastReport(readSnapshot({ ...snapshot, milestones: [...snapshot.milestones, inProgress(due)] }, { timeZone: 'UTC' }), {
        at,
        weeks: 5,
        timeZone: 'UTC',
      });
    const without = report('2026-06-03T09:00:00Z');
    const soon = withWork('2026-06-05');
    const total = (r: typeof soon) => r.weeks.reduce((s, w) => s + w.expected, 0);
    expect(soon.invoices).toEqual(without.invoices);
    expect(total(soon)).toBeGreaterThan(total(without));
    expect(total(soon) - total(without)).toBeLessThan(4000);
    // Due after the five weeks: nothing in them.
    expect(withWork('2026-08-20').weeks).toEqual(without.weeks);
  });

  it('expects an overdue invoice from --at on, never in the past', () => {
    const r = report('2026-06-03T09:00:00Z');
    const late = r.invoices.find((i) => i.id === 'u-late');
    expect(late?.expectedDate && late.expectedDate >= '2026-06-03').toBe(true);
    expect(late?.tier).toBe('Low');
  });
});
