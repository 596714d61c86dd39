/**
 * Differential test of the OpenEXR header parser (src/exr/) against the reference libraries.
 *
 * scripts/exr-oracle/exr_oracle.py writes some forty EXR files into a temporary folder, with
 * OpenEXR's own library (its PyPI bindings) and, for what those cannot write, OpenImageIO: every
 * compression, scanline and tiled (one level, mipmaps rounded down and up, ripmaps), line orders,
 * multipart, deep scanline and tiled, long names, every attribute type, odd windows, half, float
 * and uint channels with layer names. For each it records what both libraries read back. Here
 * every file is parsed with parseExrBytes and compared, field by field and exactly, with each
 * library that can read it: a disagreement names the file, part, attribute and both values.
 *
 * Skipped, saying why, without the oracles' venv (bash scripts/oracles-venv.sh makes it);
 * TAMS_EXR_ORACLE_REQUIRED=1 (.ci/run) turns the skip into a failure.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseExrBytes } from '../../src/exr/parser/exr.parse.ts';
import { compareWithOiio } from './exr.oracle.oiio.testkit.ts';
import { compareVersion, compareWithOpenexr, unexpectedIssues } from './exr.oracle.openexr.testkit.ts';
import { generate, loadCase, type Manifest, oracleGate, readable } from './exr.oracle.testkit.ts';

const gate = oracleGate();

/**
 * Disagreements that are the parser's, reported and not yet fixed: `it.fails` keeps them
 * visible, and turns red the day the parser agrees (then remove the entry).
 */
const KNOWN_PARSER_GAPS: Record<string, string> = {};

// The files are made while the suite is collected: one test per file needs their list.
const dir = gate.skip ? '' : mkdtempSync(join(tmpdir(), 'tams-exr-oracle-'));
const manifest: Manifest = gate.skip ? { libraries: {}, files: [] } : generate(gate.python, dir);
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(gate.skip)(`EXR headers: the parser agrees with OpenEXR and OpenImageIO${gate.note}`, () => {
  it('the generator wrote the planned files', () => {
    expect(manifest.libraries).toMatchObject({ OpenEXR: '3.5.3', OpenImageIO: '3.2.2.0' });
    expect(manifest.files.length).toBeGreaterThanOrEqual(35);
    expect(manifest.files.filter((f) => f.reference === 'oiio').map((f) => f.file)).toEqual([
      'oiio_deep_state.exr',
    ]);
  });

  for (const entry of manifest.files) {
    const gap = KNOWN_PARSER_GAPS[entry.file];
    const test = gap === undefined ? it : it.fails;
    test(`${entry.file}: ${entry.description}${gap ? ` (known parser gap: ${gap})` : ''}`, () => {
      const doc = loadCase(dir, entry);
      const header = parseExrBytes(new Uint8Array(readFileSync(join(dir, entry.file))));
      const differences = [
        ...compareVersion(entry.file, header, doc),
        ...(readable(doc.openexr) ? compareWithOpenexr(entry.file, header, doc) : []),
        ...(readable(doc.oiio) ? compareWithOiio(entry.file, header, doc) : []),
        ...unexpectedIssues(header, entry.incomplete).map((i) => `${entry.file} issue ${i}`),
      ];
      expect(differences).toEqual([]);
    });
  }
});
