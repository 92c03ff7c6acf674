/**
 * The sync engine: polls the ledger, runs decide() for each milestone and carries out what it
 * returns, one milestone at a time. Slack clicks and Stripe events come through here too, so every
 * change to a milestone is serialised by the same per-milestone lock.
 */
import type { BillingPolicy } from '../domain/billing-rules.js';
import { decide, type Action, type MilestoneState } from '../domain/decide.js';
import type { Client, InvoiceSnapshot, Milestone } from '../domain/milestone.js';
import { formatMoney } from '../domain/money.js';
import { isoWithOffset } from '../domain/time.js';
import { DomainError, ExternalServiceError } from '../errors.js';
import type { Logger } from '../log.js';
import { KeyedLock } from './keyed-lock.js';
import type { Billing, Chat, Clock, Ledger } from './ports.js';
import { sendInvoice, type Actor } from './send-invoice.js';

export type EngineDeps = {
  ledger: Ledger;
  billing: Billing;
  chat: Chat;
  clock: Clock;
  policy: BillingPolicy;
  approverIds: readonly string[];
  logger: Logger;
};

type Tracked = { milestone: Milestone; renderedCardKey: string | null; acceptedSeenAt: Date | null; sendError: string | null };

/** decide() settles in a few rounds; more means a rule is fighting itself. */
const MAX_ROUNDS = 8;
/** Re-read Stripe events this far back: events of the same second can arrive out of order. */
const EVENT_OVERLAP_SECONDS = 60;

export type OverviewRow = { title: string; url: string | null; stage: string | null; invoiceStatus: string | null; blockerCount: number; clientName: string | null };

export type ClickResult = { ok: true; message?: string } | { ok: false; message: string };

export class Engine {
  readonly #deps: EngineDeps;
  readonly #lock = new KeyedLock();
  readonly #milestones = new Map<string, Tracked>();
  readonly #clients = new Map<string, Client>();
  readonly #invoices = new Map<string, InvoiceSnapshot>();
  readonly #seenEvents = new Set<string>();
  #eventCursor: number | null = null;
  readonly #log: Logger;

  constructor(deps: EngineDeps) {
    this.#deps = deps;
    this.#log = deps.logger.child({ component: 'engine' });
  }

  isApprover(userId: string): boolean {
    return this.#deps.approverIds.includes(userId);
  }

  milestone(id: string): Milestone | undefined {
    return this.#milestones.get(id)?.milestone;
  }

  client(id: string | null): Client | null {
    return id === null ? null : this.#clients.get(id) ?? null;
  }

