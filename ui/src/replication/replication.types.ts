/** What a job follows: one Flow, every Flow of a Source, or every Flow with these tag values. */
export type Selection = { flow_id: string } | { source_id: string } | { tags: Record<string, string> };

/** How the job authenticates at the origin, as sent (the job shows only the kind). */
export type OriginAuth =
  | { type: 'none' }
  | { type: 'bearer'; token: string }
  | { type: 'basic'; username: string; password: string }
  | {
      type: 'client_credentials';
      token_url: string;
      client_id: string;
      client_secret: string;
      scope?: string;
    };

export type ReplicationState =
  | 'waiting'
  | 'connecting'
  | 'catching_up'
  | 'following'
  | 'retrying'
  | 'paused'
  | 'done'
  | 'failed';

/** A replication job as GET /replications answers it (src/replication/replication.schemas.ts). */
export interface Replication {
  id: string;
  label?: string;
  description?: string;
  origin: { url: string; version?: string; auth: OriginAuth['type'] };
  select: Selection;
  media: 'reference' | 'copy';
  storage_id?: string;
  follow: boolean;
  mirror_deletions: boolean;
  ids: 'keep' | 'map';
  want: 'run' | 'pause';
  state: ReplicationState;
  replica?: string;
  created: string;
  created_by?: string;
  updated: string;
  caught_up?: string;
  flows: number;
  segments_copied: number;
  objects_copied: number;
  bytes_copied: number;
  segments_refused: number;
  segments_deleted: number;
  origin_requests: number;
  restarts: number;
  /** How a following job learns of new segments: the origin's webhook, or asking it. */
  follow_by?: 'webhook' | 'polling';
  /** Why it polls, when a webhook could not be registered. */
  follow_note?: string;
  lag_ms?: number;
  last_error?: string;
  last_error_at?: string;
}

/** One origin Flow a job follows (GET /replications/{id}/flows). */
export interface ReplicationFlow {
  origin_flow_id: string;
  flow_id: string;
  origin_source_id?: string;
  source_id?: string;
  segments: number;
  copied_to?: string;
  gone: boolean;
  last_error?: string;
  updated: string;
}

/** What the Replicate dialog sends (POST /replications). */
export interface ReplicationRequest {
  origin: { url: string; auth?: OriginAuth };
  select: Selection;
  media: 'reference' | 'copy';
  follow: boolean;
  mirror_deletions: boolean;
  ids: 'keep' | 'map';
  label?: string;
}
