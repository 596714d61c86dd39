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
  // Three files at a time, each worker keeping its modules from one file to the next: the suites
  // mostly wait (on servers, fsync, the engines' processes), and loading the server's modules
  // again for each file took a third of a project's time. Measured on the `core` project, 111
  // files on a quiet 2-core machine: one worker and isolated files 640 s; two workers 447 s; two
  // workers keeping their modules 283 s; three 204 s. Tests leave no state behind them to allow
  // it: no test changes process.env or mocks a module, and every server, engine and child process
  // a file makes is its own (test/helpers/server.ts, test/helpers/children.ts).
  // TAMS_TEST_WORKERS sets another number (a bigger machine; measuring this choice).
  maxWorkers: Number(process.env.TAMS_TEST_WORKERS ?? 3),
  isolate: false,
};
const BROWSER = '**/*.browser.test.ts';
const EXR_ORACLE = 'test/exr/exr.oracle.test.ts';

// The HTTP suites: the app over real HTTP, run on every store path (projects below).
const HTTP_SUITES = [
  'test/http/**/*.test.ts',
  'test/segments/**/*.test.ts',
  'test/events/**/*.test.ts',
  'test/auth/**/*.test.ts',
  'test/search/**/*.test.ts',
  'test/exr/**/*.test.ts',
  'test/analytics/**/*.test.ts',
  'test/hls/**/*.test.ts',
];

// The live recorder's suites that take real time: the loop recorder (3 minutes of a live
// source), two minutes recorded over UDP and HLS read back frame by frame, UDP and HLS live
// sources stopped, retried and refused (~50 s), and a takeover between PostgreSQL replicas. In the
// full tier (`recorder-live`, `postgres-http`), which a change to the recorder makes due; its
// other suites (the API, a file, the segmenter, the web UI's page) run on every landing.
const RECORDER_REALTIME = [
  'test/recorder/recorder.loop.test.ts',
  'test/recorder/recorder.frames.test.ts',
  'test/recorder/recorder.live.test.ts',
];
const RECORDER_TAKEOVER = 'test/postgres/recorder.replicas.postgres.test.ts';
// A replication job by copy taken over between PostgreSQL replicas, through an origin restart
// (~1-2 min: three replicas, an origin and its proxy, a few hundred segments); in the full tier
// (`postgres-http`) beside the recorder's takeover, due on a change to src/replication/.
const REPLICATION_TAKEOVER = 'test/postgres/replication.replicas.postgres.test.ts';
// BBC's example clients through replication between two server processes, the origin on DuckDB
// and the destination on PostgreSQL, both API versions (~1 min: two servers, a PostgreSQL, six
// script runs); in the full tier (`postgres-http`). The clients' own suite
// (test/bbc-examples/bbc-examples.test.ts: one server, ~15 s) runs on every landing. It skips
// itself, saying why, without PostgreSQL's binaries; it does not need MinIO.
const BBC_REPLICATION = 'test/bbc-examples/bbc-examples.replication.test.ts';

// The upgrade from the previous release (test/upgrade/): on DuckDB in `integration` (every
// landing), on the shared engines in the full tier (`vast-http`, `postgres-http`), where a change
// to the store or an engine, which is what an upgrade exercises, makes it due.
const UPGRADE = 'test/upgrade/**/*.test.ts';

// The curated smoke of the HTTP suites that the landing tier runs on each shared engine (the
// `vast` and `postgres` projects), beside the engine contract suite (unit) and each engine's own
// suites: segments POST, GET and DELETE, Flows, deletion requests, webhooks and the outbox, the
// event stream, credentials, both API mounts. The rest runs on every landing on the accelerator
// path (`integration`), and in the full tier on the core store path of each engine (`core-http`,
// `vast-http`, `postgres-http`), which a change to the store, an engine or their wiring makes due.
const SHARED_ENGINE_SMOKE = [
  'test/http/smoke.test.ts',
  'test/http/flows.test.ts',
  'test/http/mounts.test.ts',
  'test/segments/segments.post.test.ts',
  'test/segments/segments.get.test.ts',
  'test/segments/segments.delete.test.ts',
  'test/segments/deletion.test.ts',
  'test/segments/segments.v8.test.ts',
  'test/events/events.delivery.test.ts',
  'test/events/events.stream.test.ts',
  'test/auth/auth.mounts.test.ts',
];
// The same on DuckDB's core store path (`core`): the accelerator is not in the way of credentials.
const CORE_SMOKE = SHARED_ENGINE_SMOKE.filter((s) => !s.startsWith('test/auth/'));

