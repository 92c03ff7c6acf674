import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { chooseStartMode, ConfigError, EnvSchema, loadConfig } from '../../src/config.js';

const valid = {
  SLACK_BOT_TOKEN: 'xoxb-1',
  SLACK_SIGNING_SECRET: 'secret',
  SLACK_CHANNEL_ID: 'C0123ABCD',
  SLACK_APPROVER_IDS: 'U0123ABCD, U0456EFGH',
  NOTION_TOKEN: 'ntn_x',
  NOTION_MILESTONES_DB: '0123456789abcdef0123456789abcdef',
  NOTION_CLIENTS_DB: '01234567-89ab-cdef-0123-456789abcdef',
  STRIPE_SECRET_KEY: 'sk_test_x',
};

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

describe('loadConfig', () => {
  it('reads a complete environment with its defaults', () => {
    const config = loadConfig(valid);
    expect(config).toMatchObject({
      mode: 'http',
      port: 3000,
      pollIntervalSeconds: 30,
      autoSendAfterMinutes: 120,
      timeZone: 'UTC',
      defaultCurrency: 'USD',
      defaultPaymentTermsDays: 30,
      logLevel: 'info',
      slack: { approverIds: ['U0123ABCD', 'U0456EFGH'] },
      notion: { clientsDb: '0123456789abcdef0123456789abcdef' },
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('chooses Socket Mode when an app token is set', () => {
    expect(loadConfig({ ...valid, SLACK_SIGNING_SECRET: '', SLACK_APP_TOKEN: 'xapp-1' }).mode).toBe('socket');
  });

  it('lists every missing setting at once', () => {
    const found = problems({});
    for (const name of [
      'SLACK_BOT_TOKEN',
      'SLACK_CHANNEL_ID',
      'SLACK_APPROVER_IDS',
      'NOTION_TOKEN',
      'NOTION_MILESTONES_DB',
      'NOTION_CLIENTS_DB',
      'STRIPE_SECRET_KEY',
      'SLACK_SIGNING_SECRET',
    ]) {
      expect(found.some((p) => p.startsWith(name))).toBe(true);
    }
  });

  it('lists every bad value at once, naming the setting and the fix', () => {
    const found = problems({
      ...valid,
      PORT: 'eighty',
      CASHIN_TIMEZONE: 'Mars/Olympus',
      DEFAULT_CURRENCY: 'XYZ',
      LOG_LEVEL: 'loud',
      AUTO_SEND_AFTER_MINUTES: '-5',
      STRIPE_SECRET_KEY: 'pk_test_x',
      NOTION_BASE_URL: 'not a url',
    });
    expect(found).toHaveLength(7);
    expect(found.join('\n')).toMatch(/PORT must be a whole number/);
    expect(found.join('\n')).toMatch(/CASHIN_TIMEZONE must be an IANA time zone/);
    expect(found.join('\n')).toMatch(/STRIPE_SECRET_KEY must start with sk_test_/);
  });

  it('reads a blank setting as unset, and a quoted value without its quotes', () => {
    const config = loadConfig({ ...valid, PORT: '', POLL_INTERVAL_SECONDS: ' ', SLACK_BOT_TOKEN: '"xoxb-1"', STRIPE_SECRET_KEY: "'sk_test_x'" });
    expect(config).toMatchObject({ port: 3000, pollIntervalSeconds: 30, slack: { botToken: 'xoxb-1' }, stripe: { secretKey: 'sk_test_x' } });
  });

  it('turns auto-send off with 0', () => {
    expect(loadConfig({ ...valid, AUTO_SEND_AFTER_MINUTES: '0' }).autoSendAfterMinutes).toBe(0);
  });
});

describe('chooseStartMode', () => {
  it('runs the sandbox when no credential at all is set, whatever else is', () => {
    expect(chooseStartMode({ PORT: '4000', LOG_LEVEL: 'debug', CASHIN_TIMEZONE: 'Europe/Paris' })).toEqual({ kind: 'sandbox', logLevel: 'debug' });
  });

  it('refuses to run the sandbox in production, and a log level it does not know', () => {
    expect(() => chooseStartMode({ NODE_ENV: 'production' })).toThrow(/does not run its demo sandbox in production/);
    expect(() => chooseStartMode({ LOG_LEVEL: 'verbose' })).toThrow(/LOG_LEVEL must be one of/);
  });

  it('runs live with a complete set', () => {
    expect(chooseStartMode(valid).kind).toBe('live');
  });

  it('refuses a partial set, naming what is missing, and never falls back to the sandbox', () => {
    const slackOnly = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', SLACK_CHANNEL_ID: 'C0123ABCD', SLACK_APPROVER_IDS: 'U0123ABCD' };
    let message = '';
    try {
      chooseStartMode(slackOnly);
    } catch (error) {
      message = error instanceof ConfigError ? error.message : '';
    }
    for (const missing of ['NOTION_TOKEN', 'NOTION_MILESTONES_DB', 'NOTION_CLIENTS_DB', 'STRIPE_SECRET_KEY']) expect(message).toContain(missing);
    expect(message).not.toContain('SLACK_BOT_TOKEN is required');
    expect(message).toContain('will not fall back to the sandbox');
  });
});

describe('.env.example', () => {
  const example = Object.fromEntries(
    readFileSync(new URL('../../.env.example', import.meta.url), 'utf8')
      .split('\n')
      .filter((line) => /^[A-Z_]+=/.test(line))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );

  it('copied as it is, has no credential filled in: the sandbox runs', () => {
    expect(example.SLACK_BOT_TOKEN).toBe('xoxb-');
    expect(chooseStartMode(example)).toMatchObject({ kind: 'sandbox' });
  });

  it('with one credential filled in, reports each missing setting once, as missing', () => {
    let found: readonly string[] = [];
    try {
      chooseStartMode({ ...example, NOTION_TOKEN: 'ntn_real_secret' });
    } catch (error) {
      if (error instanceof ConfigError) found = error.problems;
    }
    const names = found.map((p) => p.split(' ')[0]).filter((n) => /^[A-Z_]+$/.test(n ?? ''));
    expect(names.length).toBeGreaterThan(5);
    expect(new Set(names).size).toBe(names.length);
    expect(found.join('\n')).toMatch(/SLACK_BOT_TOKEN is required/);
    expect(found.join('\n')).toMatch(/STRIPE_SECRET_KEY is required/);
    expect(found.join('\n')).not.toMatch(/must start with/);
  });
});

describe('the README configuration table', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.split('## Configuration')[1]?.split('\n## ')[0] ?? '';
  const rows = [...section.matchAll(/^\| `([A-Z_]+)` \| ([^|]+) \|/gm)].map((m) => [m[1] ?? '', (m[2] ?? '').trim()] as const);

  it('names exactly the settings config.ts reads', () => {
    expect(rows.map(([name]) => name).sort()).toEqual(Object.keys(EnvSchema.shape).sort());
  });

  it('gives the defaults config.ts uses', () => {
    for (const [name, documented] of rows) {
      const field = EnvSchema.shape[name as keyof typeof EnvSchema.shape];
      const parsed = field.safeParse(undefined);
      const actual = !parsed.success ? 'required' : parsed.data === undefined ? '—' : parsed.data;
      // A documented default must parse to exactly what the schema uses when the setting is absent.
      const shown = documented.replace(/`/g, '');
      const expected = shown === 'required' || shown === '—' ? shown : field.safeParse(shown).data;
      expect({ name, default: expected }).toEqual({ name, default: actual });
    }
  });
});
