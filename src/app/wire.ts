/** The workflows wired to their adapters: one place, used by start-up and by the test harness. */
import type { BillingPolicy } from '../domain/billing-rules.js';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { CollectionActions } from '../workflows/collection-actions.js';
import { FounderActions } from '../workflows/founder-actions.js';
import { HistoryScan } from '../workflows/history.js';
import { KeyedLock } from '../workflows/keyed-lock.js';
import { PaymentIntake } from '../workflows/payments.js';
import { CashDesk, type CashDeskDeps } from '../workflows/cash-desk.js';
import type { Billing, Chat, Clock, ForecastBook, Ledger } from '../workflows/ports.js';
import { Settler } from '../workflows/settle.js';
import { MilestoneStore } from '../workflows/store.js';
import { LedgerSync } from '../workflows/sync.js';
import type { Claims } from '../workflows/claims.js';
import { WeeklyJobs } from '../workflows/weekly-jobs.js';
import { weeklyReviewJob } from '../workflows/weekly-review.js';

export type Adapters = {
  ledger: Ledger;
  billing: Billing;
  chat: Chat;
  clock: Clock;
  logger: Logger;
  claims: Claims;
  /** The Forecasts table, when NOTION_FORECASTS_DB is set. */
  book: ForecastBook | null;
  /** The Monday chart as a PNG. */
  chart: CashDeskDeps['chart'];
};

export type Workflows = {
  store: MilestoneStore;
  settler: Settler;
  sync: LedgerSync;
  payments: PaymentIntake;
  actions: FounderActions;
  collections: CollectionActions;
  history: HistoryScan;
  weekly: WeeklyJobs;
  cash: CashDesk;
};

/** Notion allows three requests a second; the history read takes at most half of that, the forecast's write-back a third. */
const HISTORY_PACE_MS = 667;
const WRITE_BACK_PACE_MS = 1000;

export function policyOf(config: Config): BillingPolicy {
  return {
    defaultCurrency: config.defaultCurrency,
    defaultPaymentTermsDays: config.defaultPaymentTermsDays,
    autoSendAfterMinutes: config.autoSendAfterMinutes,
    acceptanceSlaHours: 24,
    timeZone: config.timeZone,
    reminderHours: config.reminderHours,
    reminderDays: config.reminderDays,
  };
}

export function wireWorkflows(config: Config, adapters: Adapters, options: { historyPaceMs?: number; writeBackPaceMs?: number } = {}): Workflows {
  const policy = policyOf(config);
  const store = new MilestoneStore(adapters.clock);
  const lock = new KeyedLock();
  const settler = new Settler({ ...adapters, policy, store, lock });
  const founderDeps = { ...adapters, policy, store, lock, settler, approverIds: config.slack.approverIds };
  const history = new HistoryScan({ ...adapters, store, timeZone: config.timeZone, paceMs: options.historyPaceMs ?? HISTORY_PACE_MS });
  const cash = new CashDesk({
    ...adapters,
    store,
    history,
    lock,
    policy,
    channel: config.slack.channelId,
    paceMs: options.writeBackPaceMs ?? WRITE_BACK_PACE_MS,
  });
  return {
    store,
    cash,
    settler,
    sync: new LedgerSync({ ledger: adapters.ledger, store, settler, clock: adapters.clock }),
    payments: new PaymentIntake({ ...adapters, store, lock, settler, policy, intervalMs: config.pollIntervalSeconds * 1000 }),
    actions: new FounderActions(founderDeps),
    collections: new CollectionActions(founderDeps),
    history,
    weekly: new WeeklyJobs({
      jobs: [weeklyReviewJob({ ...adapters, store, history, policy, channel: config.slack.channelId }), cash.mondayJob()],
      clock: adapters.clock,
      timeZone: config.timeZone,
      claims: adapters.claims,
      logger: adapters.logger,
    }),
  };
}
