/**
 * The sandbox console: one page showing the emulated Slack channel, Notion ledger and Stripe
 * invoices, with a small JSON API behind it. Every click the page makes travels to the bot the way
 * Slack's own would: the Slack emulator signs it and posts it to the bot's /slack/events.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ShiftableClock } from './clock.js';
import { listen, Router, routerHandler, type EmulatorRequest, type EmulatorResponse, type Listening } from './http.js';
import type { NotionEmulator } from './notion-emulator.js';
import type { SharedFile, SlackEmulator } from './slack-emulator.js';
import type { StripeEmulator } from './stripe-emulator.js';
import { CLIENT_PROPERTIES, MILESTONE_PROPERTIES, type PropertySpec } from '../ledger/contract.js';
import { richText } from '../ledger/to-properties.js';

export type ConsoleDeps = {
  port: number;
  /** Base URLs of the emulators, shown so scripts can talk to them like to the real APIs. */
  emulators: { notion: string; slack: string; stripe: string };
  notion: NotionEmulator;
  slack: SlackEmulator;
  stripe: StripeEmulator;
  clock: ShiftableClock;
  ledger: { milestonesDb: string; clientsDb: string };
  founder: string;
  channel: string;
  /** The running bot's weekly posts, fired on demand from the console's top bar. */
  weekly?: WeeklyPosts;
};

/** What the console needs of the bot's weekly jobs (src/workflows/weekly-jobs.ts). */
export type WeeklyPosts = { fire(name: string): Promise<string> };

/** The weekly posts the console can fire, by the name of their job, with what each result means. */
export const WEEKLY_POSTS: Readonly<Record<string, string>> = {
  'monday forecast': 'Monday forecast',
  'friday review': 'Friday review',
};

export function weeklyAnswer(job: string, result: string): string {
  const what = WEEKLY_POSTS[job] ?? job;
  switch (result) {
    case 'ran':
      return `${what} posted in the channel.`;
    case 'already-done':
      return `${what} already posted this week: Cashin posts it once a week.`;
    case 'claimed-elsewhere':
      return `${what}: another replica is posting it right now.`;
    case 'not-due':
      return `${what} is not due yet.`;
    default:
      return `${what}: ${result}.`;
  }
}

/** The columns a founder types in Notion (owner founder or founder/bot in the contract); the rest are Cashin's. */
const founderColumns = (table: Readonly<Record<string, PropertySpec>>): string[] =>
  Object.entries(table)
    .filter(([, spec]) => spec.owner !== 'bot')
    .map(([name]) => name);
export const FOUNDER_PROPERTIES = founderColumns(MILESTONE_PROPERTIES);
export const CLIENT_FOUNDER_PROPERTIES = founderColumns(CLIENT_PROPERTIES);

const STEPS: Readonly<Record<string, number>> = { hour: 3600_000, day: 86_400_000, week: 7 * 86_400_000 };

type Json = Record<string, unknown>;

class ConsoleError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The console's page, styles and script, as `npm run build` leaves them in dist/console/. The same
 * place serves the compiled sandbox and the sources run by the tests.
 */
function assetsDir(): URL {
  for (let dir = new URL('.', import.meta.url); dir.pathname !== '/'; dir = new URL('..', dir)) {
    if (existsSync(new URL('package.json', dir))) return new URL('dist/console/', dir);
  }
  throw new Error('Cannot find the Cashin package root from the console server.');
}

const FAVICON =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#4a154b"/><text x="8" y="12" font-size="10" text-anchor="middle" fill="#fff" font-family="sans-serif">C</text></svg>';

