import { describe, expect, it } from 'vitest';
import type { InvoiceHistoryRow } from '../../src/domain/client-history.js';
import { buildWeeklyReview, isoWeek, latestWeeklySlot, overdueReason, weeklyReviewNote, type OverdueItem } from '../../src/domain/weekly-review.js';

const TZ = 'Europe/Berlin';
const paid = (sent: string, due: string, paidOn: string): InvoiceHistoryRow => ({ clientId: 'c', status: 'Paid', sent, due, paidOn, disputed: false });
const item = (over: Partial<OverdueItem>): OverdueItem => ({
  title: 'Homepage',
  clientName: 'Acme',
  outstanding: { minor: 250_000, currency: 'USD' },
  daysLate: 3,
  exception: null,
  promiseToPay: null,
  reminderStage: null,
  ...over,
});

describe('weeks', () => {
  it('names ISO weeks, across a year boundary', () => {
    expect(isoWeek('2026-12-04')).toBe('2026-W49');
    expect(isoWeek('2027-01-01')).toBe('2026-W53');
    expect(isoWeek('2027-01-04')).toBe('2027-W01');
    expect(isoWeek('2026-01-01')).toBe('2026-W01');
  });

  it('finds the Friday 16:00 slot a review was last due, in the founder zone', () => {
    // Friday 4 December 2026, 15:59 Berlin: last week's slot.
    expect(latestWeeklySlot(new Date('2026-12-04T14:59:00Z'), TZ, 5, 960)).toEqual({ at: new Date('2026-11-27T15:00:00Z'), week: '2026-W48' });
    expect(latestWeeklySlot(new Date('2026-12-04T15:00:00Z'), TZ, 5, 960)).toEqual({ at: new Date('2026-12-04T15:00:00Z'), week: '2026-W49' });
    expect(latestWeeklySlot(new Date('2026-12-07T08:00:00Z'), TZ, 5, 960).week).toBe('2026-W49');
  });
});

describe('the weekly review', () => {
  const now = new Date('2026-12-04T15:00:00Z');

  it('gives the reasons invoices are overdue and the totals per currency', () => {
    const review = buildWeeklyReview({
      now,
      timeZone: TZ,
      history: [],
      overdue: [
        item({ exception: 'PO mismatch' }),
        item({ reminderStage: 'T+7 escalation', outstanding: { minor: 1000, currency: 'EUR' } }),
        item({ reminderStage: 'T+3 reminder' }),
        item({ promiseToPay: '2026-12-10' }),
      ],
    });
    expect(review.overdueCount).toBe(4);
    expect(review.overdueTotals).toEqual([
      { currency: 'USD', minor: 750_000 },
      { currency: 'EUR', minor: 1000 },
    ]);
    expect(review.reasons[0]).toEqual({ reason: 'No payment after reminders', count: 2 });
    expect(review.reasons.map((r) => r.reason)).toContain('Exception: PO mismatch');
    expect(overdueReason(item({}))).toBe('Not chased yet');
  });

  it('shows on-time rate and days to pay week by week, and calls out two weeks of drift', () => {
    const history = [
      // Week 47 (16–22 Nov): both on time, 5 and 7 days.
      paid('2026-11-12T10:00:00Z', '2026-11-26', '2026-11-17T10:00:00Z'),
      paid('2026-11-12T10:00:00Z', '2026-11-26', '2026-11-19T10:00:00Z'),
      // Week 48: one of two on time, 10 and 14 days.
      paid('2026-11-14T10:00:00Z', '2026-11-28', '2026-11-24T10:00:00Z'),
      paid('2026-11-12T10:00:00Z', '2026-11-25', '2026-11-26T10:00:00Z'),
      // Week 49 so far: late, 20 days.
      paid('2026-11-11T10:00:00Z', '2026-11-25', '2026-12-01T10:00:00Z'),
      // Not paid, and paid after now: not counted.
      { clientId: 'c', status: 'Sent', sent: '2026-11-20T10:00:00Z', due: '2026-12-04', paidOn: null, disputed: false },
      paid('2026-11-20T10:00:00Z', '2026-12-04', '2026-12-05T10:00:00Z'),
    ] satisfies InvoiceHistoryRow[];
    const review = buildWeeklyReview({ now, timeZone: TZ, overdue: [], history });
    expect(review.week).toBe('2026-W49');
    expect(review.trends.map((t) => t.week)).toEqual(['2026-W45', '2026-W46', '2026-W47', '2026-W48', '2026-W49']);
    expect(review.trends.slice(2)).toEqual([
      { week: '2026-W47', paid: 2, onTimeRate: 100, medianDaysToPay: 6 },
      { week: '2026-W48', paid: 2, onTimeRate: 50, medianDaysToPay: 12 },
      { week: '2026-W49', paid: 1, onTimeRate: 0, medianDaysToPay: 20 },
    ]);
    expect(review.drift).toHaveLength(2);
    expect(review.drift[0]).toContain('100 % → 50 % → 0 %');
    const note = weeklyReviewNote(review);
    expect(note.key).toBe('weekly-review:2026-W49');
    expect(note.lines).toContain('2026-W48: 2 paid, 50 % on time, 12 days to pay (median)');
    expect(note.lines[0]).toBe('Nothing is overdue.');
  });

  it('calls out nothing when the numbers hold or improve', () => {
    const history = [paid('2026-11-12T10:00:00Z', '2026-11-26', '2026-11-24T10:00:00Z'), paid('2026-11-20T10:00:00Z', '2026-12-04', '2026-12-01T10:00:00Z')];
    expect(buildWeeklyReview({ now, timeZone: TZ, overdue: [], history }).drift).toEqual([]);
  });
});
