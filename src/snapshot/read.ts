/**
 * The ledger snapshot: the Clients and Milestones tables as one JSON document, the contract
 * `npm run forecast`, the backtest and other tools share:
 *
 *   { "currency": "USD",
 *     "clients":    [ { "Client": "Acme", "Payment terms": 30, "Tax rate": 20, … } ],
 *     "milestones": [ { "id": "m-001", "Client": "Acme", "Amount": 2500, "Invoice sent": "2026-05-19T10:00:00Z", … } ] }
 *
 * - Keys are the ledger's property names (docs/ledger.md, src/ledger/contract.ts), plus a milestone's
 *   "id". A key the ledger does not have is refused (a typo would otherwise empty a column silently).
 *   An absent key, null or "" means an empty property. A milestone's "Client" is the client's name.
 * - Dates are ISO 8601: a date alone is the start of that day in the time zone given
 *   (CASHIN_TIMEZONE); a date-time needs Z or an offset.
 * - Amounts are major units. A milestone's currency is its own, else its client's, else the
 *   snapshot's "currency"; the client's Tax rate is added the way the invoice review computes it
 *   (evaluateBillingRules). What is left to pay on an invoice is that total less Amount paid and
 *   Amount credited.
 * - Paid invoices stay in the snapshot: they are the clients' payment history.
 * The Clients table's own history columns (Avg days to pay, Paid invoices, Disputes) are not used:
 * they sum up the present, and the forecast learns each client's habits as of its `at` instead.
 *
 * Bad input is reported all at once, each problem naming the row and the key, as a SnapshotError.
 */
import { z } from 'zod';
import type { BillingPolicy } from '../domain/billing-rules.js';
import { evaluateBillingRules, isWebLink } from '../domain/billing-rules.js';
import type { ClientTerms, ForecastRow } from '../domain/forecast-inputs.js';
import { ladderFor, plannedAt, REMINDER_STAGES, stepsDone } from '../domain/ladder.js';
import { emptyLedgerInvoice, INVOICE_STATUSES, type Client, type InvoiceStatus, type Milestone } from '../domain/milestone.js';
import { isKnownCurrency, normalizeCurrency, stripeExponent, toMinorUnits, type Money } from '../domain/money.js';
import { isDateOnly, localDate, parseInstant } from '../domain/time.js';
import { CLIENT_PROPERTIES, MILESTONE_PROPERTIES, type PropertySpec } from '../ledger/contract.js';

export type LedgerSnapshot = {
  /** The snapshot's own currency: the one the forecast reports in. */
  readonly currency: string;
  /** Milestones as the forecast reads them; clientId is the client's name. */
  readonly rows: readonly ForecastRow[];
  readonly clients: readonly ClientTerms[];
};

export type ReadOptions = {
  /** CASHIN_TIMEZONE: where a date without a time starts. */
  readonly timeZone: string;
  /** Payment terms of a client without any (DEFAULT_PAYMENT_TERMS_DAYS). */
  readonly defaultPaymentTermsDays?: number;
};

/** What is wrong with a snapshot, one line per problem, each naming the row and the key. */
export class SnapshotError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    const shown = problems.slice(0, 20);
    const more = problems.length > shown.length ? `\n  … and ${problems.length - shown.length} more` : '';
    super(`the ledger snapshot has ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}:\n${shown.map((p) => `  - ${p}`).join('\n')}${more}`);
    this.name = 'SnapshotError';
    this.problems = problems;
  }
}

const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/;

/** An ISO 8601 date, or date-time with Z or an offset, that names a real day and time. */
export function isIsoDate(value: string): boolean {
  const m = ISO_DATE_TIME.exec(value);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const real = new Date(Date.UTC(year, month - 1, day));
  if (real.getUTCFullYear() !== year || real.getUTCMonth() !== month - 1 || real.getUTCDate() !== day) return false;
  if (m[4] === undefined) return true;
  return Number(m[4]) < 24 && Number(m[5]) < 60 && Number(m[6] ?? 0) < 60 && !Number.isNaN(Date.parse(value));
}

const DATE_HINT = 'must be an ISO 8601 date (2026-05-20) or a date-time with Z or an offset (2026-05-19T10:00:00Z)';

