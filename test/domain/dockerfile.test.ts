/**
 * There is no Docker engine here, so the image is never built in these tests. What the image runs
 * is proven by test/e2e/production-install.test.ts, which installs and starts the project the same
 * way; this file checks that the Dockerfile still says those same steps, and nothing else it needs.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const dockerfile = readFileSync(new URL('../../Dockerfile', import.meta.url), 'utf8');
const ignore = readFileSync(new URL('../../.dockerignore', import.meta.url), 'utf8').split('\n');
const lines = dockerfile.split('\n').filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));
const stages = dockerfile
  .split(/^FROM /m)
  .slice(1)
  .map((stage) => `FROM ${stage}`);

describe('Dockerfile', () => {
  it('builds dist/ in one stage and runs it with production dependencies only in the last', () => {
    expect(stages.map((s) => s.split('\n')[0])).toEqual(['FROM node:22-slim AS build', 'FROM node:22-slim AS deps', 'FROM node:22-slim']);
    expect(stages[0]).toMatch(/RUN npm ci --no-audit --no-fund\n[\s\S]*RUN npm run build/);
    expect(stages[1]).toMatch(/RUN npm ci --omit=dev/);
    expect(stages[2]).toMatch(/COPY [^\n]*scripts\/build-if-stale.mjs/);
    const runtime = stages[2] ?? '';
    expect(runtime).toMatch(/COPY --from=deps [^\n]*\/app\/node_modules/);
    expect(runtime).toMatch(/COPY --from=build [^\n]*\/app\/dist \.\/dist/);
    expect(runtime).not.toMatch(/COPY[^\n]* src /);
    expect(runtime).toMatch(/CMD \["node", "dist\/main.js"\]/);
  });

  it('runs as a non-root user with a health check on /healthz', () => {
    expect(lines.filter((l) => l.startsWith('USER '))).toEqual(['USER node']);
    expect(dockerfile).toMatch(/HEALTHCHECK[\s\S]*\/healthz/);
    expect(lines.findIndex((l) => l.startsWith('USER '))).toBeLessThan(lines.findIndex((l) => l.startsWith('CMD ')));
  });

  it('bakes in no secrets and leaves local files out of the build context', () => {
    expect(dockerfile).not.toMatch(/(TOKEN|SECRET|KEY)\s*=/);
    expect(dockerfile).not.toMatch(/COPY[^\n]*\.env\b/);
    for (const entry of ['node_modules', 'dist', '.env', '.git', 'test-results']) expect(ignore).toContain(entry);
  });
});
