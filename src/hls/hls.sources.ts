import { NotFoundError } from '../common/errors.ts';
import type { MediaRegistry } from '../media/media.registry.ts';
import type { StoreSession, TamsStore } from '../store/store.ts';
import type { FlowRecord } from '../store/store.types.ts';
import { type BitRates, bitRatesOf } from './hls.bitrate.ts';
import { codecString, segmentFormat } from './hls.codecs.ts';
import { type Rendition, type Variant, writeMultivariantPlaylist } from './hls.multivariant.ts';

/** Where a multivariant playlist's renditions are: `${base}/flows/{id}/hls.m3u8${query}`. */
export interface RenditionLinks {
  base: string;
  /** `?…` carrying the request's timerange, get_urls filters and URL token, or empty. */
  query: string;
}

const VIDEO = 'urn:x-nmos:format:video';
const AUDIO = 'urn:x-nmos:format:audio';
const DATA = 'urn:x-nmos:format:data';
export const MULTI = 'urn:x-nmos:format:multi';
const AUDIO_GROUP = 'audio';
const SUBTITLE_GROUP = 'subs';
/** Flows of one Source read at most (a Source has a handful: one per rendition). */
const MAX_FLOWS = 1000;

interface Playable {
  flow: FlowRecord;
  rates: BitRates;
  /** The Flows whose media its segments carry: itself, or a multi Flow's members without segments. */
  carries: FlowRecord[];
}

function essence(flow: FlowRecord): Record<string, unknown> {
  const e = flow.essence_parameters;
  return typeof e === 'object' && e !== null && !Array.isArray(e) ? e : {};
}

async function flowsOf(store: StoreSession, sourceId: string): Promise<FlowRecord[]> {
  const flows: FlowRecord[] = [];
  let after: string | undefined;
  do {
    const page = await store.flows.list(
      { source_id: sourceId, tags: { equals: {}, exists: {} } },
      after,
      MAX_FLOWS - flows.length,
    );
    flows.push(...page.items);
    after = page.next;
  } while (after !== undefined && flows.length < MAX_FLOWS);
  return flows;
}

/** The codecs of every Flow given, or undefined when one is unknown (CODECS must list them all). */
function codecsOf(flows: readonly FlowRecord[]): string | undefined {
  const codecs = new Set<string>();
  for (const flow of flows) {
    if (flow.format !== VIDEO && flow.format !== AUDIO) continue;
    const codec = codecString(flow.codec, flow.essence_parameters);
    if (codec === undefined) return undefined;
    codecs.add(codec);
  }
  return codecs.size > 0 ? [...codecs].join(',') : undefined;
}

function pictureOf(flows: readonly FlowRecord[]): Pick<Variant, 'resolution' | 'frameRate'> {
  const video = flows.find((f) => f.format === VIDEO);
  if (!video) return {};
  const e = essence(video);
  const picture: Pick<Variant, 'resolution' | 'frameRate'> = {};
  if (typeof e.frame_width === 'number' && typeof e.frame_height === 'number') {
    picture.resolution = { width: e.frame_width, height: e.frame_height };
  }
  const rate = e.frame_rate as { numerator?: unknown; denominator?: unknown } | undefined;
  if (typeof rate?.numerator === 'number') {
    picture.frameRate = rate.numerator / (typeof rate.denominator === 'number' ? rate.denominator : 1);
  }
  return picture;
}

/**
 * The multivariant playlist of a Source (issue 24): its Flows, and the members of its multi
 * Flows' collections, each with segments of its own in a format HLS plays. Video Flows and
 * multi Flows holding muxed segments are the variants; audio Flows an `audio` group the video-only
 * variants refer to (or the variants themselves, for a Source without video); WebVTT data Flows
 * a `subs` group. A Flow without segments has nothing to play and is left out.
 */
export async function multivariantOf(
  deps: { store: TamsStore; media: MediaRegistry },
  sourceId: string,
  links: RenditionLinks,
): Promise<string> {
  const { store } = deps;
  if (!(await store.sources.get(sourceId))) throw new NotFoundError(`Source ${sourceId} does not exist`);
  return playlistOf(deps, await flowsOf(store, sourceId), links, `Source ${sourceId}`);
}

/** A multi Flow with no segments of its own (no container) and members to play. */
export function isCollection(flow: FlowRecord): boolean {
  return flow.format === MULTI && flow.container === undefined && (flow.flow_collection?.length ?? 0) > 0;
}

