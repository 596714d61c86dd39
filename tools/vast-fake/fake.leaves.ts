/**
 * QueryData answers for `ArrowColumn`s (fake.types.ts): one IPC stream per leaf, as VAST sends
 * them and VAST's SDK reassembles them (`QueryDataParser`, `FieldNode.set`): a column with nested
 * types comes once per leaf, with every level above that leaf and nothing beside it. A
 * `Struct<a, b>` comes as `Struct<a>` then `Struct<b>` (the struct's validity both times), a list
 * with its offsets each time, and a `Map<K, V>` as its layout, `List<Struct<K>>` then
 * `List<Struct<V>>` (the SDK walks a map's levels as a list's). Leaves in depth-first order, the
 * order in which the SDK numbers them.
 */
import {
  DataType,
  Field,
  FixedSizeList,
  List,
  Message,
  makeData,
  RecordBatch,
  RecordBatchStreamWriter,
  Schema,
  Struct,
} from 'apache-arrow';
import { encapsulate, splitMessages } from '../../src/db/engines/vast/wire/wire.ipc.ts';
import { arrowTypeOf } from '../../src/db/engines/vast/wire/wire.schema.ts';
import type { WireRow } from '../../src/db/engines/vast/wire/wire.types.ts';
import { dataOf, type Tree, treesOfCells } from './fake.cells.ts';
import { type ArrowColumn, type FakeField, isArrowColumn } from './fake.types.ts';

/** A field of any FakeField. */
export function arrowFieldOf(f: FakeField): Field {
  return isArrowColumn(f) ? f.arrow : new Field(f.name, arrowTypeOf(f.type), f.nullable);
}

/**
 * The schema message of create table and of `?column` answers, for columns of any type; `meta`:
 * custom metadata by column name.
 */
export function encodeFakeSchema(
  fields: readonly FakeField[],
  meta?: ReadonlyMap<string, Map<string, string>>,
): Uint8Array {
  const arrow = fields.map((f) => {
    const m = meta?.get(f.name);
    if (m === undefined) return arrowFieldOf(f);
    const a = arrowFieldOf(f);
    return new Field(a.name, a.type, a.nullable, m);
  });
  return encapsulate(Message.encode(Message.from(new Schema(arrow))));
}

/** Child positions from a column down to each of its leaves, depth first. */
export function leafPaths(type: DataType): number[][] {
  const kids = type.children ?? [];
  if (kids.length === 0) return [[]];
  return kids.flatMap((c, i) => leafPaths(c.type).map((p) => [i, ...p]));
}

/** `type` with, at each level along `path`, only the child on the path (a map as a list). */
function narrowType(type: DataType, path: readonly number[]): DataType {
  if (path.length === 0) return type;
  const [i, ...rest] = path as [number, ...number[]];
  const child = (type.children as Field[])[i] as Field;
  const inner = new Field(child.name, narrowType(child.type, rest), child.nullable);
  if (DataType.isStruct(type)) return new Struct([inner]);
  if (DataType.isFixedSizeList(type)) return new FixedSizeList((type as FixedSizeList).listSize, inner);
  return new List(inner);
}

/** A value of `type` with only what lies along `path`. */
function narrowTree(type: DataType, tree: Tree, path: readonly number[]): Tree {
  if (path.length === 0 || tree === null) return tree;
  const [i, ...rest] = path as [number, ...number[]];
  const child = ((type.children as Field[])[i] as Field).type;
  if (DataType.isStruct(type)) return [narrowTree(child, (tree as Tree[])[i] ?? null, rest)];
  return (tree as Tree[]).map((element) => narrowTree(child, element, rest));
}

/** One encapsulated IPC stream (schema, one record batch, EOS) of one column's values. */
function stream(field: Field, trees: readonly Tree[]): Uint8Array {
  const schema = new Schema([field]);
  const column = dataOf(field.type, trees);
  const struct = makeData({
    type: new Struct(schema.fields),
    length: trees.length,
    nullCount: 0,
    children: [column],
  });
  return RecordBatchStreamWriter.writeAll([new RecordBatch(schema, struct)]).toUint8Array(true);
}

/** The IPC messages of a column's leaf streams for `rows`, stream after stream. */
export function leafMessages(column: ArrowColumn, rows: readonly WireRow[]): Uint8Array[] {
  const type = column.arrow.type;
  const trees = treesOfCells(
    type,
    rows.map((r) => r[column.name] ?? null),
  );
  const out: Uint8Array[] = [];
  for (const path of leafPaths(type)) {
    const field = new Field(column.name, narrowType(type, path), column.nullable);
    const values = trees.map((t) => narrowTree(type, t, path));
    for (const m of splitMessages(stream(field, values))) out.push(m.bytes);
  }
  return out;
}
