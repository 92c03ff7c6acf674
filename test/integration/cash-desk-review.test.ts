/**
 * The cash desk as a hostile reviewer attacked it, each finding fixed: a Monday post lost to one
 * failed attempt or posted twice by replicas either side of an hour, Actual scored from invoice
 * totals instead of the cash that came in, a client name turned into markup by Share, a 13-week
 * answer over many currencies refused by Slack, and a week typed twice in the Forecasts table.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { start, type Running } from '../../src/app/start.js';
import { loadConfig } from '../../src/config.js';
import { SHARE_ACTION } from '../../src/slack/blocks/cash.js';
import { silentLogger } from '../support/notion.js';
import { cashLookups, DAY, MONDAY } from '../support/cash.js';
import { evidence } from '../support/collections.js';
import { harness, SteppableClock, type Harness } from '../support/harness.js';
import { APPROVER, CHANNEL, createWorld, select, waitFor, type World } from '../support/world.js';

let world: World;
beforeEach(async () => {
  world = await createWorld();
});
afterEach(async () => world.close());

const { posts, forecastRows } = cashLookups(() => world);

/** Acme: USD 2,500 + 20 % tax = 3,000, auto-sent after the grace period. */
async function sentInvoice(h: Harness): Promise<{ sent: string; invoiceId: string }> {
  await h.payments.poll();
  const acme = await world.addClient('Acme Studio', { 'Payment terms': { number: 14 }, 'Tax rate': { number: 20 } });
  const sent = await world.addMilestone('Homepage design', acme, { Stage: select('Accepted'), Amount: { number: 2500 }, ...evidence });
  await h.tick();
  h.clock.advance(3 * 3_600_000);
  await h.tick();
  await h.tick();
  expect(world.values(sent)['Invoice status']).toBe('Sent');
  return { sent, invoiceId: String(world.values(sent)['Invoice ID']) };
}

describe('the Monday post after a failed attempt', () => {
  it('a run that failed at 08:00 is tried again by the same replica at its next catch-up, and posted once', async () => {
    const h = await harness(world, { now: MONDAY });
    await h.tick();
    // Slack hiccups once when the summary is posted.
    world.slack.failNext('chat.postMessage', 'internal_error');
    await expect(h.weekly.fire('monday forecast')).rejects.toThrow();
    expect(posts('Cash-in forecast, 2026-W50')).toHaveLength(0);

    // The same replica tries again at its next catch-up, 10 minutes later, and posts.
    h.clock.set(new Date(MONDAY.getTime() + 10 * 60_000));
    await h.weekly.catchUp();
    expect(posts('Cash-in forecast, 2026-W50')).toHaveLength(1);
  });

  it('a replica that died after claiming the run holds it back 20 minutes at most; then another posts it', async () => {
    const h = await harness(world, { now: MONDAY });
    await h.tick();
    world.slack.failNext('chat.postMessage', 'internal_error');
    await expect(h.weekly.fire('monday forecast')).rejects.toThrow();
    // h dies. A new replica 10 minutes later finds the run claimed; 21 minutes later it takes over.
    const restarted = await harness(world, { now: new Date(MONDAY.getTime() + 10 * 60_000) });
    await restarted.tick();
    await restarted.weekly.catchUp();
    expect(posts('Cash-in forecast, 2026-W50')).toHaveLength(0);
    restarted.clock.set(new Date(MONDAY.getTime() + 21 * 60_000));
    await restarted.weekly.catchUp();
    expect(posts('Cash-in forecast, 2026-W50')).toHaveLength(1);
  });
});