export async function startConsole(deps: ConsoleDeps): Promise<Listening> {
  const dir = assetsDir();
  if (!existsSync(new URL('app.js', dir))) throw new Error('The sandbox console is not built: run "npm run build".');
  const [script = '', html = '', css = ''] = await Promise.all(['app.js', 'index.html', 'styles.css'].map((name) => readFile(new URL(name, dir), 'utf8')));
  const { slack, stripe, clock, founder, channel } = deps;
  // Every move of the clock goes through this console, so the bot time of any moment is known.
  const shifts: Shift[] = [{ fromMs: 0, offsetMs: clock.offsetMs }];
  const body = (r: EmulatorRequest): Json => {
    try {
      const parsed: unknown = JSON.parse(r.rawBody || '{}');
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Json;
    } catch {
      /* answered below */
    }
    throw new ConsoleError(400, 'The request body must be a JSON object.');
  };
  const asset = (text: string, type: string): EmulatorResponse => ({
    status: 200,
    body: null,
    text,
    headers: { 'content-type': type, 'cache-control': 'no-store' },
  });
  const delivered = async (run: Promise<{ status: number; body: string }>): Promise<EmulatorResponse> => {
    const d = await run;
    return { status: d.status === 200 ? 200 : 502, body: { status: d.status, answer: d.body ? safeJson(d.body) : null } };
  };

  const router = new Router()
    .add('GET', '/', () => asset(html, 'text/html; charset=utf-8'))
    .add('GET', '/app.js', () => asset(script, 'text/javascript; charset=utf-8'))
    .add('GET', '/styles.css', () => asset(css, 'text/css; charset=utf-8'))
    // A small mark for the tab, so the browser does not log a missing icon on every load.
    .add('GET', '/favicon.ico', () => asset(FAVICON, 'image/svg+xml'))
    .add('GET', '/healthz', () => ({ status: 200, body: { ok: true, mode: 'sandbox' } }))
    .add('GET', '/api/state', () => ({ status: 200, body: state(deps, (ms) => botTime(shifts, ms)) }))
    .add('POST', '/api/click', (r) => {
      const { ts, actionId } = body(r);
      return delivered(slack.click(String(ts), String(actionId), founder));
    })
    .add('POST', '/api/views/:id', (r) => {
      const values = body(r).values;
      if (!values || typeof values !== 'object') throw new ConsoleError(400, 'values must be an object');
      return delivered(slack.submitView(r.params.id ?? '', Object.fromEntries(Object.entries(values).map(([k, v]) => [k, String(v ?? '')])), founder));
    })
    .add('POST', '/api/views/:id/close', (r) => {
      slack.closeView(r.params.id ?? '');
      return { status: 200, body: { ok: true } };
    })
    .add('POST', '/api/command', (r) => delivered(slack.slashCommand('/cashin', String(body(r).text ?? ''), founder, channel)))
    .add('POST', '/api/click-ephemeral', (r) => {
      const { n, actionId } = body(r);
      if (typeof n !== 'number' || !Number.isInteger(n)) throw new ConsoleError(400, 'n must be the number of an ephemeral message.');
      return delivered(slack.clickEphemeral(n, String(actionId), founder));
    })
    .add('POST', '/api/weekly', async (r) => {
      const job = String(body(r).job ?? '');
      if (!WEEKLY_POSTS[job]) throw new ConsoleError(400, `job must be one of: ${Object.keys(WEEKLY_POSTS).join(', ')}`);
      if (!deps.weekly) throw new ConsoleError(503, 'The bot is not running its weekly jobs.');
      const result = await deps.weekly.fire(job);
      return { status: 200, body: { job, result, message: weeklyAnswer(job, result) } };
    })
    .add('POST', '/api/home', async () => {
      // The founder opens the Home tab: Slack sends app_home_opened and the bot publishes the view again.
      const before = slack.homeViews.get(founder);
      const d = await slack.openHome(founder);
      const published = await until(() => slack.homeViews.get(founder) !== before, HOME_WAIT_MS);
      return { status: d.status === 200 ? 200 : 502, body: { status: d.status, refreshed: published, home: homeOf(deps, (ms) => botTime(shifts, ms)) } };
    })
    .add('PATCH', '/api/milestones/:id', (r) => {
      const { property, value } = body(r);
      editRow(deps, deps.ledger.milestonesDb, FOUNDER_PROPERTIES, r.params.id ?? '', String(property), value);
      return { status: 200, body: { ok: true } };
    })
    .add('PATCH', '/api/clients/:id', (r) => {
      const { property, value } = body(r);
      editRow(deps, deps.ledger.clientsDb, CLIENT_FOUNDER_PROPERTIES, r.params.id ?? '', String(property), value);
      return { status: 200, body: { ok: true } };
    })
    .add('POST', '/api/milestones', (r) => {
      const { title, clientId, amount } = body(r);
      if (typeof title !== 'string' || title.trim() === '') throw new ConsoleError(400, 'A milestone needs a title.');
      const id = addMilestone(deps, title, typeof clientId === 'string' && clientId ? clientId : null, typeof amount === 'number' ? amount : null);
      return { status: 200, body: { ok: true, id } };
    })
    .add('POST', '/api/invoices/:id/:action', (r) => {
      const id = r.params.id ?? '';
      const action = r.params.action;
      if (action === 'pay') {
        const { amount } = body(r);
        stripe.pay(id, typeof amount === 'number' ? amount : undefined);
      } else if (action === 'fail') stripe.failPayment(id);
      else if (action === 'dispute') stripe.dispute(id);
      else if (action === 'credit-note') creditNote(stripe, id, body(r).percent);
      else throw new ConsoleError(404, `Unknown invoice action ${action ?? ''}`);
      return { status: 200, body: { ok: true } };
    })
    .add('POST', '/api/clock', (r) => {
      const step = STEPS[String(body(r).by)];
      if (!step) throw new ConsoleError(400, 'by must be hour, day or week');
      clock.advance(step);
      shifts.push({ fromMs: Date.now(), offsetMs: clock.offsetMs });
      return { status: 200, body: { now: clock.now().toISOString() } };
    });
  const routed = routerHandler(router, {
    before: (r) => sameOriginOnly(r, deps.port),
    bodyLimit: CONSOLE_BODY_LIMIT,
    notFound: (r) => ({ status: 404, body: { error: `No console route ${r.method} ${r.path}` } }),
    onError: (error) => ({
      status: error instanceof ConsoleError ? error.status : 400,
      body: { error: error instanceof Error ? error.message : String(error) },
    }),
  });
  // A file's bytes are binary, which the router's text answers cannot carry: served here.
  return listen((req, res) => {
    const path = new URL(req.url ?? '/', 'http://console').pathname;
    if (req.method === 'GET' && path.startsWith('/api/files/')) return serveFile(deps, req, res, safeDecode(path.slice('/api/files/'.length)));
    routed(req, res);
  }, deps.port);
}

