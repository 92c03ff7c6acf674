/**
 * Every Notion request of the process goes through one of these: a token bucket that keeps to
 * Notion's ~3 requests/s average, a shared pause when Notion answers 429 (honouring Retry-After),
 * and retries with backoff for 5xx on calls that are safe to repeat. It is handed to the SDK as its
 * `fetch`, with the SDK's own retries off, so nothing retries twice.
 *
 * Its waits are intervals, so they are measured on a monotonic clock: the wall clock stepping back
 * (an NTP correction) must neither stall Notion calls nor let a burst through.
 */
import type { Logger } from '../log.js';

export type ThrottleOptions = {
  ratePerSecond: number;
  burst: number;
  maxAttempts: number;
  baseBackoffMs: number;
  logger: Logger;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  /** A monotonic clock in milliseconds; performance.now() unless a test brings its own. */
  now?: () => number;
};

/** The part of a request the Notion SDK hands its `fetch`. */
export type ThrottledInit = { method?: string; headers?: Record<string, string>; body?: string | FormData };

export type ThrottledFetch = ((input: string, init?: ThrottledInit) => Promise<Response>) & {
  readonly stats: { requests: number; rateLimited: number; serverErrors: number };
  /** Notion's own time, from the Date header of its latest answer; null before the first. */
  serverTime(): Date | null;
};

const RETRYABLE_5XX = new Set([500, 502, 503, 504, 529]);

export function createThrottledFetch(options: ThrottleOptions): ThrottledFetch {
  const baseFetch = options.fetch ?? fetch;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = options.now ?? (() => performance.now());
  const intervalMs = 1000 / options.ratePerSecond;
  let tokens = options.burst;
  let refilledAt = now();
  let pausedUntil = 0;
  let queue: Promise<void> = Promise.resolve();
  const stats = { requests: 0, rateLimited: 0, serverErrors: 0 };
  let serverTime: Date | null = null;

  /** Waits for a token; callers are served in arrival order. */
  function slot(): Promise<void> {
    const turn = queue.then(async () => {
      for (;;) {
        const at = now();
        if (at < pausedUntil) {
          await sleep(pausedUntil - at);
          continue;
        }
        tokens = Math.min(options.burst, tokens + (at - refilledAt) / intervalMs);
        refilledAt = at;
        if (tokens >= 1) {
          tokens -= 1;
          return;
        }
        await sleep(Math.ceil((1 - tokens) * intervalMs));
      }
    });
    queue = turn.catch(() => undefined);
    return turn;
  }

  const throttled = async (input: string, init?: ThrottledInit): Promise<Response> => {
    const method = (init?.method ?? 'GET').toUpperCase();
    const url = input;
    const repeatable = isRepeatable(method, url);
    for (let attempt = 1; ; attempt += 1) {
      await slot();
      stats.requests += 1;
      const response = await baseFetch(input, init ? { method: init.method, headers: init.headers, body: init.body } : undefined);
      const date = Date.parse(response.headers.get('date') ?? '');
      const answeredAt = Number.isNaN(date) ? null : date;
      if (answeredAt !== null) serverTime = new Date(answeredAt);
      if (attempt >= options.maxAttempts) return response;
      if (response.status === 429) {
        stats.rateLimited += 1;
        const waitMs = retryAfterMs(response.headers.get('retry-after'), answeredAt) ?? options.baseBackoffMs * 2 ** (attempt - 1);
        pausedUntil = Math.max(pausedUntil, now() + waitMs);
        options.logger.warn({ waitMs, attempt, method }, 'notion rate limited; pausing all notion calls');
        await response.body?.cancel();
        continue;
      }
      if (RETRYABLE_5XX.has(response.status) && repeatable) {
        stats.serverErrors += 1;
        const waitMs = options.baseBackoffMs * 2 ** (attempt - 1);
        options.logger.warn({ status: response.status, waitMs, attempt, method }, 'notion server error; retrying');
        await response.body?.cancel();
        await sleep(waitMs);
        continue;
      }
      return response;
    }
  };
  return Object.assign(throttled, { stats, serverTime: () => serverTime });
}

/**
 * Reads, queries and property updates give the same result when repeated. Creating a page or a
 * comment might not, so a 5xx there is reported instead of risking a duplicate row.
 */
function isRepeatable(method: string, url: string): boolean {
  if (method === 'GET' || method === 'PATCH' || method === 'DELETE') return true;
  return method === 'POST' && /\/query(\?|$)/.test(url);
}

/** Retry-After in seconds, or as an HTTP date: measured against the answer's own Date when it has one, not our clock. */
function retryAfterMs(header: string | null, answeredAt: number | null): number | null {
  if (header === null) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, date - (answeredAt ?? Date.now()));
}
