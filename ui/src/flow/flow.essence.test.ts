import { describe, expect, it } from 'vitest';
import { essenceFields } from './flow.essence.tsx';

describe('essence parameters laid out', () => {
  it('reads a video Flow: resolution, frame rate, aspect, H.264 profile and level', () => {
    expect(
      essenceFields({
        frame_width: 1920,
        frame_height: 1080,
        frame_rate: { numerator: 30000, denominator: 1001 },
        interlace_mode: 'interlaced_tff',
        aspect_ratio: { numerator: 16, denominator: 9 },
        avc_parameters: { profile: 100, level: 40, flags: 0 },
      }),
    ).toEqual([
      ['Resolution', '1920 × 1080'],
      ['Frame rate', '29.97 fps (30000/1001)'],
      ['Interlace', 'interlaced_tff'],
      ['Aspect ratio', '16:9'],
      ['H.264', 'High, level 4, flags 0'],
    ]);
    expect(
      essenceFields({
        frame_rate: { numerator: 25 },
        avc_parameters: { profile: 66, level: 12, flags: 192 },
      }),
    ).toEqual([
      ['Frame rate', '25 fps'],
      ['H.264', 'Constrained Baseline, level 1.2, flags 192'],
    ]);
    expect(essenceFields({ vfr: true })).toEqual([['Frame rate', 'variable']]);
  });

  it('reads an audio Flow: sample rate, channels, AAC', () => {
    expect(
      essenceFields({
        sample_rate: 48000,
        channels: 2,
        bit_depth: 24,
        codec_parameters: { mp4_oti: 2, coded_frame_size: 1024 },
      }),
    ).toEqual([
      ['Sample rate', '48 kHz'],
      ['Channels', '2 (stereo)'],
      ['Bit depth', '24 bits'],
      ['MPEG-4 object type', 'AAC LC (2)'],
      ['Coded frame', '1024 samples'],
    ]);
  });

  it('leaves out what it does not know, and values of the wrong type', () => {
    expect(
      essenceFields({ anything: 1, frame_width: '1920', data_type: 'urn:x-tams:data:subtitle' }),
    ).toEqual([['Data type', 'urn:x-tams:data:subtitle']]);
  });
});
