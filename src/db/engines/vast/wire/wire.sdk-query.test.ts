import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DbError } from '../../../db.errors.ts';
import type { Predicate } from '../../../db.types.ts';
import { decodeStringBound } from './wire.computeir.ts';
import { buildQueryRequest, decodeQueryRequest, matchesNothing } from './wire.query.ts';
import type { QueryRequest, WireExpr, WireField } from './wire.types.ts';

/**
 * Agreement with VAST's own Python SDK: sdk-query.json (test/support/db/engines/vast/wire/fixtures/)
 * holds the QueryData bodies the SDK (vastdb 2.0.14) built for these predicates, and what its
 * generated readers decode them to (make_query_fixtures.py there made them; Python is not needed here).
 */

interface Case {
  name: string;
  columns?: string[];
  rowId: boolean;
  where: Predicate;
  sdkHex: string;
  sdkDecoded: QueryRequest;
}
interface Fixture {
  table: WireField[];
  cases: Case[];
  refused: { name: string; where: Predicate }[];
}

/** JSON tags of the fixture: {$bigint}, {$date}, {$hex} (raw string bytes). */
function untag(_key: string, v: unknown): unknown {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, string>;
    if ('$bigint' in o) return BigInt(o.$bigint as string);
    if ('$date' in o) return new Date(o.$date as string);
    if ('$hex' in o) return decodeStringBound(Buffer.from(o.$hex as string, 'hex'));
  }
  return v;
}

const fixture = JSON.parse(
  readFileSync(
    new URL('../../../../../test/support/db/engines/vast/wire/fixtures/sdk-query.json', import.meta.url),
    'utf8',
  ),
  untag,
) as Fixture;

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** Field positions replaced by names: the SDK orders predicate-only columns by a Python set. */
function byName(r: QueryRequest) {
  const named = (e: WireExpr): unknown =>
    e.kind === 'field'
      ? { field: r.fields[e.position]?.name }
      : e.kind === 'call'
        ? { ...e, args: e.args.map(named) }
        : e;
  return {
    fields: [...r.fields].sort((a, b) => a.name.localeCompare(b.name)),
    projection: r.projection.map((p) => r.fields[p]?.name),
    filter: named(r.filter),
  };
}

function input(c: Case) {
  return {
    fields: fixture.table,
    where: c.where,
    rowId: c.rowId,
    ...(c.columns ? { columns: c.columns } : {}),
  };
}

function predicateOnly(c: Case): number {
  const projected = new Set(c.columns ?? fixture.table.map((f) => f.name));
  return new Set(c.where.all.map((g) => g.column).filter((n) => !projected.has(n))).size;
}

describe('QueryData bodies agree with VAST SDK 2.0.14', () => {
  it('covers every operator and wire type', () => {
    const ops = new Set(fixture.cases.flatMap((c) => c.where.all.flatMap((g) => g.any.map((x) => x.op))));
    expect([...ops].sort()).toEqual(
      ['contains', 'eq', 'ge', 'gt', 'in', 'isNotNull', 'isNull', 'le', 'lt', 'ne', 'startsWith'].sort(),
    );
    const types = new Set<string>();
    const walk = (e: WireExpr): void => {
      if (e.kind === 'literal') types.add(e.type);
      if (e.kind === 'call') e.args.forEach(walk);
    };
    for (const c of fixture.cases) walk(c.sdkDecoded.filter);
    expect([...types].sort()).toEqual([
      'bool',
      'float64',
      'int32',
      'int64',
      'timestamp_us',
      'uint64',
      'utf8',
    ]);
  });

  for (const c of fixture.cases) {
    it(c.name, () => {
      const { body, request } = buildQueryRequest(input(c));
      const ours = decodeQueryRequest(body);
      const sdks = decodeQueryRequest(Buffer.from(c.sdkHex, 'hex'));
      if (predicateOnly(c) < 2) {
        // The same bytes, so the SDK's readers read ours exactly as they read its own.
        expect(hex(body)).toBe(c.sdkHex);
        expect(ours).toEqual(c.sdkDecoded);
        expect(request).toEqual(c.sdkDecoded);
      } else {
        expect(byName(ours)).toEqual(byName(c.sdkDecoded));
        expect(body.length).toBe(c.sdkHex.length / 2);
      }
      // Our reader reads the SDK's body as the SDK's own readers do.
      expect(sdks).toEqual(c.sdkDecoded);
    });
  }

  for (const r of fixture.refused) {
    it(`refuses what the SDK refuses: ${r.name}`, () => {
      expect(matchesNothing(r.where)).toBe(true);
      const e = (() => {
        try {
          buildQueryRequest({ fields: fixture.table, columns: ['id'], where: r.where });
        } catch (err) {
          return err;
        }
      })();
      expect(e).toBeInstanceOf(DbError);
      expect((e as DbError).code).toBe('invalid_predicate');
    });
  }
});
