/**
 * What /healthz reports: whether each polling loop is keeping up. A loop that has failed for more
 * than a few of its intervals makes the whole process unhealthy, with the reason, so an
 * orchestrator restarts it or a founder looks at the logs.
 */
export type HealthReport = { ok: boolean; problems: string[]; loops: Record<string, { lastSuccessAt: string | null; failures: number }> };

/** Intervals a loop may fail for before the process counts as unhealthy. */
const TOLERATED_INTERVALS = 3;

type LoopHealth = { intervalMs: number; startedAt: number; lastSuccessAt: number | null; failures: number; lastError: string | null };

export class Health {
  readonly #loops = new Map<string, LoopHealth>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  watch(name: string, intervalMs: number): void {
    this.#loops.set(name, { intervalMs, startedAt: this.#now(), lastSuccessAt: null, failures: 0, lastError: null });
  }

  succeeded(name: string): void {
    const loop = this.#loops.get(name);
    if (loop) Object.assign(loop, { lastSuccessAt: this.#now(), failures: 0, lastError: null });
  }

  failed(name: string, error: unknown): void {
    const loop = this.#loops.get(name);
    if (!loop) return;
    loop.failures += 1;
    loop.lastError = error instanceof Error ? error.message : String(error);
  }

  report(): HealthReport {
    const now = this.#now();
    const problems: string[] = [];
    const loops: HealthReport['loops'] = {};
    for (const [name, loop] of this.#loops) {
      const since = loop.lastSuccessAt ?? loop.startedAt;
      if (loop.failures > 0 && now - since > TOLERATED_INTERVALS * loop.intervalMs) {
        problems.push(`${name} has failed ${loop.failures} times in a row since ${new Date(since).toISOString()}: ${loop.lastError ?? 'unknown error'}`);
      }
      loops[name] = { lastSuccessAt: loop.lastSuccessAt === null ? null : new Date(loop.lastSuccessAt).toISOString(), failures: loop.failures };
    }
    return { ok: problems.length === 0, problems, loops };
  }
}
