/**
 * The cash-in desk: the forecast, the KPIs and the exceptions, from what the bot follows. Open rows
 * come from the store (kept fresh by the poll), settled ones from the paced history read: answering
 * never reads the Milestones table again.
 *
 * It answers `/cashin` and App Home, posts the Monday forecast (a weekly job: summary and chart),
 * keeps the Forecasts table (each week's forecast, then its actual and error), and writes Expected
 * cash-in and Cash-in confidence back to open rows when they move.
 */
import type { BillingPolicy } from '../domain/billing-rules.js';
import {
  accuracyOf,
  cashIn,
  forecastError,
  type Accuracy,
  type CashAnswer,
  type CashQuestion,
  type ClientSummary,
  type ItemLine,
} from '../domain/cash-report.js';
import type { InvoiceHistoryRow } from '../domain/client-history.js';
import { daysLate, dueDateOf } from '../domain/collection.js';
import { weekBounds, type CurrencyProjection, type Forecast } from '../domain/forecast.js';
import { forecastRows, type ForecastRow } from '../domain/forecast-inputs.js';
import { historyForecastRow, openForecastRow, sharedValues } from '../domain/forecast-row.js';
import { kpis, median } from '../domain/kpis.js';
import { ladderFor } from '../domain/ladder.js';
import type { Client } from '../domain/milestone.js';
import { toMajorUnits } from '../domain/money.js';
import { addDays, localDate, localInstant, zoneOffsetMinutes } from '../domain/time.js';
import type { Logger } from '../log.js';
import { HISTORY_FRESH_MS, type HistoryScan } from './history.js';
import type { KeyedLock } from './keyed-lock.js';
import type { Chat, Clock, ForecastBook, ForecastWeekRow, Ledger } from './ports.js';
import type { MilestoneStore } from './store.js';
import type { WeeklyJob } from './weekly-jobs.js';

export type CashDeskDeps = {
  store: MilestoneStore;
  history: Pick<HistoryScan, 'rows' | 'freshen'>;
  ledger: Pick<Ledger, 'updateMilestone'>;
  /** The milestones' lock: a write-back waits for a send or a click on the same row. */
  lock: KeyedLock;
  /** The Forecasts table; null when NOTION_FORECASTS_DB is not set (the forecast is posted, not kept). */
  book: ForecastBook | null;
  chat: Chat;
  clock: Clock;
  logger: Logger;
  policy: BillingPolicy;
  channel: string;
  /** The weekly chart as a PNG (see app/chart-png.ts); null when it cannot be drawn. */
  chart: (projection: CurrencyProjection, title: string) => Promise<Uint8Array | null>;
  /** At least this long between two write-backs to Notion. */
  paceMs: number;
};

export const FORECAST_POST_KEY = (week: string) => `weekly-forecast:${week}`;

/** A row's forecast is written again when its date moves or its confidence moves this much. */
const CONFIDENCE_STEP = 5;

export class CashDesk {
  readonly #deps: CashDeskDeps;
  #recorded: ForecastWeekRow[] | null = null;
  /** The last history read (by identity), the clients' currencies and tax rates then, and its rows. */
  #history: { read: readonly InvoiceHistoryRow[]; clients: string; rows: readonly ForecastRow[] } | null = null;
  #stopped = false;

  constructor(deps: CashDeskDeps) {
    this.#deps = deps;
  }

  /** Every row the forecast reads: the store's open rows, and settled ones from the history read. */
  rows(): ForecastRow[] {
    const { store, policy } = this.#deps;
    const rows: ForecastRow[] = [];
    const seen = new Set<string>();
    for (const id of store.ids()) {
      const m = store.milestone(id);
      if (!m || m.trashed) continue;
      seen.add(id);
      rows.push(openForecastRow(m, store.client(m.clientId), store.invoice(m.invoice.id), policy));
    }
    for (const row of this.#historyRows()) {
      if (row.id !== '' && seen.has(row.id)) continue;
      rows.push(row);
    }
    return rows;
  }

