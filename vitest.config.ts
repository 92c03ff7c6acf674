import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The browser suite needs Chromium and runs on its own: npm run test:browser.
    exclude: ['test/browser/**', 'node_modules/**'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Most suites wait on polls and processes rather than compute: four workers share two cores well.
    maxWorkers: 4,
  },
});
