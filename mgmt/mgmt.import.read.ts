import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { Value } from 'typebox/value';
import { Profile } from '../src/profiles/profiles.schemas.ts';
import { FlowSegmentPost } from '../src/segments/segments.schemas.ts';
import { parseTimeRange } from '../src/time/index.ts';
import { EXPORT_FORMAT, EXPORT_VERSION } from './mgmt.export.ts';
import { MgmtError } from './mgmt.io.ts';

export interface ExportHeader {
  /** The Flow as TAMS 8.2 shows it. */
  flow: Record<string, unknown>;
  source: Record<string, unknown>;
  /** The Profile the Flow is linked to (8.2 profile.json). */
  profile?: Profile;
  /** The Flow as 7.0 shows it, where that holds what 8.2 cannot show. */
  flow_7_0?: Record<string, unknown>;
}

export interface ExportedObject {
  id: string;
  storage_id?: string;
  storage_path?: string;
  /** The object's own timerange (TAMS 8.2), set by its first segment. */
  timerange?: string;
  key_frame_count?: number;
  /** An initialisation segment object (TAMS 8.2, ADR 0045): the `init_object_id` of others. */
  init?: true;
  /** Its init object (an object line with `init` before it). */
  init_object_id?: string;
  /**
   * Whether the first segment using it carries client `get_urls` (an external object is created
   * by such a segment); undefined until a segment uses it.
   */
  firstHasUrls?: boolean;
}

export type ExportLine =
  | { type: 'header'; header: ExportHeader }
  | { type: 'object'; object: ExportedObject }
  | { type: 'segment'; segment: FlowSegmentPost }
  | { type: 'end'; segments: number; objects: number };

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function parseLine(text: string, n: number): ExportLine {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new MgmtError(`line ${n}: not JSON`);
  }
  if (!isRecord(raw)) throw new MgmtError(`line ${n}: not a JSON object`);
  const { type, ...rest } = raw;
  if (type === EXPORT_FORMAT) {
    if (raw.version !== EXPORT_VERSION)
      throw new MgmtError(`line ${n}: export version ${String(raw.version)} is not ${EXPORT_VERSION}`);
    const { flow, source } = raw;
    if (
      !isRecord(flow) ||
      typeof flow.id !== 'string' ||
      typeof flow.source_id !== 'string' ||
      !isRecord(source)
    ) {
      throw new MgmtError(`line ${n}: the header lacks the Flow or Source document`);
    }
    const header: ExportHeader = { flow, source };
    if (raw.profile !== undefined) {
      if (!Value.Check(Profile, raw.profile))
        throw new MgmtError(`line ${n}: the Flow's Profile is not valid`);
      header.profile = raw.profile;
    }
    if (raw.flow_7_0 !== undefined) {
      if (!isRecord(raw.flow_7_0) || raw.flow_7_0.id !== flow.id)
        throw new MgmtError(`line ${n}: flow_7_0 is not the Flow's document`);
      header.flow_7_0 = raw.flow_7_0;
    }
    return { type: 'header', header };
  }
  if (type === 'object') {
    if (typeof rest.id !== 'string') throw new MgmtError(`line ${n}: object without id`);
    const object: ExportedObject = { id: rest.id };
    if (typeof rest.storage_id === 'string' && typeof rest.storage_path === 'string') {
      object.storage_id = rest.storage_id;
      object.storage_path = rest.storage_path;
    }
    if (typeof rest.timerange === 'string') object.timerange = objectTimerange(rest.timerange, n);
    if (Number.isSafeInteger(rest.key_frame_count)) object.key_frame_count = rest.key_frame_count as number;
    if (rest.init === true) object.init = true;
    if (typeof rest.init_object_id === 'string') object.init_object_id = rest.init_object_id;
    return { type: 'object', object };
  }
  if (type === 'segment') {
    if (!Value.Check(FlowSegmentPost, rest)) throw new MgmtError(`line ${n}: not a valid segment`);
    return { type: 'segment', segment: rest };
  }
  if (type === 'end' && typeof rest.segments === 'number' && typeof rest.objects === 'number') {
    return { type: 'end', segments: rest.segments, objects: rest.objects };
  }
  throw new MgmtError(`line ${n}: unknown record type ${JSON.stringify(type)}`);
}

/** An object line's timerange: bounded and not empty, as every object's is. */
function objectTimerange(text: string, n: number): string {
  let range: ReturnType<typeof parseTimeRange>;
  try {
    range = parseTimeRange(text);
  } catch {
    throw new MgmtError(`line ${n}: object timerange ${JSON.stringify(text)} is not a timerange`);
  }
  if (range.start === null || range.end === null || range.isEmpty())
    throw new MgmtError(`line ${n}: object timerange ${text} must have a start and an end, and not be empty`);
  return text;
}

/** The file's records, in order; the header must come first. */
export async function* readExport(file: string): AsyncGenerator<ExportLine> {
  let n = 0;
  let first = true;
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const text of lines) {
    n++;
    if (text.trim() === '') continue;
    const line = parseLine(text, n);
    if (first !== (line.type === 'header'))
      throw new MgmtError(`line ${n}: the export header must be the first line`);
    first = false;
    yield line;
  }
  if (n === 0) throw new MgmtError(`${file} is empty`);
}

export interface ExportSummary {
  header: ExportHeader;
  objects: Map<string, ExportedObject>;
  segments: number;
}

/** Reads the whole file once, checking its structure and counts (first pass of an import). */
export async function summarise(file: string): Promise<ExportSummary> {
  let header: ExportHeader | undefined;
  const objects = new Map<string, ExportedObject>();
  let segments = 0;
  let ended = false;
  for await (const line of readExport(file)) {
    if (ended) throw new MgmtError('records follow the end line');
    if (line.type === 'header') header = line.header;
    else if (line.type === 'object') {
      const init = line.object.init_object_id;
      if (init !== undefined && objects.get(init)?.init !== true)
        throw new MgmtError(`object ${line.object.id} names init object ${init} before its object line`);
      objects.set(line.object.id, line.object);
    } else if (line.type === 'segment') {
      const object = objects.get(line.segment.object_id);
      if (!object)
        throw new MgmtError(
          `segment ${line.segment.timerange} uses object ${line.segment.object_id} before its object line`,
        );
      object.firstHasUrls ??= (line.segment.get_urls?.length ?? 0) > 0;
      segments++;
    } else {
      if (line.segments !== segments || line.objects !== objects.size) {
        throw new MgmtError(
          `the end line counts ${line.segments} segments and ${line.objects} objects, the file has ${segments} and ${objects.size}`,
        );
      }
      ended = true;
    }
  }
  if (!header) throw new MgmtError('no export header');
  if (!ended) throw new MgmtError('the file ends without its end line: it was truncated');
  return { header, objects, segments };
}
