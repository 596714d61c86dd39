import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { TamsError } from '../src/common/errors.ts';
import { packageVersion } from '../src/common/package-info.ts';
import type { StoreRuntime } from '../src/deps.store.ts';
import { type Command, type Invocation, OPTIONS, type OptionName } from './mgmt.command.ts';
import { COMMANDS } from './mgmt.commands.ts';
import { MgmtError, type MgmtIo, UsageError } from './mgmt.io.ts';
import { mgmtConfig, openRuntime, openStore } from './mgmt.open.ts';

export const USAGE = `Usage: tams-mgmt <command> [options]   (npm run mgmt -- <command> [options])

Management of a tams-server store, opened with the server's TAMS_* configuration. The embedded
DuckDB file can be opened by one process at a time: stop the server first (backup and
support-bundle take --server to ask the running server instead). tams-admin (npm run admin) is
another name for this CLI.

Store:
  db check [--json]                      The database the settings name (DuckDB file, VAST or
                                         PostgreSQL): where it is, whether it answers (round
                                         trip, server release), every table with its rows and
                                         size, the schema version. Creates and migrates
                                         nothing; exit status 1 with the reason when it cannot
                                         be reached.
  tables [--json]                        Tables with row counts and estimated sizes.
  clean --flow <id> | --all  [--dry-run | --yes]
                                         Remove one Flow's data (segments, references, objects no
                                         longer referenced with their bytes queued for deletion,
                                         tags, collections, its Source if last), or empty every
                                         TAMS table. Prints what would go; acts only with --yes.
  orphans [--delete]                     Bytes in storage backends with no object row, and object
                                         rows without bytes. --delete removes the orphaned bytes.
  verify [--json]                        Integrity check: segments without objects, objects
                                         without segments, reference counts, overlapping
                                         segments. Exit status 1 when problems are found.
  webhooks list [--json]                 Every webhook, registered through TAMS 7.0 or 8.2: id,
                                         version of its payloads, status, URL, events, owner,
                                         tags.
  export --flow <id> [--out <file>]      A Flow, its Source and segments as JSON lines (stdout
                                         without --out).
  import <file> [--as <flow id>]         Recreate an exported Flow and its segments here.
  migrate [--dry-run]                    The store's schema version and the migrations pending;
                                         applies them (the server also does, at start-up).
  journal recover [--dry-run] [--json]   The embedded engine's append journal when a start refuses
                                         it as damaged: copies it aside, applies every intact
                                         record and every one it can rebuild, reports the rest
                                         (exit status 1 when records were lost).

  support-bundle [--out <file>] [--log <file>] [--lines N]
  support-bundle --server <url> [--token-stdin] [--out <file>]
                                         One .tar.gz for support: versions, the configuration
                                         (secrets redacted), db check, verify (60 s at most),
                                         tables, readiness, followers and leases, webhooks,
                                         the last log lines (redacted). Of the stopped store, its
                                         lines from --log (default 2000); or of the running
                                         server at <url> (admin token in TAMS_TOKEN or on stdin), with its
                                         metrics and the lines it kept.
Backups (docs/operations.md#backups):
  backup <name> [--incremental-from <name>] [--server <url> [--token-stdin]] [--json]
                                         The embedded store (database snapshot, media, manifest
                                         of SHA-256 checksums) as <TAMS_BACKUP_DIR>/<name>.
                                         --server: the running server takes it (admin token
                                         in TAMS_TOKEN or on stdin); without, the store is
                                         opened here. --incremental-from: media files the
                                         previous backup holds unchanged are linked from it.
  backup <name> --metadata-only [--json]
                                         What the server owns, portable, on any engine: each
                                         Flow in the export format (flows/<id>.jsonl, for
                                         import) and the webhooks, with checksums; no media.
  restore <backup dir> --data-dir <empty dir> [--json]
                                         Checks every checksum, then writes the database and
                                         media into the new data directory.
  verify <backup dir> [--json]           A backup's files against its manifest (exit status 1
                                         when one differs); without it, verify checks the store.

The live recorder (docs/recorder.md), through the running server (token in TAMS_TOKEN or on stdin):
  record start <source url> --server <url> [--label <text>] [--segment-duration <s>]
               [--retention <s>] [--fast] [--fmp4] [--token-stdin] [--json]
                                         A recording job: udp://, srt://, rtmp://, an HLS
                                         playlist (http(s)://) or file:<path> (--fast: as fast
                                         as it reads); --retention keeps the last <s> seconds;
                                         --fmp4: fragmented MP4 with init objects, not MPEG-TS.
  record list --server <url> [--json]    Every job: state, segments, lag, last error.
  record stop <id> --server <url>        Ends its ffmpeg (the segment in progress registered).
  record delete <id> --server <url>      Forgets the job; its Source and Flows stay.

Replication from another TAMS (docs/management.md#replication-jobs), through the running server:
  replicate start --origin <url> (--flow <id> | --source <id> | --tag <name>=<value> ...)
                  --server <url> [--copy [--storage <id>]] [--once] [--mirror-deletions]
                  [--map-ids] [--label <text>] [--token-stdin] [--json]
                                         A job copying the selected Flows here, then following
                                         the origin (--once: one pass); media by reference, or
                                         copied here (--copy).
                                         Credentials at the origin from the environment only:
                                         TAMS_ORIGIN_TOKEN; TAMS_ORIGIN_USERNAME and _PASSWORD;
                                         or TAMS_ORIGIN_TOKEN_URL, _CLIENT_ID, _CLIENT_SECRET
                                         (and _SCOPE).
  replicate list --server <url> [--json] Every job: state, origin, segments copied, lag, last
                                         error.
  replicate show <id> --server <url>     The job as JSON.
  replicate flows <id> --server <url> [--json]
                                         The origin Flows it follows, their ids here, progress.
  replicate pause|resume <id> --server <url>
                                         Stops it after the page under way; goes on from there.
  replicate delete <id> --server <url>   Forgets the job; what it copied stays.

Media search:
  search reindex [--force]               Empty the search index and build it again from the
                                         store, with a progress bar (--force: take it over from
                                         a server holding it, on a shared database).
  search status [--json]                 How far the index is behind the store, and what it
                                         could not index (--json lists the newest failures).

EXR metadata:
  exr backfill [--flow <id>] [--force]   Catalogue the segments EXR image Flows already hold
                                         (frames, and the headers of objects not yet inspected
                                         or failed), with a progress bar; --force reads every
                                         object again.

Analytics (the reports of /analytics; --json prints the API's documents):
  analytics usage --flow <id> [--timerange <tr>] [--bucket 1m|1h|1d] [--json]
                                         Segments, duration, objects and bytes of a Flow, per
                                         ingest bucket of its media timeline.
  analytics coverage --flow <id> [--timerange <tr>] [--min-gap <ts>] [--stall-after <ts>] [--json]
                                         Covered spans and gaps; live or stalled.
  analytics storage [--since <date-time>] [--bucket hour|day] [--json]
                                         Objects and bytes per backend and Flow format, growth,
                                         objects awaiting collection.
  analytics durations [--flow <id> | --format <urn> | --codec <c> | --source <id>]
                      [--timerange <tr>] [--per-flow] [--json]
                                         Segment duration percentiles (p50, p90, p99), min, max.
  analytics top [--by bytes|segments|duration|rate] [--timerange <tr>] [--limit N] [--json]
  analytics export --table <name> [--format parquet|csv] [--flow <id>] [--timerange <tr>]
                   [--limit N] [--out <file>]
                                         A table (or one Flow's segments) as Parquet or CSV.
  analytics sizes [--flow <id>] [--missing] [--prune]
                                         Record the sizes of objects registered before the size
                                         follower ran (HEAD through their backends); --missing asks
                                         again where bytes were missing, --prune drops sizes of
                                         objects that are gone.

VAST DataBase (the field kit, docs/vast.md):
  vast check [--out <dir>] [--label <name>] [--idle-seconds N] [--tx-cap N] [--json]
                                         With the server's TAMS_VAST_* settings: the engine
                                         contract, the conflict rules and the probes of what the
                                         engine assumes of VAST, in scratch schemas it drops;
                                         golden answers and a summary for a bug report in <dir>
                                         (default vast-check-<time>). Exit status 1 when a check
                                         failed.

Users (HTTP Basic) and API tokens:
  user add <name> --scopes read,write [--password-stdin] [--json]
  user passwd <name> [--password-stdin] [--json]
  user list [--json]
  user remove <name>                     Also revokes the tokens acting as <name>.
  token create <name> --scopes read,write [--user <principal>] [--expires-in 90d] [--json]
  token list [--json]
  token revoke <id|name>
  bootstrap                              Applies TAMS_BOOTSTRAP_ADMIN_TOKEN / _USER / _PASSWORD.

  Scopes: read (GET/HEAD), write (PUT/POST), delete (DELETE), admin (service settings, others'
  webhooks, users and tokens). New passwords and tokens are printed once on stdout; nothing else
  is. While the server runs, its /auth/* routes manage users and tokens with an admin credential.

Every command takes --data-dir <dir> (instead of TAMS_DATA_DIR) and --help; tams-mgmt --version
prints the release.
Exit status: 0 success, 1 failure (or problems found by verify, or the store held by a running
server), 2 wrong usage.
`;

