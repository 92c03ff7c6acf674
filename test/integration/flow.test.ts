import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { start } from '../../src/app/start.js';
import { createLogger } from '../../src/log.js';
import { ACTIONS } from '../../src/slack/blocks/card.js';
import { silentLogger } from '../support/notion.js';
import { APPROVER, CHANNEL, createWorld, select, STRANGER, waitFor, type World } from '../support/world.js';

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

function cardFor(title: string) {
  return world.slack.channelMessages(CHANNEL).find((m) => m.text.includes(title));
}

describe('the billing loop, in process', () => {
  it('goes from Delivered to paid', async () => {
    const acme = await world.addClient('Acme');
    const id = await world.addMilestone('Homepage design', acme, { 'Acceptance evidence': { url: 'https://mail.example.test/ok' } });
    bot = await start(loadConfig(world.env('http')), process.env.CASHIN_TEST_LOGS ? createLogger('debug') : silentLogger);

    world.edit(id, { Stage: select('Delivered') });
    const card = await waitFor('delivered card', () => cardFor('Homepage design'));
    expect(JSON.stringify(card.blocks)).toContain(ACTIONS.accept);

    const refused = await world.slack.click(card.ts, ACTIONS.accept, STRANGER);
    expect(refused.status).toBe(200);
    await waitFor('refusal', () => world.slack.ephemerals.find((e) => e.user === STRANGER));
    expect(world.values(id).Stage).toBe('Delivered');

    await world.slack.click(card.ts, ACTIONS.accept, APPROVER);
    await waitFor('review card', () => cardFor('Homepage design')?.text.startsWith('Invoice review'));
    expect(world.values(id).Stage).toBe('Accepted');
    expect(world.values(id).Accepted).toBeTruthy();

    await world.slack.click(card.ts, ACTIONS.send, APPROVER);
    const invoiceId = await waitFor('invoice sent', () => world.values(id)['Invoice status'] === 'Sent' && String(world.values(id)['Invoice ID']));
    expect(world.stripe.sends.get(invoiceId)).toBe(1);

    world.stripe.pay(invoiceId);
    await waitFor('paid in notion', () => world.values(id)['Invoice status'] === 'Paid');
    expect(world.values(id)['Amount paid']).toBe(2500);
    await waitFor('paid card', () => cardFor('Homepage design')?.text.includes('paid'));
  });
});
