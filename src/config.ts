/**
 * The environment, parsed once. Every problem is reported together so a founder fixes their .env
 * in one go instead of one restart per typo.
 */
import * as z from 'zod';
import { parseReminderDays, parseReminderHours } from './domain/ladder.js';
import { isKnownCurrency } from './domain/money.js';
import { isTimeZone } from './domain/time.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v === '' ? undefined : v));
const requiredText = (hint: string) =>
  z
    .string({ error: `is required (${hint})` })
    .trim()
    .min(1, { error: `is required (${hint})` });
const integer = (fallback: number, min: number, max: number) =>
  z.coerce
    .number({ error: 'must be a whole number' })
    .int({ error: 'must be a whole number' })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` })
    .default(fallback);
/** A setting read by a domain parser that returns either the value or the reason it is wrong. */
function parsedText<T>(fallback: string, parse: (text: string) => T | string) {
  return z
    .string()
    .trim()
    .default(fallback)
    .transform((text, ctx) => {
      const parsed = parse(text);
      if (typeof parsed !== 'string') return parsed;
      ctx.addIssue({ code: 'custom', message: parsed });
      return z.NEVER;
    });
}
const baseUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional();
const notionId = (hint: string) =>
  requiredText(hint)
    .transform((v) => v.replace(/-/g, ''))
    .refine((v) => /^[0-9a-f]{32}$/i.test(v), { error: 'must be a Notion database id (32 hex characters)' });

export const EnvSchema = z.object({
  SLACK_BOT_TOKEN: requiredText('the bot token, xoxb-…').refine((v) => v.startsWith('xoxb-'), { error: 'must start with xoxb-' }),
  SLACK_APP_TOKEN: optionalText.refine((v) => v === undefined || v.startsWith('xapp-'), { error: 'must start with xapp-' }),
  SLACK_SIGNING_SECRET: optionalText,
  SLACK_CHANNEL_ID: requiredText('the channel for cards, e.g. C0123ABCD').refine((v) => /^[CG][A-Z0-9]{2,}$/.test(v), {
    error: 'must be a channel id such as C0123ABCD',
  }),
  SLACK_APPROVER_IDS: requiredText('comma-separated Slack user ids allowed to accept and send')
    .transform((v) =>
      v
        .split(',')
        .map((id) => id.trim())
        .filter((id) => id !== ''),
    )
    .refine((ids) => ids.length > 0 && ids.every((id) => /^[UW][A-Z0-9]{2,}$/.test(id)), { error: 'must be user ids such as U0123ABCD, separated by commas' }),
  NOTION_TOKEN: requiredText('the Notion integration secret'),
  NOTION_MILESTONES_DB: notionId('the Milestones database id printed by setup:notion'),
  NOTION_CLIENTS_DB: notionId('the Clients database id printed by setup:notion'),
  NOTION_FORECASTS_DB: notionId('the Forecasts database id printed by setup:notion').optional(),
  STRIPE_SECRET_KEY: requiredText('sk_test_… or sk_live_… (restricted rk_ keys work too)').refine((v) => /^(sk|rk)_(test|live)_/.test(v), {
    error: 'must start with sk_test_, sk_live_, rk_test_ or rk_live_',
  }),
  STRIPE_WEBHOOK_SECRET: optionalText.refine((v) => v === undefined || v.startsWith('whsec_'), { error: 'must start with whsec_' }),
  PORT: integer(3000, 1, 65535),
  POLL_INTERVAL_SECONDS: integer(30, 1, 3600),
  AUTO_SEND_AFTER_MINUTES: integer(120, 0, 60 * 24 * 30),
  CASHIN_TIMEZONE: z.string().trim().default('UTC').refine(isTimeZone, { error: 'must be an IANA time zone such as Europe/Berlin' }),
  DEFAULT_CURRENCY: z.string().trim().toUpperCase().default('USD').refine(isKnownCurrency, { error: 'must be an ISO 4217 code such as USD' }),
  DEFAULT_PAYMENT_TERMS_DAYS: integer(30, 0, 365),
  REMINDER_HOURS: parsedText('09:00-17:00', parseReminderHours),
  REMINDER_DAYS: parsedText('Mon-Fri', parseReminderDays),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  NOTION_BASE_URL: baseUrl,
  SLACK_API_URL: baseUrl,
  STRIPE_API_URL: baseUrl,
});

/** Settings that depend on each other; checked on the raw environment so they are reported alongside field errors. */
function crossFieldProblems(env: Record<string, string | undefined>): string[] {
  const blank = (name: string) => (env[name] ?? '').trim() === '';
  return blank('SLACK_APP_TOKEN') && blank('SLACK_SIGNING_SECRET')
    ? ['SLACK_SIGNING_SECRET is required in HTTP mode (set SLACK_APP_TOKEN instead for Socket Mode)']
    : [];
}

export type Env = z.infer<typeof EnvSchema>;

export type Config = Readonly<{
  mode: 'socket' | 'http';
  slack: Readonly<{
    botToken: string;
    appToken: string | undefined;
    signingSecret: string | undefined;
    channelId: string;
    approverIds: readonly string[];
    apiUrl: string | undefined;
  }>;
  /** forecastsDb: where the weekly forecast is recorded; without it the forecast is posted but not kept. */
  notion: Readonly<{ token: string; milestonesDb: string; clientsDb: string; forecastsDb: string | undefined; baseUrl: string | undefined }>;
  stripe: Readonly<{ secretKey: string; webhookSecret: string | undefined; apiUrl: string | undefined }>;
  port: number;
  pollIntervalSeconds: number;
  autoSendAfterMinutes: number;
  timeZone: string;
  defaultCurrency: string;
  defaultPaymentTermsDays: number;
  /** When client-facing reminders may go out, in timeZone. */
  reminderHours: Readonly<{ fromMinute: number; toMinute: number }>;
  reminderDays: readonly number[];
  logLevel: Env['LOG_LEVEL'];
}>;

export class ConfigError extends Error {
  readonly code = 'invalid_config';
  constructor(readonly problems: readonly string[]) {
    super(`Cashin cannot start; fix these settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** The settings that connect Cashin to a real workspace; with none of them set, `npm start` runs the sandbox. */
