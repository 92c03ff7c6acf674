/** Stripe objects reduced to the domain's InvoiceSnapshot; only the fields Cashin reads. */
import type Stripe from 'stripe';
import type { InvoiceSnapshot } from '../domain/milestone.js';

export const METADATA = { milestone: 'cashin_milestone', terms: 'cashin_terms', sentBy: 'cashin_sent_by', client: 'cashin_client' } as const;

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
  };
}

/** The invoice an event is about, whatever the event's object is. */
export function invoiceIdOfEvent(event: Stripe.Event): string | null {
  const object = event.data.object as { object?: string; id?: string; invoice?: unknown };
  if (object.object === 'invoice' && typeof object.id === 'string') return object.id;
  if (typeof object.invoice === 'string') return object.invoice;
  return null;
}
