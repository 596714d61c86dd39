import { FollowerRuntime } from '../feature/feature.follower.ts';
import type { Feature, FeatureRuntime } from '../feature/feature.types.ts';
import type { ExrConfig } from './exr.config.ts';
import { exrMetrics } from './exr.metrics.ts';
import { exrRoutes } from './exr.routes.ts';
import { AttributeDoc, ChannelDoc, FileDetail, FileDoc, FrameDoc, PartDoc } from './exr.schemas.ts';
import { ExrService } from './exr.service.ts';
import { ExrFollower, type FollowReport, readFollowState } from './follow/exr.follow.ts';
import { ET, exrTables } from './store/exr.tables.ts';

/** EXR metadata as the server runs it: the catalogue's service, and the outbox follower. */
export interface ExrRuntime extends FeatureRuntime {
  readonly service: ExrService;
  /** The catalogue's follower; `create` makes one to step by hand (tests). */
  readonly follower: FollowerRuntime<ExrFollower, FollowReport>;
}

/** EXR metadata (TAMS_EXR): /exr, the catalogue of the OpenEXR objects registered. */
export const exrFeature: Feature<ExrRuntime, ExrConfig> = {
  name: 'EXR metadata',
  enabled: (config) => config.TAMS_EXR,
  tables: exrTables,
  // The follower's cursor stays, as the outbox does.
  keptWhenEmptied: [ET.state],
  build({ config, store, media, clock }) {
    const follower = new FollowerRuntime<ExrFollower, FollowReport>({
      worker: 'exr-inspect',
      idleMs: config.TAMS_WORKER_IDLE_MS,
      create: (log, owner, topology, onBatch) =>
        new ExrFollower({
          store,
          media,
          clock,
          log,
          owner,
          leaseMs: config.TAMS_WORKER_LEASE_SECONDS * 1000,
          topology,
          onBatch,
        }),
      holdBack: async () => (await readFollowState(store)).cursor,
    });
    const service = new ExrService({ store, media, clock });
    return {
      service,
      follower,
      components: {
        ExrFileDetail: FileDetail,
        ExrFile: FileDoc,
        ExrPart: PartDoc,
        ExrChannel: ChannelDoc,
        ExrAttribute: AttributeDoc,
        ExrFrame: FrameDoc,
      },
      routes: (app, { paging, publicUrl }) =>
        exrRoutes(app, { exr: service, paging, publicUrl, uploadLimit: config.TAMS_EXR_UPLOAD_MAX_BYTES }),
      metrics: (metrics) => exrMetrics(metrics, follower),
    };
  },
};
