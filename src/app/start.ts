/**
 * The composition root: builds the SDK clients from a Config, wires the adapters into the
 * workflows and starts Slack, the polling loops and the HTTP routes. Start-up stops with one clear
 * message when anything is off.
 */
import { StripeBilling } from '../billing/stripe-billing.js';
import { createClients } from '../clients.js';
import type { Config } from '../config.js';
import { formatChecks, runChecks } from '../doctor.js';
import { ExternalServiceError } from '../errors.js';
import { NotionLedger } from '../ledger/notion-ledger.js';
import type { Logger } from '../log.js';
import { createSlackApp } from '../slack/app.js';
import { SlackChat } from '../slack/chat.js';
import { FounderActions } from '../workflows/founder-actions.js';
import { KeyedLock } from '../workflows/keyed-lock.js';
import { startLoop, type Loop } from '../workflows/loop.js';
import { PaymentIntake } from '../workflows/payments.js';
import type { Clock } from '../workflows/ports.js';
import { Settler } from '../workflows/settle.js';
import { MilestoneStore } from '../workflows/store.js';
import { LedgerSync } from '../workflows/sync.js';
import { Health } from './health.js';
import { healthRoute, webhookRoute } from './routes.js';

export type StartOptions = {
  clock?: Clock;
  /** Lifts the Notion throttle for the in-process emulator; real Notion keeps the default 3/s. */
  ratePerSecond?: number;
  /** Interface for the HTTP port; the sandbox keeps it on loopback. All interfaces by default. */
  host?: string;
};

export type Running = { stop(): Promise<void> };

export async function start(config: Config, logger: Logger, options: StartOptions = {}): Promise<Running> {
  const clock = options.clock ?? { now: () => new Date() };
  const clients = createClients(config, logger, options);
  const ledger = new NotionLedger(clients.notion, { milestonesDb: config.notion.milestonesDb, clientsDb: config.notion.clientsDb }, logger);
  const failed = (await runChecks(config, clients, logger, ledger)).filter((c) => !c.ok);
  if (failed.length > 0) {
    throw new ExternalServiceError('startup_checks', `these checks failed (npm run doctor shows them all):\n${formatChecks(failed)}`, false);
  }
  const billing = new StripeBilling(clients.stripe, logger);
  const chat = new SlackChat(clients.slack, config.slack.channelId);
  const policy = {
    defaultCurrency: config.defaultCurrency, defaultPaymentTermsDays: config.defaultPaymentTermsDays,
    autoSendAfterMinutes: config.autoSendAfterMinutes, acceptanceSlaHours: 24, timeZone: config.timeZone,
  };
  const intervalMs = config.pollIntervalSeconds * 1000;
  const store = new MilestoneStore(clock);
  const lock = new KeyedLock();
  const settler = new Settler({ ledger, billing, chat, clock, policy, store, lock, logger });
  const sync = new LedgerSync({ ledger, store, settler });
  const payments = new PaymentIntake({ ledger, billing, clock, store, lock, settler, logger, intervalMs });
  const actions = new FounderActions({ ledger, billing, clock, policy, store, lock, settler, approverIds: config.slack.approverIds, logger });

  const health = new Health();
  let lastPollAt: string | null = null;
  const routes = [healthRoute(() => ({ ...health.report(), mode: config.mode, lastPollAt, eventsSetAside: payments.setAside.length }))];
  if (config.mode === 'http' && config.stripe.webhookSecret) {
    routes.push(webhookRoute({
      secret: config.stripe.webhookSecret, logger,
      verify: (raw, signature, secret) => billing.verifyWebhook(raw, signature, secret),
      receive: (event) => payments.receive(event),
    }));
  }

  const app = createSlackApp({ config, actions, queries: store, chat, logger, routes });
  await sync.poll();
  if (config.mode === 'http') await app.start({ port: config.port, ...(options.host ? { host: options.host } : {}) });
  else await app.start(config.port);
  logger.info({ mode: config.mode, port: config.port }, 'cashin is running');

  health.watch('notion poll', intervalMs);
  health.watch('stripe event poll', intervalMs);
  const loops: Loop[] = [
    startLoop('notion poll', intervalMs, async () => { await sync.poll(); lastPollAt = new Date().toISOString(); }, logger, health),
    startLoop('stripe event poll', intervalMs, () => payments.poll(), logger, health),
  ];
  return {
    async stop() {
      await Promise.all(loops.map((l) => l.stop()));
      await app.stop();
    },
  };
}
