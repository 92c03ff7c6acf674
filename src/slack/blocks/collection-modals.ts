/**
 * Modals behind the collection buttons: snooze, promise to pay, mark disputed, paid outside
 * Stripe, and void and reissue. Each carries the button's value (milestone and invoice) in its
 * private_metadata, so the answer acts on the invoice the founder was looking at.
 */
import type { types } from '@slack/bolt';
import { DISPUTE_REASONS } from '../../domain/milestone.js';
import { truncate } from '../../domain/text.js';
import { VIEWS } from './card.js';
import { SLACK_LIMITS } from './limits.js';
import { escapeMrkdwn, truncateMrkdwn } from './mrkdwn.js';

type View = types.ModalView;
type Block = types.KnownBlock;

export const COLLECTION_FIELDS = {
  days: 'snooze_days',
  date: 'promise_date',
  reason: 'dispute_reason',
  note: 'dispute_note',
  choice: 'paid_outside_choice',
} as const;

const plain = (text: string, max = 2000) => ({ type: 'plain_text' as const, text: truncate(text, max) });
const intro = (text: string): Block => ({ type: 'section', text: { type: 'mrkdwn', text: truncateMrkdwn(text, SLACK_LIMITS.sectionText) } });

function modal(callbackId: string, metadata: string, title: string, submit: string | null, blocks: Block[]): View {
  return {
    type: 'modal',
    callback_id: callbackId,
    private_metadata: truncate(metadata, SLACK_LIMITS.privateMetadata),
    title: plain(title, SLACK_LIMITS.viewTitle),
    ...(submit ? { submit: plain(submit, SLACK_LIMITS.viewTitle) } : {}),
    close: plain('Cancel', SLACK_LIMITS.viewTitle),
    blocks,
  };
}

const input = (id: string, label: string, element: types.InputBlock['element'], optional = false): Block => ({
  type: 'input',
  block_id: id,
  optional,
  label: plain(label),
  element,
});

export function snoozeModal(value: string, invoiceLabel: string, maxDays: number): View {
  return modal(VIEWS.snooze, value, 'Snooze reminders', 'Snooze', [
    intro(`No reminder or escalation for invoice *${escapeMrkdwn(truncate(invoiceLabel, 200))}* until the snooze ends. Then the ladder picks up the step due.`),
    input(COLLECTION_FIELDS.days, `Days (1 to ${maxDays})`, {
      type: 'number_input',
      action_id: COLLECTION_FIELDS.days,
      is_decimal_allowed: false,
      min_value: '1',
      max_value: String(maxDays),
      initial_value: '7',
    }),
  ]);
}

export function promiseModal(value: string, invoiceLabel: string, today: string): View {
  return modal(VIEWS.promise, value, 'Promise to pay', 'Save', [
    intro(
      `When did the client promise to pay invoice *${escapeMrkdwn(truncate(invoiceLabel, 200))}*? Reminders wait until that day is over; Cashin writes the date to *Promise to pay*.`,
    ),
    input(COLLECTION_FIELDS.date, 'Promised by', { type: 'datepicker', action_id: COLLECTION_FIELDS.date, initial_date: today }),
  ]);
}

export function disputeModal(value: string, invoiceLabel: string): View {
  return modal(VIEWS.dispute, value, 'Mark disputed', 'Open exception', [
    intro(
      `Opens an exception on invoice *${escapeMrkdwn(truncate(invoiceLabel, 200))}*: reminders pause and its status becomes Disputed until you resume or reissue it.`,
    ),
    input(COLLECTION_FIELDS.reason, 'Reason', {
      type: 'static_select',
      action_id: COLLECTION_FIELDS.reason,
      options: DISPUTE_REASONS.map((r) => ({ text: plain(r, 75), value: r })),
    }),
    input(
      COLLECTION_FIELDS.note,
      'What happened (for the audit trail)',
      { type: 'plain_text_input', action_id: COLLECTION_FIELDS.note, multiline: true, max_length: 500 },
      true,
    ),
  ]);
}

export function paidOutsideModal(value: string, invoiceLabel: string): View {
  return modal(VIEWS.paidOutside, value, 'Paid outside Stripe', 'Record', [
    intro(`Invoice *${escapeMrkdwn(truncate(invoiceLabel, 200))}*: what happened?`),
    input(COLLECTION_FIELDS.choice, 'Choose one', {
      type: 'radio_buttons',
      action_id: COLLECTION_FIELDS.choice,
      options: [
        { text: plain('The client paid outside Stripe (bank transfer, cheque): mark it paid', 75), value: 'paid' },
        { text: plain('Cancel it: void the invoice, the client owes nothing on it', 75), value: 'void' },
      ],
    }),
  ]);
}

/** Shows exactly what the corrected invoice will bill; without a fingerprint it explains what to fix instead. */
export function reissueModal(value: string, invoiceLabel: string, preview: { fingerprint: string; terms: string } | { problem: string }): View {
  if ('problem' in preview) {
    return modal(VIEWS.reissue, value, 'Void and reissue', null, [
      intro(`Invoice *${escapeMrkdwn(truncate(invoiceLabel, 200))}* cannot be reissued yet.\n${escapeMrkdwn(preview.problem)}`),
    ]);
  }
  return modal(VIEWS.reissue, `${value}|${preview.fingerprint}`, 'Void and reissue', 'Void and send', [
    intro(
      `Cashin voids invoice *${escapeMrkdwn(truncate(invoiceLabel, 200))}* and sends a corrected one for:\n*${escapeMrkdwn(preview.terms)}*\nCorrect the row in Notion first if this is not right, then open this form again.`,
    ),
  ]);
}
