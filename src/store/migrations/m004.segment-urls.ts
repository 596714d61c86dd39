import type { Row } from '../../db/db.types.ts';
import type { TableManager } from '../../db/manager.ts';
import type { Migration } from '../../db/migrate/migrate.types.ts';
import { and, col, or } from '../../db/predicate.ts';
import { instanceRow } from '../objects/instances.table.ts';
import { type InstanceRecord, instanceKey } from '../objects/instances.types.ts';
import { reqStr } from '../rows.ts';
import type { SegmentUrl } from '../segments.repo.ts';
import { T } from '../tables.ts';

/** Objects per read of their instances (one `in` list), and rows per insert transaction. */
const BATCH = 1000;

/**
 * Where the order (`pos`) of URLs from Flows other than an object's first starts: an object's
 * first Flow's URLs sort before the others' whichever Flow the migration reaches first (every
 * row it writes has the same `created`).
 */
const LATER = 1 << 20;

/**
 * Moves the clients' URLs segments were registered with (`segments.get_urls`, as 7.0
 * registrations wrote them) to their objects, as uncontrolled object instances (TAMS 8.2, ADR
 * 0038): from now on an object's URLs are its own and every segment using it gives them. A URL
 * given with several segments of an object (same URL and label) becomes one instance; in order,
 * those of the Flow that used the object first (in time order), then the others' (Flow by Flow).
 *
 * Flow by Flow, so memory stays bounded by one Flow's URLs. The segments' column is left as it was
 * (the code no longer reads it), so a store taken back to the version before keeps its URLs.
 *
 * Safe to repeat: an object's URLs already among its instances are not added again.
 */
export const moveSegmentUrls: Migration = {
  id: 4,
  name: 'segment-urls-to-object-instances',
  description: "segments' client get_urls become uncontrolled instances of their objects",
  async up({ db, renew, log }) {
    const created = new Date();
    let added = 0;
    const flows = await db.select(T.flows, { columns: ['id'], orderBy: [{ column: 'id' }] });
    for (const flow of flows) {
      added += await moveFlow(db, reqStr(flow, 'id'), created);
      await renew();
    }
    if (added > 0) log.info({ instances: added }, 'segment get_urls moved to object instances');
    // The Flows using objects that have instances now: their segment pages look them up.
    let after: string | undefined;
    for (;;) {
      const page = await db.select(T.instances, {
        where: and(after !== undefined && col('object_id').gt(after)),
        columns: ['object_id'],
        orderBy: [{ column: 'object_id' }],
        limit: BATCH,
      });
      if (page.length === 0) break;
      after = reqStr(page.at(-1) as Row, 'object_id');
      const refs = await db.select(T.objectRefs, {
        where: and(col('object_id').in([...new Set(page.map((r) => reqStr(r, 'object_id')))])),
        columns: ['flow_id'],
      });
      const flows = [...new Set(refs.map((r) => reqStr(r, 'flow_id')))];
      if (flows.length > 0) {
        await db.transaction((tx) =>
          tx.update(
            T.flows,
            and(col('id').in(flows), or(col('instances').isNull(), col('instances').eq(false))),
            { instances: true },
          ),
        );
      }
      await renew();
    }
  },
};

/** The URLs of one Flow's segments, in time order, added to their objects. */
async function moveFlow(db: TableManager, flowId: string, created: Date): Promise<number> {
  const byObject = new Map<string, SegmentUrl[]>();
  await db.scan(
    T.segments,
    {
      where: and(col('flow_id').eq(flowId), col('get_urls').isNotNull()),
      columns: ['object_id', 'get_urls'],
      orderBy: [
        { column: 'seg_start', direction: 'asc' },
        { column: 'seg_start_incl', direction: 'desc' },
      ],
    },
    (rows) => {
      for (const row of rows) {
        if (!Array.isArray(row.get_urls)) continue;
        const id = reqStr(row, 'object_id');
        const list = byObject.get(id) ?? [];
        for (const u of row.get_urls as unknown as SegmentUrl[]) {
          if (typeof u?.url !== 'string') continue;
          list.push(typeof u.label === 'string' ? { url: u.url, label: u.label } : { url: u.url });
        }
        byObject.set(id, list);
      }
    },
  );
  const ids = [...byObject.keys()];
  if (ids.length === 0) return 0;
  // The objects this Flow used first: their URLs come before other Flows'.
  const firsts = await db.select(T.objectRefs, {
    where: and(col('flow_id').eq(flowId), col('first').eq(true)),
    columns: ['object_id'],
  });
  const first = new Set(firsts.map((r) => reqStr(r, 'object_id')));
  let added = 0;
  for (let at = 0; at < ids.length; at += BATCH) {
    const chunk = ids.slice(at, at + BATCH);
    const [objects, existing] = await Promise.all([
      db.select(T.objects, { where: and(col('id').in(chunk)), columns: ['id'] }),
      db.select(T.instances, {
        where: and(col('object_id').in(chunk)),
        columns: ['object_id', 'instance_key', 'pos'],
      }),
    ]);
    const known = new Set(existing.map((r) => reqStr(r, 'instance_key')));
    // Where each object's URLs from this Flow go: after those of its range written before.
    const next = new Map<string, number>();
    for (const r of existing) {
      const id = reqStr(r, 'object_id');
      const pos = Number(r.pos ?? 0);
      if (pos < LATER === first.has(id)) next.set(id, Math.max(next.get(id) ?? 0, pos + 1));
    }
    const rows = [];
    for (const object of objects) {
      const id = reqStr(object, 'id');
      for (const u of byObject.get(id) ?? []) {
        const record: InstanceRecord = {
          object_id: id,
          controlled: false,
          url: u.url,
          state: 'ready',
          created,
          pos: next.get(id) ?? (first.has(id) ? 0 : LATER),
        };
        if (u.label !== undefined) record.label = u.label;
        const key = instanceKey(record);
        if (known.has(key)) continue;
        known.add(key);
        next.set(id, record.pos + 1);
        rows.push(instanceRow(record));
      }
    }
    for (let r = 0; r < rows.length; r += BATCH) {
      const batch = rows.slice(r, r + BATCH);
      await db.transaction((tx) => tx.insert(T.instances, batch));
    }
    added += rows.length;
  }
  return added;
}
