import { join } from 'node:path';
import { UrlGuard } from '../common/url.guard.ts';
import { BackgroundWorker } from '../common/worker.ts';
import type { Feature, FeatureRuntime } from '../feature/feature.types.ts';
import type { RecorderConfig } from './recorder.config.ts';
import { RecorderStats, recorderMetrics } from './recorder.metrics.ts';
import { recorderRoutes } from './recorder.routes.ts';
import { Recording, RecordingPost } from './recorder.schemas.ts';
import { RecorderService } from './recorder.service.ts';
import { NETWORK_SCHEMES } from './recorder.source.ts';
import { MediaTools } from './recorder.tools.ts';
import { RecorderWorker } from './recorder.worker.ts';
import { recorderTables } from './store/recorder.tables.ts';

/** The live recorder as the server runs it: the jobs' service. */
export interface RecorderRuntime extends FeatureRuntime {
  readonly service: RecorderService;
  /** Where a replica writes segments before upload. */
  readonly workDir: string;
}

/** The live recorder (TAMS_RECORDER): /recordings, jobs that record live sources into Flows. */
export const recorderFeature: Feature<RecorderRuntime, RecorderConfig> = {
  name: 'live recorder',
  enabled: (config) => config.TAMS_RECORDER,
  tables: recorderTables,
  build({ config, store, media, clock, ids, tams }) {
    const guard = new UrlGuard(config.TAMS_RECORDER_ALLOW.split(','), {
      setting: 'TAMS_RECORDER_ALLOW',
      schemes: NETWORK_SCHEMES,
      subject: 'recording sources',
    });
    const tools = new MediaTools(config.TAMS_RECORDER_FFMPEG, config.TAMS_RECORDER_FFPROBE);
    const service = new RecorderService({
      store,
      clock,
      ids,
      media,
      guard,
      fileDir: config.TAMS_RECORDER_FILE_DIR,
      tools,
    });
    const workDir = config.TAMS_RECORDER_WORK_DIR || join(config.TAMS_DATA_DIR, 'recorder');
    let worker: RecorderWorker | undefined;
    const stats = new RecorderStats();
    return {
      service,
      workDir,
      workers: (log, owner, topology) => {
        worker = new RecorderWorker({
          store,
          clock,
          log,
          owner,
          leaseMs: config.TAMS_WORKER_LEASE_SECONDS * 1000,
          maxJobs: config.TAMS_RECORDER_MAX_JOBS,
          topology,
          guard,
          fileDir: config.TAMS_RECORDER_FILE_DIR,
          run: {
            tams,
            media,
            clock,
            ffmpeg: config.TAMS_RECORDER_FFMPEG,
            ffprobe: config.TAMS_RECORDER_FFPROBE,
            workDir,
            probeMs: config.TAMS_RECORDER_PROBE_SECONDS * 1000,
            stats,
          },
        });
        const running = worker;
        return [new BackgroundWorker('recorder', () => running.step(), config.TAMS_WORKER_IDLE_MS, log)];
      },
      // After the workers stopped: each run ends (its segment in progress registered), its lease let go.
      close: async () => {
        await worker?.release();
      },
      components: { Recording, RecordingPost },
      routes: (app, { paging, publicUrl }) => recorderRoutes(app, { recorder: service, paging, publicUrl }),
      metrics: (metrics) => recorderMetrics(metrics, stats),
    };
  },
};
