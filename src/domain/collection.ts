/**
 * Collection: where a sent invoice stands between Sent and Paid. Reads the row, its client and
 * Cashin's invoice into the ladder's facts, and draws the ladder for the card. Pure.
 */
import type { BillingPolicy } from './billing-rules.js';
import {
  ladderFor,
  ladderStatus,
  parseLadderLog,
  plannedAt,
  stepsDone,
  upcomingSteps,
  type LadderFacts,
  type LadderStatus,
  type ReminderWindow,
  type StepAction,
} from './ladder.js';
import type { Client, InvoiceSnapshot, Milestone } from './milestone.js';
import { daysBetween, formatDay, formatForHumans, localDate, parseInstant } from './time.js';

export function reminderWindow(policy: BillingPolicy): ReminderWindow {
  return { ...policy.reminderHours, days: policy.reminderDays, timeZone: policy.timeZone };
}

/** The invoice's due date in the founder's zone: the row's Invoice due, else Stripe's. */
export function dueDateOf(m: Milestone, invoice: InvoiceSnapshot | null, timeZone: string): string | null {
  if (m.invoice.due) return m.invoice.due.slice(0, 10);
  return invoice?.dueDate ? localDate(new Date(invoice.dueDate), timeZone) : null;
}

/** Days past the due date, counted in the founder's zone: 0 on the due date itself, 1 the day after. */
export function daysLate(dueDate: string | null, now: Date, timeZone: string): number {
  return dueDate ? Math.max(0, daysBetween(dueDate, localDate(now, timeZone))) : 0;
}

/** Whether the invoice still has money outstanding: open in Stripe with something left to pay. */
export function isOutstanding(invoice: InvoiceSnapshot): boolean {
  return invoice.status === 'open' && invoice.amountRemaining > 0;
}

/**
 * A "Payment failed" exception that a payment has answered since: the invoice is paid, or more was
 * paid on it than when the exception paused the ladder (a payment of any amount that succeeded).
 */
export function paidAfterFailure(m: Milestone, invoice: InvoiceSnapshot): boolean {
  if (m.disputeReason !== 'Payment failed') return false;
  const before = invoice.collection.paidAtPause;
  return invoice.status === 'paid' || (invoice.status === 'open' && before !== null && invoice.amountPaid > before);
}

/**
 * The ladder's facts for a row whose invoice went out, or null while the ladder does not apply
 * (nothing sent yet, or not Cashin's invoice).
 */
export function ladderFactsOf(m: Milestone, client: Client | null, invoice: InvoiceSnapshot, timeZone: string): LadderFacts | null {
  if (m.invoice.status === null || m.invoice.status === 'Draft' || invoice.status === 'draft') return null;
  const sentAt = (m.invoice.sent ? parseInstant(m.invoice.sent, timeZone) : null) ?? new Date(invoice.created);
  const promise = m.promiseToPay ? parseInstant(m.promiseToPay, timeZone) : null;
  const memo = invoice.collection;
  return {
    ladder: ladderFor(client).ladder,
    recordedStage: m.reminderStage,
    sentAt,
    dueDate: dueDateOf(m, invoice, timeZone),
    settled: !isOutstanding(invoice),
    disputed: m.disputeReason !== null,
    pausedSince: memo.pausedSince ? new Date(memo.pausedSince) : null,
    pausedMs: memo.pausedMs,
    promiseToPay: promise ? localDate(promise, timeZone) : null,
    snoozedUntil: memo.snoozedUntil ? new Date(memo.snoozedUntil) : null,
  };
}

export type LadderStepView = {
  readonly name: string;
  readonly action: StepAction;
  /**
   * Its day, e.g. "Mon 7 Dec": the day it was done when known (else its planned day); for a step to
   * come, the day it will actually happen (a client step waits for reminder hours).
   */
  readonly day: string;
  readonly done: boolean;
  /** Counted as done without happening: missed while Cashin was down, or passed over by a final notice. */
  readonly skipped: boolean;
  readonly next: boolean;
};

