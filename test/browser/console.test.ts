/**
 * The sandbox as a founder meets it: `npm start` with an empty environment, then the demo flow
 * clicked through in Chromium. Screenshots land in test-results/browser/.
 */
import { mkdirSync } from 'node:fs';
import { webApi } from '@slack/bolt';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX } from '../../src/sandbox/run.js';
import { startBot, type BotProcess } from '../support/process.js';
import { freePort } from '../support/world.js';

const SHOTS = 'test-results/browser';
let bot: BotProcess;
let browser: Browser;
let page: Page;
let base = '';
let startedInMs = 0;

type State = {
  ledger: { milestones: { id: string; values: Record<string, unknown> }[] };
  emulators: { slack: string };
  invoices: { milestoneId: string | null; status: string; sends: number }[];
};

async function state(): Promise<State> {
  return (await (await fetch(`${base}/api/state`)).json()) as State;
}

async function rowId(title: string): Promise<string> {
  const row = (await state()).ledger.milestones.find((m) => m.values.Milestone === title);
  if (!row) throw new Error(`no row ${title}`);
  return row.id;
}

const shot = (name: string) => page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: false });
const card = (title: string) => page.locator('.message', { has: page.locator('.sk-header', { hasText: title }) });

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  const port = await freePort();
  base = `http://localhost:${port}`;
  const started = Date.now();
  // An empty environment apart from PATH and PORT: no credentials, so the sandbox starts.
  bot = await startBot({ PORT: String(port) }, port, '/api/state');
  startedInMs = Date.now() - started;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(base);
});

afterAll(async () => {
  await browser?.close();
  await bot?.kill('SIGTERM');
});

describe('the sandbox console', () => {
  it('is served within 15 s of npm start, marked as a sandbox', async () => {
    expect(startedInMs).toBeLessThan(15_000);
    expect(bot.output()).toContain(`Open the console at ${base}`);
    await expect.poll(() => page.locator('.badge').textContent()).toContain('SANDBOX');
    await expect.poll(() => page.locator('.message').count()).toBeGreaterThanOrEqual(6);
    await shot('01-start');
  });

  it('walks the demo flow: Delivered → card → Client accepted → Send invoice → paid', async () => {
    const id = await rowId('Homepage design');
    await page.selectOption(`tr[data-row="${id}"] select[data-prop="Stage"]`, 'Delivered');
    await card('Delivered: Homepage design').waitFor();
    await shot('02-delivered-card');

    await card('Delivered: Homepage design').locator('button[data-action="cashin_accept"]').click();
    await card('Invoice review: Homepage design').waitFor();
    await expect.poll(async () => (await state()).ledger.milestones.find((m) => m.id === id)?.values.Stage).toBe('Accepted');
    await shot('03-review-card');

    await card('Invoice review: Homepage design').locator('button[data-action="cashin_send"]').click();
    const invoiceRow = page.locator('#invoices tr', { hasText: 'Homepage design' });
    await invoiceRow.waitFor();
    await expect.poll(() => invoiceRow.locator('.status').textContent()).toContain('open');
    await expect.poll(() => page.locator(`tr[data-row="${id}"]`).textContent()).toContain('Sent');
    await card('Homepage design').locator('a', { hasText: 'Hosted invoice page' }).waitFor();
    await shot('04-sent');

    await invoiceRow.locator('button[data-do="pay"]').click();
    await expect.poll(() => invoiceRow.locator('.status').textContent()).toContain('paid');
    await expect.poll(() => page.locator(`tr[data-row="${id}"]`).textContent()).toContain('Paid');
    await expect.poll(() => card('Homepage design').textContent()).toContain('paid');
    await shot('05-paid');
  });

  it('fills a modal: billing details unblock a card, which then goes out (its grace period is long over)', async () => {
    const id = await rowId('Mobile app beta');
    await card('Invoice review: Mobile app beta').locator('button[data-action="cashin_edit_billing"]').click();
    const modal = page.locator('.sk-modal');
    await modal.waitFor();
    await modal.locator('input[name="billing_email"]').fill('not-an-email');
    await modal.locator('button[type="submit"]').click();
    await expect.poll(() => modal.locator('.sk-error').first().textContent()).toContain('Enter an email address');
    await modal.locator('input[name="billing_email"]').fill('finance@initech.example');
    await shot('06-modal');
    await modal.locator('button[type="submit"]').click();
    await expect.poll(() => modal.count()).toBe(0);
    await expect.poll(async () => (await state()).ledger.milestones.find((m) => m.id === id)?.values['Invoice status']).toBe('Sent');
    await card('Mobile app beta').locator('text=Auto-sent after the grace period').waitFor();
  });

  it('moves the clock: +1 hour twice lets the grace period run out and auto-sends', async () => {
    const id = await rowId('Analytics dashboard');
    expect((await state()).invoices.some((i) => i.milestoneId === id)).toBe(false);
    await page.click('button[data-clock="hour"]');
    await page.click('button[data-clock="hour"]');
    await expect.poll(async () => (await state()).invoices.some((i) => i.milestoneId === id), { timeout: 15_000 }).toBe(true);
    await card('Analytics dashboard').locator('text=Auto-sent after the grace period').waitFor();
    await shot('07-auto-sent');
  });

  it('answers /cashin from the command box', async () => {
    await page.fill('#command input', 'help');
    await page.click('#command button');
    await page.locator('.message.ephemeral', { hasText: 'watches your Notion Milestones' }).waitFor();
  });

  it('renders a 40-block message legibly', async () => {
    const slack = new webApi.WebClient(SANDBOX.slackBotToken, { slackApiUrl: (await state()).emulators.slack });
    const blocks = Array.from({ length: 40 }, (_, i) =>
      i % 4 === 0
        ? { type: 'header', text: { type: 'plain_text', text: `Section ${i / 4 + 1}` } }
        : i % 4 === 1
          ? {
              type: 'section',
              text: { type: 'mrkdwn', text: `*Line ${i}* with <https://example.com|a link> and _emphasis_` },
              fields: [
                { type: 'mrkdwn', text: '*Field*\nvalue' },
                { type: 'plain_text', text: 'plain <b>not bold</b>' },
              ],
            }
          : i % 4 === 2
            ? { type: 'context', elements: [{ type: 'mrkdwn', text: `context ${i}` }] }
            : { type: 'divider' },
    );
    await slack.chat.postMessage({ channel: SANDBOX.channel, text: 'Forty blocks', blocks });
    const message = page.locator('.message', { has: page.locator('.sk-header', { hasText: 'Section 10' }) });
    await message.waitFor();
    await message.scrollIntoViewIfNeeded();
    expect(await message.locator('.sk-header').count()).toBe(10);
    expect(await message.locator('.sk-section strong').count()).toBeGreaterThanOrEqual(10);
    expect(await message.locator('b').count()).toBe(0);
    const box = await message.boundingBox();
    expect(box?.width ?? 0).toBeGreaterThan(300);
    await message.screenshot({ path: `${SHOTS}/08-forty-blocks.png` });
  });
});

