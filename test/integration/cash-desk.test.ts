/**
 * The cash-in forecast end to end, against the emulators over HTTP with the real SDK clients: the
 * Monday post (summary, PNG chart, the Forecasts table and its score), /cashin with every argument
 * and its Share button, App Home, and Expected cash-in written back to the rows.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { start, type Running } from '../../src/app/start.js';
import { loadConfig } from '../../src/config.js';
import { SHARE_ACTION } from '../../src/slack/blocks/cash.js';
import { silentLogger } from '../support/notion.js';
import { cashLookups, DAY, MONDAY } from '../support/cash.js';
import { evidence } from '../support/collections.js';
import { harness, SteppableClock, type Harness } from '../support/harness.js';
import { APPROVER, CHANNEL, STRANGER, createWorld, select, waitFor, type World } from '../support/world.js';

let world: World;

beforeEach(async () => {
  world = await createWorld();
});
afterEach(async () => world.close());

const { posts, forecastRows } = cashLookups(() => world);

/** A client billed in USD with an invoice sent (2,500 + 20 % tax), one in EUR with an accepted milestone not sent yet. */
async function books(h: Harness): Promise<{ sent: string; invoiceId: string; accepted: string }> {
  await h.payments.poll();
  const acme = await world.addClient('Acme Studio', { 'Payment terms': { number: 14 }, 'Tax rate': { number: 20 } });
  const euro = await world.addClient('Euro GmbH', { Currency: select('EUR'), 'Review before send': { checkbox: true }, 'Payment terms': { number: 30 } });
  const sent = await world.addMilestone('Homepage design', acme, { Stage: select('Accepted'), Amount: { number: 2500 }, ...evidence });
  const accepted = await world.addMilestone('API integration', euro, {
    Stage: select('Accepted'),
    Amount: { number: 4000 },
    Currency: select('EUR'),
    ...evidence,
  });
  await h.tick();
  // Acme sends without review, after the grace period.
  h.clock.advance(3 * 3_600_000);
  await h.tick();
  await h.tick();
  const invoiceId = String(world.values(sent)['Invoice ID']);
  expect(world.values(sent)['Invoice status']).toBe('Sent');
  return { sent, invoiceId, accepted };
}

describe('the Monday forecast', () => {
  it('posts a summary and a PNG chart once, records the week in Forecasts, and scores it once the week is over', async () => {
    const h = await harness(world, { now: new Date(MONDAY.getTime() - 5 * DAY) });
    const { sent, invoiceId } = await books(h);

    h.clock.set(MONDAY);
    await h.tick();
    expect(await h.weekly.fire('monday forecast')).toBe('ran');
    const summary = posts('Cash-in forecast, 2026-W50');
    expect(summary).toHaveLength(1);
    const blocks = JSON.stringify(summary[0]?.blocks);
    // Each currency on its own: the USD invoice with tax, the EUR milestone projected.
    expect(blocks).toContain('*USD*');
    expect(blocks).toContain('*EUR*');
    expect(blocks).toContain('nothing is converted or added across');
    expect(blocks).toContain('Homepage design');
    expect(blocks).toContain('USD 3,000.00');
    expect(blocks).toContain('not invoiced yet');

    // The chart went up first, as a PNG of the size drawn, not blank.
    const file = [...world.slack.files.values()].find((f) => f.title === 'Cash-in forecast 2026-W50');
    expect(file?.channel).toBe(CHANNEL);
    expect(file?.bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(file?.bytes.readUInt32BE(16)).toBe(800);
    expect(file?.bytes.readUInt32BE(20)).toBe(400);
    expect(file?.bytes.length).toBeGreaterThan(5_000);

    // The week's forecast is kept in Notion.
    const recorded = forecastRows();
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ Week: '2026-W50', 'Week start': '2026-12-07', Actual: null, Error: null });
    const expected = Number(recorded[0]?.Expected);
    expect(expected).toBeGreaterThanOrEqual(0);
    expect(Number(recorded[0]?.High)).toBeGreaterThanOrEqual(expected);

    // Fired again, or caught up after a restart: nothing new.
    expect(await h.weekly.fire('monday forecast')).toBe('already-done');
    const restarted = await harness(world, { now: new Date(MONDAY.getTime() + 3_600_000) });
    await restarted.tick();
    await restarted.weekly.catchUp();
    expect(posts('Cash-in forecast, 2026-W50')).toHaveLength(1);
    expect([...world.slack.files.values()].filter((f) => f.title === 'Cash-in forecast 2026-W50')).toHaveLength(1);

    // The client pays on Thursday; next Monday scores last week with what came in.
    h.clock.set(new Date(MONDAY.getTime() + 3 * DAY));
    world.stripe.pay(invoiceId);
    await h.payments.poll();
    await h.tick();
    expect(world.values(sent)['Invoice status']).toBe('Paid');
    h.clock.set(new Date(MONDAY.getTime() + 7 * DAY));
    await h.tick();
    expect(await h.weekly.fire('monday forecast')).toBe('ran');
    const weeks = forecastRows().sort((a, b) => String(a.Week).localeCompare(String(b.Week)));
    expect(weeks.map((w) => w.Week)).toEqual(['2026-W50', '2026-W51']);
    expect(weeks[0]?.Actual).toBe(3000);
    expect(weeks[0]?.Error).toBeCloseTo(((3000 - expected) / 3000) * 100, 0);
    expect(weeks[1]?.Actual).toBeNull();
    // The post shows the record.
    expect(JSON.stringify(posts('Cash-in forecast, 2026-W51')[0]?.blocks)).toContain(
      "Track record (USD, this week's forecast each Monday): over the last 1 week the forecast was off by",
    );
  });

  it('two replicas at Monday 08:00 post it once', async () => {
    const h = await harness(world, { now: MONDAY });
    const second = await harness(world, { now: MONDAY });
    await Promise.all([h.tick(), second.tick()]);
    const results = await Promise.all([h.weekly.fire('monday forecast'), second.weekly.fire('monday forecast')]);
    expect(results.sort()).toEqual(['claimed-elsewhere', 'ran']);
    expect(posts('Cash-in forecast')).toHaveLength(1);
    expect(forecastRows()).toHaveLength(1);
  });

  it('writes Expected cash-in and Cash-in confidence back to open rows, and not again while they hold', async () => {
    const h = await harness(world, { now: new Date(MONDAY.getTime() - 5 * DAY) });
    const { sent, accepted } = await books(h);
    expect(await h.cash.writeBack()).toBe(2);
    const values = world.values(sent);
    // Sent Wednesday 2 December with 14 days' terms and no history: expected on the due date.
    expect(values['Expected cash-in']).toBe('2026-12-16');
    expect(Number(values['Cash-in confidence'])).toBeGreaterThan(0);
    expect(Number(values['Cash-in confidence'])).toBeLessThanOrEqual(100);
    expect(world.values(accepted)['Expected cash-in']).not.toBeNull();
    // Nothing moved: nothing written, and the rows are not news to the poll.
    expect(await h.cash.writeBack()).toBe(0);
  });
});

