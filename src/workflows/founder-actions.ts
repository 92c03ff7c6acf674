/**
 * What the founder does from Slack: accept, send, edit billing details, draft a change order or an
 * acceptance request. Only approvers act; every action takes the milestone's lock and starts from
 * the row as Notion has it now, not as the last poll saw it.
 */
import { audit } from '../domain/audit.js';
import { evaluateBillingRules, formatBlockers, type BillingPolicy } from '../domain/billing-rules.js';
import { acceptanceRequest } from '../domain/client-drafts.js';
import { invoiceProblemOf } from '../domain/decide.js';
import { changedTerms, describeTerms, planInvoice } from '../domain/invoice-plan.js';
import type { Client, Milestone } from '../domain/milestone.js';
import { nextScopeVersion } from '../domain/scope-version.js';
import { truncate } from '../domain/text.js';
import { isoWithOffset } from '../domain/time.js';
import { ExternalServiceError } from '../errors.js';
import type { Logger } from '../log.js';
import type { KeyedLock } from './keyed-lock.js';
import type { Billing, Clock, Ledger } from './ports.js';
import { billMilestone } from './send-invoice.js';
import { recordSendFailure, type Settler } from './settle.js';
import type { MilestoneStore } from './store.js';

export type FounderDeps = {
  ledger: Ledger;
  billing: Billing;
  clock: Clock;
  policy: BillingPolicy;
  store: MilestoneStore;
  lock: KeyedLock;
  settler: Settler;
  approverIds: readonly string[];
  logger: Logger;
};

export type ClickResult = { ok: true; message?: string; draft?: string } | { ok: false; message: string };

export const APPROVERS_ONLY =
  'Only the approvers named in SLACK_APPROVER_IDS can accept milestones, edit billing details, send invoices and see the books. Nothing was changed.';

const refusal = (): ClickResult => ({ ok: false, message: APPROVERS_ONLY });

/**
 * Runs an approver's click on a milestone: refused for anyone else, then inside the milestone's
 * lock, starting from the row as Notion has it now.
 */
export async function approverClick(
  deps: Pick<FounderDeps, 'approverIds' | 'lock' | 'ledger' | 'store'>,
  milestoneId: string,
  userId: string,
  action: (fresh: Milestone) => Promise<ClickResult>,
): Promise<ClickResult> {
  if (!deps.approverIds.includes(userId)) return refusal();
  return deps.lock.run(milestoneId, async () => {
    const fresh = deps.store.track(await deps.ledger.getMilestone(milestoneId)).milestone;
    if (fresh.trashed) return { ok: false, message: 'This milestone was deleted from Notion; nothing was changed.' };
    return action(fresh);
  });
}

export class FounderActions {
  readonly #deps: FounderDeps;
  readonly #log: Logger;

  constructor(deps: FounderDeps) {
    this.#deps = deps;
    this.#log = deps.logger.child({ component: 'founder-actions' });
  }

  isApprover(userId: string): boolean {
    return this.#deps.approverIds.includes(userId);
  }

