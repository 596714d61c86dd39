import { createWriteStream } from 'node:fs';
import { hostname } from 'node:os';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type AnalyticsRuntime, analyticsFeature } from '../src/analytics/analytics.feature.ts';
import { EXPORT_TABLES } from '../src/analytics/analytics.schemas.ts';
import type { PageRequest } from '../src/analytics/analytics.service.ts';
import { BadRequestError } from '../src/common/errors.ts';
import type { Runtime } from '../src/deps.ts';
import { TimeFormatError } from '../src/time/index.ts';
import { coverageText, durationsText, storageText, topText, usageText } from './mgmt.analytics.print.ts';
import type { Invocation } from './mgmt.command.ts';
import { MgmtError, type MgmtIo, Progress, UsageError } from './mgmt.io.ts';

/** Rows per page while a command gathers a whole list (the API pages them). */
const PAGE = 1000;

function analyticsOf(runtime: Runtime): AnalyticsRuntime {
  const analytics = runtime.features.get(analyticsFeature);
  if (analytics === undefined) throw new MgmtError('analytics are off (TAMS_ANALYTICS=false)');
  return analytics;
}

function oneOf<T extends string>(
  name: string,
  value: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value))
    throw new UsageError(`--${name}: one of ${allowed.join(', ')}`);
  return value as T;
}

function flowOf(call: Invocation, command: string): string {
  const flow = call.values.flow;
  if (flow === undefined) throw new UsageError(`analytics ${command}: --flow <id> is required`);
  return flow;
}

/** Every page of a paged report, merged by `merge`. */
async function allPages<D>(
  fetch: (page: PageRequest) => Promise<{ doc: D; next?: string }>,
  merge: (into: D, more: D) => void,
): Promise<D> {
  let { doc, next } = await fetch({ limit: PAGE });
  while (next !== undefined) {
    const more = await fetch({ limit: PAGE, after: next });
    merge(doc, more.doc);
    next = more.next;
  }
  return doc;
}

function print<D>(io: MgmtIo, json: boolean, doc: D, text: (doc: D) => string): number {
  io.out(json ? `${JSON.stringify(doc, null, 2)}\n` : text(doc));
  return 0;
}

/**
 * Time strings of the options are checked where they are parsed: a bad one is wrong usage, as is
 * any value the reports refuse (the API's 400), whose `query.<name>` is the option `--<name>`.
 */
async function usage<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof TimeFormatError) throw new UsageError(error.message);
    if (error instanceof BadRequestError) {
      throw new UsageError(
        error.summary.replace(/^query\.([a-z_]+)/, (_, name: string) => `--${name.replaceAll('_', '-')}`),
      );
    }
    throw error;
  }
}

export async function analyticsUsageCommand(runtime: Runtime, call: Invocation): Promise<number> {
  const service = analyticsOf(runtime).service;
  const flow = flowOf(call, 'usage');
  const bucket = oneOf('bucket', call.values.bucket, ['1m', '1h', '1d'] as const);
  const query = {
    ...(call.values.timerange !== undefined && { timerange: call.values.timerange }),
    ...(bucket !== undefined && { bucket }),
  };
  const doc = await usage(() =>
    allPages(
      (page) => service.usage(flow, query, page),
      (into, more) => into.ingest.push(...more.ingest),
    ),
  );
  return print(call.io, call.values.json === true, doc, usageText);
}

export async function analyticsCoverageCommand(runtime: Runtime, call: Invocation): Promise<number> {
  const service = analyticsOf(runtime).service;
  const flow = flowOf(call, 'coverage');
  const { timerange, 'min-gap': minGap, 'stall-after': stallAfter } = call.values;
  const query = {
    ...(timerange !== undefined && { timerange }),
    ...(minGap !== undefined && { min_gap: minGap }),
    ...(stallAfter !== undefined && { stall_after: stallAfter }),
  };
  const doc = await usage(() =>
    allPages(
      (page) => service.coverage(flow, query, page),
      (into, more) => {
        into.spans.push(...more.spans);
        into.gaps.push(...more.gaps);
      },
    ),
  );
  return print(call.io, call.values.json === true, doc, coverageText);
}

export async function analyticsStorageCommand(runtime: Runtime, call: Invocation): Promise<number> {
  const service = analyticsOf(runtime).service;
  const bucket = oneOf('bucket', call.values.bucket, ['hour', 'day'] as const);
  const since = call.values.since;
  if (since !== undefined && Number.isNaN(Date.parse(since))) throw new UsageError('--since: a date-time');
  const doc = await service.storage({
    ...(since !== undefined && { since }),
    ...(bucket !== undefined && { bucket }),
  });
  return print(call.io, call.values.json === true, doc, storageText);
}

