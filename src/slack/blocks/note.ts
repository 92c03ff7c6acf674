/**
 * Thread replies (ladder steps, exceptions, prompts) as Block Kit, and the collection buttons they
 * share with the invoice card. Every text in a note is plain text: it is escaped here, so a client
 * name or a Notion field can never become a mention or a link.
 */
import type { types } from '@slack/bolt';
import type { ThreadNote } from '../../domain/collection-notes.js';
import { truncate } from '../../domain/text.js';
import { collectionButtons, fitMessage, type CardMessage } from './card.js';
import { SLACK_LIMITS } from './limits.js';
import { escapeMrkdwn, truncateMrkdwn, userMention } from './mrkdwn.js';

type KnownBlock = types.KnownBlock;

const CHECK = { true: ':white_check_mark:', false: ':x:', null: ':grey_question:' } as const;

export function renderNote(note: ThreadNote, approverIds: readonly string[]): CardMessage {
  const mentions = note.needsFounder ? approverIds.map((id) => `<@${id}>`).join(' ') : '';
  // Who asked, as a mention: the id is checked before it becomes markup, never printed raw.
  const by = note.requestedBy ? ` (at ${userMention(note.requestedBy) ?? 'an approver'}'s request)` : '';
  const head = `${mentions ? `${mentions} ` : ''}*${escapeMrkdwn(truncate(note.title, 500))}*${by}`;
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: truncateMrkdwn(head, SLACK_LIMITS.sectionText) } }];
  if (note.lines.length > 0) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncateMrkdwn(note.lines.map(escapeMrkdwn).join('\n'), SLACK_LIMITS.sectionText) } });
  }
  if (note.checklist.length > 0) {
    const items = note.checklist.map((item) => `${CHECK[String(item.ok) as keyof typeof CHECK]} ${escapeMrkdwn(item.label)}`).join('\n');
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncateMrkdwn(`*Billing data to confirm*\n${items}`, SLACK_LIMITS.sectionText) } });
  }
  if (note.draft) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: truncateMrkdwn(`*${escapeMrkdwn(note.draft.label)}*`, SLACK_LIMITS.sectionText) }] });
    // plain_text shows the draft exactly as written, ready to copy.
    blocks.push({ type: 'section', text: { type: 'plain_text', text: truncate(note.draft.text, SLACK_LIMITS.sectionText) } });
  }
  blocks.push(...collectionButtons(note.buttons, note.milestoneId, note.invoiceId, `cashin_note:${note.milestoneId}`, note.finalNotice ?? null));
  const text = truncateMrkdwn(`${mentions ? `${mentions} ` : ''}${escapeMrkdwn(note.title)}${by}`, SLACK_LIMITS.fallbackText);
  return { text, blocks: fitMessage(blocks) };
}
