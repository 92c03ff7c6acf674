/** The emulators refuse what the real services refuse, in the real services' error shapes. */
import { APIResponseError, Client as NotionClient } from '@notionhq/client';
import { webApi } from '@slack/bolt';
import Stripe from 'stripe';
import type { IncomingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { listen } from '../../src/sandbox/http.js';
import { SlackEmulator } from '../../src/sandbox/slack-emulator.js';
import { createStripeClient } from '../../src/billing/stripe-client.js';
import { APPROVER, CHANNEL, SLACK_APP_TOKEN, SLACK_BOT_TOKEN, STRIPE_KEY, createWorld, type World } from '../support/world.js';
import { NotionLedger } from '../../src/ledger/notion-ledger.js';
import { runNpm } from '../support/process.js';
import { addRow, milestoneProps, NOTION_TOKEN, silentLogger } from '../support/notion.js';

let world: World;
beforeAll(async () => {
  world = await createWorld();
});
afterAll(async () => world.close());

const stripeUrl = () => world.servers[0]?.url ?? '';

describe('Notion emulator', () => {
  const notion = () => world.notion.client.notion;

  it('refuses unknown properties, wrong types and oversized text as validation_error', async () => {
    const id = await addRow(world.notion, world.notion.ledgerIds.milestonesDb, milestoneProps('Strict', null));
    const attempts = [
      { Nonexistent: { number: 1 } },
      { Amount: { rich_text: [{ text: { content: '12' } }] } },
      { Amount: { number: 'twelve' } },
      { Project: { rich_text: [{ text: { content: 'x'.repeat(2001) } }] } },
      { Due: { date: { start: 'next tuesday' } } },
    ];
    for (const properties of attempts) {
      await expect(notion().pages.update({ page_id: id, properties: properties as never })).rejects.toMatchObject({ code: 'validation_error', status: 400 });
    }
  });

  it('refuses a bad token, a page size over 100 and an unknown route', async () => {
    const stranger = new NotionClient({ auth: 'ntn_wrong', baseUrl: world.notion.server.url, retry: false });
    await expect(stranger.users.me({})).rejects.toBeInstanceOf(APIResponseError);
    await expect(stranger.users.me({})).rejects.toMatchObject({ code: 'unauthorized' });
    const ds = world.notion.emulator.dataSourceOf(world.notion.ledgerIds.milestonesDb);
    await expect(notion().dataSources.query({ data_source_id: ds, page_size: 101 })).rejects.toMatchObject({ code: 'validation_error' });
    const res = await fetch(`${world.notion.server.url}/v1/blocks/abc/children`, {
      headers: { authorization: `Bearer ${NOTION_TOKEN}`, 'notion-version': '2025-09-03' },
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ object: 'error', code: 'invalid_request_url' });
    const noVersion = await fetch(`${world.notion.server.url}/v1/users/me`, { headers: { authorization: `Bearer ${NOTION_TOKEN}` } });
    expect(await noVersion.json()).toMatchObject({ code: 'missing_version' });
  });

  it('answers a malformed JSON body with invalid_json', async () => {
    const res = await fetch(`${world.notion.server.url}/v1/pages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${NOTION_TOKEN}`, 'notion-version': '2025-09-03', 'content-type': 'application/json' },
      body: '{"parent":',
    });
    expect(await res.json()).toMatchObject({ object: 'error', status: 400, code: 'invalid_json' });
  });
});

describe('Stripe emulator', () => {
  const stripe = () => createStripeClient(STRIPE_KEY, stripeUrl());

  it('refuses unknown parameters, a bad key and unknown routes like Stripe', async () => {
    await expect(stripe().customers.create({ email: 'a@b.test', colour: 'red' } as never)).rejects.toMatchObject({
      type: 'StripeInvalidRequestError',
      code: 'parameter_unknown',
    });
    await expect(createStripeClient('sk_test_wrong', stripeUrl()).customers.create({})).rejects.toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    await expect(stripe().invoices.retrieve('in_missing')).rejects.toMatchObject({ statusCode: 404, code: 'resource_missing' });
    const res = await fetch(`${stripeUrl()}/v1/subscriptions`, { method: 'POST', headers: { authorization: `Bearer ${STRIPE_KEY}` } });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
  });

  it('replays an idempotency key and refuses it with other parameters', async () => {
    const first = await stripe().customers.create({ email: 'a@b.test' }, { idempotencyKey: 'k-1' });
    const again = await stripe().customers.create({ email: 'a@b.test' }, { idempotencyKey: 'k-1' });
    expect(again.id).toBe(first.id);
    await expect(stripe().customers.create({ email: 'other@b.test' }, { idempotencyKey: 'k-1' })).rejects.toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
  });

  it('keeps Stripe invoice rules: send_invoice needs terms, only drafts finalize, hosted link after finalizing, tax on top', async () => {
    const customer = await stripe().customers.create({ email: 'ap@acme.test' });
    await expect(stripe().invoices.create({ customer: customer.id, collection_method: 'send_invoice' })).rejects.toMatchObject({ code: 'parameter_missing' });
    const invoice = await stripe().invoices.create({ customer: customer.id, collection_method: 'send_invoice', days_until_due: 14, currency: 'usd' });
    expect(invoice.hosted_invoice_url).toBeNull();
    await expect(stripe().invoices.finalizeInvoice(invoice.id)).rejects.toMatchObject({ code: 'invoice_no_line_items' });
    const rate = await stripe().taxRates.create({ display_name: 'VAT', percentage: 20, inclusive: false });
    await stripe().invoiceItems.create({ customer: customer.id, invoice: invoice.id, amount: 10000, currency: 'usd', tax_rates: [rate.id] });
    const open = await stripe().invoices.finalizeInvoice(invoice.id);
    expect(open).toMatchObject({ status: 'open', total: 12000, amount_due: 12000 });
    expect(open.hosted_invoice_url).toMatch(/^http/);
    await expect(stripe().invoices.finalizeInvoice(invoice.id)).rejects.toMatchObject({ code: 'invoice_not_editable' });
    await expect(stripe().invoiceItems.create({ customer: customer.id, invoice: invoice.id, amount: 1, currency: 'usd' })).rejects.toMatchObject({
      code: 'invoice_not_editable',
    });
  });
});

