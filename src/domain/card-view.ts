/**
 * What a milestone's Slack card shows, as plain data. The Block Kit builder renders it; decide()
 * compares it with what was last rendered, so a card is only updated when its content changes.
 */
import type { Blocker, BillingCheck, BillingPolicy } from './billing-rules.js';
import { daysLate, dueDateOf, isOutstanding, ladderFactsOf, ladderView, type LadderView } from './collection.js';
import { finalNoticeConsequence } from './collection-notes.js';
import type { InvoicePlan } from './invoice-plan.js';
import type { Client, InvoiceSnapshot, Milestone } from './milestone.js';
import { formatMoney, type Money } from './money.js';
import { buildProofPacket, type ProofPacket } from './proof-packet.js';
import { addMinutes, formatForHumans, isDateOnly, parseInstant } from './time.js';

type CardBase = {
  readonly milestoneId: string;
  readonly milestoneUrl: string | null;
  readonly title: string;
  readonly clientName: string;
  readonly amount: string;
};

export type DeliveredCard = CardBase & {
  readonly kind: 'delivered';
  readonly deliveredOn: string | null;
  readonly evidence: string;
  readonly acceptanceOverdue: boolean;
  readonly blockers: readonly Blocker[];
};

export type ReviewCard = CardBase & {
  readonly kind: 'review';
  readonly currency: string;
  readonly paymentTerms: string;
  readonly poNumber: string;
  /** What the client is asked to pay, once every rule passes: tax rate, tax and total, and where it goes. */
  readonly billing: { readonly taxRate: string; readonly tax: string; readonly total: string; readonly billingEmail: string } | null;
  /** Fingerprint of the billing terms on this card; the Send button carries it. Null when it cannot be sent. */
  readonly fingerprint: string | null;
  readonly packet: ProofPacket;
  readonly blockers: readonly Blocker[];
  readonly changeOrderPending: boolean;
  /** Human time at which the invoice goes out by itself, when it will. */
  readonly autoSendAt: string | null;
  readonly reviewReason: string | null;
  readonly sendError: string | null;
};

export type InvoiceCard = CardBase & {
  readonly kind: 'invoice';
  readonly invoiceId: string;
  readonly status: 'draft' | 'open' | 'paid' | 'void' | 'uncollectible';
  readonly number: string | null;
  readonly link: string | null;
  readonly sentBy: string | null;
  readonly sentAt: string | null;
  readonly dueOn: string | null;
  readonly paid: string | null;
  readonly remaining: string | null;
  readonly overdue: boolean;
  /** Days past due (0 when not late), counted in the founder's zone. */
  readonly daysLate: number;
  /** Credit notes issued on the invoice, when any. */
  readonly credited: string | null;
  /** The open exception's reason (Dispute reason). */
  readonly exception: string | null;
  /** Stripe's reason, when the open exception is the client's bank disputing a card payment. */
  readonly cardDispute: string | null;
  /** Money is still owed on it: there is a ladder to pause and resume, and an invoice to reissue. */
  readonly collectible: boolean;
  /** What "Send final notice" will do, for its confirmation dialog. */
  readonly finalNotice: string;
  readonly promiseToPay: string | null;
  /** The reminder ladder, while there is money to collect. */
  readonly ladder: LadderView | null;
};

export type WithdrawnCard = CardBase & { readonly kind: 'withdrawn'; readonly stage: string };

export type CardView = DeliveredCard | ReviewCard | InvoiceCard | WithdrawnCard;

export type CardContext = {
  readonly milestone: Milestone;
  readonly client: Client | null;
  readonly invoice: InvoiceSnapshot | null;
  readonly check: BillingCheck;
  /** Every blocker the card lists: the billing rules, and any problem with the row's invoice. */
  readonly blockers: readonly Blocker[];
  readonly plan: InvoicePlan | null;
  readonly autoSendAt: Date | null;
  readonly now: Date;
  readonly policy: BillingPolicy;
  readonly sendError: string | null;
};

