/**
 * What reaches the bot over HTTP as Slack and Stripe send it: signatures are checked, strangers
 * change nothing, and the modals a founder fills in land in Notion. (The workflows behind them are
 * stepped by hand in workflows.test.ts and money-safety.test.ts.)
 */
import Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { start } from '../../src/app/start.js';
import { ACTIONS } from '../../src/slack/blocks/card.js';
import { FIELDS } from '../../src/slack/blocks/modals.js';
import { silentLogger } from '../support/notion.js';
import { APPROVER, CHANNEL, createWorld, select, STRANGER, SLACK_SIGNING_SECRET, waitFor, type World } from '../support/world.js';

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
  // The first sync runs after start-up: wait until it has saved the card's reference too.
  await waitFor('card saved', () => world.values(id)['Slack card'] === `${CHANNEL}/${posted.ts}`);
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
});

describe('clicks', () => {
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
});
