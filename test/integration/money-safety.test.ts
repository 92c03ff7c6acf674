/**
 * Billed exactly as approved: the money paths, stepped by hand against the emulators. Each test
 * reproduces a way a client could be billed something the founder never approved, or an invoice
 * Cashin did not make could be touched, or one bad event could stop payments.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createStripeClient } from '../../src/billing/stripe-client.js';
import { harness, type Harness } from '../support/harness.js';
import { APPROVER, STRIPE_KEY, createWorld, date, select, type World } from '../support/world.js';

const T0 = new Date('2026-12-01T10:00:00Z');
const HOUR = 3600_000;
const text = (v: string) => ({ rich_text: [{ text: { content: v } }] });
const evidence = { 'Acceptance evidence': { url: 'https://mail.example.test/ok' } };

let world: World;
let h: Harness;

beforeEach(async () => {
  world = await createWorld();
  h = await harness(world, { now: T0 });
});
afterEach(async () => world.close());

const stripe = () => createStripeClient(STRIPE_KEY, world.servers[0]?.url);
const invoices = () => [...world.stripe.invoices.values()];
const finalized = () => invoices().filter((i) => i.status !== 'draft');
const blocks = (id: string) => JSON.stringify(h.card(id)?.blocks ?? []);
const comments = (id: string) => world.notion.emulator.commentsOn(id);

async function accepted(clientExtra: Record<string, unknown> = {}, milestoneExtra: Record<string, unknown> = {}): Promise<{ client: string; id: string }> {
  const client = await world.addClient('Acme', { 'Review before send': { checkbox: true }, ...clientExtra });
  const id = await world.addMilestone('Homepage design', client, { Stage: select('Accepted'), ...evidence, ...milestoneExtra });
  return { client, id };
}

/** Clicks Send on the card as it is now. */
async function clickSend(id: string) {
  return h.actions.send(id, APPROVER, h.sendFingerprint(id));
}

describe('what is billed is what the founder saw', () => {
  it('a click on a card showing 2,500 bills nothing once the row says 9,999, and redraws the card', async () => {
    const { id } = await accepted();
    await h.tick();
    const shown = h.sendFingerprint(id);
    expect(blocks(id)).toContain('USD 2,500.00');

    world.edit(id, { Amount: { number: 9999 } });
    const result = await h.actions.send(id, APPROVER, shown);
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/Nothing was billed: the amount changed/);
    expect(result.message).toContain('USD 9,999.00');
    expect(invoices()).toEqual([]);
    expect(blocks(id)).toContain('USD 9,999.00');
    expect(h.sendFingerprint(id)).not.toBe(shown);

    expect(await clickSend(id)).toEqual({ ok: true });
    expect(world.stripe.invoiceJson(String(world.values(id)['Invoice ID']))).toMatchObject({ total: 999_900, status: 'open' });
  });

  it('shows the tax rate and the total with tax on the review card, and bills that total', async () => {
    const { id } = await accepted({ 'Tax rate': { number: 20 } });
    await h.tick();
    expect(blocks(id)).toContain('20 %: USD 500.00');
    expect(blocks(id)).toContain('*USD 3,000.00*');
    expect(await clickSend(id)).toEqual({ ok: true });
    expect(world.stripe.invoiceJson(String(world.values(id)['Invoice ID']))).toMatchObject({ subtotal: 250_000, total: 300_000 });
  });

  it('auto-send reads the row again just before sending and applies every rule', async () => {
    const { id } = await accepted({ 'Review before send': { checkbox: false } }, { Accepted: date(T0.toISOString()) });
    await h.tick();
    expect(blocks(id)).toContain('Goes out by itself');
    // The row changes in Notion; the bot's last poll has not seen it when the grace period runs out.
    world.edit(id, { 'Change order required': { checkbox: true } });
    h.clock.advance(3 * HOUR);
    await h.settler.settleAll();
    expect(invoices()).toEqual([]);
    await h.tick();
    expect(String(world.values(id).Blockers)).toContain('change order is pending');
  });
});

