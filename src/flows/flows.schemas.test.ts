import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import {
  type Case,
  compilesForFastify,
  parityCases,
  parityExamples,
  serverAjv,
} from '../../test/helpers/schema-parity.ts';
import * as flows from './flows.schemas.ts';
import {
  Flow,
  FlowAudio,
  FlowCollection,
  FlowCore,
  FlowData,
  FlowImage,
  FlowMulti,
  FlowVideo,
} from './flows.schemas.ts';

const FLOW_ID = 'e85efab4-993b-4ad6-9af3-4cd8d0d38860';
const SOURCE_ID = 'a77d0061-0878-4e8a-a114-772d03f952c1';
const OTHER_ID = '4f79cfd1-c057-47f4-8e4d-1b126ca7bf34';

const core = { id: FLOW_ID, source_id: SOURCE_ID };
const video = {
  ...core,
  format: 'urn:x-nmos:format:video',
  codec: 'video/h264',
  essence_parameters: { frame_width: 1920, frame_height: 1080 },
};
const audio = {
  ...core,
  format: 'urn:x-nmos:format:audio',
  codec: 'audio/aac',
  essence_parameters: { sample_rate: 48000, channels: 2 },
};
const image = {
  ...core,
  format: 'urn:x-tam:format:image',
  codec: 'image/jpeg',
  essence_parameters: { frame_width: 3840, frame_height: 2160 },
};
const data = { ...core, format: 'urn:x-nmos:format:data', codec: 'text/ttml+xml', essence_parameters: {} };
const multi = { ...core, format: 'urn:x-nmos:format:multi' };

const ok = (name: string, doc: unknown): Case => ({ name, doc, valid: true });
const bad = (name: string, doc: unknown): Case => ({ name, doc, valid: false });
const videoParams = (params: object) => ({
  ...video,
  essence_parameters: { ...video.essence_parameters, ...params },
});
const audioParams = (params: object) => ({
  ...audio,
  essence_parameters: { ...audio.essence_parameters, ...params },
});

const videoCases: Case[] = [
  ok('video minimal', video),
  ok(
    'video with every essence parameter',
    videoParams({
      frame_rate: { numerator: 30000, denominator: 1001 },
      bit_depth: 10,
      interlace_mode: 'interlaced_tff',
      colorspace: 'BT2100',
      transfer_characteristic: 'HLG',
      aspect_ratio: { numerator: 16, denominator: 9 },
      pixel_aspect_ratio: { numerator: 1, denominator: 1 },
      component_type: 'YCbCr',
      horiz_chroma_subs: 2,
      vert_chroma_subs: 1,
      unc_parameters: { unc_type: 'v210' },
      avc_parameters: { profile: 100, level: 40, flags: 0 },
    }),
  ),
  ok('video frame_rate without denominator', videoParams({ frame_rate: { numerator: 25 } })),
  ok('video frame_rate with an extra property', videoParams({ frame_rate: { numerator: 25, x: 1 } })),
  ok('video with a container', { ...video, container: 'video/mp2t' }),
  bad('video without codec', { ...video, codec: undefined }),
  bad('video without essence_parameters', { ...video, essence_parameters: undefined }),
  bad('video without frame_width', { ...video, essence_parameters: { frame_height: 1080 } }),
  bad('video frame_width 0', videoParams({ frame_width: 0 })),
  bad('video frame_height fractional', videoParams({ frame_height: 1080.5 })),
  bad('video frame_width a string', videoParams({ frame_width: '1920' })),
  bad('video frame_rate numerator 0', videoParams({ frame_rate: { numerator: 0 } })),
  bad('video frame_rate denominator 0', videoParams({ frame_rate: { numerator: 25, denominator: 0 } })),
  bad('video frame_rate without numerator', videoParams({ frame_rate: { denominator: 1 } })),
  bad('video unknown essence parameter', videoParams({ sample_rate: 48000 })),
  bad('video bad interlace_mode', videoParams({ interlace_mode: 'interlaced' })),
  bad('video bad colorspace', videoParams({ colorspace: 'BT2021' })),
  bad('video bad transfer_characteristic', videoParams({ transfer_characteristic: 'HDR' })),
  bad('video bad component_type', videoParams({ component_type: 'XYZ' })),
  bad('video bit_depth 0', videoParams({ bit_depth: 0 })),
  bad('video horiz_chroma_subs negative', videoParams({ horiz_chroma_subs: -2 })),
  bad('video unc_parameters without unc_type', videoParams({ unc_parameters: {} })),
  bad('video bad unc_type', videoParams({ unc_parameters: { unc_type: 'NV12' } })),
  bad('video avc_parameters without flags', videoParams({ avc_parameters: { profile: 100, level: 40 } })),
  bad('video aspect_ratio without denominator', videoParams({ aspect_ratio: { numerator: 16 } })),
  bad(
    'video pixel_aspect_ratio denominator 0',
    videoParams({ pixel_aspect_ratio: { numerator: 1, denominator: 0 } }),
  ),
  bad('video codec without a slash', { ...video, codec: 'h264' }),
  bad('video codec with whitespace', { ...video, codec: 'video/h 264' }),
  bad('video codec with two slashes', { ...video, codec: 'video/x/y' }),
  bad('video container without a slash', { ...video, container: 'mp2t' }),
];

