/**
 * What /healthz reports: whether each polling loop is keeping up. A loop that has failed for more
 * than a few of its intervals makes the whole process unhealthy, with the reason, so an
 * orchestrator restarts it or a founder looks at the logs. Each loop also shows its last success
 * and its last failure, so a loop that runs seldom (the history scan, every 6 hours) is seen failing
 * long before it counts against the process.
 *
 * How long a loop has been failing is measured on a monotonic clock: the wall clock stepping (an NTP
 * correction) neither hides a failing loop nor condemns a healthy one. The times shown are wall-clock.
 */
export type LoopReport = { lastSuccessAt: string | null; failures: number; lastFailureAt: string | null; lastError: string | null };

export type HealthReport = { ok: boolean; problems: string[]; loops: Record<string, LoopReport> };

/** Intervals a loop may fail for before the process counts as unhealthy. */
const TOLERATED_INTERVALS = 3;

type LoopHealth = {
  intervalMs: number;
  /** Wall-clock times, for the report. */
  startedAt: number;
  lastSuccessAt: number | null;
  lastFailureAt: number | null;
  /** Monotonic times, for how long it has been failing. */
  startedTick: number;
  lastSuccessTick: number | null;
  /** Failures since the last success. */
  failures: number;
  /** The reason of the last failure. */
  lastError: string | null;
};

export class Health {
  readonly #loops = new Map<string, LoopHealth>();
  readonly #now: () => number;
  readonly #tick: () => number;

  /** `now` is the wall clock (ms since the epoch); `tick` a monotonic one (ms). */
  constructor(now: () => number = Date.now, tick: () => number = () => performance.now()) {
    this.#now = now;
    this.#tick = tick;
  }

  watch(name: string, intervalMs: number): void {
    this.#loops.set(name, {
      intervalMs,
      startedAt: this.#now(),
      lastSuccessAt: null,
      lastFailureAt: null,
      startedTick: this.#tick(),
      lastSuccessTick: null,
      failures: 0,
      lastError: null,
    });
  }

  succeeded(name: string): void {
    const loop = this.#loops.get(name);
    // The last failure stays on show (lastFailureAt, lastError); the streak ends.
    if (loop) Object.assign(loop, { lastSuccessAt: this.#now(), lastSuccessTick: this.#tick(), failures: 0 });
  }

  failed(name: string, error: unknown): void {
    const loop = this.#loops.get(name);
    if (!loop) return;
    loop.failures += 1;
    loop.lastFailureAt = this.#now();
    loop.lastError = error instanceof Error ? error.message : String(error);
  }

  report(): HealthReport {
    const tick = this.#tick();
    const problems: string[] = [];
    const loops: HealthReport['loops'] = {};
    for (const [name, loop] of this.#loops) {
      const since = loop.lastSuccessAt ?? loop.startedAt;
      if (loop.failures > 0 && tick - (loop.lastSuccessTick ?? loop.startedTick) > TOLERATED_INTERVALS * loop.intervalMs) {
        problems.push(`${name} has failed ${loop.failures} times in a row since ${new Date(since).toISOString()}: ${loop.lastError ?? 'unknown error'}`);
      }
      loops[name] = {
        lastSuccessAt: iso(loop.lastSuccessAt),
        failures: loop.failures,
        lastFailureAt: iso(loop.lastFailureAt),
        lastError: loop.lastError,
      };
    }
    return { ok: problems.length === 0, problems, loops };
  }
}

function iso(at: number | null): string | null {
  return at === null ? null : new Date(at).toISOString();
}