describe('a resumed send re-checks everything', () => {
  it('finalize fails, then amount and currency change: the draft is deleted, and the new amount is billed on a click', async () => {
    const { id } = await accepted();
    await h.tick();
    world.stripe.injectFaults(1000, { method: 'POST', path: /\/finalize$/ });
    const first = await clickSend(id);
    expect(first).toMatchObject({ ok: false, message: expect.stringContaining('Stripe did not answer') });
    expect(world.values(id)['Invoice status']).toBe('Draft');
    const draft = String(world.values(id)['Invoice ID']);

    world.edit(id, { Amount: { number: 9999 }, Currency: select('EUR') });
    await h.tick();
    world.stripe.clearFaults();
    expect(world.stripe.invoices.has(draft)).toBe(false);
    expect(world.values(id)['Invoice ID']).toBe('');
    expect(comments(id).some((c) => c.includes(`deleted the draft invoice ${draft}`) && c.includes('amount, currency'))).toBe(true);
    // This client reviews before sending: nothing goes out without a new click.
    await h.tick();
    expect(finalized()).toEqual([]);
    expect(blocks(id)).toContain('EUR 9,999.00');

    expect(await clickSend(id)).toEqual({ ok: true });
    expect(finalized().map((i) => [i.currency, world.stripe.invoiceJson(i.id).total])).toEqual([['eur', 999_900]]);
  });

  it('the same failure, then the stage moves back and the bot restarts: nothing is billed', async () => {
    const { id } = await accepted();
    await h.tick();
    world.stripe.injectFaults(1000, { method: 'POST', path: /\/finalize$/ });
    await clickSend(id);
    const draft = String(world.values(id)['Invoice ID']);
    world.edit(id, { Stage: select('Delivered') });
    world.stripe.clearFaults();

    const restarted = await harness(world, { now: T0 });
    await restarted.tick();
    expect(world.stripe.invoices.has(draft)).toBe(false);
    expect(world.values(id)).toMatchObject({ 'Invoice ID': '', 'Invoice status': null });
    expect(finalized()).toEqual([]);
    expect(world.stripe.sends.size).toBe(0);
    expect(comments(id).some((c) => c.includes('Stage is "Delivered" now'))).toBe(true);
  });

  it('a send Stripe refused is written to the row and waits for the founder, even after a restart', async () => {
    const { id } = await accepted();
    await h.tick();
    world.stripe.injectFaults(
      1,
      { method: 'POST', path: /\/finalize$/ },
      { status: 400, type: 'invalid_request_error', message: 'The account cannot finalize invoices right now.' },
    );
    expect(await clickSend(id)).toMatchObject({ ok: false, message: expect.stringContaining('cannot finalize invoices') });
    await h.tick();
    expect(String(world.values(id).Blockers)).toMatch(/^Send failed: .*cannot finalize invoices/m);

    const restarted = await harness(world, { now: T0 });
    await restarted.tick();
    const finalizes = () => world.stripe.requests.filter((r) => r.path.endsWith('/finalize')).length;
    const before = finalizes();
    restarted.clock.advance(HOUR);
    await restarted.tick();
    expect(finalizes()).toBe(before);
    expect(blocks(id)).toContain('The last send failed');

    expect(await restarted.actions.send(id, APPROVER, restarted.sendFingerprint(id))).toEqual({ ok: true });
    expect(world.values(id)).toMatchObject({ 'Invoice status': 'Sent', Blockers: '' });
  });
});