const audioCases: Case[] = [
  ok('audio minimal', audio),
  ok(
    'audio with every essence parameter',
    audioParams({
      bit_depth: 24,
      codec_parameters: { coded_frame_size: 1024, mp4_oti: 2 },
      unc_parameters: { unc_type: 'interleaved' },
    }),
  ),
  ok('audio codec_parameters with an extra property', audioParams({ codec_parameters: { x: 1 } })),
  bad('audio without channels', { ...audio, essence_parameters: { sample_rate: 48000 } }),
  bad('audio sample_rate 0', audioParams({ sample_rate: 0 })),
  bad('audio channels negative', audioParams({ channels: -1 })),
  bad('audio bad unc_type', audioParams({ unc_parameters: { unc_type: 'mono' } })),
  bad('audio unc_parameters without unc_type', audioParams({ unc_parameters: {} })),
  bad('audio mp4_oti not an integer', audioParams({ codec_parameters: { mp4_oti: 'x' } })),
  bad('audio with video essence parameters', { ...audio, essence_parameters: video.essence_parameters }),
  bad('audio unknown essence parameter', audioParams({ frame_width: 1 })),
  bad('audio without codec', { ...audio, codec: undefined }),
];

const imageCases: Case[] = [
  ok('image minimal', image),
  ok('image with aspect_ratio', {
    ...image,
    essence_parameters: { ...image.essence_parameters, aspect_ratio: { numerator: 4, denominator: 3 } },
  }),
  bad('image without frame_height', { ...image, essence_parameters: { frame_width: 1 } }),
  bad('image frame_rate is not an image parameter', {
    ...image,
    essence_parameters: { ...image.essence_parameters, frame_rate: { numerator: 25 } },
  }),
  bad('image with the NMOS image format URN', { ...image, format: 'urn:x-nmos:format:image' }),
];

const dataCases: Case[] = [
  ok('data with empty essence_parameters', data),
  ok('data with data_type', { ...data, essence_parameters: { data_type: 'urn:x-tams:data:bounding-box' } }),
  bad('data unknown essence parameter', { ...data, essence_parameters: { frame_width: 1 } }),
  bad('data data_type not a string', { ...data, essence_parameters: { data_type: 1 } }),
  bad('data without essence_parameters', { ...data, essence_parameters: undefined }),
  bad('data without codec', { ...data, codec: undefined }),
];

const multiCases: Case[] = [
  ok('multi minimal', multi),
  ok('multi with a collection', {
    ...multi,
    container: 'video/mp2t',
    flow_collection: [
      { id: OTHER_ID, role: 'video', container_mapping: { mp2ts_container: { pid: 256 } } },
      { id: SOURCE_ID, role: 'audio' },
    ],
  }),
  ok('multi with unconstrained essence_parameters', { ...multi, essence_parameters: { anything: [1] } }),
];

