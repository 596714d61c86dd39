import { systemClock } from '../src/common/clock.ts';
import type { Runtime } from '../src/deps.ts';
import { exrFeature } from '../src/exr/exr.feature.ts';
import { ExrBackfill } from '../src/exr/follow/exr.backfill.ts';
import { MgmtError, type MgmtIo, Progress } from './mgmt.io.ts';

/**
 * `exr backfill`: catalogues the segments the EXR image Flows already hold (a store that had
 * media before the catalogue followed the outbox, objects that failed), with a progress bar over
 * their segments. `--flow` limits it to one Flow, `--force` reads every object again.
 */
export async function exrBackfillCommand(
  runtime: Runtime,
  io: MgmtIo,
  options: { flow?: string; force: boolean },
): Promise<number> {
  if (runtime.features.get(exrFeature) === undefined)
    throw new MgmtError('EXR metadata is off (TAMS_EXR=false)');
  const backfill = new ExrBackfill({ store: runtime.store, media: runtime.media, clock: systemClock });
  const scope = options.flow === undefined ? {} : { flowId: options.flow };
  const started = performance.now();
  const total = await backfill.count(scope);
  if (options.flow !== undefined && total === 0 && (await runtime.store.flows.get(options.flow)) === null) {
    throw new MgmtError(`no Flow ${options.flow}`);
  }
  const progress = new Progress(io, 'backfill: segments', total);
  let seen = 0;
  const counts = await backfill.run({ ...scope, force: options.force }, (done) => {
    progress.add(done.segments - seen);
    seen = done.segments;
  });
  progress.finish();
  const seconds = (performance.now() - started) / 1000;
  io.err(
    `backfill: ${counts.segments.toLocaleString('en')} segments, ${counts.inspected.toLocaleString('en')} files inspected, ` +
      `${counts.failed.toLocaleString('en')} failed, in ${seconds.toFixed(1)} s\n`,
  );
  return 0;
}
