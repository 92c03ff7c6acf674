/**
 * The bot over HTTP, as Slack, Stripe and strangers reach it: no request or event stops it, no text
 * from Notion becomes Slack markup, and only approvers act or see the books.
 */
import { request } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { start, type Running } from '../../src/app/start.js';
import { loadConfig } from '../../src/config.js';
import { ACTIONS } from '../../src/slack/blocks/card.js';
import { FIELDS } from '../../src/slack/blocks/modals.js';
import { silentLogger } from '../support/notion.js';
import { APPROVER, CHANNEL, STRANGER, createWorld, select, waitFor, type World } from '../support/world.js';

let world: World;
let bot: Running | null = null;

beforeEach(async () => {
  world = await createWorld();
});
afterEach(async () => {
  await bot?.stop();
  bot = null;
  await world.close();
});

async function run(extra: Record<string, string> = {}, options: { timeoutMs?: number; ratePerSecond?: number } = {}): Promise<void> {
  bot = await start(loadConfig(world.env('http', extra)), silentLogger, options);
}

const base = () => `http://127.0.0.1:${world.botPort}`;
const health = async () => {
  const res = await fetch(`${base()}/healthz`);
  return { status: res.status, body: (await res.json()) as { ok: boolean; problems: string[] } };
};
const cardOf = (id: string) => world.slack.channelMessages(CHANNEL).find((m) => JSON.stringify(m.blocks).includes(`cashin_card:${id}`));

/** Starts an upload of `declared` bytes, sends `sent` of them, and hangs up. */
function abortedUpload(path: string, declared: number, sent: number): Promise<void> {
  return new Promise((resolve) => {
    const req = request(`${base()}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': declared } });
    req.on('error', () => resolve());
    req.write('x'.repeat(sent), () =>
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 50),
    );
  });
}

describe('no single request stops the bot', () => {
  it('survives aborted uploads and a 20 MB body, and stays healthy', async () => {
    await run();
    for (let i = 0; i < 5; i += 1) {
      await abortedUpload('/stripe/webhook', 10_000, 100);
      await abortedUpload('/slack/events', 10_000, 100);
    }
    const huge = await fetch(`${base()}/stripe/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: 'x'.repeat(20 * 1024 * 1024),
    }).then(
      (r) => r.status,
      () => 'reset',
    );
    expect([413, 'reset']).toContain(huge);
    expect(await health()).toMatchObject({ status: 200, body: { ok: true } });

    // And it still does its job.
    const client = await world.addClient('Acme');
    await world.addMilestone('Homepage design', client, { Stage: select('Delivered') });
    await waitFor('card', () => world.slack.channelMessages(CHANNEL).length === 1);
  });

  it('answers 503 with the reason while polling Stripe keeps failing, and 200 once it recovers', async () => {
    await run();
    world.stripe.injectFaults(10_000, { method: 'GET', path: /^\/v1\/events$/ });
    const down = await waitFor(
      'unhealthy',
      async () => {
        const h = await health();
        return h.status === 503 && h;
      },
      20_000,
    );
    expect(down.body.problems.join('\n')).toMatch(/stripe event poll has failed \d+ times in a row/);
    world.stripe.clearFaults();
    await waitFor('healthy again', async () => (await health()).status === 200, 20_000);
  }, 45_000);

  it('does not let a hung Slack call hold a milestone', async () => {
    await run({}, { timeoutMs: 700, ratePerSecond: 200 });
    const client = await world.addClient('Acme', { 'Review before send': { checkbox: true } });
    const id = await world.addMilestone('Homepage design', client, {
      Stage: select('Delivered'),
      'Acceptance evidence': { url: 'https://mail.example.test/ok' },
    });
    const card = await waitFor('card', () => cardOf(id));
    let release: () => void = () => {};
    world.slack.stall(
      'chat.update',
      new Promise<void>((resolve) => {
        release = resolve;
      }),
    );
    try {
      // Updating the card hangs, inside the milestone's lock; the next click must still get through.
      world.edit(id, { Amount: { number: 2600 } });
      await new Promise((r) => setTimeout(r, 1500));
      await world.slack.click(card.ts, ACTIONS.accept, APPROVER);
      await waitFor('accepted despite the hung call', () => world.values(id).Stage === 'Accepted', 15_000);
    } finally {
      release();
    }
  }, 30_000);
});

