import type { Clock } from '../workflows/ports.js';

/** The sandbox's time: real time plus an offset the console moves forward (+1 hour, +1 day, +1 week). */
export class ShiftableClock implements Clock {
  #offsetMs = 0;

  now = (): Date => new Date(Date.now() + this.#offsetMs);

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms <= 0) throw new Error('the sandbox clock only moves forward');
    this.#offsetMs += ms;
  }

  get offsetMs(): number {
    return this.#offsetMs;
  }
}
