/**
 * Money as integers in minor units with an explicit currency. The founder types major units in
 * Notion (2500, 2500.5); everything past the ledger boundary uses minor units only.
 *
 * "Minor units" here are the units Stripe's API counts in, which are not always ISO 4217's:
 * Stripe takes MGA without decimals, ISK and UGX with two (always 00), and three-decimal
 * currencies with a last digit of 0 (docs.stripe.com/currencies). ISO's decimals are still what
 * a founder types and reads.
 */
export type Money = { readonly minor: number; readonly currency: string };

/** ISO 4217 exponents that differ from the usual two decimals. */
const ISO_EXPONENTS: Readonly<Record<string, number>> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
  CLF: 4,
  UYW: 4,
};

/** Stripe's zero-decimal currencies: the amount is sent as is. */
const STRIPE_ZERO_DECIMAL: ReadonlySet<string> = new Set([
  'BIF',
  'CLP',
  'DJF',
  'GNF',
  'JPY',
  'KMF',
  'KRW',
  'MGA',
  'PYG',
  'RWF',
  'VND',
  'VUV',
  'XAF',
  'XOF',
  'XPF',
]);

/** Whole-unit currencies Stripe nevertheless takes in two-decimal form (5 ISK is sent as 500). */
const STRIPE_TWO_DECIMAL_WHOLE: ReadonlySet<string> = new Set(['ISK', 'UGX']);

/**
 * Stripe's minimum charge per currency, in major units. Below it, Stripe marks an invoice paid
 * without collecting anything and carries the amount to the customer's balance.
 */
const STRIPE_MINIMUM_CHARGE: Readonly<Record<string, number>> = {
  USD: 0.5,
  AED: 2,
  ARS: 0.5,
  AUD: 0.5,
  BGN: 1,
  BRL: 0.5,
  CAD: 0.5,
  CHF: 0.5,
  COP: 0.5,
  CZK: 15,
  DKK: 2.5,
  EUR: 0.5,
  GBP: 0.3,
  HKD: 4,
  HUF: 175,
  IDR: 0.5,
  ILS: 0.5,
  INR: 0.5,
  JPY: 50,
  KRW: 50,
  MXN: 10,
  MYR: 2,
  NOK: 3,
  NZD: 0.5,
  PHP: 0.5,
  PLN: 2,
  RON: 2,
  RUB: 0.5,
  SEK: 3,
  SGD: 0.5,
  THB: 10,
  ZAR: 0.5,
};

/** Stripe refuses amounts above eight digits in minor units for invoices in most currencies. */
export const MAX_MINOR_AMOUNT = 99_999_999;

const KNOWN_CURRENCIES: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));

export function normalizeCurrency(code: string): string {
  return code.trim().toUpperCase();
}

export function isKnownCurrency(code: string): boolean {
  return /^[A-Z]{3}$/.test(code) && KNOWN_CURRENCIES.has(code);
}

/** Decimal places a founder types and reads (ISO 4217); undefined for a code ISO does not list. */
export function currencyExponent(code: string): number | undefined {
  const currency = normalizeCurrency(code);
  if (!isKnownCurrency(currency)) return undefined;
  return ISO_EXPONENTS[currency] ?? 2;
}

/** Decimal places of Stripe's `amount` for this currency. */
export function stripeExponent(code: string): number {
  const currency = normalizeCurrency(code);
  if (STRIPE_ZERO_DECIMAL.has(currency)) return 0;
  if (STRIPE_TWO_DECIMAL_WHOLE.has(currency)) return 2;
  return currencyExponent(currency) ?? 2;
}

/** Stripe's smallest chargeable amount in this currency, or null when Stripe lists none. */
export function minimumCharge(code: string): Money | null {
  const currency = normalizeCurrency(code);
  const major = STRIPE_MINIMUM_CHARGE[currency];
  return major === undefined ? null : { minor: Math.round(major * 10 ** stripeExponent(currency)), currency };
}

