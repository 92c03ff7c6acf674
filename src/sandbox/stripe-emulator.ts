/**
 * A stateful emulator of the Stripe Invoicing endpoints Cashin uses, in the shape of API version
 * 2026-10-28. Strict like Stripe: unknown parameters and routes are errors, idempotency keys replay
 * the first answer and refuse different parameters, and events carry the object as it was then.
 * Test controls (pay, fail a payment) stand in for the client on the hosted invoice page.
 */
import { createHash, randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import { currencyExponent, formatMoney, minimumCharge, stripeExponent } from '../domain/money.js';
import { listen, Router, routerHandler, type EmulatorRequest, type EmulatorResponse, type Listening } from './http.js';

type Json = Record<string, unknown>;

type Invoice = {
  id: string;
  customer: string;
  currency: string;
  status: 'draft' | 'open' | 'paid' | 'void' | 'uncollectible';
  collection_method: string;
  days_until_due: number | null;
  due_date: number | null;
  description: string | null;
  footer: string | null;
  metadata: Record<string, string>;
  custom_fields: { name: string; value: string }[] | null;
  number: string | null;
  created: number;
  amount_paid: number;
  auto_advance: boolean;
  finalized_at: number | null;
  paid_at: number | null;
  voided_at: number | null;
  uncollectible_at: number | null;
  /** Below Stripe's minimum charge the amount goes to the customer's balance and the invoice counts as paid. */
  carried_to_balance: boolean;
  attempt_count: number;
  /** Sum of credit notes issued while the invoice was open: they lower what is due. */
  pre_payment_credit_notes_amount: number;
  paid_out_of_band: boolean;
};
/** One payment on an invoice: a card payment (payment intent) or one recorded outside Stripe (payment record). */
type Payment = {
  id: string;
  invoice: string;
  amount: number;
  currency: string;
  created: number;
  isDefault: boolean;
  type: 'payment_intent' | 'payment_record';
  /** The pi_ or pr_ id. */
  ref: string;
  /** The ch_ id of a card payment, which a dispute names. */
  charge: string | null;
};
type CreditNote = {
  id: string;
  invoice: string;
  customer: string;
  currency: string;
  amount: number;
  number: string;
  memo: string | null;
  reason: string | null;
  metadata: Record<string, string>;
  created: number;
};
type InvoiceItem = {
  id: string;
  customer: string;
  invoice: string;
  amount: number;
  currency: string;
  description: string | null;
  tax_rates: string[];
  metadata: Record<string, string>;
  created: number;
};
type Customer = {
  id: string;
  email: string | null;
  name: string | null;
  description: string | null;
  metadata: Record<string, string>;
  created: number;
  deleted: boolean;
  balance: number;
};
type TaxRate = { id: string; display_name: string; percentage: number; inclusive: boolean; active: boolean; metadata: Record<string, string>; created: number };
type StoredEvent = { id: string; type: string; created: number; object: Json; requestKey: string | null };
type Idempotent = { fingerprint: string; response: EmulatorResponse; at: number };

export type StripeEmulatorOptions = { secretKey: string; now?: () => Date; accountName?: string };

/** Called after a request is processed and before its answer leaves, so a test can crash the caller in between. */
export type ResponseHold = { method: string; path: RegExp; run: () => Promise<void>; once: boolean };

class StripeError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly code?: string,
    readonly param?: string,
  ) {
    super(message);
  }
}

const EVENT_API_VERSION = '2026-10-28.endive';

export class StripeEmulator {
  readonly customers = new Map<string, Customer>();
  readonly invoices = new Map<string, Invoice>();
  readonly items = new Map<string, InvoiceItem>();
  readonly taxRates = new Map<string, TaxRate>();
  readonly events: StoredEvent[] = [];
  /** How many times each invoice was emailed to the client. */
  readonly sends = new Map<string, number>();
  readonly disputed = new Set<string>();
  readonly payments = new Map<string, Payment>();
  readonly creditNotes = new Map<string, CreditNote>();
  readonly requests: { method: string; path: string; status: number; idempotencyKey: string | null }[] = [];
  readonly #idempotency = new Map<string, Idempotent>();
  readonly #webhooks: { url: string; secret: string }[] = [];
  readonly #holds: ResponseHold[] = [];
  readonly #faults: { method: string; path: RegExp; error: StripeError }[] = [];
  readonly #secretKey: string;
  readonly #accountName: string;
  #numberSeq = 0;
  #publicUrl = 'http://127.0.0.1';
  now: () => Date;

  constructor(options: StripeEmulatorOptions) {
    this.#secretKey = options.secretKey;
    this.#accountName = options.accountName ?? 'Cashin sandbox';
    this.now = options.now ?? (() => new Date());
  }

  async listen(port = 0): Promise<Listening> {
    const listening = await listen(this.handler(), port);
    this.#publicUrl = listening.url;
    return listening;
  }

  /** Events are POSTed, signed, to this URL as they happen. */
  addWebhookEndpoint(url: string, secret: string): void {
    this.#webhooks.push({ url, secret });
  }

  /**
   * The next `count` matching requests fail: with a 500 api_error by default, as during a Stripe
   * incident, or with the error given.
   */
  injectFaults(count: number, match: { method: string; path: RegExp }, error?: { status: number; type: string; message: string; code?: string }): void {
    const fault = error
      ? new StripeError(error.status, error.type, error.message, error.code)
      : new StripeError(500, 'api_error', 'An unknown error occurred while processing the request.');
    for (let i = 0; i < count; i += 1) this.#faults.push({ ...match, error: fault });
  }

  clearFaults(): void {
    this.#faults.length = 0;
  }

  hold(hold: ResponseHold): void {
    this.#holds.push(hold);
  }

  // ---- test controls: what the client and the bank do ----

  /** The client pays `amount` minor units (all that remains by default) on the hosted page. */
  pay(invoiceId: string, amount?: number): void {
    const invoice = this.#invoice(invoiceId);
    if (invoice.status !== 'open')
      throw new StripeError(400, 'invalid_request_error', `Invoice ${invoiceId} is ${invoice.status}; only open invoices can be paid.`);
    const remaining = this.#remaining(invoice);
    this.#recordPayment(invoice, Math.min(amount ?? remaining, remaining), 'payment_intent');
  }

  /** A card payment attempt fails: Stripe counts the attempt and says so. */
  failPayment(invoiceId: string): void {
    const invoice = this.#invoice(invoiceId);
    if (invoice.status !== 'open')
      throw new StripeError(400, 'invalid_request_error', `Invoice ${invoiceId} is ${invoice.status}; only open invoices are attempted.`);
    invoice.attempt_count += 1;
    this.#emit('invoice.payment_failed', this.#invoiceJson(invoice), null);
  }

