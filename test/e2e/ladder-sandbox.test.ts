/**
 * The reminder ladder as a founder meets it: `npm start` with no credentials starts the sandbox
 * (emulators, demo ledger, the real bot, the console), and this test drives it only through the
 * console's HTTP API, moving the bot's clock a day at a time. Reminder hours are opened to the
 * whole week so the walk does not depend on when it runs.
 *
 * - Acme Studio (Standard, 14 days, auto-send): "Onboarding flow" goes out by itself at start and is
 *   chased through T+3, T+7, T+10 and T+14, turns Overdue the day after its due date, and is paid;
 *   "Analytics dashboard" goes out after its grace period and is paid after its T+3 reminder, which
 *   ends its ladder there.
 * - Globex GmbH (Net 30, review before send), with Service pause set from the console: "Security
 *   audit" is sent with a click and chased at +7, +14 and +30, where the final notice pauses
 *   service; the payment lifts the pause and says so.
 *
 * Each step is checked on all three sides: Stripe (the invoice emailed again), Slack (a reply under
 * the card, in the channel with a mention when it needs the founder) and Notion (Reminder stage,
 * Invoice status, the audit comment, read from the Notion emulator's own comments API).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX } from '../../src/sandbox/run.js';
import { ACTIONS } from '../../src/slack/blocks/card.js';
import { WIDE_HOURS } from '../support/ladder-process.js';
import { startBot, type BotProcess } from '../support/process.js';
import { freePort, waitFor } from '../support/world.js';

type Message = { ts: string; text: string; blocks: unknown[]; broadcast: boolean; replies: Message[] };
type Row = { id: string; values: Record<string, unknown> };
type Invoice = { id: string; milestoneId: string | null; status: string; sends: number };
type State = {
  founder: string;
  emulators: { notion: string };
  clock: { now: string };
  channel: { messages: Message[] };
  ledger: { milestones: Row[]; clients: Row[] };
  invoices: Invoice[];
};

const STANDARD = 'Onboarding flow';
const STANDARD_PAID_EARLY = 'Analytics dashboard';
const NET30 = 'Security audit';
const ACME = 'Acme Studio';
const GLOBEX = 'Globex GmbH';

let bot: BotProcess;
let base = '';
/** Days the console has moved the bot's clock. */
let day = 0;

async function state(): Promise<State> {
  return (await (await fetch(`${base}/api/state`)).json()) as State;
}

