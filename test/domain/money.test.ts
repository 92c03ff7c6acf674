import { describe, expect, it } from 'vitest';
import { currencyExponent, formatMoney, minimumCharge, stripeExponent, taxOn, toMinorUnits } from '../../src/domain/money.js';

describe('toMinorUnits', () => {
  it.each([
    [2500, 'USD', 250000],
    [2500.5, 'usd', 250050],
    [0.1 + 0.2, 'EUR', 30],
    [1000, 'JPY', 1000],
    [19.99, 'GBP', 1999],
    // Stripe's own forms, not ISO's: MGA without decimals, ISK and UGX with two (always 00), BHD ending in 0.
    [10_000, 'MGA', 10_000],
    [5000, 'ISK', 500_000],
    [5000, 'UGX', 500_000],
    [12.34, 'BHD', 12_340],
    [199.99, 'HUF', 19_999],
    [800.45, 'TWD', 80_045],
  ])('%s %s is %s in Stripe minor units', (amount, currency, minor) => {
    expect(toMinorUnits(amount, currency)).toEqual({ ok: true, money: { minor, currency: currency.toUpperCase() } });
  });

  it.each([
    [null, 'USD', 'amount_missing'],
    [Number.NaN, 'USD', 'amount_missing'],
    [-10, 'USD', 'amount_not_positive'],
    [0, 'USD', 'amount_not_positive'],
    [1e-9, 'USD', 'amount_not_positive'],
    [10.001, 'USD', 'amount_too_precise'],
    [1000.5, 'JPY', 'amount_too_precise'],
    [1.2345, 'BHD', 'amount_too_precise'],
    [12.345, 'BHD', 'amount_too_precise'],
    [5000.5, 'ISK', 'amount_too_precise'],
    [10_000.5, 'MGA', 'amount_too_precise'],
    [100, 'XYZ', 'currency_unknown'],
    [100, 'US', 'currency_unknown'],
    [1_000_000, 'USD', 'amount_too_large'],
  ])('%s %s is refused with %s', (amount, currency, code) => {
    const result = toMinorUnits(amount, currency);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem.code).toBe(code);
  });

  it('says why a three-decimal amount is refused', () => {
    const result = toMinorUnits(12.345, 'KWD');
    expect(result.ok === false && result.problem.message).toContain('last digit of 0');
  });

  it('knows the decimals founders type and the ones Stripe counts', () => {
    expect([currencyExponent('USD'), currencyExponent('JPY'), currencyExponent('KWD'), currencyExponent('ABC')]).toEqual([2, 0, 3, undefined]);
    expect([stripeExponent('MGA'), stripeExponent('ISK'), stripeExponent('UGX'), stripeExponent('JPY'), stripeExponent('KWD')]).toEqual([0, 2, 2, 0, 3]);
  });

  it("knows Stripe's minimum charge", () => {
    expect(minimumCharge('USD')).toEqual({ minor: 50, currency: 'USD' });
    expect(minimumCharge('gbp')).toEqual({ minor: 30, currency: 'GBP' });
    expect(minimumCharge('JPY')).toEqual({ minor: 50, currency: 'JPY' });
    expect(minimumCharge('HUF')).toEqual({ minor: 17_500, currency: 'HUF' });
    expect(minimumCharge('MGA')).toBeNull();
  });

  it('adds tax as Stripe rounds it', () => {
    expect(taxOn({ minor: 99_999, currency: 'USD' }, 20)).toEqual({ minor: 20_000, currency: 'USD' });
    expect(taxOn({ minor: 1000, currency: 'USD' }, null)).toEqual({ minor: 0, currency: 'USD' });
  });

  it('formats with the currency code and its decimals', () => {
    expect(formatMoney({ minor: 250050, currency: 'USD' })).toBe('USD 2,500.50');
    expect(formatMoney({ minor: 150000, currency: 'JPY' })).toBe('JPY 150,000');
    expect(formatMoney({ minor: 10_000, currency: 'MGA' })).toBe('MGA 10,000');
    expect(formatMoney({ minor: 500_000, currency: 'ISK' })).toBe('ISK 5,000');
    expect(formatMoney({ minor: 12_340, currency: 'BHD' })).toBe('BHD 12.340');
  });
});
