/**
 * A client's payment history, summed up from its invoiced rows: how many invoices it paid, how
 * long it took, how often late, how many disputes. Kept on the Clients table as it changes, and
 * what the forecast learns a client's habits from.
 */
import type { ClientTotals, InvoiceStatus } from './milestone.js';
import { parseInstant } from './time.js';

/** One invoiced row, reduced to what a client's history needs. */
export type InvoiceHistoryRow = {
  /** The row's page id; the KPIs and the forecast's accuracy use the fields below it too. */
  id?: string;
  clientId: string | null;
  status: InvoiceStatus | null;
  sent: string | null;
  due: string | null;
  paidOn: string | null;
  disputed: boolean;
  accepted?: string | null;
  /** The row's Amount (major units, before tax) and Currency, and what was paid. */
  amount?: number | null;
  currency?: string | null;
  amountPaid?: number | null;
};

export type PaymentHistory = {
  paidInvoices: number;
  /** Days from sent to paid, one per paid invoice with both dates. */
  daysToPay: number[];
  /** Paid after the due date. */
  paidLate: number;
  disputes: number;
};

const DAY_MS = 86_400_000;

export function emptyHistory(): PaymentHistory {
  return { paidInvoices: 0, daysToPay: [], paidLate: 0, disputes: 0 };
}

/** Adds one row to the history of its client. */
export function addToHistory(histories: Map<string, PaymentHistory>, row: InvoiceHistoryRow, timeZone: string): void {
  if (!row.clientId) return;
  const history = histories.get(row.clientId) ?? emptyHistory();
  histories.set(row.clientId, history);
  if (row.disputed) history.disputes += 1;
  if (row.status !== 'Paid') return;
  history.paidInvoices += 1;
  const sent = row.sent ? parseInstant(row.sent, timeZone) : null;
  const paid = row.paidOn ? parseInstant(row.paidOn, timeZone) : null;
  if (sent && paid) history.daysToPay.push(Math.max(0, (paid.getTime() - sent.getTime()) / DAY_MS));
  const due = row.due ? parseInstant(row.due, timeZone) : null;
  // Paid on the due date is on time; the day after is late.
  if (due && paid && paid.getTime() >= due.getTime() + DAY_MS) history.paidLate += 1;
}

/** The figures the Clients table shows: mean days to pay (one decimal), paid invoices, disputes. */
export function totalsOf(history: PaymentHistory): ClientTotals {
  const days = history.daysToPay;
  const mean = days.length === 0 ? null : Math.round((days.reduce((a, b) => a + b, 0) / days.length) * 10) / 10;
  return { avgDaysToPay: mean, paidInvoices: history.paidInvoices, disputes: history.disputes };
}

export function sameTotals(a: ClientTotals, b: ClientTotals): boolean {
  return a.avgDaysToPay === b.avgDaysToPay && a.paidInvoices === b.paidInvoices && a.disputes === b.disputes;
}
