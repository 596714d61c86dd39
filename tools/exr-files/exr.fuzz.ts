/**
 * The fuzz property of the parser, shared by src/exr/exr.fuzz.test.ts (a few thousand runs in every test
 * run) and scripts/exr-fuzz.ts (`npm run fuzz:exr`, a million): sample headers mutated (bit
 * flips, bytes replaced, inserted, deleted or copied, length and count fields set to hostile
 * values, flags changed, cuts) must parse or fail with ExrParseError, never another error, never
 * slowly, and the same whether parsed from memory or through a byte source read in small pieces.
 */

import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { bytesSource, ExrParseError, parseExrBytes, parseExrHeader } from '../../src/exr/parser/exr.parse.ts';
import type { ExrHeader, ExrParseOptions } from '../../src/exr/parser/exr.types.ts';
import { attr, concat, i32, multiPart, partAttributes, singlePartFile, text } from './exr.build.ts';
import { sampleBytes, sampleNames, samplesGate } from './exr.samples.ts';

export interface FuzzSeed {
  name: string;
  bytes: Uint8Array;
  /** Where the header and its tables are, where mutations matter most. */
  end: number;
  /** Offsets of every attribute's int32 size field and value. */
  sizeFields: number[];
  valueStarts: number[];
}

function seedOf(name: string, bytes: Uint8Array): FuzzSeed {
  const header = parseExrBytes(bytes);
  const attributes = header.parts.flatMap((p) => p.attributes);
  const enc = new TextEncoder();
  const sizeFields = attributes.map(
    (a) => a.offset + enc.encode(a.name).length + enc.encode(a.type).length + 2,
  );
  return {
    name,
    bytes,
    end: Math.min(bytes.length, (header.offsetTablesEnd ?? header.headerEnd) + 16),
    sizeFields,
    valueStarts: sizeFields.map((at) => at + 4),
  };
}

/** Headers no sample has: every level mode, deep tiles, multipart with views, odd types. */
function builtSeeds(): FuzzSeed[] {
  const tiled = (mode: number) => partAttributes({ width: 37, height: 23, tiles: [8, 4, mode] });
  const named = (name: string, type: string, extra: Uint8Array[] = []) =>
    partAttributes({
      compression: 3,
      extra: [
        attr('name', 'string', text(name)),
        attr('type', 'string', text(type)),
        attr('chunkCount', 'int', i32(1)),
        ...extra,
      ],
    });
  const multi = multiPart([
    named('a', 'scanlineimage'),
    named('b', 'deepscanline', [attr('version', 'int', i32(1))]),
  ]);
  const extras = [
    attr('sv', 'stringvector', concat(i32(2), text('ab'), i32(0))),
    attr('fv', 'floatvector', new Uint8Array(12)),
    attr('p', 'preview', concat(i32(1, 1), new Uint8Array(4))),
    attr('u', 'custom', new Uint8Array(5)),
  ];
  return [
    seedOf('built_mipmap_up', singlePartFile(tiled(0x11), 0, 0x202)),
    seedOf('built_ripmap', singlePartFile(tiled(0x02), 0, 0x202)),
    seedOf('built_multipart', concat(multi, new Uint8Array(64))),
    seedOf('built_extras', singlePartFile(partAttributes({ extra: extras }), 8)),
  ];
}

/** The samples (when ../shared/exr-samples is there) and the built headers. */
export function fuzzSeeds(): FuzzSeed[] {
  const gate = samplesGate();
  const samples = gate.skip
    ? []
    : sampleNames(gate.dir).map((name) => seedOf(name, sampleBytes(gate.dir, name)));
  return [...samples, ...builtSeeds()];
}

export type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'cut'; at: number }
  | { kind: 'copy'; from: number; length: number; to: number }
  | { kind: 'size'; field: number; value: number }
  | { kind: 'int'; field: number; word: number; value: number }
  | { kind: 'flags'; bits: number };

/** Lengths and counts a hostile header would use. */
const hostileInt = fc.oneof(
  fc.constantFrom(-1, 0, 1, 31, 32, 255, 256, 65_536, 16_777_216, 0x7fff_fff0, 0x7fff_ffff, -0x8000_0000),
  fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff }),
);
/** A position: mostly in the header and tables (where the parser looks), sometimes anywhere. */
const position = fc.oneof(
  { weight: 7, arbitrary: fc.nat() },
  { weight: 1, arbitrary: fc.nat().map((n) => -1 - n) },
);

const weighted = <T>(weight: number, arbitrary: fc.Arbitrary<T>) => ({ weight, arbitrary });

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  weighted(
    3,
    fc.record({ kind: fc.constant('flip' as const), at: position, bit: fc.integer({ min: 0, max: 7 }) }),
  ),
  weighted(
    3,
    fc.record({ kind: fc.constant('set' as const), at: position, value: fc.integer({ min: 0, max: 255 }) }),
  ),
  weighted(
    2,
    fc.record({
      kind: fc.constant('insert' as const),
      at: position,
      bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
    }),
  ),
  weighted(
    2,
    fc.record({
      kind: fc.constant('delete' as const),
      at: position,
      length: fc.integer({ min: 1, max: 16 }),
    }),
  ),
  weighted(1, fc.record({ kind: fc.constant('cut' as const), at: position })),
  // Bytes of the header again elsewhere: attributes twice, parts spliced into parts.
  weighted(
    1,
    fc.record({
      kind: fc.constant('copy' as const),
      from: position,
      length: fc.integer({ min: 1, max: 64 }),
      to: position,
    }),
  ),
  weighted(3, fc.record({ kind: fc.constant('size' as const), field: fc.nat(), value: hostileInt })),
  weighted(
    3,
    fc.record({
      kind: fc.constant('int' as const),
      field: fc.nat(),
      word: fc.integer({ min: 0, max: 8 }),
      value: hostileInt,
    }),
  ),
  // The flag bits 8-15 (the version number in bits 0-7 is hit often enough by the others).
  weighted(
    1,
    fc.record({
      kind: fc.constant('flags' as const),
      bits: fc.integer({ min: 1, max: 0xff }).map((b) => b << 8),
    }),
  ),
);

