import { Type } from 'typebox';
import { annotate, TimeRange, UUID_PATTERN } from '../http/common.schemas.ts';

/** The media type of HLS playlists (RFC 8216 §4). */
export const PLAYLIST_TYPE = 'application/vnd.apple.mpegurl';

const ids = UUID_PATTERN.slice(1, -1);

/** Query of both playlists: the part of the timeline, and the segments endpoint's URL filters. */
export const PlaylistQuery = Type.Object({
  timerange: Type.Optional(
    annotate(TimeRange, {
      description:
        'A VOD playlist of the segments overlapping this timerange. Without it: the whole Flow as VOD once it is finished, or a live sliding window while it is still being written.',
    }),
  ),
  accept_get_urls: Type.Optional(
    Type.String({
      pattern: '^([^,]+(,[^,]+)*)?$',
      description:
        'Media URLs only from these `get_urls` labels (comma-separated), as for GET /flows/{flowId}/segments.',
    }),
  ),
  accept_storage_ids: Type.Optional(
    Type.String({
      pattern: `^(${ids}(,${ids})*)?$`,
      description:
        'Media URLs only from these storage backends (comma-separated ids), as for GET /flows/{flowId}/segments.',
    }),
  ),
});

/** A 200 with a playlist: the handler sends the text itself (no serializer runs). */
export function playlistResponse(description: string) {
  return {
    description,
    headers: {
      'Cache-Control': Type.String({
        description: 'no-store: the playlist holds presigned URLs that expire, and live windows move.',
      }),
    },
    content: { [PLAYLIST_TYPE]: { schema: Type.String({ description: 'An HLS playlist (RFC 8216).' }) } },
  };
}
