/**
 * Renders a milestone's CardView as Block Kit. Pure: the same view always gives the same blocks,
 * and whatever the founder typed, the result stays inside Slack's limits.
 */
import type { types } from '@slack/bolt';
import type { Blocker } from '../../domain/billing-rules.js';
import type { CardView, DeliveredCard, InvoiceCard, ReviewCard } from '../../domain/card-view.js';
import { cardDisputeLine, type NoteButtons } from '../../domain/collection-notes.js';
import type { LadderView } from '../../domain/collection.js';
import { truncate } from '../../domain/text.js';
import { SLACK_LIMITS } from './limits.js';
import { escapeMrkdwn, mrkdwnLink, truncateMrkdwn, userMention } from './mrkdwn.js';

type KnownBlock = types.KnownBlock;

export const ACTIONS = {
  accept: 'cashin_accept',
  draftAcceptance: 'cashin_draft_acceptance',
  send: 'cashin_send',
  editBilling: 'cashin_edit_billing',
  draftChangeOrder: 'cashin_draft_change_order',
  finalNotice: 'cashin_final_notice',
  snooze: 'cashin_snooze',
  promise: 'cashin_promise',
  dispute: 'cashin_dispute',
  paidOutside: 'cashin_paid_outside',
  resume: 'cashin_resume',
  reissue: 'cashin_reissue',
} as const;

export const EDIT_BILLING_VIEW = 'cashin_edit_billing_modal';
export const ACCEPT_VIEW = 'cashin_accept_modal';
export const VIEWS = {
  snooze: 'cashin_snooze_modal',
  promise: 'cashin_promise_modal',
  dispute: 'cashin_dispute_modal',
  paidOutside: 'cashin_paid_outside_modal',
  reissue: 'cashin_reissue_modal',
} as const;

export type CardMessage = { text: string; blocks: KnownBlock[] };

const md = (text: string, max: number = SLACK_LIMITS.sectionText) => ({ type: 'mrkdwn' as const, text: truncateMrkdwn(text, max) });
const section = (text: string): KnownBlock => ({ type: 'section', text: md(text) });
const fields = (pairs: [string, string][]): KnownBlock => ({
  type: 'section',
  fields: pairs.slice(0, SLACK_LIMITS.fieldsPerSection).map(([k, v]) => md(`*${k}*\n${v}`, SLACK_LIMITS.fieldText)),
});
const context = (text: string): KnownBlock => ({ type: 'context', elements: [md(text)] });
const header = (text: string): KnownBlock => ({ type: 'header', text: { type: 'plain_text', text: truncate(text, SLACK_LIMITS.headerText), emoji: true } });

export function button(text: string, actionId: string, value: string, style?: 'primary' | 'danger') {
  return {
    type: 'button' as const,
    text: { type: 'plain_text' as const, text: truncate(text, SLACK_LIMITS.buttonText), emoji: true },
    action_id: actionId,
    value: truncate(value, SLACK_LIMITS.buttonValue),
    ...(style ? { style } : {}),
  };
}

function title(view: CardView): string {
  return mrkdwnLink(view.milestoneUrl, view.title);
}

/** The Send button's value: the milestone and the fingerprint of the terms this card shows. */
export function sendValue(milestoneId: string, fingerprint: string): string {
  return `${milestoneId}|${fingerprint}`;
}

export function parseSendValue(value: string): { milestoneId: string; fingerprint: string | null } {
  const [milestoneId = '', fingerprint] = value.split('|');
  return { milestoneId, fingerprint: fingerprint || null };
}

/** The value collection buttons carry: the milestone and the invoice they were drawn for. */
export function collectionValue(milestoneId: string, invoiceId: string): string {
  return `${milestoneId}|${invoiceId}`;
}

export function parseCollectionValue(value: string): { milestoneId: string; invoiceId: string | null } {
  const [milestoneId = '', invoiceId] = value.split('|');
  return { milestoneId, invoiceId: invoiceId || null };
}

/**
 * "Send final notice" emails the client at once and may pause their service: never one click away.
 * Slack asks first, in a confirmation dialog that says exactly what happens.
 */
function finalNoticeButton(value: string, consequence: string | null) {
  const plain = (text: string, max: number) => ({ type: 'plain_text' as const, text: truncate(text, max), emoji: true });
  return {
    ...button('Send final notice…', ACTIONS.finalNotice, value),
    confirm: {
      title: plain('Send the final notice?', SLACK_LIMITS.confirmTitle),
      text: plain(
        consequence ?? 'Stripe emails the invoice to the client again now, as the final notice. The reminder ladder ends here.',
        SLACK_LIMITS.confirmText,
      ),
      confirm: plain('Send final notice', SLACK_LIMITS.confirmButton),
      deny: plain('Cancel', SLACK_LIMITS.confirmButton),
      style: 'danger' as const,
    },
  };
}

