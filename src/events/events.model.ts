import type { JsonValue } from '../db/db.types.ts';
import { formatTimestamp, parseTimeRange, parseTimestamp, type TimeRange } from '../time/index.ts';

/**
 * Outbox payloads that hold the store's model of what changed (a Flow, a Source, segments)
 * rather than one API version's document: each version renders its own documents from it at
 * delivery, with the mappers its GET answers use (docs/events.md). They carry `"model": 1`;
 * payloads without it were recorded before (TAMS 7.0 documents), and are adapted.
 */
export const MODEL_KEY = 'model';
export const MODEL_FORMAT = 1;

export type JsonObject = { [key: string]: JsonValue };

export const isJsonObject = (v: JsonValue | undefined): v is JsonObject =>
  v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v);

/** Whether a stored payload holds the model (else: a 7.0 document recorded before). */
export function isModelPayload(payload: JsonValue): payload is JsonObject {
  return isJsonObject(payload) && payload[MODEL_KEY] === MODEL_FORMAT;
}

/** How one field of a record is kept in a payload. */
export interface FieldCodec<T> {
  encode(value: T): JsonValue;
  decode(json: JsonValue): T;
}

/**
 * How every field of a record `R` is kept, or `null` for one the payload does not keep (the
 * codec's definition says why, or where it goes instead). Every field must be named: a field
 * added to the record is a type error here until its codec says how events keep it, so no
 * event silently loses what a GET answer shows.
 */
export type RecordFields<R> = { readonly [K in keyof R]-?: FieldCodec<Exclude<R[K], undefined>> | null };

/**
 * A record as a payload keeps it, and back: the fields kept, in the order `fields` names them,
 * undefined ones left out. The fields are listed once (segments are encoded in the transaction
 * of every segment POST: no walk over the table's keys per record).
 */
export class RecordCodec<R extends object> {
  private readonly keys: string[] = [];
  private readonly codecs: FieldCodec<unknown>[] = [];

  constructor(fields: RecordFields<R>) {
    for (const [key, codec] of Object.entries(fields) as [string, FieldCodec<unknown> | null][]) {
      if (codec === null) continue;
      this.keys.push(key);
      this.codecs.push(codec);
    }
  }

  encode(record: R): JsonObject {
    const out: JsonObject = {};
    const from = record as Record<string, unknown>;
    for (let i = 0; i < this.keys.length; i++) {
      const key = this.keys[i] as string;
      const value = from[key];
      if (value === undefined) continue;
      const codec = this.codecs[i] as FieldCodec<unknown>;
      out[key] = codec === PLAIN ? (value as JsonValue) : codec.encode(value);
    }
    return out;
  }

  /**
   * The fields a payload keeps of a record, as the record has them; the caller adds those the
   * codec leaves to it (`null`). Throws on a payload that is not an object.
   */
  decode(json: JsonValue | undefined): Partial<R> {
    if (!isJsonObject(json)) {
      throw new Error(`an event payload's record is not an object: ${JSON.stringify(json)}`);
    }
    const out: Record<string, unknown> = {};
    for (let i = 0; i < this.keys.length; i++) {
      const key = this.keys[i] as string;
      const value = json[key];
      if (value === undefined) continue;
      out[key] = (this.codecs[i] as FieldCodec<unknown>).decode(value);
    }
    return out as Partial<R>;
  }
}

/**
 * A value that is JSON data already (strings, numbers, tags, collections, open properties): kept
 * as it is. Shared, not copied: payloads and the records made from them are never changed.
 */
export function asJson<T>(): FieldCodec<T> {
  return PLAIN as FieldCodec<T>;
}

const PLAIN: FieldCodec<unknown> = {
  encode: (value) => value as JsonValue,
  decode: (json) => json,
};

/** A date, as ISO 8601 text (what the documents show). */
export const dateCodec: FieldCodec<Date> = {
  encode: (value) => value.toISOString(),
  decode: (json) => new Date(json as string),
};

/** A timestamp in nanoseconds, as TAMS timestamp text (`<seconds>:<nanoseconds>`). */
export const timestampCodec: FieldCodec<bigint> = {
  encode: (value) => formatTimestamp(value),
  decode: (json) => parseTimestamp(json as string),
};

/** A timerange, as TAMS timerange text. */
export const timerangeCodec: FieldCodec<TimeRange> = {
  encode: (value) => value.format(),
  decode: (json) => parseTimeRange(json as string),
};
