import type { Runtime } from '../src/deps.ts';
import type { RegistrationVersion, SegmentPostBody } from '../src/segments/segments.objects.ts';
import type { FlowSegmentPost } from '../src/segments/segments.schemas.ts';
import type { ExportedObject } from './mgmt.import.read.ts';
import type { Progress } from './mgmt.io.ts';

/** A body with nothing only 8.2 says (no object timerange, no init object): 7.0's. */
const isPlain = (body: SegmentPostBody) =>
  body.object_timerange === undefined && body.init_object_id === undefined;

/** Segments per registration (one POST's worth; the service batches them into transactions). */
const BATCH = 1000;
const SHOWN = 20;

/**
 * The exported segments, registered through the segments service in batches, each batch through
 * one TAMS version. A segment using an object new to this store goes through 8.2 with the
 * object's exported timerange as its `object_timerange`, so that an object the Flow uses only
 * part of keeps its own timerange (7.0 would take the segment's); every other segment goes
 * through 7.0, which checks nothing of objects, so that what the exporting store accepted (a 7.0
 * re-use outside an object's timerange, another key frame count) is accepted again. A first use
 * 8.2 refuses is registered through 7.0, its object then taking the segment's range, and counted
 * in `rangesNotKept`.
 */
export class SegmentImport {
  failed = 0;
  rangesNotKept = 0;
  readonly failures: string[] = [];
  private batch: SegmentPostBody[] = [];
  private version: RegistrationVersion = '7.0';
  /** Objects this store has (or will have once the batch is in) by now. */
  private readonly known: Set<string>;

  constructor(
    private readonly runtime: Runtime,
    private readonly flowId: string,
    private readonly objects: ReadonlyMap<string, ExportedObject>,
    existing: Iterable<string>,
    private readonly progress: Progress,
  ) {
    this.known = new Set(existing);
  }

  async add(segment: FlowSegmentPost): Promise<void> {
    const object = this.known.has(segment.object_id) ? undefined : this.objects.get(segment.object_id);
    this.known.add(segment.object_id);
    const body: SegmentPostBody = { ...segment };
    if (object?.timerange !== undefined) body.object_timerange = object.timerange;
    if (object?.init_object_id !== undefined) body.init_object_id = object.init_object_id;
    const version: RegistrationVersion = isPlain(body) ? '7.0' : '8.2';
    if (version !== this.version || this.batch.length === BATCH) await this.flush();
    this.version = version;
    this.batch.push(version === '7.0' ? segment : body);
  }

  async flush(): Promise<void> {
    const batch = this.batch;
    if (batch.length === 0) return;
    this.batch = [];
    let refused = await this.runtime.segments.register(this.flowId, batch, this.version);
    if (this.version === '8.2' && refused.length > 0) {
      const again = new Set(refused.map((f) => f.timerange));
      const retried = batch
        .filter((s) => again.has(s.timerange))
        .map(({ object_timerange: _notKept, ...segment }) => segment);
      // A segment naming its object's init object can only go through 8.2 (7.0 cannot name it).
      const withInit = retried.filter((s) => s.init_object_id !== undefined);
      const plain = retried.filter((s) => s.init_object_id === undefined);
      refused = [
        ...(withInit.length > 0 ? await this.runtime.segments.register(this.flowId, withInit, '8.2') : []),
        ...(plain.length > 0 ? await this.runtime.segments.register(this.flowId, plain, '7.0') : []),
      ];
      this.rangesNotKept += retried.length - refused.length;
    }
    this.failed += refused.length;
    for (const f of refused.slice(0, SHOWN - this.failures.length))
      this.failures.push(`${f.timerange}: ${f.error?.summary ?? 'refused'}`);
    this.progress.add(batch.length);
  }
}
