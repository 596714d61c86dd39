import { describe, expect, it } from 'vitest';
import { technicalDifferences, technicalOf } from './flows.technical.ts';

const METADATA = {
  format: 'urn:x-nmos:format:video',
  codec: 'video/h264',
  container: 'video/mp2t',
  avg_bit_rate: 2479,
  segment_duration: { numerator: 6, denominator: 1 },
  essence_parameters: { frame_rate: { numerator: 25, denominator: 1 }, frame_width: 1280, frame_height: 720 },
};

describe('technicalDifferences: whether a Flow still matches its Profile', () => {
  it('is empty for the same metadata, whatever the order of keys and the other fields', () => {
    const flow = {
      id: 'f',
      label: 'a Flow',
      ...METADATA,
      essence_parameters: {
        frame_height: 720,
        frame_width: 1280,
        frame_rate: { denominator: 1, numerator: 25 },
      },
    };
    expect(technicalDifferences(flow, METADATA)).toEqual([]);
  });

  it('names each technical field that differs, or that one side lacks', () => {
    const changed: Record<string, unknown> = {
      ...METADATA,
      avg_bit_rate: 5000,
      container_mapping: { track_index: 1 },
    };
    delete changed.segment_duration;
    expect(technicalDifferences(changed, METADATA)).toEqual([
      'avg_bit_rate',
      'segment_duration',
      'container_mapping',
    ]);
  });
});

describe('technicalOf', () => {
  it('keeps the technical fields a document has, and nothing else', () => {
    expect(technicalOf({ id: 'f', label: 'x', ...METADATA, tags: {} })).toEqual(METADATA);
    expect(technicalOf({ format: 'urn:x-nmos:format:multi', container: 'video/mp2t' })).toEqual({
      format: 'urn:x-nmos:format:multi',
      container: 'video/mp2t',
    });
  });
});
