/**
 * decide(): the one place where the next actions for a milestone come from.
 *
 * It looks at everything known about one milestone and returns what is still owed. It is
 * idempotent: once the actions are applied, calling it again returns nothing. Catch-up after
 * downtime and crash recovery come from that property, so every rule here must keep it.
 */
import { evaluateBillingRules, formatBlockers, type BillingPolicy } from './billing-rules.js';
import { autoSendTime, buildCardView, type CardView } from './card-view.js';
import type { Client, InvoiceSnapshot, LedgerInvoice, Milestone } from './milestone.js';
import { toMajorUnits } from './money.js';
import { isoWithOffset, localDate, parseInstant } from './time.js';

export type MilestoneState = {
  readonly milestone: Milestone;
  readonly client: Client | null;
  /** The invoice as Stripe last reported it; null when there is none or it is not loaded yet. */
  readonly invoice: InvoiceSnapshot | null;
  /** Key of the card content last posted to Slack; null when unknown (e.g. after a restart). */
  readonly renderedCardKey: string | null;
  /** When the bot first saw Stage = Accepted (matters when Accepted holds a date without a time). */
  readonly acceptedSeenAt: Date | null;
  /** Why the last send failed in a way retrying will not fix; it waits for the founder. */
  readonly sendError: string | null;
};

export type InvoiceTransition = 'sent' | 'partially_paid' | 'paid' | 'overdue' | 'void' | 'uncollectible';

/** The bot-owned invoice columns a Stripe invoice implies. */
export type InvoiceRecord = Pick<LedgerInvoice, 'status' | 'number' | 'link' | 'due' | 'paidOn' | 'amountPaid'>;

export type Action =
  | { readonly type: 'fill-completed'; readonly value: string }
  | { readonly type: 'fill-accepted'; readonly value: string }
  | { readonly type: 'write-blockers'; readonly text: string }
  | { readonly type: 'send-invoice'; readonly trigger: 'auto' }
  | { readonly type: 'resume-invoice' }
  | { readonly type: 'record-invoice'; readonly record: InvoiceRecord; readonly transition: InvoiceTransition | null }
  | { readonly type: 'render-card'; readonly view: CardView; readonly key: string };

const BILLABLE_STAGES: ReadonlySet<string> = new Set(['Delivered', 'Accepted']);

export function decide(state: MilestoneState, now: Date, policy: BillingPolicy): Action[] {
  const { milestone: m, client, invoice } = state;
  const actions: Action[] = [];
  const billable = m.stage !== null && BILLABLE_STAGES.has(m.stage);

  if (m.stage === 'Delivered' && !m.completed) actions.push({ type: 'fill-completed', value: isoWithOffset(now, policy.timeZone) });
  if (m.stage === 'Accepted' && !m.accepted) actions.push({ type: 'fill-accepted', value: isoWithOffset(now, policy.timeZone) });

  const check = evaluateBillingRules(m, client, policy);
  const hasInvoice = m.invoice.id !== null;
  const blockersText = billable && !hasInvoice ? formatBlockers(check.blockers) : '';
  if (blockersText !== m.blockers.trim()) actions.push({ type: 'write-blockers', text: blockersText });

  if (hasInvoice && (m.invoice.status === null || m.invoice.status === 'Draft')) {
    // An invoice id with no Sent status means a send started and did not finish: finish it,
    // unless it failed for a reason only the founder can fix.
    if (state.sendError === null) actions.push({ type: 'resume-invoice' });
  } else if (invoice && hasInvoice && invoice.id === m.invoice.id) {
    const record = invoiceRecord(invoice, m.invoice, now, policy.timeZone);
    if (!sameRecord(record, m.invoice, policy.timeZone)) {
      actions.push({ type: 'record-invoice', record, transition: transitionOf(m.invoice, record) });
    }
  }

  const autoSendAt = autoSendTime(m, client, check, policy, state.acceptedSeenAt);
  if (!hasInvoice && autoSendAt && state.sendError === null && now.getTime() >= autoSendAt.getTime() && actions.length === 0) {
    actions.push({ type: 'send-invoice', trigger: 'auto' });
  }
  if (actions.length > 0) return actions;

  // The card is rendered last, from the settled state, so one tick updates it once.
  const wantsCard = billable || hasInvoice || m.slackCard !== '';
  // A card for an invoice is drawn from Stripe's answer; wait until it is known.
  if (!wantsCard || (hasInvoice && invoice === null && state.sendError === null)) return [];
  const view = buildCardView({ milestone: m, client, invoice, check, autoSendAt, now, policy, sendError: state.sendError });
  const key = JSON.stringify(view);
  if (key === state.renderedCardKey) return [];
  return [{ type: 'render-card', view, key }];
}

/** The ledger columns a Stripe invoice implies; a dispute recorded in the ledger is kept while it is open. */
export function invoiceRecord(invoice: InvoiceSnapshot, ledger: LedgerInvoice, now: Date, timeZone: string): InvoiceRecord {
  const due = invoice.dueDate ? localDate(new Date(invoice.dueDate), timeZone) : null;
  const overdue = invoice.dueDate !== null && new Date(invoice.dueDate).getTime() < now.getTime();
  const amountPaid = invoice.amountPaid > 0 || invoice.status === 'paid'
    ? toMajorUnits({ minor: invoice.amountPaid, currency: invoice.currency })
    : null;
  const base = { number: invoice.number, link: invoice.hostedUrl, due, amountPaid, paidOn: ledger.paidOn };
  switch (invoice.status) {
    case 'draft':
      return { ...base, status: 'Draft' };
    case 'open':
      if (ledger.status === 'Disputed') return { ...base, status: 'Disputed' };
      return { ...base, status: overdue ? 'Overdue' : 'Sent' };
    case 'paid':
      return { ...base, status: 'Paid', paidOn: invoice.paidAt ? isoWithOffset(new Date(invoice.paidAt), timeZone) : ledger.paidOn };
    case 'void':
      return { ...base, status: 'Void' };
    case 'uncollectible':
      return { ...base, status: 'Uncollectible' };
  }
}

function sameRecord(record: InvoiceRecord, ledger: LedgerInvoice, timeZone: string): boolean {
  return record.status === ledger.status
    && record.number === ledger.number
    && record.link === ledger.link
    && record.due === (ledger.due ? ledger.due.slice(0, 10) : null)
    && record.amountPaid === ledger.amountPaid
    && sameInstant(record.paidOn, ledger.paidOn, timeZone);
}

function sameInstant(a: string | null, b: string | null, timeZone: string): boolean {
  if (a === null || b === null) return a === b;
  return parseInstant(a, timeZone)?.getTime() === parseInstant(b, timeZone)?.getTime();
}

function transitionOf(before: LedgerInvoice, after: InvoiceRecord): InvoiceTransition | null {
  if (after.status === before.status) {
    return after.amountPaid !== before.amountPaid && after.amountPaid !== null ? 'partially_paid' : null;
  }
  switch (after.status) {
    case 'Paid': return 'paid';
    case 'Void': return 'void';
    case 'Uncollectible': return 'uncollectible';
    case 'Overdue': return 'overdue';
    case 'Sent': return after.amountPaid !== null && after.amountPaid !== before.amountPaid ? 'partially_paid' : 'sent';
    default: return null;
  }
}
