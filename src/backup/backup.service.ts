import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { BadRequestError } from '../common/errors.ts';
import { packageVersion } from '../common/package-info.ts';
import type { DbSession, Engine } from '../db/db.types.ts';
import { readHistory } from '../db/migrate/migrate.history.ts';
import { FsMediaStore } from '../media/fs/fs.store.ts';
import type { DeletionHold } from '../media/media.hold.ts';
import type { MediaRegistry } from '../media/media.registry.ts';
import { T } from '../store/tables.ts';
import {
  BACKUP_FORMAT,
  type BackupFile,
  DATABASE_FILE,
  FILE_LIST,
  MANIFEST,
  type Manifest,
  readFileList,
  readManifest,
  sha256File,
} from './backup.manifest.ts';
import { MediaCopier, type Reusable } from './backup.media.ts';
import { backupPath } from './backup.names.ts';

/** Objects placed at once (each a link or copy and a read for its checksum). */
const PARALLEL = 4;
/** The objects the snapshot names, one `<storage_id>\t<key>` a line, while the backup is written. */
const OBJECT_LIST = '.objects';

export interface BackupRequest {
  name: string;
  /** A previous backup in the same directory whose unchanged media files are reused. */
  incrementalFrom?: string;
}

export interface BackupParts {
  /** Where backups are written (backupDir: TAMS_BACKUP_DIR). */
  dir: string;
  engine: Engine;
  media: MediaRegistry;
  /** The running server's hold on media deletion (none where no workers run: tams-mgmt). */
  hold?: DeletionHold;
}

/** The files of a previous backup, by path (what an incremental backup may reuse). */
async function previousFiles(dir: string): Promise<Map<string, BackupFile>> {
  await readManifest(dir);
  const files = new Map<string, BackupFile>();
  for await (const file of readFileList(dir)) files.set(file.path, file);
  return files;
}

/**
 * Backups of the embedded store (docs/operations.md, "Backups"): the database copied as one
 * snapshot by the engine (Engine.snapshot) while the server goes on taking writes, then every
 * media object that snapshot names, from each fs backend, linked or copied, with a manifest and
 * a SHA-256 of every file. Media deletion is held in this process from before the snapshot until
 * the objects are in (DeletionHold), so none the snapshot names is deleted first. One at a time.
 */
export class BackupService {
  private running = false;

  constructor(private readonly parts: BackupParts) {}

  /**
   * Holds media deletion in this process until the returned function is called (what a backup
   * does from before its snapshot until its objects are in); `waiting`: deletions held meanwhile.
   */
  holdDeletions(): { release: () => void; waiting: () => number } {
    const hold = this.parts.hold;
    return { release: hold?.hold() ?? (() => {}), waiting: () => hold?.waiting ?? 0 };
  }

  /** The database's engine, as a manifest names it. */
  get engineName(): string {
    return this.parts.engine.name;
  }

  /** The store's schema version: the highest migration applied (0: none recorded). */
  async schemaVersion(): Promise<number> {
    return (await readHistory(this.parts.engine.session)).reduce((n, m) => Math.max(n, m.id), 0);
  }

  async take(request: BackupRequest): Promise<Manifest> {
    const { engine } = this.parts;
    const { dir } = this.parts;
    const target = backupPath(dir, request.name);
    if (!canSnapshot(engine))
      throw new BadRequestError(
        `the ${engine.name} database is backed up with its own tools (docs/operations.md, "Backups"); tams-mgmt backup --metadata-only exports what the server owns`,
      );
    const previous =
      request.incrementalFrom === undefined
        ? undefined
        : backupPath(dir, request.incrementalFrom, 'incremental_from');
    if (this.running) throw new BadRequestError('a backup is under way: one at a time');
    this.running = true;
    try {
      if (await exists(target)) throw new BadRequestError(`a backup named ${request.name} exists already`);
      const reusable =
        previous === undefined ? undefined : await this.previous(previous, request.incrementalFrom);
      await mkdir(dir, { recursive: true });
      // Written aside and renamed when whole: a backup directory under its name is complete.
      const work = join(dir, `.${request.name}.partial-${randomUUID()}`);
      await mkdir(work);
      try {
        const manifest = await this.write(engine, work, request, reusable, previous);
        await rename(work, target);
        return manifest;
      } catch (error) {
        await rm(work, { recursive: true, force: true });
        throw error;
      }
    } finally {
      this.running = false;
    }
  }