async function call(method: string, path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${base}${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await res.json()) as Record<string, unknown>;
  if (res.status !== 200) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(json)}`);
  return json;
}

/** Polls the console until `check` holds. Spaced out: every state is drawn by the sandbox the bot runs in. */
function until<T>(what: string, check: (s: State) => T | undefined | false, timeoutMs = 15_000): Promise<T> {
  return waitFor(
    what,
    async () => {
      await new Promise((r) => setTimeout(r, 150));
      return check(await state());
    },
    timeoutMs,
  );
}

/**
 * A milestone of the test's own, Delivered, whose Amount is changed to learn when the bot has
 * read the ledger: once its card shows a second change, a whole poll ran after the first one,
 * so every row has been looked at on the clock as it is now.
 */
const MARKER = 'Poll marker';
let markerAmount = 100;
async function settle(): Promise<void> {
  for (const _ of [1, 2]) {
    markerAmount += 1;
    const id = row(await state(), MARKER).id;
    await call('PATCH', `/api/milestones/${id}`, { property: 'Amount', value: markerAmount });
    await until(`the bot to read Amount ${markerAmount}`, (s) => shown(card(s, MARKER)).includes(`USD ${markerAmount}.00`));
  }
}

/** Moves the bot's clock to `target` days after the start, one day at a time. */
async function toDay(target: number): Promise<void> {
  while (day < target) {
    await call('POST', '/api/clock', { by: 'day' });
    day += 1;
  }
}

function row(s: State, title: string): Row {
  const found = s.ledger.milestones.find((m) => m.values.Milestone === title);
  if (!found) throw new Error(`no milestone ${title}`);
  return found;
}
const values = (s: State, title: string) => row(s, title).values;
const clientOf = (s: State, name: string) => {
  const found = s.ledger.clients.find((c) => c.values.Client === name);
  if (!found) throw new Error(`no client ${name}`);
  return found;
};
const invoiceOf = (s: State, title: string) => s.invoices.find((i) => i.milestoneId === row(s, title).id);
const sends = (s: State, title: string) => invoiceOf(s, title)?.sends ?? 0;
const cardTs = (s: State, title: string) => String(values(s, title)['Slack card']).split('/')[1] ?? '';
const card = (s: State, title: string) => s.channel.messages.find((m) => m.ts === cardTs(s, title));
const replies = (s: State, title: string) => card(s, title)?.replies ?? [];
const repliesAbout = (s: State, title: string, step: string) => replies(s, title).filter((r) => r.text.includes(step));
const shown = (m: Message | undefined) => JSON.stringify(m?.blocks ?? []);
/** Top-level messages of the channel (the cards and anything posted on its own), thread replies excluded. */
const topLevel = (s: State, text: string) => s.channel.messages.filter((m) => m.text.includes(text));

/** The page's comments, as Notion's API lists them: the audit trail. */
async function comments(pageId: string): Promise<string[]> {
  const notion = (await state()).emulators.notion;
  const res = await fetch(`${notion}/v1/comments?block_id=${pageId}`, {
    headers: { authorization: `Bearer ${SANDBOX.notionToken}`, 'notion-version': '2025-09-03' },
  });
  const list = (await res.json()) as { results: { rich_text: { plain_text: string }[] }[] };
  return list.results.map((c) => c.rich_text.map((t) => t.plain_text).join(''));
}
const audit = async (s: State, title: string, step: string) =>
  (await comments(row(s, title).id)).filter((c) => c.startsWith(`Cashin: reminder step "${step}" on invoice ${String(values(s, title)['Invoice number'])}:`));

/** Waits until the row records `step` as its Reminder stage: the last thing a step writes. */
const stepRecorded = (title: string, step: string) => until(`${title}: ${step}`, (s) => values(s, title)['Reminder stage'] === step && s, 20_000);

/** A step for the client: Stripe emailed the invoice again, a quiet reply under the card, the audit comment. */
async function expectClientReminder(s: State, title: string, step: string, sendsBefore: number): Promise<void> {
  expect(sends(s, title), `${title}: Stripe emailed the invoice again at ${step}`).toBe(sendsBefore + 1);
  const [reply, ...more] = repliesAbout(s, title, step);
  expect(more).toHaveLength(0);
  expect(reply?.text).toContain(`${step}: Stripe emailed invoice`);
  expect(reply?.broadcast).toBe(false);
  expect(reply?.text).not.toContain('<@');
  expect(shown(reply)).toContain('payment link');
  expect(topLevel(s, step)).toHaveLength(0);
  expect(await audit(s, title, step)).toHaveLength(1);
}

/** A step for the founder: a reply under the card, also sent to the channel, mentioning the approver. */
async function expectFounderStep(s: State, title: string, step: string): Promise<Message | undefined> {
  const [reply, ...more] = repliesAbout(s, title, step);
  expect(more).toHaveLength(0);
  expect(reply?.broadcast).toBe(true);
  expect(reply?.text).toContain(`<@${s.founder}>`);
  expect(topLevel(s, step)).toHaveLength(0);
  expect(await audit(s, title, step)).toHaveLength(1);
  return reply;
}

/** Overdue starts the day after the due date (UTC here): Invoice due is a day, "today" the bot's. */
const overdueByNow = (s: State, title: string) => s.clock.now.slice(0, 10) > String(values(s, title)['Invoice due']).slice(0, 10);

beforeAll(async () => {
  const port = await freePort();
  base = `http://localhost:${port}`;
  // As a founder starts it: no Notion, Slack or Stripe credentials, so `npm start` runs the sandbox.
  bot = await startBot({ PORT: String(port), CASHIN_TIMEZONE: 'UTC', LOG_LEVEL: 'warn', ...WIDE_HOURS }, port, '/api/state');
}, 60_000);

afterAll(async () => {
  await bot?.kill('SIGTERM');
});

