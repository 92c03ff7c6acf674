/**
 * What an approver does about an unpaid invoice from Slack: send the final notice now, snooze the
 * ladder, record a promise to pay, open an exception (Mark disputed), record a payment made
 * outside Stripe, and resolve an exception (resume, or void and reissue). Each click starts from
 * the row and the invoice as they are now, and only acts on the invoice its button was drawn for.
 */
import { DISPUTE_REASONS, sendFailureLine, type Client, type InvoiceSnapshot, type Milestone } from '../domain/milestone.js';
import { evaluateBillingRules, formatBlockers } from '../domain/billing-rules.js';
import { isOutstanding, ladderFactsOf } from '../domain/collection.js';
import { REISSUE_PENDING } from '../domain/decide.js';
import { describeTerms, planInvoice } from '../domain/invoice-plan.js';
import { finalNoticeOf, ladderFor, stepsDone } from '../domain/ladder.js';
import { formatMoney } from '../domain/money.js';
import { slackUser } from '../domain/text.js';
import { addDays, daysBetween, formatForHumans, localDate } from '../domain/time.js';
import { ExternalServiceError } from '../errors.js';
import type { Logger } from '../log.js';
import { approverClick, type ClickResult, type FounderDeps } from './founder-actions.js';
import { billMilestone } from './send-invoice.js';
import { recordSendFailure } from './settle.js';

/** Longest snooze, and furthest promise date, an approver can set. */
export const MAX_SNOOZE_DAYS = 60;
export const MAX_PROMISE_DAYS = 365;

export type PaidOutside = 'paid' | 'void';

type Target = { milestone: Milestone; invoice: InvoiceSnapshot; client: Client | null };

const DAY_MS = 86_400_000;

export class CollectionActions {
  readonly #deps: FounderDeps;
  readonly #log: Logger;

  constructor(deps: FounderDeps) {
    this.#deps = deps;
    this.#log = deps.logger.child({ component: 'collection-actions' });
    deps.settler.finishReissue = (id) => this.finishReissue(id).then(() => undefined);
  }

