/**
 * Chasing a sent invoice: the ladder's steps, the pause clock of an exception, and the notes in
 * the card's thread. decide() says what is owed; this carries it out, exactly once:
 *   - a client reminder leaves a marker on the invoice first ("this step, after that email"), so
 *     after a crash Stripe's own log tells whether the email went out;
 *   - a thread note carries its key, and is not posted when the thread already has it;
 *   - the audit comment is looked for before it is written;
 *   - the Reminder stage is written last: until then the step counts as not done.
 * Callers hold the milestone's lock, which holds within one process only. Between replicas, the
 * note and the comment are each claimed (the Claims port, atomic in Stripe) after the check that
 * they are missing and before they are written, so two replicas at the same step write them once.
 */
import type { BillingPolicy } from '../domain/billing-rules.js';
import {
  exceptionClosedNote,
  pauseLiftedNote,
  resumedNote,
  stepAudit,
  stepAuditPrefix,
  stepNote,
  type StepContext,
  type ThreadNote,
} from '../domain/collection-notes.js';
import { daysLate, dueDateOf, isOutstanding, ladderFactsOf, ladderHistory, reminderWindow } from '../domain/collection.js';
import { appendLadderLog, finalNoticeDone, isClientFacing, ladderStatus, stepsDone, type LadderStep, type ScheduledStep } from '../domain/ladder.js';
import type { InvoiceSnapshot, Milestone } from '../domain/milestone.js';
import { formatForHumans, localDate } from '../domain/time.js';
import type { Logger } from '../log.js';
import type { Billing, Chat, Clock, Ledger } from './ports.js';
import type { MilestoneStore } from './store.js';
import { Lease, type Claims } from './claims.js';

export type CollectionDeps = {
  ledger: Ledger;
  billing: Billing;
  chat: Chat;
  clock: Clock;
  policy: BillingPolicy;
  store: MilestoneStore;
  logger: Logger;
  /** Atomic first-come claims shared by every replica: a step's writes are claimed. */
  claims: Claims;
};

/** What a step came to: done now (or found done), not due, or being written by another replica right now. */
export type StepResult = 'done' | 'not-due' | 'claimed-elsewhere';

/** What a step needs, read afresh just before it happens. */
type Fresh = { milestone: Milestone; invoice: InvoiceSnapshot };

const DAY_MS = 86_400_000;

/**
 * A step's claims are taken in windows of this length: a write claims its window and the one before,
 * so two attempts less than a window apart always share a key and only one goes on. A replica that
 * died between its claim and its write holds it back for two windows at most; then the next poll
 * finishes the step (the checks before each write keep it exactly once).
 */
export const STEP_CLAIM_WINDOW_MS = 10 * 60_000;

export class Collections {
  readonly #deps: CollectionDeps;
  readonly #log: Logger;
  readonly #lease: Lease;

  constructor(deps: CollectionDeps) {
    this.#deps = deps;
    this.#log = deps.logger.child({ component: 'collections' });
    this.#lease = new Lease(deps.claims, deps.clock, STEP_CLAIM_WINDOW_MS);
  }

