/**
 * npm run build: compiles src/ to dist/ (tsc with tsconfig.build.json) and bundles the sandbox
 * console into dist/console/. Plain JavaScript, as it runs before anything is compiled.
 *
 * It ends with a stamp dated when the build *began*: a source saved while tsc ran is then newer
 * than the stamp, and the next `npm start` builds again.
 */
import { spawnSync } from 'node:child_process';
import { rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const began = new Date();
const run = (command, args) => {
  const result = spawnSync(join(root, 'node_modules', '.bin', command), args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
};

rmSync(join(root, 'dist'), { recursive: true, force: true });
run('tsc', ['-p', 'tsconfig.build.json']);
run('tsx', ['scripts/build-console.ts']);
const stamp = join(root, 'dist', '.built');
writeFileSync(stamp, `${began.toISOString()}\n`);
utimesSync(stamp, began, began);
