/**
 * The broadcast benchmark's command line and the places it measures (bench/broadcast.*.ts): its
 * options as `npm run bench -- --broadcast` reads them, the refusals, the bands of pages at each
 * position and the day each run deletes. No timing is asserted: the bench prints figures.
 */
import { describe, expect, it } from 'vitest';
import { segmentRange } from '../../bench/bench.dataset.ts';
import { parseBroadcastArgs } from '../../bench/broadcast.args.ts';
import { DAY_SEGMENTS, deletedSpan } from '../../bench/broadcast.dataset.ts';
import { band, nextIndex, POSITIONS, pageRange } from '../../bench/broadcast.scenarios.ts';
import { backlogOf } from '../../bench/broadcast.settle.ts';
import { runToEnd, spawnChild } from '../helpers/children.ts';
import { WAIT_MS } from '../helpers/deadlines.ts';

const ROOT = new URL('../../', import.meta.url).pathname;

describe('npm run bench -- --broadcast: options', () => {
  it('measures 10M segments beside 1,000 Flows of 1,000 on PostgreSQL by default, 1M on VAST and DuckDB', () => {
    const pg = parseBroadcastArgs(['--broadcast']);
    expect(pg).toMatchObject({ engine: 'postgres', segments: 10_000_000, flows: 1000, flowSegments: 1000 });
    expect(pg.dir).toBe('.bench-data/broadcast-postgres');
    expect(parseBroadcastArgs(['--broadcast', '--engine', 'vast']).segments).toBe(1_000_000);
    expect(parseBroadcastArgs(['--broadcast', '--engine', 'duckdb']).segments).toBe(1_000_000);
    const quick = parseBroadcastArgs(['--broadcast', '--quick', '--engine', 'duckdb']);
    expect(quick).toMatchObject({ segments: 50_000, flows: 10, flowSegments: 100, duration: 1 });
  });

  it('reads sizes, the kept directory and the scenarios to run', () => {
    const o = parseBroadcastArgs([
      '--broadcast',
      '--segments',
      '1000000',
      '--flows',
      '10',
      '--dir',
      '/data/pg',
      '--reuse',
      '--only',
      'page,append',
      '--statements',
    ]);
    expect(o).toMatchObject({
      segments: 1_000_000,
      flows: 10,
      dir: '/data/pg',
      reuse: true,
      statements: true,
    });
    expect(o.only).toEqual(['page', 'append']);
  });

  it('refuses what it cannot do, saying why', () => {
    expect(() => parseBroadcastArgs(['--broadcast', '--engine', 'mysql'])).toThrow(
      /--engine: postgres, vast or duckdb/,
    );
    expect(() => parseBroadcastArgs(['--broadcast', '--engine', 'vast', '--reuse'])).toThrow(
      /in memory only/,
    );
    expect(() => parseBroadcastArgs(['--broadcast', '--engine', 'duckdb', '--statements'])).toThrow(
      /--statements: with --engine postgres/,
    );
    expect(() => parseBroadcastArgs(['--broadcast', '--segments', '1000'])).toThrow(/at least 20,000/);
    expect(() => parseBroadcastArgs(['--broadcast', '--segments', 'many'])).toThrow(/positive integer/);
    expect(() => parseBroadcastArgs(['--broadcast', '--frobnicate'])).toThrow(/unknown option --frobnicate/);
  });

  it('prints its usage from the command line', async () => {
    const child = spawnChild(
      process.execPath,
      ['--import', 'tsx', 'bench/bench.ts', '--broadcast', '--help'],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const run = await runToEnd(child, WAIT_MS);
    expect(run.code).toBe(0);
    expect(run.out).toContain('usage: npm run bench -- --broadcast');
    expect(run.out).toContain('--reuse');
  });
});

describe('npm run bench -- --broadcast: where it measures', () => {
  it('puts each position’s pages inside the Flow, at the position', () => {
    for (const segments of [20_000, 100_000, 10_000_000]) {
      for (const fraction of POSITIONS) {
        const starts = band(segments, fraction);
        expect(starts.length).toBe(32);
        expect(Math.min(...starts)).toBeGreaterThanOrEqual(0);
        // A page's timerange holds 200 segments: all of them in the Flow.
        expect(Math.max(...starts) + 200).toBeLessThanOrEqual(segments);
      }
    }
    // At broadcast scale the band starts at the position itself.
    for (const fraction of POSITIONS) {
      const first = band(10_000_000, fraction)[0] as number;
      expect(Math.abs(first - 10_000_000 * fraction)).toBeLessThanOrEqual(100_000);
    }
    expect(pageRange(0)).toBe(
      `${segmentRange(0n).format().split('_')[0]}_${segmentRange(200n).format().split('_')[0]?.slice(1)})`,
    );
  });

  it('deletes a different day each run, away from the measured positions', () => {
    const seen = new Set<number>();
    for (let run = 0; run < 40; run++) {
      const span = deletedSpan(10_000_000, run);
      expect(span.count).toBe(DAY_SEGMENTS);
      expect(span.first).toBeGreaterThanOrEqual(2_500_000);
      expect(span.first + span.count).toBeLessThanOrEqual(4_500_000);
      seen.add(span.first);
    }
    expect(seen.size).toBe(40);
    expect(deletedSpan(50_000, 0).count).toBe(5_000);
  });

  it('appends after the end of the Flow’s timerange', () => {
    expect(nextIndex(`[0:0_${segmentRange(999n).format().split('_')[1]}`)).toBe(1000);
  });
});

describe('npm run bench -- --broadcast: the followers settled before measuring', () => {
  it("reads what media search's follower has still to apply from /metrics", () => {
    const metrics = [
      '# HELP tams_search_pending_events Outbox events the search index has still to apply',
      '# TYPE tams_search_pending_events gauge',
      'tams_search_pending_events 1001',
      'tams_search_pending_jobs{kind="transcript"} 2',
      'tams_search_documents 5',
    ].join('\n');
    expect(backlogOf(metrics)).toBe(1003);
    expect(backlogOf('tams_search_pending_events 0\ntams_search_pending_jobs 0')).toBe(0);
    expect(backlogOf('tams_http_requests_in_flight 1')).toBeUndefined();
  });
});
