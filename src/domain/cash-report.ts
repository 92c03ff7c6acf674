/**
 * What `/cashin`, App Home and the Monday post show, as data: the Slack adapter draws it. Also how
 * the Forecasts table keeps score: the cash that actually came in each week, and the error of the
 * forecast made for it. Pure.
 */
import type { Forecast, Tier } from './forecast.js';
import type { ForecastRow } from './forecast-inputs.js';
import type { Kpis } from './kpis.js';
import type { Money } from './money.js';

/** An open exception (a dispute, a failed payment) as /cashin exceptions lists it. */
export type ExceptionRow = {
  id: string;
  title: string;
  url: string | null;
  clientName: string | null;
  reason: string;
  /** When the exception paused the ladder (ISO), when known. */
  since: string | null;
  /** The client's billing owner, who settles it on their side. */
  owner: string | null;
  invoiceLabel: string | null;
  /** Left to pay, minor units with its currency; null when the invoice is not loaded. */
  outstanding: { minor: number; currency: string } | null;
};

/** One forecast item as a line: which milestone, whose, how much, when, how sure and why. */
export type ItemLine = {
  readonly id: string;
  readonly title: string;
  readonly client: string;
  readonly amount: Money;
  /** YYYY-MM-DD in the founder's zone. */
  readonly expectedDate: string;
  readonly confidence: number;
  readonly tier: Tier;
  readonly reasons: readonly string[];
  /** Not invoiced yet: projected from acceptance or delivery. */
  readonly projected: boolean;
  readonly daysLate: number;
};

/**
 * How right the recorded forecasts were, over the last weeks whose actual is known: the error as a
 * share of the cash that came in (WAPE), so a week forecast with nothing coming in counts too.
 */
export type Accuracy = { readonly errorPercent: number; readonly weeks: number } | null;

export type ClientSummary = {
  readonly name: string;
  readonly paymentTermsDays: number | null;
  readonly cadence: string;
  readonly paidInvoices: number;
  readonly medianDaysToPay: number | null;
  readonly lateShare: number | null;
  readonly disputes: number;
  readonly servicePaused: boolean;
};

export type CashAnswer =
  | {
      readonly kind: 'forecast';
      readonly at: Date;
      readonly timeZone: string;
      readonly forecast: Forecast;
      readonly lines: readonly ItemLine[];
      readonly accuracy: Accuracy;
      /** The report's own currency, listed first. */
      readonly currency: string;
    }
  | { readonly kind: 'aging'; readonly at: Date; readonly kpis: Kpis }
  | { readonly kind: 'kpis'; readonly at: Date; readonly kpis: Kpis }
  | { readonly kind: 'client'; readonly at: Date; readonly client: ClientSummary; readonly lines: readonly ItemLine[]; readonly timeZone: string }
  | { readonly kind: 'no-client'; readonly asked: string; readonly known: readonly string[] }
  | { readonly kind: 'exceptions'; readonly at: Date; readonly rows: readonly ExceptionRow[] }
  | { readonly kind: 'help'; readonly unknown: string | null };

export type CashQuestion =
  | { kind: 'forecast'; weeks: number }
  | { kind: 'aging' }
  | { kind: 'kpis' }
  | { kind: 'exceptions' }
  | { kind: 'client'; name: string }
  | { kind: 'help'; unknown: string | null };

/** What `/cashin <text>` asks. Unknown words get the help, naming what was not understood. */
export function parseCashQuestion(text: string): CashQuestion {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const [first = '', ...rest] = words;
  switch (first.toLowerCase()) {
    case '':
    case 'forecast': {
      // 5 weeks, or 13 on request: anything else is not understood (and said so, with the help).
      if (rest.length === 0) return { kind: 'forecast', weeks: 5 };
      return rest.length === 1 && (rest[0] === '5' || rest[0] === '13') ? { kind: 'forecast', weeks: Number(rest[0]) } : { kind: 'help', unknown: text.trim() };
    }
    case 'aging':
      return { kind: 'aging' };
    case 'kpis':
    case 'kpi':
      return { kind: 'kpis' };
    case 'exceptions':
      return { kind: 'exceptions' };
    case 'client':
      // Without a name: the answer lists the clients to choose from.
      return { kind: 'client', name: rest.join(' ') };
    case 'help':
      return { kind: 'help', unknown: null };
    default:
      return { kind: 'help', unknown: text.trim() };
  }
}

/** The question as `/cashin` text again, for the button that shares an answer. */
export function questionText(q: CashQuestion): string {
  switch (q.kind) {
    case 'forecast':
      return q.weeks === 5 ? '' : `forecast ${q.weeks}`;
    case 'client':
      return `client ${q.name}`;
    case 'help':
      return 'help';
    default:
      return q.kind;
  }
}

/**
 * Cash received from `start` (inclusive) to `end` (exclusive) in `currency`, minor units: the invoices
 * paid in that time, each with what the client paid (its total less any credit note), counted in the
 * week of *Paid on*. The ledger dates only the payment that settled an invoice: parts paid earlier
 * count in that week too, and an invoice still open counts nothing yet.
 */
export function cashIn(rows: readonly ForecastRow[], start: Date, end: Date, currency: string): number {
  let sum = 0;
  for (const row of rows) {
    if (row.invoiceStatus !== 'Paid' || !row.paidOn || !row.total || row.total.currency !== currency) continue;
    const t = row.paidOn.getTime();
    if (t >= start.getTime() && t < end.getTime()) sum += row.amountPaid ?? row.total.minor;
  }
  return sum;
}

/** (Actual − Expected) / Actual in percent, one decimal; null when nothing came in. */
export function forecastError(actual: number, expected: number): number | null {
  return actual === 0 ? null : Math.round(((actual - expected) / actual) * 1000) / 10;
}

/** The weighted error of the last `n` weeks with an actual (a week recorded twice counts once). */
export function accuracyOf(weeks: readonly { week: string; expected: number; actual: number | null }[], n = 8): Accuracy {
  const byWeek = new Map<string, { expected: number; actual: number }>();
  for (const w of weeks) if (w.actual !== null) byWeek.set(w.week, { expected: w.expected, actual: w.actual });
  const scored = [...byWeek.values()].slice(-n);
  const cash = scored.reduce((a, w) => a + w.actual, 0);
  if (scored.length === 0 || cash <= 0) return null;
  const off = scored.reduce((a, w) => a + Math.abs(w.actual - w.expected), 0);
  return { errorPercent: Math.round((off / cash) * 1000) / 10, weeks: scored.length };
}
