/**
 * What the replication bench checks of the copy (replication.bench.ts): pages of the Flow at
 * random positions, read through 8.2 from the origin and from the destination, hold the same
 * segments with the same fields, and the destination's carry the origin's URLs (by reference).
 */
import type { RunningServer } from './bench.server.ts';
import { pagePathOf } from './replication.pages.ts';

interface Segment {
  object_id: string;
  timerange: string;
  ts_offset?: string;
  last_duration?: string;
  get_urls?: { url: string; label?: string }[];
}

async function page(server: RunningServer, path: string): Promise<Segment[]> {
  const res = await fetch(`${server.url}/tams/v8.2${path}`, { headers: server.headers });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as Segment[];
}

/** Throws at the first difference in `pages` random pages; answers the segments compared. */
export async function compareCopies(
  origin: RunningServer,
  destination: RunningServer,
  flowId: string,
  segments: number,
  pages: number,
): Promise<number> {
  let compared = 0;
  for (let p = 0; p < pages; p++) {
    const path = pagePathOf(flowId, segments);
    const [there, here] = await Promise.all([page(origin, path), page(destination, path)]);
    if (there.length !== here.length || there.length === 0)
      throw new Error(`${path}: ${there.length} segments at the origin, ${here.length} here`);
    for (const [i, a] of there.entries()) {
      const b = here[i] as Segment;
      for (const field of ['object_id', 'timerange', 'ts_offset', 'last_duration'] as const) {
        if (a[field] !== b[field])
          throw new Error(`${path}: segment ${i}'s ${field} is ${b[field]} here, ${a[field]} at the origin`);
      }
      const urls = b.get_urls ?? [];
      if (urls.length === 0 || !urls.every((u) => u.url.startsWith(origin.url)))
        throw new Error(
          `${path}: segment ${i} here does not carry the origin's URLs: ${JSON.stringify(urls)}`,
        );
      compared++;
    }
  }
  return compared;
}
