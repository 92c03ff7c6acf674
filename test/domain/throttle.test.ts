/**
 * The Notion throttle measures its waits on a monotonic clock: the wall clock stepping back (an NTP
 * correction) neither stalls Notion calls for the size of the step nor lets a burst through.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createThrottledFetch } from '../../src/ledger/throttle.js';
import { silentLogger } from '../support/notion.js';

const HOUR = 3600_000;

afterEach(() => {
  vi.restoreAllMocks();
});

/** A throttle whose sleeps are recorded (and really waited, 20 ms at most, so a runaway wait shows instead of hanging). */
function throttled(answers: () => Response, ratePerSecond = 10, onSleep?: () => void) {
  const slept: number[] = [];
  const throttle = createThrottledFetch({
    ratePerSecond,
    burst: 1,
    maxAttempts: 3,
    baseBackoffMs: 10,
    logger: silentLogger,
    fetch: async () => answers(),
    sleep: (ms) => {
      onSleep?.();
      slept.push(ms);
      return new Promise((resolve) => setTimeout(resolve, Math.min(ms, 20)));
    },
  });
  return { throttle, slept };
}

/** Steps Date.now back by `ms` from now on; the monotonic clock goes on. */
function stepWallClockBack(ms: number): void {
  const realNow = Date.now.bind(Date);
  vi.spyOn(Date, 'now').mockImplementation(() => realNow() - ms);
}

const settle = (promise: Promise<unknown>, ms: number) => Promise.race([promise.then(() => 'done'), new Promise((r) => setTimeout(() => r('pending'), ms))]);

describe('the Notion throttle', () => {
  it('waits for its next token, not for the hour the wall clock stepped back', async () => {
    const { throttle, slept } = throttled(() => new Response('{}'));
    await throttle('https://api.notion.test/v1/pages/p');
    stepWallClockBack(HOUR);
    expect(await settle(throttle('https://api.notion.test/v1/pages/p'), 500)).toBe('done');
    expect(Math.max(0, ...slept)).toBeLessThanOrEqual(100);
    expect(throttle.stats.requests).toBe(2);
  });

  it('ends a 429 pause after Retry-After, whatever the wall clock does meanwhile', async () => {
    let calls = 0;
    let stepped = false;
    const { throttle, slept } = throttled(
      () => {
        calls += 1;
        return calls > 1 ? new Response('{}') : new Response('{}', { status: 429, headers: { 'retry-after': '0.05' } });
      },
      1000,
      // The step happens while the pause is under way.
      () => {
        if (!stepped) stepWallClockBack(HOUR);
        stepped = true;
      },
    );
    expect(await settle(throttle('https://api.notion.test/v1/pages/p'), 500)).toBe('done');
    expect(Math.max(0, ...slept)).toBeLessThanOrEqual(100);
    expect(throttle.stats).toMatchObject({ requests: 2, rateLimited: 1 });
  });
});
