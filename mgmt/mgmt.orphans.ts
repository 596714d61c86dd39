import { and, col } from '../src/db/predicate.ts';
import type { Runtime } from '../src/deps.ts';
import type { MediaStore } from '../src/media/media.types.ts';
import { ObjectsRepo } from '../src/store/objects.repo.ts';
import { reqStr } from '../src/store/rows.ts';
import { T } from '../src/store/tables.ts';
import { formatBytes, type MgmtIo, Progress } from './mgmt.io.ts';
import { scanRows } from './mgmt.stream.ts';

/** Examples printed per finding (the counts are always complete). */
const SHOWN = 20;

export interface BackendOrphans {
  storageId: string;
  label: string;
  listed: number;
  /** Bytes in the backend with no object row (and not queued for deletion). */
  orphans: { path: string; size: number }[];
  /** Bytes already queued for deletion by the media GC (not orphans: the server deletes them). */
  queued: number;
  /** Registered objects whose bytes the backend does not have: how many, and the first few. */
  missingCount: number;
  missing: string[];
  /** Allocated, never used objects with no bytes yet: uploads not made (not a problem). */
  notUploaded: number;
}

/** Objects allocated and awaiting their first segment: they may have no bytes yet. */
async function unusedAllocations(runtime: Runtime): Promise<Set<string>> {
  return new ObjectsRepo(runtime.db).unusedAllocationIds();
}

/**
 * Compares a backend's listing with the object rows. The listing comes first: any object listed
 * was uploaded after its row was written (allocation writes the row before handing out the
 * upload URL), so an upload racing this command can never look orphaned. Only the listing is
 * held in memory; the object rows stream past it, each taking its path out of the listing.
 */
export async function findOrphans(
  runtime: Runtime,
  backend: MediaStore,
  io: MgmtIo,
): Promise<BackendOrphans> {
  const { id, label } = backend.descriptor;
  const listed = new Map<string, number>();
  const listing = new Progress(io, `objects listed in ${label ?? id}`);
  for await (const info of backend.list()) {
    listed.set(info.path, info.size);
    listing.add(1);
  }
  listing.finish();
  const result: BackendOrphans = {
    storageId: id,
    label: label ?? id,
    listed: listed.size,
    orphans: [],
    queued: 0,
    missingCount: 0,
    missing: [],
    notUploaded: 0,
  };
  const unused = await unusedAllocations(runtime);
  const rows = new Progress(io, 'object rows compared');
  let seen = 0;
  for await (const r of scanRows(runtime.db, T.objects, {
    where: and(col('storage_id').eq(id)),
    columns: ['id', 'storage_path'],
  })) {
    if (++seen % 10_000 === 0) rows.add(10_000);
    if (typeof r.storage_path !== 'string' || listed.delete(r.storage_path)) continue;
    const objectId = reqStr(r, 'id');
    if (unused.has(objectId)) result.notUploaded++;
    else {
      result.missingCount++;
      if (result.missing.length < SHOWN) result.missing.push(objectId);
    }
  }
  rows.finish();
  const gc = await runtime.db.select(T.mediaGc, {
    where: and(col('storage_id').eq(id)),
    columns: ['storage_path'],
  });
  const queued = new Set(gc.map((r) => reqStr(r, 'storage_path')));
  for (const [path, size] of listed) {
    if (queued.has(path)) result.queued++;
    else result.orphans.push({ path, size });
  }
  return result;
}

function report(found: BackendOrphans): string {
  const bytes = found.orphans.reduce((n, o) => n + o.size, 0);
  const lines = [
    `Backend ${JSON.stringify(found.label)} (${found.storageId}): ${found.listed} objects listed`,
    `  orphaned bytes (no object row):     ${found.orphans.length} (${formatBytes(bytes)})`,
    ...found.orphans.slice(0, SHOWN).map((o) => `    ${o.path} (${formatBytes(o.size)})`),
    `  queued for deletion by the server:  ${found.queued}`,
    `  object rows without bytes:          ${found.missingCount}`,
    ...found.missing.slice(0, SHOWN).map((id) => `    object ${id}`),
    `  allocated, not uploaded yet:        ${found.notUploaded}`,
  ];
  return `${lines.join('\n')}\n`;
}

/** `orphans`: reports, per backend, bytes without rows and rows without bytes; --delete removes the former. */
export async function orphansCommand(
  runtime: Runtime,
  io: MgmtIo,
  options: { delete: boolean },
): Promise<number> {
  let failed = 0;
  const known = runtime.media.stores.map((b) => col('storage_id').ne(b.descriptor.id));
  const elsewhere = await runtime.db.count(T.objects, and(col('storage_id').isNotNull(), ...known));
  if (elsewhere > 0) io.out(`Objects in storage backends not configured here (not checked): ${elsewhere}\n`);
  for (const backend of runtime.media.stores) {
    const found = await findOrphans(runtime, backend, io);
    io.out(report(found));
    if (!options.delete) continue;
    const deleting = new Progress(io, 'orphaned objects deleted', found.orphans.length);
    for (const orphan of found.orphans) {
      try {
        await backend.delete(orphan.path);
      } catch (error) {
        failed++;
        io.err(
          `could not delete ${orphan.path}: ${error instanceof Error ? error.message : String(error)}\n`,
        );
      }
      deleting.add(1);
    }
    deleting.finish();
  }
  if (!options.delete) io.out('Dry run: nothing was deleted (pass --delete to remove the orphaned bytes).\n');
  return failed > 0 ? 1 : 0;
}
