/** The billing loop walked through the emulators, shared by the process-level suites. */
import { expect } from 'vitest';
import { ACTIONS } from '../../src/slack/blocks/card.js';
import { APPROVER, CHANNEL, select, STRANGER, waitFor, type World } from './world.js';

export const cardsTitled = (world: World, title: string) => world.slack.channelMessages(CHANNEL).filter((m) => JSON.stringify(m.blocks).includes(title));

/** A client that requires a PO and reviews before sending, and a milestone ready to be delivered. */
export async function seedAcme(world: World): Promise<{ milestone: string; client: string }> {
  const client = await world.addClient('Acme', { 'PO required': { checkbox: true }, 'Review before send': { checkbox: true } });
  const milestone = await world.addMilestone('Homepage design approved', client, {
    'Acceptance evidence': { url: 'https://mail.example.test/acme/ok' },
    'PO number': { rich_text: [{ text: { content: 'PO-4471' } }] },
  });
  return { milestone, client };
}

/** Delivered in Notion → acceptance card → accepted in Slack → review card → sent, checked on all three sides. */
export async function walkToSent(world: World, id: string): Promise<string> {
  const card = (title: string) => cardsTitled(world, title);
  const comments = (page: string) => world.notion.emulator.commentsOn(page);
  // Step 1: Delivered in Notion → acceptance card in Slack.
  world.edit(id, { Stage: select('Delivered') });
  const [posted] = await waitFor('acceptance card', () => card('Homepage design approved').length > 0 && card('Homepage design approved'));
  if (!posted) throw new Error('no card');
  const blocks = JSON.stringify(posted.blocks);
  expect(blocks).toContain('Client accepted');
  expect(blocks).toContain('Draft acceptance request');
  expect(blocks).toContain('USD 2,500.00');
  await waitFor('card ref in notion', () => world.values(id)['Slack card'] === `${CHANNEL}/${posted.ts}`);
  expect(world.values(id).Completed).toBeTruthy();
  expect(String(world.values(id).Blockers)).toContain('has not accepted');
  expect(world.stripe.invoices.size).toBe(0);

  await world.slack.click(posted.ts, ACTIONS.draftAcceptance, APPROVER);
  await waitFor('acceptance request draft', () => world.slack.ephemerals.find((e) => e.text.includes('within 24 hours')));

  // A stranger's click changes nothing.
  await world.slack.click(posted.ts, ACTIONS.accept, STRANGER);
  await waitFor('refusal', () => world.slack.ephemerals.find((e) => e.user === STRANGER && e.text.includes('SLACK_APPROVER_IDS')));
  expect(world.values(id).Stage).toBe('Delivered');

  // Step 2: Client accepted → Stage and Accepted written back, the same card becomes the review card.
  await world.slack.click(posted.ts, ACTIONS.accept, APPROVER);
  await waitFor('review card', () => posted.text.startsWith('Invoice review'));
  expect(world.values(id).Stage).toBe('Accepted');
  expect(world.values(id).Accepted).toBeTruthy();
  const review = JSON.stringify(posted.blocks);
  for (const section of ['Milestone recap', 'Delivery evidence', 'Outcome', 'Next checkpoint', 'PO-4471', 'Send invoice']) expect(review).toContain(section);
  expect(world.values(id).Blockers).toBe('');
  expect(world.slack.channelMessages(CHANNEL)).toHaveLength(1);

  // Step 3: Send → Stripe invoice created, finalized, sent once; Notion and the card updated.
  await world.slack.click(posted.ts, ACTIONS.send, APPROVER);
  await waitFor('sent in notion', () => world.values(id)['Invoice status'] === 'Sent');
  const values = world.values(id);
  const invoiceId = String(values['Invoice ID']);
  const invoice = world.stripe.invoiceJson(invoiceId);
  expect(invoice).toMatchObject({
    status: 'open',
    collection_method: 'send_invoice',
    total: 250000,
    currency: 'usd',
    custom_fields: expect.arrayContaining([{ name: 'PO number', value: 'PO-4471' }]),
  });
  expect((invoice.metadata as Record<string, string>).cashin_milestone).toBe(id);
  expect(String(invoice.description)).toContain('Delivery evidence');
  expect(world.stripe.sends.get(invoiceId)).toBe(1);
  expect(values).toMatchObject({ 'Invoice number': invoice.number, 'Invoice link': invoice.hosted_invoice_url });
  for (const key of ['Invoice created', 'Invoice sent', 'Invoice due']) expect(values[key]).toBeTruthy();
  await waitFor('sent card', () => JSON.stringify(posted.blocks).includes(`Sent by <@${APPROVER}>`));
  expect(JSON.stringify(posted.blocks)).toContain(String(invoice.hosted_invoice_url));
  expect(comments(id).some((c) => c.includes(`sent from Slack by Slack user ${APPROVER}`))).toBe(true);
  return invoiceId;
}
