/**
 * `node --import tsx bench/vast.wire.ts`: CPU per call of the VAST engine's codec on the shapes of
 * the hot path, in one process without I/O: parsing the QueryData answer of a segment page (110
 * rows of the 14 `segments` columns, in 16 KiB chunks as a socket hands them over) and turning
 * it into engine rows, building the page's QueryData request, encoding a one-row insert.
 */
import type { Row } from '../src/db/db.types.ts';
import { batchToRows } from '../src/db/engines/vast/vast.select.ts';
import { wireField } from '../src/db/engines/vast/vast.values.ts';
import { QueryResponseParser, ROW_ID_DONE } from '../src/db/engines/vast/wire/wire.frames.ts';
import { buildQueryRequest } from '../src/db/engines/vast/wire/wire.query.ts';
import { encodeQueryResponse } from '../src/db/engines/vast/wire/wire.response.ts';
import { encodeRows } from '../src/db/engines/vast/wire/wire.rows.ts';
import type { WireRow } from '../src/db/engines/vast/wire/wire.types.ts';
import { col, where } from '../src/db/predicate.ts';

const N = Number(process.env.VAST_WIRE_N ?? 2000);
const ROUNDS = 3;

const fields = (
  [
    ['flow_id', 'string'],
    ['seg_start', 'int64'],
    ['seg_end', 'int64'],
    ['seg_start_incl', 'boolean'],
    ['seg_end_incl', 'boolean'],
    ['object_id', 'string'],
    ['storage_id', 'string'],
    ['storage_path', 'string'],
    ['ts_offset', 'int64'],
    ['last_duration', 'int64'],
    ['sample_offset', 'int64'],
    ['sample_count', 'int64'],
    ['key_frame_count', 'int64'],
    ['get_urls', 'json'],
  ] as const
).map(([name, type]) => wireField({ name, type }));
const flow = '6f1c4a55-1b7e-4a8e-9d55-0d6f2b9a7c11';
const row = (i: number): WireRow => ({
  flow_id: flow,
  seg_start: 1_700_000_000_000_000_000n + BigInt(i) * 2_000_000_000n,
  seg_end: 1_700_000_002_000_000_000n + BigInt(i) * 2_000_000_000n,
  seg_start_incl: true,
  seg_end_incl: false,
  object_id: `0b1e2d3c-4f5a-6b7c-8d9e-${String(i).padStart(12, '0')}`,
  storage_id: '2f0c7d1e-5a4b-4c3d-9e8f-7a6b5c4d3e2f',
  storage_path: null,
  ts_offset: 0n,
  last_duration: null,
  sample_offset: null,
  sample_count: null,
  key_frame_count: null,
  get_urls: null,
});
const rows = Array.from({ length: 110 }, (_, i) => row(i));
// The page's rows come from one sub-split; the three others are finished and send nothing.
const body = encodeQueryResponse(fields, [
  { streamId: 0, batches: [{ rows, nextRowId: ROW_ID_DONE }] },
  ...[1, 2, 3].map((streamId) => ({ streamId, batches: [{ rows: [], nextRowId: ROW_ID_DONE }] })),
]);
const CHUNK = 16 * 1024;
const chunks: Uint8Array[] = [];
for (let at = 0; at < body.byteLength; at += CHUNK) chunks.push(body.subarray(at, at + CHUNK));

function measure(name: string, op: () => unknown): void {
  for (let r = 0; r < ROUNDS; r++) {
    const t = process.cpuUsage();
    for (let i = 0; i < N; i++) op();
    const used = process.cpuUsage(t);
    if (r === ROUNDS - 1)
      console.log(
        `${name.padEnd(52)} ${((used.user + used.system) / N).toFixed(1).padStart(7)} µs CPU per call`,
      );
  }
}

console.log(`answer of a page: ${body.byteLength} bytes in ${chunks.length} chunks`);
let seen = 0;
measure('parse the answer of a page (110 rows x 14 columns)', () => {
  const parser = new QueryResponseParser(fields);
  for (const c of chunks) for (const b of parser.push(c)) seen += b.numRows;
  parser.end();
});
measure('... and convert it to engine rows', () => {
  const parser = new QueryResponseParser(fields);
  const out: Row[] = [];
  for (const c of chunks) for (const b of parser.push(c)) for (const r of batchToRows(b)) out.push(r);
  parser.end();
  seen += out.length;
});
const from = 1_700_000_000_000_000_000n;
measure("build the page's QueryData request", () =>
  buildQueryRequest({
    fields,
    columns: fields.map((f) => f.name),
    where: where(
      col('flow_id').eq(flow),
      col('seg_start').ge(from),
      col('seg_start').lt(from + 400_000_000_000n),
    ),
  }),
);
measure('encode a one-row insert', () => encodeRows(fields, [row(1)]));
if (seen === 0) throw new Error('nothing parsed');
