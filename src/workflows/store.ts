/**
 * What Cashin knows right now: the milestones and clients read from Notion, the invoices read from
 * Stripe, and for each milestone the little the bot remembers between polls. Workflows share it;
 * Slack reads it through the `Queries` it offers.
 */
import type { InvoiceProblem, MilestoneState } from '../domain/decide.js';
import type { Client, InvoiceSnapshot, Milestone } from '../domain/milestone.js';
import type { Clock } from './ports.js';
import type { ExceptionRow } from '../domain/cash-report.js';

export type Tracked = {
  milestone: Milestone;
  /** The store's sequence number when the row was last read or written on its own (not by a poll). */
  refreshedAt: number;
  /** Key of the card content last posted; null when unknown (after a restart). */
  renderedCardKey: string | null;
  /** When the bot first saw Stage = Accepted. */
  acceptedSeenAt: Date | null;
  /** The card's `channel/ts`: the row's Slack card, or one posted whose reference is not saved yet. */
  cardRef: string;
  /** The row's Invoice ID was looked up and is not an invoice Cashin may act on. */
  invoiceProblem: InvoiceProblem | null;
  /** A finalized invoice of this row that Stripe's log showed was never emailed. */
  notEmailed: string | null;
  /** Keys of thread notes known to be posted under the card. */
  notesPosted: Set<string>;
};

export type OverviewRow = {
  id: string;
  title: string;
  url: string | null;
  stage: string | null;
  invoiceStatus: string | null;
  blockerCount: number;
  clientName: string | null;
};

/** An open exception, for `/cashin exceptions`: why, since when, and who must act. */
export type { ExceptionRow };

/** What Slack may read about the ledger. */
export type Queries = {
  milestone(id: string): Milestone | undefined;
  client(id: string | null): Client | null;
  invoice(id: string | null): InvoiceSnapshot | null;
  overview(): OverviewRow[];
  exceptions(): ExceptionRow[];
};

export class MilestoneStore implements Queries {
  readonly #milestones = new Map<string, Tracked>();
  readonly #clients = new Map<string, Client>();
  /** Only invoices Cashin created (their metadata names a milestone). */
  readonly #invoices = new Map<string, InvoiceSnapshot>();
  readonly #clock: Clock;
  #sequence = 0;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** A number that grows with every row read or written on its own: a poll compares it with its start. */
  sequence(): number {
    return this.#sequence;
  }

  /**
   * Records a row a poll read, unless the row was read or written on its own since the poll began
   * (`pollStartedAt`, from sequence()): the poll's copy is older then, and would undo a send.
   */
  trackPolled(milestone: Milestone, pollStartedAt: number): Tracked | null {
    const existing = this.#milestones.get(milestone.id);
    if (existing && existing.refreshedAt > pollStartedAt) return null;
    return this.#put(milestone, existing?.refreshedAt ?? 0);
  }

  /** Records a milestone as Notion has it now, keeping what the bot remembers about it. */
  track(milestone: Milestone): Tracked {
    this.#sequence += 1;
    return this.#put(milestone, this.#sequence);
  }

  #put(milestone: Milestone, refreshedAt: number): Tracked {
    const existing = this.#milestones.get(milestone.id);
    const sameInvoice = existing?.milestone.invoice.id === milestone.invoice.id;
    const tracked: Tracked = {
      milestone,
      refreshedAt,
      renderedCardKey: existing?.renderedCardKey ?? null,
      acceptedSeenAt: milestone.stage === 'Accepted' ? (existing?.acceptedSeenAt ?? this.#clock.now()) : null,
      // A reference Notion has is the one to use; one only the bot knows stands until it is saved.
      cardRef: milestone.slackCard || existing?.cardRef || '',
      invoiceProblem: sameInvoice ? (existing?.invoiceProblem ?? null) : null,
      notEmailed: sameInvoice ? (existing?.notEmailed ?? null) : null,
      notesPosted: existing?.notesPosted ?? new Set(),
    };
    this.#milestones.set(milestone.id, tracked);
    return tracked;
  }