export function buildCardView(ctx: CardContext): CardView {
  const { milestone: m, check, policy } = ctx;
  const base: CardBase = {
    milestoneId: m.id,
    milestoneUrl: m.url,
    title: m.title.trim() || 'Untitled milestone',
    clientName: ctx.client?.name ?? 'No client linked',
    amount: check.money ? formatMoney(check.money) : amountAsTyped(m.amount, check.currency),
  };
  if (ctx.invoice && ctx.invoice.status !== 'draft') return invoiceCard(base, ctx, ctx.invoice);
  if (m.stage === 'Delivered') {
    return {
      ...base,
      kind: 'delivered',
      deliveredOn: m.completed ? m.completed.slice(0, 10) : null,
      evidence: m.deliveryEvidence.trim(),
      acceptanceOverdue: isAcceptanceOverdue(m, ctx.now, policy),
      blockers: ctx.blockers.filter((b) => b.code !== 'acceptance_pending'),
    };
  }
  if (m.stage === 'Accepted' || ctx.invoice) {
    // Tax and total are shown as soon as the amount is valid, blockers or not.
    const rate = ctx.client?.taxRate ?? null;
    return {
      ...base,
      kind: 'review',
      currency: check.currency,
      paymentTerms: `${check.paymentTermsDays} days after sending`,
      poNumber: m.poNumber,
      billing:
        check.money && check.tax && check.total
          ? {
              taxRate: rate && check.tax.minor > 0 ? `${rate} %` : 'none',
              tax: formatMoney(check.tax),
              total: formatMoney(check.total),
              billingEmail: ctx.client?.billingEmail ?? 'none yet',
            }
          : null,
      fingerprint: ctx.blockers.length === 0 ? (ctx.plan?.fingerprint ?? null) : null,
      packet: buildProofPacket(m),
      blockers: ctx.blockers,
      changeOrderPending: m.changeOrderRequired,
      autoSendAt: ctx.autoSendAt ? formatForHumans(ctx.autoSendAt, policy.timeZone) : null,
      reviewReason: reviewReason(ctx.client, policy),
      sendError: ctx.sendError,
    };
  }
  return { ...base, kind: 'withdrawn', stage: m.stage ?? 'blank' };
}

function invoiceCard(base: CardBase, ctx: CardContext, invoice: InvoiceSnapshot): InvoiceCard {
  const money = (minor: number): string => formatMoney({ minor, currency: invoice.currency } satisfies Money);
  const m = ctx.milestone;
  const { timeZone } = ctx.policy;
  const sent = m.invoice.sent ? parseInstant(m.invoice.sent, timeZone) : null;
  const due = invoice.dueDate ? new Date(invoice.dueDate) : null;
  const late = isOutstanding(invoice) ? daysLate(dueDateOf(m, invoice, timeZone), ctx.now, timeZone) : 0;
  // Nothing owed (a paid invoice with a card dispute, say): no ladder to show, stopped or paused.
  const facts = isOutstanding(invoice) ? ladderFactsOf(m, ctx.client, invoice, timeZone) : null;
  return {
    ...base,
    amount: money(invoice.total),
    kind: 'invoice',
    invoiceId: invoice.id,
    status: invoice.status,
    number: invoice.number,
    link: invoice.hostedUrl,
    sentBy: invoice.sentBy,
    sentAt: sent ? formatForHumans(sent, ctx.policy.timeZone) : null,
    dueOn: ctx.milestone.invoice.due ?? (due ? due.toISOString().slice(0, 10) : null),
    paid: invoice.amountPaid > 0 ? money(invoice.amountPaid) : null,
    remaining: (invoice.amountPaid > 0 || invoice.credited > 0) && invoice.amountRemaining > 0 ? money(invoice.amountRemaining) : null,
    overdue: late > 0,
    daysLate: late,
    credited: invoice.credited > 0 ? money(invoice.credited) : null,
    exception: m.disputeReason,
    cardDispute: m.disputeReason ? invoice.collection.cardDispute : null,
    collectible: isOutstanding(invoice),
    finalNotice: finalNoticeConsequence(invoice, ctx.client),
    promiseToPay: m.promiseToPay ? m.promiseToPay.slice(0, 10) : null,
    ladder: facts ? ladderView(facts, ctx.client, ctx.now, ctx.policy, m.disputeReason, invoice.collection.ladderLog) : null,
  };
}

function reviewReason(client: Client | null, policy: BillingPolicy): string | null {
  if (client?.reviewBeforeSend) return `${client.name} is marked "Review before send".`;
  if (policy.autoSendAfterMinutes === 0) return 'Auto-send is off.';
  return null;
}

function amountAsTyped(amount: number | null, currency: string): string {
  return amount === null ? `${currency} (no amount)` : `${currency} ${amount}`;
}

export function isAcceptanceOverdue(m: Milestone, now: Date, policy: BillingPolicy): boolean {
  if (m.stage !== 'Delivered' || !m.completed) return false;
  const delivered = parseInstant(m.completed, policy.timeZone);
  return delivered !== null && now.getTime() - delivered.getTime() >= policy.acceptanceSlaHours * 3_600_000;
}

/**
 * When an accepted, complete milestone goes out without a click. The grace period runs from the
 * acceptance time; a date typed without a time counts from when the bot first saw it accepted, so
 * a date typed in the afternoon does not send at once.
 */
export function autoSendTime(m: Milestone, client: Client | null, check: BillingCheck, policy: BillingPolicy, acceptedSeenAt: Date | null): Date | null {
  if (policy.autoSendAfterMinutes <= 0 || client === null || client.reviewBeforeSend) return null;
  if (m.stage !== 'Accepted' || check.blockers.length > 0 || !m.accepted) return null;
  const accepted = parseInstant(m.accepted, policy.timeZone);
  if (accepted === null) return null;
  const start = isDateOnly(m.accepted) && acceptedSeenAt && acceptedSeenAt > accepted ? acceptedSeenAt : accepted;
  return addMinutes(start, policy.autoSendAfterMinutes);
}
