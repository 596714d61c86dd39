import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { WorkerLog } from '../src/common/worker.ts';
import { SHARED_TOPOLOGY } from '../src/db/topology.ts';
import type { Runtime } from '../src/deps.ts';
import { countRebuildItems } from '../src/search/index/search.rebuild.ts';
import { searchFeature } from '../src/search/search.feature.ts';
import { searchRepos } from '../src/search/store/search.repos.ts';
import { columns, MgmtError, type MgmtIo, Progress } from './mgmt.io.ts';

function searchOf(runtime: Runtime) {
  const search = runtime.features.get(searchFeature);
  if (search === undefined) throw new MgmtError('media search is off (TAMS_SEARCH=false)');
  return search;
}

/** The indexer's log lines, on stderr only when they matter (the progress line says the rest). */
function quietLog(io: MgmtIo): WorkerLog {
  return {
    info: () => {},
    warn: (obj, msg) => io.err(`warning: ${msg} ${JSON.stringify(obj)}\n`),
    error: (obj, msg) => io.err(`error: ${msg} ${JSON.stringify(obj)}\n`),
  };
}

/**
 * `search reindex`: empties the search index and builds it again from the tables (Sources,
 * Flows, the timed text of data Flows, published transcripts), then applies what changed
 * meanwhile, holding the index's lease throughout so that servers on a shared database leave it
 * alone (a server holding it now is waited for no longer than `--force` says: refused otherwise).
 */
export async function searchReindexCommand(
  runtime: Runtime,
  io: MgmtIo,
  options: { force: boolean },
): Promise<number> {
  const search = searchOf(runtime);
  const { store } = runtime;
  const owner = `tams-mgmt:${hostname()}:${process.pid}`;
  const holder = await store.leases.holder('search-index', new Date());
  if (holder !== undefined && !options.force) {
    throw new MgmtError(
      `the search index is maintained by ${holder.owner} (its lease ends ${holder.until.toISOString()}): ` +
        'stop it, or run again with --force to take the index over',
    );
  }
  const started = performance.now();
  await store.transaction(async (tx) => {
    await tx.leases.take('search-index', owner, new Date(), 10 * 60_000);
    await searchRepos(tx).index.clear();
  });
  const total = await countRebuildItems(store);
  const progress = new Progress(io, 'reindex: items read', total);
  let documents = 0;
  const stopListening = search.follower.onBatch((report) => {
    if (report.scanned !== undefined) progress.add(report.scanned);
    documents += report.added;
  });
  const indexer = search.follower.create(quietLog(io), owner, SHARED_TOPOLOGY);
  try {
    for (;;) {
      const more = await indexer.step();
      const status = await search.service.status();
      if (!more && status.up_to_date) break;
      // Waiting for the outbox to settle, or out a transient failure (status.retrying; the
      // indexer's warnings say why): no busy loop meanwhile.
      if (!more) await sleep(100);
    }
  } finally {
    stopListening();
    await indexer.release().catch(() => undefined);
  }
  progress.finish();
  const seconds = (performance.now() - started) / 1000;
  const status = await search.service.status();
  io.err(
    `reindex: ${status.documents.toLocaleString('en')} documents (${documents.toLocaleString('en')} written) ` +
      `in ${seconds.toFixed(1)} s, ${Math.round(documents / Math.max(seconds, 1e-3)).toLocaleString('en')}/s; ` +
      `${status.parts} parts; ${status.embeddings ? `embeddings: ${status.embeddings}` : 'no embeddings (keyword search only)'}` +
      `${status.failed_items > 0 ? `; ${status.failed_items} items could not be indexed (search status --json lists them)` : ''}` +
      `${status.cues_outside > 0 ? `; ${status.cues_outside} cues outside their segment` : ''}\n`,
  );
  return 0;
}

/** `search status`: how far the index is behind the store. */
export async function searchStatusCommand(
  runtime: Runtime,
  io: MgmtIo,
  options: { json: boolean },
): Promise<number> {
  const status = await searchOf(runtime).service.status();
  if (options.json) {
    io.out(`${JSON.stringify(status)}\n`);
    return 0;
  }
  io.out(
    columns([
      [
        'documents',
        'parts',
        'pending events',
        'pending jobs',
        'state',
        'embeddings',
        'failed items',
        'cues outside',
      ],
      [
        String(status.documents),
        String(status.parts),
        String(status.pending_events),
        String(status.pending_jobs),
        status.retrying !== undefined
          ? `waiting: ${status.retrying.reason}`
          : status.building
            ? 'building'
            : status.up_to_date
              ? 'up to date'
              : 'catching up',
        status.embeddings ?? 'none',
        String(status.failed_items),
        String(status.cues_outside),
      ],
    ]),
  );
  return 0;
}