describe('Actual in the Forecasts table is the cash that came in', () => {
  it('credit note: the week is scored with what the client paid, not the invoice total', async () => {
    const h = await harness(world, { now: new Date(MONDAY.getTime() - 5 * DAY) });
    const { sent, invoiceId } = await sentInvoice(h);
    h.clock.set(MONDAY);
    await h.tick();
    expect(await h.weekly.fire('monday forecast')).toBe('ran');
    // Tuesday: a credit note of 1,000; Wednesday the client pays the 2,000 left.
    h.clock.set(new Date(MONDAY.getTime() + 1 * DAY));
    world.stripe.creditNote(invoiceId, 100_000);
    await h.payments.poll();
    await h.tick();
    h.clock.set(new Date(MONDAY.getTime() + 2 * DAY));
    world.stripe.pay(invoiceId);
    await h.payments.poll();
    await h.tick();
    expect(world.values(sent)['Invoice status']).toBe('Paid');
    expect(world.values(sent)['Amount paid']).toBe(2000);
    h.clock.set(new Date(MONDAY.getTime() + 7 * DAY));
    await h.tick();
    expect(await h.weekly.fire('monday forecast')).toBe('ran');
    // Cash actually received in W50: 2,000.
    expect(forecastRows()[0]?.Actual).toBe(2000);
  });

  it('partial payments: the ledger dates only the payment that settles an invoice, so its cash counts in that week, once', async () => {
    const h = await harness(world, { now: new Date(MONDAY.getTime() - 5 * DAY) });
    const { invoiceId } = await sentInvoice(h);
    h.clock.set(MONDAY);
    await h.tick();
    expect(await h.weekly.fire('monday forecast')).toBe('ran');
    h.clock.set(new Date(MONDAY.getTime() + 2 * DAY));
    world.stripe.pay(invoiceId, 150_000);
    await h.payments.poll();
    await h.tick();
    h.clock.set(new Date(MONDAY.getTime() + 7 * DAY));
    await h.tick();
    expect(await h.weekly.fire('monday forecast')).toBe('ran');
    h.clock.set(new Date(MONDAY.getTime() + 8 * DAY));
    world.stripe.pay(invoiceId);
    await h.payments.poll();
    await h.tick();
    h.clock.set(new Date(MONDAY.getTime() + 14 * DAY));
    await h.tick();
    expect(await h.weekly.fire('monday forecast')).toBe('ran');
    const [w50, w51] = forecastRows();
    // Nothing settled in W50: that week is not scored (no Error) rather than scored against a guess.
    expect({ actual: w50?.Actual, error: w50?.Error }).toEqual({ actual: 0, error: null });
    // All the cash counts once, in the week the invoice was settled.
    expect(w51?.Actual).toBe(3000);
  });
});

describe('/cashin through Slack, hostile names and many currencies', () => {
  let bot: Running | null = null;
  afterEach(async () => {
    await bot?.stop();
    bot = null;
  });

  async function boot(clock: SteppableClock): Promise<void> {
    world.notion.emulator.now = clock.now;
    world.stripe.now = clock.now;
    bot = await start(loadConfig(world.env('http')), silentLogger, { clock });
  }

  it('Share of `/cashin client` escapes the client name in the channel message text too', async () => {
    const clock = new SteppableClock(MONDAY);
    const acme = await world.addClient('Acme <!channel> <https://evil.example|pay here>', { 'Payment terms': { number: 14 } });
    await world.addMilestone('Homepage design', acme, { Stage: select('Accepted'), Amount: { number: 2500 }, ...evidence });
    await boot(clock);
    await waitFor('card', () => world.slack.channelMessages(CHANNEL).length > 0);
    await new Promise((r) => setTimeout(r, 1500));
    const before = world.slack.ephemerals.length;
    await world.slack.slashCommand('/cashin', 'client acme', APPROVER, CHANNEL);
    await waitFor('answer', () => world.slack.ephemerals.slice(before).find((e) => e.user === APPROVER));
    const n = world.slack.ephemerals.length - 1;
    await world.slack.clickEphemeral(n, SHARE_ACTION, APPROVER);
    const shared = await waitFor('shared', () => world.slack.topLevel(CHANNEL).find((m) => m.text.startsWith('Shared by')));
    expect(shared.text).not.toContain('<!channel>');
    expect(shared.text).not.toContain('<https://evil.example|pay here>');
  });

  it('`/cashin forecast 13` over ten currencies still gets an answer Slack accepts', async () => {
    const clock = new SteppableClock(MONDAY);
    const codes = ['USD', 'EUR', 'GBP', 'JPY', 'CAD', 'AUD', 'CHF', 'SEK', 'NOK', 'DKK'];
    for (const code of codes) {
      const c = await world.addClient(`Client ${code}`, { Currency: select(code), 'Review before send': { checkbox: true }, 'Payment terms': { number: 7 } });
      for (let i = 0; i < 3; i += 1) {
        await world.addMilestone(`${code} milestone ${i} ${'with a long descriptive title '.repeat(3)}`, c, {
          Stage: select('Accepted'),
          Amount: { number: 123_456 + i },
          Currency: select(code),
          Accepted: { date: { start: '2026-12-07T08:00:00+01:00' } },
          ...evidence,
        });
      }
    }
    await boot(clock);
    await new Promise((r) => setTimeout(r, 4000));
    const before = world.slack.ephemerals.length;
    await world.slack.slashCommand('/cashin', 'forecast 13', APPROVER, CHANNEL);
    const answer = await waitFor('answer', () => world.slack.ephemerals.slice(before).find((e) => e.user === APPROVER), 8_000);
    expect(answer.text).toContain('Cash-in forecast');
  }, 60_000);
});

