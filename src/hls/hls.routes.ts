import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { FlowParams } from '../flows/flows.routes.ts';
import type { ApiMount } from '../http/api.version.ts';
import { describe, Uuid } from '../http/common.schemas.ts';
import { apiBaseUrl } from '../http/paging.ts';
import { timerangeParam } from '../http/params.ts';
import { errors } from '../http/responses.ts';
import type { App } from '../http/types.ts';
import { getUrlFilter, urlContext } from '../segments/segments.query.ts';
import { PLAYLIST_TYPE, PlaylistQuery, playlistResponse } from './hls.schemas.ts';
import type { HlsService, PlaylistOptions } from './hls.service.ts';

export interface HlsRoutesDeps {
  hls: HlsService;
  publicUrl: string;
  presignExpirySeconds: number;
  /** The API mount serving them: the playlists a playlist links to are under it too. */
  mount: ApiMount;
}

const TAGS = ['HLS'];
const AUTH =
  'Authorised like segment reads (the read scope). Players that cannot send headers put the token in the `access_token` query parameter; the playlists then carry it into the URLs of the playlists they link to, and media URLs are presigned (they need no credentials).';

/** What a linked playlist carries over from the request: the same part, filters and URL token. */
const CARRIED = ['timerange', 'accept_get_urls', 'accept_storage_ids', 'access_token'];

/**
 * The query linked playlists carry, from the request's own URL: the auth hook has taken
 * `access_token` out of the parsed query (routes never see it), but the URL keeps it.
 */
function carriedQuery(request: FastifyRequest): string {
  const given = new URL(request.url, 'http://localhost').searchParams;
  const carried = new URLSearchParams();
  for (const name of CARRIED) {
    const value = given.get(name);
    if (value !== null) carried.set(name, value);
  }
  const query = carried.toString();
  return query === '' ? '' : `?${query}`;
}

function options(
  request: FastifyRequest,
  query: { timerange?: string; accept_get_urls?: string; accept_storage_ids?: string },
  deps: HlsRoutesDeps,
): PlaylistOptions {
  const { labels, storageIds } = getUrlFilter(query);
  return {
    timerange: timerangeParam(query.timerange),
    urls: { labels, storageIds },
    ctx: urlContext(request, deps.publicUrl, deps.presignExpirySeconds),
    links: { base: apiBaseUrl(request, deps.publicUrl, deps.mount), query: carriedQuery(request) },
  };
}

function sendPlaylist(reply: FastifyReply, body: string) {
  return reply.type(PLAYLIST_TYPE).header('cache-control', 'no-store').send(body);
}

/** HLS playback of Flows and Sources (issue 24), generated from the segment index. */
export async function hlsRoutes(app: App, deps: HlsRoutesDeps): Promise<void> {
  const BEYOND = `A tams-server extension (beyond TAMS ${deps.mount.version}).`;
  app.get(
    '/flows/:flowId/hls.m3u8',
    {
      schema: {
        operationId: 'GET_flows-flowId-hls',
        summary: 'HLS media playlist of a Flow',
        description: `The Flow's segments as an HLS media playlist (MPEG-TS, fragmented MP4 or WebVTT segments; a fragmented MP4 Flow's init segment, as EXT-X-MAP, is each segment's \`init_object\` (TAMS 8.2), else the object its \`_tams-server_init_object_id\` tag names). Durations and EXT-X-PROGRAM-DATE-TIME come from the segments' timeranges (TAI to UTC), gaps in the timeline are EXT-X-DISCONTINUITY. VOD for a \`timerange\` or a finished Flow; a live sliding window while the Flow is still being written (see TAMS_HLS_LIVE_*). Media URLs are the segments' presigned \`get_urls\`: no media passes through the server. A multi Flow with no segments of its own (no container) and a \`flow_collection\` answers a multivariant playlist of its members instead, laid out as a Source's (video as variants, audio as an audio group, WebVTT data Flows as a subtitles group), each linking to its member's media playlist with the same query. ${AUTH} ${BEYOND}`,
        tags: TAGS,
        params: FlowParams,
        querystring: PlaylistQuery,
        response: {
          200: playlistResponse(
            "The media playlist (a multi Flow's collection: the multivariant playlist of its members).",
          ),
          ...errors({
            400: 'Bad request. Invalid query options, a Flow whose container HLS cannot play (a multi Flow without container and members has none), or more segments than TAMS_HLS_MAX_SEGMENTS.',
            404: "The Flow does not exist, the init segment object its tag names does not, or none of its collection's members has segments HLS can play.",
          }),
        },
      },
    },
    async (request, reply) => {
      const playlist = await deps.hls.flowPlaylist(
        request.params.flowId,
        options(request, request.query, deps),
      );
      return sendPlaylist(reply as unknown as FastifyReply, playlist.body);
    },
  );

  app.get(
    '/sources/:sourceId/hls.m3u8',
    {
      schema: {
        operationId: 'GET_sources-sourceId-hls',
        summary: 'HLS multivariant playlist of a Source',
        description: `The Source's Flows, and the members of its multi Flows' collections, as one HLS multivariant playlist: video Flows and multi Flows with muxed segments as variants (BANDWIDTH from the Flows' bit rates, else measured from their newest objects' sizes; CODECS where the Flow metadata gives them exactly), audio Flows as an audio group, WebVTT data Flows as a subtitles group. Each links to its Flow's media playlist with the same query. ${AUTH} ${BEYOND}`,
        tags: TAGS,
        params: Type.Object({ sourceId: describe(Uuid, 'The Source identifier.') }),
        querystring: PlaylistQuery,
        response: {
          200: playlistResponse('The multivariant playlist.'),
          ...errors({
            400: 'Bad request. Invalid query options.',
            404: 'The Source does not exist, or has no Flow HLS can play.',
          }),
        },
      },
    },
    async (request, reply) => {
      const body = await deps.hls.sourcePlaylist(
        request.params.sourceId,
        options(request, request.query, deps),
      );
      return sendPlaylist(reply as unknown as FastifyReply, body);
    },
  );
}
