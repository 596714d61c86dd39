import { Type } from 'typebox';

/** The TAMS_* settings of HLS playback (spread into the one config schema). */
export const hlsSettings = {
  TAMS_HLS_LIVE_WINDOW_SECONDS: Type.Integer({
    default: 60,
    minimum: 1,
    maximum: 86400,
    description:
      "Media a live HLS playlist (`/flows/{id}/hls.m3u8` of a Flow still being written) spans: the newest segments covering this long, and at least three target durations besides the oldest one (RFC 8216's rule for a sliding window).",
  }),
  TAMS_HLS_LIVE_IDLE_SECONDS: Type.Integer({
    default: 30,
    minimum: 1,
    description:
      'A Flow is still being written, and its HLS playlist live, while it is not read-only, its `flow_status` tag is not `closed_complete`, and its last segment was registered at most this long ago (or three of its `segment_duration`s, if longer); `flow_status` `ingesting` makes it live however long ago. Otherwise the playlist is VOD (the whole Flow).',
  }),
  TAMS_HLS_MAX_SEGMENTS: Type.Integer({
    default: 10000,
    minimum: 1,
    maximum: 1000000,
    description:
      'Segments one VOD HLS playlist lists at most, and one export (`GET /flows/{id}/export`) holds; a Flow or `timerange` holding more is refused (400) with a request to ask for a shorter `timerange`.',
  }),
};

/** The settings the HLS service runs with. */
export interface HlsSettings {
  liveWindowSeconds: number;
  liveIdleSeconds: number;
  maxSegments: number;
}
