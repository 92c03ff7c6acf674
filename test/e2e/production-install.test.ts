/**
 * The artifact the Docker image runs, proven here the way the image is made: the built dist/ with
 * production dependencies only (`npm ci --omit=dev`) in a clean directory, started with
 * `node dist/main.js`. It serves /healthz, takes a milestone from Delivered to paid against the
 * emulators on loopback, and its sandbox starts too. No image is built here (no Docker engine).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedAcme, walkToSent } from '../support/billing-loop.js';
import { runNode, runNpm, startBuilt, type BotProcess } from '../support/process.js';
import { createWorld, freePort, waitFor, type World } from '../support/world.js';

const root = new URL('../..', import.meta.url).pathname;
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
/** Packages only the development tools need, by npm's own account (`"dev": true` in the lock). */
const devOnly = Object.entries(lock.packages)
  .filter(([path, info]) => path.startsWith('node_modules/') && info.dev)
  .map(([path]) => path);
let dir = '';

beforeAll(() => {
  // The image's build stage runs `npm run build`; `npm test` has just done the same.
  execFileSync('node', [join(root, 'scripts/build-if-stale.mjs')], { stdio: 'inherit' });
  dir = mkdtempSync(join(tmpdir(), 'cashin-image-'));
  for (const entry of ['dist', 'package.json', 'package-lock.json', 'scripts/build-if-stale.mjs'])
    cpSync(join(root, entry), join(dir, entry), { recursive: true });
  execFileSync('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: dir, stdio: 'ignore' });
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the production install', () => {
  it('holds no development tool', () => {
    expect(devOnly).toEqual(expect.arrayContaining(['node_modules/tsx', 'node_modules/esbuild', 'node_modules/typescript', 'node_modules/vitest']));
    expect(devOnly.filter((path) => existsSync(join(dir, path)))).toEqual([]);
    expect(existsSync(join(dir, 'src'))).toBe(false);
  });

  it('loads every compiled module, sandbox included, without a development tool', () => {
    // Entry points run when imported; everything else is only loaded.
    const entries = new Set(['main.js', 'doctor/cli.js', 'ledger/setup-cli.js', 'snapshot/cli.js']);
    const modules = readdirSync(join(dir, 'dist'), { recursive: true, encoding: 'utf8' }).filter(
      (f) => f.endsWith('.js') && !entries.has(f) && !f.startsWith('console/'),
    );
    expect(modules.length).toBeGreaterThan(40);
    const script = `for (const m of ${JSON.stringify(modules)}) await import('./dist/' + m);`;
    const run = spawnSync('node', ['--input-type=module', '-e', script], { cwd: dir, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  describe('in live mode against the emulators', () => {
    let world: World;
    let bot: BotProcess | null = null;
    beforeAll(async () => {
      world = await createWorld();
    });
    afterAll(async () => {
      await bot?.kill('SIGKILL');
      await world.close();
    });

    it('starts with node dist/main.js, answers /healthz, and takes a milestone from Delivered to paid', async () => {
      const { milestone } = await seedAcme(world);
      bot = await startBuilt(dir, world.env('http'), world.botPort);
      const health = await fetch(`http://127.0.0.1:${world.botPort}/healthz`);
      expect(await health.json()).toMatchObject({ ok: true, mode: 'http' });
      const invoiceId = await walkToSent(world, milestone);
      world.stripe.pay(invoiceId);
      await waitFor('paid', () => world.values(milestone)['Invoice status'] === 'Paid');
    }, 60_000);

    it('runs npm run doctor from the same install', async () => {
      const { code, output } = await runNpm(['run', 'doctor'], world.env('http'), dir);
      expect(output).toMatch(/✓ Notion ledger/);
      expect(code).toBe(0);
    }, 60_000);
  });

  it('refuses to start the sandbox when NODE_ENV is production, as in the image', async () => {
    const { code, output } = await runNode(dir, { NODE_ENV: 'production', PORT: String(await freePort()) });
    expect(code).toBe(1);
    expect(output).toContain('does not run its demo sandbox in production');
  }, 30_000);

  it('runs the sandbox too, when started without credentials', async () => {
    const port = await freePort();
    const sandbox = await startBuilt(dir, { PORT: String(port) }, port, '/api/state');
    try {
      const page = await (await fetch(`http://localhost:${port}/`)).text();
      expect(page).toContain('SANDBOX');
      expect((await fetch(`http://localhost:${port}/app.js`)).status).toBe(200);
    } finally {
      await sandbox.kill('SIGKILL');
    }
  }, 60_000);
});
