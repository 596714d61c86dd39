import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { NotFoundError } from '../src/common/errors.ts';
import type { Runtime } from '../src/deps.ts';
import { instanceUrls } from '../src/segments/segments.instances.ts';
import { segmentFields } from '../src/segments/segments.mapper.ts';
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
 * Writes a Flow as JSON lines: a header (the Flow and Source documents as the API returns them),
 * then each object once (with where its bytes are: storage backend id and path, none for
 * external objects) before the first segment using it, each segment (the API's fields, with
 * only client-supplied `get_urls`: its object's uncontrolled instances), and an `end` line with
 * the counts, so a truncated file is recognised. The copies the server made of objects on other
 * backends (controlled instances) are not exported.
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
  let flow: Awaited<ReturnType<Runtime['flows']['get']>>;
  try {
    // With every tag, list-valued ones included (the import writes them back).
    flow = await runtime.flows.get(flowId, { includeTimerange: false, version: '8.2' });
  } catch (error) {
    if (error instanceof NotFoundError) throw new MgmtError(`Flow ${flowId} does not exist in this store`);
    throw error;
  }
  const source = await runtime.sources.get(flow.source_id, '8.2');
  await write({ type: EXPORT_FORMAT, version: EXPORT_VERSION, flow, source });

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
    const instances = await runtime.store.instances.among(page.items.map((s) => s.object_id));
    for (const segment of page.items) {
      const urls = instanceUrls(instances.get(segment.object_id) ?? []).get_urls;
      if (!seen.has(segment.object_id)) {
        seen.add(segment.object_id);
        counts.objects++;
        await write({
          type: 'object',
          id: segment.object_id,
          ...(segment.storage ? { storage_id: segment.storage.id, storage_path: segment.storage.path } : {}),
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
