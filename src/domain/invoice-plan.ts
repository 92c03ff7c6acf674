/**
 * The invoice Cashin would send for a milestone right now: its billing terms (what the review card
 * shows and the founder approves) and the text Stripe prints. The Send button carries the terms'
 * fingerprint and the Stripe draft keeps it in its metadata, so a click or a resumed send bills
 * exactly what the founder saw, or nothing.
 */
import type { BillingCheck } from './billing-rules.js';
import type { Client, Milestone } from './milestone.js';
import { formatMoney, type Money } from './money.js';
import { buildProofPacket, proofPacketForStripe } from './proof-packet.js';
import { shortDigest, truncate, wellFormed } from './text.js';

export type BillingTerms = {
  /** Before tax. */
  readonly amount: Money;
  readonly taxRate: number | null;
  readonly tax: Money;
  readonly total: Money;
  readonly poNumber: string;
  readonly clientName: string;
  readonly billingEmail: string;
  readonly scopeVersion: string;
  readonly paymentTermsDays: number;
};

export type InvoicePlan = {
  readonly terms: BillingTerms;
  readonly fingerprint: string;
  /** Stripe's customer name holds 256 characters. */
  readonly customerName: string;
  readonly description: string;
  readonly footer: string;
  readonly lineDescription: string;
  readonly customFields: readonly { readonly name: string; readonly value: string }[];
};

/** The terms a founder approves, each with the label used to say what changed. */
const TERMS: readonly (readonly [label: string, value: (t: BillingTerms) => string])[] = [
  ['amount', (t) => String(t.amount.minor)],
  ['currency', (t) => t.amount.currency],
  ['tax rate', (t) => String(t.taxRate ?? 0)],
  ['PO number', (t) => t.poNumber],
  ['client', (t) => t.clientName],
  ['billing email', (t) => t.billingEmail.toLowerCase()],
  ['scope version', (t) => t.scopeVersion],
  ['payment terms', (t) => String(t.paymentTermsDays)],
];

export function termsFingerprint(terms: BillingTerms): string {
  return TERMS.map(([, value]) => shortDigest(value(terms))).join('.');
}

/** Which terms differ between a fingerprint shown earlier and the terms now; every label when unreadable. */
export function changedTerms(shown: string, terms: BillingTerms): string[] {
  const before = shown.split('.');
  const now = termsFingerprint(terms).split('.');
  if (before.length !== now.length) return TERMS.map(([label]) => label);
  return TERMS.flatMap(([label], i) => (before[i] === now[i] ? [] : [label]));
}

/** "USD 2,500.00 + 20 % tax = USD 3,000.00, due 14 days after sending, to ap@acme.test". */
export function describeTerms(t: BillingTerms): string {
  const tax = t.taxRate ? ` + ${t.taxRate} % tax = ${formatMoney(t.total)}` : '';
  const po = t.poNumber ? `, PO ${t.poNumber}` : '';
  return `${formatMoney(t.amount)}${tax}${po}, due ${t.paymentTermsDays} days after sending, to ${t.clientName} <${t.billingEmail}>, scope ${t.scopeVersion || 'none'}`;
}

/** The plan for a billable milestone; null while any billing rule fails. */
export function planInvoice(milestone: Milestone, client: Client | null, check: BillingCheck): InvoicePlan | null {
  if (check.blockers.length > 0 || !client || !client.billingEmail || !check.money || !check.tax || !check.total) return null;
  const terms: BillingTerms = {
    amount: check.money,
    taxRate: client.taxRate || null,
    tax: check.tax,
    total: check.total,
    poNumber: milestone.poNumber,
    clientName: client.name,
    billingEmail: client.billingEmail,
    scopeVersion: milestone.scopeVersion,
    paymentTermsDays: check.paymentTermsDays,
  };
  const text = proofPacketForStripe(buildProofPacket(milestone), milestone, milestone.acceptanceEvidence);
  const field = (name: string, value: string) => (value ? [{ name, value: truncate(wellFormed(value), 140) }] : []);
  return {
    terms,
    fingerprint: termsFingerprint(terms),
    customerName: truncate(wellFormed(client.name), 256),
    description: text.description,
    footer: text.footer,
    lineDescription: text.lineDescription,
    customFields: [...field('PO number', milestone.poNumber), ...field('Project', milestone.project), ...field('Client tax ID', client.taxId)],
  };
}
