/** The ledger poll: read what changed in Notion into the store, then settle whatever owes an action. */
import { mayNeedAction } from '../domain/milestone.js';
import type { Clock, Ledger } from './ports.js';
import type { Settler } from './settle.js';
import type { MilestoneStore } from './store.js';

export type SyncDeps = { ledger: Ledger; store: MilestoneStore; settler: Settler; clock: Clock };

/**
 * Notion's queries leave out rows in the trash, so a row deleted while its invoice waits unsent
 * would go unnoticed: those few rows are read one by one this often.
 */
const RECHECK_UNSENT_MS = 10 * 60_000;

export class LedgerSync {
  readonly #deps: SyncDeps;
  #recheckedAt = 0;

  constructor(deps: SyncDeps) {
    this.#deps = deps;
  }

  /** Whether every row that can need something has been read at least once. */
  get caughtUp(): boolean {
    return this.#deps.ledger.caughtUp;
  }

  async poll(): Promise<void> {
    await this.load();
    await this.#recheckUnsent();
    await this.#deps.settler.settleAll();
  }

  /** Reads what changed in Notion (the rows that can need something, the first time). */
  async load(): Promise<void> {
    const { ledger, store } = this.#deps;
    for (const client of await ledger.pollClients()) store.putClient(client);
    // A settled row edited later is read, but followed only if it can need something again.
    const started = store.sequence();
    for (const milestone of await ledger.pollMilestones()) if (store.tracked(milestone.id) || mayNeedAction(milestone)) store.trackPolled(milestone, started);
  }

  async #recheckUnsent(): Promise<void> {
    const { ledger, store, clock } = this.#deps;
    const now = clock.now().getTime();
    if (this.#recheckedAt === 0) this.#recheckedAt = now;
    if (now - this.#recheckedAt < RECHECK_UNSENT_MS) return;
    this.#recheckedAt = now;
    for (const id of store.ids()) {
      const m = store.milestone(id);
      if (m?.invoice.id && (m.invoice.status === null || m.invoice.status === 'Draft')) store.track(await ledger.getMilestone(id));
    }
  }
}
