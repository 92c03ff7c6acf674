/**
 * The no-credentials sandbox: the three emulators in this process, a demo ledger, the real bot
 * talking to them over HTTP exactly as in production, and the console on PORT to drive it all.
 */
import { randomBytes } from 'node:crypto';
import { start } from '../app/start.js';
import { cleanEnv, loadConfig } from '../config.js';
import { createNotionClient } from '../ledger/notion-client.js';
import { createLedger } from '../ledger/setup.js';
import type { Logger } from '../log.js';
import { ShiftableClock } from './clock.js';
import { startConsole } from './console-server.js';
import { seedDemoLedger } from './demo-data.js';
import { freePort } from './http.js';
import { NotionEmulator } from './notion-emulator.js';
import { SlackEmulator } from './slack-emulator.js';
import { StripeEmulator } from './stripe-emulator.js';

/**
 * Not secrets: they only open the in-process emulators, which listen on loopback. What guards the
 * bot's own port (Slack's signing secret, Stripe's webhook secret) is made afresh at every start.
 */
export const SANDBOX = {
  notionToken: 'ntn_sandbox_only',
  slackBotToken: 'xoxb-sandbox-only',
  stripeKey: 'sk_test_sandbox_only',
  channel: 'C0SANDBOX1',
  founder: 'U0FOUNDER1',
} as const;

const SETTINGS = [
  'POLL_INTERVAL_SECONDS',
  'AUTO_SEND_AFTER_MINUTES',
  'CASHIN_TIMEZONE',
  'DEFAULT_CURRENCY',
  'DEFAULT_PAYMENT_TERMS_DAYS',
  'REMINDER_HOURS',
  'REMINDER_DAYS',
  'LOG_LEVEL',
] as const;

/** `url` is the console; `botUrl` the bot's own port (Slack's requests, Stripe's webhook), on loopback only. */
export type Sandbox = { url: string; botUrl: string; stop(): Promise<void> };

export async function startSandbox(env: Record<string, string | undefined>, logger: Logger): Promise<Sandbox> {
  const clock = new ShiftableClock();
  const slackSigningSecret = randomBytes(32).toString('hex');
  const stripeWebhookSecret = `whsec_${randomBytes(24).toString('hex')}`;
  const notion = new NotionEmulator({ token: SANDBOX.notionToken, now: clock.now });
  const stripe = new StripeEmulator({ secretKey: SANDBOX.stripeKey, now: clock.now, accountName: 'Your studio (sandbox)' });
  const slack = new SlackEmulator({ botToken: SANDBOX.slackBotToken, signingSecret: slackSigningSecret, channels: [SANDBOX.channel] });
  const servers = [await notion.listen(), await stripe.listen(), await slack.listen()];
  const [notionServer, stripeServer] = servers;

  const { notion: client } = createNotionClient({ token: SANDBOX.notionToken, baseUrl: notionServer?.url, logger, ratePerSecond: 50 });
  const ledger = await createLedger(client, notion.createWorkspacePage('Cashin sandbox'));
  await seedDemoLedger(client, { clients: notion.dataSourceOf(ledger.clientsDb), milestones: notion.dataSourceOf(ledger.milestonesDb) }, clock.now());

  const botPort = await freePort();
  const botUrl = `http://127.0.0.1:${botPort}`;
  slack.requestUrl = `${botUrl}/slack/events`;
  stripe.addWebhookEndpoint(`${botUrl}/stripe/webhook`, stripeWebhookSecret);
  const given = cleanEnv(env);
  const settings = Object.fromEntries(SETTINGS.flatMap((name) => (given[name] ? [[name, given[name]]] : [])));
  const config = loadConfig({
    POLL_INTERVAL_SECONDS: '2',
    ...settings,
    SLACK_BOT_TOKEN: SANDBOX.slackBotToken,
    SLACK_SIGNING_SECRET: slackSigningSecret,
    SLACK_CHANNEL_ID: SANDBOX.channel,
    SLACK_APPROVER_IDS: SANDBOX.founder,
    NOTION_TOKEN: SANDBOX.notionToken,
    NOTION_MILESTONES_DB: ledger.milestonesDb,
    NOTION_CLIENTS_DB: ledger.clientsDb,
    NOTION_FORECASTS_DB: ledger.forecastsDb,
    STRIPE_SECRET_KEY: SANDBOX.stripeKey,
    STRIPE_WEBHOOK_SECRET: stripeWebhookSecret,
    PORT: String(botPort),
    NOTION_BASE_URL: notionServer?.url,
    SLACK_API_URL: slack.apiUrl,
    STRIPE_API_URL: stripeServer?.url,
  });
  // The bot's own port answers only this machine: the console and the emulators are its only callers.
  const bot = await start(config, logger, { clock, ratePerSecond: 50, host: '127.0.0.1', clientsEveryMs: 0, weeklyJobsOnClock: true });
  const consolePort = Number(given.PORT ?? 3000);
  const emulators = { notion: notionServer?.url ?? '', slack: slack.apiUrl, stripe: stripeServer?.url ?? '' };
  const consoleServer = await startConsole({
    port: consolePort,
    emulators,
    notion,
    slack,
    stripe,
    clock,
    ledger,
    founder: SANDBOX.founder,
    channel: SANDBOX.channel,
    weekly: bot.weekly,
  });
  const url = `http://localhost:${consolePort}`;
  process.stdout.write(`\nCashin sandbox: no credentials found, so Notion, Slack and Stripe are emulated with demo data.\nOpen the console at ${url}\n\n`);
  return {
    url,
    botUrl,
    async stop() {
      await bot.stop();
      await consoleServer.close();
      await Promise.all(servers.map((s) => s.close()));
    },
  };
}
