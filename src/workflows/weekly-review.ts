/**
 * The Friday review, posted in the cards' channel once a week (Friday 16:00 in CASHIN_TIMEZONE).
 * It is due from that time on, so a bot that was down on Friday afternoon posts it when it is back
 * (until Sunday); the channel is searched for it first, so it is never posted twice.
 */
import type { BillingPolicy } from '../domain/billing-rules.js';
import { daysLate, dueDateOf, isOutstanding } from '../domain/collection.js';
import { buildWeeklyReview, latestWeeklySlot, weeklyReviewNote, type OverdueItem } from '../domain/weekly-review.js';
import type { Logger } from '../log.js';
import type { HistoryScan } from './history.js';
import type { Chat, Clock } from './ports.js';
import type { MilestoneStore } from './store.js';

export type WeeklyReviewDeps = {
  store: MilestoneStore;
  history: Pick<HistoryScan, 'rows' | 'scannedAt'>;
  chat: Chat;
  clock: Clock;
  policy: BillingPolicy;
  /** The cards' channel: the review goes there, outside any thread. */
  channel: string;
  logger: Logger;
};

const FRIDAY = 5;
const AT_MINUTE = 16 * 60;
/** A review more than this late is skipped: on Monday the new week's numbers matter more. */
const STALE_AFTER_MS = 3 * 86_400_000;

export class WeeklyReviewPost {
  readonly #deps: WeeklyReviewDeps;
  readonly #done = new Set<string>();

  constructor(deps: WeeklyReviewDeps) {
    this.#deps = deps;
  }

  /** Posts this week's review if it is due and not posted yet. */
  async runIfDue(): Promise<void> {
    const { clock, policy, history, chat, channel, logger } = this.#deps;
    const now = clock.now();
    const slot = latestWeeklySlot(now, policy.timeZone, FRIDAY, AT_MINUTE);
    if (this.#done.has(slot.week)) return;
    if (now.getTime() - slot.at.getTime() > STALE_AFTER_MS) {
      this.#done.add(slot.week);
      return;
    }
    // The trends need the settled history; it is read a little after start.
    if (history.scannedAt === null) return;
    const review = buildWeeklyReview({ now, timeZone: policy.timeZone, overdue: this.overdue(now), history: history.rows() });
    await chat.postNote(channel, weeklyReviewNote(review));
    this.#done.add(slot.week);
    logger.info({ week: review.week, overdue: review.overdueCount }, 'weekly review posted');
  }

  /** Every invoice past due or under an exception, from what the bot follows. */
  overdue(now: Date): OverdueItem[] {
    const { store, policy } = this.#deps;
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
}
