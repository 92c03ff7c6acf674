/**
 * The replies Cashin posts in a milestone's Slack thread while it chases payment: each ladder step,
 * exceptions opened and resolved, the acceptance prompt. Plain data in plain text; the Slack adapter
 * escapes and renders it. Drafts meant for the client greet its Billing owner when one is named.
 */
import { greeting, acceptanceRequest } from './client-drafts.js';
import { isOutstanding, type PastStep } from './collection.js';
import type { LadderStep, ScheduledStep } from './ladder.js';
import type { Client, InvoiceSnapshot, Milestone } from './milestone.js';
import { formatMoney } from './money.js';
import { buildProofPacket } from './proof-packet.js';
import { daysBetween, formatDay } from './time.js';
import { slackUser, truncate } from './text.js';

/**
 * Which buttons a note carries: the collection actions, the ways to resolve an exception on an
 * invoice still owed (resume, void and reissue), or only "Mark resolved" when nothing is owed.
 */
export type NoteButtons = 'collection' | 'exception' | 'resolve' | null;

export type ThreadNote = {
  /** Unique within the milestone's thread: a note with the same key is never posted twice. */
  readonly key: string;
  /** Needs the founder: posted to the channel as well, mentioning the approvers. */
  readonly needsFounder: boolean;
  readonly title: string;
  readonly lines: readonly string[];
  /** A checklist, each item done (true), missing (false) or unconfirmed (null). */
  readonly checklist: readonly { readonly label: string; readonly ok: boolean | null }[];
  /** Text for the founder to send the client or say on a call, shown exactly as written. */
  readonly draft: { readonly label: string; readonly text: string } | null;
  readonly buttons: NoteButtons;
  readonly milestoneId: string;
  readonly invoiceId: string | null;
  /** For the collection buttons: what "Send final notice" will do, shown in its confirmation dialog. */
  readonly finalNotice?: string | null;
  /** The Slack user who asked for this (a click), never written into the title: Slack shows it as a mention. */
  readonly requestedBy?: string | null;
};

export type StepContext = {
  readonly milestone: Milestone;
  readonly client: Client | null;
  readonly invoice: InvoiceSnapshot;
  readonly scheduled: ScheduledStep;
  readonly skipped: readonly ScheduledStep[];
  /** "the ladder" or the approver who clicked. */
  readonly by: string;
  readonly dueDate: string | null;
  readonly daysLate: number;
  readonly daysSinceSent: number;
  /** Set when this step paused the client's service. */
  readonly servicePaused: boolean;
  /** Today in the founder's zone (YYYY-MM-DD): whether the invoice is due yet is told from it. */
  readonly today: string;
  /** The steps done before this one, with their days and which were skipped. */
  readonly history: readonly PastStep[];
};

export const noteKeys = {
  step: (invoiceId: string, step: LadderStep) => `step:${invoiceId}:${step.name}`,
  exception: (invoiceId: string, openedAt: string) => `exception:${invoiceId}:${openedAt}`,
  resumed: (invoiceId: string, pausedSince: string) => `resumed:${invoiceId}:${pausedSince}`,
  closed: (invoiceId: string, pausedSince: string) => `closed:${invoiceId}:${pausedSince}`,
  acceptance: (milestoneId: string, completed: string) => `acceptance:${milestoneId}:${completed}`,
  pauseLifted: (invoiceId: string) => `service-resumed:${invoiceId}`,
};

const money = (invoice: InvoiceSnapshot, minor: number) => formatMoney({ minor, currency: invoice.currency });
const label = (invoice: InvoiceSnapshot) => invoice.number ?? invoice.id;
const ownerOf = (client: Client | null) => client?.billingOwner || 'no billing owner named';

/** Where the invoice stands against its due date on the day of the step. */
type DueStanding = { readonly when: 'past' | 'today' | 'ahead' | 'unknown'; readonly days: number };

