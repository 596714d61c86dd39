/**
 * Restarts, timed from the new process's spawn to its first `/ready` 200: after a clean shutdown
 * (SIGTERM: requests drained, the store closed and checkpointed), and after a crash (SIGKILL in
 * the middle of bulk ingest, so the write-ahead log holds what the last checkpoint did not take).
 */
import type { Dataset } from './bench.dataset.ts';
import { BULK_BATCH, bulkBody } from './bench.requests.ts';
import type { RunningServer } from './bench.server.ts';

/**
 * Bulk POSTs to the bulk Flow, one after another from batch `firstBatch`, for `seconds`; then the
 * server is killed while one is in flight. Returns the batches sent (the last one's fate unknown).
 */
export async function crashDuringBulk(
  server: RunningServer,
  dataset: Dataset,
  at: { base: number; firstBatch: number },
  seconds: number,
): Promise<{ batches: number; committed: number }> {
  const until = performance.now() + seconds * 1000;
  let sent = 0;
  let committed = 0;
  for (;;) {
    const post = fetch(`${server.url}/flows/${dataset.bulkFlow}/segments`, {
      method: 'POST',
      headers: { ...server.headers, 'content-type': 'application/json' },
      body: bulkBody(dataset, at.firstBatch + sent, at.base),
    });
    // The one in flight at the kill fails: handled here so that its rejection is expected.
    post.catch(() => undefined);
    sent++;
    if (performance.now() >= until) {
      // Killed with this request in flight: the server dies in the middle of ingest.
      await new Promise((r) => setTimeout(r, 2));
      await server.kill();
      await post.then((r) => r.arrayBuffer()).catch(() => undefined);
      return { batches: sent, committed: committed * BULK_BATCH };
    }
    const res = await post;
    await res.arrayBuffer();
    if (res.status !== 201) throw new Error(`bulk POST before the crash: ${res.status}`);
    committed++;
  }
}
