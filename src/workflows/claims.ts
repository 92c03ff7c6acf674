/**
 * Claims shared by every replica. The Claims port is atomic and forever: whoever claims a key first
 * gets true (Stripe's idempotency keys in production). A lease builds a renewable hold on top of it.
 */
import type { Clock } from './ports.js';

/** Whoever claims a key first gets true; every later claim of it gets false. */
export type Claims = { claim(key: string): Promise<boolean> };

/**
 * Work claimed in windows of `windowMs`: an attempt claims its window and the one before, so two
 * attempts less than a window apart always share a key and only one goes on. What this replica won
 * stays its own, so its retry after a failed write goes on at once. A replica that died holding a
 * claim holds the work back for two windows at most; then another takes it (the checks before each
 * write keep the work done once).
 */
export class Lease {
  readonly #claims: Claims;
  readonly #clock: Clock;
  readonly #windowMs: number;
  /** Keys this replica won, with their window. */
  readonly #won = new Map<string, number>();

  constructor(claims: Claims, clock: Clock, windowMs: number) {
    this.#claims = claims;
    this.#clock = clock;
    this.#windowMs = windowMs;
  }

  async claim(key: string): Promise<boolean> {
    const window = Math.floor(this.#clock.now().getTime() / this.#windowMs);
    for (const [held, w] of this.#won) if (w < window - 2) this.#won.delete(held);
    // The earlier window first: an attempt that loses it takes nothing, so it never holds back a later one.
    for (const w of [window - 1, window]) {
      const windowKey = `${key}:${w}`;
      if (this.#won.has(windowKey)) continue;
      if (!(await this.#claims.claim(windowKey))) return false;
      this.#won.set(windowKey, w);
    }
    return true;
  }
}
