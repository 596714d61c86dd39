import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { NotFoundError } from '../src/common/errors.ts';
import type { Runtime } from '../src/deps.ts';
import { flowDocument } from '../src/flows/flows.mapper.ts';
import { profileDocument } from '../src/profiles/profiles.service.ts';
import { instanceUrls } from '../src/segments/segments.instances.ts';
import { segmentFields } from '../src/segments/segments.mapper.ts';
import type { ObjectRecord } from '../src/store/objects.repo.ts';
import type { SegmentKey } from '../src/store/segments.repo.ts';
import { TimeRange } from '../src/time/index.ts';
import { MgmtError, type MgmtIo, Progress } from './mgmt.io.ts';

/** Format of the export: JSON lines, one record each (see docs/management.md). */
export const EXPORT_FORMAT = 'tams-flow-export';
export const EXPORT_VERSION = 1;
const PAGE = 5000;

export interface ExportCounts {
  segments: number;
  objects: number;
}

/**
 * Writes a Flow as JSON lines: a header (the Flow and Source documents as TAMS 8.2 returns them,
 * the Flow's Profile, and the Flow as 7.0 returns it where that holds what 8.2 cannot show),
 * then each object once (with where its bytes are: storage backend id and path, none for
 * external objects; its own timerange and key frame count; its init object's id, TAMS 8.2) before
 * the first segment using it, each init object once (`init: true`, where its bytes are) before
 * the first object naming it, each segment (the API's fields, with only client-supplied `get_urls`: its object's
 * uncontrolled instances), and an `end` line with the counts, so a truncated file is recognised.
 * The copies the server made of objects on other backends (controlled instances) are not
 * exported.
 */
export async function exportFlow(
  runtime: Runtime,
  flowId: string,
  out: Writable,
  io: MgmtIo,
): Promise<ExportCounts> {
  const write = async (record: object) => {
    if (!out.write(`${JSON.stringify(record)}\n`)) await once(out, 'drain');
  };
  await write(await exportHeader(runtime, flowId));

  const total = await runtime.store.segments.countFlow(flowId);
  const progress = new Progress(io, 'segments exported', total);
  const seen = new Set<string>();
  const counts: ExportCounts = { segments: 0, objects: 0 };
  let after: SegmentKey | undefined;
  do {
    const page = await runtime.store.segments.page(flowId, TimeRange.ETERNITY, {
      reverse: false,
      limit: PAGE,
      after,
    });
    // The objects not written yet, and the init objects their segments name (TAMS 8.2).
    const unseen = new Set<string>();
    for (const s of page.items) {
      if (!seen.has(s.object_id)) unseen.add(s.object_id);
      if (s.init_object_id !== undefined && !seen.has(s.init_object_id)) unseen.add(s.init_object_id);
    }
    const [objects, instances] = await Promise.all([
      runtime.store.objects.getMany([...unseen]),
      runtime.store.instances.among(page.items.map((s) => s.object_id)),
    ]);
    for (const segment of page.items) {
      const urls = instanceUrls(instances.get(segment.object_id) ?? []).get_urls;
      const init = segment.init_object_id;
      if (init !== undefined && !seen.has(init)) {
        seen.add(init);
        counts.objects++;
        await write({ type: 'object', id: init, ...storageOf(objects.get(init)), init: true });
      }
      if (!seen.has(segment.object_id)) {
        seen.add(segment.object_id);
        counts.objects++;
        await write({
          type: 'object',
          id: segment.object_id,
          ...(segment.storage ? { storage_id: segment.storage.id, storage_path: segment.storage.path } : {}),
          ...objectTimes(objects.get(segment.object_id)),
          ...(init !== undefined && { init_object_id: init }),
        });
      }
      const doc = segmentFields(segment);
      await write({ type: 'segment', ...doc, ...(urls ? { get_urls: urls } : {}) });
      counts.segments++;
    }
    progress.add(page.items.length);
    after = page.next;
  } while (after !== undefined);
  progress.finish();
  await write({ type: 'end', ...counts });
  return counts;
}

/**
 * The header: the Flow and its Source as TAMS 8.2 shows them, every tag included (list-valued
 * ones too); `profile`, the Profile the Flow is linked to; `flow_7_0`, the Flow as 7.0 shows
 * it, only where it holds what 8.2 cannot show (properties of a 7.0 client's own named as 8.2's
 * `status` or `profile_id`, a multi Flow's free-form essence parameters): the import writes it
 * back through 7.0, which keeps the rest.
 */
async function exportHeader(runtime: Runtime, flowId: string): Promise<Record<string, unknown>> {
  let record: Awaited<ReturnType<Runtime['flows']['getFlow']>>;
  try {
    record = await runtime.flows.getFlow(flowId);
  } catch (error) {
    if (error instanceof NotFoundError) throw new MgmtError(`Flow ${flowId} does not exist in this store`);
    throw error;
  }
  const flow = flowDocument(record, { version: '8.2' }) as Record<string, unknown>;
  const seven = flowDocument(record, { version: '7.0' }) as Record<string, unknown>;
  const source = await runtime.sources.get(record.source_id, '8.2');
  const header: Record<string, unknown> = { type: EXPORT_FORMAT, version: EXPORT_VERSION, flow, source };
  if (record.profile_id !== undefined) {
    const profile = await runtime.store.profiles.get(record.profile_id);
    if (profile) header.profile = profileDocument(profile);
  }
  if (sevenHoldsMore(seven, flow)) header.flow_7_0 = seven;
  return header;
}

/** Whether the 7.0 document of a Flow holds what its 8.2 document leaves out. */
function sevenHoldsMore(seven: Record<string, unknown>, eight: Record<string, unknown>): boolean {
  if (Object.keys(seven).some((key) => !(key in eight))) return true;
  return (
    seven.format === 'urn:x-nmos:format:multi' &&
    JSON.stringify(seven.essence_parameters) !== JSON.stringify(eight.essence_parameters)
  );
}

/** Where an object's bytes are, as an object line says it; nothing for one without storage. */
function storageOf(object: ObjectRecord | undefined): Record<string, string> {
  return object?.storage_id !== undefined && object.storage_path !== undefined
    ? { storage_id: object.storage_id, storage_path: object.storage_path }
    : {};
}

/** What an object line says of the object's media: its timerange and key frames (TAMS 8.2). */
function objectTimes(object: ObjectRecord | undefined): Record<string, unknown> {
  const times = object?.times;
  if (times === undefined) return {};
  return {
    timerange: times.timerange.format(),
    ...(times.key_frame_count !== undefined && { key_frame_count: times.key_frame_count }),
  };
}

/** `export --flow <id> [--out file]`: JSON lines to the file, or to stdout. */
export async function exportCommand(
  runtime: Runtime,
  io: MgmtIo,
  options: { flow: string; out?: string; stdout: Writable },
): Promise<number> {
  const out = options.out !== undefined ? createWriteStream(options.out) : options.stdout;
  const counts = await exportFlow(runtime, options.flow, out, io);
  if (options.out !== undefined) {
    const closed = once(out, 'close');
    out.end();
    await closed;
  }
  io.err(`exported Flow ${options.flow}: ${counts.segments} segments, ${counts.objects} objects\n`);
  return 0;
}
