/**
 * The promises a founder relies on: signatures are checked, events apply once, a double click
 * sends once, strangers change nothing, and payments made while the bot was down are found.
 */
import Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { start } from '../../src/app/start.js';
import { ACTIONS } from '../../src/slack/blocks/card.js';
import { FIELDS } from '../../src/slack/blocks/modals.js';
import { silentLogger } from '../support/notion.js';
import { APPROVER, CHANNEL, createWorld, select, STRANGER, STRIPE_WEBHOOK_SECRET, SLACK_SIGNING_SECRET, waitFor, type World } from '../support/world.js';

let world: World;
let bot: { stop(): Promise<void> } | null = null;

beforeEach(async () => {
  world = await createWorld();
});
afterEach(async () => {
  await bot?.stop();
  bot = null;
  await world.close();
});

async function run(mode: 'http' | 'socket' = 'http', extra: Record<string, string> = {}) {
  bot = await start(loadConfig(world.env(mode, extra)), silentLogger);
}

const card = (title: string) => world.slack.channelMessages(CHANNEL).find((m) => JSON.stringify(m.blocks).includes(title));

async function acceptedMilestone(clientExtra: Record<string, unknown> = {}): Promise<{ id: string; ts: string }> {
  const client = await world.addClient('Acme', { 'Review before send': { checkbox: true }, ...clientExtra });
  const id = await world.addMilestone('Homepage design approved', client, {
    Stage: select('Accepted'),
    'Acceptance evidence': { url: 'https://mail.example.test/ok' },
  });
  await run();
  const posted = await waitFor('review card', () => card('Homepage design approved'));
  return { id, ts: posted.ts };
}

async function sendAndWait(id: string, ts: string): Promise<string> {
  await world.slack.click(ts, ACTIONS.send, APPROVER);
  return waitFor('sent', () => world.values(id)['Invoice status'] === 'Sent' && String(world.values(id)['Invoice ID']));
}

describe('Slack request signatures', () => {
  beforeEach(async () => {
    await run();
  });
  const body = new URLSearchParams({ payload: JSON.stringify({ type: 'block_actions', user: { id: APPROVER }, actions: [] }) }).toString();

  it('refuses a forged signature with 401', async () => {
    const res = await world.slack.deliverRaw(body, 'application/x-www-form-urlencoded', { secret: 'not-the-signing-secret' });
    expect(res.status).toBe(401);
  });

  it('refuses a stale timestamp with 401', async () => {
    const res = await world.slack.deliverRaw(body, 'application/x-www-form-urlencoded', {
      timestamp: Math.floor(Date.now() / 1000) - 6 * 60,
      secret: SLACK_SIGNING_SECRET,
    });
    expect(res.status).toBe(401);
  });
});

