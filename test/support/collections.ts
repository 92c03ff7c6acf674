/**
 * What the collections suites share: an invoice sent for a client on a given ladder, the clock
 * moved with one poll of Stripe and Notion, and where a milestone's thread, comments and emails are.
 */
import { expect } from 'vitest';
import type { Harness } from './harness.js';
import { APPROVER, CHANNEL, select, type World } from './world.js';

/** Wednesday 2 December 2026, 11:00 in Berlin (the world's CASHIN_TIMEZONE). */
export const T0 = new Date('2026-12-02T10:00:00Z');
export const evidence = { 'Acceptance evidence': { url: 'https://mail.example.test/ok' } };

/** Moves the clock to `iso` and lets the bot poll Stripe and Notion once. */
export async function stepTo(h: Harness, iso: string): Promise<void> {
  h.clock.set(new Date(iso));
  await h.payments.poll();
  await h.tick();
}

/** A client on `cadence` (reviewed before send, billing owner Dana Ruiz) and one invoice sent by an approver's click. */
export async function sendInvoiceFor(
  world: World,
  h: Harness,
  cadence: string,
  clientExtra: Record<string, unknown> = {},
  clientName = 'Acme',
): Promise<{ id: string; invoiceId: string; client: string }> {
  // The event poll starts with the bot: it reads what happens from then on.
  await h.payments.poll();
  const client = await world.addClient(clientName, {
    'Review before send': { checkbox: true },
    'Reminder cadence': select(cadence),
    'Billing owner': { rich_text: [{ text: { content: 'Dana Ruiz' } }] },
    ...clientExtra,
  });
  const id = await world.addMilestone('Homepage design approved', client, { Stage: select('Accepted'), ...evidence });
  await h.tick();
  expect(await h.actions.send(id, APPROVER, h.sendFingerprint(id))).toEqual({ ok: true });
  await h.tick();
  return { id, invoiceId: String(world.values(id)['Invoice ID']), client };
}

/** Where a milestone's story shows: its card's thread, its page's comments, Stripe's emails. */
export function lookups(world: () => World) {
  const cardTs = (id: string) => String(world().values(id)['Slack card']).split('/')[1] ?? '';
  return {
    cardTs,
    replies: (id: string) => world().slack.threadReplies(CHANNEL, cardTs(id)),
    comments: (id: string, text: string) =>
      world()
        .notion.emulator.commentsOn(id)
        .filter((c) => c.includes(text)),
    sends: (invoiceId: string) => world().stripe.sends.get(invoiceId) ?? 0,
  };
}
