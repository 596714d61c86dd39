import type { Writable } from 'node:stream';
import type { Config } from '../src/config.ts';
import type { StoreRuntime } from '../src/deps.store.ts';
import type { Runtime } from '../src/deps.ts';
import type { MgmtIo } from './mgmt.io.ts';

/** Every option of every command (parseArgs); each command names those it takes. */
export const OPTIONS = {
  json: { type: 'boolean' },
  version: { type: 'boolean' },
  flow: { type: 'string' },
  all: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  yes: { type: 'boolean' },
  delete: { type: 'boolean' },
  force: { type: 'boolean' },
  out: { type: 'string' },
  as: { type: 'string' },
  scopes: { type: 'string' },
  user: { type: 'string' },
  'expires-in': { type: 'string' },
  'password-stdin': { type: 'boolean' },
  // analytics (mgmt.analytics.ts): the API's query parameters.
  timerange: { type: 'string' },
  bucket: { type: 'string' },
  'min-gap': { type: 'string' },
  'stall-after': { type: 'string' },
  since: { type: 'string' },
  by: { type: 'string' },
  limit: { type: 'string' },
  table: { type: 'string' },
  format: { type: 'string' },
  codec: { type: 'string' },
  source: { type: 'string' },
  'per-flow': { type: 'boolean' },
  missing: { type: 'boolean' },
  prune: { type: 'boolean' },
  // support-bundle (mgmt.support.ts).
  server: { type: 'string' },
  'token-stdin': { type: 'boolean' },
  log: { type: 'string' },
  lines: { type: 'string' },
  // backup, restore (mgmt.backup.ts).
  'incremental-from': { type: 'string' },
  'metadata-only': { type: 'boolean' },
  // record (mgmt.record.ts): a recording job's settings.
  'segment-duration': { type: 'string' },
  retention: { type: 'string' },
  fast: { type: 'boolean' },
  fmp4: { type: 'boolean' },
  // replicate (mgmt.replicate.ts): a replication job's settings; --flow and --source select too.
  origin: { type: 'string' },
  tag: { type: 'string', multiple: true },
  copy: { type: 'boolean' },
  storage: { type: 'string' },
  once: { type: 'boolean' },
  'mirror-deletions': { type: 'boolean' },
  'map-ids': { type: 'boolean' },
  // vast check (mgmt/vast/): the field kit's options; --label is record's and replicate's too.
  label: { type: 'string' },
  'idle-seconds': { type: 'string' },
  'tx-cap': { type: 'string' },
  /** Every command: the data directory instead of TAMS_DATA_DIR. */
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export type OptionName = keyof typeof OPTIONS;
export type OptionValues = {
  [K in OptionName]?: (typeof OPTIONS)[K] extends { multiple: true }
    ? string[]
    : (typeof OPTIONS)[K]['type'] extends 'string'
      ? string
      : boolean;
};

/** One run of a command: its options and arguments, and where it reads and writes. */
export interface Invocation {
  values: OptionValues;
  /** Positional arguments after the command's name. */
  args: string[];
  io: MgmtIo;
  /** Where `export` writes without --out. */
  stdout: Writable;
  /** All of standard input (`--password-stdin`). */
  stdin(): Promise<string>;
  /** The environment the settings were read from (`_env` credentials, other TAMS_* variables). */
  env: Record<string, string | undefined>;
}

interface CommandBase {
  /** One word, or a group and a verb (`token create`). */
  name: string;
  /** Options it takes besides --data-dir and --help (others are usage errors, not ignored). */
  options: readonly OptionName[];
  /** Positional arguments it takes after its name (default 0). */
  maxArgs?: number;
  /** Ends the one line said when a running server holds the store (what to do instead). */
  busyHint?: string;
}

/**
 * A management command. `opens`: what it works on, both built by the server's composition root
 * without workers or caches: `store` the store alone (tables, users and tokens), `runtime` the
 * store with media backends and services (commands that touch bytes or act as the API would);
 * `engine` opens the database itself (`migrate`: opening the store would apply the migrations).
 */
export type Command =
  | (CommandBase & { opens: 'engine'; run(config: Config, call: Invocation): Promise<number> })
  | (CommandBase & { opens: 'store'; run(runtime: StoreRuntime, call: Invocation): Promise<number> })
  | (CommandBase & { opens: 'runtime'; run(runtime: Runtime, call: Invocation): Promise<number> });
