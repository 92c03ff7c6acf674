/**
 * The promises a founder relies on, stepped by hand: events apply once, a double click sends once,
 * payments made while the bot was down are found, auto-send waits for its time, invoices carry the
 * client's tax, PO and tax id, and a card deleted in Slack is posted again.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createStripeClient } from '../../src/billing/stripe-client.js';
import { harness, webhookEvents, type Harness } from '../support/harness.js';
import { APPROVER, CHANNEL, STRIPE_KEY, createWorld, date, select, type World } from '../support/world.js';

const T0 = new Date('2026-12-01T10:00:00Z');
const HOUR = 3600_000;
const evidence = { 'Acceptance evidence': { url: 'https://mail.example.test/ok' } };
const PAYMENT_EVENTS = ['invoice.paid', 'invoice_payment.paid'];

let world: World;
let h: Harness;

beforeEach(async () => {
  world = await createWorld();
  h = await harness(world, { now: T0 });
});
afterEach(async () => world.close());

const stripe = () => createStripeClient(STRIPE_KEY, world.servers[0]?.url);
const comments = (id: string, text: string) => world.notion.emulator.commentsOn(id).filter((c) => c.includes(text));

async function sentMilestone(clientExtra: Record<string, unknown> = {}): Promise<{ id: string; invoiceId: string }> {
  const client = await world.addClient('Acme', { 'Review before send': { checkbox: true }, ...clientExtra });
  const id = await world.addMilestone('Homepage design approved', client, { Stage: select('Accepted'), ...evidence });
  await h.tick();
  expect(await h.actions.send(id, APPROVER, h.sendFingerprint(id))).toEqual({ ok: true });
  return { id, invoiceId: String(world.values(id)['Invoice ID']) };
}

describe('Stripe events', () => {
  it('apply a payment once, whether delivered twice by webhook or by webhook and polling', async () => {
    const { id, invoiceId } = await sentMilestone();
    world.stripe.pay(invoiceId);
    for (const event of webhookEvents(world, PAYMENT_EVENTS)) await h.payments.receive(event);
    expect(world.values(id)).toMatchObject({ 'Invoice status': 'Paid', 'Amount paid': 2500 });
    const writes = () => world.notion.emulator.requests.filter((r) => r.method === 'PATCH' && r.path.includes(id)).length;
    const writesWhenPaid = writes();
    const updatesWhenPaid = world.slack.channelMessages(CHANNEL)[0]?.updates;

    for (const event of webhookEvents(world, PAYMENT_EVENTS)) await h.payments.receive(event);
    await h.payments.poll();
    await h.tick();
    expect(comments(id, 'paid in full')).toHaveLength(1);
    expect(writes()).toBe(writesWhenPaid);
    expect(world.slack.channelMessages(CHANNEL)[0]?.updates).toBe(updatesWhenPaid);
  });

  it('apply an event whose first delivery failed when Stripe delivers it again', async () => {
    const { id, invoiceId } = await sentMilestone();
    // Stripe fails the bot's re-read of the invoice (the SDK tries three times).
    world.stripe.injectFaults(3, { method: 'GET', path: new RegExp(`^/v1/invoices/${invoiceId}$`) });
    world.stripe.pay(invoiceId);
    const [paid] = webhookEvents(world, ['invoice.paid']);
    if (!paid) throw new Error('no invoice.paid event');
    await expect(h.payments.receive(paid)).rejects.toMatchObject({ retryable: true });
    expect(world.values(id)['Invoice status']).toBe('Sent');

    await h.payments.receive(paid);
    expect(world.values(id)['Invoice status']).toBe('Paid');
    expect(comments(id, 'paid in full')).toHaveLength(1);
  });

  it('are not needed to find payments made while the bot was down', async () => {
    const { id, invoiceId } = await sentMilestone();
    world.stripe.pay(invoiceId);
    // Older than the event window: only reading the open invoices at start can see it.
    world.stripe.events.length = 0;
    const restarted = await harness(world, { now: T0 });
    await restarted.tick();
    expect(world.values(id)['Invoice status']).toBe('Paid');
    expect(world.slack.channelMessages(CHANNEL)).toHaveLength(1);
  });
});

describe('Stripe-side endings', () => {
  it.each([
    ['voided', 'voidInvoice', 'Void', 'void'],
    ['marked uncollectible', 'markUncollectible', 'Uncollectible', 'marked uncollectible'],
  ] as const)('an invoice %s in the dashboard shows as such in Notion and on the card', async (_label, method, status, word) => {
    const { id, invoiceId } = await sentMilestone();
    await stripe().invoices[method](invoiceId);
    await h.payments.poll();
    expect(world.values(id)['Invoice status']).toBe(status);
    expect(h.card(id)?.text).toContain(word);
  });
});

describe('clicks', () => {
  it('send once when Send is double-clicked', async () => {
    const client = await world.addClient('Acme', { 'Review before send': { checkbox: true } });
    const id = await world.addMilestone('Homepage design approved', client, { Stage: select('Accepted'), ...evidence });
    await h.tick();
    const fingerprint = h.sendFingerprint(id);
    const results = await Promise.all([h.actions.send(id, APPROVER, fingerprint), h.actions.send(id, APPROVER, fingerprint)]);
    expect(results).toEqual([{ ok: true }, { ok: true, message: expect.stringContaining('already sent') }]);
    const invoiceId = String(world.values(id)['Invoice ID']);
    expect(world.stripe.invoices.size).toBe(1);
    expect(world.stripe.sends.get(invoiceId)).toBe(1);
    expect(world.stripe.items.size).toBe(1);
  });

  it('draft a change order once, as a new Planned milestone', async () => {
    const client = await world.addClient('Umbrella', { 'Review before send': { checkbox: true } });
    const id = await world.addMilestone('Mobile app beta', client, {
      Stage: select('Accepted'),
      ...evidence,
      'Change order required': { checkbox: true },
      'Scope version': { rich_text: [{ text: { content: 'v3' } }] },
    });
    await h.tick();
    expect(await h.actions.draftChangeOrder(id, APPROVER)).toMatchObject({ ok: true, message: expect.stringContaining('Drafted') });
    expect(await h.actions.draftChangeOrder(id, APPROVER)).toMatchObject({ ok: true, message: expect.stringContaining('already drafted') });
    const drafts = world.notion.emulator
      .rowsOf(world.notion.ledgerIds.milestonesDb)
      .map((r) => world.values(r))
      .filter((r) => String(r.Milestone).startsWith('Change order for: Mobile app beta'));
    expect(drafts).toEqual([expect.objectContaining({ Stage: 'Planned', 'Scope version': 'v4', Client: [client] })]);
    expect(world.stripe.invoices.size).toBe(0);
    expect(world.values(id)['Change order required']).toBe(true);
  });
});

describe('auto-send', () => {
  it('waits for the grace period after acceptance, says when on the card, then sends by itself', async () => {
    const client = await world.addClient('Hooli');
    const id = await world.addMilestone('Search tuning', client, { Stage: select('Accepted'), ...evidence, Accepted: date(T0.toISOString()) });
    await h.tick();
    expect(JSON.stringify(h.card(id)?.blocks)).toContain('Goes out by itself at');
    h.clock.advance(119 * 60_000);
    await h.tick();
    expect(world.stripe.invoices.size).toBe(0);
    h.clock.advance(60_000);
    await h.tick();
    expect(world.values(id)['Invoice status']).toBe('Sent');
    expect(JSON.stringify(h.card(id)?.blocks)).toContain('Auto-sent');
    expect(comments(id, 'auto-sent 120 minutes after acceptance')).toHaveLength(1);
  });

  it('counts from when the bot first saw it accepted, when Accepted holds a date only', async () => {
    const client = await world.addClient('Hooli');
    const id = await world.addMilestone('Search tuning', client, { Stage: select('Accepted'), ...evidence, Accepted: date('2026-12-01') });
    await h.tick();
    h.clock.advance(HOUR);
    await h.tick();
    expect(world.stripe.invoices.size).toBe(0);
    h.clock.advance(HOUR);
    await h.tick();
    expect(world.values(id)['Invoice status']).toBe('Sent');
  });
});

describe('invoice contents', () => {
  it("apply the client's tax rate, reuse one Stripe tax rate, and print PO and tax id", async () => {
    const client = await world.addClient('Wayne', {
      'Tax rate': { number: 20 },
      'Tax ID': { rich_text: [{ text: { content: 'GB123456789' } }] },
      'Review before send': { checkbox: true },
    });
    const first = await world.addMilestone('Phase one', client, {
      Stage: select('Accepted'),
      ...evidence,
      'PO number': { rich_text: [{ text: { content: 'PO-1' } }] },
    });
    const second = await world.addMilestone('Phase two', client, { Stage: select('Accepted'), ...evidence, Amount: { number: 999.99 } });
    await h.tick();
    for (const id of [first, second]) expect(await h.actions.send(id, APPROVER, h.sendFingerprint(id))).toEqual({ ok: true });
    const [one, two] = [first, second].map((id) => world.stripe.invoiceJson(String(world.values(id)['Invoice ID'])));
    expect(one).toMatchObject({
      subtotal: 250000,
      total: 300000,
      custom_fields: [
        { name: 'PO number', value: 'PO-1' },
        { name: 'Project', value: 'ACME-WEB' },
        { name: 'Client tax ID', value: 'GB123456789' },
      ],
    });
    expect(two).toMatchObject({ subtotal: 99999, total: 119999 });
    expect(world.stripe.taxRates.size).toBe(1);
    expect(world.stripe.customers.size).toBe(1);
    expect(String(world.values(client)['Stripe customer'])).toMatch(/^cus_/);
  });
});

describe('cards', () => {
  it('are posted again when deleted in Slack, and the new reference is saved', async () => {
    const client = await world.addClient('Acme', { 'Review before send': { checkbox: true } });
    const id = await world.addMilestone('Homepage design approved', client, { Stage: select('Accepted'), ...evidence });
    await h.tick();
    const first = world.slack.channelMessages(CHANNEL)[0];
    world.slack.messages.splice(0, world.slack.messages.length);
    world.edit(id, { Amount: { number: 2750 } });
    h.clock.advance(60_000);
    await h.tick();
    const fresh = world.slack.channelMessages(CHANNEL);
    expect(fresh).toHaveLength(1);
    expect(JSON.stringify(fresh[0]?.blocks)).toContain('USD 2,750.00');
    expect(fresh[0]?.ts).not.toBe(first?.ts);
    expect(world.values(id)['Slack card']).toBe(`${CHANNEL}/${fresh[0]?.ts}`);
  });
});

describe('client payment history', () => {
  it('is summed up from settled rows and written to the Clients table, without following those rows', async () => {
    const client = await world.addClient('Acme');
    const paid = (sent: string, paidOn: string, extra: Record<string, unknown> = {}) =>
      world.addMilestone(`Paid ${sent}`, client, {
        Stage: select('Accepted'),
        'Invoice status': select('Paid'),
        'Invoice sent': date(sent),
        'Invoice due': date('2026-05-15'),
        'Paid on': date(paidOn),
        ...extra,
      });
    await paid('2026-05-01', '2026-05-11');
    await paid('2026-05-01', '2026-05-21', { 'Dispute reason': select('PO mismatch') });
    await h.tick();
    expect(h.store.overview()).toEqual([]);
    await h.history.scan();
    expect(world.values(client)).toMatchObject({ 'Avg days to pay': 15, 'Paid invoices': 2, Disputes: 1 });
    expect(h.history.history(client).paidLate).toBe(1);
    const writes = world.notion.emulator.requests.filter((r) => r.method === 'PATCH').length;
    await h.history.scan();
    expect(world.notion.emulator.requests.filter((r) => r.method === 'PATCH').length).toBe(writes);
  });
});
