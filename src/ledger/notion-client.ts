import { Client, LogLevel } from '@notionhq/client';
import type { Logger } from '../log.js';
import { createThrottledFetch, type ThrottledFetch } from './throttle.js';

export type NotionClientOptions = {
  token: string;
  baseUrl?: string | undefined;
  logger: Logger;
  ratePerSecond?: number;
  baseBackoffMs?: number;
  timeoutMs?: number;
};

/** The SDK client with Cashin's throttle as its transport and the SDK's own retries off. */
export function createNotionClient(options: NotionClientOptions): { notion: Client; throttle: ThrottledFetch } {
  const throttle = createThrottledFetch({
    ratePerSecond: options.ratePerSecond ?? 3,
    // Notion allows short bursts above its average of three a second; five leaves room for a click.
    burst: 5,
    maxAttempts: 6,
    baseBackoffMs: options.baseBackoffMs ?? 500,
    logger: options.logger.child({ component: 'notion-throttle' }),
  });
  const notion = new Client({
    auth: options.token,
    baseUrl: options.baseUrl,
    fetch: (url, init) => throttle(url, init),
    retry: false,
    timeoutMs: options.timeoutMs ?? 30_000,
    logLevel: LogLevel.ERROR,
    logger: (level, message, extra) =>
      options.logger.child({ component: 'notion-sdk' })[level === 'error' ? 'error' : 'warn']({ message, extra }, 'notion sdk message'),
  });
  return { notion, throttle };
}