  /** Updates what the bot remembers about a milestone (not what Notion says). */
  remember(id: string, memory: Partial<Pick<Tracked, 'renderedCardKey' | 'cardRef' | 'invoiceProblem' | 'notEmailed'>>): void {
    const tracked = this.#milestones.get(id);
    if (tracked) Object.assign(tracked, memory);
  }

  tracked(id: string): Tracked | undefined {
    return this.#milestones.get(id);
  }

  ids(): string[] {
    return [...this.#milestones.keys()];
  }

  milestone(id: string): Milestone | undefined {
    return this.#milestones.get(id)?.milestone;
  }

  client(id: string | null): Client | null {
    return id === null ? null : (this.#clients.get(id) ?? null);
  }

  /** Every client read so far. */
  clients(): Iterable<Client> {
    return this.#clients.values();
  }

  putClient(client: Client): Client {
    this.#clients.set(client.id, client);
    return client;
  }

  invoice(id: string | null): InvoiceSnapshot | null {
    return id === null ? null : (this.#invoices.get(id) ?? null);
  }

  /** Keeps a snapshot of one of Cashin's own invoices; anything else is not cached. */
  putInvoice(invoice: InvoiceSnapshot): void {
    if (invoice.milestoneId !== null) this.#invoices.set(invoice.id, invoice);
  }

  dropInvoice(id: string): void {
    this.#invoices.delete(id);
  }

  /** Remembers that a thread note is posted, so it is not looked for again. */
  notePosted(id: string, key: string): void {
    this.#milestones.get(id)?.notesPosted.add(key);
  }

  /** Stops following a milestone (settled, or deleted in Notion, and nothing owed); its invoice goes too. */
  forget(id: string): void {
    const invoiceId = this.#milestones.get(id)?.milestone.invoice.id;
    this.#milestones.delete(id);
    if (invoiceId) this.#invoices.delete(invoiceId);
  }

  /** The milestone an invoice belongs to, from its metadata or from the row that names it. */
  milestoneOfInvoice(invoiceId: string): string | null {
    const cached = this.#invoices.get(invoiceId)?.milestoneId;
    if (cached) return cached;
    for (const t of this.#milestones.values()) if (t.milestone.invoice.id === invoiceId) return t.milestone.id;
    return null;
  }

  state(tracked: Tracked): MilestoneState {
    const { milestone } = tracked;
    return {
      milestone,
      client: this.client(milestone.clientId),
      invoice: this.invoice(milestone.invoice.id),
      invoiceProblem: tracked.invoiceProblem,
      renderedCardKey: tracked.renderedCardKey,
      acceptedSeenAt: tracked.acceptedSeenAt,
      cardRef: tracked.cardRef,
      notEmailed: tracked.notEmailed,
      notesPosted: tracked.notesPosted,
    };
  }

  /** Every open exception, oldest first. */
  exceptions(): ExceptionRow[] {
    return [...this.#milestones.values()]
      .filter(({ milestone: m }) => m.disputeReason !== null && m.invoice.id !== null)
      .map(({ milestone: m }) => {
        const invoice = this.invoice(m.invoice.id);
        const client = this.client(m.clientId);
        return {
          id: m.id,
          title: m.title,
          url: m.url,
          clientName: client?.name ?? null,
          reason: m.disputeReason ?? '',
          since: invoice?.collection.pausedSince ?? null,
          owner: client?.billingOwner || null,
          invoiceLabel: invoice?.number ?? m.invoice.number ?? m.invoice.id,
          outstanding: invoice ? { minor: invoice.amountRemaining, currency: invoice.currency } : null,
        };
      })
      .sort((a, b) => (a.since ?? '9').localeCompare(b.since ?? '9'));
  }

  /** Every milestone in the billing loop, for /cashin. */
  overview(): OverviewRow[] {
    return [...this.#milestones.values()]
      .map(({ milestone: m }) => ({
        id: m.id,
        title: m.title,
        url: m.url,
        stage: m.stage,
        invoiceStatus: m.invoice.status,
        blockerCount: m.blockers.trim() === '' ? 0 : m.blockers.trim().split('\n').length,
        clientName: this.client(m.clientId)?.name ?? null,
      }))
      .filter((row) => row.stage === 'Delivered' || row.stage === 'Accepted' || row.invoiceStatus !== null);
  }
}
