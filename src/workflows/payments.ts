/**
 * Payment intake: Stripe events, from the webhook or from polling, turned into fresh invoice
 * snapshots and settled milestones. An event only says which invoice moved; the invoice is read
 * again inside the milestone's lock, so an event that lands while a send is finishing is applied
 * after it, on what Stripe says then.
 *
 * Each event stands alone: one that keeps failing (its invoice deleted, its page gone from Notion)
 * is retried with backoff a few times and then set aside with a warning, and the ones after it are
 * applied regardless.
 */
import type { BillingPolicy } from '../domain/billing-rules.js';
import { decide } from '../domain/decide.js';
import { disputeReasonOfCardDispute, mayNeedAction, type DisputeReason } from '../domain/milestone.js';
import { ExternalServiceError } from '../errors.js';
import type { Logger } from '../log.js';
import type { KeyedLock } from './keyed-lock.js';
import type { Billing, Clock, Ledger, StripeEventRef } from './ports.js';
import type { Settler } from './settle.js';
import type { MilestoneStore } from './store.js';

export type PaymentDeps = {
  ledger: Ledger;
  billing: Billing;
  clock: Clock;
  store: MilestoneStore;
  lock: KeyedLock;
  settler: Settler;
  policy: BillingPolicy;
  logger: Logger;
  /** Poll interval: the unit of the retry backoff. */
  intervalMs: number;
};

/** The exception a Stripe event opens on its invoice, with its reason; null for events that open none. */
function exceptionOf(event: StripeEventRef): DisputeReason | null {
  if (event.type === 'invoice.payment_failed') return 'Payment failed';
  if (event.type === 'charge.dispute.created') return disputeReasonOfCardDispute(event.disputeReason);
  return null;
}

const eventMarker = (event: StripeEventRef) => `Cashin: Stripe event ${event.id} (${event.type})`;

/** Re-read events this far back: events of the same second can arrive out of order. */
const OVERLAP_SECONDS = 60;
/** Tries before an event is set aside; the waits between them double from one poll interval. */
export const MAX_EVENT_ATTEMPTS = 5;
const SEEN_LIMIT = 10_000;

type Retry = { attempts: number; nextAt: number; created: number };

export class PaymentIntake {
  readonly #deps: PaymentDeps;
  readonly #log: Logger;
  readonly #seen = new Set<string>();
  readonly #retries = new Map<string, Retry>();
  readonly #setAside: StripeEventRef[] = [];
  #cursor: number | null = null;

  constructor(deps: PaymentDeps) {
    this.#deps = deps;
    this.#log = deps.logger.child({ component: 'payments' });
  }

  /** Events given up on, newest last, for /healthz and the logs. */
  get setAside(): readonly StripeEventRef[] {
    return this.#setAside;
  }