/** The JSON a property of this Notion type holds in a snapshot; null, "" or absent is empty. */
function valueSchema(spec: PropertySpec) {
  const type = spec.types[0];
  const empty = <T extends z.ZodType>(schema: T) => z.union([schema, z.null(), z.literal('')]).optional();
  switch (type) {
    case 'number':
      return empty(z.number({ error: 'must be a number' }));
    case 'checkbox':
      return z.boolean({ error: 'must be true or false' }).nullable().optional();
    case 'date':
      return empty(z.string({ error: DATE_HINT }).refine(isIsoDate, { error: DATE_HINT }));
    default:
      return empty(z.string({ error: 'must be text' }));
  }
}

function rowSchema(properties: Readonly<Record<string, PropertySpec>>, extra: Record<string, z.ZodType>) {
  const shape: Record<string, z.ZodType> = { ...extra };
  for (const [name, spec] of Object.entries(properties)) shape[name] = valueSchema(spec);
  return z.strictObject(shape);
}

const clientSchema = rowSchema(CLIENT_PROPERTIES, {});
const milestoneSchema = rowSchema(MILESTONE_PROPERTIES, {
  id: z.string({ error: "must be the milestone's id, as text" }).min(1, { error: 'must not be empty' }),
});
const snapshotSchema = z.object({
  currency: z.string({ error: 'must be the snapshot\'s currency, e.g. "USD"' }),
  clients: z.array(clientSchema, { error: 'must be a list of Clients rows' }),
  milestones: z.array(milestoneSchema, { error: 'must be a list of Milestones rows' }),
});

type Row = Readonly<Record<string, unknown>>;

/** "milestones[3] (m-004)" or "clients[0] (Acme)": the row a problem is in. */
function rowName(data: unknown, table: string, index: number): string {
  const rows = (data as Record<string, unknown> | null)?.[table];
  const row = Array.isArray(rows) ? (rows[index] as Row | undefined) : undefined;
  const label = table === 'milestones' ? row?.id : row?.Client;
  return `${table}[${index}]${typeof label === 'string' && label !== '' ? ` (${label})` : ''}`;
}

const shown = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
};

function describeIssue(issue: z.core.$ZodIssue, data: unknown): string {
  const path = issue.path;
  const where =
    path.length >= 2 && typeof path[1] === 'number' ? rowName(data, String(path[0]), path[1]) : path.length > 0 ? `"${String(path[0])}"` : 'the snapshot';
  if (issue.code === 'unrecognized_keys') {
    const table = path[0] === 'clients' ? 'Clients' : 'Milestones';
    return `${where}: ${issue.keys.map((k) => `"${k}"`).join(', ')} ${issue.keys.length === 1 ? 'is not a property' : 'are not properties'} of ${table} (see docs/ledger.md)`;
  }
  const key = path.length >= 3 ? String(path[2]) : null;
  let value: unknown = data;
  for (const part of path) value = (value as Record<string | number, unknown> | null)?.[part as string];
  const got = value === undefined ? (key ? ' (missing)' : '') : `, got ${shown(value)}`;
  // A union reports its first branch's message; the typed branch says what was wanted.
  const message = issue.code === 'invalid_union' ? (issue.errors[0]?.[0]?.message ?? issue.message) : issue.message;
  return key ? `${where} "${key}": ${message}${got}` : `${where}: ${message}${got}`;
}

const text = (row: Row, key: string): string | null => {
  const v = row[key];
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : null;
};
const num = (row: Row, key: string): number | null => (typeof row[key] === 'number' ? (row[key] as number) : null);
const flag = (row: Row, key: string): boolean => row[key] === true;

/** A major-unit amount as minor units, without the checks an amount to bill needs (0 is fine here). */
function minorOf(major: number | null, currency: string): number {
  return major === null ? 0 : Math.round(major * 10 ** stripeExponent(currency));
}

