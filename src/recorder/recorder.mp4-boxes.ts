/**
 * The times a fragmented MP4 segment carries, read from its boxes (ISO/IEC 14496-12): what "the
 * media's timestamps" mean for an fMP4 recording, exactly, in the track's own timescale.
 *
 * - The init segment (ftyp + moov) gives the track's timescale (`mdhd`) and the defaults a
 *   fragment may lean on (`trex`: sample duration).
 * - Each fragment (`moof`) gives per track run (`traf`) the decode time of its first sample
 *   (`tfdt`, which ffmpeg's `frag_discont` sets to the source's own DTS) and per sample a duration
 *   and a composition offset (`trun`, else the `tfhd`/`trex` defaults).
 * - A sample is presented at its decode time plus its composition offset, less the edit list's
 *   media time (`elst`: where the presentation begins on the media timeline). ffmpeg writes
 *   video with B-frames shifted by the first composition offset in both `tfdt` and `elst`
 *   (measured on 5.1: 7200 ticks at 25 fps, 2 frames), so the presentation times come out as the
 *   PTS the source carried, which is also what ffmpeg and ffprobe read back.
 */

/** The parts of an init segment a fragment's times are read with. */
export interface Mp4TrackInfo {
  /** Units per second of the track's times. */
  timescale: number;
  /** `trex`'s default sample duration (0 when the fragments must say). */
  defaultDuration: number;
  /** The edit list's first media time (where the presentation begins), 0 without one. */
  editShift: bigint;
}

/** A fragment's earliest presentation time and the end of its last presented sample. */
export interface FragmentTimes {
  /** In the track's timescale; not wrapped (64-bit decode times). */
  start: bigint;
  end: bigint;
}

interface Box {
  type: string;
  /** Where the box's content begins and the box ends. */
  body: number;
  end: number;
}

/** The boxes laid one after another in `bytes` between `from` and `to`. */
function* boxes(bytes: Uint8Array, from: number, to: number): Generator<Box> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = from;
  while (at + 8 <= to) {
    let size = view.getUint32(at);
    const type = String.fromCharCode(
      bytes[at + 4] as number,
      bytes[at + 5] as number,
      bytes[at + 6] as number,
      bytes[at + 7] as number,
    );
    let body = at + 8;
    if (size === 1) {
      if (at + 16 > to) return;
      size = Number(view.getBigUint64(at + 8));
      body = at + 16;
    } else if (size === 0) {
      size = to - at; // to the end of the enclosing space
    }
    if (size < body - at || at + size > to) return; // cut short: nothing more to trust
    yield { type, body, end: at + size };
    at += size;
  }
}

function child(bytes: Uint8Array, parent: Box | null, type: string): Box | undefined {
  for (const box of boxes(bytes, parent?.body ?? 0, parent?.end ?? bytes.length))
    if (box.type === type) return box;
  return undefined;
}

function path(bytes: Uint8Array, types: readonly string[]): Box | undefined {
  let box: Box | null = null;
  for (const type of types) {
    const next = child(bytes, box, type);
    if (next === undefined) return undefined;
    box = next;
  }
  return box ?? undefined;
}

/** The first track's timescale and `trex` default duration; null when `bytes` has no moov track. */
export function mp4TrackInfo(bytes: Uint8Array): Mp4TrackInfo | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const mdhd = path(bytes, ['moov', 'trak', 'mdia', 'mdhd']);
  if (mdhd === undefined) return null;
  const version = bytes[mdhd.body] as number;
  // version, flags; creation and modification times (4 or 8 bytes each); then the timescale.
  const at = mdhd.body + 4 + (version === 1 ? 16 : 8);
  if (at + 4 > mdhd.end) return null;
  const timescale = view.getUint32(at);
  if (timescale === 0) return null;
  const trex = path(bytes, ['moov', 'mvex', 'trex']);
  // version, flags, track_ID, default_sample_description_index, default_sample_duration.
  const defaultDuration =
    trex !== undefined && trex.body + 16 <= trex.end ? view.getUint32(trex.body + 12) : 0;
  return { timescale, defaultDuration, editShift: editShift(bytes, view) };
}

