/**
 * The Stripe side of Cashin. Every write carries an idempotency key, so a repeated call (double
 * click, crash and restart) gets Stripe's first answer back instead of a second invoice:
 *   - creations are keyed by what they create (the client and its name and email; the milestone and
 *     the fingerprint of its billing terms) and an attempt number. When Stripe replays an answer for
 *     something since deleted or voided, the next attempt number makes a new one;
 *   - steps on an invoice (line, finalize, send) are keyed by the invoice's own id.
 */
import Stripe from 'stripe';
import type { CollectionMemo, InvoiceSnapshot } from '../domain/milestone.js';
import { formatMoney } from '../domain/money.js';
import { shortDigest } from '../domain/text.js';
import { ExternalServiceError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Billing, NewInvoice, NewLine, StripeEventRef } from '../workflows/ports.js';
import { invoiceIdOfEvent, invoiceSnapshot, MEMO_KEYS, METADATA } from './schema.js';
import { stepKey, translateStripeError, wasReplayed } from './stripe-answers.js';

export const WATCHED_EVENTS = [
  'invoice.paid',
  'invoice.payment_failed',
  'invoice.voided',
  'invoice.marked_uncollectible',
  'invoice.finalized',
  'invoice.sent',
  'invoice.updated',
  'invoice_payment.paid',
  'charge.dispute.created',
  'charge.dispute.closed',
  'credit_note.created',
] as const;

/** Events about a dispute name a payment, not an invoice: the invoice is found through the payment. */
const DISPUTE_EVENTS = new Set(['charge.dispute.created', 'charge.dispute.closed']);

/** The internal customer weekly-job claims are recorded on (never billed). */
const SCHEDULER_EMAIL = 'scheduler@cashin.invalid';

/** Attempts before giving up on finding a fresh idempotency key: each one means a replay of something gone. */
const MAX_ATTEMPTS = 5;

export class StripeBilling implements Billing {
  readonly #stripe: Stripe;
  readonly #logger: Logger;
  readonly #taxRates = new Map<number, string>();

  constructor(stripe: Stripe, logger: Logger) {
    this.#stripe = stripe;
    this.#logger = logger.child({ component: 'billing' });
  }

