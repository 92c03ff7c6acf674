/**
 * The ledger contract of LEDGER.md in code: which properties each table has, their Notion types,
 * and the mapping between Notion pages and the domain's Milestone and Client.
 */
import type { CreatePageParameters, PageObjectResponse, UpdatePageParameters } from '@notionhq/client';
import { INVOICE_STATUSES, REMINDER_CADENCES, STAGES, emptyLedgerInvoice, sendFailureOf, type Client, type InvoiceStatus, type Milestone } from '../domain/milestone.js';
import { cutAt, wellFormed } from '../domain/text.js';
import type { ClientPatch, MilestoneDraft, MilestonePatch } from '../workflows/ports.js';

export type PropertyType = 'title' | 'rich_text' | 'number' | 'select' | 'status' | 'date' | 'url' | 'email' | 'checkbox' | 'relation';

type PropertySpec = { readonly types: readonly PropertyType[]; readonly options?: readonly string[] };

const DISPUTE_REASONS = ['PO mismatch', 'Scope dispute', 'Legal review', 'Procurement', 'Payment failed', 'Other'] as const;
const REMINDER_STAGES = ['T+3 reminder', 'T+7 escalation', 'T+10 service risk', 'T+14 overdue protocol'] as const;

export const MILESTONE_PROPERTIES = {
  Milestone: { types: ['title'] },
  Client: { types: ['relation'] },
  Project: { types: ['rich_text'] },
  Amount: { types: ['number'] },
  Currency: { types: ['select'], options: ['USD', 'EUR', 'GBP', 'JPY'] },
  Stage: { types: ['select', 'status'], options: STAGES },
  Due: { types: ['date'] },
  Completed: { types: ['date'] },
  Accepted: { types: ['date'] },
  'Acceptance evidence': { types: ['url'] },
  'Delivery evidence': { types: ['rich_text'] },
  Outcome: { types: ['rich_text'] },
  'Next checkpoint': { types: ['rich_text'] },
  'Scope version': { types: ['rich_text'] },
  'Change order required': { types: ['checkbox'] },
  'PO number': { types: ['rich_text'] },
  'Invoice status': { types: ['select'], options: INVOICE_STATUSES },
  'Invoice ID': { types: ['rich_text'] },
  'Invoice number': { types: ['rich_text'] },
  'Invoice link': { types: ['url'] },
  'Invoice created': { types: ['date'] },
  'Invoice sent': { types: ['date'] },
  'Invoice due': { types: ['date'] },
  'Paid on': { types: ['date'] },
  'Amount paid': { types: ['number'] },
  'Dispute reason': { types: ['select'], options: DISPUTE_REASONS },
  'Promise to pay': { types: ['date'] },
  'Reminder stage': { types: ['select'], options: REMINDER_STAGES },
  'Expected cash-in': { types: ['date'] },
  'Cash-in confidence': { types: ['number'] },
  Blockers: { types: ['rich_text'] },
  'Slack card': { types: ['rich_text'] },
} as const satisfies Record<string, PropertySpec>;

export const CLIENT_PROPERTIES = {
  Client: { types: ['title'] },
  'Billing email': { types: ['email'] },
  'Billing owner': { types: ['rich_text'] },
  Currency: { types: ['select'], options: ['USD', 'EUR', 'GBP', 'JPY'] },
  'Payment terms': { types: ['number'] },
  'PO required': { types: ['checkbox'] },
  'Tax ID': { types: ['rich_text'] },
  'Tax rate': { types: ['number'] },
  'Reminder cadence': { types: ['select'], options: REMINDER_CADENCES },
  'Review before send': { types: ['checkbox'] },
  'Service pause': { types: ['checkbox'] },
  'Stripe customer': { types: ['rich_text'] },
  'Avg days to pay': { types: ['number'] },
  'Paid invoices': { types: ['number'] },
  Disputes: { types: ['number'] },
  'Service paused': { types: ['checkbox'] },
} as const satisfies Record<string, PropertySpec>;

export const FORECAST_PROPERTIES = {
  Week: { types: ['title'] },
  'Week start': { types: ['date'] },
  Expected: { types: ['number'] },
  Low: { types: ['number'] },
  High: { types: ['number'] },
  Actual: { types: ['number'] },
  Error: { types: ['number'] },
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
  return Object.entries(TABLES[table]).flatMap(([name, spec]) => {
    const actual = found[name]?.type ?? null;
    return actual !== null && (spec.types as readonly string[]).includes(actual)
      ? []
      : [{ table, property: name, expected: spec.types, found: actual }];
  });
}

