import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import {
  type Case,
  compilesForFastify,
  parityCases,
  parityExamples,
  serverAjv,
  typeboxValidator,
} from '../../test/helpers/schema-parity.ts';
import { specExample } from '../../test/helpers/spec-schemas.ts';
import * as segments from './segments.schemas.ts';
import {
  FlowSegment,
  FlowSegmentBulkFailure,
  FlowSegmentPost,
  FlowSegmentPostBody,
} from './segments.schemas.ts';

const ok = (name: string, doc: unknown): Case => ({ name, doc, valid: true });
const bad = (name: string, doc: unknown): Case => ({ name, doc, valid: false });

const segment = { object_id: 'tams-1/2.ts', timerange: '[0:0_10:0)' };
const fullUrl = {
  url: 'https://store.example.com/o?sig=1',
  storage_id: '60af2ab4-e8a5-4c65-a09b-d35983680315',
  presigned: true,
  label: 'local',
  controlled: true,
  store_type: 'http_object_store',
  provider: 'minio',
  region: 'r',
  availability_zone: 'a',
  store_product: 'minio',
};
const withUrl = (item: object) => ({ ...segment, get_urls: [item] });

// Shared by GET and POST shapes: everything but get_urls.
const commonCases: Case[] = [
  ok('minimal', segment),
  ok('every scalar property', {
    ...segment,
    ts_offset: '1:0',
    last_duration: '0:20000000',
    sample_offset: 0,
    sample_count: 250,
    key_frame_count: 1,
    extra: 'allowed',
  }),
  // 7.0's text says ts_offset "cannot be negative" but its schema (the Timestamp pattern) allows it.
  ok('negative ts_offset', { ...segment, ts_offset: '-1:0' }),
  bad('without object_id', { timerange: segment.timerange }),
  bad('without timerange', { object_id: segment.object_id }),
  bad('bad timerange', { ...segment, timerange: '0:0-1:0' }),
  bad('bad ts_offset', { ...segment, ts_offset: '1.0' }),
  bad('bad last_duration', { ...segment, last_duration: '0:1000000000' }),
  bad('fractional sample_offset', { ...segment, sample_offset: 1.5 }),
  bad('sample_count a string', { ...segment, sample_count: '10' }),
  bad('key_frame_count a string', { ...segment, key_frame_count: 'x' }),
  bad('object_id a number', { ...segment, object_id: 1 }),
  bad('get_urls not an array', { ...segment, get_urls: fullUrl }),
  bad('get_urls item without url', withUrl({ label: 'x' })),
  bad('not an object', [segment]),
];

describe('segment schemas', () => {
  compilesForFastify(segments);

  it("the spec's unevaluatedProperties does not compile under the server's draft-07 Ajv", () => {
    const spec = { type: 'object', allOf: [{ properties: { a: {} } }], unevaluatedProperties: false };
    expect(() => serverAjv().compile(spec)).toThrow(/unevaluatedProperties/);
  });

  parityExamples('flow-segment.json[]', Type.Array(FlowSegment));
  parityCases('flow-segment.json', FlowSegment, [
    ...commonCases,
    ok('get_urls item with url only', withUrl({ url: 'u' })),
    ok('get_urls item with every property', withUrl(fullUrl)),
    ok(
      'get_urls item with verbose_storage=false properties',
      withUrl({ url: 'u', presigned: false, label: 'l' }),
    ),
    bad('get_urls item with an unknown property', withUrl({ ...fullUrl, expires: 1 })),
    bad('get_urls item with a bad storage_id', withUrl({ url: 'u', storage_id: 'local' })),
    bad('get_urls item with presigned a string', withUrl({ url: 'u', presigned: 'yes' })),
    bad('get_urls item with controlled a number', withUrl({ url: 'u', controlled: 1 })),
    bad('get_urls item with unknown store_type', withUrl({ url: 'u', store_type: 's3' })),
    bad('get_urls item with region a number', withUrl({ url: 'u', region: 1 })),
  ]);

  parityExamples('flow-segment-post.json', FlowSegmentPost);
  parityCases('flow-segment-post.json', FlowSegmentPost, [
    ...commonCases,
    ok('get_urls item with url and label', withUrl({ url: 'u', label: 'external' })),
    // POST items are not closed: storage metadata is accepted (and ignored by services).
    ok('get_urls item with storage metadata', withUrl(fullUrl)),
    bad('get_urls item with label a number', withUrl({ url: 'u', label: 1 })),
  ]);

  describe('POST body (one segment or an array)', () => {
    const valid = typeboxValidator(FlowSegmentPostBody);
    it.each([
      ['one segment', specExample('flow-segment-post.json'), true],
      ['an array of one', [segment], true],
      ['an array of two', [segment, { ...segment, timerange: '[10:0_20:0)' }], true],
      ['an empty array', [], true],
      ['an array with an invalid segment', [segment, { object_id: 'x' }], false],
      ['an invalid segment', { object_id: 'x' }, false],
      ['a string', 'x', false],
    ])('%s', (_name, doc, expected) => {
      expect(valid(doc)).toBe(expected);
    });

    it('keeps its verdicts under the coercing server Ajv', () => {
      const validate = serverAjv().compile(FlowSegmentPostBody);
      expect(validate(structuredClone(segment))).toBe(true);
      const list = [structuredClone(segment)];
      expect(validate(list)).toBe(true);
      expect(list).toEqual([segment]);
      expect(validate({ object_id: 'x' })).toBe(false);
    });
  });

  parityExamples('flow-segment-bulk-failure.json', FlowSegmentBulkFailure);
  parityCases('flow-segment-bulk-failure.json', FlowSegmentBulkFailure, [
    ok('empty list', { failed_segments: [] }),
    ok('object_id only', { failed_segments: [{ object_id: 'x' }] }),
    ok('with timerange and error', {
      failed_segments: [
        {
          object_id: 'x',
          timerange: '[0:0_1:0)',
          error: { type: 'BadRequest', summary: 'overlap', time: '2024-03-01T12:00:00Z', traceback: [] },
        },
      ],
    }),
    bad('without failed_segments', {}),
    bad('item without object_id', { failed_segments: [{ timerange: '_' }] }),
    bad('item with a bad timerange', { failed_segments: [{ object_id: 'x', timerange: 'x' }] }),
    bad('item error without time', {
      failed_segments: [{ object_id: 'x', error: { type: 't', summary: 's' } }],
    }),
    bad('failed_segments not an array', { failed_segments: { object_id: 'x' } }),
  ]);
});
