import type { TableDef } from '../../db/db.types.ts';

export const RT = { jobs: 'recording_jobs' } as const;

/**
 * The live recorder's jobs (src/recorder/): one row per job, what it records and into what, what
 * it is asked to do (`want`) and what it is doing (`state`), and the lease of the replica running
 * it (`lease_owner`, `lease_until`), renewed while its ffmpeg runs: another replica takes a job
 * whose lease lapsed, and goes on after `timeline_end`, the end of the last segment registered.
 */
export const recorderTables: TableDef[] = [
  {
    name: RT.jobs,
    lookups: ['id'],
    columns: [
      { name: 'id', type: 'string', nullable: false },
      { name: 'label', type: 'string' },
      { name: 'description', type: 'string' },
      // The source as the client gave it, and its kind: hls, udp, srt, rtmp, file.
      { name: 'source_url', type: 'string', nullable: false },
      { name: 'source_kind', type: 'string', nullable: false },
      // File sources: played at their own pace (true) or as fast as they are read.
      { name: 'realtime', type: 'boolean' },
      { name: 'segment_ns', type: 'int64', nullable: false },
      { name: 'container', type: 'string', nullable: false },
      { name: 'storage_id', type: 'string' },
      { name: 'tags', type: 'json' },
      // The loop recorder's window: segments older than this are deleted; null keeps everything.
      { name: 'retention_ns', type: 'int64' },
      // What it records into: the Source and multi Flow chosen at creation, the essence Flows
      // made from what the source carries when it is first probed ({video, audio[], captions}).
      { name: 'source_id', type: 'string', nullable: false },
      { name: 'multi_flow_id', type: 'string', nullable: false },
      { name: 'flows', type: 'json' },
      // `record` or `stop`: what the client asked for.
      { name: 'want', type: 'string', nullable: false },
      // waiting, starting, recording, retrying, stopped, failed (docs/recorder.md).
      { name: 'state', type: 'string', nullable: false },
      { name: 'lease_owner', type: 'string' },
      { name: 'lease_until', type: 'timestamp' },
      { name: 'created', type: 'timestamp', nullable: false },
      { name: 'created_by', type: 'string' },
      { name: 'updated', type: 'timestamp', nullable: false },
      // The run under way: when it started, and its replica.
      { name: 'run_started', type: 'timestamp' },
      // End (ns on the Flow timeline) of the last segment registered, over every Flow of the job.
      { name: 'timeline_end', type: 'int64' },
      // The last run's PTS-to-timeline mapping (recorder.timeline.ts, TimelineClock): a run that
      // takes the job over places segments of the same source clock where this one would have.
      { name: 'clock_offset_ns', type: 'int64' },
      { name: 'clock_ticks', type: 'int64' },
      { name: 'clock_pts', type: 'int64' },
      { name: 'clock_at_ns', type: 'int64' },
      { name: 'segments_written', type: 'int64', nullable: false, defaultValue: 0n },
      { name: 'restarts', type: 'int32', nullable: false, defaultValue: 0 },
      // How far the last segment registered ended behind the wall clock (ms).
      { name: 'lag_ms', type: 'int64' },
      { name: 'last_error', type: 'string' },
      { name: 'last_error_at', type: 'timestamp' },
    ],
  },
];