export function describeSchemaProblems(problems: readonly SchemaProblem[]): string {
  return problems.map((p) => `${p.table}.${p.property}: expected ${p.expected.join(' or ')}, ${p.found === null ? 'missing' : `found ${p.found}`}`).join('\n');
}

type Property = PageObjectResponse['properties'][string];

function prop(page: PageObjectResponse, name: string): Property | undefined {
  return page.properties[name];
}

export function readText(page: PageObjectResponse, name: string): string {
  const p = prop(page, name);
  if (p?.type === 'rich_text') return p.rich_text.map((t) => t.plain_text).join('');
  if (p?.type === 'title') return p.title.map((t) => t.plain_text).join('');
  return '';
}

function readNumber(page: PageObjectResponse, name: string): number | null {
  const p = prop(page, name);
  return p?.type === 'number' ? p.number : null;
}

function readOption(page: PageObjectResponse, name: string): string | null {
  const p = prop(page, name);
  if (p?.type === 'select') return p.select?.name ?? null;
  if (p?.type === 'status') return p.status?.name ?? null;
  return null;
}

function readDate(page: PageObjectResponse, name: string): string | null {
  const p = prop(page, name);
  return p?.type === 'date' ? p.date?.start ?? null : null;
}

function readUrl(page: PageObjectResponse, name: string): string | null {
  const p = prop(page, name);
  if (p?.type === 'url') return p.url;
  if (p?.type === 'email') return p.email;
  return null;
}

function readCheckbox(page: PageObjectResponse, name: string): boolean {
  const p = prop(page, name);
  return p?.type === 'checkbox' ? p.checkbox : false;
}

function readRelation(page: PageObjectResponse, name: string): string | null {
  const p = prop(page, name);
  return p?.type === 'relation' ? p.relation[0]?.id ?? null : null;
}

