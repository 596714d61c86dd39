import { isCanonicalUuid, packUuid, UuidSpeller, unpackUuid } from '../../common/uuid-bytes.ts';
import type { SegmentRecord } from '../../store/segments.repo.ts';
import { TimeRange } from '../../time/timerange.ts';
import { fitsInt64 } from '../../time/timestamp.ts';
import { F, type SegmentColumns } from './segment-index.columns.ts';
import { NO_STORAGE, type StorageIds } from './segment-index.storage-ids.ts';

/** A key_frame_count byte meaning "the count is in the extras" (too large, or not a small integer). */
const KEY_FRAMES_IN_EXTRAS = 255;

/** The fields of a segment that do not fit its row: rare, so a Map entry each is affordable. */
export interface SegmentExtras {
  object_id?: string;
  /** Only when the shared StorageIds table is full. */
  storage_id?: string;
  storage_path?: string;
  ts_offset?: bigint;
  last_duration?: bigint;
  sample_offset?: number;
  sample_count?: number;
  key_frame_count?: number;
  object_timerange?: TimeRange;
  init_object_id?: string;
}

/**
 * The key of a row's extras: its segment key (start and start inclusivity) as one bigint, so the
 * entry stays valid whichever position the row moves to.
 */
export function extrasKey(start: bigint, startInclusive: boolean): bigint {
  return start * 2n + (startInclusive ? 0n : 1n);
}

/** Translates between SegmentRecords and rows of one Flow's columns. */
export class RowCodec {
  private readonly prefix: string;
  /** Default storage keys (`<flow>/<uuid>`) as flat strings, the object id a slice of each. */
  private readonly keys: UuidSpeller | undefined;

  constructor(
    readonly flowId: string,
    private readonly storageIds: StorageIds,
  ) {
    this.prefix = `${flowId}/`;
    // Flow ids are UUIDs; one that is not Latin-1 (never, through the API) spells keys the slow way.
    this.keys = UuidSpeller.for(this.prefix);
  }

  /** Throws for what rows cannot hold, before anything is written. */
  check(record: SegmentRecord): void {
    const { timerange: tr } = record;
    if (record.flow_id !== this.flowId) {
      throw new Error(`segment of Flow ${record.flow_id} given to the index of Flow ${this.flowId}`);
    }
    if (tr.isEmpty() || tr.start === null || tr.end === null || !fitsInt64(tr.start) || !fitsInt64(tr.end)) {
      throw new Error(`segment timerange ${tr.format()} is not a non-empty range of 64-bit bounds`);
    }
  }

  /** Writes row `i` (already checked); returns the extras it needs, if any. */
  encode(cols: SegmentColumns, i: number, record: SegmentRecord): SegmentExtras | undefined {
    const tr = record.timerange;
    cols.starts[i] = tr.start as bigint;
    cols.ends[i] = tr.end as bigint;
    let flags = (tr.startInclusive ? F.START_INCL : 0) | (tr.endInclusive ? F.END_INCL : 0);
    const objectId = record.object_id;
    if (packUuid(objectId, cols.objectIds, 16 * i)) flags |= F.OBJECT_UUID;
    else cols.objectIds.fill(0, 16 * i, 16 * i + 16);
    let storage = NO_STORAGE;
    let storageIdApart = false;
    let pathApart = false;
    if (record.storage) {
      const { id, path } = record.storage;
      const interned = this.storageIds.intern(id);
      storageIdApart = interned === undefined;
      storage = interned ?? NO_STORAGE;
      const prefixed = path.startsWith(this.prefix);
      const tail = prefixed && path.length === this.prefix.length + 36 ? path.slice(this.prefix.length) : '';
      if (prefixed && path.length === this.prefix.length + objectId.length && path.endsWith(objectId)) {
        flags |= F.PATH_OBJECT;
      } else if (isCanonicalUuid(tail)) {
        packUuid(tail, cols.ensurePathIds(), 16 * i);
        flags |= F.PATH_UUID;
      } else pathApart = true;
    }
    cols.storage[i] = storage;
    const kfc = record.key_frame_count;
    const kfcFits =
      kfc === undefined || (Number.isInteger(kfc) && kfc >= 0 && kfc < KEY_FRAMES_IN_EXTRAS - 1);
    cols.keyFrames[i] = kfc === undefined ? 0 : kfcFits ? kfc + 1 : KEY_FRAMES_IN_EXTRAS;
    const rare =
      (flags & F.OBJECT_UUID) === 0 ||
      storageIdApart ||
      pathApart ||
      !kfcFits ||
      record.ts_offset !== undefined ||
      record.last_duration !== undefined ||
      record.sample_offset !== undefined ||
      record.sample_count !== undefined ||
      record.object_timerange !== undefined ||
      record.init_object_id !== undefined;
    cols.flags[i] = rare ? flags | F.HAS_EXTRAS : flags;
    return rare ? extrasOf(record, flags, storageIdApart, pathApart, kfcFits) : undefined;
  }