function dueStanding(ctx: StepContext): DueStanding {
  if (ctx.daysLate > 0) return { when: 'past', days: ctx.daysLate };
  if (!ctx.dueDate) return { when: 'unknown', days: 0 };
  const ahead = daysBetween(ctx.today, ctx.dueDate);
  return ahead > 0 ? { when: 'ahead', days: ahead } : { when: 'today', days: 0 };
}

const days = (n: number) => `${n} day${n === 1 ? '' : 's'}`;

/** "due Fri 1 Jan, in 16 days", "due today (Wed 16 Dec)", "due Fri 1 Jan, 3 days late". */
function dueWords(ctx: StepContext): string {
  const due = dueStanding(ctx);
  const day = ctx.dueDate ? formatDay(ctx.dueDate) : '';
  switch (due.when) {
    case 'past':
      return `due ${day}, ${days(due.days)} late`;
    case 'today':
      return `due today (${day})`;
    case 'ahead':
      return `due ${day}, in ${days(due.days)} (not due yet)`;
    case 'unknown':
      return 'due date unknown';
  }
}

function standing(ctx: StepContext): string {
  const { invoice } = ctx;
  const credited = invoice.credited > 0 ? ` (after ${money(invoice, invoice.credited)} credited)` : '';
  return `${money(invoice, invoice.amountRemaining)} outstanding${credited} on invoice ${label(invoice)}, ${dueWords(ctx)}.`;
}

function skippedLine(ctx: StepContext): string[] {
  if (ctx.skipped.length === 0) return [];
  const names = ctx.skipped.map((s) => s.step.name).join(', ');
  return ctx.by === 'the ladder'
    ? [`Skipped while Cashin was not running (never sent): ${names}.`]
    : [`Skipped: this final notice ends the ladder, so these never go out: ${names}.`];
}

/**
 * What "Send final notice" does, said before it is done (the button's confirmation dialog): Stripe
 * emails the invoice again at once as the final notice, the client's service pauses when the
 * client has Service pause, and the ladder ends.
 */
export function finalNoticeConsequence(invoice: Pick<InvoiceSnapshot, 'id' | 'number'>, client: Client | null): string {
  const to = client?.billingEmail ?? "the client's billing email";
  const pause = client?.servicePause
    ? ` ${client.name} has Service pause: "Service paused" is set and work pauses until the invoice is paid.`
    : ' No service pause: this is a notice only.';
  return `Stripe emails invoice ${invoice.number ?? invoice.id} to ${to} again now, as the final notice, whatever the hour.${pause} The reminder ladder ends here.`;
}

