/**
 * The reminder ladder, simulated hour by hour over 45 days for every preset: each step once, at its
 * time, inside reminder hours; payment stops it; a dispute pauses it and a resume shifts it; a
 * promise to pay holds it; downtime produces one step, not the ones missed.
 */
import { describe, expect, it } from 'vitest';
import {
  FINAL_BY_HAND,
  PRESETS,
  REMINDER_STAGES,
  isClientFacing,
  ladderFor,
  ladderStatus,
  nextOpening,
  parseOffsets,
  parseReminderDays,
  parseReminderHours,
  plannedAt,
  stepsDone,
  type Ladder,
  type LadderFacts,
  type LadderStep,
  type ReminderWindow,
} from '../../src/domain/ladder.js';
import { REMINDER_CADENCES } from '../../src/domain/milestone.js';
import { addDays, localDate, minuteOfDay, weekdayOf } from '../../src/domain/time.js';
import { aClient } from '../support/records.js';

const TZ = 'Europe/Berlin';
const window: ReminderWindow = { fromMinute: 9 * 60, toMinute: 17 * 60, days: [1, 2, 3, 4, 5], timeZone: TZ };
const HOUR = 3_600_000;
/** Sent on a Wednesday afternoon, Berlin time; due 30 days later. */
const SENT = new Date('2026-12-02T14:20:00Z');
const DUE = addDays(localDate(SENT, TZ), 30);

type Fired = { name: string; at: Date; skipped: string[] };

type Scenario = {
  ladder: Ladder;
  /** Hours after sending at which the bot is not running. */
  down?: (hour: number) => boolean;
  paidAtHour?: number;
  /** Dispute open from/to these hours (resumed at `to`). */
  dispute?: { from: number; to: number };
  promiseToPay?: string;
  days?: number;
};

/** Runs the ladder as the bot would: every hour it asks for the step due, performs it and records it. */
function simulate(s: Scenario): Fired[] {
  const fired: Fired[] = [];
  let recordedStage: string | null = null;
  let pausedMs = 0;
  for (let hour = 0; hour <= (s.days ?? 46) * 24; hour += 1) {
    const now = new Date(SENT.getTime() + hour * HOUR + 7 * 60_000);
    if (s.down?.(hour)) continue;
    const disputed = s.dispute !== undefined && hour >= s.dispute.from && hour < s.dispute.to;
    if (s.dispute && hour === s.dispute.to) pausedMs = (s.dispute.to - s.dispute.from) * HOUR;
    const facts: LadderFacts = {
      ladder: s.ladder,
      recordedStage,
      sentAt: SENT,
      dueDate: DUE,
      settled: s.paidAtHour !== undefined && hour >= s.paidAtHour,
      disputed,
      pausedSince: disputed && s.dispute ? new Date(SENT.getTime() + s.dispute.from * HOUR) : null,
      pausedMs,
      promiseToPay: s.promiseToPay ?? null,
      snoozedUntil: null,
    };
    const status = ladderStatus(facts, now, window);
    if (status.state === 'due') {
      fired.push({ name: status.due.step.name, at: now, skipped: status.skipped.map((x) => x.step.name) });
      recordedStage = status.due.step.name;
    }
  }
  return fired;
}

const insideHours = (at: Date) => {
  const minute = minuteOfDay(at, TZ);
  return window.days.includes(weekdayOf(localDate(at, TZ))) && minute >= window.fromMinute && minute < window.toMinute;
};

const facts = { sentAt: SENT, dueDate: DUE, pausedMs: 0 };

function stepOf(ladder: Ladder, index: number): LadderStep {
  const found = ladder.steps.at(index);
  if (!found) throw new Error(`${ladder.cadence} has no step ${index}`);
  return found;
}

/** When a step is planned, before reminder hours and holds. */
function planned(ladder: Ladder, index: number): Date {
  const at = plannedAt(stepOf(ladder, index), facts, TZ);
  if (!at) throw new Error('step without a date');
  return at;
}