export interface FuzzCase {
  seed: number;
  mutations: Mutation[];
  /** The byte source's first read, small so that the async path grows its buffer. */
  firstRead: number;
  /** Small limits, so that the samples reach them too. */
  limits: ExrParseOptions | null;
}

const smallLimits: fc.Arbitrary<ExrParseOptions> = fc.record(
  {
    maxHeaderBytes: fc.integer({ min: 1, max: 4096 }),
    maxParts: fc.integer({ min: 1, max: 3 }),
    maxAttributes: fc.integer({ min: 1, max: 40 }),
    maxChannels: fc.integer({ min: 1, max: 6 }),
    maxVectorItems: fc.integer({ min: 1, max: 6 }),
    maxOffsetEntries: fc.integer({ min: 1, max: 16 }),
  },
  { requiredKeys: [] },
);

export const fuzzCase = (seeds: number): fc.Arbitrary<FuzzCase> =>
  fc.record({
    seed: fc.integer({ min: 0, max: seeds - 1 }),
    mutations: fc.array(mutation, { minLength: 1, maxLength: 4 }),
    firstRead: fc.integer({ min: 8, max: 4096 }),
    limits: fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: smallLimits }),
  });

function writeI32(bytes: Uint8Array, at: number, value: number): void {
  if (at >= 0 && at + 4 <= bytes.length)
    new DataView(bytes.buffer, bytes.byteOffset).setInt32(at, value, true);
}

export function mutate(seed: FuzzSeed, mutations: Mutation[]): Uint8Array {
  let bytes: Uint8Array = seed.bytes.slice();
  for (const m of mutations) {
    const where = (at: number) =>
      at >= 0 ? at % Math.max(1, seed.end) : (-1 - at) % Math.max(1, bytes.length);
    const pick = (list: number[], n: number) => list[n % Math.max(1, list.length)] ?? 0;
    if (m.kind === 'flip' || m.kind === 'set') {
      const at = where(m.at);
      if (at < bytes.length) bytes[at] = m.kind === 'flip' ? (bytes[at] ?? 0) ^ (1 << m.bit) : m.value;
    } else if (m.kind === 'insert') {
      const at = Math.min(where(m.at), bytes.length);
      bytes = concat(bytes.subarray(0, at), m.bytes, bytes.subarray(at));
    } else if (m.kind === 'delete') {
      const at = where(m.at);
      bytes = concat(bytes.subarray(0, at), bytes.subarray(at + m.length));
    } else if (m.kind === 'copy') {
      const from = where(m.from);
      const to = Math.min(where(m.to), bytes.length);
      bytes = concat(bytes.subarray(0, to), bytes.slice(from, from + m.length), bytes.subarray(to));
    } else if (m.kind === 'cut') {
      bytes = bytes.slice(0, where(m.at));
    } else if (m.kind === 'size') {
      writeI32(bytes, pick(seed.sizeFields, m.field), m.value);
    } else if (m.kind === 'int') {
      writeI32(bytes, pick(seed.valueStarts, m.field) + 4 * m.word, m.value);
    } else if (bytes.length >= 8) {
      writeI32(bytes, 4, (new DataView(bytes.buffer, bytes.byteOffset).getInt32(4, true) ^ m.bits) | 0);
    }
  }
  return bytes;
}

export type Outcome = 'header' | ExrParseError['code'];

/** What one parse came to: a header, or an ExrParseError; anything else is thrown on. */
function settle(run: () => ExrHeader): { outcome: Outcome; result: ExrHeader | ExrParseError } {
  try {
    const header = run();
    return { outcome: 'header', result: header };
  } catch (error) {
    if (error instanceof ExrParseError) return { outcome: error.code, result: error };
    throw error;
  }
}

const sameFailure = (a: ExrParseError, b: ExrParseError) => a.code === b.code && a.offset === b.offset;

export interface CaseReport {
  outcome: Outcome;
  ms: number;
}

/** One case: both entries, same result, plain JSON, within `maxMs`. Throws what is wrong. */
export async function checkCase(seeds: FuzzSeed[], c: FuzzCase, maxMs: number): Promise<CaseReport> {
  const seed = seeds[c.seed] as FuzzSeed;
  const bytes = mutate(seed, c.mutations);
  const started = performance.now();
  const options = c.limits ?? {};
  const sync = settle(() => parseExrBytes(bytes, undefined, options));
  let async: ExrHeader | ExrParseError;
  try {
    async = await parseExrHeader(bytesSource(bytes), { ...options, firstReadBytes: c.firstRead });
  } catch (error) {
    if (!(error instanceof ExrParseError)) throw error;
    async = error;
  }
  const ms = performance.now() - started;
  if (ms > maxMs) throw new Error(`${seed.name}: ${ms.toFixed(0)} ms for one case`);
  const agree =
    sync.result instanceof ExrParseError
      ? async instanceof ExrParseError && sameFailure(sync.result, async)
      : !(async instanceof ExrParseError) && isDeepStrictEqual(sync.result, async);
  if (!agree) throw new Error(`${seed.name}: parseExrBytes and parseExrHeader disagree`);
  if (!(sync.result instanceof ExrParseError)) JSON.stringify(sync.result);
  return { outcome: sync.outcome, ms };
}