// Properties of flow-core.json, exercised on a video Flow (and against flow-core.json alone).
const coreCases: Case[] = [
  ok('every core property', {
    ...video,
    label: 'l',
    description: 'd',
    created_by: 'alice',
    updated_by: 'bob',
    tags: { a: 'b' },
    metadata_version: 'v1',
    generation: 0,
    created: '2024-03-01T12:00:00Z',
    metadata_updated: '2024-03-01T12:00:00.5+01:00',
    segments_updated: '2024-03-01T12:00:00Z',
    read_only: true,
    avg_bit_rate: 0,
    max_bit_rate: 5000,
    segment_duration: { numerator: 1 },
    timerange: '[0:0_10:0)',
    collected_by: [OTHER_ID],
    container_mapping: { track_index: 0 },
    unknown_property: 'allowed',
  }),
  bad('without id', { ...video, id: undefined }),
  bad('without source_id', { ...video, source_id: undefined }),
  bad('upper-case id', { ...video, id: FLOW_ID.toUpperCase() }),
  bad('label a number', { ...video, label: 5 }),
  bad('generation negative', { ...video, generation: -1 }),
  bad('avg_bit_rate negative', { ...video, avg_bit_rate: -1 }),
  bad('max_bit_rate fractional', { ...video, max_bit_rate: 1.5 }),
  bad('created not a date-time', { ...video, created: '2024-03-01' }),
  bad('created without time zone', { ...video, created: '2024-03-01T12:00:00' }),
  bad('read_only a string', { ...video, read_only: 'true' }),
  bad('tags with a number value', { ...video, tags: { a: 1 } }),
  bad('segment_duration numerator 0', { ...video, segment_duration: { numerator: 0 } }),
  bad('segment_duration without numerator', { ...video, segment_duration: { denominator: 1 } }),
  bad('bad timerange', { ...video, timerange: '[0:0-10:0)' }),
  bad('flow_collection item without role', { ...video, flow_collection: [{ id: OTHER_ID }] }),
  bad('flow_collection bad container_mapping', {
    ...video,
    flow_collection: [{ id: OTHER_ID, role: 'r', container_mapping: { track_index: -1 } }],
  }),
  bad('collected_by bad id', { ...video, collected_by: ['x'] }),
  bad('container_mapping negative track_index', { ...video, container_mapping: { track_index: -1 } }),
];

const notFlows: Case[] = [
  bad('unknown format', { ...video, format: 'urn:x-nmos:format:foo' }),
  bad('no format', { ...video, format: undefined }),
  bad('a string', 'flow'),
  bad('an array', [video]),
];

// JSON drops `undefined` properties, which is how the cases above remove one.
const json = (cases: Case[]) => cases.map((c) => ({ ...c, doc: JSON.parse(JSON.stringify(c.doc)) }));

describe('flow schemas', () => {
  compilesForFastify(flows);

  it('needs useDefaults off: strict Ajv refuses the spec denominator default inside the oneOf', () => {
    expect(() => serverAjv({ useDefaults: true }).compile(Flow)).toThrow(/default is ignored/);
  });

  parityExamples('flow.json', Flow);
  parityExamples('flow.json[]', Type.Array(Flow));
  parityCases(
    'flow.json',
    Flow,
    json([
      ...videoCases,
      ...audioCases,
      ...imageCases,
      ...dataCases,
      ...multiCases,
      ...coreCases,
      ...notFlows,
    ]),
  );

  parityCases('flow-video.json', FlowVideo, json([...videoCases, ...coreCases, bad('an audio flow', audio)]));
  parityCases('flow-audio.json', FlowAudio, json([...audioCases, bad('a video flow', video)]));
  parityCases('flow-image.json', FlowImage, json([...imageCases, bad('a video flow', video)]));
  parityCases('flow-data.json', FlowData, json([...dataCases, bad('a multi flow', multi)]));
  parityCases('flow-multi.json', FlowMulti, json([...multiCases, bad('a data flow', data)]));
  parityCases(
    'flow-core.json',
    FlowCore,
    json([
      ok('core only', core),
      ok('any format', { ...core, format: 'anything', essence_parameters: 1 }),
      ...coreCases.filter((c) => !c.valid),
    ]),
  );

  parityExamples('flow-collection.json', FlowCollection);
  parityCases('flow-collection.json', FlowCollection, [
    ok('empty', []),
    ok('with container mappings', [
      { id: OTHER_ID, role: 'video', container_mapping: { track_index: 0 } },
      { id: SOURCE_ID, role: 'audio', container_mapping: { audio_track: { channel_range: '0_1' } } },
    ]),
    bad('item without id', [{ role: 'video' }]),
    bad('item with a bad id', [{ id: 'x', role: 'video' }]),
    bad('item with a bad container_mapping', [
      { id: OTHER_ID, role: 'v', container_mapping: { track_index: '0' } },
    ]),
    bad('not an array', { id: OTHER_ID, role: 'video' }),
  ]);
});
