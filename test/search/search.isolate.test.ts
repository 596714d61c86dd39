/**
 * A batch the database refuses for a reason the indexer cannot name (here: a text the engine will
 * not store, as VAST DataBase refuses a row past its request limit) is taken again one item at a
 * time, down to one segment of a registration of several: the segment at fault is passed over
 * and reported, its neighbours in the same registration and everything after are indexed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbSession, Engine, Row } from '../../src/db/db.types.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { createFlow, dataFlow } from '../http/fixtures.ts';
import { addSegments, allocate, upload } from '../segments/helpers.ts';
import { indexed, search, searchEnv, webvtt } from './search.fixtures.ts';

const REFUSED = 'kelp-forest';

/** The engine as it is, but an insert of a search document whose text has REFUSED fails. */
function refusing(inner: Engine): Engine {
  const guard = (tx: DbSession): DbSession =>
    new Proxy(tx, {
      get: (target, prop, receiver) => {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (prop !== 'insert' || typeof value !== 'function') return value;
        return async (table: string, rows: readonly Row[]) => {
          if (table === 'search_docs' && rows.some((r) => String(r.text).includes(REFUSED))) {
            throw new Error('value too long for column "text"');
          }
          return (value as DbSession['insert']).call(target, table, rows);
        };
      },
    });
  return Object.assign(Object.create(inner) as Engine, {
    transaction: <T>(fn: (tx: DbSession) => Promise<T>) => inner.transaction((tx) => fn(guard(tx))),
  });
}

let server: TestServer;
const logs: string[] = [];
beforeAll(async () => {
  server = await startServer({
    env: searchEnv(),
    wrapEngine: refusing,
    logLines: (line) => logs.push(line),
  });
});
afterAll(async () => {
  await server?.close();
});

interface FlowStatus {
  failed: number;
  failures: { kind: string; timerange?: string; reason: string }[];
  cues_indexed: number;
}

describe('a batch the database refuses', () => {
  it('is taken one segment at a time; the segment at fault alone is passed over', async () => {
    const flow = dataFlow({ label: 'Reef survey (captions)', codec: 'text/vtt', container: 'text/vtt' });
    await createFlow(server, flow);
    const flowId = flow.id as string;
    const files = [
      webvtt([[1, 3, 'The anchor drops onto the sand.']]),
      webvtt([[11, 13, `A ${REFUSED} sways in the current.`]]),
      webvtt([[21, 23, 'A buoy marks the wreck.']]),
    ];
    const objects = await allocate(server, flowId, { limit: files.length });
    for (const [i, object] of objects.entries())
      await upload(object, Buffer.from(files[i] as string, 'utf8'));
    // One registration of three segments: one event.
    await addSegments(
      server,
      flowId,
      objects.map((o, i) => ({ object_id: o.object_id, timerange: `[${i * 10}:0_${(i + 1) * 10}:0)` })),
    );
    const [after] = await allocate(server, flowId, { limit: 1 });
    if (after === undefined) throw new Error('no object allocated');
    await upload(after, Buffer.from(webvtt([[31, 33, 'The lighthouse keeper waves.']]), 'utf8'));
    await addSegments(server, flowId, { object_id: after.object_id, timerange: '[30:0_40:0)' });

    await indexed(server);
    const found = async (q: string) =>
      (await search(server, { q, mode: 'keyword', kind: 'caption', flow_id: flowId })).body.hits.map(
        (h) => h.timerange,
      );
    expect(await found('anchor')).toEqual(['[1:0_3:0)']);
    expect(await found('buoy')).toEqual(['[21:0_23:0)']);
    expect(await found('lighthouse')).toEqual(['[31:0_33:0)']);
    expect(await found('sways')).toEqual([]);

    const res = await server.get<{ failed_items: number; flow: FlowStatus }>('/search/status', {
      query: { flow_id: flowId },
    });
    expect(res.body.flow.cues_indexed).toBe(3);
    expect(res.body.flow.failures).toEqual([
      expect.objectContaining({
        kind: 'segment',
        timerange: '[10:0_20:0)',
        reason: 'value too long for column "text"',
      }),
    ]);
    expect(res.body.failed_items).toBe(1);
    const passedOver = logs.filter((l) => /could not be indexed and was passed over/.test(l));
    expect(passedOver).toHaveLength(1);
    expect(passedOver[0]).toContain(objects[1]?.object_id);
  });
});
