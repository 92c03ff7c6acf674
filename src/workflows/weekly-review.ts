/**
 * The Friday review, posted in the cards' channel once a week (Friday 16:00 in CASHIN_TIMEZONE):
 * the overdue invoices by reason, and the on-time rate and days to pay week by week. A weekly job
 * (see weekly-jobs.ts): the channel is searched for it first, so it is never posted twice.
 */
import type { BillingPolicy } from '../domain/billing-rules.js';
import { daysLate, dueDateOf, isOutstanding } from '../domain/collection.js';
import { buildWeeklyReview, weeklyReviewNote, type OverdueItem } from '../domain/weekly-review.js';
import { HISTORY_FRESH_MS, type HistoryScan } from './history.js';
import type { Chat, Clock } from './ports.js';
import type { MilestoneStore } from './store.js';
import type { WeeklyJob } from './weekly-jobs.js';

export type WeeklyReviewDeps = {
  store: MilestoneStore;
  history: Pick<HistoryScan, 'rows' | 'freshen'>;
  chat: Chat;
  clock: Clock;
  policy: BillingPolicy;
  /** The cards' channel: the review goes there, outside any thread. */
  channel: string;
};

export const REVIEW_KEY = (week: string) => `weekly-review:${week}`;

export function weeklyReviewJob(deps: WeeklyReviewDeps): WeeklyJob {
  return {
    name: 'friday review',
    weekday: 5,
    minute: 16 * 60,
    // Searched back to the slot, so a busy channel does not hide the review already posted.
    done: (week, since) => deps.chat.hasNote(deps.channel, REVIEW_KEY(week), since),
    run: async () => {
      // The trends need the settled history, this week's payments included.
      await deps.history.freshen(HISTORY_FRESH_MS);
      const now = deps.clock.now();
      const review = buildWeeklyReview({
        now,
        timeZone: deps.policy.timeZone,
        overdue: overdueItems(deps.store, deps.policy, now),
        history: deps.history.rows(),
      });
      await deps.chat.postNote(deps.channel, weeklyReviewNote(review));
    },
  };
}

/** Every invoice past due or under an exception, from what the bot follows. */
export function overdueItems(store: MilestoneStore, policy: BillingPolicy, now: Date): OverdueItem[] {
  return store.ids().flatMap((id) => {
    const m = store.milestone(id);
    const invoice = store.invoice(m?.invoice.id ?? null);
    if (!m || !invoice || !isOutstanding(invoice)) return [];
    const late = daysLate(dueDateOf(m, invoice, policy.timeZone), now, policy.timeZone);
    if (late === 0 && m.disputeReason === null) return [];
    return [
      {
        title: m.title,
        clientName: store.client(m.clientId)?.name ?? 'no client',
        outstanding: { minor: invoice.amountRemaining, currency: invoice.currency },
        daysLate: late,
        exception: m.disputeReason,
        promiseToPay: m.promiseToPay,
        reminderStage: m.reminderStage,
      },
    ];
  });
}