  /**
   * The history read's rows as ForecastRows, made once per read: every answer reads them all (some
   * 10,000), and making them again each time (dates parsed in the founder's zone) cost each answer
   * as much memory as the rows take. Made again after the next read, or when a client's currency or
   * tax rate changed (a row's total depends on them).
   */
  #historyRows(): readonly ForecastRow[] {
    const { store, history, policy } = this.#deps;
    const read = history.rows();
    const clients = clientsKey(store.clients());
    if (this.#history?.read !== read || this.#history.clients !== clients) {
      const shared = sharedValues();
      this.#history = { read, clients, rows: read.map((row) => historyForecastRow(row, store.client(row.clientId), policy, shared)) };
    }
    return this.#history.rows;
  }

  forecast(weeks = 5, rows = this.rows()): Forecast {
    const { store, policy, clock } = this.#deps;
    const now = clock.now();
    const terms = [...store.clients()].map((c) => ({ id: c.id, paymentTermsDays: c.paymentTermsDays }));
    return forecastRows(rows, terms, {
      at: now,
      weeks,
      timeZone: policy.timeZone,
      fallbackTermsDays: policy.defaultPaymentTermsDays,
      sendLagHours: policy.autoSendAfterMinutes / 60,
    });
  }

  /** The answer to a `/cashin` question (also what App Home and the Monday post are made of). */
  async answer(question: CashQuestion): Promise<CashAnswer> {
    const { store, clock, policy } = this.#deps;
    const at = clock.now();
    switch (question.kind) {
      case 'forecast':
        return this.#forecastAnswer(question.weeks, await this.#accuracy());
      case 'aging':
      case 'kpis':
        return { kind: question.kind, at, kpis: kpis(this.rows(), at, policy.timeZone) };
      case 'exceptions':
        return { kind: 'exceptions', at, rows: store.exceptions() };
      case 'client':
        return this.#clientAnswer(question.name);
      case 'help':
        return { kind: 'help', unknown: question.unknown };
    }
  }

  /** What App Home shows: the forecast, the KPIs with aging, and the open exceptions. */
  async dashboard(): Promise<{
    forecast: CashAnswer & { kind: 'forecast' };
    kpis: CashAnswer & { kind: 'kpis' };
    exceptions: CashAnswer & { kind: 'exceptions' };
  }> {
    const { store, clock, policy } = this.#deps;
    const at = clock.now();
    const rows = this.rows();
    return {
      forecast: this.#forecastAnswer(5, await this.#accuracy(), rows),
      kpis: { kind: 'kpis', at, kpis: kpis(rows, at, policy.timeZone) },
      exceptions: { kind: 'exceptions', at, rows: store.exceptions() },
    };
  }

  #forecastAnswer(weeks: number, accuracy: Accuracy, rows = this.rows()): CashAnswer & { kind: 'forecast' } {
    const { policy } = this.#deps;
    const f = this.forecast(weeks, rows);
    const ordered = [...f.currencies].sort((a, b) => Number(b.currency === policy.defaultCurrency) - Number(a.currency === policy.defaultCurrency));
    return {
      kind: 'forecast',
      at: f.at,
      timeZone: policy.timeZone,
      forecast: { ...f, currencies: ordered },
      lines: this.#lines(f),
      accuracy,
      currency: policy.defaultCurrency,
    };
  }

  #lines(f: Forecast, onlyClient?: string): ItemLine[] {
    const { store, policy } = this.#deps;
    return f.items.flatMap((item) => {
      const m = store.milestone(item.id);
      if (!m || (onlyClient !== undefined && m.clientId !== onlyClient)) return [];
      const invoice = store.invoice(m.invoice.id);
      return [
        {
          id: item.id,
          title: m.title,
          client: store.client(m.clientId)?.name ?? 'no client',
          amount: item.amount,
          expectedDate: localDate(item.expectedAt, policy.timeZone),
          confidence: item.confidence,
          tier: item.tier,
          reasons: item.reasons,
          projected: invoice === null,
          daysLate: invoice ? daysLate(dueDateOf(m, invoice, policy.timeZone), f.at, policy.timeZone) : 0,
        },
      ];
    });
  }

  #clientAnswer(asked: string): CashAnswer {
    const { store, clock, policy } = this.#deps;
    const wanted = asked.trim().toLowerCase();
    const clients = [...store.clients()];
    const client =
      wanted === ''
        ? undefined
        : (clients.find((c) => c.name.toLowerCase() === wanted) ??
          (() => {
            const partial = clients.filter((c) => c.name.toLowerCase().includes(wanted));
            return partial.length === 1 ? partial[0] : undefined;
          })());
    if (!client) return { kind: 'no-client', asked, known: clients.map((c) => c.name).sort() };
    const rows = this.rows();
    const at = clock.now();
    const mine = rows.filter((r) => r.clientId === client.id);
    const paid = mine.filter((r) => r.invoiceStatus === 'Paid' && r.sent && r.paidOn && r.paidOn.getTime() <= at.getTime());
    const days = paid.map((r) => ((r.paidOn?.getTime() ?? 0) - (r.sent?.getTime() ?? 0)) / 86_400_000);
    const late = paid.filter((r) => r.due && r.paidOn && r.paidOn.getTime() >= r.due.getTime() + 86_400_000).length;
    const summary: ClientSummary = {
      name: client.name,
      paymentTermsDays: client.paymentTermsDays,
      cadence: ladderFor(client).ladder.cadence,
      paidInvoices: paid.length,
      medianDaysToPay: median(days.map((d) => Math.max(0, d))),
      lateShare: paid.length > 0 ? late / paid.length : null,
      disputes: mine.filter((r) => r.disputed).length,
      servicePaused: client.servicePaused,
    };
    return { kind: 'client', at, client: summary, lines: this.#lines(this.forecast(5, rows), client.id), timeZone: policy.timeZone };
  }

  async #accuracy(): Promise<Accuracy> {
    const { book, logger } = this.#deps;
    if (!book) return null;
    if (this.#recorded === null) {
      try {
        this.#recorded = await book.weeks();
      } catch (error) {
        logger.warn({ err: error }, 'the Forecasts table could not be read; the forecast is shown without its record');
        return null;
      }
    }
    return accuracyOf(this.#recorded);
  }

  /**
   * The Monday post: Monday 08:00 in the founder's zone. It scores the weeks that ended, records
   * this week's forecast, then posts the summary with its chart. Found in the channel, it is not
   * posted again.
   */
  mondayJob(): WeeklyJob {
    const { chat, channel } = this.#deps;
    return {
      name: 'monday forecast',
      weekday: 1,
      minute: 8 * 60,
      done: (week, since) => chat.hasNote(channel, FORECAST_POST_KEY(week), since),
      run: async (week) => {
        const { history, chart, policy, clock } = this.#deps;
        // Last week's payments count: read the history again unless it was read within the hour.
        await history.freshen(HISTORY_FRESH_MS);
        const rows = this.rows();
        await this.#keepScore(week, rows);
        const answer = this.#forecastAnswer(5, await this.#accuracy(), rows);
        const main = answer.forecast.currencies[0];
        const others = answer.forecast.currencies.length > 1 ? ' (other currencies in the message)' : '';
        const title = `Cash-in forecast, ${week}, ${main?.currency ?? policy.defaultCurrency}${others}`;
        const png = main ? await chart(main, title) : null;
        await chat.postReport(channel, {
          key: FORECAST_POST_KEY(week),
          since: mondayOf(clock.now(), policy.timeZone),
          title: `Cash-in forecast, ${week}`,
          answer,
          chart: png ? { png, filename: `cashin-forecast-${week}.png`, title: `Cash-in forecast ${week}` } : null,
        });
      },
    };
  }

  /** Fills Actual and Error of the weeks that ended, and records this week's forecast. */
  async #keepScore(week: string, rows: readonly ForecastRow[]): Promise<void> {
    const { book, policy, clock, logger } = this.#deps;
    if (!book) return;
    try {
      const recorded = await book.weeks();
      const currency = policy.defaultCurrency;
      const now = clock.now();
      const major = (minor: number) => toMajorUnits({ minor, currency });
      for (const row of recorded) {
        if (row.actual !== null || row.week === week) continue;
        const start = localInstant(row.weekStart, 0, policy.timeZone);
        const end = localInstant(addDays(row.weekStart, 7), 0, policy.timeZone);
        if (end.getTime() > now.getTime()) continue;
        const actual = major(cashIn(rows, start, end, currency));
        const scored = { ...row, actual, error: forecastError(actual, row.expected) };
        await book.save(scored);
        Object.assign(row, scored);
      }
      const projection = this.forecast(1, [...rows]).currencies.find((c) => c.currency === currency);
      const first = projection?.weeks[0];
      const thisWeek: ForecastWeekRow = {
        week,
        weekStart: localDate(first?.start ?? now, policy.timeZone),
        expected: major(Math.round(first?.expected ?? 0)),
        low: major(Math.round(first?.low ?? 0)),
        high: major(Math.round(first?.high ?? 0)),
        actual: null,
        error: null,
      };
      const existing = recorded.find((r) => r.week === week);
      if (!existing) await book.save(thisWeek);
      this.#recorded = existing ? recorded : [...recorded, thisWeek];
    } catch (error) {
      logger.warn({ err: error }, 'the Forecasts table could not be written; the forecast is posted without its record');
    }
  }

  /**
   * Writes Expected cash-in and Cash-in confidence on open rows whose forecast moved (a new date, or
   * the confidence by 5 points or more), one row at a time, paced. Returns how many were written.
   */
  async writeBack(): Promise<number> {
    const { store, ledger, policy, paceMs, logger, lock } = this.#deps;
    const f = this.forecast(1);
    let written = 0;
    for (const item of f.items) {
      if (this.#stopped) break;
      const expected = localDate(item.expectedAt, policy.timeZone);
      const confidence = Math.round(item.confidence * 100);
      const moved = (before: { expected: string | null; confidence: number | null } | undefined) =>
        !before || before.expected !== expected || before.confidence === null || Math.abs(before.confidence - confidence) >= CONFIDENCE_STEP;
      if (!moved(store.milestone(item.id)?.cashIn)) continue;
      try {
        const wrote = await lock.run(item.id, async () => {
          const m = store.milestone(item.id);
          if (!m || m.trashed || !moved(m.cashIn)) return false;
          store.track(await ledger.updateMilestone(m.id, { expectedCashIn: expected, cashInConfidence: confidence }));
          return true;
        });
        written += wrote ? 1 : 0;
      } catch (error) {
        logger.warn({ milestoneId: item.id, err: error }, 'expected cash-in not written');
      }
      await new Promise((resolve) => setTimeout(resolve, paceMs));
    }
    return written;
  }

  stop(): void {
    this.#stopped = true;
  }
}

/** What a history row's ForecastRow takes from its client: each client's currency and tax rate. */
function clientsKey(clients: Iterable<Client>): string {
  let key = '';
  for (const c of clients) key += `${c.id}\u0000${c.currency ?? ''}\u0000${c.taxRate ?? ''}\u0001`;
  return key;
}

/** Monday 00:00 of the week holding `now`, in the founder's zone. */
function mondayOf(now: Date, timeZone: string): Date {
  return new Date(weekBounds({ now, utcOffsetMinutes: zoneOffsetMinutes(timeZone, now), timeZone, weeks: 1 })[0] ?? now.getTime());
}
