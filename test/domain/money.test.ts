import { describe, expect, it } from 'vitest';
import { currencyExponent, formatMoney, toMinorUnits } from '../../src/domain/money.js';

describe('toMinorUnits', () => {
  it.each([
    [2500, 'USD', 250000],
    [2500.5, 'usd', 250050],
    [0.1 + 0.2, 'EUR', 30],
    [1000, 'JPY', 1000],
    [12.345, 'BHD', 12345],
    [19.99, 'GBP', 1999],
  ])('%s %s is %s minor units', (amount, currency, minor) => {
    expect(toMinorUnits(amount, currency)).toEqual({ ok: true, money: { minor, currency: currency.toUpperCase() } });
  });

  it.each([
    [null, 'USD', 'amount_missing'],
    [Number.NaN, 'USD', 'amount_missing'],
    [-10, 'USD', 'amount_not_positive'],
    [0, 'USD', 'amount_not_positive'],
    [10.001, 'USD', 'amount_too_precise'],
    [1000.5, 'JPY', 'amount_too_precise'],
    [1.2345, 'BHD', 'amount_too_precise'],
    [100, 'XYZ', 'currency_unknown'],
    [100, 'US', 'currency_unknown'],
    [1_000_000, 'USD', 'amount_too_large'],
  ])('%s %s is refused with %s', (amount, currency, code) => {
    const result = toMinorUnits(amount, currency);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem.code).toBe(code);
  });

  it('knows the exponents founders bill in', () => {
    expect([currencyExponent('USD'), currencyExponent('JPY'), currencyExponent('KWD'), currencyExponent('ABC')])
      .toEqual([2, 0, 3, undefined]);
  });

  it('formats with the currency code and its decimals', () => {
    expect(formatMoney({ minor: 250050, currency: 'USD' })).toBe('USD 2,500.50');
    expect(formatMoney({ minor: 150000, currency: 'JPY' })).toBe('JPY 150,000');
  });
});
