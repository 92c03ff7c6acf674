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

/**
 * `filter` narrowed to rows created on or after `iso`: how a read that Notion cut at its row limit
 * goes on. The bound is put into each branch of a top-level `or`, so the filter keeps within the two
 * levels of nesting Notion allows.
 */
export function createdSince(filter: QueryFilter | null, iso: string): QueryFilter {
  const bound = { timestamp: 'created_time' as const, created_time: { on_or_after: iso } };
  if (filter === null) return bound;
  if ('or' in filter) {
    return {
      or: filter.or.flatMap((branch) => {
        if ('and' in branch) return [{ and: [bound, ...branch.and] }];
        if ('or' in branch) return branch.or.map((leaf) => ({ and: [bound, leaf] }));
        return [{ and: [bound, branch] }];
      }),
    };
  }
  if ('and' in filter) return { and: [bound, ...filter.and] };
  return { and: [bound, filter] };
}
