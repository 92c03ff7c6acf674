/**
 * decide(): the one place where the next actions for a milestone come from.
 *
 * It looks at everything known about one milestone and returns what is still owed. It is
 * idempotent: once the actions are applied, calling it again returns nothing. Catch-up after
 * downtime and crash recovery come from that property, so every rule here must keep it.
 */
import { evaluateBillingRules, formatBlockers, type BillingPolicy, type Blocker } from './billing-rules.js';
import { autoSendTime, buildCardView, isAcceptanceOverdue, type CardView } from './card-view.js';
import { acceptanceNote, exceptionNote, noteKeys, type ThreadNote } from './collection-notes.js';
import { dueDateOf, isOutstanding, ladderFactsOf, paidAfterFailure, reminderWindow } from './collection.js';
import { finalNoticeDone, ladderStatus, type ScheduledStep } from './ladder.js';
import { changedTerms, planInvoice, type InvoicePlan } from './invoice-plan.js';
import { sendFailureLine, type Client, type InvoiceSnapshot, type LedgerInvoice, type Milestone } from './milestone.js';
import { formatMoney, toMajorUnits } from './money.js';
import { truncate, wellFormed } from './text.js';
import { isoWithOffset, localDate, parseInstant } from './time.js';
import { daysLate } from './collection.js';

export type InvoiceProblem = 'missing' | 'foreign';

export type MilestoneState = {
  readonly milestone: Milestone;
  readonly client: Client | null;
  /** Cashin's invoice with the row's Invoice ID, as Stripe last reported it; null when not loaded yet. */
  readonly invoice: InvoiceSnapshot | null;
  /** Set once the row's Invoice ID was looked up in Stripe and is not an invoice Cashin may act on. */
  readonly invoiceProblem: InvoiceProblem | null;
  /** Key of the card content last posted to Slack; null when unknown (e.g. after a restart). */
  readonly renderedCardKey: string | null;
  /** When the bot first saw Stage = Accepted (matters when Accepted holds a date without a time). */
  readonly acceptedSeenAt: Date | null;
  /** The card's `channel/ts` as the bot knows it: the row's Slack card, or one posted and not saved yet. */
  readonly cardRef: string;
  /** The id of a finalized invoice Stripe's log showed was never emailed (so it need not be asked again). */
  readonly notEmailed: string | null;
  /** Keys of thread notes known to be in the card's thread (see collection-notes.ts). */
  readonly notesPosted: ReadonlySet<string>;
};

export type InvoiceTransition = 'sent' | 'partially_paid' | 'paid' | 'overdue' | 'void' | 'uncollectible' | 'credited';

/** The bot-owned invoice columns a Stripe invoice implies. */
export type InvoiceRecord = Pick<LedgerInvoice, 'status' | 'number' | 'link' | 'due' | 'paidOn' | 'amountPaid' | 'amountCredited'>;

export type Action =
  | { readonly type: 'fill-completed'; readonly value: string }
  | { readonly type: 'fill-accepted'; readonly value: string }
  | { readonly type: 'write-blockers'; readonly text: string }
  /** Read the row's invoice from Stripe: it decides what else is owed. */
  | { readonly type: 'load-invoice' }
  | { readonly type: 'send-invoice'; readonly trigger: 'auto' }
  /** Finish a send that stopped half-way, for exactly the terms it was started with. */
  | { readonly type: 'resume-invoice' }
  /** Ask Stripe whether a finalized invoice the row does not record as sent was emailed after all. */
  | { readonly type: 'check-sent' }
  /** Delete (or void, if finalized and never emailed) an unsent invoice the row no longer supports. */
  | { readonly type: 'discard-invoice'; readonly reason: string }
  | { readonly type: 'record-invoice'; readonly record: InvoiceRecord; readonly transition: InvoiceTransition | null }
  | { readonly type: 'save-card-ref'; readonly ref: string }
  | { readonly type: 'render-card'; readonly view: CardView; readonly key: string }
  /** Perform the ladder step due now; `skipped` were missed (downtime, a hold) and are not performed. */
  | { readonly type: 'ladder-step'; readonly due: ScheduledStep; readonly skipped: readonly ScheduledStep[] }
  /** An exception is open (Dispute reason set): start the pause clock on the invoice. */
  | { readonly type: 'ladder-pause' }
  /** The exception is resolved (Dispute reason cleared): stop the clock, shifting later steps by the pause. */
  | { readonly type: 'ladder-resume' }
  | { readonly type: 'post-note'; readonly note: ThreadNote }
  /** The invoice whose final step paused the client's service is paid: lift the pause. */
  | { readonly type: 'lift-service-pause' }
  /** An invoice voided to be reissued: send the corrected one (the founder approved it in Slack). */
  | { readonly type: 'finish-reissue' }
  /** A failed payment's exception, closed because the invoice got paid after all. */
  | { readonly type: 'close-exception'; readonly why: string };