  /** The client's bank disputes the latest card payment of an invoice. */
  dispute(invoiceId: string, reason = 'general'): void {
    const invoice = this.#invoice(invoiceId);
    const payment = [...this.payments.values()].filter((p) => p.invoice === invoice.id && p.type === 'payment_intent').at(-1);
    if (!payment) throw new StripeError(400, 'invalid_request_error', `Invoice ${invoiceId} has no card payment to dispute.`);
    this.disputed.add(invoice.id);
    this.#emit(
      'charge.dispute.created',
      {
        id: newId('dp'),
        object: 'dispute',
        amount: payment.amount,
        currency: payment.currency,
        charge: payment.charge,
        payment_intent: payment.ref,
        reason,
        status: 'needs_response',
        is_charge_refundable: false,
        livemode: false,
        metadata: {},
        evidence_details: { due_by: this.#now() + 7 * 86_400, has_evidence: false, past_due: false, submission_count: 0 },
        created: this.#now(),
      },
      null,
    );
  }

  /** A credit note issued in the Dashboard on an open invoice, as POST /v1/credit_notes does. */
  creditNote(invoiceId: string, amount: number): Json {
    return this.#issueCreditNote(this.#invoice(invoiceId), amount, null, null, {});
  }

  /** Re-delivers an event to the webhook endpoints, as Stripe does when it retries. */
  async redeliver(eventId: string): Promise<void> {
    const event = this.events.find((e) => e.id === eventId);
    if (event) await this.#deliver(event);
  }

  invoiceJson(id: string): Json {
    return this.#invoiceJson(this.#invoice(id));
  }

