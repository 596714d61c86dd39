import { type Static, Type } from 'typebox';
import { DateTime, describe, TimeRange, Timestamp, Uuid } from '../http/common.schemas.ts';
import { PagingQuery } from '../http/paging.ts';

/**
 * The analytics API (beyond TAMS 7.0). Durations are TAMS timestamps ("seconds:nanoseconds",
 * exact); byte and object counts are integers; rates are per second of the bucket or window.
 */

const Count = (description: string) => Type.Integer({ minimum: 0, description });
const Duration = (description: string) => describe(Timestamp, description);
const Bytes = Count('Bytes of the objects whose size is known (each object once).');
const Unsized = Count(
  'Of those objects, the ones whose size is not known: external objects (client URLs only, no storage backend to ask), objects their backend had no bytes for when the size follower asked (never uploaded), and objects registered since the follower last ran (see `tams-mgmt analytics sizes`). Bytes never include a guess for them.',
);
const WindowQuery = Type.Optional(
  describe(
    TimeRange,
    'The window on the media timeline (TAI): what starts in it counts (a segment counts in the window, and the bucket, where its start lies). Default: the whole timeline.',
  ),
);

export const FlowParams = Type.Object({ id: describe(Uuid, 'The Flow.') });

export const UsageQuery = Type.Object({
  timerange: WindowQuery,
  bucket: Type.Optional(
    Type.Enum(['1m', '1h', '1d'], {
      description: 'Width of the ingest buckets on the media timeline (default 1h).',
    }),
  ),
  ...PagingQuery,
});
export type UsageQuery = Static<typeof UsageQuery>;

const Figures = {
  segments: Count('Segments starting in the window (or bucket).'),
  duration: Duration('Sum of those segments’ durations (end − start).'),
  objects: Count('Distinct objects those segments reference.'),
  bytes: Bytes,
  unsized_objects: Unsized,
};

export const UsageBucket = Type.Object({
  timerange: describe(TimeRange, 'The bucket: `[start_start+width)` on the media timeline.'),
  ...Figures,
  media_rate: Type.Number({
    description: 'Seconds of media per second of the bucket (1 for a live Flow keeping up, 0 for none).',
  }),
  bytes_per_second: Type.Number({ description: 'Bytes per second of the bucket.' }),
});

export const UsageDoc = Type.Object({
  flow_id: Uuid,
  timerange: describe(TimeRange, 'The window reported.'),
  bucket: Type.String({ description: 'The bucket width.' }),
  ...Figures,
  first_segment: Type.Optional(describe(TimeRange, 'The first segment in the window.')),
  last_segment: Type.Optional(describe(TimeRange, 'The last segment in the window.')),
  ingest: Type.Array(UsageBucket, {
    description: 'The buckets holding segments, in timeline order; paged (`limit`, `page`, `Link`).',
  }),
});
export type UsageDoc = Static<typeof UsageDoc>;

export const CoverageQuery = Type.Object({
  timerange: describe(
    Type.Optional(TimeRange),
    'The part of the timeline looked at (default: all of it). Spans are cut to it; its ends count as gaps when uncovered.',
  ),
  min_gap: Type.Optional(
    describe(
      Timestamp,
      'Only holes longer than this are gaps; shorter ones are bridged (the spans run through them). Default: every hole holding at least one instant, even a single missing point such as between `[0:0_10:0)` and `(10:0_20:0)`.',
    ),
  ),
  stall_after: Type.Optional(
    describe(
      Timestamp,
      'A live Flow whose last segment ends this long before now (TAI) is stalled (default 60:0).',
    ),
  ),
  ...PagingQuery,
});
export type CoverageQuery = Static<typeof CoverageQuery>;

const Gap = Type.Object({
  timerange: describe(TimeRange, 'The gap (no segment holds any instant of it).'),
  duration: Duration('Its length.'),
});

