/**
 * npm run bench: timings for Cashin's hot paths, printed as numbers.
 *   decide()      over a ledger of 10,000 milestones in every state (runs on every poll)
 *   renderCard()  for worst-case inputs (runs on every card update)
 *   pollMilestones() of 1,000 rows through the real Notion SDK against the emulator (throttle lifted)
 */
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { evaluateBillingRules, type BillingPolicy } from '../src/domain/billing-rules.js';
import { buildCardView } from '../src/domain/card-view.js';
import { decide, type MilestoneState } from '../src/domain/decide.js';
import { planInvoice } from '../src/domain/invoice-plan.js';
import { emptyLedgerInvoice, type Client, type Milestone } from '../src/domain/milestone.js';
import { createNotionClient } from '../src/ledger/notion-client.js';
import { NotionLedger } from '../src/ledger/notion-ledger.js';
import { createLedger } from '../src/ledger/setup.js';
import { NotionEmulator } from '../src/sandbox/notion-emulator.js';
import { renderCard } from '../src/slack/blocks/card.js';

const policy: BillingPolicy = {
  defaultCurrency: 'USD',
  defaultPaymentTermsDays: 30,
  autoSendAfterMinutes: 120,
  acceptanceSlaHours: 24,
  timeZone: 'Europe/Berlin',
};
const now = new Date('2026-11-21T12:00:00Z');
const stages = ['Planned', 'In progress', 'Delivered', 'Accepted'];

function client(i: number): Client {
  return {
    id: `c${i}`,
    name: `Client ${i}`,
    billingEmail: i % 7 === 0 ? null : `ap@c${i}.test`,
    billingOwner: '',
    currency: 'USD',
    paymentTermsDays: 14,
    poRequired: i % 5 === 0,
    taxId: '',
    taxRate: i % 3 === 0 ? 20 : null,
    reminderCadence: 'Standard',
    reviewBeforeSend: i % 2 === 0,
    servicePause: false,
    stripeCustomerId: null,
  };
}

function milestone(i: number): Milestone {
  return {
    id: `m${i}`,
    url: null,
    title: `Milestone ${i}`,
    clientId: `c${i % 50}`,
    project: 'P',
    amount: 1000 + i,
    currency: null,
    stage: stages[i % 4] ?? 'Planned',
    due: null,
    completed: '2026-11-19T10:00:00Z',
    accepted: i % 4 === 3 ? '2026-11-21T11:00:00Z' : null,
    acceptanceEvidence: 'https://e.test/ok',
    deliveryEvidence: 'Links and screenshots',
    outcome: '+12 %',
    nextCheckpoint: 'Next phase',
    scopeVersion: 'v1',
    changeOrderRequired: i % 11 === 0,
    poNumber: i % 10 === 0 ? '' : 'PO-1',
    invoice: emptyLedgerInvoice(),
    blockers: '',
    sendFailure: null,
    slackCard: '',
    lastEditedTime: now.toISOString(),
    trashed: false,
  };
}

function time(label: string, runs: number, fn: () => void): void {
  fn();
  const started = performance.now();
  for (let i = 0; i < runs; i += 1) fn();
  const ms = performance.now() - started;
  console.log(`${label.padEnd(44)} ${((ms / runs) * 1000).toFixed(1).padStart(9)} µs/op   ${runs} runs in ${ms.toFixed(0)} ms`);
}

/** Heap in use after a full collection, when the runtime allows forcing one (`--expose-gc`). */
function retainedHeap(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}

const heapBefore = retainedHeap();
const clients = Array.from({ length: 50 }, (_, i) => client(i));
const states: MilestoneState[] = Array.from({ length: 10_000 }, (_, i) => ({
  milestone: milestone(i),
  client: clients[i % 50] ?? null,
  invoice: null,
  invoiceProblem: null,
  renderedCardKey: null,
  acceptedSeenAt: null,
  cardRef: '',
}));
const retained = (retainedHeap() - heapBefore) / 1024 / 1024;
const gcNote = typeof (globalThis as { gc?: unknown }).gc === 'function' ? 'after GC' : 'no --expose-gc: includes garbage';
console.log(`${'memory for 10,000 tracked milestones'.padEnd(44)} ${retained.toFixed(1).padStart(9)} MiB   (${gcNote})`);

time('decide() over 10,000 milestones (one poll)', 20, () => {
  for (const s of states) decide(s, now, policy);
});

const long = 'x'.repeat(20_000);
const worst: Milestone = { ...milestone(3), title: long.slice(0, 5000), deliveryEvidence: long, outcome: long, nextCheckpoint: long };
const worstCheck = evaluateBillingRules(worst, client(1), policy);
const view = buildCardView({
  milestone: worst,
  client: client(1),
  invoice: null,
  check: worstCheck,
  blockers: worstCheck.blockers,
  plan: planInvoice(worst, client(1), worstCheck),
  autoSendAt: null,
  now,
  policy,
  sendError: null,
});
time('renderCard() with 20,000-character fields', 2000, () => {
  renderCard(view);
});

const emulator = new NotionEmulator({ token: 'bench' });
const server = await emulator.listen();
const { notion } = createNotionClient({ token: 'bench', baseUrl: server.url, logger: pino({ level: 'silent' }), ratePerSecond: 100_000 });
const ids = await createLedger(notion, emulator.createWorkspacePage('Bench'));
const ds = emulator.dataSourceOf(ids.milestonesDb);
for (let i = 0; i < 1000; i += 1) {
  await notion.pages.create({
    parent: { data_source_id: ds },
    properties: { Milestone: { title: [{ text: { content: `Row ${i}` } }] }, Amount: { number: i }, Stage: { select: { name: 'Delivered' } } } as never,
  });
}
const ledger = new NotionLedger(notion, ids, pino({ level: 'silent' }));
await ledger.connect();
let started = performance.now();
const first = await ledger.pollMilestones();
console.log(`${'first poll, 1,000 rows (10 pages of 100)'.padEnd(44)} ${(performance.now() - started).toFixed(0).padStart(9)} ms     ${first.length} rows`);
started = performance.now();
const second = await ledger.pollMilestones();
console.log(`${'next poll, nothing changed'.padEnd(44)} ${(performance.now() - started).toFixed(0).padStart(9)} ms     ${second.length} rows reported`);
await server.close();
