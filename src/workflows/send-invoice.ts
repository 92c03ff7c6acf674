/**
 * Sending an invoice, exactly once. Each step first looks at what already exists, so the same
 * call after a double click or a crash picks up where the last one stopped:
 *   customer → invoice (id written to Notion before anything else) → line → finalize → send → write-back.
 * Stripe idempotency keys, derived from the milestone and its scope version, cover the gap between
 * a Stripe call succeeding and its answer being recorded.
 */
import { evaluateBillingRules, formatBlockers, type BillingPolicy } from '../domain/billing-rules.js';
import type { Client, InvoiceSnapshot, Milestone } from '../domain/milestone.js';
import { formatMoney } from '../domain/money.js';
import { buildProofPacket, proofPacketForStripe } from '../domain/proof-packet.js';
import { isoWithOffset, localDate } from '../domain/time.js';
import { DomainError } from '../errors.js';
import type { Billing, Clock, Ledger } from './ports.js';

export type Actor = { kind: 'user'; userId: string } | { kind: 'auto' };

export type SendDeps = { ledger: Ledger; billing: Billing; clock: Clock; policy: BillingPolicy };

const SENT_OR_LATER = new Set(['Sent', 'Paid', 'Overdue', 'Disputed', 'Void', 'Uncollectible']);

export function scopeKeyOf(milestone: Milestone): string {
  const key = milestone.scopeVersion.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 40);
  return key === '' ? 'v0' : key;
}

export function actorLabel(actor: Actor): string {
  return actor.kind === 'auto' ? 'auto' : actor.userId;
}

export async function sendInvoice(
  deps: SendDeps, milestone: Milestone, client: Client | null, actor: Actor,
): Promise<{ milestone: Milestone; invoice: InvoiceSnapshot }> {
  const { ledger, billing, clock, policy } = deps;
  if (milestone.invoice.status !== null && SENT_OR_LATER.has(milestone.invoice.status)) {
    throw new DomainError('already_sent', `Invoice ${milestone.invoice.number ?? milestone.invoice.id ?? ''} was already sent.`);
  }
  const check = evaluateBillingRules(milestone, client, policy);
  const resuming = milestone.invoice.id !== null;
  if (!resuming && (check.blockers.length > 0 || !check.money || !client)) {
    throw new DomainError('not_billable', formatBlockers(check.blockers));
  }
  if (!client || !client.billingEmail || !check.money) {
    throw new DomainError('not_billable', 'The invoice was started but the client or amount is no longer valid; fix the row and click Send again.');
  }
  const money = check.money;
  const scopeKey = scopeKeyOf(milestone);

  const customerId = await ensureCustomer(deps, client);
  let invoice = await ensureInvoice(deps, milestone, client, customerId, money.currency, check.paymentTermsDays, scopeKey, actor);
  let current = milestone;
  if (current.invoice.id !== invoice.id) {
    current = await ledger.updateMilestone(milestone.id, { invoiceId: invoice.id, invoiceStatus: 'Draft', invoiceCreated: isoWithOffset(new Date(invoice.created), policy.timeZone) });
  }
  if (invoice.status === 'draft' && invoice.lineCount === 0) {
    const packet = proofPacketForStripe(buildProofPacket(milestone), milestone, milestone.acceptanceEvidence);
    const taxRateId = client.taxRate ? await billing.taxRate(client.taxRate) : null;
    await billing.addLine({ customerId, invoiceId: invoice.id, amountMinor: money.minor, currency: money.currency, description: packet.lineDescription, taxRateId }, milestone.id, scopeKey);
  }
  if (invoice.status === 'draft') invoice = await billing.finalize(invoice.id, milestone.id, scopeKey);
  const alreadyEmailed = resuming && invoice.status === 'open' && await billing.wasSent(invoice.id, invoice.created);
  if (invoice.status === 'open' && !alreadyEmailed) invoice = await billing.send(invoice.id, milestone.id, scopeKey);

  const now = clock.now();
  current = await ledger.updateMilestone(milestone.id, {
    invoiceStatus: invoice.status === 'paid' ? 'Paid' : 'Sent',
    invoiceNumber: invoice.number,
    invoiceLink: invoice.hostedUrl,
    invoiceSent: isoWithOffset(now, policy.timeZone),
    invoiceDue: invoice.dueDate ? localDate(new Date(invoice.dueDate), policy.timeZone) : null,
    blockers: '',
  });
  const who = actor.kind === 'auto' ? `auto-sent ${policy.autoSendAfterMinutes} minutes after acceptance` : `sent from Slack by ${actor.userId}`;
  const total = formatMoney({ minor: invoice.total, currency: invoice.currency });
  await ledger.comment(milestone.id, `Cashin: invoice ${invoice.number ?? invoice.id} for ${total} ${who}. Payment link: ${invoice.hostedUrl ?? 'n/a'}`);
  return { milestone: current, invoice };
}

async function ensureCustomer(deps: SendDeps, client: Client): Promise<string> {
  const email = client.billingEmail ?? '';
  if (client.stripeCustomerId) {
    await deps.billing.syncCustomerEmail(client.stripeCustomerId, email);
    return client.stripeCustomerId;
  }
  const id = await deps.billing.createCustomer({ clientId: client.id, name: client.name, email });
  await deps.ledger.updateClient(client.id, { stripeCustomerId: id });
  return id;
}

async function ensureInvoice(
  deps: SendDeps, milestone: Milestone, client: Client, customerId: string, currency: string,
  daysUntilDue: number, scopeKey: string, actor: Actor,
): Promise<InvoiceSnapshot> {
  if (milestone.invoice.id) return deps.billing.retrieve(milestone.invoice.id);
  const existing = await deps.billing.findDraft(customerId, milestone.id, scopeKey);
  if (existing) return existing;
  const packet = proofPacketForStripe(buildProofPacket(milestone), milestone, milestone.acceptanceEvidence);
  const customFields = [
    ...(milestone.poNumber ? [{ name: 'PO number', value: milestone.poNumber }] : []),
    ...(milestone.project ? [{ name: 'Project', value: milestone.project.slice(0, 140) }] : []),
    ...(client.taxId ? [{ name: 'Client tax ID', value: client.taxId }] : []),
  ];
  return deps.billing.createInvoice({
    customerId, currency, daysUntilDue, description: packet.description, footer: packet.footer, customFields,
    milestoneId: milestone.id, scopeKey, sentBy: actorLabel(actor),
  });
}
