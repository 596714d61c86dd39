import type { Runtime } from '../src/deps.ts';
import type { MediaStore } from '../src/media/media.types.ts';
import { formatBytes, type MgmtIo, Progress } from './mgmt.io.ts';

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
  /** Allocated, never used objects with no bytes yet, and copies not made yet (not a problem). */
  notUploaded: number;
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
  // Objects allocated and awaiting their first segment: they may have no bytes yet.
  const unused = await runtime.store.objects.unusedAllocationIds();
  const rows = new Progress(io, 'object rows compared');
  let seen = 0;
  for await (const object of runtime.maintenance.objectsIn(id)) {
    if (++seen % 10_000 === 0) rows.add(10_000);
    if (object.path === undefined || listed.delete(object.path)) continue;
    if (unused.has(object.id) || object.pending) result.notUploaded++;
    else {
      result.missingCount++;
      if (result.missing.length < SHOWN) result.missing.push(object.id);
    }
  }
  rows.add(seen % 10_000);
  rows.finish();
  const queued = await runtime.store.mediaGc.queuedPaths(id);
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
  const elsewhere = await runtime.maintenance.objectsOutside(
    runtime.media.stores.map((b) => b.descriptor.id),
  );
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
