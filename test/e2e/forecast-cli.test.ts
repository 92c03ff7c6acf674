/**
 * `npm run forecast` as a process, on ledger snapshots (test/fixtures/snapshot-*.json): the output
 * contract of the LEDGER's "Ledger snapshots" section, weeks from the one holding --at, nothing dated
 * after --at used, and a clear message with exit 1 on bad input.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const AGENCY = join(ROOT, 'test/fixtures/snapshot-agency.json');
const BAD = join(ROOT, 'test/fixtures/snapshot-bad.json');
const AT = '2026-06-03T09:00:00Z';

type Run = { code: number; stdout: string; stderr: string };

/** `npm run forecast -- <args>` with only PATH, HOME and `env`. */
function forecastCli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      'npm',
      ['--silent', 'run', 'forecast', '--', ...args],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

type Week = { start: string; expected: number; low: number; high: number };
type Output = {
  at: string;
  currency: string;
  weeks: Week[];
  invoices: { id: string; expectedDate: string; confidence: number; tier: string }[];
  otherCurrencies: Record<string, Week[]>;
};

async function forecastOf(args: string[], env: Record<string, string> = {}): Promise<Output> {
  const run = await forecastCli(args, env);
  expect(run.stderr.replace(/^Building Cashin.*\n/m, '')).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as Output;
}

let dir: string;
const write = (name: string, data: unknown): string => {
  const path = join(dir, name);
  writeFileSync(path, typeof data === 'string' ? data : JSON.stringify(data, null, 2));
  return path;
};
type Snapshot = { currency: string; clients: Record<string, unknown>[]; milestones: Record<string, unknown>[] };
const agency = (): Snapshot => JSON.parse(readFileSync(AGENCY, 'utf8')) as Snapshot;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cashin-forecast-'));
  // Build once (when dist/ is stale) before the runs below, so each of them only runs.
  await new Promise<void>((resolve, reject) =>
    execFile('node', ['scripts/build-if-stale.mjs'], { cwd: ROOT, timeout: 170_000 }, (error, _out, stderr) =>
      error ? reject(new Error(`build failed: ${stderr}`)) : resolve(),
    ),
  );
}, 180_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const isMonday = (date: string) => new Date(`${date}T00:00:00Z`).getUTCDay() === 1;
const twoDecimals = (n: number) => Math.abs(n * 100 - Math.round(n * 100)) < 1e-6;

function checkWeeks(weeks: Week[], first: string, count: number): void {
  expect(weeks).toHaveLength(count);
  weeks.forEach((w, i) => {
    expect(Object.keys(w).sort()).toEqual(['expected', 'high', 'low', 'start']);
    expect(w.start).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(isMonday(w.start)).toBe(true);
    expect(Date.parse(`${w.start}T00:00:00Z`) - Date.parse(`${first}T00:00:00Z`)).toBe(i * 7 * 86_400_000);
    for (const n of [w.expected, w.low, w.high]) {
      expect(typeof n).toBe('number');
      expect(twoDecimals(n)).toBe(true);
    }
    expect(w.low).toBeGreaterThanOrEqual(0);
    expect(w.low).toBeLessThanOrEqual(w.expected);
    expect(w.high).toBeGreaterThanOrEqual(w.expected);
  });
}

