import { describe, expect, it } from 'vitest';
import { parseMedia, parseMultivariant } from '../../test/support/hls/hls.parse.testkit.ts';
import { codecString, segmentFormat } from './hls.codecs.ts';
import { writeMultivariantPlaylist } from './hls.multivariant.ts';

describe('multivariant playlist', () => {
  it('lists variants with their audio and subtitle groups, read back strictly', () => {
    const text = writeMultivariantPlaylist({
      renditions: [
        {
          type: 'AUDIO',
          groupId: 'audio',
          name: 'Stereo',
          uri: 'https://h/a1.m3u8',
          isDefault: true,
          channels: 2,
        },
        { type: 'AUDIO', groupId: 'audio', name: 'Stereo', uri: 'https://h/a2.m3u8', isDefault: true },
        {
          type: 'SUBTITLES',
          groupId: 'subs',
          name: 'English "CC"',
          uri: 'https://h/s.m3u8',
          isDefault: true,
        },
      ],
      variants: [
        {
          uri: 'https://h/v.m3u8?access_token=t',
          bandwidth: 2_500_000.4,
          averageBandwidth: 2_000_000,
          codecs: 'avc1.64001F,mp4a.40.2',
          resolution: { width: 1280, height: 720 },
          frameRate: 25,
          audio: 'audio',
          subtitles: 'subs',
        },
      ],
    });
    const parsed = parseMultivariant(text);
    const variant = parsed.variants[0];
    expect(variant?.bandwidth).toBe(2_500_000);
    expect(variant?.averageBandwidth).toBe(2_000_000);
    expect(variant?.codecs).toBe('avc1.64001F,mp4a.40.2');
    expect(variant?.resolution).toEqual({ width: 1280, height: 720 });
    expect(variant?.frameRate).toBe(25);
    expect(variant?.uri).toBe('https://h/v.m3u8?access_token=t');
    // Names unique within a group, one default per group (RFC 8216 §4.3.4.1.1).
    expect(variant?.audio.map((r) => [r.name, r.isDefault, r.channels])).toEqual([
      ['Stereo', true, '2'],
      ['Stereo (2)', false, undefined],
    ]);
    expect(variant?.subtitles.map((r) => r.name)).toEqual(['English \u201dCC\u201d']);
  });

  it('is not mistaken for a media playlist', () => {
    const text = writeMultivariantPlaylist({ renditions: [], variants: [{ uri: 'v.m3u8', bandwidth: 1 }] });
    expect(() => parseMedia(text)).toThrow();
  });
});

describe('codecs and containers', () => {
  it('writes avc1 from avc_parameters and mp4a from mp4_oti, nothing when unsure', () => {
    expect(codecString('video/h264', { avc_parameters: { profile: 100, level: 31, flags: 0 } })).toBe(
      'avc1.64001F',
    );
    expect(codecString('video/h264', { frame_width: 1920 })).toBeUndefined();
    expect(codecString('audio/aac', { codec_parameters: { mp4_oti: 2 } })).toBe('mp4a.40.2');
    expect(codecString('audio/aac', {})).toBeUndefined();
    expect(codecString('audio/eac3', undefined)).toBe('ec-3');
    expect(codecString('video/h265', {})).toBeUndefined();
  });

  it('knows the segment formats HLS plays', () => {
    expect(segmentFormat('video/mp2t')).toBe('mpegts');
    expect(segmentFormat('video/MP4; codecs="avc1"')).toBe('fmp4');
    expect(segmentFormat('text/vtt')).toBe('webvtt');
    expect(segmentFormat('application/mxf')).toBeUndefined();
    expect(segmentFormat(undefined)).toBeUndefined();
  });
});
