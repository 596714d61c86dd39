import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from './common/clock.ts';
import type { IdGenerator } from './common/ids.ts';
import { BackgroundWorker, type WorkerLog } from './common/worker.ts';
import type { Config } from './config.ts';
import type { Topology } from './db/topology.ts';
import type { MediaRegistry } from './media/media.registry.ts';
import type { ServerMetrics } from './metrics/metrics.registry.ts';
import { createEmbeddingProvider } from './search/embed/embed.factory.ts';
import { LazyEmbeddingProvider } from './search/embed/embed.lazy.ts';
import { searchModelDir } from './search/embed/embed.model.ts';
import type { BatchReport } from './search/search.index.types.ts';
import { SearchIndexer } from './search/search.indexer.ts';
import { SemanticRanker } from './search/search.semantic.ts';
import { SearchService } from './search/search.service.ts';
import { IndexState } from './search/search.state.ts';
import { analyzerText } from './search/search.text.ts';
import { VectorCache } from './search/search.vcache.ts';
import { TranscriptsService } from './search/transcripts.service.ts';
import { FOLLOWER_MIN_PAUSE_MS } from './store/leases.follower.ts';
import type { TamsStore } from './store/store.ts';

/** Media search as the server runs it: the query and transcript services, and the indexer. */
export interface SearchRuntime {
  service: SearchService;
  transcripts: TranscriptsService;
  embedder: LazyEmbeddingProvider | undefined;
  /** Wakes the indexer (events committed, a transcript published). */
  wake(): void;
  /** The lowest outbox position the index still needs (events above it must be kept). */
  holdBack(): Promise<bigint | undefined>;
  /** Builds and starts the indexer's worker. */
  start(log: WorkerLog, owner: string, topology: Topology): BackgroundWorker;
  /** An indexer to step by hand (`tams-mgmt search reindex`). */
  createIndexer(log: WorkerLog, owner: string, topology: Topology): SearchIndexer;
  /** Called after each batch the indexer commits. */
  onBatch?: (report: BatchReport) => void;
  close(): Promise<void>;
}

/** The embedding provider the settings ask for, loaded on first use; undefined for none. */
export function searchEmbedder(
  config: Config,
  env: Record<string, string | undefined>,
): LazyEmbeddingProvider | undefined {
  const choice = config.TAMS_SEARCH_EMBEDDINGS;
  const modelDir = searchModelDir({
    ...env,
    TAMS_SEARCH_MODEL_DIR: config.TAMS_SEARCH_MODEL_DIR || env.TAMS_SEARCH_MODEL_DIR,
  });
  const manifestPath = join(modelDir, 'manifest.json');
  if (choice === 'none' || (choice === 'auto' && !existsSync(manifestPath))) return undefined;
  if (choice === 'http') {
    const settings = {
      provider: 'http' as const,
      modelDir,
      url: config.TAMS_SEARCH_EMBEDDINGS_URL,
      model: config.TAMS_SEARCH_EMBEDDINGS_MODEL,
      apiKey: config.TAMS_SEARCH_EMBEDDINGS_API_KEY || undefined,
      dimensions: config.TAMS_SEARCH_EMBEDDINGS_DIMENSIONS,
    };
    return new LazyEmbeddingProvider(`http:${settings.model}`, settings.dimensions, async () => {
      const made = await createEmbeddingProvider(settings);
      if (made === undefined) throw new Error('no embedding provider');
      return made;
    });
  }
  // onnx (asked for, or found by auto): the manifest names the model; a missing one fails now.
  if (!existsSync(manifestPath)) {
    throw new Error(
      `TAMS_SEARCH_EMBEDDINGS=onnx: no embedding model in ${modelDir}; run \`npm run search:model\``,
    );
  }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    modelId?: string;
    dimensions?: number;
  };
  return new LazyEmbeddingProvider(
    `onnx:${manifest.modelId ?? 'unknown'}`,
    manifest.dimensions ?? 0,
    async () => {
      // On a worker thread of its own: loading the session (~160 ms) and every batch the indexer
      // embeds run synchronously in onnxruntime, and on the server's thread they held HTTP.
      const made = await createEmbeddingProvider({
        provider: 'onnx',
        modelDir,
        threads: config.TAMS_SEARCH_THREADS,
        thread: true,
      });
      if (made === undefined) throw new Error('no embedding provider');
      return made;
    },
  );
}