// Tiers (docs/testing.md, "Tiers"; docs/development.md, "CI tiers"). `npm test`, the landing tier:
// unit (test:unit): the tests next to the code in src/ and ui/src/, the engine contract suite on
//   every engine among them;
// integration and core (test:integration): test/, the app over real HTTP with real DuckDB and S3
//   servers, on the embedded accelerator; the smoke again on the core store alone;
// vast, postgres (test:vast, test:postgres): each shared engine's own suites and the smoke;
// browser (test:browser): Swagger UI and the web UI driven in Chromium.
// The full tier (`npm run test:full`) adds core-http, vast-http and postgres-http: the HTTP suites
// in full on the core store path of each engine; and recorder-live.
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
          exclude: [
            ...shared.exclude,
            BROWSER,
            'test/vast/*.test.ts',
            'test/postgres/**/*.test.ts',
            ...RECORDER_REALTIME,
            BBC_REPLICATION,
          ],
        },
      },
      {
        // The full tier: the recorder's real-time suites, on the accelerator path as `integration`.
        test: { ...shared, name: 'recorder-live', include: RECORDER_REALTIME },
      },
      {
        // The core store alone, without the embedded accelerator (the store path the shared
        // engines take), on DuckDB: the smoke of the HTTP suites and the migrations on every
        // landing; the rest of the HTTP suites in `core-http` (full tier). Credentials do not read
        // through the accelerator: test/auth is left to the other projects.
        test: {
          ...shared,
          name: 'core',
          include: [...CORE_SMOKE, 'test/migrations/**/*.test.ts'],
          env: { TAMS_TEST_ACCELERATOR: 'off' },
        },
      },
      {
        // The full tier: the HTTP suites on the core store alone, but the smoke (in `core`).
        test: {
          ...shared,
          name: 'core-http',
          include: HTTP_SUITES.filter((s) => !s.startsWith('test/auth/')),
          // The parser's differential test reads no store: once, in the integration project.
          exclude: [...shared.exclude, BROWSER, EXR_ORACLE, ...CORE_SMOKE],
          env: { TAMS_TEST_ACCELERATOR: 'off' },
        },
      },
      {
        // The server on the VAST engine (a fake VAST server per file, media on s3rver: see
        // test/helpers/vast.mode.ts): the engine's own suites (faults, conflicts, replicas, the
        // outbox across servers) and the smoke of the HTTP suites.
        test: {
          ...shared,
          name: 'vast',
          include: ['test/vast/*.test.ts', ...SHARED_ENGINE_SMOKE],
          env: { TAMS_TEST_ENGINE: 'vast' },
          setupFiles: ['test/helpers/vast.setup.ts'],
        },
      },
      {
        // The server on PostgreSQL (a throwaway server of the run's own: tools/postgres/): the
        // replica suites of test/postgres/, several server processes on one database, and the
        // smoke of the HTTP suites with media on MinIO (a PostgreSQL and a MinIO per file:
        // test/helpers/postgres.mode.ts), left out with one line where PostgreSQL's binaries or
        // MinIO are missing (test/helpers/postgres.gate.ts).
        test: {
          ...shared,
          name: 'postgres',
          include: [...(postgresModeAvailable() ? SHARED_ENGINE_SMOKE : []), 'test/postgres/**/*.test.ts'],
          exclude: [...shared.exclude, RECORDER_TAKEOVER, REPLICATION_TAKEOVER],
          env: { TAMS_TEST_ENGINE: 'postgres' },
          setupFiles: ['test/helpers/postgres.setup.ts'],
        },
      },
      {
        // The full tier: the HTTP suites on the fake VAST server, but the smoke (in `vast`), and
        // the upgrade from the previous release.
        test: {
          ...shared,
          name: 'vast-http',
          include: [...HTTP_SUITES, UPGRADE],
          exclude: [...shared.exclude, BROWSER, EXR_ORACLE, ...SHARED_ENGINE_SMOKE],
          env: { TAMS_TEST_ENGINE: 'vast' },
          setupFiles: ['test/helpers/vast.setup.ts'],
        },
      },
      {
        // The full tier: the HTTP suites on PostgreSQL, but the smoke (in `postgres`), the
        // upgrade from the previous release, and a recording taken over between replicas.
        test: {
          ...shared,
          name: 'postgres-http',
          include: [
            ...(postgresModeAvailable()
              ? [...HTTP_SUITES, UPGRADE, RECORDER_TAKEOVER, REPLICATION_TAKEOVER]
              : []),
            BBC_REPLICATION,
          ],
          exclude: [...shared.exclude, BROWSER, EXR_ORACLE, ...SHARED_ENGINE_SMOKE],
          env: { TAMS_TEST_ENGINE: 'postgres' },
          setupFiles: ['test/helpers/postgres.setup.ts'],
        },
      },
      // Two Chromiums at a time (13 files: 181 s, against ~290 s one at a time), each file on fresh
      // modules.
      {
        test: {
          ...shared,
          name: 'browser',
          include: [BROWSER],
          maxWorkers: Number(process.env.TAMS_TEST_BROWSER_WORKERS ?? 2),
          isolate: true,
          // After the other projects (vitest runs projects with other worker counts apart).
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
