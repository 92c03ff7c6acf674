/**
 * The paced background read of every invoiced row: it sums up each client's payment history, keeps
 * it for the forecast, and writes the totals to the Clients table when they changed. It waits
 * between its requests so it never takes more than half of Notion's budget from the bot's own work.
 *
 * Every known client is gone through, not only those with invoiced rows: a client whose last row was
 * moved to another client, or deleted, gets empty totals. A client the store does not hold yet (the
 * Clients table was not read so far) is read from Notion. A scan that fails throws, for its loop to
 * report (/healthz).
 */
import { addToHistory, emptyHistory, sameTotals, totalsOf, type InvoiceHistoryRow, type PaymentHistory } from '../domain/client-history.js';
import type { Client, ClientTotals } from '../domain/milestone.js';
import { isDateOnly, parseInstant } from '../domain/time.js';
import { ExternalServiceError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Clock, Ledger } from './ports.js';
import type { MilestoneStore } from './store.js';

/**
 * What the scan needs of the store. `clients()` lists every client the store holds, so a client
 * left without invoiced rows is reset after a restart too.
 */
export type HistoryStore = Pick<MilestoneStore, 'client' | 'putClient' | 'clients'>;

export type HistoryDeps = {
  ledger: Ledger;
  store: HistoryStore;
  clock: Clock;
  logger: Logger;
  timeZone: string;
  /** At least this long between two of its requests: 667 ms keeps it to 1.5 of Notion's 3 a second. */
  paceMs: number;
};

/** How old the history read may be when a weekly post is made: the week's payments must count. */
export const HISTORY_FRESH_MS = 3_600_000;

export class HistoryScan {
  readonly #deps: HistoryDeps;
  #histories = new Map<string, PaymentHistory>();
  #rows: readonly InvoiceHistoryRow[] = [];
  #scannedAt: Date | null = null;
  #running: Promise<void> | null = null;
  #stopped = false;

  constructor(deps: HistoryDeps) {
    this.#deps = deps;
  }

  /** When the last full read ended; null before the first. */
  get scannedAt(): Date | null {
    return this.#scannedAt;
  }

  /** A client's history as of the last full read. */
  /** Every invoiced row as of the last full read (a few fields each), for the weekly review and the forecast. */
  rows(): readonly InvoiceHistoryRow[] {
    return this.#rows;
  }

  history(clientId: string): PaymentHistory {
    return this.#histories.get(clientId) ?? emptyHistory();
  }

  /** One read at a time: a second caller waits for the read in progress. */
  scan(): Promise<void> {
    this.#running ??= this.#scan().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  /**
   * Reads again when the last read is older than `maxAgeMs` on the bot's clock (or there was none),
   * for a weekly post that must count the payments of the week just ended.
   */
  async freshen(maxAgeMs: number): Promise<void> {
    const last = this.#scannedAt;
    if (last === null || this.#deps.clock.now().getTime() - last.getTime() > maxAgeMs) await this.scan();
  }

  async #scan(): Promise<void> {
    const { ledger, store, clock, timeZone, logger } = this.#deps;
    const histories = new Map<string, PaymentHistory>();
    const read: InvoiceHistoryRow[] = [];
    const shared = new Map<string, string>();
    const days = new Map<string, string>();
    for await (const page of ledger.invoiceHistory()) {
      if (this.#stopped) return;
      for (const row of page) {
        compact(row, shared);
        addToHistory(histories, withInstants(row, days, timeZone), timeZone);
        read.push(row);
      }
      await this.#pause();
    }
    const rows = read.length;
    this.#rows = read;
    // Clients that had rows in the last scan, the store's, and this scan's.
    const ids = new Set([...this.#histories.keys(), ...[...store.clients()].map((c) => c.id), ...histories.keys()]);
    this.#histories = histories;
    let written = 0;
    for (const id of ids) {
      if (this.#stopped) return;
      const totals = totalsOf(this.history(id));
      const client = store.client(id) ?? (await this.#fetch(id));
      if (!client) continue;
      if (histories.has(id) ? sameTotals(client.history, totals) : isEmpty(client.history)) continue;
      const updated = await this.#skipIfGone(id, () => ledger.updateClient(id, { history: totals }));
      if (updated) store.putClient(updated);
      written += updated ? 1 : 0;
      await this.#pause();
    }
    this.#scannedAt = clock.now();
    logger.info({ rows, clients: ids.size, written }, 'client payment histories summed up');
  }

  /** Ends a read in progress at its next page, for a quick shutdown. */
  stop(): void {
    this.#stopped = true;
  }

  async #fetch(id: string): Promise<Client | null> {
    const client = await this.#skipIfGone(id, () => this.#deps.ledger.getClient(id));
    await this.#pause();
    return client ? this.#deps.store.putClient(client) : null;
  }

  /**
   * Runs a read or write of one client. Notion refusing it for that page (deleted, in the trash, not
   * shared) skips the client with a warning; anything else fails the scan.
   */
  async #skipIfGone(id: string, run: () => Promise<Client>): Promise<Client | null> {
    try {
      return await run();
    } catch (error) {
      if (!(error instanceof ExternalServiceError) || (error.code !== 'notion_refused' && error.code !== 'notion_not_shared')) throw error;
      this.#deps.logger.warn({ clientId: id, reason: error.message }, 'client payment history not written; the client cannot be read or written');
      return null;
    }
  }

  #pause(): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, this.#deps.paceMs));
  }
}

/**
 * Thousands of rows share a few hundred days, a few clients and currencies: each row keeps the one
 * copy of its values that `shared` holds, rather than its own (the rows are kept until the next read).
 */
function compact(row: InvoiceHistoryRow, shared: Map<string, string>): void {
  const one = (value: string | null | undefined): string | null | undefined => {
    if (value === null || value === undefined) return value;
    const found = shared.get(value);
    if (found !== undefined) return found;
    shared.set(value, value);
    return value;
  };
  row.clientId = one(row.clientId) ?? null;
  row.sent = one(row.sent) ?? null;
  row.due = one(row.due) ?? null;
  row.paidOn = one(row.paidOn) ?? null;
  if (row.accepted !== undefined) row.accepted = one(row.accepted);
  if (row.currency !== undefined) row.currency = one(row.currency);
}

/**
 * The row with its days (dates without a time) given as the instant each starts in the founder's
 * zone, for addToHistory: parsing a day asks Intl for the zone's offset twice, and a read has
 * thousands of rows on a few hundred days, so each day is worked out once (in `days`). The instants
 * are the ones addToHistory would find; the row kept is left as read.
 */
function withInstants(row: InvoiceHistoryRow, days: Map<string, string>, timeZone: string): InvoiceHistoryRow {
  const instant = (value: string | null): string | null => {
    if (value === null || !isDateOnly(value)) return value;
    let found = days.get(value);
    if (found === undefined) {
      const at = parseInstant(value, timeZone);
      found = at && !Number.isNaN(at.getTime()) ? at.toISOString() : value;
      days.set(value, found);
    }
    return found;
  };
  return { ...row, sent: instant(row.sent), due: instant(row.due), paidOn: instant(row.paidOn) };
}

/** No history shown: blank, or zero invoices and disputes. */
function isEmpty(totals: ClientTotals): boolean {
  return totals.avgDaysToPay === null && !totals.paidInvoices && !totals.disputes;
}
