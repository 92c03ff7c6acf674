/**
 * Money as integers in minor units with an explicit currency. The founder types major units in
 * Notion (2500, 2500.5); everything past the ledger boundary uses minor units only.
 */
export type Money = { readonly minor: number; readonly currency: string };

/** ISO 4217 exponents that differ from the usual two decimals. */
const NON_DEFAULT_EXPONENTS: Readonly<Record<string, number>> = {
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0,
  UYI: 0, VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
  CLF: 4, UYW: 4,
};

/** Stripe refuses amounts above eight digits in minor units for most currencies. */
export const MAX_MINOR_AMOUNT = 99_999_999;

const KNOWN_CURRENCIES: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));

export function normalizeCurrency(code: string): string {
  return code.trim().toUpperCase();
}

export function isKnownCurrency(code: string): boolean {
  return /^[A-Z]{3}$/.test(code) && KNOWN_CURRENCIES.has(code);
}

/** Decimal places of a known currency; undefined for a code ISO 4217 does not list. */
export function currencyExponent(code: string): number | undefined {
  const currency = normalizeCurrency(code);
  if (!isKnownCurrency(currency)) return undefined;
  return NON_DEFAULT_EXPONENTS[currency] ?? 2;
}

export type MoneyProblemCode =
  | 'amount_missing'
  | 'amount_not_positive'
  | 'amount_too_precise'
  | 'amount_too_large'
  | 'currency_unknown';

export type MoneyProblem = { readonly code: MoneyProblemCode; readonly message: string; readonly fix: string };

export type MoneyResult = { ok: true; money: Money } | { ok: false; problem: MoneyProblem };

/** Converts a founder-typed amount to minor units, refusing anything the currency cannot hold. */
export function toMinorUnits(amount: number | null, currencyCode: string): MoneyResult {
  const currency = normalizeCurrency(currencyCode);
  const exponent = currencyExponent(currency);
  if (exponent === undefined) {
    return fail('currency_unknown', `Currency "${currencyCode}" is not an ISO 4217 code.`,
      'Set Currency to a three-letter code such as USD, EUR or JPY.');
  }
  if (amount === null || !Number.isFinite(amount)) {
    return fail('amount_missing', 'Amount is empty or not a number.', 'Type the amount to bill in Amount, e.g. 2500.');
  }
  if (amount <= 0) {
    return fail('amount_not_positive', `Amount is ${amount}; an invoice needs a positive amount.`,
      'Correct Amount; use a credit note in Stripe for refunds.');
  }
  const scaled = amount * 10 ** exponent;
  const minor = Math.round(scaled);
  if (Math.abs(scaled - minor) > 1e-6 * Math.max(1, Math.abs(scaled))) {
    const places = exponent === 0 ? 'no decimals' : `at most ${exponent} decimal${exponent === 1 ? '' : 's'}`;
    return fail('amount_too_precise', `Amount ${amount} has more decimals than ${currency} allows (${places}).`,
      `Round Amount to ${places}.`);
  }
  if (minor > MAX_MINOR_AMOUNT) {
    return fail('amount_too_large', `Amount ${amount} ${currency} is above Stripe's limit for one invoice line.`,
      'Split the milestone into smaller milestones.');
  }
  return { ok: true, money: { minor, currency } };
}

export function toMajorUnits(money: Money): number {
  const exponent = currencyExponent(money.currency) ?? 2;
  return money.minor / 10 ** exponent;
}

const numberFormats = new Map<number, Intl.NumberFormat>();

/** "USD 2,500.00": unambiguous for founders who bill in several currencies. */
export function formatMoney(money: Money): string {
  const exponent = currencyExponent(money.currency) ?? 2;
  let format = numberFormats.get(exponent);
  if (!format) {
    format = new Intl.NumberFormat('en-US', { minimumFractionDigits: exponent, maximumFractionDigits: exponent });
    numberFormats.set(exponent, format);
  }
  const number = format.format(toMajorUnits(money));
  return `${money.currency} ${number}`;
}

function fail(code: MoneyProblemCode, message: string, fix: string): MoneyResult {
  return { ok: false, problem: { code, message, fix } };
}