/** The note for a ladder step, and the words Cashin says in the audit trail. */
export function stepNote(ctx: StepContext): ThreadNote {
  const { milestone: m, client, invoice, scheduled } = ctx;
  const s = scheduled.step;
  const base = {
    key: noteKeys.step(invoice.id, s),
    milestoneId: m.id,
    invoiceId: invoice.id,
    buttons: 'collection' as const,
    finalNotice: finalNoticeConsequence(invoice, client),
    requestedBy: ctx.by === 'the ladder' ? null : ctx.by,
  };
  const to = client?.billingEmail ?? 'the billing email';
  switch (s.action) {
    case 'client-reminder':
      return {
        ...base,
        needsFounder: false,
        title: `${s.name}: Stripe emailed invoice ${label(invoice)} to ${to} again`,
        lines: [standing(ctx), `The email carries the payment link: ${invoice.hostedUrl ?? 'n/a'}`, ...skippedLine(ctx)],
        checklist: [],
        draft: { label: 'A personal follow-up, if you want to add one', text: reminderDraft(ctx) },
      };
    case 'founder-escalation':
      return {
        ...base,
        needsFounder: true,
        title: `${s.name}: ${client?.name ?? 'the client'} has not paid invoice ${label(invoice)} after ${ctx.daysSinceSent} days`,
        lines: [standing(ctx), `Billing owner: ${ownerOf(client)}. Write to them yourself, or pick an action below.`, ...skippedLine(ctx)],
        checklist: billingChecklist(m, client),
        draft: { label: `To ${client?.billingOwner || client?.name || 'the client'}`, text: escalationDraft(ctx) },
      };
    case 'service-risk':
      return {
        ...base,
        needsFounder: true,
        title: `${s.name}: invoice ${label(invoice)} from ${client?.name ?? 'the client'} is at risk`,
        lines: [standing(ctx), 'A courtesy call usually settles it faster than another email. The summary below has what you need.', ...skippedLine(ctx)],
        checklist: [],
        draft: { label: 'Courtesy call summary', text: callSummary(ctx) },
      };
    case 'final-notice': {
      const pastDue = dueStanding(ctx).when === 'past';
      return {
        ...base,
        needsFounder: true,
        title: `${s.name}: final notice for invoice ${label(invoice)} emailed to ${to}`,
        lines: [
          standing(ctx),
          ctx.servicePaused
            ? `Service is now paused for ${client?.name ?? 'the client'} ("Service paused" is set in Notion) until the invoice is paid.` +
              (pastDue ? '' : ' It is not past due yet: clear "Service paused" in Notion if work should go on until the due date.')
            : `Service pause is off for ${client?.name ?? 'the client'}, so this is a final notice only.`,
          ...skippedLine(ctx),
        ],
        checklist: [],
        draft: {
          label: pastDue ? 'Final notice, if you want to send it personally' : 'A firm reminder of the due date, if you want to send it personally',
          text: finalNoticeDraft(ctx),
        },
      };
    }
  }
}

/** The audit comment for a step: names the step, so a restart can tell it was written. */
export function stepAudit(ctx: StepContext): string {
  const s = ctx.scheduled.step;
  const what: Record<LadderStep['action'], string> = {
    'client-reminder': `Stripe emailed invoice ${label(ctx.invoice)} to the client again`,
    'founder-escalation': 'escalated to the founder in Slack',
    'service-risk': 'flagged the invoice as a service risk in Slack, with a courtesy call summary',
    'final-notice': `Stripe emailed invoice ${label(ctx.invoice)} again as the final notice${ctx.servicePaused ? '; service paused for the client' : ''}`,
  };
  const names = ctx.skipped.map((x) => x.step.name).join(', ');
  const skipped =
    ctx.skipped.length === 0
      ? ''
      : ctx.by === 'the ladder'
        ? ` Skipped (missed while Cashin was down): ${names}.`
        : ` Skipped (the final notice ends the ladder): ${names}.`;
  const by = ctx.by === 'the ladder' ? '' : ` Requested by ${slackUser(ctx.by)}.`;
  return `${stepAuditPrefix(s, ctx.invoice)} ${what[s.action]}; ${standing(ctx)}${skipped}${by}`;
}

/**
 * How the audit comment of a step on an invoice begins: a restart looks for it before writing it.
 * It names the invoice, so after a void and reissue the new invoice's steps get their own comments.
 */
export function stepAuditPrefix(s: LadderStep, invoice: Pick<InvoiceSnapshot, 'id' | 'number'>): string {
  return `Cashin: reminder step "${s.name}" on invoice ${invoice.number ?? invoice.id}:`;
}

function billingChecklist(m: Milestone, client: Client | null): ThreadNote['checklist'] {
  return [
    { label: client?.billingEmail ? `Billing email: ${client.billingEmail}` : 'Billing email missing', ok: Boolean(client?.billingEmail) },
    {
      label: client?.billingOwner ? `Billing owner: ${client.billingOwner}` : 'Billing owner not named on the client',
      ok: Boolean(client?.billingOwner),
    },
    m.poNumber
      ? { label: `PO number on the invoice: ${m.poNumber}`, ok: true }
      : client?.poRequired
        ? { label: 'PO number required and missing', ok: false }
        : { label: 'No PO number: confirm their accounts payable does not need one', ok: null },
    { label: client?.taxId ? `Tax ID: ${client.taxId}` : 'Tax ID not recorded: confirm none is needed on the invoice', ok: client?.taxId ? true : null },
    {
      label: m.acceptanceEvidence ? `Acceptance evidence: ${m.acceptanceEvidence}` : 'Acceptance evidence not linked',
      ok: Boolean(m.acceptanceEvidence),
    },
    { label: 'Invoice received by their accounts payable: not confirmed yet', ok: null },
  ];
}