describe('the size of an answer', () => {
  it('the 13-week answer over ten currencies stays within Slack’s 12,000 characters of block text', async () => {
    const { drawPrivateAnswer } = await import('../../src/slack/blocks/cash.js');
    const h = await harness(world, { now: MONDAY });
    for (const code of ['USD', 'EUR', 'GBP', 'JPY', 'CAD', 'AUD', 'CHF', 'SEK', 'NOK', 'DKK']) {
      const c = await world.addClient(`Client ${code}`, { Currency: select(code), 'Review before send': { checkbox: true } });
      for (let i = 0; i < 3; i += 1)
        await world.addMilestone(`${code} milestone ${i} ${'with a long descriptive title '.repeat(3)}`, c, {
          Stage: select('Accepted'),
          Amount: { number: 123_456 + i },
          Currency: select(code),
          ...evidence,
        });
    }
    for (let i = 0; i < 5; i += 1) await h.tick();
    const drawn = drawPrivateAnswer(await h.cash.answer({ kind: 'forecast', weeks: 13 }), 'forecast 13');
    const chars = drawn.blocks.reduce((n, b) => n + ((b as { text?: { text?: string } }).text?.text?.length ?? 0), 0);
    expect(chars).toBeLessThanOrEqual(12_000);
  });
});

describe('a Forecasts table edited by hand', () => {
  it('both rows of a duplicated past week get Actual', async () => {
    const h = await harness(world, { now: new Date(MONDAY.getTime() - 5 * DAY) });
    const { invoiceId } = await sentInvoice(h);
    h.clock.set(MONDAY);
    await h.tick();
    expect(await h.weekly.fire('monday forecast')).toBe('ran');
    // The founder duplicates the W50 row in Notion (⋯ → Duplicate).
    const db = world.notion.ledgerIds.forecastsDb;
    const w50 = forecastRows()[0];
    world.notion.emulator.createRow(db, {
      Week: { title: [{ text: { content: '2026-W50' } }] },
      'Week start': { date: { start: '2026-12-07' } },
      Expected: { number: Number(w50?.Expected) },
      Low: { number: Number(w50?.Low) },
      High: { number: Number(w50?.High) },
    });
    h.clock.set(new Date(MONDAY.getTime() + 3 * DAY));
    world.stripe.pay(invoiceId);
    await h.payments.poll();
    await h.tick();
    h.clock.set(new Date(MONDAY.getTime() + 7 * DAY));
    await h.tick();
    expect(await h.weekly.fire('monday forecast')).toBe('ran');
    const scored = forecastRows().filter((r) => r.Week === '2026-W50');
    expect(scored.map((r) => r.Actual)).toEqual([3000, 3000]);
  });
});

describe('two replicas either side of an hour', () => {
  it('replica A fires at 08:59:59, replica B starts at 09:00:01 while A is still running: one post', async () => {
    const a = await harness(world, { now: new Date(MONDAY.getTime() + 59 * 60_000 + 59_000) });
    const b = await harness(world, { now: new Date(MONDAY.getTime() + 60 * 60_000 + 1_000) });
    await Promise.all([a.tick(), b.tick()]);
    await Promise.all([a.weekly.fire('monday forecast'), b.weekly.catchUp()]);
    expect(posts('Cash-in forecast, 2026-W50')).toHaveLength(1);
    expect(forecastRows()).toHaveLength(1);
  });
});
