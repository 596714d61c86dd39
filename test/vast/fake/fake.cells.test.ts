/**
 * Cells of the types the engine does not write, as the fake keeps them (fake.cells.ts): Arrow data
 * built by Arrow JS's own builders goes to kept cells and back to the same values, and a kept
 * cell's size is its content's, not its kept text's. The SDK-driven test reads every type back
 * through pyarrow (test/vast/sdk/sdk_types.py).
 */
import {
  Binary,
  type DataType,
  Decimal,
  Field,
  FixedSizeList,
  Float16,
  Float32,
  Int8,
  List,
  Map_,
  makeData,
  Struct,
  Time,
  Timestamp,
  TimeUnit,
  Uint32,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import {
  cellsOf,
  dataOf,
  keptCellBytes,
  treesOf,
  treesOfCells,
} from '../../../tools/vast-fake/fake.cells.ts';

const roundTrip = (type: DataType, data: ReturnType<typeof dataOf>) => {
  const cells = cellsOf(data);
  return { cells, back: treesOf(dataOf(type, treesOfCells(type, cells))) };
};

describe('fake VAST: kept cells', () => {
  it('keeps every value of the flat types exactly, 64-bit ones as bigints', () => {
    const ns = new Timestamp(TimeUnit.NANOSECOND);
    const cases: [DataType, ReturnType<typeof dataOf>][] = [
      [new Int8(), vectorFromArray([-128, null, 127], new Int8()).data[0] as ReturnType<typeof dataOf>],
      [
        new Uint32(),
        vectorFromArray([0, 4294967295, null], new Uint32()).data[0] as ReturnType<typeof dataOf>,
      ],
      [new Float32(), vectorFromArray([0.5, -0, null], new Float32()).data[0] as ReturnType<typeof dataOf>],
      [new Float16(), makeData({ type: new Float16(), length: 2, data: new Uint16Array([0x3c00, 0xfc00]) })],
      [ns, makeData({ type: ns, length: 2, data: new BigInt64Array([-1n, 1_767_225_600_000_000_123n]) })],
      [
        new Time(TimeUnit.NANOSECOND, 64),
        makeData({
          type: new Time(TimeUnit.NANOSECOND, 64),
          length: 1,
          data: new BigInt64Array([86_399_999_999_999n]),
        }),
      ],
      [
        new Decimal(3, 38, 128),
        makeData({
          type: new Decimal(3, 38, 128),
          length: 2,
          data: new Uint32Array([1234567, 0, 0, 0, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff]),
        }),
      ],
      [
        new Binary(),
        vectorFromArray([new Uint8Array([0, 0xff, 0x80]), null], new Binary()).data[0] as ReturnType<
          typeof dataOf
        >,
      ],
    ];
    const kept = cases.map(([type, data]) => roundTrip(type, data));
    expect(kept.map((k) => k.cells)).toEqual([
      [-128, null, 127],
      [0, 4294967295, null],
      [0.5, -0, null],
      [1, Number.NEGATIVE_INFINITY],
      [-1n, 1_767_225_600_000_000_123n],
      [86_399_999_999_999n],
      [1234567n, -1n],
      ['\u0000\u00ff\u0080', null],
    ]);
    for (const k of kept) expect(k.back).toEqual(k.cells);
  });

  it('keeps nested cells as typed JSON text, read back to the same trees', () => {
    const list = new List(new Field('item', new Utf8()));
    const st = new Struct([
      new Field('x', new Int8()),
      new Field('when', new Timestamp(TimeUnit.NANOSECOND)),
    ]);
    const vec = new FixedSizeList(2, new Field('item', new Float32(), false));
    const lists = roundTrip(
      list,
      vectorFromArray([['a', null], [], null], list).data[0] as ReturnType<typeof dataOf>,
    );
    expect(lists.cells).toEqual(['["a",null]', '[]', null]);
    expect(lists.back).toEqual([['a', null], [], null]);
    const structs = dataOf(st, [[1, 5n], null, [null, -7n]]);
    expect(cellsOf(structs)).toEqual(['[1,"5"]', null, '[null,"-7"]']);
    expect(treesOf(structs)).toEqual([[1, 5n], null, [null, -7n]]);
    const vectors = roundTrip(vec, dataOf(vec, [[1, Number.NaN], null]));
    expect(vectors.back).toEqual([[1, Number.NaN], null]);
  });

  it('counts a kept cell by its content: bytes of text and binary, widths, leaves', () => {
    const map = new Map_(
      new Field(
        'entries',
        new Struct<{ key: Utf8; value: Int8 }>([
          new Field('key', new Utf8(), false),
          new Field('value', new Int8()),
        ]),
        false,
      ),
    );
    expect(keptCellBytes(new Utf8(), 'é')).toBe(2);
    // Binary is kept one character a byte: 3 bytes, not the 5 of its UTF-8 text. A map: its
    // leaves, "ab" 2 + int8 1 + "c" 1 + null 0.
    expect(keptCellBytes(new Binary(), '\u0000\u00ff\u0080')).toBe(3);
    expect(keptCellBytes(new Decimal(2, 10, 128), 5n)).toBe(16);
    expect(
      keptCellBytes(
        map,
        cellsOf(
          dataOf(map, [
            [
              ['ab', 1],
              ['c', null],
            ],
          ]),
        )[0] ?? null,
      ),
    ).toBe(4);
    expect(keptCellBytes(new Utf8(), null)).toBe(0);
  });
});
