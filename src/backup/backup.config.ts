import { Type } from 'typebox';

/** Backup settings, spread into the one config schema (src/config.ts). */
export const backupSettings = {
  TAMS_BACKUP_DIR: Type.String({
    default: '',
    description:
      "Directory the server writes backups of the embedded store into (`POST /backups`, `tams-mgmt backup`); a client names only a backup inside it. Empty: `backups/` under `TAMS_DATA_DIR`. On the media directory's filesystem, media files are hard-linked rather than copied (see [Operations](operations.md#backups)).",
  }),
};
