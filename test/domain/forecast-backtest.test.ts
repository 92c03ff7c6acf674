/**
 * The synthetic books the backtest scores the forecast on (scripts/synthetic-books.ts), and the
 * backtest itself (scripts/backtest.ts): the same seed gives the same book, every book holds the
 * behaviour the issue asks for, its snapshots are valid and know nothing of the future, and the
 * forecast meets its goals on the default seeds.
 */
import { describe, expect, it } from 'vitest';
import { readSnapshot } from '../../src/snapshot/read.js';
import { runBacktest } from '../../scripts/backtest.js';
import { BOOK_WEEKS, bookFacts, generateBook, snapshotAt } from '../../scripts/synthetic-books.js';

const SEEDS = [1, 2, 3, 4, 5];

describe('synthetic books', () => {
  it('are the same for the same seed, and differ between seeds', () => {
    const at = new Date('2025-09-01T08:00:00Z');
    expect(snapshotAt(generateBook(3), at)).toEqual(snapshotAt(generateBook(3), at));
    expect(snapshotAt(generateBook(3), at)).not.toEqual(snapshotAt(generateBook(4), at));
  });

  it.each(SEEDS)('seed %i: at least 26 scored weeks, and clients who pay late, very late, in parts, dispute, or never pay', (seed) => {
    const book = generateBook(seed);
    expect(book.scoredMondays.length).toBeGreaterThanOrEqual(26);
    expect(BOOK_WEEKS.scored).toBeGreaterThanOrEqual(26);
    for (const habit of ['late', 'very late', 'disputes', 'partial', 'defaulter'] as const) expect(book.clients.map((c) => c.habit)).toContain(habit);
    expect(new Set(book.clients.map((c) => c.terms)).size).toBeGreaterThan(2);
    const facts = bookFacts(book);
    for (const key of ['disputed', 'never paid', 'paid in parts', 'paid late', 'promises', 'held (evidence, PO, change order)'])
      expect(facts[key]).toBeGreaterThan(0);
    expect(facts.invoices).toBeGreaterThan(100);
    // Mondays at 08:00 in the book's zone, a week apart.
    for (const monday of book.scoredMondays) {
      const local = new Intl.DateTimeFormat('en-GB', {
        timeZone: book.timeZone,
        weekday: 'short',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      }).format(monday);
      expect(local).toBe('Mon 08:00');
    }
  });

  it.each(SEEDS)('seed %i: every snapshot reads as a ledger snapshot and holds nothing dated after its instant', (seed) => {
    const book = generateBook(seed);
    const planned = new Set(['Due', 'Invoice due', 'Promise to pay']);
    for (const at of book.scoredMondays.filter((_, i) => i % 5 === 0)) {
      const snapshot = snapshotAt(book, at);
      expect(() => readSnapshot(snapshot, { timeZone: book.timeZone })).not.toThrow();
      for (const row of snapshot.milestones) {
        for (const [key, value] of Object.entries(row)) {
          if (planned.has(key) || typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T/.test(value)) continue;
          expect(Date.parse(value), `${row.id} ${key}`).toBeLessThanOrEqual(at.getTime());
        }
      }
    }
  });
});

describe('the backtest', () => {
  it('meets the goals on the default seeds: week-1 WAPE 35 % under naive, 4-week WAPE at most 14 %, coverage 75–95 %', () => {
    const run = runBacktest(SEEDS);
    expect(run.overall.weeks).toBe(SEEDS.length * BOOK_WEEKS.scored);
    expect(run.goals.filter((g) => !g.met)).toEqual([]);
    // Better than naive in every book, and honest bands in every book.
    for (const s of run.seeds) {
      expect(s.figures.cashin.week1Wape).toBeLessThan(s.figures.naive.week1Wape);
      expect(s.figures.cashin.fourWeekWape).toBeLessThan(s.figures.naive.fourWeekWape);
      expect(s.figures.cashin.coverage).toBeGreaterThan(0.7);
    }
  }, 120_000);
});
