/**
 * splitQuery (vast.split.ts): a QueryData body over the limit is sent as parts under it, the set
 * of values of one group cut between them, each value in one part only; a query no part can bring
 * under the limit is refused with a 413 saying why.
 */
import { describe, expect, it } from 'vitest';
import { DbTooLargeError } from '../../db.errors.ts';
import type { Predicate, Value } from '../../db.types.ts';
import { splitQuery } from './vast.split.ts';
import { decodeQueryRequest } from './wire/wire.query.ts';
import type { WireExpr, WireField } from './wire/wire.types.ts';

const FIELDS: readonly WireField[] = [
  { name: 'id', type: 'utf8', nullable: true },
  { name: 'flow_id', type: 'utf8', nullable: true },
  { name: 'n', type: 'int64', nullable: true },
];
const ids = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => `object-${String(from + i).padStart(6, '0')}`);

/** The literals of every `equal` under the group on column position `at` of a body's filter. */
function literals(body: Uint8Array, column: string): Value[] {
  const { fields, filter } = decodeQueryRequest(body);
  const at = fields.findIndex((f) => f.name === column);
  const out: Value[] = [];
  const walk = (e: WireExpr): void => {
    if (e.kind !== 'call') return;
    const [f, l] = e.args;
    if (e.name === 'equal' && f?.kind === 'field' && f.position === at && l?.kind === 'literal')
      out.push(l.value as Value);
    for (const a of e.args) walk(a);
  };
  walk(filter);
  return out;
}

describe('splitQuery', () => {
  it('sends a query under the limit as it is', () => {
    const where: Predicate = { all: [{ column: 'id', any: [{ op: 'in', value: ids(10) }] }] };
    expect(splitQuery({ fields: FIELDS, where }, 10_000)).toHaveLength(1);
  });

  it('cuts the largest set of values into parts under the limit, each value once, other groups kept', () => {
    const values = ids(2_000);
    const where: Predicate = {
      all: [
        {
          column: 'flow_id',
          any: [
            { op: 'eq', value: 'flow-a' },
            { op: 'in', value: ['flow-b'] },
          ],
        },
        // An `eq` and an `in` naming the same value: sent once.
        {
          column: 'id',
          any: [
            { op: 'eq', value: values[0] as string },
            { op: 'in', value: values },
          ],
        },
      ],
    };
    const whole = splitQuery({ fields: FIELDS, where }, 1 << 30)[0]?.body.byteLength ?? 0;
    const max = Math.floor(whole / 3);
    const parts = splitQuery({ fields: FIELDS, columns: ['id'], where }, max);
    expect(parts.length).toBeGreaterThanOrEqual(3);
    const sent: Value[] = [];
    for (const p of parts) {
      expect(p.body.byteLength).toBeLessThanOrEqual(max);
      expect(p.request.projection.map((i) => p.request.fields[i]?.name)).toEqual(['id']);
      sent.push(...literals(p.body, 'id'));
      expect(literals(p.body, 'flow_id')).toEqual(['flow-a', 'flow-b']);
    }
    expect(sent).toEqual(values);
  });

  it('refuses (413) a query with no set of values to cut, or one value too large alone', () => {
    const ranges: Predicate = {
      all: [{ column: 'n', any: ids(500).map((_, i) => ({ op: 'gt' as const, value: BigInt(i) })) }],
    };
    const tooLarge = () => splitQuery({ fields: FIELDS, where: ranges }, 2_000);
    expect(tooLarge).toThrow(DbTooLargeError);
    expect(tooLarge).toThrow(
      /^a query too large for VAST DataBase: \d+ bytes \(at most 2000 per request\), with no list of values to send in parts$/,
    );
    const one: Predicate = { all: [{ column: 'id', any: [{ op: 'in', value: ['x'.repeat(5_000), 'y'] }] }] };
    expect(() => splitQuery({ fields: FIELDS, where: one }, 3_000)).toThrow(DbTooLargeError);
  });
});
