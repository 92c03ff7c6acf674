import { pino } from 'pino';
import { NotionEmulator } from '../../src/sandbox/notion-emulator.js';
import { createNotionClient } from '../../src/ledger/notion-client.js';
import { createLedger, type CreatedLedger } from '../../src/ledger/setup.js';
import type { Listening } from '../../src/sandbox/http.js';

export const NOTION_TOKEN = 'ntn_test_emulated_secret';
export const silentLogger = pino({ level: 'silent' });

export type NotionWorld = {
  emulator: NotionEmulator;
  server: Listening;
  ledgerIds: CreatedLedger;
  client: ReturnType<typeof createNotionClient>;
  close(): Promise<void>;
};

/** A Notion emulator with Cashin's databases created through the real setup code. */
export async function notionWorld(options: { now?: () => Date; ratePerSecond?: number } = {}): Promise<NotionWorld> {
  const emulator = new NotionEmulator({ token: NOTION_TOKEN, ...(options.now ? { now: options.now } : {}) });
  const server = await emulator.listen();
  const client = createNotionClient({
    token: NOTION_TOKEN,
    baseUrl: server.url,
    logger: silentLogger,
    ratePerSecond: options.ratePerSecond ?? 200,
    baseBackoffMs: 20,
  });
  const parent = emulator.createWorkspacePage('Cashin');
  const ledgerIds = await createLedger(client.notion, parent);
  return { emulator, server, ledgerIds, client, close: () => server.close() };
}

type Props = Record<string, unknown>;
const text = (v: string) => ({ rich_text: [{ text: { content: v } }] });

export function clientProps(name: string, extra: Props = {}): Props {
  return {
    Client: { title: [{ text: { content: name } }] },
    'Billing email': { email: `ap@${name.toLowerCase().replace(/\W/g, '')}.test` },
    Currency: { select: { name: 'USD' } },
    'Payment terms': { number: 14 },
    ...extra,
  };
}

export function milestoneProps(title: string, clientId: string | null, extra: Props = {}): Props {
  return {
    Milestone: { title: [{ text: { content: title } }] },
    Client: { relation: clientId ? [{ id: clientId }] : [] },
    Project: text('ACME-WEB'),
    Amount: { number: 2500 },
    Currency: { select: { name: 'USD' } },
    Stage: { select: { name: 'In progress' } },
    'Scope version': text('v1'),
    'Delivery evidence': text('Figma file and test summary: https://files.example.test/d/1'),
    Outcome: text('Sign-up conversion +12 %'),
    'Next checkpoint': text('Checkout flow, 5 Dec'),
    ...extra,
  };
}

export { text as richTextProp };

export async function addRow(world: NotionWorld, databaseId: string, properties: Props): Promise<string> {
  const page = await world.client.notion.pages.create({ parent: { data_source_id: world.emulator.dataSourceOf(databaseId) }, properties: properties as never });
  return page.id;
}