describe("Stripe emulator: Stripe's money and text rules", () => {
  const stripe = () => createStripeClient(STRIPE_KEY, stripeUrl());
  const draftFor = async (currency: string) => {
    const customer = await stripe().customers.create({ email: 'ap@acme.test' });
    const invoice = await stripe().invoices.create({ customer: customer.id, collection_method: 'send_invoice', days_until_due: 14, currency });
    return { customer, invoice };
  };

  it('takes whole days until due and keeps string limits', async () => {
    const customer = await stripe().customers.create({ email: 'ap@acme.test' });
    await expect(stripe().invoices.create({ customer: customer.id, collection_method: 'send_invoice', days_until_due: 14.5 })).rejects.toMatchObject({
      code: 'parameter_invalid_integer',
    });
    await expect(stripe().invoices.create({ customer: customer.id, collection_method: 'send_invoice', days_until_due: -1 })).rejects.toMatchObject({
      code: 'parameter_invalid_integer',
    });
    await expect(stripe().customers.create({ name: 'n'.repeat(257) })).rejects.toMatchObject({ code: 'string_too_long' });
    await expect(
      stripe().invoices.create({ customer: customer.id, collection_method: 'send_invoice', days_until_due: 1, description: 'd'.repeat(1501) }),
    ).rejects.toMatchObject({ code: 'string_too_long' });
  });

  it('takes ISK in two-decimal form and three-decimal currencies ending in 0', async () => {
    const isk = await draftFor('isk');
    await expect(stripe().invoiceItems.create({ customer: isk.customer.id, invoice: isk.invoice.id, amount: 500_050, currency: 'isk' })).rejects.toMatchObject({
      code: 'invalid_charge_amount',
    });
    await stripe().invoiceItems.create({ customer: isk.customer.id, invoice: isk.invoice.id, amount: 500_000, currency: 'isk' });
    const kwd = await draftFor('kwd');
    await expect(stripe().invoiceItems.create({ customer: kwd.customer.id, invoice: kwd.invoice.id, amount: 12_345, currency: 'kwd' })).rejects.toMatchObject({
      code: 'invalid_charge_amount',
    });
  });

  it('marks an invoice under the minimum charge paid with nothing collected, as Stripe does', async () => {
    const { customer, invoice } = await draftFor('usd');
    await stripe().invoiceItems.create({ customer: customer.id, invoice: invoice.id, amount: 40, currency: 'usd' });
    const finalized = await stripe().invoices.finalizeInvoice(invoice.id);
    expect(finalized).toMatchObject({ status: 'paid', amount_paid: 0, amount_remaining: 0 });
    expect(await stripe().customers.retrieve(customer.id)).toMatchObject({ balance: 40 });
  });

  it('deletes drafts only, forgets them, and shows a deleted customer as deleted', async () => {
    const { customer, invoice } = await draftFor('usd');
    expect(await stripe().invoices.del(invoice.id)).toMatchObject({ id: invoice.id, deleted: true });
    await expect(stripe().invoices.retrieve(invoice.id)).rejects.toMatchObject({ statusCode: 404, code: 'resource_missing' });
    const open = await stripe().invoices.create({ customer: customer.id, collection_method: 'send_invoice', days_until_due: 14, currency: 'usd' });
    await stripe().invoiceItems.create({ customer: customer.id, invoice: open.id, amount: 5000, currency: 'usd' });
    await stripe().invoices.finalizeInvoice(open.id);
    await expect(stripe().invoices.del(open.id)).rejects.toMatchObject({ code: 'invoice_not_editable' });
    await stripe().customers.del(customer.id);
    expect(await stripe().customers.retrieve(customer.id)).toMatchObject({ id: customer.id, deleted: true });
    await expect(stripe().invoices.create({ customer: customer.id, collection_method: 'send_invoice', days_until_due: 1 })).rejects.toMatchObject({
      code: 'resource_missing',
    });
  });

  it('says when it replays an idempotent answer', async () => {
    const first = await stripe().customers.create({ email: 'replay@acme.test' }, { idempotencyKey: 'k-replay' });
    const again = await stripe().customers.create({ email: 'replay@acme.test' }, { idempotencyKey: 'k-replay' });
    expect(first.lastResponse.headers['idempotent-replayed']).toBeUndefined();
    expect(again.lastResponse.headers['idempotent-replayed']).toBe('true');
  });
});

