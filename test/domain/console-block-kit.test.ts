import { describe, expect, it } from 'vitest';
import { mrkdwn, renderBlocks, renderModal } from '../../src/sandbox/console/block-kit.js';
import { renderCard } from '../../src/slack/blocks/card.js';
import { editBillingModal } from '../../src/slack/blocks/modals.js';
import { aClient, aMilestone, cardView } from '../support/records.js';

describe('console Block Kit rendering', () => {
  it.each([
    ['*bold* and _italic_ and ~gone~ and `code`', '<strong>bold</strong> and <em>italic</em> and <del>gone</del> and <code>code</code>'],
    [
      '<https://pay.example/i/1|Pay now> for <@U123>',
      '<a href="https://pay.example/i/1" target="_blank" rel="noopener">Pay now</a> for <span class="mention">@U123</span>',
    ],
    ['a &lt;b&gt; &amp; c', 'a &#60;b&#62; &#38; c'],
    ['line one\nline two', 'line one<br>line two'],
    [':white_check_mark: ready', '✔ ready'],
  ])('mrkdwn %j', (input, html) => {
    expect(mrkdwn(input)).toBe(html);
  });

  it('never lets typed text become markup', () => {
    const evil = '<img src=x onerror=alert(1)> "quoted" \'single\'';
    const html = renderBlocks(
      [
        { type: 'header', text: { type: 'plain_text', text: evil } },
        { type: 'section', text: { type: 'mrkdwn', text: evil }, fields: [{ type: 'plain_text', text: evil }] },
        { type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: evil }, action_id: evil, value: 'v' }] },
        { type: 'section', text: { type: 'mrkdwn', text: '<javascript:alert(1)|click>' } },
      ],
      '1.0',
    );
    expect(html).not.toMatch(/<img|onerror=alert\(1\)>|href="javascript/);
    expect(html).toContain('&#60;img');
  });

  it('draws every card Cashin sends with working buttons', () => {
    const milestone = aMilestone({ stage: 'Delivered', accepted: null });
    const view = cardView(milestone, aClient());
    const html = renderBlocks(renderCard(view).blocks, '17.000100');
    expect(html).toContain('data-action="cashin_accept"');
    expect(html).toContain('data-ts="17.000100"');
    expect(html).toContain('<h3 class="sk-header">Delivered: Homepage design approved</h3>');
  });

  it('draws modals as forms with their inputs and initial values', () => {
    const html = renderModal('V1', editBillingModal('ms-1', 'Acme', { billingEmail: 'ap@acme.test', poNumber: 'PO-1', taxId: '' }));
    expect(html).toContain('data-view="V1"');
    expect(html).toContain('name="billing_email" type="email" value="ap@acme.test"');
    expect(html).toContain('name="po_number" type="text" value="PO-1"');
  });
});
