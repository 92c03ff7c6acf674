/** The ledger poll: read what changed in Notion into the store, then settle whatever owes an action. */
import { mayNeedAction } from '../domain/milestone.js';
import type { Ledger } from './ports.js';
import type { Settler } from './settle.js';
import type { MilestoneStore } from './store.js';

export type SyncDeps = { ledger: Ledger; store: MilestoneStore; settler: Settler };

export class LedgerSync {
  readonly #deps: SyncDeps;

  constructor(deps: SyncDeps) {
    this.#deps = deps;
  }

  async poll(): Promise<void> {
    await this.load();
    await this.#deps.settler.settleAll();
  }

  /** Reads what changed in Notion (everything, the first time). */
  async load(): Promise<void> {
    const { ledger, store } = this.#deps;
    for (const client of await ledger.pollClients()) store.putClient(client);
    // A settled row edited later is read, but followed only if it can need something again.
    for (const milestone of await ledger.pollMilestones()) if (store.tracked(milestone.id) || mayNeedAction(milestone)) store.track(milestone);
  }
}
