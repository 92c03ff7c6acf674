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
  invoices: { milestoneId: string | null; status: string }[];
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
    invoices: { id: string; milestoneId: string | null; status: string; number: string | null; total: number; credited: number }[];
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
