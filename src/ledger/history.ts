/**
 * A client's payment history, read from the Milestones table a page at a time: every invoiced row,
 * with only the columns history needs (Notion's filter_properties), so 10,000 settled rows cost a
 * hundred light requests and little memory. Kept apart from the hot path: the caller paces it.
 */
import { isFullPage, type Client as NotionClient, type PageObjectResponse } from '@notionhq/client';
import { INVOICE_STATUSES, type InvoiceStatus } from '../domain/milestone.js';
import type { InvoiceHistoryRow } from '../workflows/ports.js';

export const HISTORY_PROPERTIES = [
  'Client',
  'Invoice status',
  'Invoice sent',
  'Invoice due',
  'Paid on',
  'Dispute reason',
  'Accepted',
  'Amount',
  'Currency',
  'Amount paid',
] as const;

type Property = PageObjectResponse['properties'][string];

function historyRow(page: PageObjectResponse): InvoiceHistoryRow {
  const prop = (name: string): Property | undefined => page.properties[name];
  const date = (name: string) => {
    const p = prop(name);
    return p?.type === 'date' ? (p.date?.start ?? null) : null;
  };
  const status = prop('Invoice status');
  const client = prop('Client');
  const dispute = prop('Dispute reason');
  const name = status?.type === 'select' ? (status.select?.name ?? null) : null;
  const number = (key: string) => {
    const p = prop(key);
    return p?.type === 'number' ? p.number : null;
  };
  const currency = prop('Currency');
  return {
    id: page.id,
    clientId: client?.type === 'relation' ? (client.relation[0]?.id ?? null) : null,
    status: INVOICE_STATUSES.find((s): s is InvoiceStatus => s === name) ?? null,
    sent: date('Invoice sent'),
    due: date('Invoice due'),
    paidOn: date('Paid on'),
    disputed: dispute?.type === 'select' && dispute.select !== null,
    accepted: date('Accepted'),
    amount: number('Amount'),
    currency: currency?.type === 'select' ? (currency.select?.name ?? null) : null,
    amountPaid: number('Amount paid'),
  };
}

/** Pages of invoiced rows; `propertyIds` are the ids of HISTORY_PROPERTIES in this data source. */
export async function* readInvoiceHistory(
  notion: NotionClient,
  dataSourceId: string,
  propertyIds: readonly string[],
  call: <T>(what: string, run: () => Promise<T>) => Promise<T>,
): AsyncGenerator<InvoiceHistoryRow[]> {
  let cursor: string | undefined;
  do {
    const response = await call('read invoice history', () =>
      notion.dataSources.query({
        data_source_id: dataSourceId,
        page_size: 100,
        filter_properties: [...propertyIds],
        filter: { property: 'Invoice status', select: { is_not_empty: true } },
        ...(cursor ? { start_cursor: cursor } : {}),
      }),
    );
    yield response.results.filter((r): r is PageObjectResponse => r.object === 'page' && isFullPage(r)).map(historyRow);
    cursor = response.has_more && response.next_cursor ? response.next_cursor : undefined;
  } while (cursor);
}