  handler(): ReturnType<typeof routerHandler> {
    const r = new Router()
      .add('GET', '/v1/account', () =>
        ok({
          id: 'acct_1Cashin000000000',
          object: 'account',
          business_profile: { name: this.#accountName },
          settings: { dashboard: { display_name: this.#accountName } },
          charges_enabled: true,
          country: 'US',
          default_currency: 'usd',
        }),
      )
      .add('POST', '/v1/customers', (q) => this.#idempotent(q, () => ok(this.#createCustomer(form(q, ['email', 'name', 'description', 'metadata', 'expand'])))))
      .add('GET', '/v1/customers', (q) => ok(this.#listCustomers(q.query)))
      .add('GET', '/v1/customers/:id', (q) => ok(this.#customerJson(this.#customer(q.params.id, true))))
      .add('DELETE', '/v1/customers/:id', (q) => ok(this.#deleteCustomer(this.#customer(q.params.id))))
      .add('POST', '/v1/customers/:id', (q) =>
        this.#idempotent(q, () => ok(this.#updateCustomer(this.#customer(q.params.id), form(q, ['email', 'name', 'description', 'metadata', 'expand'])))),
      )
      .add('GET', '/v1/tax_rates/:id', (q) => ok(this.#taxRateJson(this.#taxRate(q.params.id))))
      .add('GET', '/v1/tax_rates', (q) =>
        ok(
          this.#list(
            [...this.taxRates.values()].filter((t) => !q.query.has('active') || String(t.active) === q.query.get('active')).map((t) => this.#taxRateJson(t)),
            '/v1/tax_rates',
          ),
        ),
      )
      .add('POST', '/v1/tax_rates', (q) =>
        this.#idempotent(q, () =>
          ok(this.#createTaxRate(form(q, ['display_name', 'percentage', 'inclusive', 'metadata', 'description', 'jurisdiction', 'country']))),
        ),
      )
      .add('POST', '/v1/invoices', (q) =>
        this.#idempotent(q, () =>
          ok(
            this.#createInvoice(
              form(q, [
                'customer',
                'collection_method',
                'days_until_due',
                'due_date',
                'currency',
                'description',
                'footer',
                'metadata',
                'custom_fields',
                'auto_advance',
                'pending_invoice_items_behavior',
                'expand',
              ]),
            ),
          ),
        ),
      )
      .add('GET', '/v1/invoices', (q) => ok(this.#listInvoices(q.query)))
      .add('DELETE', '/v1/invoices/:id', (q) => ok(this.#deleteDraft(this.#invoice(q.params.id))))
      .add('GET', '/v1/invoices/:id', (q) => ok(this.#invoiceJson(this.#invoice(q.params.id), expandOf(q.query))))
      .add('POST', '/v1/invoices/:id', (q) =>
        this.#idempotent(q, () => ok(this.#updateInvoice(this.#invoice(q.params.id), form(q, ['metadata', 'description', 'footer', 'expand'])))),
      )
      .add('POST', '/v1/invoices/:id/pay', (q) =>
        this.#idempotent(q, () =>
          ok(
            this.#payInvoice(
              this.#invoice(q.params.id),
              form(q, ['paid_out_of_band', 'forgive', 'mandate', 'off_session', 'payment_method', 'source', 'expand']),
            ),
          ),
        ),
      )
      .add('POST', '/v1/credit_notes', (q) =>
        this.#idempotent(q, () => ok(this.#createCreditNote(form(q, ['invoice', 'amount', 'memo', 'reason', 'metadata', 'expand'])))),
      )
      .add('GET', '/v1/credit_notes', (q) => ok(this.#listCreditNotes(q.query)))
      .add('GET', '/v1/credit_notes/:id', (q) => ok(this.#creditNoteJson(this.#creditNote(q.params.id))))
      .add('GET', '/v1/invoice_payments', (q) => ok(this.#listPayments(q.query)))
      .add('GET', '/v1/invoice_payments/:id', (q) => ok(this.#paymentJson(this.#payment(q.params.id))))
      .add('POST', '/v1/invoices/:id/finalize', (q) =>
        this.#idempotent(q, () => ok(this.#finalize(this.#invoice(q.params.id), form(q, ['auto_advance', 'expand'])))),
      )
      .add('POST', '/v1/invoices/:id/send', (q) => this.#idempotent(q, () => ok(this.#send(this.#invoice(q.params.id), form(q, ['expand'])))))
      .add('POST', '/v1/invoices/:id/void', (q) => this.#idempotent(q, () => ok(this.#void(this.#invoice(q.params.id)))))
      .add('POST', '/v1/invoices/:id/mark_uncollectible', (q) => this.#idempotent(q, () => ok(this.#markUncollectible(this.#invoice(q.params.id)))))
      .add('POST', '/v1/invoiceitems', (q) =>
        this.#idempotent(q, () =>
          ok(this.#createItem(form(q, ['customer', 'invoice', 'amount', 'currency', 'description', 'tax_rates', 'metadata', 'expand']))),
        ),
      )
      .add('GET', '/v1/events', (q) => ok(this.#listEvents(q.query)))
      .add('GET', '/v1/events/:id', (q) => ok(this.#eventJson(this.#event(q.params.id))))
      .add('GET', '/i/:id', (q) => this.#hostedPage(q.params.id ?? ''))
      .add('POST', '/i/:id/pay', (q) => {
        this.pay(q.params.id ?? '');
        return this.#hostedPage(q.params.id ?? '');
      });
    return routerHandler(r, {
      notFound: (q) =>
        stripeError(
          new StripeError(
            404,
            'invalid_request_error',
            `Unrecognized request URL (${q.method}: ${q.path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
          ),
        ),
      before: (q) => this.#gate(q),
      onError: (error) => (error instanceof StripeError ? stripeError(error) : null),
      onResponse: async (q, response) => {
        const key = q.headers['idempotency-key'];
        this.requests.push({ method: q.method, path: q.path, status: response.status, idempotencyKey: typeof key === 'string' ? key : null });
        const hold = this.#holds.find((h) => h.method === q.method && h.path.test(q.path));
        if (!hold) return;
        if (hold.once) this.#holds.splice(this.#holds.indexOf(hold), 1);
        await hold.run();
      },
    });
  }

  #gate(q: EmulatorRequest): EmulatorResponse | null {
    if (q.path.startsWith('/i/')) return null;
    const index = this.#faults.findIndex((f) => f.method === q.method && f.path.test(q.path));
    const [fault] = index >= 0 ? this.#faults.splice(index, 1) : [];
    if (fault) return stripeError(fault.error);
    const auth = q.headers.authorization ?? '';
    if (auth !== `Bearer ${this.#secretKey}`) {
      const shown = auth.replace(/^Bearer /, '');
      return stripeError(
        new StripeError(
          401,
          'invalid_request_error',
          `Invalid API Key provided: ${shown.slice(0, 8)}${'*'.repeat(Math.max(0, shown.length - 12))}${shown.slice(-4)}`,
        ),
      );
    }
    return null;
  }

  #idempotent(q: EmulatorRequest, run: () => EmulatorResponse): EmulatorResponse {
    const key = q.headers['idempotency-key'];
    if (typeof key !== 'string') return run();
    const fingerprint = createHash('sha256')
      .update(`${q.method} ${q.path}\n${canonicalForm(q.rawBody)}`)
      .digest('hex');
    const dayAgo = this.now().getTime() - 24 * 3600_000;
    const seen = this.#idempotency.get(key);
    if (seen && seen.at > dayAgo) {
      if (seen.fingerprint !== fingerprint) {
        throw new StripeError(
          400,
          'idempotency_error',
          `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
        );
      }
      return { ...seen.response, headers: { ...seen.response.headers, 'idempotent-replayed': 'true', 'idempotency-key': key } };
    }
    const response = run();
    this.#idempotency.set(key, { fingerprint, response, at: this.now().getTime() });
    return { ...response, headers: { ...response.headers, 'idempotency-key': key } };
  }

  #now(): number {
    return Math.floor(this.now().getTime() / 1000);
  }

  /** A live customer; a deleted one only where Stripe still shows it (retrieving it). */
  #customer(id: string | undefined, evenDeleted = false): Customer {
    const c = this.customers.get(id ?? '');
    if (!c || (c.deleted && !evenDeleted)) throw new StripeError(404, 'invalid_request_error', `No such customer: '${id}'`, 'resource_missing', 'id');
    return c;
  }

  #taxRate(id: string | undefined): TaxRate {
    const t = this.taxRates.get(id ?? '');
    if (!t) throw new StripeError(404, 'invalid_request_error', `No such tax rate: '${id}'`, 'resource_missing', 'id');
    return t;
  }

  #deleteCustomer(c: Customer): Json {
    c.deleted = true;
    this.#emit('customer.deleted', { id: c.id, object: 'customer', deleted: true }, null);
    return { id: c.id, object: 'customer', deleted: true };
  }

  /** Stripe deletes drafts only; a finalized invoice must be voided. */
  #deleteDraft(invoice: Invoice): Json {
    if (invoice.status !== 'draft')
      throw new StripeError(
        400,
        'invalid_request_error',
        `You can only delete draft invoices. This invoice is ${invoice.status}; void it instead.`,
        'invoice_not_editable',
      );
    const json = this.#invoiceJson(invoice);
    for (const item of this.#lines(invoice)) this.items.delete(item.id);
    this.invoices.delete(invoice.id);
    this.#emit('invoice.deleted', json, null);
    return { id: invoice.id, object: 'invoice', deleted: true };
  }

  #invoice(id: string | undefined): Invoice {
    const i = this.invoices.get(id ?? '');
    if (!i) throw new StripeError(404, 'invalid_request_error', `No such invoice: '${id}'`, 'resource_missing', 'id');
    return i;
  }

  #event(id: string | undefined): StoredEvent {
    const e = this.events.find((x) => x.id === id);
    if (!e) throw new StripeError(404, 'invalid_request_error', `No such event: '${id}'`, 'resource_missing', 'id');
    return e;
  }

  #createCustomer(p: Json): Json {
    const email = optionalString(p, 'email', 512);
    if (email !== null && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))
      throw new StripeError(400, 'invalid_request_error', `Invalid email address: ${email}`, 'email_invalid', 'email');
    const customer: Customer = {
      id: newId('cus'),
      email,
      name: optionalString(p, 'name', 256),
      description: optionalString(p, 'description', 5000),
      metadata: metadata(p),
      created: this.#now(),
      deleted: false,
      balance: 0,
    };
    this.customers.set(customer.id, customer);
    this.#emit('customer.created', this.#customerJson(customer), null);
    return this.#customerJson(customer);
  }

  #updateCustomer(c: Customer, p: Json): Json {
    if ('email' in p) c.email = optionalString(p, 'email', 512);
    if ('description' in p) c.description = optionalString(p, 'description', 5000);
    if ('name' in p) c.name = optionalString(p, 'name', 256);
    if ('metadata' in p) c.metadata = mergeMetadata(c.metadata, p);
    return this.#customerJson(c);
  }

  #customerJson(c: Customer): Json {
    if (c.deleted) return { id: c.id, object: 'customer', deleted: true };
    return {
      id: c.id,
      object: 'customer',
      email: c.email,
      name: c.name,
      description: c.description,
      metadata: c.metadata,
      created: c.created,
      livemode: false,
      currency: null,
      invoice_prefix: 'CASH',
      balance: c.balance,
      delinquent: false,
    };
  }

  #createTaxRate(p: Json): Json {
    const display = requiredString(p, 'display_name', 50);
    const percentage = Number(p.percentage);
    if (p.percentage === undefined || !Number.isFinite(percentage) || percentage < 0 || percentage > 100)
      throw new StripeError(400, 'invalid_request_error', 'Invalid percentage: must be between 0 and 100', 'parameter_invalid_decimal', 'percentage');
    if (p.inclusive !== 'true' && p.inclusive !== 'false')
      throw new StripeError(400, 'invalid_request_error', 'Missing required param: inclusive.', 'parameter_missing', 'inclusive');
    const rate: TaxRate = {
      id: newId('txr'),
      display_name: display,
      percentage,
      inclusive: p.inclusive === 'true',
      active: true,
      metadata: metadata(p),
      created: this.#now(),
    };
    this.taxRates.set(rate.id, rate);
    return this.#taxRateJson(rate);
  }

  #taxRateJson(t: TaxRate): Json {
    return {
      id: t.id,
      object: 'tax_rate',
      display_name: t.display_name,
      percentage: t.percentage,
      effective_percentage: t.percentage,
      inclusive: t.inclusive,
      active: t.active,
      metadata: t.metadata,
      created: t.created,
      livemode: false,
    };
  }

  #createInvoice(p: Json): Json {
    const customer = this.#customer(requiredString(p, 'customer', 255));
    const method = p.collection_method === undefined ? 'charge_automatically' : String(p.collection_method);
    if (method !== 'send_invoice' && method !== 'charge_automatically')
      throw new StripeError(400, 'invalid_request_error', `Invalid collection_method: ${method}`, 'parameter_invalid', 'collection_method');
    const days = p.days_until_due === undefined ? null : integer(p, 'days_until_due', 0, 730);
    const due = p.due_date === undefined ? null : integer(p, 'due_date', 0, 4102444800);
    if (method === 'send_invoice' && days === null && due === null)
      throw new StripeError(
        400,
        'invalid_request_error',
        'Invoices with `collection_method=send_invoice` require either `days_until_due` or `due_date`.',
        'parameter_missing',
        'days_until_due',
      );
    const currency = p.currency === undefined ? 'usd' : String(p.currency).toLowerCase();
    if (!/^[a-z]{3}$/.test(currency)) throw new StripeError(400, 'invalid_request_error', `Invalid currency: ${currency}`, 'parameter_invalid', 'currency');
    const invoice: Invoice = {
      id: newId('in'),
      customer: customer.id,
      currency,
      status: 'draft',
      collection_method: method,
      days_until_due: days,
      due_date: due,
      description: optionalString(p, 'description', 1500),
      footer: optionalString(p, 'footer', 5000),
      metadata: metadata(p),
      custom_fields: customFields(p.custom_fields),
      number: null,
      created: this.#now(),
      amount_paid: 0,
      auto_advance: p.auto_advance === 'true',
      finalized_at: null,
      paid_at: null,
      voided_at: null,
      uncollectible_at: null,
      carried_to_balance: false,
      attempt_count: 0,
      pre_payment_credit_notes_amount: 0,
      paid_out_of_band: false,
    };
    this.invoices.set(invoice.id, invoice);
    this.#emit('invoice.created', this.#invoiceJson(invoice), null);
    return this.#invoiceJson(invoice);
  }

  #createItem(p: Json): Json {
    const customer = this.#customer(requiredString(p, 'customer', 255));
    const invoice = this.#invoice(requiredString(p, 'invoice', 255));
    if (invoice.customer !== customer.id)
      throw new StripeError(400, 'invalid_request_error', 'The invoice belongs to a different customer.', 'parameter_invalid', 'invoice');
    if (invoice.status !== 'draft')
      throw new StripeError(
        400,
        'invalid_request_error',
        `You can only add invoice items to draft invoices; ${invoice.id} is ${invoice.status}.`,
        'invoice_not_editable',
        'invoice',
      );
    const amount = integer(p, 'amount', -99_999_999, 99_999_999);
    const currency = requiredString(p, 'currency', 3).toLowerCase();
    checkAmountForm(amount, currency);
    if (currency !== invoice.currency)
      throw new StripeError(
        400,
        'invalid_request_error',
        `The currency of the invoice item (${currency}) must match the invoice (${invoice.currency}).`,
        'parameter_invalid',
        'currency',
      );
    const taxRates = Array.isArray(p.tax_rates) ? p.tax_rates.map(String) : [];
    for (const id of taxRates)
      if (!this.taxRates.has(id)) throw new StripeError(404, 'invalid_request_error', `No such tax rate: '${id}'`, 'resource_missing', 'tax_rates');
    const item: InvoiceItem = {
      id: newId('ii'),
      customer: customer.id,
      invoice: invoice.id,
      amount,
      currency,
      description: optionalString(p, 'description', 5000),
      tax_rates: taxRates,
      metadata: metadata(p),
      created: this.#now(),
    };
    this.items.set(item.id, item);
    return {
      id: item.id,
      object: 'invoiceitem',
      customer: item.customer,
      invoice: item.invoice,
      amount: item.amount,
      currency: item.currency,
      description: item.description,
      metadata: item.metadata,
      quantity: 1,
      tax_rates: taxRates.map((t) => this.#taxRateJson(this.taxRates.get(t) as TaxRate)),
      date: item.created,
      livemode: false,
    };
  }

  #finalize(invoice: Invoice, p: Json): Json {
    if (invoice.status !== 'draft')
      throw new StripeError(
        400,
        'invalid_request_error',
        `This invoice is already finalized, you can't re-finalize a non-draft invoice.`,
        'invoice_not_editable',
      );
    if (this.#lines(invoice).length === 0)
      throw new StripeError(400, 'invalid_request_error', 'This invoice has no line items; add at least one before finalizing.', 'invoice_no_line_items');
    this.#numberSeq += 1;
    invoice.number = `CASH-${String(this.#numberSeq).padStart(4, '0')}`;
    invoice.status = 'open';
    invoice.finalized_at = this.#now();
    if (invoice.days_until_due !== null) invoice.due_date = invoice.finalized_at + invoice.days_until_due * 86_400;
    if (p.auto_advance !== undefined) invoice.auto_advance = p.auto_advance === 'true';
    this.#emit('invoice.finalized', this.#invoiceJson(invoice), null);
    const { total } = this.#totals(invoice);
    const minimum = minimumCharge(invoice.currency);
    if (total > 0 && minimum && total < minimum.minor) {
      // What Stripe does with a total below its minimum charge: paid, with nothing collected.
      invoice.status = 'paid';
      invoice.paid_at = this.#now();
      invoice.carried_to_balance = true;
      this.#customer(invoice.customer).balance += total;
      this.#emit('invoice.paid', this.#invoiceJson(invoice), null);
    }
    return this.#invoiceJson(invoice);
  }

  #send(invoice: Invoice, _p: Json): Json {
    if (invoice.collection_method !== 'send_invoice')
      throw new StripeError(400, 'invalid_request_error', 'Only invoices with collection_method=send_invoice can be sent.');
    if (invoice.status !== 'open')
      throw new StripeError(
        400,
        'invalid_request_error',
        `You can only send an invoice that is open; ${invoice.id} is ${invoice.status}.`,
        'invoice_not_editable',
      );
    this.sends.set(invoice.id, (this.sends.get(invoice.id) ?? 0) + 1);
    this.#emit('invoice.sent', this.#invoiceJson(invoice), null);
    return this.#invoiceJson(invoice);
  }

  #void(invoice: Invoice): Json {
    if (invoice.status !== 'open' && invoice.status !== 'uncollectible')
      throw new StripeError(
        400,
        'invalid_request_error',
        `You can only void open or uncollectible invoices; ${invoice.id} is ${invoice.status}.`,
        'invoice_not_editable',
      );
    invoice.status = 'void';
    invoice.voided_at = this.#now();
    this.#emit('invoice.voided', this.#invoiceJson(invoice), null);
    return this.#invoiceJson(invoice);
  }

  #markUncollectible(invoice: Invoice): Json {
    if (invoice.status !== 'open')
      throw new StripeError(
        400,
        'invalid_request_error',
        `You can only mark open invoices uncollectible; ${invoice.id} is ${invoice.status}.`,
        'invoice_not_editable',
      );
    invoice.status = 'uncollectible';
    invoice.uncollectible_at = this.#now();
    this.#emit('invoice.marked_uncollectible', this.#invoiceJson(invoice), null);
    return this.#invoiceJson(invoice);
  }

  /** Metadata changes on any invoice; description and footer only while it is a draft. */
  #updateInvoice(invoice: Invoice, p: Json): Json {
    for (const field of ['description', 'footer']) {
      if (field in p && invoice.status !== 'draft')
        throw new StripeError(
          400,
          'invalid_request_error',
          `Finalized invoices can't be updated in this way: ${field} can only be changed while the invoice is a draft; ${invoice.id} is ${invoice.status}.`,
          'invoice_not_editable',
          field,
        );
    }
    if ('description' in p) invoice.description = optionalString(p, 'description', 1500);
    if ('footer' in p) invoice.footer = optionalString(p, 'footer', 5000);
    if ('metadata' in p) invoice.metadata = mergeMetadata(invoice.metadata, p);
    this.#emit('invoice.updated', this.#invoiceJson(invoice), null);
    return this.#invoiceJson(invoice, expandOf(p));
  }

  /** Only out-of-band payments: emulated customers have no payment method to charge. */
  #payInvoice(invoice: Invoice, p: Json): Json {
    if (invoice.status === 'paid') throw new StripeError(400, 'invalid_request_error', 'Invoice is already paid.', 'invoice_not_editable');
    // Stripe still takes payment on an invoice marked uncollectible.
    if (invoice.status !== 'open' && invoice.status !== 'uncollectible')
      throw new StripeError(
        400,
        'invalid_request_error',
        `You can only pay open or uncollectible invoices; ${invoice.id} is ${invoice.status}.`,
        'invoice_not_editable',
      );
    if (typeof p.payment_method === 'string')
      throw new StripeError(404, 'invalid_request_error', `No such PaymentMethod: '${p.payment_method}'`, 'resource_missing', 'payment_method');
    if (typeof p.source === 'string') throw new StripeError(404, 'invalid_request_error', `No such source: '${p.source}'`, 'resource_missing', 'source');
    if (p.paid_out_of_band !== 'true')
      throw new StripeError(
        400,
        'invalid_request_error',
        'This customer has no attached payment source or default payment method. Please consider adding a default payment method.',
      );
    invoice.paid_out_of_band = true;
    this.#recordPayment(invoice, this.#remaining(invoice), 'payment_record');
    return this.#invoiceJson(invoice, expandOf(p));
  }

  /** What is still owed: the total less pre-payment credit notes and payments. */
  #remaining(invoice: Invoice): number {
    return this.#totals(invoice).total - invoice.pre_payment_credit_notes_amount - invoice.amount_paid;
  }

  /** Records a payment (invoice_payment.paid), then the invoice is paid when nothing remains. */
  #recordPayment(invoice: Invoice, amount: number, type: Payment['type']): Payment {
    const first = ![...this.payments.values()].some((p) => p.invoice === invoice.id);
    const payment: Payment = {
      id: `inpay_${randomUUID().replace(/-/g, '').slice(0, 20)}`,
      invoice: invoice.id,
      amount,
      currency: invoice.currency,
      created: this.#now(),
      isDefault: first,
      type,
      ref: newId(type === 'payment_intent' ? 'pi' : 'pr'),
      charge: type === 'payment_intent' ? newId('ch') : null,
    };
    this.payments.set(payment.id, payment);
    invoice.amount_paid += amount;
    this.#emit('invoice_payment.paid', this.#paymentJson(payment), null);
    this.#settle(invoice);
    return payment;
  }

  /** Paid once nothing remains (invoice.paid); otherwise the new amounts are an invoice.updated. */
  #settle(invoice: Invoice): void {
    if (this.#remaining(invoice) > 0) {
      this.#emit('invoice.updated', this.#invoiceJson(invoice), null);
      return;
    }
    invoice.status = 'paid';
    invoice.paid_at = this.#now();
    this.#emit('invoice.paid', this.#invoiceJson(invoice), null);
  }

  #paymentJson(p: Payment): Json {
    return {
      id: p.id,
      object: 'invoice_payment',
      amount_paid: p.amount,
      amount_requested: p.amount,
      created: p.created,
      currency: p.currency,
      invoice: p.invoice,
      is_default: p.isDefault,
      livemode: false,
      payment: p.type === 'payment_intent' ? { type: 'payment_intent', payment_intent: p.ref } : { type: 'payment_record', payment_record: p.ref },
      status: 'paid',
      status_transitions: { canceled_at: null, paid_at: p.created },
    };
  }

  #payment(id: string | undefined): Payment {
    const p = this.payments.get(id ?? '');
    if (!p) throw new StripeError(404, 'invalid_request_error', `No such invoice payment: '${id}'`, 'resource_missing', 'id');
    return p;
  }

  /** stripe-node sends nested filters as `payment[type]=payment_intent&payment[payment_intent]=pi_…`. */
  #listPayments(query: URLSearchParams): Json {
    const invoice = query.get('invoice');
    const status = query.get('status');
    const type = query.get('payment[type]');
    const intent = query.get('payment[payment_intent]');
    const record = query.get('payment[payment_record]');
    if ((intent !== null || record !== null) && type === null)
      throw new StripeError(400, 'invalid_request_error', 'Missing required param: payment[type].', 'parameter_missing', 'payment[type]');
    if (type !== null && type !== 'payment_intent' && type !== 'payment_record')
      throw new StripeError(
        400,
        'invalid_request_error',
        `Invalid payment[type]: must be one of payment_intent or payment_record`,
        'parameter_invalid',
        'payment[type]',
      );
    const rows = [...this.payments.values()]
      .reverse()
      .filter(
        (p) =>
          (invoice === null || p.invoice === invoice) &&
          (status === null || status === 'paid') &&
          (type === null || p.type === type) &&
          (intent === null || (p.type === 'payment_intent' && p.ref === intent)) &&
          (record === null || (p.type === 'payment_record' && p.ref === record)),
      );
    return this.#page(
      rows.map((p) => this.#paymentJson(p)),
      query,
      '/v1/invoice_payments',
    );
  }

  #createCreditNote(p: Json): Json {
    const invoice = this.#invoice(requiredString(p, 'invoice', 255));
    if (p.amount === undefined || p.amount === '')
      throw new StripeError(400, 'invalid_request_error', 'Missing required param: amount.', 'parameter_missing', 'amount');
    const amount = integer(p, 'amount', 1, 99_999_999);
    const reason = p.reason === undefined || p.reason === '' ? null : String(p.reason);
    if (reason !== null && !CREDIT_NOTE_REASONS.includes(reason))
      throw new StripeError(400, 'invalid_request_error', `Invalid reason: must be one of ${CREDIT_NOTE_REASONS.join(', ')}`, 'parameter_invalid', 'reason');
    return this.#issueCreditNote(invoice, amount, optionalString(p, 'memo', 5000), reason, metadata(p));
  }

  /** A pre-payment credit note: it lowers what the open invoice asks for, and pays it off when nothing is left. */
  #issueCreditNote(invoice: Invoice, amount: number, memo: string | null, reason: string | null, meta: Record<string, string>): Json {
    if (invoice.status === 'draft')
      throw new StripeError(
        400,
        'invalid_request_error',
        `You can't create a credit note for a draft invoice; finalize ${invoice.id} first.`,
        undefined,
        'invoice',
      );
    if (invoice.status !== 'open')
      throw new StripeError(
        400,
        'invalid_request_error',
        `The emulator issues pre-payment credit notes on open invoices only; ${invoice.id} is ${invoice.status}.`,
        undefined,
        'invoice',
      );
    checkAmountForm(amount, invoice.currency);
    const remaining = this.#remaining(invoice);
    if (!Number.isInteger(amount) || amount < 1 || amount > remaining)
      throw new StripeError(
        400,
        'invalid_request_error',
        `The credit note amount (${amount}) must be at least 1 and at most the invoice's amount_remaining (${remaining}).`,
        'parameter_invalid',
        'amount',
      );
    const count = [...this.creditNotes.values()].filter((c) => c.invoice === invoice.id).length;
    const note: CreditNote = {
      id: newId('cn'),
      invoice: invoice.id,
      customer: invoice.customer,
      currency: invoice.currency,
      amount,
      number: `${invoice.number ?? invoice.id}-CN-${String(count + 1).padStart(2, '0')}`,
      memo,
      reason,
      metadata: meta,
      created: this.#now(),
    };
    this.creditNotes.set(note.id, note);
    invoice.pre_payment_credit_notes_amount += amount;
    this.#emit('credit_note.created', this.#creditNoteJson(note), null);
    this.#settle(invoice);
    return this.#creditNoteJson(note);
  }

  #creditNote(id: string | undefined): CreditNote {
    const c = this.creditNotes.get(id ?? '');
    if (!c) throw new StripeError(404, 'invalid_request_error', `No such credit note: '${id}'`, 'resource_missing', 'id');
    return c;
  }

  /** Newest first; `email` filters exactly (case-sensitive, as Stripe's list does); deleted customers are left out. */
  #listCustomers(query: URLSearchParams): Json {
    const email = query.get('email');
    const rows = [...this.customers.values()].reverse().filter((c) => !c.deleted && (email === null || c.email === email));
    return this.#page(
      rows.map((c) => this.#customerJson(c)),
      query,
      '/v1/customers',
    );
  }

  #listCreditNotes(query: URLSearchParams): Json {
    const invoice = query.get('invoice');
    const customer = query.get('customer');
    const rows = [...this.creditNotes.values()]
      .reverse()
      .filter((c) => (invoice === null || c.invoice === invoice) && (customer === null || c.customer === customer));
    return this.#page(
      rows.map((c) => this.#creditNoteJson(c)),
      query,
      '/v1/credit_notes',
    );
  }

  #creditNoteJson(c: CreditNote): Json {
    return {
      id: c.id,
      object: 'credit_note',
      amount: c.amount,
      amount_shipping: 0,
      created: c.created,
      currency: c.currency,
      customer: c.customer,
      customer_balance_transaction: null,
      discount_amount: 0,
      discount_amounts: [],
      effective_at: c.created,
      invoice: c.invoice,
      lines: {
        object: 'list',
        data: [
          {
            id: `cnli_${c.id.slice(3)}`,
            object: 'credit_note_line_item',
            amount: c.amount,
            description: c.memo ?? 'Credit',
            quantity: 1,
            type: 'custom_line_item',
            livemode: false,
          },
        ],
        has_more: false,
        url: `/v1/credit_notes/${c.id}/lines`,
      },
      livemode: false,
      memo: c.memo,
      metadata: c.metadata,
      number: c.number,
      out_of_band_amount: null,
      pdf: `${this.#publicUrl}/cn/${c.id}/pdf`,
      post_payment_amount: 0,
      pre_payment_amount: c.amount,
      pretax_credit_amounts: [],
      reason: c.reason,
      refunds: [],
      shipping_cost: null,
      status: 'issued',
      subtotal: c.amount,
      subtotal_excluding_tax: c.amount,
      total: c.amount,
      total_excluding_tax: c.amount,
      total_taxes: [],
      type: 'pre_payment',
      voided_at: null,
    };
  }

  #lines(invoice: Invoice): InvoiceItem[] {
    return [...this.items.values()].filter((i) => i.invoice === invoice.id);
  }

  #totals(invoice: Invoice): { subtotal: number; tax: number; total: number } {
    let subtotal = 0;
    let tax = 0;
    for (const item of this.#lines(invoice)) {
      subtotal += item.amount;
      for (const id of item.tax_rates) tax += Math.round((item.amount * (this.taxRates.get(id)?.percentage ?? 0)) / 100);
    }
    return { subtotal, tax, total: subtotal + tax };
  }

  #invoiceJson(invoice: Invoice, expand: string[] = []): Json {
    const { subtotal, tax, total } = this.#totals(invoice);
    const customer = this.customers.get(invoice.customer);
    const lines = this.#lines(invoice).map((item) => ({
      id: `il_${item.id.slice(3)}`,
      object: 'line_item',
      amount: item.amount,
      currency: item.currency,
      description: item.description,
      invoice: invoice.id,
      metadata: item.metadata,
      quantity: 1,
      taxes: item.tax_rates.map((t) => ({
        amount: Math.round((item.amount * (this.taxRates.get(t)?.percentage ?? 0)) / 100),
        tax_behavior: 'exclusive',
        type: 'tax_rate_details',
        tax_rate_details: { tax_rate: t },
      })),
    }));
    const finalized = invoice.status !== 'draft';
    const due = total - invoice.pre_payment_credit_notes_amount;
    const payments = [...this.payments.values()].filter((p) => p.invoice === invoice.id);
    return {
      id: invoice.id,
      object: 'invoice',
      account_country: 'US',
      account_name: this.#accountName,
      amount_due: due,
      amount_overpaid: 0,
      amount_paid: invoice.amount_paid,
      amount_remaining: invoice.status === 'void' || invoice.carried_to_balance ? 0 : due - invoice.amount_paid,
      amount_shipping: 0,
      attempt_count: invoice.attempt_count,
      attempted: invoice.attempt_count > 0,
      auto_advance: invoice.auto_advance,
      collection_method: invoice.collection_method,
      created: invoice.created,
      currency: invoice.currency,
      custom_fields: invoice.custom_fields,
      customer: invoice.customer,
      customer_email: customer?.email ?? null,
      customer_name: customer?.name ?? null,
      description: invoice.description,
      due_date: invoice.due_date,
      footer: invoice.footer,
      hosted_invoice_url: finalized ? `${this.#publicUrl}/i/${invoice.id}` : null,
      invoice_pdf: finalized ? `${this.#publicUrl}/i/${invoice.id}/pdf` : null,
      livemode: false,
      metadata: invoice.metadata,
      number: invoice.number,
      // Deprecated by Stripe in favour of amount_paid_off_stripe, still answered.
      paid_out_of_band: invoice.paid_out_of_band,
      post_payment_credit_notes_amount: 0,
      pre_payment_credit_notes_amount: invoice.pre_payment_credit_notes_amount,
      status: invoice.status,
      subtotal,
      subtotal_excluding_tax: subtotal,
      total,
      total_excluding_tax: subtotal,
      total_taxes: tax > 0 ? [{ amount: tax, tax_behavior: 'exclusive', type: 'tax_rate_details' }] : [],
      lines: { object: 'list', data: lines, has_more: false, total_count: lines.length, url: `/v1/invoices/${invoice.id}/lines` },
      status_transitions: {
        finalized_at: invoice.finalized_at,
        paid_at: invoice.paid_at,
        voided_at: invoice.voided_at,
        marked_uncollectible_at: invoice.uncollectible_at,
      },
      ...(expand.includes('payments')
        ? { payments: { object: 'list', data: payments.map((p) => this.#paymentJson(p)), has_more: false, url: '/v1/invoice_payments' } }
        : {}),
      // An includable property: only there when asked for, as in Stripe.
      ...(expand.includes('amount_paid_off_stripe')
        ? { amount_paid_off_stripe: payments.filter((p) => p.type === 'payment_record').reduce((n, p) => n + p.amount, 0) }
        : {}),
    };
  }

  #listInvoices(query: URLSearchParams): Json {
    const customer = query.get('customer');
    const status = query.get('status');
    const rows = [...this.invoices.values()]
      .filter((i) => (customer === null || i.customer === customer) && (status === null || i.status === status))
      .sort((a, b) => b.created - a.created || (b.id < a.id ? -1 : 1));
    return this.#page(
      rows.map((i) => this.#invoiceJson(i)),
      query,
      '/v1/invoices',
    );
  }

  #listEvents(query: URLSearchParams): Json {
    const types = [...query.getAll('types[]'), ...[...query.keys()].filter((k) => /^types\[\d+\]$/.test(k)).map((k) => query.get(k) ?? '')];
    if (types.length > 20) throw new StripeError(400, 'invalid_request_error', 'You may pass at most 20 event types.', 'parameter_invalid', 'types');
    const type = query.get('type');
    const bound = (op: string): number | null => (query.has(`created[${op}]`) ? Number(query.get(`created[${op}]`)) : null);
    const gt = bound('gt');
    const gte = bound('gte');
    const lt = bound('lt');
    const lte = bound('lte');
    const thirtyDaysAgo = this.#now() - 30 * 86_400;
    const rows = [...this.events]
      .reverse()
      .filter(
        (e) =>
          e.created >= thirtyDaysAgo &&
          (types.length === 0 || types.includes(e.type)) &&
          (type === null || e.type === type) &&
          (gt === null || e.created > gt) &&
          (gte === null || e.created >= gte) &&
          (lt === null || e.created < lt) &&
          (lte === null || e.created <= lte),
      );
    return this.#page(
      rows.map((e) => this.#eventJson(e)),
      query,
      '/v1/events',
    );
  }

  #page(rows: Json[], query: URLSearchParams, url: string): Json {
    const limit = query.has('limit') ? Number(query.get('limit')) : 10;
    if (!Number.isInteger(limit) || limit < 1 || limit > 100)
      throw new StripeError(400, 'invalid_request_error', 'Invalid integer: limit must be between 1 and 100', 'parameter_invalid_integer', 'limit');
    const after = query.get('starting_after');
    const start = after === null ? 0 : rows.findIndex((r) => r.id === after) + 1;
    if (after !== null && start === 0)
      throw new StripeError(400, 'invalid_request_error', `Invalid starting_after: no object ${after} in this list.`, 'resource_missing', 'starting_after');
    const data = rows.slice(start, start + limit);
    return { object: 'list', data, has_more: start + limit < rows.length, url };
  }

  #list(data: Json[], url: string): Json {
    return { object: 'list', data, has_more: false, url };
  }

  #eventJson(e: StoredEvent): Json {
    return {
      id: e.id,
      object: 'event',
      api_version: EVENT_API_VERSION,
      created: e.created,
      data: { object: e.object },
      livemode: false,
      pending_webhooks: this.#webhooks.length,
      request: { id: null, idempotency_key: e.requestKey },
      type: e.type,
    };
  }

  #emit(type: string, object: Json, requestKey: string | null): void {
    const event: StoredEvent = { id: newId('evt'), type, created: this.#now(), object: structuredClone(object), requestKey };
    this.events.push(event);
    void this.#deliver(event);
  }

  async #deliver(event: StoredEvent): Promise<void> {
    const payload = JSON.stringify(this.#eventJson(event));
    for (const hook of this.#webhooks) {
      const header = Stripe.webhooks.generateTestHeaderString({ payload, secret: hook.secret, timestamp: this.#now() });
      await fetch(hook.url, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': header }, body: payload })
        .then((r) => r.body?.cancel())
        .catch(() => undefined);
    }
  }

  #hostedPage(id: string): EmulatorResponse {
    const invoice = this.invoices.get(id);
    if (!invoice || invoice.status === 'draft') return { status: 404, body: null, text: '<h1>Invoice not found</h1>' };
    const { total } = this.#totals(invoice);
    const due = this.#remaining(invoice);
    const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
    const amount = (minor: number) => formatMoney({ minor, currency: invoice.currency.toUpperCase() });
    const button = invoice.status === 'open' ? `<form method="post" action="/i/${esc(id)}/pay"><button>Pay ${amount(due)}</button></form>` : '';
    return {
      status: 200,
      body: null,
      text: `<!doctype html><title>Invoice ${esc(invoice.number ?? id)}</title><h1>${esc(this.#accountName)}</h1><p>Invoice ${esc(invoice.number ?? '')}: ${amount(total)}, ${esc(invoice.status)}</p><p>${esc(invoice.description ?? '')}</p>${button}<p><small>Emulated hosted invoice page</small></p>`,
    };
  }
}

function ok(body: Json): EmulatorResponse {
  return { status: 200, body };
}

function stripeError(e: StripeError): EmulatorResponse {
  return {
    status: e.status,
    body: {
      error: {
        type: e.type,
        message: e.message,
        ...(e.code ? { code: e.code } : {}),
        ...(e.param ? { param: e.param } : {}),
        request_log_url: 'https://dashboard.stripe.com/test/logs',
      },
    },
    headers: { 'request-id': `req_${randomUUID().slice(0, 14)}` },
  };
}

function newId(prefix: string): string {
  return `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 24)}`;
}

/** Decodes Stripe's form encoding (`a[b][0][c]=x`) into nested objects and arrays, refusing unknown top-level parameters. */
function form(q: EmulatorRequest, allowed: string[]): Json {
  const ct = q.headers['content-type'] ?? '';
  if (q.rawBody !== '' && !ct.includes('application/x-www-form-urlencoded'))
    throw new StripeError(400, 'invalid_request_error', 'Stripe expects application/x-www-form-urlencoded request bodies.');
  const root: Json = {};
  for (const [key, value] of new URLSearchParams(q.rawBody)) {
    const path = key.replace(/\]/g, '').split('[');
    const top = path[0] ?? '';
    if (!allowed.includes(top)) throw new StripeError(400, 'invalid_request_error', `Received unknown parameter: ${top}`, 'parameter_unknown', top);
    let node: Json | unknown[] = root;
    path.forEach((segment, i) => {
      const last = i === path.length - 1;
      const nextIsIndex = /^\d*$/.test(path[i + 1] ?? 'x');
      const container = node as Record<string, unknown>;
      const slot = segment === '' ? String((node as unknown[]).length) : segment;
      if (last) {
        container[slot] = value;
        return;
      }
      container[slot] ??= nextIsIndex ? [] : {};
      node = container[slot] as Json;
    });
  }
  return root;
}

/** Stripe's amount forms: ISK and UGX in whole units written with two decimals, three-decimal currencies ending in 0. */
function checkAmountForm(amount: number, currency: string): void {
  const code = currency.toUpperCase();
  const step = stripeExponent(code) === 2 && currencyExponent(code) === 0 ? 100 : stripeExponent(code) === 3 ? 10 : 1;
  if (amount % step !== 0) {
    throw new StripeError(
      400,
      'invalid_request_error',
      `Invalid amount for ${code}: it must be evenly divisible by ${step}.`,
      'invalid_charge_amount',
      'amount',
    );
  }
}

function canonicalForm(raw: string): string {
  return [...new URLSearchParams(raw)]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

function requiredString(p: Json, name: string, max: number): string {
  const v = p[name];
  if (typeof v !== 'string' || v === '') throw new StripeError(400, 'invalid_request_error', `Missing required param: ${name}.`, 'parameter_missing', name);
  if (v.length > max) throw new StripeError(400, 'invalid_request_error', `Invalid string: ${name} must be at most ${max} characters`, 'string_too_long', name);
  return v;
}

function optionalString(p: Json, name: string, max: number): string | null {
  const v = p[name];
  if (v === undefined || v === '') return null;
  if (typeof v !== 'string') throw new StripeError(400, 'invalid_request_error', `Invalid string: ${name}`, 'parameter_invalid', name);
  if (v.length > max) throw new StripeError(400, 'invalid_request_error', `Invalid string: ${name} must be at most ${max} characters`, 'string_too_long', name);
  return v;
}

function integer(p: Json, name: string, min: number, max: number): number {
  const v = Number(p[name]);
  if (p[name] === undefined || !Number.isInteger(v))
    throw new StripeError(400, 'invalid_request_error', `Invalid integer: ${String(p[name])}`, 'parameter_invalid_integer', name);
  if (v < min || v > max)
    throw new StripeError(400, 'invalid_request_error', `Invalid integer: ${name} must be between ${min} and ${max}`, 'parameter_invalid_integer', name);
  return v;
}

function metadata(p: Json): Record<string, string> {
  const m = p.metadata;
  if (m === undefined || m === '') return {};
  if (typeof m !== 'object' || m === null || Array.isArray(m))
    throw new StripeError(400, 'invalid_request_error', 'Invalid object: metadata', 'parameter_invalid', 'metadata');
  const entries = Object.entries(m as Json);
  if (entries.length > 50) throw new StripeError(400, 'invalid_request_error', 'Metadata can have at most 50 keys.', 'parameter_invalid', 'metadata');
  for (const [k, v] of entries) {
    if (k.length > 40 || String(v).length > 500)
      throw new StripeError(400, 'invalid_request_error', 'Metadata keys are at most 40 characters and values at most 500.', 'parameter_invalid', 'metadata');
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, String(v)]));
}

function customFields(v: unknown): { name: string; value: string }[] | null {
  if (v === undefined || v === '') return null;
  if (!Array.isArray(v)) throw new StripeError(400, 'invalid_request_error', 'Invalid array: custom_fields', 'parameter_invalid', 'custom_fields');
  if (v.length > 4) throw new StripeError(400, 'invalid_request_error', 'custom_fields can have at most 4 entries.', 'parameter_invalid', 'custom_fields');
  return v.map((f: Json, i) => {
    const name = String(f?.name ?? '');
    const value = String(f?.value ?? '');
    if (name === '' || name.length > 40)
      throw new StripeError(
        400,
        'invalid_request_error',
        `custom_fields[${i}][name] must be 1 to 40 characters.`,
        'parameter_invalid',
        `custom_fields[${i}][name]`,
      );
    if (value === '' || value.length > 140)
      throw new StripeError(
        400,
        'invalid_request_error',
        `custom_fields[${i}][value] must be 1 to 140 characters.`,
        'parameter_invalid',
        `custom_fields[${i}][value]`,
      );
    return { name, value };
  });
}

const CREDIT_NOTE_REASONS = ['duplicate', 'fraudulent', 'order_change', 'product_unsatisfactory'];

/** Stripe's update rule for metadata: keys merge, an empty value removes its key, an empty `metadata` clears them all. */
function mergeMetadata(current: Record<string, string>, p: Json): Record<string, string> {
  if (p.metadata === '') return {};
  const merged = { ...current };
  for (const [k, v] of Object.entries(metadata(p))) {
    if (v === '') delete merged[k];
    else merged[k] = v;
  }
  if (Object.keys(merged).length > 50)
    throw new StripeError(400, 'invalid_request_error', 'Metadata can have at most 50 keys.', 'parameter_invalid', 'metadata');
  return merged;
}

/** `expand[]` / `expand[0]`… from a query string, or the decoded `expand` array of a form body. */
function expandOf(source: URLSearchParams | Json): string[] {
  if (source instanceof URLSearchParams) return [...source.entries()].filter(([k]) => /^expand\[\d*\]$/.test(k)).map(([, v]) => v);
  return Array.isArray(source.expand) ? source.expand.map(String) : [];
}
