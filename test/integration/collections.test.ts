/**
 * Chasing unpaid invoices through the real adapters and the emulators, the clock stepped by hand:
 * the ladder's steps in Stripe, Slack and Notion; the founder's buttons; exceptions from Stripe;
 * credit notes; and steps interrupted half-way that finish exactly once.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildExceptionsText } from '../../src/slack/blocks/status.js';
import { evidence, lookups, sendInvoiceFor, stepTo, T0 } from '../support/collections.js';
import { harness, type Harness } from '../support/harness.js';
import { APPROVER, CHANNEL, createWorld, select, type World } from '../support/world.js';

const DAY = 86_400_000;

let world: World;
let h: Harness;

beforeEach(async () => {
  world = await createWorld();
  h = await harness(world, { now: T0 });
});
afterEach(async () => world.close());

const { replies, comments, sends } = lookups(() => world);

/** Moves the clock to `iso` and runs one Notion poll only (no Stripe events), as a step's first try. */
async function tickAt(iso: string): Promise<void> {
  h.clock.set(new Date(iso));
  await h.tick();
}

const at = (iso: string, hh: Harness = h) => stepTo(hh, iso);

const sentInvoice = (cadence: string, clientExtra: Record<string, unknown> = {}) => sendInvoiceFor(world, h, cadence, clientExtra);

describe('the Standard ladder', () => {
  it('reminds, escalates, flags the risk and pauses service, each once, then payment lifts the pause', async () => {
    const { id, invoiceId, client } = await sentInvoice('Standard', { 'Service pause': { checkbox: true } });
    expect(sends(invoiceId)).toBe(1);

    // T+3 is Saturday 5 December: the reminder waits for Monday 09:00.
    await at('2026-12-05T12:00:00Z');
    expect(sends(invoiceId)).toBe(1);
    expect(world.values(id)['Reminder stage']).toBeNull();
    await at('2026-12-07T08:05:00Z');
    expect(sends(invoiceId)).toBe(2);
    expect(world.values(id)['Reminder stage']).toBe('T+3 reminder');
    const reminder = replies(id).at(-1);
    expect(reminder?.text).toContain('T+3 reminder');
    expect(reminder?.broadcast).toBe(false);
    expect(JSON.stringify(reminder?.blocks)).toContain('Hi Dana,');
    expect(comments(id, 'reminder step "T+3 reminder"')).toHaveLength(1);

    // Polls in between change nothing.
    await at('2026-12-07T09:00:00Z');
    await at('2026-12-08T09:00:00Z');
    expect(sends(invoiceId)).toBe(2);
    expect(replies(id)).toHaveLength(1);

    // T+7: the founder is asked to act, in the channel, with the approvers mentioned and the checklist.
    await at('2026-12-09T10:05:00Z');
    expect(world.values(id)['Reminder stage']).toBe('T+7 escalation');
    const escalation = replies(id).at(-1);
    expect(escalation?.broadcast).toBe(true);
    expect(escalation?.text).toContain(`<@${APPROVER}>`);
    const escalationBlocks = JSON.stringify(escalation?.blocks);
    for (const text of ['Dana Ruiz', 'Billing data to confirm', 'Send final notice', 'Mark disputed', 'Client promised to pay by'])
      expect(escalationBlocks).toContain(text);
    expect(sends(invoiceId)).toBe(2);

    await at('2026-12-12T10:05:00Z');
    expect(world.values(id)['Reminder stage']).toBe('T+10 service risk');
    expect(JSON.stringify(replies(id).at(-1)?.blocks)).toContain('Courtesy call summary');

    // T+14 is a Wednesday: the final notice goes out and work pauses.
    await at('2026-12-16T10:05:00Z');
    expect(world.values(id)['Reminder stage']).toBe('T+14 overdue protocol');
    expect(sends(invoiceId)).toBe(3);
    expect(world.values(client)['Service paused']).toBe(true);
    expect(replies(id).at(-1)?.text).toContain('final notice');
    expect(JSON.stringify(replies(id).at(-1)?.blocks)).toContain('Service is now paused');

    // Nothing more happens after the last step, however long it waits.
    await at('2026-12-30T10:05:00Z');
    expect(sends(invoiceId)).toBe(3);
    expect(replies(id)).toHaveLength(4);
    expect(world.values(id)['Invoice status']).toBe('Overdue');

    world.stripe.pay(invoiceId);
    await at('2026-12-30T11:00:00Z');
    expect(world.values(id)['Invoice status']).toBe('Paid');
    expect(world.values(client)['Service paused']).toBe(false);
    expect(replies(id).at(-1)?.text).toContain('service pause lifted');
    expect(comments(id, 'service pause lifted')).toHaveLength(1);
    await at('2026-12-31T11:00:00Z');
    expect(replies(id)).toHaveLength(5);
  });

  it('shows the ladder on the card: steps done, the next one and its date', async () => {
    const { id } = await sentInvoice('Standard');
    const card = () => JSON.stringify(h.card(id)?.blocks);
    expect(card()).toContain('Reminders (Standard)');
    expect(card()).toContain('Next: T+3 reminder, 7 Dec 2026, 09:00');
    await at('2026-12-07T08:05:00Z');
    expect(card()).toContain(':white_check_mark: T+3 reminder');
    expect(card()).toContain('Next: T+7 escalation, 9 Dec 2026, 11:00');
  });

  it('performs one step after five days down, not the ones it missed', async () => {
    const { id, invoiceId } = await sentInvoice('Standard');
    await at('2026-12-04T10:00:00Z');
    // Down from Friday 4 to Wednesday 9 December, 11:05: T+3 and T+7 both passed.
    await at('2026-12-09T10:05:00Z');
    expect(world.values(id)['Reminder stage']).toBe('T+7 escalation');
    expect(sends(invoiceId)).toBe(1);
    expect(replies(id)).toHaveLength(1);
    expect(JSON.stringify(replies(id)[0]?.blocks)).toContain('Skipped while Cashin was not running');
  });
});

