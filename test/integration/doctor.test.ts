/** The doctor against the emulators: all green when set up right, one named failure per broken credential. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createClients } from '../../src/app/clients.js';
import { loadConfig } from '../../src/config.js';
import { runChecks, type Check } from '../../src/doctor/checks.js';
import { SlackEmulator } from '../../src/sandbox/slack-emulator.js';
import { silentLogger } from '../support/notion.js';
import { runNpm } from '../support/process.js';
import { listen } from '../../src/sandbox/http.js';
import { CHANNEL, createWorld, freePort, SLACK_APP_TOKEN, SLACK_BOT_TOKEN, type World } from '../support/world.js';

let world: World;
beforeEach(async () => {
  world = await createWorld();
});
afterEach(async () => world.close());

async function doctor(mode: 'http' | 'socket', extra: Record<string, string> = {}, timeoutMs?: number): Promise<Check[]> {
  const config = loadConfig(world.env(mode, extra));
  return runChecks(config, createClients(config, silentLogger, { ratePerSecond: 100, ...(timeoutMs ? { timeoutMs } : {}) }), silentLogger);
}

const failed = (checks: Check[]) => checks.filter((c) => !c.ok).map((c) => c.name);

describe('doctor', () => {
  it.each(['http', 'socket'] as const)('passes every check on a good %s setup', async (mode) => {
    const checks = await doctor(mode);
    expect(failed(checks)).toEqual([]);
    expect(checks.map((c) => c.name)).toEqual(
      expect.arrayContaining(['Slack bot token', 'Slack channel', 'Notion token', 'Notion ledger (Milestones and Clients)', 'Stripe key']),
    );
    expect(checks.find((c) => c.name === 'Stripe key')?.detail).toContain('test mode');
  });

  it.each([
    ['a wrong Slack bot token', 'http', { SLACK_BOT_TOKEN: 'xoxb-wrong' }, ['Slack bot token', 'Slack channel'], 'SLACK_BOT_TOKEN'],
    ['an unknown channel', 'http', { SLACK_CHANNEL_ID: 'C0NOWHERE1' }, ['Slack channel'], 'SLACK_CHANNEL_ID'],
    ['a wrong app token', 'socket', { SLACK_APP_TOKEN: 'xapp-wrong' }, ['Slack app token (Socket Mode)'], 'SLACK_APP_TOKEN'],
    ['a wrong Notion token', 'http', { NOTION_TOKEN: 'ntn_wrong' }, ['Notion token', 'Notion ledger (Milestones and Clients)'], 'NOTION_TOKEN'],
    [
      'a database id not shared with the integration',
      'http',
      { NOTION_MILESTONES_DB: 'ffffffffffffffffffffffffffffffff' },
      ['Notion ledger (Milestones and Clients)'],
      'share both databases',
    ],
    ['a wrong Stripe key', 'http', { STRIPE_SECRET_KEY: 'sk_test_wrong' }, ['Stripe key'], 'STRIPE_SECRET_KEY'],
  ] as const)('names %s and how to fix it', async (_label, mode, extra, names, fix) => {
    const checks = await doctor(mode, extra);
    expect(failed(checks)).toEqual(names);
    expect(checks.find((c) => c.name === names[0])?.fix).toContain(fix);
  });

  it('names every property of a ledger that does not match the contract', async () => {
    world.notion.emulator.removeProperty(world.notion.ledgerIds.milestonesDb, 'Blockers');
    const checks = await doctor('http');
    const ledger = checks.find((c) => c.name.startsWith('Notion ledger'));
    expect(ledger).toMatchObject({ ok: false, detail: 'Milestones.Blockers: expected rich_text, missing' });
    expect(ledger?.fix).toContain('setup:notion');
  });

  it('tells the founder to invite the bot when it is not in the channel', async () => {
    const outsider = new SlackEmulator({ botToken: SLACK_BOT_TOKEN, appToken: SLACK_APP_TOKEN, channels: [CHANNEL], memberOf: [] });
    const server = await outsider.listen();
    try {
      const checks = await doctor('http', { SLACK_API_URL: outsider.apiUrl });
      expect(failed(checks)).toEqual(['Slack channel']);
      expect(checks.find((c) => c.name === 'Slack channel')?.fix).toContain('/invite @Cashin');
    } finally {
      await server.close();
    }
  });

  it('tells a network failure, a timeout and a refused credential apart, and never prints undefined', async () => {
    const nobody = `http://127.0.0.1:${await freePort()}`;
    const silent = await listen(() => undefined);
    try {
      const unreachable = await doctor('http', { SLACK_API_URL: `${nobody}/api/`, NOTION_BASE_URL: nobody, STRIPE_API_URL: nobody });
      const hanging = await doctor('http', { SLACK_API_URL: `${silent.url}/api/`, NOTION_BASE_URL: silent.url, STRIPE_API_URL: silent.url }, 300);
      const refused = await doctor('http', { SLACK_BOT_TOKEN: 'xoxb-wrong', NOTION_TOKEN: 'ntn_wrong', STRIPE_SECRET_KEY: 'sk_test_wrong' });
      for (const [checks, detail, fix] of [
        [unreachable, /^could not reach (Slack|Notion|Stripe) \(/, /cannot reach .*The credential itself was not checked/],
        [hanging, /^(Slack|Notion|Stripe) did not answer in time$/, /Try again in a minute.*The credential itself was not checked/],
        [refused, /refused it/, /(SLACK_BOT_TOKEN|NOTION_TOKEN|STRIPE_SECRET_KEY)/],
      ] as const) {
        for (const name of ['Slack bot token', 'Notion token', 'Stripe key']) {
          const found = checks.find((c) => c.name === name);
          expect(found, name).toMatchObject({ ok: false, detail: expect.stringMatching(detail), fix: expect.stringMatching(fix) });
        }
        expect(JSON.stringify(checks)).not.toContain('undefined');
      }
    } finally {
      await silent.close();
    }
  }, 60_000);

  it('runs as npm run doctor: one line per check and a failing exit code', async () => {
    const { code, output } = await runNpm(['run', 'doctor'], world.env('http', { STRIPE_SECRET_KEY: 'sk_test_wrong' }));
    expect(code).toBe(1);
    expect(output).toMatch(/✓ Slack bot token: signed in/);
    expect(output).toMatch(/✗ Stripe key: .*\n\s+→ .*STRIPE_SECRET_KEY/);
    expect(output).not.toContain('sk_test_wrong');
  }, 30_000);
});