describe('Cashin acts only on its own invoices', () => {
  it('never finalizes an invoice id of another customer pasted into a row', async () => {
    const other = await stripe().customers.create({ name: 'Someone else', email: 'ap@else.test' });
    const foreign = await stripe().invoices.create({ customer: other.id, collection_method: 'send_invoice', days_until_due: 30, currency: 'usd' });
    await stripe().invoiceItems.create({ customer: other.id, invoice: foreign.id, amount: 5000, currency: 'usd' });
    const { id } = await accepted(
      { 'Review before send': { checkbox: false } },
      {
        Accepted: date(new Date(T0.getTime() - 5 * HOUR).toISOString()),
        'Invoice ID': text(foreign.id),
        'Invoice status': select('Draft'),
      },
    );
    await h.tick();
    h.clock.advance(HOUR);
    await h.tick();
    expect(String(world.values(id).Blockers)).toContain(`Invoice ${foreign.id} was not created by Cashin`);
    expect(world.stripe.invoices.get(foreign.id)?.status).toBe('draft');
    expect(world.stripe.requests.filter((r) => r.path.includes(foreign.id) && r.method === 'POST')).toEqual([]);
    expect(blocks(id)).not.toContain('cashin_send');
    expect(await h.actions.send(id, APPROVER, null)).toMatchObject({ ok: false, message: expect.stringContaining('not an invoice Cashin made') });
    expect(world.stripe.invoices.get(foreign.id)?.status).toBe('draft');
  });

  it('refuses an invoice naming this milestone but billed to another customer', async () => {
    const { id } = await accepted();
    const other = await stripe().customers.create({ name: 'Someone else', email: 'ap@else.test' });
    const lookalike = await stripe().invoices.create({
      customer: other.id,
      collection_method: 'send_invoice',
      days_until_due: 30,
      currency: 'usd',
      metadata: { cashin_milestone: id, cashin_sent_by: APPROVER },
    });
    world.edit(id, { 'Invoice ID': text(lookalike.id), 'Invoice status': select('Draft') });
    await h.tick();
    expect(String(world.values(id).Blockers)).toContain('was not created by Cashin for this milestone and client');
    expect(world.stripe.invoices.get(lookalike.id)?.status).toBe('draft');
  });

  it('writes a payment only to the row the invoice was made for, not to a duplicated row', async () => {
    const { client, id } = await accepted();
    await h.tick();
    await clickSend(id);
    const invoiceId = String(world.values(id)['Invoice ID']);
    const copy = await world.addMilestone('Homepage design (copy)', client, {
      Stage: select('Accepted'),
      ...evidence,
      'Invoice ID': text(invoiceId),
      'Invoice status': select('Sent'),
    });
    await h.tick();
    expect(String(world.values(copy).Blockers)).toContain('was not created by Cashin for this milestone');

    world.stripe.pay(invoiceId);
    await h.payments.poll();
    await h.tick();
    expect(world.values(id)).toMatchObject({ 'Invoice status': 'Paid', 'Amount paid': 2500 });
    expect(world.values(copy)).toMatchObject({ 'Invoice status': 'Sent', 'Amount paid': null, 'Paid on': null });
  });
});

describe('a new attempt gets new keys', () => {
  it('void, then send again: a new invoice goes out', async () => {
    const { id } = await accepted();
    await h.tick();
    await clickSend(id);
    const first = String(world.values(id)['Invoice ID']);
    await stripe().invoices.voidInvoice(first);
    await h.payments.poll();
    expect(world.values(id)['Invoice status']).toBe('Void');

    // The founder clears the invoice columns in Notion to bill the milestone again.
    world.edit(id, { 'Invoice ID': text(''), 'Invoice status': { select: null } });
    await h.tick();
    expect(await clickSend(id)).toEqual({ ok: true });
    const second = String(world.values(id)['Invoice ID']);
    expect(second).not.toBe(first);
    expect(world.stripe.invoices.get(second)?.status).toBe('open');
    expect(world.stripe.sends.get(second)).toBe(1);
    expect(world.values(id)['Invoice status']).toBe('Sent');
  });

  it('makes a new customer when the old one was deleted and cleared, and renames it with the client', async () => {
    const { client, id } = await accepted();
    await h.tick();
    await clickSend(id);
    const firstCustomer = String(world.values(client)['Stripe customer']);
    await stripe().customers.del(firstCustomer);
    world.edit(client, { 'Stripe customer': text(''), Client: { title: [{ text: { content: 'Acme Studio' } }] } });
    const next = await world.addMilestone('Checkout flow', client, { Stage: select('Accepted'), ...evidence });
    await h.tick();
    expect(await clickSend(next)).toEqual({ ok: true });
    const secondCustomer = String(world.values(client)['Stripe customer']);
    expect(secondCustomer).toMatch(/^cus_/);
    expect(secondCustomer).not.toBe(firstCustomer);
    expect(world.stripe.customers.get(secondCustomer)).toMatchObject({ deleted: false, name: 'Acme Studio' });
    expect(world.stripe.invoiceJson(String(world.values(next)['Invoice ID'])).customer).toBe(secondCustomer);
  });

  it('does not replay a deleted customer when the client is unchanged', async () => {
    const { client, id } = await accepted();
    await h.tick();
    await clickSend(id);
    const firstCustomer = String(world.values(client)['Stripe customer']);
    await stripe().customers.del(firstCustomer);
    world.edit(client, { 'Stripe customer': text('') });
    const next = await world.addMilestone('Checkout flow', client, { Stage: select('Accepted'), ...evidence });
    await h.tick();
    expect(await clickSend(next)).toEqual({ ok: true });
    expect(String(world.values(client)['Stripe customer'])).not.toBe(firstCustomer);
  });
});

