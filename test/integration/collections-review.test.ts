/**
 * Collections under a hostile review: each test reproduces a finding (money billed twice, a client
 * emailed at night, a step or a weekly post done twice, markup from Notion reaching Slack) and shows
 * it fixed.
 */
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { evidence, lookups, sendInvoiceFor, stepTo, T0 } from '../support/collections.js';
import { harness, type Harness } from '../support/harness.js';
import { APPROVER, CHANNEL, createWorld, select, type World } from '../support/world.js';

let world: World;
let h: Harness;

beforeEach(async () => {
  world = await createWorld();
  h = await harness(world, { now: T0 });
});
afterEach(async () => world.close());

const { replies, comments, sends } = lookups(() => world);

const at = (iso: string, hh: Harness = h) => stepTo(hh, iso);

const sentInvoice = (cadence: string, clientExtra: Record<string, unknown> = {}) => sendInvoiceFor(world, h, cadence, clientExtra);

describe('collections: findings of a hostile review', () => {
  it('A: after downtime, a client reminder is not emailed outside reminder hours (back Monday 23:30 Berlin): it waits for the next opening', async () => {
    const { id, invoiceId } = await sentInvoice('Standard');
    await at('2026-12-04T10:00:00Z');
    // Bot down all of Monday 7 Dec (the T+3 reminder's window); comes back at 23:30 Berlin.
    await at('2026-12-07T22:30:00Z');
    const stage = world.values(id)['Reminder stage'];
    const emails = sends(invoiceId);
    // README: a reminder to the client goes out only inside REMINDER_HOURS (09:00-17:00).
    expect({ stage, emails }).toEqual({ stage: null, emails: 1 });
    // Tuesday 09:05 Berlin, the window's next opening: emailed then, once.
    await at('2026-12-08T08:05:00Z');
    expect({ stage: world.values(id)['Reminder stage'], emails: sends(invoiceId) }).toEqual({ stage: 'T+3 reminder', emails: 2 });
    await at('2026-12-08T09:05:00Z');
    expect(sends(invoiceId)).toBe(2);
  });

  it('B: void and reissue of a partially paid invoice is refused: the client is not billed the paid half again', async () => {
    const { id, invoiceId } = await sentInvoice('Standard');
    const total = Number(world.stripe.invoiceJson(invoiceId).total);
    await h.collections.dispute(id, invoiceId, 'PO mismatch', '', APPROVER);
    world.edit(id, { 'PO number': { rich_text: [{ text: { content: 'PO-7781' } }] } });
    await h.tick();
    // The form was opened before the payment landed: it showed a full reissue.
    const before = h.collections.reissuePreview(id);
    if ('problem' in before) throw new Error(before.problem);
    world.stripe.pay(invoiceId, Math.round(total / 2));
    await at('2026-12-03T10:00:00Z');
    expect(Number(world.values(id)['Amount paid'])).toBe(total / 200);
    // Opened now, the form says why it cannot reissue.
    const preview = h.collections.reissuePreview(id);
    expect(preview).toMatchObject({ problem: expect.stringContaining('credit note') });
    const result = await h.collections.reissue(id, invoiceId, before.fingerprint, APPROVER);
    expect(result).toMatchObject({ ok: false, message: expect.stringContaining('USD 1,250.00 paid') });
    const newId = String(world.values(id)['Invoice ID']);
    const billed = newId !== invoiceId ? Number(world.stripe.invoiceJson(newId).amount_remaining) : 0;
    // The client already paid half on the voided invoice; the corrected one must not ask for it again.
    expect({ result: result.ok, oldStatus: world.stripe.invoiceJson(invoiceId).status, billedAgain: billed }).toEqual({
      result: false,
      oldStatus: 'open',
      billedAgain: 0,
    });
  });

  it('B2: "Mark paid outside Stripe" → Void on a partly paid invoice is refused instead of saying the client owes nothing', async () => {
    const { id, invoiceId } = await sentInvoice('Standard');
    const total = Number(world.stripe.invoiceJson(invoiceId).total);
    world.stripe.pay(invoiceId, Math.round(total / 2));
    await at('2026-12-03T10:00:00Z');
    const result = await h.collections.paidOutside(id, invoiceId, 'void', APPROVER);
    expect(result).toMatchObject({ ok: false, message: expect.stringContaining('credit note') });
    expect(world.stripe.invoiceJson(invoiceId).status).toBe('open');
    expect(comments(id, 'owes nothing')).toHaveLength(0);
  });

  it('C: two replicas at a step time reply once in the thread and comment once', async () => {
    const { id, invoiceId } = await sentInvoice('Standard');
    const second = await harness(world, { now: T0 });
    await second.tick();
    h.clock.set(new Date('2026-12-07T08:05:00Z'));
    second.clock.set(new Date('2026-12-07T08:05:00Z'));
    await Promise.all([h.tick(), second.tick()]);
    expect({
      emails: sends(invoiceId),
      replies: replies(id).length,
      audit: comments(id, 'reminder step "T+3 reminder"').length,
    }).toEqual({ emails: 2, replies: 1, audit: 1 });
  });

  it('C2: a replica that died between claiming a step and posting its reply: a restarted one finishes it within two claim windows, once', async () => {
    const { id, invoiceId } = await sentInvoice('Standard');
    // The first replica claims the reply, then its post never lands (as if it died right then).
    world.slack.failNext('chat.postMessage', 'internal_error');
    h.clock.set(new Date('2026-12-07T08:05:00Z'));
    await h.tick();
    expect({ emails: sends(invoiceId), replies: replies(id).length, stage: world.values(id)['Reminder stage'] }).toEqual({
      emails: 2,
      replies: 0,
      stage: null,
    });
    // Restarted: the claim still stands for a while, and nothing is written twice meanwhile.
    const restarted = await harness(world, { now: new Date('2026-12-07T08:10:00Z') });
    await at('2026-12-07T08:10:00Z', restarted);
    expect({ replies: replies(id).length, stage: world.values(id)['Reminder stage'] }).toEqual({ replies: 0, stage: null });
    // Two windows later the step is finished: one email, one reply, one audit comment.
    await at('2026-12-07T08:25:00Z', restarted);
    expect({
      emails: sends(invoiceId),
      replies: replies(id).length,
      audit: comments(id, 'reminder step "T+3 reminder"').length,
      stage: world.values(id)['Reminder stage'],
    }).toEqual({ emails: 2, replies: 1, audit: 1, stage: 'T+3 reminder' });
    await at('2026-12-07T09:25:00Z', restarted);
    expect({ emails: sends(invoiceId), replies: replies(id).length, audit: comments(id, 'reminder step "T+3 reminder"').length }).toEqual({
      emails: 2,
      replies: 1,
      audit: 1,
    });
  });

  it('C3: two replicas at an escalation (T+7) post it once in the channel and comment once', async () => {
    const { id } = await sentInvoice('Standard');
    await at('2026-12-07T08:05:00Z');
    const second = await harness(world, { now: new Date('2026-12-07T08:05:00Z') });
    await second.tick();
    h.clock.set(new Date('2026-12-09T14:30:00Z'));
    second.clock.set(new Date('2026-12-09T14:30:00Z'));
    await Promise.all([h.payments.poll(), second.payments.poll()]);
    await Promise.all([h.tick(), second.tick()]);
    expect({
      replies: replies(id).filter((r) => r.text.includes('T+7 escalation')).length,
      audit: comments(id, 'reminder step "T+7 escalation"').length,
      stage: world.values(id)['Reminder stage'],
    }).toEqual({ replies: 1, audit: 1, stage: 'T+7 escalation' });
  });

  it('D: a cadence change after a final notice sends no second final notice', async () => {
    const { id, invoiceId, client } = await sentInvoice('Net 30', { 'Service pause': { checkbox: true } });
    await at('2026-12-09T10:05:00Z');
    await at('2026-12-16T10:05:00Z');
    await at('2027-01-04T08:30:00Z');
    expect(world.values(id)['Reminder stage']).toBe('Net 30 final notice');
    expect(sends(invoiceId)).toBe(4);
    // The founder switches the client to Standard.
    world.edit(client, { 'Reminder cadence': select('Standard') });
    await at('2027-01-04T09:30:00Z');
    await at('2027-01-05T09:30:00Z');
    expect({ stage: world.values(id)['Reminder stage'], emails: sends(invoiceId) }).toEqual({ stage: 'Net 30 final notice', emails: 4 });
  });

  it('F: a payment landing while Void and reissue runs: the founder gets an answer, the payment stands and closes the exception', async () => {
    const { id, invoiceId } = await sentInvoice('Standard');
    await h.collections.dispute(id, invoiceId, 'PO mismatch', '', APPROVER);
    world.edit(id, { 'PO number': { rich_text: [{ text: { content: 'PO-7781' } }] } });
    await h.tick();
    const preview = h.collections.reissuePreview(id);
    if ('problem' in preview) throw new Error(preview.problem);
    // The client pays on the hosted page just as Cashin marks the invoice for reissue.
    world.stripe.hold({ method: 'POST', path: new RegExp(`^/v1/invoices/${invoiceId}$`), once: true, run: async () => world.stripe.pay(invoiceId) });
    // The click rejects with a raw ExternalServiceError instead of answering the founder.
    await expect(h.collections.reissue(id, invoiceId, preview.fingerprint, APPROVER)).resolves.toMatchObject({
      ok: false,
      message: expect.stringContaining('paid'),
    });
    // The payment stands, nothing is pending on the invoice, and the payment closed the exception.
    const invoice = world.stripe.invoiceJson(invoiceId);
    expect(invoice.status).toBe('paid');
    expect((invoice.metadata as Record<string, string>).cashin_replaced_by ?? null).toBeNull();
    expect(world.values(id)['Dispute reason']).toBeNull();
    expect(world.values(id)['Invoice status']).toBe('Paid');
    expect(world.values(id)['Invoice ID']).toBe(invoiceId);
  });

  it('G: void and reissue after a credit note is refused: the credited amount is not billed again', async () => {
    const { id, invoiceId } = await sentInvoice('Standard');
    await h.collections.dispute(id, invoiceId, 'PO mismatch', '', APPROVER);
    world.edit(id, { 'PO number': { rich_text: [{ text: { content: 'PO-7781' } }] } });
    await h.tick();
    const before = h.collections.reissuePreview(id);
    if ('problem' in before) throw new Error(before.problem);
    world.stripe.creditNote(invoiceId, 50_000);
    await at('2026-12-03T10:00:00Z');
    expect(world.values(id)['Amount credited']).toBe(500);
    expect(h.collections.reissuePreview(id)).toMatchObject({ problem: expect.stringContaining('USD 500.00 credited') });
    const result = await h.collections.reissue(id, invoiceId, before.fingerprint, APPROVER);
    expect(result.ok).toBe(false);
    const newId = String(world.values(id)['Invoice ID']);
    expect(world.stripe.invoiceJson(invoiceId).status).toBe('open');
    expect(Number(world.stripe.invoiceJson(newId).amount_remaining)).toBe(200_000);
  });

  it("H: after a reissue, the new invoice's ladder steps get their own audit comment", async () => {
    const { id, invoiceId } = await sentInvoice('Standard');
    await at('2026-12-07T08:05:00Z');
    expect(comments(id, 'reminder step "T+3 reminder"')).toHaveLength(1);
    expect(comments(id, `reminder step "T+3 reminder" on invoice ${world.stripe.invoiceJson(invoiceId).number}:`)).toHaveLength(1);
    h.clock.set(new Date('2026-12-08T10:00:00Z'));
    await h.collections.dispute(id, invoiceId, 'PO mismatch', '', APPROVER);
    world.edit(id, { 'PO number': { rich_text: [{ text: { content: 'PO-7781' } }] } });
    await h.tick();
    const preview = h.collections.reissuePreview(id);
    if ('problem' in preview) throw new Error(preview.problem);
    expect((await h.collections.reissue(id, invoiceId, preview.fingerprint, APPROVER)).ok).toBe(true);
    const newId = String(world.values(id)['Invoice ID']);
    // New invoice sent Tue 8 Dec: its T+3 is Fri 11 Dec 11:00 Berlin.
    await at('2026-12-11T10:05:00Z');
    expect(world.values(id)['Reminder stage']).toBe('T+3 reminder');
    expect(sends(newId)).toBe(2);
    expect(comments(id, 'reminder step "T+3 reminder"').filter((c) => c.includes(String(world.stripe.invoiceJson(newId).number)))).toHaveLength(1);
  });

  it('U: the Friday review missed while down is caught up within 20 hours, skipped after, and the README says so', async () => {
    await sentInvoice('Standard');
    const reviews = () => world.slack.topLevel(CHANNEL).filter((m) => m.text.includes('Weekly review'));
    // Down from Friday 18 Dec 15:00 to Saturday 19 Dec 11:00 Berlin: 19 hours late, caught up.
    const early = await harness(world, { now: new Date('2026-12-19T10:00:00Z') });
    await early.tick();
    await early.weekly.catchUp();
    expect(reviews()).toHaveLength(1);
    // Down from Friday 25 Dec 15:00 to Saturday 26 Dec 14:00 Berlin: 22 hours late, that week is skipped.
    const late = await harness(world, { now: new Date('2026-12-26T13:00:00Z') });
    await late.tick();
    await late.weekly.catchUp();
    expect(reviews()).toHaveLength(1);
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme).toContain('comes back within 20 hours');
    expect(readme).not.toContain('comes back before Monday');
    expect(readme).not.toContain('rather than from a cron library');
  });

  it('J: a Dispute reason typed in Notion is shown as text on the card, not Slack markup', async () => {
    const { id } = await sentInvoice('Standard');
    world.edit(id, { 'Dispute reason': select('<!channel> <https://evil.example/pay|Pay here>') });
    await at('2026-12-03T10:00:00Z');
    const card = JSON.stringify(h.card(id)?.blocks);
    expect(card).not.toContain('<!channel>');
    expect(card).not.toContain('<https://evil.example/pay|Pay here>');
    expect(card).toContain('disputed (&lt;!channel&gt; &lt;https://evil.example/pay|Pay here&gt;)');
  });

  it('K: the Friday review is posted once after a restart, however busy the channel got', async () => {
    await sentInvoice('Standard');
    const reviews = () => world.slack.topLevel(CHANNEL).filter((m) => m.text.includes('Weekly review'));
    h.clock.set(new Date('2026-12-18T15:00:00Z'));
    expect(await h.weekly.fire('friday review')).toBe('ran');
    expect(reviews()).toHaveLength(1);
    // The team talks in the channel: 200 messages in the next hours.
    const api = world.env('http').SLACK_API_URL;
    for (let i = 0; i < 200; i += 1) {
      await fetch(`${api}chat.postMessage`, {
        method: 'POST',
        headers: { authorization: 'Bearer xoxb-test-cashin', 'content-type': 'application/json' },
        body: JSON.stringify({ channel: CHANNEL, text: `chat ${i}` }),
      });
    }
    // Cashin restarts at 18:30 Berlin, within the catch-up window.
    const restarted = await harness(world, { now: new Date('2026-12-18T17:30:00Z') });
    await restarted.tick();
    await restarted.weekly.catchUp();
    expect(reviews()).toHaveLength(1);
  });

  it('L: a reissue interrupted after the void, then a row edit: nothing is billed until an approver clicks Send on the review card', async () => {
    await h.payments.poll();
    const client = await world.addClient('Acme', { 'Reminder cadence': select('Standard') });
    const id = await world.addMilestone('Homepage design approved', client, { Stage: select('Accepted'), ...evidence });
    await h.tick();
    await at('2026-12-02T12:05:00Z');
    const invoiceId = String(world.values(id)['Invoice ID']);
    expect(world.values(id)['Invoice status']).toBe('Sent');
    await h.collections.dispute(id, invoiceId, 'PO mismatch', '', APPROVER);
    world.edit(id, { 'PO number': { rich_text: [{ text: { content: 'PO-7781' } }] } });
    await h.tick();
    const preview = h.collections.reissuePreview(id);
    if ('problem' in preview) throw new Error(preview.problem);
    world.stripe.injectFaults(20, { method: 'POST', path: /^\/v1\/invoices$/ }, { status: 500, type: 'api_error', message: 'boom' });
    const r = await h.collections.reissue(id, invoiceId, preview.fingerprint, APPROVER).catch((e) => ({ ok: false, message: String(e) }));
    world.stripe.clearFaults();
    expect(world.stripe.invoiceJson(invoiceId).status).toBe('void');
    // Someone edits the amount in Notion before Cashin retries.
    world.edit(id, { Amount: { number: 9999 } });
    await at('2026-12-02T12:30:00Z');
    await at('2026-12-02T12:31:00Z');
    const now = String(world.values(id)['Invoice ID'] ?? '');
    const billed = now && now !== invoiceId ? world.stripe.invoiceJson(now) : null;
    expect(r.ok).toBe(false);
    // Cashin's own comment says "the review card asks for a new click"; nothing should be billed yet.
    expect(billed).toBeNull();
    expect(String(world.values(id).Blockers)).toContain('Send failed: invoice CASH-0001 was voided for reissue');
    // Nor after a restart, hours later.
    const restarted = await harness(world, { now: new Date('2026-12-02T18:00:00Z') });
    await restarted.payments.poll();
    await restarted.tick();
    expect(world.values(id)['Invoice ID'] || null).toBeNull();
    // The approver's click on the review card bills the new amount, once.
    expect(await restarted.actions.send(id, APPROVER, restarted.sendFingerprint(id))).toEqual({ ok: true });
    await restarted.tick();
    const sent = String(world.values(id)['Invoice ID']);
    expect(sent).not.toBe(invoiceId);
    expect(world.stripe.invoiceJson(sent).subtotal).toBe(999_900);
    expect(String(world.values(id).Blockers ?? '')).not.toContain('Send failed');
  });
});
