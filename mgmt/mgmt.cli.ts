import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import type { Runtime } from '../src/deps.ts';
import { cleanCommand } from './mgmt.clean.ts';
import { exportCommand } from './mgmt.export.ts';
import { importCommand } from './mgmt.import.ts';
import { MgmtError, type MgmtIo, UsageError } from './mgmt.io.ts';
import { migrateCommand } from './mgmt.migrate.ts';
import { openRuntime } from './mgmt.open.ts';
import { orphansCommand } from './mgmt.orphans.ts';
import { tablesCommand } from './mgmt.tables.ts';
import { verifyCommand } from './mgmt.verify.ts';

export const USAGE = `Usage: tams-mgmt <command> [options]   (npm run mgmt -- <command> [options])

Management of a tams-server store, opened with the server's TAMS_* configuration. The embedded
DuckDB file can be opened by one process at a time: stop the server first.

Commands:
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
  export --flow <id> [--out <file>]      A Flow, its Source and segments as JSON lines (stdout
                                         without --out).
  import <file> [--as <flow id>]         Recreate an exported Flow and its segments here.
  migrate [--dry-run]                    The store's schema version and the migrations pending;
                                         applies them (the server also does, at start-up).

Exit status: 0 success, 1 failure (or problems found by verify), 2 wrong usage.
`;

const OPTIONS = {
  json: { type: 'boolean' },
  flow: { type: 'string' },
  all: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  yes: { type: 'boolean' },
  delete: { type: 'boolean' },
  out: { type: 'string' },
  as: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Options each command accepts (anything else is a usage error, not silently ignored). */
const ACCEPTS: Record<string, readonly string[]> = {
  tables: ['json'],
  clean: ['flow', 'all', 'dry-run', 'yes'],
  orphans: ['delete'],
  verify: ['json'],
  export: ['flow', 'out'],
  import: ['as'],
  migrate: ['dry-run'],
};

export interface MgmtDeps {
  env: Record<string, string | undefined>;
  io: MgmtIo;
  /** Where `export` writes without --out. */
  stdout: Writable;
  /** Opens the store (tests may pass their own). */
  open?: (env: Record<string, string | undefined>) => Promise<Runtime>;
}

type Values = {
  [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]['type'] extends 'string' ? string : boolean;
};

async function dispatch(
  command: string,
  values: Values,
  positionals: string[],
  runtime: Runtime,
  deps: MgmtDeps,
) {
  const { io } = deps;
  switch (command) {
    case 'tables':
      return tablesCommand(runtime, io, { json: values.json === true });
    case 'clean':
      return cleanCommand(runtime, io, {
        all: values.all === true,
        flow: values.flow,
        dryRun: values['dry-run'] === true,
        yes: values.yes === true,
      });
    case 'orphans':
      return orphansCommand(runtime, io, { delete: values.delete === true });
    case 'verify':
      return verifyCommand(runtime, io, { json: values.json === true });
    case 'export':
      if (values.flow === undefined) throw new UsageError('export: --flow <id> is required');
      return exportCommand(runtime, io, { flow: values.flow, out: values.out, stdout: deps.stdout });
    case 'import': {
      const [file] = positionals;
      if (file === undefined) throw new UsageError('import: the export file is required');
      return importCommand(runtime, io, { file, as: values.as });
    }
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  }
}

/** Runs one command; returns the exit status. Errors are reported on stderr, one line, no stack. */
export async function runMgmt(argv: readonly string[], deps: MgmtDeps): Promise<number> {
  const { io } = deps;
  let runtime: Runtime | undefined;
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: OPTIONS,
      allowPositionals: true,
      strict: true,
    });
    const [command, ...rest] = positionals;
    if (command === undefined || command === 'help' || values.help) {
      io.out(USAGE);
      return command === undefined && !values.help ? 2 : 0;
    }
    const accepted = ACCEPTS[command];
    if (!accepted) throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    for (const given of Object.keys(values)) {
      if (!accepted.includes(given)) throw new UsageError(`${command} does not take --${given}`);
    }
    if (rest.length > (command === 'import' ? 1 : 0))
      throw new UsageError(`${command}: unexpected ${rest.join(' ')}`);
    // Opening the runtime would apply the migrations: migrate opens the engine alone.
    if (command === 'migrate')
      return await migrateCommand(deps.env, io, { dryRun: values['dry-run'] === true });
    runtime = await (deps.open ?? openRuntime)(deps.env);
    return await dispatch(command, values as Values, rest, runtime, deps);
  } catch (error) {
    if (error instanceof MgmtError) {
      io.err(`tams-mgmt: ${error.message}\n`);
      if (error instanceof UsageError) io.err('Run `tams-mgmt help` for the commands and their options.\n');
      return error.exitCode;
    }
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      io.err(`tams-mgmt: ${error.message}\nRun \`tams-mgmt help\` for the commands and their options.\n`);
      return 2;
    }
    io.err(`tams-mgmt: failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  } finally {
    await runtime?.close();
  }
}
