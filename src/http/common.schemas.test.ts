import { describe, expect, it } from 'vitest';
import {
  compilesForFastify,
  EXAMPLE_SCHEMAS,
  parityCases,
  parityExamples,
  typeboxValidator,
} from '../../test/helpers/schema-parity.ts';
import { specExampleNames, specSchemaNames, specValidator } from '../../test/helpers/spec-schemas.ts';
import * as common from './common.schemas.ts';
import {
  CollectionItem,
  ContainerMapping,
  ContentFormat,
  ErrorBody,
  ErrorInfo,
  MimeTypeQuery,
  Tags,
  TimeRange,
  Timestamp,
  Uuid,
} from './common.schemas.ts';

const ID = 'a77d0061-0878-4e8a-a114-772d03f952c1';
const TIME = '2024-03-01T12:00:00Z';

describe('spec fixtures', () => {
  it('maps every spec example to the schema it is an instance of', () => {
    expect(Object.keys(EXAMPLE_SCHEMAS).sort()).toEqual(specExampleNames());
  });

  it('has the 31 schemas of 7.0', () => {
    expect(specSchemaNames()).toHaveLength(31);
  });
});

describe('common schemas', () => {
  compilesForFastify(common);

  parityCases('components/uuid', Uuid, [
    { name: 'v4', doc: ID, valid: true },
    { name: 'v1', doc: '4f79cfd1-c057-11ee-8e4d-1b126ca7bf34', valid: true },
    { name: 'upper case', doc: ID.toUpperCase(), valid: false },
    { name: 'v7', doc: '0190b3a2-c057-7ee0-8e4d-1b126ca7bf34', valid: false },
    { name: 'bad variant', doc: '4f79cfd1-c057-41ee-ce4d-1b126ca7bf34', valid: false },
    { name: 'no hyphens', doc: ID.replaceAll('-', ''), valid: false },
    { name: 'trailing newline', doc: `${ID}\n`, valid: false },
    { name: 'empty', doc: '', valid: false },
    { name: 'number', doc: 5, valid: false },
  ]);

  parityCases('components/contentformat', ContentFormat, [
    ...common.CONTENT_FORMATS.map((format) => ({ name: format, doc: format, valid: true })),
    { name: 'nmos image', doc: 'urn:x-nmos:format:image', valid: false },
    { name: 'bare word', doc: 'video', valid: false },
    { name: 'number', doc: 1, valid: false },
  ]);

  parityCases('components/mimetype', MimeTypeQuery, [
    { name: 'video/h264', doc: 'video/h264', valid: true },
    { name: 'lone slash', doc: '/', valid: true },
    { name: 'no slash', doc: 'video', valid: false },
  ]);

  parityCases('timestamp.json', Timestamp, [
    { name: 'zero', doc: '0:0', valid: true },
    { name: 'frame 27 at 25 Hz', doc: '1:40000000', valid: true },
    { name: 'negative', doc: '-1:500000000', valid: true },
    { name: 'max nanoseconds', doc: '1694429247:999999999', valid: true },
    { name: 'leading zero seconds', doc: '01:0', valid: false },
    { name: 'leading zero nanoseconds', doc: '1:0000', valid: false },
    { name: 'ten digit nanoseconds', doc: '1:1000000000', valid: false },
    { name: 'decimal seconds', doc: '1.5', valid: false },
    { name: 'leading space', doc: ' 1:0', valid: false },
    { name: 'number', doc: 10, valid: false },
  ]);

  parityCases('timerange.json', TimeRange, [
    ...[
      '[0:0_10:0)',
      '(5:0_',
      '[10:0]',
      '_',
      '()',
      '',
      '[',
      ')',
      '0:0_10:0',
      '[5:0_3:0)',
      '[-1:0_1:0]',
      '_10:0)',
    ].map((doc) => ({ name: JSON.stringify(doc), doc, valid: true })),
    ...['[0:0-10:0)', '[0:00_1:0)', '{0:0_1:0}', '[0:0__1:0)', '[0:0_1:0))', 'abc', '[0_1]'].map((doc) => ({
      name: JSON.stringify(doc),
      doc,
      valid: false,
    })),
    { name: 'number', doc: 12, valid: false },
  ]);

  parityExamples('tags.json', Tags);
  parityCases('tags.json', Tags, [
    { name: 'empty', doc: {}, valid: true },
    { name: 'string values', doc: { a: 'b', 'with space': '' }, valid: true },
    { name: 'number value', doc: { a: 1 }, valid: false },
    { name: 'array value (8.0 only)', doc: { a: ['x'] }, valid: false },
    { name: 'number value under a key with a line break', doc: { 'a\nb': 1 }, valid: false },
    { name: 'not an object', doc: 'a=b', valid: false },
  ]);

  const error = { type: 'BadRequest', summary: 'bad', time: TIME };
  parityCases('error.json', ErrorInfo, [
    { name: 'minimal', doc: error, valid: true },
    { name: 'with traceback', doc: { ...error, traceback: ['a', 'b'] }, valid: true },
    { name: 'extra property', doc: { ...error, message: 'x' }, valid: true },
    { name: 'missing time', doc: { type: 'x', summary: 'y' }, valid: false },
    { name: 'missing summary', doc: { type: 'x', time: TIME }, valid: false },
    { name: 'time not date-time', doc: { ...error, time: '2024-03-01 12:00' }, valid: false },
    { name: 'time without zone', doc: { ...error, time: '2024-03-01T12:00:00' }, valid: false },
    { name: 'traceback a string', doc: { ...error, traceback: 'a' }, valid: false },
    { name: 'traceback of numbers', doc: { ...error, traceback: [1] }, valid: false },
  ]);

  it('ErrorBody is a valid error.json that also requires a message', () => {
    const spec = specValidator('error.json');
    const ours = typeboxValidator(ErrorBody);
    const body = {
      type: 'NotFound',
      summary: 'no such flow',
      time: TIME,
      message: 'The requested Flow does not exist.',
    };
    expect([spec(body), ours(body)]).toEqual([true, true]);
    const { message: _message, ...withoutMessage } = body;
    expect([spec(withoutMessage), ours(withoutMessage)]).toEqual([true, false]);
  });

  parityCases('collection-item.json', CollectionItem, [
    { name: 'valid', doc: { id: ID, role: 'R' }, valid: true },
    { name: 'extra property', doc: { id: ID, role: 'R', container_mapping: 5 }, valid: true },
    { name: 'missing role', doc: { id: ID }, valid: false },
    { name: 'bad id', doc: { id: 'x', role: 'R' }, valid: false },
    { name: 'role not a string', doc: { id: ID, role: 1 }, valid: false },
  ]);

  parityCases('container-mapping.json', ContainerMapping, [
    { name: 'empty', doc: {}, valid: true },
    {
      name: 'everything',
      doc: {
        track_index: 0,
        format_track_index: 1,
        audio_track: { channel_numbers: [0, 1], channel_range: '0_1' },
        mp2ts_container: { pid: 256 },
        mxf_container: { package_uid: 'urn:uuid:A77D0061-0878-4e8a-a114-772d03f952c1', track_id: 2 },
        isobmff_container: { track_id: 1 },
        extra: true,
      },
      valid: true,
    },
    {
      name: 'UMID package uid',
      doc: { mxf_container: { package_uid: `urn:smpte:umid:${Array(8).fill('060a2b34').join('.')}` } },
      valid: true,
    },
    { name: 'negative track_index', doc: { track_index: -1 }, valid: false },
    { name: 'fractional format_track_index', doc: { format_track_index: 1.5 }, valid: false },
    { name: 'empty channel_numbers', doc: { audio_track: { channel_numbers: [] } }, valid: false },
    { name: 'negative channel number', doc: { audio_track: { channel_numbers: [-1] } }, valid: false },
    { name: 'bad channel_range', doc: { audio_track: { channel_range: '0-1' } }, valid: false },
    { name: 'bad package uid', doc: { mxf_container: { package_uid: 'urn:x:1' } }, valid: false },
    { name: 'pid not an integer', doc: { mp2ts_container: { pid: 'x' } }, valid: false },
    { name: 'isobmff not an object', doc: { isobmff_container: 1 }, valid: false },
  ]);
});