export const CREDENTIAL_VARS = [
  'SLACK_BOT_TOKEN',
  'SLACK_APP_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_CHANNEL_ID',
  'SLACK_APPROVER_IDS',
  'NOTION_TOKEN',
  'NOTION_MILESTONES_DB',
  'NOTION_CLIENTS_DB',
  'STRIPE_SECRET_KEY',
  'STRIPE_WEBHOOK_SECRET',
] as const;

export type StartMode = { kind: 'sandbox'; logLevel: Env['LOG_LEVEL'] } | { kind: 'live'; config: Config };

/**
 * Sandbox only when no credential at all is set. A partial set is a mistake in a real setup, so it
 * is reported, never papered over with demo data.
 */
export function chooseStartMode(raw: Record<string, string | undefined>): StartMode {
  const env = cleanEnv(raw);
  const given = CREDENTIAL_VARS.filter((name) => (env[name] ?? '').trim() !== '');
  if (given.length === 0) return sandboxMode(env);
  try {
    return { kind: 'live', config: loadConfig(env) };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new ConfigError([
      ...error.problems,
      `(${given.join(', ')} ${given.length === 1 ? 'is' : 'are'} set, so Cashin will not fall back to the sandbox; unset every credential to try the sandbox.)`,
    ]);
  }
}

/** What .env.example holds before it is filled in: a credential's prefix alone. */
const PLACEHOLDERS = new Set(['xoxb-', 'xapp-', 'sk_test_', 'sk_live_', 'rk_test_', 'rk_live_', 'whsec_', 'ntn_', 'secret_']);

