/** Modals the founder fills in from a card. Pure builders; values are clipped to Slack's limits. */
import type { types } from '@slack/bolt';
import { isValidEmail, isValidTaxId } from '../../domain/billing-rules.js';
import { truncate } from '../../domain/text.js';
import { ACCEPT_VIEW, EDIT_BILLING_VIEW } from './card.js';
import { SLACK_LIMITS } from './limits.js';
import { escapeMrkdwn, truncateMrkdwn } from './mrkdwn.js';

type View = types.ModalView;

export const FIELDS = {
  billingEmail: 'billing_email',
  poNumber: 'po_number',
  taxId: 'tax_id',
  evidence: 'acceptance_evidence',
} as const;

const plain = (text: string, max: number) => ({ type: 'plain_text' as const, text: truncate(text, max) });

function textInput(
  id: string,
  label: string,
  initial: string,
  options: { optional: boolean; hint?: string; maxLength: number; kind?: 'email' | 'url' },
): types.InputBlock {
  const base = { action_id: id, ...(initial ? { initial_value: truncate(initial, options.maxLength) } : {}) };
  const element =
    options.kind === 'email'
      ? { type: 'email_text_input' as const, ...base }
      : options.kind === 'url'
        ? { type: 'url_text_input' as const, ...base }
        : { type: 'plain_text_input' as const, max_length: options.maxLength, ...base };
  return {
    type: 'input',
    block_id: id,
    optional: options.optional,
    label: plain(label, 2000),
    element,
    ...(options.hint ? { hint: plain(options.hint, 2000) } : {}),
  };
}

export type BillingDetails = { billingEmail: string; poNumber: string; taxId: string };

/** What is wrong with billing details typed in the modal, by field; empty when they can be saved. */
export function billingDetailsErrors(input: BillingDetails, rules: { poRequired: boolean }): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!isValidEmail(input.billingEmail)) errors[FIELDS.billingEmail] = 'Enter an email address such as ap@client.com.';
  if (rules.poRequired && input.poNumber === '') errors[FIELDS.poNumber] = 'This client requires a PO number on every invoice.';
  if (input.taxId !== '' && !isValidTaxId(input.taxId)) errors[FIELDS.taxId] = 'Use letters, digits, spaces, dots, dashes or slashes (3 to 40 characters).';
  return errors;
}

export function editBillingModal(
  milestoneId: string,
  clientName: string,
  values: BillingDetails,
  rules: { poRequired: boolean } = { poRequired: false },
): View {
  return {
    type: 'modal',
    callback_id: EDIT_BILLING_VIEW,
    private_metadata: truncate(milestoneId, SLACK_LIMITS.privateMetadata),
    title: plain('Billing details', SLACK_LIMITS.viewTitle),
    submit: plain('Save', SLACK_LIMITS.viewTitle),
    close: plain('Cancel', SLACK_LIMITS.viewTitle),
    blocks: [
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: truncateMrkdwn(`Saved to Notion: email and tax id on *${escapeMrkdwn(truncate(clientName, 300))}*, PO number on this milestone.`, 3000),
          },
        ],
      },
      textInput(FIELDS.billingEmail, 'Billing email', values.billingEmail, {
        optional: false,
        kind: 'email',
        maxLength: 254,
        hint: 'Stripe sends the invoice here.',
      }),
      textInput(FIELDS.poNumber, 'PO number', values.poNumber, {
        optional: !rules.poRequired,
        maxLength: 140,
        hint: rules.poRequired ? 'Required by this client; printed on the invoice.' : 'Printed on the invoice.',
      }),
      textInput(FIELDS.taxId, 'Client tax ID', values.taxId, { optional: true, maxLength: 40 }),
    ],
  };
}

export function acceptModal(milestoneId: string, title: string): View {
  return {
    type: 'modal',
    callback_id: ACCEPT_VIEW,
    private_metadata: truncate(milestoneId, SLACK_LIMITS.privateMetadata),
    title: plain('Client accepted', SLACK_LIMITS.viewTitle),
    submit: plain('Mark accepted', SLACK_LIMITS.viewTitle),
    close: plain('Cancel', SLACK_LIMITS.viewTitle),
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: truncateMrkdwn(
            `Billing needs proof that the client accepted *${escapeMrkdwn(truncate(title, 500))}*. Paste a link to their confirmation: an email, a message, a signed document.`,
            3000,
          ),
        },
      },
      textInput(FIELDS.evidence, 'Acceptance evidence (link)', '', { optional: false, kind: 'url', maxLength: 2000 }),
    ],
  };
}
