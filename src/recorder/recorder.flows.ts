import { createHash } from 'node:crypto';
import type { TamsServices } from '../feature/feature.types.ts';
import type { SourceProbe } from './recorder.probe.ts';
import type { Track } from './recorder.segmenter.ts';
import type { JobFlows, JobRecord } from './store/recorder.jobs.repo.ts';

const FORMAT = {
  video: 'urn:x-nmos:format:video',
  audio: 'urn:x-nmos:format:audio',
  multi: 'urn:x-nmos:format:multi',
  data: 'urn:x-nmos:format:data',
} as const;

/** WebVTT: the caption Flow's codec and container (what the HLS wing plays as subtitles). */
const WEBVTT = 'text/vtt';

/** The MIME type TAMS Flows name a codec by, for the codecs the recorder copies. */
const CODECS: Readonly<Record<string, string>> = {
  h264: 'video/h264',
  hevc: 'video/h265',
  mpeg2video: 'video/mp2v',
  aac: 'audio/aac',
  mp2: 'audio/mpeg',
  mp3: 'audio/mpeg',
  ac3: 'audio/ac3',
  eac3: 'audio/eac3',
};

/** A job's segments in fragmented MP4 (each with an init object: TAMS 8.2) rather than MPEG-TS. */
export const FMP4 = 'video/mp4';

/**
 * The container of a Flow of `kind` the job makes: MPEG-TS for both; fMP4 as `video/mp4` for
 * video and `audio/mp4` for audio, the MIME types of what each Flow's objects hold.
 */
export function containerOf(job: Pick<JobRecord, 'container'>, kind: 'video' | 'audio'): string {
  return job.container === FMP4 && kind === 'audio' ? 'audio/mp4' : job.container;
}

/** A track of the job and the Flow it is recorded into. */
export interface TrackFlow {
  track: Track;
  /** The timeline's key of the track. */
  key: string;
  flowId: string;
}

/** What a job records of a probed source: the video (when there is one) and every audio track. */
export function tracksOf(probe: SourceProbe): Track[] {
  return [
    ...(probe.video ? [{ kind: 'video' } as const] : []),
    ...probe.audio.map((a) => ({ kind: 'audio', index: a.index, codec: a.codec }) as const),
  ];
}

/**
 * Makes the job's Flows from what its source carries, through the Flows service (as PUT /flows
 * would: events, rules): a video Flow, a Flow per audio track, a caption Flow where the source
 * has a subtitle rendition and video to cut it by (`captions`), each on a Source of its own, and
 * the multi Flow over them on the job's Source. Run again (a takeover before the job's row was
 * saved), the PUTs find the Flows there and change nothing. An fMP4 job's video and audio Flows
 * say `init_segments` (TAMS 8.2; its segments name their init objects), so they are put as 8.2.
 */
export async function makeFlows(
  tams: TamsServices,
  job: JobRecord,
  probe: SourceProbe,
  captions = false,
): Promise<JobFlows> {
  const flows: JobFlows = job.flows ?? {
    ...(probe.video && { video: jobUuid(job.id, 'flow/video') }),
    audio: probe.audio.map((_, i) => jobUuid(job.id, `flow/audio ${i + 1}`)),
    ...(captions && probe.video && { captions: jobUuid(job.id, 'flow/captions') }),
  };
  // Each Flow says its own container (the multi Flow none: it has no segments of its own).
  const common = {
    ...(job.label !== undefined && { label: job.label }),
    ...(job.description !== undefined && { description: job.description }),
    ...(job.tags !== undefined && { tags: job.tags }),
  };
  const actor = job.created_by;
  const fmp4 = job.container === FMP4;
  const version = fmp4 ? '8.2' : '7.0';
  const inits = fmp4 ? { init_segments: true } : {};
  const members: { id: string; role: string }[] = [];
  const video = probe.video;
  if (video && flows.video !== undefined) {
    const rate = video.frameRate;
    await tams.flows.put(
      flows.video,
      {
        id: flows.video,
        source_id: sourceIdOf(job, 'video'),
        format: FORMAT.video,
        codec: CODECS[video.codec] ?? `video/${video.codec}`,
        essence_parameters: {
          frame_width: video.width,
          frame_height: video.height,
          ...(rate && { frame_rate: { numerator: rate.numerator, denominator: rate.denominator } }),
          ...inits,
        },
        ...common,
        container: containerOf(job, 'video'),
      },
      actor,
      version,
    );
    members.push({ id: flows.video, role: 'video' });
  }
  for (const [i, audio] of probe.audio.entries()) {
    const id = flows.audio[i];
    if (id === undefined) continue;
    await tams.flows.put(
      id,
      {
        id,
        source_id: sourceIdOf(job, `audio ${i + 1}`),
        format: FORMAT.audio,
        codec: CODECS[audio.codec] ?? `audio/${audio.codec}`,
        essence_parameters: { sample_rate: audio.sampleRate, channels: audio.channels, ...inits },
        ...common,
        container: containerOf(job, 'audio'),
      },
      actor,
      version,
    );
    members.push({ id, role: probe.audio.length === 1 ? 'audio' : `audio ${i + 1}` });
  }
  if (flows.captions !== undefined) {
    await tams.flows.put(
      flows.captions,
      {
        id: flows.captions,
        source_id: sourceIdOf(job, 'captions'),
        format: FORMAT.data,
        codec: WEBVTT,
        ...common,
        container: WEBVTT,
      },
      actor,
    );
    members.push({ id: flows.captions, role: 'captions' });
  }
  // No container: the multi Flow has no segments of its own, and so is played (HLS, the web UI)
  // as the multivariant playlist of its members.
  await tams.flows.put(
    job.multi_flow_id,
    {
      id: job.multi_flow_id,
      source_id: job.source_id,
      format: FORMAT.multi,
      flow_collection: members,
      ...common,
    },
    actor,
  );
  return flows;
}

/**
 * A UUID named by the job and a role (RFC 9562's version 5: SHA-1 of the job's id as namespace and
 * the name): a run that makes the Flows again after a takeover, before the job's row recorded
 * them, names the same Flows and Sources instead of leaving others behind.
 */
export function jobUuid(jobId: string, name: string): string {
  const namespace = Buffer.from(jobId.replaceAll('-', ''), 'hex');
  const bytes = createHash('sha1').update(namespace).update(name, 'utf8').digest().subarray(0, 16);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function sourceIdOf(job: JobRecord, role: string): string {
  return jobUuid(job.id, `source/${role}`);
}

/** Each track of the job with the Flow it records into. */
export function trackFlows(tracks: readonly Track[], flows: JobFlows): TrackFlow[] {
  const out: TrackFlow[] = [];
  let audio = 0;
  for (const track of tracks) {
    if (track.kind === 'video' && flows.video !== undefined)
      out.push({ track, key: 'video', flowId: flows.video });
    if (track.kind === 'audio') {
      const flowId = flows.audio[audio++];
      if (flowId !== undefined) out.push({ track, key: `audio:${track.index}`, flowId });
    }
  }
  return out;
}
