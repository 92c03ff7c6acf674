/**
 * "Send final notice" emails the client at once and may pause their service: on the invoice card and
 * under the ladder's notes it sits last, not first and not red, and Slack asks before it goes, in a
 * confirmation dialog that says exactly what happens.
 */
import { describe, expect, it } from 'vitest';
import type { types } from '@slack/bolt';
import { emptyLedgerInvoice } from '../../src/domain/milestone.js';
import { ACTIONS, renderCard } from '../../src/slack/blocks/card.js';
import { aClient, aMilestone, anInvoice, cardView } from '../support/records.js';

type Confirm = { title: { text: string }; text: { text: string; type: string }; confirm: { text: string }; deny: { text: string }; style: string };
type Button = { action_id: string; style?: string; text: { text: string }; confirm?: Confirm };

function actions(blocks: types.KnownBlock[]): Button[] {
  return blocks.filter((b) => b.type === 'actions').flatMap((b) => (b as { elements: Button[] }).elements);
}

function freshInvoiceCard(servicePause: boolean) {
  const milestone = aMilestone({ invoice: { ...emptyLedgerInvoice(), id: 'in_1', status: 'Sent', sent: '2026-11-20T11:00:00+01:00', due: '2026-12-04' } });
  const client = aClient({ name: 'Umbrella', billingEmail: 'keiri@umbrella.example', servicePause });
  return renderCard(cardView(milestone, client, { invoice: anInvoice(), now: new Date('2026-11-20T12:00:00Z') }));
}

describe('the Send final notice button', () => {
  it('is neither the first nor a red button on a fresh invoice, and stays available', () => {
    const buttons = actions(freshInvoiceCard(false).blocks);
    expect(buttons.length).toBeGreaterThan(1);
    expect(buttons[0]?.action_id).not.toBe(ACTIONS.finalNotice);
    const final = buttons.find((b) => b.action_id === ACTIONS.finalNotice);
    expect(final).toBeDefined();
    expect(final?.style).toBeUndefined();
    expect(buttons.at(-1)?.action_id).toBe(ACTIONS.finalNotice);
  });

  it('asks first, saying exactly what happens, including the service pause when the client has one', () => {
    const final = actions(freshInvoiceCard(true).blocks).find((b) => b.action_id === ACTIONS.finalNotice);
    const confirm = final?.confirm as {
      title: { text: string };
      text: { text: string; type: string };
      confirm: { text: string };
      deny: { text: string };
      style: string;
    };
    expect(confirm.title.text).toBe('Send the final notice?');
    expect(confirm.confirm.text).toBe('Send final notice');
    expect(confirm.deny.text).toBe('Cancel');
    expect(confirm.style).toBe('danger');
    expect(confirm.text.type).toBe('plain_text');
    expect(confirm.text.text).toContain('Stripe emails invoice CASH-0001 to keiri@umbrella.example again now, as the final notice');
    expect(confirm.text.text).toContain('Umbrella has Service pause: "Service paused" is set and work pauses until the invoice is paid.');
    expect(confirm.text.text.length).toBeLessThanOrEqual(300);

    const without = actions(freshInvoiceCard(false).blocks).find((b) => b.action_id === ACTIONS.finalNotice);
    expect(without?.confirm?.text.text).toContain('No service pause: this is a notice only.');
  });
});
