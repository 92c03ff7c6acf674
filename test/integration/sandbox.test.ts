/** The sandbox in-process: demo data, the console API, and the bot reacting to both. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStage, STAGES } from '../../src/domain/milestone.js';
import { freePort } from '../../src/sandbox/http.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/run.js';
import { silentLogger } from '../support/notion.js';
import { waitFor } from '../support/world.js';

type Row = { id: string; values: Record<string, unknown> };
type State = {
  ledger: { milestones: Row[]; clients: Row[] };
  channel: { messages: { ts: string; text: string; blocks: unknown[] }[] };
  invoices: { status: string }[];
  clock: { now: string };
};

let sandbox: Sandbox;
let base = '';
let startMs = 0;

beforeAll(async () => {
  const port = await freePort();
  const started = Date.now();
  sandbox = await startSandbox({ PORT: String(port) }, silentLogger);
  startMs = Date.now() - started;
  base = `http://127.0.0.1:${port}`;
}, 30_000);
afterAll(async () => sandbox.stop());

async function state(): Promise<State> {
  return (await (await fetch(`${base}/api/state`)).json()) as State;
}

async function call(method: string, path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${base}${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('the sandbox', () => {
  it('starts quickly with demo data covering every stage, several clients and blocked rows', async () => {
    expect(startMs).toBeLessThan(15_000);
    const s = await state();
    expect(s.ledger.clients.length).toBeGreaterThanOrEqual(3);
    expect(new Set(s.ledger.clients.map((c) => c.values['Payment terms'])).size).toBeGreaterThanOrEqual(3);
    expect(new Set(s.ledger.clients.map((c) => c.values['Reminder cadence'])).size).toBeGreaterThanOrEqual(3);
    expect(s.ledger.clients.some((c) => c.values['PO required'] === true)).toBe(true);
    expect(s.ledger.milestones.length).toBeGreaterThanOrEqual(8);
    const stages = new Set(s.ledger.milestones.map((m) => m.values.Stage));
    for (const stage of STAGES) expect(stages.has(stage)).toBe(true);
    await waitFor('blockers written', async () => (await state()).ledger.milestones.filter((m) => String(m.values.Blockers ?? '').length > 0).length >= 3);
  });

  it('serves the console page and its script', async () => {
    const page = await (await fetch(base)).text();
    expect(page).toContain('SANDBOX');
    const script = await fetch(`${base}/app.js`);
    expect(script.headers.get('content-type')).toContain('javascript');
    expect(await script.text()).toContain('/api/state');
  });

  it('lets the founder edit founder columns and refuses the bot columns', async () => {
    const row = (await state()).ledger.milestones.find((m) => m.values.Milestone === 'Brand workshop');
    expect((await call('PATCH', `/api/milestones/${row?.id}`, { property: 'PO number', value: 'PO-77' })).status).toBe(200);
    expect((await call('PATCH', `/api/milestones/${row?.id}`, { property: 'Amount', value: 'lots' })).json.error).toContain('not a number');
    expect((await call('PATCH', `/api/milestones/${row?.id}`, { property: 'Invoice ID', value: 'in_fake' })).status).toBe(403);
    const after = (await state()).ledger.milestones.find((m) => m.id === row?.id);
    expect(after?.values['PO number']).toBe('PO-77');
    expect(after?.values['Invoice ID']).toBe('');
  });

  it('lets the founder edit client terms, which the bot then applies', async () => {
    const s = await state();
    const globex = s.ledger.clients.find((c) => c.values.Client === 'Globex GmbH');
    const blocked = s.ledger.milestones.find((m) => m.values.Milestone === 'Data migration');
    expect((await call('PATCH', `/api/clients/${globex?.id}`, { property: 'PO required', value: false })).status).toBe(200);
    expect((await call('PATCH', `/api/clients/${globex?.id}`, { property: 'Stripe customer', value: 'cus_fake' })).status).toBe(403);
    expect((await call('PATCH', `/api/clients/${blocked?.id}`, { property: 'Tax rate', value: 5 })).status).toBe(404);
    expect((await call('PATCH', `/api/clients/${globex?.id}`, { property: 'Billing email', value: 'ap@globex.example' })).status).toBe(200);
    expect((await state()).ledger.clients.find((c) => c.id === globex?.id)?.values['Billing email']).toBe('ap@globex.example');
    await waitFor(
      'PO blocker gone',
      async () => !String((await state()).ledger.milestones.find((m) => m.id === blocked?.id)?.values.Blockers ?? '').includes('PO number'),
      15_000,
    );
  });

  it('adds a milestone the bot then follows', async () => {
    const s = await state();
    const { json } = await call('POST', '/api/milestones', { title: 'Extra sprint', clientId: s.ledger.clients[0]?.id, amount: 900 });
    await call('PATCH', `/api/milestones/${String(json.id)}`, { property: 'Stage', value: 'Delivered' });
    await waitFor('card for the new milestone', async () => (await state()).channel.messages.some((m) => m.text.includes('Extra sprint')), 15_000);
    const row = (await state()).ledger.milestones.find((m) => m.id === json.id);
    expect(isStage(String(row?.values.Stage))).toBe(true);
  });

  it('moves the bot clock forward only', async () => {
    const before = Date.parse((await state()).clock.now);
    expect((await call('POST', '/api/clock', { by: 'day' })).status).toBe(200);
    expect(Date.parse((await state()).clock.now) - before).toBeGreaterThanOrEqual(86_400_000);
    expect((await call('POST', '/api/clock', { by: 'century' })).status).toBe(400);
  });
});

describe('the sandbox only answers itself', () => {
  const port = () => Number(new URL(base).port);

  it('refuses another Host (DNS rebinding), a cross-site Origin and a body that is not JSON', async () => {
    const { request } = await import('node:http');
    const send = (headers: Record<string, string>, method = 'GET', body?: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: port(), path: '/api/state', method, headers }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end(body);
      });
    expect(await send({ host: `localhost:${port()}` })).toBe(200);
    expect(await send({ host: `attacker.example:${port()}` })).toBe(403);
    const clock = (headers: Record<string, string>) => fetch(`${base}/api/clock`, { method: 'POST', headers, body: JSON.stringify({ by: 'hour' }) });
    expect((await clock({ 'content-type': 'application/json', origin: 'https://evil.example' })).status).toBe(403);
    expect((await clock({ 'content-type': 'text/plain' })).status).toBe(403);
    expect((await clock({ 'content-type': 'application/json', origin: base })).status).toBe(200);
  });

  it('caps request bodies', async () => {
    const res = await fetch(`${base}/api/command`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'x'.repeat(200_000) }),
    }).catch(() => null);
    expect(res === null || res.status === 413).toBe(true);
    expect((await fetch(`${base}/api/state`)).status).toBe(200);
  });

  it("keeps the bot's own port on loopback, guarded by a secret made at start", async () => {
    const { networkInterfaces } = await import('node:os');
    const botPort = new URL(sandbox.botUrl).port;
    const outside = Object.values(networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
    if (outside) {
      const reached = await fetch(`http://${outside}:${botPort}/healthz`).then(
        () => true,
        () => false,
      );
      expect(reached).toBe(false);
    }
    // A request signed with the secret earlier versions wrote in the source is refused.
    const { createHmac } = await import('node:crypto');
    const body = new URLSearchParams({ payload: JSON.stringify({ type: 'block_actions', user: { id: 'U0FOUNDER1' }, actions: [] }) }).toString();
    const ts = Math.floor(Date.now() / 1000);
    const signature = `v0=${createHmac('sha256', 'sandbox-signing-secret').update(`v0:${ts}:${body}`).digest('hex')}`;
    const res = await fetch(`${sandbox.botUrl}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': signature },
      body,
    });
    expect(res.status).toBe(401);
  });
});
