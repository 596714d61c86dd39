/**
 * Checks that a TypeBox transcription gives the same verdict as the spec schema it transcribes.
 *
 * TypeBox schemas are compiled the way Fastify compiles route schemas (draft-07 `Ajv`, strict,
 * ajv-formats) but without type coercion, so a verdict reflects the schema alone.
 */
import { Ajv, type Options } from 'ajv';
import ajvFormats from 'ajv-formats';
import type { TSchema } from 'typebox';
import { expect, it } from 'vitest';
import { specExample, specValidator } from './spec-schemas.ts';

/** Every example file of the spec, and the spec schema its document is an instance of. */
export const EXAMPLE_SCHEMAS: Record<string, string> = {
  'deletion-request-get-200.json': 'deletion-request.json',
  'deletion-requests-get-200.json': 'deletion-requests-list.json',
  'flow-collection-get-200.json': 'flow-collection.json',
  'flow-collection-put.json': 'flow-collection.json',
  'flow-get-200-audio-aac-multi.json': 'flow.json',
  'flow-get-200-audio-aac.json': 'flow.json',
  'flow-get-200-data-ttml.json': 'flow.json',
  'flow-get-200-image-jpeg.json': 'flow.json',
  'flow-get-200-multi-container-map.json': 'flow.json',
  'flow-get-200-multi.json': 'flow.json',
  'flow-get-200-video-h264.json': 'flow.json',
  'flow-get-200-video-raw.json': 'flow.json',
  'flow-put-201.json': 'flow.json',
  'flow-put-multi.json': 'flow.json',
  'flow-put.json': 'flow.json',
  'flow-segment-partial-failure.json': 'flow-segment-bulk-failure.json',
  'flow-segment-post.json': 'flow-segment-post.json',
  'flow-segments-get-200-multiple-urls.json': 'flow-segment.json[]',
  'flow-segments-get-200-sample-offset.json': 'flow-segment.json[]',
  'flow-segments-get-200.json': 'flow-segment.json[]',
  'flow-storage-post-201.json': 'flow-storage.json',
  'flow-storage-post-object_ids.json': 'flow-storage-post.json',
  'flow-storage-post.json': 'flow-storage-post.json',
  'flow-tags-get-200.json': 'tags.json',
  'flows-get-200.json': 'flow.json[]',
  'objects-get-200.json': 'object.json',
  'service-get-200.json': 'service.json',
  'service-post.json': 'service-post.json',
  'source-get-200-basic.json': 'source.json',
  'source-get-200-multi.json': 'source.json',
  'sources-get-200.json': 'source.json[]',
  'storage-backends-get-200.json': 'storage-backends-list.json',
};

/** Examples that the 7.0 spec schemas themselves reject: `created` has no time zone (DIGEST §13). */
export const INVALID_EXAMPLES = new Set(['flow-get-200-multi.json', 'flow-get-200-data-ttml.json']);

function withFormats(options: Options): Ajv {
  const ajv = new Ajv(options);
  ajvFormats.default(ajv);
  return ajv;
}

const typeboxAjv = withFormats({
  strict: true,
  allErrors: false,
  useDefaults: false,
  removeAdditional: false,
});

export function typeboxValidator(schema: TSchema): (doc: unknown) => boolean {
  const validate = typeboxAjv.compile(schema);
  return (doc) => validate(doc) === true;
}

/**
 * An Ajv configured as the server configures Fastify's (coercion included), with strict mode
 * failing on anything it would only log, so a schema that compiles here compiles in the server.
 */
export function serverAjv(overrides: Options = {}): Ajv {
  const fail = (...args: unknown[]) => {
    throw new Error(args.map(String).join(' '));
  };
  return withFormats({
    coerceTypes: 'array',
    useDefaults: false,
    removeAdditional: false,
    allErrors: false,
    strict: true,
    logger: { log: () => {}, warn: fail, error: fail },
    ...overrides,
  });
}

export interface Case {
  name: string;
  doc: unknown;
  valid: boolean;
}

/** Registers one test per case: the spec schema and the TypeBox schema must both say `valid`. */
export function parityCases(specName: string, schema: TSchema, cases: Case[]): void {
  const spec = specValidator(specName);
  const ours = typeboxValidator(schema);
  it.each(cases)(`${specName}: $name`, ({ doc, valid }) => {
    expect({ spec: spec(doc), typebox: ours(doc) }).toEqual({ spec: valid, typebox: valid });
  });
}

/** Registers one test per spec example of `specName`, with the verdict the spec itself gives. */
export function parityExamples(specName: string, schema: TSchema): void {
  const files = Object.entries(EXAMPLE_SCHEMAS)
    .filter(([, name]) => name === specName)
    .map(([file]) => file);
  parityCases(
    specName,
    schema,
    files.map((file) => ({
      name: `example ${file}`,
      doc: specExample(file),
      valid: !INVALID_EXAMPLES.has(file),
    })),
  );
}

function isSchemaExport(value: unknown): value is TSchema {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const v = value as { type?: unknown; oneOf?: unknown; enum?: unknown };
  return typeof v.type === 'string' || Array.isArray(v.oneOf) || Array.isArray(v.enum);
}

/** The exported TypeBox schemas of a `*.schemas.ts` module (helpers and constants skipped). */
export function schemaExports(module: Record<string, unknown>): [string, TSchema][] {
  return Object.entries(module).filter((entry): entry is [string, TSchema] => isSchemaExport(entry[1]));
}

/**
 * Registers a test per exported schema: it must compile under strict Ajv as the server configures
 * it. (`removeAdditional: true` is harmless too; `useDefaults: true` is not, see flows tests.)
 */
export function compilesForFastify(module: Record<string, unknown>): void {
  const server = serverAjv();
  const removing = serverAjv({ removeAdditional: true });
  it.each(schemaExports(module))('%s compiles under the server Ajv', (_name, schema) => {
    expect(() => server.compile(schema)).not.toThrow();
    expect(() => removing.compile(schema)).not.toThrow();
  });
}