describe('the Net 30 ladder', () => {
  it('sends a friendly reminder, a past-due notice and a final notice only, without Service pause', async () => {
    const { id, invoiceId, client } = await sentInvoice('Net 30', { 'Payment terms': { number: 30 } });
    await at('2026-12-09T10:05:00Z');
    expect(world.values(id)['Reminder stage']).toBe('Net 30 friendly reminder');
    await at('2026-12-16T10:05:00Z');
    expect(world.values(id)['Reminder stage']).toBe('Net 30 past-due notice');
    // Due on 1 January; Overdue from the day after, in Berlin.
    await at('2027-01-01T12:00:00Z');
    expect(world.values(id)['Invoice status']).toBe('Sent');
    await at('2027-01-01T23:30:00Z');
    expect(world.values(id)['Invoice status']).toBe('Overdue');
    expect(JSON.stringify(h.card(id)?.blocks)).toContain('1 day late');
    await at('2027-01-04T08:30:00Z');
    expect(world.values(id)['Reminder stage']).toBe('Net 30 final notice');
    expect(sends(invoiceId)).toBe(4);
    expect(world.values(client)['Service paused']).toBe(false);
    expect(JSON.stringify(replies(id).at(-1)?.blocks)).toContain('final notice only');
  });
});

describe('the founder from Slack', () => {
  it('a promise to pay holds the ladder until the promised day is over', async () => {
    const { id, invoiceId } = await sentInvoice('Standard');
    expect(await h.collections.promise(id, invoiceId, '2026-12-10', APPROVER)).toMatchObject({ ok: true });
    expect(world.values(id)['Promise to pay']).toBe('2026-12-10');
    await at('2026-12-10T12:00:00Z');
    expect(world.values(id)['Reminder stage']).toBeNull();
    expect(JSON.stringify(h.card(id)?.blocks)).toContain('promised to pay by Thu 10 Dec');
    // The morning after, the latest step due happens: one step, T+7.
    await at('2026-12-11T09:00:00Z');
    expect(world.values(id)['Reminder stage']).toBe('T+7 escalation');
    expect(sends(invoiceId)).toBe(1);
  });

  it('a dispute pauses the ladder and a resume continues it, dates shifted by the pause', async () => {
    const { id, invoiceId } = await sentInvoice('Standard');
    await at('2026-12-07T08:05:00Z');
    expect(world.values(id)['Reminder stage']).toBe('T+3 reminder');
    h.clock.set(new Date('2026-12-08T10:00:00Z'));
    expect(await h.collections.dispute(id, invoiceId, 'PO mismatch', 'Their AP needs PO 7781', APPROVER)).toMatchObject({ ok: true });
    expect(world.values(id)).toMatchObject({ 'Dispute reason': 'PO mismatch', 'Invoice status': 'Disputed' });
    const exception = replies(id).at(-1);
    expect(exception?.broadcast).toBe(true);
    expect(exception?.text).toContain(`<@${APPROVER}>`);
    expect(JSON.stringify(exception?.blocks)).toContain('Void and reissue');
    expect(comments(id, 'Their AP needs PO 7781')).toHaveLength(1);
    expect(buildExceptionsText(h.store.exceptions(), new Date('2026-12-10T10:00:00Z'))).toMatch(/PO mismatch.*Open 2 days\. Owner: Dana Ruiz at Acme/);

    // Paused: T+7 and T+10 pass without a step.
    await at('2026-12-12T12:00:00Z');
    expect(world.values(id)['Reminder stage']).toBe('T+3 reminder');

    // Resumed after 4 days: T+7 moves from 9 to 13 December (a Sunday; steps for the founder do not wait).
    h.clock.set(new Date('2026-12-12T10:00:00Z'));
    expect(await h.collections.resume(id, invoiceId, APPROVER)).toMatchObject({ ok: true });
    expect(world.values(id)).toMatchObject({ 'Dispute reason': null, 'Invoice status': 'Sent' });
    expect(replies(id).at(-1)?.text).toContain('Reminders resumed');
    await at('2026-12-13T09:00:00Z');
    expect(world.values(id)['Reminder stage']).toBe('T+3 reminder');
    await at('2026-12-13T10:10:00Z');
    expect(world.values(id)['Reminder stage']).toBe('T+7 escalation');
  });

  it('snooze holds the ladder; final notice sends at once and never twice', async () => {
    const { id, invoiceId } = await sentInvoice('After due');
    expect(await h.collections.snooze(id, invoiceId, 0, APPROVER)).toMatchObject({ ok: false });
    expect(await h.collections.snooze(id, invoiceId, 40, APPROVER)).toMatchObject({ ok: true });
    await at('2027-01-04T09:30:00Z');
    expect(world.values(id)['Reminder stage']).toBeNull();
    const first = await h.collections.finalNotice(id, invoiceId, APPROVER);
    expect(first.message).toContain('Final notice sent');
    expect(world.values(id)['Reminder stage']).toBe('Final notice (sent by hand)');
    expect(sends(invoiceId)).toBe(2);
    const again = await h.collections.finalNotice(id, invoiceId, APPROVER);
    expect(again.message).toContain('already sent');
    expect(sends(invoiceId)).toBe(2);
    await at('2027-02-20T09:30:00Z');
    expect(sends(invoiceId)).toBe(2);
  });

  it('marks an invoice paid outside Stripe, or voids it', async () => {
    const paid = await sentInvoice('Standard');
    expect(await h.collections.paidOutside(paid.id, paid.invoiceId, 'paid', APPROVER)).toMatchObject({ ok: true });
    expect(world.stripe.invoiceJson(paid.invoiceId)).toMatchObject({ status: 'paid', paid_out_of_band: true });
    expect(world.values(paid.id)['Invoice status']).toBe('Paid');
    expect(comments(paid.id, 'marked paid outside Stripe')).toHaveLength(1);
  });

  it('refuses a button drawn for another invoice, and a stranger', async () => {
    const { id, invoiceId } = await sentInvoice('Standard');
    expect((await h.collections.snooze(id, 'in_somebody_else', 3, APPROVER)).ok).toBe(false);
    expect((await h.collections.dispute(id, invoiceId, 'Other', '', 'U0INTRUDER')).ok).toBe(false);
    expect((await h.collections.dispute(id, invoiceId, 'Bad mood', '', APPROVER)).ok).toBe(false);
    expect(world.values(id)['Dispute reason']).toBeNull();
  });

  it('void and reissue: the old invoice is voided, the corrected one sent, both linked', async () => {
    const { id, invoiceId } = await sentInvoice('Standard');
    await h.collections.dispute(id, invoiceId, 'PO mismatch', '', APPROVER);
    world.edit(id, { 'PO number': { rich_text: [{ text: { content: 'PO-7781' } }] } });
    await h.tick();
    const preview = h.collections.reissuePreview(id);
    if ('problem' in preview) throw new Error(preview.problem);
    expect(preview.terms).toContain('PO PO-7781');
    const result = await h.collections.reissue(id, invoiceId, preview.fingerprint, APPROVER);
    expect(result).toMatchObject({ ok: true });
    const newId = String(world.values(id)['Invoice ID']);
    expect(newId).not.toBe(invoiceId);
    expect(world.stripe.invoiceJson(invoiceId)).toMatchObject({ status: 'void', metadata: expect.objectContaining({ cashin_replaced_by: newId }) });
    const replacement = world.stripe.invoiceJson(newId);
    expect(replacement).toMatchObject({ status: 'open', metadata: expect.objectContaining({ cashin_replaces: invoiceId }) });
    expect(JSON.stringify(replacement.custom_fields)).toContain('PO-7781');
    expect(sends(newId)).toBe(1);
    expect(world.values(id)).toMatchObject({ 'Invoice status': 'Sent', 'Dispute reason': null, 'Reminder stage': null });
    expect(comments(id, `replaces the voided invoice`)).toHaveLength(1);
  });
});