/**
 * Collections, as a founder meets them: a second sandbox where reminders may go out at any hour
 * of any day, so moving the clock a day at a time walks the ladder.
 */
describe('collections in the console', () => {
  let sandbox: BotProcess;
  let at: Page;
  let url = '';

  type Reply = { ts: string; text: string; broadcast: boolean };
  type Full = State & {
    clock: { now: string };
    channel: { messages: { ts: string; text: string; replies: Reply[] }[]; ephemerals: { text: string }[] };
    invoices: { id: string; milestoneId: string | null; status: string; number: string | null; total: number; credited: number; sends: number }[];
  };
  const now = async (): Promise<Full> => (await (await fetch(`${url}/api/state`)).json()) as Full;
  const row = async (title: string) => {
    const found = (await now()).ledger.milestones.find((m) => m.values.Milestone === title);
    if (!found) throw new Error(`no row ${title}`);
    return found;
  };
  const cardTs = async (title: string) => String((await row(title)).values['Slack card']).split('/')[1] ?? '';
  const cardOf = (title: string) => at.locator('.message:not(.reply)', { has: at.locator('.sk-header', { hasText: title }) });
  const threadOf = (ts: string) => at.locator(`.thread[data-parent="${ts}"]`);
  const notionRow = async (title: string) => at.locator(`tr[data-row="${(await row(title)).id}"]`);
  const invoiceRow = (title: string) => at.locator('#invoices tr', { hasText: title });
  const modal = () => at.locator('.sk-modal');
  const snap = (name: string) => at.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: false });
  /** Whether an element shows inside the scrolled panel that holds it: the founder sees it without hunting. */
  const inView = (locator: ReturnType<Page['locator']>) =>
    locator.evaluate((el) => {
      const r = el.getBoundingClientRect();
      const panel = el.closest('.panel')?.getBoundingClientRect();
      return !!panel && r.height > 0 && r.top < panel.bottom && r.bottom > panel.top;
    });
  const isoDay = (iso: string, plusDays: number) => new Date(Date.parse(iso) + plusDays * 86_400_000).toISOString().slice(0, 10);

  beforeAll(async () => {
    const port = await freePort();
    url = `http://localhost:${port}`;
    sandbox = await startBot({ PORT: String(port), REMINDER_DAYS: 'Mon-Sun', REMINDER_HOURS: '00:00-24:00' }, port, '/api/state');
    at = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await at.goto(url);
  });

  afterAll(async () => {
    await at?.close();
    await sandbox?.kill('SIGTERM');
  });

  it('sends an invoice whose card shows the reminder ladder and the collection buttons', async () => {
    const id = (await row('Homepage design')).id;
    await at.selectOption(`tr[data-row="${id}"] select[data-prop="Stage"]`, 'Delivered');
    await cardOf('Delivered: Homepage design').locator('button[data-action="cashin_accept"]').click();
    await cardOf('Invoice review: Homepage design').locator('button[data-action="cashin_send"]').click();
    const card = cardOf('Homepage design');
    await card.locator('a', { hasText: 'Hosted invoice page' }).waitFor();
    await expect.poll(() => card.textContent()).toContain('Reminders (Standard)');
    const text = (await card.textContent()) ?? '';
    for (const step of ['T+3 reminder', 'T+7 escalation', 'T+10 service risk', 'T+14 overdue protocol', 'Next: T+3 reminder']) expect(text).toContain(step);
    for (const action of ['cashin_final_notice', 'cashin_snooze', 'cashin_promise', 'cashin_dispute', 'cashin_paid_outside'])
      expect(await card.locator(`button[data-action="${action}"]`).count()).toBe(1);
  });

  it('moves the clock a day at a time until the first reminder is a reply under the card, not a new message', async () => {
    const ts = await cardTs('Homepage design');
    const reminder = threadOf(ts).locator('.message.reply', { hasText: 'T+3 reminder' });
    let days = 0;
    while (days < 5) {
      await at.click('button[data-clock="day"]');
      days += 1;
      if (
        await reminder.waitFor({ timeout: 8_000 }).then(
          () => true,
          () => false,
        )
      )
        break;
    }
    expect(days).toBe(3);
    expect(await reminder.textContent()).toContain('Stripe emailed invoice');
    // The reminder is in the card's thread in the state too, never among the channel's own messages.
    const s = await now();
    const parent = s.channel.messages.find((m) => m.ts === ts);
    expect(parent?.replies.map((r) => r.text).join('\n')).toContain('T+3 reminder');
    expect(s.channel.messages.some((m) => m.text.includes('T+3 reminder'))).toBe(false);
    // The card marks the step done, and the Notion row records it.
    await expect.poll(() => cardOf('Homepage design').textContent()).toContain('Next: T+7 escalation');
    await expect.poll(async () => (await notionRow('Homepage design')).textContent()).toContain('T+3 reminder');
    await reminder.scrollIntoViewIfNeeded();
    await snap('09-first-reminder');
  });

  it('snoozes from the reply: a number input, refused out of range, then saved', async () => {
    const ts = await cardTs('Homepage design');
    await threadOf(ts).locator('.message.reply', { hasText: 'T+3 reminder' }).locator('button[data-action="cashin_snooze"]').click();
    const days = modal().locator('input[name="snooze_days"][type="number"]');
    await days.waitFor();
    expect(await days.inputValue()).toBe('7');
    await days.fill('0');
    await modal().locator('button[type="submit"]').click();
    await expect.poll(() => modal().locator('[data-error-for="snooze_days"]').textContent()).toContain('from 1 to 60');
    await days.fill('3');
    await snap('10-snooze-modal');
    await modal().locator('button[type="submit"]').click();
    await expect.poll(() => modal().count()).toBe(0);
    await at.locator('.message.ephemeral', { hasText: 'wait until' }).waitFor();
    await expect.poll(() => cardOf('Homepage design').textContent()).toContain('Snoozed until');
  });

  it('records a promise to pay with a date picker; a past date is refused under the field', async () => {
    const today = (await now()).clock.now;
    await cardOf('Homepage design').locator('button[data-action="cashin_promise"]').click();
    const date = modal().locator('input[name="promise_date"][type="date"]');
    await date.waitFor();
    expect(await date.inputValue()).toBe(isoDay(today, 0));
    await date.fill(isoDay(today, -1));
    await modal().locator('button[type="submit"]').click();
    await expect.poll(() => modal().locator('[data-error-for="promise_date"]').textContent()).toContain('or a later date');
    const promised = isoDay(today, 10);
    await date.fill(promised);
    await snap('11-promise-modal');
    await modal().locator('button[type="submit"]').click();
    await expect.poll(() => modal().count()).toBe(0);
    await expect.poll(() => cardOf('Homepage design').textContent()).toContain('Waiting: the client promised to pay by');
    expect(await cardOf('Homepage design').textContent()).toContain('Promised by');
    await expect.poll(async () => (await notionRow('Homepage design')).textContent()).toContain(`Promise to pay: ${promised}`);
  });

  it('marks the invoice disputed with a reason from a select and a note; the exception is a reply under the card and in Notion', async () => {
    const ts = await cardTs('Homepage design');
    await cardOf('Homepage design').locator('button[data-action="cashin_dispute"]').click();
    const reason = modal().locator('select[name="dispute_reason"]');
    await reason.waitFor();
    await modal().locator('button[type="submit"]').click();
    await expect.poll(() => modal().locator('[data-error-for="dispute_reason"]').textContent()).toContain('Pick a reason');
    await reason.selectOption('Scope dispute');
    await modal().locator('textarea[name="dispute_note"]').fill('Their PM says the mobile layouts were not in scope.\nCall on Monday.');
    await snap('12-dispute-modal');
    await modal().locator('button[type="submit"]').click();
    await expect.poll(() => modal().count()).toBe(0);
    const exception = threadOf(ts).locator('.message.reply', { hasText: 'Exception on invoice' });
    await exception.waitFor();
    expect(await exception.textContent()).toContain('Scope dispute');
    // It needs the founder: sent to the channel too, mentioning the approver.
    expect(await exception.locator('.broadcast').textContent()).toBe('also sent to the channel');
    expect(await exception.locator('.mention').count()).toBeGreaterThan(0);
    const notion = await notionRow('Homepage design');
    await expect.poll(() => notion.textContent()).toContain('Dispute reason: Scope dispute');
    expect(await notion.locator('.status').first().textContent()).toBe('Disputed');
    await expect.poll(() => cardOf('Homepage design').textContent()).toContain('Paused');
    expect(await inView(exception)).toBe(true);
    await snap('13-exception');
  });

  it('resumes from the exception reply: the ladder goes on and Notion clears the reason', async () => {
    const ts = await cardTs('Homepage design');
    await threadOf(ts).locator('.message.reply', { hasText: 'Exception on invoice' }).locator('button[data-action="cashin_resume"]').click();
    await threadOf(ts).locator('.message.reply', { hasText: 'Reminders resumed' }).waitFor();
    await expect.poll(async () => (await notionRow('Homepage design')).textContent()).not.toContain('Dispute reason');
    await expect.poll(() => cardOf('Homepage design').textContent()).not.toContain('Paused');
    // The README's picture: the card with its ladder and its thread, next to the ledger.
    const card = cardOf('Homepage design');
    await card.evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await snap('14-card-thread-ladder');
    await at.setViewportSize({ width: 1440, height: 2600 });
    const [a, b] = [await card.boundingBox(), await threadOf(ts).boundingBox()];
    if (a && b)
      await at.screenshot({
        path: `${SHOTS}/14-card-thread-ladder-full.png`,
        clip: { x: a.x - 50, y: a.y - 8, width: a.width + 58, height: b.y + b.height - a.y + 16 },
      });
    await at.setViewportSize({ width: 1440, height: 900 });
  });

  it('Payment fails on another invoice: the console points at the exception under its card and in Notion', async () => {
    const stripeRow = invoiceRow('Onboarding flow');
    await stripeRow.locator('button[data-do="fail"]').click();
    const hint = at.locator('#stripe-hint');
    await expect.poll(() => hint.textContent()).toContain('declined');
    await expect.poll(() => hint.textContent(), { timeout: 20_000 }).toContain('Exception opened');
    const exception = threadOf(await cardTs('Onboarding flow')).locator('.message.reply', { hasText: 'Exception on invoice' });
    expect(await exception.textContent()).toContain('Payment failed');
    expect(await inView(exception)).toBe(true);
    await expect.poll(async () => (await notionRow('Onboarding flow')).textContent()).toContain('Dispute reason: Payment failed');
    await expect.poll(() => stripeRow.textContent()).toContain('Exception: Payment failed');
    expect(await stripeRow.textContent()).toContain('1 failed attempt');
    await snap('15-payment-failed');
  });

  it('Dispute shows on a paid invoice only, and opens an exception too', async () => {
    const stripeRow = invoiceRow('Analytics dashboard');
    await stripeRow.waitFor();
    expect(await stripeRow.locator('button[data-do="dispute"]').count()).toBe(0);
    expect(await stripeRow.locator('button[data-do="fail"]').count()).toBe(1);
    await stripeRow.locator('button[data-do="pay"]').click();
    await expect.poll(() => stripeRow.locator('.status').textContent()).toContain('paid');
    expect(await stripeRow.locator('button[data-do="fail"]').count()).toBe(0);
    await expect.poll(async () => (await notionRow('Analytics dashboard')).textContent()).toContain('Paid');
    await stripeRow.locator('button[data-do="dispute"]').click();
    await expect.poll(() => at.locator('#stripe-hint').textContent(), { timeout: 20_000 }).toContain('Exception opened');
    const exception = threadOf(await cardTs('Analytics dashboard')).locator('.message.reply', { hasText: 'Exception on invoice' });
    expect(await inView(exception)).toBe(true);
    await expect.poll(async () => (await notionRow('Analytics dashboard')).textContent()).toContain('Dispute reason: Other');
    expect(await stripeRow.textContent()).toContain('disputed');
    await snap('16-stripe-dispute');
  });

  it('issues a credit note: Notion and the card show what was credited', async () => {
    const stripeRow = invoiceRow('Homepage design');
    await stripeRow.locator('button[data-do="credit-note"]').click();
    await expect.poll(() => at.locator('#stripe-hint').textContent(), { timeout: 20_000 }).toContain('Credit note recorded');
    await expect.poll(async () => (await notionRow('Homepage design')).textContent()).toContain('Amount credited: 500');
    expect(await stripeRow.textContent()).toContain('credited $500.00');
    await expect.poll(() => cardOf('Homepage design').textContent()).toContain('Credited');
    await snap('17-credit-note');
  });

  it('lists open exceptions from the /cashin exceptions button', async () => {
    await at.click('button[data-command="exceptions"]');
    const answer = at.locator('.message.ephemeral', { hasText: 'Open exceptions' });
    await answer.waitFor();
    const text = (await answer.textContent()) ?? '';
    expect(text).toContain('Payment failed');
    expect(text).toContain('Onboarding flow');
    expect(text).toContain('Analytics dashboard');
    expect(text).not.toContain('Homepage design');
    await snap('18-exceptions');
  });

  it('asks before Send final notice, as Slack does: Cancel sends nothing, confirming sends it once', async () => {
    const emailed = async () => {
      const id = (await row('Homepage design')).id;
      return (await now()).invoices.find((i) => i.milestoneId === id)?.sends ?? 0;
    };
    const before = await emailed();
    const button = cardOf('Homepage design').locator('button[data-action="cashin_final_notice"]');
    await button.click();
    const dialog = at.locator('.sk-confirm');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('Send the final notice?');
    await snap('19a-final-notice-confirm');
    await dialog.locator('button[data-deny]').click();
    await expect.poll(() => dialog.count()).toBe(0);
    // Give a click every chance to have gone out: two of the bot's polls.
    await new Promise((resolve) => setTimeout(resolve, 4500));
    expect(await emailed()).toBe(before);
    await button.click();
    await dialog.locator('button[data-confirm-yes]').click();
    await expect.poll(emailed, { timeout: 20_000 }).toBe(before + 1);
  });

  it('records a payment outside Stripe with radio buttons; the ladder ends', async () => {
    await cardOf('Homepage design').locator('button[data-action="cashin_paid_outside"]').click();
    await modal().locator('input[type="radio"][name="paid_outside_choice"]').first().waitFor();
    expect(await modal().locator('input[type="radio"]').count()).toBe(2);
    await modal().locator('button[type="submit"]').click();
    await expect.poll(() => modal().locator('[data-error-for="paid_outside_choice"]').textContent()).toContain('Choose one');
    await modal().locator('input[type="radio"][value="paid"]').check();
    await snap('19-paid-outside-modal');
    await modal().locator('button[type="submit"]').click();
    await expect.poll(() => modal().count()).toBe(0);
    await expect.poll(() => invoiceRow('Homepage design').locator('.status').textContent()).toContain('paid');
    await expect.poll(async () => (await notionRow('Homepage design')).locator('.status').first().textContent()).toBe('Paid');
    await expect.poll(() => cardOf('Homepage design').textContent()).toContain('paid');
    expect(await cardOf('Homepage design').locator('button[data-action="cashin_snooze"]').count()).toBe(0);
  });
});

