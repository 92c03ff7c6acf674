/**
 * The rows that can still need something from Cashin (`mayNeedAction` in the domain), as a filter
 * Notion applies: a billable stage without an invoice, or an invoice that is open, overdue or
 * disputed. Paid, void and uncollectible history is never read at start.
 */
import type { QueryDataSourceParameters } from '@notionhq/client';
import { BILLABLE_STAGES, OPEN_INVOICE_STATUSES } from '../domain/milestone.js';

export type QueryFilter = NonNullable<QueryDataSourceParameters['filter']>;

export function openRowsFilter(stageType: 'select' | 'status'): QueryFilter {
  const invoiceStatus = (name: string) => ({ property: 'Invoice status', select: { equals: name } });
  const noInvoice = { property: 'Invoice status', select: { is_empty: true as const } };
  const stage = (name: string) => (stageType === 'status' ? { property: 'Stage', status: { equals: name } } : { property: 'Stage', select: { equals: name } });
  // Two levels of nesting at most, as Notion allows.
  return { or: [...OPEN_INVOICE_STATUSES.map(invoiceStatus), ...BILLABLE_STAGES.map((name) => ({ and: [stage(name), noInvoice] }))] };
}
