import { expect } from 'vitest';
/**
 * A small client of the fake VAST server for its tests, built from the project's own transport
 * (VastTransport: SigV4, keep-alive, retries, XML errors) and codec. Not the engine: just enough
 * calls to drive each feature over real HTTP, written the way VAST's SDK sends them.
 */
import {
  VastTransport,
  type VastTransportOptions,
} from '../../../src/db/engines/vast/transport/transport.client.ts';
import { VastHttpError } from '../../../src/db/engines/vast/transport/transport.errors.ts';
import {
  decodeListSchemasResponse,
  decodeListTablesResponse,
  decodeTableStats,
  encodeCreateSchemaRequest,
} from '../../../src/db/engines/vast/wire/wire.catalog.ts';
import {
  batchRows,
  QueryResponseParser,
  ROW_ID_DONE,
} from '../../../src/db/engines/vast/wire/wire.frames.ts';
import { buildQueryRequest, type QueryRequestInput } from '../../../src/db/engines/vast/wire/wire.query.ts';
import {
  decodeRows,
  deleteBody,
  encodeRows,
  updateBody,
} from '../../../src/db/engines/vast/wire/wire.rows.ts';
import { decodeStreamSchema, encodeSchemaMessage } from '../../../src/db/engines/vast/wire/wire.schema.ts';
import { ROW_ID, type WireField, type WireRow } from '../../../src/db/engines/vast/wire/wire.types.ts';
import { type FakeVast, type FakeVastOptions, startFakeVast } from '../../../tools/vast-fake/fake.server.ts';

export const COLUMNS: readonly WireField[] = [
  { name: 'c_utf8', type: 'utf8', nullable: true },
  { name: 'c_int64', type: 'int64', nullable: true },
  { name: 'c_int32', type: 'int32', nullable: true },
  { name: 'c_float64', type: 'float64', nullable: true },
  { name: 'c_bool', type: 'bool', nullable: true },
  { name: 'c_ts', type: 'timestamp_us', nullable: true },
];

export interface SelectResult {
  rows: WireRow[];
  /** Rows counted (for an empty projection the batches carry counts only). */
  count: number;
  /** QueryData round trips the select took. */
  pages: number;
}

export class FakeClient {
  readonly transport: VastTransport;

  constructor(
    readonly vast: Pick<FakeVast, 'url' | 'keys' | 'bucket'>,
    options: Partial<VastTransportOptions> = {},
  ) {
    this.transport = new VastTransport({
      endpoints: [vast.url],
      accessKey: vast.keys.access,
      secretKey: vast.keys.secret,
      timers: { sleep: async () => {} }, // retries without waiting: the fake is local
      ...options,
    });
  }

  close(): void {
    this.transport.close();
  }

  private path(...names: string[]): string {
    return `/${[this.vast.bucket, ...names].join('/')}`;
  }

  private static h(txid: bigint, extra: Record<string, string> = {}): Record<string, string> {
    return { 'tabular-txid': String(txid), ...extra };
  }

  async begin(): Promise<bigint> {
    const r = await this.transport.request({ method: 'POST', path: '/', query: [['transaction']] });
    return BigInt(r.headers['tabular-txid'] as string);
  }
  async commit(txid: bigint): Promise<void> {
    await this.transport.request({
      method: 'PUT',
      path: '/',
      query: [['transaction']],
      headers: FakeClient.h(txid),
    });
  }
  async rollback(txid: bigint): Promise<void> {
    await this.transport.request({
      method: 'DELETE',
      path: '/',
      query: [['transaction']],
      headers: FakeClient.h(txid),
    });
  }
  async keepAlive(txid: bigint): Promise<void> {
    await this.transport.request({
      method: 'GET',
      path: '/',
      query: [['transaction']],
      headers: FakeClient.h(txid),
    });
  }

  async createSchema(txid: bigint, schema: string): Promise<void> {
    await this.transport.request({
      method: 'POST',
      path: this.path(schema),
      query: [['schema']],
      headers: FakeClient.h(txid),
      body: encodeCreateSchemaRequest(),
    });
  }
  async dropSchema(txid: bigint, schema: string): Promise<void> {
    await this.transport.request({
      method: 'DELETE',
      path: this.path(schema),
      query: [['schema']],
      headers: FakeClient.h(txid),
    });
  }
  async listSchemas(txid: bigint, list: Record<string, string> = {}) {
    const r = await this.transport.request({
      method: 'GET',
      path: this.path(),
      query: [['schema']],
      headers: FakeClient.h(txid, list),
      idempotent: true,
    });
    return { names: decodeListSchemasResponse(r.body).schemas.map((s) => s.name), headers: r.headers };
  }
  async listTables(txid: bigint, schema: string, list: Record<string, string> = {}) {
    const r = await this.transport.request({
      method: 'GET',
      path: this.path(schema),
      query: [['table']],
      headers: FakeClient.h(txid, list),
      idempotent: true,
    });
    return { tables: decodeListTablesResponse(r.body).tables, headers: r.headers };
  }
  async createTable(txid: bigint, schema: string, table: string, fields = COLUMNS): Promise<void> {
    await this.transport.request({
      method: 'POST',
      path: this.path(schema, table),
      query: [['table']],
      headers: FakeClient.h(txid),
      body: encodeSchemaMessage(fields),
    });
  }
  async dropTable(txid: bigint, schema: string, table: string): Promise<void> {
    await this.transport.request({
      method: 'DELETE',
      path: this.path(schema, table),
      query: [['table']],
      headers: FakeClient.h(txid),
    });
  }
  async columns(txid: bigint, schema: string, table: string) {
    const r = await this.transport.request({
      method: 'GET',
      path: this.path(schema, table),
      query: [['column']],
      headers: FakeClient.h(txid),
      idempotent: true,
    });
    return decodeStreamSchema(r.body);
  }
  async addColumns(txid: bigint, schema: string, table: string, fields: readonly WireField[]): Promise<void> {
    await this.transport.request({
      method: 'POST',
      path: this.path(schema, table),
      query: [['column']],
      headers: FakeClient.h(txid),
      body: encodeSchemaMessage(fields),
    });
  }
  async stats(txid: bigint, schema: string, table: string) {
    const r = await this.transport.request({
      method: 'GET',
      path: this.path(schema, table),
      query: [['stats']],
      headers: FakeClient.h(txid),
      idempotent: true,
    });
    return decodeTableStats(r.body);
  }

