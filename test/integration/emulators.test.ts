/** The emulators refuse what the real services refuse, in the real services' error shapes. */
import { APIResponseError, Client as NotionClient } from '@notionhq/client';
import { webApi } from '@slack/bolt';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStripeClient } from '../../src/billing/stripe-client.js';
import { SLACK_BOT_TOKEN, STRIPE_KEY, createWorld, type World } from '../support/world.js';
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
