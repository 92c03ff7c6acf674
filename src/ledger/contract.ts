/**
 * The ledger contract: the tables Cashin reads and writes in Notion, each property's type, who
 * writes it and what it means. `npm run setup:notion` creates exactly this, start-up checks it, and
 * docs/ledger.md is generated from it (a test keeps the two equal).
 */
import { REMINDER_STAGES } from '../domain/ladder.js';
import { DISPUTE_REASONS, INVOICE_STATUSES, REMINDER_CADENCES, STAGES } from '../domain/milestone.js';

export type PropertyType = 'title' | 'rich_text' | 'number' | 'select' | 'status' | 'date' | 'url' | 'email' | 'checkbox' | 'relation';

/** Who writes a property: the founder, Cashin, or both (Cashin only when the founder acts through Slack). */
export type Owner = 'founder' | 'founder/bot' | 'bot';

export type PropertySpec = {
  readonly types: readonly PropertyType[];
  readonly options?: readonly string[];
  readonly owner: Owner;
  readonly meaning: string;
  /** Cashin works without it (start-up does not ask for it); `setup:notion` adds it. */
  readonly optional?: true;
};
const CURRENCIES = ['USD', 'EUR', 'GBP', 'JPY'] as const;

export const MILESTONE_PROPERTIES = {
  Milestone: { types: ['title'], owner: 'founder', meaning: 'The deliverable, e.g. "Homepage design approved".' },
  Client: { types: ['relation'], owner: 'founder', meaning: 'Who pays: one row of Clients.' },
  Project: { types: ['rich_text'], owner: 'founder', meaning: 'Project code, printed on the invoice.' },
  Amount: { types: ['number'], owner: 'founder', meaning: 'Amount to bill before tax, in major units (2500, 2500.5).' },
  Currency: {
    types: ['select'],
    options: CURRENCIES,
    owner: 'founder',
    meaning: "ISO 4217 code; blank means the client's currency, then DEFAULT_CURRENCY. Other codes can be added as options.",
  },
  Stage: {
    types: ['select', 'status'],
    options: STAGES,
    owner: 'founder/bot',
    meaning: 'Delivery state. Cashin sets Accepted when an approver clicks "Client accepted".',
  },
  Due: { types: ['date'], owner: 'founder', meaning: 'When the milestone is due.' },
  Completed: { types: ['date'], owner: 'founder/bot', meaning: 'When it was delivered; Cashin fills it when Stage becomes Delivered and it is blank.' },
  Accepted: { types: ['date'], owner: 'founder/bot', meaning: 'When the client accepted; the auto-send grace period counts from here.' },
  'Acceptance evidence': { types: ['url'], owner: 'founder', meaning: "Link to the client's explicit acceptance (email, message, signed document)." },
  'Delivery evidence': { types: ['rich_text'], owner: 'founder', meaning: 'Screenshots, links, logs, test summary: the proof packet.' },
  Outcome: { types: ['rich_text'], owner: 'founder', meaning: 'Before/after result or progress signal: the proof packet.' },
  'Next checkpoint': { types: ['rich_text'], owner: 'founder', meaning: 'The next milestone and its date, printed in the invoice footer.' },
  'Scope version': { types: ['rich_text'], owner: 'founder', meaning: 'The approved scope version, e.g. v1.' },
  'Change order required': { types: ['checkbox'], owner: 'founder', meaning: 'An unapproved scope change exists: nothing is billed until it is cleared.' },
  'PO number': { types: ['rich_text'], owner: 'founder', meaning: "The client's purchase order (140 characters at most), printed on the invoice." },
  'Invoice status': { types: ['select'], options: INVOICE_STATUSES, owner: 'bot', meaning: 'Where the invoice stands in Stripe.' },
  'Invoice ID': {
    types: ['rich_text'],
    owner: 'bot',
    meaning: 'Stripe invoice id (in_…), written before the invoice is finalized. Cashin acts only on invoices it made for this row.',
  },
  'Invoice number': { types: ['rich_text'], owner: 'bot', meaning: "Stripe's invoice number." },
  'Invoice link': { types: ['url'], owner: 'bot', meaning: "The hosted invoice page: the client's payment link." },
  'Invoice created': { types: ['date'], owner: 'bot', meaning: 'When the Stripe invoice was created.' },
  'Invoice sent': { types: ['date'], owner: 'bot', meaning: 'When Stripe emailed it.' },
  'Invoice due': { types: ['date'], owner: 'bot', meaning: 'Its due date.' },
  'Paid on': { types: ['date'], owner: 'bot', meaning: 'When it was paid in full.' },
  'Amount paid': { types: ['number'], owner: 'bot', meaning: 'Paid so far, in major units, partial payments included.' },
  'Dispute reason': {
    types: ['select'],
    options: DISPUTE_REASONS,
    owner: 'bot',
    meaning:
      'Why collection is paused: an open exception. Set from Slack ("Mark disputed") or by a Stripe dispute or failed payment; clearing it resumes the ladder.',
  },
  'Promise to pay': {
    types: ['date'],
    owner: 'founder/bot',
    meaning: 'The client promised payment by this date; reminders wait until the day is over. Set here or from Slack.',
  },
  'Reminder stage': {
    types: ['select'],
    options: REMINDER_STAGES,
    owner: 'bot',
    meaning: "The last step of the client's reminder ladder done (see Reminder ladders below).",
  },
  'Expected cash-in': { types: ['date'], owner: 'bot', meaning: 'Forecast payment date.' },
  'Cash-in confidence': { types: ['number'], owner: 'bot', meaning: 'Forecast probability (percent) of payment by Expected cash-in.' },
  Blockers: {
    types: ['rich_text'],
    owner: 'bot',
    meaning: 'Every billing rule that fails now, one per line with its fix, and a failed send ("Send failed: …"); blank when clear.',
  },
  'Slack card': { types: ['rich_text'], owner: 'bot', meaning: "channel/ts of this milestone's card, so a restart updates it instead of posting again." },
  'Amount credited': {
    types: ['number'],
    owner: 'bot',
    meaning: 'Credit notes issued on the invoice in Stripe, in major units; reminders chase only what remains.',
    optional: true,
  },
} as const satisfies Record<string, PropertySpec>;

