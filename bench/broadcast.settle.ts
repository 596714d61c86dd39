/**
 * Waits for the server's followers to catch up before anything is measured: a server started on
 * a data set whose Flows were just written has every one of their events to apply (media
 * search's index reads each created Flow's documents), and that work, landing in the first
 * scenario's window, was counted as the cost of its pages (fifty requests a page on the fake
 * VAST server with 1,000 Flows written, two and a half once done).
 */
import type { RunningServer } from './bench.server.ts';

/** The gauges that say what a follower has still to apply. */
const BACKLOG = ['tams_search_pending_events', 'tams_search_pending_jobs'];
const POLL_MS = 500;

/** The backlog gauges' sum in a /metrics text (undefined where none is shown). */
export function backlogOf(metrics: string): number | undefined {
  let total: number | undefined;
  for (const line of metrics.split('\n')) {
    const [name, value] = line.split(/(?:\{[^}]*\})?\s+/);
    if (name === undefined || value === undefined || !BACKLOG.includes(name)) continue;
    total = (total ?? 0) + Number(value);
  }
  return total;
}

/** Resolves once the followers have nothing left to apply, or after `limitMs` (said). */
export async function followersSettled(
  server: RunningServer,
  limitMs: number,
  say: (line: string) => void,
): Promise<void> {
  const started = performance.now();
  let backlog: number | undefined;
  for (;;) {
    const res = await fetch(`${server.url}/metrics`, { headers: server.headers });
    backlog = backlogOf(await res.text());
    if (!backlog) break;
    if (performance.now() - started > limitMs) {
      say(`followers still ${backlog} behind after ${(limitMs / 1000).toFixed(0)} s: measuring anyway`);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  say(`followers caught up after ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
