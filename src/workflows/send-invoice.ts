/**
 * Billing a milestone, exactly once and exactly as approved. Each step first looks at what already
 * exists, so the same call after a double click or a crash picks up where the last one stopped:
 *   customer → draft (its id written to Notion before anything else) → line → check the total →
 *   finalize → send → write-back.
 * An unsent invoice that no longer matches the row is deleted (or voided, if finalized and never
 * emailed) rather than finished.
 */
import { audit } from '../domain/audit.js';
import type { BillingPolicy } from '../domain/billing-rules.js';
import { differences } from '../domain/decide.js';
import type { InvoicePlan } from '../domain/invoice-plan.js';
import type { Client, InvoiceSnapshot, Milestone } from '../domain/milestone.js';
import { formatMoney } from '../domain/money.js';
import { isoWithOffset, localDate } from '../domain/time.js';
import { DomainError, ExternalServiceError } from '../errors.js';
import type { Billing, Clock, Ledger, MilestonePatch } from './ports.js';
import type { MilestoneStore } from './store.js';

export type Actor = { kind: 'user'; userId: string } | { kind: 'auto' };

export type SendDeps = { ledger: Ledger; billing: Billing; clock: Clock; policy: BillingPolicy; store: MilestoneStore };

export type Sent = { milestone: Milestone; invoice: InvoiceSnapshot };

/** A corrected invoice replacing a voided one: linked to it, and the row's old invoice columns cleared with the new id. */
export type Reissue = { replaces: string };

/** The columns of a voided invoice that its replacement must not inherit, cleared in the same write as the new id. */
const REISSUE_RESET: MilestonePatch = {
  invoiceNumber: null,
  invoiceLink: null,
  invoiceSent: null,
  invoiceDue: null,
  paidOn: null,
  amountPaid: null,
  amountCredited: null,
  disputeReason: null,
  reminderStage: null,
  promiseToPay: null,
};

export function actorLabel(actor: Actor): string {
  return actor.kind === 'auto' ? 'auto' : actor.userId;
}

/**
 * Bills `plan` for a milestone whose row was just read. `invoice` is the unsent invoice the row
 * already points at, if any: it is finished when it matches the plan and replaced when it does not.
 */
export async function billMilestone(
  deps: SendDeps,
  milestone: Milestone,
  client: Client,
  plan: InvoicePlan,
  invoice: InvoiceSnapshot | null,
  actor: Actor,
  reissue?: Reissue,
): Promise<Sent> {
  let current = milestone;
  let started = invoice;
  if (started && differences(started, plan, client).length > 0) {
    current = await discardInvoice(deps, current, started, `the row changed after it was started (${differences(started, plan, client).join(', ')})`);
    started = null;
  }
  if (started) return continueInvoice(deps, current, plan, started, actor);
  return startInvoice(deps, current, client, plan, actor, reissue);
}

async function startInvoice(deps: SendDeps, milestone: Milestone, client: Client, plan: InvoicePlan, actor: Actor, reissue?: Reissue): Promise<Sent> {
  const { ledger, billing, policy, store } = deps;
  const customerId = await billing.ensureCustomer({
    clientId: client.id,
    customerId: client.stripeCustomerId,
    name: plan.customerName,
    email: plan.terms.billingEmail,
  });
  if (customerId !== client.stripeCustomerId) store.putClient(await ledger.updateClient(client.id, { stripeCustomerId: customerId }));
  // A crash can leave drafts behind: finish the one made for these terms, delete the others.
  const drafts = await billing.draftsFor(customerId, milestone.id);
  const reusable = drafts.find((d) => d.terms === plan.fingerprint && d.currency === plan.terms.amount.currency) ?? null;
  for (const stale of drafts) if (stale !== reusable) await billing.deleteDraft(stale.id);
  const invoice =
    reusable ??
    (await billing.createInvoice({
      customerId,
      currency: plan.terms.amount.currency,
      daysUntilDue: plan.terms.paymentTermsDays,
      description: plan.description,
      footer: plan.footer,
      customFields: plan.customFields,
      milestoneId: milestone.id,
      terms: plan.fingerprint,
      sentBy: actorLabel(actor),
      ...(reissue ? { replaces: reissue.replaces } : {}),
    }));
  store.putInvoice(invoice);
  // The id reaches Notion before the invoice can be finalized, so a restart resumes instead of starting over.
  const recorded = await ledger.updateMilestone(milestone.id, {
    ...(reissue ? REISSUE_RESET : {}),
    invoiceId: invoice.id,
    invoiceStatus: 'Draft',
    invoiceCreated: isoWithOffset(new Date(invoice.created), policy.timeZone),
  });
  store.track(recorded);
  return continueInvoice(deps, recorded, plan, invoice, actor);
}

