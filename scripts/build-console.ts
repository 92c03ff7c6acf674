/**
 * Builds the sandbox console for the browser into dist/console/: the page, its styles and one
 * bundled script. Part of `npm run build` (and of `npm run dev`), so nothing is bundled while Cashin runs.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const source = new URL('../src/sandbox/console/', import.meta.url);
const target = new URL('../dist/console/', import.meta.url);

await mkdir(target, { recursive: true });
await build({
  entryPoints: [fileURLToPath(new URL('app.ts', source))],
  outfile: fileURLToPath(new URL('app.js', target)),
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: false,
  logLevel: 'warning',
});
await Promise.all(['index.html', 'styles.css'].map((name) => copyFile(new URL(name, source), new URL(name, target))));
