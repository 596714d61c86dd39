/**
 * Graceful shutdown: SIGTERM in the middle of a bulk ingest. The server drains in-flight
 * requests, stops its workers, closes the store (DuckDB CHECKPOINT: no WAL left) and exits 0;
 * reopened, the store holds every segment that was acknowledged with 201, and only whole
 * requests (a request's segments commit together).
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { buildRuntime } from '../../src/deps.ts';
import { TimeRange } from '../../src/time/index.ts';
import { tempDir } from '../helpers/server.ts';
import { videoFlow } from '../http/fixtures.ts';
import { spawnServer } from './child.ts';

const dir = tempDir('tams-shutdown-');
afterAll(() => dir.remove());

const CLIENTS = 4;
const BATCH = 100;
/** SIGTERM once this many requests have been acknowledged. */
const SIGTERM_AFTER = 12;

function batch(client: number, k: number) {
  return Array.from({ length: BATCH }, (_, i) => {
    const s = k * BATCH + i;
    return {
      object_id: `c${client}-${s}`,
      timerange: `[${s}:0_${s + 1}:0)`,
      get_urls: [{ url: `http://media.invalid/c${client}/${s}` }],
    };
  });
}

describe('SIGTERM during a bulk ingest', () => {
  it('exits 0 and leaves a store holding every acknowledged segment', async () => {
    const server = await spawnServer({ TAMS_DATA_DIR: dir.path });
    const flows = Array.from({ length: CLIENTS }, () => videoFlow());
    for (const flow of flows) {
      const res = await fetch(`${server.url}/flows/${flow.id}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(flow),
      });
      expect(res.status).toBe(201);
    }

    const acked: number[][] = flows.map(() => []);
    let total = 0;
    let ackedAfterSignal = 0;
    let signalled: number | undefined;
    const client = async (c: number) => {
      for (let k = 0; ; k++) {
        let status: number;
        try {
          const res = await fetch(`${server.url}/flows/${flows[c]?.id}/segments`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(batch(c, k)),
          });
          status = res.status;
          await res.arrayBuffer();
        } catch {
          return; // Connection refused or closed: the server has stopped accepting.
        }
        if (status !== 201) return;
        acked[c]?.push(k);
        total++;
        if (signalled !== undefined) ackedAfterSignal++;
        if (signalled === undefined && total >= SIGTERM_AFTER) {
          signalled = performance.now();
          server.process.kill('SIGTERM');
        }
      }
    };
    await Promise.all(flows.map((_, c) => client(c)));
    const code = await server.exited;
    const shutdownMs = performance.now() - (signalled ?? 0);
    expect(signalled).toBeDefined();
    expect(code).toBe(0);
    expect(server.logs.some((l) => l.msg === 'shut down cleanly')).toBe(true);
    // CHECKPOINT on close folded the WAL into the file.
    const wal = join(dir.path, 'tams.duckdb.wal');
    expect(existsSync(wal) ? statSync(wal).size : 0).toBe(0);
    console.info(
      `shutdown: ${Math.round(shutdownMs)} ms after SIGTERM; ${total} requests acknowledged (${ackedAfterSignal} after the signal)`,
    );

    const config = loadConfig({ TAMS_DATA_DIR: dir.path, TAMS_LOG_LEVEL: 'silent', TAMS_AUTH: 'none' });
    const runtime = await buildRuntime(config, { accelerator: false });
    try {
      for (const [c, flow] of flows.entries()) {
        const page = await runtime.store.segments.page(flow.id as string, TimeRange.ETERNITY, {
          reverse: false,
          limit: 1_000_000,
        });
        const starts = new Set(page.items.map((s) => s.timerange.start));
        for (const k of acked[c] ?? []) {
          for (const segment of batch(c, k)) {
            const start = BigInt(segment.timerange.slice(1).split(':')[0] as string) * 1_000_000_000n;
            expect(starts.has(start), `flow ${c} segment ${segment.timerange}`).toBe(true);
          }
        }
        // Requests commit whole: never a part of one.
        expect(page.items.length % BATCH).toBe(0);
        expect(page.items.length).toBeGreaterThanOrEqual((acked[c]?.length ?? 0) * BATCH);
      }
    } finally {
      await runtime.close();
    }
  });
});
