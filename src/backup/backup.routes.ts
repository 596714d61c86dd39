import type { AuthRouteConfig } from '../auth/auth.hook.ts';
import { errors, ok } from '../http/responses.ts';
import type { App } from '../http/types.ts';
import { BackupManifest, NewBackup } from './backup.schemas.ts';
import type { BackupService } from './backup.service.ts';

const admin: AuthRouteConfig = { tamsAuth: 'admin' };

/**
 * A backup of the embedded store taken by the running server (which alone can open its DuckDB
 * file), written inside the server's backup directory: a client names the backup, never a path.
 * Answered once the backup is whole. At the root mount alone: it is the whole server's.
 */
export async function backupRoutes(app: App, backups: BackupService): Promise<void> {
  app.post(
    '/backups',
    {
      schema: {
        operationId: 'POST_backups',
        summary: 'Take Backup',
        description:
          'Backs up the embedded store while it runs (admin scope): one consistent snapshot of the database holding every write acknowledged before the request, then every media object it names (hard links where possible), with a manifest of SHA-256 checksums, as `<TAMS_BACKUP_DIR>/<name>`. Restore it with `tams-mgmt restore`. Stores on PostgreSQL or VAST are backed up with their own tools (400).',
        tags: ['Backups'],
        body: NewBackup,
        response: {
          201: ok(BackupManifest, 'The backup has been written.'),
          ...errors({
            400: 'Bad request. Invalid backup name, a backup of that name exists, the previous backup is not there, another backup is under way, or the store is not the embedded one.',
          }),
        },
      },
      config: admin,
    },
    async (request, reply) => {
      const manifest = await backups.take({
        name: request.body.name,
        incrementalFrom: request.body.incremental_from,
      });
      return reply.code(201).send(manifest);
    },
  );
}
