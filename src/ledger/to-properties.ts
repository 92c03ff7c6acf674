/** Domain patches written as Notion property values. */
import type { CreatePageParameters, UpdatePageParameters } from '@notionhq/client';
import { cutAt, wellFormed } from '../domain/text.js';
import type { ClientPatch, MilestoneDraft, MilestonePatch } from '../workflows/ports.js';

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
  const set = (name: string, value: PropertyValue | undefined): void => {
    if (value !== undefined) out[name] = value;
  };
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
  set('Amount credited', patch.amountCredited === undefined ? undefined : { number: patch.amountCredited });
  set('Dispute reason', patch.disputeReason === undefined ? undefined : option(patch.disputeReason));
  set('Promise to pay', patch.promiseToPay === undefined ? undefined : date(patch.promiseToPay));
  set('Reminder stage', patch.reminderStage === undefined ? undefined : option(patch.reminderStage));
  set('Expected cash-in', patch.expectedCashIn === undefined ? undefined : date(patch.expectedCashIn));
  set('Cash-in confidence', patch.cashInConfidence === undefined ? undefined : { number: patch.cashInConfidence });
  return out;
}

export function clientPatchProperties(patch: ClientPatch): UpdateProperties {
  const out: UpdateProperties = {};
  if (patch.billingEmail !== undefined) out['Billing email'] = { email: patch.billingEmail };
  if (patch.taxId !== undefined) out['Tax ID'] = text(patch.taxId);
  if (patch.stripeCustomerId !== undefined) out['Stripe customer'] = text(patch.stripeCustomerId);
  if (patch.servicePaused !== undefined) out['Service paused'] = { checkbox: patch.servicePaused };
  if (patch.history !== undefined) {
    out['Avg days to pay'] = { number: patch.history.avgDaysToPay };
    out['Paid invoices'] = { number: patch.history.paidInvoices };
    out.Disputes = { number: patch.history.disputes };
  }
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
