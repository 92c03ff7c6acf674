/**
 * Settling a milestone: ask decide() what is owed, carry it out, and ask again until nothing is.
 * Callers hold the milestone's lock. Anything that moves money is checked once more against a fresh
 * read of the row and the invoice just before it happens.
 */
import { audit } from '../domain/audit.js';
import { decide, type Action } from '../domain/decide.js';
import { planInvoice } from '../domain/invoice-plan.js';
import { evaluateBillingRules } from '../domain/billing-rules.js';
import { mayNeedAction } from '../domain/milestone.js';
import { DomainError, ExternalServiceError } from '../errors.js';
import type { Logger } from '../log.js';
import { Collections, type CollectionDeps } from './collections.js';
import type { KeyedLock } from './keyed-lock.js';
import { billMilestone, discardInvoice, recordSent, type Actor } from './send-invoice.js';
import type { Tracked } from './store.js';

/** What the ladder needs (the claims shared by every replica among it), and the milestones' lock. */
export type SettleDeps = CollectionDeps & { lock: KeyedLock };

/** decide() settles in a few rounds; more means a rule is fighting itself. */
const MAX_ROUNDS = 8;

export class Settler {
  readonly #deps: SettleDeps;
  readonly #log: Logger;
  readonly collections: Collections;
  /** Sends the corrected invoice of a void-and-reissue a restart interrupted (see collection-actions.ts). */
  finishReissue: (milestoneId: string) => Promise<void> = async () => {};

  constructor(deps: SettleDeps) {
    this.#deps = deps;
    this.#log = deps.logger.child({ component: 'settle' });
    this.collections = new Collections(deps);
  }

  /** Settles every milestone that owes something; one failure does not stop the others. */
  async settleAll(): Promise<void> {
    const { store, lock, clock, policy } = this.#deps;
    const now = clock.now();
    for (const id of store.ids()) {
      const tracked = store.tracked(id);
      if (!tracked || decide(store.state(tracked), now, policy).length === 0) continue;
      try {
        await lock.run(id, () => this.settle(id));
      } catch (error) {
        this.#log.error({ err: error, milestoneId: id }, 'could not settle milestone; will retry next poll');
      }
    }
  }

  /** Applies decide()'s actions until it has nothing more to say. The caller holds the lock. */
  async settle(id: string): Promise<void> {
    const { store, clock, policy, ledger } = this.#deps;
    for (let round = 0; round < MAX_ROUNDS; round += 1) {
      const tracked = store.tracked(id);
      if (!tracked) return;
      // A client not read yet (a webhook or a click before the first poll) is read now, not taken as missing.
      const clientId = tracked.milestone.clientId;
      if (clientId && !store.client(clientId)) store.putClient(await ledger.getClient(clientId));
      const actions = decide(store.state(tracked), clock.now(), policy);
      if (actions.length === 0) {
        // Settled rows are let go: the poll reads them again only if they are edited back into the loop.
        if (tracked.milestone.trashed || !mayNeedAction(tracked.milestone)) this.#stopFollowing(id);
        return;
      }
      for (const action of actions) await this.#apply(tracked, action);
    }
    this.#log.error({ milestoneId: id }, 'decide did not settle');
  }

  async #apply(tracked: Tracked, action: Action): Promise<void> {
    const { ledger, store } = this.#deps;
    const id = tracked.milestone.id;
    switch (action.type) {
      case 'fill-completed':
        store.track(await ledger.updateMilestone(id, { completed: action.value }));
        return;
      case 'fill-accepted':
        store.track(await ledger.updateMilestone(id, { accepted: action.value }));
        return;
      case 'write-blockers':
        store.track(await ledger.updateMilestone(id, { blockers: action.text }));
        return;
      case 'load-invoice':
        await this.#loadInvoice(tracked);
        return;
      case 'send-invoice':
      case 'resume-invoice':
      case 'discard-invoice':
        await this.#moneyAction(id, action);
        return;
      case 'record-invoice':
        await recordInvoice(this.#deps, tracked, action);
        return;
      case 'save-card-ref':
        store.track(await ledger.updateMilestone(id, { slackCard: action.ref }));
        return;
      case 'check-sent':
        await this.#checkSent(tracked);
        return;
      case 'render-card':
        await this.#renderCard(tracked, action);
        return;
      case 'ladder-step':
        await this.collections.step(id, action.due, action.skipped);
        return;
      case 'ladder-pause':
        await this.collections.pause(id);
        return;
      case 'ladder-resume':
        await this.collections.resume(id);
        return;
      case 'post-note':
        await this.collections.note(id, action.note);
        return;
      case 'lift-service-pause':
        await this.collections.liftServicePause(id);
        return;
      case 'finish-reissue':
        await this.finishReissue(id);
        return;
      case 'close-exception':
        await this.collections.closeException(id, action.why);
        return;
      default:
        return action satisfies never;
    }
  }

  /** A finalized invoice the row calls unsent: recorded if Stripe's log shows it was emailed. */
  async #checkSent(tracked: Tracked): Promise<void> {
    const { billing, store } = this.#deps;
    const invoice = store.invoice(tracked.milestone.invoice.id);
    if (!invoice) return;
    if (await billing.wasSent(invoice.id, invoice.created)) await recordSent(this.#deps, tracked.milestone, invoice, { kind: 'auto' });
    else store.remember(tracked.milestone.id, { notEmailed: invoice.id });
  }

