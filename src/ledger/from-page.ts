/** Notion pages read into the domain's Milestone and Client; only the properties Cashin uses. */
import type { PageObjectResponse } from '@notionhq/client';
import { INVOICE_STATUSES, emptyLedgerInvoice, sendFailureOf, type Client, type InvoiceStatus, type Milestone } from '../domain/milestone.js';

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
  return p?.type === 'date' ? (p.date?.start ?? null) : null;
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
  return p?.type === 'relation' ? (p.relation[0]?.id ?? null) : null;
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
      ...(prop(page, 'Amount credited') ? { amountCredited: readNumber(page, 'Amount credited') } : {}),
    },
    disputeReason: readOption(page, 'Dispute reason'),
    promiseToPay: readDate(page, 'Promise to pay'),
    reminderStage: readOption(page, 'Reminder stage'),
    cashIn: { expected: readDate(page, 'Expected cash-in'), confidence: readNumber(page, 'Cash-in confidence') },
    blockers: readText(page, 'Blockers'),
    sendFailure: sendFailureOf(readText(page, 'Blockers')),
    slackCard: readText(page, 'Slack card').trim(),
    lastEditedTime: page.last_edited_time,
    trashed: page.in_trash || page.archived,
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
    servicePaused: readCheckbox(page, 'Service paused'),
    reminderOffsets: readText(page, 'Reminder offsets').trim(),
    stripeCustomerId: nonEmpty(readText(page, 'Stripe customer')),
    history: { avgDaysToPay: readNumber(page, 'Avg days to pay'), paidInvoices: readNumber(page, 'Paid invoices'), disputes: readNumber(page, 'Disputes') },
  };
}

/** Written by the forecast alone, and read by nothing that reacts: writing them is not news. */
const FORECAST_COLUMNS = new Set(['Expected cash-in', 'Cash-in confidence']);

/**
 * What the bot reads of a page, for change detection: its property values, and whether it is in the
 * trash (a row restored from the trash is news, though its values did not change). A page whose
 * fingerprint is unchanged is not news. The change feed keeps only a digest of it.
 */
export function fingerprint(page: PageObjectResponse): string {
  return JSON.stringify({
    trashed: page.in_trash || page.archived,
    properties: Object.keys(page.properties)
      .filter((name) => !FORECAST_COLUMNS.has(name))
      .sort()
      .map((name) => [name, plainValue(page.properties[name])]),
  });
}

function plainValue(p: Property | undefined): unknown {
  if (!p) return null;
  switch (p.type) {
    case 'title':
      return p.title.map((t) => t.plain_text).join('');
    case 'rich_text':
      return p.rich_text.map((t) => t.plain_text).join('');
    case 'select':
      return p.select?.name ?? null;
    case 'status':
      return p.status?.name ?? null;
    case 'date':
      return p.date?.start ?? null;
    case 'relation':
      return p.relation.map((r) => r.id);
    case 'number':
      return p.number;
    case 'checkbox':
      return p.checkbox;
    case 'url':
      return p.url;
    case 'email':
      return p.email;
    default:
      return p.type;
  }
}