describe('Slack emulator', () => {
  const slack = () => new webApi.WebClient(SLACK_BOT_TOKEN, { slackApiUrl: world.slack.apiUrl, retryConfig: { retries: 0 } });

  it('refuses unknown methods, bad tokens, unknown channels and messages', async () => {
    await expect(slack().apiCall('chat.scheduleMessage', {})).rejects.toMatchObject({ data: { error: 'unknown_method' } });
    await expect(new webApi.WebClient('xoxb-wrong', { slackApiUrl: world.slack.apiUrl, retryConfig: { retries: 0 } }).auth.test()).rejects.toMatchObject({
      data: { error: 'invalid_auth' },
    });
    await expect(slack().chat.postMessage({ channel: 'CNOWHERE1', text: 'hi' })).rejects.toMatchObject({ data: { error: 'channel_not_found' } });
    await expect(slack().chat.update({ channel: 'C0CASHIN01', ts: '1.000001', text: 'hi' })).rejects.toMatchObject({ data: { error: 'message_not_found' } });
  });

  it('enforces Block Kit limits', async () => {
    const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
    const tooMany = Array.from({ length: 51 }, () => section('x'));
    await expect(slack().chat.postMessage({ channel: 'C0CASHIN01', text: 'x', blocks: tooMany })).rejects.toMatchObject({ data: { error: 'invalid_blocks' } });
    await expect(slack().chat.postMessage({ channel: 'C0CASHIN01', text: 'x', blocks: [section('y'.repeat(3001))] })).rejects.toMatchObject({
      data: { error: 'invalid_blocks' },
    });
    const wide = { type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'b'.repeat(76) }, action_id: 'a' }] };
    await expect(slack().chat.postMessage({ channel: 'C0CASHIN01', text: 'x', blocks: [wide] })).rejects.toMatchObject({ data: { error: 'invalid_blocks' } });
    const heavy = Array.from({ length: 5 }, () => section('z'.repeat(2900)));
    await expect(slack().chat.postMessage({ channel: 'C0CASHIN01', text: 'x', blocks: heavy })).rejects.toMatchObject({
      data: { error: 'msg_blocks_too_long' },
    });
  });

  it('refuses a modal without a fresh trigger', async () => {
    await expect(
      slack().views.open({ trigger_id: '123.456.abc', view: { type: 'modal', title: { type: 'plain_text', text: 'x' }, blocks: [] } }),
    ).rejects.toMatchObject({ data: { error: 'invalid_trigger_id' } });
  });
});

describe('Notion emulator: holding an answer', () => {
  it('applies a write, then holds its answer while a test acts (crash between write and reply)', async () => {
    const id = await addRow(world.notion, world.notion.ledgerIds.milestonesDb, milestoneProps('Held', null));
    let answered = false;
    let seenInHold: unknown;
    world.notion.emulator.hold({
      method: 'PATCH',
      pathIncludes: id,
      once: true,
      run: async () => {
        seenInHold = world.values(id).Amount;
        expect(answered).toBe(false);
      },
    });
    await world.notion.client.notion.pages.update({ page_id: id, properties: { Amount: { number: 4200 } } }).then(() => {
      answered = true;
    });
    expect(seenInHold).toBe(4200);
    // once: the next write is not held
    await world.notion.client.notion.pages.update({ page_id: id, properties: { Amount: { number: 4300 } } });
    expect(world.values(id).Amount).toBe(4300);
  });
});

