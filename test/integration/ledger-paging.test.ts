/**
 * How the real NotionLedger pages through Notion over HTTP (the in-process emulator): every open row
 * is read although Notion cuts a query at its row limit or a row is edited while the read goes on, a
 * row restored from the trash is followed again, and the Clients read keeps its pace when the wall
 * clock steps back.
 *
 * The emulator does not cut queries at a row limit (Notion answers `request_status: incomplete` past
 * it), so a tap between the SDK and the emulator does what Notion does: it cuts each query (a filter
 * and sort, over its pages) after `rowLimit` rows.
 */
import { Client, LogLevel, type PageObjectResponse } from '@notionhq/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NotionLedger } from '../../src/ledger/notion-ledger.js';
import { createThrottledFetch } from '../../src/ledger/throttle.js';
import type { Milestone } from '../../src/domain/milestone.js';
import { addRow, clientProps, milestoneProps, notionWorld, NOTION_TOKEN, silentLogger, type NotionWorld } from '../support/notion.js';

type Json = Record<string, unknown>;
type QueryAnswer = { results: PageObjectResponse[]; has_more: boolean; next_cursor: string | null; request_status?: Json };

let world: NotionWorld;
let clock = new Date('2026-11-21T10:00:05Z');
const MINUTE = 60_000;

beforeEach(async () => {
  clock = new Date('2026-11-21T10:00:05Z');
  world = await notionWorld({ now: () => clock });
});
afterEach(async () => {
  vi.restoreAllMocks();
  await world.close();
});

const delivered = { Stage: { select: { name: 'Delivered' } } };
const paid = { Stage: { select: { name: 'Accepted' } }, 'Invoice status': { select: { name: 'Paid' } } };
const queries = () => world.emulator.requests.filter((r) => r.path.endsWith('/query'));
const ids = (rows: readonly Milestone[]) => rows.map((m) => m.id);

type Tap = {
  /** Rows one query returns at most, over all its pages; Notion's is 10,000. */
  rowLimit?: number;
  /** Runs when a page of a query is answered, before the ledger sees it. */
  onPage?: (answer: QueryAnswer) => void;
  logger?: typeof silentLogger;
};

/** A NotionLedger whose queries pass through `tap`, as Notion would answer them. */
async function tappedLedger(tap: Tap = {}): Promise<NotionLedger> {
  const served = new Map<string, number>();
  const tapped: typeof fetch = async (input, init) => {
    const url = String(input);
    const response = await fetch(input, init);
    if (init?.method !== 'POST' || !url.includes('/query')) return response;
    const { start_cursor: cursor, ...query } = JSON.parse(String(init.body ?? '{}')) as Json;
    const key = url + JSON.stringify(query);
    const before = cursor ? (served.get(key) ?? 0) : 0;
    const answer = (await response.json()) as QueryAnswer;
    const room = (tap.rowLimit ?? Number.POSITIVE_INFINITY) - before;
    if (answer.results.length > room || (answer.results.length === room && answer.has_more)) {
      answer.results = answer.results.slice(0, room);
      Object.assign(answer, { has_more: false, next_cursor: null, request_status: { type: 'incomplete', incomplete_reason: 'query_result_limit_reached' } });
    }
    served.set(key, before + answer.results.length);
    tap.onPage?.(answer);
    return new Response(JSON.stringify(answer), {
      status: response.status,
      headers: { 'content-type': 'application/json', date: response.headers.get('date') ?? '' },
    });
  };
  const throttle = createThrottledFetch({ ratePerSecond: 1000, burst: 1000, maxAttempts: 3, baseBackoffMs: 10, logger: silentLogger, fetch: tapped });
  const notion = new Client({
    auth: NOTION_TOKEN,
    baseUrl: world.server.url,
    fetch: (url, init) => throttle(url, init),
    retry: false,
    logLevel: LogLevel.ERROR,
  });
  const ledger = new NotionLedger(notion, world.ledgerIds, tap.logger ?? silentLogger, { serverTime: throttle.serverTime, clientsEveryMs: 0 });
  expect(await ledger.connect()).toEqual([]);
  return ledger;
}

