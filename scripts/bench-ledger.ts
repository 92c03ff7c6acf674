/**
 * The ledger `npm run bench` measures Cashin on: 10,000 milestones bulk-imported in one minute a
 * day ago, nearly all paid long since, and 100 still open, in the state Cashin itself leaves them
 * (blockers written, cards posted, invoices sent), so a restart has nothing to write.
 */
import { webApi } from '@slack/bolt';
import { createStripeClient } from '../src/billing/stripe-client.js';
import { evaluateBillingRules, formatBlockers, type BillingPolicy } from '../src/domain/billing-rules.js';
import type { Client, Milestone } from '../src/domain/milestone.js';
import { isoWithOffset, localDate } from '../src/domain/time.js';
import { clientFromPage, milestoneFromPage } from '../src/ledger/from-page.js';
import { createLedger, type CreatedLedger } from '../src/ledger/setup.js';
import { richText } from '../src/ledger/to-properties.js';
import type { NotionEmulator } from '../src/sandbox/notion-emulator.js';
import { isFullPage, type Client as NotionClient } from '@notionhq/client';

export type BenchLedger = CreatedLedger & { accepted: string[]; sent: string[]; delivered: string[] };

type Json = Record<string, unknown>;
const text = (v: string) => ({ rich_text: richText(v) });
const select = (name: string) => ({ select: { name } });
const day = (at: Date) => ({ date: { start: at.toISOString().slice(0, 10) } });

export async function buildBenchLedger(options: {
  notion: NotionEmulator;
  notionClient: NotionClient;
  stripeUrl: string;
  stripeKey: string;
  slackApiUrl: string;
  slackToken: string;
  channel: string;
  policy: BillingPolicy;
  rows: number;
  open: { accepted: number; sent: number; delivered: number };
  clients: number;
}): Promise<BenchLedger> {
  const { notion, policy } = options;
  const realNow = notion.now;
  const now = new Date();
  const imported = new Date(now.getTime() - 24 * 3600_000);
  const ledger = await createLedger(options.notionClient, notion.createWorkspacePage('Bench'));
  // A CSV import: every row last edited in the same minute.
  notion.now = () => imported;
  const clientIds: string[] = [];
  for (let c = 0; c < options.clients; c += 1) {
    clientIds.push(
      notion.createRow(ledger.clientsDb, {
        Client: { title: richText(`Client ${c}`) },
        'Billing email': { email: `ap@client${c}.example` },
        Currency: select('USD'),
        'Payment terms': { number: 14 + (c % 3) * 15 },
        'Review before send': { checkbox: true },
      }),
    );
  }
  const clientOf = (i: number) => clientIds[i % clientIds.length] ?? '';
  const base = (i: number, extra: Json): Json => ({
    Milestone: { title: richText(`Milestone ${i}`) },
    Client: { relation: [{ id: clientOf(i) }] },
    Project: text(`P-${i % 40}`),
    Amount: { number: 1000 + (i % 50) * 100 },
    'Scope version': text('v1'),
    'Delivery evidence': text('Staging link and test report'),
    Outcome: text('Shipped on time'),
    'Next checkpoint': text('Next phase review'),
    ...extra,
  });
  const settled = options.rows - options.open.accepted - options.open.sent - options.open.delivered;
  for (let i = 0; i < settled; i += 1) {
    const sent = new Date(now.getTime() - (30 + (i % 700)) * 86_400_000);
    const paid = new Date(sent.getTime() + (5 + (i % 40)) * 86_400_000);
    notion.createRow(
      ledger.milestonesDb,
      base(i, {
        Stage: select('Accepted'),
        'Invoice status': select(i % 97 === 0 ? 'Void' : 'Paid'),
        'Invoice ID': text(`in_history_${i}`),
        'Invoice sent': day(sent),
        'Invoice due': day(new Date(sent.getTime() + 14 * 86_400_000)),
        'Paid on': day(paid),
        'Amount paid': { number: 1000 + (i % 50) * 100 },
      }),
    );
  }
  const openRow = (i: number, stage: string, extra: Json) =>
    notion.createRow(ledger.milestonesDb, base(i, { Stage: select(stage), 'Acceptance evidence': { url: 'https://mail.example/ok' }, ...extra }));
  const accepted = Array.from({ length: options.open.accepted }, (_, k) => openRow(settled + k, 'Accepted', { Accepted: day(imported) }));
  const delivered = Array.from({ length: options.open.delivered }, (_, k) =>
    openRow(settled + options.open.accepted + k, 'Delivered', { 'Acceptance evidence': { url: null }, Completed: day(imported) }),
  );
  const sentRows = Array.from({ length: options.open.sent }, (_, k) =>
    openRow(settled + options.open.accepted + options.open.delivered + k, 'Accepted', { Accepted: day(imported) }),
  );

  // What Cashin would have written: blockers, cards, and for the sent rows the invoice itself.
  const slack = new webApi.WebClient(options.slackToken, { slackApiUrl: options.slackApiUrl });
  const stripe = createStripeClient(options.stripeKey, options.stripeUrl);
  const read = async (id: string) => {
    const found = await options.notionClient.pages.retrieve({ page_id: id });
    if (!isFullPage(found)) throw new Error(`page ${id} could not be read`);
    return found;
  };
  const clients = new Map<string, Client>();
  const client = async (id: string | null): Promise<Client | null> => {
    if (!id) return null;
    const known = clients.get(id) ?? clientFromPage(await read(id));
    clients.set(id, known);
    return known;
  };
  const card = async (id: string) => {
    const posted = await slack.chat.postMessage({ channel: options.channel, text: `Card ${id}` });
    return text(`${posted.channel}/${posted.ts}`);
  };
  for (const id of [...accepted, ...delivered]) {
    const m = milestoneFromPage(await read(id));
    notion.editPage(id, { Blockers: text(formatBlockers(evaluateBillingRules(m, await client(m.clientId), policy).blockers)), 'Slack card': await card(id) });
  }
  for (const id of sentRows) {
    const m: Milestone = milestoneFromPage(await read(id));
    const c = await client(m.clientId);
    if (!c || m.amount === null) continue;
    const customer = c.stripeCustomerId ?? (await stripe.customers.create({ name: c.name, email: c.billingEmail ?? '' })).id;
    if (!c.stripeCustomerId) {
      notion.editPage(c.id, { 'Stripe customer': text(customer) });
      clients.set(c.id, { ...c, stripeCustomerId: customer });
    }
    const invoice = await stripe.invoices.create({
      customer,
      collection_method: 'send_invoice',
      days_until_due: 14,
      currency: 'usd',
      metadata: { cashin_milestone: id, cashin_sent_by: 'auto' },
    });
    await stripe.invoiceItems.create({ customer, invoice: invoice.id, amount: Math.round(m.amount * 100), currency: 'usd' });
    const open = await stripe.invoices.sendInvoice((await stripe.invoices.finalizeInvoice(invoice.id)).id);
    notion.editPage(id, {
      'Invoice ID': text(open.id),
      'Invoice status': select('Sent'),
      'Invoice number': text(open.number ?? ''),
      'Invoice link': { url: open.hosted_invoice_url },
      'Invoice created': { date: { start: isoWithOffset(new Date(open.created * 1000), policy.timeZone) } },
      'Invoice sent': { date: { start: isoWithOffset(imported, policy.timeZone) } },
      'Invoice due': { date: { start: localDate(new Date((open.due_date ?? 0) * 1000), policy.timeZone) } },
      'Slack card': await card(id),
    });
  }
  notion.now = realNow;
  return { ...ledger, accepted, sent: sentRows, delivered };
}