/** Reads a parsed snapshot; throws SnapshotError naming every bad row and key. */
export function readSnapshot(data: unknown, options: ReadOptions): LedgerSnapshot {
  const parsed = snapshotSchema.safeParse(data);
  if (!parsed.success) throw new SnapshotError(parsed.error.issues.map((i) => describeIssue(i, data)));
  const problems: string[] = [];
  const { timeZone } = options;

  const currency = normalizeCurrency(parsed.data.currency);
  if (!isKnownCurrency(currency)) problems.push(`"currency": "${parsed.data.currency}" is not an ISO 4217 currency code such as USD`);

  const clients = new Map<string, Client>();
  for (const [i, row] of parsed.data.clients.entries()) {
    const where = rowName(data, 'clients', i);
    const name = text(row, 'Client');
    if (!name) {
      problems.push(`${where} "Client": every client needs its name`);
      continue;
    }
    if (clients.has(name)) {
      problems.push(`${where} "Client": "${name}" is listed twice; client names must be unique`);
      continue;
    }
    const code = text(row, 'Currency');
    if (code && !isKnownCurrency(normalizeCurrency(code))) problems.push(`${where} "Currency": "${code}" is not an ISO 4217 currency code`);
    clients.set(name, {
      id: name,
      name,
      billingEmail: text(row, 'Billing email'),
      billingOwner: text(row, 'Billing owner') ?? '',
      currency: code ? normalizeCurrency(code) : null,
      paymentTermsDays: num(row, 'Payment terms'),
      poRequired: flag(row, 'PO required'),
      taxId: text(row, 'Tax ID') ?? '',
      taxRate: num(row, 'Tax rate'),
      reminderCadence: text(row, 'Reminder cadence'),
      reviewBeforeSend: flag(row, 'Review before send'),
      servicePause: flag(row, 'Service pause'),
      servicePaused: flag(row, 'Service paused'),
      reminderOffsets: text(row, 'Reminder offsets') ?? '',
      stripeCustomerId: text(row, 'Stripe customer'),
      history: { avgDaysToPay: null, paidInvoices: null, disputes: null },
    });
  }

  const policy: BillingPolicy = {
    defaultCurrency: isKnownCurrency(currency) ? currency : 'USD',
    defaultPaymentTermsDays: options.defaultPaymentTermsDays ?? 30,
    autoSendAfterMinutes: 0,
    acceptanceSlaHours: 24,
    timeZone,
    reminderHours: { fromMinute: 0, toMinute: 24 * 60 },
    reminderDays: [0, 1, 2, 3, 4, 5, 6],
  };

  const ids = new Set<string>();
  const rows: ForecastRow[] = [];
  for (const [i, row] of parsed.data.milestones.entries()) {
    const where = rowName(data, 'milestones', i);
    const before = problems.length;
    const id = String(row.id);
    if (ids.has(id)) problems.push(`${where} "id": "${id}" is used twice; milestone ids must be unique`);
    ids.add(id);
    const clientName = text(row, 'Client');
    const client = clientName ? (clients.get(clientName) ?? null) : null;
    if (clientName && !client) problems.push(`${where} "Client": no client is named "${clientName}" in "clients"`);
    const date = (key: string): Date | null => {
      const value = text(row, key);
      return value ? parseInstant(value, timeZone) : null;
    };
    const status = text(row, 'Invoice status');
    if (status && !(INVOICE_STATUSES as readonly string[]).includes(status)) {
      problems.push(`${where} "Invoice status": "${status}" is not one of ${INVOICE_STATUSES.join(', ')}`);
    }
    const reminderStage = text(row, 'Reminder stage');
    if (reminderStage && !REMINDER_STAGES.includes(reminderStage))
      problems.push(`${where} "Reminder stage": "${reminderStage}" is not a step of any reminder ladder`);
    const code = text(row, 'Currency');
    if (code && !isKnownCurrency(normalizeCurrency(code))) problems.push(`${where} "Currency": "${code}" is not an ISO 4217 currency code`);
    for (const key of ['Amount paid', 'Amount credited']) {
      const v = num(row, key);
      if (v !== null && (v < 0 || !Number.isFinite(v))) problems.push(`${where} "${key}": must be a number of at least 0, got ${v}`);
    }
    const sent = date('Invoice sent');
    const milestone: Milestone = {
      id,
      url: null,
      title: text(row, 'Milestone') ?? '',
      clientId: client?.id ?? null,
      project: text(row, 'Project') ?? '',
      amount: num(row, 'Amount'),
      currency: code,
      stage: text(row, 'Stage'),
      due: text(row, 'Due'),
      completed: text(row, 'Completed'),
      accepted: text(row, 'Accepted'),
      acceptanceEvidence: text(row, 'Acceptance evidence'),
      deliveryEvidence: text(row, 'Delivery evidence') ?? '',
      outcome: text(row, 'Outcome') ?? '',
      nextCheckpoint: text(row, 'Next checkpoint') ?? '',
      scopeVersion: text(row, 'Scope version') ?? '',
      changeOrderRequired: flag(row, 'Change order required'),
      poNumber: text(row, 'PO number') ?? '',
      invoice: { ...emptyLedgerInvoice(), status: status as InvoiceStatus | null, sent: text(row, 'Invoice sent'), due: text(row, 'Invoice due') },
      disputeReason: text(row, 'Dispute reason'),
      promiseToPay: text(row, 'Promise to pay'),
      reminderStage,
      blockers: '',
      sendFailure: null,
      slackCard: '',
      lastEditedTime: '',
      trashed: false,
    };
    if (problems.length > before) continue;
    const check = evaluateBillingRules(milestone, client, policy);
    if (sent && !check.total) {
      const amount = toMinorUnits(milestone.amount, check.currency);
      problems.push(`${where} "Amount": an invoiced milestone needs a valid amount: ${amount.ok ? 'no total' : amount.problem.message}`);
      continue;
    }
    const total: Money | null = check.total;
    const settledBy = total ? minorOf(num(row, 'Amount paid'), total.currency) + minorOf(num(row, 'Amount credited'), total.currency) : 0;
    const remaining: Money | null = total ? { minor: status === 'Paid' ? 0 : Math.max(0, total.minor - settledBy), currency: total.currency } : null;
    const dueText = text(row, 'Invoice due');
    const due = date('Invoice due');
    const reminderDates =
      sent && reminderStage
        ? (() => {
            const { ladder } = ladderFor(client);
            const facts = { sentAt: sent, dueDate: dueText ? (isDateOnly(dueText) ? dueText : localDate(due ?? sent, timeZone)) : null, pausedMs: 0 };
            return ladder.steps
              .slice(0, stepsDone(ladder, reminderStage))
              .map((s) => plannedAt(s, facts, timeZone))
              .filter((d): d is Date => d !== null);
          })()
        : [];
    rows.push({
      id,
      clientId: client?.id ?? null,
      stage: milestone.stage,
      total,
      remaining,
      completed: date('Completed'),
      accepted: date('Accepted'),
      evidence: isWebLink(milestone.acceptanceEvidence),
      // Acceptance and scope have their own parts in the forecast's clarity signal, and depend on
      // the stage at the time: only the completeness rules count here.
      blockers: check.blockers.filter((b) => b.rule === 'completeness').length,
      changeOrder: milestone.changeOrderRequired,
      invoiceStatus: status,
      sent,
      due,
      paidOn: date('Paid on'),
      disputed: milestone.disputeReason !== null || status === 'Disputed',
      promiseToPay: date('Promise to pay'),
      remindersDone: reminderDates.length,
      lastReminderAt: reminderDates.at(-1) ?? null,
      reminderDates,
      planned: date('Due'),
    });
  }
  if (problems.length > 0) throw new SnapshotError(problems);
  // Terms the invoice could not have had (the billing rules refuse them) count as none.
  const validTerms = (days: number | null) => (days !== null && Number.isInteger(days) && days >= 0 && days <= 730 ? days : null);
  const terms = [...clients.values()].map((c) => ({ id: c.id, paymentTermsDays: validTerms(c.paymentTermsDays) }));
  return { currency, rows, clients: terms };
}

/** Reads a snapshot from its JSON text; `source` names it in the message when it is not JSON. */
export function readSnapshotText(json: string, source: string, options: ReadOptions): LedgerSnapshot {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch (error) {
    throw new SnapshotError([`${source} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`]);
  }
  return readSnapshot(data, options);
}