describe('Stripe events', () => {
  it('refuses a webhook with a bad signature with 400, and changes nothing', async () => {
    const { id, ts } = await acceptedMilestone();
    const invoiceId = await sendAndWait(id, ts);
    const payload = JSON.stringify({ id: 'evt_forged', object: 'event', type: 'invoice.paid', data: { object: { id: invoiceId, object: 'invoice' } } });
    const header = Stripe.webhooks.generateTestHeaderString({ payload, secret: 'whsec_wrong' });
    const res = await fetch(`http://127.0.0.1:${world.botPort}/stripe/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': header },
      body: payload,
    });
    expect(res.status).toBe(400);
    const unsigned = await fetch(`http://127.0.0.1:${world.botPort}/stripe/webhook`, { method: 'POST', body: payload });
    expect(unsigned.status).toBe(400);
    expect(world.values(id)['Invoice status']).toBe('Sent');
  });

  it('applies a payment once, whether delivered twice by webhook or by webhook and polling', async () => {
    const { id, ts } = await acceptedMilestone();
    const invoiceId = await sendAndWait(id, ts);
    world.stripe.addWebhookEndpoint(`http://127.0.0.1:${world.botPort}/stripe/webhook`, STRIPE_WEBHOOK_SECRET);
    world.stripe.pay(invoiceId);
    await waitFor('paid', () => world.values(id)['Invoice status'] === 'Paid');
    await waitFor('payment comment', () => world.notion.emulator.commentsOn(id).some((c) => c.includes('paid in full')));
    await new Promise((r) => setTimeout(r, 500));
    const writesToPage = () => world.notion.emulator.requests.filter((r) => r.method === 'PATCH' && r.path.includes(id)).length;
    const writesWhenPaid = writesToPage();
    const updatesWhenPaid = world.slack.channelMessages(CHANNEL)[0]?.updates;
    const paidEvent = world.stripe.events.find((e) => e.type === 'invoice.paid');
    await world.stripe.redeliver(paidEvent?.id ?? '');
    await world.stripe.redeliver(paidEvent?.id ?? '');
    // Let the payment poll (1 s interval) see the same events too.
    await new Promise((r) => setTimeout(r, 2500));
    const paidComments = world.notion.emulator.commentsOn(id).filter((c) => c.includes('paid in full'));
    expect(paidComments).toHaveLength(1);
    expect(writesToPage()).toBe(writesWhenPaid);
    expect(world.slack.channelMessages(CHANNEL)[0]?.updates).toBe(updatesWhenPaid);
    expect(world.stripe.events.filter((e) => e.type === 'invoice.paid')).toHaveLength(1);
    expect(world.values(id)['Amount paid']).toBe(2500);
  });

  it('applies a payment event whose first delivery failed, when Stripe delivers it again', async () => {
    const client = await world.addClient('Acme', { 'Review before send': { checkbox: true } });
    const id = await world.addMilestone('Homepage design approved', client, {
      Stage: select('Accepted'),
      'Acceptance evidence': { url: 'https://mail.example.test/ok' },
    });
    // No polling: only webhook deliveries can bring the payment in.
    await run('http', { POLL_INTERVAL_SECONDS: '3600' });
    const posted = await waitFor('review card', () => card('Homepage design approved'));
    const invoiceId = await sendAndWait(id, posted.ts);
    world.stripe.addWebhookEndpoint(`http://127.0.0.1:${world.botPort}/stripe/webhook`, STRIPE_WEBHOOK_SECRET);
    // A payment raises two events; Stripe fails the bot's re-read of the invoice for both deliveries
    // (the SDK tries each three times), so neither can be applied the first time.
    world.stripe.injectFaults(6, { method: 'GET', path: new RegExp(`^/v1/invoices/${invoiceId}$`) });
    world.stripe.pay(invoiceId);
    await waitFor(
      'both deliveries failed',
      () => world.stripe.requests.filter((r) => r.path === `/v1/invoices/${invoiceId}` && r.status === 500).length === 6,
      15_000,
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(world.values(id)['Invoice status']).toBe('Sent');

    for (const event of world.stripe.events.filter((e) => e.type === 'invoice.paid' || e.type === 'invoice_payment.paid'))
      await world.stripe.redeliver(event.id);
    await waitFor('paid after redelivery', () => world.values(id)['Invoice status'] === 'Paid');
    await waitFor('payment comment', () => world.notion.emulator.commentsOn(id).some((c) => c.includes('paid in full')));
    expect(world.notion.emulator.commentsOn(id).filter((c) => c.includes('paid in full'))).toHaveLength(1);
  }, 30_000);

  it('finds payments made while the bot was down when it starts again', async () => {
    const { id, ts } = await acceptedMilestone();
    const invoiceId = await sendAndWait(id, ts);
    await bot?.stop();
    bot = null;
    // Older than the event window the poll looks at: only the start-up reconcile can see it.
    world.stripe.pay(invoiceId);
    world.stripe.events.length = 0;
    await run();
    await waitFor('paid after restart', () => world.values(id)['Invoice status'] === 'Paid');
    expect(world.slack.channelMessages(CHANNEL)).toHaveLength(1);
  });
});

describe('clicks', () => {
  it('sends once when Send is double-clicked', async () => {
    const { id, ts } = await acceptedMilestone();
    await Promise.all([world.slack.click(ts, ACTIONS.send, APPROVER), world.slack.click(ts, ACTIONS.send, APPROVER)]);
    const invoiceId = await waitFor('sent', () => world.values(id)['Invoice status'] === 'Sent' && String(world.values(id)['Invoice ID']));
    await waitFor('second click answered', () => world.slack.ephemerals.find((e) => e.text.includes('already sent')));
    expect(world.stripe.invoices.size).toBe(1);
    expect(world.stripe.sends.get(invoiceId)).toBe(1);
    expect(world.stripe.items.size).toBe(1);
  });

  it('changes nothing when a non-approver clicks Send or edits billing details', async () => {
    const { id, ts } = await acceptedMilestone();
    const before = world.values(id);
    await world.slack.click(ts, ACTIONS.send, STRANGER);
    await world.slack.click(ts, ACTIONS.editBilling, STRANGER);
    await waitFor('two refusals', () => world.slack.ephemerals.filter((e) => e.user === STRANGER).length === 2);
    expect(world.stripe.invoices.size).toBe(0);
    expect(world.slack.views).toHaveLength(0);
    expect(world.values(id)).toEqual(before);
  });

  it('edits billing details in a modal, writes them to Notion and unblocks the card', async () => {
    const client = await world.addClient('Globex', {
      'Billing email': { email: null },
      'PO required': { checkbox: true },
      'Review before send': { checkbox: true },
    });
    const id = await world.addMilestone('API integration', client, {
      Stage: select('Accepted'),
      'Acceptance evidence': { url: 'https://mail.example.test/ok' },
    });
    await run();
    const posted = await waitFor('blocked card', () => card('API integration'));
    expect(JSON.stringify(posted.blocks)).not.toContain(ACTIONS.send);
    await waitFor('blockers in notion', () => String(world.values(id).Blockers).includes('no billing email'));

    await world.slack.click(posted.ts, ACTIONS.editBilling, APPROVER);
    const view = await waitFor('modal', () => world.slack.views[0]);
    const invalid = await world.slack.submitView(view.id, { [FIELDS.billingEmail]: 'not an email', [FIELDS.poNumber]: '', [FIELDS.taxId]: '???' }, APPROVER);
    // Every field is checked at once: the email, the PO this client requires, the tax id.
    expect(Object.keys(JSON.parse(invalid.body).errors).sort()).toEqual([FIELDS.billingEmail, FIELDS.poNumber, FIELDS.taxId].sort());
    expect(world.values(client)['Tax ID']).toBe('');

    await world.slack.submitView(view.id, { [FIELDS.billingEmail]: 'ap@globex.test', [FIELDS.poNumber]: 'PO-9', [FIELDS.taxId]: 'DE123456789' }, APPROVER);
    await waitFor('send button', () => JSON.stringify(card('API integration')?.blocks).includes(ACTIONS.send));
    expect(world.values(id)['PO number']).toBe('PO-9');
    expect(world.values(client)['Billing email']).toBe('ap@globex.test');
    expect(world.values(client)['Tax ID']).toBe('DE123456789');
    expect(world.values(id).Blockers).toBe('');
  });

  it('asks for the acceptance evidence link when accepting without one', async () => {
    const client = await world.addClient('Initech');
    const id = await world.addMilestone('Data migration', client, { Stage: select('Delivered') });
    await run();
    const posted = await waitFor('card', () => card('Data migration'));
    await world.slack.click(posted.ts, ACTIONS.accept, APPROVER);
    const view = await waitFor('evidence modal', () => world.slack.views[0]);
    await world.slack.submitView(view.id, { [FIELDS.evidence]: 'https://mail.example.test/initech/yes' }, APPROVER);
    await waitFor('accepted', () => world.values(id).Stage === 'Accepted');
    expect(world.values(id)['Acceptance evidence']).toBe('https://mail.example.test/initech/yes');
  });

  it('drafts a change order as a new Planned milestone', async () => {
    const client = await world.addClient('Umbrella', { 'Review before send': { checkbox: true } });
    const id = await world.addMilestone('Mobile app beta', client, {
      Stage: select('Accepted'),
      'Change order required': { checkbox: true },
      'Acceptance evidence': { url: 'https://mail.example.test/ok' },
      'Scope version': { rich_text: [{ text: { content: 'v3' } }] },
    });
    await run();
    const posted = await waitFor('card', () => card('Mobile app beta'));
    await world.slack.click(posted.ts, ACTIONS.draftChangeOrder, APPROVER);
    await waitFor('reply', () => world.slack.ephemerals.find((e) => e.text.includes('Drafted')));
    const rows = world.notion.emulator.rowsOf(world.notion.ledgerIds.milestonesDb).map((r) => world.values(r));
    const draft = rows.find((r) => String(r.Milestone).startsWith('Change order for: Mobile app beta'));
    expect(draft).toMatchObject({ Stage: 'Planned', 'Scope version': 'v4', Client: [client] });
    // A second click finds the first draft instead of making another.
    await world.slack.click(posted.ts, ACTIONS.draftChangeOrder, APPROVER);
    await waitFor('second reply', () => world.slack.ephemerals.find((e) => e.text.includes('already drafted')));
    const drafts = world.notion.emulator
      .rowsOf(world.notion.ledgerIds.milestonesDb)
      .filter((r) => String(world.values(r).Milestone).startsWith('Change order for:'));
    expect(drafts).toHaveLength(1);
    expect(world.stripe.invoices.size).toBe(0);
    expect(world.values(id)['Change order required']).toBe(true);
  });
});

describe('auto-send', () => {
  it('sends by itself once the grace period after acceptance has passed', async () => {
    const client = await world.addClient('Hooli');
    const id = await world.addMilestone('Search tuning', client, {
      Stage: select('Accepted'),
      'Acceptance evidence': { url: 'https://mail.example.test/ok' },
      Accepted: { date: { start: new Date(Date.now() - 3 * 3600_000).toISOString() } },
    });
    await run();
    await waitFor('auto-sent', () => world.values(id)['Invoice status'] === 'Sent');
    await waitFor('card says auto-sent', () => JSON.stringify(card('Search tuning')?.blocks).includes('Auto-sent'));
    expect(world.notion.emulator.commentsOn(id).some((c) => c.includes('auto-sent'))).toBe(true);
  });

  it('says on the card when it will go, and waits', async () => {
    const client = await world.addClient('Hooli');
    const id = await world.addMilestone('Search tuning', client, {
      Stage: select('Accepted'),
      'Acceptance evidence': { url: 'https://mail.example.test/ok' },
      Accepted: { date: { start: new Date().toISOString() } },
    });
    await run();
    const posted = await waitFor('card', () => card('Search tuning'));
    expect(JSON.stringify(posted.blocks)).toContain('Goes out by itself at');
    await new Promise((r) => setTimeout(r, 1500));
    expect(world.stripe.invoices.size).toBe(0);
    expect(world.values(id)['Invoice status']).toBeNull();
  });
});

describe('invoice contents', () => {
  it("applies the client's tax rate, reuses one Stripe tax rate, and prints PO and tax id", async () => {
    const client = await world.addClient('Wayne', {
      'Tax rate': { number: 20 },
      'Tax ID': { rich_text: [{ text: { content: 'GB123456789' } }] },
      'Review before send': { checkbox: true },
    });
    const first = await world.addMilestone('Phase one', client, {
      Stage: select('Accepted'),
      'Acceptance evidence': { url: 'https://mail.example.test/ok' },
      'PO number': { rich_text: [{ text: { content: 'PO-1' } }] },
    });
    const second = await world.addMilestone('Phase two', client, {
      Stage: select('Accepted'),
      'Acceptance evidence': { url: 'https://mail.example.test/ok' },
      Amount: { number: 999.99 },
    });
    await run();
    for (const id of [first, second]) {
      const posted = await waitFor('card', () => world.slack.channelMessages(CHANNEL).find((m) => JSON.stringify(m.blocks).includes(`cashin_card:${id}`)));
      await sendAndWait(id, posted.ts);
    }
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
  it('posts a fresh card when the old one was deleted in Slack', async () => {
    const { id, ts } = await acceptedMilestone();
    world.slack.messages.splice(0, world.slack.messages.length);
    world.edit(id, { Amount: { number: 2750 } });
    await waitFor('new card', () => world.slack.channelMessages(CHANNEL).length === 1);
    expect(JSON.stringify(world.slack.channelMessages(CHANNEL)[0]?.blocks)).toContain('USD 2,750.00');
    const fresh = world.slack.channelMessages(CHANNEL)[0];
    expect(fresh?.ts).not.toBe(ts);
    await waitFor('ref updated', () => world.values(id)['Slack card'] === `${CHANNEL}/${fresh?.ts}`);
  });
});
