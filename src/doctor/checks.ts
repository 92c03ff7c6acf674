/**
 * Checks every credential and id Cashin needs, one line each with what to fix. `npm run doctor`
 * prints them; the bot runs the same checks at start and refuses to run on a failure. A network
 * failure, a timeout and a refused credential are told apart: only the last is the credential's fault.
 */
import type { Client as NotionClient } from '@notionhq/client';
import type { webApi } from '@slack/bolt';
import type Stripe from 'stripe';
import type { Config } from '../config.js';
import { NotionLedger } from '../ledger/notion-ledger.js';
import { describeSchemaProblems } from '../ledger/contract.js';
import type { Logger } from '../log.js';
import { slackErrorCode } from '../slack/chat.js';
import { classifyFailure } from './failure.js';

export type Check = { name: string; ok: boolean; detail: string; fix?: string };

export type DoctorClients = { slack: webApi.WebClient; slackAppClient: webApi.WebClient | null; notion: NotionClient; stripe: Stripe };

type Service = { name: string; host: string; status: string; override: string };

const SLACK: Service = { name: 'Slack', host: 'slack.com', status: 'status.slack.com', override: 'SLACK_API_URL' };
const NOTION: Service = { name: 'Notion', host: 'api.notion.com', status: 'status.notion.so', override: 'NOTION_BASE_URL' };
const STRIPE: Service = { name: 'Stripe', host: 'api.stripe.com', status: 'status.stripe.com', override: 'STRIPE_API_URL' };

const SLACK_FIXES: Readonly<Record<string, string>> = {
  invalid_auth: 'Copy the Bot User OAuth Token (xoxb-…) from your Slack app\'s "OAuth & Permissions" page into SLACK_BOT_TOKEN.',
  not_authed: 'Set SLACK_BOT_TOKEN to the Bot User OAuth Token (xoxb-…).',
  account_inactive: 'The app was uninstalled or its token revoked: reinstall it from the manifest and copy the new token.',
  channel_not_found: "Check SLACK_CHANNEL_ID: open the channel's details in Slack; the id at the bottom starts with C.",
  missing_scope: 'Reinstall the app from manifest.yml so it has every scope Cashin uses.',
};

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Runs one check. `refusedFix` is what to do when the service refuses the credential; `otherFix`
 * turns any other error into advice (by default Slack's error codes, else the error's own words).
 */
async function check(
  name: string,
  service: Service,
  refusedFix: string,
  run: () => Promise<Omit<Check, 'name'>>,
  otherFix?: (detail: string) => string,
): Promise<Check> {
  try {
    return { name, ...(await run()) };
  } catch (error) {
    const { kind, code } = classifyFailure(error);
    const notChecked = 'The credential itself was not checked.';
    switch (kind) {
      case 'network':
        return {
          name,
          ok: false,
          detail: `could not reach ${service.name} (${code})`,
          fix: `This machine cannot reach ${service.host}: check its internet access, DNS, proxy and firewall, and ${service.override} if you set it. ${notChecked}`,
        };
      case 'timeout':
        return {
          name,
          ok: false,
          detail: `${service.name} did not answer in time`,
          fix: `Try again in a minute; if it keeps timing out, check the network path and ${service.status}. ${notChecked}`,
        };
      case 'refused':
        return { name, ok: false, detail: `${service.name} refused it (${code})`, fix: refusedFix };
      case 'other': {
        const detail = slackErrorCode(error) || message(error);
        return { name, ok: false, detail, fix: otherFix?.(detail) ?? SLACK_FIXES[detail] ?? detail };
      }
    }
  }
}

const skipped = (name: string, fix: string): Check => ({ name, ok: false, detail: 'not checked', fix });

/**
 * Runs every check. Pass the bot's own `ledger` to have it connected (data sources resolved) as a
 * side effect of the schema check, so start-up reads the schema once.
 */
export async function runChecks(config: Config, clients: DoctorClients, logger: Logger, ledger?: NotionLedger): Promise<Check[]> {
  // The three services are checked side by side: start-up waits for the slowest, not the sum.
  const groups = await Promise.all([slackChecks(config, clients), notionChecks(config, clients, logger, ledger), stripeChecks(config, clients)]);
  return groups.flat();
}

