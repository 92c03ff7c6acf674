/**
 * What the client-facing drafts of a ladder step say of the due date, on the day of the step:
 * past-due wording only once the invoice is past due; before that, a reminder of the day it is due.
 * Which steps run, and when, does not change.
 */
import { describe, expect, it } from 'vitest';
import { stepNote, type StepContext } from '../../src/domain/collection-notes.js';
import { PRESETS, type LadderStep } from '../../src/domain/ladder.js';
import { aClient, aMilestone, anInvoice } from '../support/records.js';

function step(cadence: keyof typeof PRESETS, name: string): LadderStep {
  const found = PRESETS[cadence].steps.find((s) => s.name === name);
  if (!found) throw new Error(name);
  return found;
}

function ctx(s: LadderStep, today: string, dueDate: string, daysLate: number, extra: Partial<StepContext> = {}): StepContext {
  return {
    milestone: aMilestone(),
    client: aClient({ billingOwner: 'Dana Ruiz' }),
    invoice: anInvoice(),
    scheduled: { step: s, index: 0, at: new Date(`${today}T10:00:00Z`) },
    skipped: [],
    by: 'the ladder',
    dueDate,
    daysLate,
    daysSinceSent: 14,
    servicePaused: false,
    history: [],
    today,
    ...extra,
  };
}

const draftOf = (c: StepContext) => stepNote(c).draft?.text ?? '';

describe('drafts before and after the due date', () => {
  it("Net 30's day-14 past-due notice, two weeks before the due date, reminds of the due date and says nothing of being past due", () => {
    const draft = draftOf(ctx(step('Net 30', 'Net 30 past-due notice'), '2026-12-16', '2027-01-01', 0));
    expect(draft).toContain('invoice CASH-0001 for USD 2,500.00 is due on Fri 1 Jan.');
    expect(draft).not.toMatch(/past due|overdue|late/i);
    expect(stepNote(ctx(step('Net 30', 'Net 30 past-due notice'), '2026-12-16', '2027-01-01', 0)).lines[0]).toContain(
      'due Fri 1 Jan, in 16 days (not due yet)',
    );
  });

  it('the same reminder once past due says so', () => {
    const draft = draftOf(ctx(step('Net 30', 'Net 30 past-due notice'), '2027-01-04', '2027-01-01', 3));
    expect(draft).toContain('was due on Fri 1 Jan and is now 3 days past due.');
  });

  it("Standard's T+14 final notice on a 14-day client's due date says it is due today, not that it is late", () => {
    const c = ctx(step('Standard', 'T+14 overdue protocol'), '2026-12-16', '2026-12-16', 0);
    const draft = draftOf(c);
    expect(draft).toContain('is due today (Wed 16 Dec).');
    expect(draft).not.toMatch(/remains unpaid|past due|overdue|late/i);
  });

  it("Firm's day-20 final notice for a 45-day client: a firm reminder of the due date, not 'unpaid… work is paused'", () => {
    const c = ctx(step('Firm', 'Firm final notice'), '2026-12-22', '2027-01-16', 0, { servicePaused: true, client: aClient({ servicePause: true }) });
    const note = stepNote(c);
    expect(note.draft?.text).toContain('A firm reminder: invoice CASH-0001 for USD 2,500.00 is due on Sat 16 Jan.');
    expect(note.draft?.text).not.toMatch(/remains unpaid|work is paused|past due|overdue/i);
    expect(note.draft?.label).toBe('A firm reminder of the due date, if you want to send it personally');
    // The founder is told what the step did, and that the invoice is not past due yet.
    expect(note.lines.join(' ')).toContain('Service is now paused for Acme');
    expect(note.lines.join(' ')).toContain('It is not past due yet');
  });

  it('a final notice past the due date is one, with the pause when there is one', () => {
    const c = ctx(step('Net 30', 'Net 30 final notice'), '2027-01-04', '2027-01-01', 3, { servicePaused: true, client: aClient({ servicePause: true }) });
    const draft = draftOf(c);
    expect(draft).toContain('was due on Fri 1 Jan and remains unpaid, 3 days past due.');
    expect(draft).toContain('work is paused until it is paid');
    expect(stepNote(c).draft?.label).toBe('Final notice, if you want to send it personally');
  });

  it('an escalation before the due date does not say payment is late', () => {
    const draft = draftOf(ctx(step('Standard', 'T+7 escalation'), '2026-12-09', '2027-01-01', 0, { daysSinceSent: 7 }));
    expect(draft).toContain('went out 7 days ago; it is due Fri 1 Jan, in 23 days.');
    expect(draft).not.toMatch(/not seen payment|past due|late/i);
  });
});
