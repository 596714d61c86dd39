import type { Row } from '../src/db/db.types.ts';
import type { Runtime } from '../src/deps.ts';
import { ObjectsRepo } from '../src/store/objects.repo.ts';
import { num, reqStr } from '../src/store/rows.ts';
import { T } from '../src/store/tables.ts';
import { type MgmtIo, Progress } from './mgmt.io.ts';
import { Cursor, compareText, scanRows } from './mgmt.stream.ts';
import { note, type VerifyReport } from './mgmt.verify.report.ts';

interface Use {
  object: string;
  flow: string;
  count: number;
}

const BY_OBJECT_AND_FLOW = [{ column: 'object_id' }, { column: 'flow_id' }];

/** Consecutive rows of one (object, Flow) pair, counted. */
async function* uses(rows: AsyncIterable<Row>, progress: Progress): AsyncGenerator<Use> {
  let current: Use | undefined;
  let seen = 0;
  for await (const row of rows) {
    const object = reqStr(row, 'object_id');
    const flow = reqStr(row, 'flow_id');
    if (current && current.object === object && current.flow === flow) current.count++;
    else {
      if (current) yield current;
      current = { object, flow, count: 1 };
    }
    if (++seen === 1000) {
      progress.add(seen);
      seen = 0;
    }
  }
  progress.add(seen);
  if (current) yield current;
}

async function* refs(rows: AsyncIterable<Row>): AsyncGenerator<Use> {
  for await (const row of rows) {
    yield {
      object: reqStr(row, 'object_id'),
      flow: reqStr(row, 'flow_id'),
      count: num(row, 'segments') ?? 0,
    };
  }
}

async function* ids(rows: AsyncIterable<Row>): AsyncGenerator<string> {
  for await (const row of rows) yield reqStr(row, 'id');
}

/** Takes the cursor's leading entries of `object`, by Flow. */
async function takeObject(cursor: Cursor<Use>, object: string): Promise<Map<string, number>> {
  const byFlow = new Map<string, number>();
  while ((await cursor.peek())?.object === object) {
    const use = (await cursor.take()) as Use;
    byFlow.set(use.flow, use.count);
  }
  return byFlow;
}

/**
 * First pass: objects (by id), reference counts and segments (both by object and Flow) read as
 * three sorted streams merged in step, so memory stays flat however large the tables are.
 */
export async function objectPass(runtime: Runtime, report: VerifyReport, io: MgmtIo): Promise<void> {
  const { db } = runtime;
  // Allocated objects awaiting their first segment: few, and legitimately without segments.
  const unused = await new ObjectsRepo(db).unusedAllocationIds();

  const progress = new Progress(io, 'segments checked against objects', report.segments);
  const objects = new Cursor(ids(scanRows(db, T.objects, { columns: ['id'], orderBy: [{ column: 'id' }] })));
  const counted = new Cursor(
    refs(
      scanRows(db, T.objectRefs, {
        columns: ['object_id', 'flow_id', 'segments'],
        orderBy: BY_OBJECT_AND_FLOW,
      }),
    ),
  );
  const used = new Cursor(
    uses(
      scanRows(db, T.segments, { columns: ['object_id', 'flow_id'], orderBy: BY_OBJECT_AND_FLOW }),
      progress,
    ),
  );
  try {
    for (;;) {
      const heads = [
        await objects.peek(),
        (await counted.peek())?.object,
        (await used.peek())?.object,
      ].filter((k): k is string => k !== undefined);
      if (heads.length === 0) break;
      const object = heads.reduce((a, b) => (compareText(a, b) <= 0 ? a : b));
      const hasRow = (await objects.peek()) === object;
      if (hasRow) await objects.take();
      const refCounts = await takeObject(counted, object);
      const segCounts = await takeObject(used, object);
      let segments = 0;
      for (const n of segCounts.values()) segments += n;
      if (!hasRow && segments > 0) {
        note(report.segmentsWithoutObjects, `object ${object}: ${segments} segments`, segments);
      }
      if (hasRow && segments === 0 && !unused.has(object))
        note(report.objectsWithoutSegments, `object ${object}`);
      for (const flow of new Set([...refCounts.keys(), ...segCounts.keys()])) {
        const recorded = refCounts.get(flow);
        const actual = segCounts.get(flow) ?? 0;
        if (recorded === actual) continue;
        note(
          report.referenceMismatches,
          `object ${object} in Flow ${flow}: object_refs ${recorded ?? 'has no row'}, segments ${actual}`,
        );
      }
    }
  } finally {
    // On an error mid-way, the scans still open must end (their connections go back to the pool).
    await Promise.all([objects.close(), counted.close(), used.close()]);
  }
  progress.finish();
}