/** `count` rows, one a minute (as a founder's ledger grows), with a settled row between open ones. */
async function rowsOverTime(count: number, props: Json = delivered): Promise<string[]> {
  const created: string[] = [];
  for (let i = 0; i < count; i += 1) {
    clock = new Date(clock.getTime() + MINUTE);
    created.push(await addRow(world, world.ledgerIds.milestonesDb, milestoneProps(`Row ${i}`, null, props)));
    if (i % 10 === 0) await addRow(world, world.ledgerIds.milestonesDb, milestoneProps(`Settled ${i}`, null, paid));
  }
  clock = new Date(clock.getTime() + MINUTE);
  return created;
}

describe('a read Notion cuts at its row limit', () => {
  it('goes on from the last row read on the next polls until every open row is read, and only then moves the cursor', async () => {
    const open = await rowsOverTime(150);
    const l = await tappedLedger({ rowLimit: 100 });

    const first = await l.pollMilestones();
    expect(first).toHaveLength(100);
    // A row already read is edited while the first read is still going on.
    const editedEarly = first[3]?.id ?? '';
    world.emulator.editPage(editedEarly, { Amount: { number: 4200 } });

    clock = new Date(clock.getTime() + MINUTE);
    const second = await l.pollMilestones();
    // The rest of the open rows, none twice: the read went on with the same filter, from the last row read.
    expect(second).toHaveLength(50);
    expect(new Set([...ids(first), ...ids(second)])).toEqual(new Set(open));
    const resumed = JSON.stringify(queries().at(-1)?.filter);
    expect(resumed).toContain('"Invoice status"');
    expect(resumed).toContain('created_time');
    expect(resumed).not.toContain('last_edited_time');

    // Finished: reads are incremental now, from when the first read began, so the edit is seen.
    clock = new Date(clock.getTime() + MINUTE);
    const third = await l.pollMilestones();
    expect(JSON.stringify(queries().at(-1)?.filter)).toContain('last_edited_time');
    expect(third.map((m) => [m.id, m.amount])).toEqual([[editedEarly, 4200]]);
    clock = new Date(clock.getTime() + 5 * MINUTE);
    expect(await l.pollMilestones()).toEqual([]);
  });

  it('does the same for an incremental read: the cursor stays until the rows edited since are all read', async () => {
    const l = await tappedLedger({ rowLimit: 100 });
    expect(await l.pollMilestones()).toEqual([]);
    await rowsOverTime(150);
    // An incremental read takes settled rows too: 150 open and 15 settled.
    const all = world.emulator.rowsOf(world.ledgerIds.milestonesDb);
    const first = await l.pollMilestones();
    expect(first).toHaveLength(100);
    clock = new Date(clock.getTime() + 10 * MINUTE);
    const second = await l.pollMilestones();
    expect(second).toHaveLength(65);
    expect(new Set([...ids(first), ...ids(second)])).toEqual(new Set(all));
    clock = new Date(clock.getTime() + 10 * MINUTE);
    expect(await l.pollMilestones()).toEqual([]);
  });

  it('does not stall when more rows than the limit share one created minute: it moves on, and says so', async () => {
    for (let i = 0; i < 150; i += 1) await addRow(world, world.ledgerIds.milestonesDb, milestoneProps(`Import ${i}`, null, delivered));
    clock = new Date(clock.getTime() + MINUTE);
    const later = await addRow(world, world.ledgerIds.milestonesDb, milestoneProps('Typed later', null, delivered));
    const errors: string[] = [];
    const logger = Object.assign(Object.create(silentLogger) as typeof silentLogger, {
      error: (_: unknown, message: string) => void errors.push(message),
      warn: () => undefined,
    });
    const l = await tappedLedger({ rowLimit: 100, logger });
    expect(await l.pollMilestones()).toHaveLength(100);
    // The same minute again: nothing new, so the read moves past that minute, with an error logged.
    expect(await l.pollMilestones()).toEqual([]);
    expect(errors).toEqual([expect.stringContaining('more rows were created in one minute')]);
    expect(ids(await l.pollMilestones())).toEqual([later]);
  });
});

