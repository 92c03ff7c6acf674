import { evaluateBillingRules, type BillingPolicy } from '../../src/domain/billing-rules.js';
import { buildCardView, type CardContext, type CardView } from '../../src/domain/card-view.js';
import { planInvoice } from '../../src/domain/invoice-plan.js';
import { emptyCollectionMemo, emptyLedgerInvoice, type Client, type InvoiceSnapshot, type Milestone } from '../../src/domain/milestone.js';

export const policy: BillingPolicy = {
  defaultCurrency: 'USD',
  defaultPaymentTermsDays: 30,
  autoSendAfterMinutes: 120,
  acceptanceSlaHours: 24,
  timeZone: 'Europe/Berlin',
  reminderHours: { fromMinute: 9 * 60, toMinute: 17 * 60 },
  reminderDays: [1, 2, 3, 4, 5],
};

export function aClient(overrides: Partial<Client> = {}): Client {
  return {
    id: 'client-acme',
    name: 'Acme',
    billingEmail: 'ap@acme.test',
    billingOwner: 'Dana (AP)',
    currency: 'USD',
    paymentTermsDays: 14,
    poRequired: false,
    taxId: '',
    taxRate: null,
    reminderCadence: 'Standard',
    reviewBeforeSend: false,
    servicePause: false,
    servicePaused: false,
    reminderOffsets: '',
    stripeCustomerId: null,
    history: { avgDaysToPay: null, paidInvoices: null, disputes: null },
    ...overrides,
  };
}

export function aMilestone(overrides: Partial<Milestone> = {}): Milestone {
  return {
    id: 'ms-1',
    url: null,
    title: 'Homepage design approved',
    clientId: 'client-acme',
    project: 'ACME-WEB',
    amount: 2500,
    currency: 'USD',
    stage: 'Accepted',
    due: '2026-11-20',
    completed: '2026-11-19T10:00:00+01:00',
    accepted: '2026-11-20T09:00:00+01:00',
    acceptanceEvidence: 'https://mail.example.test/thread/42',
    deliveryEvidence: 'Figma file, usability test summary',
    outcome: 'Sign-up conversion +12 %',
    nextCheckpoint: 'Checkout flow, 2026-12-05',
    scopeVersion: 'v1',
    changeOrderRequired: false,
    poNumber: '',
    invoice: emptyLedgerInvoice(),
    disputeReason: null,
    promiseToPay: null,
    reminderStage: null,
    blockers: '',
    sendFailure: null,
    slackCard: '',
    lastEditedTime: '2026-11-20T08:00:00.000Z',
    trashed: false,
    ...overrides,
  };
}

export function anInvoice(overrides: Partial<InvoiceSnapshot> = {}): InvoiceSnapshot {
  return {
    id: 'in_1',
    number: 'CASH-0001',
    status: 'open',
    hostedUrl: 'https://pay.test/in_1',
    currency: 'USD',
    total: 250000,
    amountPaid: 0,
    amountRemaining: 250000,
    created: '2026-11-20T10:00:00Z',
    dueDate: '2026-12-04T10:00:00Z',
    paidAt: null,
    lineCount: 1,
    subtotal: 250000,
    tax: 0,
    customerId: 'cus_acme',
    poNumber: '',
    sentBy: 'U1',
    milestoneId: 'ms-1',
    terms: null,
    credited: 0,
    collection: emptyCollectionMemo(),
    ...overrides,
  };
}

/** The card decide() would draw for this row, from the same pieces decide() uses. */
export function cardView(milestone: Milestone, client: Client | null, extra: Partial<CardContext> = {}): CardView {
  const check = evaluateBillingRules(milestone, client, policy);
  return buildCardView({
    milestone,
    client,
    invoice: null,
    check,
    blockers: check.blockers,
    plan: planInvoice(milestone, client, check),
    autoSendAt: null,
    now: new Date('2026-11-21T12:00:00Z'),
    policy,
    sendError: null,
    ...extra,
  });
}
