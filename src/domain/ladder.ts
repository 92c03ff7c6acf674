/**
 * The reminder ladder: what Cashin does, and when, while a sent invoice stays unpaid.
 *
 * A ladder is data: a list of steps, each an offset in days from the day the invoice was sent or
 * from its due date, an action and a tone. The client's Reminder cadence picks one of the presets
 * below; its "Reminder offsets" can move the days. `ladderStatus()` is, like decide(), a pure
 * function of the invoice, the clock and the recorded Reminder stage: the step due now comes from
 * it, so a restart after any downtime performs the one step due, never the ones it missed.
 */
import type { Client, ReminderCadence } from './milestone.js';
import { REMINDER_CADENCES } from './milestone.js';
import { addDays, localDate, localInstant, minuteOfDay, parseInstant, weekdayOf } from './time.js';

/** What a step does. Client-facing steps (a reminder, the final notice) wait for reminder hours. */
export type StepAction = 'client-reminder' | 'founder-escalation' | 'service-risk' | 'final-notice';

export type Tone = 'soft' | 'friendly' | 'firm' | 'formal';

export type LadderStep = {
  /** The Reminder stage option written once the step is done; unique across every preset. */
  readonly name: string;
  readonly anchor: 'sent' | 'due';
  readonly offsetDays: number;
  readonly action: StepAction;
  readonly tone: Tone;
};

export type Ladder = { readonly cadence: ReminderCadence; readonly steps: readonly LadderStep[] };

const step = (name: string, anchor: LadderStep['anchor'], offsetDays: number, action: StepAction, tone: Tone): LadderStep => ({
  name,
  anchor,
  offsetDays,
  action,
  tone,
});

export const PRESETS: Readonly<Record<ReminderCadence, Ladder>> = {
  Standard: {
    cadence: 'Standard',
    steps: [
      step('T+3 reminder', 'sent', 3, 'client-reminder', 'friendly'),
      step('T+7 escalation', 'sent', 7, 'founder-escalation', 'firm'),
      step('T+10 service risk', 'sent', 10, 'service-risk', 'firm'),
      step('T+14 overdue protocol', 'sent', 14, 'final-notice', 'formal'),
    ],
  },
  'Net 30': {
    cadence: 'Net 30',
    steps: [
      step('Net 30 friendly reminder', 'sent', 7, 'client-reminder', 'friendly'),
      step('Net 30 past-due notice', 'sent', 14, 'client-reminder', 'firm'),
      step('Net 30 final notice', 'sent', 30, 'final-notice', 'formal'),
    ],
  },
  'After due': {
    cadence: 'After due',
    steps: [
      step('After due reminder', 'due', 1, 'client-reminder', 'friendly'),
      step('After due firmer reminder', 'due', 7, 'client-reminder', 'firm'),
      step('After due escalation', 'due', 14, 'founder-escalation', 'firm'),
    ],
  },
  Gentle: {
    cadence: 'Gentle',
    steps: [
      step('Gentle reminder', 'sent', 14, 'client-reminder', 'soft'),
      step('Gentle second reminder', 'sent', 30, 'client-reminder', 'soft'),
      step('Gentle escalation', 'sent', 45, 'founder-escalation', 'friendly'),
    ],
  },
  Firm: {
    cadence: 'Firm',
    steps: [
      step('Firm reminder', 'sent', 5, 'client-reminder', 'firm'),
      step('Firm second reminder', 'sent', 10, 'client-reminder', 'firm'),
      step('Firm final notice', 'sent', 20, 'final-notice', 'formal'),
    ],
  },
};

/**
 * The final notice an approver sends from Slack on a ladder that has none of its own (After due,
 * Gentle). Once done, it ends the ladder.
 */
export const FINAL_BY_HAND: LadderStep = step('Final notice (sent by hand)', 'sent', 0, 'final-notice', 'formal');

/** Every step name of every preset, in order, and the final notice by hand: the Reminder stage options. */
export const REMINDER_STAGES: readonly string[] = [...Object.values(PRESETS).flatMap((l) => l.steps.map((s) => s.name)), FINAL_BY_HAND.name];

/** The step "Send final notice" performs: the ladder's own final notice, or the one by hand. */
export function finalNoticeOf(ladder: Ladder): ScheduledStepRef {
  const last = ladder.steps.at(-1);
  return last?.action === 'final-notice' ? { step: last, index: ladder.steps.length - 1 } : { step: FINAL_BY_HAND, index: ladder.steps.length };
}