function recap(m: Milestone): string {
  const packet = buildProofPacket(m);
  const outcome = packet.outcome === 'Not recorded yet.' ? '' : ` ${truncate(packet.outcome, 200)}`;
  return `${truncate(packet.recap, 300)}${outcome}`;
}

/**
 * What a draft says of the due date, on the day of the step: past-due wording only once the invoice
 * is past due; before that, a reminder of the day it falls due (whatever the step is called).
 */
function dueSentence(ctx: StepContext, opener: string): string {
  const { invoice } = ctx;
  const what = `invoice ${label(invoice)} for ${money(invoice, invoice.amountRemaining)}`;
  const due = dueStanding(ctx);
  const day = ctx.dueDate ? formatDay(ctx.dueDate) : '';
  switch (due.when) {
    case 'past':
      return `${opener} ${what} was due on ${day} and is now ${days(due.days)} past due.`;
    case 'today':
      return `${opener} ${what} is due today (${day}).`;
    case 'ahead':
      return ctx.scheduled.step.tone === 'firm' || ctx.scheduled.step.tone === 'formal'
        ? `${opener} ${what} is due on ${day}. Please make sure it is scheduled for payment by then.`
        : `${opener} ${what} is due on ${day}.`;
    case 'unknown':
      return `${opener} ${what} is due soon.`;
  }
}

function reminderDraft(ctx: StepContext): string {
  const { client, invoice, milestone: m } = ctx;
  const opener =
    ctx.scheduled.step.tone === 'soft'
      ? 'Just a gentle note in case this slipped through:'
      : ctx.scheduled.step.tone === 'firm'
        ? dueStanding(ctx).when === 'past'
          ? 'Following up on our earlier reminder:'
          : 'A reminder ahead of the due date:'
        : 'A quick reminder:';
  return [
    greeting(client),
    '',
    dueSentence(ctx, opener),
    `It covers: ${recap(m)}`,
    '',
    `You can pay it here: ${invoice.hostedUrl ?? '(payment link)'}`,
    '',
    'Thank you!',
  ].join('\n');
}

function escalationDraft(ctx: StepContext): string {
  const { client, invoice, milestone: m } = ctx;
  return [
    greeting(client),
    '',
    dueStanding(ctx).when === 'past'
      ? `Invoice ${label(invoice)} for ${money(invoice, invoice.amountRemaining)} went out ${days(ctx.daysSinceSent)} ago, was due on ${formatDay(ctx.dueDate ?? '')} and we have not seen payment yet.`
      : `Invoice ${label(invoice)} for ${money(invoice, invoice.amountRemaining)} went out ${days(ctx.daysSinceSent)} ago; it is ${dueWords(ctx).replace(' (not due yet)', '')}. I want to make sure it reached the right people in time.`,
    `It covers: ${recap(m)}`,
    '',
    'Is anything missing on your side (a PO number, a vendor form, a different billing contact)? Tell me and I will fix it today.',
    `Payment link: ${invoice.hostedUrl ?? '(payment link)'}`,
    '',
    'Thanks,',
  ].join('\n');
}

