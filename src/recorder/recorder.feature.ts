import { join } from 'node:path';
import { UrlGuard } from '../common/url.guard.ts';
import type { Feature, FeatureRuntime } from '../feature/feature.types.ts';
import type { RecorderConfig } from './recorder.config.ts';
import { recorderRoutes } from './recorder.routes.ts';
import { Recording, RecordingPost } from './recorder.schemas.ts';
import { RecorderService } from './recorder.service.ts';
import { NETWORK_SCHEMES } from './recorder.source.ts';
import { MediaTools } from './recorder.tools.ts';
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
  build({ config, store, media, clock, ids }) {
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
    return {
      service,
      workDir: config.TAMS_RECORDER_WORK_DIR || join(config.TAMS_DATA_DIR, 'recorder'),
      components: { Recording, RecordingPost },
      routes: (app, { paging, publicUrl }) => recorderRoutes(app, { recorder: service, paging, publicUrl }),
    };
  },
};
