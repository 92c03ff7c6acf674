/**
 * The audit trail: every transition Cashin makes on a milestone is also a comment on its Notion
 * page, so the page tells its own story. These are the words of those comments.
 */
import type { CardView } from './card-view.js';
import type { InvoiceTransition } from './decide.js';
import type { InvoiceSnapshot } from './milestone.js';
import { formatMoney } from './money.js';
import { slackUser } from './text.js';

const say = (text: string): string => `Cashin: ${text}`;

export const audit = {
  cardPosted: (kind: CardView['kind']): string =>
    say(`posted the ${kind === 'delivered' ? 'acceptance' : kind === 'review' ? 'invoice review' : kind} card in Slack.`),

  accepted: (userId: string): string => say(`marked accepted in Slack by ${slackUser(userId)}.`),

  billingEdited: (userId: string): string => say(`billing details edited in Slack by ${slackUser(userId)}.`),

  changeOrderDrafted: (userId: string, scopeVersion: string): string =>
    say(
      `change order drafted by ${slackUser(userId)} as a new milestone (scope ${scopeVersion}). Price it, get it approved, then clear "Change order required" here.`,
    ),

  sent: (invoice: InvoiceSnapshot, sentBy: string, autoSendAfterMinutes: number): string => {
    const who = sentBy === 'auto' ? `auto-sent ${autoSendAfterMinutes} minutes after acceptance` : `sent from Slack by ${slackUser(sentBy)}`;
    const total = formatMoney({ minor: invoice.total, currency: invoice.currency });
    return say(`invoice ${invoice.number ?? invoice.id} for ${total} ${who}. Payment link: ${invoice.hostedUrl ?? 'n/a'}`);
  },

  discarded: (invoice: InvoiceSnapshot, reason: string): string => {
    const label = invoice.number ?? invoice.id;
    const what = invoice.status === 'draft' ? `deleted the draft invoice ${label}` : `voided invoice ${label}, which had not been emailed`;
    return say(`${what} because ${reason}. Nothing was sent to the client.`);
  },

  transition: (invoice: InvoiceSnapshot, transition: InvoiceTransition): string => {
    const money = (minor: number) => formatMoney({ minor, currency: invoice.currency });
    const label = invoice.number ?? invoice.id;
    const notes: Record<InvoiceTransition, string> = {
      sent: `invoice ${label} is open in Stripe.`,
      partially_paid: `payment received on invoice ${label}: ${money(invoice.amountPaid)} paid, ${money(invoice.amountRemaining)} remaining.`,
      paid: `invoice ${label} paid in full (${money(invoice.amountPaid)}).`,
      overdue: `invoice ${label} is past its due date.`,
      void: `invoice ${label} was voided in Stripe.`,
      uncollectible: `invoice ${label} was marked uncollectible in Stripe.`,
      credited: `credit note on invoice ${label}: ${money(invoice.credited)} credited in all, ${money(invoice.amountRemaining)} remains due. Reminders chase only what remains.`,
    };
    return say(notes[transition]);
  },
};
