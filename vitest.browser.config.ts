import { defineConfig } from 'vitest/config';

/** The console driven in Debian's Chromium: `npm run test:browser`. */
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    maxWorkers: 1,
    // The page refreshes once a second and the bot polls every two: give checks room.
    expect: { poll: { timeout: 15_000, interval: 200 } },
  },
});