describe('Stripe emulator: updates, out-of-band payments, credit notes, payments and disputes', () => {
  const stripe = () => createStripeClient(STRIPE_KEY, stripeUrl());
  const openInvoice = async (amount = 10_000) => {
    const customer = await stripe().customers.create({ email: 'ap@initech.test' });
    const draft = await stripe().invoices.create({ customer: customer.id, collection_method: 'send_invoice', days_until_due: 14, currency: 'usd' });
    await stripe().invoiceItems.create({ customer: customer.id, invoice: draft.id, amount, currency: 'usd' });
    return { customer, draft, invoice: await stripe().invoices.finalizeInvoice(draft.id) };
  };
  const events = (type: string, id: string) =>
    world.stripe.events.filter((e) => e.type === type && (e.object.id === id || e.object.invoice === id)).map((e) => e.object);

  it('updates metadata on any invoice (merge, "" deletes) and description or footer on drafts only', async () => {
    const customer = await stripe().customers.create({ email: 'ap@initech.test' });
    const draft = await stripe().invoices.create({
      customer: customer.id,
      collection_method: 'send_invoice',
      days_until_due: 14,
      metadata: { milestone: 'm1', keep: 'yes' },
    });
    const edited = await stripe().invoices.update(draft.id, { description: 'Milestone 1', footer: 'Thanks', metadata: { milestone: '', po: 'PO-7' } });
    expect(edited).toMatchObject({ description: 'Milestone 1', footer: 'Thanks', metadata: { keep: 'yes', po: 'PO-7' } });
    expect(edited.metadata).not.toHaveProperty('milestone');
    await stripe().invoiceItems.create({ customer: customer.id, invoice: draft.id, amount: 5000, currency: 'usd' });
    await stripe().invoices.finalizeInvoice(draft.id);
    expect(await stripe().invoices.update(draft.id, { metadata: { cashin: 'sent' } }, { idempotencyKey: 'upd-1' })).toMatchObject({
      metadata: { keep: 'yes', po: 'PO-7', cashin: 'sent' },
    });
    const replay = await stripe().invoices.update(draft.id, { metadata: { cashin: 'sent' } }, { idempotencyKey: 'upd-1' });
    expect(replay.lastResponse.headers['idempotent-replayed']).toBe('true');
    await expect(stripe().invoices.update(draft.id, { description: 'too late' })).rejects.toMatchObject({ statusCode: 400, code: 'invoice_not_editable' });
    await expect(stripe().invoices.update(draft.id, { days_until_due: 3 })).rejects.toMatchObject({ code: 'parameter_unknown' });
  });

  it('marks an open invoice paid out of band, and refuses to charge or to pay twice', async () => {
    const { invoice } = await openInvoice();
    await expect(stripe().invoices.pay(invoice.id)).rejects.toMatchObject({ statusCode: 400 });
    const paid = await stripe().invoices.pay(invoice.id, { paid_out_of_band: true, expand: ['amount_paid_off_stripe'] });
    expect(paid).toMatchObject({ status: 'paid', amount_paid: 10_000, amount_remaining: 0, paid_out_of_band: true, amount_paid_off_stripe: 10_000 });
    expect(paid.status_transitions.paid_at).toEqual(expect.any(Number));
    expect(events('invoice.paid', invoice.id)).toHaveLength(1);
    const payments = await stripe().invoicePayments.list({ invoice: invoice.id });
    expect(payments.data).toEqual([expect.objectContaining({ payment: { type: 'payment_record', payment_record: expect.stringMatching(/^pr_/) } })]);
    await expect(stripe().invoices.pay(invoice.id, { paid_out_of_band: true })).rejects.toMatchObject({
      statusCode: 400,
      code: 'invoice_not_editable',
      message: 'Invoice is already paid.',
    });
  });

  it('issues pre-payment credit notes that lower what is due, paid off when nothing remains', async () => {
    const { invoice } = await openInvoice();
    const note = await stripe().creditNotes.create({ invoice: invoice.id, amount: 3000, reason: 'order_change', memo: 'Scope cut' });
    expect(note).toMatchObject({
      object: 'credit_note',
      invoice: invoice.id,
      amount: 3000,
      total: 3000,
      status: 'issued',
      type: 'pre_payment',
      memo: 'Scope cut',
    });
    expect(note.id).toMatch(/^cn_/);
    expect(note.number).toBe(`${invoice.number}-CN-01`);
    expect(await stripe().invoices.retrieve(invoice.id)).toMatchObject({
      status: 'open',
      total: 10_000,
      amount_due: 7000,
      amount_remaining: 7000,
      pre_payment_credit_notes_amount: 3000,
      post_payment_credit_notes_amount: 0,
    });
    expect(events('credit_note.created', invoice.id)).toEqual([expect.objectContaining({ id: note.id, invoice: invoice.id })]);
    await expect(stripe().creditNotes.create({ invoice: invoice.id, amount: 7001 })).rejects.toMatchObject({ statusCode: 400, param: 'amount' });
    await expect(stripe().creditNotes.create({ invoice: invoice.id, amount: 10, reason: 'mood' as never })).rejects.toMatchObject({ param: 'reason' });
    world.stripe.creditNote(invoice.id, 7000);
    expect(await stripe().invoices.retrieve(invoice.id)).toMatchObject({ status: 'paid', amount_due: 0, amount_remaining: 0, amount_paid: 0 });
    expect(events('invoice.paid', invoice.id)).toHaveLength(1);
    const listed = await stripe().creditNotes.list({ invoice: invoice.id });
    expect(listed.data.map((c) => c.amount)).toEqual([7000, 3000]);
    await expect(stripe().creditNotes.create({ invoice: invoice.id, amount: 1 })).rejects.toMatchObject({ statusCode: 400 });
  });

  it('traces card payments to payment intents; disputes and failed payments in the newest shapes', async () => {
    const { invoice } = await openInvoice();
    world.stripe.failPayment(invoice.id);
    expect(events('invoice.payment_failed', invoice.id).at(-1)).toMatchObject({ id: invoice.id, attempt_count: 1 });
    world.stripe.pay(invoice.id);
    const [payment] = (await stripe().invoicePayments.list({ invoice: invoice.id })).data;
    expect(payment).toMatchObject({ object: 'invoice_payment', invoice: invoice.id, amount_paid: 10_000, status: 'paid', is_default: true });
    const intent = String(payment?.payment.payment_intent);
    expect(intent).toMatch(/^pi_/);
    const byIntent = await stripe().invoicePayments.list({ payment: { type: 'payment_intent', payment_intent: intent } });
    expect(byIntent.data.map((p) => p.id)).toEqual([payment?.id]);
    expect((await stripe().invoicePayments.list({ payment: { type: 'payment_intent', payment_intent: 'pi_other' } })).data).toEqual([]);
    world.stripe.dispute(invoice.id);
    expect(world.stripe.events.filter((e) => e.type === 'charge.dispute.created').at(-1)?.object).toMatchObject({
      object: 'dispute',
      payment_intent: intent,
      charge: expect.stringMatching(/^ch_/),
      amount: 10_000,
      currency: 'usd',
      status: 'needs_response',
      reason: 'general',
    });
    expect(() => world.stripe.failPayment(invoice.id)).toThrow();
  });

  it('sends an open invoice again when asked: each send is an email and an invoice.sent', async () => {
    const { invoice } = await openInvoice();
    await stripe().invoices.sendInvoice(invoice.id);
    await stripe().invoices.sendInvoice(invoice.id);
    expect(world.stripe.sends.get(invoice.id)).toBe(2);
    expect(events('invoice.sent', invoice.id)).toHaveLength(2);
  });
});