describe('every preset over 45 days, hour by hour', () => {
  for (const cadence of REMINDER_CADENCES) {
    const ladder = PRESETS[cadence];

    it(`${cadence}: each step fires once, in order, at its time, client steps inside reminder hours`, () => {
      const fired = simulate({ ladder });
      expect(fired.map((f) => f.name)).toEqual(ladder.steps.map((s) => s.name));
      for (const [i, f] of fired.entries()) {
        const step = stepOf(ladder, i);
        const plan = planned(ladder, i);
        expect(f.at.getTime()).toBeGreaterThanOrEqual(plan.getTime());
        expect(f.skipped).toEqual([]);
        if (isClientFacing(step)) {
          expect(insideHours(f.at)).toBe(true);
          // At the first hour the window allows, not later.
          expect(f.at.getTime() - nextOpening(plan, window).getTime()).toBeLessThan(HOUR);
        } else {
          expect(f.at.getTime() - plan.getTime()).toBeLessThan(HOUR);
        }
      }
    });

    it(`${cadence}: a payment mid-ladder stops it`, () => {
      const second = planned(ladder, 1);
      const paidAtHour = Math.floor((second.getTime() - SENT.getTime()) / HOUR) - 2;
      const fired = simulate({ ladder, paidAtHour });
      expect(fired.map((f) => f.name)).toEqual([ladder.steps[0]?.name]);
      expect(fired.every((f) => f.at.getTime() < SENT.getTime() + paidAtHour * HOUR)).toBe(true);
    });

    it(`${cadence}: a dispute pauses it, and a resume continues it with dates moved by the pause`, () => {
      const first = planned(ladder, 0);
      const from = Math.floor((first.getTime() - SENT.getTime()) / HOUR) + 24;
      const to = from + 5 * 24;
      const fired = simulate({ ladder, dispute: { from, to }, days: 60 });
      expect(fired.map((f) => f.name)).toEqual(ladder.steps.map((s) => s.name));
      expect(fired.some((f) => f.at.getTime() >= SENT.getTime() + from * HOUR && f.at.getTime() < SENT.getTime() + to * HOUR)).toBe(false);
      for (const [i, f] of fired.entries()) {
        if (i === 0) continue;
        const shifted = new Date(planned(ladder, i).getTime() + (to - from) * HOUR);
        expect(f.at.getTime()).toBeGreaterThanOrEqual(shifted.getTime());
        expect(f.at.getTime() - (isClientFacing(stepOf(ladder, i)) ? nextOpening(shifted, window) : shifted).getTime()).toBeLessThan(HOUR);
      }
    });

    it(`${cadence}: a promise to pay holds it until the promised day is over`, () => {
      const first = planned(ladder, 0);
      const promise = addDays(localDate(first, TZ), 4);
      const fired = simulate({ ladder, promiseToPay: promise });
      const holdEnds = new Date(`${addDays(promise, 1)}T00:00:00+01:00`);
      expect(fired.length).toBeGreaterThan(0);
      expect(fired.every((f) => f.at.getTime() >= holdEnds.getTime())).toBe(true);
      expect(new Set(fired.map((f) => f.name)).size).toBe(fired.length);
    });

    it(`${cadence}: five days of downtime produce one step, not five, and never a repeat`, () => {
      const last = planned(ladder, -1);
      const back = Math.ceil((last.getTime() - SENT.getTime()) / HOUR) + 30;
      const down = (hour: number) => hour >= back - 5 * 24 && hour < back;
      const fired = simulate({ ladder, down, days: Math.ceil(back / 24) + 2 });
      const afterDowntime = fired.filter((f) => f.at.getTime() >= SENT.getTime() + back * HOUR);
      expect(afterDowntime).toHaveLength(1);
      expect(new Set(fired.map((f) => f.name)).size).toBe(fired.length);
      expect(fired.at(-1)?.name).toBe(ladder.steps.at(-1)?.name);
    });
  }

  it('Standard after five days down (T+2 to T+7): one step, the escalation, with the reminder skipped', () => {
    const fired = simulate({ ladder: PRESETS.Standard, down: (hour) => hour >= 48 && hour < 48 + 5 * 24 + 6 });
    const first = fired[0];
    expect(first?.name).toBe('T+7 escalation');
    expect(first?.skipped).toEqual(['T+3 reminder']);
    expect(fired.map((f) => f.name)).toEqual(['T+7 escalation', 'T+10 service risk', 'T+14 overdue protocol']);
  });

  it('Standard back from downtime on Monday 23:27 Berlin: the T+3 reminder waits for Tuesday 09:00, not emailed at night', () => {
    // Down from Friday 4 Dec, through all of Monday 7 Dec (the T+3 reminder's day in the window).
    const back = 128;
    const fired = simulate({ ladder: PRESETS.Standard, down: (hour) => hour >= 48 && hour < back, days: 8 });
    const first = fired[0];
    expect(first?.name).toBe('T+3 reminder');
    expect(first?.skipped).toEqual([]);
    expect(localDate(first?.at ?? new Date(0), TZ)).toBe('2026-12-08');
    expect(minuteOfDay(first?.at ?? new Date(0), TZ)).toBeGreaterThanOrEqual(9 * 60);
    expect(minuteOfDay(first?.at ?? new Date(0), TZ)).toBeLessThan(10 * 60);
    // The card says so while it waits.
    const status = ladderStatus(
      {
        ladder: PRESETS.Standard,
        recordedStage: null,
        sentAt: SENT,
        dueDate: DUE,
        settled: false,
        disputed: false,
        pausedSince: null,
        pausedMs: 0,
        promiseToPay: null,
        snoozedUntil: null,
      },
      new Date('2026-12-07T22:30:00Z'),
      window,
    );
    expect(status).toMatchObject({ state: 'waiting', next: { step: { name: 'T+3 reminder' }, at: new Date('2026-12-08T08:00:00Z') } });
  });

  for (const cadence of REMINDER_CADENCES) {
    const ladder = PRESETS[cadence];
    ladder.steps.forEach((step, index) => {
      if (!isClientFacing(step)) return;
      it(`${cadence}: back from downtime outside reminder hours after "${step.name}" came due, it waits for the next opening and is sent once`, () => {
        const backAt = new Date(nextOpening(planned(ladder, index), window).getTime() + 12 * HOUR);
        expect(insideHours(backAt)).toBe(false);
        const back = Math.ceil((backAt.getTime() - SENT.getTime()) / HOUR);
        const fired = simulate({ ladder, down: (hour) => hour < back, days: 60 });
        expect(
          fired
            .filter((f) =>
              isClientFacing(
                stepOf(
                  ladder,
                  ladder.steps.findIndex((s) => s.name === f.name),
                ),
              ),
            )
            .every((f) => insideHours(f.at)),
        ).toBe(true);
        const first = fired[0];
        expect(first?.name).toBe(step.name);
        expect(first?.skipped).toEqual(ladder.steps.slice(0, index).map((s) => s.name));
        const opening = nextOpening(new Date(SENT.getTime() + back * HOUR), window);
        expect((first?.at.getTime() ?? 0) - opening.getTime()).toBeGreaterThanOrEqual(0);
        expect((first?.at.getTime() ?? 0) - opening.getTime()).toBeLessThan(HOUR);
        expect(new Set(fired.map((f) => f.name)).size).toBe(fired.length);
      });
    });
  }

  it('holds a client reminder due on a Saturday until Monday 09:00, Berlin time', () => {
    // Sent Wednesday 2 Dec: Standard's T+3 falls on Saturday 5 Dec.
    const fired = simulate({ ladder: PRESETS.Standard, days: 6 });
    expect(fired[0]?.name).toBe('T+3 reminder');
    const at = fired[0]?.at ?? new Date(0);
    expect(localDate(at, TZ)).toBe('2026-12-07');
    expect(minuteOfDay(at, TZ)).toBeGreaterThanOrEqual(9 * 60);
    expect(minuteOfDay(at, TZ)).toBeLessThan(10 * 60);
  });
});

