/**
 * What the workflows need from the outside world, and nothing more. The workflows own these types;
 * the adapters (ledger/, billing/, slack/) implement them, and tests run the real adapters against
 * the emulators.
 */
import type { CardView } from '../domain/card-view.js';
import type { ThreadNote } from '../domain/collection-notes.js';
import type { CashAnswer } from '../domain/cash-report.js';
import type { InvoiceHistoryRow } from '../domain/client-history.js';
import type { Client, ClientTotals, CollectionMemo, InvoiceSnapshot, InvoiceStatus, Milestone } from '../domain/milestone.js';

/** Fields the bot may write on a milestone, in domain terms; null clears a column. */
export type MilestonePatch = Partial<{
  stage: 'Accepted' | 'Delivered';
  completed: string;
  accepted: string;
  acceptanceEvidence: string;
  poNumber: string;
  blockers: string;
  slackCard: string;
  invoiceStatus: InvoiceStatus | null;
  invoiceId: string | null;
  invoiceNumber: string | null;
  invoiceLink: string | null;
  invoiceCreated: string | null;
  invoiceSent: string | null;
  invoiceDue: string | null;
  paidOn: string | null;
  amountPaid: number | null;
  amountCredited: number | null;
  disputeReason: string | null;
  promiseToPay: string | null;
  reminderStage: string | null;
  expectedCashIn: string | null;
  cashInConfidence: number | null;
}>;

export type ClientPatch = Partial<{ billingEmail: string | null; taxId: string; stripeCustomerId: string; history: ClientTotals; servicePaused: boolean }>;

export type { InvoiceHistoryRow };

/** Draft of a new Milestones row (the change order the founder will price). */
export type MilestoneDraft = { title: string; clientId: string | null; project: string; scopeVersion: string; stage: 'Planned'; currency: string | null };

export type Ledger = {
  pollMilestones(): Promise<Milestone[]>;
  pollClients(): Promise<Client[]>;
  getMilestone(id: string): Promise<Milestone>;
  getClient(id: string): Promise<Client>;
  updateMilestone(id: string, patch: MilestonePatch): Promise<Milestone>;
  updateClient(id: string, patch: ClientPatch): Promise<Client>;
  createMilestone(draft: MilestoneDraft): Promise<Milestone>;
  /** Rows whose title is exactly `title`, in one filtered query. */
  milestonesTitled(title: string): Promise<Milestone[]>;
  /** Every invoiced row, a page (up to 100) at a time, with only the columns history needs. */
  invoiceHistory(): AsyncIterable<InvoiceHistoryRow[]>;
  comment(pageId: string, text: string): Promise<void>;
  /** Whether the first read of the Milestones table has finished (Notion may cut it over several polls). */
  readonly caughtUp: boolean;
  /** Drops what the ledger remembers of a row the bot stopped following (its change fingerprint). */
  forgetMilestone(id: string): void;
  /** Whether the page already has a comment starting with `prefix` (a step recorded before a crash). */
  hasComment(pageId: string, prefix: string): Promise<boolean>;
};

export type NewInvoice = {
  customerId: string;
  currency: string;
  daysUntilDue: number;
  description: string;
  footer: string;
  customFields: readonly { name: string; value: string }[];
  milestoneId: string;
  /** Fingerprint of the billing terms, kept in the metadata and in the idempotency key. */
  terms: string;
  sentBy: string;
  /** The voided invoice this one replaces (void and reissue). */
  replaces?: string;
};

export type NewLine = {
  customerId: string;
  invoiceId: string;
  amountMinor: number;
  currency: string;
  description: string;
  taxRateId: string | null;
  milestoneId: string;
};

/**
 * A Stripe event, reduced to the invoice it concerns (found through the payment for a dispute) and,
 * for a dispute or a failed payment, Stripe's own words on why.
 */
export type StripeEventRef = {
  id: string;
  created: number;
  type: string;
  invoiceId: string | null;
  detail?: string | null;
  /** For a card dispute: Stripe's reason for it ("fraudulent", "product_not_received"…). */
  disputeReason?: string | null;
};

