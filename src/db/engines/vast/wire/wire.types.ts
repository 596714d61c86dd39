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
  /** The request schema: projected columns, then predicate-only columns, then `$row_id` if asked. */
  readonly fields: readonly WireField[];
  /** Positions (in `fields`) of the projected columns. */
  readonly projection: readonly number[];
  readonly filter: WireExpr;
}