const BILLABLE_STAGES: ReadonlySet<string> = new Set(['Delivered', 'Accepted']);

export function decide(state: MilestoneState, now: Date, policy: BillingPolicy): Action[] {
  const { milestone: m, client } = state;
  if (m.trashed) return deletedRow(state);
  const actions: Action[] = [];
  const billable = m.stage !== null && BILLABLE_STAGES.has(m.stage);

  if (m.stage === 'Delivered' && !m.completed) actions.push({ type: 'fill-completed', value: isoWithOffset(now, policy.timeZone) });
  if (m.stage === 'Accepted' && !m.accepted) actions.push({ type: 'fill-accepted', value: isoWithOffset(now, policy.timeZone) });

  const check = evaluateBillingRules(m, client, policy);
  const invoiceId = m.invoice.id;
  const problem = invoiceProblemOf(state);
  const invoice = problem ? null : state.invoice;
  const unsent = m.invoice.status === null || m.invoice.status === 'Draft';
  const blockers = [...(billable && unsent ? check.blockers : []), ...(problem && invoiceId ? [invoiceProblemBlocker(problem, invoiceId)] : [])];
  // Written as Notion keeps it (well-formed), or the comparison would never settle.
  const blockersText = wellFormed([formatBlockers(blockers), m.sendFailure ? sendFailureLine(m.sendFailure) : ''].filter((t) => t !== '').join('\n'));
  if (blockersText !== m.blockers.trim()) actions.push({ type: 'write-blockers', text: blockersText });

  const plan = planInvoice(m, client, check);
  const autoSendAt = autoSendTime(m, client, check, policy, state.acceptedSeenAt);
  if (invoiceId && !problem) {
    if (!invoice) {
      actions.push({ type: 'load-invoice' });
    } else if (unsent && (invoice.status === 'draft' || invoice.status === 'open')) {
      const owed = unfinishedSend(state, invoice, plan, autoSendAt, now);
      if (owed) actions.push(owed);
    } else if (invoice.status === 'void' && invoice.collection.replacedBy?.startsWith(REISSUE_PENDING) && !m.sendFailure) {
      actions.push({ type: 'finish-reissue' });
    } else {
      const record = invoiceRecord(invoice, m, now, policy.timeZone);
      if (!sameRecord(record, m.invoice, policy.timeZone)) {
        actions.push({ type: 'record-invoice', record, transition: transitionOf(m.invoice, record) });
      }
    }
  }

  if (!invoiceId && autoSendAt && !m.sendFailure && now.getTime() >= autoSendAt.getTime() && actions.length === 0) {
    actions.push({ type: 'send-invoice', trigger: 'auto' });
  }
  if (actions.length > 0) return actions;
  if (state.cardRef !== '' && state.cardRef !== m.slackCard) return [{ type: 'save-card-ref', ref: state.cardRef }];

  // Replies go in the card's thread, so the card comes first.
  const follow = state.cardRef !== '' ? followUps(state, invoice && !unsent ? invoice : null, now, policy) : [];
  if (follow.length > 0) return follow;

  // The card is rendered last, from the settled state, so one tick updates it once.
  const wantsCard = billable || invoiceId !== null || state.cardRef !== '';
  // A card for an invoice is drawn from Stripe's answer; wait until it is known.
  if (!wantsCard || (invoiceId && !invoice && !problem)) return [];
  // An invoice the row does not record as sent yet is still under review, even if Stripe finalized it.
  const shown = unsent ? null : invoice;
  const view = buildCardView({ milestone: m, client, invoice: shown, check, blockers, plan, autoSendAt, now, policy, sendError: m.sendFailure });
  const key = JSON.stringify(view);
  if (key === state.renderedCardKey) return [];
  return [{ type: 'render-card', view, key }];
}

/** A voided invoice's memo while its corrected successor is being sent: "pending:<user>:<fingerprint>". */
export const REISSUE_PENDING = 'pending:';

/**
 * What is owed after the invoice went out, in the card's thread: the acceptance prompt, the pause
 * clock of an exception and its note, the ladder's step due now, and lifting a service pause.
 */