describe('text from Notion never becomes Slack markup', () => {
  const title = `<!channel> \`\`\`Launch\`\`\` <https://evil.example|pay here> & <@U0BOSS> ${'ö&<>'.repeat(50)}`;

  it('escapes a title like <!channel> in every text Slack reads as markup', async () => {
    await run();
    const client = await world.addClient('<!here> Acme', {
      'Review before send': { checkbox: true },
      'Billing owner': { rich_text: [{ text: { content: 'Dana <!everyone>' } }] },
    });
    const id = await world.addMilestone(title, client, { Stage: select('Delivered') });
    const card = await waitFor('card', () => cardOf(id));
    await world.slack.click(card.ts, ACTIONS.draftAcceptance, APPROVER);
    await waitFor('acceptance draft', () => world.slack.ephemerals.length === 1);
    await world.slack.click(card.ts, ACTIONS.accept, APPROVER);
    const modal = await waitFor('evidence modal', () => world.slack.views[0]);
    await world.slack.submitView(modal.id, { [FIELDS.evidence]: 'https://mail.example.test/ok' }, APPROVER);
    await waitFor('review card', () => JSON.stringify(cardOf(id)?.blocks).includes(ACTIONS.send));
    await world.slack.click(card.ts, ACTIONS.send, APPROVER);
    await waitFor('sent', () => world.values(id)['Invoice status'] === 'Sent');
    await world.slack.slashCommand('/cashin', '', APPROVER, CHANNEL);
    await waitFor('status reply', () => world.slack.ephemerals.length >= 2);

    const mrkdwn: string[] = [];
    const collect = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(collect);
      else if (value && typeof value === 'object') {
        const o = value as Record<string, unknown>;
        if (o.type === 'mrkdwn' && typeof o.text === 'string') mrkdwn.push(o.text);
        Object.values(o).forEach(collect);
      }
    };
    const messages = [...world.slack.messages, ...world.slack.ephemerals];
    collect([messages.map((m) => m.blocks), world.slack.views.map((v) => v.view)]);
    // A message's `text` is mrkdwn too: it is what notifications show.
    const all = [...mrkdwn, ...messages.map((m) => m.text)];
    expect(all.length).toBeGreaterThan(10);
    for (const t of all) {
      expect(t).not.toMatch(/<!(channel|here|everyone)>|<@U0BOSS>|<https:\/\/evil/);
      // Every < opens a link or mention Cashin made itself, and is closed: nothing was cut in half.
      for (const open of t.matchAll(/</g)) expect(t.slice(open.index).match(/^<(@U0FOUNDER1|https?:\/\/[^\s<>]+\|[^<>]*)>/)).not.toBeNull();
    }
    // The draft for the client is shown as plain text, exactly as typed.
    const draft = world.slack.ephemerals[0]?.blocks.find((b) => (b.text as { type?: string } | undefined)?.type === 'plain_text');
    expect(JSON.stringify(draft)).toContain('```Launch```');
  });

  it('does not copy a Stripe message that quotes a key into Notion or Slack', async () => {
    await run();
    const client = await world.addClient('Acme', { 'Review before send': { checkbox: true } });
    const id = await world.addMilestone('Homepage design', client, {
      Stage: select('Accepted'),
      'Acceptance evidence': { url: 'https://mail.example.test/ok' },
    });
    const card = await waitFor('review card', () => cardOf(id));
    world.stripe.injectFaults(
      1,
      { method: 'POST', path: /^\/v1\/invoices$/ },
      {
        status: 400,
        type: 'invalid_request_error',
        message:
          "Keys for idempotent requests can only be used with the same parameters. Try using a key other than 'cashin:invoice:abc:a1'. Key used: sk_test_cashin_emulated",
      },
    );
    await world.slack.click(card.ts, ACTIONS.send, APPROVER);
    const reply = await waitFor('reply', () => world.slack.ephemerals.find((e) => e.text.includes('not sent')));
    await waitFor('blockers', () => String(world.values(id).Blockers).includes('Send failed'));
    for (const t of [reply.text, String(world.values(id).Blockers), JSON.stringify(cardOf(id)?.blocks)]) {
      expect(t).not.toContain('cashin:invoice');
      expect(t).not.toContain('sk_test_');
    }
  });
});

describe('only approvers act, and only approvers see the books', () => {
  it('refuses strangers the acceptance draft and /cashin, and answers /cashin privately where it was typed', async () => {
    await run();
    const client = await world.addClient('Acme');
    const id = await world.addMilestone('Homepage design', client, { Stage: select('Delivered') });
    const card = await waitFor('card', () => cardOf(id));
    await world.slack.click(card.ts, ACTIONS.draftAcceptance, STRANGER);
    await world.slack.slashCommand('/cashin', '', STRANGER, CHANNEL);
    await waitFor('two refusals', () => world.slack.ephemerals.filter((e) => e.user === STRANGER).length === 2);
    for (const e of world.slack.ephemerals) {
      expect(e.text).toContain('Only the approvers');
      expect(e.text).not.toContain('Homepage design');
    }

    await world.slack.slashCommand('/cashin', '', APPROVER, 'C0ELSEWHERE');
    const answer = await waitFor('answer', () => world.slack.ephemerals.find((e) => e.user === APPROVER));
    expect(answer).toMatchObject({ channel: 'C0ELSEWHERE' });
    // The forecast names the delivered milestone it projects as an invoice to come.
    expect(JSON.stringify(answer.blocks)).toContain('Homepage design');
    expect(world.slack.messages).toHaveLength(1);
  });
});
