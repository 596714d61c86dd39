import type { Tags } from '../api/types.ts';

/** A recording job as GET /recordings answers it (src/recorder/recorder.schemas.ts). */
export interface Recording {
  id: string;
  label?: string;
  description?: string;
  source: { url: string; kind: 'hls' | 'udp' | 'srt' | 'rtmp' | 'file'; realtime?: boolean };
  segment_duration: number;
  container: string;
  storage_id?: string;
  tags?: Tags;
  retention_seconds?: number;
  source_id: string;
  flow_ids: { multi: string; video?: string; audio: string[]; captions?: string };
  want: 'record' | 'stop';
  state: 'waiting' | 'starting' | 'recording' | 'retrying' | 'stopped' | 'failed';
  replica?: string;
  created: string;
  created_by?: string;
  updated: string;
  run_started?: string;
  segments_written: number;
  restarts: number;
  lag_ms?: number;
  last_error?: string;
  last_error_at?: string;
}

/** What the New recording form sends (POST /recordings). */
export interface RecordingRequest {
  source: { url: string; realtime?: boolean };
  label?: string;
  segment_duration?: number;
  retention_seconds?: number;
  container?: 'video/mp2t' | 'video/mp4';
}
