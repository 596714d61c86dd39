import { systemClock } from '../src/common/clock.ts';
import type { Row } from '../src/db/db.types.ts';
import { and, col } from '../src/db/predicate.ts';
import type { Runtime } from '../src/deps.ts';
import { reqStr } from '../src/store/rows.ts';
import { T } from '../src/store/tables.ts';
import { cleanFlow, describeFlowPlan, planFlowClean } from './mgmt.clean.flow.ts';
import { columns, MgmtError, type MgmtIo, Progress, UsageError } from './mgmt.io.ts';

/**
 * The TAMS content `clean --all` empties. Kept: service settings (name, the fs backend's id and
 * URL-signing key), credentials, webhook registrations and the event outbox (webhook cursors
 * point into its sequence), and the media GC queue, which receives every object's bytes.
 */
export const CONTENT_TABLES = [
  T.segments,
  T.objectRefs,
  T.allocations,
  T.objects,
  T.collections,
  T.flowTags,
  T.flows,
  T.sourceTags,
  T.sources,
  T.deletions,
] as const;

const PAGE = 5000;

export interface CleanOptions {
  all: boolean;
  flow?: string;
  dryRun: boolean;
  yes: boolean;
}

/** `clean`: prints what would go; with --yes, removes it. */
export async function cleanCommand(runtime: Runtime, io: MgmtIo, options: CleanOptions): Promise<number> {
  if (options.all === (options.flow !== undefined))
    throw new UsageError('clean: give either --all or --flow <id>');
  if (options.dryRun && options.yes) throw new UsageError('clean: --dry-run and --yes exclude each other');
  const act = async (describe: string, run: () => Promise<void>): Promise<number> => {
    io.out(describe);
    if (options.dryRun) {
      io.out('Dry run: nothing was changed.\n');
      return 0;
    }
    if (!options.yes)
      throw new MgmtError('nothing was changed: pass --yes to delete the above (or --dry-run to only look)');
    const started = performance.now();
    await run();
    io.out(`Done in ${((performance.now() - started) / 1000).toFixed(1)} s.\n`);
    return 0;
  };
  if (options.flow !== undefined) {
    const plan = await planFlowClean(runtime, options.flow);
    return act(describeFlowPlan(plan), () => cleanFlow(runtime, plan, io));
  }
  const counts = await Promise.all(CONTENT_TABLES.map(async (t) => [t, await runtime.db.count(t)] as const));
  const withBytes = await runtime.db.count(T.objects, and(col('storage_id').isNotNull()));
  const describe =
    'Every TAMS table below is emptied (service settings, credentials, webhooks and events are kept):\n' +
    columns([['TABLE', 'ROWS'], ...counts.map(([t, n]) => [t, n.toLocaleString('en')])], new Set([1])) +
    `Bytes of ${withBytes.toLocaleString('en')} objects are queued for deletion from their backends (the server's media GC deletes them).\n`;
  return act(describe, () => cleanAll(runtime, io, withBytes));
}

/** Empties the content tables in one transaction, queueing every stored object's bytes first. */
async function cleanAll(runtime: Runtime, io: MgmtIo, withBytes: number): Promise<void> {
  const now = systemClock.now();
  await runtime.db.transaction(async (tx) => {
    const queued = new Progress(io, 'objects queued for byte deletion', withBytes);
    // Keyset pages by id: a scan cannot stay open while the same connection inserts.
    let after: string | undefined;
    for (;;) {
      const page = await tx.select(T.objects, {
        where: and(col('storage_id').isNotNull(), after !== undefined && col('id').gt(after)),
        columns: ['id', 'storage_id', 'storage_path'],
        orderBy: [{ column: 'id' }],
        limit: PAGE,
      });
      const rows: Row[] = page
        .filter((r) => r.storage_path !== null)
        .map((r) => ({
          storage_id: r.storage_id,
          storage_path: r.storage_path,
          object_id: r.id,
          queued: now,
          attempts: 0,
          next_attempt: now,
          last_error: null,
        }));
      if (rows.length > 0) await tx.insert(T.mediaGc, rows);
      queued.add(page.length);
      const last = page.at(-1);
      if (!last || page.length < PAGE) break;
      after = reqStr(last, 'id');
    }
    queued.finish();
    const emptied = new Progress(io, 'tables emptied', CONTENT_TABLES.length);
    for (const table of CONTENT_TABLES) {
      await tx.delete(table, and());
      emptied.add(1);
    }
    emptied.finish();
  });
}
