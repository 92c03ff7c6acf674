/**
 * The paced background read of every invoiced row: it sums up each client's payment history, keeps
 * it for the forecast, and writes the totals to the Clients table when they changed. It waits
 * between its requests so it never takes more than half of Notion's budget from the bot's own work.
 */
import { addToHistory, emptyHistory, sameTotals, totalsOf, type PaymentHistory } from '../domain/client-history.js';
import type { Logger } from '../log.js';
import type { Clock, Ledger } from './ports.js';
import type { MilestoneStore } from './store.js';

export type HistoryDeps = {
  ledger: Ledger;
  store: MilestoneStore;
  clock: Clock;
  logger: Logger;
  timeZone: string;
  /** At least this long between two of its requests: 667 ms keeps it to 1.5 of Notion's 3 a second. */
  paceMs: number;
};

export class HistoryScan {
  readonly #deps: HistoryDeps;
  #histories = new Map<string, PaymentHistory>();
  #scannedAt: Date | null = null;
  #stopped = false;

  constructor(deps: HistoryDeps) {
    this.#deps = deps;
  }

  /** When the last full read ended; null before the first. */
  get scannedAt(): Date | null {
    return this.#scannedAt;
  }

  /** A client's history as of the last full read. */
  history(clientId: string): PaymentHistory {
    return this.#histories.get(clientId) ?? emptyHistory();
  }

  async scan(): Promise<void> {
    const { ledger, store, clock, timeZone, logger } = this.#deps;
    const histories = new Map<string, PaymentHistory>();
    let rows = 0;
    for await (const page of ledger.invoiceHistory()) {
      if (this.#stopped) return;
      for (const row of page) addToHistory(histories, row, timeZone);
      rows += page.length;
      await this.#pause();
    }
    this.#histories = histories;
    let written = 0;
    for (const id of histories.keys()) {
      const client = store.client(id);
      const totals = totalsOf(this.history(id));
      if (this.#stopped) return;
      if (!client || sameTotals(client.history, totals)) continue;
      store.putClient(await ledger.updateClient(id, { history: totals }));
      written += 1;
      await this.#pause();
    }
    this.#scannedAt = clock.now();
    logger.info({ rows, clients: histories.size, written }, 'client payment histories summed up');
  }

  /** Ends a read in progress at its next page, for a quick shutdown. */
  stop(): void {
    this.#stopped = true;
  }

  #pause(): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, this.#deps.paceMs));
  }
}
