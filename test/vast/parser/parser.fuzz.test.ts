/**
 * The engine's QueryData parser (src/db/engines/vast/wire/wire.frames.ts) against VAST's own, the
 * SDK's `parse_query_data_response`, on generated responses (sdk_parse_fuzz.py: several batches per
 * column, zero-row batches, schema-only column streams, interleaved streams, keep-alives, bytes
 * after the completion frame, no completion frame, failure frames, timestamps of other units and
 * zones, and bodies broken on purpose). Every body the SDK reads, the engine reads to the same
 * batches, in whatever chunks it arrives; every body the SDK refuses, the engine refuses with a
 * typed error (the failure frame as QueryDataFailedError, with the batches before it).
 *
 * Quick mode by default (400 variants, a fixed seed); parser.fuzz.testkit.ts lists the settings
 * for other seeds, longer runs and another vastdb. Skipped, saying why, without the oracles' venv;
 * TAMS_VAST_FUZZ_REQUIRED=1 (.ci/run) turns the skip into a failure.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineReading, fuzzGate, generate, randomSizes, type Variants } from './parser.fuzz.testkit.ts';

const gate = fuzzGate();
const dir = gate.skip ? '' : mkdtempSync(join(tmpdir(), 'tams-vast-fuzz-'));
let made: Variants;
beforeAll(async () => {
  made = await generate(gate, join(dir, 'variants.json'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(gate.skip)(
  `QueryData parser against the SDK's, seed ${gate.seed}, ${gate.count} variants${gate.note}`,
  () => {
    it('the generator made every kind of variant, both read and refused by the SDK', () => {
      const kinds = new Set(made.variants.flatMap((v) => v.kinds));
      for (const kind of [
        'several record batches per column',
        'zero-row record batch',
        'schema-only column stream',
        'bytes after the completion frame',
        'no completion frame',
        'failure frame (code, length 0)',
        'timestamp of another unit or zone',
      ]) {
        if (gate.count >= 400) expect(kinds).toContain(kind);
      }
      const read = made.variants.filter((v) => v.sdk.ok).length;
      expect(read).toBeGreaterThan(0);
      expect(read).toBeLessThan(made.variants.length);
    });

    // One test per variant, named when the list is made (its index is known before the list is).
    for (let i = 0; i < gate.count; i++) {
      it(`variant ${i}`, () => {
        const v = made.variants[i];
        if (v === undefined) throw new Error(`the generator made no variant ${i}`);
        const body = new Uint8Array(Buffer.from(v.hex, 'hex'));
        const context = `variant ${i} (${v.kinds.join(', ')}); the SDK: ${v.sdk.ok ? 'read it' : `${v.sdk.error}: ${v.sdk.message}`}`;
        const chunkings = [() => body.byteLength, randomSizes(gate.seed * 7919 + i), () => 13];
        for (const sizes of chunkings) {
          const got = engineReading(v.fields, body, sizes);
          if (v.sdk.ok) {
            expect(got, context).toEqual({ ok: true, batches: v.sdk.batches });
            continue;
          }
          expect(got.ok, context).toBe(false);
          if (got.ok) continue;
          expect(got.typed, `${context}; the engine: ${got.error}`).toBe(true);
          if (v.sdk.error === 'QueryDataInternalError') {
            expect(got.failed, `${context}; the engine: ${got.error}`).toBe(true);
            expect(got.batches, context).toEqual(v.sdk.batches);
          }
        }
      });
    }
  },
);