  private async previous(path: string, name: string | undefined): Promise<Map<string, BackupFile>> {
    if (!(await exists(path)))
      throw new BadRequestError(`incremental_from: there is no backup named ${name}`);
    try {
      return await previousFiles(path);
    } catch (error) {
      throw new BadRequestError(
        `incremental_from: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  private async write(
    engine: SnapshotEngine,
    work: string,
    request: BackupRequest,
    reusable: Map<string, BackupFile> | undefined,
    previous: string | undefined,
  ): Promise<Manifest> {
    const { media } = this.parts;
    const started = new Date();
    const roots = new Map<string, string>();
    for (const store of media.stores)
      if (store instanceof FsMediaStore) roots.set(store.descriptor.id, store.root);
    const elsewhere = new Map<string, number>();
    const { release } = this.holdDeletions();
    try {
      const snapshot = await engine.snapshot(join(work, DATABASE_FILE), async (session) => {
        const schema = (await readHistory(session)).reduce((n, m) => Math.max(n, m.id), 0);
        await listObjects(session, join(work, OBJECT_LIST), (storageId) => {
          if (roots.has(storageId)) return true;
          elsewhere.set(storageId, (elsewhere.get(storageId) ?? 0) + 1);
          return false;
        });
        return schema;
      });
      const list = createWriteStream(join(work, FILE_LIST));
      const listed = { files: 0, bytes: 0, size: 0 };
      const line = (file: BackupFile) => {
        const text = `${JSON.stringify(file)}\n`;
        listed.files++;
        listed.bytes += file.size;
        listed.size += Buffer.byteLength(text);
        list.write(text);
      };
      const db = join(work, DATABASE_FILE);
      line({ path: DATABASE_FILE, size: (await stat(db)).size, sha256: await sha256File(db) });
      const copiers = new Map<string, MediaCopier>();
      for (const [id, root] of roots) {
        copiers.set(
          id,
          new MediaCopier(id, root, work, (path) => {
            const file = reusable?.get(path);
            return file && previous !== undefined
              ? ({ file, at: join(previous, path) } satisfies Reusable)
              : undefined;
          }),
        );
      }
      await placeObjects(join(work, OBJECT_LIST), copiers, (file) => line(file));
      await new Promise<void>((resolve, reject) =>
        list.end((error?: Error | null) => (error ? reject(error) : resolve())),
      );
      await rm(join(work, OBJECT_LIST));
      const manifest: Manifest = {
        format: BACKUP_FORMAT,
        name: request.name,
        server_version: packageVersion(),
        schema_version: snapshot.read,
        engine: engine.name,
        started: started.toISOString(),
        finished: new Date().toISOString(),
        incremental_from: request.incrementalFrom ?? null,
        writes_held_ms: Math.round(snapshot.writesHeldMs * 10) / 10,
        tables: snapshot.rows,
        media: Object.fromEntries([...copiers].map(([id, c]) => [id, c.counts])),
        not_included: [...elsewhere].map(([storage_id, objects]) => ({
          storage_id,
          objects,
          reason: 'not an fs backend of this server: its object store keeps the bytes (versioning)',
        })),
        file_list: { ...listed, sha256: await sha256File(join(work, FILE_LIST)) },
      };
      await writeFile(join(work, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
      return manifest;
    } finally {
      release();
    }
  }
}

type SnapshotEngine = Engine & Required<Pick<Engine, 'snapshot'>>;

function canSnapshot(engine: Engine): engine is SnapshotEngine {
  return engine.snapshot !== undefined;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * Writes the storage id and key of every object and object copy the snapshot names to `file`
 * (one a line), those of backends `keep` accepts: read in the snapshot, placed after it.
 */
async function listObjects(
  session: DbSession,
  file: string,
  keep: (storageId: string) => boolean,
): Promise<void> {
  const out = createWriteStream(file);
  const take = (rows: { storage_id?: unknown; storage_path?: unknown }[]) => {
    let text = '';
    for (const row of rows) {
      if (typeof row.storage_id !== 'string' || typeof row.storage_path !== 'string') continue;
      if (keep(row.storage_id)) text += `${row.storage_id}\t${row.storage_path}\n`;
    }
    if (text !== '' && !out.write(text)) return new Promise<void>((resolve) => out.once('drain', resolve));
  };
  try {
    const columns = ['storage_id', 'storage_path'];
    await session.scan(T.objects, { columns }, take);
    await session.scan(T.instances, { columns }, take);
  } finally {
    await new Promise<void>((resolve, reject) =>
      out.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
  }
}

/** Places every object of the list (PARALLEL at once), handing each file placed to `placed`. */
async function placeObjects(
  file: string,
  copiers: ReadonlyMap<string, MediaCopier>,
  placed: (file: BackupFile) => void,
): Promise<void> {
  const input = createReadStream(file);
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })[Symbol.asyncIterator]();
  const worker = async () => {
    for (;;) {
      const next = await lines.next();
      if (next.done) return;
      const tab = next.value.indexOf('\t');
      const copier = copiers.get(next.value.slice(0, tab));
      const done = await copier?.add(next.value.slice(tab + 1));
      if (done) placed(done);
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
}
