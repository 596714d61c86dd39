/**
 * The fake VAST server in a process of its own for `npm run bench -- --engine vast`, so that its
 * CPU (SigV4 checks, its in-memory rows and indexes, Arrow encoding) is not charged to
 * the server under test, whose side of each round trip is what the figures are about. Driven over
 * the IPC channel of child_process.fork, not over HTTP, so the control traffic never appears in
 * the round-trip counters it reads: see vast.fake.ts for the messages.
 */
import type { DeclaredProjection } from '../tools/vast-fake/fake.projections.ts';
import { startFakeVast } from '../tools/vast-fake/fake.server.ts';
import type { FakeControl, FakeReply } from './vast.fake.ts';

if (process.send === undefined) throw new Error('vast.fake.main.ts runs under child_process.fork (IPC)');
const send = (reply: FakeReply) => process.send?.(reply);

// FAKE_VAST_PROJECTIONS: projections created with the tables they name, as JSON
// (tools/vast-fake/fake.projections.ts `DeclaredProjection[]`), e.g.
// '[{"table":"tams/segments","name":"by_flow","sorted":["flow_id","seg_start"]}]'.
const projections = process.env.FAKE_VAST_PROJECTIONS
  ? (JSON.parse(process.env.FAKE_VAST_PROJECTIONS) as DeclaredProjection[])
  : undefined;
const vast = await startFakeVast({ projections });
send({ op: 'ready', url: vast.url, access: vast.keys.access, secret: vast.keys.secret, bucket: vast.bucket });

process.on('message', (message: FakeControl) => {
  switch (message.op) {
    case 'stats':
      send({
        op: 'stats',
        calls: { ...vast.stats.calls },
        rows: vast.stats.rowsSent,
        conflicts: vast.stats.conflicts,
        examined: vast.stats.rowsExamined,
        projectionReads: vast.stats.projectionReads,
      });
      break;
    case 'spans':
      // Each call hands over the spans recorded since the last, and records on.
      send({
        op: 'spans',
        spans: (vast.stats.spans ?? []).map(([a, b, kind]) => [String(a), String(b), kind]),
      });
      vast.stats.spans = [];
      break;
    case 'reset':
      vast.stats.reset();
      send({ op: 'done' });
      break;
    case 'latency':
      vast.faults.latencyMs = message.ms;
      send({ op: 'done' });
      break;
  }
});
const stop = () => {
  vast.close().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('disconnect', stop);