/** The ladder as the invoice card shows it: each step, which are done, and where it stands. */
export type LadderView = {
  readonly cadence: string;
  readonly steps: readonly LadderStepView[];
  readonly status: string;
  /** A client setting that could not be used as typed. */
  readonly note: string | null;
};

export function ladderView(
  facts: LadderFacts,
  client: Client | null,
  now: Date,
  policy: BillingPolicy,
  disputeReason: string | null,
  ladderLog: string | null = null,
): LadderView {
  const window = reminderWindow(policy);
  const status = ladderStatus(facts, now, window);
  const nextIndex = status.state === 'waiting' || status.state === 'holding' ? status.next.index : status.state === 'due' ? status.due.index : -1;
  const history = ladderHistory(facts, policy.timeZone, ladderLog);
  // While paused there is no telling when a step comes; otherwise the day it will really go out.
  const upcoming = status.state === 'paused' ? [] : upcomingSteps(facts, now, window);
  const steps = facts.ladder.steps.map((s, index) => {
    const past = history[index];
    const coming = upcoming.find((u) => u.index === index);
    const planned = plannedAt(s, facts, policy.timeZone);
    const when = past?.day ?? (coming ? localDate(coming.at, policy.timeZone) : planned ? localDate(planned, policy.timeZone) : null);
    return {
      name: s.name,
      action: s.action,
      day: when ? formatDay(when) : 'no due date',
      done: past !== undefined && !past.skipped,
      skipped: past?.skipped ?? false,
      next: index === nextIndex,
    };
  });
  return { cadence: facts.ladder.cadence, steps, status: describeStatus(status, policy.timeZone, disputeReason), note: ladderFor(client).note };
}

/** A step the ladder counts as done: when it was done (a YYYY-MM-DD), if known, or that it was skipped. */
export type PastStep = { readonly name: string; readonly day: string | null; readonly skipped: boolean };

/**
 * The steps counted as done, in order, with what the invoice's ladder log says of each: the day it
 * was done, or that it was skipped. A step the log does not know (done before the log was kept, or
 * recorded by another ladder) counts as done, on its planned day.
 */
export function ladderHistory(facts: LadderFacts, timeZone: string, ladderLog: string | null): PastStep[] {
  const done = stepsDone(facts.ladder, facts.recordedStage, { facts, timeZone });
  const log = parseLadderLog(ladderLog);
  return facts.ladder.steps.slice(0, done).map((s) => {
    const logged = log.get(s.name);
    const planned = plannedAt(s, facts, timeZone);
    if (logged === null) return { name: s.name, day: planned ? localDate(planned, timeZone) : null, skipped: true };
    return { name: s.name, day: logged ?? (planned ? localDate(planned, timeZone) : null), skipped: false };
  });
}

function describeStatus(status: LadderStatus, timeZone: string, disputeReason: string | null): string {
  const when = (at: Date) => formatForHumans(at, timeZone);
  switch (status.state) {
    case 'stopped':
      return 'Stopped: nothing is left to collect.';
    case 'paused':
      if (disputeReason === 'Payment failed')
        return `Paused${status.since ? ` since ${when(status.since)}` : ''}: a payment attempt failed. A payment that goes through closes this by itself; or resume reminders now.`;
      return `Paused${status.since ? ` since ${when(status.since)}` : ''}: exception "${disputeReason ?? 'open'}". Resume it, or void and reissue the invoice.`;
    case 'finished':
      return 'Every step is done; what happens next is up to you.';
    case 'holding':
      return status.reason === 'promise'
        ? `Waiting: the client promised to pay by ${formatDay(localDate(new Date(status.until.getTime() - 1), timeZone))}. Then: ${status.next.step.name}, ${when(status.next.at)}.`
        : `Snoozed until ${when(status.until)}. Then: ${status.next.step.name}, ${when(status.next.at)}.`;
    case 'waiting':
      return `Next: ${status.next.step.name}, ${when(status.next.at)}.`;
    case 'due':
      return `Due now: ${status.due.step.name}.`;
  }
}
