import { type Static, Type } from 'typebox';
import { DateTime, describe, Uuid } from '../http/common.schemas.ts';
import { PagingQuery } from '../http/paging.ts';

/** Replication's API (beyond TAMS 7.0): jobs that follow another TAMS server. */

export const ReplicationParams = Type.Object({ id: describe(Uuid, 'The replication job.') });

export const ReplicationListQuery = Type.Object({ ...PagingQuery });

const Secret = (description: string) => Type.String({ minLength: 1, maxLength: 4096, description });

const OriginAuth = Type.Union(
  [
    Type.Object({ type: Type.Literal('none') }, { additionalProperties: false }),
    Type.Object(
      { type: Type.Literal('bearer'), token: Secret('Sent as `Authorization: Bearer <token>`.') },
      { additionalProperties: false },
    ),
    Type.Object(
      {
        type: Type.Literal('basic'),
        username: Type.String({ minLength: 1, maxLength: 256 }),
        password: Secret('Kept as a secret: never shown, logged or measured.'),
      },
      { additionalProperties: false },
    ),
    Type.Object(
      {
        type: Type.Literal('client_credentials'),
        token_url: Type.String({
          minLength: 1,
          maxLength: 2048,
          description: 'The OAuth 2.0 token endpoint (checked against the allow-list as the origin is).',
        }),
        client_id: Type.String({ minLength: 1, maxLength: 256 }),
        client_secret: Secret('Kept as a secret: never shown, logged or measured.'),
        scope: Type.Optional(Type.String({ maxLength: 1024 })),
      },
      { additionalProperties: false },
    ),
  ],
  { description: 'How the job authenticates at the origin (default: none).' },
);

const Selection = Type.Union(
  [
    Type.Object(
      { flow_id: describe(Uuid, 'One Flow (a multi Flow brings the Flows it collects).') },
      { additionalProperties: false },
    ),
    Type.Object(
      { source_id: describe(Uuid, 'A Source: every Flow of it, as they appear.') },
      { additionalProperties: false },
    ),
    Type.Object(
      {
        tags: Type.Record(Type.String({ minLength: 1, maxLength: 256 }), Type.String({ maxLength: 1024 }), {
          description:
            'Every Flow whose tags have these values (the origin’s `tag.<name>` filters), as they appear.',
          minProperties: 1,
          maxProperties: 16,
        }),
      },
      { additionalProperties: false },
    ),
  ],
  { description: 'What the job follows: exactly one of flow_id, source_id, tags.' },
);

export const ReplicationPost = Type.Object(
  {
    origin: Type.Object(
      {
        url: Type.String({
          minLength: 1,
          maxLength: 2048,
          description:
            'The origin’s API base, a mount (`https://tams.site-b/tams/v8.2`, or its root for 7.0). Its `/service` tells the version. Must pass the allow-list (TAMS_REPLICATION_ALLOW) unless public.',
        }),
        auth: Type.Optional(OriginAuth),
      },
      { additionalProperties: false },
    ),
    select: Selection,
    media: Type.Optional(
      Type.Enum(['reference', 'copy'], {
        description:
          '`reference` (default): segments here carry the origin’s `get_urls` (uncontrolled instances; the bytes stay there; init objects are copied, being small and needed by name). `copy`: every object is copied into a backend here, streamed and checksummed, once however many segments use it.',
      }),
    ),
    storage_id: Type.Optional(describe(Uuid, 'Where copies go (`copy`; default: the default backend).')),
    follow: Type.Optional(
      Type.Boolean({
        description:
          'After the first pass, follow the origin: new segments, Flows and metadata changes (default true). False: the job is `done` after one pass.',
      }),
    ),
    mirror_deletions: Type.Optional(
      Type.Boolean({
        description:
          'Segments and Flows deleted at the origin are deleted here too (default false: what was copied stays).',
      }),
    ),
    ids: Type.Optional(
      Type.Enum(['keep', 'map'], {
        description:
          '`keep` (default): Sources and Flows keep the origin’s ids (TAMS ids are global). `map`: new ids here, the mapping recorded (GET …/flows) and applied to collections.',
      }),
    ),
    label: Type.Optional(Type.String({ maxLength: 256 })),
    description: Type.Optional(Type.String({ maxLength: 4096 })),
  },
  { additionalProperties: false },
);
export type ReplicationPost = Static<typeof ReplicationPost>;