async function slackChecks(config: Config, clients: DoctorClients): Promise<Check[]> {
  const checks: Check[] = [];
  const slackAuth = await check('Slack bot token', SLACK, SLACK_FIXES.invalid_auth ?? '', async () => {
    const auth = await clients.slack.auth.test();
    return { ok: true, detail: `signed in to ${auth.team ?? 'the workspace'} as @${auth.user ?? 'bot'}` };
  });
  checks.push(slackAuth);
  checks.push(
    slackAuth.ok
      ? await check('Slack channel', SLACK, SLACK_FIXES.invalid_auth ?? '', async () => {
          const info = await clients.slack.conversations.info({ channel: config.slack.channelId });
          const name = info.channel?.name ?? config.slack.channelId;
          if (info.channel?.is_archived) return { ok: false, detail: `#${name} is archived`, fix: 'Pick a live channel for SLACK_CHANNEL_ID.' };
          if (!info.channel?.is_member) return { ok: false, detail: `the bot is not in #${name}`, fix: `Invite it: type "/invite @Cashin" in #${name}.` };
          return { ok: true, detail: `posting in #${name}` };
        })
      : skipped('Slack channel', 'Fix the Slack bot token first.'),
  );
  if (config.mode === 'socket' && clients.slackAppClient) {
    const appClient = clients.slackAppClient;
    const appTokenFix =
      'Create an app-level token with connections:write (Basic Information → App-Level Tokens) and put it in SLACK_APP_TOKEN; enable Socket Mode.';
    checks.push(
      await check(
        'Slack app token (Socket Mode)',
        SLACK,
        appTokenFix,
        async () => {
          await appClient.apps.connections.open();
          return { ok: true, detail: 'Socket Mode connection allowed' };
        },
        () => appTokenFix,
      ),
    );
  } else {
    checks.push({ name: 'Slack signing secret (HTTP mode)', ok: true, detail: 'set; Slack must reach /slack/events on this host' });
  }
  return checks;
}

async function notionChecks(config: Config, clients: DoctorClients, logger: Logger, ledger?: NotionLedger): Promise<Check[]> {
  const notionAuth = await check(
    'Notion token',
    NOTION,
    "Copy the integration's Internal Integration Secret (notion.so/profile/integrations) into NOTION_TOKEN.",
    async () => {
      const me = await clients.notion.users.me({});
      const workspace = me.type === 'bot' && me.bot && 'workspace_name' in me.bot ? me.bot.workspace_name : null;
      return { ok: true, detail: `integration ${me.name ?? ''}${workspace ? ` in ${workspace}` : ''}`.trim() };
    },
  );
  if (!notionAuth.ok) return [notionAuth, skipped('Notion ledger (Milestones and Clients)', 'Fix the Notion token first.')];
  const schema = await check(
    'Notion ledger (Milestones and Clients)',
    NOTION,
    'Check NOTION_TOKEN.',
    async () => {
      const target = ledger ?? new NotionLedger(clients.notion, { milestonesDb: config.notion.milestonesDb, clientsDb: config.notion.clientsDb }, logger);
      const problems = await target.connect();
      if (problems.length === 0) return { ok: true, detail: 'both databases shared and matching the ledger contract (docs/ledger.md)' };
      return {
        ok: false,
        detail: describeSchemaProblems(problems).replace(/\n/g, '; '),
        fix: 'Add or retype these properties, or create fresh databases with "npm run setup:notion".',
      };
    },
    (detail) => `${detail}. Check NOTION_MILESTONES_DB and NOTION_CLIENTS_DB, and share both databases with the integration (••• → Connections).`,
  );
  return [notionAuth, schema];
}

async function stripeChecks(config: Config, clients: DoctorClients): Promise<Check[]> {
  const checks = [
    await check(
      'Stripe key',
      STRIPE,
      "Copy a secret key from Stripe's dashboard (Developers → API keys) into STRIPE_SECRET_KEY; start with a test key.",
      async () => {
        const account = await clients.stripe.accounts.retrieveCurrent();
        const mode = /_live_/.test(config.stripe.secretKey) ? 'LIVE mode: real invoices are emailed to clients' : 'test mode';
        return { ok: true, detail: `${mode}, account ${account.business_profile?.name ?? account.settings?.dashboard.display_name ?? account.id}` };
      },
    ),
  ];
  if (config.mode === 'http') {
    checks.push(
      config.stripe.webhookSecret
        ? { name: 'Stripe webhook', ok: true, detail: 'signing secret set; payments arrive at /stripe/webhook, polling is the safety net' }
        : { name: 'Stripe webhook', ok: true, detail: `not set; payments are found by polling every ${config.pollIntervalSeconds} s` },
    );
  }
  return checks;
}

export function formatChecks(checks: readonly Check[]): string {
  return checks.map((c) => `${c.ok ? '✓' : '✗'} ${c.name}: ${c.detail}${!c.ok && c.fix ? `\n    → ${c.fix}` : ''}`).join('\n');
}
