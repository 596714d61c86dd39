import { JsonBlock } from '../components/common.tsx';

type Params = Record<string, unknown>;

interface Rational {
  numerator: number;
  denominator?: number;
}

function rational(value: unknown): Rational | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { numerator, denominator } = value as Record<string, unknown>;
  if (typeof numerator !== 'number') return undefined;
  return { numerator, denominator: typeof denominator === 'number' ? denominator : undefined };
}

const num = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);
const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;
const object = (value: unknown): Params | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Params) : undefined;

/** `25/1` → `25 fps`, `30000/1001` → `29.97 fps (30000/1001)`. */
function frameRateText(rate: Rational): string {
  const d = rate.denominator ?? 1;
  const fps = rate.numerator / d;
  const shown = Number.isInteger(fps) ? String(fps) : fps.toFixed(3).replace(/0+$/, '');
  return d === 1 ? `${shown} fps` : `${shown} fps (${rate.numerator}/${d})`;
}

const ratioText = (r: Rational) => `${r.numerator}:${r.denominator ?? 1}`;

/** AVC profile_idc values (ISO/IEC 14496-10 Annex A) as their names. */
const AVC_PROFILES: Record<number, string> = {
  66: 'Baseline',
  77: 'Main',
  88: 'Extended',
  100: 'High',
  110: 'High 10',
  122: 'High 4:2:2',
  244: 'High 4:4:4 Predictive',
};

/** MPEG-4 object type indications (mp4_oti) met in TAMS audio. */
const MP4_OTI: Record<number, string> = { 2: 'AAC LC', 5: 'HE-AAC (SBR)', 29: 'HE-AAC v2 (PS)', 34: 'MP3' };

/** `avc_parameters` as `High, level 3.1, flags 0`. */
function avcText(avc: Params): string {
  const profile = num(avc.profile);
  const level = num(avc.level);
  const flags = num(avc.flags);
  // Baseline with constraint_set1 (flags 0x40) is Constrained Baseline, what most encoders write.
  const constrained = profile === 66 && flags !== undefined && (flags & 0x40) !== 0;
  const parts = [
    profile !== undefined
      ? constrained
        ? 'Constrained Baseline'
        : (AVC_PROFILES[profile] ?? `profile ${profile}`)
      : undefined,
    level !== undefined ? `level ${level / 10}` : undefined,
    flags !== undefined ? `flags ${flags}` : undefined,
  ];
  return parts.filter(Boolean).join(', ');
}

/** The fields named, with how each reads, in the order a person looks for them. */
export function essenceFields(essence: Params): [string, string][] {
  const out: [string, string | undefined][] = [];
  const width = num(essence.frame_width);
  const height = num(essence.frame_height);
  if (width !== undefined || height !== undefined)
    out.push(['Resolution', `${width ?? '?'} × ${height ?? '?'}`]);
  const rate = rational(essence.frame_rate);
  if (rate) out.push(['Frame rate', frameRateText(rate)]);
  if (essence.vfr === true) out.push(['Frame rate', 'variable']);
  out.push(['Interlace', text(essence.interlace_mode)]);
  const aspect = rational(essence.aspect_ratio);
  if (aspect) out.push(['Aspect ratio', ratioText(aspect)]);
  const pixel = rational(essence.pixel_aspect_ratio);
  if (pixel) out.push(['Pixel aspect ratio', ratioText(pixel)]);
  out.push(['Colour space', text(essence.colorspace)]);
  out.push(['Transfer', text(essence.transfer_characteristic)]);
  out.push(['Components', text(essence.component_type)]);
  const h = num(essence.horiz_chroma_subs);
  const v = num(essence.vert_chroma_subs);
  if (h !== undefined || v !== undefined)
    out.push(['Chroma subsampling', `${h ?? 1} × ${v ?? 1} (horizontal × vertical)`]);
  const avc = object(essence.avc_parameters);
  if (avc) out.push(['H.264', avcText(avc)]);
  const sampleRate = num(essence.sample_rate);
  if (sampleRate !== undefined) out.push(['Sample rate', `${(sampleRate / 1000).toLocaleString('en')} kHz`]);
  const channels = num(essence.channels);
  if (channels !== undefined)
    out.push(['Channels', channels === 1 ? '1 (mono)' : channels === 2 ? '2 (stereo)' : String(channels)]);
  const bits = num(essence.bit_depth);
  if (bits !== undefined) out.push(['Bit depth', `${bits} bits`]);
  const codec = object(essence.codec_parameters);
  const oti = num(codec?.mp4_oti);
  if (oti !== undefined) out.push(['MPEG-4 object type', `${MP4_OTI[oti] ?? 'type'} (${oti})`]);
  const frameSize = num(codec?.coded_frame_size);
  if (frameSize !== undefined) out.push(['Coded frame', `${frameSize} samples`]);
  out.push(['Uncompressed packing', text(object(essence.unc_parameters)?.unc_type)]);
  out.push(['Data type', text(essence.data_type)]);
  if (typeof essence.init_segments === 'boolean')
    out.push(['Init segments', essence.init_segments ? 'yes (each object has its init object)' : 'no']);
  return out.filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '');
}

/**
 * A Flow's essence parameters laid out: the fields TAMS defines for video, audio, image and data
 * (resolution, frame rate, codec parameters, sample rate, channels…) as words, and the JSON as
 * sent a click away, which also holds any field not known here.
 */
export function EssenceParameters({ essence }: { essence: Params }) {
  const known = essenceFields(essence);
  return (
    <div data-testid="essence">
      {known.length > 0 ? (
        <dl class="essence">
          {known.map(([name, value]) => (
            <div key={name + value}>
              <dt>{name}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
      ) : (
        <p class="muted">No field this page knows.</p>
      )}
      <details class="raw">
        <summary>JSON</summary>
        <JsonBlock value={essence} />
      </details>
    </div>
  );
}
