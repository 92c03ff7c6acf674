import type { BillingPolicy } from '../../src/domain/billing-rules.js';
import { emptyLedgerInvoice, type Client, type Milestone } from '../../src/domain/milestone.js';

export const policy: BillingPolicy = {
  defaultCurrency: 'USD',
  defaultPaymentTermsDays: 30,
  autoSendAfterMinutes: 120,
  acceptanceSlaHours: 24,
  timeZone: 'Europe/Berlin',
};

export function aClient(overrides: Partial<Client> = {}): Client {
  return {
    id: 'client-acme', name: 'Acme', billingEmail: 'ap@acme.test', billingOwner: 'Dana (AP)', currency: 'USD',
    paymentTermsDays: 14, poRequired: false, taxId: '', taxRate: null, reminderCadence: 'Standard',
    reviewBeforeSend: false, servicePause: false, stripeCustomerId: null, ...overrides,
  };
}

export function aMilestone(overrides: Partial<Milestone> = {}): Milestone {
  return {
    id: 'ms-1', url: null, title: 'Homepage design approved', clientId: 'client-acme', project: 'ACME-WEB',
    amount: 2500, currency: 'USD', stage: 'Accepted', due: '2026-11-20', completed: '2026-11-19T10:00:00+01:00',
    accepted: '2026-11-20T09:00:00+01:00', acceptanceEvidence: 'https://mail.example.test/thread/42',
    deliveryEvidence: 'Figma file, usability test summary', outcome: 'Sign-up conversion +12 %',
    nextCheckpoint: 'Checkout flow, 2026-12-05', scopeVersion: 'v1', changeOrderRequired: false, poNumber: '',
    invoice: emptyLedgerInvoice(), blockers: '', slackCard: '', lastEditedTime: '2026-11-20T08:00:00.000Z',
    ...overrides,
  };
}