export function buildSearch(
  config: Config,
  deps: {
    store: TamsStore;
    media: MediaRegistry;
    clock: Clock;
    ids: IdGenerator;
    env: Record<string, string | undefined>;
    idleMs: number;
    leaseMs: number;
  },
): SearchRuntime {
  const { store, media, clock, ids } = deps;
  const embedder = searchEmbedder(config, deps.env);
  let worker: BackgroundWorker | undefined;
  let indexer: SearchIndexer | undefined;
  const runtime: SearchRuntime = {
    service: new SearchService(
      store,
      embedder &&
        new SemanticRanker(
          embedder,
          config.TAMS_SEARCH_NPROBE,
          config.TAMS_SEARCH_VECTOR_CACHE_MB > 0
            ? new VectorCache(config.TAMS_SEARCH_VECTOR_CACHE_MB * 2 ** 20)
            : undefined,
        ),
    ),
    transcripts: new TranscriptsService({ store, ids, clock, wake: () => worker?.wake() }),
    embedder,
    wake: () => worker?.wake(),
    async holdBack() {
      const state = await IndexState.read(store);
      if (state.cursor !== undefined) return state.cursor;
      const rebuild = state.rebuild as { cursor?: string } | null;
      return typeof rebuild?.cursor === 'string' ? BigInt(rebuild.cursor) : undefined;
    },
    createIndexer(log, owner, topology) {
      return new SearchIndexer({
        store,
        media,
        embedder,
        text: analyzerText,
        clock,
        log,
        owner,
        leaseMs: deps.leaseMs,
        topology,
        // After a transient failure: the worker's idle pause, doubling up to a minute.
        retryMs: { first: deps.idleMs, max: 60_000 },
        onBatch: (report) => runtime.onBatch?.(report),
      });
    },
    start(log, owner, topology) {
      embedder?.warm();
      void runtime.service.warm().catch((error: unknown) => {
        log.warn({ err: error }, 'search: loading the vector cache failed (queries read the rows)');
      });
      indexer = runtime.createIndexer(log, owner, topology);
      const running = indexer;
      worker = new BackgroundWorker('search-index', () => running.step(), deps.idleMs, log, {
        minPauseMs: FOLLOWER_MIN_PAUSE_MS,
      });
      return worker;
    },
    async close() {
      await indexer?.release().catch(() => undefined);
      await embedder?.close();
    },
  };
  return runtime;
}

/**
 * Media search on /metrics: how far the index is behind (read at scrape time) and what the
 * indexer did in this process.
 */
export function bindSearchMetrics(metrics: ServerMetrics, search: SearchRuntime): void {
  const done = { added: 0, removed: 0, failures: 0 };
  const previous = search.onBatch;
  search.onBatch = (report) => {
    done.added += report.added;
    done.removed += report.removed;
    done.failures += report.failures;
    previous?.(report);
  };
  let status: Promise<Awaited<ReturnType<SearchRuntime['service']['status']>>> | undefined;
  // One status read per scrape, shared by the gauges that read it.
  const read = () => {
    status ??= search.service.status().finally(() => {
      setTimeout(() => {
        status = undefined;
      }, 1000).unref();
    });
    return status;
  };
  metrics.gauge(
    'tams_search_pending_events',
    'Outbox events the search index has still to apply',
    async () => (await read()).pending_events,
  );
  metrics.gauge(
    'tams_search_pending_jobs',
    'Transcript publications and deletions the search index has still to apply',
    async () => (await read()).pending_jobs,
  );
  metrics.gauge(
    'tams_search_documents',
    'Documents in the search index',
    async () => (await read()).documents,
  );
  metrics.gauge(
    'tams_search_index_parts',
    'Parts of the inverted index (merged in the background)',
    async () => (await read()).parts,
  );
  metrics.gauge(
    'tams_search_cues_outside_segment',
    "Caption cues not indexed: wholly outside their segment's timerange on the Flow's timeline",
    async () => (await read()).cues_outside,
  );
  metrics.gauge(
    'tams_search_failed_items',
    'Items the search index could not index and passed over (each logged; GET /search/status lists them)',
    async () => (await read()).failed_items,
  );
  metrics.gauge(
    'tams_search_documents_unembedded',
    'Documents indexed without a vector: the embedding service refused their text',
    async () => (await read()).unembedded,
  );
  metrics.gauge(
    'tams_search_retrying',
    '1 while the search index waits for something unavailable (storage, database, embedding service)',
    async () => ((await read()).retrying === undefined ? 0 : 1),
  );
  metrics.gauge(
    'tams_search_documents_added_total',
    'Documents this process added to the search index',
    () => done.added,
  );
  metrics.gauge(
    'tams_search_documents_removed_total',
    'Documents this process removed from the search index',
    () => done.removed,
  );
  metrics.gauge(
    'tams_search_timed_text_failures_total',
    'Items this process could not index and passed over (each logged)',
    () => done.failures,
  );
}