/**
 * What the founder can do about an unpaid invoice, or about an open exception. The final notice
 * comes last: the everyday answers (snooze, a promise, a dispute) come first.
 */
export function collectionButtons(
  kind: NoteButtons,
  milestoneId: string,
  invoiceId: string | null,
  blockId: string,
  finalNotice: string | null = null,
): KnownBlock[] {
  if (kind === null || invoiceId === null) return [];
  const value = collectionValue(milestoneId, invoiceId);
  if (kind === 'resolve') {
    // Nothing is owed: no reminders to resume and no invoice to reissue; the exception is only closed.
    return [{ type: 'actions', block_id: truncate(blockId, SLACK_LIMITS.actionId), elements: [button('Mark resolved', ACTIONS.resume, value, 'primary')] }];
  }
  const elements =
    kind === 'collection'
      ? [
          button('Snooze…', ACTIONS.snooze, value),
          button('Client promised to pay by…', ACTIONS.promise, value),
          button('Mark disputed…', ACTIONS.dispute, value),
          button('Mark paid outside Stripe…', ACTIONS.paidOutside, value),
          finalNoticeButton(value, finalNotice),
        ]
      : [button('Resume reminders', ACTIONS.resume, value, 'primary'), button('Void and reissue…', ACTIONS.reissue, value)];
  return [{ type: 'actions', block_id: truncate(blockId, SLACK_LIMITS.actionId), elements }];
}

function blockerLines(blockers: readonly Blocker[]): string {
  return blockers.map((b) => `• ${escapeMrkdwn(b.message)}\n    _${escapeMrkdwn(b.fix)}_`).join('\n');
}

export function renderCard(view: CardView): CardMessage {
  const blocks = buildBlocks(view);
  // The text is what notifications show; it is mrkdwn too, so a title like "<!channel>" must not ping anyone.
  return { text: truncateMrkdwn(escapeMrkdwn(fallbackText(view)), SLACK_LIMITS.fallbackText), blocks: fitMessage(blocks) };
}

function buildBlocks(view: CardView): KnownBlock[] {
  switch (view.kind) {
    case 'delivered':
      return deliveredBlocks(view);
    case 'review':
      return reviewBlocks(view);
    case 'invoice':
      return invoiceBlocks(view);
    case 'withdrawn':
      return [
        header(`Back to ${view.stage}: ${view.title}`),
        context(`${escapeMrkdwn(view.clientName)} · ${escapeMrkdwn(view.amount)} · Stage changed in Notion; nothing to bill until it is Delivered again.`),
      ];
  }
}

function fallbackText(view: CardView): string {
  switch (view.kind) {
    case 'delivered':
      return `Delivered: ${view.title} for ${view.clientName} (${view.amount}). Waiting for the client's acceptance.`;
    case 'review':
      return `Invoice review: ${view.title} for ${view.clientName} (${view.amount}).`;
    case 'invoice':
      return `Invoice ${view.number ?? ''} for ${view.title} (${view.clientName}): ${view.amount}, ${statusWord(view)}.`;
    case 'withdrawn':
      return `${view.title} is back to ${view.stage}.`;
  }
}

function deliveredBlocks(view: DeliveredCard): KnownBlock[] {
  const blocks: KnownBlock[] = [
    header(`Delivered: ${view.title}`),
    fields([
      ['Client', escapeMrkdwn(view.clientName)],
      ['Amount', escapeMrkdwn(view.amount)],
      ['Delivered', escapeMrkdwn(view.deliveredOn ?? 'today')],
      ['Milestone', title(view)],
    ]),
    section(`*Evidence*\n${escapeMrkdwn(view.evidence || 'No delivery evidence recorded yet: add links or screenshots in Notion.')}`),
  ];
  if (view.acceptanceOverdue) {
    blocks.push(section(':hourglass: *No acceptance after 24 hours.* Send the client the acceptance request again, or ask them directly.'));
  }
  if (view.blockers.length > 0) blocks.push(section(`*Fix before billing*\n${blockerLines(view.blockers)}`));
  blocks.push({
    type: 'actions',
    block_id: `cashin_card:${view.milestoneId}`,
    elements: [
      button('Client accepted', ACTIONS.accept, view.milestoneId, 'primary'),
      button(view.acceptanceOverdue ? 'Draft acceptance request again' : 'Draft acceptance request', ACTIONS.draftAcceptance, view.milestoneId),
      button('Edit billing details', ACTIONS.editBilling, view.milestoneId),
    ],
  });
  return blocks;
}

