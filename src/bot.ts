/**
 * Builds the SDK clients from a Config, wires the adapters into the engine and starts Slack,
 * the polling loops and the HTTP routes. Start-up stops with one clear message when anything is off.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CustomRoute } from '@slack/bolt';
import { StripeBilling } from './billing/stripe-billing.js';
import type { Config } from './config.js';
import { ExternalServiceError } from './errors.js';
import { createClients } from './clients.js';
import { formatChecks, runChecks } from './doctor.js';
import { NotionLedger } from './ledger/notion-ledger.js';
import type { Logger } from './log.js';
import { createSlackApp } from './slack/app.js';
import { SlackChat } from './slack/chat.js';
import { Engine } from './workflows/engine.js';
import type { Clock } from './workflows/ports.js';
import { startLoop, type Loop } from './workflows/loop.js';

/** `ratePerSecond` lifts the Notion throttle for the in-process emulator; real Notion keeps the default 3/s. */
export type StartOptions = { clock?: Clock; ratePerSecond?: number };

export async function start(config: Config, logger: Logger, options: StartOptions = {}): Promise<{ stop(): Promise<void> }> {
  const clock = options.clock ?? { now: () => new Date() };
  const clients = createClients(config, logger, options);
  const ledger = new NotionLedger(clients.notion, { milestonesDb: config.notion.milestonesDb, clientsDb: config.notion.clientsDb }, logger);
  const failed = (await runChecks(config, clients, logger, ledger)).filter((c) => !c.ok);
  if (failed.length > 0) {
    throw new ExternalServiceError('startup_checks', `these checks failed (npm run doctor shows them all):\n${formatChecks(failed)}`, false);
  }
  const billing = new StripeBilling(clients.stripe, logger);
  const chat = new SlackChat(clients.slack, config.slack.channelId);
  const engine = new Engine({
    ledger, billing, chat, clock,
    approverIds: config.slack.approverIds, logger,
    policy: {
      defaultCurrency: config.defaultCurrency, defaultPaymentTermsDays: config.defaultPaymentTermsDays,
      autoSendAfterMinutes: config.autoSendAfterMinutes, acceptanceSlaHours: 24, timeZone: config.timeZone,
    },
  });

  let lastPollAt: string | null = null;
  const routes: CustomRoute[] = [{
    path: '/healthz', method: ['GET'],
    handler: (_req: IncomingMessage, res: ServerResponse) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true, mode: config.mode, lastPollAt }));
    },
  }];
  const webhookSecret = config.stripe.webhookSecret;
  if (config.mode === 'http' && webhookSecret) {
    routes.push({
      path: '/stripe/webhook', method: ['POST'],
      handler: (req: IncomingMessage, res: ServerResponse) => void handleWebhook(req, res, billing, engine, webhookSecret, logger),
    });
  }

  const app = createSlackApp({ config, engine, chat, logger, routes });
  await engine.load();
  const reconciled = await engine.reconcile();
  logger.info({ reconciled }, 'open invoices reconciled with stripe');
  await engine.settleAll();
  await app.start(config.port);
  logger.info({ mode: config.mode, port: config.port }, 'cashin is running');

  const loops: Loop[] = [
    startLoop('ledger poll', config.pollIntervalSeconds * 1000, async () => { await engine.tick(); lastPollAt = new Date().toISOString(); }, logger),
    startLoop('payment poll', config.pollIntervalSeconds * 1000, () => engine.pollPayments(), logger),
  ];
  return {
    async stop() {
      await Promise.all(loops.map((l) => l.stop()));
      await app.stop();
    },
  };
}

async function handleWebhook(req: IncomingMessage, res: ServerResponse, billing: StripeBilling, engine: Engine, secret: string, logger: Logger): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  let event: { id: string; invoiceId: string | null };
  try {
    event = billing.verifyWebhook(raw, String(req.headers['stripe-signature'] ?? ''), secret);
  } catch {
    logger.warn({ length: raw.length }, 'stripe webhook with a bad signature refused');
    res.writeHead(400, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: 'invalid signature' }));
    return;
  }
  try {
    await engine.handleStripeEvent(event);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ received: true }));
  } catch (error) {
    logger.error({ err: error, eventId: event.id }, 'stripe webhook could not be applied; stripe will retry');
    res.writeHead(500, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: 'not applied' }));
  }
}