  async accept(milestoneId: string, userId: string, evidence?: string): Promise<ClickResult> {
    return this.#approverClick(milestoneId, userId, async (fresh) => {
      const { ledger, store, clock, policy } = this.#deps;
      if (fresh.stage === 'Accepted') return { ok: true, message: 'This milestone is already accepted.' };
      if (fresh.stage !== 'Delivered')
        return { ok: false, message: `This milestone is "${fresh.stage ?? 'blank'}" in Notion now, not Delivered; nothing changed.` };
      store.track(
        await ledger.updateMilestone(milestoneId, {
          stage: 'Accepted',
          ...(fresh.accepted ? {} : { accepted: isoWithOffset(clock.now(), policy.timeZone) }),
          ...(evidence ? { acceptanceEvidence: evidence } : {}),
        }),
      );
      await ledger.comment(milestoneId, audit.accepted(userId));
      await this.#deps.settler.settle(milestoneId);
      return { ok: true };
    });
  }

  /**
   * Send, for the terms the clicked card showed (`fingerprint`). When the row says something else
   * now, nothing is billed: the founder hears what changed and the card is drawn again.
   */
  async send(milestoneId: string, userId: string, fingerprint: string | null): Promise<ClickResult> {
    // A second click queues behind the first and then finds the invoice already sent.
    return this.#approverClick(milestoneId, userId, async (row) => {
      const { store, settler } = this.#deps;
      // A click is a new try: a failure recorded earlier no longer holds the invoice back.
      const fresh = store.track({ ...row, sendFailure: null }).milestone;
      try {
        return await this.#sendFresh(fresh, userId, fingerprint);
      } finally {
        // Brings the card up to date; a send Stripe interrupted is finished by the polls, not here.
        await settler
          .settle(milestoneId)
          .catch((error: unknown) => this.#log.warn({ err: error, milestoneId }, 'could not settle after the click; the next poll will'));
      }
    });
  }

  async #sendFresh(m: Milestone, userId: string, fingerprint: string | null): Promise<ClickResult> {
    const { billing, store, policy } = this.#deps;
    if (m.invoice.status !== null && m.invoice.status !== 'Draft') {
      return { ok: true, message: `Invoice ${m.invoice.number ?? m.invoice.id ?? ''} was already sent.` };
    }
    // Notion and Stripe are read side by side: the click waits for the slower, not the sum.
    const [client, found] = await Promise.all([this.#freshClient(m.clientId), m.invoice.id ? billing.retrieve(m.invoice.id) : null]);
    if (found) store.putInvoice(found);
    else if (m.invoice.id) store.remember(m.id, { invoiceProblem: 'missing' });
    const tracked = store.tracked(m.id);
    if (tracked && invoiceProblemOf(store.state(tracked))) {
      return {
        ok: false,
        message: `Nothing was billed: the Invoice ID in this row (${m.invoice.id ?? ''}) is not an invoice Cashin made for this milestone. Clear Invoice ID and Invoice status in Notion to bill it.`,
      };
    }
    const check = evaluateBillingRules(m, client, policy);
    const plan = planInvoice(m, client, check);
    if (!plan || !client) return { ok: false, message: `Nothing was billed. Fix these first:\n${formatBlockers(check.blockers)}` };
    if (fingerprint !== plan.fingerprint) {
      store.remember(m.id, { renderedCardKey: null });
      const changed = fingerprint ? changedTerms(fingerprint, plan.terms) : [];
      return {
        ok: false,
        message: `Nothing was billed: the ${changed.length > 0 ? changed.join(', ') : 'billing details'} changed since this card was drawn. The row now bills ${describeTerms(plan.terms)}. The card is up to date again: check it, then click Send invoice if it is right.`,
      };
    }
    const started = store.invoice(m.invoice.id);
    if (started && started.status !== 'draft' && started.status !== 'open') {
      // Paid, void or uncollectible already: it is recorded on the row, never billed again.
      return { ok: true, message: `Invoice ${started.number ?? started.id} is already ${started.status} in Stripe; Cashin recorded it on the row.` };
    }
    try {
      await billMilestone(this.#deps, m, client, plan, started, { kind: 'user', userId });
      return { ok: true };
    } catch (error) {
      if (error instanceof ExternalServiceError && error.code === 'sent_not_recorded') return { ok: true, message: error.message };
      if (error instanceof ExternalServiceError && error.retryable) {
        this.#log.warn({ err: error, milestoneId: m.id }, 'send interrupted; it resumes on the next poll');
        return {
          ok: false,
          message: `Stripe did not answer in time (${error.message}). Cashin finishes this send by itself when Stripe is back; it will not bill twice.`,
        };
      }
      return { ok: false, message: `The invoice was not sent: ${recordSendFailure(this.#deps, m.id, error, this.#log)}` };
    }
  }

  /** Saves billing details typed in Slack: email and tax id on the client, PO on the milestone. */
  async editBillingDetails(milestoneId: string, userId: string, input: { billingEmail: string; poNumber: string; taxId: string }): Promise<ClickResult> {
    return this.#approverClick(milestoneId, userId, async (fresh) => {
      const { ledger, store } = this.#deps;
      if (fresh.poNumber !== input.poNumber) store.track(await ledger.updateMilestone(milestoneId, { poNumber: input.poNumber }));
      const client = await this.#freshClient(fresh.clientId);
      const clientChanged = client !== null && ((client.billingEmail ?? '') !== input.billingEmail || client.taxId !== input.taxId);
      if (client && clientChanged) store.putClient(await ledger.updateClient(client.id, { billingEmail: input.billingEmail || null, taxId: input.taxId }));
      await ledger.comment(milestoneId, audit.billingEdited(userId));
      // Fixing the details is a new try for a send that failed on them.
      const tracked = store.tracked(milestoneId);
      if (tracked) store.track({ ...tracked.milestone, sendFailure: null });
      await this.#deps.settler.settle(milestoneId);
      return { ok: true };
    });
  }

  /** Drafts the change order as a new Planned milestone for the founder to price. */
  async draftChangeOrder(milestoneId: string, userId: string): Promise<ClickResult> {
    return this.#approverClick(milestoneId, userId, async (original) => {
      const { ledger } = this.#deps;
      const scopeVersion = nextScopeVersion(original.scopeVersion);
      const title = `Change order for: ${truncate(original.title.trim(), 200)}`;
      // A second click finds the draft the first one made.
      const existing = (await ledger.milestonesTitled(title)).find((m) => m.clientId === original.clientId && m.scopeVersion === scopeVersion && !m.trashed);
      if (existing) return { ok: true, message: `The change order is already drafted in Notion: "${existing.title}" ${existing.url ?? ''}` };
      const draft = await ledger.createMilestone({
        title,
        clientId: original.clientId,
        project: original.project,
        scopeVersion,
        stage: 'Planned',
        currency: original.currency,
      });
      await ledger.comment(milestoneId, audit.changeOrderDrafted(userId, scopeVersion));
      return {
        ok: true,
        message: `Drafted "${draft.title}" in Notion (Stage Planned, scope ${scopeVersion}): ${draft.url ?? ''}\nPrice it there, get it approved, then clear "Change order required" on the original.`,
      };
    });
  }

  /** The note asking the client to confirm acceptance, for an approver to copy. */
  acceptanceRequest(milestoneId: string, userId: string): ClickResult {
    if (!this.isApprover(userId)) return refusal();
    const { store } = this.#deps;
    const milestone = store.milestone(milestoneId);
    if (!milestone) return { ok: false, message: 'That milestone is no longer in the ledger.' };
    const client = store.client(milestone.clientId);
    return {
      ok: true,
      message: `Here is an acceptance request, ready to send to ${client?.name ?? 'the client'}:`,
      draft: acceptanceRequest(milestone, client),
    };
  }

  #approverClick(milestoneId: string, userId: string, action: (fresh: Milestone) => Promise<ClickResult>): Promise<ClickResult> {
    return approverClick(this.#deps, milestoneId, userId, action);
  }

  async #freshClient(id: string | null): Promise<Client | null> {
    if (id === null) return null;
    return this.#deps.store.putClient(await this.#deps.ledger.getClient(id));
  }
}