  async ensureCustomer(input: { clientId: string; customerId: string | null; name: string; email: string }): Promise<string> {
    if (input.customerId) {
      await this.#syncCustomer(input.customerId, input.name, input.email);
      return input.customerId;
    }
    const key = `cashin:customer:${input.clientId}:${shortDigest(`${input.name}\n${input.email}`)}`;
    const customer = await this.#createFresh(
      key,
      (idempotencyKey) =>
        this.#call('create customer', () =>
          this.#stripe.customers.create({ name: input.name, email: input.email, metadata: { [METADATA.client]: input.clientId } }, { idempotencyKey }),
        ),
      async (made) => !(await this.#customerGone(made.id)),
    );
    return customer.id;
  }

  /** Keeps the customer's name and email in step with the Clients row: Stripe mails the invoice there. */
  async #syncCustomer(customerId: string, name: string, email: string): Promise<void> {
    const customer = await this.#call('retrieve customer', () => this.#stripe.customers.retrieve(customerId));
    if ('deleted' in customer && customer.deleted) {
      throw new ExternalServiceError(
        'stripe_customer_deleted',
        `Stripe customer ${customerId} was deleted; clear "Stripe customer" on the client so Cashin creates a new one.`,
        false,
      );
    }
    if (customer.email === email && customer.name === name) return;
    await this.#call('update customer', () =>
      this.#stripe.customers.update(
        customerId,
        { name, email },
        { idempotencyKey: `cashin:customer-update:${customerId}:${shortDigest(`${name}\n${email}`)}` },
      ),
    );
  }

  async #customerGone(id: string): Promise<boolean> {
    const customer = await this.#call('retrieve customer', () => this.#stripe.customers.retrieve(id));
    return 'deleted' in customer && customer.deleted === true;
  }

  async draftsFor(customerId: string, milestoneId: string): Promise<InvoiceSnapshot[]> {
    const found: InvoiceSnapshot[] = [];
    await this.#call('list drafts', async () => {
      for await (const invoice of this.#stripe.invoices.list({ customer: customerId, status: 'draft', limit: 100 })) {
        if (invoice.metadata?.[METADATA.milestone] === milestoneId) found.push(invoiceSnapshot(invoice));
      }
    });
    return found;
  }

  async createInvoice(input: NewInvoice): Promise<InvoiceSnapshot> {
    const params: Stripe.InvoiceCreateParams = {
      customer: input.customerId,
      collection_method: 'send_invoice',
      days_until_due: input.daysUntilDue,
      currency: input.currency.toLowerCase(),
      description: input.description,
      footer: input.footer,
      ...(input.customFields.length > 0 ? { custom_fields: input.customFields.map((f) => ({ ...f })) } : {}),
      auto_advance: false,
      metadata: {
        [METADATA.milestone]: input.milestoneId,
        [METADATA.terms]: input.terms,
        [METADATA.sentBy]: input.sentBy,
        ...(input.replaces ? { [METADATA.replaces]: input.replaces } : {}),
      },
    };
    // Keyed by everything the request says, so an edited memo or another sender never collides with an old key.
    const key = `cashin:invoice:${input.milestoneId}:${shortDigest(JSON.stringify(params))}`;
    let replayed: InvoiceSnapshot | null = null;
    const invoice = await this.#createFresh(
      key,
      (idempotencyKey) => {
        replayed = null;
        return this.#call('create invoice', () => this.#stripe.invoices.create(params, { idempotencyKey }));
      },
      async (made) => {
        // A replay of an invoice deleted or voided since calls for a new one; one that went on
        // (open, paid) is this milestone's invoice, and billing it again would bill twice.
        replayed = await this.retrieve(made.id);
        return replayed !== null && replayed.status !== 'void';
      },
    );
    return replayed ?? invoiceSnapshot(invoice);
  }

  async addLine(line: NewLine): Promise<InvoiceSnapshot> {
    await this.#call('add invoice line', () =>
      this.#stripe.invoiceItems.create(
        {
          customer: line.customerId,
          invoice: line.invoiceId,
          amount: line.amountMinor,
          currency: line.currency.toLowerCase(),
          description: line.description,
          ...(line.taxRateId ? { tax_rates: [line.taxRateId] } : {}),
          metadata: { [METADATA.milestone]: line.milestoneId },
        },
        { idempotencyKey: stepKey('line', line.invoiceId) },
      ),
    );
    return this.#mustRetrieve(line.invoiceId);
  }

  async finalize(invoiceId: string): Promise<InvoiceSnapshot> {
    const invoice = await this.#call('finalize invoice', () =>
      this.#stripe.invoices.finalizeInvoice(invoiceId, { auto_advance: false }, { idempotencyKey: stepKey('finalize', invoiceId) }),
    );
    return invoiceSnapshot(invoice);
  }

  async send(invoiceId: string): Promise<InvoiceSnapshot> {
    const invoice = await this.#call('send invoice', () => this.#stripe.invoices.sendInvoice(invoiceId, {}, { idempotencyKey: stepKey('send', invoiceId) }));
    return invoiceSnapshot(invoice);
  }

  async deleteDraft(invoiceId: string): Promise<void> {
    await this.#call('delete draft invoice', () => this.#stripe.invoices.del(invoiceId));
  }

  async void(invoiceId: string): Promise<InvoiceSnapshot> {
    const invoice = await this.#call('void invoice', () => this.#stripe.invoices.voidInvoice(invoiceId, {}, { idempotencyKey: stepKey('void', invoiceId) }));
    return invoiceSnapshot(invoice);
  }

  /**
   * Whether Stripe already emailed this invoice, from its own event log (30 days deep). Guards the
   * send step after a crash, when the idempotency key may have expired.
   */
  async wasSent(invoiceId: string, since: string): Promise<boolean> {
    const created = Math.floor(Date.parse(since) / 1000) - 60;
    return this.#call('list invoice.sent events', async () => {
      for await (const event of this.#stripe.events.list({ type: 'invoice.sent', created: { gte: created }, limit: 100 })) {
        if (invoiceIdOfEvent(event) === invoiceId) return true;
      }
      return false;
    });
  }

  async remind(invoiceId: string, step: string): Promise<InvoiceSnapshot> {
    const key = `cashin:remind:${invoiceId}:${shortDigest(step)}`;
    return invoiceSnapshot(await this.#call('email the invoice again', () => this.#stripe.invoices.sendInvoice(invoiceId, {}, { idempotencyKey: key })));
  }

  async lastSentEvent(invoiceId: string): Promise<string | null> {
    return this.#call('list invoice.sent events', async () => {
      // Newest first, over the 30 days Stripe keeps.
      for await (const event of this.#stripe.events.list({ type: 'invoice.sent', limit: 100 })) {
        if (invoiceIdOfEvent(event) === invoiceId) return event.id;
      }
      return null;
    });
  }

  async sentAfter(invoiceId: string, eventId: string | null): Promise<boolean> {
    return this.#call('list invoice.sent events', async () => {
      for await (const event of this.#stripe.events.list({ type: 'invoice.sent', limit: 100 })) {
        if (event.id === eventId) return false;
        if (invoiceIdOfEvent(event) === invoiceId) return true;
      }
      return false;
    });
  }

  async updateMemo(invoiceId: string, memo: Partial<CollectionMemo>): Promise<InvoiceSnapshot> {
    // An empty string deletes a metadata key; numbers and instants are kept as text.
    const metadata = Object.fromEntries(
      Object.entries(memo).map(([field, value]) => [MEMO_KEYS[field as keyof CollectionMemo], value === null || value === undefined ? '' : String(value)]),
    );
    // Setting metadata is idempotent by nature: repeating it leaves the same values.
    const invoice = await this.#call('update invoice metadata', () => this.#stripe.invoices.update(invoiceId, { metadata }));
    return invoiceSnapshot(invoice);
  }

  async payOutOfBand(invoiceId: string): Promise<InvoiceSnapshot> {
    const invoice = await this.#call('mark the invoice paid outside Stripe', () =>
      this.#stripe.invoices.pay(invoiceId, { paid_out_of_band: true }, { idempotencyKey: stepKey('paid-out-of-band', invoiceId) }),
    );
    return invoiceSnapshot(invoice);
  }

  /**
   * Claims `key` for this replica: the first caller gets true, anyone after it (within Stripe's
   * 24 hours of idempotency) false. Stripe's idempotency is the one atomic check Cashin has: the
   * claim updates a small internal customer's metadata under the key, and a replayed answer means
   * another replica was first.
   */
  async claim(key: string): Promise<boolean> {
    const customer = await this.#schedulerCustomer();
    const answer = await this.#call('claim a weekly job', () =>
      this.#stripe.customers.update(customer, { metadata: { cashin_last_claim: key.slice(0, 500) } }, { idempotencyKey: `cashin:claim:${key}` }),
    );
    return !wasReplayed(answer);
  }

  #schedulerCustomerId: string | null = null;

  /** The internal customer that claims are recorded on: found by its email, created once. */
  async #schedulerCustomer(): Promise<string> {
    if (this.#schedulerCustomerId) return this.#schedulerCustomerId;
    const found = await this.#call('find the scheduling customer', () => this.#stripe.customers.list({ email: SCHEDULER_EMAIL, limit: 1 }));
    const id =
      found.data[0]?.id ??
      (
        await this.#call('create the scheduling customer', () =>
          this.#stripe.customers.create(
            { email: SCHEDULER_EMAIL, name: 'Cashin scheduling (internal; never invoiced)', metadata: { cashin_internal: 'scheduler' } },
            { idempotencyKey: 'cashin:scheduler-customer' },
          ),
        )
      ).id;
    this.#schedulerCustomerId = id;
    return id;
  }

  async retrieve(invoiceId: string): Promise<InvoiceSnapshot | null> {
    try {
      return invoiceSnapshot(await this.#stripe.invoices.retrieve(invoiceId));
    } catch (error) {
      if (error instanceof Stripe.errors.StripeInvalidRequestError && error.statusCode === 404) return null;
      throw translateStripeError('retrieve invoice', error);
    }
  }

  async #mustRetrieve(invoiceId: string): Promise<InvoiceSnapshot> {
    const invoice = await this.retrieve(invoiceId);
    if (!invoice) throw new ExternalServiceError('stripe_invoice_missing', `Stripe has no invoice ${invoiceId} any more.`, false);
    return invoice;
  }

  /** One exclusive tax rate per percentage, reused across invoices. */
  async taxRate(percentage: number): Promise<string> {
    const cached = this.#taxRates.get(percentage);
    if (cached) return cached;
    const existing = await this.#call('list tax rates', async () => {
      for await (const rate of this.#stripe.taxRates.list({ active: true, limit: 100 })) {
        if (rate.metadata?.cashin === 'true' && rate.percentage === percentage && !rate.inclusive) return rate.id;
      }
      return null;
    });
    const id =
      existing ??
      (
        await this.#createFresh(
          `cashin:tax-rate:${percentage}`,
          (idempotencyKey) =>
            this.#call('create tax rate', () =>
              this.#stripe.taxRates.create({ display_name: 'Tax', percentage, inclusive: false, metadata: { cashin: 'true' } }, { idempotencyKey }),
            ),
          async (made) => (await this.#call('retrieve tax rate', () => this.#stripe.taxRates.retrieve(made.id))).active,
        )
      ).id;
    this.#taxRates.set(percentage, id);
    return id;
  }

  /** Events after `createdAfter` (unix seconds), oldest first. */
  async eventsSince(createdAfter: number): Promise<StripeEventRef[]> {
    const events: Stripe.Event[] = [];
    await this.#call('list events', async () => {
      const list = this.#stripe.events.list({ created: { gte: createdAfter }, types: [...WATCHED_EVENTS], limit: 100 });
      for await (const event of list) events.push(event);
    });
    const refs: StripeEventRef[] = [];
    for (const event of events.reverse()) refs.push(await this.eventRef(event));
    return refs;
  }

  /** Throws on a bad signature; the caller answers 400. */
  verifyWebhook(rawBody: string, signature: string, secret: string): Stripe.Event {
    return this.#stripe.webhooks.constructEvent(rawBody, signature, secret);
  }

  /** An event reduced to its invoice; a dispute's invoice is found through its payment intent. */
  async eventRef(event: Stripe.Event): Promise<StripeEventRef> {
    const ref: StripeEventRef = { id: event.id, created: event.created, type: event.type, invoiceId: invoiceIdOfEvent(event), detail: null };
    if (event.type === 'invoice.payment_failed') return { ...ref, detail: 'Stripe reported a failed payment attempt on this invoice.' };
    if (!DISPUTE_EVENTS.has(event.type)) return ref;
    const dispute = event.data.object as Stripe.Dispute;
    const intent = typeof dispute.payment_intent === 'string' ? dispute.payment_intent : (dispute.payment_intent?.id ?? null);
    const amount = formatMoney({ minor: dispute.amount, currency: dispute.currency.toUpperCase() });
    const detail =
      event.type === 'charge.dispute.created'
        ? `The client's bank opened a dispute (${dispute.reason}) for ${amount}; answer it in the Stripe Dashboard.`
        : `The dispute ${dispute.id} closed: ${dispute.status}.`;
    return { ...ref, invoiceId: intent ? await this.#invoiceOfPayment(intent) : null, detail, disputeReason: dispute.reason ?? null };
  }

  async #invoiceOfPayment(paymentIntent: string): Promise<string | null> {
    return this.#call('find the invoice of a payment', async () => {
      const payments = await this.#stripe.invoicePayments.list({ payment: { type: 'payment_intent', payment_intent: paymentIntent }, limit: 1 });
      const invoice = payments.data[0]?.invoice;
      return typeof invoice === 'string' ? invoice : (invoice?.id ?? null);
    });
  }

  /**
   * Creates something once per key. A replayed answer is checked with `usable`: when it describes
   * an object since deleted or voided, the next attempt number gives a key Stripe has not seen.
   */
  async #createFresh<T extends { id: string }>(
    keyBase: string,
    create: (key: string) => Promise<Stripe.Response<T>>,
    usable: (made: T) => Promise<boolean>,
  ): Promise<T> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
      let made: Stripe.Response<T>;
      try {
        made = await create(`${keyBase}:a${attempt}`);
      } catch (error) {
        // The key was used for a different request (its earlier form): a new attempt number is a new key.
        if (error instanceof ExternalServiceError && error.cause instanceof Stripe.errors.StripeIdempotencyError) continue;
        throw error;
      }
      if (!wasReplayed(made) || (await usable(made))) return made;
      this.#logger.info({ attempt, id: made.id }, 'stripe replayed an answer for an object that is gone; trying a fresh key');
    }
    throw new ExternalServiceError('stripe_refused', `Stripe kept replaying answers for objects that are gone (${MAX_ATTEMPTS} attempts).`, false);
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