describe('a row edited while a read pages through', () => {
  it('does not make the read skip the rows after it', async () => {
    for (let i = 0; i < 150; i += 1) await addRow(world, world.ledgerIds.milestonesDb, milestoneProps(`Row ${i}`, null, delivered));
    const all = world.emulator.rowsOf(world.ledgerIds.milestonesDb);
    let edited = false;
    const l = await tappedLedger({
      onPage: (answer) => {
        // The founder edits the row the next page begins with, between the two pages.
        if (edited || !answer.next_cursor) return;
        edited = true;
        clock = new Date(clock.getTime() + MINUTE);
        world.emulator.editPage(answer.next_cursor, { Amount: { number: 3100 } });
      },
    });
    const read = await l.pollMilestones();
    expect(edited).toBe(true);
    expect(new Set(ids(read))).toEqual(new Set(all));
  });
});

describe('a row trashed and restored', () => {
  it('is read again when restored, as the bot last saw it in the trash', async () => {
    const l = await tappedLedger();
    const client = await addRow(world, world.ledgerIds.clientsDb, clientProps('Acme'));
    const id = await addRow(world, world.ledgerIds.milestonesDb, milestoneProps('Homepage', client, delivered));
    expect(ids(await l.pollMilestones())).toEqual([id]);

    clock = new Date(clock.getTime() + MINUTE);
    world.emulator.trashPage(id);
    expect(await l.pollMilestones()).toEqual([]);
    // The bot's recheck of an unsent row finds it in the trash (and the store forgets it).
    expect((await l.getMilestone(id)).trashed).toBe(true);

    // The founder restores it. The emulator refuses `in_trash: false` on a trashed page (Notion takes
    // it), so the restore is made on its state directly.
    clock = new Date(clock.getTime() + MINUTE);
    const page = world.emulator.pages.get(id);
    if (!page) throw new Error('no page');
    page.inTrash = false;
    page.lastEdited = new Date(Math.floor(clock.getTime() / MINUTE) * MINUTE).toISOString();
    const restored = await l.pollMilestones();
    expect(restored.map((m) => [m.id, m.trashed])).toEqual([[id, false]]);
  });
});

describe('the Clients read', () => {
  it('keeps its pace when the wall clock steps back an hour', async () => {
    const l = new NotionLedger(world.client.notion, world.ledgerIds, silentLogger, { serverTime: world.client.throttle.serverTime, clientsEveryMs: 55_000 });
    await l.connect();
    const acme = await addRow(world, world.ledgerIds.clientsDb, clientProps('Acme'));
    expect((await l.pollClients()).map((c) => c.id)).toEqual([acme]);
    const reads = () => queries().length;
    const before = reads();
    expect(await l.pollClients()).toEqual([]);
    expect(reads()).toBe(before);

    // An NTP correction steps the wall clock back an hour; a minute passes.
    const wall = Date.now();
    const tick = performance.now();
    vi.spyOn(Date, 'now').mockImplementation(() => wall - 3600_000 + MINUTE);
    vi.spyOn(performance, 'now').mockImplementation(() => tick + MINUTE);
    clock = new Date(clock.getTime() + MINUTE);
    world.emulator.editPage(acme, { 'Payment terms': { number: 30 } });
    expect((await l.pollClients()).map((c) => c.paymentTermsDays)).toEqual([30]);
    expect(reads()).toBe(before + 1);
  });
});