describe('holes found in review', () => {
  it('bills once when a double click meets a paid invoice whose sent state never reached Notion', async () => {
    const { id } = await accepted();
    await h.tick();
    const fingerprint = h.sendFingerprint(id);
    // Stripe sends and the client pays at once; then the write-back to Notion fails.
    world.stripe.hold({ method: 'POST', path: /\/send$/, once: true, run: async () => world.stripe.pay([...world.stripe.invoices.keys()][0] ?? '') });
    world.notion.emulator.injectFaults({ status: 409, match: { method: 'PATCH', bodyIncludes: 'Invoice sent' } });
    const [first, second] = await Promise.all([h.actions.send(id, APPROVER, fingerprint), h.actions.send(id, APPROVER, fingerprint)]);
    expect(first).toMatchObject({ ok: true, message: expect.stringContaining('went out') });
    expect(second).toMatchObject({ ok: true, message: expect.stringMatching(/already (sent|paid)/) });
    await h.payments.poll();
    await h.tick();
    expect(invoices()).toHaveLength(1);
    expect([...world.stripe.sends.values()]).toEqual([1]);
    expect(world.values(id)).toMatchObject({ 'Invoice status': 'Paid', 'Amount paid': 2500 });
  });

  it('bills nothing for a row deleted in Notion, before or during its send', async () => {
    const { id: waiting } = await accepted({ 'Review before send': { checkbox: false } }, { Accepted: date(T0.toISOString()) });
    await h.tick();
    world.notion.emulator.trashPage(waiting);
    h.clock.advance(3 * HOUR);
    await h.tick();
    expect(invoices()).toEqual([]);

    const { id: sending } = await accepted({}, { Milestone: { title: [{ text: { content: 'Checkout flow' } }] } });
    await h.tick();
    world.stripe.injectFaults(1000, { method: 'POST', path: /\/send$/ });
    await clickSend(sending);
    const started = String(world.values(sending)['Invoice ID']);
    expect(world.stripe.invoices.get(started)?.status).toBe('open');
    world.notion.emulator.trashPage(sending);
    world.stripe.clearFaults();
    await h.tick();
    await h.settler.settleAll();
    expect(world.stripe.invoices.get(started)?.status).toBe('void');
    expect(world.stripe.sends.size).toBe(0);
    expect(h.store.milestone(sending)).toBeUndefined();
  });

  it('sends again after a discarded draft, whatever else changed, without waiting a day for keys', async () => {
    const { id } = await accepted();
    await h.tick();
    world.stripe.injectFaults(1000, { method: 'POST', path: /\/finalize$/ });
    await clickSend(id);
    world.edit(id, { Amount: { number: 2600 } });
    await h.tick();
    expect(world.values(id)['Invoice ID']).toBe('');
    world.stripe.clearFaults();
    world.edit(id, { Amount: { number: 2500 }, Milestone: { title: [{ text: { content: 'Homepage design, final' } }] } });
    await h.tick();
    expect(await clickSend(id)).toEqual({ ok: true });
    expect(finalized().map((i) => world.stripe.invoiceJson(i.id).total)).toEqual([250_000]);
  });

  it('keeps an invoice finalized but never emailed under review, with a Send button that finishes it', async () => {
    const { id } = await accepted();
    await h.tick();
    world.stripe.injectFaults(
      1,
      { method: 'POST', path: /\/send$/ },
      { status: 400, type: 'invalid_request_error', message: 'Sending is paused on this account.' },
    );
    expect(await clickSend(id)).toMatchObject({ ok: false });
    const restarted = await harness(world, { now: T0 });
    await restarted.tick();
    const invoiceId = String(world.values(id)['Invoice ID']);
    expect(world.stripe.invoices.get(invoiceId)?.status).toBe('open');
    expect(blocks(id)).toContain('The last send failed');
    expect(blocks(id)).toContain('cashin_send');
    expect(await restarted.actions.send(id, APPROVER, restarted.sendFingerprint(id))).toEqual({ ok: true });
    expect(world.stripe.sends.get(invoiceId)).toBe(1);
    expect(invoices()).toHaveLength(1);
    expect(world.values(id)['Invoice status']).toBe('Sent');
  });

  it('records an invoice that was emailed although its write-back failed, even when auto-send no longer may send', async () => {
    const { client, id } = await accepted({ 'Review before send': { checkbox: false } }, { Accepted: date(new Date(T0.getTime() - 3 * HOUR).toISOString()) });
    world.notion.emulator.injectFaults({ status: 409, match: { method: 'PATCH', bodyIncludes: 'Invoice sent' } });
    await h.tick();
    const invoiceId = String(world.values(id)['Invoice ID']);
    expect(world.stripe.sends.get(invoiceId)).toBe(1);
    expect(world.values(id)['Invoice status']).toBe('Draft');
    world.edit(client, { 'Review before send': { checkbox: true } });
    await h.tick();
    await h.tick();
    expect(world.values(id)['Invoice status']).toBe('Sent');
    expect(world.stripe.sends.get(invoiceId)).toBe(1);
  });

  it('stops following a deleted row whose invoice had reached the client, and notices one deleted while its invoice waited', async () => {
    const { id: emailed } = await accepted({ 'Review before send': { checkbox: false } }, { Accepted: date(new Date(T0.getTime() - 3 * HOUR).toISOString()) });
    world.notion.emulator.injectFaults({ status: 409, match: { method: 'PATCH', bodyIncludes: 'Invoice sent' } });
    await h.tick();
    world.notion.emulator.trashPage(emailed);
    await h.settler.settleAll();
    await h.tick();
    expect(h.store.milestone(emailed)).toBeUndefined();

    const { id: waiting } = await accepted({}, { Milestone: { title: [{ text: { content: 'Checkout flow' } }] } });
    await h.tick();
    world.stripe.injectFaults(
      1,
      { method: 'POST', path: /\/send$/ },
      { status: 400, type: 'invalid_request_error', message: 'Sending is paused on this account.' },
    );
    await clickSend(waiting);
    const unsent = String(world.values(waiting)['Invoice ID']);
    world.notion.emulator.trashPage(waiting);
    await h.tick();
    expect(world.stripe.invoices.get(unsent)?.status).toBe('open');
    h.clock.advance(11 * 60_000);
    await h.tick();
    await h.tick();
    expect(world.stripe.invoices.get(unsent)?.status).toBe('void');
    expect(world.stripe.sends.get(unsent)).toBeUndefined();
  });

  it('settles when a blocker quotes text cut next to an emoji', async () => {
    const { id } = await accepted({ 'Tax ID': text(`${'A'.repeat(59)}${'🚀'.repeat(5)}`) });
    await h.tick();
    const writes = () => world.notion.emulator.requests.filter((r) => r.method === 'PATCH' && r.path.includes(id)).length;
    const before = writes();
    await h.tick();
    await h.tick();
    expect(writes()).toBe(before);
    expect(String(world.values(id).Blockers)).toContain('does not look like a tax id');
    expect(h.card(id)).toBeDefined();
  });

  it('says so when the draft a row points at was deleted in Stripe', async () => {
    const { id } = await accepted();
    await h.tick();
    world.stripe.injectFaults(1000, { method: 'POST', path: /\/finalize$/ });
    await clickSend(id);
    const draft = String(world.values(id)['Invoice ID']);
    await stripe().invoices.del(draft);
    world.stripe.clearFaults();
    await h.tick();
    await h.tick();
    expect(String(world.values(id).Blockers)).toContain(`Invoice ID "${draft}" is not an invoice in this Stripe account`);
    expect(finalized()).toEqual([]);
  });
});