function followUps(state: MilestoneState, invoice: InvoiceSnapshot | null, now: Date, policy: BillingPolicy): Action[] {
  const { milestone: m, client } = state;
  const note = (n: ThreadNote): Action[] => (state.notesPosted.has(n.key) ? [] : [{ type: 'post-note', note: n }]);
  if (!invoice) {
    if (m.invoice.id === null && m.completed && isAcceptanceOverdue(m, now, policy)) return note(acceptanceNote(m, client, policy.acceptanceSlaHours));
    return [];
  }
  const memo = invoice.collection;
  if (paidAfterFailure(m, invoice)) {
    const since = invoice.collection.paidAtPause;
    const amount = formatMoney({ minor: invoice.amountPaid - (since ?? 0), currency: invoice.currency });
    const why =
      invoice.status === 'paid'
        ? since === null
          ? 'the invoice was paid after the failed attempt'
          : `a payment of ${amount} went through after the failed attempt, and the invoice is paid`
        : `a payment of ${amount} went through after the failed attempt`;
    return [{ type: 'close-exception', why }];
  }
  if (m.disputeReason !== null && (invoice.status === 'open' || invoice.status === 'paid') && memo.pausedSince === null) return [{ type: 'ladder-pause' }];
  if (m.disputeReason === null && (memo.pausedSince !== null || memo.cardDispute !== null)) return [{ type: 'ladder-resume' }];
  if (m.disputeReason !== null) {
    const opened = memo.pausedSince ?? m.disputeReason;
    return note(exceptionNote(m, invoice, m.disputeReason, opened, null));
  }
  if (client?.servicePaused && invoice.status === 'paid' && finalNoticeDone(m.reminderStage)) {
    return state.notesPosted.has(noteKeys.pauseLifted(invoice.id)) ? [] : [{ type: 'lift-service-pause' }];
  }
  const facts = ladderFactsOf(m, client, invoice, policy.timeZone);
  if (!facts) return [];
  const status = ladderStatus(facts, now, reminderWindow(policy));
  return status.state === 'due' ? [{ type: 'ladder-step', due: status.due, skipped: status.skipped }] : [];
}

/** A row deleted in Notion: an invoice started for it and never emailed is withdrawn; nothing else happens. */
function deletedRow(state: MilestoneState): Action[] {
  const { milestone: m, invoice } = state;
  const unsent = m.invoice.status === null || m.invoice.status === 'Draft';
  if (!unsent || !invoice || invoice.id !== m.invoice.id || invoice.milestoneId !== m.id) return [];
  return invoice.status === 'draft' || invoice.status === 'open' ? [{ type: 'discard-invoice', reason: 'the milestone was deleted from Notion' }] : [];
}

/** Whether the row's Invoice ID is an invoice Cashin made for this milestone and this client. */
export function invoiceProblemOf(state: MilestoneState): InvoiceProblem | null {
  if (state.invoiceProblem) return state.invoiceProblem;
  const { invoice, milestone: m, client } = state;
  if (!invoice || invoice.id !== m.invoice.id) return null;
  const customer = client?.stripeCustomerId ?? null;
  return invoice.milestoneId === m.id && customer !== null && invoice.customerId === customer ? null : 'foreign';
}

function invoiceProblemBlocker(problem: InvoiceProblem, invoiceId: string): Blocker {
  return problem === 'missing'
    ? {
        rule: 'completeness',
        code: 'invoice_not_found',
        message: `Invoice ID "${truncate(invoiceId, 80)}" is not an invoice in this Stripe account.`,
        fix: 'Clear Invoice ID and Invoice status so Cashin can bill this milestone, or paste the right id.',
      }
    : {
        rule: 'completeness',
        code: 'invoice_not_cashins',
        message: `Invoice ${truncate(invoiceId, 80)} was not created by Cashin for this milestone and client, so Cashin will not finalize, send, void or record payments for it.`,
        fix: 'Clear Invoice ID and Invoice status to let Cashin bill this milestone; settle that invoice in Stripe yourself.',
      };
}

/**
 * An invoice started and not yet emailed. It goes on only for the very terms it was started with,
 * and only when whoever started it may still send: the founder who clicked, or auto-send if the
 * client still allows it. Anything else discards it, or leaves it for the founder's click.
 */
function unfinishedSend(state: MilestoneState, invoice: InvoiceSnapshot, plan: InvoicePlan | null, autoSendAt: Date | null, now: Date): Action | null {
  const { milestone: m, client } = state;
  // A finalized invoice may have reached the client already, whatever else holds it back: the row
  // must then say so. Discarding and resuming check this themselves.
  const check: Action | null = invoice.status === 'open' && state.notEmailed !== invoice.id ? { type: 'check-sent' } : null;
  if (m.sendFailure) return check;
  if (!plan) {
    const why = m.stage !== 'Accepted' ? `Stage is "${m.stage ?? 'blank'}" now, not Accepted` : 'a billing rule fails now (see Blockers)';
    return { type: 'discard-invoice', reason: why };
  }
  const changes = differences(invoice, plan, client);
  if (changes.length > 0) return { type: 'discard-invoice', reason: `the row changed after the invoice was started: ${changes.join(', ')}` };
  const byFounder = invoice.sentBy !== null && invoice.sentBy !== 'auto';
  return byFounder || (autoSendAt !== null && now.getTime() >= autoSendAt.getTime()) ? { type: 'resume-invoice' } : check;
}