export type ScheduledStepRef = { readonly step: LadderStep; readonly index: number };

/** Whether the recorded stage is a final notice: the step that pauses service when the client allows it. */
export function finalNoticeDone(recordedStage: string | null): boolean {
  if (recordedStage === FINAL_BY_HAND.name) return true;
  return Object.values(PRESETS).some((l) => l.steps.some((s) => s.name === recordedStage && s.action === 'final-notice'));
}

export const isClientFacing = (s: LadderStep): boolean => s.action === 'client-reminder' || s.action === 'final-notice';

/** The ladder a client gets, and a note for the founder when its settings could not be used as typed. */
export function ladderFor(client: Client | null): { ladder: Ladder; note: string | null } {
  const typed = client?.reminderCadence ?? null;
  const cadence = REMINDER_CADENCES.find((c) => c === typed) ?? 'Standard';
  const preset = PRESETS[cadence];
  const notes: string[] = [];
  if (typed !== null && typed !== cadence) notes.push(`Reminder cadence "${typed}" is not a ladder Cashin knows; using Standard.`);
  const offsets = client?.reminderOffsets.trim() ?? '';
  if (offsets === '') return { ladder: preset, note: notes[0] ?? null };
  const parsed = parseOffsets(offsets, preset.steps.length);
  if (typeof parsed === 'string') {
    notes.push(`Reminder offsets "${offsets}" ignored: ${parsed}`);
    return { ladder: preset, note: notes.join(' ') };
  }
  return { ladder: { cadence, steps: preset.steps.map((s, i) => ({ ...s, offsetDays: parsed[i] ?? s.offsetDays })) }, note: notes[0] ?? null };
}

/** "3, 7, 10, 14" → [3, 7, 10, 14]; a reason when the text cannot replace the preset's days. */
export function parseOffsets(text: string, count: number): number[] | string {
  const parts = text.split(/[,;\s]+/).filter((p) => p !== '');
  if (parts.length !== count)
    return `the ladder has ${count} steps, so give ${count} numbers of days, e.g. "${[3, 7, 10, 14, 21].slice(0, count).join(', ')}".`;
  const days = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : Number.NaN));
  if (days.some((d) => Number.isNaN(d) || d > 365)) return 'each offset must be a whole number of days from 0 to 365.';
  if (days.some((d, i) => i > 0 && d <= (days[i - 1] ?? 0))) return 'the days must increase from one step to the next.';
  return days;
}

/** When client-facing steps may happen: these minutes of the day, on these weekdays, in the founder's zone. */
export type ReminderWindow = {
  readonly fromMinute: number;
  readonly toMinute: number;
  /** 0 is Sunday, 6 is Saturday. */
  readonly days: readonly number[];
  readonly timeZone: string;
};

/** The first instant at or after `at` inside the window. */
export function nextOpening(at: Date, window: ReminderWindow): Date {
  let date = localDate(at, window.timeZone);
  const minute = minuteOfDay(at, window.timeZone);
  for (let day = 0; day < 8; day += 1, date = addDays(date, 1)) {
    if (!window.days.includes(weekdayOf(date))) continue;
    if (day > 0 || minute < window.fromMinute) return localInstant(date, window.fromMinute, window.timeZone);
    if (minute < window.toMinute) return at;
  }
  return at;
}

/** What holds the ladder back, besides payment. */
export type LadderFacts = {
  readonly ladder: Ladder;
  /** The Reminder stage recorded on the row: the last step done. */
  readonly recordedStage: string | null;
  readonly sentAt: Date;
  /** The invoice's due date in the founder's zone (YYYY-MM-DD). */
  readonly dueDate: string | null;
  /** Paid, voided, written off, or nothing left to pay. */
  readonly settled: boolean;
  /** An exception (Dispute reason) is open: the ladder is paused. */
  readonly disputed: boolean;
  /** When the open exception paused the ladder, if known. */
  readonly pausedSince: Date | null;
  /** Sum of earlier pauses: every date after them moves by this much. */
  readonly pausedMs: number;
  /** Promise to pay (YYYY-MM-DD): nothing happens until that day is over. */
  readonly promiseToPay: string | null;
  /** A founder's snooze: nothing happens before this instant. */
  readonly snoozedUntil: Date | null;
};

export type ScheduledStep = ScheduledStepRef & { readonly at: Date };