  /** Polls Stripe's events (Socket Mode's only source of payments, HTTP mode's safety net). */
  async poll(): Promise<void> {
    const now = Math.floor(this.#deps.clock.now().getTime() / 1000);
    const oldestRetry = Math.min(...[...this.#retries.values()].map((r) => r.created));
    const since = Math.min(this.#cursor ?? now, oldestRetry) - OVERLAP_SECONDS;
    const events = await this.#deps.billing.eventsSince(since);
    let newest = this.#cursor ?? now;
    for (const event of events) {
      newest = Math.max(newest, event.created);
      if (this.#seen.has(event.id)) continue;
      const retry = this.#retries.get(event.id);
      if (retry && retry.nextAt > this.#deps.clock.now().getTime()) continue;
      await this.#attempt(event, retry);
    }
    this.#cursor = newest;
  }

  /** One event from the webhook: applied now, or an error so Stripe delivers it again. */
  async receive(event: StripeEventRef): Promise<void> {
    if (this.#seen.has(event.id)) return;
    await this.#apply(event);
    this.#markSeen(event.id);
  }

  async #attempt(event: StripeEventRef, retry: Retry | undefined): Promise<void> {
    try {
      await this.#apply(event);
      this.#retries.delete(event.id);
      this.#markSeen(event.id);
    } catch (error) {
      const attempts = (retry?.attempts ?? 0) + 1;
      if (attempts >= MAX_EVENT_ATTEMPTS) {
        this.#log.warn(
          { err: error, eventId: event.id, type: event.type, invoiceId: event.invoiceId, attempts },
          'stripe event set aside after repeated failures',
        );
        this.#retries.delete(event.id);
        this.#setAside.push(event);
        this.#markSeen(event.id);
        return;
      }
      const waitMs = this.#deps.intervalMs * 2 ** (attempts - 1);
      this.#log.warn({ err: error, eventId: event.id, type: event.type, attempts, waitMs }, 'stripe event could not be applied; retrying later');
      this.#retries.set(event.id, { attempts, nextAt: this.#deps.clock.now().getTime() + waitMs, created: event.created });
    }
  }

  async #apply(event: StripeEventRef): Promise<void> {
    const { billing, store, lock, ledger, settler } = this.#deps;
    const invoiceId = event.invoiceId;
    if (invoiceId === null) return;
    let milestoneId = store.invoice(invoiceId)?.milestoneId ?? null;
    if (milestoneId === null) {
      const found = await billing.retrieve(invoiceId);
      if (!found) throw new ExternalServiceError('stripe_invoice_missing', `Stripe has no invoice ${invoiceId}.`, false);
      // Not one of Cashin's invoices: nothing to do, and nothing to remember.
      if (found.milestoneId === null) return;
      milestoneId = found.milestoneId;
    }
    const target = milestoneId;
    await lock.run(target, async () => {
      const invoice = await billing.retrieve(invoiceId);
      if (!invoice) throw new ExternalServiceError('stripe_invoice_missing', `Stripe has no invoice ${invoiceId}.`, false);
      store.putInvoice(invoice);
      const wasFollowed = store.tracked(target) !== undefined;
      if (!wasFollowed) store.track(await ledger.getMilestone(target));
      const reason = exceptionOf(event);
      if (reason) await this.#openException(target, invoiceId, event, reason);
      else if (event.type === 'charge.dispute.closed') await this.#note(target, event);
      if (!wasFollowed && this.#alreadyRecorded(target)) {
        // A settled row the event changes nothing for (a redelivery, say): let it go again untouched.
        store.forget(target);
        return;
      }
      await settler.settle(target);
    });
  }

  /**
   * A dispute or a failed payment opens an exception by itself: Dispute reason is written and the
   * ladder pauses. The audit comment names the event, so a late redelivery does not reopen one the
   * founder has resolved since.
   */
  async #openException(milestoneId: string, invoiceId: string, event: StripeEventRef, reason: DisputeReason): Promise<void> {
    const { ledger, store, billing } = this.#deps;
    const m = store.track(await ledger.getMilestone(milestoneId)).milestone;
    if (m.invoice.id !== invoiceId || m.disputeReason !== null) return;
    if (await ledger.hasComment(milestoneId, eventMarker(event))) return;
    if (event.type === 'charge.dispute.created') {
      // Kept on the invoice before the exception opens, so the card and its thread can tell a bank's
      // dispute (answered in Stripe's Dashboard) from one the founder opened.
      const stripeReason = event.disputeReason || 'unknown';
      const invoice = store.invoice(invoiceId);
      if (invoice?.collection.cardDispute !== stripeReason) store.putInvoice(await billing.updateMemo(invoiceId, { cardDispute: stripeReason }));
    }
    store.track(await ledger.updateMilestone(milestoneId, { disputeReason: reason }));
    await ledger.comment(milestoneId, `${eventMarker(event)} opened the exception "${reason}". ${event.detail ?? ''}`.trim());
    this.#log.info({ milestoneId, invoiceId, eventId: event.id, reason }, 'exception opened from a stripe event');
  }

  /** Whether a settled row already says everything its invoice says: only its card would be drawn again. */
  #alreadyRecorded(milestoneId: string): boolean {
    const { store, policy, clock } = this.#deps;
    const tracked = store.tracked(milestoneId);
    if (!tracked || mayNeedAction(tracked.milestone)) return false;
    return decide(store.state(tracked), clock.now(), policy).every((a) => a.type === 'render-card');
  }

  async #note(milestoneId: string, event: StripeEventRef): Promise<void> {
    const { ledger } = this.#deps;
    if (await ledger.hasComment(milestoneId, eventMarker(event))) return;
    await ledger.comment(milestoneId, `${eventMarker(event)}: ${event.detail ?? event.type}`);
  }

  #markSeen(id: string): void {
    this.#seen.add(id);
    if (this.#seen.size > SEEN_LIMIT) this.#seen.delete(this.#seen.values().next().value ?? '');
  }
}
