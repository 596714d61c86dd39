import type { Readable } from 'node:stream';
import { BadRequestError, NotFoundError } from '../common/errors.ts';
import { INIT_OBJECT_TAG } from '../hls/hls.service.ts';
import { copyingOf } from '../media/media.copy.ts';
import type { MediaRegistry } from '../media/media.registry.ts';
import type { SegmentKey, SegmentRecord } from '../store/segments.repo.ts';
import type { TamsStore } from '../store/store.ts';
import type { FlowRecord } from '../store/store.types.ts';
import { TimeRange } from '../time/index.ts';
import { exportFileName } from './export.name.ts';
import {
  coveredBy,
  type ExportPart,
  type ExportPlan,
  exportKind,
  initObjectOf,
  type Stored,
  segmentParts,
} from './export.plan.ts';
import { exportStream, type OpenObject, objectOpener } from './export.stream.ts';

export interface ExportServiceDeps {
  store: TamsStore;
  media: MediaRegistry;
  settings: {
    /** Segments one export holds at most (TAMS_HLS_MAX_SEGMENTS, as a VOD playlist). */
    maxSegments: number;
  };
  /** How objects are opened; the backends' streaming reads unless a test says otherwise. */
  open?: OpenObject;
}

export type { ExportPlan } from './export.plan.ts';

/** Segments read from the index a page at a time. */
const PAGE = 1000;

/**
 * Downloads of a timerange of a Flow as one file (issue 50): the stored objects of the segments
 * overlapping it, in timeline order, read from the storage backends and sent one after another
 * (an fMP4 Flow's init segment first). Everything that could refuse the export is decided by
 * `plan`, from the metadata alone, before the first byte is sent.
 */
export class ExportService {
  private readonly open: OpenObject;

  constructor(private readonly deps: ExportServiceDeps) {
    this.open = deps.open ?? objectOpener(deps.media);
  }

  async plan(flowId: string, timerange: TimeRange | undefined): Promise<ExportPlan> {
    const flow = await this.deps.store.flows.get(flowId);
    if (!flow) throw new NotFoundError(`Flow ${flowId} does not exist`);
    const kind = exportKind(flow);
    const range = timerange ?? TimeRange.ETERNITY;
    const segments = await this.segmentsIn(flowId, range);
    if (segments.length === 0) {
      throw new NotFoundError(
        range.isEternity()
          ? `Flow ${flowId} has no segments: there is nothing to export`
          : `Flow ${flowId} has no segments in timerange ${range.format()}: there is nothing to export`,
      );
    }
    const parts = segmentParts(segments, (segment) => this.stored(segment));
    if (kind.format === 'fmp4') {
      const init = initObjectOf(segments, flowInitTag(flow));
      if (init !== undefined) parts.unshift(await this.initPart(flow, init, parts[0]?.timerange ?? ''));
    }
    const covered = coveredBy(segments);
    return {
      flowId,
      contentType: kind.contentType,
      fileName: exportFileName(flow, covered, kind.extension),
      covered,
      parts,
      segmentCount: segments.length,
    };
  }

  /** The planned file's bytes, read as the consumer takes them. */
  stream(plan: ExportPlan): Readable {
    return exportStream(plan.parts, this.open);
  }

  /** The segments overlapping `range`, in timeline order; 400 beyond the limit. */
  private async segmentsIn(flowId: string, range: TimeRange): Promise<SegmentRecord[]> {
    const max = this.deps.settings.maxSegments;
    const segments: SegmentRecord[] = [];
    let after: SegmentKey | undefined;
    do {
      const page = await this.deps.store.segments.page(flowId, range, {
        reverse: false,
        limit: Math.min(PAGE, max + 1 - segments.length),
        after,
      });
      segments.push(...page.items);
      after = page.next;
    } while (after !== undefined && segments.length <= max);
    if (segments.length > max) {
      throw new BadRequestError(
        `${range.isEternity() ? `Flow ${flowId}` : `timerange ${range.format()}`} holds more than ${max} segments, the most one export holds (TAMS_HLS_MAX_SEGMENTS): ask for a shorter timerange`,
      );
    }
    return segments;
  }

  /**
   * Where a segment's bytes are. Objects known only by URLs their client registered (no storage
   * backend of this server holds them) are refused, not fetched: the server would be fetching
   * any URL a writer chose, from inside its network.
   */
  private stored(segment: SegmentRecord): Stored {
    const storage = segment.storage;
    if (storage === undefined) {
      return {
        refusal:
          'its object is only reachable through URLs registered by a client (uncontrolled), which the server does not fetch',
      };
    }
    const backend = this.deps.media.get(storage.id);
    if (backend === undefined || copyingOf(backend) === undefined) {
      return { refusal: `its object is in storage backend ${storage.id}, which this server cannot read` };
    }
    return { storageId: storage.id, path: storage.path };
  }

  private async initPart(flow: FlowRecord, objectId: string, firstSegment: string): Promise<ExportPart> {
    const where = await this.deps.store.objects.location(objectId);
    if (where?.storage_id === undefined || where.storage_path === undefined) {
      throw new NotFoundError(
        `The init segment object ${objectId} of Flow ${flow.id} does not exist in a storage backend of this store`,
      );
    }
    if (this.deps.media.get(where.storage_id) === undefined) {
      throw new BadRequestError(
        `The init segment object ${objectId} is in storage backend ${where.storage_id}, which this server cannot read`,
      );
    }
    return { objectId, storageId: where.storage_id, path: where.storage_path, timerange: firstSegment };
  }
}

/** The object a Flow's `_tams-server_init_object_id` tag names (a string; a list names none). */
function flowInitTag(flow: FlowRecord): string | undefined {
  const tag = flow.tags[INIT_OBJECT_TAG];
  return typeof tag === 'string' ? tag : undefined;
}