export type LadderStatus =
  | { readonly state: 'stopped' }
  | { readonly state: 'paused'; readonly since: Date | null }
  | { readonly state: 'finished' }
  | { readonly state: 'holding'; readonly until: Date; readonly reason: 'promise' | 'snooze'; readonly next: ScheduledStep }
  | { readonly state: 'waiting'; readonly next: ScheduledStep }
  | { readonly state: 'due'; readonly due: ScheduledStep; readonly skipped: readonly ScheduledStep[] };

/** Where the ladder's dates come from, for comparing a step of one ladder with a step of another. */
export type LadderClock = { readonly facts: Pick<LadderFacts, 'sentAt' | 'dueDate' | 'pausedMs'>; readonly timeZone: string };

/**
 * How many of the ladder's steps the recorded stage says are done. A stage from another ladder (the
 * cadence changed mid-way) is mapped by when it happened and what it did, not by its position: after
 * a final notice the ladder is finished; otherwise a step counts as done when it was planned before
 * the recorded one, or on the same day with the same action. A final notice never counts as done
 * because of another ladder's reminder. Without `clock`, days are compared as offsets (a due-anchored
 * step as if the invoice were due when sent).
 */
export function stepsDone(ladder: Ladder, recordedStage: string | null, clock?: LadderClock): number {
  if (recordedStage === null) return 0;
  const own = ladder.steps.findIndex((s) => s.name === recordedStage);
  if (own >= 0) return own + 1;
  if (finalNoticeDone(recordedStage)) return ladder.steps.length;
  const recorded = Object.values(PRESETS)
    .flatMap((l) => l.steps)
    .find((s) => s.name === recordedStage);
  if (!recorded) return 0;
  const dayOf = (s: LadderStep): number => {
    const at = clock ? plannedAt(s, clock.facts, clock.timeZone) : null;
    return at ? at.getTime() : s.offsetDays * 86_400_000;
  };
  const before = (s: LadderStep) =>
    s.action !== 'final-notice' && (dayOf(s) < dayOf(recorded) || (dayOf(s) === dayOf(recorded) && s.action === recorded.action));
  const firstNotDone = ladder.steps.findIndex((s) => !before(s));
  return firstNotDone < 0 ? ladder.steps.length : firstNotDone;
}

/** The earliest moment a step may happen, before holds: its day, shifted by earlier pauses. */
export function plannedAt(s: LadderStep, facts: Pick<LadderFacts, 'sentAt' | 'dueDate' | 'pausedMs'>, timeZone: string): Date | null {
  const base =
    s.anchor === 'sent'
      ? new Date(facts.sentAt.getTime() + s.offsetDays * 86_400_000)
      : facts.dueDate
        ? parseInstant(addDays(facts.dueDate, s.offsetDays), timeZone)
        : null;
  return base ? new Date(base.getTime() + facts.pausedMs) : null;
}

/**
 * Where the ladder stands at `now`. The step due is the latest one whose day (after holds) has come;
 * any earlier step not done is skipped. A client-facing step is due only while the reminder window is
 * open: outside it (at night, on a weekend, after downtime) it waits for the next opening, and
 * nothing earlier is performed in its place.
 */
export function ladderStatus(facts: LadderFacts, now: Date, window: ReminderWindow): LadderStatus {
  if (facts.settled) return { state: 'stopped' };
  if (facts.disputed) return { state: 'paused', since: facts.pausedSince };
  const { remaining, hold } = schedule(facts, now, window);
  if (remaining.length === 0) return { state: 'finished' };

  const strip = ({ step: s, index, at }: ScheduledStep): ScheduledStep => ({ step: s, index, at });
  const latest = remaining.filter((r) => r.reached).at(-1);
  if (latest && latest.at.getTime() <= now.getTime()) {
    return { state: 'due', due: strip(latest), skipped: remaining.filter((r) => r.index < latest.index).map(strip) };
  }
  const next = strip(latest ?? remaining.reduce((a, b) => (b.at.getTime() < a.at.getTime() ? b : a)));
  return hold ? { state: 'holding', until: hold.until, reason: hold.reason, next } : { state: 'waiting', next };
}

/** A step not done yet, with when it would happen from `now`, and whether its day has come. */
export type UpcomingStep = ScheduledStep & { readonly reached: boolean };

/**
 * The steps not done yet, each with the moment it would happen as things stand at `now`: its day
 * after pauses and holds, and for a client-facing step the reminder window's next opening from
 * then. This is the day a step actually goes out, which the card shows (not the bare offset).
 */
export function upcomingSteps(facts: LadderFacts, now: Date, window: ReminderWindow): readonly UpcomingStep[] {
  return schedule(facts, now, window).remaining;
}

