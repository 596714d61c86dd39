/**
 * Probes of the cluster's data answers: the Arrow type a timestamp column comes back as, how a
 * QueryData answer ends, and the largest value one cell takes (VAST documents about 126 KB).
 */
import type { TableDef } from '../../src/db/db.types.ts';
import { encodeCreateSchemaRequest } from '../../src/db/engines/vast/wire/wire.catalog.ts';
import { buildQueryRequest } from '../../src/db/engines/vast/wire/wire.query.ts';
import { encodeRows } from '../../src/db/engines/vast/wire/wire.rows.ts';
import { encodeSchemaMessage } from '../../src/db/engines/vast/wire/wire.schema.ts';
import type { WireField } from '../../src/db/engines/vast/wire/wire.types.ts';
import { TableManager } from '../../src/db/manager.ts';
import { type FrameScan, scanFrames } from './vast.frames.ts';
import { outcome, ProbeFailure } from './vast.probe.ts';
import type { CheckContext, KitRunner } from './vast.runner.ts';
import type { Scratch } from './vast.scratch.ts';

const STAMPED: TableDef = {
  name: 'kit_stamped',
  columns: [
    { name: 'id', type: 'int64', nullable: false },
    { name: 'at', type: 'timestamp' },
  ],
};
const AT = new Date(Date.UTC(2024, 1, 29, 12, 34, 56, 789));

/** The documented cell limit: every value up to this many bytes must be accepted. */
const DOCUMENTED_CELL_BYTES = 126_000;
/** The largest value the cell probe tries. */
const MOST_CELL_BYTES = 2 * 1024 * 1024;

/** One QueryData answer for the stamped table, read raw, and what the engine read of the row. */
async function stampedAnswer(scratch: Scratch): Promise<{ scan: FrameScan; read: unknown }> {
  const engine = scratch.engine('stamped');
  const db = await TableManager.open(engine, [STAMPED]);
  try {
    await db.insert(STAMPED.name, [{ id: 1n, at: AT }]);
    const read = (await db.select(STAMPED.name))[0]?.at;
    const fields: WireField[] = [
      { name: 'id', type: 'int64', nullable: false },
      { name: 'at', type: 'timestamp_us', nullable: true },
    ];
    const { body } = buildQueryRequest({ fields, columns: ['id', 'at'] });
    const transport = scratch.transport();
    const answer = await scratch
      .inTx(async (txid) => {
        const res = await transport.stream({
          method: 'GET',
          path: `/${scratch.bucket}/${scratch.schema('stamped')}/${STAMPED.name}`,
          query: [['data']],
          headers: {
            'tabular-txid': String(txid),
            'tabular-api-version-id': '1',
            'tabular-client-name': 'tabular-api',
            'tabular-split': '0,1,8',
            'tabular-num-of-subsplits': '1',
            'tabular-request-format': 'string',
            'tabular-response-format': 'string',
            'tabular-limit-rows': '1000',
            'tabular-start-row-id-0': '0,0',
          },
          body,
          idempotent: true,
        });
        const chunks: Uint8Array[] = [];
        for await (const chunk of res.body) chunks.push(chunk);
        return Buffer.concat(chunks);
      })
      .finally(() => transport.close());
    return { scan: scanFrames(answer), read };
  } finally {
    await db.close();
  }
}

export function dataProbes(runner: KitRunner, scratch: Scratch): void {
  let answer: Promise<{ scan: FrameScan; read: unknown }> | undefined;
  const stamped = () => {
    answer ??= stampedAnswer(scratch);
    return answer;
  };
  runner.describe('data', () => {
    runner.test('a timestamp column reads back as written', async (ctx) => {
      const { scan, read } = await stamped();
      ctx.note(
        `the answer declares the column as ${scan.columns.get('at') ?? '(not seen)'} (the engine asks for Timestamp(MICROSECOND, no zone))`,
      );
      ctx.note(
        `the engine read ${read instanceof Date ? read.toISOString() : String(read)}; written ${AT.toISOString()}`,
      );
      if (!(read instanceof Date) || read.getTime() !== AT.getTime())
        throw new ProbeFailure('the timestamp read back differs from the one written');
    });
    runner.test('a QueryData answer ends with the completion marker', async (ctx) => {
      const { scan } = await stamped();
      ctx.note(
        `${scan.frames} frames, ending: ${scan.end}${scan.trailing > 0 ? `, then ${scan.trailing} bytes` : ''}${scan.problem ? ` (${scan.problem})` : ''}`,
      );
      if (scan.end !== 'completed')
        throw new ProbeFailure(`the answer ended ${scan.end}, not with the completion marker`);
    });
    runner.test(
      `one cell takes ${DOCUMENTED_CELL_BYTES.toLocaleString('en')} bytes (VAST documents about 126 KB)`,
      (ctx) => cellLimit(scratch, ctx),
    );
  });
}

async function cellLimit(scratch: Scratch, ctx: CheckContext): Promise<void> {
  const schema = scratch.schema('cells');
  const fields: WireField[] = [
    { name: 'id', type: 'int64', nullable: false },
    { name: 'v', type: 'utf8', nullable: true },
  ];
  await scratch.inTx(async (txid) => {
    await scratch.call({
      method: 'POST',
      names: [scratch.bucket, schema],
      query: [['schema']],
      txid,
      body: encodeCreateSchemaRequest(),
    });
    await scratch.call({
      method: 'POST',
      names: [scratch.bucket, schema, 'kit_cells'],
      query: [['table']],
      txid,
      body: encodeSchemaMessage(fields),
    });
  });
  let refusedText = '';
  const fits = async (bytes: number): Promise<boolean> => {
    const body = encodeRows(fields, [{ id: BigInt(bytes), v: 'x'.repeat(bytes) }]);
    const got = await outcome(
      scratch.inTx((txid) =>
        scratch.call({
          method: 'POST',
          names: [scratch.bucket, schema, 'kit_cells'],
          query: [['rows']],
          txid,
          body,
        }),
      ),
    );
    if (!got.ok) refusedText = got.text;
    return got.ok;
  };
  // Sizes around the documented limit first, then bisection to the byte between the largest
  // accepted and the smallest refused.
  let accepted = 0;
  let refused: number | undefined;
  for (const size of [64_000, DOCUMENTED_CELL_BYTES, 126 * 1024, 128 * 1024, 256 * 1024, MOST_CELL_BYTES]) {
    if (await fits(size)) accepted = size;
    else {
      refused = size;
      break;
    }
  }
  if (refused === undefined) {
    ctx.note(`every size up to ${MOST_CELL_BYTES.toLocaleString('en')} bytes was accepted (no limit seen)`);
    return;
  }
  const reason = refusedText;
  while (refused - accepted > 1) {
    const mid = Math.floor((accepted + refused) / 2);
    if (await fits(mid)) accepted = mid;
    else refused = mid;
  }
  ctx.note(
    `largest value accepted: ${accepted.toLocaleString('en')} bytes; ${refused.toLocaleString('en')} bytes refused: ${reason}`,
  );
  if (accepted < DOCUMENTED_CELL_BYTES)
    throw new ProbeFailure(`values of ${DOCUMENTED_CELL_BYTES.toLocaleString('en')} bytes are refused`);
}
