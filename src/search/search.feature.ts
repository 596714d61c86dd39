import { FollowerRuntime } from '../feature/feature.follower.ts';
import type { Feature, FeatureRuntime } from '../feature/feature.types.ts';
import type { LazyEmbeddingProvider } from './embed/embed.lazy.ts';
import type { BatchReport } from './index/search.index.types.ts';
import { SearchIndexer } from './index/search.indexer.ts';
import { IndexState } from './index/search.state.ts';
import { SemanticRanker } from './query/search.semantic.ts';
import type { SearchConfig } from './search.config.ts';
import { searchEmbedder } from './search.embedder.ts';
import { searchMetrics } from './search.metrics.ts';
import { searchRoutes } from './search.routes.ts';
import { SearchService } from './search.service.ts';
import { analyzerText } from './search.text.ts';
import { searchTables } from './store/search.tables.ts';
import { transcriptsRoutes } from './transcripts.routes.ts';
import { Transcript } from './transcripts.schemas.ts';
import { TranscriptsService } from './transcripts.service.ts';
import { VectorCache } from './vectors/search.vcache.ts';

/** Media search as the server runs it: the query and transcript services, and the indexer. */
export interface SearchRuntime extends FeatureRuntime {
  readonly service: SearchService;
  readonly transcripts: TranscriptsService;
  readonly embedder: LazyEmbeddingProvider | undefined;
  /** The indexer; `create` makes one to step by hand (`tams-mgmt search reindex`). */
  readonly follower: FollowerRuntime<SearchIndexer, BatchReport>;
}

/** Media search (TAMS_SEARCH): /search and /search/transcripts, indexing the store's changes. */
export const searchFeature: Feature<SearchRuntime, SearchConfig> = {
  name: 'media search',
  enabled: (config) => config.TAMS_SEARCH,
  tables: searchTables,
  build({ config, store, media, clock, ids, env }) {
    const embedder = searchEmbedder(config, env);
    const idleMs = config.TAMS_WORKER_IDLE_MS;
    const follower = new FollowerRuntime<SearchIndexer, BatchReport>({
      worker: 'search-index',
      idleMs,
      create: (log, owner, topology, onBatch) =>
        new SearchIndexer({
          store,
          media,
          embedder,
          text: analyzerText,
          clock,
          log,
          owner,
          leaseMs: config.TAMS_WORKER_LEASE_SECONDS * 1000,
          topology,
          // After a transient failure: the worker's idle pause, doubling up to a minute.
          retryMs: { first: idleMs, max: 60_000 },
          onBatch,
        }),
      async holdBack() {
        const state = await IndexState.read(store);
        if (state.cursor !== undefined) return state.cursor;
        const rebuild = state.rebuild as { cursor?: string } | null;
        return typeof rebuild?.cursor === 'string' ? BigInt(rebuild.cursor) : undefined;
      },
    });
    const cacheBytes = config.TAMS_SEARCH_VECTOR_CACHE_MB * 2 ** 20;
    const service = new SearchService(
      store,
      embedder &&
        new SemanticRanker(
          embedder,
          config.TAMS_SEARCH_NPROBE,
          cacheBytes > 0 ? new VectorCache(cacheBytes) : undefined,
        ),
    );
    const transcripts = new TranscriptsService({ store, ids, clock, wake: () => follower.wake() });
    return {
      service,
      transcripts,
      embedder,
      follower,
      components: { Transcript },
      async routes(app, { paging, publicUrl }) {
        await searchRoutes(app, { search: service, paging, publicUrl });
        await transcriptsRoutes(app, { transcripts, publicUrl });
      },
      metrics: (metrics) => searchMetrics(metrics, service, follower),
      start(log) {
        embedder?.warm();
        void service.warm().catch((error: unknown) => {
          log.warn({ err: error }, 'search: loading the vector cache failed (queries read the rows)');
        });
      },
      async close() {
        await embedder?.close();
      },
    };
  },
};
