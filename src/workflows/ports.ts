/**
 * What the workflows need from the outside world, and nothing more. The adapters implement these;
 * tests run the real adapters against the emulators.
 */
import type { CardView } from '../domain/card-view.js';
import type { Client, InvoiceSnapshot, Milestone } from '../domain/milestone.js';
import type { NewInvoice, NewLine } from '../billing/stripe-billing.js';
import type { ClientPatch, MilestoneDraft, MilestonePatch } from '../ledger/schema.js';

export type Ledger = {
  pollMilestones(): Promise<Milestone[]>;
  pollClients(): Promise<Client[]>;
  getMilestone(id: string): Promise<Milestone>;
  getClient(id: string): Promise<Client>;
  updateMilestone(id: string, patch: MilestonePatch): Promise<Milestone>;
  updateClient(id: string, patch: ClientPatch): Promise<Client>;
  createMilestone(draft: MilestoneDraft): Promise<Milestone>;
  comment(pageId: string, text: string): Promise<void>;
};

export type Billing = {
  createCustomer(input: { clientId: string; name: string; email: string }): Promise<string>;
  syncCustomerEmail(customerId: string, email: string): Promise<void>;
  findDraft(customerId: string, milestoneId: string, scopeKey: string): Promise<InvoiceSnapshot | null>;
  createInvoice(input: NewInvoice): Promise<InvoiceSnapshot>;
  addLine(line: NewLine, milestoneId: string, scopeKey: string): Promise<void>;
  finalize(invoiceId: string, milestoneId: string, scopeKey: string): Promise<InvoiceSnapshot>;
  send(invoiceId: string, milestoneId: string, scopeKey: string): Promise<InvoiceSnapshot>;
  retrieve(invoiceId: string): Promise<InvoiceSnapshot>;
  wasSent(invoiceId: string, since: string): Promise<boolean>;
  taxRate(percentage: number): Promise<string>;
  eventsSince(createdAfter: number): Promise<{ id: string; created: number; type: string; invoiceId: string | null }[]>;
};

export type Chat = {
  /** Posts the card when `ref` is null, updates it in place otherwise; returns the card's `channel/ts`. */
  renderCard(ref: string | null, view: CardView): Promise<string>;
  /** A message only `userId` sees, in the cards' channel. */
  whisper(userId: string, text: string): Promise<void>;
};

export type Clock = { now(): Date };
