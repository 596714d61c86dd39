import type { Clock } from '../common/clock.ts';
import { BadRequestError, NotFoundError } from '../common/errors.ts';
import { isWebUrl } from '../media/media.client-urls.ts';
import { containerExtension } from '../media/media.extensions.ts';
import type { MediaRegistry } from '../media/media.registry.ts';
import type { UrlContext } from '../media/media.types.ts';
import type { SegmentView } from '../segments/segments.mapper.ts';
import type { GetUrl } from '../segments/segments.schemas.ts';
import type { SegmentsService } from '../segments/segments.service.ts';
import type { GetUrlBuilder, GetUrlFilter } from '../segments/segments.urls.ts';
import type { FlowSegmentV8 } from '../segments/segments.v8.schemas.ts';
import type { SegmentRecord } from '../store/segments.repo.ts';
import type { TamsStore } from '../store/store.ts';
import type { FlowRecord } from '../store/store.types.ts';
import { parseTimeRange, parseTimestamp, TimeRange, taiToUtcIso } from '../time/index.ts';
import { type Before, BreakCounter, timelineOf } from './hls.breaks.ts';
import { type SegmentFormat, segmentFormat } from './hls.codecs.ts';
import type { HlsSettings } from './hls.config.ts';
import {
  collectionPlaylistOf,
  isCollection,
  MULTI,
  multivariantOf,
  type RenditionLinks,
} from './hls.sources.ts';
import { breaksBetween, durationOf, liveWindowSize, type TimelineSegment } from './hls.timeline.ts';
import { type PlaylistEntry, writeMediaPlaylist } from './hls.writer.ts';

/**
 * The Flow tag naming the object that holds a fragmented MP4 Flow's initialisation segment
 * (ftyp + moov), written as EXT-X-MAP for segments without an init object of their own. TAMS
 * 7.0 has no notion of init segments (8.2 has a per-segment `init_object`, ADR 0045, which comes
 * first); tags are 7.0's way to carry what the core API lacks, and AppNote 0003 prefixes a
 * service's own with `_<service>_`.
 */
export const INIT_OBJECT_TAG = '_tams-server_init_object_id';

/**
 * Segments with their objects' init objects (TAMS 8.2 `init_object`, ADR 0045): a segment's
 * own, written as EXT-X-MAP where it changes, comes before the Flow tag's.
 */
const INIT_VIEW: SegmentView = { initObject: true };

/** `flow_status` (AppNote 0003) values that settle whether a Flow is still being written. */
const FLOW_STATUS = 'flow_status';

export interface HlsServiceDeps {
  store: TamsStore;
  segments: SegmentsService;
  urls: GetUrlBuilder;
  media: MediaRegistry;
  clock: Clock;
  settings: HlsSettings;
}

/** What a playlist request asks for, beyond its Flow or Source. */
export interface PlaylistOptions {
  /** VOD over the segments overlapping it; undefined: the whole Flow, or its live window. */
  timerange?: TimeRange;
  /** accept_get_urls / accept_storage_ids, as the segments endpoint takes them. */
  urls: Pick<GetUrlFilter, 'labels' | 'storageIds'>;
  ctx: UrlContext;
  /** How a multivariant playlist links to its renditions' media playlists. */
  links: RenditionLinks;
}

export interface FlowPlaylist {
  body: string;
  /** `multivariant`: a multi Flow's collection, each member linked to its own media playlist. */
  kind: 'vod' | 'live' | 'multivariant';
}

interface Entry {
  timeline: TimelineSegment;
  uri: string;
  title: string;
  /** Its object's init object's URL (TAMS 8.2 `init_object`), where it has one. */
  map?: string;
}

const NS = 1_000_000_000n;

/**
 * The URL a player fetches: a presigned one (no credentials needed), else a URL the client
 * registered itself, if http(s) (rows stored before that rule may hold any scheme). Direct
 * controlled URLs need the API's credentials, which players lack.
 */
function playableUrl(urls: readonly GetUrl[] | undefined): string | undefined {
  return (
    urls?.find((u) => u.presigned === true) ?? urls?.find((u) => u.controlled === false && isWebUrl(u.url))
  )?.url;
}

function entryOf(segment: FlowSegmentV8): Entry | undefined {
  const uri = playableUrl(segment.get_urls);
  const range = parseTimeRange(segment.timerange);
  if (uri === undefined || range.start === null || range.end === null) return undefined;
  const tsOffset = segment.ts_offset === undefined ? 0n : parseTimestamp(segment.ts_offset);
  const entry: Entry = {
    timeline: { start: range.start, end: range.end, tsOffset },
    uri,
    title: segment.timerange,
  };
  const map = playableUrl(segment.init_object?.get_urls);
  if (map !== undefined) entry.map = map;
  return entry;
}

