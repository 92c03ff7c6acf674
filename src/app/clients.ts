/** The SDK clients for a Config, built one way for the bot and for `npm run doctor`. */
import { webApi } from '@slack/bolt';
import type Stripe from 'stripe';
import { createStripeClient } from '../billing/stripe-client.js';
import type { Config } from '../config.js';
import { createNotionClient } from '../ledger/notion-client.js';
import { boltLogger, type Logger } from '../log.js';
import type { DoctorClients } from '../doctor/checks.js';

/** Slack's WebClient wants the Web API base ending in a slash. */
export function slackApiBase(url: string | undefined): string | undefined {
  if (!url) return undefined;
  return url.endsWith('/') ? url : `${url}/`;
}

/**
 * Deadlines per request, so a hung call cannot hold a milestone's lock. Each service answers in well
 * under a second when it is up; Notion's throttle waits count against its deadline too.
 */
export const TIMEOUTS_MS = { notion: 30_000, stripe: 20_000, slack: 10_000 } as const;

export type ClientOptions = {
  /** Lifts the Notion throttle for the in-process emulator; real Notion keeps the default 3/s. */
  ratePerSecond?: number;
  /** One deadline for every service instead of TIMEOUTS_MS (tests of hung calls). */
  timeoutMs?: number;
};

export function slackClientOptions(config: Config, options: ClientOptions = {}): webApi.WebClientOptions {
  const slackApiUrl = slackApiBase(config.slack.apiUrl);
  return {
    ...(slackApiUrl ? { slackApiUrl } : {}),
    timeout: options.timeoutMs ?? TIMEOUTS_MS.slack,
    retryConfig: { retries: 3, factor: 2, minTimeout: 200, maxTimeout: 2000 },
  };
}

export type Clients = DoctorClients & { stripe: Stripe; notionServerTime: () => Date | null };

export function createClients(config: Config, logger: Logger, options: ClientOptions = {}): Clients {
  const { notion, throttle } = createNotionClient({
    token: config.notion.token,
    baseUrl: config.notion.baseUrl,
    logger,
    timeoutMs: options.timeoutMs ?? TIMEOUTS_MS.notion,
    ...(options.ratePerSecond ? { ratePerSecond: options.ratePerSecond } : {}),
  });
  // The Slack SDK's own warnings go through Cashin's logger, at its level.
  const slackOptions = { ...slackClientOptions(config, options), logger: boltLogger(logger) };
  return {
    notion,
    notionServerTime: throttle.serverTime,
    stripe: createStripeClient(config.stripe.secretKey, config.stripe.apiUrl, options.timeoutMs ?? TIMEOUTS_MS.stripe),
    slack: new webApi.WebClient(config.slack.botToken, slackOptions),
    slackAppClient: config.slack.appToken ? new webApi.WebClient(config.slack.appToken, slackOptions) : null,
  };
}
