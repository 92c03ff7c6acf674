/**
 * Rows a founder can really type into Notion. Each must end with a clear line in Blockers and a card
 * that says what to fix, and Stripe must never see an invoice for any of them, although these
 * clients allow auto-send and the acceptance is hours old.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIONS } from '../../src/slack/blocks/card.js';
import { harness, type Harness } from '../support/harness.js';
import { CHANNEL, createWorld, select, type World } from '../support/world.js';

type Row = { label: string; milestone: Record<string, unknown>; client: Record<string, unknown> | null; blocker: string };

const text = (v: string) => ({ rich_text: [{ text: { content: v } }] });
const longTitle = 'Quarterly report '.repeat(300).slice(0, 5000);

const ROWS: Row[] = [
  { label: 'negative amount', milestone: { Amount: { number: -500 } }, client: {}, blocker: 'an invoice needs a positive amount' },
  { label: 'empty amount', milestone: { Amount: { number: null } }, client: {}, blocker: 'Amount is empty or not a number' },
  { label: 'three decimals in USD', milestone: { Amount: { number: 100.125 } }, client: {}, blocker: 'more decimals than USD allows' },
  { label: 'decimals in JPY', milestone: { Amount: { number: 1500.5 }, Currency: select('JPY') }, client: {}, blocker: 'more decimals than JPY allows' },
  { label: 'unknown currency', milestone: { Currency: select('XYZ') }, client: {}, blocker: 'is not an ISO 4217 code' },
  { label: 'no client', milestone: {}, client: null, blocker: 'No client is linked' },
  { label: 'client without billing email', milestone: {}, client: { 'Billing email': { email: null } }, blocker: 'has no billing email' },
  {
    label: 'billing email that is not an email',
    milestone: {},
    client: { 'Billing email': { email: 'accounts at acme' } },
    blocker: 'is not an email address',
  },
  { label: 'PO required but missing', milestone: {}, client: { 'PO required': { checkbox: true } }, blocker: 'requires a PO number' },
  { label: 'change order pending', milestone: { 'Change order required': { checkbox: true } }, client: {}, blocker: 'A change order is pending' },
  { label: 'no acceptance evidence', milestone: { 'Acceptance evidence': { url: null } }, client: {}, blocker: 'No acceptance evidence is linked' },
  {
    label: 'acceptance evidence that is not a link',
    milestone: { 'Acceptance evidence': { url: 'they said yes on the phone' } },
    client: {},
    blocker: 'not a web link',
  },
  {
    label: '5,000-character title',
    milestone: { Milestone: { title: [0, 2000, 4000].map((i) => ({ text: { content: longTitle.slice(i, i + 2000) } })) } },
    client: {},
    blocker: 'The title is 5,000 characters',
  },
  { label: 'tax rate above 100 %', milestone: {}, client: { 'Tax rate': { number: 120 } }, blocker: 'is not a valid percentage' },
  { label: 'PO number too long for the invoice', milestone: { 'PO number': text('P'.repeat(200)) }, client: {}, blocker: 'PO number is longer than 140' },
];

let world: World;
let h: Harness;
const ids = new Map<string, string>();
const T0 = new Date('2026-12-01T10:00:00Z');

beforeAll(async () => {
  world = await createWorld();
  h = await harness(world, { now: T0 });
  const acceptedHoursAgo = new Date(T0.getTime() - 5 * 3600_000).toISOString();
  for (const [i, row] of ROWS.entries()) {
    const client = row.client === null ? null : await world.addClient(`Client ${i}`, row.client);
    ids.set(
      row.label,
      await world.addMilestone(`Row ${i}: ${row.label}`, client, {
        Stage: select('Accepted'),
        Accepted: { date: { start: acceptedHoursAgo } },
        'Acceptance evidence': { url: 'https://mail.example.test/ok' },
        ...row.milestone,
      }),
    );
  }
  await h.tick();
}, 60_000);

afterAll(async () => world.close());

describe('malformed rows', () => {
  it('has at least twelve of them', () => {
    expect(ROWS.length).toBeGreaterThanOrEqual(12);
  });

  it.each(ROWS)('$label: Blockers explains it, the card shows it, no invoice', async (row) => {
    const id = ids.get(row.label) ?? '';
    const blockers = String(world.values(id).Blockers);
    expect(blockers).toContain(row.blocker);
    expect(blockers).toContain('→');
    const card = world.slack.channelMessages(CHANNEL).find((m) => JSON.stringify(m.blocks).includes(`cashin_card:${id}`));
    expect(card).toBeDefined();
    const blocks = JSON.stringify(card?.blocks);
    expect(blocks).toContain('Not ready to send');
    expect(blocks).not.toContain(ACTIONS.send);
    expect(card?.blocks.length).toBeLessThanOrEqual(50);
    expect(world.values(id)['Invoice ID']).toBe('');
  });

  it('sends nothing to Stripe, even a day later', async () => {
    h.clock.advance(24 * 3600_000);
    await h.tick();
    expect(world.slack.channelMessages(CHANNEL)).toHaveLength(ROWS.length);
    expect(world.stripe.invoices.size).toBe(0);
    expect(world.stripe.requests.filter((r) => r.method === 'POST')).toEqual([]);
  });
});