export const CoverageDoc = Type.Object({
  flow_id: Uuid,
  timerange: describe(TimeRange, 'The part of the timeline looked at.'),
  spans: Type.Array(TimeRange, {
    description:
      'Covered spans in timeline order (adjacent segments such as `[0:0_10:0)` and `[10:0_20:0)` are one span), paged (`limit`, `page`).',
  }),
  gaps: Type.Array(Gap, { description: "The gaps around this page's spans, in timeline order." }),
  span_count: Count('Spans in all.'),
  gap_count: Count('Gaps in all.'),
  gap_total: Duration('Length of all gaps.'),
  covered: Duration('Length covered by segments (inside the window).'),
  segments: Count('Segments that overlap the window.'),
  end: Type.Optional(describe(Timestamp, "The end of the Flow's last segment (its whole timeline).")),
  behind: Type.Optional(Duration('How long before now (TAI) that end is; negative when it is ahead.')),
  live: Type.Boolean({
    description: "The Flow's timeline ends within a day of now (TAI): a live Flow, or one that was.",
  }),
  stalled: Type.Boolean({
    description: 'Live, and its last segment ends more than `stall_after` before now.',
  }),
});
export type CoverageDoc = Static<typeof CoverageDoc>;

export const StorageQuery = Type.Object({
  since: Type.Optional(
    describe(
      DateTime,
      'Growth in the buckets starting at or after this time (wall clock, UTC; default: 30 days before now).',
    ),
  ),
  bucket: Type.Optional(
    Type.Enum(['hour', 'day'], { description: 'Width of the growth buckets (default day).' }),
  ),
});
export type StorageQuery = Static<typeof StorageQuery>;

const StorageFigures = (objects: string) => ({
  objects: Count(objects),
  bytes: Bytes,
  unsized_objects: Unsized,
});

export const StorageDoc = Type.Object({
  backends: Type.Array(
    Type.Object({
      storage_id: Uuid,
      label: Type.Optional(Type.String()),
      ...StorageFigures(
        'Objects segments use in this backend (objects allocated and not used yet are counted in `unreferenced` only).',
      ),
    }),
  ),
  formats: Type.Array(
    Type.Object({
      format: Type.Union([Type.String(), Type.Null()], {
        description: 'The format of the Flow that first registered the objects (null: that Flow is gone).',
      }),
      ...StorageFigures(
        'Objects registered first by Flows of this format, external objects (no storage backend) included, as the size follower recorded them: every object segments use, once.',
      ),
    }),
  ),
  totals: Type.Object(
    StorageFigures(
      'Every object segments use, in a backend or external (objects allocated and not used yet are counted in `unreferenced` only).',
    ),
    { description: 'The whole store: the same objects as the backends with the external objects added.' },
  ),
  growth: Type.Object({
    since: DateTime,
    bucket: Type.String(),
    series: Type.Array(
      Type.Object({
        storage_id: Uuid,
        start: describe(DateTime, 'Start of the bucket: objects registered (wall clock) from then.'),
        objects: Count(
          'Objects of the backend registered in the bucket (as the size follower recorded them).',
        ),
        bytes: Bytes,
        unsized_objects: Count(
          'Of those objects, the ones whose backend had no bytes when the follower asked.',
        ),
      }),
    ),
  }),
  unreferenced: Type.Object({
    allocated_unused: Count(
      'Objects allocated by `POST /flows/{id}/storage` and never used by a segment: released after TAMS_UNUSED_OBJECT_GRACE_SECONDS.',
    ),
    awaiting_deletion: Count('Objects no segment uses any more whose bytes are queued for deletion.'),
  }),
});
export type StorageDoc = Static<typeof StorageDoc>;

export const DurationsQuery = Type.Object({
  flow_id: Type.Optional(describe(Uuid, 'One Flow’s segments.')),
  format: Type.Optional(Type.String({ description: 'Segments of Flows of this format.' })),
  codec: Type.Optional(Type.String({ description: 'Segments of Flows of this codec.' })),
  source_id: Type.Optional(describe(Uuid, 'Segments of the Flows of this Source.')),
  timerange: WindowQuery,
  group_by: Type.Optional(
    Type.Enum(['flow'], { description: '`flow`: the figures per Flow too, paged by Flow id.' }),
  ),
  ...PagingQuery,
});
export type DurationsQuery = Static<typeof DurationsQuery>;

