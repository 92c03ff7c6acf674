import { SlackEmulator } from '../../src/sandbox/slack-emulator.js';
import { StripeEmulator } from '../../src/sandbox/stripe-emulator.js';
import { freePort, type Listening } from '../../src/sandbox/http.js';

export { freePort };
import { addRow, clientProps, milestoneProps, notionWorld, NOTION_TOKEN, type NotionWorld } from './notion.js';

export const CHANNEL = 'C0CASHIN01';
export const APPROVER = 'U0FOUNDER1';
export const STRANGER = 'U0INTRUDER';
export const SLACK_BOT_TOKEN = 'xoxb-test-cashin';
export const SLACK_APP_TOKEN = 'xapp-1-test-cashin';
export const SLACK_SIGNING_SECRET = 'test-signing-secret-0123456789';
export const STRIPE_KEY = 'sk_test_cashin_emulated';
export const STRIPE_WEBHOOK_SECRET = 'whsec_test_cashin';

export type World = {
  notion: NotionWorld;
  stripe: StripeEmulator;
  slack: SlackEmulator;
  servers: Listening[];
  botPort: number;
  env(mode: 'http' | 'socket', extra?: Record<string, string>): Record<string, string>;
  addClient(name: string, extra?: Record<string, unknown>): Promise<string>;
  addMilestone(title: string, clientId: string | null, extra?: Record<string, unknown>): Promise<string>;
  edit(pageId: string, properties: Record<string, unknown>): void;
  values(pageId: string): Record<string, unknown>;
  close(): Promise<void>;
};

export async function createWorld(): Promise<World> {
  const notion = await notionWorld();
  const stripe = new StripeEmulator({ secretKey: STRIPE_KEY });
  const slack = new SlackEmulator({ botToken: SLACK_BOT_TOKEN, appToken: SLACK_APP_TOKEN, signingSecret: SLACK_SIGNING_SECRET, channels: [CHANNEL] });
  const servers = [await stripe.listen(), await slack.listen()];
  const botPort = await freePort();
  slack.requestUrl = `http://127.0.0.1:${botPort}/slack/events`;
  const stripeUrl = servers[0]?.url ?? '';
  return {
    notion,
    stripe,
    slack,
    servers,
    botPort,
    env: (mode, extra = {}) => ({
      SLACK_BOT_TOKEN,
      SLACK_CHANNEL_ID: CHANNEL,
      SLACK_APPROVER_IDS: APPROVER,
      ...(mode === 'socket' ? { SLACK_APP_TOKEN } : { SLACK_SIGNING_SECRET, STRIPE_WEBHOOK_SECRET }),
      NOTION_TOKEN,
      NOTION_MILESTONES_DB: notion.ledgerIds.milestonesDb,
      NOTION_CLIENTS_DB: notion.ledgerIds.clientsDb,
      NOTION_FORECASTS_DB: notion.ledgerIds.forecastsDb,
      STRIPE_SECRET_KEY: STRIPE_KEY,
      PORT: String(botPort),
      POLL_INTERVAL_SECONDS: '1',
      AUTO_SEND_AFTER_MINUTES: '120',
      CASHIN_TIMEZONE: 'Europe/Berlin',
      DEFAULT_CURRENCY: 'USD',
      DEFAULT_PAYMENT_TERMS_DAYS: '30',
      LOG_LEVEL: 'warn',
      NOTION_BASE_URL: notion.server.url,
      SLACK_API_URL: slack.apiUrl,
      STRIPE_API_URL: stripeUrl,
      ...extra,
    }),
    addClient: (name, extra = {}) => addRow(notion, notion.ledgerIds.clientsDb, clientProps(name, extra)),
    addMilestone: (title, clientId, extra = {}) => addRow(notion, notion.ledgerIds.milestonesDb, milestoneProps(title, clientId, extra)),
    edit: (pageId, properties) => notion.emulator.editPage(pageId, properties),
    values: (pageId) => notion.emulator.pageValues(pageId),
    close: async () => {
      await Promise.all(servers.map((s) => s.close()));
      await notion.close();
    },
  };
}

/** Polls `probe` until it returns a value other than undefined/false, or fails with `what`. */
export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const select = (name: string) => ({ select: { name } });
export const date = (start: string) => ({ date: { start } });