/** How a Stripe draft differs from what the row would bill now, in the words the founder uses. */
export function differences(invoice: InvoiceSnapshot, plan: InvoicePlan, client: Client | null): string[] {
  const found = new Set(invoice.terms ? changedTerms(invoice.terms, plan.terms) : ['billing terms']);
  if (invoice.currency !== plan.terms.amount.currency) found.add('currency');
  if (invoice.customerId !== client?.stripeCustomerId) found.add('client');
  if (invoice.poNumber !== plan.terms.poNumber) found.add('PO number');
  if (invoice.lineCount > 0 && (invoice.subtotal !== plan.terms.amount.minor || invoice.tax !== plan.terms.tax.minor)) found.add('total');
  return [...found];
}

/**
 * The ledger columns a Stripe invoice implies. An open exception (Dispute reason) shows as
 * Disputed, paid or not; an open invoice is Overdue from the day after its due date, in the
 * founder's zone.
 */
export function invoiceRecord(invoice: InvoiceSnapshot, m: Milestone, now: Date, timeZone: string): InvoiceRecord {
  const ledger = m.invoice;
  const due = invoice.dueDate ? localDate(new Date(invoice.dueDate), timeZone) : null;
  const overdue = daysLate(dueDateOf(m, invoice, timeZone), now, timeZone) > 0;
  const amountPaid = invoice.amountPaid > 0 || invoice.status === 'paid' ? toMajorUnits({ minor: invoice.amountPaid, currency: invoice.currency }) : null;
  // Written only where the table has the column (the ledger leaves it out otherwise).
  const credited =
    ledger.amountCredited === undefined
      ? {}
      : { amountCredited: invoice.credited > 0 ? toMajorUnits({ minor: invoice.credited, currency: invoice.currency }) : null };
  const base = { number: invoice.number, link: invoice.hostedUrl, due, amountPaid, paidOn: ledger.paidOn, ...credited };
  // A failed payment stops mattering once a payment goes through (the exception is closed next).
  const disputed = m.disputeReason !== null && !paidAfterFailure(m, invoice);
  switch (invoice.status) {
    case 'draft':
      return { ...base, status: 'Draft' };
    case 'open':
      if (disputed) return { ...base, status: 'Disputed' };
      return { ...base, status: overdue && isOutstanding(invoice) ? 'Overdue' : 'Sent' };
    case 'paid':
      return {
        ...base,
        status: disputed ? 'Disputed' : 'Paid',
        paidOn: invoice.paidAt ? isoWithOffset(new Date(invoice.paidAt), timeZone) : ledger.paidOn,
      };
    case 'void':
      return { ...base, status: 'Void' };
    case 'uncollectible':
      return { ...base, status: 'Uncollectible' };
  }
}

function sameRecord(record: InvoiceRecord, ledger: LedgerInvoice, timeZone: string): boolean {
  return (
    record.status === ledger.status &&
    record.number === ledger.number &&
    record.link === ledger.link &&
    record.due === (ledger.due ? ledger.due.slice(0, 10) : null) &&
    record.amountPaid === ledger.amountPaid &&
    (record.amountCredited === undefined || record.amountCredited === ledger.amountCredited) &&
    sameInstant(record.paidOn, ledger.paidOn, timeZone)
  );
}

function sameInstant(a: string | null, b: string | null, timeZone: string): boolean {
  if (a === null || b === null) return a === b;
  return parseInstant(a, timeZone)?.getTime() === parseInstant(b, timeZone)?.getTime();
}

function transitionOf(before: LedgerInvoice, after: InvoiceRecord): InvoiceTransition | null {
  if (after.status === before.status) {
    if (after.amountPaid !== before.amountPaid && after.amountPaid !== null) return 'partially_paid';
    return after.amountCredited !== undefined && after.amountCredited !== null && after.amountCredited !== before.amountCredited ? 'credited' : null;
  }
  switch (after.status) {
    case 'Paid':
      return 'paid';
    case 'Void':
      return 'void';
    case 'Uncollectible':
      return 'uncollectible';
    case 'Overdue':
      return 'overdue';
    case 'Sent':
      return after.amountPaid !== null && after.amountPaid !== before.amountPaid ? 'partially_paid' : 'sent';
    default:
      return null;
  }
}