/**
 * The environment as a founder meant it: a blank value or an unfilled placeholder counts as unset,
 * and quotes around a value (which `docker --env-file` passes on) are taken off.
 */
export function cleanEnv(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const clean = (value: string | undefined): string | undefined => {
    if (value === undefined) return undefined;
    const trimmed = value
      .trim()
      .replace(/^(["'])(.*)\1$/s, '$2')
      .trim();
    return trimmed === '' || PLACEHOLDERS.has(trimmed) ? undefined : trimmed;
  };
  return Object.fromEntries(Object.entries(env).map(([name, value]) => [name, clean(value)]));
}

/** No credential at all: the sandbox, unless this is meant to be production. */
function sandboxMode(env: Record<string, string | undefined>): StartMode {
  const problems: string[] = [];
  if (env.NODE_ENV === 'production') {
    problems.push(
      'no Slack, Notion or Stripe credentials are set, and NODE_ENV is production: Cashin does not run its demo sandbox in production. Pass your .env (docker run --env-file .env …), or unset NODE_ENV to try the sandbox.',
    );
  }
  const level = EnvSchema.shape.LOG_LEVEL.safeParse(env.LOG_LEVEL);
  if (!level.success) problems.push(`LOG_LEVEL ${level.error.issues[0]?.message ?? 'is not a log level'}`);
  if (problems.length > 0 || !level.success) throw new ConfigError(problems);
  return { kind: 'sandbox', logLevel: env.LOG_LEVEL === undefined ? 'warn' : level.data };
}

export function loadConfig(raw: Record<string, string | undefined>): Config {
  const env = cleanEnv(raw);
  const parsed = EnvSchema.safeParse(env);
  // One line per setting: a missing value would otherwise also fail the checks of its format.
  const seen = new Set<string>();
  const fieldProblems = (parsed.success ? [] : parsed.error.issues).flatMap((issue) => {
    const name = issue.path.join('.') || 'environment';
    if (seen.has(name)) return [];
    seen.add(name);
    return [`${name} ${issue.message}`];
  });
  const problems = [...fieldProblems, ...crossFieldProblems(env).filter((p) => !seen.has(p.split(' ')[0] ?? ''))];
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;
  return Object.freeze({
    mode: e.SLACK_APP_TOKEN ? 'socket' : 'http',
    slack: Object.freeze({
      botToken: e.SLACK_BOT_TOKEN,
      appToken: e.SLACK_APP_TOKEN,
      signingSecret: e.SLACK_SIGNING_SECRET,
      channelId: e.SLACK_CHANNEL_ID,
      approverIds: Object.freeze(e.SLACK_APPROVER_IDS),
      apiUrl: e.SLACK_API_URL,
    }),
    notion: Object.freeze({
      token: e.NOTION_TOKEN,
      milestonesDb: e.NOTION_MILESTONES_DB,
      clientsDb: e.NOTION_CLIENTS_DB,
      forecastsDb: e.NOTION_FORECASTS_DB,
      baseUrl: e.NOTION_BASE_URL,
    }),
    stripe: Object.freeze({ secretKey: e.STRIPE_SECRET_KEY, webhookSecret: e.STRIPE_WEBHOOK_SECRET, apiUrl: e.STRIPE_API_URL }),
    port: e.PORT,
    pollIntervalSeconds: e.POLL_INTERVAL_SECONDS,
    autoSendAfterMinutes: e.AUTO_SEND_AFTER_MINUTES,
    timeZone: e.CASHIN_TIMEZONE,
    defaultCurrency: e.DEFAULT_CURRENCY,
    defaultPaymentTermsDays: e.DEFAULT_PAYMENT_TERMS_DAYS,
    reminderHours: Object.freeze(e.REMINDER_HOURS),
    reminderDays: Object.freeze(e.REMINDER_DAYS),
    logLevel: e.LOG_LEVEL,
  });
}
