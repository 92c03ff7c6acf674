import { describe, expect, it } from 'vitest';
import { addToHistory, totalsOf, type InvoiceHistoryRow, type PaymentHistory } from '../../src/domain/client-history.js';

const row = (overrides: Partial<InvoiceHistoryRow>): InvoiceHistoryRow => ({
  clientId: 'acme',
  status: 'Paid',
  sent: '2026-05-01',
  due: '2026-05-15',
  paidOn: '2026-05-11',
  disputed: false,
  ...overrides,
});

function sum(rows: InvoiceHistoryRow[]): Map<string, PaymentHistory> {
  const histories = new Map<string, PaymentHistory>();
  for (const r of rows) addToHistory(histories, r, 'Europe/Berlin');
  return histories;
}

describe('a client payment history', () => {
  it.each([
    ['one invoice paid in 10 days', [row({})], { avgDaysToPay: 10, paidInvoices: 1, disputes: 0 }, 0],
    [
      'paid on the due date is on time; the day after is late',
      [row({ paidOn: '2026-05-15' }), row({ paidOn: '2026-05-16' })],
      { avgDaysToPay: 14.5, paidInvoices: 2, disputes: 0 },
      1,
    ],
    [
      'void and open invoices are not paid ones',
      [row({ status: 'Void' }), row({ status: 'Sent', paidOn: null })],
      { avgDaysToPay: null, paidInvoices: 0, disputes: 0 },
      0,
    ],
    [
      'a dispute counts whatever became of the invoice',
      [row({ disputed: true }), row({ status: 'Disputed', paidOn: null, disputed: true })],
      { avgDaysToPay: 10, paidInvoices: 1, disputes: 2 },
      0,
    ],
    ['a paid invoice without a sent date still counts as paid', [row({ sent: null })], { avgDaysToPay: null, paidInvoices: 1, disputes: 0 }, 0],
  ] as const)('%s', (_label, rows, totals, late) => {
    const history = sum([...rows]).get('acme');
    expect(history && totalsOf(history)).toEqual(totals);
    expect(history?.paidLate).toBe(late);
  });

  it('keeps clients apart and ignores rows without a client', () => {
    const histories = sum([row({}), row({ clientId: 'globex', paidOn: '2026-06-01' }), row({ clientId: null })]);
    expect([...histories.keys()].sort()).toEqual(['acme', 'globex']);
    expect(histories.get('globex')?.daysToPay).toEqual([31]);
  });
});
