import { describe, expect, it } from 'vitest';
import { ROW_ID_DONE } from '../../../src/db/engines/vast/wire/wire.frames.ts';
import { encodeQueryResponse, type ResponseStream } from '../../../src/db/engines/vast/wire/wire.response.ts';
import type {
  WireField,
  WireRow,
  WireType,
  WireValue,
} from '../../../src/db/engines/vast/wire/wire.types.ts';
import { encodeResponse } from '../../../tools/vast-fake/fake.encode.ts';
import { failureFrame } from '../../../tools/vast-fake/fake.failure.ts';
import { randomSource } from './fake.random.testkit.ts';

const TYPES: readonly WireType[] = ['utf8', 'int64', 'int32', 'float64', 'bool', 'timestamp_us', 'uint64'];
const STRINGS = ['', 'a', 'flow-1', 'Ωmega — ünïcödé ✓ 東京', '😀', 'x'.repeat(37), 'lone \ud800 surrogate'];
const FLOATS = [0, -0, 1.5, -1e300, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, 5e-324];
const BIGINTS = [0n, 1n, -1n, (1n << 63n) - 1n, -(1n << 63n), 1_767_323_045_000_006n];

describe('fake VAST: response encoding', () => {
  it('is byte for byte what the codec encodes (then the failure frame in full), for random columns, rows, sub-splits and endings', () => {
    const r = randomSource(19);
    const value = (type: WireType): WireValue => {
      switch (type) {
        case 'utf8':
          return r.pick(STRINGS);
        case 'int64':
        case 'timestamp_us':
          return r.pick(BIGINTS);
        case 'uint64':
          return r.pick([0n, 7n, (1n << 64n) - 1n, 1n << 48n]);
        case 'int32':
          return r.pick([0, -1, 2147483647, -2147483648, 12]);
        case 'float64':
          return r.pick(FLOATS);
        case 'bool':
          return r.int(2) === 0;
      }
    };
    for (let round = 0; round < 300; round++) {
      const fields: WireField[] = Array.from({ length: r.int(5) }, (_, i) => ({
        name: `c${i}_${r.pick(['x', 'é', 'name with space'])}`,
        type: r.pick(TYPES),
        nullable: r.int(2) === 0,
      }));
      const nullShare = r.pick([0, 0.3, 1]);
      const streams: ResponseStream[] = Array.from({ length: r.int(5) }, (_, s) => ({
        streamId: s,
        batches: Array.from({ length: 1 + r.int(2) }, () => {
          const n = r.pick([0, 1, 7, 8, 9, 64, 130]);
          const rows: WireRow[] = Array.from({ length: n }, () => {
            const row: WireRow = {};
            for (const f of fields) row[f.name] = f.nullable && r.chance(nullShare) ? null : value(f.type);
            return row;
          });
          return {
            rows: fields.length > 0 ? rows : n,
            nextRowId: r.pick([ROW_ID_DONE, 0n, BigInt(r.int(1_000_000))]),
          };
        }),
      }));
      const end = r.pick(['completed', 'failed', 'none'] as const);
      // The codec ends a failed answer with the marker alone, VAST with the whole frame.
      const codec = encodeQueryResponse(fields, streams, { end: end === 'failed' ? 'none' : end });
      const expected = end === 'failed' ? Buffer.concat([codec, failureFrame(42n)]) : Buffer.from(codec);
      expect(Buffer.from(encodeResponse(fields, streams, end, 42n)).equals(expected)).toBe(true);
    }
  });
});
