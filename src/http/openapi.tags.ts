/**
 * The tags of the OpenAPI documents: each TAMS version's own (as its spec declares them), and
 * those of tams-server's operations beyond the spec, which carry the extension marker.
 */
import type { ApiVersion } from './api.version.ts';

export interface Tag {
  name: string;
  description: string;
}

/** The marker of what tams-server adds to TAMS: on its tags and on each of their operations. */
export const EXTENSION_MARKER = 'x-tams-extension';

/** The spec's tags (TAMS 7.0). */
const TAMS_7_0_TAGS: Tag[] = [
  { name: 'Service', description: 'The service root and documentation about the service itself' },
  { name: 'Sources', description: 'The ephemeral concept of an individual piece of media.' },
  {
    name: 'Flows',
    description: "Sources which have been 'rendered' to a specific encoding/packaging format.",
  },
  { name: 'FlowSegments', description: 'A timerange segment of a Flow that references a media object.' },
  { name: 'Objects', description: 'The object in the object store that contains the media essence.' },
  { name: 'MediaStorage', description: 'The system that stores the media objects referenced by segments.' },
  { name: 'FlowDeleteRequests', description: 'Monitoring of long running deletion of flows and segments.' },
  { name: 'Webhooks', description: 'Configures webhooks to deliver notifications externally.' },
];

/** The spec's tags (TAMS 8.2): 7.0's, and `Profiles`. */
const TAMS_8_2_TAGS: Tag[] = [
  ...TAMS_7_0_TAGS.slice(0, 3),
  { name: 'Profiles', description: 'Central management of the technical characteristics of a Flow.' },
  ...TAMS_7_0_TAGS.slice(3),
];

export const TAMS_TAGS: Record<ApiVersion, readonly Tag[]> = { '7.0': TAMS_7_0_TAGS, '8.2': TAMS_8_2_TAGS };

/**
 * The tags of tams-server's operations beyond TAMS 7.0, one per area. Every operation under one
 * of them is marked `x-tams-extension: true` (and so are the tags); a new area (HLS, say) adds
 * its tag here. `npm run openapi:check` fails on an operation 7.0 lacks without one.
 */
export const EXTENSION_TAGS: Tag[] = [
  {
    name: 'Events',
    description: 'Server-Sent Events: the TAMS events as a stream (tams-server extension, beyond TAMS 7.0).',
  },
  {
    name: 'Search',
    description:
      'Media search: keyword, semantic and hybrid search whose hits are TAMS time references (tams-server extension, beyond TAMS 7.0).',
  },
  {
    name: 'EXR',
    description:
      'OpenEXR header metadata of image media: files, parts, channels and attributes (tams-server extension, beyond TAMS 7.0).',
  },
  {
    name: 'Analytics',
    description:
      'Usage, coverage, storage, segment durations and top Flows of the store, and table exports as Parquet or CSV (tams-server extension, beyond TAMS 7.0).',
  },
  {
    name: 'Recordings',
    description:
      'The live recorder: jobs that record HLS, UDP/SRT MPEG-TS, RTMP or file sources into a Source and its Flows, on any replica (tams-server extension, beyond TAMS 7.0).',
  },
  {
    name: 'Replication',
    description:
      'Replication from another TAMS (7.0 or 8.2): jobs that copy Sources, Flows and segments with every field, media by reference or by copy, and follow the origin, on any replica (tams-server extension, beyond TAMS 7.0).',
  },
  {
    name: 'HLS',
    description:
      'HLS playback of Flows and Sources: playlists generated from the segment index, media URLs presigned (tams-server extension, beyond TAMS 7.0).',
  },
  {
    name: 'Export',
    description:
      'A timerange of a Flow downloaded as one media file, streamed from the stored objects (tams-server extension, beyond TAMS 7.0).',
  },
  {
    name: 'UI',
    description:
      'What the web UI (/ui) shows that the TAMS listings would cost it many requests for (tams-server extension, beyond TAMS 7.0).',
  },
  {
    name: 'Auth',
    description:
      'Users and API tokens, for administrators, and what the server makes of a credential (tams-server extension, beyond TAMS 7.0).',
  },
  {
    name: 'Support',
    description:
      'The support bundle: versions, configuration (secrets redacted), checks, states and recent logs as one archive, for administrators (tams-server extension, beyond TAMS 7.0).',
  },
  {
    name: 'Backups',
    description:
      'Backups of the embedded store taken by the running server, for administrators (tams-server extension, beyond TAMS 7.0).',
  },
  {
    name: 'Operations',
    description:
      'Liveness, readiness and Prometheus metrics, for probes and scrapers: public, no credentials (tams-server extension, beyond TAMS 7.0).',
  },
];
