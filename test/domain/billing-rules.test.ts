import { describe, expect, it } from 'vitest';
import { evaluateBillingRules, formatBlockers, type BlockerCode } from '../../src/domain/billing-rules.js';
import type { Client, Milestone } from '../../src/domain/milestone.js';
import { buildProofPacket, proofPacketForStripe } from '../../src/domain/proof-packet.js';
import { aClient, aMilestone, policy } from '../support/records.js';

type Row = [label: string, milestone: Partial<Milestone>, client: Partial<Client> | null, code: BlockerCode];

/** Malformed rows a founder can type; each must produce a named blocker. */
const MALFORMED_ROWS: Row[] = [
  ['negative amount', { amount: -500 }, {}, 'amount_not_positive'],
  ['empty (non-numeric) amount', { amount: null }, {}, 'amount_missing'],
  ['three decimals in USD', { amount: 100.125 }, {}, 'amount_too_precise'],
  ['decimals in JPY', { amount: 1500.5, currency: 'JPY' }, {}, 'amount_too_precise'],
  ['unknown currency', { currency: 'XYZ' }, {}, 'currency_unknown'],
  ['no client', { clientId: null }, null, 'client_missing'],
  ['client without billing email', {}, { billingEmail: null }, 'billing_email_missing'],
  ['billing email that is not an email', {}, { billingEmail: 'accounts at acme' }, 'billing_email_invalid'],
  ['PO required but missing', { poNumber: '' }, { poRequired: true }, 'po_missing'],
  ['change order pending', { changeOrderRequired: true }, {}, 'change_order_pending'],
  ['no acceptance evidence', { acceptanceEvidence: null }, {}, 'acceptance_evidence_missing'],
  ['acceptance evidence not a link', { acceptanceEvidence: 'client said ok on the phone' }, {}, 'acceptance_evidence_invalid'],
  ['5,000-character title', { title: 'x'.repeat(5000) }, {}, 'title_too_long'],
  ['empty title', { title: '  ' }, {}, 'title_missing'],
  ['tax rate above 100 %', {}, { taxRate: 120 }, 'tax_rate_invalid'],
  ['tax id with symbols', {}, { taxId: '<script>' }, 'tax_id_invalid'],
  ['amount above Stripe limit', { amount: 5_000_000 }, {}, 'amount_too_large'],
  ['unknown stage', { stage: 'Blocked' }, {}, 'stage_unknown'],
];

describe('evaluateBillingRules', () => {
  it('passes a complete, accepted milestone', () => {
    const check = evaluateBillingRules(aMilestone(), aClient(), policy);
    expect(check.blockers).toEqual([]);
    expect(check.money).toEqual({ minor: 250000, currency: 'USD' });
    expect(check.paymentTermsDays).toBe(14);
  });

  it.each(MALFORMED_ROWS)('%s is blocked with %s', (_label, milestone, client, code) => {
    const check = evaluateBillingRules(aMilestone(milestone), client ? aClient(client) : null, policy);
    const codes = check.blockers.map((b) => b.code);
    expect(codes).toContain(code);
    const text = formatBlockers(check.blockers);
    expect(text.split('\n')).toHaveLength(check.blockers.length);
    for (const b of check.blockers) {
      expect(b.message.length).toBeGreaterThan(10);
      expect(b.fix.length).toBeGreaterThan(10);
      expect(b.message.length).toBeLessThan(200);
    }
  });

  it('waits for acceptance while Delivered', () => {
    const check = evaluateBillingRules(aMilestone({ stage: 'Delivered', accepted: null }), aClient(), policy);
    expect(check.blockers.map((b) => b.code)).toEqual(['acceptance_pending']);
  });

  it('takes the currency from the milestone, then the client, then the default', () => {
    expect(evaluateBillingRules(aMilestone({ currency: 'EUR' }), aClient(), policy).currency).toBe('EUR');
    expect(evaluateBillingRules(aMilestone({ currency: null }), aClient({ currency: 'GBP' }), policy).currency).toBe('GBP');
    expect(evaluateBillingRules(aMilestone({ currency: null }), aClient({ currency: null }), policy).currency).toBe('USD');
  });

  it('uses the default payment terms when the client has none', () => {
    expect(evaluateBillingRules(aMilestone(), aClient({ paymentTermsDays: null }), policy).paymentTermsDays).toBe(30);
  });
});

describe('the invoice text the client reads', () => {
  it('leaves out what was not recorded instead of saying so', () => {
    const milestone = aMilestone({ deliveryEvidence: '', outcome: '  ', nextCheckpoint: '' });
    const text = proofPacketForStripe(buildProofPacket(milestone), milestone, milestone.acceptanceEvidence);
    expect(text.description).toMatch(/^Milestone: Homepage design approved/);
    expect(text.description).not.toMatch(/Delivery evidence|Outcome|Not recorded/);
    expect(text.footer).toBe('');
  });
});
