import type { StoreTx } from '../../store/store.ts';
import type { Inspected } from '../exr.inspect.ts';
import type { ExrFileFacts, ExrFileRecord } from '../store/exr.records.ts';
import { exrRepos } from '../store/exr.repos.ts';

/** What a file's frames copy of it (exr_frames' filter columns). */
export function factsOf(f: ExrFileRecord): ExrFileFacts {
  return {
    file_id: f.file_id,
    file_path: f.file_path,
    status: f.status,
    size_bytes: f.size_bytes,
    multipart_count: f.multipart_count,
    is_deep: f.is_deep,
    width: f.width,
    height: f.height,
    compressions: f.compressions,
    channel_names: f.channel_names,
    pixel_types: f.pixel_types,
    resolutions: f.resolutions,
  };
}

/** Of the rows of one object or path, the one that describes it: inspected, else the newest. */
export function currentFile(files: readonly ExrFileRecord[]): ExrFileRecord | undefined {
  return [...files].sort((a, b) => {
    if (a.status !== b.status) return a.status === 'inspected' ? -1 : 1;
    return b.last_inspected.localeCompare(a.last_inspected);
  })[0];
}

/**
 * Records an inspection in `tx` and returns the file's row as it now is. The same file again
 * (same identity, same header: same id) counts one more inspection and changes nothing else;
 * a new header replaces the identity's other rows, their parts, channels and attributes. A
 * failure never replaces an inspected file (its bytes gone since, say): it is returned, not
 * written. The object's frames take the file's facts.
 */
export async function recordInspected(tx: StoreTx, result: Inspected): Promise<ExrFileRecord> {
  const file = result.ok ? result.inspection.file : result.failure;
  const existing = await exrRepos(tx).files.get(file.file_id);
  if (existing !== null) {
    const seen = {
      count: existing.inspection_count + 1,
      at: file.last_inspected,
      ...(file.size_bytes !== undefined && { size_bytes: file.size_bytes }),
      ...(file.mtime !== undefined && { mtime: file.mtime }),
    };
    await exrRepos(tx).files.reinspected(file.file_id, seen);
    return {
      ...existing,
      inspection_count: seen.count,
      last_inspected: seen.at,
      size_bytes: file.size_bytes ?? existing.size_bytes,
      mtime: file.mtime ?? existing.mtime,
    };
  }
  const others = await exrRepos(tx).files.sameIdentity(file);
  if (!result.ok) {
    if (others.some((o) => o.status === 'inspected')) return file;
  }
  if (others.length > 0) {
    const ids = others.map((o) => o.file_id);
    await exrRepos(tx).children.deleteFiles(ids);
    await exrRepos(tx).files.deleteIds(ids);
  }
  await exrRepos(tx).files.insert([file]);
  if (result.ok) await exrRepos(tx).children.insert([result.inspection]);
  if (file.object_id !== undefined) await exrRepos(tx).frames.setFacts(file.object_id, factsOf(file));
  return file;
}

const fileOf = (r: Inspected): ExrFileRecord => (r.ok ? r.inspection.file : r.failure);

/**
 * Records a batch of object inspections in `tx` as recordInspected does one by one, with a
 * statement per table for the batch instead of about seven per file (the follower's and the
 * backfill's batches: a DuckDB statement costs about a millisecond, which set the pace of
 * inspection). Files seen before, and files named by path, take the one-by-one path.
 */
export async function recordInspectedAll(tx: StoreTx, results: readonly Inspected[]): Promise<void> {
  const existing = await exrRepos(tx).files.byIds(results.map((r) => fileOf(r).file_id));
  const fresh: Inspected[] = [];
  for (const r of results) {
    const file = fileOf(r);
    if (existing.has(file.file_id) || file.object_id === undefined) await recordInspected(tx, r);
    else fresh.push(r);
  }
  if (fresh.length === 0) return;
  const objectIds = fresh.map((r) => fileOf(r).object_id as string);
  const rowsOf = await exrRepos(tx).files.byObjects(objectIds);
  const replaced: string[] = [];
  const written: Inspected[] = [];
  for (const r of fresh) {
    const file = fileOf(r);
    const others = (rowsOf.get(file.object_id as string) ?? []).filter((o) => o.file_id !== file.file_id);
    // A failure never replaces an inspected file.
    if (!r.ok && others.some((o) => o.status === 'inspected')) continue;
    replaced.push(...others.map((o) => o.file_id));
    written.push(r);
  }
  if (replaced.length > 0) {
    await exrRepos(tx).children.deleteFiles(replaced);
    await exrRepos(tx).files.deleteIds(replaced);
  }
  await exrRepos(tx).files.insert(written.map(fileOf));
  await exrRepos(tx).children.insert(written.flatMap((r) => (r.ok ? [r.inspection] : [])));
  // Frames of these objects written before their inspection take the facts; in the common case
  // (the frames come in the same batch, after this) there are none yet.
  const framed = await exrRepos(tx).frames.framed(written.map((r) => fileOf(r).object_id as string));
  for (const r of written) {
    const file = fileOf(r);
    if (framed.has(file.object_id as string))
      await exrRepos(tx).frames.setFacts(file.object_id as string, factsOf(file));
  }
}