  /** Builds the SegmentRecord of row `i`, field for field what SegmentsRepo reads from the table. */
  decode(cols: SegmentColumns, i: number, lookup: (key: bigint) => SegmentExtras | undefined): SegmentRecord {
    const flags = cols.flags[i] as number;
    const start = cols.starts[i] as bigint;
    const startInclusive = (flags & F.START_INCL) !== 0;
    const extras = flags & F.HAS_EXTRAS ? lookup(extrasKey(start, startInclusive)) : undefined;
    const storage = cols.storage[i] as number;
    const storageId = storage === NO_STORAGE ? extras?.storage_id : this.storageIds.id(storage);
    // The usual row: the object's default key, spelled once with the object id a slice of it.
    const key =
      storageId !== undefined &&
      this.keys &&
      (flags & (F.OBJECT_UUID | F.PATH_OBJECT)) === (F.OBJECT_UUID | F.PATH_OBJECT)
        ? this.keys.spell(cols.objectIds, 16 * i)
        : undefined;
    const objectId =
      key !== undefined
        ? key.slice(this.prefix.length)
        : flags & F.OBJECT_UUID
          ? unpackUuid(cols.objectIds, 16 * i)
          : (extras?.object_id ?? missing('object_id'));
    const segment: SegmentRecord = {
      flow_id: this.flowId,
      object_id: objectId,
      timerange: TimeRange.fromBounds(
        start,
        cols.ends[i] as bigint,
        startInclusive,
        (flags & F.END_INCL) !== 0,
      ),
    };
    if (storageId !== undefined) {
      let path: string;
      if (key !== undefined) path = key;
      else if (flags & F.PATH_OBJECT) path = this.prefix + objectId;
      else if (flags & F.PATH_UUID && cols.pathIds) path = this.prefix + unpackUuid(cols.pathIds, 16 * i);
      else path = extras?.storage_path ?? missing('storage_path');
      segment.storage = { id: storageId, path };
    }
    if (extras) {
      if (extras.ts_offset !== undefined) segment.ts_offset = extras.ts_offset;
      if (extras.last_duration !== undefined) segment.last_duration = extras.last_duration;
      if (extras.sample_offset !== undefined) segment.sample_offset = extras.sample_offset;
      if (extras.sample_count !== undefined) segment.sample_count = extras.sample_count;
    }
    const keyFrames = cols.keyFrames[i] as number;
    if (keyFrames === KEY_FRAMES_IN_EXTRAS) segment.key_frame_count = extras?.key_frame_count;
    else if (keyFrames !== 0) segment.key_frame_count = keyFrames - 1;
    if (extras?.object_timerange) segment.object_timerange = extras.object_timerange;
    if (extras?.init_object_id !== undefined) segment.init_object_id = extras.init_object_id;
    return segment;
  }
}

function extrasOf(
  record: SegmentRecord,
  flags: number,
  storageIdApart: boolean,
  pathApart: boolean,
  kfcFits: boolean,
): SegmentExtras {
  const extras: SegmentExtras = {};
  if ((flags & F.OBJECT_UUID) === 0) extras.object_id = record.object_id;
  if (storageIdApart) extras.storage_id = record.storage?.id;
  if (pathApart) extras.storage_path = record.storage?.path;
  if (!kfcFits) extras.key_frame_count = record.key_frame_count;
  if (record.ts_offset !== undefined) extras.ts_offset = record.ts_offset;
  if (record.last_duration !== undefined) extras.last_duration = record.last_duration;
  if (record.sample_offset !== undefined) extras.sample_offset = record.sample_offset;
  if (record.sample_count !== undefined) extras.sample_count = record.sample_count;
  if (record.object_timerange !== undefined) extras.object_timerange = record.object_timerange;
  if (record.init_object_id !== undefined) extras.init_object_id = record.init_object_id;
  return extras;
}

function missing(field: string): never {
  throw new Error(`segment index row lost its ${field}`);
}

/** A rough size of one Map entry of extras, for memory accounting. */
export function extrasBytes(extras: SegmentExtras): number {
  let bytes = 120;
  const str = (s: string | undefined) => (s === undefined ? 0 : 24 + s.length);
  bytes +=
    str(extras.object_id) + str(extras.storage_id) + str(extras.storage_path) + str(extras.init_object_id);
  if (extras.ts_offset !== undefined) bytes += 24;
  if (extras.last_duration !== undefined) bytes += 24;
  if (extras.object_timerange !== undefined) bytes += 80;
  return bytes;
}
