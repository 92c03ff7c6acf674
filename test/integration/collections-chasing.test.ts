/**
 * Chasing payment as a new user met it in the sandbox: each test reproduces one report (a raw user
 * id in Slack, a credit note called a payment, a card dispute on a paid invoice, a failed payment
 * called a dispute, ladder days, wording before the due date, the final notice's button) and shows
 * it fixed, through the real adapters and the emulators.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lookups, sendInvoiceFor, stepTo, T0 } from '../support/collections.js';
import { harness, type Harness } from '../support/harness.js';
import { APPROVER, createWorld, type World } from '../support/world.js';

let world: World;
let h: Harness;

beforeEach(async () => {
  world = await createWorld();
  h = await harness(world, { now: T0 });
});
afterEach(async () => world.close());

const { replies, comments } = lookups(() => world);

const shown = (blocks: unknown) => JSON.stringify(blocks ?? []);

const at = (iso: string, hh: Harness = h) => stepTo(hh, iso);

const sentInvoice = (cadence: string, clientExtra: Record<string, unknown> = {}) =>
  sendInvoiceFor(world, h, cadence, { 'Billing email': { email: 'keiri@umbrella.example' }, ...clientExtra }, 'Umbrella');

describe('1: who asked for a step', () => {
  it('is a mention in Slack, never a raw user id; the Notion comment names the Slack user', async () => {
    const { id, invoiceId } = await sentInvoice('Standard');
    expect((await h.collections.finalNotice(id, invoiceId, APPROVER)).ok).toBe(true);
    const notice = replies(id).find((r) => r.text.includes('final notice'));
    const slackText = `${notice?.text} ${shown(notice?.blocks)}`;
    expect(slackText).toContain('emailed to keiri@umbrella.example');
    expect(slackText).toContain(`(at <@${APPROVER}>'s request)`);
    expect(slackText.replaceAll(`<@${APPROVER}>`, '')).not.toContain(APPROVER);
    expect(comments(id, `Requested by Slack user ${APPROVER}.`)).toHaveLength(1);
  });
});

describe('2: a credit note on the card', () => {
  const status = (id: string) => /\*Status\*\\n([^"]*)"/.exec(shown(h.card(id)?.blocks))?.[1] ?? '';

  it('says credited, paid and left to pay apart: a credit note is not a payment', async () => {
    const { id, invoiceId } = await sentInvoice('Standard');
    world.stripe.creditNote(invoiceId, 30_000);
    await at('2026-12-03T10:00:00Z');
    expect(status(id)).toBe('USD 300.00 credited, USD 2,200.00 left to pay');
    expect(h.card(id)?.text).not.toContain('partly paid');
    world.stripe.pay(invoiceId, 100_000);
    await at('2026-12-03T11:00:00Z');
    expect(status(id)).toBe('partly paid: USD 1,000.00 paid, USD 300.00 credited, USD 1,200.00 left to pay');
  });

  it('an invoice settled by credit notes alone is not called paid', async () => {
    const { id, invoiceId } = await sentInvoice('Standard');
    world.stripe.creditNote(invoiceId, 250_000);
    await at('2026-12-03T10:00:00Z');
    expect(world.stripe.invoiceJson(invoiceId).status).toBe('paid');
    expect(status(id)).toBe('settled by credit note: USD 2,500.00 credited, nothing paid');
  });
});

describe('3: a card dispute on a paid invoice', () => {
  const buttons = (blocks: unknown) =>
    ((blocks as { type: string; elements?: { text?: { text: string } }[] }[] | undefined) ?? [])
      .filter((b) => b.type === 'actions')
      .flatMap((b) => (b.elements ?? []).map((e) => e.text?.text));

  it('says the bank disputed a card payment, answered in Stripe; offers only Mark resolved, which closes it in Notion', async () => {
    const { id, invoiceId } = await sentInvoice('Standard');
    world.stripe.pay(invoiceId);
    await at('2026-12-03T10:00:00Z');
    expect(world.values(id)['Invoice status']).toBe('Paid');
    world.stripe.dispute(invoiceId, 'product_not_received');
    await at('2026-12-03T11:00:00Z');

    // The reason is mapped from Stripe's, and the row says Disputed while the exception is open.
    expect(world.values(id)).toMatchObject({ 'Dispute reason': 'Scope dispute', 'Invoice status': 'Disputed' });
    const card = h.card(id);
    const cardText = shown(card?.blocks);
    expect(cardText).toContain("card payment disputed by the client's bank (Scope dispute)");
    expect(cardText).toContain('Stripe Dashboard');
    expect(cardText).not.toContain('Stopped: nothing is left to collect');
    expect(cardText).not.toContain('Reminders (Standard)');
    expect(buttons(card?.blocks)).toEqual(['Mark resolved']);

    const note = replies(id).find((r) => r.text.includes('Exception on invoice'));
    expect(note?.text).toContain("the client's bank disputed a card payment");
    expect(shown(note?.blocks)).toContain('answered in the Stripe Dashboard');
    expect(shown(note?.blocks)).toContain('product not received');
    expect(buttons(note?.blocks)).toEqual(['Mark resolved']);
    expect(h.collections.reissuePreview(id)).toHaveProperty('problem');

    const result = await h.collections.resume(id, invoiceId, APPROVER);
    expect(result).toMatchObject({ ok: true, message: expect.stringContaining('Exception closed in Notion') });
    expect(result.message).not.toContain('Reminders resume');
    expect(world.values(id)).toMatchObject({ 'Dispute reason': null, 'Invoice status': 'Paid' });
    expect(comments(id, `marked resolved by Slack user ${APPROVER}`)).toHaveLength(1);
    expect(comments(id, 'reminders resume')).toHaveLength(0);
    expect(replies(id).filter((r) => r.text.includes('Reminders resumed'))).toHaveLength(0);
    expect((world.stripe.invoiceJson(invoiceId).metadata as Record<string, string>).cashin_card_dispute ?? '').toBe('');
    expect(buttons(h.card(id)?.blocks)).toEqual([]);
  });

  it('a reason Stripe gives that is no scope matter is recorded as Other', async () => {
    const { id, invoiceId } = await sentInvoice('Standard');
    world.stripe.pay(invoiceId);
    await at('2026-12-03T10:00:00Z');
    world.stripe.dispute(invoiceId, 'fraudulent');
    await at('2026-12-03T11:00:00Z');
    expect(world.values(id)['Dispute reason']).toBe('Other');
  });
});

describe('4: a failed payment', () => {
  const status = (id: string) => /\*Status\*\\n([^"]*)"/.exec(shown(h.card(id)?.blocks))?.[1] ?? '';

  it('reads "payment failed" on the card, and any payment that goes through closes it, said in the thread', async () => {
    const { id, invoiceId } = await sentInvoice('Standard');
    world.stripe.failPayment(invoiceId);
    await at('2026-12-03T10:00:00Z');
    expect(world.values(id)).toMatchObject({ 'Dispute reason': 'Payment failed', 'Invoice status': 'Disputed' });
    expect(status(id)).toBe('payment failed');
    expect(h.card(id)?.text).not.toContain('disputed');
    expect(replies(id).find((r) => r.text.includes('Exception on invoice'))?.text).toContain('a payment attempt failed');

    // The client pays part of it: the payment went through, so the exception is over.
    world.stripe.pay(invoiceId, 100_000);
    await at('2026-12-03T11:00:00Z');
    expect(world.values(id)).toMatchObject({ 'Dispute reason': null, 'Invoice status': 'Sent', 'Amount paid': 1000 });
    const closed = replies(id).filter((r) => r.text.includes('the "Payment failed" exception is closed'));
    expect(closed).toHaveLength(1);
    expect(shown(closed[0]?.blocks)).toContain('A payment of USD 1,000.00 went through after the failed attempt.');
    expect(shown(closed[0]?.blocks)).toContain('USD 1,500.00 is left to pay');
    expect(comments(id, 'exception "Payment failed" closed: a payment of USD 1,000.00 went through')).toHaveLength(1);
    expect(status(id)).toBe('partly paid: USD 1,000.00 paid, USD 1,500.00 left to pay');
    // The ladder goes on from where it paused.
    expect(shown(h.card(id)?.blocks)).toContain('Next: T+3 reminder');
    await at('2026-12-03T12:00:00Z');
    expect(replies(id).filter((r) => r.text.includes('the "Payment failed" exception is closed'))).toHaveLength(1);
  });

  it('a payment made before the failure does not close it', async () => {
    const { id, invoiceId } = await sentInvoice('Standard');
    world.stripe.pay(invoiceId, 50_000);
    await at('2026-12-03T09:00:00Z');
    world.stripe.failPayment(invoiceId);
    await at('2026-12-03T10:00:00Z');
    await at('2026-12-03T11:00:00Z');
    expect(world.values(id)).toMatchObject({ 'Dispute reason': 'Payment failed', 'Invoice status': 'Disputed' });
  });
});

describe('5: the ladder on the card', () => {
  const ladder = (id: string) => /\*Reminders \(Standard\)\*\\n([^"]*)"/.exec(shown(h.card(id)?.blocks))?.[1] ?? '';

  it('shows the day the next client step really goes out, and the day each step was done', async () => {
    const { id } = await sentInvoice('Standard');
    // T+3 falls on Saturday 5 December: it goes out Monday 7 December at 09:00.
    expect(ladder(id)).toContain(':arrow_right: T+3 reminder · Mon 7 Dec');
    expect(ladder(id)).toContain('Next: T+3 reminder, 7 Dec 2026, 09:00');
    expect(ladder(id)).not.toContain('Sat 5 Dec');
    // Down over Monday: the reminder goes out on Tuesday, and the card says Tuesday.
    await at('2026-12-08T10:00:00Z');
    expect(world.values(id)['Reminder stage']).toBe('T+3 reminder');
    expect(ladder(id)).toContain(':white_check_mark: T+3 reminder · Tue 8 Dec');
    expect(ladder(id)).toContain(':arrow_right: T+7 escalation · Wed 9 Dec');
  });

  it('after a final notice by hand, the steps it passed over are marked skipped, not done', async () => {
    const { id, invoiceId } = await sentInvoice('Standard');
    h.clock.set(new Date('2026-12-03T10:00:00Z'));
    expect((await h.collections.finalNotice(id, invoiceId, APPROVER)).ok).toBe(true);
    await at('2026-12-03T10:05:00Z');
    const text = ladder(id);
    for (const step of ['T+3 reminder', 'T+7 escalation', 'T+10 service risk']) {
      expect(text).toContain(`:heavy_minus_sign: ${step} · skipped`);
      expect(text).not.toContain(`:white_check_mark: ${step}`);
    }
    expect(text).toContain(':white_check_mark: T+14 overdue protocol · Thu 3 Dec');
    const notice = replies(id).find((r) => r.text.includes('final notice'));
    expect(shown(notice?.blocks)).toContain('this final notice ends the ladder');
    expect(comments(id, 'Skipped (the final notice ends the ladder): T+3 reminder, T+7 escalation, T+10 service risk')).toHaveLength(1);
  });

  it('the courtesy call summary lists every reminder so far, with its day', async () => {
    const { id } = await sentInvoice('Standard');
    await at('2026-12-07T08:05:00Z');
    await at('2026-12-09T10:05:00Z');
    await at('2026-12-12T10:05:00Z');
    expect(world.values(id)['Reminder stage']).toBe('T+10 service risk');
    const risk = replies(id).find((r) => r.text.includes('T+10 service risk'));
    expect(shown(risk?.blocks)).toContain('Reminders so far: T+3 reminder (Mon 7 Dec), T+7 escalation (Wed 9 Dec).');
  });
});

describe('6: wording against the due date', () => {
  it("Net 30's day-14 notice, before the due date, reminds of the due date; its final notice, past it, says past due", async () => {
    const { id } = await sentInvoice('Net 30', { 'Payment terms': { number: 30 } });
    await at('2026-12-09T10:05:00Z');
    await at('2026-12-16T10:05:00Z');
    expect(world.values(id)['Reminder stage']).toBe('Net 30 past-due notice');
    const notice = shown(replies(id).find((r) => r.text.includes('Net 30 past-due notice'))?.blocks);
    expect(notice).toContain('is due on Fri 1 Jan. Please make sure it is scheduled for payment by then.');
    expect(notice).not.toMatch(/past due|days late/);
    await at('2027-01-04T08:30:00Z');
    expect(world.values(id)['Reminder stage']).toBe('Net 30 final notice');
    const final = shown(replies(id).find((r) => r.text.includes('Net 30 final notice'))?.blocks);
    expect(final).toContain('was due on Fri 1 Jan and remains unpaid, 3 days past due.');
  });
});

describe('7: Send final notice asks first', () => {
  it('on the card and under a step, the button comes last with a confirmation dialog naming the email and the service pause', async () => {
    const { id } = await sentInvoice('Standard', { 'Service pause': { checkbox: true } });
    await at('2026-12-07T08:05:00Z');
    type Button = { action_id: string; style?: string; confirm?: { text: { text: string }; confirm: { text: string }; deny: { text: string } } };
    const elements = (blocks: unknown) =>
      ((blocks as { type: string; elements?: Button[] }[] | undefined) ?? []).filter((b) => b.type === 'actions').flatMap((b) => b.elements ?? []);
    for (const blocks of [h.card(id)?.blocks, replies(id).find((r) => r.text.includes('T+3 reminder'))?.blocks]) {
      const buttons = elements(blocks);
      expect(buttons[0]?.action_id).not.toBe('cashin_final_notice');
      const final = buttons.at(-1);
      expect(final?.action_id).toBe('cashin_final_notice');
      expect(final?.style).toBeUndefined();
      expect(final?.confirm?.text.text).toContain('to keiri@umbrella.example again now, as the final notice');
      expect(final?.confirm?.text.text).toContain('Umbrella has Service pause');
      expect([final?.confirm?.confirm.text, final?.confirm?.deny.text]).toEqual(['Send final notice', 'Cancel']);
    }
  });
});
