/**
 * Checks every credential and id Cashin needs, one line each with what to fix. `npm run doctor`
 * prints them; the bot runs the same checks at start and refuses to run on a failure.
 */
import type { Client as NotionClient } from '@notionhq/client';
import type { webApi } from '@slack/bolt';
import type Stripe from 'stripe';
import type { Config } from './config.js';
import { NotionLedger } from './ledger/notion-ledger.js';
import { describeSchemaProblems } from './ledger/schema.js';
import type { Logger } from './log.js';
import { slackErrorCode } from './slack/chat.js';

export type Check = { name: string; ok: boolean; detail: string; fix?: string };

export type DoctorClients = { slack: webApi.WebClient; slackAppClient: webApi.WebClient | null; notion: NotionClient; stripe: Stripe };

const SLACK_FIXES: Readonly<Record<string, string>> = {
  invalid_auth: 'Copy the Bot User OAuth Token (xoxb-…) from your Slack app\'s "OAuth & Permissions" page into SLACK_BOT_TOKEN.',
  not_authed: 'Set SLACK_BOT_TOKEN to the Bot User OAuth Token (xoxb-…).',
  account_inactive: 'The app was uninstalled or its token revoked: reinstall it from the manifest and copy the new token.',
  channel_not_found: 'Check SLACK_CHANNEL_ID: open the channel\'s details in Slack; the id at the bottom starts with C.',
  missing_scope: 'Reinstall the app from manifest.yml so it has every scope Cashin uses.',
};

function failure(error: unknown): { code: string; message: string } {
  const code = slackErrorCode(error) || (typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '');
  return { code, message: error instanceof Error ? error.message : String(error) };
}

async function check(name: string, run: () => Promise<Omit<Check, 'name'>>): Promise<Check> {
  try {
    return { name, ...(await run()) };
  } catch (error) {
    const { code, message } = failure(error);
    return { name, ok: false, detail: code || message, fix: SLACK_FIXES[code] ?? message };
  }
}

/**
 * Runs every check. Pass the bot's own `ledger` to have it connected (data sources resolved) as a
 * side effect of the schema check, so start-up reads the schema once.
 */
export async function runChecks(config: Config, clients: DoctorClients, logger: Logger, ledger?: NotionLedger): Promise<Check[]> {
  const checks: Check[] = [];
  const slackAuth = await check('Slack bot token', async () => {
    const auth = await clients.slack.auth.test();
    return { ok: true, detail: `signed in to ${auth.team ?? 'the workspace'} as @${auth.user ?? 'bot'}` };
  });
  checks.push(slackAuth);
  checks.push(slackAuth.ok
    ? await check('Slack channel', async () => {
      const info = await clients.slack.conversations.info({ channel: config.slack.channelId });
      if (info.channel?.is_archived) return { ok: false, detail: `#${info.channel.name ?? config.slack.channelId} is archived`, fix: 'Pick a live channel for SLACK_CHANNEL_ID.' };
      if (!info.channel?.is_member) return { ok: false, detail: `the bot is not in #${info.channel?.name ?? config.slack.channelId}`, fix: `Invite it: type "/invite @Cashin" in #${info.channel?.name ?? 'the channel'}.` };
      return { ok: true, detail: `posting in #${info.channel.name ?? config.slack.channelId}` };
    })
    : { name: 'Slack channel', ok: false, detail: 'not checked', fix: 'Fix the Slack bot token first.' });
  if (config.mode === 'socket' && clients.slackAppClient) {
    const appClient = clients.slackAppClient;
    checks.push(await check('Slack app token (Socket Mode)', async () => {
      await appClient.apps.connections.open();
      return { ok: true, detail: 'Socket Mode connection allowed' };
    }).then((c) => (c.ok ? c : { ...c, fix: 'Create an app-level token with connections:write (Basic Information → App-Level Tokens) and put it in SLACK_APP_TOKEN; enable Socket Mode.' })));
  } else {
    checks.push({ name: 'Slack signing secret (HTTP mode)', ok: true, detail: 'set; Slack must reach /slack/events on this host' });
  }

  const notionAuth = await check('Notion token', async () => {
    const me = await clients.notion.users.me({});
    const workspace = me.type === 'bot' && me.bot && 'workspace_name' in me.bot ? me.bot.workspace_name : null;
    return { ok: true, detail: `integration ${me.name ?? ''}${workspace ? ` in ${workspace}` : ''}`.trim() };
  }).then((c) => (c.ok ? c : { ...c, fix: 'Copy the integration\'s Internal Integration Secret (notion.so/profile/integrations) into NOTION_TOKEN.' }));
  checks.push(notionAuth);
  if (notionAuth.ok) {
    checks.push(await check('Notion ledger (Milestones and Clients)', async () => {
      const target = ledger ?? new NotionLedger(clients.notion, { milestonesDb: config.notion.milestonesDb, clientsDb: config.notion.clientsDb }, logger);
      const problems = await target.connect();
      if (problems.length === 0) return { ok: true, detail: 'both databases shared and matching LEDGER.md' };
      return { ok: false, detail: describeSchemaProblems(problems).replace(/\n/g, '; '), fix: 'Add or retype these properties, or create fresh databases with "npm run setup:notion".' };
    }).then((c) => (c.ok || c.fix?.includes('setup:notion') ? c : { ...c, fix: `${c.detail}. Check NOTION_MILESTONES_DB and NOTION_CLIENTS_DB, and share both databases with the integration (••• → Connections).` })));
  } else {
    checks.push({ name: 'Notion ledger (Milestones and Clients)', ok: false, detail: 'not checked', fix: 'Fix the Notion token first.' });
  }

  checks.push(await check('Stripe key', async () => {
    const account = await clients.stripe.accounts.retrieveCurrent();
    const mode = /_live_/.test(config.stripe.secretKey) ? 'LIVE mode: real invoices are emailed to clients' : 'test mode';
    return { ok: true, detail: `${mode}, account ${account.business_profile?.name ?? account.settings?.dashboard.display_name ?? account.id}` };
  }).then((c) => (c.ok ? c : { ...c, fix: 'Copy a secret key from Stripe\'s dashboard (Developers → API keys) into STRIPE_SECRET_KEY; start with a test key.' })));
  if (config.mode === 'http') {
    checks.push(config.stripe.webhookSecret
      ? { name: 'Stripe webhook', ok: true, detail: 'signing secret set; payments arrive at /stripe/webhook, polling is the safety net' }
      : { name: 'Stripe webhook', ok: true, detail: `not set; payments are found by polling every ${config.pollIntervalSeconds} s` });
  }
  return checks;
}

export function formatChecks(checks: readonly Check[]): string {
  return checks.map((c) => `${c.ok ? '✓' : '✗'} ${c.name}: ${c.detail}${!c.ok && c.fix ? `\n    → ${c.fix}` : ''}`).join('\n');
}