/**
 * The weekly posts, App Home and /cashin's Share button, from the console: a third sandbox, in a
 * time zone where no weekly post is due now, so only the console's buttons post them.
 */
describe('weekly posts, App Home and Share in the console', () => {
  let sandbox: BotProcess;
  let at: Page;
  let url = '';

  type Posted = { ts: string; text: string; files: { id: string; title: string; name: string; type: string }[]; replies: { text: string }[] };
  type Full = State & { clock: { now: string }; channel: { messages: Posted[]; home: { blocks: unknown[]; hash: string } | null } };
  const now = async (): Promise<Full> => (await (await fetch(`${url}/api/state`)).json()) as Full;
  const snap = (name: string) => at.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: false });
  const toast = () => at.locator('#toast');
  const channelMessage = (text: string) => at.locator('#messages .message:not(.ephemeral)', { has: at.locator('.sk-header', { hasText: text }) });
  const chart = () => at.locator('#messages figure.file img');
  /** Whether an element shows in its scrolled panel: whole, or at least in part. */
  const inView = (locator: ReturnType<Page['locator']>, whole = true) =>
    locator.evaluate((el, whole) => {
      const r = el.getBoundingClientRect();
      const panel = el.closest('.panel')?.getBoundingClientRect();
      if (!panel || r.height === 0) return false;
      return whole ? r.top >= panel.top && r.bottom <= panel.bottom + 1 : r.top < panel.bottom && r.bottom > panel.top;
    }, whole);
  const edit = async (title: string, property: string, value: string) => {
    const row = (await now()).ledger.milestones.find((m) => m.values.Milestone === title);
    const res = await fetch(`${url}/api/milestones/${row?.id ?? ''}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ property, value }),
    });
    expect(res.status).toBe(200);
  };

  beforeAll(async () => {
    const port = await freePort();
    url = `http://localhost:${port}`;
    sandbox = await startBot({ PORT: String(port), CASHIN_TIMEZONE: quietZone(new Date()) }, port, '/api/state');
    at = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await at.goto(url);
    await at.locator('#messages .message').first().waitFor();
  });

  afterAll(async () => {
    await at?.close();
    await sandbox?.kill('SIGTERM');
  });

  it('sets up a card with a thread at the end of the channel: delivered two days ago, not accepted', async () => {
    const twoDaysAgo = new Date(Date.parse((await now()).clock.now) - 2 * 86_400_000).toISOString().slice(0, 10);
    await edit('Homepage design', 'Completed', twoDaysAgo);
    await edit('Homepage design', 'Stage', 'Delivered');
    const card = channelMessage('Delivered: Homepage design');
    await card.waitFor();
    const ts = await card.getAttribute('data-ts');
    await at.locator(`.thread[data-parent="${ts}"] .message.reply`, { hasText: 'No acceptance 24 hours' }).waitFor();
    expect((await now()).channel.messages.some((m) => m.text.startsWith('Cash-in forecast'))).toBe(false);
  });

  it('Post Monday forecast puts the chart and the summary in the channel; the chart image loads at 800 px', async () => {
    await at.click('button[data-weekly="monday forecast"]');
    await expect.poll(() => toast().textContent()).toBe('Monday forecast posted in the channel.');
    const summary = channelMessage('Cash-in forecast, 5 weeks from');
    await summary.waitFor();
    expect(await summary.textContent()).toContain('80% band');
    expect(await summary.textContent()).toContain('Track record');
    // The chart: shared as a file before the summary, drawn as an image under its title.
    expect(sandbox.output(), 'the bot could not draw the chart').not.toContain('forecast chart not drawn');
    await expect.poll(() => chart().count()).toBe(1);
    await expect
      .poll(() =>
        // In the page the element is an image: whether it loaded, and how wide it really is.
        chart().evaluate((img) => ('complete' in img && 'naturalWidth' in img && img.complete ? img.naturalWidth : 0)),
      )
      .toBe(800);
    const figure = at.locator('#messages figure.file');
    expect(await figure.locator('figcaption').textContent()).toMatch(/Cash-in forecast \d{4}-W\d{2}/);
    expect(await chart().getAttribute('alt')).toMatch(/Cash-in forecast/);
    // Brought into view from its top: the chart first, the summary under it.
    await expect.poll(() => inView(chart())).toBe(true);
    const [image, text] = [await chart().boundingBox(), await summary.boundingBox()];
    expect((image?.y ?? 0) + (image?.height ?? 0)).toBeLessThanOrEqual(text?.y ?? 0);
    await snap('20-monday-forecast');

    // The state names the file; its bytes are served as the PNG Slack keeps.
    const posted = (await now()).channel.messages.find((m) => m.files.length > 0);
    expect(posted?.files).toHaveLength(1);
    const file = posted?.files[0];
    expect(file?.type).toBe('image/png');
    expect(file?.name).toMatch(/^cashin-forecast-.*\.png$/);
    const res = await fetch(`${url}/api/files/${file?.id ?? ''}`);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(
      Buffer.from(await res.arrayBuffer())
        .subarray(1, 4)
        .toString('latin1'),
    ).toBe('PNG');
    expect((await fetch(`${url}/api/files/FNOSUCHFILE`)).status).toBe(404);
    expect((await fetch(`${url}/api/files/%E0%A4%A`)).status).toBe(404);
  });

  it('a second click says the forecast is already posted this week, and posts nothing', async () => {
    const before = (await now()).channel.messages.length;
    await at.click('button[data-weekly="monday forecast"]');
    await expect.poll(() => toast().textContent()).toContain('already posted this week');
    expect((await now()).channel.messages.length).toBe(before);
    expect(await chart().count()).toBe(1);
    await snap('21-monday-forecast-again');
  });

  it('Post Friday review posts the weekly review once', async () => {
    await at.click('button[data-weekly="friday review"]');
    await expect.poll(() => toast().textContent()).toBe('Friday review posted in the channel.');
    await at.locator('#messages .message', { hasText: 'Weekly review' }).waitFor();
    await at.click('button[data-weekly="friday review"]');
    await expect.poll(() => toast().textContent()).toContain('Friday review already posted this week');
  });

  it('App Home shows the forecast, the KPIs and the exceptions, drawn again each time it is opened', async () => {
    expect((await now()).channel.home).toBeNull();
    await at.click('button[data-tab="home"]');
    const home = at.locator('#home');
    await expect
      .poll(() => home.locator('.sk-header').allTextContents())
      .toEqual([expect.stringMatching(/^Cash-in forecast, 5 weeks from /), expect.stringMatching(/^Collection KPIs, last \d+ days$/), 'Open exceptions']);
    expect(await at.locator('#messages').isHidden()).toBe(true);
    expect(await at.locator('button[data-tab="home"]').getAttribute('aria-selected')).toBe('true');
    const text = (await home.textContent()) ?? '';
    for (const part of ['80% band', 'Same-day dispatch', 'Dispute rate', 'DSO', 'Not yet due', 'No open exceptions', 'Refreshed each time you open this tab'])
      expect(text).toContain(part);
    await expect.poll(() => home.locator('.home-head').textContent()).toContain('when you opened this tab');
    await snap('22-app-home');
    const first = (await now()).channel.home?.hash;
    expect(first).toBeTruthy();

    // A payment fails meanwhile: the console shows Cashin's answer in the channel; opening Home again shows the exception.
    await at.locator('#invoices tr', { hasText: 'Onboarding flow' }).locator('button[data-do="fail"]').click();
    await expect.poll(() => at.locator('#stripe-hint').textContent(), { timeout: 20_000 }).toContain('Exception opened');
    expect(await at.locator('#messages').isVisible()).toBe(true);
    expect(await at.locator('#home').isHidden()).toBe(true);
    const exception = at.locator('#messages .message.reply', { hasText: 'Exception on invoice' });
    expect(await exception.textContent()).toContain('Payment failed');
    expect(await inView(exception, false)).toBe(true);
    await at.click('button[data-tab="home"]');
    await expect.poll(() => home.textContent()).toContain('Payment failed');
    expect(await home.textContent()).not.toContain('No open exceptions');
    expect((await now()).channel.home?.hash).not.toBe(first);
    await home.locator('.sk-header', { hasText: 'Open exceptions' }).scrollIntoViewIfNeeded();
    await snap('23-app-home-reopened');
  });

  it('a message posted while App Home is open marks the channel tab; going back shows it', async () => {
    const channelTab = at.locator('button[data-tab="channel"]');
    expect(await channelTab.getAttribute('class')).not.toContain('unread');
    const slack = new webApi.WebClient(SANDBOX.slackBotToken, { slackApiUrl: (await now()).emulators.slack });
    await slack.chat.postMessage({ channel: SANDBOX.channel, text: 'Posted while you were on the Home tab' });
    await expect.poll(() => channelTab.getAttribute('class')).toContain('unread');
    await channelTab.click();
    expect(await at.locator('#home').isHidden()).toBe(true);
    expect(await channelTab.getAttribute('class')).not.toContain('unread');
    const posted = at.locator('#messages .message', { hasText: 'Posted while you were on the Home tab' });
    await expect.poll(() => inView(posted)).toBe(true);
  });

  it('/cashin kpis answers privately; Share in channel posts the answer for everyone', async () => {
    await at.fill('#command input', 'kpis');
    await at.press('#command input', 'Enter');
    const answer = at.locator('.message.ephemeral', { hasText: 'Collection KPIs' });
    await answer.waitFor();
    expect(await channelMessage('Collection KPIs').count()).toBe(0);
    await snap('24-kpis-private');
    await answer.locator('button[data-action="cashin_share"]').click();
    const shared = channelMessage('Collection KPIs');
    await shared.waitFor();
    expect(await shared.textContent()).toContain('Same-day dispatch');
    expect(await shared.locator('button[data-action="cashin_share"]').count()).toBe(0);
    const posted = (await now()).channel.messages.find((m) => m.text.includes('Collection KPIs'));
    expect(posted?.text).toMatch(/^Shared by <@U0FOUNDER1>/);
    await snap('25-kpis-shared');
  });

  it('pictures the channel for the README: a card with its thread, then the Monday chart', async () => {
    await at.setViewportSize({ width: 1440, height: 960 });
    const card = channelMessage('Delivered: Homepage design');
    await card.evaluate((el) => el.scrollIntoView({ block: 'start' }));
    // The ledger beside it, scrolled to the row the card is about.
    const id = (await now()).ledger.milestones.find((m) => m.values.Milestone === 'Homepage design')?.id ?? '';
    await at.locator(`tr[data-row="${id}"]`).evaluate((el) => el.scrollIntoView({ block: 'center' }));
    await at.waitForTimeout(2600);
    await snap('26-readme-console');
    await at.setViewportSize({ width: 1440, height: 900 });
  });
});

