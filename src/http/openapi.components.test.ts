import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { referenceComponents } from './openapi.components.ts';

type Doc = { paths: Record<string, unknown>; components: { schemas: Record<string, unknown> } };

const uuid = { type: 'string', title: 'UUID', pattern: '^[0-9a-f-]{36}$' };
const tags = { type: 'object', title: 'Tags', additionalProperties: { type: 'string' } };

/** A document whose one operation answers `schema`, with `schemas` as its components. */
function document(schema: unknown, schemas: Record<string, unknown>): Doc {
  return {
    paths: { '/x': { get: { responses: { '200': { content: { 'application/json': { schema } } } } } } },
    components: { schemas: structuredClone(schemas) },
  };
}

const answered = (doc: Doc) =>
  (
    doc.paths['/x'] as {
      get: { responses: { '200': { content: { 'application/json': { schema: unknown } } } } };
    }
  ).get.responses['200'].content['application/json'].schema;

function referenced(schema: unknown, schemas: Record<string, unknown>): Doc {
  const doc = document(schema, schemas);
  referenceComponents(doc, Object.keys(schemas));
  return doc;
}

describe('referenceComponents', () => {
  it('refers to a named schema wherever an operation uses it, keeping what is said of that use', () => {
    const doc = referenced(
      {
        type: 'object',
        properties: {
          id: { ...uuid, description: 'Flow identifier' },
          parent: { ...uuid, default: '00000000-0000-1000-8000-000000000000' },
          tags,
          members: { type: 'array', items: uuid },
        },
      },
      { uuid, Tags: tags },
    );
    expect(answered(doc)).toEqual({
      type: 'object',
      properties: {
        id: { $ref: '#/components/schemas/uuid', description: 'Flow identifier' },
        parent: { $ref: '#/components/schemas/uuid', default: '00000000-0000-1000-8000-000000000000' },
        tags: { $ref: '#/components/schemas/Tags' },
        members: { type: 'array', items: { $ref: '#/components/schemas/uuid' } },
      },
    });
    expect(doc.components.schemas).toEqual({ uuid, Tags: tags });
  });

  it('leaves inline a schema that differs from every named one in what it accepts', () => {
    const other = { ...uuid, pattern: '^[0-9a-f]{32}$' };
    const untitled = { type: 'string', pattern: uuid.pattern };
    expect(answered(referenced({ type: 'array', items: other }, { uuid }))).toEqual({
      type: 'array',
      items: other,
    });
    expect(answered(referenced(untitled, { uuid }))).toEqual(untitled);
  });

  it('refers from one component to another, never from a component to itself', () => {
    const video = { type: 'object', required: ['id'], properties: { id: uuid, width: { type: 'integer' } } };
    const audio = {
      type: 'object',
      required: ['id'],
      properties: { id: uuid, channels: { type: 'integer' } },
    };
    const flow = { title: 'Flow', oneOf: [video, audio] };
    const doc = referenced(flow, { Flow: flow, Video: video, Audio: audio, uuid });
    expect(answered(doc)).toEqual({ $ref: '#/components/schemas/Flow' });
    expect(doc.components.schemas.Flow).toEqual({
      title: 'Flow',
      oneOf: [{ $ref: '#/components/schemas/Video' }, { $ref: '#/components/schemas/Audio' }],
    });
    expect(doc.components.schemas.Video).toEqual({
      type: 'object',
      required: ['id'],
      properties: { id: { $ref: '#/components/schemas/uuid' }, width: { type: 'integer' } },
    });
  });

  it('never takes an example for a schema, but does look at a property named example', () => {
    const schema = {
      type: 'object',
      properties: { example: uuid },
      examples: [uuid],
      example: { nested: uuid },
    };
    expect(answered(referenced(schema, { uuid }))).toEqual({
      ...schema,
      properties: { example: { $ref: '#/components/schemas/uuid' } },
    });
  });

  it('refuses a name that is not a component of the document', () => {
    const doc = document(uuid, { uuid });
    expect(() => referenceComponents(doc, ['uuid', 'Missing'])).toThrow(/Missing/);
  });
});

describe('a component that adds properties to another', () => {
  const core = {
    type: 'object',
    title: 'Core',
    required: ['id'],
    properties: { id: uuid, label: { type: 'string' }, codec: { type: 'string', pattern: '^[^/]+/[^/]+$' } },
  };
  const video = {
    type: 'object',
    title: 'Video',
    description: 'A video thing',
    required: ['id', 'codec', 'width'],
    properties: { ...core.properties, width: { type: 'integer', minimum: 1 } },
  };

  it('is written as allOf of it and what it adds, as TAMS writes each Flow format', () => {
    const doc = referenced(video, { Video: video, Core: core, uuid });
    expect(answered(doc)).toEqual({ $ref: '#/components/schemas/Video' });
    expect(doc.components.schemas.Video).toEqual({
      type: 'object',
      title: 'Video',
      description: 'A video thing',
      allOf: [
        { $ref: '#/components/schemas/Core' },
        {
          type: 'object',
          required: ['codec', 'width'],
          properties: { width: { type: 'integer', minimum: 1 } },
        },
      ],
    });
  });

  it('accepts exactly the documents the merged object accepts', () => {
    const doc = referenced(video, { Video: video, Core: core, uuid });
    const ajv = new Ajv2020({ strict: false });
    const before = ajv.compile(video);
    // The references point into the document: compiled with it as their root.
    const after = ajv.compile({ components: doc.components, $ref: '#/components/schemas/Video' });
    const id = '0b5c9a66-1f2e-4b6a-9d0a-3c7e2f1a4b5c';
    for (const candidate of [
      { id, codec: 'video/h264', width: 1920 },
      { id, codec: 'video/h264', width: 1920, label: 'camera 1', other: true },
      { id, codec: 'video/h264' },
      { id, width: 1920 },
      { codec: 'video/h264', width: 1920 },
      { id, codec: 'h264', width: 1920 },
      { id: 'not a uuid', codec: 'video/h264', width: 1920 },
      { id, codec: 'video/h264', width: 0 },
      { id, codec: 'video/h264', width: 1920, label: 7 },
      [],
      'video',
    ]) {
      expect(after(candidate), JSON.stringify(candidate)).toBe(before(candidate));
    }
  });

  it('stays whole when allOf would accept other documents, or when it does not extend the other', () => {
    const closed = { ...video, additionalProperties: false };
    const optionalId = { ...video, required: ['codec', 'width'] };
    const otherLabel = { ...video, properties: { ...video.properties, label: { type: 'integer' } } };
    const withoutLabel = {
      ...video,
      properties: { id: uuid, codec: core.properties.codec, width: video.properties.width },
    };
    for (const schema of [closed, optionalId, otherLabel, withoutLabel]) {
      const doc = referenced(schema, { Video: schema, Core: core });
      expect(doc.components.schemas.Video).toEqual(schema);
    }
  });
});
