/**
 * The Stripe side of Cashin. Every write carries an idempotency key derived from the milestone,
 * its scope version and the step, so a repeated call (double click, crash and restart) gets
 * Stripe's first answer back instead of a second invoice.
 */
import Stripe from 'stripe';
import type { InvoiceSnapshot } from '../domain/milestone.js';
import { ExternalServiceError } from '../errors.js';
import type { Logger } from '../log.js';
import { invoiceIdOfEvent, invoiceSnapshot, METADATA } from './schema.js';

export const WATCHED_EVENTS = [
  'invoice.paid', 'invoice.payment_failed', 'invoice.voided', 'invoice.marked_uncollectible', 'invoice.finalized',
  'invoice.sent', 'invoice.updated', 'invoice_payment.paid',
] as const;

export type NewInvoice = {
  customerId: string;
  currency: string;
  daysUntilDue: number;
  description: string;
  footer: string;
  customFields: { name: string; value: string }[];
  milestoneId: string;
  scopeKey: string;
  sentBy: string;
};

export type NewLine = { customerId: string; invoiceId: string; amountMinor: number; currency: string; description: string; taxRateId: string | null };

export class StripeBilling {
  readonly #stripe: Stripe;
  readonly #logger: Logger;
  readonly #taxRates = new Map<number, string>();

  constructor(stripe: Stripe, logger: Logger) {
    this.#stripe = stripe;
    this.#logger = logger.child({ component: 'billing' });
  }

