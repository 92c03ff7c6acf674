/**
 * The workflows wired exactly as start-up wires them, against the emulators over HTTP with the real
 * SDK clients, but without timers: a test moves the clock and steps polls by hand, so nothing
 * depends on sleeping.
 */
import { StripeBilling } from '../../src/billing/stripe-billing.js';
import { createClients } from '../../src/app/clients.js';
import { loadConfig, type Config } from '../../src/config.js';
import { NotionForecastBook } from '../../src/ledger/forecast-book.js';
import { NotionLedger } from '../../src/ledger/notion-ledger.js';
import { chartRenderer } from '../../src/app/chart.js';
import { SlackChat } from '../../src/slack/chat.js';
import { wireWorkflows, type Workflows } from '../../src/app/wire.js';
import type { Clock, StripeEventRef } from '../../src/workflows/ports.js';
import { parseSendValue, ACTIONS } from '../../src/slack/blocks/card.js';
import { silentLogger } from './notion.js';
import { CHANNEL, type World } from './world.js';

export class SteppableClock implements Clock {
  #at: Date;

  constructor(at: Date) {
    this.#at = at;
  }

  now = (): Date => this.#at;

  advance(ms: number): void {
    this.#at = new Date(this.#at.getTime() + ms);
  }

  set(at: Date): void {
    this.#at = at;
  }
}

/** Stripe's events as the webhook would bring them, for `payments.receive`. */
export function webhookEvents(world: World, types: readonly string[]): StripeEventRef[] {
  return world.stripe.events
    .filter((e) => types.includes(e.type))
    .map((e) => ({ id: e.id, created: e.created, type: e.type, invoiceId: String(e.object.object === 'invoice' ? e.object.id : e.object.invoice) }));
}

export type Harness = Workflows & {
  clock: SteppableClock;
  config: Config;
  billing: StripeBilling;
  /** One ledger poll: what changed in Notion, then settle. */
  tick(): Promise<void>;
  /** The card of a milestone as Slack shows it now. */
  card(milestoneId: string): ReturnType<World['slack']['channelMessages']>[number] | undefined;
  /** The fingerprint on a card's Send button, as a click would carry it. */
  sendFingerprint(milestoneId: string): string | null;
};

export async function harness(world: World, options: { now?: Date; env?: Record<string, string> } = {}): Promise<Harness> {
  const clock = new SteppableClock(options.now ?? new Date());
  world.notion.emulator.now = clock.now;
  world.stripe.now = clock.now;
  world.slack.now = clock.now;
  const config = loadConfig(world.env('http', options.env));
  const clients = createClients(config, silentLogger, { ratePerSecond: 1000 });
  const ledger = new NotionLedger(clients.notion, { milestonesDb: config.notion.milestonesDb, clientsDb: config.notion.clientsDb }, silentLogger, {
    serverTime: clients.notionServerTime,
    clientsEveryMs: 0,
  });
  const problems = await ledger.connect();
  if (problems.length > 0) throw new Error(`ledger does not match the contract: ${JSON.stringify(problems)}`);
  const billing = new StripeBilling(clients.stripe, silentLogger);
  const chat = new SlackChat(clients.slack, config.slack.channelId, config.slack.approverIds);
  const book = config.notion.forecastsDb ? new NotionForecastBook(clients.notion, config.notion.forecastsDb) : null;
  const chart = chartRenderer(config.timeZone, silentLogger);
  const workflows = wireWorkflows(
    config,
    { ledger, billing, chat, clock, logger: silentLogger, claims: billing, book, chart },
    { historyPaceMs: 0, writeBackPaceMs: 0 },
  );
  const card = (id: string) => {
    const ref = String(world.values(id)['Slack card'] ?? '');
    return world.slack.channelMessages(CHANNEL).find((m) => `${m.channel}/${m.ts}` === ref || JSON.stringify(m.blocks).includes(`cashin_card:${id}`));
  };
  return {
    ...workflows,
    clock,
    config,
    billing,
    tick: () => workflows.sync.poll(),
    card,
    sendFingerprint: (id) => {
      const actions = card(id)?.blocks.find((b) => b.type === 'actions');
      const elements = (actions?.elements ?? []) as { action_id?: string; value?: string }[];
      const send = elements.find((e) => e.action_id === ACTIONS.send);
      return send?.value ? parseSendValue(send.value).fingerprint : null;
    },
  };
}
