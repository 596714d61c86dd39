import {
  analyticsCoverageCommand,
  analyticsDurationsCommand,
  analyticsExportCommand,
  analyticsSizesCommand,
  analyticsStorageCommand,
  analyticsTopCommand,
  analyticsUsageCommand,
} from './mgmt.analytics.ts';
import { AUTH_COMMANDS } from './mgmt.auth.ts';
import { BACKUP_COMMANDS, verifyStoreOrBackup } from './mgmt.backup.commands.ts';
import { cleanCommand } from './mgmt.clean.ts';
import type { Command } from './mgmt.command.ts';
import { dbCheckCommand } from './mgmt.db.ts';
import { exportCommand } from './mgmt.export.ts';
import { exrBackfillCommand } from './mgmt.exr.ts';
import { importCommand } from './mgmt.import.ts';
import { UsageError } from './mgmt.io.ts';
import { journalRecoverCommand } from './mgmt.journal.ts';
import { migrateCommand } from './mgmt.migrate.ts';
import { orphansCommand } from './mgmt.orphans.ts';
import { RECORD_COMMANDS } from './mgmt.record.ts';
import { REPLICATE_COMMANDS } from './mgmt.replicate.ts';
import { searchReindexCommand, searchStatusCommand } from './mgmt.search.ts';
import { supportBundleCommand } from './mgmt.support.ts';
import { tablesCommand } from './mgmt.tables.ts';
import { webhooksListCommand } from './mgmt.webhooks.ts';
import { VAST_COMMANDS } from './vast/vast.command.ts';

/** Every command of tams-mgmt (a new one: an entry here and a line in USAGE, mgmt.cli.ts). */
export const COMMANDS: readonly Command[] = [
  {
    name: 'tables',
    options: ['json'],
    opens: 'store',
    run: (runtime, { io, values }) => tablesCommand(runtime, io, { json: values.json === true }),
  },
  {
    name: 'db check',
    options: ['json'],
    opens: 'engine',
    run: (config, { io, values }) => dbCheckCommand(config, io, { json: values.json === true }),
  },
  {
    name: 'clean',
    options: ['flow', 'all', 'dry-run', 'yes'],
    opens: 'runtime',
    run: (runtime, { io, values }) =>
      cleanCommand(runtime, io, {
        all: values.all === true,
        flow: values.flow,
        dryRun: values['dry-run'] === true,
        yes: values.yes === true,
      }),
  },
  {
    name: 'orphans',
    options: ['delete'],
    opens: 'runtime',
    run: (runtime, { io, values }) => orphansCommand(runtime, io, { delete: values.delete === true }),
  },
  {
    // With a backup's directory: that backup against its manifest (mgmt.backup.ts); else the store.
    name: 'verify',
    options: ['json'],
    maxArgs: 1,
    opens: 'engine',
    run: (config, call) => verifyStoreOrBackup(config, call),
  },
  {
    name: 'webhooks list',
    options: ['json'],
    opens: 'store',
    run: (runtime, { io, values }) => webhooksListCommand(runtime, io, { json: values.json === true }),
  },
  {
    name: 'export',
    options: ['flow', 'out'],
    opens: 'runtime',
    run: (runtime, { io, values, stdout }) => {
      if (values.flow === undefined) throw new UsageError('export: --flow <id> is required');
      return exportCommand(runtime, io, { flow: values.flow, out: values.out, stdout });
    },
  },
  {
    name: 'import',
    options: ['as'],
    maxArgs: 1,
    opens: 'runtime',
    run: (runtime, { io, values, args }) => {
      const [file] = args;
      if (file === undefined) throw new UsageError('import: the export file is required');
      return importCommand(runtime, io, { file, as: values.as });
    },
  },
  {
    name: 'migrate',
    options: ['dry-run'],
    opens: 'engine',
    run: (config, { io, values }) => migrateCommand(config, io, { dryRun: values['dry-run'] === true }),
  },
  {
    name: 'journal recover',
    options: ['dry-run', 'json'],
    opens: 'engine',
    run: (config, { io, values }) =>
      journalRecoverCommand(config, io, { dryRun: values['dry-run'] === true, json: values.json === true }),
  },
  {
    name: 'search reindex',
    options: ['force'],
    opens: 'runtime',
    run: (runtime, { io, values }) => searchReindexCommand(runtime, io, { force: values.force === true }),
  },
  {
    name: 'search status',
    options: ['json'],
    opens: 'runtime',
    run: (runtime, { io, values }) => searchStatusCommand(runtime, io, { json: values.json === true }),
  },
  {
    name: 'exr backfill',
    options: ['flow', 'force'],
    opens: 'runtime',
    run: (runtime, { io, values }) =>
      exrBackfillCommand(runtime, io, { flow: values.flow, force: values.force === true }),
  },
  {
    name: 'analytics usage',
    options: ['flow', 'timerange', 'bucket', 'json'],
    opens: 'runtime',
    run: analyticsUsageCommand,
  },
  {
    name: 'analytics coverage',
    options: ['flow', 'timerange', 'min-gap', 'stall-after', 'json'],
    opens: 'runtime',
    run: analyticsCoverageCommand,
  },
  {
    name: 'analytics storage',
    options: ['since', 'bucket', 'json'],
    opens: 'runtime',
    run: analyticsStorageCommand,
  },
  {
    name: 'analytics durations',
    options: ['flow', 'format', 'codec', 'source', 'timerange', 'per-flow', 'json'],
    opens: 'runtime',
    run: analyticsDurationsCommand,
  },
  {
    name: 'analytics top',
    options: ['by', 'timerange', 'limit', 'json'],
    opens: 'runtime',
    run: analyticsTopCommand,
  },
  {
    name: 'analytics export',
    options: ['table', 'format', 'flow', 'timerange', 'limit', 'out'],
    opens: 'runtime',
    run: (runtime, call) => analyticsExportCommand(runtime, call, call.stdout),
  },
  {
    name: 'analytics sizes',
    options: ['flow', 'missing', 'prune'],
    opens: 'runtime',
    busyHint: 'on a shared database (VAST) it runs beside the servers',
    run: analyticsSizesCommand,
  },
  {
    name: 'support-bundle',
    options: ['out', 'server', 'token-stdin', 'log', 'lines'],
    opens: 'engine',
    run: supportBundleCommand,
  },
  ...BACKUP_COMMANDS,
  ...RECORD_COMMANDS,
  ...REPLICATE_COMMANDS,
  ...AUTH_COMMANDS,
  ...VAST_COMMANDS,
];
