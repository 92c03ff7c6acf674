import { describe, expect, it } from 'vitest';
import { fileType, pngSize, weeklyAnswer } from '../../src/sandbox/console-server.js';
import { mrkdwn, renderBlocks, renderModal } from '../../src/sandbox/console/block-kit.js';
import { homeHtml, messagesHtml } from '../../src/sandbox/console/channel.js';
import type { Message, State } from '../../src/sandbox/console/model.js';
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

describe('console Slack pane: files and App Home', () => {
  const base = {
    founder: 'U0FOUNDER1',
    clock: { now: '2026-12-07T08:00:00.000Z', offsetMs: 0 },
    ledger: { milestones: [], clients: [], editable: {}, clientEditable: {}, options: {} },
    invoices: [],
  };
  const message = (files: Message['files']): Message & { replies: Message[] } => ({
    ts: '17.000001',
    text: '',
    blocks: [],
    edited: false,
    broadcast: false,
    at: '2026-12-07T08:00:00.000Z',
    files,
    replies: [],
  });
  const stateWith = (channel: Partial<State['channel']>): State => ({ ...base, channel: { messages: [], ephemerals: [], views: [], home: null, ...channel } });

  it('draws a shared PNG as an image under its title, with room kept for its size', () => {
    const png = {
      id: 'F1',
      title: 'Cash-in forecast 2026-W50',
      name: 'cashin-forecast-2026-W50.png',
      type: 'image/png',
      size: 21_897,
      width: 800,
      height: 400,
    };
    const html = messagesHtml(stateWith({ messages: [message([png])] }), new Set());
    expect(html).toContain('<img src="/api/files/F1" alt="Cash-in forecast 2026-W50" width="800" height="400">');
    expect(html).toContain('<span class="file-title">Cash-in forecast 2026-W50</span>');
    expect(html).toContain('21 KB');
    // A message that is only a file draws no empty text above it.
    expect(html).not.toContain('<div></div>');
  });

  it('offers any other file as a download, and escapes what the uploader named it', () => {
    const csv = { id: 'F"2', title: '<b>aging</b>', name: 'aging<.csv', type: 'application/octet-stream', size: 10 };
    const html = messagesHtml(stateWith({ messages: [message([csv])] }), new Set());
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>aging');
    expect(html).toContain('href="/api/files/F%222" download');
    expect(html).toContain('&#60;b&#62;aging&#60;/b&#62;');
  });

  it('draws App Home from its Block Kit, and says when it is being opened', () => {
    const home = {
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: 'Cash-in forecast, 5 weeks from Mon 7 Dec' } },
        { type: 'divider' },
        { type: 'context', elements: [{ type: 'mrkdwn', text: 'Refreshed each time you open this tab.' }] },
      ],
      hash: '1796229325.abc',
      at: '2026-12-07T08:00:00.000Z',
    };
    const drawn = homeHtml(stateWith({ home }), false);
    expect(drawn).toContain('<h3 class="sk-header">Cash-in forecast, 5 weeks from Mon 7 Dec</h3>');
    expect(drawn).toContain('<hr class="sk-divider">');
    expect(drawn).toContain('when you opened this tab');
    expect(homeHtml(stateWith({ home }), true)).toContain('home-body stale');
    expect(homeHtml(stateWith({}), false)).toContain('Cashin has not drawn this tab yet.');
  });

  it('reads a PNG size from its header and serves only images inline', () => {
    const header = Buffer.alloc(24);
    Buffer.from('89504e470d0a1a0a', 'hex').copy(header, 0);
    header.write('IHDR', 12, 'latin1');
    header.writeUInt32BE(800, 16);
    header.writeUInt32BE(400, 20);
    expect(pngSize(header)).toEqual({ width: 800, height: 400 });
    expect(pngSize(Buffer.from('not a png at all, not at all'))).toEqual({});
    expect(fileType({ filename: 'chart.PNG' })).toBe('image/png');
    expect(fileType({ filename: 'page.svg' })).toBe('application/octet-stream');
    expect(fileType({ filename: 'README' })).toBe('application/octet-stream');
  });

  it('words what a weekly button did', () => {
    expect(weeklyAnswer('monday forecast', 'ran')).toBe('Monday forecast posted in the channel.');
    expect(weeklyAnswer('friday review', 'already-done')).toBe('Friday review already posted this week: Cashin posts it once a week.');
  });
});
