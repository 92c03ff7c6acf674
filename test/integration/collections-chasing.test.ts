/**
 * Chasing payment as a new user met it in the sandbox: each test reproduces one report (a raw user
 * id in Slack, a credit note called a payment, a card dispute on a paid invoice, a failed payment
 * called a dispute, ladder days, wording before the due date, the final notice's button) and shows
 * it fixed, through the real adapters and the emulators.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../support/harness.js';
import { APPROVER, CHANNEL, createWorld, select, type World } from '../support/world.js';

/** Wednesday 2 December 2026, 11:00 in Berlin (the world's CASHIN_TIMEZONE). */
const T0 = new Date('2026-12-02T10:00:00Z');
const evidence = { 'Acceptance evidence': { url: 'https://mail.example.test/ok' } };

let world: World;
let h: Harness;

beforeEach(async () => {
  world = await createWorld();
  h = await harness(world, { now: T0 });
});
afterEach(async () => world.close());

const comments = (id: string, text: string) => world.notion.emulator.commentsOn(id).filter((c) => c.includes(text));
const cardTs = (id: string) => String(world.values(id)['Slack card']).split('/')[1] ?? '';
const replies = (id: string) => world.slack.threadReplies(CHANNEL, cardTs(id));
const shown = (blocks: unknown) => JSON.stringify(blocks ?? []);

async function at(iso: string): Promise<void> {
  h.clock.set(new Date(iso));
  await h.payments.poll();
  await h.tick();
}

async function sentInvoice(cadence: string, clientExtra: Record<string, unknown> = {}) {
  await h.payments.poll();
  const client = await world.addClient('Umbrella', {
    'Review before send': { checkbox: true },
    'Reminder cadence': select(cadence),
    'Billing email': { email: 'keiri@umbrella.example' },
    'Billing owner': { rich_text: [{ text: { content: 'Dana Ruiz' } }] },
    ...clientExtra,
  });
  const id = await world.addMilestone('Homepage design approved', client, { Stage: select('Accepted'), ...evidence });
  await h.tick();
  expect(await h.actions.send(id, APPROVER, h.sendFingerprint(id))).toEqual({ ok: true });
  await h.tick();
  return { id, invoiceId: String(world.values(id)['Invoice ID']), client };
}

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
