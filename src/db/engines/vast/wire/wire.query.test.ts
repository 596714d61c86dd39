import { describe, expect, it } from 'vitest';
import { DbError } from '../../../db.errors.ts';
import type { Predicate } from '../../../db.types.ts';
import { and, col, or } from '../../../predicate.ts';
import { encodeListTablesResponse } from './wire.catalog.ts';
import { decodeStringBound } from './wire.computeir.ts';
import { WireFormatError } from './wire.errors.ts';
import { buildQueryRequest, decodeQueryRequest, matchesNothing, prefixRange } from './wire.query.ts';
import type { WireField } from './wire.types.ts';

const fields: WireField[] = [
  { name: 'id', type: 'utf8', nullable: false },
  { name: 'n', type: 'int64', nullable: true },
  { name: 'i', type: 'int32', nullable: true },
  { name: 'f', type: 'float64', nullable: true },
  { name: 'b', type: 'bool', nullable: true },
  { name: 't', type: 'timestamp_us', nullable: true },
];

function refusal(fn: () => unknown): DbError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DbError) return e;
    throw e;
  }
  throw new Error('not refused');
}

describe('buildQueryRequest', () => {
  it('orders the request schema: projection, then $row_id, then predicate-only columns', () => {
    const { request } = buildQueryRequest({
      fields,
      columns: ['t', 'id'],
      rowId: true,
      where: and(col('b').eq(true), col('id').eq('x'), col('n').gt(1n)),
    });
    expect(request.fields.map((f) => f.name)).toEqual(['t', 'id', '$row_id', 'b', 'n']);
    expect(request.fields[2]).toEqual({ name: '$row_id', type: 'uint64', nullable: true });
    expect(request.projection).toEqual([0, 1, 2]);
  });

  it('projects every column when none are named, and nothing for an empty list', () => {
    expect(buildQueryRequest({ fields }).request.projection).toEqual([0, 1, 2, 3, 4, 5]);
    const counted = buildQueryRequest({ fields, columns: [], where: and(col('i').lt(3)) }).request;
    expect(counted.projection).toEqual([]);
    expect(counted.fields.map((f) => f.name)).toEqual(['i']);
  });

  it('sends and() for no predicate, and one or() per column group', () => {
    expect(buildQueryRequest({ fields }).request.filter).toEqual({ kind: 'call', name: 'and', args: [] });
    const { request } = buildQueryRequest({
      fields,
      columns: ['id'],
      where: and(or(col('id').isNull(), col('id').startsWith('')), col('f').isNotNull()),
    });
    const ref = (position: number) => ({ kind: 'field', position });
    expect(request.filter).toEqual({
      kind: 'call',
      name: 'and',
      args: [
        {
          kind: 'call',
          name: 'or',
          args: [
            { kind: 'call', name: 'is_null', args: [ref(0)] },
            { kind: 'call', name: 'is_valid', args: [ref(0)] },
          ],
        },
        { kind: 'call', name: 'or', args: [{ kind: 'call', name: 'is_valid', args: [ref(1)] }] },
      ],
    });
  });

  it('types literals by their column; timestamps go in microseconds', () => {
    const where = and(
      col('n').eq(5), // a safe integer number is taken for int64
      col('i').eq(7n),
      col('f').eq(2n),
      col('t').ge(new Date('2024-01-02T03:04:05.678Z')),
      col('t').lt(-1n),
    );
    const { body, request } = buildQueryRequest({ fields, columns: [], where });
    const literals = JSON.stringify(request.filter, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));
    expect(literals).toContain('{"kind":"literal","type":"int64","value":"5n"}');
    expect(literals).toContain('{"kind":"literal","type":"int32","value":7}');
    expect(literals).toContain('{"kind":"literal","type":"float64","value":2}');
    expect(literals).toContain('{"kind":"literal","type":"timestamp_us","value":"1704164645678000n"}');
    expect(literals).toContain('{"kind":"literal","type":"timestamp_us","value":"-1n"}');
    expect(decodeQueryRequest(body)).toEqual(request);
  });

  it('refuses what VAST cannot be sent, with DbError', () => {
    const q = (where: Predicate, columns?: string[]) => () =>
      buildQueryRequest({ fields, where, ...(columns ? { columns } : {}) });
    expect(refusal(() => buildQueryRequest({ fields, columns: ['nope'] })).code).toBe('unknown_column');
    expect(refusal(q(and(col('nope').eq(1)))).code).toBe('unknown_column');
    expect(refusal(q(and(col('$row_id').eq(1n)))).code).toBe('unknown_column'); // only with rowId
    for (const where of [
      and(col('id').in([])),
      { all: [{ column: 'id', any: [] }] },
      and(col('n').eq(null)),
      and(col('n').eq('1')),
      and(col('n').eq(2n ** 63n)),
      and(col('i').eq(2 ** 31)),
      and(col('i').eq(1.5)),
      and(col('b').eq(1)),
      and(col('t').eq(new Date(Number.NaN))),
      and(col('n').startsWith('1')),
      and(col('f').contains('1')),
      and(col('id').eq(new Date(0))),
    ]) {
      expect(refusal(q(where)).code, String(where.all[0]?.any[0]?.op)).toBe('invalid_predicate');
    }
  });

  it('drops an empty in beside other comparisons, as the SDK does', () => {
    const where = and(or(col('id').in([]), col('id').eq('a')));
    expect(matchesNothing(where)).toBe(false);
    const args = buildQueryRequest({ fields, columns: ['id'], where }).request.filter;
    expect(args).toMatchObject({ args: [{ name: 'or', args: [{ name: 'equal' }] }] });
    expect(matchesNothing(and(col('n').gt(1), col('id').in([])))).toBe(true);
    expect(matchesNothing(undefined)).toBe(false);
  });
});