function callSummary(ctx: StepContext): string {
  const { client, invoice, milestone: m } = ctx;
  const history =
    client?.history.avgDaysToPay !== null && client?.history.avgDaysToPay !== undefined
      ? `usually pays in ${client.history.avgDaysToPay} days`
      : 'no payment history yet';
  return [
    `Who: ${client?.name ?? 'the client'}, ${ownerOf(client)} (${client?.billingEmail ?? 'no billing email'}); ${history}.`,
    `What: invoice ${label(invoice)}, ${money(invoice, invoice.amountRemaining)} outstanding, sent ${days(ctx.daysSinceSent)} ago, ${dueWords(ctx)}.`,
    `Delivered: ${recap(m)}`,
    `Reminders so far: ${remindersSoFar(ctx)}.`,
    'Ask: did the invoice reach accounts payable, is anything blocking it (PO, approval, vendor setup), and when will it be paid? Record the date as "Client promised to pay by…".',
  ].join('\n');
}

/** Every step before this one, with its day: "T+3 reminder (Mon 7 Dec), T+7 escalation (Wed 9 Dec)". */
function remindersSoFar(ctx: StepContext): string {
  if (ctx.history.length === 0) return 'none';
  return ctx.history.map((p) => `${p.name} (${p.skipped ? 'skipped' : p.day ? formatDay(p.day) : 'day unknown'})`).join(', ');
}

/**
 * The final notice as the client reads it. Past due, it says so (and that work is paused, when it
 * is); before the due date it is a firm reminder of that date, with nothing about lateness.
 */
function finalNoticeDraft(ctx: StepContext): string {
  const { client, invoice } = ctx;
  const what = `Invoice ${label(invoice)} for ${money(invoice, invoice.amountRemaining)}`;
  const due = dueStanding(ctx);
  const day = ctx.dueDate ? formatDay(ctx.dueDate) : '';
  const body =
    due.when === 'past'
      ? [
          `${what} was due on ${day} and remains unpaid, ${days(due.days)} past due.`,
          ctx.servicePaused
            ? 'In line with our agreement, work is paused until it is paid. We will resume as soon as payment arrives.'
            : 'Please settle it now, or tell me today what stands in the way.',
        ]
      : due.when === 'today'
        ? [`${what} is due today (${day}).`, 'Please make sure it is paid today, or tell me now if anything stands in the way.']
        : [
            due.when === 'ahead'
              ? `A firm reminder: ${what.charAt(0).toLowerCase()}${what.slice(1)} is due on ${day}.`
              : `A firm reminder about ${what.charAt(0).toLowerCase()}${what.slice(1)}.`,
            'Please make sure it is scheduled for payment by then, or tell me now if anything stands in the way.',
          ];
  return [greeting(client), '', ...body, '', `Payment link: ${invoice.hostedUrl ?? '(payment link)'}`].join('\n');
}

/**
 * An exception opened: the ladder pauses until the founder resolves it. On an invoice with nothing
 * left to collect (a card payment disputed after the invoice was paid) there is no ladder to resume
 * and nothing to reissue: the note says where it is answered and offers only "Mark resolved".
 */
export function exceptionNote(m: Milestone, invoice: InvoiceSnapshot, reason: string, openedAt: string, detail: string | null): ThreadNote {
  const collectible = isOutstanding(invoice);
  const bank = invoice.collection.cardDispute;
  const failed = reason === 'Payment failed' && !bank;
  return {
    key: noteKeys.exception(invoice.id, openedAt),
    needsFounder: true,
    title: bank
      ? `Exception on invoice ${label(invoice)}: the client's bank disputed a card payment (${reason})`
      : failed
        ? `Exception on invoice ${label(invoice)}: a payment attempt failed (Payment failed)`
        : `Exception on invoice ${label(invoice)}: ${reason}`,
    lines: [
      collectible ? `${money(invoice, invoice.amountRemaining)} outstanding of ${money(invoice, invoice.total)}.` : nothingOutstanding(invoice),
      ...(bank ? [cardDisputeLine(bank)] : []),
      ...(detail ? [detail] : []),
      collectible && failed
        ? 'Reminders are paused. A payment that goes through (any amount) closes this by itself; or resume reminders now, or void this invoice and send a corrected one.'
        : collectible
          ? 'Reminders are paused. Resume them once it is sorted out, or void this invoice and send a corrected one.'
          : `There are no reminders to resume and nothing to reissue. Once it is settled${bank ? ' in Stripe' : ''}, click "Mark resolved": that closes the exception in Notion.`,
    ],
    checklist: [],
    draft: null,
    buttons: collectible ? 'exception' : 'resolve',
    milestoneId: m.id,
    invoiceId: invoice.id,
    requestedBy: null,
  };
}

