/**
 * Import rules of the house (DESIGN.md, "Layers"), checked by `npm run deps:check` in CI.
 * Every import counts, `import type` included: a type-only cycle costs nothing at run time but
 * tangles the layers all the same (and dependency-cruiser 17 with the swc parser, the one that
 * reads TypeScript 7 projects, does not tell type-only imports apart anyway). So routes may not
 * name the store's record types either: their service names what it hands out.
 * Folder-level cycles (one area importing another that imports it back through other files) are
 * checked by scripts/deps.folders.ts over this tool's JSON output (scripts/deps-check.ts runs
 * both). dependency-cruiser 17 is the last line that runs on Node 20 (18 needs 22).
 *
 * Test kits (test/support/, test/README.md) are held to the rules of the layer they serve: the
 * kits of test/support/store/ to those of src/store/, and so on. Tests themselves are not.
 */

// The TAMS areas and the beyond-the-spec ones (routes -> service -> store -> db).
const AREAS = [
  'auth',
  'deletion',
  'events',
  'flows',
  'media',
  'metrics',
  'objects',
  'ops',
  'profiles',
  'segments',
  'service',
  'sources',
  'storage',
  'webhooks',
  'search',
  'exr',
  'analytics',
  'hls',
  'export',
  'ui',
];
// A layer of src/ and its test kits: src/<path> and test/support/<path>.
const layer = (path) => `^(src|test/support)/${path}`;
const AREA = layer(`(${AREAS.join('|')})/`);
// Tests, the test helpers and support beside them (not the kits of test/support/), benchmarks:
// they build engines and stores directly.
const TESTS = ['[.]test[.]ts$', '^test/(?!support/)', '^bench/'];
// The wings beyond the spec (DESIGN.md): each behind the Feature interface (src/feature/),
// listed for the core in src/features.ts alone.
const WINGS = ['search', 'exr', 'analytics'];
// The wing is the first group ($1 in the rules): a wing's kits in test/support/ are held as the wing is.
const WING = `^(?:src|test/support)/(${WINGS.join('|')})/`;

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycles between files (DESIGN.md): data flows top to bottom, never back up.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'db-engines-only-from-factory',
      severity: 'error',
      comment:
        'Nothing above db/ knows which engine is underneath: engines are built by the engine factory ' +
        '(src/db/engine.factory.ts or src/db/engines/index.ts), by tests and benchmarks, by the ' +
        "VAST field kit (mgmt/vast/, `tams-mgmt vast check`), which tests that engine's wire itself, " +
        'and by the fake VAST server (tools/vast-fake/), which speaks that wire from the other end.',
      from: {
        pathNot: [
          layer('db/engines/'),
          '^src/db/engine[.]factory[.]ts$',
          '^src/db/engines/index[.]ts$',
          '^mgmt/vast/',
          '^tools/vast-fake/',
          ...TESTS,
        ],
      },
      to: { path: '^src/db/engines/' },
    },
    {
      name: 'engines-apart',
      severity: 'error',
      comment:
        'An engine imports no other engine (db/engines/<engine>/): what the SQL engines (DuckDB, ' +
        'PostgreSQL) share is the one SQL compiler in db/engines/sql/, which each overrides where its ' +
        'dialect differs and which imports no engine; what every engine shares sits in db/engines/ itself.',
      from: { path: '^src/db/engines/([^/]+)/', pathNot: TESTS },
      to: { path: '^src/db/engines/[^/]+/', pathNot: '^src/db/engines/($1|sql)/' },
    },
    {
      name: 'routes-not-store',
      severity: 'error',
      comment:
        'Routes are HTTP only: schemas in, service call, schemas out. They never touch the store, ' +
        'not even its record types (the service says what it hands out).',
      from: { path: '[.]routes[.]ts$' },
      to: { path: '^src/(store|db)/' },
    },
    {
      name: 'common-time-import-no-area',
      severity: 'error',
      comment: 'common/ and time/ are the bottom: they import nothing of the server but each other.',
      from: { path: layer('(common|time)/'), pathNot: TESTS },
      to: { path: layer(''), pathNot: layer('(common|time)/') },
    },
    {
      name: 'db-below-store',
      severity: 'error',
      comment: 'db/ is the table manager and its engines: it knows no TAMS record nor anything above.',
      from: { path: layer('db/'), pathNot: TESTS },
      to: { path: layer(''), pathNot: layer('(db|common|time)/') },
    },
    {
      name: 'store-below-areas',
      severity: 'error',
      comment: 'store/ is the TAMS persistence written against db/ only: no HTTP, no area, no config.',
      from: { path: layer('store/'), pathNot: TESTS },
      to: { path: layer(''), pathNot: layer('(store|db|common|time)/') },
    },
    {
      name: 'store-knows-no-accelerator',
      severity: 'error',
      comment:
        'The core store is complete and correct on every engine by itself (DESIGN.md, "One store ' +
        'path"): no file of it, nor of a wing\'s store, imports the embedded accelerator ' +
        '(src/embedded/), which the composition root lays over it through the StoreLayer ' +
        'interface (src/store/store.layer.ts) where one process owns the store.',
      from: { path: [layer('store/'), `^(src|test/support)/(${WINGS.join('|')})/store/`], pathNot: TESTS },
      to: { path: layer('embedded/') },
    },
    {
      name: 'embedded-below-areas',
      severity: 'error',
      comment:
        'The embedded accelerator (src/embedded/) is a layer over the store: it imports the store ' +
        'core, db/ and the bottom layers, never an area, HTTP, the configuration or a wing.',
      from: { path: layer('embedded/'), pathNot: TESTS },
      to: { path: layer(''), pathNot: layer('(embedded|store|db|common|time)/') },
    },
    {
      name: 'http-knows-no-area',
      severity: 'error',
      comment:
        'http/ holds the cross-cutting Fastify plugins and helpers the areas use: it imports no ' +
        'area (auth included: auth plugs into http/, not the other way) and not the store.',
      from: { path: layer('http/'), pathNot: TESTS },
      to: { path: [AREA, layer('(store|db)/')] },
    },
    {
      name: 'events-knows-no-tams-area',
      severity: 'error',
      comment:
        'The event layer records, filters and delivers events; the areas hand it rendered ' +
        'documents, and per-delivery renderers are registered at composition (src/deps.ts).',
      from: { path: layer('events/'), pathNot: TESTS },
      to: { path: layer('(flows|sources|segments|objects|storage|deletion|webhooks|service)/') },
    },
    {
      name: 'only-routes-import-routes',
      severity: 'error',
      comment:
        'Services, stores and workers never reach up into the HTTP layer of an area. A test kit ' +
        'may: one that serves routes for tests composes an app as app.ts does (test/support/media/fs/). ' +
        "A wing is wired in its `<wing>.feature.ts` (src/feature/), which hands the app the wing's routes.",
      from: {
        path: '^src/',
        pathNot: [
          '[.]routes[.]ts$',
          '^src/(app|deps)[.]ts$',
          '^src/[a-z-]+/[a-z-]+[.]feature[.]ts$',
          ...TESTS,
        ],
      },
      to: { path: '[.]routes[.]ts$' },
    },
    {
      name: 'core-names-no-wing',
      severity: 'error',
      comment:
        'The core (store, deps, app, every TAMS area) knows the wings only through the Feature ' +
        'interface: src/features.ts is the one file that lists them, and src/config.ts takes each ' +
        "one's settings fragment (`<wing>/<wing>.config.ts`) into the one schema.",
      from: { path: '^src/', pathNot: [WING, '^src/features[.]ts$', '^src/config[.]ts$', ...TESTS] },
      to: { path: WING },
    },
    {
      name: 'config-takes-wing-settings-only',
      severity: 'error',
      comment: 'src/config.ts reads of a wing only its settings fragment, a leaf of TypeBox schemas.',
      from: { path: '^src/config[.]ts$' },
      to: { path: WING, pathNot: `^src/(${WINGS.join('|')})/[a-z-]+[.]config[.]ts$` },
    },
    {
      name: 'wings-apart',
      severity: 'error',
      comment:
        'A wing imports no other wing, nor the TAMS areas or the composition (main, app, deps, ' +
        "config, the feature list): the store core, db/, the common layers (common, time, http's " +
        'helpers, media, metrics) and the Feature interface, and follows the store through the ' +
        'event outbox.',
      from: { path: WING, pathNot: TESTS },
      to: {
        path: '^src/',
        pathNot: [
          '^src/$1/',
          '^src/(store|db|common|time|http|media|metrics)/',
          '^src/feature/feature[.](types|follower)[.]ts$',
        ],
      },
    },
    {
      name: 'wing-store-on-store-core',
      severity: 'error',
      comment:
        "A wing's store (`<wing>/store/`) is persistence like src/store: it imports db/, the " +
        'store core and the bottom layers only, never the rest of its wing.',
      from: { path: `^src/(${WINGS.join('|')})/store/`, pathNot: TESTS },
      to: { path: '^src/', pathNot: ['^src/$1/store/', '^src/(store|db|common|time)/'] },
    },
    {
      name: 'no-composition-root-imports',
      severity: 'error',
      comment:
        'app.ts, deps.ts (with its phases, deps.*.ts) and main.ts compose the server: nothing in ' +
        'src/ imports them back, nor does a test kit (test helpers build the whole server).',
      from: { path: layer(''), pathNot: ['^src/(main|deps)[.]ts$', '^src/deps[.][a-z]+[.]ts$', ...TESTS] },
      to: { path: ['^src/(app|deps|main)[.]ts$', '^src/deps[.][a-z]+[.]ts$'] },
    },
    {
      name: 'src-imports-no-tools',
      severity: 'error',
      comment: 'The server never imports its tests, benchmarks, scripts, tools or management tools.',
      from: { path: '^src/', pathNot: TESTS },
      to: { path: '^(test|tools|bench|scripts|mgmt)/' },
    },
    {
      name: 'test-kits-import-no-tests',
      severity: 'error',
      comment:
        'A test kit uses src/, other kits, the test helpers (test/helpers/) and tools/; not the ' +
        'tests and fixtures of one test folder, nor benchmarks, scripts or management tools.',
      from: { path: '^test/support/', pathNot: '[.]test[.]ts$' },
      to: { path: ['^test/(?!support/|helpers/)', '^(bench|scripts|mgmt)/'] },
    },
    {
      name: 'tools-import-no-tests',
      severity: 'error',
      comment:
        'tools/ holds what the tests, the bench and the scripts share (the fake VAST server, ...): ' +
        'it may import src/ and other tools, never what uses it.',
      from: { path: '^tools/', pathNot: '[.]test[.]ts$' },
      to: { path: '^(test|bench|scripts)/' },
    },
    {
      name: 'bench-scripts-import-no-tests',
      severity: 'error',
      comment:
        'Benchmarks, scripts and management commands import nothing from test/: what they share ' +
        'with the tests lives in tools/.',
      from: { path: '^(bench|scripts|mgmt)/' },
      to: { path: '^test/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that resolves to nothing (a typo, or a file moved without its importers).',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // TypeScript 7 has no JavaScript API for dependency-cruiser's own TypeScript support: swc
    // parses the sources instead (imports keep their `.ts` extensions, which resolve as they are).
    parser: 'swc',
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['node_modules', '^src/db/engines/duckdb/duckdb[.]thread[.]boot[.]mjs$'] },
    enhancedResolveOptions: {
      extensions: ['.ts', '.mjs', '.js', '.cjs'],
      // `typebox` resolves through its package.json `exports` ("import" condition).
      conditionNames: ['import', 'node', 'default'],
      exportsFields: ['exports'],
    },
  },
};
