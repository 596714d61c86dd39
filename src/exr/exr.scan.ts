import type { Row } from '../db/db.types.ts';
import type { StoreSession } from '../store/store.ts';
import type { StatsDoc } from './exr.schemas.ts';
import { decodeVector, similarity } from './exr.vector.ts';
import { readSkipped } from './follow/exr.follow.ts';
import type { ExrFileRecord } from './store/exr.records.ts';
import { exrRepos } from './store/exr.repos.ts';
import { decodeSet } from './store/exr.sets.ts';

/**
 * Statistics and similarity read every live file's few columns (a streamed scan with a
 * projection, no aggregation pushed down): linear in the catalogue, about a second per million
 * files on the embedded engine. Neither engine offers this server a GROUP BY or a vector index.
 */

const STATS_COLUMNS = ['status', 'multipart_count', 'is_deep', 'compressions', 'pixel_types', 'resolutions'];

export async function exrStats(store: StoreSession, flowId?: string): Promise<StatsDoc> {
  const stats: StatsDoc = {
    files: 0,
    failed: 0,
    parts: 0,
    deep: 0,
    by_compression: {},
    by_pixel_type: {},
    by_resolution: {},
  };
  const count = (into: Record<string, number>, stored: unknown) => {
    for (const v of decodeSet(typeof stored === 'string' ? stored : undefined)) into[v] = (into[v] ?? 0) + 1;
  };
  const add = (rows: Row[]) => {
    for (const row of rows) {
      if (row.status === 'failed') {
        stats.failed++;
        continue;
      }
      stats.files++;
      stats.parts += typeof row.multipart_count === 'number' ? row.multipart_count : 0;
      if (row.is_deep === true) stats.deep++;
      count(stats.by_compression, row.compressions);
      count(stats.by_pixel_type, row.pixel_types);
      count(stats.by_resolution, row.resolutions);
    }
  };
  if (flowId === undefined) {
    await exrRepos(store).files.scanLive(STATS_COLUMNS, add);
    stats.skipped_events = (await readSkipped(store)).count;
  } else await exrRepos(store).frames.scanFlow(flowId, STATS_COLUMNS, add);
  return stats;
}

/** The `limit` files nearest `file` by cosine similarity of their vectors (same layout only). */
export async function nearestFiles(
  store: StoreSession,
  file: ExrFileRecord,
  limit: number,
): Promise<{ score: number; file: ExrFileRecord }[]> {
  const target = file.metadata_vector === undefined ? undefined : decodeVector(file.metadata_vector);
  if (target === undefined) return [];
  // The best `limit` so far, worst first: a new score replaces the worst when better.
  const best: { score: number; id: string }[] = [];
  await exrRepos(store).files.scanLive(['file_id', 'status', 'metadata_vector', 'vector_layout'], (rows) => {
    for (const row of rows) {
      if (row.file_id === file.file_id || row.status === 'failed') continue;
      if (row.vector_layout !== file.vector_layout || typeof row.metadata_vector !== 'string') continue;
      const v = decodeVector(row.metadata_vector);
      if (v === undefined) continue;
      const score = similarity(target, v);
      if (best.length === limit && score <= (best[0]?.score ?? -2)) continue;
      best.push({ score, id: String(row.file_id) });
      best.sort((a, b) => a.score - b.score || (a.id < b.id ? 1 : -1));
      if (best.length > limit) best.shift();
    }
  });
  best.reverse();
  const files = await exrRepos(store).files.byIds(best.map((b) => b.id));
  return best.flatMap((b) => {
    const found = files.get(b.id);
    return found === undefined ? [] : [{ score: Math.round(b.score * 1e6) / 1e6, file: found }];
  });
}