export interface MgmtDeps {
  env: Record<string, string | undefined>;
  io: MgmtIo;
  /** Where `export` writes without --out. */
  stdout: Writable;
  /** All of standard input (`--password-stdin`); none by default. */
  stdin?: () => Promise<string>;
}

const GLOBAL_OPTIONS: readonly string[] = ['data-dir', 'help', 'version'];

/** The command the leading words name: a group and a verb (`token create`), or one word. */
function find(positionals: readonly string[]): Command {
  const [first, second] = positionals;
  const pair = `${first} ${second}`;
  const command = COMMANDS.find((c) => c.name === pair) ?? COMMANDS.find((c) => c.name === first);
  if (command) return command;
  const group = COMMANDS.filter((c) => c.name.startsWith(`${first} `)).map((c) => c.name);
  if (group.length === 0) throw new UsageError(`unknown command ${JSON.stringify(first)}`);
  throw new UsageError(
    `${second === undefined ? `${first} needs a command` : `unknown command ${JSON.stringify(pair)}`}: ${group.join(', ')}`,
  );
}

async function run(
  command: Command,
  call: Invocation,
  env: MgmtDeps['env'],
  opened: (r: StoreRuntime) => void,
) {
  const config = mgmtConfig(env);
  if (command.opens === 'engine') return command.run(config, call);
  if (command.opens === 'store') {
    const runtime = await openStore(config, call.io, command.busyHint);
    opened(runtime);
    return command.run(runtime, call);
  }
  const runtime = await openRuntime(config, env, call.io, command.busyHint);
  opened(runtime);
  return command.run(runtime, call);
}