describe('prefix ranges', () => {
  const utf8 = (s: string) => Buffer.from(s, 'utf8');
  const cases = ['flow/', 'café', 'x\u00bf', 'a\u007f', '\ud7ff', '日本', '\u{10000}'];
  const candidates = [
    '',
    'a',
    'flow',
    'flow/',
    'flow/x',
    'flox',
    'café',
    'caféine',
    'cafê',
    'x\u00bf',
    'x\u00bfz',
  ];
  candidates.push(
    'x\u00c0',
    'a\u007f',
    'a\u0080',
    '\ud7ff!',
    '\ue000',
    '日本語',
    '日本',
    '日札',
    '\u{10000}x',
    '\u{10001}',
  );

  it('bound exactly the strings with the prefix, in UTF-8 byte order', () => {
    for (const p of cases) {
      const [lower, upper] = prefixRange(p);
      expect(Buffer.from(lower).equals(utf8(p))).toBe(true);
      const upperText = utf8(decodeStringBound(upper));
      for (const s of candidates) {
        const inRange =
          Buffer.compare(utf8(s), lower) >= 0 && Buffer.compare(utf8(s), Buffer.from(upper)) < 0;
        expect([p, s, inRange]).toEqual([p, s, s.startsWith(p)]);
        // The decoded bound orders every valid string as the raw bound does.
        expect(Buffer.compare(utf8(s), upperText) < 0).toBe(Buffer.compare(utf8(s), Buffer.from(upper)) < 0);
      }
    }
  });

  it('decodes a bound that is not UTF-8 as the next code point', () => {
    expect(decodeStringBound(prefixRange('x\u00bf')[1])).toBe('x\u00c0');
    expect(decodeStringBound(prefixRange('a\u007f')[1])).toBe('a\u0080');
    expect(decodeStringBound(prefixRange('\ud7ff')[1])).toBe('\ue000');
    expect(decodeStringBound(Uint8Array.from([0x61, 0xff]))).toBe('a\ufffd');
  });
});

describe('decodeQueryRequest', () => {
  it('round-trips every operator', () => {
    const where = and(
      or(col('id').in(['a', 'b']), col('id').startsWith('p'), col('id').contains('c')),
      or(col('n').ne(1n), col('n').le(2n), col('n').ge(-3n)),
      col('b').eq(false),
    );
    const { body, request } = buildQueryRequest({ fields, where, rowId: true });
    expect(decodeQueryRequest(body)).toEqual(request);
  });

  it('refuses bodies that are not QueryData requests', () => {
    const { body } = buildQueryRequest({ fields, where: and(col('n').eq(1n)) });
    const other = encodeListTablesResponse({ bucketName: 'b', schemaName: 's', tables: [] });
    for (const bad of [new Uint8Array(), body.subarray(0, 40), other]) {
      expect(() => decodeQueryRequest(bad)).toThrow(WireFormatError);
    }
  });
});