describe('Stripe opens exceptions by itself', () => {
  it('a failed payment and a card dispute each show in /cashin exceptions', async () => {
    const failed = await sentInvoice('Standard');
    const client2 = await world.addClient('Globex', { 'Review before send': { checkbox: true } });
    const disputedId = await world.addMilestone('API integration', client2, { Stage: select('Accepted'), ...evidence });
    await h.tick();
    await h.actions.send(disputedId, APPROVER, h.sendFingerprint(disputedId));
    const disputedInvoice = String(world.values(disputedId)['Invoice ID']);

    world.stripe.failPayment(failed.invoiceId);
    world.stripe.pay(disputedInvoice);
    await at('2026-12-03T10:00:00Z');
    world.stripe.dispute(disputedInvoice, 'fraudulent');
    await at('2026-12-03T11:00:00Z');

    expect(world.values(failed.id)).toMatchObject({ 'Dispute reason': 'Payment failed', 'Invoice status': 'Disputed' });
    expect(world.values(disputedId)).toMatchObject({ 'Dispute reason': 'Other', 'Invoice status': 'Disputed' });
    expect(comments(disputedId, 'fraudulent')).toHaveLength(1);
    const text = buildExceptionsText(h.store.exceptions(), h.clock.now());
    expect(text).toContain('*Payment failed*: Homepage design approved');
    expect(text).toContain('*Other*: API integration');
    // Polling the same events again opens nothing twice.
    await h.payments.poll();
    expect(comments(failed.id, 'opened the exception')).toHaveLength(1);

    // The client pays after the failed attempt: the exception closes by itself.
    world.stripe.pay(failed.invoiceId);
    await at('2026-12-03T12:00:00Z');
    expect(world.values(failed.id)).toMatchObject({ 'Dispute reason': null, 'Invoice status': 'Paid' });
  });

  it('records a credit note and chases only what remains', async () => {
    const { id, invoiceId } = await sentInvoice('Standard');
    world.stripe.creditNote(invoiceId, 50_000);
    await at('2026-12-03T10:00:00Z');
    expect(world.values(id)['Amount credited']).toBe(500);
    expect(comments(id, '500.00 credited in all, USD 2,000.00 remains due')).toHaveLength(1);
    await at('2026-12-07T08:05:00Z');
    expect(JSON.stringify(replies(id).at(-1)?.blocks)).toContain('USD 2,000.00 outstanding (after USD 500.00 credited)');
  });
});