/** Where a card dispute is answered, with Stripe's reason for it. */
export function cardDisputeLine(stripeReason: string): string {
  return (
    `Stripe's reason: ${stripeReason.replace(/_/g, ' ')}. The dispute is answered in the Stripe Dashboard (Payments → Disputes), ` +
    'with your evidence, before the deadline Stripe shows there; Cashin cannot answer it for you.'
  );
}

function nothingOutstanding(invoice: InvoiceSnapshot): string {
  const paid = invoice.amountPaid > 0 ? ` (${money(invoice, invoice.amountPaid)} paid)` : '';
  return `Invoice ${label(invoice)} is ${invoice.status}${paid}: nothing is outstanding.`;
}

/** An exception closed by itself (a payment went through after a failed one). */
export function exceptionClosedNote(m: Milestone, invoice: InvoiceSnapshot, reason: string, why: string): ThreadNote {
  const collectible = isOutstanding(invoice);
  const cause = `${why.charAt(0).toUpperCase()}${why.slice(1)}.`;
  return {
    key: noteKeys.closed(invoice.id, invoice.collection.pausedSince ?? reason),
    needsFounder: false,
    title:
      reason === 'Payment failed'
        ? `Payment received on invoice ${label(invoice)}: the "Payment failed" exception is closed`
        : `Exception "${reason}" on invoice ${label(invoice)} is closed`,
    lines: [
      cause,
      collectible ? `${money(invoice, invoice.amountRemaining)} is left to pay; reminders go on from where they paused.` : 'Nothing is left to collect.',
    ],
    checklist: [],
    draft: null,
    buttons: null,
    milestoneId: m.id,
    invoiceId: invoice.id,
    requestedBy: null,
  };
}

export function resumedNote(m: Milestone, invoice: InvoiceSnapshot, pausedSince: string, pausedDays: number, next: string): ThreadNote {
  return {
    key: noteKeys.resumed(invoice.id, pausedSince),
    needsFounder: false,
    title: `Reminders resumed for invoice ${label(invoice)}`,
    lines: [`Paused for ${pausedDays} day${pausedDays === 1 ? '' : 's'}; every later step moves by as much.`, next],
    checklist: [],
    draft: null,
    buttons: null,
    milestoneId: m.id,
    invoiceId: invoice.id,
    requestedBy: null,
  };
}

export function acceptanceNote(m: Milestone, client: Client | null, hours: number): ThreadNote {
  return {
    key: noteKeys.acceptance(m.id, m.completed ?? ''),
    needsFounder: true,
    title: `No acceptance ${hours} hours after delivery: ${m.title.trim() || 'Untitled milestone'}`,
    lines: ['Nothing can be billed until the client accepts. Send them the note below, or click "Client accepted" on the card once they have.'],
    checklist: [],
    draft: { label: `To ${client?.billingOwner || client?.name || 'the client'}`, text: acceptanceRequest(m, client) },
    buttons: null,
    milestoneId: m.id,
    invoiceId: null,
    requestedBy: null,
  };
}

export function pauseLiftedNote(m: Milestone, client: Client | null, invoice: InvoiceSnapshot): ThreadNote {
  return {
    key: noteKeys.pauseLifted(invoice.id),
    needsFounder: true,
    title: `${client?.name ?? 'The client'} paid invoice ${label(invoice)}: service pause lifted`,
    lines: ['"Service paused" is cleared in Notion. Work can resume.'],
    checklist: [],
    draft: null,
    buttons: null,
    milestoneId: m.id,
    invoiceId: invoice.id,
    requestedBy: null,
  };
}
