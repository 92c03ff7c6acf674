import { describe, expect, it } from 'vitest';
import { decide, type Action, type MilestoneState } from '../../src/domain/decide.js';
import type { InvoiceSnapshot, Milestone } from '../../src/domain/milestone.js';
import { aClient, aMilestone, anInvoice, policy } from '../support/records.js';

const now = new Date('2026-11-21T12:00:00Z');

function state(milestone: Partial<Milestone>, extra: Partial<MilestoneState> = {}): MilestoneState {
  return {
    milestone: aMilestone(milestone),
    client: aClient({ stripeCustomerId: 'cus_acme' }),
    invoice: null,
    invoiceProblem: null,
    renderedCardKey: null,
    acceptedSeenAt: null,
    cardRef: '',
    notEmailed: null,
    notesPosted: new Set(),
    ...extra,
  };
}

/** Applies decide()'s ledger actions the way the workflows do, so idempotence can be checked. */
function apply(s: MilestoneState, actions: Action[]): MilestoneState {
  let m = s.milestone;
  let renderedCardKey = s.renderedCardKey;
  const notesPosted = new Set(s.notesPosted);
  for (const a of actions) {
    if (a.type === 'post-note') notesPosted.add(a.note.key);
    if (a.type === 'fill-completed') m = { ...m, completed: a.value };
    if (a.type === 'fill-accepted') m = { ...m, accepted: a.value };
    if (a.type === 'write-blockers') m = { ...m, blockers: a.text };
    if (a.type === 'record-invoice') m = { ...m, invoice: { ...m.invoice, ...a.record } };
    if (a.type === 'render-card') {
      renderedCardKey = a.key;
      m = { ...m, slackCard: 'C1/1.0' };
    }
  }
  return { ...s, milestone: m, renderedCardKey, cardRef: m.slackCard, notesPosted };
}

function settle(s: MilestoneState, at = now): { state: MilestoneState; rounds: Action[][] } {
  const rounds: Action[][] = [];
  let current = s;
  for (let i = 0; i < 6; i += 1) {
    const actions = decide(current, at, policy).filter((a) => a.type !== 'send-invoice');
    if (actions.length === 0) return { state: current, rounds };
    rounds.push(actions);
    current = apply(current, actions);
  }
  throw new Error(`decide() did not settle: ${JSON.stringify(rounds.at(-1))}`);
}

const openInvoice: InvoiceSnapshot = anInvoice();

describe('decide', () => {
  it('does nothing for planned work', () => {
    expect(decide(state({ stage: 'Planned', accepted: null }), now, policy)).toEqual([]);
  });

  it('fills Completed, writes the acceptance blocker, then posts a delivered card', () => {
    const { rounds, state: settled } = settle(state({ stage: 'Delivered', completed: null, accepted: null }));
    expect(rounds[0]?.map((a) => a.type)).toEqual(['fill-completed', 'write-blockers']);
    const card = rounds[1]?.[0];
    expect(card?.type === 'render-card' && card.view.kind).toBe('delivered');
    expect(decide(settled, now, policy)).toEqual([]);
  });

  it('flags a delivery left unaccepted for 24 hours', () => {
    const s = state({ stage: 'Delivered', completed: '2026-11-19T09:00:00Z', accepted: null });
    const card = settle(s)
      .rounds.flat()
      .find((a) => a.type === 'render-card');
    expect(card?.type === 'render-card' && card.view.kind === 'delivered' && card.view.acceptanceOverdue).toBe(true);
    // The prompt is also a reply under the card that needs the founder, posted once, after the card.
    const rounds = settle(s).rounds;
    const notes = rounds.flat().filter((a) => a.type === 'post-note');
    expect(notes).toHaveLength(1);
    expect(rounds.findIndex((r) => r.some((a) => a.type === 'post-note'))).toBeGreaterThan(rounds.findIndex((r) => r.some((a) => a.type === 'render-card')));
    const note = notes[0]?.type === 'post-note' ? notes[0].note : null;
    expect(note?.needsFounder).toBe(true);
    expect(note?.draft?.text).toMatch(/^Hi Dana,/);
  });

  it('auto-sends a complete milestone once the grace period has passed', () => {
    const s = state({ accepted: '2026-11-21T09:00:00Z' });
    expect(decide(s, new Date('2026-11-21T10:59:00Z'), policy).map((a) => a.type)).toEqual(['render-card']);
    expect(decide(s, new Date('2026-11-21T11:00:00Z'), policy)).toEqual([{ type: 'send-invoice', trigger: 'auto' }]);
  });

  it('counts the grace period from first sight when Accepted has no time', () => {
    const s = state({ accepted: '2026-11-21' }, { acceptedSeenAt: new Date('2026-11-21T11:30:00Z') });
    expect(decide(s, now, policy).some((a) => a.type === 'send-invoice')).toBe(false);
    expect(decide(s, new Date('2026-11-21T13:30:00Z'), policy).some((a) => a.type === 'send-invoice')).toBe(true);
  });

  it.each([
    ['the client wants review', { reviewBeforeSend: true }, {}],
    ['a rule fails', {}, { poNumber: '', changeOrderRequired: true }],
  ])('never auto-sends when %s', (_label, client, milestone) => {
    const s = { ...state(milestone), client: aClient({ stripeCustomerId: 'cus_acme', ...client }) };
    expect(decide(s, new Date('2026-11-23T00:00:00Z'), policy).some((a) => a.type === 'send-invoice')).toBe(false);
  });

  it('loads the invoice of a send that stopped after the invoice id was recorded', () => {
    const s = state({ invoice: { ...aMilestone().invoice, id: 'in_1', status: 'Draft' } });
    expect(decide(s, now, policy)).toEqual([{ type: 'load-invoice' }]);
  });

  it('records a payment once and then settles', () => {
    const sent = aMilestone({
      invoice: {
        ...aMilestone().invoice,
        id: 'in_1',
        status: 'Sent',
        number: 'CASH-0001',
        link: 'https://pay.test/in_1',
        due: '2026-12-04',
        sent: '2026-11-20T11:00:00+01:00',
      },
    });
    const paid: InvoiceSnapshot = { ...openInvoice, status: 'paid', amountPaid: 250000, amountRemaining: 0, paidAt: '2026-11-21T11:00:00Z' };
    const { rounds, state: settled } = settle({ ...state({}), milestone: sent, invoice: paid });
    const record = rounds[0]?.[0];
    expect(record).toMatchObject({ type: 'record-invoice', transition: 'paid', record: { status: 'Paid', amountPaid: 2500 } });
    expect(decide(settled, now, policy)).toEqual([]);
  });

  it('reports a partial payment with what remains', () => {
    const sent = aMilestone({
      invoice: { ...aMilestone().invoice, id: 'in_1', status: 'Sent', number: 'CASH-0001', link: 'https://pay.test/in_1', due: '2026-12-04' },
    });
    const partial: InvoiceSnapshot = { ...openInvoice, amountPaid: 100000, amountRemaining: 150000 };
    const { rounds } = settle({ ...state({}), milestone: sent, invoice: partial });
    expect(rounds[0]?.[0]).toMatchObject({ transition: 'partially_paid', record: { status: 'Sent', amountPaid: 1000 } });
    const card = rounds[1]?.[0];
    expect(card?.type === 'render-card' && card.view.kind === 'invoice' && card.view.remaining).toBe('USD 1,500.00');
  });
});
