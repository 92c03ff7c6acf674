/** The billing loop stepped by hand: Delivered → acceptance card → accepted → review → sent → paid. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../support/harness.js';
import { APPROVER, CHANNEL, createWorld, select, STRANGER, type World } from '../support/world.js';

let world: World;
let h: Harness;

beforeEach(async () => {
  world = await createWorld();
  h = await harness(world, { now: new Date('2026-12-01T10:00:00Z') });
});
afterEach(async () => world.close());

describe('the billing loop, stepped by hand', () => {
  it('goes from Delivered to paid, one card updated in place', async () => {
    const acme = await world.addClient('Acme', { 'Review before send': { checkbox: true } });
    const id = await world.addMilestone('Homepage design', acme, { 'Acceptance evidence': { url: 'https://mail.example.test/ok' } });
    await h.tick();
    expect(world.slack.messages).toHaveLength(0);

    world.edit(id, { Stage: select('Delivered') });
    await h.tick();
    expect(h.card(id)?.text).toMatch(/^Delivered: Homepage design/);
    expect(world.values(id).Completed).toBeTruthy();

    expect(await h.actions.accept(id, STRANGER)).toMatchObject({ ok: false });
    expect(world.values(id).Stage).toBe('Delivered');
    expect(await h.actions.accept(id, APPROVER)).toEqual({ ok: true });
    expect(world.values(id)).toMatchObject({ Stage: 'Accepted', Blockers: '' });
    expect(h.card(id)?.text).toMatch(/^Invoice review/);

    expect(await h.actions.send(id, APPROVER, h.sendFingerprint(id))).toEqual({ ok: true });
    const invoiceId = String(world.values(id)['Invoice ID']);
    expect(world.stripe.sends.get(invoiceId)).toBe(1);

    world.stripe.pay(invoiceId);
    await h.payments.poll();
    expect(world.values(id)).toMatchObject({ 'Invoice status': 'Paid', 'Amount paid': 2500 });
    expect(h.card(id)?.text).toContain('paid');
    expect(world.slack.channelMessages(CHANNEL)).toHaveLength(1);
  });
});
