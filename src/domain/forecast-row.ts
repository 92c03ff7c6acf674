/**
 * The bot's side of the forecast's input: what it follows (a Notion row, its client, Cashin's Stripe
 * invoice) and what the paced history read returned (settled rows), as ForecastRows. The snapshot
 * reader builds the same rows from a JSON snapshot; the model (forecast.ts) cannot tell them apart.
 */
import { evaluateBillingRules, isWebLink, type BillingPolicy } from './billing-rules.js';
import type { InvoiceHistoryRow } from './client-history.js';
import { ladderFactsOf } from './collection.js';
import type { ForecastRow } from './forecast-inputs.js';
import { plannedAt, stepsDone } from './ladder.js';
import type { Client, InvoiceSnapshot, Milestone } from './milestone.js';
import { taxOn, toMinorUnits, type Money } from './money.js';
import { localInstant, parseInstant } from './time.js';

const instant = (value: string | null | undefined, timeZone: string): Date | null => (value ? parseInstant(value, timeZone) : null);

/** The start of a due date (YYYY-MM-DD) in the founder's zone. */
const dueStart = (date: string | null, timeZone: string): Date | null => (date ? localInstant(date.slice(0, 10), 0, timeZone) : null);

/**
 * A row the bot follows, as the forecast reads it. With Cashin's invoice, what is left to pay comes
 * from Stripe (payments and credit notes included); without one, the total the review card would
 * show (the billing rules' total, tax included).
 */
export function openForecastRow(m: Milestone, client: Client | null, invoice: InvoiceSnapshot | null, policy: BillingPolicy): ForecastRow {
  const { timeZone } = policy;
  const check = evaluateBillingRules(m, client, policy);
  const facts = invoice ? ladderFactsOf(m, client, invoice, timeZone) : null;
  const reminderDates = facts
    ? facts.ladder.steps
        .slice(0, stepsDone(facts.ladder, facts.recordedStage))
        .map((s) => plannedAt(s, facts, timeZone))
        .filter((d): d is Date => d !== null)
    : [];
  const total: Money | null = invoice ? { minor: invoice.total, currency: invoice.currency } : check.total;
  const sent = facts?.sentAt ?? instant(m.invoice.sent, timeZone);
  return {
    id: m.id,
    clientId: m.clientId,
    stage: m.stage,
    total,
    remaining: invoice ? { minor: invoice.status === 'paid' ? 0 : invoice.amountRemaining, currency: invoice.currency } : total,
    completed: instant(m.completed, timeZone),
    accepted: instant(m.accepted, timeZone),
    evidence: isWebLink(m.acceptanceEvidence),
    blockers: check.blockers.filter((b) => b.rule === 'completeness').length,
    changeOrder: m.changeOrderRequired,
    invoiceStatus: m.invoice.status,
    sent: invoice && invoice.status !== 'draft' ? sent : null,
    due: dueStart(facts?.dueDate ?? m.invoice.due, timeZone),
    paidOn: instant(m.invoice.paidOn, timeZone) ?? (invoice?.paidAt ? new Date(invoice.paidAt) : null),
    disputed: m.disputeReason !== null || m.invoice.status === 'Disputed',
    promiseToPay: instant(m.promiseToPay, timeZone),
    remindersDone: reminderDates.length,
    lastReminderAt: reminderDates.at(-1) ?? null,
    planned: instant(m.due, timeZone),
    amountPaid: invoice ? invoice.amountPaid : null,
  };
}

/**
 * What the rows of one history read share, made once for all of them: each date value's Date (most
 * are days, and thousands of rows share a few hundred, each parsed in the founder's zone), each
 * total (amount, currency and tax rate), and a settled row's nothing left to pay, per currency.
 * Nothing changes a ForecastRow's Dates or amounts, so the rows share them.
 */
export type SharedValues = {
  readonly dates: Map<string, Date | null>;
  readonly totals: Map<string, Money | null>;
  readonly nothing: Map<string, Money>;
};

export const sharedValues = (): SharedValues => ({ dates: new Map(), totals: new Map(), nothing: new Map() });

/**
 * A row from the history read (every invoiced row, a few columns each). Its total is the row's amount
 * with the client's tax; what remains is nothing once paid, void or uncollectible. With `shared`, the
 * rows of one read share their values (see SharedValues).
 */
export function historyForecastRow(row: InvoiceHistoryRow, client: Client | null, policy: BillingPolicy, shared?: SharedValues): ForecastRow {
  const { timeZone } = policy;
  const at = (value: string | null | undefined): Date | null => (value ? once(shared?.dates, value, () => parseInstant(value, timeZone)) : null);
  const dueOf = (date: string | null): Date | null => (date ? once(shared?.dates, `due ${date}`, () => localInstant(date.slice(0, 10), 0, timeZone)) : null);
  const currency = (row.currency ?? client?.currency ?? policy.defaultCurrency).toUpperCase();
  const taxRate = client?.taxRate ?? null;
  const total = once(shared?.totals, shared ? `${row.amount ?? ''} ${currency} ${taxRate ?? ''}` : '', () => {
    const net = toMinorUnits(row.amount ?? null, currency);
    return net.ok ? taxedTotal(net.money, taxRate) : null;
  });
  const settled = row.status === 'Paid' || row.status === 'Void' || row.status === 'Uncollectible';
  const paid = total && row.amountPaid ? Math.min(total.minor, toMinorOr0(row.amountPaid, currency)) : 0;
  return {
    id: row.id ?? '',
    clientId: row.clientId,
    stage: 'Accepted',
    total,
    remaining: !total
      ? null
      : settled
        ? once(shared?.nothing, total.currency, () => ({ minor: 0, currency: total.currency }))
        : { minor: Math.max(0, total.minor - paid), currency: total.currency },
    completed: null,
    accepted: at(row.accepted),
    evidence: true,
    blockers: 0,
    changeOrder: false,
    invoiceStatus: row.status,
    sent: at(row.sent),
    due: dueOf(row.due),
    paidOn: at(row.paidOn),
    disputed: row.disputed,
    promiseToPay: null,
    remindersDone: 0,
    lastReminderAt: null,
    amountPaid: row.amountPaid === undefined || row.amountPaid === null ? null : paid,
  };
}

/** The value of `key` in `memo`, made the first time; without `memo`, made each time. */
function once<T>(memo: Map<string, T> | undefined, key: string, make: () => T): T {
  if (!memo) return make();
  if (memo.has(key)) return memo.get(key) as T;
  const made = make();
  memo.set(key, made);
  return made;
}

function taxedTotal(net: Money, taxRate: number | null): Money {
  return { minor: net.minor + taxOn(net, taxRate).minor, currency: net.currency };
}

function toMinorOr0(amount: number, currency: string): number {
  const result = toMinorUnits(amount, currency);
  return result.ok ? result.money.minor : 0;
}
