import { describe, expect, it } from 'vitest';
import type { Blocker } from '../../src/domain/billing-rules.js';
import type { CardView } from '../../src/domain/card-view.js';
import { renderCard } from '../../src/slack/blocks/card.js';
import { editBillingModal, acceptModal } from '../../src/slack/blocks/modals.js';
import { SLACK_LIMITS } from '../../src/slack/blocks/limits.js';
import { aClient, aMilestone, anInvoice, cardView } from '../support/records.js';

const huge = (n: number) => 'ünïcode & <tags> | '.repeat(Math.ceil(n / 19)).slice(0, n);
const now = new Date('2026-11-21T12:00:00Z');

function views(): [string, CardView][] {
  const milestone = aMilestone({
    title: huge(5000),
    deliveryEvidence: huge(20_000),
    outcome: huge(9000),
    nextCheckpoint: huge(9000),
    poNumber: huge(300),
    project: huge(500),
  });
  const client = aClient({ name: huge(2000), billingEmail: null });
  const manyBlockers: Blocker[] = Array.from({ length: 80 }, (_, i) => ({
    rule: 'completeness',
    code: 'po_missing',
    message: `${i} ${huge(400)}`,
    fix: huge(400),
  }));
  const invoice = anInvoice({
    number: huge(200),
    hostedUrl: `https://pay.test/${huge(1000)}`,
    total: 100,
    amountPaid: 50,
    amountRemaining: 50,
    created: now.toISOString(),
    dueDate: now.toISOString(),
  });
  const extra = { autoSendAt: now, now, sendError: huge(5000) };
  const review = cardView(milestone, client, extra);
  if (review.kind !== 'review') throw new Error('expected a review card');
  return [
    ['delivered', cardView({ ...milestone, stage: 'Delivered' }, client, extra)],
    ['review', review],
    ['review with 80 blockers', { ...review, blockers: manyBlockers }],
    ['invoice', cardView(milestone, client, { ...extra, invoice })],
    ['withdrawn', cardView({ ...milestone, stage: 'Planned' }, client, extra)],
  ];
}

function texts(value: unknown, found: { key: string; text: string }[] = [], key = ''): { key: string; text: string }[] {
  if (Array.isArray(value)) for (const v of value) texts(v, found, key);
  else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.text === 'string') found.push({ key: `${key}.${String(o.type)}`, text: o.text });
    for (const [k, v] of Object.entries(o)) texts(v, found, k);
  }
  return found;
}

describe('card blocks stay inside Slack limits whatever the input', () => {
  it.each(views())('%s', (_label, view) => {
    const { text, blocks } = renderCard(view);
    expect(blocks.length).toBeGreaterThan(1);
    expect(blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocksPerMessage);
    expect(text.length).toBeLessThanOrEqual(SLACK_LIMITS.fallbackText);
    expect(JSON.stringify(blocks).length).toBeLessThanOrEqual(SLACK_LIMITS.messageText);
    for (const block of blocks) {
      if (block.type === 'header') expect(block.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
      if (block.type === 'section') {
        expect(block.text?.text.length ?? 0).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
        expect(block.fields?.length ?? 0).toBeLessThanOrEqual(SLACK_LIMITS.fieldsPerSection);
        for (const f of block.fields ?? []) expect(f.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fieldText);
      }
      if (block.type === 'actions') {
        for (const e of block.elements) {
          if (e.type !== 'button') continue;
          expect(e.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.buttonText);
          expect((e.value ?? '').length).toBeLessThanOrEqual(SLACK_LIMITS.buttonValue);
        }
      }
    }
    expect(texts(blocks).every((t) => t.text.length > 0)).toBe(true);
  });

  it('keeps the buttons when it has to cut', () => {
    const review = views().find(([label]) => label === 'review with 80 blockers')?.[1];
    if (!review) throw new Error('missing view');
    const { blocks } = renderCard(review);
    expect(blocks.at(-1)?.type).toBe('actions');
  });

  it('escapes Slack control characters typed by the founder', () => {
    const view = views().find(([label]) => label === 'review')?.[1];
    if (!view) throw new Error('missing view');
    const mrkdwn = texts(renderCard(view).blocks)
      .filter((t) => t.key.endsWith('.mrkdwn'))
      .map((t) => t.text)
      .join('\n');
    expect(mrkdwn).not.toContain('<tags>');
    expect(mrkdwn).toContain('&lt;tags&gt;');
  });

  it('builds modals inside view limits', () => {
    for (const view of [
      editBillingModal('ms-1', huge(500), { billingEmail: huge(400), poNumber: huge(400), taxId: huge(400) }),
      acceptModal('ms-1', huge(5000)),
    ]) {
      expect(view.title.text.length).toBeLessThanOrEqual(SLACK_LIMITS.viewTitle);
      expect(view.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocksPerView);
      for (const t of texts(view.blocks)) expect(t.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    }
  });
});

describe('the review card', () => {
  it('shows tax and total as soon as the amount is valid, even while a rule still blocks sending', () => {
    const view = cardView(aMilestone({ poNumber: '' }), aClient({ taxRate: 19, poRequired: true }));
    expect(view.kind === 'review' && view.blockers.map((b) => b.code)).toEqual(['po_missing']);
    const blocks = JSON.stringify(renderCard(view).blocks);
    expect(blocks).toContain('19 %: USD 475.00');
    expect(blocks).toContain('USD 2,975.00');
    expect(blocks).not.toContain('cashin_send');
  });
});