  /** What the founder asks for with /cashin: every milestone that is in the billing loop. */
  overview(): OverviewRow[] {
    return [...this.#milestones.values()]
      .map(({ milestone: m }) => ({
        title: m.title, url: m.url, stage: m.stage, invoiceStatus: m.invoice.status,
        blockerCount: m.blockers.trim() === '' ? 0 : m.blockers.trim().split('\n').length,
        clientName: this.client(m.clientId)?.name ?? null,
      }))
      .filter((row) => row.stage === 'Delivered' || row.stage === 'Accepted' || row.invoiceStatus !== null);
  }

  /** One poll: read what changed in Notion, then settle every milestone that owes an action. */
  async tick(): Promise<void> {
    await this.load();
    await this.settleAll();
  }

  /** Reads what changed in Notion into memory (everything, the first time). */
  async load(): Promise<void> {
    for (const client of await this.#deps.ledger.pollClients()) this.#clients.set(client.id, client);
    for (const milestone of await this.#deps.ledger.pollMilestones()) this.#track(milestone);
  }

  /** At start: load every open invoice once from Stripe, so payments made while the bot was down are seen. */
  async reconcile(): Promise<number> {
    let count = 0;
    for (const tracked of this.#milestones.values()) {
      const { id, status } = tracked.milestone.invoice;
      if (!id || status === 'Paid' || status === 'Void' || status === 'Uncollectible') continue;
      try {
        this.#invoices.set(id, await this.#deps.billing.retrieve(id));
        count += 1;
      } catch (error) {
        this.#log.warn({ err: error, invoiceId: id }, 'could not load invoice during reconcile');
      }
    }
    return count;
  }

  /** Polls Stripe events (Socket Mode's only source of payments, HTTP mode's safety net). */
  async pollPayments(): Promise<void> {
    const now = Math.floor(this.#deps.clock.now().getTime() / 1000);
    const since = (this.#eventCursor ?? now) - EVENT_OVERLAP_SECONDS;
    const events = await this.#deps.billing.eventsSince(since);
    for (const event of events) {
      this.#eventCursor = Math.max(this.#eventCursor ?? 0, event.created);
      await this.handleStripeEvent(event);
    }
    this.#eventCursor ??= now;
  }

  /**
   * One Stripe event, from the webhook or the poll. The event only says which invoice moved; the
   * invoice itself is read again, so a stale or repeated event cannot write an old state.
   */
  async handleStripeEvent(event: { id: string; invoiceId: string | null }): Promise<void> {
    if (this.#seenEvents.has(event.id) || event.invoiceId === null) return;
    const invoice = await this.#deps.billing.retrieve(event.invoiceId);
    this.#invoices.set(invoice.id, invoice);
    const milestoneId = invoice.milestoneId ?? [...this.#milestones.values()].find((t) => t.milestone.invoice.id === invoice.id)?.milestone.id;
    if (milestoneId) {
      if (!this.#milestones.has(milestoneId)) this.#track(await this.#deps.ledger.getMilestone(milestoneId));
      await this.#lock.run(milestoneId, () => this.#settle(milestoneId));
    }
    // Only an applied event counts as seen, so a retry after a failure is not skipped.
    this.#seenEvents.add(event.id);
    if (this.#seenEvents.size > 10_000) this.#seenEvents.delete(this.#seenEvents.values().next().value ?? '');
  }

  async accept(milestoneId: string, userId: string, evidence?: string): Promise<ClickResult> {
    return this.#approverClick(milestoneId, userId, async (fresh) => {
      if (fresh.stage === 'Accepted') return { ok: true, message: 'This milestone is already accepted.' };
      if (fresh.stage !== 'Delivered') return { ok: false, message: `This milestone is "${fresh.stage ?? 'blank'}" in Notion now, not Delivered; nothing changed.` };
      const updated = await this.#deps.ledger.updateMilestone(milestoneId, {
        stage: 'Accepted',
        ...(fresh.accepted ? {} : { accepted: isoWithOffset(this.#deps.clock.now(), this.#deps.policy.timeZone) }),
        ...(evidence ? { acceptanceEvidence: evidence } : {}),
      });
      this.#track(updated);
      await this.#deps.ledger.comment(milestoneId, `Cashin: marked accepted in Slack by ${userId}.`);
      await this.#settle(milestoneId);
      return { ok: true };
    });
  }

  async send(milestoneId: string, userId: string): Promise<ClickResult> {
    // A second click queues behind the first and then finds the invoice already sent.
    return this.#approverClick(milestoneId, userId, async (fresh, tracked) => {
      tracked.sendError = null;
      const client = await this.#freshClient(fresh.clientId);
      try {
        await this.#send(tracked, client, { kind: 'user', userId });
        return { ok: true };
      } catch (error) {
        if (error instanceof DomainError && error.code === 'already_sent') return { ok: true, message: error.message };
        return { ok: false, message: await this.#recordSendFailure(milestoneId, error) };
      } finally {
        await this.#settle(milestoneId);
      }
    });
  }

  /** Saves billing details typed in Slack: email and tax id on the client, PO on the milestone. */
  async editBillingDetails(milestoneId: string, userId: string, input: { billingEmail: string; poNumber: string; taxId: string }): Promise<ClickResult> {
    return this.#approverClick(milestoneId, userId, async (fresh) => {
      if (fresh.poNumber !== input.poNumber) this.#track(await this.#deps.ledger.updateMilestone(milestoneId, { poNumber: input.poNumber }));
      const client = await this.#freshClient(fresh.clientId);
      const clientChanged = client !== null && ((client.billingEmail ?? '') !== input.billingEmail || client.taxId !== input.taxId);
      if (client && clientChanged) {
        this.#clients.set(client.id, await this.#deps.ledger.updateClient(client.id, { billingEmail: input.billingEmail || null, taxId: input.taxId }));
      }
      await this.#deps.ledger.comment(milestoneId, `Cashin: billing details edited in Slack by ${userId}.`);
      const tracked = this.#milestones.get(milestoneId);
      if (tracked) tracked.sendError = null;
      await this.#settle(milestoneId);
      return { ok: true };
    });
  }

  /** Drafts the change order as a new Planned milestone for the founder to price. */
  async draftChangeOrder(milestoneId: string, userId: string): Promise<ClickResult> {
    return this.#approverClick(milestoneId, userId, async (original) => {
      const draft = await this.#deps.ledger.createMilestone({
        title: `Change order for: ${original.title.trim().slice(0, 200)}`,
        clientId: original.clientId,
        project: original.project,
        scopeVersion: nextScopeVersion(original.scopeVersion),
        stage: 'Planned',
        currency: original.currency,
      });
      await this.#deps.ledger.comment(milestoneId, `Cashin: change order drafted by ${userId} as a new milestone (scope ${nextScopeVersion(original.scopeVersion)}). Price it, get it approved, then clear "Change order required" here.`);
      return { ok: true, message: `Drafted "${draft.title}" in Notion (Stage Planned, scope ${nextScopeVersion(original.scopeVersion)}): ${draft.url ?? ''}\nPrice it there, get it approved, then clear "Change order required" on the original.` };
    });
  }

  /**
   * Every founder action goes the same way: strangers are refused, the milestone's lock is taken,
   * and the action starts from the row as Notion has it now, not as the last poll saw it.
   */
  async #approverClick(milestoneId: string, userId: string, action: (fresh: Milestone, tracked: Tracked) => Promise<ClickResult>): Promise<ClickResult> {
    if (!this.isApprover(userId)) return refusal();
    return this.#lock.run(milestoneId, async () => {
      const fresh = await this.#deps.ledger.getMilestone(milestoneId);
      return action(fresh, this.#track(fresh));
    });
  }

  #track(milestone: Milestone): Tracked {
    const existing = this.#milestones.get(milestone.id);
    const acceptedSeenAt = milestone.stage === 'Accepted' ? existing?.acceptedSeenAt ?? this.#deps.clock.now() : null;
    const tracked: Tracked = { milestone, renderedCardKey: existing?.renderedCardKey ?? null, acceptedSeenAt, sendError: existing?.sendError ?? null };
    this.#milestones.set(milestone.id, tracked);
    return tracked;
  }

  async #freshClient(id: string | null): Promise<Client | null> {
    if (id === null) return null;
    const client = await this.#deps.ledger.getClient(id);
    this.#clients.set(id, client);
    return client;
  }

  #state(t: Tracked): MilestoneState {
    const invoiceId = t.milestone.invoice.id;
    return {
      milestone: t.milestone,
      client: this.client(t.milestone.clientId),
      invoice: invoiceId ? this.#invoices.get(invoiceId) ?? null : null,
      renderedCardKey: t.renderedCardKey,
      acceptedSeenAt: t.acceptedSeenAt,
      sendError: t.sendError,
    };
  }

  async settleAll(): Promise<void> {
    const now = this.#deps.clock.now();
    for (const [id, tracked] of this.#milestones) {
      if (decide(this.#state(tracked), now, this.#deps.policy).length === 0) continue;
      try {
        await this.#lock.run(id, () => this.#settle(id));
      } catch (error) {
        this.#log.error({ err: error, milestoneId: id }, 'could not settle milestone; will retry next poll');
      }
    }
  }

  /** Applies decide()'s actions until it has nothing more to say. Callers hold the milestone's lock. */
  async #settle(id: string): Promise<void> {
    for (let round = 0; round < MAX_ROUNDS; round += 1) {
      const tracked = this.#milestones.get(id);
      if (!tracked) return;
      const actions = decide(this.#state(tracked), this.#deps.clock.now(), this.#deps.policy);
      if (actions.length === 0) return;
      for (const action of actions) await this.#apply(tracked, action);
    }
    this.#log.error({ milestoneId: id }, 'decide did not settle');
  }

  async #apply(tracked: Tracked, action: Action): Promise<void> {
    const { ledger } = this.#deps;
    const id = tracked.milestone.id;
    switch (action.type) {
      case 'fill-completed':
        this.#track(await ledger.updateMilestone(id, { completed: action.value }));
        return;
      case 'fill-accepted':
        this.#track(await ledger.updateMilestone(id, { accepted: action.value }));
        return;
      case 'write-blockers':
        this.#track(await ledger.updateMilestone(id, { blockers: action.text }));
        return;
      case 'send-invoice':
      case 'resume-invoice': {
        const client = await this.#freshClient(tracked.milestone.clientId);
        const actor: Actor = action.type === 'send-invoice' ? { kind: 'auto' } : this.#resumeActor(tracked);
        try {
          await this.#send(tracked, client, actor);
        } catch (error) {
          if (error instanceof ExternalServiceError && error.retryable) throw error;
          await this.#recordSendFailure(id, error);
        }
        return;
      }
      case 'record-invoice':
        await this.#recordInvoice(tracked, action);
        return;
      case 'render-card': {
        const ref = await this.#deps.chat.renderCard(tracked.milestone.slackCard || null, action.view);
        if (ref !== tracked.milestone.slackCard) {
          this.#track(await ledger.updateMilestone(id, { slackCard: ref }));
          await ledger.comment(id, `Cashin: posted the ${action.view.kind === 'delivered' ? 'acceptance' : action.view.kind === 'review' ? 'invoice review' : action.view.kind} card in Slack.`);
        }
        const current = this.#milestones.get(id);
        if (current) current.renderedCardKey = action.key;
      }
    }
  }

  #resumeActor(tracked: Tracked): Actor {
    const sentBy = tracked.milestone.invoice.id ? this.#invoices.get(tracked.milestone.invoice.id)?.sentBy : null;
    return sentBy && sentBy !== 'auto' ? { kind: 'user', userId: sentBy } : { kind: 'auto' };
  }

  async #send(tracked: Tracked, client: Client | null, actor: Actor): Promise<void> {
    const { milestone, invoice } = await sendInvoice(this.#deps, tracked.milestone, client, actor);
    this.#invoices.set(invoice.id, invoice);
    const current = this.#track(milestone);
    current.sendError = null;
  }

  async #recordSendFailure(milestoneId: string, error: unknown): Promise<string> {
    const message = error instanceof DomainError || error instanceof ExternalServiceError ? error.message : 'Unexpected error while sending; see the logs.';
    this.#log.warn({ err: error, milestoneId }, 'invoice not sent');
    const tracked = this.#milestones.get(milestoneId);
    if (tracked) {
      tracked.sendError = message;
      if (!(error instanceof DomainError && error.code === 'not_billable')) {
        this.#track(await this.#deps.ledger.updateMilestone(milestoneId, { blockers: `Sending failed: ${message}` }));
      }
    }
    return message;
  }

  async #recordInvoice(tracked: Tracked, action: Extract<Action, { type: 'record-invoice' }>): Promise<void> {
    const { record, transition } = action;
    const id = tracked.milestone.id;
    this.#track(await this.#deps.ledger.updateMilestone(id, {
      invoiceStatus: record.status ?? undefined, invoiceNumber: record.number, invoiceLink: record.link,
      invoiceDue: record.due, paidOn: record.paidOn, amountPaid: record.amountPaid,
    }));
    const invoice = tracked.milestone.invoice.id ? this.#invoices.get(tracked.milestone.invoice.id) : undefined;
    if (!transition || !invoice) return;
    const money = (minor: number) => formatMoney({ minor, currency: invoice.currency });
    const label = invoice.number ?? invoice.id;
    const notes: Record<typeof transition, string> = {
      sent: `invoice ${label} is open in Stripe.`,
      partially_paid: `payment received on invoice ${label}: ${money(invoice.amountPaid)} paid, ${money(invoice.amountRemaining)} remaining.`,
      paid: `invoice ${label} paid in full (${money(invoice.amountPaid)}).`,
      overdue: `invoice ${label} is past its due date.`,
      void: `invoice ${label} was voided in Stripe.`,
      uncollectible: `invoice ${label} was marked uncollectible in Stripe.`,
    };
    await this.#deps.ledger.comment(id, `Cashin: ${notes[transition]}`);
  }
}

export const APPROVERS_ONLY = 'Only the approvers named in SLACK_APPROVER_IDS can accept milestones, edit billing details and send invoices. Nothing was changed.';

function refusal(): ClickResult {
  return { ok: false, message: APPROVERS_ONLY };
}

/** v1 → v2, 1.4 → 1.5, "Phase A" → "Phase A (2)". */
export function nextScopeVersion(current: string): string {
  const trimmed = current.trim();
  const match = /^(.*?)(\d+)$/.exec(trimmed);
  if (match) return `${match[1] ?? ''}${Number(match[2]) + 1}`;
  return trimmed === '' ? 'v2' : `${trimmed} (2)`;
}
