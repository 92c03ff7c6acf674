/**
 * The trigger rules that decide whether a milestone may be billed: acceptance, scope integrity and
 * completeness. Each failure says what is wrong and what the founder should do about it.
 */
import { isStage, type Client, type Milestone } from './milestone.js';
import { normalizeCurrency, toMinorUnits, type Money } from './money.js';

export type BillingPolicy = {
  defaultCurrency: string;
  defaultPaymentTermsDays: number;
  /** 0 turns auto-send off. */
  autoSendAfterMinutes: number;
  acceptanceSlaHours: number;
  timeZone: string;
};

export type RuleId = 'acceptance' | 'scope' | 'completeness';

export type BlockerCode =
  | 'acceptance_pending'
  | 'acceptance_evidence_missing'
  | 'acceptance_evidence_invalid'
  | 'change_order_pending'
  | 'client_missing'
  | 'billing_email_missing'
  | 'billing_email_invalid'
  | 'po_missing'
  | 'po_too_long'
  | 'tax_id_invalid'
  | 'tax_rate_invalid'
  | 'title_missing'
  | 'title_too_long'
  | 'stage_unknown'
  | 'amount_missing'
  | 'amount_not_positive'
  | 'amount_too_precise'
  | 'amount_too_large'
  | 'currency_unknown';

export type Blocker = { readonly rule: RuleId; readonly code: BlockerCode; readonly message: string; readonly fix: string };

export type BillingCheck = {
  readonly blockers: readonly Blocker[];
  readonly money: Money | null;
  readonly currency: string;
  readonly paymentTermsDays: number;
};

/** Longest milestone title that still reads as one invoice line. */
export const MAX_TITLE_LENGTH = 300;
/** Stripe custom field values hold 140 characters. */
export const MAX_PO_LENGTH = 140;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const TAX_ID = /^[A-Za-z0-9][A-Za-z0-9 .\-/]{2,39}$/;

export function resolveCurrency(milestone: Milestone, client: Client | null, policy: BillingPolicy): string {
  const chosen = milestone.currency ?? client?.currency ?? policy.defaultCurrency;
  return normalizeCurrency(chosen);
}

export function evaluateBillingRules(milestone: Milestone, client: Client | null, policy: BillingPolicy): BillingCheck {
  const currency = resolveCurrency(milestone, client, policy);
  const amount = toMinorUnits(milestone.amount, currency);
  const blockers = [
    ...acceptanceRule(milestone),
    ...scopeRule(milestone),
    ...completenessRule(milestone, client),
    ...(amount.ok ? [] : [{ rule: 'completeness', ...amount.problem } satisfies Blocker]),
  ];
  return {
    blockers,
    money: amount.ok ? amount.money : null,
    currency,
    paymentTermsDays: client?.paymentTermsDays ?? policy.defaultPaymentTermsDays,
  };
}

function acceptanceRule(m: Milestone): Blocker[] {
  if (!isStage(m.stage)) {
    return [blocker('acceptance', 'stage_unknown', `Stage "${m.stage ?? ''}" is not one Cashin knows.`,
      'Set Stage to Planned, In progress, Delivered or Accepted.')];
  }
  if (m.stage !== 'Accepted') {
    return [blocker('acceptance', 'acceptance_pending', 'The client has not accepted this milestone yet.',
      'Click "Client accepted" once they confirm, or send them the acceptance request.')];
  }
  if (!m.acceptanceEvidence) {
    return [blocker('acceptance', 'acceptance_evidence_missing', 'No acceptance evidence is linked.',
      "Paste a link to the client's confirmation (email, message, signed document) into Acceptance evidence.")];
  }
  if (!isWebLink(m.acceptanceEvidence)) {
    return [blocker('acceptance', 'acceptance_evidence_invalid', 'Acceptance evidence is not a web link.',
      'Use a full http(s) link to the confirmation.')];
  }
  return [];
}

function scopeRule(m: Milestone): Blocker[] {
  if (!m.changeOrderRequired) return [];
  return [blocker('scope', 'change_order_pending', 'A change order is pending: the scope changed without approval.',
    'Draft the change order, get it approved, then clear "Change order required".')];
}

function completenessRule(m: Milestone, client: Client | null): Blocker[] {
  const found: Blocker[] = [];
  const title = m.title.trim();
  if (title === '') {
    found.push(blocker('completeness', 'title_missing', 'The milestone has no title.', 'Name the deliverable in Milestone.'));
  } else if (title.length > MAX_TITLE_LENGTH) {
    found.push(blocker('completeness', 'title_too_long',
      `The title is ${title.length.toLocaleString('en-US')} characters; an invoice line holds ${MAX_TITLE_LENGTH}.`,
      'Shorten Milestone and move the detail to Delivery evidence.'));
  }
  if (m.poNumber.length > MAX_PO_LENGTH) {
    found.push(blocker('completeness', 'po_too_long', `PO number is longer than ${MAX_PO_LENGTH} characters.`,
      'Check PO number: paste only the purchase order reference.'));
  }
  if (client === null) {
    found.push(blocker('completeness', 'client_missing', 'No client is linked, so there is nobody to bill.',
      'Pick the client in the Client column.'));
    return found;
  }
  if (!client.billingEmail) {
    found.push(blocker('completeness', 'billing_email_missing', `${client.name} has no billing email.`,
      'Add it with "Edit billing details" or in the Clients table.'));
  } else if (!EMAIL.test(client.billingEmail)) {
    found.push(blocker('completeness', 'billing_email_invalid', `Billing email "${client.billingEmail}" is not an email address.`,
      'Correct it with "Edit billing details" or in the Clients table.'));
  }
  if (client.poRequired && m.poNumber.trim() === '') {
    found.push(blocker('completeness', 'po_missing', `${client.name} requires a PO number on every invoice.`,
      'Ask the client for the PO and add it with "Edit billing details".'));
  }
  if (client.taxId !== '' && !TAX_ID.test(client.taxId)) {
    found.push(blocker('completeness', 'tax_id_invalid', `Tax ID "${client.taxId.slice(0, 60)}" does not look like a tax id.`,
      'Use letters, digits, spaces, dots, dashes or slashes (3 to 40 characters).'));
  }
  if (client.taxRate !== null && !isValidTaxRate(client.taxRate)) {
    found.push(blocker('completeness', 'tax_rate_invalid', `Tax rate ${client.taxRate} % is not a valid percentage.`,
      'Set Tax rate between 0 and 100 with at most 4 decimals, or leave it blank for none.'));
  }
  return found;
}

function isValidTaxRate(rate: number): boolean {
  return Number.isFinite(rate) && rate >= 0 && rate <= 100 && Math.abs(rate * 1e4 - Math.round(rate * 1e4)) < 1e-6;
}

function isWebLink(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

function blocker(rule: RuleId, code: BlockerCode, message: string, fix: string): Blocker {
  return { rule, code, message, fix };
}

/** The Blockers column: one line per failing rule, blank when clear. */
export function formatBlockers(blockers: readonly Blocker[]): string {
  return blockers.map((b) => `${b.message} → ${b.fix}`).join('\n');
}
