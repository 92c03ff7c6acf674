/**
 * Runs before `npm start`, `npm run doctor` and `npm run setup:notion`: builds dist/ when it is
 * missing or older than the sources, so a fresh clone starts with `npm ci && npm start`. A
 * production install (no src/) is used as it is. Two starts at once build once: the second waits.
 * Plain JavaScript: it must run before anything is compiled.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const stamp = join(root, 'dist', '.built');
const lock = join(root, '.build-lock');

function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

function stale() {
  const sources = Math.max(newest(join(root, 'src')), ...['package.json', 'tsconfig.json', 'tsconfig.build.json'].map((f) => newest(join(root, f))));
  const built = existsSync(stamp) && existsSync(join(root, 'dist', 'main.js'));
  return !built || statSync(stamp).mtimeMs < sources;
}

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

if (existsSync(join(root, 'src')) && stale()) {
  // mkdir is atomic: whoever makes the lock builds; anyone else waits for it, then looks again.
  for (let waited = 0; ; waited += 200) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock older than any build is left over from a build that died: take it.
      const age = existsSync(lock) ? Date.now() - statSync(lock, { throwIfNoEntry: false })?.mtimeMs : 0;
      if (waited > 180_000 || age > 180_000) rmSync(lock, { recursive: true, force: true });
      else sleep(200);
    }
  }
  try {
    if (stale()) {
      process.stderr.write('Building Cashin (dist/ is missing or older than src/)…\n');
      const built = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
      if (built.status !== 0) process.exitCode = built.status ?? 1;
    }
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
