import { configDefaults, defineConfig } from 'vitest/config';
import { specGate } from './test/helpers/spec-gate.ts';

// Without the TAMS spec (test/helpers/spec-location.ts) the files that validate against it are
// left out, with one line saying so; on CI its absence fails the run here instead.
const { exclude: withoutSpec } = specGate();

const shared = {
  testTimeout: 30_000,
  hookTimeout: 30_000,
  pool: 'forks' as const,
  exclude: [...configDefaults.exclude, ...withoutSpec],
};
const BROWSER = '**/*.browser.test.ts';

// Tiers, one npm script each (`npm test` runs every project):
// unit (test:unit): the tests next to the code in src/;
// integration (test:integration): test/, the app over real HTTP with real DuckDB and S3 servers,
//   plus the uncached project;
// browser (test:browser): Swagger UI driven in Chromium.
export default defineConfig({
  test: {
    projects: [
      { test: { ...shared, name: 'unit', include: ['src/**/*.test.ts'] } },
      {
        test: {
          ...shared,
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: [...shared.exclude, BROWSER],
        },
      },
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
      { test: { ...shared, name: 'browser', include: [BROWSER] } },
    ],
  },
});