  async #loadInvoice(tracked: Tracked): Promise<void> {
    const invoiceId = tracked.milestone.invoice.id;
    if (!invoiceId) return;
    const { billing, store } = this.#deps;
    const invoice = await billing.retrieve(invoiceId);
    if (invoice === null) store.remember(tracked.milestone.id, { invoiceProblem: 'missing' });
    else if (invoice.milestoneId === null) store.remember(tracked.milestone.id, { invoiceProblem: 'foreign' });
    else store.putInvoice(invoice);
  }

  /**
   * Reads the row, its client and its invoice afresh and asks decide() again: money moves only if
   * the same action is still owed on what Notion and Stripe say right now.
   */
  async #moneyAction(id: string, owed: Extract<Action, { type: 'send-invoice' | 'resume-invoice' | 'discard-invoice' }>): Promise<void> {
    const { ledger, billing, store, clock, policy } = this.#deps;
    const fresh = store.track(await ledger.getMilestone(id));
    const client = fresh.milestone.clientId ? store.putClient(await ledger.getClient(fresh.milestone.clientId)) : null;
    const invoiceId = fresh.milestone.invoice.id;
    if (invoiceId) {
      const invoice = await billing.retrieve(invoiceId);
      if (invoice) store.putInvoice(invoice);
      else {
        // Deleted in Stripe's dashboard: the row points at nothing any more.
        store.dropInvoice(invoiceId);
        store.remember(id, { invoiceProblem: 'missing' });
      }
    }
    const owedNow = decide(store.state(fresh), clock.now(), policy);
    if (fresh.milestone.trashed) {
      // A deleted row gets one try at withdrawing its unsent invoice, then is no longer followed.
      const discard = owedNow.find((a) => a.type === 'discard-invoice');
      const invoice = store.invoice(fresh.milestone.invoice.id);
      if (discard && invoice) await discardInvoice(this.#deps, fresh.milestone, invoice, discard.reason);
      this.#stopFollowing(id);
      return;
    }
    const still = owedNow.find((a) => a.type === owed.type);
    if (!still) return;
    const m = fresh.milestone;
    const invoice = store.invoice(m.invoice.id);
    try {
      if (still.type === 'discard-invoice') {
        if (invoice) await discardInvoice(this.#deps, m, invoice, still.reason);
        return;
      }
      const plan = planInvoice(m, client, evaluateBillingRules(m, client, policy));
      if (!plan || !client) return;
      const actor: Actor =
        still.type === 'resume-invoice' && invoice?.sentBy && invoice.sentBy !== 'auto' ? { kind: 'user', userId: invoice.sentBy } : { kind: 'auto' };
      await billMilestone(this.#deps, m, client, plan, invoice, actor);
    } catch (error) {
      if (error instanceof ExternalServiceError && error.retryable) throw error;
      recordSendFailure(this.#deps, id, error, this.#log);
    }
  }

  #stopFollowing(id: string): void {
    this.#deps.store.forget(id);
    this.#deps.ledger.forgetMilestone(id);
  }

  async #renderCard(tracked: Tracked, action: Extract<Action, { type: 'render-card' }>): Promise<void> {
    const { chat, ledger, store } = this.#deps;
    const id = tracked.milestone.id;
    const ref = await chat.renderCard(tracked.cardRef || null, action.view);
    const posted = ref !== tracked.cardRef;
    // Remembered before Notion is written: if that write fails, the next poll saves the reference
    // instead of posting the card again.
    store.remember(id, { cardRef: ref, renderedCardKey: action.key });
    if (!posted) return;
    store.track(await ledger.updateMilestone(id, { slackCard: ref }));
    await ledger.comment(id, audit.cardPosted(action.view.kind));
  }
}

/**
 * A send that failed for a reason only the founder can fix is kept on the row (in Blockers), so
 * nothing retries it by itself, not even after a restart, until the founder clicks Send again.
 */
export function recordSendFailure(deps: Pick<SettleDeps, 'store'>, milestoneId: string, error: unknown, log: Logger): string {
  const message = error instanceof DomainError || error instanceof ExternalServiceError ? error.message : 'Unexpected error while sending; see the logs.';
  log.warn({ err: error, milestoneId }, 'invoice not sent');
  const tracked = deps.store.tracked(milestoneId);
  if (tracked) deps.store.track({ ...tracked.milestone, sendFailure: message });
  return message;
}

async function recordInvoice(deps: SettleDeps, tracked: Tracked, action: Extract<Action, { type: 'record-invoice' }>): Promise<void> {
  const { record, transition } = action;
  const id = tracked.milestone.id;
  const invoice = deps.store.invoice(tracked.milestone.invoice.id);
  deps.store.track(
    await deps.ledger.updateMilestone(id, {
      invoiceStatus: record.status ?? undefined,
      invoiceNumber: record.number,
      invoiceLink: record.link,
      invoiceDue: record.due,
      paidOn: record.paidOn,
      amountPaid: record.amountPaid,
      ...(record.amountCredited === undefined ? {} : { amountCredited: record.amountCredited }),
    }),
  );
  if (transition && invoice) await deps.ledger.comment(id, audit.transition(invoice, transition));
}
