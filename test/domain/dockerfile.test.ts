/** No Docker engine here, so the Dockerfile is checked by reading it for what the image must do. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const dockerfile = readFileSync(new URL('../../Dockerfile', import.meta.url), 'utf8');
const ignore = readFileSync(new URL('../../.dockerignore', import.meta.url), 'utf8').split('\n');
const lines = dockerfile.split('\n').filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));

describe('Dockerfile', () => {
  it('builds in two stages on Node 22 LTS slim with production dependencies only', () => {
    const froms = lines.filter((l) => l.startsWith('FROM '));
    expect(froms).toHaveLength(2);
    for (const from of froms) expect(from).toMatch(/^FROM node:22-slim\b/);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    expect(dockerfile).toMatch(/COPY --from=deps/);
  });

  it('runs as a non-root user with a health check on /healthz', () => {
    const user = lines.filter((l) => l.startsWith('USER '));
    expect(user).toEqual(['USER node']);
    expect(dockerfile).toMatch(/HEALTHCHECK[\s\S]*\/healthz/);
    expect(lines.findIndex((l) => l.startsWith('USER '))).toBeLessThan(lines.findIndex((l) => l.startsWith('CMD ')));
  });

  it('bakes in no secrets and leaves local files out of the build context', () => {
    expect(dockerfile).not.toMatch(/(TOKEN|SECRET|KEY)\s*=/);
    expect(dockerfile).not.toMatch(/COPY[^\n]*\.env\b/);
    for (const entry of ['node_modules', '.env', '.git', 'test-results']) expect(ignore).toContain(entry);
  });
});
