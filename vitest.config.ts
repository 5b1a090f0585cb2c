import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'scripts/**/*.test.ts'],
          environment: 'node',
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/support/global-setup.ts'],
          // Each file gets its own databases; PGlite is CPU-heavy, so not too many at once.
          maxWorkers: 2,
          // Unit tests first, then the integration suite with its own worker limit.
          sequence: { groupOrder: 1 },
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          environment: 'node',
          // Builds the web app once per run, or prints why the browser tests are skipped.
          globalSetup: ['test/browser/global-setup.ts'],
          // One Chromium and one server at a time: the machine has two cores.
          maxWorkers: 1,
          // Last, after the integration suite.
          sequence: { groupOrder: 2 },
          testTimeout: 90_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
