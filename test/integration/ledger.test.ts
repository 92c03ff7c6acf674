import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NotionLedger } from '../../src/ledger/notion-ledger.js';
import { createNotionClient } from '../../src/ledger/notion-client.js';
import { addRow, clientProps, milestoneProps, notionWorld, NOTION_TOKEN, silentLogger, type NotionWorld } from '../support/notion.js';

let world: NotionWorld;
let clock = new Date('2026-11-21T10:00:05Z');

beforeEach(async () => {
  clock = new Date('2026-11-21T10:00:05Z');
  world = await notionWorld({ now: () => clock });
});
afterEach(async () => world.close());

function ledger(): NotionLedger {
  return new NotionLedger(world.client.notion, world.ledgerIds, silentLogger, { serverTime: world.client.throttle.serverTime, clientsEveryMs: 0 });
}

const delivered = { Stage: { select: { name: 'Delivered' } } };
const queries = () => world.emulator.requests.filter((r) => r.path.endsWith('/query'));

describe('NotionLedger', () => {
  it('accepts the schema setup:notion creates', async () => {
    expect(await ledger().connect()).toEqual([]);
  });

  it('names every missing or mistyped property at once', async () => {
    world.emulator.removeProperty(world.ledgerIds.milestonesDb, 'Invoice ID');
    world.emulator.changePropertyType(world.ledgerIds.clientsDb, 'Payment terms', 'rich_text');
    const problems = await ledger().connect();
    expect(problems).toEqual([
      { table: 'Milestones', property: 'Invoice ID', expected: ['rich_text'], found: null },
      { table: 'Clients', property: 'Payment terms', expected: ['number'], found: 'rich_text' },
    ]);
  });

  it('sees two edits made inside the same minute, and not its own writes', async () => {
    const l = ledger();
    await l.connect();
    const client = await addRow(world, world.ledgerIds.clientsDb, clientProps('Acme'));
    const id = await addRow(world, world.ledgerIds.milestonesDb, milestoneProps('Homepage', client, delivered));
    expect((await l.pollMilestones()).map((m) => m.id)).toEqual([id]);
    expect(await l.pollMilestones()).toEqual([]);

    clock = new Date('2026-11-21T10:05:10Z');
    world.emulator.editPage(id, { Stage: { select: { name: 'Accepted' } } });
    expect((await l.pollMilestones()).map((m) => m.stage)).toEqual(['Accepted']);

    clock = new Date('2026-11-21T10:05:40Z');
    world.emulator.editPage(id, { Amount: { number: 3000 } });
    const second = await l.pollMilestones();
    expect(second.map((m) => m.amount)).toEqual([3000]);
    expect(second[0]?.lastEditedTime).toBe('2026-11-21T10:05:00.000Z');

    await l.updateMilestone(id, { blockers: 'Waiting for acceptance' });
    expect(await l.pollMilestones()).toEqual([]);
  });

  it('reads every page of a large result', async () => {
    const l = ledger();
    await l.connect();
    for (let i = 0; i < 230; i += 1) await addRow(world, world.ledgerIds.milestonesDb, milestoneProps(`M${i}`, null, delivered));
    expect(await l.pollMilestones()).toHaveLength(230);
  });

  it('rides out 429s and 5xx, keeping to the rate limit', async () => {
    const { notion, throttle } = createNotionClient({
      token: NOTION_TOKEN,
      baseUrl: world.server.url,
      logger: silentLogger,
      ratePerSecond: 3,
      baseBackoffMs: 50,
    });
    const l = new NotionLedger(notion, world.ledgerIds, silentLogger);
    await l.connect();
    const id = await addRow(world, world.ledgerIds.milestonesDb, milestoneProps('Homepage', null, delivered));
    world.emulator.requests.length = 0;
    world.emulator.injectFaults(
      { status: 429, retryAfterSeconds: 1, match: { pathIncludes: '/query' } },
      { status: 500, match: { pathIncludes: '/query' } },
      { status: 503, match: { method: 'PATCH' } },
      { status: 502, match: { method: 'PATCH' } },
    );
    const started = Date.now();
    const [rows, updated] = await Promise.all([l.pollMilestones(), l.updateMilestone(id, { poNumber: 'PO-7' })]);
    expect(rows).toHaveLength(1);
    expect(updated.poNumber).toBe('PO-7');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(throttle.stats).toMatchObject({ rateLimited: 1, serverErrors: 3 });
    for (let i = 0; i < 12; i += 1) await l.getMilestone(id);
    const times = world.emulator.requests.map((r) => r.at);
    const span = (times.at(-1) ?? 0) - (times[0] ?? 0);
    // 18 requests at 3/s with a burst of 5 need at least (18 - 5) / 3 s.
    expect(times.length).toBe(18);
    expect(span).toBeGreaterThanOrEqual(4300);
  });

  it('reads only the rows that can still need something at start, with a filter Notion applies', async () => {
    const l = ledger();
    await l.connect();
    const stage = (name: string) => ({ Stage: { select: { name } } });
    const status = (name: string) => ({ 'Invoice status': { select: { name } } });
    const rows = {
      planned: { ...stage('Planned') },
      delivered: { ...stage('Delivered') },
      accepted: { ...stage('Accepted') },
      sent: { ...stage('Accepted'), ...status('Sent') },
      overdue: { ...stage('Accepted'), ...status('Overdue') },
      disputed: { ...stage('Accepted'), ...status('Disputed') },
      draft: { ...stage('Accepted'), ...status('Draft') },
      paid: { ...stage('Accepted'), ...status('Paid') },
      void: { ...stage('Accepted'), ...status('Void') },
      uncollectible: { ...stage('Delivered'), ...status('Uncollectible') },
    };
    const ids = new Map<string, string>();
    for (const [name, props] of Object.entries(rows)) ids.set(await addRow(world, world.ledgerIds.milestonesDb, milestoneProps(name, null, props)), name);
    world.emulator.requests.length = 0;
    const read = await l.pollMilestones();
    expect(read.map((m) => ids.get(m.id)).sort()).toEqual(['accepted', 'delivered', 'disputed', 'draft', 'overdue', 'sent']);
    // Notion was asked for exactly those rows: the filter is in the query.
    expect(queries()).toHaveLength(1);
    expect(JSON.stringify(queries()[0]?.filter)).toContain('"Invoice status"');
    expect(JSON.stringify(queries()[0]?.filter)).not.toContain('last_edited_time');
  });

  it("moves its cursor with Notion's clock on an idle ledger, and still sees a settled row edited later", async () => {
    const paid = { 'Invoice status': { select: { name: 'Paid' } }, Stage: { select: { name: 'Accepted' } } };
    for (let i = 0; i < 150; i += 1) await addRow(world, world.ledgerIds.milestonesDb, milestoneProps(`Paid ${i}`, null, paid));
    const l = ledger();
    await l.connect();
    expect(await l.pollMilestones()).toEqual([]);
    const since = () => {
      const filter = queries().at(-1)?.filter as { last_edited_time?: { on_or_after?: string } } | undefined;
      return filter?.last_edited_time?.on_or_after ?? '';
    };
    // The rows were all imported in one minute; minutes pass with nothing changing. The first read
    // after start covers the import's minute (it was inside the overlap), the next ones do not.
    clock = new Date('2026-11-21T10:10:05Z');
    await l.pollMilestones();
    const first = since();
    clock = new Date('2026-11-21T10:20:05Z');
    world.emulator.requests.length = 0;
    expect(await l.pollMilestones()).toEqual([]);
    expect(since() > first).toBe(true);
    expect(since()).toBe('2026-11-21T10:08:05.000Z');
    expect(queries()).toHaveLength(1);

    const [settled] = world.emulator.rowsOf(world.ledgerIds.milestonesDb);
    clock = new Date('2026-11-21T10:21:30Z');
    world.emulator.editPage(settled ?? '', { 'PO number': { rich_text: [{ text: { content: 'PO-LATE' } }] } });
    expect((await l.pollMilestones()).map((m) => [m.id, m.poNumber])).toEqual([[settled, 'PO-LATE']]);
  });

  it('reports a 5xx on page creation instead of risking a duplicate row', async () => {
    const l = ledger();
    await l.connect();
    world.emulator.injectFaults({ status: 502, match: { method: 'POST', pathIncludes: '/pages' } });
    await expect(
      l.createMilestone({ title: 'Change order', clientId: null, project: '', scopeVersion: 'v2', stage: 'Planned', currency: null }),
    ).rejects.toMatchObject({ retryable: true });
    expect(world.emulator.rowsOf(world.ledgerIds.milestonesDb)).toHaveLength(0);
  });
});
