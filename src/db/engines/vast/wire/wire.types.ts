/** Arrow types the engine uses on the wire. `timestamp_us` is Arrow timestamp(MICROSECOND) with
 * no time zone (zone-aware timestamps need VAST 5.4+); `uint64` is only `$row_id`. */
export type WireType = 'utf8' | 'int64' | 'int32' | 'float64' | 'bool' | 'timestamp_us' | 'uint64';
export interface WireField {
  readonly name: string;
  readonly type: WireType;
  readonly nullable: boolean;
}
/** Values as the engine hands them over: utf8 string, int64/uint64 bigint, int32/float64 number,
 * bool boolean, timestamp_us bigint microseconds since the epoch (UTC); null for null. */
export type WireValue = string | bigint | number | boolean | null;
export type WireRow = Record<string, WireValue>;
/** A decoded ComputeIR expression. */
export type WireExpr =
  | { readonly kind: 'call'; readonly name: string; readonly args: readonly WireExpr[] }
  | { readonly kind: 'field'; readonly position: number }
  | { readonly kind: 'literal'; readonly type: WireType; readonly value: WireValue };
/** A decoded QueryData request body. */
export interface QueryRequest {
  /**
   * The request schema, as VAST's SDK orders it: the projected columns, then `$row_id` when asked
   * (it is projected too), then the columns only the predicate needs. Servers match by name.
   */
  readonly fields: readonly WireField[];
  /** Positions (in `fields`) of the projected columns. */
  readonly projection: readonly number[];
  readonly filter: WireExpr;
}

/** VAST's row id column: uint64, named in requests that ask for it or carry it. */
export const ROW_ID = '$row_id';
export const ROW_ID_FIELD: WireField = { name: ROW_ID, type: 'uint64', nullable: true };
