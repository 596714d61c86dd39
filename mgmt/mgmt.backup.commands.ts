import type { Config } from '../src/config.ts';
import { backupCommand, restoreCommand, verifyBackupCommand } from './mgmt.backup.ts';
import type { Command, Invocation } from './mgmt.command.ts';
import { UsageError } from './mgmt.io.ts';
import { openStore } from './mgmt.open.ts';
import { verifyCommand } from './mgmt.verify.ts';

/** `verify [<backup>]`: a backup's files against its manifest, or (no argument) the store's integrity. */
export async function verifyStoreOrBackup(config: Config, call: Invocation): Promise<number> {
  const { io, values, args } = call;
  const json = values.json === true;
  const [backup] = args;
  if (backup !== undefined) return verifyBackupCommand(io, { backup, json });
  const runtime = await openStore(config, io);
  try {
    return await verifyCommand(runtime, io, { json });
  } finally {
    await runtime.close();
  }
}

/** backup and restore (mgmt.backup.ts); `verify <backup>` is the verify command's. */
export const BACKUP_COMMANDS: readonly Command[] = [
  {
    name: 'backup',
    options: ['incremental-from', 'server', 'token-stdin', 'metadata-only', 'json'],
    maxArgs: 1,
    opens: 'engine',
    run: async (config, { io, values, args, env, stdin }) => {
      const [name] = args;
      if (name === undefined) throw new UsageError('backup: the backup name is required');
      return backupCommand(config, env, io, {
        name,
        incrementalFrom: values['incremental-from'],
        server: values.server,
        // Never from the command line, where other users' `ps` would show it.
        token: values['token-stdin'] ? (await stdin()).trim() : env.TAMS_TOKEN,
        metadataOnly: values['metadata-only'] === true,
        json: values.json === true,
      });
    },
  },
  {
    name: 'restore',
    options: ['json'],
    maxArgs: 1,
    opens: 'engine',
    run: (config, { io, values, args, env = {} }) => {
      const [backup] = args;
      if (backup === undefined) throw new UsageError('restore: the backup directory is required');
      return restoreCommand(config, env, io, {
        backup,
        dataDirGiven: values['data-dir'] !== undefined,
        json: values.json === true,
      });
    },
  },
];
