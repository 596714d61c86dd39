import { systemClock } from '../src/common/clock.ts';
import { isUuid } from '../src/common/ids.ts';
import type { Runtime } from '../src/deps.ts';
import type { FlowSegmentPost } from '../src/segments/segments.schemas.ts';
import type { ObjectRecord } from '../src/store/objects.repo.ts';
import type { Tags } from '../src/store/store.types.ts';
import { type ExportedObject, type ExportSummary, readExport, summarise } from './mgmt.import.read.ts';
import { MgmtError, type MgmtIo, Progress, UsageError } from './mgmt.io.ts';

/** Segments per registration (one POST's worth; the service batches them into transactions). */
const BATCH = 1000;
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
          .map((id) => `  ${id} (storage backend ${objects.get(id)?.storage_id ?? 'none'})`)
          .join('\n') +
        '\nConfigure the storage backend (TAMS_STORAGE_BACKENDS, same id), or copy the objects first.',
    );
  }
  return placements;
}

/** Creates the Flow (not read-only yet, so its segments can be registered) and fills its Source. */
async function createFlow(
  runtime: Runtime,
  summary: ExportSummary,
  flowId: string,
  io: MgmtIo,
): Promise<void> {
  const { flow, source } = summary.header;
  if (await runtime.store.flows.rowExists(flowId)) {
    throw new MgmtError(
      `Flow ${flowId} already exists in this store: remove it (clean --flow) or import with --as <new id>`,
    );
  }
  // Checked before anything is written: each a string or a list of strings.
  tagsOf(flow.tags, 'Flow');
  const sourceTags = tagsOf(source.tags, 'Source');
  const sourceId = flow.source_id as string;
  const sourceExisted = (await runtime.store.sources.get(sourceId)) !== null;
  const body: Record<string, unknown> = { ...flow, id: flowId, read_only: false };
  if (Array.isArray(flow.flow_collection)) {
    const members = (flow.flow_collection as { id: string }[]).map((m) => m.id);
    const present = await runtime.store.flows.existing(members);
    const kept = (flow.flow_collection as { id: string }[]).filter(
      (m) => m.id === flowId || present.has(m.id),
    );
    if (kept.length < members.length)
      io.err(
        `flow_collection: ${members.length - kept.length} members are not in this store and were left out\n`,
      );
    body.flow_collection = kept;
  }
  // As written through 8.2: the exported tags replace the Flow's, list-valued ones included.
  await runtime.flows.put(flowId, body, undefined, '8.2');
  if (!sourceExisted) {
    await runtime.sources.update(sourceId, undefined, (s) => {
      if (typeof source.label === 'string') s.label = source.label;
      if (typeof source.description === 'string') s.description = source.description;
      if (sourceTags) s.tags = sourceTags;
    });
  }
}

/** Exported tags (absent: undefined), each value a string or a list of strings as 8.2 has them. */
function tagsOf(raw: unknown, owner: string): Tags | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw new MgmtError(`the ${owner}'s tags are not an object`);
  const tags: Tags = {};
  for (const [name, value] of Object.entries(raw)) {
    if (typeof value !== 'string' && !(Array.isArray(value) && value.every((v) => typeof v === 'string'))) {
      throw new MgmtError(
        `the ${owner}'s tag ${JSON.stringify(name)} is neither a string nor a list of strings`,
      );
    }
    tags[name] = value;
  }
  return tags;
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
  await createFlow(runtime, summary, flowId, io);
  const recorded = await recordBackendObjects(runtime, summary, placements, flowId);

  const progress = new Progress(io, 'segments imported', summary.segments);
  const failures: string[] = [];
  let failed = 0;
  let batch: FlowSegmentPost[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const refused = await runtime.segments.register(flowId, batch);
    failed += refused.length;
    for (const f of refused.slice(0, SHOWN - failures.length))
      failures.push(`${f.timerange}: ${f.error?.summary ?? 'refused'}`);
    progress.add(batch.length);
    batch = [];
  };
  for await (const line of readExport(options.file)) {
    if (line.type !== 'segment') continue;
    batch.push(line.segment);
    if (batch.length === BATCH) await flush();
  }
  await flush();
  progress.finish();
  if (summary.header.flow.read_only === true) {
    await runtime.flows.update(flowId, undefined, (f) => {
      f.read_only = true;
    });
  }
  const count = (p: Placement) => [...placements.values()].filter((x) => x === p).length;
  io.out(
    `Imported Flow ${exportedId}${flowId !== exportedId ? ` as ${flowId}` : ''}: ${summary.segments - failed} of ${summary.segments} segments; ` +
      `objects: ${count('existing')} already here, ${recorded} in this store's backends, ${count('external')} external.\n`,
  );
  if (failed === 0) return 0;
  io.out(`${failed} segments were refused:\n${failures.map((f) => `  ${f}`).join('\n')}\n`);
  return 1;
}
