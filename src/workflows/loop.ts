/** A job repeated every `intervalMs`, never overlapping itself; a failed run is logged and the loop goes on. */
import type { Logger } from '../log.js';

export type Loop = { stop(): Promise<void> };

/** Told how each run went, for /healthz. */
export type LoopObserver = { succeeded(name: string): void; failed(name: string, error: unknown): void };

export function startLoop(
  name: string,
  intervalMs: number,
  run: () => Promise<void>,
  logger: Logger,
  observer?: LoopObserver,
  options: { firstAfterMs?: number } = {},
): Loop {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();
  const schedule = (delayMs = intervalMs) => {
    if (stopped) return;
    timer = setTimeout(() => {
      current = run()
        .then(() => observer?.succeeded(name))
        .catch((error: unknown) => {
          observer?.failed(name, error);
          // The reason is enough to act on; the stack trace is for LOG_LEVEL=debug.
          logger.error({ loop: name, reason: error instanceof Error ? error.message : String(error) }, 'scheduled run failed; trying again next time');
          logger.debug({ err: error, loop: name }, 'scheduled run failure');
        })
        .finally(() => schedule());
    }, delayMs);
  };
  schedule(options.firstAfterMs ?? intervalMs);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await current;
    },
  };
}