describe('the reminder ladder in the sandbox, day by day', () => {
  it('sends a Standard invoice by itself and, once Service pause is set on the Net 30 client, a Net 30 invoice on a click', async () => {
    const s = await until('the Standard invoice auto-sent', (x) => values(x, STANDARD)['Invoice status'] === 'Sent' && sends(x, STANDARD) === 1 && x);
    expect(clientOf(s, ACME).values['Reminder cadence']).toBe('Standard');
    expect(values(s, STANDARD)['Reminder stage']).toBeNull();
    // The card is drawn once the invoice is out, with the ladder ahead of it.
    await until('the Standard invoice card with its ladder', (x) => shown(card(x, STANDARD)).includes('Next: T+3 reminder'));

    const marker = await call('POST', '/api/milestones', { title: MARKER, clientId: clientOf(s, ACME).id, amount: markerAmount });
    await call('PATCH', `/api/milestones/${String(marker.id)}`, { property: 'Stage', value: 'Delivered' });
    await until('the marker card', (x) => shown(card(x, MARKER)).includes(`USD ${markerAmount}.00`));

    const globex = clientOf(s, GLOBEX);
    expect(globex.values['Reminder cadence']).toBe('Net 30');
    expect(globex.values['Service pause']).toBe(false);
    await call('PATCH', `/api/clients/${globex.id}`, { property: 'Service pause', value: true });
    const review = await until('the Net 30 review card with its Send button', (x) => shown(card(x, NET30)).includes(ACTIONS.send) && cardTs(x, NET30));
    await call('POST', '/api/click', { ts: review, actionId: ACTIONS.send });
    const sent = await until('the Net 30 invoice sent', (x) => values(x, NET30)['Invoice status'] === 'Sent' && sends(x, NET30) === 1 && x);
    expect(clientOf(sent, GLOBEX).values['Service pause']).toBe(true);
    const drawn = await until('the Net 30 invoice card with its ladder', (x) => shown(card(x, NET30)).includes('Next: Net 30 friendly reminder') && x);
    expect(replies(drawn, NET30)).toHaveLength(0);
  }, 30_000);

  it('day 1–2: nothing is chased yet; a second Standard invoice goes out once its grace period is over', async () => {
    await toDay(1);
    const s = await until('the second Standard invoice auto-sent', (x) => values(x, STANDARD_PAID_EARLY)['Invoice status'] === 'Sent' && x);
    expect(sends(s, STANDARD_PAID_EARLY)).toBe(1);
    await toDay(2);
    await settle();
    const later = await state();
    for (const title of [STANDARD, NET30]) {
      expect(sends(later, title)).toBe(1);
      expect(replies(later, title)).toHaveLength(0);
      expect(values(later, title)['Reminder stage']).toBeNull();
    }
  }, 30_000);

  it('day 3: the Standard T+3 reminder: Stripe emails the invoice again, a quiet reply under the card, Reminder stage and an audit comment', async () => {
    await toDay(3);
    const s = await stepRecorded(STANDARD, 'T+3 reminder');
    await expectClientReminder(s, STANDARD, 'T+3 reminder', 1);
    expect(values(s, STANDARD)['Invoice status']).toBe('Sent');
    await until('the card showing the next step', (x) => shown(card(x, STANDARD)).includes('Next: T+7 escalation'));
    // The follow-up draft greets the client's billing owner, Dana Reyes (AP).
    expect(shown(repliesAbout(s, STANDARD, 'T+3 reminder')[0])).toContain('Hi Dana,');
    expect(sends(s, NET30)).toBe(1);
  }, 30_000);

  it('day 4–6: a payment right after the T+3 reminder ends that ladder', async () => {
    await toDay(4);
    const s = await stepRecorded(STANDARD_PAID_EARLY, 'T+3 reminder');
    await expectClientReminder(s, STANDARD_PAID_EARLY, 'T+3 reminder', 1);
    const invoice = invoiceOf(s, STANDARD_PAID_EARLY);
    await call('POST', `/api/invoices/${invoice?.id}/pay`, {});
    await until('the early payment recorded', (x) => values(x, STANDARD_PAID_EARLY)['Invoice status'] === 'Paid');
    await toDay(6);
    await settle();
    // Nothing is due for the other two on these days.
    const later = await state();
    expect(repliesAbout(later, STANDARD, 'T+3 reminder')).toHaveLength(1);
    expect(sends(later, STANDARD)).toBe(2);
    expect(sends(later, NET30)).toBe(1);
  }, 30_000);

  it('day 7: the Standard escalation comes to the founder in the channel, naming the billing owner; the Net 30 friendly reminder goes to the client', async () => {
    await toDay(7);
    const s = await stepRecorded(STANDARD, 'T+7 escalation');
    const escalation = await expectFounderStep(s, STANDARD, 'T+7 escalation');
    expect(escalation?.text).toContain(`has not paid invoice`);
    expect(shown(escalation)).toContain('Billing owner: Dana Reyes (AP)');
    // An escalation is for the founder: Stripe does not email the client.
    expect(sends(s, STANDARD)).toBe(2);

    const net30 = await stepRecorded(NET30, 'Net 30 friendly reminder');
    await expectClientReminder(net30, NET30, 'Net 30 friendly reminder', 1);
    expect(shown(repliesAbout(net30, NET30, 'Net 30 friendly reminder')[0])).toContain('Hi Jonas,');
    expect(values(net30, NET30)['Invoice status']).toBe('Sent');
  }, 30_000);

  it('day 10: the Standard service-risk flag, with a courtesy call summary', async () => {
    await toDay(10);
    const s = await stepRecorded(STANDARD, 'T+10 service risk');
    const flag = await expectFounderStep(s, STANDARD, 'T+10 service risk');
    expect(shown(flag)).toContain('Courtesy call summary');
    expect(sends(s, STANDARD)).toBe(2);
    // The invoice paid after its T+3 reminder was not escalated at its own T+7 (day 8).
    expect(values(s, STANDARD_PAID_EARLY)['Reminder stage']).toBe('T+3 reminder');
    expect(replies(s, STANDARD_PAID_EARLY).filter((r) => r.text.includes('T+7 escalation'))).toHaveLength(0);
    expect(sends(s, STANDARD_PAID_EARLY)).toBe(2);
  }, 30_000);

  it('day 14: the Standard final notice (no Service pause: no pause) and the Net 30 past-due notice; the due date itself is not Overdue', async () => {
    await toDay(14);
    const s = await stepRecorded(STANDARD, 'T+14 overdue protocol');
    const notice = await expectFounderStep(s, STANDARD, 'T+14 overdue protocol');
    expect(notice?.text).toContain('final notice for invoice');
    expect(shown(notice)).toContain('so this is a final notice only');
    expect(sends(s, STANDARD)).toBe(3);
    expect(clientOf(s, ACME).values['Service paused']).toBe(false);

    const net30 = await stepRecorded(NET30, 'Net 30 past-due notice');
    await expectClientReminder(net30, NET30, 'Net 30 past-due notice', 2);
    expect(clientOf(net30, GLOBEX).values['Service paused']).toBe(false);
    if (!overdueByNow(net30, STANDARD)) expect(values(net30, STANDARD)['Invoice status']).toBe('Sent');
  }, 30_000);

  it('day 15: the Standard invoice is Overdue, its card says how late; paid, it stops for good', async () => {
    await toDay(15);
    const s = await until('Overdue in Notion', (x) => values(x, STANDARD)['Invoice status'] === 'Overdue' && x);
    expect(overdueByNow(s, STANDARD)).toBe(true);
    await until('the card marked late', (x) => /overdue, \d+ days? late/.test(shown(card(x, STANDARD))));

    await call('POST', `/api/invoices/${invoiceOf(s, STANDARD)?.id}/pay`, {});
    const paid = await until('Paid in Notion', (x) => values(x, STANDARD)['Invoice status'] === 'Paid' && x);
    expect(values(paid, STANDARD)['Amount paid']).toBe(2200);
    expect(values(paid, STANDARD)['Reminder stage']).toBe('T+14 overdue protocol');
    await until('the card marked paid', (x) => card(x, STANDARD)?.text.endsWith('paid.'));
  }, 30_000);

  it('day 30: the Net 30 final notice pauses Globex, with an alert to the founder', async () => {
    const before = await state();
    const standardReplies = replies(before, STANDARD).length;
    await toDay(29);
    await settle();
    const quiet = await state();
    expect(sends(quiet, NET30)).toBe(3);
    expect(values(quiet, NET30)['Reminder stage']).toBe('Net 30 past-due notice');

    await toDay(30);
    const s = await stepRecorded(NET30, 'Net 30 final notice');
    const notice = await expectFounderStep(s, NET30, 'Net 30 final notice');
    expect(sends(s, NET30)).toBe(4);
    expect(notice?.text).toContain('final notice for invoice');
    expect(shown(notice)).toContain('Service is now paused for Globex GmbH');
    expect(clientOf(s, GLOBEX).values['Service paused']).toBe(true);
    expect((await audit(s, NET30, 'Net 30 final notice'))[0]).toContain('service paused for the client');
    expect(values(s, NET30)['Invoice status']).toBe('Sent');

    // The Standard invoice, paid on day 15, was left alone since.
    expect(sends(s, STANDARD)).toBe(3);
    expect(replies(s, STANDARD)).toHaveLength(standardReplies);
  }, 30_000);

  it('day 31: the Net 30 invoice is Overdue; paid, the pause is lifted and said so, and nothing more is sent', async () => {
    await toDay(31);
    const s = await until('Net 30 Overdue', (x) => values(x, NET30)['Invoice status'] === 'Overdue' && x);
    expect(overdueByNow(s, NET30)).toBe(true);

    await call('POST', `/api/invoices/${invoiceOf(s, NET30)?.id}/pay`, {});
    const paid = await until(
      'Paid and the pause lifted',
      (x) => values(x, NET30)['Invoice status'] === 'Paid' && clientOf(x, GLOBEX).values['Service paused'] === false && x,
    );
    const lifted = await until('the pause-lifted reply', (x) => replies(x, NET30).find((r) => r.text.includes('service pause lifted')));
    expect(lifted.broadcast).toBe(true);
    expect(lifted.text).toContain(`<@${paid.founder}>`);
    expect(lifted.text).toContain('Globex GmbH paid invoice');
    expect(topLevel(paid, 'service pause lifted')).toHaveLength(0);
    await waitFor('the pause-lifted comment', async () =>
      (await comments(row(paid, NET30).id)).some((c) => c.includes('service pause lifted for Globex GmbH')),
    );

    // A week on: no step twice, nothing more sent, every step's reply and comment exactly once.
    const settled = await state();
    await toDay(38);
    await settle();
    const end = await state();
    for (const title of [STANDARD, NET30, STANDARD_PAID_EARLY]) {
      expect(sends(end, title), title).toBe(sends(settled, title));
      expect(replies(end, title), title).toHaveLength(replies(settled, title).length);
    }
    expect([sends(end, STANDARD), sends(end, NET30), sends(end, STANDARD_PAID_EARLY)]).toEqual([3, 4, 2]);
    const ladders: [string, string[]][] = [
      [STANDARD, ['T+3 reminder', 'T+7 escalation', 'T+10 service risk', 'T+14 overdue protocol']],
      [NET30, ['Net 30 friendly reminder', 'Net 30 past-due notice', 'Net 30 final notice']],
      [STANDARD_PAID_EARLY, ['T+3 reminder']],
    ];
    for (const [title, steps] of ladders) {
      const notes = (await comments(row(end, title).id)).filter((c) => c.startsWith('Cashin: reminder step'));
      expect(
        notes.map((c) => /"([^"]+)"/.exec(c)?.[1]),
        title,
      ).toEqual(steps);
      for (const step of steps) expect(repliesAbout(end, title, step), `${title}: ${step}`).toHaveLength(1);
    }
    expect(clientOf(end, GLOBEX).values['Service paused']).toBe(false);
    expect(values(end, NET30)['Invoice status']).toBe('Paid');
    expect(values(end, STANDARD)['Invoice status']).toBe('Paid');
  }, 40_000);
});