/** Takes an invoice of these very terms from wherever it stopped to sent, and records it. */
export async function continueInvoice(deps: SendDeps, milestone: Milestone, plan: InvoicePlan, started: InvoiceSnapshot, actor: Actor): Promise<Sent> {
  const { billing, store } = deps;
  // Every answer from Stripe is kept at once, so what the bot knows never lags behind a step taken.
  const step = (next: InvoiceSnapshot): InvoiceSnapshot => {
    store.putInvoice(next);
    return next;
  };
  let invoice = started;
  const wasOpen = invoice.status === 'open';
  if (invoice.status === 'draft' && invoice.lineCount === 0) {
    const taxRateId = plan.terms.taxRate ? await billing.taxRate(plan.terms.taxRate) : null;
    invoice = step(
      await billing.addLine({
        customerId: invoice.customerId,
        invoiceId: invoice.id,
        amountMinor: plan.terms.amount.minor,
        currency: plan.terms.amount.currency,
        description: plan.lineDescription,
        taxRateId,
        milestoneId: milestone.id,
      }),
    );
  }
  if (invoice.status === 'draft') {
    if (invoice.total !== plan.terms.total.minor) {
      await discardInvoice(
        deps,
        milestone,
        invoice,
        `Stripe computes its total as ${formatMoney({ minor: invoice.total, currency: invoice.currency })}, not the ${formatMoney(plan.terms.total)} on the card`,
      );
      throw new DomainError(
        'total_mismatch',
        `Stripe computes this invoice's total as ${formatMoney({ minor: invoice.total, currency: invoice.currency })}, not the ${formatMoney(plan.terms.total)} the card shows, so nothing was sent. Check the tax rate.`,
      );
    }
    invoice = step(await billing.finalize(invoice.id));
  }
  // After a crash the send may have gone through while its idempotency key has expired since.
  const emailed = wasOpen && invoice.status === 'open' && (await billing.wasSent(invoice.id, invoice.created));
  if (invoice.status === 'open' && !emailed) invoice = step(await billing.send(invoice.id));
  try {
    return await recordSent(deps, milestone, invoice, actor);
  } catch (error) {
    // The client has the invoice; only the row lags. The next poll finds it sent and records it.
    throw new ExternalServiceError(
      'sent_not_recorded',
      `Invoice ${invoice.number ?? invoice.id} went out, but writing it to Notion failed; Cashin records it on its next poll.`,
      true,
      error,
    );
  }
}

/** Writes a sent invoice back to the row, with the audit comment. */
export async function recordSent(deps: SendDeps, milestone: Milestone, invoice: InvoiceSnapshot, actor: Actor): Promise<Sent> {
  const { ledger, clock, policy, store } = deps;
  store.putInvoice(invoice);
  // The row and its audit comment are written side by side: neither waits on the other.
  const [updated] = await Promise.all([
    ledger.updateMilestone(milestone.id, {
      invoiceStatus: invoice.status === 'paid' ? 'Paid' : 'Sent',
      invoiceNumber: invoice.number,
      invoiceLink: invoice.hostedUrl,
      invoiceSent: isoWithOffset(clock.now(), policy.timeZone),
      invoiceDue: invoice.dueDate ? localDate(new Date(invoice.dueDate), policy.timeZone) : null,
      blockers: '',
    }),
    ledger.comment(milestone.id, audit.sent(invoice, invoice.sentBy ?? actorLabel(actor), policy.autoSendAfterMinutes)),
  ]);
  return { milestone: store.track(updated).milestone, invoice };
}

/**
 * Removes an invoice that was started but must not go out: a draft is deleted, a finalized one
 * that never reached the client is voided. One that did reach the client is recorded, not undone.
 */
export async function discardInvoice(deps: SendDeps, milestone: Milestone, invoice: InvoiceSnapshot, reason: string): Promise<Milestone> {
  const { ledger, billing, store } = deps;
  const emailed = invoice.status === 'open' && (await billing.wasSent(invoice.id, invoice.created));
  if (emailed && !milestone.trashed) return (await recordSent(deps, milestone, invoice, { kind: 'auto' })).milestone;
  if (invoice.status === 'draft') {
    await billing.deleteDraft(invoice.id);
    store.dropInvoice(invoice.id);
  } else if (invoice.status === 'open' && !emailed) {
    store.putInvoice(await billing.void(invoice.id));
  }
  // A deleted row cannot be written to: what happened to its invoice is in the log and in Stripe.
  if (milestone.trashed) return milestone;
  const cleared = await ledger.updateMilestone(milestone.id, {
    invoiceId: null,
    invoiceStatus: null,
    invoiceNumber: null,
    invoiceLink: null,
    invoiceCreated: null,
    invoiceSent: null,
    invoiceDue: null,
  });
  await ledger.comment(milestone.id, audit.discarded(invoice, reason));
  return deps.store.track(cleared).milestone;
}