/** Minutes since Sunday 00:00 in `zone` at `at`. */
function weekMinute(at: Date, zone: string): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: zone, weekday: 'short', hour: 'numeric', minute: 'numeric', hourCycle: 'h23' })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(parts.weekday ?? '');
  return day * 1440 + Number(parts.hour) * 60 + Number(parts.minute);
}

/**
 * A time zone where neither weekly post is due at `at`: the sandbox catches up a post up to 20
 * hours after its time (Monday 08:00, Friday 16:00), which would beat the console's button to it.
 */
function quietZone(at: Date): string {
  const WEEK = 7 * 1440;
  const windows = [1 * 1440 + 8 * 60, 5 * 1440 + 16 * 60].map((start) => ({ start, end: start + 20 * 60 }));
  const zones = ['UTC', 'Pacific/Pago_Pago', 'Pacific/Honolulu', 'America/New_York', 'Europe/Berlin', 'Asia/Kolkata', 'Asia/Tokyo', 'Pacific/Kiritimati'];
  // How far the moment is from every window (0 inside one), in minutes around the week.
  const margin = (zone: string) => {
    const m = weekMinute(at, zone);
    return Math.min(...windows.map(({ start, end }) => (m >= start && m < end ? 0 : Math.min((start - m + WEEK) % WEEK, (m - end + WEEK) % WEEK))));
  };
  return zones.reduce((best, zone) => (margin(zone) > margin(best) ? zone : best));
}