export type MoneyProblemCode = 'amount_missing' | 'amount_not_positive' | 'amount_too_precise' | 'amount_too_large' | 'currency_unknown';

export type MoneyProblem = { readonly code: MoneyProblemCode; readonly message: string; readonly fix: string };

export type MoneyResult = { ok: true; money: Money } | { ok: false; problem: MoneyProblem };

/** Converts a founder-typed amount to Stripe's minor units, refusing anything the currency cannot hold. */
export function toMinorUnits(amount: number | null, currencyCode: string): MoneyResult {
  const currency = normalizeCurrency(currencyCode);
  const exponent = currencyExponent(currency);
  if (exponent === undefined) {
    return fail('currency_unknown', `Currency "${currencyCode}" is not an ISO 4217 code.`, 'Set Currency to a three-letter code such as USD, EUR or JPY.');
  }
  if (amount === null || !Number.isFinite(amount)) {
    return fail('amount_missing', 'Amount is empty or not a number.', 'Type the amount to bill in Amount, e.g. 2500.');
  }
  if (amount <= 0) {
    return fail('amount_not_positive', `Amount is ${amount}; an invoice needs a positive amount.`, 'Correct Amount; use a credit note in Stripe for refunds.');
  }
  // Stripe may take fewer decimals than ISO has (MGA): the stricter of the two applies.
  const places = Math.min(exponent, stripeExponent(currency));
  if (!isWhole(amount * 10 ** places)) return tooPrecise(amount, currency, places);
  const minor = Math.round(amount * 10 ** stripeExponent(currency));
  if (exponent === 3 && minor % 10 !== 0) return tooPrecise(amount, currency, 2, `Stripe takes ${currency} amounts with a last digit of 0`);
  if (minor === 0) {
    return fail('amount_not_positive', `Amount ${amount} ${currency} rounds to nothing.`, 'Correct Amount to the sum you mean to bill.');
  }
  if (minor > MAX_MINOR_AMOUNT) {
    return fail(
      'amount_too_large',
      `Amount ${amount} ${currency} is above Stripe's limit for one invoice line.`,
      'Split the milestone into smaller milestones.',
    );
  }
  return { ok: true, money: { minor, currency } };
}

function isWhole(scaled: number): boolean {
  return Math.abs(scaled - Math.round(scaled)) <= 1e-6 * Math.max(1, Math.abs(scaled));
}

function tooPrecise(amount: number, currency: string, places: number, why?: string): MoneyResult {
  const allowed = places === 0 ? 'no decimals' : `at most ${places} decimal${places === 1 ? '' : 's'}`;
  return fail(
    'amount_too_precise',
    `Amount ${amount} has more decimals than ${currency} allows (${allowed}${why ? `: ${why}` : ''}).`,
    `Round Amount to ${allowed}.`,
  );
}

export function toMajorUnits(money: Money): number {
  return money.minor / 10 ** stripeExponent(money.currency);
}

/** Tax on top of an amount, rounded to the minor unit as Stripe rounds an exclusive tax rate. */
export function taxOn(money: Money, ratePercent: number | null): Money {
  if (ratePercent === null || ratePercent === 0) return { minor: 0, currency: money.currency };
  return { minor: Math.round((money.minor * ratePercent) / 100), currency: money.currency };
}

const numberFormats = new Map<string, Intl.NumberFormat>();

/** "USD 2,500.00": unambiguous for founders who bill in several currencies. */
export function formatMoney(money: Money): string {
  const decimals = Math.min(currencyExponent(money.currency) ?? 2, stripeExponent(money.currency));
  // Stripe can report fractions ISO does not have (tax on ISK): show them rather than hide them.
  const most = stripeExponent(money.currency);
  const key = `${decimals}:${most}`;
  let format = numberFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: most });
    numberFormats.set(key, format);
  }
  return `${money.currency} ${format.format(toMajorUnits(money))}`;
}

function fail(code: MoneyProblemCode, message: string, fix: string): MoneyResult {
  return { ok: false, problem: { code, message, fix } };
}
