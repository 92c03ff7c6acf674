/**
 * The composition root: builds the SDK clients from a Config, wires the adapters into the
 * workflows and starts Slack, the polling loops and the HTTP routes. Start-up stops with one clear
 * message when anything is off.
 */
import { StripeBilling } from '../billing/stripe-billing.js';
import { createClients, slackClientOptions, type ClientOptions } from './clients.js';
import type { Config } from '../config.js';
import { formatChecks, runChecks } from '../doctor/checks.js';
import { ExternalServiceError } from '../errors.js';
import { NotionForecastBook } from '../ledger/forecast-book.js';
import { NotionLedger } from '../ledger/notion-ledger.js';
import type { Logger } from '../log.js';
import { createSlackApp } from '../slack/app.js';
import { SlackChat } from '../slack/chat.js';
import { startLoop, type Loop } from '../workflows/loop.js';
import type { WeeklyJobs } from '../workflows/weekly-jobs.js';
import { scheduleWeekly } from './schedule.js';
import type { Clock } from '../workflows/ports.js';
import { chartRenderer } from './chart.js';
import { Health } from './health.js';
import { healthRoute, webhookRoute } from './routes.js';
import { wireWorkflows } from './wire.js';

export type StartOptions = ClientOptions & {
  clock?: Clock;
  /** Interface for the HTTP port; the sandbox keeps it on loopback. All interfaces by default. */
  host?: string;
  /** How often the Clients table is read (the sandbox reads it on every poll). */
  clientsEveryMs?: number;
  /**
   * Weekly jobs follow `clock` (checked every poll) instead of the wall clock: the sandbox, whose
   * clock the console moves forward.
   */
  weeklyJobsOnClock?: boolean;
};

/** `weekly` lets the sandbox console fire a weekly post on demand. */
export type Running = { stop(): Promise<void>; weekly: WeeklyJobs };

const HISTORY_EVERY_MS = 6 * 3600_000;
const WRITE_BACK_EVERY_MS = 3600_000;
const WEEKLY_RETRY_MS = 10 * 60_000;

export async function start(config: Config, logger: Logger, options: StartOptions = {}): Promise<Running> {
  const clock = options.clock ?? { now: () => new Date() };
  const clients = createClients(config, logger, options);
  const ledger = new NotionLedger(clients.notion, { milestonesDb: config.notion.milestonesDb, clientsDb: config.notion.clientsDb }, logger, {
    serverTime: clients.notionServerTime,
    ...(options.clientsEveryMs === undefined ? {} : { clientsEveryMs: options.clientsEveryMs }),
  });
  const failed = (await runChecks(config, clients, logger, ledger)).filter((c) => !c.ok);
  if (failed.length > 0) {
    throw new ExternalServiceError('startup_checks', `these checks failed (npm run doctor shows them all):\n${formatChecks(failed)}`, false);
  }
  const billing = new StripeBilling(clients.stripe, logger);
  const chat = new SlackChat(clients.slack, config.slack.channelId, config.slack.approverIds);
  const intervalMs = config.pollIntervalSeconds * 1000;
  const book = config.notion.forecastsDb ? new NotionForecastBook(clients.notion, config.notion.forecastsDb) : null;
  const { store, sync, payments, actions, collections, history, weekly, cash } = wireWorkflows(config, {
    ledger,
    billing,
    chat,
    clock,
    logger,
    claims: billing,
    book,
    chart: chartRenderer(config.timeZone, logger),
  });

  const health = new Health();
  let lastPollAt: string | null = null;
  let syncedAt: string | null = null;
  const routes = [
    healthRoute(() => ({
      ...health.report(),
      mode: config.mode,
      // The first read of the ledger runs after the bot is up; until it ends, cards may lag.
      synced: syncedAt !== null,
      syncedAt,
      lastPollAt,
      historyScannedAt: history.scannedAt?.toISOString() ?? null,
      eventsSetAside: payments.setAside.length,
    })),
  ];
  if (config.mode === 'http' && config.stripe.webhookSecret) {
    routes.push(
      webhookRoute({
        secret: config.stripe.webhookSecret,
        logger,
        verify: (raw, signature, secret) => billing.verifyWebhook(raw, signature, secret),
        receive: async (event) => payments.receive(await billing.eventRef(event)),
      }),
    );
  }

  const app = createSlackApp({
    config,
    actions,
    collections,
    queries: store,
    cash,
    clock,
    synced: () => sync.caughtUp,
    chat,
    logger,
    routes,
    clientOptions: slackClientOptions(config, options),
  });
  // Slack and /healthz are served at once, whatever the ledger's size; the first sync follows.
  if (config.mode === 'http') await app.start({ port: config.port, ...(options.host ? { host: options.host } : {}) });
  else await app.start(config.port);
  logger.info({ mode: config.mode, port: config.port }, 'cashin is running');

  health.watch('notion poll', intervalMs);
  health.watch('stripe event poll', intervalMs);
  health.watch('history scan', HISTORY_EVERY_MS);
  const loops: Loop[] = [
    startLoop(
      'notion poll',
      intervalMs,
      async () => {
        await sync.poll();
        lastPollAt = new Date().toISOString();
        // Synced once the first read of the ledger is whole (Notion may cut it over several polls).
        if (sync.caughtUp && syncedAt === null) {
          syncedAt = lastPollAt;
          // A weekly post whose time passed while Cashin was down goes out now (once).
          await weekly
            .catchUp()
            .catch((error: unknown) => logger.warn({ reason: error instanceof Error ? error.message : String(error) }, 'weekly catch-up failed'));
        }
      },
      logger,
      health,
      { firstAfterMs: 0 },
    ),
    startLoop('stripe event poll', intervalMs, () => payments.poll(), logger, health),
    // Settled history is read in the background, paced, a little after start and then every 6 hours.
    startLoop('history scan', HISTORY_EVERY_MS, () => history.scan(), logger, health, { firstAfterMs: 2 * intervalMs }),
    // Expected cash-in and Cash-in confidence follow the forecast on open rows, paced, every hour (every
    // poll in the sandbox, whose clock the console moves by days).
    startLoop(
      'forecast write-back',
      options.weeklyJobsOnClock ? intervalMs : WRITE_BACK_EVERY_MS,
      async () => void (sync.caughtUp ? await cash.writeBack() : 0),
      logger,
      undefined,
      {
        firstAfterMs: 3 * intervalMs,
      },
    ),
  ];
  // The sandbox's clock moves by hand: its weekly jobs are checked every poll. In production node-cron
  // fires them on time, and a catch-up every 10 minutes retries a run that failed (a Slack or Notion
  // error at 08:00) until it is posted, for up to 20 hours.
  loops.push(
    startLoop(
      'weekly jobs',
      options.weeklyJobsOnClock ? intervalMs : WEEKLY_RETRY_MS,
      async () => void (sync.caughtUp ? await weekly.catchUp() : undefined),
      logger,
    ),
  );
  const schedule = options.weeklyJobsOnClock ? null : scheduleWeekly(weekly, config.timeZone, logger);
  return {
    weekly,
    async stop() {
      history.stop();
      cash.stop();
      await schedule?.stop();
      await Promise.all(loops.map((l) => l.stop()));
      await app.stop();
    },
  };
}
