import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BadRequestError } from '../common/errors.ts';
import { packageVersion } from '../common/package-info.ts';
import type { DbSession, Engine } from '../db/db.types.ts';
import { readHistory } from '../db/migrate/migrate.history.ts';
import { FsMediaStore } from '../media/fs/fs.store.ts';
import type { DeletionHold } from '../media/media.hold.ts';
import type { MediaRegistry } from '../media/media.registry.ts';
import { T } from '../store/tables.ts';
import { BUCKETS, BucketedList } from './backup.buckets.ts';
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
import { MediaCopier } from './backup.media.ts';
import { backupPath } from './backup.names.ts';
import { mediaFiles } from './backup.walk.ts';

/** Objects placed at once (each a link or copy and a read for its checksum). */
const PARALLEL = 4;
/** The object lists joined while the backup is written (backup.buckets.ts). */
const LISTS = '.lists';

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
      if (previous !== undefined) await this.checkPrevious(previous, request.incrementalFrom);
      await mkdir(dir, { recursive: true });
      // Written aside and renamed when whole: a backup directory under its name is complete.
      const work = join(dir, `.${request.name}.partial-${randomUUID()}`);
      await mkdir(work);
      try {
        const manifest = await this.write(engine, work, request, previous);
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

  private async checkPrevious(path: string, name: string | undefined): Promise<void> {
    if (!(await exists(path)))
      throw new BadRequestError(`incremental_from: there is no backup named ${name}`);
    try {
      await readManifest(path);
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
      const lists = join(work, LISTS);
      const named = new BucketedList(lists, 'named');
      const marks = [performance.now()];
      const snapshot = await engine.snapshot(join(work, DATABASE_FILE), async (session) => {
        marks.push(performance.now());
        const schema = (await readHistory(session)).reduce((n, m) => Math.max(n, m.id), 0);
        await listObjects(session, named, (storageId) => {
          if (roots.has(storageId)) return true;
          elsewhere.set(storageId, (elsewhere.get(storageId) ?? 0) + 1);
          return false;
        });
        return schema;
      });
      marks.push(performance.now());
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
      for (const [id, root] of roots) copiers.set(id, new MediaCopier(id, root, work, previous));
      const present = await listPresent(lists, roots);
      const before = await listPrevious(lists, previous);
      marks.push(performance.now());
      await placeObjects({ named, present, before }, copiers, line);
      marks.push(performance.now());
      await new Promise<void>((resolve, reject) =>
        list.end((error?: Error | null) => (error ? reject(error) : resolve())),
      );
      await rm(lists, { recursive: true });
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
        phases_ms: phases(marks),
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

/** How long each part took, from the marks write() takes between them. */
function phases(marks: readonly number[]): Manifest['phases_ms'] {
  const ms = (i: number) => Math.round((marks[i + 1] ?? 0) - (marks[i] ?? 0));
  return { database: ms(0), object_list: ms(1), media_files: ms(2), media: ms(3) };
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
 * Lists the storage id and key of every object and object copy the snapshot names, of backends
 * `keep` accepts: read in the snapshot, placed after it.
 */
async function listObjects(
  session: DbSession,
  named: BucketedList,
  keep: (storageId: string) => boolean,
): Promise<void> {
  const take = async (rows: { storage_id?: unknown; storage_path?: unknown }[]) => {
    for (const row of rows) {
      if (typeof row.storage_id !== 'string' || typeof row.storage_path !== 'string') continue;
      if (keep(row.storage_id)) await named.add(`${row.storage_id}\t${row.storage_path}`);
    }
  };
  try {
    const columns = ['storage_id', 'storage_path'];
    await session.scan(T.objects, { columns }, take);
    await session.scan(T.instances, { columns }, take);
  } finally {
    await named.close();
  }
}

/** The data files each fs backend's directory holds (1: with a sidecar). */
async function listPresent(dir: string, roots: ReadonlyMap<string, string>): Promise<BucketedList> {
  const present = new BucketedList(dir, 'present');
  try {
    for (const [id, root] of roots)
      for await (const file of mediaFiles(root))
        await present.add(`${id}\t${file.key}`, file.sidecar ? '1' : '0');
  } finally {
    await present.close();
  }
  return present;
}

/** The media files of the backup an incremental one starts from, as files.jsonl lines. */
async function listPrevious(dir: string, previous: string | undefined): Promise<BucketedList> {
  const before = new BucketedList(dir, 'previous');
  try {
    if (previous !== undefined)
      for await (const file of readFileList(previous))
        if (file.storage_id !== undefined && file.key !== undefined)
          await before.add(`${file.storage_id}\t${file.key}`, JSON.stringify(file));
  } finally {
    await before.close();
  }
  return before;
}

interface Placement {
  copier: MediaCopier;
  key: string;
  sidecar: boolean;
  before: BackupFile | undefined;
}

/**
 * Joins what the snapshot names with what the media directories hold (and the previous backup
 * has), a bucket at a time, and places each object found (PARALLEL at once), handing each file
 * placed to `placed`. The work follows the files there are: an object without bytes costs a line.
 */
async function placeObjects(
  lists: { named: BucketedList; present: BucketedList; before: BucketedList },
  copiers: ReadonlyMap<string, MediaCopier>,
  placed: (file: BackupFile) => void,
): Promise<void> {
  for (let b = 0; b < BUCKETS; b++) {
    // true/false: a data file there (with/without a sidecar); null: placed already (named twice).
    const present = new Map<string, boolean | null>();
    for await (const [key, flag] of lists.present.read(b)) present.set(key, flag === '1');
    const before = new Map<string, string>();
    for await (const [key, file] of lists.before.read(b)) before.set(key, file);
    const work: Placement[] = [];
    for await (const [named] of lists.named.read(b)) {
      const tab = named.indexOf('\t');
      const copier = copiers.get(named.slice(0, tab));
      if (copier === undefined) continue;
      copier.counts.objects++;
      const sidecar = present.get(named);
      if (sidecar === undefined) copier.counts.missing++;
      if (sidecar === undefined || sidecar === null) continue;
      present.set(named, null);
      const previous = before.get(named);
      const file = previous === undefined ? undefined : (JSON.parse(previous) as BackupFile);
      work.push({ copier, key: named.slice(tab + 1), sidecar, before: file });
    }
    let next = 0;
    const worker = async () => {
      for (let item = work[next++]; item !== undefined; item = work[next++]) {
        const done = await item.copier.add(item.key, item.sidecar, item.before);
        if (done) placed(done);
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
  }
}