describe('payment intake keeps going', () => {
  it('sets aside an event it cannot apply, and still records a later payment', async () => {
    // An invoice whose milestone page is gone from Notion: its events cannot be applied.
    const orphan = await stripe().customers.create({ email: 'ap@gone.test' });
    const lost = await stripe().invoices.create({
      customer: orphan.id,
      collection_method: 'send_invoice',
      days_until_due: 30,
      currency: 'usd',
      metadata: { cashin_milestone: randomUUID() },
    });
    await stripe().invoiceItems.create({ customer: orphan.id, invoice: lost.id, amount: 1000, currency: 'usd' });
    await stripe().invoices.finalizeInvoice(lost.id);

    const { id } = await accepted();
    await h.tick();
    await clickSend(id);
    world.stripe.pay(String(world.values(id)['Invoice ID']));
    await h.payments.poll();
    await h.tick();
    expect(world.values(id)['Invoice status']).toBe('Paid');

    for (let i = 0; i < 6; i += 1) {
      h.clock.advance(HOUR);
      await h.payments.poll();
    }
    expect(h.payments.setAside.map((e) => e.invoiceId)).toEqual([lost.id]);
  });

  it('applies a payment that lands while the send is finishing', async () => {
    const { id } = await accepted();
    await h.tick();
    let polled: Promise<void> | null = null;
    world.stripe.hold({
      method: 'POST',
      path: /\/send$/,
      once: true,
      run: async () => {
        // Stripe has emailed the invoice; the client pays, and the event is polled, before the bot
        // hears back. Given the time, the event would be applied and then overwritten by the send.
        const invoiceId = [...world.stripe.invoices.keys()][0] ?? '';
        world.stripe.pay(invoiceId);
        polled = h.payments.poll();
        await Promise.race([polled, new Promise((r) => setTimeout(r, 300))]);
      },
    });
    expect(await clickSend(id)).toEqual({ ok: true });
    await polled;
    await h.tick();
    expect(world.values(id)).toMatchObject({ 'Invoice status': 'Paid', 'Amount paid': 2500 });
    expect(blocks(id)).toContain('paid');
  });
});