export async function analyticsDurationsCommand(runtime: Runtime, call: Invocation): Promise<number> {
  const service = analyticsOf(runtime).service;
  const { flow, format, codec, source, timerange } = call.values;
  const query = {
    ...(flow !== undefined && { flow_id: flow }),
    ...(format !== undefined && { format }),
    ...(codec !== undefined && { codec }),
    ...(source !== undefined && { source_id: source }),
    ...(timerange !== undefined && { timerange }),
    ...(call.values['per-flow'] === true && { group_by: 'flow' as const }),
  };
  const doc = await usage(() =>
    allPages(
      (page) => service.durations(query, page),
      (into, more) => into.flows?.push(...(more.flows ?? [])),
    ),
  );
  return print(call.io, call.values.json === true, doc, durationsText);
}

export async function analyticsTopCommand(runtime: Runtime, call: Invocation): Promise<number> {
  const service = analyticsOf(runtime).service;
  const by = oneOf('by', call.values.by, ['bytes', 'segments', 'duration', 'rate'] as const);
  const limit = call.values.limit === undefined ? undefined : Number(call.values.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1 && limit <= 100)) {
    throw new UsageError('--limit: an integer from 1 to 100');
  }
  const query = {
    ...(by !== undefined && { by }),
    ...(call.values.timerange !== undefined && { timerange: call.values.timerange }),
    ...(limit !== undefined && { limit }),
  };
  const doc = await usage(() => service.top(query));
  return print(call.io, call.values.json === true, doc, topText);
}

/** `analytics export`: a table (or one Flow's segments) as Parquet or CSV, to --out or stdout. */
export async function analyticsExportCommand(
  runtime: Runtime,
  call: Invocation,
  stdout: Writable,
): Promise<number> {
  const service = analyticsOf(runtime).service;
  const table = oneOf('table', call.values.table, EXPORT_TABLES);
  if (table === undefined)
    throw new UsageError(`analytics export: --table <${EXPORT_TABLES.join('|')}> is required`);
  const format = oneOf('format', call.values.format, ['parquet', 'csv'] as const);
  const limit = call.values.limit === undefined ? undefined : Number(call.values.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1))
    throw new UsageError('--limit: a positive integer');
  const plan = await usage(() =>
    service.export({
      table,
      ...(format !== undefined && { format }),
      ...(call.values.flow !== undefined && { flow_id: call.values.flow }),
      ...(call.values.timerange !== undefined && { timerange: call.values.timerange }),
      ...(limit !== undefined && { limit }),
    }),
  );
  const out = call.values.out === undefined ? stdout : createWriteStream(call.values.out);
  await pipeline(plan.open(), out, { end: call.values.out !== undefined });
  call.io.err(
    `export: ${plan.rows.toLocaleString('en')} rows of ${plan.table} as ${plan.format}` +
      `${plan.truncated ? ` (cut at ${plan.limit.toLocaleString('en')}: the selection holds more)` : ''}\n`,
  );
  return 0;
}

/**
 * `analytics sizes`: the backfill of object sizes (objects registered before the size follower
 * ran, or while it was off), `--missing` asks again for objects whose bytes were missing,
 * `--prune` drops sizes of objects that are gone.
 */
export async function analyticsSizesCommand(runtime: Runtime, call: Invocation): Promise<number> {
  const backfill = analyticsOf(runtime).createBackfill(`tams-mgmt:${hostname()}:${process.pid}`);
  const progress = new Progress(call.io, 'sizes: segments');
  let seen = 0;
  const started = performance.now();
  try {
    const counts = await backfill.run(
      {
        ...(call.values.flow !== undefined && { flowId: call.values.flow }),
        missing: call.values.missing === true,
        prune: call.values.prune === true,
      },
      (done) => {
        progress.add(done.segments - seen);
        seen = done.segments;
      },
    );
    progress.finish();
    call.io.err(
      `sizes: ${counts.segments.toLocaleString('en')} segments, ${counts.sized.toLocaleString('en')} objects sized, ` +
        `${counts.missing.toLocaleString('en')} without bytes, ${counts.found.toLocaleString('en')} missing ones found, ` +
        `${counts.pruned.toLocaleString('en')} pruned, in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
    );
  } finally {
    await backfill.release().catch(() => undefined);
  }
  return 0;
}
