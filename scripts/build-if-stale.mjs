/**
 * Runs before `npm start`: builds dist/ when it is missing or older than the sources, so a fresh
 * clone starts with `npm ci && npm start`. A production install (no src/) is used as it is.
 * Plain JavaScript: it must run before anything is compiled.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const stamp = join(root, 'dist', '.built');

function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

if (existsSync(join(root, 'src'))) {
  const sources = Math.max(newest(join(root, 'src')), ...['package.json', 'tsconfig.json', 'tsconfig.build.json'].map((f) => newest(join(root, f))));
  if (!existsSync(stamp) || statSync(stamp).mtimeMs < sources) {
    process.stderr.write('Building Cashin (dist/ is missing or older than src/)…\n');
    const built = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
    if (built.status !== 0) process.exit(built.status ?? 1);
  }
}
