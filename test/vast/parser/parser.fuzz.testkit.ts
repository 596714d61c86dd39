/**
 * What test/vast/parser/parser.fuzz.test.ts needs: whether the oracles' venv with VAST's SDK is
 * there, the generator's run (sdk_parse_fuzz.py, beside this file), the shape of its JSON, and the
 * engine's reading of a body in the same canonical form as the generator records the SDK's.
 *
 * Settings (environment):
 * - TAMS_VAST_FUZZ_VENV: the venv whose vastdb is the oracle (default TAMS_ORACLES_VENV, else
 *   .venv-oracles); point it at a venv of another vastdb release to compare with that one.
 * - TAMS_VAST_FUZZ_SEED, TAMS_VAST_FUZZ_COUNT: the variants (default seed 46, 400 of them: the
 *   quick mode, about 3 s); a longer run takes a larger count and any seed.
 * - TAMS_VAST_FUZZ_REQUIRED=1 (.ci/run): a missing venv fails the test instead of skipping it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WireFormatError } from '../../../src/db/engines/vast/wire/wire.errors.ts';
import {
  type QueryBatch,
  QueryDataFailedError,
  QueryResponseParser,
} from '../../../src/db/engines/vast/wire/wire.frames.ts';
import type { WireField, WireValue } from '../../../src/db/engines/vast/wire/wire.types.ts';
import { spawnChild } from '../../helpers/children.ts';

const REPO = resolve(fileURLToPath(new URL('../../../', import.meta.url)));
const GENERATOR = fileURLToPath(new URL('./sdk_parse_fuzz.py', import.meta.url));

export interface FuzzGate {
  python: string;
  skip: boolean;
  /** Appended to the suite's title: why it is skipped, or nothing. */
  note: string;
  seed: number;
  count: number;
}

export function fuzzGate(env: NodeJS.ProcessEnv = process.env): FuzzGate {
  const venv = env.TAMS_VAST_FUZZ_VENV || env.TAMS_ORACLES_VENV || join(REPO, '.venv-oracles');
  const python = join(venv, 'bin/python');
  const present =
    existsSync(python) && spawnSync(python, ['-c', 'import vastdb'], { stdio: 'ignore' }).status === 0;
  const skip = !present && env.TAMS_VAST_FUZZ_REQUIRED !== '1';
  const why = `no vastdb in ${venv}; run bash scripts/oracles-venv.sh`;
  return {
    python,
    skip,
    note: skip ? ` (skipped: ${why})` : '',
    seed: Number(env.TAMS_VAST_FUZZ_SEED ?? 46),
    count: Number(env.TAMS_VAST_FUZZ_COUNT ?? 400),
  };
}

/** A batch in canonical form: integers as decimal text, floats as `f:` and their IEEE bits. */
export interface Batch {
  streamId: number;
  nextRowId: string;
  numRows: number;
  columns: (string | boolean | null)[][];
}

export interface Variant {
  index: number;
  kinds: string[];
  fields: WireField[];
  hex: string;
  sdk: { ok: boolean; error?: string; message?: string; batches: Batch[] };
}

export interface Variants {
  sdk: string;
  pyarrow: string;
  seed: number;
  variants: Variant[];
}

/** Runs the generator (a few seconds) into `out` and reads what it wrote. */
export async function generate(gate: FuzzGate, out: string): Promise<Variants> {
  const child = spawnChild(
    gate.python,
    [GENERATOR, '--seed', String(gate.seed), '--count', String(gate.count), '--out', out],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const code = await new Promise<number | null>((done) => child.on('close', done));
  if (code !== 0) throw new Error(`sdk_parse_fuzz.py exited ${code}: ${stderr.slice(-2000)}`);
  return JSON.parse(readFileSync(out, 'utf8')) as Variants;
}

function canon(type: WireField['type'], v: WireValue): string | boolean | null {
  if (v === null) return null;
  if (type === 'float64') return `f:${Buffer.from(new Float64Array([v as number]).buffer).toString('hex')}`;
  if (typeof v === 'boolean' || typeof v === 'string') return v;
  return String(v);
}

function canonical(b: QueryBatch): Batch {
  return {
    streamId: b.streamId,
    nextRowId: String(b.nextRowId),
    numRows: b.numRows,
    columns: b.fields.map((f, c) => (b.columns[c] ?? []).map((v) => canon(f.type, v))),
  };
}

export type Reading =
  | { ok: true; batches: Batch[] }
  | { ok: false; typed: boolean; failed: boolean; error: string; batches: Batch[] };

/** The engine's reading of `body` fed in chunks of `sizes()` bytes. */
export function engineReading(fields: WireField[], body: Uint8Array, sizes: () => number): Reading {
  const parser = new QueryResponseParser(fields);
  const batches: Batch[] = [];
  try {
    for (let at = 0; at < body.byteLength; ) {
      const n = Math.max(1, sizes());
      for (const b of parser.push(body.subarray(at, at + n))) batches.push(canonical(b));
      at += n;
    }
    for (const b of parser.end()) batches.push(canonical(b));
    return { ok: true, batches };
  } catch (e) {
    const failed = e instanceof QueryDataFailedError;
    if (failed) for (const b of e.batches) batches.push(canonical(b));
    const typed = failed || e instanceof WireFormatError;
    return {
      ok: false,
      typed,
      failed,
      error: e instanceof Error ? `${e.name}: ${e.message}` : String(e),
      batches,
    };
  }
}

/** Chunk sizes from a seeded generator: 1 to 97 bytes. */
export function randomSizes(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return 1 + (s % 97);
  };
}