describe('ladder settings', () => {
  it('names every step of every preset among the Reminder stage options, each once', () => {
    const names = Object.values(PRESETS).flatMap((l) => l.steps.map((s) => s.name));
    expect(new Set(REMINDER_STAGES).size).toBe(REMINDER_STAGES.length);
    expect(REMINDER_STAGES).toEqual([...names, FINAL_BY_HAND.name]);
    // Notion select options cannot hold commas.
    expect(REMINDER_STAGES.some((n) => n.includes(','))).toBe(false);
  });

  it("takes a client's own days, and ignores them with a reason when they cannot work", () => {
    expect(ladderFor(aClient({ reminderCadence: 'Net 30', reminderOffsets: '5, 12, 25' })).ladder.steps.map((s) => s.offsetDays)).toEqual([5, 12, 25]);
    const wrongCount = ladderFor(aClient({ reminderCadence: 'Net 30', reminderOffsets: '5, 12' }));
    expect(wrongCount.ladder).toBe(PRESETS['Net 30']);
    expect(wrongCount.note).toMatch(/ladder has 3 steps/);
    expect(parseOffsets('7, 3, 10', 3)).toMatch(/increase/);
    expect(parseOffsets('3, x, 10', 3)).toMatch(/whole number/);
    expect(ladderFor(aClient({ reminderCadence: 'Weekly' })).note).toMatch(/not a ladder Cashin knows/);
    expect(ladderFor(aClient({ reminderCadence: null })).ladder).toBe(PRESETS.Standard);
  });

  it('reads REMINDER_HOURS and REMINDER_DAYS', () => {
    expect(parseReminderHours('09:00-17:00')).toEqual({ fromMinute: 540, toMinute: 1020 });
    expect(parseReminderHours('17:00-09:00')).toMatch(/end after it starts/);
    expect(parseReminderHours('nine to five')).toMatch(/range of times/);
    expect(parseReminderDays('Mon-Fri')).toEqual([1, 2, 3, 4, 5]);
    expect(parseReminderDays('Sat-Mon')).toEqual([0, 1, 6]);
    expect(parseReminderDays('mon, wed,Fri')).toEqual([1, 3, 5]);
    expect(parseReminderDays('Mon-Funday')).toMatch(/weekdays/);
  });

  it('counts a stage from another ladder, or the final notice by hand, as progress', () => {
    expect(stepsDone(PRESETS.Standard, 'T+7 escalation')).toBe(2);
    expect(stepsDone(PRESETS.Gentle, FINAL_BY_HAND.name)).toBe(3);
    expect(stepsDone(PRESETS.Standard, 'Something typed by hand')).toBe(0);
  });

  // The cadence changed mid-way: another ladder's stage maps by when it happened and what it did, not by position.
  const clock = { facts, timeZone: TZ };
  it.each([
    // After any final notice the ladder is finished: never a second final notice.
    ['Standard', 'Net 30 final notice', 4],
    ['Standard', 'Firm final notice', 4],
    ['Net 30', 'T+14 overdue protocol', 3],
    ['Firm', 'Net 30 final notice', 3],
    // Steps planned before the recorded one count as done; a same-day step only if it does the same thing.
    ['Net 30', 'T+7 escalation', 0],
    ['Net 30', 'T+10 service risk', 1],
    ['Firm', 'Net 30 friendly reminder', 1],
    ['Standard', 'Firm second reminder', 2],
    ['Gentle', 'Net 30 past-due notice', 1],
    // Another ladder's reminder never counts as this ladder's final notice, even on a later day.
    ['Standard', 'Net 30 past-due notice', 3],
    ['Firm', 'Gentle second reminder', 2],
    // Due-anchored stages are placed by the due date (sent + 30 days here): due+1 is day 31.
    ['Standard', 'After due reminder', 3],
    ['Gentle', 'After due reminder', 2],
    ['After due', 'Net 30 past-due notice', 0],
  ] as const)('%s after "%s" counts %i steps done', (cadence, stage, done) => {
    expect(stepsDone(PRESETS[cadence], stage, clock)).toBe(done);
  });

  it('after a final notice, a cadence change leaves the ladder finished', () => {
    const status = ladderStatus(
      {
        ladder: PRESETS.Standard,
        recordedStage: 'Net 30 final notice',
        sentAt: SENT,
        dueDate: DUE,
        settled: false,
        disputed: false,
        pausedSince: null,
        pausedMs: 0,
        promiseToPay: null,
        snoozedUntil: null,
      },
      new Date('2027-01-05T09:30:00Z'),
      window,
    );
    expect(status).toEqual({ state: 'finished' });
  });

  it('opens the window across a DST change at 09:00 local time', () => {
    // Saturday 27 March 2027, 23:00 UTC; Berlin moves to summer time on Sunday 28 March.
    const opening = nextOpening(new Date('2027-03-27T23:00:00Z'), window);
    expect(opening.toISOString()).toBe('2027-03-29T07:00:00.000Z');
  });
});
