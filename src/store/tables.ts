import type { ColumnDef, TableDef } from '../db/db.types.ts';
import { migrationTables } from '../db/migrate/migrate.history.ts';

/**
 * The store's tables. Adding a nullable column (or one with a default) here adds it to existing
 * tables at the next start (schema evolution in db/manager.ts). Anything else (moving data,
 * backfilling, renaming, retiring a table) is a versioned migration: src/store/migrations/.
 * Tables are never dropped implicitly.
 *
 * Relations are plain tables (tags, collection membership) rather than nested JSON so that every
 * filter the API offers is a predicate the engines can push down.
 *
 * `indexes` name the column lists the store's hot queries filter on together (a Flow's segments
 * by time, objects and references by id, the outbox by seq, guard rows by key): PostgreSQL builds
 * a btree on each; DuckDB and VAST ignore them. Each costs every write to its table (1,000
 * segments: 5.0 ms without the two segment indexes, 13.7 ms with them, on 1M rows).
 */
export const T = {
  settings: 'service_settings',
  sources: 'sources',
  sourceTags: 'source_tags',
  flows: 'flows',
  flowTags: 'flow_tags',
  collections: 'flow_collections',
  segments: 'segments',
  objects: 'objects',
  objectRefs: 'object_refs',
  allocations: 'allocations',
  mediaGc: 'media_gc',
  deletions: 'deletion_requests',
  events: 'events',
  webhooks: 'webhooks',
  parkedEvents: 'parked_events',
  users: 'auth_users',
  tokens: 'auth_tokens',
  guards: 'guards',
  eventSlots: 'event_slots',
  profiles: 'profiles',
  instances: 'object_instances',
} as const;

/** A timerange as four columns: bounds in nanoseconds (null = unbounded) and inclusivity flags. */
function rangeColumns(prefix: string): ColumnDef[] {
  return [
    { name: `${prefix}_start`, type: 'int64' },
    { name: `${prefix}_end`, type: 'int64' },
    { name: `${prefix}_start_incl`, type: 'boolean' },
    { name: `${prefix}_end_incl`, type: 'boolean' },
  ];
}

/**
 * The core's tables. The wings beyond the spec (search, EXR, analytics) declare theirs in their
 * own folders; the composition root opens them beside these when they are switched on.
 */
