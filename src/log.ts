/**
 * One pino logger for the process, passed down as an argument. Secrets are redacted at the root;
 * children must not set their own `redact`, because a child's list replaces its parent's.
 */
import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import { pino, type Logger } from 'pino';

export type { Logger };

const REDACTED_PATHS = [
  'token',
  '*.token',
  'headers.authorization',
  '*.headers.authorization',
  'authorization',
  '*.authorization',
  'secret',
  '*.secret',
  'signingSecret',
  '*.signingSecret',
  'secretKey',
  '*.secretKey',
  'appToken',
  '*.appToken',
  'botToken',
  '*.botToken',
  'webhookSecret',
  '*.webhookSecret',
  'config.slack',
  'config.notion',
  'config.stripe',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options = { level, base: { app: 'cashin' }, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}

/** Bolt wants its own Logger shape; this hands its messages to pino under a `slack` child. */
export function boltLogger(logger: Logger): BoltLogger {
  const child = logger.child({ component: 'slack' });
  let level = LogLevel.INFO;
  const text = (args: unknown[]): string => args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
  return {
    debug: (...args) => child.debug(text(args)),
    info: (...args) => child.info(text(args)),
    warn: (...args) => child.warn(text(args)),
    error: (...args) => child.error(text(args)),
    setLevel: (next) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}