  /** The ladder's final notice (or one by hand, on ladders without one), now, whatever the hour. */
  async finalNotice(milestoneId: string, invoiceId: string | null, userId: string): Promise<ClickResult> {
    return this.#onInvoice(milestoneId, invoiceId, userId, async ({ milestone, invoice, client }) => {
      if (!isOutstanding(invoice)) return { ok: false, message: `Invoice ${label(invoice)} has nothing left to pay; no notice was sent.` };
      if (milestone.disputeReason)
        return { ok: false, message: `Invoice ${label(invoice)} has an open exception (${milestone.disputeReason}); resolve it first.` };
      const final = finalNoticeOf(ladderFor(client).ladder);
      const now = this.#deps.clock.now();
      // The steps before it that never happened are skipped: the card must not tick them as done.
      const facts = ladderFactsOf(milestone, client, invoice, this.#deps.policy.timeZone);
      const done = facts ? stepsDone(facts.ladder, milestone.reminderStage, { facts, timeZone: this.#deps.policy.timeZone }) : 0;
      const skipped = (facts?.ladder.steps ?? []).flatMap((step, index) => (index >= done && index < final.index ? [{ step, index, at: now }] : []));
      const result = await this.#deps.settler.collections.step(milestoneId, { ...final, at: now }, skipped, userId);
      await this.#settle(milestoneId);
      if (result === 'claimed-elsewhere')
        return {
          ok: true,
          message: `The final notice for invoice ${label(invoice)} is being recorded right now; the thread under the card shows it in a moment.`,
        };
      return result === 'done'
        ? { ok: true, message: `Final notice sent: Stripe emailed invoice ${label(invoice)} again. The thread under the card has the details.` }
        : { ok: true, message: `The final notice (${final.step.name}) was already sent for invoice ${label(invoice)}.` };
    });
  }

  async snooze(milestoneId: string, invoiceId: string | null, days: number, userId: string): Promise<ClickResult> {
    if (!Number.isInteger(days) || days < 1 || days > MAX_SNOOZE_DAYS) {
      return { ok: false, message: `Snooze for a whole number of days from 1 to ${MAX_SNOOZE_DAYS}; nothing changed.` };
    }
    return this.#onInvoice(milestoneId, invoiceId, userId, async ({ invoice }) => {
      if (!isOutstanding(invoice)) return { ok: false, message: `Invoice ${label(invoice)} has nothing left to pay; nothing to snooze.` };
      const { billing, store, ledger, clock, policy } = this.#deps;
      const until = new Date(clock.now().getTime() + days * DAY_MS);
      store.putInvoice(await billing.updateMemo(invoice.id, { snoozedUntil: until.toISOString() }));
      const when = formatForHumans(until, policy.timeZone);
      await ledger.comment(
        milestoneId,
        `Cashin: reminders on invoice ${label(invoice)} snoozed by ${slackUser(userId)} for ${days} day${days === 1 ? '' : 's'}, until ${when}.`,
      );
      await this.#settle(milestoneId);
      return { ok: true, message: `Reminders for invoice ${label(invoice)} wait until ${when}.` };
    });
  }

  /** Promise to pay: a date (YYYY-MM-DD) from today to a year ahead; the ladder waits until it is over. */
  async promise(milestoneId: string, invoiceId: string | null, date: string, userId: string): Promise<ClickResult> {
    const { clock, policy } = this.#deps;
    const today = localDate(clock.now(), policy.timeZone);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || daysBetween(today, date) < 0 || daysBetween(today, date) > MAX_PROMISE_DAYS) {
      return { ok: false, message: `Pick a date from today (${today}) to ${addDays(today, MAX_PROMISE_DAYS)}; nothing changed.` };
    }
    return this.#onInvoice(milestoneId, invoiceId, userId, async ({ invoice }) => {
      if (!isOutstanding(invoice)) return { ok: false, message: `Invoice ${label(invoice)} has nothing left to pay; no promise recorded.` };
      const { ledger, store } = this.#deps;
      store.track(await ledger.updateMilestone(milestoneId, { promiseToPay: date }));
      await ledger.comment(
        milestoneId,
        `Cashin: ${slackUser(userId)} recorded the client's promise to pay invoice ${label(invoice)} by ${date}; reminders wait until then.`,
      );
      await this.#settle(milestoneId);
      return { ok: true, message: `Recorded: the client promised to pay by ${date}. Reminders wait until that day is over.` };
    });
  }

  /** Opens an exception: the reason goes to Dispute reason, the ladder pauses, the status becomes Disputed. */
  async dispute(milestoneId: string, invoiceId: string | null, reason: string, note: string, userId: string): Promise<ClickResult> {
    if (!(DISPUTE_REASONS as readonly string[]).includes(reason)) {
      return { ok: false, message: `Pick one of the reasons: ${DISPUTE_REASONS.join(', ')}. Nothing changed.` };
    }
    return this.#onInvoice(milestoneId, invoiceId, userId, async ({ milestone, invoice }) => {
      if (milestone.disputeReason) return { ok: true, message: `Invoice ${label(invoice)} already has an open exception (${milestone.disputeReason}).` };
      if (invoice.status !== 'open' && invoice.status !== 'paid')
        return { ok: false, message: `Invoice ${label(invoice)} is ${invoice.status}; nothing to dispute.` };
      const { ledger, store } = this.#deps;
      store.track(await ledger.updateMilestone(milestoneId, { disputeReason: reason }));
      const why = note.trim() ? `: ${note.trim()}` : '';
      await ledger.comment(
        milestoneId,
        `Cashin: exception "${reason}" opened on invoice ${label(invoice)} by ${slackUser(userId)}${why}. Reminders are paused.`,
      );
      await this.#settle(milestoneId);
      return { ok: true, message: `Exception opened (${reason}). Reminders on invoice ${label(invoice)} are paused until you resume them or reissue it.` };
    });
  }

  /** A payment that reached the founder outside Stripe, or an invoice to cancel: paid out of band, or void. */
  async paidOutside(milestoneId: string, invoiceId: string | null, choice: PaidOutside, userId: string): Promise<ClickResult> {
    return this.#onInvoice(milestoneId, invoiceId, userId, async ({ invoice }) => {
      if (invoice.status !== 'open') return { ok: true, message: `Invoice ${label(invoice)} is already ${invoice.status} in Stripe; nothing changed.` };
      if (choice === 'void' && invoice.amountPaid > 0) {
        // Voiding would leave the client's payment on an invoice that no longer counts, and say they owe nothing.
        return {
          ok: false,
          message:
            `Nothing was voided: the client already paid ${money(invoice, invoice.amountPaid)} of invoice ${label(invoice)}. ` +
            `To cancel the remaining ${money(invoice, invoice.amountRemaining)}, issue a credit note for it in Stripe (Cashin records it and stops chasing); ` +
            'if the rest reached you another way, choose "Paid outside Stripe" instead.',
        };
      }
      const { billing, ledger, store } = this.#deps;
      const updated = choice === 'paid' ? await billing.payOutOfBand(invoice.id) : await billing.void(invoice.id);
      store.putInvoice(updated);
      await ledger.comment(
        milestoneId,
        choice === 'paid'
          ? `Cashin: invoice ${label(invoice)} marked paid outside Stripe by ${slackUser(userId)}; Stripe records it as paid out of band.`
          : `Cashin: invoice ${label(invoice)} voided by ${slackUser(userId)}; the client owes nothing on it.`,
      );
      await this.#settle(milestoneId);
      return { ok: true, message: choice === 'paid' ? `Invoice ${label(invoice)} is recorded as paid.` : `Invoice ${label(invoice)} is void.` };
    });
  }

  /**
   * Resolves the exception and lets the ladder go on, every later step moved by the pause. On an
   * invoice with nothing left to collect ("Mark resolved") it only closes the exception in Notion.
   */
  async resume(milestoneId: string, invoiceId: string | null, userId: string): Promise<ClickResult> {
    return this.#onInvoice(milestoneId, invoiceId, userId, async ({ milestone, invoice }) => {
      if (!milestone.disputeReason) return { ok: true, message: `Invoice ${label(invoice)} has no open exception.` };
      const { ledger, store } = this.#deps;
      if (!isOutstanding(invoice)) {
        const bank = invoice.collection.cardDispute !== null;
        store.track(await ledger.updateMilestone(milestoneId, { disputeReason: null }));
        await ledger.comment(
          milestoneId,
          `Cashin: exception "${milestone.disputeReason}" on invoice ${label(invoice)} marked resolved by ${slackUser(userId)}; ` +
            `the invoice is ${invoice.status} and nothing is left to collect${bank ? ". The card dispute itself is answered in Stripe's Dashboard" : ''}.`,
        );
        await this.#settle(milestoneId);
        return {
          ok: true,
          message: `Exception closed in Notion: invoice ${label(invoice)} stays ${invoice.status}, and no reminders go out.${bank ? " The bank's dispute, while it is open, is answered in the Stripe Dashboard." : ''}`,
        };
      }
      store.track(await ledger.updateMilestone(milestoneId, { disputeReason: null }));
      await ledger.comment(
        milestoneId,
        `Cashin: exception "${milestone.disputeReason}" on invoice ${label(invoice)} resolved by ${slackUser(userId)}: reminders resume.`,
      );
      await this.#settle(milestoneId);
      return { ok: true, message: `Exception resolved. ${isOutstanding(invoice) ? 'Reminders resume where they paused.' : 'Nothing is left to collect.'}` };
    });
  }

  /** What "Void and reissue" would send now, for the modal; null with the reason when it cannot. */
  reissuePreview(milestoneId: string): { fingerprint: string; terms: string } | { problem: string } {
    const { store, policy } = this.#deps;
    const m = store.milestone(milestoneId);
    if (!m) return { problem: 'That milestone is no longer in the ledger.' };
    const current = store.invoice(m.invoice.id);
    const settledPart = current ? alreadySettled(current) : null;
    if (settledPart) return { problem: settledPart };
    const client = store.client(m.clientId);
    const check = evaluateBillingRules({ ...m, invoice: { ...m.invoice, status: null } }, client, policy);
    const plan = planInvoice(m, client, check);
    if (!plan) return { problem: `Fix these in Notion first, then click again:\n${formatBlockers(check.blockers)}` };
    return { fingerprint: plan.fingerprint, terms: describeTerms(plan.terms) };
  }

  /**
   * Voids the invoice and sends a corrected one for exactly the terms the modal showed. The void
   * invoice keeps a marker until its successor is sent, so a restart in between finishes the job.
   */
  async reissue(milestoneId: string, invoiceId: string | null, fingerprint: string, userId: string): Promise<ClickResult> {
    return this.#onInvoice(milestoneId, invoiceId, userId, async ({ milestone, invoice, client }) => {
      if (invoice.status !== 'open') return { ok: false, message: `Only an open invoice can be voided; invoice ${label(invoice)} is ${invoice.status}.` };
      // Checked on the invoice as Stripe has it now (#onInvoice just read it), not as the form saw it.
      const settledPart = alreadySettled(invoice);
      if (settledPart) return { ok: false, message: settledPart };
      const preview = this.reissuePreview(milestoneId);
      if ('problem' in preview) return { ok: false, message: `Nothing was voided. ${preview.problem}` };
      if (preview.fingerprint !== fingerprint) {
        return {
          ok: false,
          message: `Nothing was voided: the row changed since the form was opened. It would now bill ${preview.terms}. Click "Void and reissue" again.`,
        };
      }
      if (!client) return { ok: false, message: 'Nothing was voided: the milestone has no client.' };
      const { billing, store, ledger } = this.#deps;
      try {
        store.putInvoice(await billing.updateMemo(invoice.id, { replacedBy: `${REISSUE_PENDING}${userId}:${fingerprint}` }));
        store.putInvoice(await billing.void(invoice.id));
      } catch (error) {
        if (!(error instanceof ExternalServiceError)) throw error;
        return this.#voidRefused(milestoneId, invoice, error);
      }
      await ledger.comment(milestoneId, `Cashin: invoice ${label(invoice)} voided by ${slackUser(userId)} to be reissued as ${preview.terms}.`);
      this.#log.info({ milestoneId, invoiceId: invoice.id, userId }, 'invoice voided for reissue');
      let result: ClickResult;
      try {
        result = await this.finishReissue(milestone.id);
      } catch (error) {
        if (!(error instanceof ExternalServiceError)) throw error;
        // Stripe did not answer: the void invoice keeps its marker, and the next poll sends the
        // successor for exactly these terms (see finishReissue).
        this.#log.warn({ err: error, milestoneId }, 'corrected invoice not sent yet; the next poll retries');
        result = {
          ok: false,
          message: `Invoice ${label(invoice)} is void, but Stripe did not answer while the corrected one was sent (${error.message}). Cashin tries again on its next poll, for exactly ${preview.terms}.`,
        };
      }
      await this.#settle(milestoneId);
      return result;
    });
  }

  /**
   * Stripe refused the void (most often: the client paid in the meantime). The invoice stays as it
   * is, its reissue marker is taken off, and a payment that settled it closes the exception.
   */
  async #voidRefused(milestoneId: string, invoice: InvoiceSnapshot, error: ExternalServiceError): Promise<ClickResult> {
    const { billing, store } = this.#deps;
    this.#log.warn({ err: error, milestoneId, invoiceId: invoice.id }, 'void for reissue refused');
    const now = await billing.retrieve(invoice.id).catch(() => null);
    if (now) store.putInvoice(now);
    if (now?.collection.replacedBy?.startsWith(REISSUE_PENDING)) {
      await billing
        .updateMemo(invoice.id, { replacedBy: null })
        .then((cleared) => store.putInvoice(cleared))
        .catch((e: unknown) => this.#log.warn({ err: e, invoiceId: invoice.id }, 'could not clear the reissue marker'));
    }
    if (now?.status === 'paid') {
      await this.#deps.settler.collections.closeException(milestoneId, `invoice ${label(now)} was paid while it was being voided for reissue`);
      await this.#settle(milestoneId);
      return { ok: false, message: `Nothing was reissued: the client paid invoice ${label(now)} just now, so it stays paid and the exception is closed.` };
    }
    await this.#settle(milestoneId);
    return {
      ok: false,
      message: `Nothing was reissued: Stripe refused to void invoice ${label(now ?? invoice)} (${error.message}). The card shows where it stands now.`,
    };
  }

  /** Sends the successor of a voided invoice marked for reissue. The caller holds the lock. */
  async finishReissue(milestoneId: string): Promise<ClickResult> {
    const { ledger, billing, store, policy } = this.#deps;
    const m = store.track(await ledger.getMilestone(milestoneId)).milestone;
    const old = m.invoice.id ? await billing.retrieve(m.invoice.id) : null;
    const marker = old?.collection.replacedBy ?? '';
    if (old?.status !== 'void' || !marker.startsWith(REISSUE_PENDING)) return { ok: true };
    const [userId = '', fingerprint = ''] = marker.slice(REISSUE_PENDING.length).split(':');
    const client = m.clientId ? store.putClient(await ledger.getClient(m.clientId)) : null;
    const fresh = { ...m, invoice: { ...m.invoice, status: null } };
    const plan = planInvoice(fresh, client, evaluateBillingRules(fresh, client, policy));
    if (!plan || !client || plan.fingerprint !== fingerprint) {
      // The row changed while Cashin was down: the founder reviews the new terms on the card first.
      // The reason goes to Blockers as a send failure, in the same write that lets go of the void
      // invoice, so neither auto-send nor a restart bills the new terms until an approver clicks Send.
      const why = `invoice ${label(old)} was voided for reissue, but the row changed before its replacement went out. Check the terms on this card`;
      store.track(
        await ledger.updateMilestone(m.id, {
          invoiceId: null,
          invoiceStatus: null,
          invoiceNumber: null,
          invoiceLink: null,
          disputeReason: null,
          reminderStage: null,
          // decide() adds any failing billing rule next to it on the next round.
          blockers: sendFailureLine(why),
        }),
      );
      store.putInvoice(await billing.updateMemo(old.id, { replacedBy: null }));
      await ledger.comment(
        m.id,
        `Cashin: invoice ${label(old)} stays void; the row changed before its replacement went out, so the review card asks for a new click.`,
      );
      return { ok: false, message: 'The row changed before the corrected invoice went out: check the review card and click Send invoice.' };
    }
    try {
      const sent = await billMilestone(this.#deps, m, client, plan, null, { kind: 'user', userId }, { replaces: old.id });
      store.putInvoice(await billing.updateMemo(old.id, { replacedBy: sent.invoice.id }));
      await ledger.comment(m.id, `Cashin: invoice ${label(sent.invoice)} replaces the voided invoice ${label(old)}.`);
      return { ok: true, message: `Invoice ${label(old)} is void, and the corrected invoice ${label(sent.invoice)} went out.` };
    } catch (error) {
      if (error instanceof ExternalServiceError && error.retryable) throw error;
      return {
        ok: false,
        message: `Invoice ${label(old)} is void, but the corrected one was not sent: ${recordSendFailure(this.#deps, m.id, error, this.#log)}`,
      };
    }
  }

  /** An approver's click on the invoice a button was drawn for; an out-of-date button changes nothing. */
  #onInvoice(milestoneId: string, invoiceId: string | null, userId: string, action: (target: Target) => Promise<ClickResult>): Promise<ClickResult> {
    return approverClick(this.#deps, milestoneId, userId, async (fresh) => {
      if (!fresh.invoice.id || (invoiceId !== null && fresh.invoice.id !== invoiceId)) {
        return { ok: false, message: 'This button belongs to an invoice the milestone no longer has; nothing changed. The card shows where it stands now.' };
      }
      const { billing, store, ledger } = this.#deps;
      const invoice = await billing.retrieve(fresh.invoice.id);
      if (!invoice || invoice.milestoneId !== fresh.id)
        return { ok: false, message: `Invoice ${fresh.invoice.id} is not one Cashin made for this milestone; nothing changed.` };
      store.putInvoice(invoice);
      const client = fresh.clientId ? store.putClient(await ledger.getClient(fresh.clientId)) : null;
      return action({ milestone: fresh, invoice, client });
    });
  }

  async #settle(milestoneId: string): Promise<void> {
    await this.#deps.settler
      .settle(milestoneId)
      .catch((error: unknown) => this.#log.warn({ err: error, milestoneId }, 'could not settle after the click; the next poll will'));
  }
}

const label = (invoice: InvoiceSnapshot) => invoice.number ?? invoice.id;
const money = (invoice: InvoiceSnapshot, minor: number) => formatMoney({ minor, currency: invoice.currency });

/**
 * Why an invoice cannot be voided and billed again: money already paid or credited on it would be
 * asked for twice, since the corrected invoice bills the row's full amount. Null when nothing was.
 */
function alreadySettled(invoice: InvoiceSnapshot): string | null {
  if (invoice.amountPaid <= 0 && invoice.credited <= 0) return null;
  const parts = [
    ...(invoice.amountPaid > 0 ? [`${money(invoice, invoice.amountPaid)} paid`] : []),
    ...(invoice.credited > 0 ? [`${money(invoice, invoice.credited)} credited`] : []),
  ];
  return (
    `Invoice ${label(invoice)} already has ${parts.join(' and ')}, and a reissue would bill the full amount again. ` +
    `Nothing is voided: to lower what is still owed, issue a credit note in Stripe (Cashin records it and chases only what remains), then click "Resume reminders".`
  );
}