type Captured = { contentType: string; body: string; headers: IncomingHttpHeaders };

/** Stands in for the bot's /slack/events: keeps what the emulator delivers and answers 200. */
async function withReceiver<T>(run: (received: Captured[]) => Promise<T>): Promise<T> {
  const received: Captured[] = [];
  const server = await listen((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString('utf8');
    });
    req.on('end', () => {
      received.push({ contentType: String(req.headers['content-type']), body, headers: req.headers });
      res.writeHead(200).end();
    });
  });
  const before = world.slack.requestUrl;
  world.slack.requestUrl = `${server.url}/slack/events`;
  try {
    return await run(received);
  } finally {
    world.slack.requestUrl = before;
    await server.close();
  }
}

const interaction = (c: Captured | undefined) => JSON.parse(new URLSearchParams(c?.body ?? '').get('payload') ?? '{}');

describe('Slack emulator: threads, history, interactive elements, views, files, holds', () => {
  const slack = () => new webApi.WebClient(SLACK_BOT_TOKEN, { slackApiUrl: world.slack.apiUrl, retryConfig: { retries: 0 } });

  it('replies in threads with metadata and broadcast, and refuses an unknown parent', async () => {
    const parent = await slack().chat.postMessage({ channel: CHANNEL, text: 'Invoice CASH-1 sent' });
    const reply = await slack().chat.postMessage({
      channel: CHANNEL,
      text: 'Paid',
      thread_ts: String(parent.ts),
      metadata: { event_type: 'invoice_paid', event_payload: { invoice: 'in_1' } },
    });
    const broadcast = await slack().chat.postMessage({ channel: CHANNEL, text: 'Disputed', thread_ts: String(parent.ts), reply_broadcast: true });
    expect(reply.message).toMatchObject({ thread_ts: parent.ts });
    expect(world.slack.threadReplies(CHANNEL, String(parent.ts)).map((m) => m.text)).toEqual(['Paid', 'Disputed']);
    const stored = world.slack.messages.find((m) => m.ts === reply.ts);
    expect(stored).toMatchObject({ threadTs: parent.ts, broadcast: false, metadata: { event_type: 'invoice_paid', event_payload: { invoice: 'in_1' } } });
    const top = world.slack.topLevel(CHANNEL).map((m) => m.ts);
    expect(top).toContain(parent.ts);
    expect(top).toContain(broadcast.ts);
    expect(top).not.toContain(reply.ts);
    expect(world.slack.channelMessages(CHANNEL).map((m) => m.ts)).toContain(reply.ts);
    await expect(slack().chat.postMessage({ channel: CHANNEL, text: 'x', thread_ts: '1.000999' })).rejects.toMatchObject({
      data: { error: 'thread_not_found' },
    });
    await expect(slack().chat.postMessage({ channel: CHANNEL, text: 'x', metadata: { event_payload: {} } as never })).rejects.toMatchObject({
      data: { error: 'invalid_metadata_format' },
    });
  });

  it('reads threads (oldest first) and history (newest first) with metadata only when asked, paginated', async () => {
    const parent = await slack().chat.postMessage({ channel: CHANNEL, text: 'Thread root' });
    const ts = String(parent.ts);
    await slack().chat.postMessage({ channel: CHANNEL, text: 'one', thread_ts: ts, metadata: { event_type: 'step', event_payload: { n: 1 } } });
    await slack().chat.postMessage({ channel: CHANNEL, text: 'two', thread_ts: ts });
    const plain = await slack().conversations.replies({ channel: CHANNEL, ts });
    expect(plain.messages?.map((m) => m.text)).toEqual(['Thread root', 'one', 'two']);
    expect(plain.messages?.[0]).toMatchObject({ ts, thread_ts: ts, reply_count: 2 });
    expect(plain.messages?.[1]).not.toHaveProperty('metadata');
    const rich = await slack().conversations.replies({ channel: CHANNEL, ts, include_all_metadata: true });
    expect(rich.messages?.[1]).toMatchObject({ thread_ts: ts, metadata: { event_type: 'step', event_payload: { n: 1 } } });
    const paged = await slack().conversations.replies({ channel: CHANNEL, ts, limit: 2 });
    expect(paged).toMatchObject({ has_more: true });
    const rest = await slack().conversations.replies({ channel: CHANNEL, ts, limit: 2, cursor: paged.response_metadata?.next_cursor });
    expect(rest.messages?.map((m) => m.text)).toEqual(['two']);
    await expect(slack().conversations.replies({ channel: CHANNEL, ts: '1.000998' })).rejects.toMatchObject({ data: { error: 'thread_not_found' } });

    const latest = await slack().chat.postMessage({ channel: CHANNEL, text: 'Newest' });
    const history = await slack().conversations.history({ channel: CHANNEL, limit: 2 });
    expect(history.messages?.map((m) => m.text)).toEqual(['Newest', 'Thread root']);
    expect(history.has_more).toBe(true);
    const older = await slack().conversations.history({ channel: CHANNEL, latest: String(latest.ts), oldest: ts, inclusive: true });
    expect(older.messages?.map((m) => m.text)).toEqual(['Newest', 'Thread root']);

    const outsider = new SlackEmulator({ botToken: SLACK_BOT_TOKEN, channels: [CHANNEL], memberOf: [] });
    const server = await outsider.listen();
    try {
      const client = new webApi.WebClient(SLACK_BOT_TOKEN, { slackApiUrl: outsider.apiUrl, retryConfig: { retries: 0 } });
      await expect(client.conversations.history({ channel: CHANNEL })).rejects.toMatchObject({ data: { error: 'not_in_channel' } });
      await expect(client.conversations.replies({ channel: CHANNEL, ts })).rejects.toMatchObject({ data: { error: 'not_in_channel' } });
    } finally {
      await server.close();
    }
  });

  it('delivers datepicker and static_select actions as block_actions, and refuses an option not offered', async () => {
    const blocks = [
      {
        type: 'actions',
        block_id: 'pick',
        elements: [
          { type: 'datepicker', action_id: 'promise_date', initial_date: '2026-01-15', placeholder: { type: 'plain_text', text: 'Promised' } },
          {
            type: 'static_select',
            action_id: 'reason',
            options: [
              { text: { type: 'plain_text', text: 'PO mismatch' }, value: 'po' },
              { text: { type: 'plain_text', text: 'Scope' }, value: 'scope' },
            ],
          },
          { type: 'overflow', action_id: 'more', options: [{ text: { type: 'plain_text', text: 'Void' }, value: 'void' }] },
        ],
      },
    ];
    const posted = await slack().chat.postMessage({ channel: CHANNEL, text: 'Overdue', blocks });
    const ts = String(posted.ts);
    await withReceiver(async (received) => {
      await world.slack.pickDate(ts, 'promise_date', '2026-02-01', APPROVER);
      await world.slack.selectOption(ts, 'reason', 'scope', APPROVER);
      const [date, select] = received.map(interaction);
      expect(date).toMatchObject({
        type: 'block_actions',
        user: { id: APPROVER },
        container: { message_ts: ts, channel_id: CHANNEL },
        actions: [{ type: 'datepicker', action_id: 'promise_date', block_id: 'pick', selected_date: '2026-02-01' }],
        state: { values: { pick: { promise_date: { type: 'datepicker', selected_date: '2026-02-01' } } } },
      });
      expect(select.actions[0]).toMatchObject({
        type: 'static_select',
        action_id: 'reason',
        selected_option: { text: { type: 'plain_text', text: 'Scope' }, value: 'scope' },
      });
      expect(received[0]?.headers['x-slack-signature']).toMatch(/^v0=/);
    });
    await expect(world.slack.selectOption(ts, 'reason', 'nope', APPROVER)).rejects.toThrow(/no option/);
    await expect(world.slack.pickDate(ts, 'promise_date', '2026-02-30', APPROVER)).rejects.toThrow(/YYYY-MM-DD/);
    await expect(world.slack.click(ts, 'reason', APPROVER)).rejects.toThrow(/no button/);

    const bad = (element: Record<string, unknown>) =>
      slack().chat.postMessage({ channel: CHANNEL, text: 'x', blocks: [{ type: 'actions', elements: [element] }] as never });
    await expect(bad({ type: 'multi_users_select', action_id: 'a' })).rejects.toMatchObject({ data: { error: 'invalid_blocks' } });
    const many = Array.from({ length: 101 }, (_, i) => ({ text: { type: 'plain_text', text: `o${i}` }, value: `v${i}` }));
    await expect(bad({ type: 'static_select', action_id: 'a', options: many })).rejects.toMatchObject({ data: { error: 'invalid_blocks' } });
    await expect(
      bad({ type: 'static_select', action_id: 'a', options: [{ text: { type: 'plain_text', text: 'x' }, value: 'v'.repeat(151) }] }),
    ).rejects.toMatchObject({ data: { error: 'invalid_blocks' } });
    await expect(bad({ type: 'datepicker', action_id: 'a', initial_date: '01/02/2026' })).rejects.toMatchObject({ data: { error: 'invalid_blocks' } });
  });

  it('takes number, select, radio and date inputs in modals and submits them in Slack state shapes', async () => {
    await withReceiver(async (received) => {
      // A trigger is good for one views.open, so each attempt gets its own.
      const trigger = async () => {
        await world.slack.slashCommand('/cashin', '', APPROVER, CHANNEL);
        return new URLSearchParams(received.at(-1)?.body).get('trigger_id') ?? '';
      };
      const option = (text: string, value: string) => ({ text: { type: 'plain_text', text }, value });
      const input = (block_id: string, element: Record<string, unknown>) => ({
        type: 'input',
        block_id,
        label: { type: 'plain_text', text: block_id },
        element: { action_id: block_id, ...element },
      });
      const blocks = [
        input('amount', { type: 'number_input', is_decimal_allowed: true, min_value: '0', max_value: '100000' }),
        input('days', { type: 'number_input', is_decimal_allowed: false }),
        input('currency', { type: 'static_select', options: [option('US dollar', 'USD'), option('Euro', 'EUR')] }),
        input('cadence', { type: 'radio_buttons', options: [option('Gentle', 'gentle'), option('Firm', 'firm')] }),
        input('due', { type: 'datepicker' }),
        input('note', { type: 'plain_text_input' }),
      ];
      await expect(
        slack().views.open({
          trigger_id: await trigger(),
          view: { type: 'modal', title: { type: 'plain_text', text: 'x' }, blocks: [input('n', { type: 'number_input' })] as never },
        }),
      ).rejects.toMatchObject({ data: { error: 'invalid_blocks' } });
      const radios = Array.from({ length: 11 }, (_, i) => option(`r${i}`, `r${i}`));
      await expect(
        slack().views.open({
          trigger_id: await trigger(),
          view: { type: 'modal', title: { type: 'plain_text', text: 'x' }, blocks: [input('r', { type: 'radio_buttons', options: radios })] as never },
        }),
      ).rejects.toMatchObject({ data: { error: 'invalid_blocks' } });
      const opened = await slack().views.open({
        trigger_id: await trigger(),
        view: { type: 'modal', title: { type: 'plain_text', text: 'Terms' }, submit: { type: 'plain_text', text: 'Save' }, blocks: blocks as never },
      });
      const viewId = String(opened.view?.id);
      await expect(world.slack.submitView(viewId, { currency: 'GBP' }, APPROVER)).rejects.toThrow(/not one of the options/);
      await expect(world.slack.submitView(viewId, { days: '2.5' }, APPROVER)).rejects.toThrow(/whole number/);
      await expect(world.slack.submitView(viewId, { amount: '100001' }, APPROVER)).rejects.toThrow(/above/);
      await world.slack.submitView(viewId, { amount: '2500.50', days: '30', currency: 'EUR', cadence: 'firm', due: '2026-03-01', note: 'hi' }, APPROVER);
      const values = interaction(received.at(-1)).view.state.values;
      expect(values).toEqual({
        amount: { amount: { type: 'number_input', value: '2500.50' } },
        days: { days: { type: 'number_input', value: '30' } },
        currency: { currency: { type: 'static_select', selected_option: { text: { type: 'plain_text', text: 'Euro' }, value: 'EUR' } } },
        cadence: { cadence: { type: 'radio_buttons', selected_option: { text: { type: 'plain_text', text: 'Firm' }, value: 'firm' } } },
        due: { due: { type: 'datepicker', selected_date: '2026-03-01' } },
        note: { note: { type: 'plain_text_input', value: 'hi' } },
      });
    });
  });

  it('publishes Home tabs and delivers app_home_opened over Socket Mode and HTTP', async () => {
    const home = { type: 'home' as const, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*3 invoices open*' } }] };
    const published = await slack().views.publish({ user_id: APPROVER, view: home });
    expect(world.slack.homeViews.get(APPROVER)).toMatchObject({ type: 'home', id: published.view?.id });
    await expect(slack().views.publish({ user_id: APPROVER, view: { ...home, type: 'modal' } as never })).rejects.toMatchObject({
      data: { error: 'invalid_arguments' },
    });
    const tooMany = Array.from({ length: 101 }, () => ({ type: 'divider' }));
    await expect(slack().views.publish({ user_id: APPROVER, view: { type: 'home', blocks: tooMany } })).rejects.toMatchObject({
      data: { error: 'invalid_blocks' },
    });

    const opened = await new webApi.WebClient(SLACK_APP_TOKEN, { slackApiUrl: world.slack.apiUrl }).apps.connections.open();
    const ws = new WebSocket(String(opened.url));
    const envelopes: Record<string, unknown>[] = [];
    ws.on('message', (data) => {
      const message = JSON.parse(String(data));
      if (message.envelope_id) {
        envelopes.push(message);
        ws.send(JSON.stringify({ envelope_id: message.envelope_id }));
      }
    });
    await new Promise((resolve) => ws.once('open', resolve));
    try {
      await world.slack.openHome(APPROVER);
      expect(envelopes[0]).toMatchObject({
        type: 'events_api',
        payload: {
          type: 'event_callback',
          event: { type: 'app_home_opened', user: APPROVER, tab: 'home', view: { type: 'home' } },
          team_id: expect.any(String),
          api_app_id: expect.any(String),
          event_id: expect.any(String),
          event_time: expect.any(Number),
        },
      });
    } finally {
      ws.close();
      await new Promise((resolve) => ws.once('close', resolve));
      while (world.slack.socketConnections > 0) await new Promise((r) => setTimeout(r, 10));
    }

    await withReceiver(async (received) => {
      await world.slack.openHome(APPROVER);
      expect(received[0]?.contentType).toBe('application/json');
      expect(JSON.parse(received[0]?.body ?? '{}')).toMatchObject({ type: 'event_callback', event: { type: 'app_home_opened', user: APPROVER } });
    });
  });

  it('uploads files the way filesUploadV2 does, and refuses bytes that do not match the length announced', async () => {
    const done = await slack().filesUploadV2({
      channel_id: CHANNEL,
      initial_comment: 'Invoice PDF',
      filename: 'CASH-1.pdf',
      title: 'CASH-1',
      content: '%PDF-1.7 hello',
    });
    const fileId = String((done.files[0] as { files?: { id?: string }[] }).files?.[0]?.id);
    expect(world.slack.files.get(fileId)).toMatchObject({ title: 'CASH-1', filename: 'CASH-1.pdf', channel: CHANNEL, initial_comment: 'Invoice PDF' });
    expect(world.slack.files.get(fileId)?.bytes.toString()).toBe('%PDF-1.7 hello');
    expect(world.slack.channelMessages(CHANNEL).at(-1)).toMatchObject({ text: 'Invoice PDF', files: [fileId] });

    const ticket = await slack().files.getUploadURLExternal({ filename: 'short.txt', length: 3 });
    const upload = await fetch(String(ticket.upload_url), { method: 'POST', body: 'five!' });
    expect(upload.status).toBe(400);
    await expect(slack().files.completeUploadExternal({ files: [{ id: String(ticket.file_id) }], channel_id: CHANNEL })).rejects.toMatchObject({
      data: { error: 'file_not_found' },
    });
    await expect(slack().files.getUploadURLExternal({ filename: 'empty.txt', length: 0 })).rejects.toMatchObject({ data: { error: 'missing_argument' } });
  });

  it('holds an answer after the call is applied, once', async () => {
    let before = 0;
    let answered = false;
    world.slack.hold({
      method: 'chat.postMessage',
      once: true,
      run: async () => {
        before = world.slack.channelMessages(CHANNEL).length;
        await new Promise((r) => setTimeout(r, 50));
        expect(answered).toBe(false);
      },
    });
    const count = world.slack.channelMessages(CHANNEL).length;
    await slack().chat.postMessage({ channel: CHANNEL, text: 'held' });
    answered = true;
    expect(before).toBe(count + 1);
    await slack().chat.postMessage({ channel: CHANNEL, text: 'not held' });
    expect(before).toBe(count + 1);
  });
});

describe('npm run setup:notion', () => {
  const run = (args: string[], env: Record<string, string>) => runNpm(['run', 'setup:notion', '--', ...args], env);

  it('creates the three databases under the page and prints the env lines', async () => {
    const parent = world.notion.emulator.createWorkspacePage('Fresh workspace');
    const before = world.notion.emulator.databases.size;
    const { code, output } = await run(['--parent', parent], { NOTION_TOKEN, NOTION_BASE_URL: world.notion.server.url });
    expect(code).toBe(0);
    expect(world.notion.emulator.databases.size).toBe(before + 3);
    const milestonesDb = /NOTION_MILESTONES_DB=([0-9a-f]{32})/.exec(output)?.[1];
    expect(milestonesDb).toBeDefined();
    const clientsDb = /NOTION_CLIENTS_DB=([0-9a-f]{32})/.exec(output)?.[1];
    const ledger = new NotionLedger(world.notion.client.notion, { milestonesDb: milestonesDb ?? '', clientsDb: clientsDb ?? '' }, silentLogger);
    expect(await ledger.connect()).toEqual([]);
  }, 30_000);

  it('explains what is missing', async () => {
    const { code, output } = await run([], {});
    expect(code).toBe(2);
    expect(output).toContain('NOTION_TOKEN is not set');
    expect(output).toContain('--parent is missing');
  }, 30_000);
});