function reviewBlocks(view: ReviewCard): KnownBlock[] {
  const ready = view.blockers.length === 0;
  const blocks: KnownBlock[] = [
    header(`Invoice review: ${view.title}`),
    fields(reviewFields(view)),
    { type: 'divider' },
    section(`*Milestone recap*\n${escapeMrkdwn(view.packet.recap)}`),
    section(`*Delivery evidence*\n${escapeMrkdwn(view.packet.evidence)}`),
    section(`*Outcome*\n${escapeMrkdwn(view.packet.outcome)}`),
    section(`*Next checkpoint*\n${escapeMrkdwn(view.packet.nextCheckpoint)}`),
    { type: 'divider' },
  ];
  if (view.sendError) blocks.push(section(`:warning: *The last send failed.* ${escapeMrkdwn(view.sendError)}`));
  if (ready) {
    const when = view.autoSendAt
      ? `Goes out by itself at *${view.autoSendAt}* unless you send it first.`
      : `Waiting for your click. ${escapeMrkdwn(view.reviewReason ?? '')}`;
    blocks.push(section(`:white_check_mark: *Every billing rule passes.* ${when}`));
  } else {
    blocks.push(section(`:no_entry: *Not ready to send*\n${blockerLines(view.blockers)}`));
  }
  const elements = [
    ...(ready && view.fingerprint ? [button('Send invoice', ACTIONS.send, sendValue(view.milestoneId, view.fingerprint), 'primary')] : []),
    button('Edit billing details', ACTIONS.editBilling, view.milestoneId),
    ...(view.changeOrderPending ? [button('Draft change order', ACTIONS.draftChangeOrder, view.milestoneId)] : []),
  ];
  blocks.push({ type: 'actions', block_id: `cashin_card:${view.milestoneId}`, elements });
  return blocks;
}

function reviewFields(view: ReviewCard): [string, string][] {
  const pairs: [string, string][] = [
    ['Client', escapeMrkdwn(view.clientName)],
    [view.billing ? 'Amount before tax' : 'Amount', escapeMrkdwn(view.amount)],
  ];
  if (view.billing) {
    pairs.push(['Tax', escapeMrkdwn(view.billing.taxRate === 'none' ? 'none' : `${view.billing.taxRate}: ${view.billing.tax}`)]);
    pairs.push(['Total the client pays', `*${escapeMrkdwn(view.billing.total)}*`]);
    pairs.push(['Billing email', escapeMrkdwn(view.billing.billingEmail)]);
  } else {
    pairs.push(['Currency', escapeMrkdwn(view.currency)]);
  }
  pairs.push(['Due', escapeMrkdwn(view.paymentTerms)], ['PO number', escapeMrkdwn(view.poNumber || '—')], ['Milestone', title(view)]);
  return pairs;
}

function statusWord(view: InvoiceCard): string {
  if (view.exception && (view.status === 'paid' || view.status === 'open')) return exceptionWord(view);
  if (view.status === 'paid') {
    // Settled by a credit note, in part or in full: say how, since "paid" alone would claim money arrived.
    if (!view.credited) return 'paid';
    return view.paid ? `settled: ${settledWords(view)}` : `settled by credit note: ${settledWords(view)}, nothing paid`;
  }
  if (view.status === 'void') return 'void';
  if (view.status === 'uncollectible') return 'marked uncollectible';
  const late = view.overdue ? `overdue, ${view.daysLate} day${view.daysLate === 1 ? '' : 's'} late` : '';
  const settled = settledWords(view);
  if (view.remaining && settled) {
    // "Partly paid" only when money was paid: a credit note lowers what is owed, it pays nothing.
    const what = `${view.paid ? 'partly paid: ' : ''}${settled}, ${escapeMrkdwn(view.remaining)} left to pay`;
    return late ? `${what}; ${late}` : what;
  }
  return late || 'sent, awaiting payment';
}

/** An open exception in the Status field: what it is, and that a paid invoice stays paid. */
function exceptionWord(view: InvoiceCard): string {
  // Dispute reason is a select anyone editing Notion can add options to: shown as text, never markup.
  const reason = escapeMrkdwn(truncate(view.exception ?? '', 100));
  const paid = view.status === 'paid' ? 'paid; ' : '';
  if (view.cardDispute) return `${paid}card payment disputed by the client's bank (${reason})`;
  // A failed payment is an exception, not a dispute: the client tried to pay.
  if (view.exception === 'Payment failed') {
    const late = view.overdue ? `, overdue, ${view.daysLate} day${view.daysLate === 1 ? '' : 's'} late` : '';
    return `${paid}payment failed${late}`;
  }
  return `${paid}disputed (${reason})`;
}

