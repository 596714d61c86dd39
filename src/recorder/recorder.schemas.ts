import { type Static, Type } from 'typebox';
import { DateTime, describe, Tags, Uuid } from '../http/common.schemas.ts';
import { PagingQuery } from '../http/paging.ts';

/** The recorder's API (beyond TAMS 7.0): recording jobs, what they record and how it goes. */

export const RecordingParams = Type.Object({ id: describe(Uuid, 'The recording job.') });

export const RecordingListQuery = Type.Object({ ...PagingQuery });

const SourceUrl = Type.String({
  minLength: 1,
  maxLength: 2048,
  description:
    'Where the media come from: an HLS live playlist (`http(s)://…m3u8`, read by the server), MPEG-TS over UDP (`udp://<group or address>:<port>`, received) or SRT (`srt://host:port`, as caller), RTMP (`rtmp(s)://host/app/stream`, pulled), or a file under TAMS_RECORDER_FILE_DIR (`file:<path under it>`). Network sources must pass the allow-list (TAMS_RECORDER_ALLOW): private, loopback, link-local, multicast and reserved addresses are refused unless it admits them.',
});

export const RecordingPost = Type.Object(
  {
    source: Type.Object(
      {
        url: SourceUrl,
        realtime: Type.Optional(
          Type.Boolean({
            description:
              'File sources: played at their own pace, as a live source (default), or as fast as they are read (false).',
          }),
        ),
      },
      { additionalProperties: false },
    ),
    label: Type.Optional(Type.String({ maxLength: 256, description: 'Given to the Source and Flows made.' })),
    description: Type.Optional(
      Type.String({ maxLength: 4096, description: 'Given to the Source and Flows made.' }),
    ),
    segment_duration: Type.Optional(
      Type.Number({
        minimum: 0.5,
        maximum: 60,
        description:
          'Seconds a segment lasts at least (default 2): video is cut at the first key frame from then on, so its segments last a multiple of the key-frame interval.',
      }),
    ),
    container: Type.Optional(
      Type.Enum(['video/mp2t', 'video/mp4'], {
        description:
          'The segments’ container: `video/mp2t`, MPEG-TS (the default), or `video/mp4`, fragmented MP4: each segment a fragment naming its track’s init segment as its TAMS 8.2 `init_object_id` (the video Flow’s container is then `video/mp4`, the audio Flows’ `audio/mp4`, and their `essence_parameters.init_segments` true).',
      }),
    ),
    storage_id: Type.Optional(
      describe(Uuid, 'The storage backend the media go to (default: the default one).'),
    ),
    tags: Type.Optional(describe(Tags, 'Tags given to the Source and every Flow made.')),
    retention_seconds: Type.Optional(
      Type.Integer({
        minimum: 10,
        maximum: 10 * 365 * 86400,
        description:
          'A loop recorder: segments older than this many seconds behind the newest are deleted (through deletion requests; their objects are collected). Default: everything is kept.',
      }),
    ),
  },
  { additionalProperties: false },
);
export type RecordingPost = Static<typeof RecordingPost>;

const JobState = Type.Enum(['waiting', 'starting', 'recording', 'retrying', 'stopped', 'failed'], {
  description:
    '`waiting`: for a replica to take it; `starting`: probing the source, making the Flows; `recording`; `retrying`: the source failed, tried again with backoff (`last_error`); `stopped`: as asked; `failed`: it cannot run (`last_error`).',
});

export const Recording = Type.Object(
  {
    id: Uuid,
    label: Type.Optional(Type.String()),
    description: Type.Optional(Type.String()),
    source: Type.Object({
      url: Type.String({ description: 'The source URL, its password and SRT passphrase hidden.' }),
      kind: Type.Enum(['hls', 'udp', 'srt', 'rtmp', 'file']),
      realtime: Type.Optional(Type.Boolean()),
    }),
    segment_duration: Type.Number(),
    container: Type.String(),
    storage_id: Type.Optional(Uuid),
    tags: Type.Optional(Tags),
    retention_seconds: Type.Optional(Type.Integer()),
    source_id: describe(Uuid, 'The Source the job records into (made when it first runs).'),
    flow_ids: Type.Object(
      {
        multi: describe(Uuid, 'The multi Flow over the essence Flows.'),
        video: Type.Optional(Uuid),
        audio: Type.Array(Uuid, { description: 'One Flow per audio track, in the source’s order.' }),
        captions: Type.Optional(Uuid),
      },
      { description: 'The essence Flows appear once the source was first probed.' },
    ),
    want: Type.Enum(['record', 'stop'], { description: 'What the job was asked to do.' }),
    state: JobState,
    replica: Type.Optional(Type.String({ description: 'The replica running it, while one does.' })),
    created: DateTime,
    created_by: Type.Optional(Type.String()),
    updated: DateTime,
    run_started: Type.Optional(describe(DateTime, 'When the run under way started.')),
    segments_written: Type.Integer({ minimum: 0, description: 'Segments registered, over every Flow.' }),
    restarts: Type.Integer({ minimum: 0, description: 'Runs started again after a failure or a takeover.' }),
    lag_ms: Type.Optional(
      Type.Integer({
        description: 'How far behind the wall clock the newest segment ended, when last registered.',
      }),
    ),
    last_error: Type.Optional(Type.String()),
    last_error_at: Type.Optional(DateTime),
  },
  { title: 'Recording' },
);
export type Recording = Static<typeof Recording>;
