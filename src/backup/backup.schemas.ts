import { Type } from 'typebox';
import { DateTime } from '../http/common.schemas.ts';

/** POST /backups (backup.routes.ts): a tams-server extension. */

const BackupName = Type.String({
  minLength: 1,
  maxLength: 100,
  description:
    "A directory inside the server's backup directory (TAMS_BACKUP_DIR): letters, digits, `.`, `_` and `-`, starting with a letter or digit.",
});

export const NewBackup = Type.Object(
  {
    name: BackupName,
    incremental_from: Type.Optional({
      ...BackupName,
      description:
        'A previous backup in the same directory: media files it holds unchanged are hard-linked from it, with their checksums, instead of being read again.',
    }),
  },
  { additionalProperties: false },
);

const Counts = Type.Object({
  objects: Type.Integer({ description: 'Objects the snapshot names on this backend.' }),
  linked: Type.Integer({ description: 'Hard-linked from the media directory.' }),
  copied: Type.Integer({ description: 'Copied (the backup directory is on another filesystem).' }),
  reused: Type.Integer({ description: 'Taken from the previous backup (`incremental_from`).' }),
  missing: Type.Integer({ description: 'Named by the snapshot without bytes (allocated, never uploaded).' }),
  bytes: Type.Integer(),
});

export const BackupManifest = Type.Object(
  {
    format: Type.String(),
    name: Type.String(),
    server_version: Type.String(),
    schema_version: Type.Integer({ description: 'The highest schema migration the store has applied.' }),
    engine: Type.String(),
    started: DateTime,
    finished: DateTime,
    incremental_from: Type.Union([Type.String(), Type.Null()]),
    writes_held_ms: Type.Number({
      description: "How long the server's writes were held while the snapshot was taken.",
    }),
    tables: Type.Record(Type.String(), Type.Integer(), {
      description: 'Rows of each table of the snapshot.',
    }),
    media: Type.Record(Type.String(), Counts, { description: 'Per fs storage backend (by id).' }),
    not_included: Type.Array(
      Type.Object({ storage_id: Type.String(), objects: Type.Integer(), reason: Type.String() }),
    ),
    file_list: Type.Object({
      files: Type.Integer(),
      bytes: Type.Integer(),
      size: Type.Integer(),
      sha256: Type.String(),
    }),
  },
  {
    title: 'Backup',
    description:
      'The manifest of the backup written (its `manifest.json`); every file with its SHA-256 is in its `files.jsonl`.',
  },
);
