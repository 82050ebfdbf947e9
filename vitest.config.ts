import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: { name: 'unit', include: ['src/**/*.test.ts', 'build/**/*.test.ts'], environment: 'node' },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/**/*.test.ts'],
          globalSetup: ['tests/support/globalSetup.ts'],
          testTimeout: 120_000,
          // Conditions are polled with a generous ceiling: a busy machine is slow, not wrong.
          expect: { poll: { timeout: 15_000, interval: 100 } },
          hookTimeout: 90_000,
          // Two cores: one browser with several pages at a time keeps audio timing honest.
          fileParallelism: false,
        },
      },
    ],
  },
});