/** A path segment decoded; one that is not valid percent-encoding is kept as it came (and names no file). */
function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** How long POST /api/home waits for the bot to publish the Home view it was asked for. */
const HOME_WAIT_MS = 5_000;

async function until(done: () => boolean, timeoutMs: number): Promise<boolean> {
  for (const end = Date.now() + timeoutMs; Date.now() < end; await new Promise((r) => setTimeout(r, 25))) if (done()) return true;
  return done();
}

/** Content types of the files the console shows inline; anything else downloads. */
const INLINE_TYPES: Readonly<Record<string, string>> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
};

export function fileType(f: Pick<SharedFile, 'filename'>): string {
  const ext = f.filename.includes('.') ? (f.filename.split('.').at(-1) ?? '').toLowerCase() : '';
  return INLINE_TYPES[ext] ?? 'application/octet-stream';
}

/** A PNG's width and height from its IHDR chunk, so the page keeps room for the image before it loads. */
export function pngSize(bytes: Buffer): { width: number; height: number } | Record<string, never> {
  const signature = '89504e470d0a1a0a';
  if (bytes.length < 24 || bytes.subarray(0, 8).toString('hex') !== signature || bytes.subarray(12, 16).toString('latin1') !== 'IHDR') return {};
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

function serveFile(deps: ConsoleDeps, req: IncomingMessage, res: ServerResponse, id: string): void {
  const request = { method: 'GET', path: req.url ?? '/', params: {}, query: new URLSearchParams(), headers: req.headers, rawBody: '', receivedAt: Date.now() };
  const refused = sameOriginOnly(request, deps.port);
  const file = deps.slack.files.get(id);
  if (refused || !file) {
    res.writeHead(refused ? refused.status : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(refused ? refused.body : { error: `No file ${id}` }));
    return;
  }
  const type = fileType(file);
  res.writeHead(200, {
    'content-type': type,
    'content-length': String(file.bytes.length),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    // Only images show in the page; any other file is a download, never a page of this origin.
    'content-disposition': `${type.startsWith('image/') ? 'inline' : 'attachment'}; filename="${file.filename.replace(/[^\w.-]/g, '_')}"`,
  });
  res.end(file.bytes);
}

/** The console's requests are small JSON objects; anything bigger is not from the console. */
const CONSOLE_BODY_LIMIT = 64 * 1024;

/**
 * The console answers only pages it served itself. A Host other than this machine's name for it is
 * DNS rebinding; a cross-site Origin, or a body that is not JSON, is another page in the same browser
 * trying to click for the founder.
 */
export function sameOriginOnly(r: EmulatorRequest, port: number): EmulatorResponse | null {
  const own = [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`];
  const refuse = (why: string): EmulatorResponse => ({ status: 403, body: { error: `Refused: ${why}. The sandbox console only answers itself.` } });
  if (!own.includes(String(r.headers.host ?? '').toLowerCase())) return refuse('unexpected Host header');
  if (r.method === 'GET' || r.method === 'HEAD') return null;
  const origin = r.headers.origin;
  if (origin !== undefined && !own.map((h) => `http://${h}`).includes(origin.toLowerCase())) return refuse('cross-site request');
  const site = r.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return refuse('cross-site request');
  if (!String(r.headers['content-type'] ?? '').startsWith('application/json')) return refuse('the body must be JSON');
  return null;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

type Shift = { fromMs: number; offsetMs: number };

/** The bot's time at real time `ms`: real time plus the offset the clock had then. */
function botTime(shifts: readonly Shift[], ms: number): string {
  const offset = shifts.filter((s) => s.fromMs <= ms).at(-1)?.offsetMs ?? 0;
  return new Date(ms + offset).toISOString();
}

/**
 * A credit note issued in Stripe's Dashboard for `percent` of the invoice's total (20 by default),
 * at most what is still owed, rounded down to an amount the currency takes.
 */
function creditNote(stripe: StripeEmulator, id: string, percent: unknown): void {
  const share = typeof percent === 'number' && percent > 0 && percent <= 100 ? percent : 20;
  const inv = stripe.invoiceJson(id);
  const wanted = Math.min(Math.floor((Number(inv.total) * share) / 100), Number(inv.amount_remaining));
  // Three-decimal currencies take multiples of 10, and some two-decimal ones whole units (100).
  const amounts = [1, 10, 100].map((step) => Math.floor(wanted / step) * step).filter((a) => a >= 1);
  if (amounts.length === 0) throw new ConsoleError(400, 'Nothing left to credit on this invoice.');
  let last: unknown = null;
  for (const amount of new Set(amounts)) {
    try {
      stripe.creditNote(id, amount);
      return;
    } catch (error) {
      last = error;
      if (!(error instanceof Error && /evenly divisible/.test(error.message))) break;
    }
  }
  throw last;
}

type Message = { ts: string; text: string; blocks: unknown[]; edited: boolean; threadTs: string | null; broadcast: boolean; files?: string[] };

/** The App Home view Cashin last published for the founder, and when (on the bot's clock); null before the first opening. */
function homeOf(deps: ConsoleDeps, timeOf: (realMs: number) => string): Json | null {
  const view = deps.slack.homeViews.get(deps.founder);
  if (!view) return null;
  // The emulator's hash starts with the second it was published.
  const seconds = Number(String(view.hash ?? '').split('.')[0]);
  return { blocks: Array.isArray(view.blocks) ? view.blocks : [], hash: String(view.hash ?? ''), at: Number.isFinite(seconds) ? timeOf(seconds * 1000) : null };
}

function state(deps: ConsoleDeps, timeOf: (realMs: number) => string): Json {
  const { notion, slack, stripe, clock, ledger, founder, channel } = deps;
  const rows = (db: string) => notion.rowsOf(db).map((id) => ({ id, values: notion.pageValues(id) }));
  const customers = new Map([...stripe.customers.values()].map((c) => [c.id, c.name ?? c.email ?? c.id]));
  const all = slack.channelMessages(channel);
  const posted = new Set(all.map((m) => m.ts));
  const message = (m: Message) => ({
    ts: m.ts,
    text: m.text,
    blocks: m.blocks,
    edited: m.edited,
    broadcast: m.broadcast,
    files: (m.files ?? []).flatMap((id) => {
      const f = slack.files.get(id);
      return f ? [{ id: f.id, title: f.title, name: f.filename, type: fileType(f), size: f.bytes.length, ...pngSize(f.bytes) }] : [];
    }),
    // ts is when Slack received it, in real time; the console shows it on the bot's clock.
    at: timeOf(Number(m.ts.split('.')[0]) * 1000),
  });
  return {
    sandbox: true,
    founder,
    emulators: deps.emulators,
    clock: { now: clock.now().toISOString(), offsetMs: clock.offsetMs },
    channel: {
      id: channel,
      // The channel as Slack draws it: each message with its thread under it. A reply whose parent is gone stands alone.
      messages: all
        .filter((m) => m.threadTs === null || !posted.has(m.threadTs))
        .map((m) => ({ ...message(m), replies: m.threadTs === null ? slack.threadReplies(channel, m.ts).map(message) : [] })),
      ephemerals: slack.ephemerals
        .map((e, n) => ({ n, user: e.user, text: e.text, blocks: e.blocks }))
        .filter((e) => e.user === founder)
        .slice(-8)
        .map(({ n, text, blocks }) => ({ n, text, blocks })),
      views: slack.views.filter((v) => !v.closed && v.user === founder).map((v) => ({ id: v.id, view: v.view })),
      home: homeOf(deps, timeOf),
    },
    ledger: {
      milestones: rows(ledger.milestonesDb),
      clients: rows(ledger.clientsDb),
      editable: Object.fromEntries(FOUNDER_PROPERTIES.map((p) => [p, notion.propertyType(ledger.milestonesDb, p)])),
      clientEditable: Object.fromEntries(CLIENT_FOUNDER_PROPERTIES.map((p) => [p, notion.propertyType(ledger.clientsDb, p)])),
      options: {
        Stage: notion.propertyOptions(ledger.milestonesDb, 'Stage'),
        Currency: notion.propertyOptions(ledger.milestonesDb, 'Currency'),
        'Reminder cadence': notion.propertyOptions(ledger.clientsDb, 'Reminder cadence'),
      },
    },
    invoices: [...stripe.invoices.keys()].reverse().map((id) => {
      const inv = stripe.invoiceJson(id);
      const metadata = (inv.metadata ?? {}) as Record<string, string>;
      return {
        id,
        number: inv.number,
        status: inv.status,
        currency: inv.currency,
        total: inv.total,
        amountPaid: inv.amount_paid,
        amountRemaining: inv.amount_remaining,
        credited: inv.pre_payment_credit_notes_amount ?? 0,
        hostedUrl: inv.hosted_invoice_url,
        customer: customers.get(String(inv.customer)) ?? inv.customer,
        milestoneId: metadata.cashin_milestone ?? null,
        disputed: stripe.disputed.has(id),
        // Only a card payment can be disputed by the client's bank; one paid outside Stripe cannot.
        cardPaid: [...stripe.payments.values()].some((p) => p.invoice === id && p.type === 'payment_intent'),
        failedAttempts: inv.attempt_count ?? 0,
        sends: stripe.sends.get(id) ?? 0,
      };
    }),
  };
}

/** Turns a plain value typed in the console into the Notion property value for that column. */
export function propertyValue(type: string | null, value: unknown): Json {
  const str = value === null || value === undefined ? '' : String(value).trim();
  switch (type) {
    case 'title':
      return { title: richText(str) };
    case 'rich_text':
      return { rich_text: richText(str) };
    case 'number': {
      if (str === '') return { number: null };
      const n = Number(str);
      if (!Number.isFinite(n)) throw new ConsoleError(400, `"${str}" is not a number.`);
      return { number: n };
    }
    case 'select':
      return { select: str ? { name: str } : null };
    case 'status':
      return { status: str ? { name: str } : null };
    case 'url':
      return { url: str || null };
    case 'email':
      return { email: str || null };
    case 'checkbox':
      return { checkbox: value === true || value === 'true' };
    case 'date':
      return { date: str ? { start: str } : null };
    case 'relation':
      return { relation: str ? [{ id: str }] : [] };
    default:
      throw new ConsoleError(400, `The console cannot edit ${type ?? 'this'} properties; edit this column in the Notion emulator's API instead.`);
  }
}

function editRow(deps: ConsoleDeps, databaseId: string, editable: readonly string[], pageId: string, property: string, value: unknown): void {
  if (!editable.includes(property)) throw new ConsoleError(403, `${property} is written by Cashin, not by the founder.`);
  if (!deps.notion.rowsOf(databaseId).includes(pageId)) throw new ConsoleError(404, 'No such row in that table.');
  const type = deps.notion.propertyType(databaseId, property);
  deps.notion.editPage(pageId, { [property]: propertyValue(type, value) });
}

function addMilestone(deps: ConsoleDeps, title: string, clientId: string | null, amount: number | null): string {
  return deps.notion.createRow(deps.ledger.milestonesDb, {
    Milestone: propertyValue('title', title),
    Client: propertyValue('relation', clientId),
    Amount: propertyValue('number', amount),
    Stage: propertyValue('select', 'Planned'),
    'Scope version': propertyValue('rich_text', 'v1'),
  });
}
