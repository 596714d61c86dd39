/**
 * Every Arrow type VAST's SDK can create and read, in the fake: the engine writes 7 of them
 * (wire.types.ts `WireType`), tables written by other VAST tools hold the rest. A column of an
 * engine type stays a `WireField`, exactly as the engine's own schema decoder types it
 * (wire.schema.ts), so that everything the engine does goes through the fake's paths as before; a
 * column of any other type is an `ArrowColumn` carrying its whole Arrow field (children included).
 *
 * Which types VAST takes is read from the SDK: `get_field_type` (the types a query can name), its
 * tests (test_tables.py `test_types`, `test_unsupported_types`; test_fixed_list.py; test_nested.py)
 * and docs/types.md. Refused with 400 `TabularUnsupportedColumnType` (the SDK's NotSupportedSchema):
 * null, dictionary, union, the large and view types, date64, duration, interval, decimals other
 * than 128-bit. Fixed-size lists hold non-null numbers, decimals, dates, times or timestamps only;
 * a size of 0 is 400 `TabularInvalidColumnTypeParam`; a size whose cell cannot fit VAST's 126 KB
 * cell is refused as unsupported (the SDK's test refuses 2^31 - 1 elements; where VAST draws the
 * line is not published). Zoned timestamps are taken (VAST 5.4+) although the fake announces 5.3.
 */
import {
  DataType,
  type Field,
  type Float,
  type Int,
  Precision,
  type Timestamp,
  TimeUnit,
} from 'apache-arrow';
import type { WireField } from '../../src/db/engines/vast/wire/wire.types.ts';
import { badRequest, FakeVastError } from './fake.errors.ts';

/** A column of a type the engine does not write, with its full Arrow field. */
export interface ArrowColumn {
  readonly name: string;
  readonly type: 'arrow';
  readonly nullable: boolean;
  readonly arrow: Field;
}
export type FakeField = WireField | ArrowColumn;

export const isArrowColumn = (f: FakeField): f is ArrowColumn => f.type === 'arrow';

/** The engine's wire type of an Arrow type (wire.schema.ts `wireTypeOf`), or null. */
function wireTypeOf(t: DataType): WireField['type'] | null {
  if (DataType.isUtf8(t)) return 'utf8';
  if (DataType.isBool(t)) return 'bool';
  if (DataType.isInt(t)) {
    const { bitWidth, isSigned } = t as Int;
    if (bitWidth === 64) return isSigned ? 'int64' : 'uint64';
    if (bitWidth === 32 && isSigned) return 'int32';
  }
  if (DataType.isFloat(t) && (t as Float).precision === Precision.DOUBLE) return 'float64';
  if (DataType.isTimestamp(t)) {
    const ts = t as Timestamp;
    if (ts.unit === TimeUnit.MICROSECOND && !ts.timezone) return 'timestamp_us';
  }
  return null;
}

/** A column as the fake keeps it: a WireField when the engine would type it so. */
export function fakeField(f: Field): FakeField {
  const wire = wireTypeOf(f.type);
  if (wire !== null) return { name: f.name, type: wire, nullable: f.nullable };
  return { name: f.name, type: 'arrow', nullable: f.nullable, arrow: f };
}

/** The largest cell VAST documents (field docs, limits): 126 KB. */
const CELL_BYTES = 126 * 1024;

/** Byte width of a fixed-size list element VAST takes, or null when it takes none of that type. */
function elementWidth(t: DataType): number | null {
  if (DataType.isInt(t)) return (t as Int).bitWidth / 8;
  if (DataType.isFloat(t))
    return (t as Float).precision === Precision.HALF ? null : (t as Float).precision * 4;
  if (DataType.isDecimal(t)) return 16;
  if (DataType.isDate(t) || DataType.isTime(t) || DataType.isTimestamp(t))
    return t.ArrayType.BYTES_PER_ELEMENT;
  return null;
}

/** Why VAST refuses a column of type `t` (`at` names it), or null when it takes it. */
function refusal(t: DataType, at: string): FakeVastError | null {
  const unsupported = (why: string) =>
    new FakeVastError(400, 'TabularUnsupportedColumnType', `column ${at}: ${why}`);
  if (DataType.isDictionary(t)) return unsupported('dictionary encoding');
  if (DataType.isInt(t) || DataType.isFloat(t) || DataType.isBool(t) || DataType.isTimestamp(t)) return null;
  if (DataType.isUtf8(t) || DataType.isBinary(t) || DataType.isFixedSizeBinary(t)) return null;
  if (DataType.isDecimal(t)) {
    const d = t as DataType & { bitWidth: number; precision: number };
    return d.bitWidth === 128 && d.precision >= 1 && d.precision <= 38 ? null : unsupported(String(t));
  }
  if (DataType.isDate(t)) return t.ArrayType === Int32Array ? null : unsupported('date64');
  if (DataType.isTime(t)) return null;
  if (DataType.isList(t) || DataType.isStruct(t) || DataType.isMap(t)) {
    const children = t.children ?? [];
    if (children.length === 0) return unsupported(`${t} without children`);
    for (const c of children) {
      const inner = refusal(c.type, `${at}.${c.name}`);
      if (inner) return inner;
    }
    return null;
  }
  if (DataType.isFixedSizeList(t)) {
    const { listSize, children } = t as DataType & { listSize: number; children: Field[] };
    const element = children[0] as Field;
    if (listSize <= 0) {
      return badRequest(`column ${at}: a fixed-size list of ${listSize}`, 'TabularInvalidColumnTypeParam');
    }
    const width = elementWidth(element.type);
    if (element.nullable || width === null) {
      return unsupported(`fixed-size list of ${element.nullable ? 'nullable ' : ''}${element.type}`);
    }
    return listSize * width > CELL_BYTES ? unsupported(`fixed-size list of ${listSize}: over a cell`) : null;
  }
  return unsupported(String(t));
}

/** Throws VAST's refusal of a column `f` names, if any. */
export function checkColumn(f: Field): void {
  const e = refusal(f.type, f.name);
  if (e) throw e;
}

/**
 * Whether a request names a column by the type it has: the same type, whatever the names and
 * nullability of its children, and the time zone (the SDK's request schema leaves it out).
 */
export function sameColumnType(a: DataType, b: DataType): boolean {
  if (a.typeId !== b.typeId) return false;
  if (DataType.isTimestamp(a)) return (a as Timestamp).unit === (b as Timestamp).unit;
  const ca = a.children ?? [];
  const cb = b.children ?? [];
  if (ca.length !== cb.length) return false;
  if (!ca.every((c, i) => sameColumnType(c.type, (cb[i] as Field).type))) return false;
  if (ca.length > 0 && !DataType.isFixedSizeList(a)) return true;
  return String(a) === String(b);
}