/**
 * The multivariant playlist of a multi Flow without segments of its own: its collection's
 * members, laid out as a Source's Flows are (a Source holding only this multi Flow).
 */
export async function collectionPlaylistOf(
  deps: { store: TamsStore; media: MediaRegistry },
  flow: FlowRecord,
  links: RenditionLinks,
): Promise<string> {
  return playlistOf(deps, [flow], links, `The collection of Flow ${flow.id}`);
}

async function playlistOf(
  deps: { store: TamsStore; media: MediaRegistry },
  own: readonly FlowRecord[],
  links: RenditionLinks,
  what: string,
): Promise<string> {
  const { store, media } = deps;
  const memberIds = own
    .filter((f) => f.format === MULTI)
    .flatMap((f) => (f.flow_collection ?? []).map((i) => i.id));
  const members = memberIds.length > 0 ? await store.flows.getMany([...new Set(memberIds)]) : [];
  const byId = new Map([...own, ...members].map((f) => [f.id, f]));
  const candidates = [...byId.values()].filter((f) => segmentFormat(f.container) !== undefined);
  const rated = await Promise.all(
    candidates.map(async (flow): Promise<Playable | undefined> => {
      const rates = await bitRatesOf(store, media, flow);
      if (rates === undefined) return undefined;
      const carries =
        flow.format === MULTI
          ? (flow.flow_collection ?? [])
              .map((item) => byId.get(item.id))
              .filter((f): f is FlowRecord => f !== undefined && f.container === undefined)
          : [flow];
      return { flow, rates, carries };
    }),
  );
  const playable = rated.filter((p): p is Playable => p !== undefined);
  const uri = (flow: FlowRecord) => `${links.base}/flows/${flow.id}/hls.m3u8${links.query}`;
  const name = (flow: FlowRecord) => flow.label ?? flow.id;

  const pictures = playable.filter((p) => p.flow.format === VIDEO || p.flow.format === MULTI);
  const sounds = playable.filter((p) => p.flow.format === AUDIO);
  const texts = playable.filter(
    (p) => p.flow.format === DATA && segmentFormat(p.flow.container) === 'webvtt',
  );
  const audioGroup = pictures.length > 0 && sounds.length > 0;
  const renditions: Rendition[] = [];
  if (audioGroup) {
    sounds.forEach((p, i) => {
      const channels = essence(p.flow).channels;
      renditions.push({
        type: 'AUDIO',
        groupId: AUDIO_GROUP,
        name: name(p.flow),
        uri: uri(p.flow),
        isDefault: i === 0,
        channels: typeof channels === 'number' ? channels : undefined,
      });
    });
  }
  texts.forEach((p, i) => {
    renditions.push({
      type: 'SUBTITLES',
      groupId: SUBTITLE_GROUP,
      name: name(p.flow),
      uri: uri(p.flow),
      isDefault: i === 0,
    });
  });
  const subtitles = texts.length > 0 ? SUBTITLE_GROUP : undefined;
  const loudest = Math.max(0, ...sounds.map((p) => p.rates.peak));
  const averageSound = Math.max(0, ...sounds.map((p) => p.rates.average ?? p.rates.peak));
  const variants: Variant[] = (pictures.length > 0 ? pictures : sounds).map((p) => {
    // A multi Flow's segments carry their own audio: the group is for video-only variants.
    const withGroup = audioGroup && p.flow.format === VIDEO;
    const codecFlows = withGroup ? [...p.carries, ...sounds.map((s) => s.flow)] : p.carries;
    const average = p.rates.average;
    return {
      uri: uri(p.flow),
      bandwidth: p.rates.peak + (withGroup ? loudest : 0),
      averageBandwidth: average === undefined ? undefined : average + (withGroup ? averageSound : 0),
      codecs: codecsOf(codecFlows),
      ...pictureOf(p.carries),
      audio: withGroup ? AUDIO_GROUP : undefined,
      subtitles,
    };
  });
  if (variants.length === 0) {
    throw new NotFoundError(
      `${what} has no Flow HLS can play: none with segments in MPEG-TS or fragmented MP4`,
    );
  }
  variants.sort((a, b) => a.bandwidth - b.bandwidth);
  return writeMultivariantPlaylist({ renditions, variants });
}
