import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { start } from '../../src/app/start.js';
import { silentLogger } from '../support/notion.js';
import { listen } from '../../src/sandbox/http.js';
import { runNpm } from '../support/process.js';
import { createWorld, type World } from '../support/world.js';

const runStart = (env: Record<string, string>) => runNpm(['start'], env);

describe('start-up checks', () => {
  let world: World;
  beforeEach(async () => {
    world = await createWorld();
  });
  afterEach(async () => world.close());

  it('stops on a partial set of credentials, naming every missing setting, instead of falling back to the sandbox', async () => {
    const { code, output } = await runStart({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_CHANNEL_ID: 'C0123ABCD', PORT: '1' });
    expect(code).toBe(1);
    for (const name of ['SLACK_APPROVER_IDS', 'SLACK_SIGNING_SECRET', 'NOTION_TOKEN', 'NOTION_MILESTONES_DB', 'NOTION_CLIENTS_DB', 'STRIPE_SECRET_KEY'])
      expect(output).toContain(name);
    expect(output).toContain('will not fall back to the sandbox');
    expect(output).not.toContain('Open the console');
  }, 30_000);

  it('refuses a ledger whose tables do not match the contract, naming each property', async () => {
    world.notion.emulator.removeProperty(world.notion.ledgerIds.milestonesDb, 'Invoice ID');
    world.notion.emulator.changePropertyType(world.notion.ledgerIds.clientsDb, 'Billing email', 'rich_text');
    await expect(start(loadConfig(world.env('http')), silentLogger)).rejects.toThrow(
      /Milestones\.Invoice ID: expected rich_text, missing; Clients\.Billing email: expected email, found rich_text/,
    );
  });

  it('says which port is in use and how to choose another', async () => {
    const taken = await listen(() => undefined);
    const port = new URL(taken.url).port;
    try {
      for (const env of [world.env('http', { PORT: port }), { PORT: port }]) {
        const { code, output } = await runStart(env);
        expect(code).toBe(1);
        expect(output).toContain(`Cashin could not start: port ${port} is already in use`);
        expect(output).toMatch(/PORT=\d+ npm start/);
        expect(output).not.toContain('EADDRINUSE');
      }
    } finally {
      await taken.close();
    }
  }, 60_000);

  it('prints why it cannot start once, without a stack trace unless LOG_LEVEL is debug', async () => {
    const { code, output } = await runStart(world.env('http', { LOG_LEVEL: 'info', NOTION_TOKEN: 'ntn_wrong_token_value' }));
    expect(code).toBe(1);
    expect(output.match(/Cashin could not start/g)).toHaveLength(1);
    expect(output.match(/into NOTION_TOKEN/g)).toHaveLength(1);
    expect(output).not.toMatch(/^\s+at /m);
    expect(output).not.toContain('"level"');
  }, 30_000);

  it('keeps secrets out of the log', async () => {
    const env = world.env('http', { LOG_LEVEL: 'debug', NOTION_TOKEN: 'ntn_wrong_token_value' });
    const { code, output } = await runStart(env);
    expect(code).toBe(1);
    expect(output).toContain('into NOTION_TOKEN');
    for (const secret of ['ntn_wrong_token_value', env.SLACK_BOT_TOKEN, env.STRIPE_SECRET_KEY, env.SLACK_SIGNING_SECRET]) expect(output).not.toContain(secret);
  }, 30_000);
});
