/**
 * A recorded answer read through the engine's own parsers, as the engine reads it in use: the
 * field kit writes what they made of each answer beside it (`decoded`), and the replay test
 * (test/vast/field/) reads every recorded answer again and compares. An answer from a cluster
 * the parsers refuse is recorded with `parse_error` instead, and fails the replay until they
 * read it.
 */
import { vastHttpError } from '../../src/db/engines/vast/transport/transport.errors.ts';
import {
  decodeListSchemasResponse,
  decodeListTablesResponse,
  decodeTableStats,
} from '../../src/db/engines/vast/wire/wire.catalog.ts';
import {
  batchRows,
  type QueryBatch,
  QueryResponseParser,
} from '../../src/db/engines/vast/wire/wire.frames.ts';
import { decodeQueryRequest } from '../../src/db/engines/vast/wire/wire.query.ts';
import { decodeRows } from '../../src/db/engines/vast/wire/wire.rows.ts';
import { decodeStreamSchema } from '../../src/db/engines/vast/wire/wire.schema.ts';
import type { WireField } from '../../src/db/engines/vast/wire/wire.types.ts';

/** One recorded exchange as a golden file holds it (bodies decoded from base64). */
export interface AnswerInput {
  readonly operation: string;
  readonly method: string;
  readonly path: string;
  readonly requestBody: Uint8Array | undefined;
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
}

/** JSON for a decoded value: bigints as `123n` strings, bytes as base64 (files compare as text). */
export function toJson(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (_key, v: unknown) => {
      if (typeof v === 'bigint') return `${v}n`;
      if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
      return v;
    }),
  );
}

/** The Server header's version, as VAST's SDK reads it (`vast a.b.c.d`); null when it is not one. */
export function serverVersion(headers: Readonly<Record<string, string>>): string | null {
  return /^vast (\d+\.\d+\.\d+\.\d+)$/.exec(headers.server ?? '')?.[1] ?? null;
}

function queryData(input: AnswerInput): unknown {
  if (input.requestBody === undefined) throw new Error('the QueryData request body was not recorded');
  const request = decodeQueryRequest(input.requestBody);
  const expected = request.projection.map((i) => request.fields[i] as WireField);
  const parser = new QueryResponseParser(expected);
  const batches: QueryBatch[] = [...parser.push(input.body), ...parser.end()];
  return {
    projection: expected,
    batches: batches.map((b) => ({ stream: b.streamId, next_row_id: b.nextRowId, rows: batchRows(b) })),
  };
}

/** The engine's reading of a 200 answer; throws what the parser throws. */
export function decodeAnswer(input: AnswerInput): unknown {
  const { headers, body } = input;
  switch (input.operation) {
    case 'version_probe':
      return { server: headers.server ?? null, version: serverVersion(headers) };
    case 'begin_transaction': {
      const txid = headers['tabular-txid'];
      if (txid === undefined || !/^\d+$/.test(txid)) throw new Error(`no numeric tabular-txid (${txid})`);
      return { txid: BigInt(txid) };
    }
    case 'list_schemas': {
      const r = decodeListSchemasResponse(body);
      return {
        bucket: r.bucketName,
        schemas: r.schemas.map((s) => s.name),
        next: headers['tabular-next-key'],
      };
    }
    case 'list_tables': {
      const r = decodeListTablesResponse(body);
      return { schema: r.schemaName, tables: r.tables.map((t) => t.name), next: headers['tabular-next-key'] };
    }
    case 'list_columns':
      return { fields: decodeStreamSchema(body) };
    case 'table_stats': {
      const s = decodeTableStats(body);
      return { rows: s.numRows, bytes: s.sizeInBytes };
    }
    case 'insert_rows':
      // Before VAST 5.1 an insert answers with no body; from 5.1 with the rows' `$row_id`s.
      return body.byteLength === 0
        ? { row_ids: null }
        : { row_ids: decodeRows(body).rows.map((r) => r.$row_id) };
    case 'query_data':
      return queryData(input);
    default:
      return { body_bytes: body.byteLength };
  }
}

/** The engine's reading of an error answer: the typed error the transport makes of it. */
export function decodeError(input: AnswerInput): unknown {
  const e = vastHttpError(input.status, input.headers, input.body, input.method, input.path);
  return { kind: e.kind, code: e.code, message: e.vastMessage, missing: e.missing ?? null };
}
