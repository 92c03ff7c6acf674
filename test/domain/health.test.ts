/**
 * /healthz's view of the loops: each shows its last success and its last failure, so a loop that
 * runs seldom (the history scan) is seen failing at once; and how long a loop has been failing is
 * measured on a monotonic clock.
 */
import { describe, expect, it } from 'vitest';
import { Health } from '../../src/app/health.js';

const HOUR = 3600_000;

function clocks() {
  const c = { wall: Date.parse('2026-11-21T10:00:00Z'), tick: 1_000 };
  const health = new Health(
    () => c.wall,
    () => c.tick,
  );
  const pass = (ms: number) => {
    c.wall += ms;
    c.tick += ms;
  };
  return { c, health, pass };
}

describe('Health', () => {
  it("shows a loop's last failure and its reason, even once it succeeded again", () => {
    const { health, pass } = clocks();
    health.watch('notion poll', 1_000);
    health.watch('history scan', 6 * HOUR);
    pass(60_000);
    health.failed('history scan', new Error('Notion refused to read invoice history: unavailable'));
    const failing = health.report();
    // Within its tolerance, so the process stays healthy, but the failure is on show.
    expect(failing.ok).toBe(true);
    expect(failing.loops['history scan']).toEqual({
      lastSuccessAt: null,
      failures: 1,
      lastFailureAt: '2026-11-21T10:01:00.000Z',
      lastError: 'Notion refused to read invoice history: unavailable',
    });
    expect(failing.loops['notion poll']).toEqual({ lastSuccessAt: null, failures: 0, lastFailureAt: null, lastError: null });
    pass(60_000);
    health.succeeded('history scan');
    expect(health.report().loops['history scan']).toEqual({
      lastSuccessAt: '2026-11-21T10:02:00.000Z',
      failures: 0,
      lastFailureAt: '2026-11-21T10:01:00.000Z',
      lastError: 'Notion refused to read invoice history: unavailable',
    });
  });

  it('counts how long a loop has failed on the monotonic clock, not the wall clock', () => {
    const { c, health, pass } = clocks();
    health.watch('notion poll', 1_000);
    health.succeeded('notion poll');
    pass(1_000);
    health.failed('notion poll', new Error('down'));
    // The wall clock jumps a day ahead (a correction): the loop has failed for one second, not a day.
    c.wall += 24 * HOUR;
    expect(health.report().ok).toBe(true);
    // Stepping back does not hide a loop that keeps failing either.
    c.wall -= 48 * HOUR;
    pass(5_000);
    expect(health.report()).toMatchObject({ ok: false, problems: [expect.stringContaining('notion poll has failed 1 times in a row')] });
  });
});