function schedule(
  facts: LadderFacts,
  now: Date,
  window: ReminderWindow,
): { remaining: UpcomingStep[]; hold: { until: Date; reason: 'promise' | 'snooze' } | null } {
  const done = stepsDone(facts.ladder, facts.recordedStage, { facts, timeZone: window.timeZone });
  const holds = [
    ...(facts.promiseToPay ? [{ until: parseInstant(addDays(facts.promiseToPay, 1), window.timeZone), reason: 'promise' as const }] : []),
    ...(facts.snoozedUntil ? [{ until: facts.snoozedUntil, reason: 'snooze' as const }] : []),
  ].filter((h): h is { until: Date; reason: 'promise' | 'snooze' } => h.until !== null && h.until.getTime() > now.getTime());
  const hold = holds.sort((a, b) => b.until.getTime() - a.until.getTime())[0] ?? null;

  const remaining: UpcomingStep[] = [];
  facts.ladder.steps.forEach((s, index) => {
    if (index < done) return;
    const planned = plannedAt(s, facts, window.timeZone);
    if (!planned) return;
    const earliest = hold && hold.until.getTime() > planned.getTime() ? hold.until : planned;
    const reached = earliest.getTime() <= now.getTime();
    // A client-facing step whose day has come happens at the window's next opening from now.
    const at = isClientFacing(s) ? nextOpening(reached ? now : earliest, window) : earliest;
    remaining.push({ step: s, index, at, reached });
  });
  return { remaining, hold };
}

/**
 * What happened to each step of an invoice's ladder, kept with the invoice (its "ladder log"): the
 * day a step was done, or that it was skipped (missed while Cashin was down, or passed over by a
 * final notice). "T+3 reminder@2026-12-07;T+7 escalation@-". Older entries give way past 450
 * characters, within Stripe's 500 for a metadata value.
 */
export type LadderLog = ReadonlyMap<string, string | null>;

const LOG_LIMIT = 450;

export function parseLadderLog(text: string | null): LadderLog {
  const log = new Map<string, string | null>();
  for (const entry of (text ?? '').split(';')) {
    const at = entry.lastIndexOf('@');
    if (at <= 0) continue;
    const day = entry.slice(at + 1);
    log.set(entry.slice(0, at), /^\d{4}-\d{2}-\d{2}$/.test(day) ? day : null);
  }
  return log;
}

/** The log with these steps added: a day (YYYY-MM-DD) for a step done, null for one skipped. */
export function appendLadderLog(text: string | null, entries: readonly (readonly [string, string | null])[]): string {
  const log = new Map(parseLadderLog(text));
  for (const [name, day] of entries) {
    log.delete(name);
    log.set(name, day);
  }
  const parts = [...log].map(([name, day]) => `${name.replace(/[;@]/g, ' ')}@${day ?? '-'}`);
  while (parts.join(';').length > LOG_LIMIT && parts.length > 1) parts.shift();
  return parts.join(';');
}

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

/** "09:00-17:00" → minutes of the day; a reason when it is not a daytime range. */
export function parseReminderHours(text: string): { fromMinute: number; toMinute: number } | string {
  const match = /^(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})$/.exec(text.trim());
  if (!match) return 'must be a range of times such as 09:00-17:00';
  const [from, to] = [Number(match[1]) * 60 + Number(match[2]), Number(match[3]) * 60 + Number(match[4])];
  if (Number(match[2]) > 59 || Number(match[4]) > 59 || from > 24 * 60 || to > 24 * 60) return 'must use times from 00:00 to 24:00';
  if (from >= to) return 'must end after it starts, within one day (e.g. 09:00-17:00)';
  return { fromMinute: from, toMinute: to };
}

/** "Mon-Fri" or "Mon,Wed,Fri" → weekday numbers (0 is Sunday); a reason when a day is not one. */
export function parseReminderDays(text: string): number[] | string {
  const days = new Set<number>();
  for (const part of text.split(',').map((p) => p.trim().toLowerCase())) {
    const [first, last] = part.split(/\s*[-–]\s*/).map((d) => WEEKDAYS.indexOf(d.slice(0, 3) as (typeof WEEKDAYS)[number]));
    if (first === undefined || first < 0 || (last !== undefined && last < 0)) return 'must be weekdays such as Mon-Fri or Mon,Wed,Fri';
    for (let d = first; ; d = (d + 1) % 7) {
      days.add(d);
      if (last === undefined || d === last) break;
    }
  }
  return [...days].sort();
}
