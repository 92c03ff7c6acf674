/** The SDK clients for a Config, built one way for the bot and for `npm run doctor`. */
import { webApi } from '@slack/bolt';
import type Stripe from 'stripe';
import { createStripeClient } from './billing/stripe-client.js';
import type { Config } from './config.js';
import { createNotionClient } from './ledger/notion-client.js';
import type { Logger } from './log.js';
import type { DoctorClients } from './doctor.js';

/** Slack's WebClient wants the Web API base ending in a slash. */
export function slackApiBase(url: string | undefined): string | undefined {
  if (!url) return undefined;
  return url.endsWith('/') ? url : `${url}/`;
}

export function slackClientOptions(config: Config): webApi.WebClientOptions {
  const slackApiUrl = slackApiBase(config.slack.apiUrl);
  return { ...(slackApiUrl ? { slackApiUrl } : {}), retryConfig: { retries: 3, factor: 2, minTimeout: 200, maxTimeout: 2000 } };
}

export type Clients = DoctorClients & { stripe: Stripe };

export function createClients(config: Config, logger: Logger, options: { ratePerSecond?: number } = {}): Clients {
  const { notion } = createNotionClient({ token: config.notion.token, baseUrl: config.notion.baseUrl, logger, ...(options.ratePerSecond ? { ratePerSecond: options.ratePerSecond } : {}) });
  const slackOptions = { ...slackClientOptions(config), logger: undefined };
  return {
    notion,
    stripe: createStripeClient(config.stripe.secretKey, config.stripe.apiUrl),
    slack: new webApi.WebClient(config.slack.botToken, slackOptions),
    slackAppClient: config.slack.appToken ? new webApi.WebClient(config.slack.appToken, slackOptions) : null,
  };
}
