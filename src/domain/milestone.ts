/**
 * The billing record: one Notion Milestones row and its Clients row, as the domain sees them.
 * Property names and owners are in docs/ledger.md; the ledger adapter maps pages to these types.
 */
export const STAGES = ['Planned', 'In progress', 'Delivered', 'Accepted'] as const;
export type Stage = (typeof STAGES)[number];

export const INVOICE_STATUSES = ['Draft', 'Sent', 'Paid', 'Overdue', 'Disputed', 'Void', 'Uncollectible'] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

export const DISPUTE_REASONS = ['PO mismatch', 'Scope dispute', 'Legal review', 'Procurement', 'Payment failed', 'Other'] as const;
export type DisputeReason = (typeof DISPUTE_REASONS)[number];

/**
 * The Dispute reason a card dispute is recorded under, from Stripe's reason for it: the client says
 * the work never arrived or was not as agreed (a scope dispute), or anything else (fraud, a
 * duplicate, an unrecognised charge…): Other. Never "Payment failed": the payment went through, and
 * that exception closes by itself on the next payment.
 */
export function disputeReasonOfCardDispute(stripeReason: string | null | undefined): DisputeReason {
  return stripeReason === 'product_not_received' || stripeReason === 'product_unacceptable' ? 'Scope dispute' : 'Other';
}

export const REMINDER_CADENCES = ['Standard', 'Net 30', 'After due', 'Gentle', 'Firm'] as const;
export type ReminderCadence = (typeof REMINDER_CADENCES)[number];

/** What the ledger says about the milestone's invoice (bot-owned columns). */
export type LedgerInvoice = {
  status: InvoiceStatus | null;
  id: string | null;
  number: string | null;
  link: string | null;
  created: string | null;
  sent: string | null;
  due: string | null;
  paidOn: string | null;
  amountPaid: number | null;
  /** Credit notes on the invoice, in major units; undefined when the table has no "Amount credited" column. */
  amountCredited?: number | null;
};

export type Milestone = {
  id: string;
  url: string | null;
  title: string;
  clientId: string | null;
  project: string;
  /** Major units as typed by the founder. */
  amount: number | null;
  currency: string | null;
  /** The raw Stage option; anything outside STAGES is kept so the card can name it. */
  stage: string | null;
  due: string | null;
  completed: string | null;
  accepted: string | null;
  acceptanceEvidence: string | null;
  deliveryEvidence: string;
  outcome: string;
  nextCheckpoint: string;
  scopeVersion: string;
  changeOrderRequired: boolean;
  poNumber: string;
  invoice: LedgerInvoice;
  /** Why collection is paused (an open exception), one of DISPUTE_REASONS when written by Cashin. */
  disputeReason: string | null;
  /** The client promised payment by this date (YYYY-MM-DD or ISO): reminders wait until it is over. */
  promiseToPay: string | null;
  /** The last step of the reminder ladder done. */
  reminderStage: string | null;
  /** What the forecast last wrote: Expected cash-in (a date) and Cash-in confidence (percent). */
  cashIn?: { expected: string | null; confidence: number | null };
  blockers: string;
  /** Why the last send failed in a way only the founder can fix; kept in Blockers so a restart remembers. */
  sendFailure: string | null;
  slackCard: string;
  lastEditedTime: string;
  /** The row was deleted in Notion (it sits in the trash): nothing more is done for it. */
  trashed: boolean;
};

export type Client = {
  id: string;
  name: string;
  billingEmail: string | null;
  billingOwner: string;
  currency: string | null;
  paymentTermsDays: number | null;
  poRequired: boolean;
  taxId: string;
  /** Percent, e.g. 20 for 20 %. */
  taxRate: number | null;
  reminderCadence: string | null;
  reviewBeforeSend: boolean;
  servicePause: boolean;
  /** Cashin paused work for non-payment (bot-owned). */
  servicePaused: boolean;
  /** The client's own days for the ladder's steps, e.g. "5, 10, 20" (optional "Reminder offsets" column). */
  reminderOffsets: string;
  stripeCustomerId: string | null;
  /** The client's payment history as Cashin last summed it up (Clients: Avg days to pay, Paid invoices, Disputes). */
  history: ClientTotals;
};

export type ClientTotals = { avgDaysToPay: number | null; paidInvoices: number | null; disputes: number | null };