export const CLIENT_PROPERTIES = {
  Client: { types: ['title'], owner: 'founder', meaning: 'Client name.' },
  'Billing email': {
    types: ['email'],
    owner: 'founder',
    meaning: 'Where Stripe sends invoices and reminders. Cashin writes it when an approver edits it in Slack.',
  },
  'Billing owner': { types: ['rich_text'], owner: 'founder', meaning: "The client's finance contact, named in escalations and greeted in drafts." },
  Currency: { types: ['select'], options: CURRENCIES, owner: 'founder', meaning: 'Default currency for this client.' },
  'Payment terms': { types: ['number'], owner: 'founder', meaning: 'Whole days until due (0 to 730); blank means DEFAULT_PAYMENT_TERMS_DAYS.' },
  'PO required': { types: ['checkbox'], owner: 'founder', meaning: 'Block sending until the milestone has a PO number.' },
  'Tax ID': {
    types: ['rich_text'],
    owner: 'founder',
    meaning: "The client's tax id, printed on invoices. Cashin writes it when an approver edits it in Slack.",
  },
  'Tax rate': { types: ['number'], owner: 'founder', meaning: 'Tax added to invoice lines, in percent; blank means none.' },
  'Reminder cadence': { types: ['select'], options: REMINDER_CADENCES, owner: 'founder', meaning: 'Which reminder ladder this client gets.' },
  'Review before send': { types: ['checkbox'], owner: 'founder', meaning: "Never auto-send: always wait for an approver's click." },
  'Service pause': { types: ['checkbox'], owner: 'founder', meaning: 'The last overdue step pauses work (otherwise a final notice only).' },
  'Stripe customer': { types: ['rich_text'], owner: 'bot', meaning: 'Stripe customer id (cus_…); clear it to have Cashin create a new customer.' },
  'Avg days to pay': { types: ['number'], owner: 'bot', meaning: 'Mean days from sent to paid over paid invoices.' },
  'Paid invoices': { types: ['number'], owner: 'bot', meaning: 'Count of paid invoices.' },
  Disputes: { types: ['number'], owner: 'bot', meaning: 'Count of disputed invoices.' },
  'Service paused': {
    types: ['checkbox'],
    owner: 'bot',
    meaning: "Work is paused for non-payment: set by the ladder's final step when Service pause is on, cleared when the client pays.",
  },
  'Reminder offsets': {
    types: ['rich_text'],
    owner: 'founder',
    meaning: 'Your own days for the ladder\'s steps, e.g. "5, 10, 20": one number per step, increasing. Blank means the preset\'s days.',
    optional: true,
  },
} as const satisfies Record<string, PropertySpec>;

export const FORECAST_PROPERTIES = {
  Week: { types: ['title'], owner: 'bot', meaning: 'The ISO week, e.g. 2026-W48.' },
  'Week start': { types: ['date'], owner: 'bot', meaning: 'Monday of that week, in CASHIN_TIMEZONE.' },
  Expected: { types: ['number'], owner: 'bot', meaning: 'Probability-weighted cash-in forecast for the week.' },
  Low: { types: ['number'], owner: 'bot', meaning: 'Low end of the 80 % band.' },
  High: { types: ['number'], owner: 'bot', meaning: 'High end of the 80 % band.' },
  Actual: { types: ['number'], owner: 'bot', meaning: 'Cash actually received that week, filled once the week is over.' },
  Error: { types: ['number'], owner: 'bot', meaning: '(Actual − Expected) / Actual, in percent.' },
} as const satisfies Record<string, PropertySpec>;

export type TableName = 'Milestones' | 'Clients' | 'Forecasts';

export const TABLES: Readonly<Record<TableName, Readonly<Record<string, PropertySpec>>>> = {
  Milestones: MILESTONE_PROPERTIES,
  Clients: CLIENT_PROPERTIES,
  Forecasts: FORECAST_PROPERTIES,
};

export type SchemaProblem = { table: TableName; property: string; expected: readonly PropertyType[]; found: string | null };

/** Compares a data source's properties with the contract; the found types are kept for writing. */
export function checkProperties(table: TableName, found: Readonly<Record<string, { type: string }>>): SchemaProblem[] {
  return Object.entries(TABLES[table]).flatMap(([name, spec]: [string, PropertySpec]) => {
    const actual = found[name]?.type ?? null;
    if (actual === null && spec.optional) return [];
    return actual !== null && (spec.types as readonly string[]).includes(actual) ? [] : [{ table, property: name, expected: spec.types, found: actual }];
  });
}

export function describeSchemaProblems(problems: readonly SchemaProblem[]): string {
  return problems.map((p) => `${p.table}.${p.property}: expected ${p.expected.join(' or ')}, ${p.found === null ? 'missing' : `found ${p.found}`}`).join('\n');
}
