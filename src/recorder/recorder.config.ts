import { Type } from 'typebox';
import type { SettingsOf, WorkerSettings } from '../feature/feature.types.ts';

/** The TAMS_* settings of the live recorder (spread into the one config schema). */
export const recorderSettings = {
  TAMS_RECORDER: Type.Boolean({
    default: true,
    description:
      'The live recorder (`/recordings`): jobs that record a live source (HLS, MPEG-TS over UDP or SRT, RTMP, a file) into a Source and its Flows, run by any replica under a lease (docs/recorder.md). Its media work is done by ffmpeg, which must be installed where jobs run.',
  }),
  TAMS_RECORDER_ALLOW: Type.String({
    default: '',
    description:
      'Comma-separated addresses, CIDRs or host names recording sources may reach although not public unicast (private, loopback, link-local, multicast, reserved): refused otherwise, against server-side request forgery. E.g. `239.0.0.0/8,10.1.2.0/24,encoder.studio.internal`.',
  }),
  TAMS_RECORDER_FILE_DIR: Type.String({
    default: '',
    description:
      'The directory file sources are read from (`file:` URLs name a file under it); empty: file sources are refused.',
  }),
  TAMS_RECORDER_FFMPEG: Type.String({
    default: 'ffmpeg',
    description: 'The ffmpeg the recorder runs (a name on PATH or a path).',
  }),
  TAMS_RECORDER_FFPROBE: Type.String({
    default: 'ffprobe',
    description: 'The ffprobe the recorder runs to learn what a source carries.',
  }),
  TAMS_RECORDER_MAX_JOBS: Type.Integer({
    default: 4,
    minimum: 0,
    maximum: 256,
    description:
      'Recording jobs one replica runs at once (each an ffmpeg process); 0: this replica runs none (it still serves the API).',
  }),
  TAMS_RECORDER_PROBE_SECONDS: Type.Integer({
    default: 15,
    minimum: 1,
    maximum: 600,
    description:
      'How long a source may take to show its streams when a run starts; a source silent for longer is retried with backoff, the job `retrying` with the reason in `last_error`.',
  }),
  TAMS_RECORDER_WORK_DIR: Type.String({
    default: '',
    description:
      'Where segments are written before upload (deleted once registered); empty: `recorder/` in the data directory.',
  }),
};

/** The settings the recorder reads: its own, and the workers'. */
export type RecorderConfig = SettingsOf<typeof recorderSettings> &
  WorkerSettings & { readonly TAMS_DATA_DIR: string };
