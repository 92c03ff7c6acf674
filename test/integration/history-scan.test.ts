/**
 * The history scan against the real NotionLedger and the Notion emulator: it goes through every
 * known client, so totals never go stale when a client's rows move away, and it writes totals even
 * before the Clients table was read.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NotionLedger } from '../../src/ledger/notion-ledger.js';
import { HistoryScan } from '../../src/workflows/history.js';
import { MilestoneStore } from '../../src/workflows/store.js';
import { addRow, clientProps, milestoneProps, notionWorld, silentLogger, type NotionWorld } from '../support/notion.js';

let world: NotionWorld;
let ledger: NotionLedger;
const clock = { now: () => new Date('2026-11-21T10:00:05Z') };

beforeEach(async () => {
  world = await notionWorld({ now: clock.now });
  ledger = new NotionLedger(world.client.notion, world.ledgerIds, silentLogger, { serverTime: world.client.throttle.serverTime, clientsEveryMs: 0 });
  expect(await ledger.connect()).toEqual([]);
});
afterEach(async () => world.close());

const select = (name: string) => ({ select: { name } });
const date = (start: string) => ({ date: { start } });
const paidRow = (title: string, client: string) =>
  addRow(
    world,
    world.ledgerIds.milestonesDb,
    milestoneProps(title, client, {
      Stage: select('Accepted'),
      'Invoice status': select('Paid'),
      'Invoice sent': date('2026-05-01'),
      'Invoice due': date('2026-05-15'),
      'Paid on': date('2026-05-11'),
    }),
  );
const totals = (id: string) => {
  const v = world.emulator.pageValues(id);
  return [v['Avg days to pay'], v['Paid invoices'], v.Disputes];
};
const writes = () => world.emulator.requests.filter((r) => r.method === 'PATCH').length;

function scanWith(store: MilestoneStore): HistoryScan {
  return new HistoryScan({ ledger, store, clock, logger: silentLogger, timeZone: 'Europe/Berlin', paceMs: 0 });
}

async function loadedStore(store = new MilestoneStore(clock)): Promise<MilestoneStore> {
  for (const client of await ledger.pollClients()) store.putClient(client);
  return store;
}

describe('the history scan', () => {
  it('resets a client whose only paid row moved to another client, and writes only what changed', async () => {
    const acme = await addRow(world, world.ledgerIds.clientsDb, clientProps('Acme'));
    const globex = await addRow(world, world.ledgerIds.clientsDb, clientProps('Globex'));
    const idle = await addRow(world, world.ledgerIds.clientsDb, clientProps('Idle'));
    const row = await paidRow('Homepage', acme);
    const scan = scanWith(await loadedStore());
    await scan.scan();
    expect(totals(acme)).toEqual([10, 1, 0]);
    expect(totals(globex)).toEqual([null, null, null]);

    world.emulator.editPage(row, { Client: { relation: [{ id: globex }] } });
    await scan.scan();
    expect(totals(acme)).toEqual([null, 0, 0]);
    expect(totals(globex)).toEqual([10, 1, 0]);
    // A client that never had a row is left blank.
    expect(totals(idle)).toEqual([null, null, null]);

    const before = writes();
    await scan.scan();
    expect(writes()).toBe(before);
  });

  it('after a restart, resets a client the store knows that has no invoiced rows left', async () => {
    const acme = await addRow(world, world.ledgerIds.clientsDb, clientProps('Acme', { 'Avg days to pay': { number: 12 }, 'Paid invoices': { number: 3 } }));
    const idle = await addRow(world, world.ledgerIds.clientsDb, clientProps('Idle', { 'Paid invoices': { number: 0 } }));
    const before = writes();
    await scanWith(await loadedStore(new MilestoneStore(clock))).scan();
    expect(totals(acme)).toEqual([null, 0, 0]);
    // Already empty: not written.
    expect(totals(idle)).toEqual([null, 0, null]);
    expect(writes()).toBe(before + 1);
  });

  it('writes totals before the store holds any client (the Clients table not read yet)', async () => {
    const acme = await addRow(world, world.ledgerIds.clientsDb, clientProps('Acme'));
    await paidRow('Homepage', acme);
    const store = new MilestoneStore(clock);
    await scanWith(store).scan();
    expect(totals(acme)).toEqual([10, 1, 0]);
    expect(store.client(acme)?.history).toEqual({ avgDaysToPay: 10, paidInvoices: 1, disputes: 0 });
  });

  it('skips a client in the trash instead of failing the whole scan', async () => {
    const gone = await addRow(world, world.ledgerIds.clientsDb, clientProps('Gone'));
    const acme = await addRow(world, world.ledgerIds.clientsDb, clientProps('Acme'));
    await paidRow('Old work', gone);
    await paidRow('Homepage', acme);
    world.emulator.trashPage(gone);
    await scanWith(new MilestoneStore(clock)).scan();
    expect(totals(acme)).toEqual([10, 1, 0]);
  });
});