/** Runs one command; returns the exit status. Errors are reported on stderr, one line, no stack. */
export async function runMgmt(argv: readonly string[], deps: MgmtDeps): Promise<number> {
  const { io } = deps;
  let runtime: StoreRuntime | undefined;
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: OPTIONS,
      allowPositionals: true,
      strict: true,
    });
    if (values.version) {
      io.out(`tams-server ${packageVersion()}\n`);
      return 0;
    }
    if (positionals[0] === undefined || positionals[0] === 'help' || values.help) {
      io.out(USAGE);
      return positionals[0] === undefined && !values.help ? 2 : 0;
    }
    const command = find(positionals);
    const args = positionals.slice(command.name.split(' ').length);
    for (const given of Object.keys(values)) {
      if (!GLOBAL_OPTIONS.includes(given) && !command.options.includes(given as OptionName))
        throw new UsageError(`${command.name} does not take --${given}`);
    }
    const maxArgs = command.maxArgs ?? 0;
    if (args.length > maxArgs)
      throw new UsageError(`${command.name}: unexpected ${args.slice(maxArgs).join(' ')}`);
    const dataDir = values['data-dir'];
    const env = dataDir !== undefined ? { ...deps.env, TAMS_DATA_DIR: dataDir } : deps.env;
    const call: Invocation = {
      values,
      args,
      io,
      stdout: deps.stdout,
      stdin: deps.stdin ?? (async () => ''),
      env,
    };
    return await run(command, call, env, (r) => {
      runtime = r;
    });
  } catch (error) {
    return report(error, io);
  } finally {
    await runtime?.close();
  }
}

function report(error: unknown, io: MgmtIo): number {
  if (error instanceof MgmtError) {
    io.err(`tams-mgmt: ${error.message}\n`);
    if (error instanceof UsageError) io.err('Run `tams-mgmt help` for the commands and their options.\n');
    return error.exitCode;
  }
  // Refusals of the services (a name taken, an unknown token, a weak password): the message says it all.
  if (error instanceof TamsError) {
    io.err(`tams-mgmt: ${error.message}\n`);
    return 1;
  }
  if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
    io.err(`tams-mgmt: ${error.message}\nRun \`tams-mgmt help\` for the commands and their options.\n`);
    return 2;
  }
  io.err(`tams-mgmt: failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return 1;
}