const DurationFigures = {
  segments: Count('Segments.'),
  p50: Type.Optional(
    Duration('Median duration (nearest rank: the smallest duration at least half are ≤ to).'),
  ),
  p90: Type.Optional(Duration('90th percentile (nearest rank).')),
  p99: Type.Optional(Duration('99th percentile (nearest rank).')),
  min: Type.Optional(Duration('Shortest.')),
  max: Type.Optional(Duration('Longest.')),
  mean: Type.Optional(Duration('Mean, rounded down to the nanosecond.')),
};

export const DurationsDoc = Type.Object({
  ...DurationFigures,
  flows: Type.Optional(
    Type.Array(Type.Object({ flow_id: Uuid, ...DurationFigures }), {
      description: 'With `group_by=flow`: per Flow, by Flow id; paged (`limit`, `page`).',
    }),
  ),
});
export type DurationsDoc = Static<typeof DurationsDoc>;

export const TopQuery = Type.Object({
  by: Type.Optional(
    Type.Enum(['bytes', 'segments', 'duration', 'rate'], {
      description:
        'What the Flows are ranked by (default bytes): bytes of the objects they registered, segments, or media duration starting in the window; `rate` ranks by duration too and needs a bounded window.',
    }),
  ),
  timerange: WindowQuery,
  limit: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 100, description: 'How many Flows (default 10).' }),
  ),
});
export type TopQuery = Static<typeof TopQuery>;

export const TopDoc = Type.Object({
  by: Type.String(),
  timerange: TimeRange,
  flows: Type.Array(
    Type.Object({
      flow_id: Uuid,
      label: Type.Optional(Type.String()),
      format: Type.Optional(Type.String()),
      segments: Count('Segments starting in the window.'),
      duration: Duration('Their media duration.'),
      objects: Count(
        'Objects the Flow registered first whose registering segment starts in the window, as the size follower recorded them (with no object shared with another Flow, the objects its segments reference: its usage).',
      ),
      bytes: Count('Bytes of those objects whose size is known.'),
      unsized_objects: Unsized,
      media_rate: Type.Optional(
        Type.Number({ description: 'Seconds of media per second of a bounded window.' }),
      ),
      bytes_per_second: Type.Optional(Type.Number({ description: 'Bytes per second of a bounded window.' })),
    }),
  ),
  unsized_objects: Count(
    'Objects in the whole store whose size is not known (as `/analytics/storage` `totals` counts them): not ranked by bytes.',
  ),
});
export type TopDoc = Static<typeof TopDoc>;

export const EXPORT_TABLES = [
  'sources',
  'source_tags',
  'flows',
  'flow_tags',
  'flow_collections',
  'segments',
  'objects',
  'object_refs',
  'deletion_requests',
  'object_sizes',
] as const;

export const ExportQuery = Type.Object({
  table: Type.Enum(EXPORT_TABLES, {
    description:
      'The table (every declared column; timeranges as nanosecond integers and inclusivity flags). Credentials, webhooks, settings and internal tables cannot be exported.',
  }),
  format: Type.Optional(Type.Enum(['parquet', 'csv'], { description: 'Default parquet.' })),
  flow_id: Type.Optional(describe(Uuid, 'With table=segments: one Flow’s segments, by start.')),
  timerange: Type.Optional(describe(TimeRange, 'With table=segments: the segments whose start lies in it.')),
  limit: Type.Optional(
    Type.Integer({
      minimum: 1,
      description: 'Most rows (at most TAMS_ANALYTICS_EXPORT_MAX_ROWS, the default).',
    }),
  ),
});
export type ExportQuery = Static<typeof ExportQuery>;