function nonEmpty(value: string): string | null {
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

function invoiceStatus(value: string | null): InvoiceStatus | null {
  return INVOICE_STATUSES.find((status) => status === value) ?? null;
}

export function milestoneFromPage(page: PageObjectResponse): Milestone {
  return {
    id: page.id,
    url: page.url,
    title: readText(page, 'Milestone'),
    clientId: readRelation(page, 'Client'),
    project: readText(page, 'Project').trim(),
    amount: readNumber(page, 'Amount'),
    currency: readOption(page, 'Currency'),
    stage: readOption(page, 'Stage'),
    due: readDate(page, 'Due'),
    completed: readDate(page, 'Completed'),
    accepted: readDate(page, 'Accepted'),
    acceptanceEvidence: nonEmpty(readUrl(page, 'Acceptance evidence') ?? ''),
    deliveryEvidence: readText(page, 'Delivery evidence'),
    outcome: readText(page, 'Outcome'),
    nextCheckpoint: readText(page, 'Next checkpoint'),
    scopeVersion: readText(page, 'Scope version').trim(),
    changeOrderRequired: readCheckbox(page, 'Change order required'),
    poNumber: readText(page, 'PO number').trim(),
    invoice: {
      ...emptyLedgerInvoice(),
      status: invoiceStatus(readOption(page, 'Invoice status')),
      id: nonEmpty(readText(page, 'Invoice ID')),
      number: nonEmpty(readText(page, 'Invoice number')),
      link: readUrl(page, 'Invoice link'),
      created: readDate(page, 'Invoice created'),
      sent: readDate(page, 'Invoice sent'),
      due: readDate(page, 'Invoice due'),
      paidOn: readDate(page, 'Paid on'),
      amountPaid: readNumber(page, 'Amount paid'),
    },
    blockers: readText(page, 'Blockers'),
    sendFailure: sendFailureOf(readText(page, 'Blockers')),
    slackCard: readText(page, 'Slack card').trim(),
    lastEditedTime: page.last_edited_time,
  };
}

export function clientFromPage(page: PageObjectResponse): Client {
  return {
    id: page.id,
    name: readText(page, 'Client').trim() || 'Unnamed client',
    billingEmail: nonEmpty(readUrl(page, 'Billing email') ?? ''),
    billingOwner: readText(page, 'Billing owner').trim(),
    currency: readOption(page, 'Currency'),
    paymentTermsDays: readNumber(page, 'Payment terms'),
    poRequired: readCheckbox(page, 'PO required'),
    taxId: readText(page, 'Tax ID').trim(),
    taxRate: readNumber(page, 'Tax rate'),
    reminderCadence: readOption(page, 'Reminder cadence'),
    reviewBeforeSend: readCheckbox(page, 'Review before send'),
    servicePause: readCheckbox(page, 'Service pause'),
    stripeCustomerId: nonEmpty(readText(page, 'Stripe customer')),
  };
}

type UpdateProperties = NonNullable<UpdatePageParameters['properties']>;
type PropertyValue = UpdateProperties[string];

/** Notion holds 2,000 characters per text object and 100 objects per property; no character is split. */
export function richText(value: string): { text: { content: string } }[] {
  const chunks: { text: { content: string } }[] = [];
  let rest = wellFormed(value);
  while (rest.length > 0 && chunks.length < 100) {
    const part = cutAt(rest, 2000);
    chunks.push({ text: { content: part } });
    rest = rest.slice(part.length);
  }
  return chunks;
}

const date = (v: string | null): PropertyValue => ({ date: v === null ? null : { start: v } });
const text = (v: string | null): PropertyValue => ({ rich_text: richText(v ?? '') });
const option = (v: string | null): PropertyValue => ({ select: v === null ? null : { name: v } });
const stage = (type: 'select' | 'status', name: string): PropertyValue => (type === 'status' ? { status: { name } } : { select: { name } });

export function milestonePatchProperties(patch: MilestonePatch, stageType: 'select' | 'status'): UpdateProperties {
  const out: UpdateProperties = {};
  const set = (name: string, value: PropertyValue | undefined): void => { if (value !== undefined) out[name] = value; };
  set('Stage', patch.stage === undefined ? undefined : stage(stageType, patch.stage));
  set('Completed', patch.completed === undefined ? undefined : date(patch.completed));
  set('Accepted', patch.accepted === undefined ? undefined : date(patch.accepted));
  set('Acceptance evidence', patch.acceptanceEvidence === undefined ? undefined : { url: patch.acceptanceEvidence });
  set('PO number', patch.poNumber === undefined ? undefined : text(patch.poNumber));
  set('Blockers', patch.blockers === undefined ? undefined : text(patch.blockers));
  set('Slack card', patch.slackCard === undefined ? undefined : text(patch.slackCard));
  set('Invoice status', patch.invoiceStatus === undefined ? undefined : option(patch.invoiceStatus));
  set('Invoice ID', patch.invoiceId === undefined ? undefined : text(patch.invoiceId));
  set('Invoice number', patch.invoiceNumber === undefined ? undefined : text(patch.invoiceNumber));
  set('Invoice link', patch.invoiceLink === undefined ? undefined : { url: patch.invoiceLink });
  set('Invoice created', patch.invoiceCreated === undefined ? undefined : date(patch.invoiceCreated));
  set('Invoice sent', patch.invoiceSent === undefined ? undefined : date(patch.invoiceSent));
  set('Invoice due', patch.invoiceDue === undefined ? undefined : date(patch.invoiceDue));
  set('Paid on', patch.paidOn === undefined ? undefined : date(patch.paidOn));
  set('Amount paid', patch.amountPaid === undefined ? undefined : { number: patch.amountPaid });
  return out;
}

export function clientPatchProperties(patch: ClientPatch): UpdateProperties {
  const out: UpdateProperties = {};
  if (patch.billingEmail !== undefined) out['Billing email'] = { email: patch.billingEmail };
  if (patch.taxId !== undefined) out['Tax ID'] = text(patch.taxId);
  if (patch.stripeCustomerId !== undefined) out['Stripe customer'] = text(patch.stripeCustomerId);
  return out;
}

export function draftProperties(draft: MilestoneDraft, stageType: 'select' | 'status'): NonNullable<CreatePageParameters['properties']> {
  return {
    Milestone: { title: richText(draft.title) },
    Client: { relation: draft.clientId ? [{ id: draft.clientId }] : [] },
    Project: text(draft.project),
    'Scope version': text(draft.scopeVersion),
    Stage: stage(stageType, draft.stage),
    ...(draft.currency ? { Currency: option(draft.currency) } : {}),
  };
}

/** The properties the bot reads, for change detection: a page whose values are unchanged is not news. */
export function fingerprint(page: PageObjectResponse): string {
  return JSON.stringify(Object.keys(page.properties).sort().map((name) => [name, valueOf(page.properties[name])]));
}

function valueOf(p: Property | undefined): unknown {
  if (!p) return null;
  switch (p.type) {
    case 'title': return p.title.map((t) => t.plain_text).join('');
    case 'rich_text': return p.rich_text.map((t) => t.plain_text).join('');
    case 'select': return p.select?.name ?? null;
    case 'status': return p.status?.name ?? null;
    case 'date': return p.date?.start ?? null;
    case 'relation': return p.relation.map((r) => r.id);
    case 'number': return p.number;
    case 'checkbox': return p.checkbox;
    case 'url': return p.url;
    case 'email': return p.email;
    default: return p.type;
  }
}
