/**
 * The sandbox's demo ledger: four clients with different terms, cadences and PO rules, and nine
 * milestones across every stage, some of them blocked, so every card Cashin draws can be seen.
 */
import type { Client as NotionClient, CreatePageParameters } from '@notionhq/client';
import { richText } from '../ledger/to-properties.js';

type Props = NonNullable<CreatePageParameters['properties']>;

const text = (v: string) => ({ rich_text: richText(v) });
const title = (v: string) => ({ title: richText(v) });
const select = (name: string) => ({ select: { name } });
const date = (at: Date) => ({ date: { start: at.toISOString() } });
const day = (at: Date) => ({ date: { start: at.toISOString().slice(0, 10) } });

export const DEMO_CLIENTS = {
  acme: {
    Client: title('Acme Studio'),
    'Billing email': { email: 'ap@acme.example' },
    'Billing owner': text('Dana Reyes (AP)'),
    Currency: select('USD'),
    'Payment terms': { number: 14 },
    'Reminder cadence': select('Standard'),
  },
  globex: {
    Client: title('Globex GmbH'),
    'Billing email': { email: 'rechnungen@globex.example' },
    'Billing owner': text('Jonas Weber'),
    Currency: select('EUR'),
    'Payment terms': { number: 30 },
    'PO required': { checkbox: true },
    'Tax ID': text('DE811907980'),
    'Tax rate': { number: 19 },
    'Reminder cadence': select('Net 30'),
    'Review before send': { checkbox: true },
  },
  initech: {
    Client: title('Initech Ltd'),
    'Billing owner': text('Peter Gibbons'),
    Currency: select('GBP'),
    'Payment terms': { number: 7 },
    'Reminder cadence': select('Gentle'),
  },
  umbrella: {
    Client: title('Umbrella KK'),
    'Billing email': { email: 'keiri@umbrella.example' },
    Currency: select('JPY'),
    'Payment terms': { number: 45 },
    'Reminder cadence': select('Firm'),
    'Service pause': { checkbox: true },
  },
} satisfies Record<string, Props>;

type ClientKey = keyof typeof DEMO_CLIENTS;

function milestones(now: Date): { client: ClientKey; props: Props }[] {
  const hoursAgo = (h: number) => new Date(now.getTime() - h * 3600_000);
  const evidence = { 'Acceptance evidence': { url: 'https://mail.example/thread/acceptance' } };
  const packet = (what: string) => ({
    'Delivery evidence': text(`${what}: https://files.example/${what.toLowerCase().replace(/\W+/g, '-')}`),
    Outcome: text('Sign-up conversion up 12 % in the first week'),
    'Next checkpoint': text('Checkout redesign review, in two weeks'),
    'Scope version': text('v1'),
  });
  return [
    {
      client: 'acme',
      props: {
        Milestone: title('Brand workshop'),
        Amount: { number: 1800 },
        Stage: select('Planned'),
        Project: text('ACME-BRAND'),
        ...packet('Workshop notes'),
      },
    },
    {
      client: 'acme',
      props: {
        Milestone: title('Homepage design'),
        Amount: { number: 2500 },
        Stage: select('In progress'),
        Project: text('ACME-WEB'),
        ...evidence,
        ...packet('Figma file and usability test'),
      },
    },
    {
      client: 'globex',
      props: {
        Milestone: title('API integration'),
        Amount: { number: 4200 },
        Stage: select('Delivered'),
        Completed: date(hoursAgo(30)),
        Project: text('GLX-API'),
        'PO number': text('PO-2026-118'),
        ...packet('Integration test report'),
      },
    },
    {
      client: 'globex',
      props: {
        Milestone: title('Data migration'),
        Amount: { number: 3100 },
        Stage: select('Accepted'),
        Accepted: date(hoursAgo(5)),
        Project: text('GLX-DATA'),
        ...evidence,
        ...packet('Migration log'),
      },
    },
    {
      client: 'globex',
      props: {
        Milestone: title('Security audit'),
        Amount: { number: 5600 },
        Stage: select('Accepted'),
        Accepted: date(hoursAgo(2)),
        Project: text('GLX-SEC'),
        'PO number': text('PO-2026-131'),
        ...evidence,
        ...packet('Audit report'),
      },
    },
    {
      client: 'acme',
      props: {
        Milestone: title('Analytics dashboard'),
        Amount: { number: 1500 },
        Stage: select('Accepted'),
        Accepted: date(hoursAgo(0.5)),
        Project: text('ACME-DATA'),
        ...evidence,
        ...packet('Dashboard walkthrough'),
      },
    },
    {
      client: 'acme',
      props: {
        Milestone: title('Onboarding flow'),
        Amount: { number: 2200 },
        Stage: select('Accepted'),
        Accepted: date(hoursAgo(6)),
        Completed: day(hoursAgo(30)),
        Project: text('ACME-WEB'),
        ...evidence,
        ...packet('Onboarding prototype'),
      },
    },
    {
      client: 'initech',
      props: {
        Milestone: title('Mobile app beta'),
        Amount: { number: 3800 },
        Stage: select('Accepted'),
        Accepted: date(hoursAgo(3)),
        Project: text('INI-APP'),
        ...evidence,
        ...packet('TestFlight build 42'),
      },
    },
    {
      client: 'umbrella',
      props: {
        Milestone: title('Search tuning'),
        Amount: { number: 450000 },
        Currency: select('JPY'),
        Stage: select('Accepted'),
        Accepted: date(hoursAgo(4)),
        'Change order required': { checkbox: true },
        Project: text('UMB-SEARCH'),
        ...evidence,
        ...packet('Relevance benchmark'),
      },
    },
  ];
}

/** Fills the demo ledger through the Notion API, as a founder's workspace would look. */
export async function seedDemoLedger(notion: NotionClient, dataSources: { clients: string; milestones: string }, now: Date): Promise<void> {
  const clientIds = new Map<string, string>();
  for (const [key, props] of Object.entries(DEMO_CLIENTS)) {
    const page = await notion.pages.create({ parent: { data_source_id: dataSources.clients }, properties: props });
    clientIds.set(key, page.id);
  }
  for (const { client, props } of milestones(now)) {
    const clientId = clientIds.get(client);
    await notion.pages.create({
      parent: { data_source_id: dataSources.milestones },
      properties: { ...props, Client: { relation: clientId ? [{ id: clientId }] : [] } },
    });
  }
}
