/**
 * Renders a milestone's CardView as Block Kit. Pure: the same view always gives the same blocks,
 * and whatever the founder typed, the result stays inside Slack's limits.
 */
import type { types } from '@slack/bolt';
import type { Blocker } from '../../domain/billing-rules.js';
import type { CardView, DeliveredCard, InvoiceCard, ReviewCard } from '../../domain/card-view.js';
import { truncate } from '../../domain/text.js';
import { SLACK_LIMITS } from './limits.js';

type KnownBlock = types.KnownBlock;

export const ACTIONS = {
  accept: 'cashin_accept',
  draftAcceptance: 'cashin_draft_acceptance',
  send: 'cashin_send',
  editBilling: 'cashin_edit_billing',
  draftChangeOrder: 'cashin_draft_change_order',
} as const;

export const EDIT_BILLING_VIEW = 'cashin_edit_billing_modal';
export const ACCEPT_VIEW = 'cashin_accept_modal';

export type CardMessage = { text: string; blocks: KnownBlock[] };

/** Slack mrkdwn treats &, < and > as control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const md = (text: string, max: number = SLACK_LIMITS.sectionText) => ({ type: 'mrkdwn' as const, text: truncate(text, max) });
const section = (text: string): KnownBlock => ({ type: 'section', text: md(text) });
const fields = (pairs: [string, string][]): KnownBlock => ({
  type: 'section',
  fields: pairs.slice(0, SLACK_LIMITS.fieldsPerSection).map(([k, v]) => md(`*${k}*\n${v}`, SLACK_LIMITS.fieldText)),
});
const context = (text: string): KnownBlock => ({ type: 'context', elements: [md(text)] });
const header = (text: string): KnownBlock => ({ type: 'header', text: { type: 'plain_text', text: truncate(text, SLACK_LIMITS.headerText), emoji: true } });

function button(text: string, actionId: string, value: string, style?: 'primary' | 'danger') {
  return {
    type: 'button' as const,
    text: { type: 'plain_text' as const, text: truncate(text, SLACK_LIMITS.buttonText), emoji: true },
    action_id: actionId,
    value: truncate(value, SLACK_LIMITS.buttonValue),
    ...(style ? { style } : {}),
  };
}

function link(url: string | null, label: string): string {
  if (!url) return escapeMrkdwn(label);
  return `<${url.replace(/[<>|]/g, encodeURIComponent)}|${escapeMrkdwn(label).replace(/\|/g, '¦')}>`;
}

function title(view: CardView): string {
  return link(view.milestoneUrl, view.title);
}

function blockerLines(blockers: readonly Blocker[]): string {
  return blockers.map((b) => `• ${escapeMrkdwn(b.message)}\n    _${escapeMrkdwn(b.fix)}_`).join('\n');
}

export function renderCard(view: CardView): CardMessage {
  const blocks = buildBlocks(view);
  return { text: truncate(fallbackText(view), SLACK_LIMITS.fallbackText), blocks: fitMessage(blocks) };
}

function buildBlocks(view: CardView): KnownBlock[] {
  switch (view.kind) {
    case 'delivered': return deliveredBlocks(view);
    case 'review': return reviewBlocks(view);
    case 'invoice': return invoiceBlocks(view);
    case 'withdrawn': return [
      header(`Back to ${view.stage}: ${view.title}`),
      context(`${escapeMrkdwn(view.clientName)} · ${escapeMrkdwn(view.amount)} · Stage changed in Notion; nothing to bill until it is Delivered again.`),
    ];
  }
}

function fallbackText(view: CardView): string {
  switch (view.kind) {
    case 'delivered': return `Delivered: ${view.title} for ${view.clientName} (${view.amount}). Waiting for the client's acceptance.`;
    case 'review': return `Invoice review: ${view.title} for ${view.clientName} (${view.amount}).`;
    case 'invoice': return `Invoice ${view.number ?? ''} for ${view.title} (${view.clientName}): ${view.amount}, ${statusWord(view)}.`;
    case 'withdrawn': return `${view.title} is back to ${view.stage}.`;
  }
}

function deliveredBlocks(view: DeliveredCard): KnownBlock[] {
  const blocks: KnownBlock[] = [
    header(`Delivered: ${view.title}`),
    fields([
      ['Client', escapeMrkdwn(view.clientName)],
      ['Amount', escapeMrkdwn(view.amount)],
      ['Delivered', view.deliveredOn ?? 'today'],
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
    fields([
      ['Client', escapeMrkdwn(view.clientName)],
      ['Amount', escapeMrkdwn(view.amount)],
      ['Currency', view.currency],
      ['Due', escapeMrkdwn(view.paymentTerms)],
      ['PO number', escapeMrkdwn(view.poNumber || '—')],
      ['Milestone', title(view)],
    ]),
    { type: 'divider' },
    section(`*Milestone recap*\n${escapeMrkdwn(view.packet.recap)}`),
    section(`*Delivery evidence*\n${escapeMrkdwn(view.packet.evidence)}`),
    section(`*Outcome*\n${escapeMrkdwn(view.packet.outcome)}`),
    section(`*Next checkpoint*\n${escapeMrkdwn(view.packet.nextCheckpoint)}`),
    { type: 'divider' },
  ];
  if (view.sendError) blocks.push(section(`:warning: *The last send failed.* ${escapeMrkdwn(view.sendError)}`));
  if (ready) {
    const when = view.autoSendAt ? `Goes out by itself at *${view.autoSendAt}* unless you send it first.` : `Waiting for your click. ${escapeMrkdwn(view.reviewReason ?? '')}`;
    blocks.push(section(`:white_check_mark: *Every billing rule passes.* ${when}`));
  } else {
    blocks.push(section(`:no_entry: *Not ready to send*\n${blockerLines(view.blockers)}`));
  }
  const elements = [
    ...(ready ? [button('Send invoice', ACTIONS.send, view.milestoneId, 'primary')] : []),
    button('Edit billing details', ACTIONS.editBilling, view.milestoneId),
    ...(view.changeOrderPending ? [button('Draft change order', ACTIONS.draftChangeOrder, view.milestoneId)] : []),
  ];
  blocks.push({ type: 'actions', block_id: `cashin_card:${view.milestoneId}`, elements });
  return blocks;
}

function statusWord(view: InvoiceCard): string {
  if (view.status === 'paid') return 'paid';
  if (view.status === 'void') return 'void';
  if (view.status === 'uncollectible') return 'marked uncollectible';
  if (view.remaining) return 'partly paid';
  return view.overdue ? 'overdue' : 'sent, awaiting payment';
}

function invoiceBlocks(view: InvoiceCard): KnownBlock[] {
  const icon = { paid: ':moneybag:', void: ':wastebasket:', uncollectible: ':x:', open: view.overdue ? ':alarm_clock:' : ':outbox_tray:', draft: ':memo:' }[view.status];
  const who = view.sentBy === 'auto' ? 'Auto-sent after the grace period' : view.sentBy ? `Sent by <@${view.sentBy}>` : 'Sent';
  const pairs: [string, string][] = [
    ['Client', escapeMrkdwn(view.clientName)],
    ['Amount', escapeMrkdwn(view.amount)],
    ['Status', statusWord(view)],
    ['Due', view.dueOn ?? '—'],
  ];
  if (view.paid) pairs.push(['Paid', escapeMrkdwn(view.paid)]);
  if (view.remaining) pairs.push(['Remaining', escapeMrkdwn(view.remaining)]);
  return [
    header(`${icon} Invoice ${view.number ?? ''}: ${view.title}`),
    fields(pairs),
    section(`*Payment link*\n${view.link ? link(view.link, 'Hosted invoice page') : 'Not available yet.'}`),
    context(`${who}${view.sentAt ? ` on ${view.sentAt}` : ''} · ${title(view)}`),
  ];
}

/** Keeps a message under Slack's block count and total text size, dropping detail from the middle first. */
export function fitMessage(blocks: KnownBlock[]): KnownBlock[] {
  let fitted = blocks.slice(0, SLACK_LIMITS.blocksPerMessage);
  while (JSON.stringify(fitted).length > SLACK_LIMITS.messageText && fitted.length > 3) {
    const longest = fitted.reduce((best, b, i) => (JSON.stringify(b).length > JSON.stringify(fitted[best]).length ? i : best), 0);
    const block = fitted[longest];
    if (block?.type === 'section' && block.text && block.text.text.length > 500) {
      fitted = fitted.map((b, i) => (i === longest && b.type === 'section' && b.text ? { ...b, text: { ...b.text, text: truncate(b.text.text, Math.floor(b.text.text.length / 2)) } } : b));
    } else {
      fitted = fitted.filter((_, i) => i !== longest);
    }
  }
  return fitted;
}

/** The ready-to-send note asking the client to confirm acceptance within 24 hours. */
export function acceptanceRequestText(view: { title: string; clientName: string; evidence: string }): string {
  return [
    `Hi ${view.clientName} team,`,
    '',
    `"${view.title}" is delivered. You can review it here: ${view.evidence || '(add the delivery link)'}`,
    '',
    'Could you confirm within 24 hours that it is accepted, or tell us what still needs to change? A short reply to this message is enough: it lets us close the milestone and start the next one.',
    '',
    'Thank you!',
  ].join('\n');
}
