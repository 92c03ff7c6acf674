/**
 * Killing the bot during the steps that need the founder (an escalation) or change the client (the
 * final notice that pauses service), then starting it again: each happens exactly once.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commentsOn, gate, invoiceSentDaysAgo, killAt, repliesTo, restartUntil } from '../support/ladder-process.js';
import { APPROVER, createWorld, type World } from '../support/world.js';

let world: World;
beforeEach(async () => {
  world = await createWorld();
});
afterEach(async () => world.close());

describe('steps that need the founder, killed', () => {
  it('an escalation (T+7) killed after its reply reached the channel', async () => {
    const sent = await invoiceSentDaysAgo(world, 7.2);
    const stop = gate();
    world.slack.hold({ method: 'chat.postMessage', once: true, run: stop.run });
    await killAt(world, stop);
    expect(repliesTo(world, sent)).toHaveLength(1);

    await restartUntil(world, 'T+7 recorded', () => world.values(sent.id)['Reminder stage'] === 'T+7 escalation');
    const replies = repliesTo(world, sent);
    expect(replies).toHaveLength(1);
    expect(replies[0]?.broadcast).toBe(true);
    expect(replies[0]?.text).toContain(`<@${APPROVER}>`);
    // Only the one step due: the T+3 reminder was missed, not sent late.
    expect(world.stripe.sends.get(sent.invoiceId)).toBe(1);
    expect(commentsOn(world, sent, 'reminder step "T+7 escalation"')).toHaveLength(1);
  }, 60_000);

  it('the final notice (T+14) killed while it paused the service in Notion', async () => {
    const sent = await invoiceSentDaysAgo(world, 14.2, { 'Service pause': { checkbox: true } });
    const stop = gate();
    world.notion.emulator.hold({ method: 'PATCH', pathIncludes: sent.client, bodyIncludes: 'Service paused', once: true, run: stop.run });
    await killAt(world, stop);
    expect(world.stripe.sends.get(sent.invoiceId)).toBe(2);
    expect(world.values(sent.client)['Service paused']).toBe(true);

    await restartUntil(world, 'T+14 recorded', () => world.values(sent.id)['Reminder stage'] === 'T+14 overdue protocol');
    expect(world.stripe.sends.get(sent.invoiceId)).toBe(2);
    expect(repliesTo(world, sent)).toHaveLength(1);
    expect(JSON.stringify(repliesTo(world, sent)[0]?.blocks)).toContain('Service is now paused');
    expect(commentsOn(world, sent, 'reminder step "T+14 overdue protocol"')).toHaveLength(1);
  }, 60_000);
});