describe('/cashin and App Home, through Slack', () => {
  let bot: Running | null = null;
  afterEach(async () => {
    await bot?.stop();
    bot = null;
  });

  async function run(clock: SteppableClock): Promise<void> {
    bot = await start(loadConfig(world.env('http')), silentLogger, { clock });
  }

  async function ask(text: string, user = APPROVER): Promise<{ text: string; blocks: string }> {
    const before = world.slack.ephemerals.length;
    await world.slack.slashCommand('/cashin', text, user, CHANNEL);
    const answer = await waitFor(`answer to /cashin ${text}`, () => world.slack.ephemerals.slice(before).find((e) => e.user === user));
    expect(answer.channel).toBe(CHANNEL);
    return { text: answer.text, blocks: JSON.stringify(answer.blocks) };
  }

  it('answers every argument privately, and Share posts the answer in the channel', async () => {
    const clock = new SteppableClock(MONDAY);
    world.notion.emulator.now = clock.now;
    world.stripe.now = clock.now;
    const acme = await world.addClient('Acme <!channel>', {
      'Payment terms': { number: 14 },
      'Billing owner': { rich_text: [{ text: { content: 'Dana Ruiz' } }] },
    });
    const id = await world.addMilestone('Homepage design', acme, { Stage: select('Accepted'), Amount: { number: 2500 }, ...evidence });
    await run(clock);
    await waitFor('card', () => world.values(id)['Slack card'] !== '');
    // The grace period runs out: Acme needs no review, so the invoice goes out on its own.
    clock.advance(3 * 3_600_000);
    await waitFor('sent', () => world.values(id)['Invoice status'] === 'Sent');
    const posted = world.slack.messages.length;

    const forecast = await ask('');
    expect(forecast.text).toContain('Cash-in forecast');
    expect(forecast.blocks).toContain('Homepage design');
    expect(forecast.blocks).toContain(SHARE_ACTION);
    // A client name from Notion never becomes markup.
    expect(forecast.blocks).not.toContain('<!channel>');
    expect(forecast.blocks).toContain('&lt;!channel&gt;');

    expect((await ask('forecast 13')).blocks).toContain('Cash-in forecast, 13 weeks');
    expect((await ask('aging')).blocks).toContain('Not yet due');
    const kpis = await ask('kpis');
    expect(kpis.blocks).toContain('Same-day dispatch');
    expect(kpis.blocks).toContain('Dispute rate');
    expect(kpis.blocks).toContain('DSO');
    const client = await ask('client acme');
    expect(client.blocks).toContain('Acme &lt;!channel&gt;');
    expect(client.blocks).toContain('Terms: 14 days');
    expect((await ask('client Nobody')).blocks).toContain('No client is named');
    expect((await ask('exceptions')).blocks).toContain('No open exceptions');
    const help = await ask('help');
    expect(help.blocks).toContain('/cashin aging');
    expect(help.blocks).not.toContain(SHARE_ACTION);
    expect((await ask('bogus words')).blocks).toContain('is not something Cashin knows');
    // Nothing went to the channel so far.
    expect(world.slack.messages).toHaveLength(posted);

    // Strangers get nothing of the books.
    const refused = await ask('kpis', STRANGER);
    expect(refused.text).toContain('Only the approvers');

    // Share: the KPIs answer, posted in the channel for everyone.
    const n = world.slack.ephemerals.findLastIndex((e) => e.user === APPROVER && JSON.stringify(e.blocks).includes('Collection KPIs'));
    const share = (world.slack.ephemerals[n]?.blocks.find((b) => b.type === 'actions')?.elements as { value: string }[] | undefined)?.[0];
    expect(share?.value).toBe('kpis');
    await world.slack.clickEphemeral(n, SHARE_ACTION, APPROVER);
    const shared = await waitFor('shared', () => world.slack.topLevel(CHANNEL).find((m) => m.text.startsWith('Shared by')));
    expect(shared.text).toContain(`<@${APPROVER}>`);
    expect(JSON.stringify(shared.blocks)).toContain('Collection KPIs');
  });

  it('draws App Home each time it is opened, with the forecast, the KPIs and the exceptions', async () => {
    const clock = new SteppableClock(MONDAY);
    world.notion.emulator.now = clock.now;
    world.stripe.now = clock.now;
    const acme = await world.addClient('Acme Studio', { 'Payment terms': { number: 14 } });
    await world.addMilestone('Homepage design', acme, { Stage: select('Accepted'), Amount: { number: 2500 }, ...evidence });
    await run(clock);
    await waitFor('card', () => world.slack.channelMessages(CHANNEL).length > 0);
    await new Promise((resolve) => setTimeout(resolve, 1500));

    await world.slack.openHome(APPROVER);
    const home = await waitFor('home', () => world.slack.homeViews.get(APPROVER));
    const drawn = JSON.stringify(home);
    for (const text of ['Cash-in forecast', 'Homepage design', 'Collection KPIs', 'Open exceptions']) expect(drawn).toContain(text);

    // Opened again after a milestone was added: drawn again, with it.
    clock.advance(60_000);
    const added = await world.addMilestone('Data migration', acme, { Stage: select('Accepted'), Amount: { number: 900 }, ...evidence });
    await waitFor('its card', () => world.values(added)['Slack card'] !== '');
    await world.slack.openHome(APPROVER);
    await waitFor('home redrawn', () => JSON.stringify(world.slack.homeViews.get(APPROVER)).includes('Data migration'));

    // A stranger's Home tab shows nothing of the books.
    await world.slack.openHome(STRANGER);
    const stranger = await waitFor('stranger home', () => world.slack.homeViews.get(STRANGER));
    expect(JSON.stringify(stranger)).toContain('Only the approvers');
    expect(JSON.stringify(stranger)).not.toContain('Homepage design');
  });
});

describe('settled rows from the history read', () => {
  it('are made once per read, and again when a new read comes in or a client’s tax rate changes', async () => {
    const h = await harness(world, { now: new Date(MONDAY.getTime() - 5 * DAY) });
    const { sent, invoiceId } = await books(h);
    world.stripe.pay(invoiceId);
    await h.payments.poll();
    await h.tick();
    expect(world.values(sent)['Invoice status']).toBe('Paid');
    await h.history.scan();
    const settled = () => h.cash.rows().find((r) => r.id === sent);
    // Its total, tax included, is known from the history read alone.
    expect(settled()?.total).toEqual({ minor: 300_000, currency: 'USD' });
    expect(h.cash.rows().find((r) => r.id === sent)).toBe(settled());

    // The client's tax rate changes: the settled row is made again with it.
    const client = String((world.values(sent).Client as string[])[0]);
    world.edit(client, { 'Tax rate': { number: 10 } });
    await h.tick();
    expect(settled()?.total).toEqual({ minor: 275_000, currency: 'USD' });
  });
});