export const storeTables: TableDef[] = [
  {
    name: T.settings,
    columns: [
      { name: 'key', type: 'string', nullable: false },
      { name: 'value', type: 'json' },
    ],
  },
  {
    name: T.sources,
    columns: [
      { name: 'id', type: 'string', nullable: false },
      { name: 'format', type: 'string', nullable: false },
      { name: 'label', type: 'string' },
      { name: 'description', type: 'string' },
      { name: 'created_by', type: 'string' },
      { name: 'updated_by', type: 'string' },
      { name: 'created', type: 'timestamp' },
      { name: 'updated', type: 'timestamp' },
    ],
    indexes: [['id']],
  },
  {
    name: T.sourceTags,
    columns: [
      { name: 'source_id', type: 'string', nullable: false },
      { name: 'name', type: 'string', nullable: false },
      { name: 'value', type: 'string', nullable: false },
      // Null for a string tag; for a list tag (TAMS 8.x) the element's index, EMPTY_LIST for an
      // empty list (tags.values.ts).
      { name: 'pos', type: 'int32' },
    ],
    indexes: [['source_id'], ['name', 'value']],
  },
  {
    name: T.flows,
    columns: [
      { name: 'id', type: 'string', nullable: false },
      { name: 'source_id', type: 'string', nullable: false },
      { name: 'format', type: 'string', nullable: false },
      { name: 'codec', type: 'string' },
      { name: 'container', type: 'string' },
      { name: 'label', type: 'string' },
      { name: 'description', type: 'string' },
      { name: 'created_by', type: 'string' },
      { name: 'updated_by', type: 'string' },
      { name: 'created', type: 'timestamp' },
      { name: 'metadata_updated', type: 'timestamp' },
      { name: 'segments_updated', type: 'timestamp' },
      { name: 'metadata_version', type: 'string' },
      { name: 'read_only', type: 'boolean' },
      { name: 'generation', type: 'int64' },
      { name: 'avg_bit_rate', type: 'int64' },
      { name: 'max_bit_rate', type: 'int64' },
      // Projections of essence_parameters kept as columns because /flows filters on them.
      { name: 'frame_width', type: 'int64' },
      { name: 'frame_height', type: 'int64' },
      { name: 'essence_parameters', type: 'json' },
      { name: 'segment_duration', type: 'json' },
      { name: 'container_mapping', type: 'json' },
      // Properties the spec leaves open (flow-core has no additionalProperties: false), kept verbatim.
      { name: 'extra', type: 'json' },
      // The Flow's timerange: the envelope of its segments, maintained by segment writes.
      // All null when the Flow has no segments. Nanoseconds, never strings (DESIGN.md).
      { name: 'tr_start', type: 'int64' },
      { name: 'tr_end', type: 'int64' },
      { name: 'tr_start_incl', type: 'boolean' },
      { name: 'tr_end_incl', type: 'boolean' },
      // Set when an asynchronous deletion has taken the Flow away: it is gone for clients while a
      // background worker removes its segments, then the row goes too.
      { name: 'deleting', type: 'boolean' },
      // TAMS 8.2: `status` and `profile_id` (null when unset), and essence_parameters'
      // `init_segments` for the /flows filter (null in rows written before it: flows.filters.ts).
      { name: 'status', type: 'string' },
      { name: 'profile_id', type: 'string' },
      { name: 'init_segments', type: 'boolean' },
      // Set (never cleared) once an object the Flow's segments use may have object instances:
      // it re-used an object, was given get_urls, or an object of its got an instance. Read with
      // the Flow's envelope by its segment pages, which look up instances only where it is set
      // (stores without the cache: ObjectInstances.markFlows). Null in older rows: not set.
      { name: 'instances', type: 'boolean' },
    ],
    indexes: [['id'], ['source_id']],
  },
  {
    name: T.flowTags,
    columns: [
      { name: 'flow_id', type: 'string', nullable: false },
      { name: 'name', type: 'string', nullable: false },
      { name: 'value', type: 'string', nullable: false },
      // As source_tags.pos.
      { name: 'pos', type: 'int32' },
    ],
    indexes: [['flow_id'], ['name', 'value']],
  },
  {
    name: T.collections,
    columns: [
      { name: 'collector_id', type: 'string', nullable: false },
      { name: 'member_id', type: 'string', nullable: false },
      { name: 'position', type: 'int32', nullable: false },
      { name: 'role', type: 'string', nullable: false },
      { name: 'container_mapping', type: 'json' },
    ],
    indexes: [['collector_id'], ['member_id']],
  },
  {
    // Flow segments. Within a Flow segments never overlap, so (flow_id, seg_start, seg_start_incl)
    // identifies one: the key every update and delete uses.
    name: T.segments,
    columns: [
      { name: 'flow_id', type: 'string', nullable: false },
      { name: 'seg_start', type: 'int64', nullable: false },
      { name: 'seg_end', type: 'int64', nullable: false },
      { name: 'seg_start_incl', type: 'boolean', nullable: false },
      { name: 'seg_end_incl', type: 'boolean', nullable: false },
      { name: 'object_id', type: 'string', nullable: false },
      // Where the object's bytes are, copied from the object at registration so that reading
      // segments (and making their URLs) needs no lookup of objects; null for external objects.
      // storage_path is null also when it is the default key, `<flow_id>/<object_id>`.
      { name: 'storage_id', type: 'string' },
      { name: 'storage_path', type: 'string' },
      { name: 'ts_offset', type: 'int64' },
      { name: 'last_duration', type: 'int64' },
      { name: 'sample_offset', type: 'int64' },
      { name: 'sample_count', type: 'int64' },
      { name: 'key_frame_count', type: 'int64' },
      // Client-supplied (uncontrolled) URLs [{url, label?}], as written before object instances
      // (migration 4 moved them to object_instances): no longer read, written null, kept so that
      // the data of a store taken back to the version before stays.
      { name: 'get_urls', type: 'json' },
      // The object's timerange (objects.otr_*), copied only where it is not the segment's
      // timerange - ts_offset (a partly used object): null in the common row.
      ...rangeColumns('otr'),
      // The object's initialisation segment object (TAMS 8.2, ADR 0045), copied from the object
      // (set for good at its first registration) so that pages need no object lookup for it.
      { name: 'init_object_id', type: 'string' },
      // The embedded store's write sequence of the inserting transaction, increasing in the order
      // rows are appended (null from other writers): a Flow's index snapshot current to sequence
      // S loads with the rows above S only (segment-index.snapshot.ts).
      { name: 'seq', type: 'int64' },
    ],
    // Pages walk seg_start; overlap checks look from the new segment's start on, by seg_end.
    indexes: [
      ['flow_id', 'seg_start'],
      ['flow_id', 'seg_end'],
    ],
  },
  {
    // Media objects: where the bytes are (storage_path, a key decided at allocation; URLs are
    // generated from it on demand and never stored) and which Flow they were allocated for.
    name: T.objects,
    columns: [
      { name: 'id', type: 'string', nullable: false },
      { name: 'storage_id', type: 'string' },
      { name: 'storage_path', type: 'string' },
      { name: 'allocated_for', type: 'string' },
      { name: 'created', type: 'timestamp', nullable: false },
      // What the object's first segment set for good (8.2 object.json `timerange`, ADR 0036,
      // and `key_frame_count`), once its first reference row (object_refs) no longer holds it;
      // written at once for external objects: objects/object-times.ts. So is its init object.
      ...rangeColumns('otr'),
      { name: 'key_frame_count', type: 'int64' },
      { name: 'init_object_id', type: 'string' },
    ],
    indexes: [['id'], ['allocated_for']],
  },
  {
    // Object instances (TAMS 8.2, ADR 0038; objects/instances.types.ts): where an object's bytes
    // can be read besides its own storage. Client URLs (uncontrolled: url, label) and copies this
    // server makes on its other backends (controlled: storage_id, storage_path, with their copy
    // worker's state, attempts and lease). Segment registrations of either version add their
    // `get_urls` here (segments.get_urls is no longer read: migration 4 moved it).
    name: T.instances,
    columns: [
      { name: 'object_id', type: 'string', nullable: false },
      // The object and what identifies the instance within it (instanceKey): per-row updates.
      { name: 'instance_key', type: 'string', nullable: false },
      { name: 'controlled', type: 'boolean', nullable: false },
      { name: 'url', type: 'string' },
      { name: 'label', type: 'string' },
      { name: 'storage_id', type: 'string' },
      { name: 'storage_path', type: 'string' },
      // `ready` (advertised), `copying` (a controlled copy not made yet), `failed`.
      { name: 'state', type: 'string', nullable: false },
      { name: 'created', type: 'timestamp', nullable: false },
      { name: 'pos', type: 'int32', nullable: false },
      { name: 'attempts', type: 'int32' },
      { name: 'next_attempt', type: 'timestamp' },
      { name: 'error', type: 'string' },
      // Which replica copies it, until when: another takes over after a crash.
      { name: 'lease_owner', type: 'string' },
      { name: 'lease_until', type: 'timestamp' },
    ],
    lookups: ['object_id'],
    indexes: [['object_id'], ['instance_key'], ['state']],
  },
  {
    // Objects allocated by /storage: a row stays until the object's first segment is registered
    // (with the store's cache: until housekeeping sees the object used), or until housekeeping
    // releases the object unused after a grace period.
    name: T.allocations,
    columns: [
      { name: 'object_id', type: 'string', nullable: false },
      { name: 'flow_id', type: 'string' },
      { name: 'created', type: 'timestamp', nullable: false },
      // The object's location again, so unused allocations load without reading `objects`.
      { name: 'storage_id', type: 'string' },
      { name: 'storage_path', type: 'string' },
    ],
    indexes: [['object_id'], ['flow_id'], ['created']],
  },
  {
    // Reference counts: how many segments of each Flow use each object. `first` marks the Flow
    // that used the object first (first_referenced_by_flow); ref_key is object and Flow in one
    // column, the key of per-row updates.
    name: T.objectRefs,
    columns: [
      { name: 'ref_key', type: 'string', nullable: false },
      { name: 'object_id', type: 'string', nullable: false },
      { name: 'flow_id', type: 'string', nullable: false },
      { name: 'segments', type: 'int64', nullable: false },
      { name: 'first', type: 'boolean', nullable: false, defaultValue: false },
      // On the `first` row: what the object's first segment set (objects.otr_*), written by the
      // registration in the row it inserts anyway, so that it adds no statement on any engine.
      // Inclusivity flags null for `[start_end)`: objects/object-times.ts. And its init object.
      ...rangeColumns('otr'),
      { name: 'key_frame_count', type: 'int64' },
      { name: 'init_object_id', type: 'string' },
      // On every row of an initialisation segment object (ADR 0045): its references are the
      // segments whose objects it initialises, counted per Flow as a media object's are (so it
      // stays while one is left, and is released with the last), and it is never a media object.
      { name: 'init', type: 'boolean' },
    ],
    indexes: [['object_id', 'flow_id'], ['ref_key'], ['flow_id']],
  },
  {
    // Bytes to delete from a backend: queued in the transaction that dropped the last reference,
    // deleted by a background worker with retries. A row stays after the first deletion while a
    // PUT URL issued at allocation may still be valid (`deleted` set), so the key is deleted again
    // once they have all expired: a replayed URL cannot leave bytes nothing tracks.
    name: T.mediaGc,
    columns: [
      { name: 'storage_id', type: 'string', nullable: false },
      { name: 'storage_path', type: 'string', nullable: false },
      { name: 'object_id', type: 'string', nullable: false },
      { name: 'queued', type: 'timestamp', nullable: false },
      { name: 'attempts', type: 'int32', nullable: false },
      { name: 'next_attempt', type: 'timestamp', nullable: false },
      { name: 'last_error', type: 'string' },
      // When the object was allocated (its PUT URLs issued); null in rows of earlier versions.
      { name: 'allocated', type: 'timestamp' },
      // When the bytes were first deleted; the row then waits for the PUT URLs to expire.
      { name: 'deleted', type: 'timestamp' },
    ],
    indexes: [['storage_id', 'storage_path'], ['next_attempt']],
  },
  {
    name: T.deletions,
    columns: [
      { name: 'id', type: 'string', nullable: false },
      { name: 'flow_id', type: 'string', nullable: false },
      { name: 'delete_flow', type: 'boolean', nullable: false },
      { name: 'object_id', type: 'string' },
      { name: 'status', type: 'string', nullable: false },
      ...rangeColumns('del'),
      ...rangeColumns('rem'),
      { name: 'created', type: 'timestamp', nullable: false },
      { name: 'created_by', type: 'string' },
      { name: 'updated', type: 'timestamp', nullable: false },
      { name: 'expiry', type: 'timestamp' },
      { name: 'error', type: 'json' },
      // Which replica works on it, until when: another takes over after a crash.
      { name: 'lease_owner', type: 'string' },
      { name: 'lease_until', type: 'timestamp' },
    ],
    indexes: [['id']],
  },
  {
    // The outbox: every TAMS event, written in the transaction of the change it describes (so
    // none is lost and none describes a change that rolled back). `seq` orders them; the filter
    // columns let deliveries apply webhook filters without reading the payload.
    name: T.events,
    columns: [
      { name: 'seq', type: 'int64', nullable: false },
      { name: 'event_type', type: 'string', nullable: false },
      { name: 'event_timestamp', type: 'timestamp', nullable: false },
      { name: 'flow_id', type: 'string' },
      { name: 'source_id', type: 'string' },
      { name: 'flow_collected_by', type: 'json' },
      { name: 'source_collected_by', type: 'json' },
      { name: 'payload', type: 'json', nullable: false },
    ],
    indexes: [['seq']],
  },
  {
    // Registered webhooks (7.0 identifies them by url + api key name + value; `id` is ours) and
    // their delivery state: `cursor` is the seq of the last event delivered or skipped.
    name: T.webhooks,
    columns: [
      { name: 'id', type: 'string', nullable: false },
      { name: 'url', type: 'string', nullable: false },
      { name: 'api_key_name', type: 'string' },
      { name: 'api_key_value', type: 'string' },
      { name: 'events', type: 'json', nullable: false },
      { name: 'filters', type: 'json' },
      { name: 'owner', type: 'string' },
      { name: 'created', type: 'timestamp', nullable: false },
      { name: 'cursor', type: 'int64', nullable: false, defaultValue: 0n },
      { name: 'attempts', type: 'int32', nullable: false, defaultValue: 0 },
      { name: 'next_attempt', type: 'timestamp' },
      { name: 'last_error', type: 'string' },
      { name: 'lease_owner', type: 'string' },
      { name: 'lease_until', type: 'timestamp' },
      // The credential that registered it (added later: null in rows registered before, which
      // are judged by `owner` alone) and the scopes it granted then; deliveries stop with it.
      { name: 'owner_scheme', type: 'string' },
      { name: 'owner_credential', type: 'string' },
      { name: 'owner_scopes', type: 'json' },
      // Why deliveries are suspended (the owner may no longer read); null while they run.
      { name: 'suspended', type: 'string' },
      // TAMS 8.2 (added later: null in older rows, which are 7.0's, `started` unless suspended).
      // The API version it was created through, fixed for life: its payloads' version.
      { name: 'api_version', type: 'string' },
      // `created` (not delivering yet), `started`, `disabled` (by a client); `error` is
      // derived from `suspended`.
      { name: 'status', type: 'string' },
      { name: 'tags', type: 'json' },
      // When deliveries were suspended (the time of the 8.2 `error`).
      { name: 'suspended_at', type: 'timestamp' },
    ],
  },
  {
    // Events a webhook could not take after every retry: kept for operators.
    name: T.parkedEvents,
    columns: [
      { name: 'webhook_id', type: 'string', nullable: false },
      { name: 'seq', type: 'int64', nullable: false },
      { name: 'event_type', type: 'string', nullable: false },
      { name: 'attempts', type: 'int32', nullable: false },
      { name: 'error', type: 'string' },
      { name: 'parked', type: 'timestamp', nullable: false },
    ],
  },
  {
    // HTTP Basic users (src/auth): the password as a PHC string (scrypt, its parameters and a
    // per-user salt), so the cost can be raised for new passwords without breaking old ones.
    name: T.users,
    columns: [
      { name: 'name', type: 'string', nullable: false },
      { name: 'password', type: 'string', nullable: false },
      { name: 'scopes', type: 'json', nullable: false },
      { name: 'created', type: 'timestamp', nullable: false },
      { name: 'created_by', type: 'string' },
    ],
    indexes: [['name']],
  },
  {
    // API tokens issued by the server (src/auth): only the SHA-256 of the token is kept; `hint`
    // is its first characters, for people to recognise it. Revoked tokens stay, for the record.
    name: T.tokens,
    columns: [
      { name: 'id', type: 'string', nullable: false },
      { name: 'name', type: 'string', nullable: false },
      { name: 'principal', type: 'string', nullable: false },
      { name: 'hash', type: 'string', nullable: false },
      { name: 'hint', type: 'string', nullable: false },
      { name: 'scopes', type: 'json', nullable: false },
      { name: 'created', type: 'timestamp', nullable: false },
      { name: 'created_by', type: 'string' },
      { name: 'expires', type: 'timestamp' },
      { name: 'revoked', type: 'timestamp' },
    ],
    indexes: [['hash'], ['id'], ['principal']],
  },
  {
    // Rows that transactions update to exclude each other across replicas (guards.repo.ts):
    // stripes of names (`stripe:0042`) and the leases of background jobs (`lease:media-gc`).
    // A key may have several rows (replicas that first started together each added theirs).
    name: T.guards,
    columns: [
      { name: 'key', type: 'string', nullable: false },
      // Changed by every claim, so that two claims of one row conflict at commit.
      { name: 'stamp', type: 'int64' },
      // A lease's holder and end; null for stripes and for a lease nobody holds.
      { name: 'owner', type: 'string' },
      { name: 'until', type: 'timestamp' },
    ],
    indexes: [['key']],
  },
  {
    // On a shared database, each replica numbers its events in a slot of its own (the low bits
    // of `seq`); a slot's row holds the highest tick issued in it or promised past, and the
    // replica holding it until when (outbox/events.slots.ts).
    name: T.eventSlots,
    columns: [
      { name: 'slot', type: 'int32', nullable: false },
      { name: 'high', type: 'int64', nullable: false },
      { name: 'owner', type: 'string' },
      { name: 'until', type: 'timestamp' },
    ],
  },
  {
    // Flow Profiles (TAMS 8.2, ADR 0047): written once, never changed or deleted. The document
    // is kept as sent (`flow_metadata`, `tags`, and `extra`: properties profile.json does not
    // name); `format` and `codec` repeat the metadata's, for the listing's filters.
    name: T.profiles,
    columns: [
      { name: 'id', type: 'string', nullable: false },
      { name: 'label', type: 'string' },
      { name: 'description', type: 'string' },
      { name: 'created_by', type: 'string' },
      { name: 'created', type: 'timestamp', nullable: false },
      { name: 'tags', type: 'json' },
      { name: 'flow_metadata', type: 'json', nullable: false },
      { name: 'format', type: 'string' },
      { name: 'codec', type: 'string' },
      { name: 'extra', type: 'json' },
    ],
    lookups: ['id'],
    indexes: [['id']],
  },
  // The schema version (the migrations applied) and the lease of the replica applying them.
  ...migrationTables,
];
