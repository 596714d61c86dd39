import { defineConfig } from 'vitest/config';

const shared = { testTimeout: 30_000, hookTimeout: 30_000, pool: 'forks' as const };

export default defineConfig({
  test: {
    projects: [
      { test: { ...shared, name: 'all', include: ['src/**/*.test.ts', 'test/**/*.test.ts'] } },
      {
        // The HTTP suites again with the store reading the database for everything: the path
        // shared databases (VAST) take, where no in-memory cache is allowed.
        test: {
          ...shared,
          name: 'uncached',
          include: ['test/http/**/*.test.ts', 'test/segments/**/*.test.ts', 'test/migrations/**/*.test.ts'],
          env: { TAMS_TEST_STORE_CACHE: 'off' },
        },
      },
    ],
  },
});
