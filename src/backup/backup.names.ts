import { join } from 'node:path';
import { BadRequestError } from '../common/errors.ts';

/**
 * A backup's name: one directory inside the backup directory, never a path. Letters, digits, `.`,
 * `_` and `-`, starting with a letter or digit (so never `.` or `..`), at most 100 characters.
 */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export function isBackupName(name: string): boolean {
  return NAME.test(name);
}

/** The backup named `name` inside `dir`; 400 for a name that is not one. */
export function backupPath(dir: string, name: string, what = 'name'): string {
  if (!isBackupName(name))
    throw new BadRequestError(
      `${what} ${JSON.stringify(name)} is not a backup name: 1-100 letters, digits, '.', '_' or '-', starting with a letter or digit`,
    );
  return join(dir, name);
}

/** The directory backups are written into (TAMS_BACKUP_DIR, else `backups/` in the data directory). */
export function backupDir(config: { TAMS_BACKUP_DIR: string; TAMS_DATA_DIR: string }): string {
  return config.TAMS_BACKUP_DIR !== '' ? config.TAMS_BACKUP_DIR : join(config.TAMS_DATA_DIR, 'backups');
}