  async insert(
    txid: bigint,
    schema: string,
    table: string,
    rows: readonly WireRow[],
    fields = COLUMNS,
  ): Promise<bigint[]> {
    const r = await this.transport.request({
      method: 'POST',
      path: this.path(schema, table),
      query: [['rows']],
      headers: FakeClient.h(txid),
      body: encodeRows(fields, rows),
    });
    return decodeRows(r.body).rows.map((row) => row[ROW_ID] as bigint);
  }
  async update(
    txid: bigint,
    schema: string,
    table: string,
    fields: readonly WireField[],
    rows: readonly WireRow[],
  ) {
    const b = updateBody(fields, rows);
    await this.transport.request({
      method: 'PUT',
      path: this.path(schema, table),
      query: [['rows']],
      headers: FakeClient.h(txid),
      body: encodeRows(b.fields, b.rows),
    });
  }
  async delete(txid: bigint, schema: string, table: string, ids: readonly bigint[]) {
    const b = deleteBody(ids);
    await this.transport.request({
      method: 'DELETE',
      path: this.path(schema, table),
      query: [['rows']],
      headers: FakeClient.h(txid),
      body: encodeRows(b.fields, b.rows),
    });
  }

  /** A select paged as the SDK pages it: re-sent with each sub-split's cursor until all are done. */
  async select(
    txid: bigint,
    schema: string,
    table: string,
    input: Omit<QueryRequestInput, 'fields'> & { fields?: readonly WireField[] },
    paging: { subsplits?: number; limit?: number } = {},
  ): Promise<SelectResult> {
    const { body, request } = buildQueryRequest({ fields: COLUMNS, ...input });
    const expected = request.projection.map((p) => request.fields[p] as WireField);
    const subsplits = paging.subsplits ?? 1;
    const cursors = new Map<number, bigint>();
    for (let i = 0; i < subsplits; i++) cursors.set(i, 0n);
    const out: SelectResult = { rows: [], count: 0, pages: 0 };
    while ([...cursors.values()].some((c) => c !== ROW_ID_DONE)) {
      const headers: Record<string, string> = {
        'tabular-txid': String(txid),
        'tabular-split': '0,1,8',
        'tabular-num-of-subsplits': String(subsplits),
        'tabular-limit-rows': String(paging.limit ?? 128 * 1024),
      };
      for (const [i, c] of cursors) headers[`tabular-start-row-id-${i}`] = `${i},${c}`;
      const r = await this.transport.stream({
        method: 'GET',
        path: this.path(schema, table),
        query: [['data']],
        headers,
        body,
        idempotent: true,
      });
      out.pages++;
      const parser = new QueryResponseParser(expected);
      for await (const chunk of r.body) {
        for (const batch of parser.push(chunk)) {
          out.count += batch.numRows;
          out.rows.push(...batchRows(batch));
        }
      }
      for (const batch of parser.end()) {
        out.count += batch.numRows;
        out.rows.push(...batchRows(batch));
      }
      for (const [i, c] of parser.cursors) cursors.set(i, c);
    }
    return out;
  }
}

/** The VastHttpError a call is refused with; fails the test when the call succeeds or fails otherwise. */
export async function refusal(p: Promise<unknown>): Promise<VastHttpError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(VastHttpError);
  return e as VastHttpError;
}

/** What a call fails with; fails the test when the call succeeds. */
export async function failure(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => expect.unreachable('the call succeeded'),
    (err: unknown) => err,
  );
}

/** A fake started with `options`, holding schema `s` with tables `a` and `b` (COLUMNS), and a client of it. */
export async function fakeWithTables(
  options: FakeVastOptions,
): Promise<{ vast: FakeVast; client: FakeClient }> {
  const vast = await startFakeVast(options);
  const client = new FakeClient(vast);
  const tx = await client.begin();
  await client.createSchema(tx, 's');
  for (const t of ['a', 'b']) await client.createTable(tx, 's', t);
  await client.commit(tx);
  return { vast, client };
}
