import type { Config } from '../src/config.ts';
import { DbUnavailableError, StoreLockedError } from '../src/db/db.errors.ts';
import {
  checkDatabase,
  type DatabaseCheck,
  type DatabaseLocation,
  databaseLocation,
} from '../src/deps.check.ts';
import { columns, formatBytes, MgmtError, type MgmtIo } from './mgmt.io.ts';

/** How long the shared engines' probes may take before the check gives up on the server. */
const PROBE_TIMEOUT_MS = 30_000;

/**
 * `db check`: where the settings put the database, whether it answers (round trips, its release),
 * and every table with its rows and size; the store's schema version. Opens the engine alone:
 * creates no table and applies no migration. Exit status 0 when the database answered, 1 when it cannot be reached or
 * opened (the reason on stderr, the location still printed), 2 for settings that do not parse.
 */
export async function dbCheckCommand(
  config: Config,
  io: MgmtIo,
  options: { json: boolean },
): Promise<number> {
  const location = databaseLocation(config);
  let check: DatabaseCheck | undefined;
  let failure: { reason: string; detail?: string } | undefined;
  if (location.absent !== undefined) failure = { reason: location.absent };
  else {
    try {
      check = await checkDatabase(config, PROBE_TIMEOUT_MS);
    } catch (error) {
      failure = explain(error, location);
    }
  }
  if (options.json) io.out(`${JSON.stringify(document(location, check, failure), null, 2)}\n`);
  else io.out(text(location, check));
  if (failure === undefined) return 0;
  const detail = failure.detail ? ` (${failure.detail})` : '';
  io.err(
    location.absent !== undefined
      ? `tams-mgmt: ${location.absent}\n`
      : `tams-mgmt: cannot reach ${location.product} ${short(location)}: ${failure.reason}${detail}\n`,
  );
  return 1;
}

/** Why the check failed, in the operator's words; errors nobody expected go on as failures. */
function explain(error: unknown, location: DatabaseLocation): { reason: string; detail?: string } {
  if (error instanceof DbUnavailableError)
    return { reason: error.reason, ...(error.detail !== '' && { detail: error.detail }) };
  if (error instanceof StoreLockedError) {
    const holder = error.holderPid !== undefined ? ` (PID ${error.holderPid})` : '';
    return {
      reason: `the file is open in another process${holder}, most likely a running tams-server (the embedded DuckDB file admits one process at a time: stop it to check)`,
    };
  }
  if (error instanceof DOMException && error.name === 'TimeoutError')
    return { reason: `no answer within ${PROBE_TIMEOUT_MS / 1000} s` };
  if (location.shared && error instanceof Error) return { reason: error.message };
  throw new MgmtError(`db check: ${error instanceof Error ? error.message : String(error)}`);
}

/** The location in a few words, for the one line of a failure. */
function short(location: DatabaseLocation): string {
  const w = location.where;
  switch (location.engine) {
    case 'postgres':
      return `at ${w.host}:${w.port}, database ${w.database}`;
    case 'vast':
      return `at ${w.endpoints}, bucket ${w.bucket}`;
    case 'duckdb':
      return `at ${w.file}`;
  }
}

function text(location: DatabaseLocation, check: DatabaseCheck | undefined): string {
  const fields: [string, string][] = [
    [
      'engine',
      `${location.product} (${location.shared ? 'shared: replicas may use it' : 'embedded: one process'})`,
    ],
    ...Object.entries(location.where),
  ];
  if (check !== undefined) {
    if (check.version !== undefined) fields.push(['server', check.version]);
    fields.push(
      [location.shared ? 'first call' : 'open', ms(location.shared ? check.firstCallMs : check.openMs)],
      ['round trip', ms(check.roundTripMs)],
      ['store', schemaLine(check)],
    );
  }
  let out = columns(fields.map(([label, value]) => [`${label}:`, value]));
  if (check === undefined) return out;
  const size = (bytes?: number) => (bytes === undefined ? 'n/a' : formatBytes(bytes));
  const rows = check.tables.map((t) => [t.table, t.rows.toLocaleString('en'), size(t.bytes)]);
  const totalRows = check.tables.reduce((n, t) => n + t.rows, 0);
  const sized = check.tables.every((t) => t.bytes !== undefined);
  const totalBytes = sized ? check.tables.reduce((n, t) => n + (t.bytes ?? 0), 0) : undefined;
  out += '\n';
  out +=
    check.tables.length === 0
      ? 'No tables yet: the first server to start creates them.\n'
      : columns(
          [['TABLE', 'ROWS', 'SIZE'], ...rows, ['total', totalRows.toLocaleString('en'), size(totalBytes)]],
          new Set([1, 2]),
        );
  return out;
}

function schemaLine(check: DatabaseCheck): string {
  const { version, latest, pending } = check.schema;
  if (check.tables.length === 0) return 'none yet';
  if (version > latest)
    return `schema version ${version}, newer than this tams-server (it knows up to ${latest})`;
  if (pending === 0) return `schema version ${version} (up to date)`;
  return `schema version ${version}, ${pending} migration${pending === 1 ? '' : 's'} pending (a server applies them at start, or tams-mgmt migrate)`;
}

const round = (value: number) => Math.round(value * 1000) / 1000;
const ms = (value: number) => `${value < 10 ? value.toFixed(2) : value.toFixed(0)} ms`;

/** The --json document: snake_case as the API's documents. */
function document(
  location: DatabaseLocation,
  check: DatabaseCheck | undefined,
  failure: { reason: string; detail?: string } | undefined,
): Record<string, unknown> {
  const head = {
    engine: location.engine,
    product: location.product,
    shared: location.shared,
    ...location.where,
  };
  if (check === undefined) return { ...head, reachable: false, ...failure };
  return {
    ...head,
    reachable: true,
    ...(check.version !== undefined && { server_version: check.version }),
    open_ms: round(check.openMs),
    first_call_ms: round(check.firstCallMs),
    round_trip_ms: round(check.roundTripMs),
    schema_version: check.schema.version,
    schema_latest: check.schema.latest,
    migrations_pending: check.schema.pending,
    tables: check.tables,
  };
}