describe('npm run forecast', () => {
  it('prints the output contract: at, currency, 5 weeks, invoices and other currencies apart', async () => {
    const out = await forecastOf(['--ledger', AGENCY, '--at', AT]);
    expect(Object.keys(out).sort()).toEqual(['at', 'currency', 'invoices', 'otherCurrencies', 'weeks']);
    expect(out.at).toBe(AT);
    expect(out.currency).toBe('USD');
    checkWeeks(out.weeks, '2026-06-01', 5);
    expect(out.weeks.reduce((s, w) => s + w.expected, 0)).toBeGreaterThan(0);

    // Open invoices and accepted or delivered milestones, in snapshot order; paid ones and work in progress are not.
    expect(out.invoices.map((i) => i.id)).toEqual(['a-04', 'a-05', 'g-02', 'g-03', 'g-04', 'i-01', 'i-02', 'b-01']);
    for (const invoice of out.invoices) {
      expect(Object.keys(invoice).sort()).toEqual(['confidence', 'expectedDate', 'id', 'tier']);
      expect(invoice.expectedDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      // Overdue money (g-02 is six weeks late) is expected from --at on, never in the past.
      expect(invoice.expectedDate >= '2026-06-03').toBe(true);
      expect(invoice.confidence).toBeGreaterThanOrEqual(0);
      expect(invoice.confidence).toBeLessThanOrEqual(1);
      expect(twoDecimals(invoice.confidence)).toBe(true);
      expect(['High', 'Medium', 'Low']).toContain(invoice.tier);
    }
    const tier = Object.fromEntries(out.invoices.map((i) => [i.id, i.tier]));
    expect(tier).toMatchObject({ 'a-04': 'High', 'g-02': 'Low', 'g-03': 'Low' });

    // EUR is never summed into USD: it has its own weeks, and USD is what it is without it.
    expect(Object.keys(out.otherCurrencies)).toEqual(['EUR']);
    checkWeeks(out.otherCurrencies.EUR ?? [], '2026-06-01', 5);
    const eurTotal = (out.otherCurrencies.EUR ?? []).reduce((s, w) => s + w.expected, 0);
    expect(eurTotal).toBeGreaterThan(0);
    expect(eurTotal).toBeLessThanOrEqual(2400);
    const usdOnly = agency();
    usdOnly.milestones = usdOnly.milestones.filter((m) => m.Client !== 'Bäckerei Huber');
    const withoutEur = await forecastOf(['--ledger', write('usd-only.json', usdOnly), '--at', AT]);
    expect(withoutEur.weeks).toEqual(out.weeks);
    expect(withoutEur.otherCurrencies).toEqual({});
  }, 60_000);

  it('gives 13 weeks with --weeks 13, in every currency', async () => {
    const out = await forecastOf(['--ledger', AGENCY, '--at', AT, '--weeks', '13']);
    checkWeeks(out.weeks, '2026-06-01', 13);
    checkWeeks(out.otherCurrencies.EUR ?? [], '2026-06-01', 13);
  }, 60_000);

  it.each([
    ['a Wednesday', '2026-06-03T09:00:00Z', {}, [], '2026-06-01'],
    ['Monday 00:00 UTC', '2026-06-01T00:00:00Z', {}, [], '2026-06-01'],
    ['Sunday 23:00 UTC', '2026-06-07T23:00:00Z', {}, [], '2026-06-01'],
    // The same instant is Monday 01:00 in Berlin: a new week there.
    ['Sunday 23:00 UTC with --timezone Europe/Berlin', '2026-06-07T23:00:00Z', {}, ['--timezone', 'Europe/Berlin'], '2026-06-08'],
    ['Sunday 23:00 UTC with CASHIN_TIMEZONE=Europe/Berlin', '2026-06-07T23:00:00Z', { CASHIN_TIMEZONE: 'Europe/Berlin' }, [], '2026-06-08'],
    // And Sunday 16:00 in Los Angeles: still the week before.
    ['Monday 00:00 UTC in Los Angeles', '2026-06-08T00:00:00Z', {}, ['--timezone', 'America/Los_Angeles'], '2026-06-01'],
    ['a date alone: its start in the zone', '2026-06-08', {}, ['--timezone', 'Europe/Berlin'], '2026-06-08'],
  ])(
    'starts with the week holding --at: %s',
    async (_label, at, env, extra, first) => {
      const out = await forecastOf(['--ledger', AGENCY, '--at', at, ...extra], env);
      expect(out.weeks[0]?.start).toBe(first);
      checkWeeks(out.weeks, first, 5);
    },
    60_000,
  );

  it('uses nothing dated after --at: later payments, sends, acceptances and reminders change nothing', async () => {
    const before = await forecastOf(['--ledger', AGENCY, '--at', AT]);
    const later = agency();
    const row = (id: string) => later.milestones.find((m) => m.id === id) ?? {};
    // a-04 paid two days after --at, and b-01 a week after.
    Object.assign(row('a-04'), { 'Invoice status': 'Paid', 'Paid on': '2026-06-05T10:00:00Z', 'Amount paid': 8000 });
    Object.assign(row('b-01'), { 'Invoice status': 'Paid', 'Paid on': '2026-06-10', 'Amount paid': 2400 });
    // a-05 invoiced the next day; g-04 accepted, with its evidence, the day after.
    Object.assign(row('a-05'), { 'Invoice status': 'Sent', 'Invoice sent': '2026-06-04T10:00:00Z', 'Invoice due': '2026-07-04' });
    Object.assign(row('g-04'), { Stage: 'Accepted', Accepted: '2026-06-04', 'Acceptance evidence': 'https://example.test/g-04' });
    // i-01's final notice (day 30: 5 June) is done by then.
    Object.assign(row('i-01'), { 'Reminder stage': 'Net 30 final notice' });
    // a-06 delivered, accepted, invoiced and paid after --at.
    Object.assign(row('a-06'), {
      Stage: 'Accepted',
      Completed: '2026-06-10',
      Accepted: '2026-06-11',
      'Acceptance evidence': 'https://example.test/a-06',
      'Invoice status': 'Paid',
      'Invoice sent': '2026-06-11T09:00:00Z',
      'Invoice due': '2026-07-11',
      'Paid on': '2026-07-01',
      'Amount paid': 5000,
    });
    const after = await forecastOf(['--ledger', write('later.json', later), '--at', AT]);
    expect(after).toEqual(before);

    // The same payment made before --at is known: a-04 is no longer cash to come.
    const earlier = agency();
    Object.assign(earlier.milestones.find((m) => m.id === 'a-04') ?? {}, { 'Invoice status': 'Paid', 'Paid on': '2026-06-02T10:00:00Z', 'Amount paid': 8000 });
    const paid = await forecastOf(['--ledger', write('earlier.json', earlier), '--at', AT]);
    expect(paid.invoices.map((i) => i.id)).not.toContain('a-04');
    expect(paid.weeks).not.toEqual(before.weeks);
  }, 60_000);

  it('names every problem of a bad snapshot, row and key, and exits 1', async () => {
    const run = await forecastCli(['--ledger', BAD, '--at', AT]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('the ledger snapshot has 3 problems');
    expect(run.stderr).toMatch(/milestones\[0\] \(m-001\) "Invoice sent": must be an ISO 8601 date .*got "2026-05-19 10:00"/);
    expect(run.stderr).toMatch(/milestones\[1\] \(m-002\) "Amount": must be a number, got "1200"/);
    expect(run.stderr).toMatch(/milestones\[2\] \(m-003\): "Invoce status" is not a property of Milestones/);
    expect(run.stderr).not.toMatch(/^\s+at /m);
  }, 60_000);

  it.each([
    ['a file that is not JSON', () => ['--ledger', write('broken.json', '{ "currency": "USD", '), '--at', AT], /broken\.json is not valid JSON/],
    ['a missing file', () => ['--ledger', join(dir, 'nowhere.json'), '--at', AT], /cannot read --ledger .*nowhere\.json: no such file/],
    ['no --ledger', () => ['--at', AT], /--ledger is missing/],
    ['an --at that is not ISO 8601', () => ['--ledger', AGENCY, '--at', '03/06/2026'], /--at "03\/06\/2026" must be an ISO 8601 instant/],
    ['an --at that is no real day', () => ['--ledger', AGENCY, '--at', '2026-02-30T09:00:00Z'], /--at "2026-02-30T09:00:00Z" must be an ISO 8601 instant/],
    ['--weeks 0', () => ['--ledger', AGENCY, '--at', AT, '--weeks', '0'], /--weeks "0" must be a whole number of weeks from 1 to 104/],
    ['--weeks five', () => ['--ledger', AGENCY, '--at', AT, '--weeks', 'five'], /--weeks "five" must be a whole number/],
    ['an unknown time zone', () => ['--ledger', AGENCY, '--at', AT, '--timezone', 'Mars/Olympus'], /--timezone "Mars\/Olympus" is not an IANA time zone/],
    ['an unknown option', () => ['--ledger', AGENCY, '--at', AT, '--week', '3'], /Unknown option '--week'/],
    [
      'a snapshot without its lists',
      () => ['--ledger', write('empty.json', { currency: 'USD' }), '--at', AT],
      /"clients": must be a list of Clients rows[\s\S]*"milestones": must be a list of Milestones rows/,
    ],
  ])(
    'says what is wrong with %s and exits 1',
    async (_label, args, message) => {
      const run = await forecastCli(args());
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(message);
      expect(run.stderr).not.toMatch(/^\s+at /m);
    },
    60_000,
  );
});
