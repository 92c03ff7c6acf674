/**
 * The trigger rules that decide whether a milestone may be billed: acceptance, scope integrity and
 * completeness. Each failure says what is wrong and what the founder should do about it.
 */
import { isStage, type Client, type Milestone } from './milestone.js';
import { truncate } from './text.js';
import { formatMoney, minimumCharge, normalizeCurrency, taxOn, toMinorUnits, type Money } from './money.js';

export type BillingPolicy = {
  defaultCurrency: string;
  defaultPaymentTermsDays: number;
  /** 0 turns auto-send off. */
  autoSendAfterMinutes: number;
  acceptanceSlaHours: number;
  timeZone: string;
  /** When client-facing reminders may go out (REMINDER_HOURS, REMINDER_DAYS), in timeZone. */
  reminderHours: { fromMinute: number; toMinute: number };
  reminderDays: readonly number[];
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
  | 'amount_below_minimum'
  | 'currency_unknown'
  | 'payment_terms_invalid'
  | 'invoice_not_cashins'
  | 'invoice_not_found';

export type Blocker = { readonly rule: RuleId; readonly code: BlockerCode; readonly message: string; readonly fix: string };

export type BillingCheck = {
  readonly blockers: readonly Blocker[];
  /** The amount before tax, when it is valid. */
  readonly money: Money | null;
  /** Tax on top of `money` at the client's rate, and the total the client is asked to pay. */
  readonly tax: Money | null;
  readonly total: Money | null;
  readonly currency: string;
  readonly paymentTermsDays: number;
};

/** Longest milestone title that still reads as one invoice line. */
export const MAX_TITLE_LENGTH = 300;
/** Stripe custom field values hold 140 characters. */
export const MAX_PO_LENGTH = 140;
/** Stripe keeps a customer's email to 512 characters. */
export const MAX_EMAIL_LENGTH = 512;
/** Payment terms Cashin sends as Stripe's days_until_due: whole days, up to two years. */
export const MAX_PAYMENT_TERMS_DAYS = 730;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const TAX_ID = /^[A-Za-z0-9][A-Za-z0-9 .\-/]{2,39}$/;

export function isValidEmail(value: string): boolean {
  return EMAIL.test(value) && value.length <= MAX_EMAIL_LENGTH;
}

/** Letters, digits, spaces, dots, dashes or slashes, 3 to 40 characters. */
export function isValidTaxId(value: string): boolean {
  return TAX_ID.test(value);
}

export function resolveCurrency(milestone: Milestone, client: Client | null, policy: BillingPolicy): string {
  const chosen = milestone.currency ?? client?.currency ?? policy.defaultCurrency;
  return normalizeCurrency(chosen);
}

export function evaluateBillingRules(milestone: Milestone, client: Client | null, policy: BillingPolicy): BillingCheck {
  const currency = resolveCurrency(milestone, client, policy);
  const amount = toMinorUnits(milestone.amount, currency);
  const money = amount.ok ? amount.money : null;
  const rate = client?.taxRate ?? null;
  const tax = money ? taxOn(money, rate !== null && isValidTaxRate(rate) ? rate : null) : null;
  const total = money && tax ? { minor: money.minor + tax.minor, currency } : null;
  const blockers = [
    ...acceptanceRule(milestone),
    ...scopeRule(milestone),
    ...completenessRule(milestone, client),
    ...(amount.ok ? [] : [{ rule: 'completeness', ...amount.problem } satisfies Blocker]),
    ...minimumChargeRule(total),
  ];
  return {
    blockers,
    money,
    tax,
    total,
    currency,
    paymentTermsDays: client?.paymentTermsDays ?? policy.defaultPaymentTermsDays,
  };
}

/** Below Stripe's minimum, an invoice is marked paid with nothing collected: refuse it instead. */
function minimumChargeRule(total: Money | null): Blocker[] {
  const minimum = total ? minimumCharge(total.currency) : null;
  if (!total || !minimum || total.minor >= minimum.minor) return [];
  return [
    blocker(
      'completeness',
      'amount_below_minimum',
      `The total, ${formatMoney(total)}, is below Stripe's minimum charge of ${formatMoney(minimum)}.`,
      'Bill at least the minimum, or add this milestone to a larger one.',
    ),
  ];
}

function acceptanceRule(m: Milestone): Blocker[] {
  if (!isStage(m.stage)) {
    return [
      blocker('acceptance', 'stage_unknown', `Stage "${m.stage ?? ''}" is not one Cashin knows.`, 'Set Stage to Planned, In progress, Delivered or Accepted.'),
    ];
  }
  if (m.stage !== 'Accepted') {
    return [
      blocker(
        'acceptance',
        'acceptance_pending',
        'The client has not accepted this milestone yet.',
        'Click "Client accepted" once they confirm, or send them the acceptance request.',
      ),
    ];
  }
  if (!m.acceptanceEvidence) {
    return [
      blocker(
        'acceptance',
        'acceptance_evidence_missing',
        'No acceptance evidence is linked.',
        "Paste a link to the client's confirmation (email, message, signed document) into Acceptance evidence.",
      ),
    ];
  }
  if (!isWebLink(m.acceptanceEvidence)) {
    return [blocker('acceptance', 'acceptance_evidence_invalid', 'Acceptance evidence is not a web link.', 'Use a full http(s) link to the confirmation.')];
  }
  return [];
}

function scopeRule(m: Milestone): Blocker[] {
  if (!m.changeOrderRequired) return [];
  return [
    blocker(
      'scope',
      'change_order_pending',
      'A change order is pending: the scope changed without approval.',
      'Draft the change order, get it approved, then clear "Change order required".',
    ),
  ];
}

function completenessRule(m: Milestone, client: Client | null): Blocker[] {
  const found: Blocker[] = [];
  const title = m.title.trim();
  if (title === '') {
    found.push(blocker('completeness', 'title_missing', 'The milestone has no title.', 'Name the deliverable in Milestone.'));
  } else if (title.length > MAX_TITLE_LENGTH) {
    found.push(
      blocker(
        'completeness',
        'title_too_long',
        `The title is ${title.length.toLocaleString('en-US')} characters; an invoice line holds ${MAX_TITLE_LENGTH}.`,
        'Shorten Milestone and move the detail to Delivery evidence.',
      ),
    );
  }
  if (m.poNumber.length > MAX_PO_LENGTH) {
    found.push(
      blocker(
        'completeness',
        'po_too_long',
        `PO number is longer than ${MAX_PO_LENGTH} characters.`,
        'Check PO number: paste only the purchase order reference.',
      ),
    );
  }
  if (client === null) {
    found.push(blocker('completeness', 'client_missing', 'No client is linked, so there is nobody to bill.', 'Pick the client in the Client column.'));
    return found;
  }
  if (!client.billingEmail) {
    found.push(
      blocker('completeness', 'billing_email_missing', `${client.name} has no billing email.`, 'Add it with "Edit billing details" or in the Clients table.'),
    );
  } else if (!isValidEmail(client.billingEmail)) {
    found.push(
      blocker(
        'completeness',
        'billing_email_invalid',
        `Billing email "${truncate(client.billingEmail, 80)}" is not an email address.`,
        'Correct it with "Edit billing details" or in the Clients table.',
      ),
    );
  }
  if (client.poRequired && m.poNumber.trim() === '') {
    found.push(
      blocker(
        'completeness',
        'po_missing',
        `${client.name} requires a PO number on every invoice.`,
        'Ask the client for the PO and add it with "Edit billing details".',
      ),
    );
  }
  if (client.taxId !== '' && !TAX_ID.test(client.taxId)) {
    found.push(
      blocker(
        'completeness',
        'tax_id_invalid',
        `Tax ID "${truncate(client.taxId, 60)}" does not look like a tax id.`,
        'Use letters, digits, spaces, dots, dashes or slashes (3 to 40 characters).',
      ),
    );
  }
  const terms = client.paymentTermsDays;
  if (terms !== null && !(Number.isInteger(terms) && terms >= 0 && terms <= MAX_PAYMENT_TERMS_DAYS)) {
    found.push(
      blocker(
        'completeness',
        'payment_terms_invalid',
        `${client.name}'s payment terms, ${terms}, are not a whole number of days from 0 to ${MAX_PAYMENT_TERMS_DAYS}.`,
        'Set Payment terms on the client to whole days, e.g. 14 or 30, or leave it blank for the default.',
      ),
    );
  }
  if (client.taxRate !== null && !isValidTaxRate(client.taxRate)) {
    found.push(
      blocker(
        'completeness',
        'tax_rate_invalid',
        `Tax rate ${client.taxRate} % is not a valid percentage.`,
        'Set Tax rate between 0 and 100 with at most 4 decimals, or leave it blank for none.',
      ),
    );
  }
  return found;
}

function isValidTaxRate(rate: number): boolean {
  return Number.isFinite(rate) && rate >= 0 && rate <= 100 && Math.abs(rate * 1e4 - Math.round(rate * 1e4)) < 1e-6;
}

/** An http(s) link: what counts as acceptance evidence. */
export function isWebLink(value: string | null): boolean {
  if (!value) return false;
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