describe('cards', () => {
  it('does not post a card again when its reference could not be saved to Notion', async () => {
    const client = await world.addClient('Acme');
    const id = await world.addMilestone('Homepage design', client, { Stage: select('Delivered') });
    world.notion.emulator.injectFaults(...Array.from({ length: 3 }, () => ({ status: 409 as const, match: { method: 'PATCH', bodyIncludes: 'Slack card' } })));
    for (let i = 0; i < 4; i += 1) await h.tick();
    expect(world.slack.messages).toHaveLength(1);
    expect(world.values(id)['Slack card']).toBe(`${world.slack.messages[0]?.channel}/${world.slack.messages[0]?.ts}`);
  });
});

describe("money follows Stripe's rules", () => {
  it.each([
    ['MGA', 10_000, 10_000],
    ['ISK', 5000, 500_000],
    ['JPY', 450_000, 450_000],
  ])("%s %s is billed, as %s in Stripe's minor units", async (currency, amount, minor) => {
    const { id } = await accepted({}, { Amount: { number: amount }, Currency: select(currency) });
    await h.tick();
    expect(await clickSend(id)).toEqual({ ok: true });
    expect(world.stripe.invoiceJson(String(world.values(id)['Invoice ID']))).toMatchObject({ currency: currency.toLowerCase(), total: minor });
  });

  it("blocks an amount below Stripe's minimum charge, which Stripe would mark paid with nothing collected", async () => {
    const { id } = await accepted({}, { Amount: { number: 0.4 } });
    await h.tick();
    expect(String(world.values(id).Blockers)).toContain("below Stripe's minimum charge of USD 0.50");
    expect(await h.actions.send(id, APPROVER, null)).toMatchObject({ ok: false });
    expect(invoices()).toEqual([]);
  });
});

describe("everything sent to Stripe fits Stripe's rules", () => {
  it.each([14.5, -3, 1000])('payment terms of %s days are a blocker on the client', async (terms) => {
    const { id } = await accepted({ 'Payment terms': { number: terms } });
    await h.tick();
    expect(String(world.values(id).Blockers)).toContain(`payment terms, ${terms}, are not a whole number of days`);
    expect(await h.actions.send(id, APPROVER, null)).toMatchObject({ ok: false });
    expect(invoices()).toEqual([]);
  });

  it('bills a milestone whose text has an emoji at every cut point', async () => {
    const emoji = (n: number) => '🚀'.repeat(n);
    const { id } = await accepted(
      { Client: { title: [{ text: { content: `Acme ${emoji(200)}` } }] } },
      {
        Milestone: { title: [{ text: { content: emoji(150) } }] },
        Project: text(emoji(100)),
        'Delivery evidence': text(emoji(600)),
        Outcome: text(`x${emoji(400)}`),
        'Next checkpoint': text(emoji(600)),
      },
    );
    await h.tick();
    expect(await clickSend(id)).toEqual({ ok: true });
    const invoice = world.stripe.invoiceJson(String(world.values(id)['Invoice ID']));
    const lone = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
    for (const field of [
      invoice.description,
      invoice.footer,
      JSON.stringify(invoice.custom_fields),
      world.stripe.customers.get(String(invoice.customer))?.name,
    ]) {
      expect(lone.test(String(field))).toBe(false);
    }
    expect(String(world.stripe.customers.get(String(invoice.customer))?.name).length).toBeLessThanOrEqual(256);
  });

  it('blocks a billing email longer than Stripe keeps', async () => {
    const { id } = await accepted({ 'Billing email': { email: `${'a'.repeat(520)}@acme.test` } });
    await h.tick();
    expect(String(world.values(id).Blockers)).toContain('is not an email address');
    expect(invoices()).toEqual([]);
  });
});