  async createCustomer(input: { clientId: string; name: string; email: string }): Promise<string> {
    const customer = await this.#call('create customer', () => this.#stripe.customers.create(
      { name: input.name, email: input.email, metadata: { cashin_client: input.clientId } },
      { idempotencyKey: `cashin:customer:${input.clientId}` },
    ));
    return customer.id;
  }

  /** Keeps the customer's email in step with the Clients row: Stripe mails the invoice there. */
  async syncCustomerEmail(customerId: string, email: string): Promise<void> {
    const customer = await this.#call('retrieve customer', () => this.#stripe.customers.retrieve(customerId));
    if ('deleted' in customer && customer.deleted) {
      throw new ExternalServiceError('stripe_customer_deleted', `Stripe customer ${customerId} was deleted; clear "Stripe customer" on the client so a new one is created.`, false);
    }
    if (!('email' in customer) || customer.email === email) return;
    await this.#call('update customer', () => this.#stripe.customers.update(customerId, { email }));
  }

  /** A draft invoice already made for this milestone and scope: `list` is consistent, unlike search. */
  async findDraft(customerId: string, milestoneId: string, scopeKey: string): Promise<InvoiceSnapshot | null> {
    for await (const invoice of this.#stripe.invoices.list({ customer: customerId, status: 'draft', limit: 100 })) {
      if (invoice.metadata?.[METADATA.milestone] === milestoneId && invoice.metadata?.[METADATA.scope] === scopeKey) return invoiceSnapshot(invoice);
    }
    return null;
  }

  async createInvoice(input: NewInvoice): Promise<InvoiceSnapshot> {
    const invoice = await this.#call('create invoice', () => this.#stripe.invoices.create({
      customer: input.customerId,
      collection_method: 'send_invoice',
      days_until_due: input.daysUntilDue,
      currency: input.currency.toLowerCase(),
      description: input.description,
      footer: input.footer,
      ...(input.customFields.length > 0 ? { custom_fields: input.customFields } : {}),
      auto_advance: false,
      metadata: { [METADATA.milestone]: input.milestoneId, [METADATA.scope]: input.scopeKey, [METADATA.sentBy]: input.sentBy },
    }, { idempotencyKey: stepKey(input.milestoneId, input.scopeKey, 'invoice') }));
    return invoiceSnapshot(invoice);
  }

  async addLine(line: NewLine, milestoneId: string, scopeKey: string): Promise<void> {
    await this.#call('add invoice line', () => this.#stripe.invoiceItems.create({
      customer: line.customerId,
      invoice: line.invoiceId,
      amount: line.amountMinor,
      currency: line.currency.toLowerCase(),
      description: line.description,
      ...(line.taxRateId ? { tax_rates: [line.taxRateId] } : {}),
      metadata: { [METADATA.milestone]: milestoneId },
    }, { idempotencyKey: stepKey(milestoneId, scopeKey, 'line') }));
  }

  async finalize(invoiceId: string, milestoneId: string, scopeKey: string): Promise<InvoiceSnapshot> {
    const invoice = await this.#call('finalize invoice', () => this.#stripe.invoices.finalizeInvoice(invoiceId, { auto_advance: false }, { idempotencyKey: stepKey(milestoneId, scopeKey, 'finalize') }));
    return invoiceSnapshot(invoice);
  }

  async send(invoiceId: string, milestoneId: string, scopeKey: string): Promise<InvoiceSnapshot> {
    const invoice = await this.#call('send invoice', () => this.#stripe.invoices.sendInvoice(invoiceId, {}, { idempotencyKey: stepKey(milestoneId, scopeKey, 'send') }));
    return invoiceSnapshot(invoice);
  }

  /**
   * Whether Stripe already emailed this invoice, from its own event log (30 days deep). Guards the
   * send step after a crash, when the idempotency key may have expired.
   */
  async wasSent(invoiceId: string, since: string): Promise<boolean> {
    const created = Math.floor(Date.parse(since) / 1000) - 60;
    for await (const event of this.#stripe.events.list({ type: 'invoice.sent', created: { gte: created }, limit: 100 })) {
      if (invoiceIdOfEvent(event) === invoiceId) return true;
    }
    return false;
  }

  async retrieve(invoiceId: string): Promise<InvoiceSnapshot> {
    return invoiceSnapshot(await this.#call('retrieve invoice', () => this.#stripe.invoices.retrieve(invoiceId)));
  }

  /** One exclusive tax rate per percentage, reused across invoices. */
  async taxRate(percentage: number): Promise<string> {
    const cached = this.#taxRates.get(percentage);
    if (cached) return cached;
    for await (const rate of this.#stripe.taxRates.list({ active: true, limit: 100 })) {
      if (rate.metadata?.cashin === 'true' && rate.percentage === percentage && !rate.inclusive) {
        this.#taxRates.set(percentage, rate.id);
        return rate.id;
      }
    }
    const rate = await this.#call('create tax rate', () => this.#stripe.taxRates.create(
      { display_name: 'Tax', percentage, inclusive: false, metadata: { cashin: 'true' } },
      { idempotencyKey: `cashin:tax-rate:${percentage}` },
    ));
    this.#taxRates.set(percentage, rate.id);
    return rate.id;
  }

  /** Events after `createdAfter` (unix seconds), oldest first. */
  async eventsSince(createdAfter: number): Promise<{ id: string; created: number; type: string; invoiceId: string | null }[]> {
    const events: { id: string; created: number; type: string; invoiceId: string | null }[] = [];
    const list = this.#stripe.events.list({ created: { gte: createdAfter }, types: [...WATCHED_EVENTS], limit: 100 });
    for await (const event of list) events.push({ id: event.id, created: event.created, type: event.type, invoiceId: invoiceIdOfEvent(event) });
    return events.reverse();
  }

  /** Throws on a bad signature; the caller answers 400. */
  verifyWebhook(rawBody: string, signature: string, secret: string): { id: string; type: string; invoiceId: string | null } {
    const event = this.#stripe.webhooks.constructEvent(rawBody, signature, secret);
    return { id: event.id, type: event.type, invoiceId: invoiceIdOfEvent(event) };
  }

  async #call<T>(what: string, run: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await run();
      } catch (error) {
        // The SDK does not retry 429; with the same idempotency key a retry is safe.
        if (error instanceof Stripe.errors.StripeRateLimitError && attempt < 4) {
          this.#logger.warn({ attempt, what }, 'stripe rate limited; retrying');
          await new Promise((r) => setTimeout(r, 500 * 2 ** attempt));
          continue;
        }
        throw translateStripeError(what, error);
      }
    }
  }
}

export function stepKey(milestoneId: string, scopeKey: string, step: string): string {
  return `cashin:${milestoneId}:${scopeKey}:${step}`;
}

function translateStripeError(what: string, error: unknown): Error {
  if (!(error instanceof Stripe.errors.StripeError)) return error instanceof Error ? error : new Error(String(error));
  const retryable = error instanceof Stripe.errors.StripeConnectionError || error instanceof Stripe.errors.StripeAPIError || error instanceof Stripe.errors.StripeRateLimitError;
  const hint = error instanceof Stripe.errors.StripeAuthenticationError ? ' Check STRIPE_SECRET_KEY.' : '';
  return new ExternalServiceError(`stripe_${error.code ?? error.type}`, `Stripe refused to ${what}: ${error.message}${hint}`, retryable, error);
}