const JobState = Type.Enum(
  ['waiting', 'connecting', 'catching_up', 'following', 'retrying', 'paused', 'done', 'failed'],
  {
    description:
      '`waiting`: for a replica; `connecting`: asking the origin what it is and what to follow; `catching_up`: the first pass; `following`: caught up, new segments copied as they come; `retrying`: the origin failed, asked again with backoff (`last_error`); `paused`: as asked; `done`: one pass made (follow false); `failed`: cannot run (`last_error`).',
  },
);

const Count = (description: string) => Type.Integer({ minimum: 0, description });

export const Replication = Type.Object(
  {
    id: Uuid,
    label: Type.Optional(Type.String()),
    description: Type.Optional(Type.String()),
    origin: Type.Object({
      url: Type.String(),
      version: Type.Optional(Type.String({ description: 'The origin’s api_version, once asked.' })),
      auth: Type.Enum(['none', 'bearer', 'basic', 'client_credentials'], {
        description: 'How the job authenticates there; the credentials are never shown.',
      }),
    }),
    select: Selection,
    media: Type.Enum(['reference', 'copy']),
    storage_id: Type.Optional(Uuid),
    follow: Type.Boolean(),
    mirror_deletions: Type.Boolean(),
    ids: Type.Enum(['keep', 'map']),
    want: Type.Enum(['run', 'pause'], { description: 'What the job was asked to do.' }),
    state: JobState,
    replica: Type.Optional(Type.String({ description: 'The replica running it, while one does.' })),
    created: DateTime,
    created_by: Type.Optional(Type.String()),
    updated: DateTime,
    run_started: Type.Optional(DateTime),
    caught_up: Type.Optional(describe(DateTime, 'When the first pass over every Flow ended.')),
    flows: Count('Origin Flows followed.'),
    segments_copied: Count('Segments registered here.'),
    objects_copied: Count('Objects copied here (media by copy, and init objects).'),
    bytes_copied: Count('Bytes of the objects copied.'),
    segments_refused: Count(
      'Origin segments the destination refused (an overlap with a segment not from the origin, say): reported in last_error, not retried.',
    ),
    segments_deleted: Count('Segments deleted here because the origin deleted them (mirror_deletions).'),
    origin_requests: Count('Requests made to the origin (API and media).'),
    restarts: Count('Runs started again after a failure or a takeover.'),
    follow_by: Type.Optional(
      Type.Enum(['webhook', 'polling'], {
        description:
          'How the job follows its origin: woken by a webhook it registered there (and asking every TAMS_REPLICATION_POLL_SECONDS still), or by asking alone (`follow_note` says why).',
      }),
    ),
    follow_note: Type.Optional(Type.String()),
    lag_ms: Type.Optional(
      Type.Integer({
        description:
          'How far the destination was behind the origin at the last look: the time between the end of the origin’s newest segment and the end of the newest copied (0: caught up).',
      }),
    ),
    last_error: Type.Optional(Type.String()),
    last_error_at: Type.Optional(DateTime),
  },
  { title: 'Replication' },
);
export type Replication = Static<typeof Replication>;

export const ReplicationFlow = Type.Object(
  {
    origin_flow_id: Uuid,
    flow_id: describe(Uuid, 'The Flow here (the same id unless ids are mapped).'),
    origin_source_id: Type.Optional(Uuid),
    source_id: Type.Optional(Uuid),
    segments: Count('Segments copied into it.'),
    copied_to: Type.Optional(
      Type.String({ description: 'The end of the last segment copied (a TAMS timestamp): the cursor.' }),
    ),
    gone: Type.Boolean({ description: 'The origin no longer has the Flow.' }),
    last_error: Type.Optional(Type.String()),
    updated: DateTime,
  },
  { title: 'ReplicationFlow' },
);
export type ReplicationFlow = Static<typeof ReplicationFlow>;
