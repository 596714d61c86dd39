/**
 * The steps of the BBC example clients' run (test/bbc-examples/bbc-examples.test.ts), each a
 * script run as its README shows it followed by the checks of what it left in the store or wrote
 * to disk. A step's Mount says which scripts run against which base of the one server; the checks
 * read the store through that same base.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { expect } from 'vitest';
import { parseTimeRange, TimeRange } from '../../src/time/index.ts';
import {
  type Api,
  expectedPackets,
  type FlowSegment,
  flowSegments,
  packetDifference,
  type ResolvedSegment,
  resolveSegments,
} from './examples.checks.ts';
import { type HlsStream, packets, plays, type SourceSegment, TS_HZ } from './examples.media.ts';
import { type Mount, mountName, type Version } from './examples.plan.ts';
import { describeRun, runScript, type ScriptRun, type Target } from './examples.scripts.ts';

export interface Context {
  target: Target;
  api: Api;
  stream: HlsStream;
  /** Where outgested files go (and the scripts' working directory). */
  work: string;
}

export interface Part {
  flowId: string;
  /** The playlist's segments it holds: `first` .. `first + count - 1`. */
  first: number;
  count: number;
  /** The object ingest_hls.py stored for each playlist file it read, by file name. */
  objects: Map<string, string>;
}

/** The TAMS version a base answers as: `/` and `/tams/v7.0` are 7.0, `/tams/v8.2` is 8.2. */
export function serverVersion(base: string): Version {
  return base.startsWith('/tams/v8.2') ? '8.2' : '7.0';
}

/** 90 kHz ticks as nanoseconds (exact: every timestamp here is a whole number of 10 µs). */
function ns(ticks: number): bigint {
  return (BigInt(ticks) * 1_000_000_000n) / TS_HZ;
}

/** A source file's timerange as ingest_hls.py computes it: first pts to last pts + one frame. */
function sourceRange(source: SourceSegment): TimeRange {
  const first = source.packets[0];
  const last = source.packets.at(-1);
  if (!first || !last) throw new Error(`${source.name} has no packets`);
  const frame = Number(TS_HZ) / 50;
  return TimeRange.from(ns(first.pts), ns(last.pts + frame), { endInclusive: false });
}

function expectRan(run: ScriptRun): void {
  expect(run.code, describeRun(run)).toBe(0);
}

async function resolvedFlow(ctx: Context, mount: Mount, flowId: string): Promise<ResolvedSegment[]> {
  return resolveSegments(await flowSegments(ctx.api, mount.base, flowId), ctx.stream.segments);
}

/**
 * ingest_hls.py of the playlist's segments `first` .. `first + count - 1` into a new Flow: each
 * object downloaded is its file byte for byte, each segment has the file's timerange.
 */
export async function ingestPart(ctx: Context, mount: Mount, first: number, count: number): Promise<Part> {
  const flowId = randomUUID();
  const run = await runScript(
    mount,
    'ingest_hls.py',
    [
      ...['--hls-filename', ctx.stream.playlist],
      ...['--hls-start-segment', String(first), '--hls-segment-count', String(count)],
      ...['--flow-id', flowId, '--source-id', randomUUID()],
    ],
    ctx.target,
    ctx.work,
  );
  expectRan(run);
  const resolved = await resolvedFlow(ctx, mount, flowId);
  const sources = ctx.stream.segments.slice(first, first + count);
  expect(resolved.map((r) => r.source.name)).toEqual(sources.map((s) => s.name));
  for (const { range, source } of resolved) expect(range.format()).toBe(sourceRange(source).format());
  const objects = new Map(resolved.map((r) => [r.source.name, r.segment.object_id]));
  return { flowId, first, count, objects };
}

/** The segments of `flowId` that carry no ts_offset (the 7.0 simple_edit.py needs it on input 2). */
export async function withoutTsOffset(ctx: Context, mount: Mount, flowId: string): Promise<FlowSegment[]> {
  return (await flowSegments(ctx.api, mount.base, flowId)).filter((s) => s.ts_offset === undefined);
}

/** simple_edit.py with `args` into a new Flow; resolves with the run and the Flow's id. */
export async function simpleEdit(
  ctx: Context,
  mount: Mount,
  args: readonly string[],
): Promise<{ run: ScriptRun; flowId: string }> {
  const flowId = randomUUID();
  const run = await runScript(
    mount,
    'simple_edit.py',
    [...args, '--output-flow-id', flowId, '--output-source-id', randomUUID()],
    ctx.target,
    ctx.work,
  );
  return { run, flowId };
}

/**
 * An edit's Flow is made of the ingested objects by reference: its segments' objects are these
 * playlist files (by name) at these timeranges, and the very objects `parts` stored for them.
 */
export async function expectEdit(
  ctx: Context,
  mount: Mount,
  flowId: string,
  parts: readonly Part[],
  edit: { sources: string[]; timeranges: string[] },
): Promise<void> {
  const resolved = await resolvedFlow(ctx, mount, flowId);
  expect(resolved.map((r) => r.source.name)).toEqual(edit.sources);
  const ingested = (name: string) => parts.map((p) => p.objects.get(name)).find((id) => id !== undefined);
  expect(resolved.map((r) => r.segment.object_id)).toEqual(edit.sources.map(ingested));
  expect(resolved.map((r) => r.range.format())).toEqual(
    edit.timeranges.map((t) => parseTimeRange(t).format()),
  );
}

/** Log lines outgest_file.py may write at `via`: an 8.2 script at a 7.0 base finds no object_timerange. */
function allowedWarning(via: Mount, line: string): boolean {
  return (
    via.version === '8.2' && serverVersion(via.base) === '7.0' && line.includes('Object TimeRange not found')
  );
}

/**
 * outgest_file.py --check-timing of `flowId` through `via` (the Flow may have been written through
 * another mount): exit 0 and no warning (timing checks included); the file holds exactly the
 * packets of the Flow's objects on the Flow's timeline, says the timerange the Flow covers, and
 * plays end to end. Resolves with the outgested file's path.
 */
export async function outgestAndCheck(
  ctx: Context,
  via: Mount,
  flowId: string,
  label: string,
): Promise<string> {
  const output = join(ctx.work, `${label.replace(/[^a-z0-9.]+/gi, '-')}.ts`);
  const run = await runScript(
    via,
    'outgest_file.py',
    ['--flow-id', flowId, '--check-timing', '--output', output],
    ctx.target,
    ctx.work,
  );
  expectRan(run);
  const warnings = run.output.split('\n').filter((l) => l.startsWith('WARNING') && !allowedWarning(via, l));
  expect(warnings, `${mountName(via)}: ${run.command}`).toEqual([]);

  const resolved = await resolvedFlow(ctx, via, flowId);
  const difference = packetDifference(await packets(output), expectedPackets(resolved));
  expect(difference, `${output} against the Flow's objects`).toBeUndefined();

  const covered = resolved.map((r) => r.range).reduce((a, b) => a.envelope(b));
  const said = /Output timerange (\S+)/.exec(run.output)?.[1];
  expect(said && parseTimeRange(said).format(), run.command).toBe(covered.format());
  const seconds = Number(covered.durationNs()) / 1e9;
  expect(await plays(output)).toBeCloseTo(seconds, 1);
  return output;
}