export type Billing = {
  /** The client's Stripe customer, created once and kept in step with the client's name and billing email. */
  ensureCustomer(input: { clientId: string; customerId: string | null; name: string; email: string }): Promise<string>;
  /** Drafts Cashin made for this milestone (Stripe's list is consistent; its search is not). */
  draftsFor(customerId: string, milestoneId: string): Promise<InvoiceSnapshot[]>;
  createInvoice(input: NewInvoice): Promise<InvoiceSnapshot>;
  addLine(line: NewLine): Promise<InvoiceSnapshot>;
  finalize(invoiceId: string): Promise<InvoiceSnapshot>;
  send(invoiceId: string): Promise<InvoiceSnapshot>;
  deleteDraft(invoiceId: string): Promise<void>;
  void(invoiceId: string): Promise<InvoiceSnapshot>;
  /** The invoice, or null when this Stripe account has no such invoice. */
  retrieve(invoiceId: string): Promise<InvoiceSnapshot | null>;
  /** Whether Stripe already emailed the invoice, from its own event log. */
  wasSent(invoiceId: string, since: string): Promise<boolean>;
  taxRate(percentage: number): Promise<string>;
  eventsSince(createdAfter: number): Promise<StripeEventRef[]>;
  /** Emails an open invoice again (a reminder), once per step: the step names the idempotency key. */
  remind(invoiceId: string, step: string): Promise<InvoiceSnapshot>;
  /** The newest `invoice.sent` event of this invoice in Stripe's 30-day log, or null. */
  lastSentEvent(invoiceId: string): Promise<string | null>;
  /** Whether Stripe emailed the invoice after the event `eventId` (after anything in its log, when null). */
  sentAfter(invoiceId: string, eventId: string | null): Promise<boolean>;
  /** Writes part of the collection memo into the invoice's metadata; null removes a key. */
  updateMemo(invoiceId: string, memo: Partial<CollectionMemo>): Promise<InvoiceSnapshot>;
  /** Records a payment made outside Stripe (bank transfer, cheque): the invoice becomes paid. */
  payOutOfBand(invoiceId: string): Promise<InvoiceSnapshot>;
};

export type Chat = {
  /** Posts the card when `ref` is null, updates it in place otherwise; returns the card's `channel/ts`. */
  renderCard(ref: string | null, view: CardView): Promise<string>;
  /**
   * A message only `userId` sees, in the cards' channel. `text` is plain text: the adapter escapes it.
   * `draft` is text for the founder to copy, shown exactly as written.
   */
  whisper(userId: string, text: string, draft?: string): Promise<void>;
  /**
   * A reply in the card's thread (`ref` is the card's `channel/ts`), posted once: when the thread
   * already holds a note with the same key, nothing is posted. Notes that need the founder are
   * shown in the channel too and mention the approvers.
   */
  postNote(ref: string, note: ThreadNote): Promise<void>;
  /**
   * Whether a note with this key is already under `ref` (a card's `channel/ts`, or a channel id for
   * the channel itself). For a channel, `since` (when the note could first have been posted) makes
   * the search go back that far, however many messages came after it; without it only the latest
   * page is read.
   */
  hasNote(ref: string, key: string, since?: Date): Promise<boolean>;
  /**
   * A report in `channel` (the Monday forecast): its chart first, then the summary carrying `key`,
   * so hasNote(channel, key) finds it. A chart already in the channel is not uploaded again.
   */
  postReport(channel: string, report: CashReport): Promise<void>;
  /** Draws the App Home tab of `userId`. */
  publishHome(userId: string, home: HomeView): Promise<void>;
};

export type CashReport = {
  key: string;
  /** The report cannot be older than this: the channel is searched back to it. */
  since: Date;
  title: string;
  answer: CashAnswer;
  chart: { png: Uint8Array; filename: string; title: string } | null;
};

/** App Home: the forecast, the KPIs and the exceptions, or a note while the ledger is still being read. */
export type HomeView = { ready: true; forecast: CashAnswer; kpis: CashAnswer; exceptions: CashAnswer } | { ready: false; reason: string };

export type Clock = { now(): Date };

/** One week of the Forecasts table: amounts in major units of the report's currency. */
export type ForecastWeekRow = {
  /** ISO week, e.g. 2026-W49: the row's title and its key. */
  week: string;
  /** The row's page, once it exists: a week typed twice by hand is two rows, each written on its own. */
  pageId?: string;
  /** Monday of that week, YYYY-MM-DD in the founder's zone. */
  weekStart: string;
  expected: number;
  low: number;
  high: number;
  /** Filled once the week is over. */
  actual: number | null;
  /** (Actual − Expected) / Actual, in percent. */
  error: number | null;
};

/** The Forecasts table: the record of every weekly forecast and how right it was. */
export type ForecastBook = {
  weeks(): Promise<ForecastWeekRow[]>;
  /** Writes the row of `row.week`, creating it the first time. */
  save(row: ForecastWeekRow): Promise<void>;
};
