/**
 * Killing the bot during each kind of reminder step, then starting it again, leaves every step
 * done exactly once: one email from Stripe, one reply in Slack, one audit comment, the stage recorded.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commentsOn, gate, invoiceSentDaysAgo, killAt, repliesTo, restartUntil } from '../support/ladder-process.js';
import { createWorld, type World } from '../support/world.js';

let world: World;
beforeEach(async () => {
  world = await createWorld();
});
afterEach(async () => world.close());

describe('a client reminder (T+3), killed', () => {
  it('after Stripe emailed the invoice again, before anything was recorded', async () => {
    const sent = await invoiceSentDaysAgo(world, 3.2);
    const stop = gate();
    world.stripe.hold({ method: 'POST', path: new RegExp(`^/v1/invoices/${sent.invoiceId}/send$`), once: true, run: stop.run });
    await killAt(world, stop);
    expect(world.stripe.sends.get(sent.invoiceId)).toBe(2);
    expect(world.values(sent.id)['Reminder stage']).toBeNull();

    await restartUntil(world, 'T+3 recorded', () => world.values(sent.id)['Reminder stage'] === 'T+3 reminder');
    expect(world.stripe.sends.get(sent.invoiceId)).toBe(2);
    expect(repliesTo(world, sent)).toHaveLength(1);
    expect(commentsOn(world, sent, 'reminder step "T+3 reminder"')).toHaveLength(1);
  }, 60_000);

  it('after its reply was posted in Slack', async () => {
    const sent = await invoiceSentDaysAgo(world, 3.2);
    const stop = gate();
    world.slack.hold({ method: 'chat.postMessage', once: true, run: stop.run });
    await killAt(world, stop);
    expect(repliesTo(world, sent)).toHaveLength(1);

    await restartUntil(world, 'T+3 recorded', () => world.values(sent.id)['Reminder stage'] === 'T+3 reminder');
    expect(world.stripe.sends.get(sent.invoiceId)).toBe(2);
    expect(repliesTo(world, sent)).toHaveLength(1);
    expect(commentsOn(world, sent, 'reminder step "T+3 reminder"')).toHaveLength(1);
  }, 60_000);

  it('after the audit comment, while Notion was writing the Reminder stage', async () => {
    const sent = await invoiceSentDaysAgo(world, 3.2);
    const stop = gate();
    world.notion.emulator.hold({ method: 'POST', pathIncludes: '/v1/comments', bodyIncludes: 'reminder step', once: true, run: stop.run });
    await killAt(world, stop);
    expect(commentsOn(world, sent, 'reminder step "T+3 reminder"')).toHaveLength(1);
    expect(world.values(sent.id)['Reminder stage']).toBeNull();

    await restartUntil(world, 'T+3 recorded', () => world.values(sent.id)['Reminder stage'] === 'T+3 reminder');
    expect(world.stripe.sends.get(sent.invoiceId)).toBe(2);
    expect(repliesTo(world, sent)).toHaveLength(1);
    expect(commentsOn(world, sent, 'reminder step "T+3 reminder"')).toHaveLength(1);
  }, 60_000);
});
