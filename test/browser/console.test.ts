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
