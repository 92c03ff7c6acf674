/**
 * The whole loop with the bot as a process (`npm start`), the emulators standing in for Notion,
 * Slack and Stripe, and every step checked on all three sides.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ACTIONS } from '../../src/slack/blocks/card.js';
import { cardsTitled, seedAcme, walkToSent } from '../support/billing-loop.js';
import { startBot, type BotProcess } from '../support/process.js';
import { APPROVER, CHANNEL, createWorld, select, waitFor, type World } from '../support/world.js';

let world: World;
let bot: BotProcess | null = null;

beforeEach(async () => {
  world = await createWorld();
});
afterEach(async () => {
  await bot?.kill('SIGKILL');
  bot = null;
  await world.close();
});

const card = (title: string) => cardsTitled(world, title);
const comments = (id: string) => world.notion.emulator.commentsOn(id);
const seed = () => seedAcme(world);
const deliverAcceptSend = (id: string) => walkToSent(world, id);

describe.each(['http', 'socket'] as const)('the billing loop as a process, %s mode', (mode) => {
  it('walks a milestone from Delivered to paid', async () => {
    const { milestone: id } = await seed();
    const env = world.env(mode, { LOG_LEVEL: 'debug' });
    bot = await startBot(env, world.botPort);
    if (mode === 'socket') await waitFor('socket connection', () => world.slack.socketConnections > 0);
    const invoiceId = await deliverAcceptSend(id);
    const [posted] = card('Homepage design approved');

    // Step 4: the client pays part, then the rest, on the hosted page.
    world.stripe.pay(invoiceId, 100000);
    await waitFor('partial payment in notion', () => world.values(id)['Amount paid'] === 1000);
    expect(world.values(id)['Invoice status']).toBe('Sent');
    await waitFor('partial card', () => JSON.stringify(posted?.blocks).includes('USD 1,500.00'));

    world.stripe.pay(invoiceId);
    await waitFor('paid in notion', () => world.values(id)['Invoice status'] === 'Paid');
    expect(world.values(id)['Amount paid']).toBe(2500);
    expect(world.values(id)['Paid on']).toBeTruthy();
    await waitFor('paid card', () => posted?.text.endsWith('paid.'));
    await waitFor('payment comment', () => comments(id).some((c) => c.includes('paid in full')));
    expect(comments(id).filter((c) => c.includes('paid in full'))).toHaveLength(1);
    expect(world.stripe.invoices.size).toBe(1);

    // Even at debug level, no secret reaches the log.
    const output = bot.output();
    expect(output.length).toBeGreaterThan(1000);
    for (const name of ['SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN', 'SLACK_SIGNING_SECRET', 'NOTION_TOKEN', 'STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET']) {
      if (env[name]) expect(output, name).not.toContain(env[name]);
    }
  }, 90_000);
});

describe('crash safety', () => {
  /** Seeds an accepted milestone, clicks Send, and SIGKILLs the bot once Stripe has done `path` but before the bot hears back. */
  async function killDuringSend(path: RegExp): Promise<{ id: string; ts: string }> {
    const { milestone: id } = await seed();
    bot = await startBot(world.env('http'), world.botPort);
    world.edit(id, { Stage: select('Accepted') });
    const [posted] = await waitFor('review card', () => card('Homepage design approved').length > 0 && card('Homepage design approved'));
    if (!posted) throw new Error('no card');
    const killed = new Promise<void>((resolve) => {
      world.stripe.hold({
        method: 'POST',
        path,
        once: true,
        run: async () => {
          await bot?.kill('SIGKILL');
          resolve();
        },
      });
    });
    await world.slack.click(posted.ts, ACTIONS.send, APPROVER);
    await killed;
    return { id, ts: posted.ts };
  }

  it('leaves exactly one invoice, sent once, after a SIGKILL between invoice creation and the Notion write', async () => {
    const { id, ts } = await killDuringSend(/^\/v1\/invoices$/);
    expect(world.stripe.invoices.size).toBe(1);
    expect(world.values(id)['Invoice ID']).toBe('');

    bot = await startBot(world.env('http'), world.botPort);
    await world.slack.click(ts, ACTIONS.send, APPROVER);
    await waitFor('sent after restart', () => world.values(id)['Invoice status'] === 'Sent');
    const [invoiceId] = world.stripe.invoices.keys();
    expect(world.stripe.invoices.size).toBe(1);
    expect(world.values(id)['Invoice ID']).toBe(invoiceId);
    expect(world.stripe.sends.get(invoiceId ?? '')).toBe(1);
    expect(world.slack.channelMessages(CHANNEL)).toHaveLength(1);
  }, 90_000);

  it('finishes a send that died after the invoice id reached Notion, on restart, without a click', async () => {
    const { id } = await killDuringSend(/\/finalize$/);
    expect(world.values(id)['Invoice status']).toBe('Draft');

    bot = await startBot(world.env('http'), world.botPort);
    await waitFor('sent after restart', () => world.values(id)['Invoice status'] === 'Sent', 20_000);
    const [invoiceId] = world.stripe.invoices.keys();
    expect(world.stripe.invoices.size).toBe(1);
    expect(world.stripe.sends.get(invoiceId ?? '')).toBe(1);
    expect(world.stripe.items.size).toBe(1);
  }, 90_000);

  it('does not email the invoice again when a send that had gone through is resumed after its idempotency keys expired', async () => {
    const { id } = await killDuringSend(/\/send$/);
    const [invoiceId] = world.stripe.invoices.keys();
    expect(world.stripe.sends.get(invoiceId ?? '')).toBe(1);
    expect(world.values(id)['Invoice status']).toBe('Draft');

    // The bot stays down for more than a day: Stripe has forgotten the idempotency keys.
    world.stripe.now = () => new Date(Date.now() + 25 * 3600_000);
    bot = await startBot(world.env('http'), world.botPort);
    await waitFor('sent after restart', () => world.values(id)['Invoice status'] === 'Sent', 20_000);
    expect(world.stripe.invoices.size).toBe(1);
    expect(world.stripe.sends.get(invoiceId ?? '')).toBe(1);
  }, 90_000);
});
