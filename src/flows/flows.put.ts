import { BadRequestError } from '../common/errors.ts';
import type { JsonValue } from '../db/db.types.ts';
import type { ApiVersion } from '../http/api.version.ts';
import type { FlowRecord, Tags } from '../store/store.types.ts';
import { listTags } from '../store/tags.values.ts';
import { TimeRange } from '../time/index.ts';
import { collectionItemsFrom, extraProperties } from './flows.mapper.ts';

/** What a PUT of a whole Flow is made in: who, when, through which version. */
export interface PutContext {
  version: ApiVersion;
  actor: string | undefined;
  now: Date;
  /** A new metadata_version. */
  newVersion: () => string;
  /**
   * The body's metadata_version is kept on a replacement too, not only at creation: replication
   * keeps the origin's version of a Flow whose version here moved with a change made here alone
   * (a collection listing it), which the server does, never a client.
   */
  keepVersion?: boolean;
}

const MULTI = 'urn:x-nmos:format:multi';
const VIDEO = 'urn:x-nmos:format:video';
const IMAGE = 'urn:x-tam:format:image';

type JsonObject = { [key: string]: JsonValue };
const isObject = (value: unknown): value is JsonObject =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * The Flow a PUT of `body` (valid for `ctx.version`'s schema) makes of `existing`. A PUT replaces
 * what its version can see (docs/api-versions.md, "Writes through one version over data of the
 * other"); through 7.0 the Flow keeps what 7.0 cannot see: its `status`, its profile link (while
 * it still matches the Profile: FlowsService), its list-valued tags (unless the body has a tag of that name), `init_segments`, and `vfr` unless
 * the body sets a `frame_rate`. Through 8.2 a client may set `metadata_version` on creation
 * (replication keeps a Flow's version from store to store).
 */
export function flowFromBody(
  id: string,
  body: Record<string, unknown>,
  existing: FlowRecord | null,
  ctx: PutContext,
): FlowRecord {
  const { version, actor } = ctx;
  const v70 = version === '7.0';
  const format = body.format as string;
  const given = body.metadata_version;
  return {
    id,
    source_id: body.source_id as string,
    format,
    codec: body.codec as string | undefined,
    container: body.container as string | undefined,
    label: body.label as string | undefined,
    description: body.description as string | undefined,
    created_by: existing?.created_by ?? actor ?? (body.created_by as string | undefined),
    updated_by: actor ?? (body.updated_by as string | undefined) ?? existing?.updated_by,
    created: existing?.created ?? ctx.now,
    metadata_updated: ctx.now,
    segments_updated: existing?.segments_updated,
    metadata_version:
      !v70 && (!existing || ctx.keepVersion === true) && typeof given === 'string' ? given : ctx.newVersion(),
    read_only: body.read_only as boolean | undefined,
    generation: body.generation as number | undefined,
    avg_bit_rate: body.avg_bit_rate as number | undefined,
    max_bit_rate: body.max_bit_rate as number | undefined,
    essence_parameters: v70
      ? keptEssence(existing, format, body.essence_parameters as JsonValue | undefined)
      : (body.essence_parameters as JsonValue | undefined),
    segment_duration: body.segment_duration as JsonValue | undefined,
    container_mapping: body.container_mapping as JsonValue | undefined,
    status: v70 ? existing?.status : (body.status as string | undefined),
    profile_id: profileLink(body, existing, version),
    extra: extraProperties(body, version),
    tags: putTags(existing, body.tags as Tags | undefined, version),
    flow_collection: collectionItemsFrom(body.flow_collection),
    collected_by: existing?.collected_by ?? [],
    timerange: existing?.timerange ?? TimeRange.EMPTY,
  };
}

/**
 * The profile link a PUT gives the Flow, before FlowsService checks it still holds: an 8.2 body's
 * `profile_id` (its Profile's technical metadata already copied in: FlowProfiles.applyToFlow),
 * none for `""` (unlinked); a body without one (8.2's in full, or any 7.0 body) keeps the Flow's
 * link, which then holds only while the Flow still matches its Profile.
 */
function profileLink(body: Record<string, unknown>, existing: FlowRecord | null, version: ApiVersion) {
  const given = version === '7.0' ? undefined : body.profile_id;
  if (given === undefined) return existing?.profile_id;
  return typeof given === 'string' && given !== '' ? given : undefined;
}

/** A 7.0 body's essence parameters, with the 8.2-only ones of `existing` that 7.0 cannot see. */
function keptEssence(
  existing: FlowRecord | null,
  format: string,
  params: JsonValue | undefined,
): JsonValue | undefined {
  const old = existing?.essence_parameters;
  // A multi Flow's parameters are free-form in 7.0: it sees all of them, so replaces them.
  if (format === MULTI || !isObject(params) || !isObject(old)) return params;
  const kept: JsonObject = { ...params };
  if (format !== IMAGE && typeof old.init_segments === 'boolean') kept.init_segments = old.init_segments;
  if (format === VIDEO && old.vfr === true && params.frame_rate === undefined) kept.vfr = true;
  return kept;
}

/**
 * The tags a PUT leaves the Flow with: the body's (none: `{}`); through 7.0, also the list tags
 * the Flow had under names the body does not use.
 */
function putTags(existing: FlowRecord | null, body: Tags | undefined, version: ApiVersion): Tags {
  const tags = { ...(body ?? {}) };
  if (version !== '7.0' || !existing) return tags;
  for (const [name, list] of Object.entries(listTags(existing.tags)))
    if (!Object.hasOwn(tags, name)) tags[name] = list;
  return tags;
}

/**
 * Whether a replacement changes nothing any client of either version can see (then the version
 * stays): the records compared whole but for what the server manages. Object keys are compared
 * in sorted order: tags come back from the store sorted by name, and a client's
 * `{"b": ..., "a": ...}` is the same document as `{"a": ..., "b": ...}`. Array order matters.
 */
export function sameMetadata(a: FlowRecord, b: FlowRecord): boolean {
  const comparable = (flow: FlowRecord) => {
    const {
      created: _c,
      metadata_updated: _u,
      metadata_version: _v,
      segments_updated: _s,
      timerange: _t,
      collected_by: _by,
      ...metadata
    } = flow;
    return canonicalJson(metadata);
  };
  return comparable(a) === comparable(b);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * ADR 0041 on an 8.2 body, before its schema (which says the same in `if`/`then`/`else`, where a
 * failure reads less plainly): a video Flow has a `frame_rate` unless `vfr` is true, and then none.
 */
export function checkFrameRate(body: unknown): void {
  if (!isObject(body) || body.format !== VIDEO || !isObject(body.essence_parameters)) return;
  const params = body.essence_parameters;
  if (params.vfr !== undefined && typeof params.vfr !== 'boolean') return; // the schema says why
  if (params.vfr === true && params.frame_rate !== undefined) {
    throw new BadRequestError(
      'body.essence_parameters.frame_rate must not be set when vfr is true (a variable frame rate has none)',
    );
  }
  if (params.vfr !== true && params.frame_rate === undefined) {
    throw new BadRequestError(
      'body.essence_parameters.frame_rate is required unless vfr is true (a video Flow of variable frame rate says vfr: true)',
    );
  }
}
