/**
 * The OpenEXR fixtures of ../shared/exr-samples (beside the repository, as ../shared/tams-spec
 * is) and their reference dumps: json/ (an independent spec-derived dumper), exrheader/ (the
 * OpenEXR 3.1.5 C++ library), exrinfo/ (its C core). EXR_SAMPLES_DIR points elsewhere; without
 * the folder the tests that need it are skipped, unless CI or EXR_SAMPLES_REQUIRED=1 is set.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface SamplesGate {
  dir: string;
  skip: boolean;
  note: string;
}

const on = (v: string | undefined) => v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';

export function samplesGate(env: NodeJS.ProcessEnv = process.env): SamplesGate {
  const dir = resolve(REPO_ROOT, env.EXR_SAMPLES_DIR || '../shared/exr-samples');
  const present = existsSync(join(dir, 'README.md')) && existsSync(join(dir, 'json'));
  const skip = !present && !on(env.CI) && !on(env.EXR_SAMPLES_REQUIRED);
  return { dir, skip, note: skip ? ` (skipped: no OpenEXR samples in ${dir})` : '' };
}

/** The fixtures' names without `.exr`, sorted. */
export function sampleNames(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.exr'))
    .map((f) => f.slice(0, -4))
    .sort();
}

export function sampleBytes(dir: string, name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(dir, `${name}.exr`)));
}

export function sampleText(
  dir: string,
  folder: 'exrheader' | 'exrinfo' | 'json',
  name: string,
): string | undefined {
  const file = join(dir, folder, `${name}.${folder === 'json' ? 'json' : 'txt'}`);
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}

/** The fields of json/<name>.json the tests compare (exr_header_dump.py's output). */
export interface DumpAttribute {
  type: string;
  size: number;
  offset: number;
  value: unknown;
}

export interface DumpPart {
  headerStart: number;
  attributeOrder: string[];
  attributes: Record<string, DumpAttribute>;
  partType: string;
  chunkCount: number;
  chunkCountSource: 'attribute' | 'computed';
  offsetTable: { start: number; first: number[]; last: number | null; monotonic: boolean };
  missingRequired: string[];
}

export interface Dump {
  file: string;
  size: number;
  magic: number;
  versionField: string;
  version: number;
  flags: {
    singlePartTiled: boolean;
    longNames: boolean;
    nonImage: boolean;
    multipart: boolean;
    unknownBits: string;
  };
  headerEnd: number;
  firstChunkOffset: number;
  parts: DumpPart[];
}

export function sampleDump(dir: string, name: string): Dump {
  const text = sampleText(dir, 'json', name);
  if (text === undefined) throw new Error(`no json/${name}.json`);
  return JSON.parse(text) as Dump;
}
