import { describe, expect, it } from 'vitest';
import { PROFILE_METADATA } from '../../test/http/profiles.fixture.ts';
import { technicalDifferences, technicalOf } from './flows.technical.ts';

describe('technicalDifferences: whether a Flow still matches its Profile', () => {
  it('is empty for the same metadata, whatever the order of keys and the other fields', () => {
    const flow = {
      id: 'f',
      label: 'a Flow',
      ...PROFILE_METADATA,
      essence_parameters: {
        frame_height: 720,
        frame_width: 1280,
        frame_rate: { denominator: 1, numerator: 25 },
      },
    };
    expect(technicalDifferences(flow, PROFILE_METADATA)).toEqual([]);
  });

  it('names each technical field that differs, or that one side lacks', () => {
    const changed: Record<string, unknown> = {
      ...PROFILE_METADATA,
      avg_bit_rate: 5000,
      container_mapping: { track_index: 1 },
    };
    delete changed.segment_duration;
    expect(technicalDifferences(changed, PROFILE_METADATA)).toEqual([
      'avg_bit_rate',
      'segment_duration',
      'container_mapping',
    ]);
  });
});

describe('technicalOf', () => {
  it('keeps the technical fields a document has, and nothing else', () => {
    expect(technicalOf({ id: 'f', label: 'x', ...PROFILE_METADATA, tags: {} })).toEqual(PROFILE_METADATA);
    expect(technicalOf({ format: 'urn:x-nmos:format:multi', container: 'video/mp2t' })).toEqual({
      format: 'urn:x-nmos:format:multi',
      container: 'video/mp2t',
    });
  });
});