/** The invoice as Stripe last reported it, reduced to what the bot uses. */
export type InvoiceSnapshot = {
  id: string;
  number: string | null;
  status: 'draft' | 'open' | 'paid' | 'void' | 'uncollectible';
  hostedUrl: string | null;
  /** Upper-case ISO 4217, as everywhere in the domain (Stripe sends lower case). */
  currency: string;
  /** Minor units. */
  total: number;
  amountPaid: number;
  amountRemaining: number;
  created: string;
  dueDate: string | null;
  paidAt: string | null;
  lineCount: number;
  /** Before tax, and the tax on top, in minor units. */
  subtotal: number;
  tax: number;
  customerId: string;
  /** The "PO number" custom field printed on the invoice; '' when none. */
  poNumber: string;
  /** Slack user id of the founder who sent it, or "auto" for the grace-period send. */
  sentBy: string | null;
  /** The milestone Cashin created it for (its metadata); null on invoices Cashin did not create. */
  milestoneId: string | null;
  /** Fingerprint of the billing terms the invoice was made from (see invoice-plan.ts). */
  terms: string | null;
  /** Credit notes issued on it, in minor units: they lower what the client owes. */
  credited: number;
  /** The collection bookkeeping Cashin keeps in the invoice's metadata. */
  collection: CollectionMemo;
};

/**
 * What the ladder needs to remember beyond the ledger, kept with the invoice in Stripe so it
 * survives restarts and travels with the invoice: the pause clock, a snooze, and links between
 * a voided invoice and the one that replaced it.
 */
export type CollectionMemo = {
  /** ISO instant the open exception paused the ladder; null when not paused. */
  pausedSince: string | null;
  /** Milliseconds the ladder spent paused in earlier exceptions. */
  pausedMs: number;
  /** ISO instant before which the founder snoozed the ladder. */
  snoozedUntil: string | null;
  /** The invoice this one replaces (void and reissue). */
  replaces: string | null;
  /** The invoice that replaced this one. */
  replacedBy: string | null;
  /** A client reminder started: "<step name>|<id of the last invoice.sent event before it, or none>". */
  reminding: string | null;
  /**
   * The open exception came from the client's bank disputing a card payment (charge.dispute.created):
   * Stripe's reason for it ("fraudulent", "product_not_received"…). Cleared when the exception closes.
   */
  cardDispute: string | null;
  /** What was paid on the invoice (minor units) when the open exception paused the ladder: a payment after it shows as more. */
  paidAtPause: number | null;
  /** What happened to each ladder step: the day it was done, or that it was skipped (see parseLadderLog). */
  ladderLog: string | null;
};

export function emptyCollectionMemo(): CollectionMemo {
  return {
    pausedSince: null,
    pausedMs: 0,
    snoozedUntil: null,
    replaces: null,
    replacedBy: null,
    reminding: null,
    cardDispute: null,
    paidAtPause: null,
    ladderLog: null,
  };
}

/** Invoice statuses that still need watching; Paid, Void and Uncollectible are settled. */
export const OPEN_INVOICE_STATUSES = ['Draft', 'Sent', 'Overdue', 'Disputed'] as const satisfies readonly InvoiceStatus[];

/** Stages in which a row without an invoice can be billed. */
export const BILLABLE_STAGES = ['Delivered', 'Accepted'] as const satisfies readonly Stage[];

/**
 * Whether a row can still need something from Cashin: a billable stage without an invoice, or an
 * invoice still open. The ledger's start-up query asks Notion for exactly these rows.
 */
export function mayNeedAction(m: Milestone): boolean {
  const status = m.invoice.status;
  if (status === null) return m.stage !== null && (BILLABLE_STAGES as readonly string[]).includes(m.stage);
  return (OPEN_INVOICE_STATUSES as readonly string[]).includes(status);
}

export function isStage(value: string | null): value is Stage {
  return value !== null && (STAGES as readonly string[]).includes(value);
}

/** A Blockers line that records a failed send. */
const SEND_FAILED = 'Send failed: ';

export function sendFailureLine(reason: string): string {
  return `${SEND_FAILED}${reason.replace(/\s+/g, ' ').trim()} → Fix it, then click "Send invoice" again.`;
}

/** The recorded send failure in a Blockers text, without its fix. */
export function sendFailureOf(blockers: string): string | null {
  const line = blockers.split('\n').find((l) => l.startsWith(SEND_FAILED));
  return line ? line.slice(SEND_FAILED.length).replace(/ → Fix it, then click "Send invoice" again\.$/, '') : null;
}

export function emptyLedgerInvoice(): LedgerInvoice {
  return { status: null, id: null, number: null, link: null, created: null, sent: null, due: null, paidOn: null, amountPaid: null };
}