/** Playlist entries; `previous` is the segment before the first (a live window's), if any. */
function entries(list: readonly Entry[], previous: TimelineSegment | undefined): PlaylistEntry[] {
  let last = previous;
  return list.map((e) => {
    const entry: PlaylistEntry = {
      uri: e.uri,
      durationNs: durationOf(e.timeline),
      discontinuity: breaksBetween(last, e.timeline),
      programDateTime: taiToUtcIso(e.timeline.start),
      title: e.title,
    };
    if (e.map !== undefined) entry.map = e.map;
    last = e.timeline;
    return entry;
  });
}

/**
 * HLS playlists generated from the segment index (issue 24): a media playlist per Flow, whose
 * media URLs are the segments' `get_urls` as the segments endpoint makes them (no media passes
 * through the server), and a multivariant playlist per Source.
 */
export class HlsService {
  private readonly breaks: BreakCounter;

  constructor(private readonly deps: HlsServiceDeps) {
    this.breaks = new BreakCounter(deps.store);
  }

  async flowPlaylist(flowId: string, request: PlaylistOptions): Promise<FlowPlaylist> {
    const flow = await this.deps.store.flows.get(flowId);
    if (!flow) throw new NotFoundError(`Flow ${flowId} does not exist`);
    // A multi Flow whose media is in its members' segments plays as their multivariant playlist.
    if (isCollection(flow)) {
      return { body: await collectionPlaylistOf(this.deps, flow, request.links), kind: 'multivariant' };
    }
    const format = playableFormat(flow);
    // Media URLs whose path ends in the container's extension, where the backend can give them
    // one (the fs store): ffmpeg's HLS demuxer refuses segment URLs without it.
    const extension = containerExtension(flow.container);
    const options = extension === undefined ? request : { ...request, ctx: { ...request.ctx, extension } };
    const map = format === 'fmp4' ? await this.initUrl(flow, options) : undefined;
    if (options.timerange === undefined && this.isLive(flow)) {
      return { body: await this.liveWindow(flow, map, options), kind: 'live' };
    }
    const range = options.timerange ?? TimeRange.ETERNITY;
    const max = this.deps.settings.maxSegments;
    const page = await this.deps.segments.list(
      flowId,
      { timerange: range, reverse: false, limit: max + 1, urls: this.filter(options), view: INIT_VIEW },
      options.ctx,
    );
    if (page.items.length > max) {
      throw new BadRequestError(
        `${range.isEternity() ? `Flow ${flowId}` : `timerange ${range.format()}`} holds more than ${max} segments (TAMS_HLS_MAX_SEGMENTS): ask for a shorter timerange`,
      );
    }
    const list = page.items.map(entryOf).filter((e): e is Entry => e !== undefined);
    const body = writeMediaPlaylist({
      kind: 'vod',
      mediaSequence: 0n,
      discontinuitySequence: 0n,
      map,
      segments: entries(list, undefined),
    });
    return { body, kind: 'vod' };
  }

  async sourcePlaylist(sourceId: string, options: PlaylistOptions): Promise<string> {
    return multivariantOf(this.deps, sourceId, options.links);
  }

  /**
   * Still being written: not read-only, `flow_status` not `closed_complete`, and a segment
   * registered within TAMS_HLS_LIVE_IDLE_SECONDS (or three nominal segment durations, if
   * longer). `flow_status` `ingesting` says so outright; so does having no segment yet (a Flow
   * awaiting content plays as an empty live playlist that players poll).
   */
  private isLive(flow: FlowRecord): boolean {
    if (flow.read_only === true) return false;
    const status = flow.tags[FLOW_STATUS];
    if (status === 'closed_complete') return false;
    if (status === 'ingesting' || flow.segments_updated === undefined) return true;
    const nominal = nominalSeconds(flow.segment_duration);
    const idleMs = Math.max(this.deps.settings.liveIdleSeconds, 3 * nominal) * 1000;
    return this.deps.clock.now().getTime() - flow.segments_updated.getTime() <= idleMs;
  }