describe('a step interrupted half-way', () => {
  it('Notion refusing the Reminder stage after Stripe emailed: the retry does not email again', async () => {
    const { id, invoiceId } = await sentInvoice('Standard');
    world.notion.emulator.injectFaults({ status: 409, match: { method: 'PATCH', pathIncludes: id, bodyIncludes: 'Reminder stage' } });
    await tickAt('2026-12-07T08:05:00Z');
    expect(sends(invoiceId)).toBe(2);
    expect(world.values(id)['Reminder stage']).toBeNull();
    await tickAt('2026-12-07T08:10:00Z');
    await at('2026-12-07T08:15:00Z');
    expect(world.values(id)['Reminder stage']).toBe('T+3 reminder');
    expect(sends(invoiceId)).toBe(2);
    expect(replies(id)).toHaveLength(1);
    expect(comments(id, 'reminder step "T+3 reminder"')).toHaveLength(1);
  });

  it('Stripe failing the email: the retry emails once', async () => {
    const { id, invoiceId } = await sentInvoice('Standard');
    world.stripe.injectFaults(10, { method: 'POST', path: new RegExp(`^/v1/invoices/${invoiceId}/send$`) });
    await tickAt('2026-12-07T08:05:00Z');
    world.stripe.clearFaults();
    expect(sends(invoiceId)).toBe(1);
    expect(world.values(id)['Reminder stage']).toBeNull();
    await tickAt('2026-12-07T08:10:00Z');
    expect(sends(invoiceId)).toBe(2);
    expect(world.values(id)['Reminder stage']).toBe('T+3 reminder');
  });

  it('Slack failing the reply after the email: posted once later, emailed once', async () => {
    const { id, invoiceId } = await sentInvoice('Standard');
    world.slack.failNext('chat.postMessage', 'internal_error');
    await tickAt('2026-12-07T08:05:00Z');
    expect(sends(invoiceId)).toBe(2);
    expect(replies(id)).toHaveLength(0);
    expect(world.values(id)['Reminder stage']).toBeNull();
    await tickAt('2026-12-07T08:10:00Z');
    expect(replies(id)).toHaveLength(1);
    expect(sends(invoiceId)).toBe(2);
    expect(world.values(id)['Reminder stage']).toBe('T+3 reminder');
  });
});