/** What was paid and credited on the invoice, e.g. "USD 300.00 credited"; '' when neither. */
function settledWords(view: InvoiceCard): string {
  return [view.paid ? `${escapeMrkdwn(view.paid)} paid` : '', view.credited ? `${escapeMrkdwn(view.credited)} credited` : '']
    .filter((p) => p !== '')
    .join(', ');
}

function invoiceBlocks(view: InvoiceCard): KnownBlock[] {
  const icon = { paid: ':moneybag:', void: ':wastebasket:', uncollectible: ':x:', open: view.overdue ? ':alarm_clock:' : ':outbox_tray:', draft: ':memo:' }[
    view.status
  ];
  const who = view.sentBy === 'auto' ? 'Auto-sent after the grace period' : userMention(view.sentBy) ? `Sent by ${userMention(view.sentBy)}` : 'Sent';
  const pairs: [string, string][] = [
    ['Client', escapeMrkdwn(view.clientName)],
    ['Total', escapeMrkdwn(view.amount)],
    ['Status', statusWord(view)],
    ['Due', view.dueOn ?? '—'],
  ];
  if (view.paid) pairs.push(['Paid', escapeMrkdwn(view.paid)]);
  if (view.credited) pairs.push(['Credited', escapeMrkdwn(view.credited)]);
  if (view.remaining) pairs.push(['Remaining', escapeMrkdwn(view.remaining)]);
  if (view.promiseToPay) pairs.push(['Promised by', escapeMrkdwn(view.promiseToPay)]);
  const blocks: KnownBlock[] = [
    header(`${icon} Invoice ${view.number ?? ''}: ${view.title}`),
    fields(pairs),
    section(`*Payment link*\n${view.link ? mrkdwnLink(view.link, 'Hosted invoice page') : 'Not available yet.'}`),
  ];
  if (view.ladder) blocks.push(section(ladderText(view.ladder)));
  else if (view.exception) blocks.push(section(settledException(view)));
  blocks.push(context(`${who}${view.sentAt ? ` on ${view.sentAt}` : ''} · ${title(view)}`));
  const buttons = view.exception ? (view.collectible ? 'exception' : 'resolve') : view.ladder && view.status === 'open' ? 'collection' : null;
  if (buttons && view.invoiceId)
    blocks.push(...collectionButtons(buttons, view.milestoneId, view.invoiceId, `cashin_card:${view.milestoneId}`, view.finalNotice));
  return blocks;
}

/** An exception on an invoice with nothing left to collect: where it is answered, and how to close it. */
function settledException(view: InvoiceCard): string {
  const where = view.cardDispute
    ? `:warning: *The client's bank disputed a card payment.* ${escapeMrkdwn(cardDisputeLine(view.cardDispute))}`
    : `:warning: *Exception open: ${escapeMrkdwn(truncate(view.exception ?? '', 100))}.*`;
  return `${where}\nNothing is left to collect, so no reminders go out. Click *Mark resolved* once it is settled: that closes the exception in Notion.`;
}

/** The ladder on the card: each step with its day, done or next, and where it stands. */
function ladderText(ladder: LadderView): string {
  const mark = (s: LadderView['steps'][number]) =>
    s.skipped ? ':heavy_minus_sign:' : s.done ? ':white_check_mark:' : s.next ? ':arrow_right:' : ':white_small_square:';
  const steps = ladder.steps.map((s) => `${mark(s)} ${escapeMrkdwn(s.name)} · ${s.skipped ? 'skipped, ' : ''}${escapeMrkdwn(s.day)}`).join('\n');
  const note = ladder.note ? `\n:warning: ${escapeMrkdwn(ladder.note)}` : '';
  return `*Reminders (${escapeMrkdwn(ladder.cadence)})*\n${steps}\n_${escapeMrkdwn(ladder.status)}_${note}`;
}

/** Keeps a message under Slack's block count and total text size, dropping detail from the middle first. */
export function fitMessage(blocks: KnownBlock[]): KnownBlock[] {
  let fitted = blocks.slice(0, SLACK_LIMITS.blocksPerMessage);
  while (JSON.stringify(fitted).length > SLACK_LIMITS.messageText && fitted.length > 3) {
    const longest = fitted.reduce((best, b, i) => (JSON.stringify(b).length > JSON.stringify(fitted[best]).length ? i : best), 0);
    const block = fitted[longest];
    if (block?.type === 'section' && block.text && block.text.text.length > 500) {
      fitted = fitted.map((b, i) =>
        i === longest && b.type === 'section' && b.text
          ? { ...b, text: { ...b.text, text: truncateMrkdwn(b.text.text, Math.floor(b.text.text.length / 2)) } }
          : b,
      );
    } else {
      fitted = fitted.filter((_, i) => i !== longest);
    }
  }
  return fitted;
}
