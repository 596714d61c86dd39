import type { TableDef } from '../../db/db.types.ts';

export const RPT = { jobs: 'replication_jobs', flows: 'replication_flows' } as const;

/**
 * Replication jobs (src/replication/): one row per job, what it follows on which origin and how,
 * what it is asked to do (`want`) and doing (`state`), and the lease of the replica running it
 * (`lease_owner`, `lease_until`), renewed as it goes: another replica takes a job whose lease
 * lapsed and resumes it from its Flows' cursors.
 */
export const replicationTables: TableDef[] = [
  {
    name: RPT.jobs,
    lookups: ['id'],
    columns: [
      { name: 'id', type: 'string', nullable: false },
      { name: 'label', type: 'string' },
      { name: 'description', type: 'string' },
      // The origin's API base (a mount: `https://host/tams/v8.2`), and its version once asked.
      { name: 'origin_url', type: 'string', nullable: false },
      { name: 'origin_version', type: 'string' },
      // How the job authenticates at the origin: none, bearer, basic, client_credentials; the
      // secret parts (token, password, client secret) are in `auth`, never shown nor logged.
      { name: 'auth_kind', type: 'string', nullable: false },
      { name: 'auth', type: 'json' },
      // What it follows: flow (an id), source (an id) or tags (name -> value).
      { name: 'select_kind', type: 'string', nullable: false },
      { name: 'select_value', type: 'json', nullable: false },
      // reference or copy; copy writes into `storage_id` (default: the default backend).
      { name: 'media', type: 'string', nullable: false },
      { name: 'storage_id', type: 'string' },
      { name: 'follow', type: 'boolean', nullable: false },
      { name: 'mirror_deletions', type: 'boolean', nullable: false },
      // keep (the origin's ids) or map (new ids here, recorded in replication_flows).
      { name: 'ids', type: 'string', nullable: false },
      // `run` or `pause`: what the client asked for.
      { name: 'want', type: 'string', nullable: false },
      // waiting, connecting, catching_up, following, retrying, paused, done, failed.
      { name: 'state', type: 'string', nullable: false },
      { name: 'lease_owner', type: 'string' },
      { name: 'lease_until', type: 'timestamp' },
      { name: 'created', type: 'timestamp', nullable: false },
      { name: 'created_by', type: 'string' },
      { name: 'updated', type: 'timestamp', nullable: false },
      { name: 'run_started', type: 'timestamp' },
      // When the first pass over every Flow ended.
      { name: 'caught_up', type: 'timestamp' },
      // The webhook the job registered on the origin (follow by events), and the key its
      // deliveries carry: a secret, never shown.
      { name: 'origin_webhook_id', type: 'string' },
      // webhook or polling, and why polling when a webhook was refused.
      { name: 'follow_by', type: 'string' },
      { name: 'follow_note', type: 'string' },
      { name: 'event_key', type: 'string' },
      // An event from the origin arrived: the replica running the job asks at once.
      { name: 'nudged', type: 'timestamp' },
      { name: 'segments_copied', type: 'int64', nullable: false, defaultValue: 0n },
      { name: 'objects_copied', type: 'int64', nullable: false, defaultValue: 0n },
      { name: 'bytes_copied', type: 'int64', nullable: false, defaultValue: 0n },
      { name: 'segments_refused', type: 'int64', nullable: false, defaultValue: 0n },
      { name: 'segments_deleted', type: 'int64', nullable: false, defaultValue: 0n },
      { name: 'origin_requests', type: 'int64', nullable: false, defaultValue: 0n },
      { name: 'restarts', type: 'int32', nullable: false, defaultValue: 0 },
      // How far behind the origin's newest segment the destination was at the last look (ms).
      { name: 'lag_ms', type: 'int64' },
      { name: 'last_error', type: 'string' },
      { name: 'last_error_at', type: 'timestamp' },
    ],
  },
  {
    // One row per origin Flow a job follows: where it goes here, and how far it is copied.
    name: RPT.flows,
    lookups: ['job_id', 'flow_id'],
    indexes: [['job_id', 'origin_flow_id']],
    columns: [
      { name: 'job_id', type: 'string', nullable: false },
      { name: 'origin_flow_id', type: 'string', nullable: false },
      { name: 'flow_id', type: 'string', nullable: false },
      { name: 'origin_source_id', type: 'string' },
      { name: 'source_id', type: 'string' },
      // The origin's metadata_version last copied: the Flow is put again when it changes.
      { name: 'metadata_version', type: 'string' },
      // The end of the last segment copied (ns) and whether it is inclusive: the next look asks
      // for what lies after it.
      { name: 'cursor_ns', type: 'int64' },
      { name: 'cursor_inclusive', type: 'boolean' },
      { name: 'segments', type: 'int64', nullable: false, defaultValue: 0n },
      // The origin no longer has the Flow (deleted there).
      { name: 'gone', type: 'boolean' },
      { name: 'updated', type: 'timestamp', nullable: false },
      { name: 'last_error', type: 'string' },
    ],
  },
];
