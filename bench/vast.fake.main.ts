/**
 * The fake VAST server in a process of its own for `npm run bench -- --engine vast`, so that its
 * CPU (SigV4 checks, its in-memory rows and indexes, Arrow encoding) is not charged to
 * the server under test, whose side of each round trip is what the figures are about. Driven over
 * the IPC channel of child_process.fork, not over HTTP, so the control traffic never appears in
 * the round-trip counters it reads: see vast.fake.ts for the messages.
 */
import { connect, createServer, type Socket } from 'node:net';
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
/** Bytes the server sent to the fake and the fake sent back, when counted (FAKE_VAST_COUNT_BYTES). */
const bytes = { in: 0, out: 0 };
const url = process.env.FAKE_VAST_COUNT_BYTES === '1' ? await countingProxy(vast.port) : vast.url;
send({ op: 'ready', url, access: vast.keys.access, secret: vast.keys.secret, bucket: vast.bucket });

/**
 * A loopback proxy in front of the fake that counts the bytes each way on every connection: what
 * an operation costs on the wire to a cluster (the fake has no byte counters of its own). The
 * server signs for the proxy's host and port, which the fake sees in the Host header it checks.
 */
async function countingProxy(target: number): Promise<string> {
  const sockets = new Set<Socket>();
  const proxy = createServer((client) => {
    const upstream = connect(target, '127.0.0.1');
    for (const s of [client, upstream]) {
      s.setNoDelay(true);
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (chunk: Buffer) => {
      bytes.in += chunk.length;
    });
    upstream.on('data', (chunk: Buffer) => {
      bytes.out += chunk.length;
    });
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const address = proxy.address();
  if (address === null || typeof address === 'string') throw new Error('no proxy address');
  process.once('exit', () => {
    for (const s of sockets) s.destroy();
  });
  return `http://127.0.0.1:${address.port}`;
}

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
        bytesIn: bytes.in,
        bytesOut: bytes.out,
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
