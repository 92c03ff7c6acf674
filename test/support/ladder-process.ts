/**
 * Reminder steps in a real bot process, killed half-way. The invoice is sent by the workflows in
 * this process with the emulators' clocks set back, so the bot (which runs on real time) finds a
 * step due as soon as it starts. Reminder hours are opened to the whole week so the test does not
 * depend on when it runs.
 */
import { expect } from 'vitest';
import { harness } from './harness.js';
import { startBot, type BotProcess } from './process.js';
import { APPROVER, CHANNEL, select, waitFor, type World } from './world.js';

export const WIDE_HOURS = { REMINDER_DAYS: 'Mon-Sun', REMINDER_HOURS: '00:00-24:00' };
const DAY = 86_400_000;

export type SentInvoice = { id: string; invoiceId: string; client: string; cardTs: string };

/** A Standard client's invoice, sent `daysAgo` days ago (and a few minutes), with nothing chased yet. */
export async function invoiceSentDaysAgo(world: World, daysAgo: number, clientExtra: Record<string, unknown> = {}): Promise<SentInvoice> {
  const past = new Date(Date.now() - daysAgo * DAY - 10 * 60_000);
  const h = await harness(world, { now: past, env: WIDE_HOURS });
  const client = await world.addClient('Acme', {
    'Review before send': { checkbox: true },
    'Reminder cadence': select('Standard'),
    'Billing owner': { rich_text: [{ text: { content: 'Dana Ruiz' } }] },
    ...clientExtra,
  });
  const id = await world.addMilestone('Homepage design approved', client, {
    Stage: select('Accepted'),
    'Acceptance evidence': { url: 'https://mail.example.test/ok' },
  });
  await h.tick();
  expect(await h.actions.send(id, APPROVER, h.sendFingerprint(id))).toEqual({ ok: true });
  await h.tick();
  // From now on the emulators run on real time, like the bot.
  world.notion.emulator.now = () => new Date();
  world.stripe.now = () => new Date();
  return { id, invoiceId: String(world.values(id)['Invoice ID']), client, cardTs: String(world.values(id)['Slack card']).split('/')[1] ?? '' };
}

/** A hold the bot's request stops at; resolves `reached` when it does, and answers once released. */
export function gate(): { run: () => Promise<void>; reached: Promise<void>; release: () => void } {
  let reach: () => void = () => {};
  let release: () => void = () => {};
  const reached = new Promise<void>((r) => {
    reach = r;
  });
  const released = new Promise<void>((r) => {
    release = r;
  });
  return {
    reached,
    release,
    run: async () => {
      reach();
      await released;
    },
  };
}

/** Starts the bot, waits until it stops at `stopAt`, then kills it with SIGKILL: no clean shutdown. */
export async function killAt(world: World, stopAt: ReturnType<typeof gate>): Promise<void> {
  const bot: BotProcess = await startBot(world.env('http', WIDE_HOURS), world.botPort);
  try {
    await waitFor('the bot to reach the held request', () => stopAt.reached.then(() => true), 20_000);
  } finally {
    await bot.kill('SIGKILL');
    stopAt.release();
  }
}

/** Starts the bot again and lets it finish what it was doing; resolves once `done` holds. */
export async function restartUntil(world: World, what: string, done: () => boolean): Promise<void> {
  const bot = await startBot(world.env('http', WIDE_HOURS), world.botPort);
  try {
    await waitFor(what, () => done(), 20_000);
    // A few more polls: nothing may happen twice.
    await new Promise((r) => setTimeout(r, 3000));
  } finally {
    await bot.kill('SIGTERM');
  }
}

export const repliesTo = (world: World, sent: SentInvoice) => world.slack.threadReplies(CHANNEL, sent.cardTs);
export const commentsOn = (world: World, sent: SentInvoice, text: string) => world.notion.emulator.commentsOn(sent.id).filter((c) => c.includes(text));
