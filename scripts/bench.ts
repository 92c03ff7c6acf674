/**
 * npm run bench: Cashin at scale, measured on the built production process (`node dist/main.js`)
 * against the emulators, Notion's rate limit on. Prints one JSON object; each figure sits next to
 * its goal and says whether it was met.
 *
 * The ledger: 10,000 milestones bulk-imported in one minute, 100 of them open (50 accepted and
 * waiting for review, 30 sent, 20 delivered), in the state Cashin leaves them.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import type { BillingPolicy } from '../src/domain/billing-rules.js';
import { createNotionClient } from '../src/ledger/notion-client.js';
import { freePort } from '../src/sandbox/http.js';
import { NotionEmulator } from '../src/sandbox/notion-emulator.js';
import { SlackEmulator } from '../src/sandbox/slack-emulator.js';
import { StripeEmulator } from '../src/sandbox/stripe-emulator.js';
import { ACTIONS } from '../src/slack/blocks/card.js';
import { forecastRows, type ForecastRow } from '../src/domain/forecast-inputs.js';
import { buildBenchLedger } from './bench-ledger.js';

const ROWS = 10_000;
const OPEN = { accepted: 50, sent: 30, delivered: 20 };
const POLL_SECONDS = 5;
const SAMPLES = 20;
const CLICK_GAP_MS = 3000;
const root = fileURLToPath(new URL('..', import.meta.url));
const secrets = { notion: 'ntn_bench', slack: 'xoxb-bench', signing: 'bench-signing-secret', stripe: 'sk_test_bench', app: 'xapp-bench' };
const channel = 'C0BENCH001';
const founder = 'U0BENCH001';
const policy: BillingPolicy = {
  defaultCurrency: 'USD',
  defaultPaymentTermsDays: 30,
  autoSendAfterMinutes: 120,
  acceptanceSlaHours: 24,
  timeZone: 'UTC',
  reminderHours: { fromMinute: 9 * 60, toMinute: 17 * 60 },
  reminderDays: [1, 2, 3, 4, 5],
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const seconds = (ms: number) => Math.round(ms / 10) / 100;
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
};
async function until<T>(probe: () => T | null | undefined | false | Promise<T | null | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (performance.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await sleep(25);
  }
}

spawnSync('node', [`${root}scripts/build-if-stale.mjs`], { stdio: 'inherit' });

// ---- the forecast alone: 10,000 open invoices from 200 clients with paid history ----
// Timed after WARM_UP runs, as the bot's process runs it: warm (it answers /cashin for weeks), not
// while V8 is still compiling it.
const WARM_UP = 10;
function forecastTimings(open: number, weeks: number, runs: number): { medianMs: number; maxMs: number } {
  const DAY = 86_400_000;
  const now = new Date('2026-06-01T09:00:00Z');
  const rows: ForecastRow[] = [];
  const row = (i: number, paid: boolean): ForecastRow => {
    const sent = new Date(now.getTime() - ((i * 7919) % (paid ? 300 : 60)) * DAY - DAY);
    const due = new Date(sent.getTime() + 30 * DAY);
    const total = { minor: 50_000 + ((i * 104_729) % 900_000), currency: i % 10 === 0 ? 'EUR' : 'USD' };
    return {
      id: `${paid ? 'p' : 'o'}-${i}`,
      clientId: `c-${i % 200}`,
      stage: 'Accepted',
      total,
      remaining: paid ? { ...total, minor: 0 } : total,
      completed: new Date(sent.getTime() - 2 * DAY),
      accepted: new Date(sent.getTime() - DAY),
      evidence: i % 7 !== 0,
      blockers: 0,
      changeOrder: false,
      invoiceStatus: paid ? 'Paid' : sent.getTime() + 30 * DAY < now.getTime() ? 'Overdue' : 'Sent',
      sent,
      due,
      paidOn: paid ? new Date(Math.min(now.getTime() - DAY, sent.getTime() + (20 + (i % 25)) * DAY)) : null,
      disputed: i % 37 === 0,
      promiseToPay: null,
      remindersDone: i % 3,
      lastReminderAt: i % 3 === 0 ? null : new Date(sent.getTime() + 3 * DAY),
    };
  };
  for (let i = 0; i < open; i += 1) rows.push(row(i, false));
  for (let i = 0; i < 2000; i += 1) rows.push(row(i, true));
  const terms = Array.from({ length: 200 }, (_, c) => ({ id: `c-${c}`, paymentTermsDays: 30 }));
  const options = { at: now, timeZone: 'Europe/Berlin', weeks, fallbackTermsDays: 30, sendLagHours: 2 };
  const times: number[] = [];
  for (let k = 0; k < runs + WARM_UP; k += 1) {
    const t = performance.now();
    const f = forecastRows(rows, terms, options);
    if (f.items.length !== open) throw new Error(`bench: the forecast has ${f.items.length} items, not ${open}`);
    if (k >= WARM_UP) times.push(performance.now() - t);
  }
  return { medianMs: Math.round(percentile(times, 50) * 10) / 10, maxMs: Math.round(Math.max(...times) * 10) / 10 };
}
// As /cashin and the Monday post run it (5 weeks), and as /cashin forecast 13 does.
const forecastTime = forecastTimings(10_000, 5, 30);
const forecastTime13 = forecastTimings(10_000, 13, 30);

// ---- the world ----
const notion = new NotionEmulator({ token: secrets.notion });
const stripe = new StripeEmulator({ secretKey: secrets.stripe });
const slack = new SlackEmulator({ botToken: secrets.slack, signingSecret: secrets.signing, channels: [channel] });
const servers = [await notion.listen(), await stripe.listen(), await slack.listen()];
const [notionServer, stripeServer] = servers;
const { notion: notionClient } = createNotionClient({
  token: secrets.notion,
  baseUrl: notionServer?.url,
  logger: pino({ level: 'silent' }),
  ratePerSecond: 10_000,
});
const ledger = await buildBenchLedger({
  notion,
  notionClient,
  stripeUrl: stripeServer?.url ?? '',
  stripeKey: secrets.stripe,
  slackApiUrl: slack.apiUrl,
  slackToken: secrets.slack,
  channel,
  policy,
  rows: ROWS,
  open: OPEN,
  clients: 50,
});
notion.rateLimit = { perSecond: 3, burst: 10 };

// ---- the production process ----
const port = await freePort();
slack.requestUrl = `http://127.0.0.1:${port}/slack/events`;
const env = {
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? '/tmp',
  SLACK_BOT_TOKEN: secrets.slack,
  SLACK_SIGNING_SECRET: secrets.signing,
  SLACK_CHANNEL_ID: channel,
  SLACK_APPROVER_IDS: founder,
  NOTION_TOKEN: secrets.notion,
  NOTION_MILESTONES_DB: ledger.milestonesDb,
  NOTION_CLIENTS_DB: ledger.clientsDb,
  STRIPE_SECRET_KEY: secrets.stripe,
  PORT: String(port),
  POLL_INTERVAL_SECONDS: String(POLL_SECONDS),
  CASHIN_TIMEZONE: 'UTC',
  LOG_LEVEL: 'warn',
  NOTION_BASE_URL: notionServer?.url ?? '',
  SLACK_API_URL: slack.apiUrl,
  STRIPE_API_URL: stripeServer?.url ?? '',
};
const notionRequestsSince = (index: number) => notion.requests.slice(index).filter((r) => r.status !== 429).length;
const requestsBeforeStart = notion.requests.length;
const started = performance.now();
const bot = spawn('node', ['dist/main.js'], { cwd: root, env, stdio: ['ignore', 'ignore', 'inherit'] });
const health = async () => {
  const res = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null);
  return res?.ok ? ((await res.json()) as { synced: boolean; historyScannedAt: string | null }) : null;
};
await until(health, 30_000, 'healthy');
const healthyAt = performance.now();
await until(async () => (await health())?.synced, 120_000, 'the first sync');
const syncedAt = performance.now();
const coldStartRequests = notionRequestsSince(requestsBeforeStart);

// ---- settled history: read in the background, paced to at most half of Notion's budget ----
await until(async () => (await health())?.historyScannedAt, 300_000, 'the history scan');
const scan = notion.requests.filter((r) => JSON.stringify(r.filter ?? '').includes('is_not_empty'));
const scanSeconds = ((scan.at(-1)?.at ?? 0) - (scan[0]?.at ?? 0)) / 1000;
const scanRate = scan.length > 1 ? (scan.length - 1) / scanSeconds : 0;

// ---- idle: nothing changes for a minute ----
await sleep(2000);
const idleFrom = notion.requests.length;
const idleMs = 60_000;
await sleep(idleMs);
const idlePerPoll = notionRequestsSince(idleFrom) / (idleMs / (POLL_SECONDS * 1000));

// ---- a founder edits rows in Notion: how long until the card shows it ----
const cardOf = (id: string) => {
  const ref = String(notion.pageValues(id)['Slack card'] ?? '');
  return slack.messages.find((m) => `${m.channel}/${m.ts}` === ref);
};
const editLatencies: number[] = [];
await Promise.all(
  ledger.accepted.slice(0, SAMPLES).map(async (id, k) => {
    await sleep(k * 1500);
    const amount = 77_000 + k;
    notion.editPage(id, { Amount: { number: amount } });
    const editedAt = performance.now();
    await until(() => JSON.stringify(cardOf(id)?.blocks ?? []).includes(amount.toLocaleString('en-US')), 60_000, 'an edited card');
    editLatencies.push(performance.now() - editedAt);
  }),
);

// ---- the founder clicks Send: how long until the invoice is sent, Notion written, the card updated ----
const clickLatencies: number[] = [];
for (const id of ledger.accepted.slice(SAMPLES, SAMPLES * 2)) {
  const card = await until(
    () => {
      const found = cardOf(id);
      return found && JSON.stringify(found.blocks).includes(ACTIONS.send) ? found : undefined;
    },
    30_000,
    'a review card',
  );
  const clickedAt = performance.now();
  await slack.click(card.ts, ACTIONS.send, founder);
  await until(() => notion.pageValues(id)['Invoice status'] === 'Sent' && cardOf(id)?.text.includes('awaiting payment'), 30_000, 'a sent invoice');
  clickLatencies.push(performance.now() - clickedAt);
  // A founder reads each card before the next click. A send costs five Notion requests, and Notion
  // allows three a second: clicks faster than one every two seconds queue behind each other.
  await sleep(CLICK_GAP_MS);
}

// ---- /cashin: acked at once (Slack allows 3 s), then answered with the forecast over the whole ledger ----
const ackLatencies: number[] = [];
const answerLatencies: number[] = [];
for (const text of ['', 'kpis', 'aging', '', 'forecast 13', 'kpis', '', 'aging', '', 'kpis']) {
  const before = slack.ephemerals.length;
  const askedAt = performance.now();
  const delivery = await slack.slashCommand('/cashin', text, founder, channel);
  if (delivery.status !== 200) throw new Error(`bench: /cashin answered HTTP ${delivery.status}`);
  ackLatencies.push(performance.now() - askedAt);
  await until(() => slack.ephemerals.length > before, 30_000, 'a /cashin answer');
  answerLatencies.push(performance.now() - askedAt);
}

const peakRssMb = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${bot.pid}/status`, 'utf8'))?.[1] ?? Number.NaN) / 1024;
bot.kill('SIGTERM');

const figure = (value: number, goal: string, met: boolean) => ({ value, goal, met });
const latency = (values: number[], goal: number) => ({
  p50: seconds(percentile(values, 50)),
  p95: seconds(percentile(values, 95)),
  goal: `p95 <= ${goal} s`,
  met: percentile(values, 95) <= goal * 1000,
  samples: values.length,
});
const result = {
  ledger: {
    rows: ROWS,
    open: OPEN.accepted + OPEN.sent + OPEN.delivered,
    clients: 50,
    pollSeconds: POLL_SECONDS,
    notionRateLimit: '3 requests/s, bursts of 10',
  },
  figures: {
    idleRequestsPerPoll: figure(Math.round(idlePerPoll * 100) / 100, '<= 1.1', idlePerPoll <= 1.1),
    coldStartRequests: figure(coldStartRequests, '<= 12 before the first sync completes', coldStartRequests <= 12),
    secondsToHealthy: figure(seconds(healthyAt - started), '<= 2', healthyAt - started <= 2000),
    secondsToFirstSync: { value: seconds(syncedAt - started) },
    editToCardSeconds: latency(editLatencies, 10),
    clickToSentSeconds: { ...latency(clickLatencies, 2), clicksApartSeconds: CLICK_GAP_MS / 1000 },
    cashinAckSeconds: latency(ackLatencies, 3),
    cashinAnswerSeconds: { p50: seconds(percentile(answerLatencies, 50)), p95: seconds(percentile(answerLatencies, 95)), samples: answerLatencies.length },
    forecast10kOpenInvoicesMs: figure(forecastTime.medianMs, 'median <= 50 (5 weeks, 200 clients, 2,000 paid rows of history)', forecastTime.medianMs <= 50),
    forecast10kOpenInvoices13WeeksMs: { value: forecastTime13.medianMs },
    peakRssMb: figure(Math.round(peakRssMb), '<= 150', peakRssMb <= 150),
    historyScan: {
      requests: scan.length,
      seconds: Math.round(scanSeconds),
      requestsPerSecond: Math.round(scanRate * 100) / 100,
      goal: "<= 1.5 (half of Notion's 3)",
      met: scanRate <= 1.5,
    },
  },
  notionRequestsRateLimited: notion.rateLimitedCount,
};
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
await Promise.all(servers.map((s) => s.close()));
process.exit(0);
