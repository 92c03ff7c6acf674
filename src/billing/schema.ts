/** Stripe objects reduced to the domain's InvoiceSnapshot; only the fields Cashin reads. */
import type Stripe from 'stripe';
import type { CollectionMemo, InvoiceSnapshot } from '../domain/milestone.js';

export const METADATA = {
  milestone: 'cashin_milestone',
  terms: 'cashin_terms',
  sentBy: 'cashin_sent_by',
  client: 'cashin_client',
  pausedSince: 'cashin_paused_since',
  pausedMs: 'cashin_paused_ms',
  snoozedUntil: 'cashin_snoozed_until',
  replaces: 'cashin_replaces',
  replacedBy: 'cashin_replaced_by',
  reminding: 'cashin_reminding',
  cardDispute: 'cashin_card_dispute',
  paidAtPause: 'cashin_paid_at_pause',
  ladderLog: 'cashin_ladder_log',
} as const;

/** Which metadata key holds each part of the collection memo. */
export const MEMO_KEYS: Readonly<Record<keyof CollectionMemo, string>> = {
  pausedSince: METADATA.pausedSince,
  pausedMs: METADATA.pausedMs,
  snoozedUntil: METADATA.snoozedUntil,
  replaces: METADATA.replaces,
  replacedBy: METADATA.replacedBy,
  reminding: METADATA.reminding,
  cardDispute: METADATA.cardDispute,
  paidAtPause: METADATA.paidAtPause,
  ladderLog: METADATA.ladderLog,
};

function collectionMemo(metadata: Stripe.Metadata | null | undefined): CollectionMemo {
  const text = (key: string): string | null => {
    const value = metadata?.[key];
    return value === undefined || value === '' ? null : value;
  };
  const pausedMs = Number(text(METADATA.pausedMs) ?? 0);
  const paidAtPause = text(METADATA.paidAtPause) === null ? Number.NaN : Number(text(METADATA.paidAtPause));
  return {
    pausedSince: text(METADATA.pausedSince),
    pausedMs: Number.isFinite(pausedMs) && pausedMs > 0 ? pausedMs : 0,
    snoozedUntil: text(METADATA.snoozedUntil),
    replaces: text(METADATA.replaces),
    replacedBy: text(METADATA.replacedBy),
    reminding: text(METADATA.reminding),
    cardDispute: text(METADATA.cardDispute),
    paidAtPause: Number.isInteger(paidAtPause) && paidAtPause >= 0 ? paidAtPause : null,
    ladderLog: text(METADATA.ladderLog),
  };
}

const iso = (seconds: number | null | undefined): string | null => (seconds ? new Date(seconds * 1000).toISOString() : null);

const STATUSES: readonly InvoiceSnapshot['status'][] = ['draft', 'open', 'paid', 'void', 'uncollectible'];

function knownStatus(status: string | null): InvoiceSnapshot['status'] {
  const found = STATUSES.find((s) => s === status);
  if (!found) throw new Error(`Stripe reported an invoice status Cashin does not know: ${String(status)}`);
  return found;
}

export function invoiceSnapshot(invoice: Stripe.Invoice): InvoiceSnapshot {
  const status = knownStatus(invoice.status);
  const customer = invoice.customer;
  return {
    id: invoice.id,
    number: invoice.number,
    status,
    hostedUrl: invoice.hosted_invoice_url ?? null,
    currency: invoice.currency.toUpperCase(),
    total: invoice.total,
    amountPaid: invoice.amount_paid,
    amountRemaining: invoice.amount_remaining,
    created: iso(invoice.created) ?? new Date(0).toISOString(),
    dueDate: iso(invoice.due_date),
    paidAt: iso(invoice.status_transitions.paid_at),
    lineCount: invoice.lines.data.length,
    subtotal: invoice.subtotal,
    tax: (invoice.total_taxes ?? []).reduce((sum, t) => sum + t.amount, 0),
    customerId: typeof customer === 'string' ? customer : (customer?.id ?? ''),
    poNumber: invoice.custom_fields?.find((f) => f.name === 'PO number')?.value ?? '',
    sentBy: invoice.metadata?.[METADATA.sentBy] ?? null,
    milestoneId: invoice.metadata?.[METADATA.milestone] ?? null,
    terms: invoice.metadata?.[METADATA.terms] ?? null,
    credited: (invoice.pre_payment_credit_notes_amount ?? 0) + (invoice.post_payment_credit_notes_amount ?? 0),
    collection: collectionMemo(invoice.metadata),
  };
}

/** The invoice an event is about, whatever the event's object is. */
export function invoiceIdOfEvent(event: Stripe.Event): string | null {
  const object = event.data.object as { object?: string; id?: string; invoice?: unknown };
  if (object.object === 'invoice' && typeof object.id === 'string') return object.id;
  if (typeof object.invoice === 'string') return object.invoice;
  return null;
}
