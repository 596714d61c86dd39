import { systemClock } from '../src/common/clock.ts';
import { isUuid } from '../src/common/ids.ts';
import type { Runtime } from '../src/deps.ts';
import type { ObjectRecord } from '../src/store/objects.repo.ts';
import { createFlow, finishFlow } from './mgmt.import.flow.ts';
import { type ExportedObject, type ExportSummary, readExport, summarise } from './mgmt.import.read.ts';
import { SegmentImport } from './mgmt.import.segments.ts';
import { MgmtError, type MgmtIo, Progress, UsageError } from './mgmt.io.ts';

const LOOKUP = 1000;
const SHOWN = 20;

type Placement = 'existing' | 'backend' | 'external';

/**
 * How each exported object comes to exist in this store (docs/management.md):
 * - `existing`: an object with that id is already here: its segments reference it (reuse);
 * - `backend`: its storage backend id is one of this store's backends: it is recorded at the same
 *   storage path (the bytes are expected there: a shared bucket, or copied by the operator);
 * - `external`: otherwise the object is registered as the API registers unknown objects, as an
 *   external object known by the client `get_urls` of its first segment; with none, the import
 *   is refused before anything is written.
 */
async function placeObjects(
  runtime: Runtime,
  objects: Map<string, ExportedObject>,
): Promise<Map<string, Placement>> {
  const ids = [...objects.keys()];
  const found = new Set<string>();
  for (let i = 0; i < ids.length; i += LOOKUP) {
    for (const id of (await runtime.store.objects.getMany(ids.slice(i, i + LOOKUP))).keys()) found.add(id);
  }
  const placements = new Map<string, Placement>();
  const refused: string[] = [];
  for (const [id, object] of objects) {
    if (found.has(id)) placements.set(id, 'existing');
    else if (object.storage_id !== undefined && runtime.media.get(object.storage_id))
      placements.set(id, 'backend');
    else if (object.firstHasUrls === true) placements.set(id, 'external');
    else refused.push(id);
  }
  if (refused.length > 0) {
    throw new MgmtError(
      `${refused.length} objects are neither in this store nor in one of its storage backends, and their first segment has no get_urls to register them as external objects:\n` +
        refused
          .slice(0, SHOWN)
          .map((id) => {
            const object = objects.get(id);
            const kind = object?.init === true ? ', an initialisation segment' : '';
            return `  ${id} (storage backend ${object?.storage_id ?? 'none'}${kind})`;
          })
          .join('\n') +
        '\nConfigure the storage backend (TAMS_STORAGE_BACKENDS, same id), or copy the objects first.',
    );
  }
  return placements;
}

/** Objects placed in one of this store's backends: recorded as allocations for the Flow, used by its segments. */
async function recordBackendObjects(
  runtime: Runtime,
  summary: ExportSummary,
  placements: Map<string, Placement>,
  flowId: string,
): Promise<number> {
  const now = systemClock.now();
  const records: ObjectRecord[] = [];
  for (const [id, placement] of placements) {
    const object = summary.objects.get(id);
    if (placement !== 'backend' || !object) continue;
    records.push({
      id,
      storage_id: object.storage_id,
      storage_path: object.storage_path,
      allocated_for: flowId,
      created: now,
      registered: false,
    });
  }
  for (let i = 0; i < records.length; i += LOOKUP) {
    const chunk = records.slice(i, i + LOOKUP);
    await runtime.store.transaction((tx) => tx.objects.insertMany(chunk));
  }
  return records.length;
}

export interface ImportOptions {
  file: string;
  /** Import under this Flow id instead of the exported one. */
  as?: string;
}

/** `import <file>`: the Flow, its Source and its segments, registered as the API would. */
export async function importCommand(runtime: Runtime, io: MgmtIo, options: ImportOptions): Promise<number> {
  if (options.as !== undefined && !isUuid(options.as))
    throw new UsageError(`--as: ${options.as} is not a UUID`);
  const summary = await summarise(options.file);
  const exportedId = summary.header.flow.id as string;
  const flowId = options.as ?? exportedId;
  const placements = await placeObjects(runtime, summary.objects);
  const finish = await createFlow(runtime, summary, flowId, io);
  const recorded = await recordBackendObjects(runtime, summary, placements, flowId);

  const progress = new Progress(io, 'segments imported', summary.segments);
  const existing = [...placements].filter(([, p]) => p === 'existing').map(([id]) => id);
  const segments = new SegmentImport(runtime, flowId, summary.objects, existing, progress);
  for await (const line of readExport(options.file)) {
    if (line.type === 'segment') await segments.add(line.segment);
  }
  await segments.flush();
  progress.finish();
  await finishFlow(runtime, flowId, finish);
  const count = (p: Placement) => [...placements.values()].filter((x) => x === p).length;
  io.out(
    `Imported Flow ${exportedId}${flowId !== exportedId ? ` as ${flowId}` : ''}: ${summary.segments - segments.failed} of ${summary.segments} segments; ` +
      `objects: ${count('existing')} already here, ${recorded} in this store's backends, ${count('external')} external.\n`,
  );
  if (segments.rangesNotKept > 0)
    io.out(
      `${segments.rangesNotKept} objects took the timerange of their first segment here: TAMS 8.2 refused their exported timerange.\n`,
    );
  if (segments.failed === 0) return 0;
  io.out(`${segments.failed} segments were refused:\n${segments.failures.map((f) => `  ${f}`).join('\n')}\n`);
  return 1;
}
