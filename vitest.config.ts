import { configDefaults, defineConfig } from 'vitest/config';
import { WAIT_MS } from './test/helpers/deadlines.ts';
import { postgresModeAvailable } from './test/helpers/postgres.gate.ts';
import { specGate } from './test/helpers/spec-gate.ts';

// Without the TAMS spec (tools/spec-location.ts) the files that validate against it are
// left out, with one line saying so; on CI its absence fails the run here instead.
const { exclude: withoutSpec } = specGate();

// Deadlines hold on a loaded 2-core machine (test/helpers/deadlines.ts): a test, a hook and a
// poll for a state get four times what they take there idle; each only ends a wait already failed.
const shared = {
  testTimeout: 120_000,
  hookTimeout: 120_000,
  expect: { poll: { timeout: WAIT_MS } },
  pool: 'forks' as const,
  exclude: [...configDefaults.exclude, ...withoutSpec],
};
const BROWSER = '**/*.browser.test.ts';
const EXR_ORACLE = 'test/exr/exr.oracle.test.ts';

// Left out of the `vast` project, each for a reason that belongs to the embedded engine.
const VAST_EXCLUDED: string[] = [
  'test/segments/duckdb.thread.test.ts', // TAMS_DUCKDB_THREAD: the embedded engine in a worker thread
];

// The HTTP suites the shared engines run (the `vast` and `postgres` projects).
const SHARED_ENGINE_SUITES = [
  'test/http/**/*.test.ts',
  'test/segments/**/*.test.ts',
  'test/events/**/*.test.ts',
  'test/auth/**/*.test.ts',
  'test/search/**/*.test.ts',
  'test/exr/**/*.test.ts',
  'test/analytics/**/*.test.ts',
  'test/hls/**/*.test.ts',
];
// Left out of the `postgres` project, each for a reason that belongs to the embedded engine.
const POSTGRES_EXCLUDED: string[] = [
  'test/segments/duckdb.thread.test.ts', // TAMS_DUCKDB_THREAD: the embedded engine in a worker thread
];

// Tiers, one npm script each (`npm test` runs every project but `uncached`, whose store path the
// shared-engine projects `vast` and `postgres` run on real shared engines):
// unit (test:unit): the tests next to the code in src/ and ui/src/;
// integration (test:integration): test/, the app over real HTTP with real DuckDB and S3 servers,
//   plus the uncached project;
// browser (test:browser): Swagger UI and the web UI driven in Chromium.
export default defineConfig({
  test: {
    // No process a test started outlives the run (test/helpers/children.ts spawns them).
    globalSetup: ['test/helpers/global.processes.ts'],
    // The leftover check waits up to 10 s for helpers that end with their parent.
    teardownTimeout: 60_000,
    projects: [
      // The web UI's pure modules (timeline geometry, gaps, the player's clock) are unit tests too.
      { test: { ...shared, name: 'unit', include: ['src/**/*.test.ts', 'ui/src/**/*.test.ts'] } },
      {
        test: {
          ...shared,
          name: 'integration',
          include: ['test/**/*.test.ts'],
          // test/vast/*.test.ts: the server on the fake VAST, in the `vast` project only; the same
          // for test/postgres/ and the `postgres` project.
          exclude: [...shared.exclude, BROWSER, 'test/vast/*.test.ts', 'test/postgres/**/*.test.ts'],
        },
      },
      {
        // The HTTP suites again with the store reading the database for everything: the path
        // shared databases (VAST) take, where no in-memory cache is allowed.
        test: {
          ...shared,
          name: 'uncached',
          include: [
            'test/http/**/*.test.ts',
            'test/segments/**/*.test.ts',
            'test/migrations/**/*.test.ts',
            'test/search/**/*.test.ts',
            'test/exr/**/*.test.ts',
            'test/analytics/**/*.test.ts',
            'test/hls/**/*.test.ts',
          ],
          // The parser's differential test reads no store: once, in the integration project.
          exclude: [...shared.exclude, EXR_ORACLE],
          env: { TAMS_TEST_STORE_CACHE: 'off' },
        },
      },
      {
        // The HTTP suites of sources, flows, segments, deletion, events, auth and analytics with the server
        // on the VAST engine (a fake VAST server per file) and its media on S3 (s3rver): see
        // test/helpers/vast.mode.ts. Files that cannot apply to a shared engine are left out below.
        test: {
          ...shared,
          name: 'vast',
          include: [...SHARED_ENGINE_SUITES, 'test/vast/*.test.ts'],
          exclude: [...shared.exclude, BROWSER, EXR_ORACLE, ...VAST_EXCLUDED],
          env: { TAMS_TEST_ENGINE: 'vast' },
          setupFiles: ['test/helpers/vast.setup.ts'],
        },
      },
      {
        // The server on PostgreSQL (a throwaway server of the run's own: tools/postgres/): the
        // replica suites of test/postgres/, several server processes on one database; and the
        // HTTP suites of the `vast` project with the server on PostgreSQL and its media on MinIO
        // (a PostgreSQL and a MinIO per file: test/helpers/postgres.mode.ts), left out with one
        // line where PostgreSQL's binaries or MinIO are missing (test/helpers/postgres.gate.ts).
        test: {
          ...shared,
          name: 'postgres',
          include: [...(postgresModeAvailable() ? SHARED_ENGINE_SUITES : []), 'test/postgres/**/*.test.ts'],
          exclude: [...shared.exclude, BROWSER, EXR_ORACLE, ...POSTGRES_EXCLUDED],
          env: { TAMS_TEST_ENGINE: 'postgres' },
          setupFiles: ['test/helpers/postgres.setup.ts'],
        },
      },
      { test: { ...shared, name: 'browser', include: [BROWSER] } },
    ],
  },
});
