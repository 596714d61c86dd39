/**
 * Where a run's server keeps its data. The runs add and delete segments, so a run works on a
 * fresh copy of the data set, as long as copying it is cheap: the 10M set is 1.5 GB, the 100M
 * set 15 GB, which would take minutes and twice its size on disk per run (and this machine's
 * ext4 has no reflinks, `cp --reflink=always` fails, so copy-on-write is not to be had). A large
 * set is run on in place instead: each run there takes timeline positions and objects no
 * earlier run used (generation, see bench.requests.ts), deletes from a Flow no earlier run
 * touched, and gives back what it did not use, so a run in place measures what a copy would.
 */
import { existsSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Dataset, dbBytes, dbFile, reallocate, runCopy, writeManifest } from './bench.dataset.ts';

/** Above this size (or when a copy would leave less disk free), runs are in place. */
const COPY_LIMIT_BYTES = 4 * 2 ** 30;
/** How many runs in place the data set has had: the next one's generation. */
const RUNS_FILE = 'bench-runs.json';
/** Timeline positions one generation of single-segment POSTs may use per Flow. */
const SINGLE_SPAN = 1_000_000;
/** Timeline positions one generation of bulk POSTs (the bulk run and the crash run) may use. */
const BULK_SPAN = 10_000_000;

export interface RunPlace {
  dir: string;
  inPlace: boolean;
  /** 0 for a copy; the data set's count of runs in place, this one included, otherwise. */
  generation: number;
  /** Where this run's single-segment POSTs begin after each Flow's last built segment. */
  singleBase: number;
  /** Where this run's bulk POSTs begin on the bulk Flow's timeline. */
  bulkBase: number;
  /** Flows deleted by earlier runs in place (their segments are gone): not read. */
  deleted: ReadonlySet<string>;
  /** The Flow this run's DELETE empties: one no earlier run in place deleted from. */
  victim: string;
}

/** The Flow the DELETE of run `generation` empties: from the last Flow backwards. */
function victimOf(dataset: Dataset, generation: number): string {
  const n = dataset.flowIds.length;
  return dataset.flowIds[n - 1 - (generation % n)] as string;
}

export async function placeRun(
  datasetDir: string,
  runDir: string,
  dataset: Dataset,
  options: { mode: 'auto' | 'yes' | 'no'; spare: number; bulk: number },
  log: (line: string) => void,
): Promise<{ place: RunPlace; dataset: Dataset }> {
  const bytes = dbBytes(datasetDir);
  const fs = statfsSync(datasetDir);
  const free = fs.bavail * fs.bsize;
  const inPlace =
    options.mode === 'yes' ||
    (options.mode === 'auto' && (bytes > COPY_LIMIT_BYTES || free - bytes < COPY_LIMIT_BYTES));
  if (!inPlace) {
    const dir = runCopy(datasetDir, runDir, log);
    const place = { dir, inPlace, generation: 0, singleBase: 0, bulkBase: 0, deleted: new Set<string>() };
    return { place: { ...place, victim: victimOf(dataset, 0) }, dataset };
  }
  // A copy an earlier run left: its room on disk back.
  rmSync(runDir, { recursive: true, force: true });
  const runsFile = join(datasetDir, RUNS_FILE);
  const before = existsSync(runsFile)
    ? (JSON.parse(readFileSync(runsFile, 'utf8')) as { runs: number }).runs
    : 0;
  const generation = before + 1;
  // Counted before anything is written: a run that dies half way leaves its positions used.
  writeFileSync(runsFile, JSON.stringify({ runs: generation }));
  // A write-ahead log means the last run did not end with a clean shutdown (it died, or was
  // killed after its crash restart): opening the store replays it and closing checkpoints it,
  // so this run's first start is one after a clean shutdown, as with a copy.
  let current = dataset;
  const wal = existsSync(`${dbFile(datasetDir)}.wal`);
  const short =
    current.bulkObjects.length < options.bulk ||
    Object.values(current.spare).some((ids) => ids.length < options.spare);
  if (wal || short) {
    const started = performance.now();
    current = await reallocate(datasetDir, current, options);
    log(
      `data set prepared in place (${wal ? 'write-ahead log replayed, ' : ''}objects allocated; ${((performance.now() - started) / 1000).toFixed(1)} s)`,
    );
  }
  const deleted = new Set(Array.from({ length: before }, (_, g) => victimOf(current, g + 1)));
  log(
    `running in place on ${datasetDir} (run ${generation} there; ${(bytes / 1e9).toFixed(1)} GB, not copied)`,
  );
  return {
    place: {
      dir: datasetDir,
      inPlace,
      generation,
      singleBase: generation * SINGLE_SPAN,
      bulkBase: generation * BULK_SPAN,
      deleted,
      victim: victimOf(current, generation),
    },
    dataset: current,
  };
}

/**
 * After a run in place: the manifest without the objects the run registered (or may have: those
 * sent to a server then killed), so the next run allocates fresh ones in their stead; with the
 * objects the run allocated and did not use (`left`, per Flow), which the next run uses first.
 */
export function releaseUsed(
  datasetDir: string,
  dataset: Dataset,
  used: { single: ReadonlyMap<string, number>; bulk: number },
  left: ReadonlyMap<string, readonly string[]> = new Map(),
): void {
  const spare: Record<string, string[]> = {};
  for (const [flowId, ids] of Object.entries(dataset.spare))
    spare[flowId] = [...ids.slice(used.single.get(flowId) ?? 0), ...(left.get(flowId) ?? [])];
  writeManifest(datasetDir, { ...dataset, spare, bulkObjects: dataset.bulkObjects.slice(used.bulk) });
}
