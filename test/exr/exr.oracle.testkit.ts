/**
 * What test/exr/exr.oracle.test.ts needs besides the comparisons: whether the oracles' Python
 * environment is there, the generator run, the shapes of its JSON, and the helpers both
 * comparisons share.
 *
 * The references are OpenEXR's own library and OpenImageIO, PyPI wheels pinned in
 * scripts/oracles-requirements.txt and installed into .venv-oracles by scripts/oracles-venv.sh
 * (TAMS_ORACLES_VENV names another folder). Without them the test is skipped, saying why; with
 * TAMS_EXR_ORACLE_REQUIRED=1 (.ci/run) it runs anyway and fails.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExrPart } from '../../src/exr/parser/exr.parse.ts';

const REPO = resolve(fileURLToPath(new URL('../../', import.meta.url)));
export const GENERATOR = join(REPO, 'scripts/exr-oracle/exr_oracle.py');

export interface OracleGate {
  python: string;
  skip: boolean;
  /** Appended to the suite's title: why it is skipped, or nothing. */
  note: string;
}

export function oracleGate(env: NodeJS.ProcessEnv = process.env): OracleGate {
  const venv = env.TAMS_ORACLES_VENV || join(REPO, '.venv-oracles');
  const python = join(venv, 'bin/python');
  const present =
    existsSync(python) &&
    spawnSync(python, ['-c', 'import OpenEXR, OpenImageIO'], { stdio: 'ignore' }).status === 0;
  const skip = !present && env.TAMS_EXR_ORACLE_REQUIRED !== '1';
  const why = `no OpenEXR/OpenImageIO in ${venv}; run bash scripts/oracles-venv.sh`;
  return { python, skip, note: skip ? ` (skipped: ${why})` : '' };
}

export interface ManifestEntry {
  file: string;
  json: string;
  description: string;
  writer: string;
  reference: 'openexr' | 'oiio';
  /** Written with level 0 only: the other levels' offset-table entries are 0. */
  incomplete: boolean;
}

export interface Manifest {
  libraries: Record<string, string>;
  files: ManifestEntry[];
}

/** Runs the generator into `dir` (about a second) and returns its manifest. */
export function generate(python: string, dir: string): Manifest {
  if (!existsSync(python)) {
    throw new Error(`${python} is missing: the EXR oracle needs the venv (bash scripts/oracles-venv.sh)`);
  }
  execFileSync(python, [GENERATOR, dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  return JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
}

export interface RefAttribute {
  type: string;
  // biome-ignore lint/suspicious/noExplicitAny: JSON of many shapes, checked by the comparisons
  value: any;
}

export interface RefChannel {
  name: string;
  pixelType: string;
  xSampling?: number;
  ySampling?: number;
  pLinear?: boolean;
}

export interface RefBox {
  xMin: number;
  yMin: number;
  xMax: number;
  yMax: number;
}

export interface OpenexrPart {
  name: string | null;
  type: string;
  dataWindow: RefBox;
  displayWindow: RefBox;
  channels: RefChannel[];
  compression: string;
  lineOrder: string;
  tiles: { xSize: number; ySize: number; levelMode: string; roundingMode: string } | null;
  pixelAspectRatio: number | string;
  screenWindowCenter: (number | string)[];
  screenWindowWidth: number | string;
  chunkCount: { value: number; source: 'attribute' | 'computed' };
  attributes: Record<string, RefAttribute>;
}

export interface OiioAttribute extends RefAttribute {
  /** The attribute's name in the file, where OIIO renames it. */
  exrName?: string;
  /** OIIO derives it; no attribute of the file has this name. */
  invented?: boolean;
}

export interface OiioPart {
  name: string | null;
  deep: boolean;
  dataWindow: RefBox;
  displayWindow: RefBox;
  channels: RefChannel[];
  tileSize: [number, number] | null;
  attributes: Record<string, OiioAttribute>;
}

export interface Reference<P> {
  library: string;
  parts: P[];
}

export interface CaseDoc {
  file: string;
  expectedFlags: { singlePartTiled: boolean; longNames: boolean; nonImage: boolean; multipart: boolean };
  openexr: Reference<OpenexrPart> | { error: string };
  oiio: Reference<OiioPart> | { error: string };
}

export function loadCase(dir: string, entry: ManifestEntry): CaseDoc {
  return JSON.parse(readFileSync(join(dir, entry.json), 'utf8')) as CaseDoc;
}

export function readable<P>(ref: Reference<P> | { error: string }): ref is Reference<P> {
  return !('error' in ref);
}

/**
 * A number as the generator writes it: non-finite values as "NaN"/"Infinity"/"-Infinity", -0 as
 * "-0" (JSON.parse turns the generator's -0.0 into -0, and === would not tell it from 0).
 */
export function canon(x: unknown): unknown {
  if (typeof x !== 'number') return x;
  if (Number.isNaN(x)) return 'NaN';
  if (x === Number.POSITIVE_INFINITY) return 'Infinity';
  if (x === Number.NEGATIVE_INFINITY) return '-Infinity';
  if (Object.is(x, -0)) return '-0';
  return x;
}

/** Deep equality over canon()ical numbers: exact, no tolerance. */
export function same(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => same(v, b[i]));
  }
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    const ra = a as Record<string, unknown>;
    const rb = b as Record<string, unknown>;
    return same(ka, kb) && ka.every((k) => same(ra[k], rb[k]));
  }
  return canon(a) === canon(b);
}

export function show(x: unknown): string {
  return JSON.stringify(x, (_k, v) => (typeof v === 'number' ? canon(v) : v));
}

export function hexOfBase64(base64: string | undefined): string | undefined {
  return base64 === undefined ? undefined : Buffer.from(base64, 'base64').toString('hex');
}

/** Collects disagreements, each naming the file, part, attribute and both values. */
export class Differences {
  readonly list: string[] = [];
  constructor(
    private readonly file: string,
    private readonly library: string,
  ) {}

  check(where: string, parser: unknown, reference: unknown): void {
    if (!same(parser, reference))
      this.add(where, `parser ${show(parser)}, ${this.library} ${show(reference)}`);
  }

  add(where: string, what: string): void {
    this.list.push(`${this.file} ${where}: ${what}`);
  }
}

/**
 * OpenEXR's library reports `version` 1 for every part of a multi-part file, deep or not, while
 * only deep parts carry one in the file (checked in the bytes of multipart_mixed.exr, whose
 * scanline and tiled parts have none): an attribute the library makes up, not the parser's loss.
 */
export function versionInvented(name: string, ref: { value: unknown }, part: ExrPart): boolean {
  return name === 'version' && ref.value === 1 && !part.summary.deep;
}