  /**
   * Performs a ladder step. The ladder's own steps happen only if, on what Notion and Stripe say
   * right now, the same step is still the one due; a founder's request (`by`) needs only that the
   * step is not done yet and money is still owed.
   */
  async step(milestoneId: string, wanted: ScheduledStep, skipped: readonly ScheduledStep[], by = 'the ladder'): Promise<StepResult> {
    const fresh = await this.#fresh(milestoneId);
    if (!fresh) return 'not-due';
    const { milestone: m, invoice } = fresh;
    const { store, ledger, policy, clock } = this.#deps;
    const client = m.clientId ? store.putClient(await ledger.getClient(m.clientId)) : null;
    const facts = ladderFactsOf(m, client, invoice, policy.timeZone);
    if (!facts || facts.settled || facts.disputed) return 'not-due';
    const now = clock.now();
    if (by === 'the ladder') {
      const status = ladderStatus(facts, now, reminderWindow(policy));
      if (status.state !== 'due' || status.due.step.name !== wanted.step.name) return 'not-due';
    } else if (stepsDone(facts.ladder, m.reminderStage, { facts, timeZone: policy.timeZone }) > wanted.index || m.reminderStage === wanted.step.name)
      return 'not-due';

    const step = wanted.step;
    const current = isClientFacing(step) ? await this.#emailOnce(invoice, step) : invoice;
    let servicePaused = false;
    if (step.action === 'final-notice' && client?.servicePause) {
      if (!client.servicePaused) store.putClient(await ledger.updateClient(client.id, { servicePaused: true }));
      servicePaused = true;
    }
    const dueDate = dueDateOf(m, current, policy.timeZone);
    const today = localDate(now, policy.timeZone);
    const ctx: StepContext = {
      milestone: m,
      client,
      invoice: current,
      scheduled: wanted,
      skipped,
      by,
      dueDate,
      daysLate: daysLate(dueDate, now, policy.timeZone),
      daysSinceSent: Math.max(0, Math.floor((now.getTime() - facts.sentAt.getTime()) / DAY_MS)),
      servicePaused,
      history: ladderHistory(facts, policy.timeZone, current.collection.ladderLog),
      today,
    };
    const claimKey = `step:${current.id}:${step.name}`;
    if (!(await this.#noteOnce(m, stepNote(ctx), `${claimKey}:note`))) return this.#claimedElsewhere(milestoneId, step);
    if (!(await ledger.hasComment(m.id, stepAuditPrefix(step, current)))) {
      if (!(await this.#claim(`${claimKey}:comment`))) return this.#claimedElsewhere(milestoneId, step);
      await ledger.comment(m.id, stepAudit(ctx));
    }
    // The card shows the day each step was done, and the ones skipped: kept with the invoice before
    // the stage moves on (a retry writes the same entries again).
    const log = appendLadderLog(current.collection.ladderLog, [...skipped.map((x) => [x.step.name, null] as const), [step.name, today] as const]);
    if (log !== current.collection.ladderLog) store.putInvoice(await this.#deps.billing.updateMemo(current.id, { ladderLog: log }));
    store.track(await ledger.updateMilestone(m.id, { reminderStage: step.name }));
    this.#log.info({ milestoneId, invoiceId: current.id, step: step.name, skipped: skipped.map((s) => s.step.name), by }, 'reminder step done');
    return 'done';
  }

  /**
   * Emails the invoice again for this step, unless Stripe's log shows it already did since the
   * step began (a crash between the email and the Reminder stage).
   */
  async #emailOnce(invoice: InvoiceSnapshot, step: LadderStep): Promise<InvoiceSnapshot> {
    const { billing, store } = this.#deps;
    const prefix = `${step.name}|`;
    const marker = invoice.collection.reminding;
    if (marker?.startsWith(prefix)) {
      const before = marker.slice(prefix.length);
      if (await billing.sentAfter(invoice.id, before === 'none' ? null : before)) {
        this.#log.info({ invoiceId: invoice.id, step: step.name }, 'reminder was emailed before a restart; not sending it again');
        return invoice;
      }
    } else {
      const before = await billing.lastSentEvent(invoice.id);
      store.putInvoice(await billing.updateMemo(invoice.id, { reminding: `${prefix}${before ?? 'none'}` }));
    }
    const sent = await billing.remind(invoice.id, step.name);
    store.putInvoice(sent);
    return sent;
  }

  /** Posts a step's note unless its thread has it; false when another replica claimed posting it. */
  async #noteOnce(m: Milestone, note: ThreadNote, claimKey: string): Promise<boolean> {
    const { chat, store } = this.#deps;
    const ref = store.tracked(m.id)?.cardRef || m.slackCard;
    if (!ref) return true;
    if (!(await chat.hasNote(ref, note.key))) {
      if (!(await this.#claim(claimKey))) return false;
      await chat.postNote(ref, note);
    }
    store.notePosted(m.id, note.key);
    return true;
  }

  /** Claims `key` for this replica (see STEP_CLAIM_WINDOW_MS); a write it failed is retried at the next poll. */
  #claim(key: string): Promise<boolean> {
    return this.#lease.claim(key);
  }

  #claimedElsewhere(milestoneId: string, step: LadderStep): StepResult {
    this.#log.info({ milestoneId, step: step.name }, 'another replica is writing this step; the next poll checks it');
    return 'claimed-elsewhere';
  }

  /** An exception is open: the pause clock starts, kept on the invoice so a restart knows it. */
  async pause(milestoneId: string): Promise<void> {
    const fresh = await this.#fresh(milestoneId);
    const { status } = fresh?.invoice ?? {};
    if (!fresh || fresh.milestone.disputeReason === null || (status !== 'open' && status !== 'paid') || fresh.invoice.collection.pausedSince !== null) return;
    const { billing, store, ledger, clock } = this.#deps;
    const since = clock.now().toISOString();
    // What was paid by now: a payment after this point answers a failed one (see paidAfterFailure).
    store.putInvoice(await billing.updateMemo(fresh.invoice.id, { pausedSince: since, paidAtPause: fresh.invoice.amountPaid }));
    const reason = fresh.milestone.disputeReason;
    await ledger.comment(
      milestoneId,
      isOutstanding(fresh.invoice)
        ? `Cashin: reminders paused on invoice ${label(fresh.invoice)}: exception "${reason}" is open.`
        : `Cashin: exception "${reason}" is open on invoice ${label(fresh.invoice)}, which has nothing left to collect; no reminders go out.`,
    );
  }

  /**
   * The exception is resolved: the clock stops and every later step moves by the time it ran. The
   * mark of a card dispute goes in the same write.
   */
  async resume(milestoneId: string): Promise<void> {
    const fresh = await this.#fresh(milestoneId);
    const since = fresh?.invoice.collection.pausedSince ?? null;
    if (!fresh || fresh.milestone.disputeReason !== null) return;
    const { billing, store, ledger, clock, policy } = this.#deps;
    const { milestone: m, invoice } = fresh;
    if (since === null) {
      if (invoice.collection.cardDispute !== null) store.putInvoice(await billing.updateMemo(invoice.id, { cardDispute: null }));
      return;
    }
    const pausedFor = Math.max(0, clock.now().getTime() - Date.parse(since));
    const pausedMs = invoice.collection.pausedMs + pausedFor;
    const days = Math.round(pausedFor / DAY_MS);
    const resumed: InvoiceSnapshot = { ...invoice, collection: { ...invoice.collection, pausedSince: null, pausedMs } };
    const client = store.client(m.clientId);
    const facts = ladderFactsOf(m, client, resumed, policy.timeZone);
    const status = facts ? ladderStatus(facts, clock.now(), reminderWindow(policy)) : null;
    const next =
      status?.state === 'waiting' || status?.state === 'holding'
        ? `Next: ${status.next.step.name}, ${formatForHumans(status.next.at, policy.timeZone)}.`
        : status?.state === 'due'
          ? `Next: ${status.due.step.name}, now.`
          : 'No step is left on the ladder.';
    if (isOutstanding(invoice)) await this.#note(m, resumedNote(m, invoice, since, days, next));
    store.putInvoice(await billing.updateMemo(invoice.id, { pausedSince: null, pausedMs, cardDispute: null, paidAtPause: null }));
    // Nothing owed, nothing to resume: the click that closed the exception wrote its own comment.
    if (!isOutstanding(invoice)) return;
    await ledger.comment(
      m.id,
      `Cashin: reminders resumed on invoice ${label(invoice)} after ${days} day${days === 1 ? '' : 's'} paused; later steps move by as much.`,
    );
  }

  /**
   * Clears an exception that resolved itself (a failed payment followed by a payment), and says so
   * in the card's thread first: once Dispute reason is clear, nothing would ask for the reply again.
   */
  async closeException(milestoneId: string, why: string): Promise<void> {
    const { ledger, store } = this.#deps;
    const m = store.milestone(milestoneId);
    const reason = m?.disputeReason;
    if (!m || !reason) return;
    const invoice = store.invoice(m.invoice.id);
    const note = invoice ? exceptionClosedNote(m, invoice, reason, why) : null;
    if (note && !(await this.#noteOnce(m, note, note.key))) return;
    store.track(await ledger.updateMilestone(milestoneId, { disputeReason: null }));
    await ledger.comment(milestoneId, `Cashin: exception "${reason}" closed: ${why}.`);
  }

  /** Posts a note in the card's thread, once. */
  async note(milestoneId: string, note: ThreadNote): Promise<void> {
    const m = this.#deps.store.milestone(milestoneId);
    if (m) await this.#note(m, note);
  }

  async #note(m: Milestone, note: ThreadNote): Promise<void> {
    const { chat, store } = this.#deps;
    const ref = store.tracked(m.id)?.cardRef || m.slackCard;
    if (!ref) return;
    await chat.postNote(ref, note);
    store.notePosted(m.id, note.key);
  }

  /**
   * The invoice whose final notice paused the client's service is paid. The pause is lifted unless
   * another of the client's invoices is still past its final notice.
   */
  async liftServicePause(milestoneId: string): Promise<void> {
    const { store, ledger } = this.#deps;
    const m = store.milestone(milestoneId);
    const invoice = store.invoice(m?.invoice.id ?? null);
    if (!m?.clientId || !invoice) return;
    const client = store.putClient(await ledger.getClient(m.clientId));
    const still = this.#othersPastFinalNotice(m);
    if (client.servicePaused && still.length === 0) {
      store.putClient(await ledger.updateClient(client.id, { servicePaused: false }));
      await this.#note(m, pauseLiftedNote(m, client, invoice));
      await ledger.comment(m.id, `Cashin: invoice ${label(invoice)} is paid; service pause lifted for ${client.name}.`);
      return;
    }
    if (still.length > 0) this.#log.info({ milestoneId, others: still }, 'service stays paused: other invoices are past their final notice');
    store.notePosted(milestoneId, `service-resumed:${invoice.id}`);
  }

  #othersPastFinalNotice(m: Milestone): string[] {
    const { store } = this.#deps;
    return store.ids().filter((id) => {
      const other = store.milestone(id);
      if (!other || id === m.id || other.clientId !== m.clientId) return false;
      const invoice = store.invoice(other.invoice.id);
      return invoice !== null && isOutstanding(invoice) && finalNoticeDone(other.reminderStage);
    });
  }

  /** The row and its invoice as Notion and Stripe have them now; null when the row has no invoice of Cashin's. */
  async #fresh(milestoneId: string): Promise<Fresh | null> {
    const { ledger, billing, store } = this.#deps;
    const milestone = store.track(await ledger.getMilestone(milestoneId)).milestone;
    if (!milestone.invoice.id || milestone.trashed) return null;
    const invoice = await billing.retrieve(milestone.invoice.id);
    if (!invoice || invoice.milestoneId !== milestone.id) return null;
    store.putInvoice(invoice);
    return { milestone, invoice };
  }
}

const label = (invoice: InvoiceSnapshot) => invoice.number ?? invoice.id;