describe('the acceptance prompt', () => {
  it('is a reply under the card, mentioning the approvers, once', async () => {
    const client = await world.addClient('Acme', { 'Billing owner': { rich_text: [{ text: { content: 'Dana Ruiz' } }] } });
    const id = await world.addMilestone('Homepage design approved', client, { Stage: select('Delivered') });
    await h.tick();
    expect(replies(id)).toHaveLength(0);
    await at(new Date(T0.getTime() + DAY + 60_000).toISOString());
    await at(new Date(T0.getTime() + 2 * DAY).toISOString());
    expect(replies(id)).toHaveLength(1);
    expect(replies(id)[0]?.text).toContain(`<@${APPROVER}>`);
    expect(JSON.stringify(replies(id)[0]?.blocks)).toContain('Hi Dana,');
  });
});

describe('the Friday review', () => {
  it('is posted in the channel once, from Friday 16:00, even after a restart', async () => {
    const { id, invoiceId } = await sentInvoice('Standard');
    await h.collections.dispute(id, invoiceId, 'Procurement', '', APPROVER);
    const reviews = () => world.slack.topLevel(CHANNEL).filter((m) => m.text.includes('Weekly review'));
    // Due 16 December: overdue from the 17th. Friday 18 December 2026, 15:59 in Berlin.
    await at('2026-12-18T14:59:00Z');
    await h.weekly.catchUp();
    expect(reviews()).toHaveLength(0);
    await at('2026-12-18T15:00:00Z');
    expect(await h.weekly.fire('friday review')).toBe('ran');
    await h.weekly.catchUp();
    expect(reviews()).toHaveLength(1);
    const text = JSON.stringify(reviews()[0]?.blocks);
    expect(text).toContain('Weekly review, 2026-W51');
    expect(text).toContain('Exception: Procurement: 1');
    expect(reviews()[0]?.text).toContain(`<@${APPROVER}>`);

    // A restarted bot finds it in the channel and does not post it again.
    const restarted = await harness(world, { now: new Date('2026-12-18T15:30:00Z') });
    await restarted.tick();
    await restarted.weekly.catchUp();
    expect(reviews()).toHaveLength(1);
  });

  it('two replicas firing at the same time post it once', async () => {
    await sentInvoice('Standard');
    const second = await harness(world, { now: new Date('2026-12-18T15:00:00Z') });
    h.clock.set(new Date('2026-12-18T15:00:00Z'));
    await Promise.all([h.tick(), second.tick()]);
    const results = await Promise.all([h.weekly.fire('friday review'), second.weekly.fire('friday review')]);
    expect(results.sort()).toEqual(['claimed-elsewhere', 'ran']);
    expect(world.slack.topLevel(CHANNEL).filter((m) => m.text.includes('Weekly review'))).toHaveLength(1);
  });
});