/** The media time of the first edit that is not empty (media_time -1 is an empty one). */
function editShift(bytes: Uint8Array, view: DataView): bigint {
  const elst = path(bytes, ['moov', 'trak', 'edts', 'elst']);
  if (elst === undefined) return 0n;
  const version = bytes[elst.body] as number;
  const count = view.getUint32(elst.body + 4);
  const size = version === 1 ? 20 : 12;
  for (let i = 0, at = elst.body + 8; i < count && at + size <= elst.end; i++, at += size) {
    const media = version === 1 ? view.getBigInt64(at + 8) : BigInt(view.getInt32(at + 4));
    if (media !== -1n) return media;
  }
  return 0n;
}

/**
 * The earliest presentation time and the latest presentation end over every sample of the
 * fragment's first track; null when it holds no sample with a decode time.
 */
export function fragmentTimes(bytes: Uint8Array, info: Mp4TrackInfo): FragmentTimes | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let start: bigint | null = null;
  let end: bigint | null = null;
  let trackId: number | null = null;
  for (const moof of boxes(bytes, 0, bytes.length)) {
    if (moof.type !== 'moof') continue;
    for (const traf of boxes(bytes, moof.body, moof.end)) {
      if (traf.type !== 'traf') continue;
      const tfhd = child(bytes, traf, 'tfhd');
      const tfdt = child(bytes, traf, 'tfdt');
      if (tfhd === undefined || tfdt === undefined || tfhd.body + 8 > tfhd.end) continue;
      const id = view.getUint32(tfhd.body + 4);
      if (trackId !== null && id !== trackId) continue;
      trackId = id;
      let defaultDuration = info.defaultDuration;
      const tfhdFlags = view.getUint32(tfhd.body) & 0xffffff;
      let at = tfhd.body + 8;
      if (tfhdFlags & 0x1) at += 8; // base data offset
      if (tfhdFlags & 0x2) at += 4; // sample description index
      if (tfhdFlags & 0x8 && at + 4 <= tfhd.end) defaultDuration = view.getUint32(at);
      const tfdtVersion = bytes[tfdt.body] as number;
      let dts = tfdtVersion === 1 ? view.getBigUint64(tfdt.body + 4) : BigInt(view.getUint32(tfdt.body + 4));
      for (const trun of boxes(bytes, traf.body, traf.end)) {
        if (trun.type !== 'trun') continue;
        const version = bytes[trun.body] as number;
        const flags = view.getUint32(trun.body) & 0xffffff;
        const count = view.getUint32(trun.body + 4);
        let p = trun.body + 8;
        if (flags & 0x1) p += 4; // data offset
        if (flags & 0x4) p += 4; // first sample flags
        const perSample =
          (flags & 0x100 ? 4 : 0) +
          (flags & 0x200 ? 4 : 0) +
          (flags & 0x400 ? 4 : 0) +
          (flags & 0x800 ? 4 : 0);
        if (p + count * perSample > trun.end) return null; // a run longer than its box: damaged
        for (let i = 0; i < count; i++) {
          let duration = defaultDuration;
          let offset = 0;
          if (flags & 0x100) {
            duration = view.getUint32(p);
            p += 4;
          }
          if (flags & 0x200) p += 4;
          if (flags & 0x400) p += 4;
          if (flags & 0x800) {
            offset = version === 0 ? view.getUint32(p) : view.getInt32(p);
            p += 4;
          }
          const pts = dts + BigInt(offset) - info.editShift;
          const ends = pts + BigInt(duration);
          if (start === null || pts < start) start = pts;
          if (end === null || ends > end) end = ends;
          dts += BigInt(duration);
        }
      }
    }
  }
  return start === null || end === null ? null : { start, end };
}

/** A time in `timescale` units as the nearest 90 kHz tick (half up). */
export function toTicks(time: bigint, timescale: number): bigint {
  const scale = BigInt(timescale);
  return (time * 90_000n * 2n + scale) / (scale * 2n);
}

/** A time in `timescale` units as the nearest nanosecond (half up). */
export function toNanoseconds(time: bigint, timescale: number): bigint {
  const scale = BigInt(timescale);
  return (time * 1_000_000_000n * 2n + scale) / (scale * 2n);
}