  private async liveWindow(flow: FlowRecord, map: string | undefined, options: PlaylistOptions) {
    const { store, settings } = this.deps;
    const windowNs = BigInt(settings.liveWindowSeconds) * NS;
    // The newest segments, a page at a time until they span the window.
    const newest: SegmentRecord[] = [];
    let after: SegmentRecord | undefined;
    for (;;) {
      const page = await store.segments.page(flow.id, TimeRange.ETERNITY, {
        reverse: true,
        limit: 100,
        after: after && {
          start: after.timerange.start ?? 0n,
          startInclusive: after.timerange.startInclusive,
        },
      });
      newest.push(...page.items);
      const size = liveWindowSize(newest.map(timelineOf), windowNs);
      if (size < newest.length || page.next === undefined || newest.length >= settings.maxSegments) break;
      after = page.items.at(-1);
    }
    const window = newest.slice(0, liveWindowSize(newest.map(timelineOf), windowNs)).reverse();
    const first = window[0];
    const last = window.at(-1);
    let before: Before = { count: 0, breaks: 0 };
    let list: Entry[] = [];
    if (first !== undefined && last !== undefined) {
      before = await this.breaks.before(flow.id, first);
      const span = TimeRange.fromBounds(
        first.timerange.start,
        last.timerange.end,
        first.timerange.startInclusive,
        last.timerange.endInclusive,
      );
      const page = await this.deps.segments.list(
        flow.id,
        {
          timerange: span,
          reverse: false,
          limit: window.length,
          urls: this.filter(options),
          view: INIT_VIEW,
        },
        options.ctx,
      );
      list = page.items.map(entryOf).filter((e): e is Entry => e !== undefined);
    }
    return writeMediaPlaylist({
      kind: 'live',
      mediaSequence: BigInt(before.count),
      discontinuitySequence: BigInt(before.breaks),
      map,
      emptyTargetDuration: Math.ceil(nominalSeconds(flow.segment_duration)) || undefined,
      segments: entries(list, before.last),
    });
  }

  /** The presigned URL of the object the Flow's init tag names (undefined without the tag). */
  private async initUrl(flow: FlowRecord, options: PlaylistOptions): Promise<string | undefined> {
    const objectId = flow.tags[INIT_OBJECT_TAG];
    // A string names the object; a list (TAMS 8.x) names none.
    if (typeof objectId !== 'string') return undefined;
    const where = await this.deps.store.objects.location(objectId);
    if (where?.storage_id === undefined || where.storage_path === undefined) {
      throw new NotFoundError(
        `The init segment object ${objectId} (tag ${INIT_OBJECT_TAG} of Flow ${flow.id}) does not exist in this store`,
      );
    }
    const [urls] = this.deps.urls.buildMany(
      [{ storage: { id: where.storage_id, path: where.storage_path } }],
      this.filter(options),
      options.ctx,
    );
    const url = playableUrl(urls);
    if (url === undefined) {
      throw new NotFoundError(`The init segment object ${objectId} has no URL the get_urls filters accept`);
    }
    return url;
  }

  private filter(options: PlaylistOptions): GetUrlFilter {
    // Verbose: `controlled` tells client-registered URLs apart (see playableUrl).
    return { ...options.urls, verbose: true };
  }
}

/** The Flow's segment format, or why HLS cannot play it. */
function playableFormat(flow: FlowRecord): SegmentFormat {
  const format = segmentFormat(flow.container);
  if (format !== undefined) return format;
  if (flow.container === undefined && flow.format === MULTI) {
    throw new BadRequestError(
      `Flow ${flow.id} is a multi Flow with no segments of its own (no container) and an empty flow_collection: it has nothing to play`,
    );
  }
  if (flow.container === undefined) {
    const collectors = flow.collected_by.length > 0 ? `: play ${flow.collected_by.join(', ')}` : '';
    throw new BadRequestError(
      `Flow ${flow.id} has no segments of its own (no container); its media is in the segments of the multi Flows collecting it${collectors}`,
    );
  }
  throw new BadRequestError(
    `Flow ${flow.id} has container ${flow.container}: HLS plays MPEG-TS (video/mp2t), fragmented MP4 (video/mp4, audio/mp4) and WebVTT (text/vtt) segments`,
  );
}

/** A Flow's `segment_duration` in seconds (0 when unset). */
function nominalSeconds(duration: unknown): number {
  if (typeof duration !== 'object' || duration === null) return 0;
  const { numerator, denominator } = duration as { numerator?: unknown; denominator?: unknown };
  if (typeof numerator !== 'number') return 0;
  const d = typeof denominator === 'number' && denominator > 0 ? denominator : 1;
  return numerator / d;
}
