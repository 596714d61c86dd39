/**
 * `node --import tsx bench/vast.transport.ts`: CPU per request of the VAST transport's layers,
 * against a plain HTTP server in a process of its own (its CPU is not counted) answering 2 KiB:
 * node:http alone, then the signer alone, then VastTransport.request and .stream (signing,
 * keep-alive, reading the answer). Compares CPU per call, not throughput: the machine is shared.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import { VastTransport } from '../src/db/engines/vast/transport/transport.client.ts';
import { payloadHash, VastSigner } from '../src/db/engines/vast/transport/transport.signer.ts';

const N = Number(process.env.VAST_TRANSPORT_N ?? 5000);
const ROUNDS = 3;

const SERVER = `
const http = require('node:http');
const answer = Buffer.alloc(2048, 7);
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => { res.writeHead(200, { 'content-length': answer.length }); res.end(answer); });
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
`;
const child = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
const [line] = (await once(child.stdout, 'data')) as [Buffer];
const url = `http://127.0.0.1:${Number(String(line).trim())}`;

/** The query body of a segment page is ~1 KiB. */
const body = new Uint8Array(1024).fill(3);
const headers = {
  'tabular-txid': '1234',
  'tabular-api-version-id': '1',
  'tabular-client-name': 'tabular-api',
  'tabular-split': '0,1,8',
  'tabular-num-of-subsplits': '4',
  'tabular-limit-rows': '100',
};

/** VAST_TRANSPORT_ONLY=word runs only the measurements whose name holds it (for a profile). */
const only = process.env.VAST_TRANSPORT_ONLY;

async function measure(name: string, op: () => unknown): Promise<void> {
  if (only !== undefined && !name.includes(only)) return;
  for (let r = 0; r < ROUNDS; r++) {
    const t = process.cpuUsage();
    for (let i = 0; i < N; i++) await op();
    const used = process.cpuUsage(t);
    if (r === ROUNDS - 1)
      console.log(
        `${name.padEnd(38)} ${((used.user + used.system) / N).toFixed(1)} µs CPU per call (${(used.system / N).toFixed(1)} in the kernel)`,
      );
  }
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
const target = new URL(url);
await measure('node:http request (keep-alive)', () => {
  return new Promise<void>((resolve, reject) => {
    const req = http.request({
      hostname: target.hostname,
      port: target.port,
      method: 'GET',
      path: '/bucket/schema/table?data',
      headers: { ...headers, 'content-length': body.byteLength },
      agent,
    });
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve());
    });
    req.end(body);
  });
});
agent.destroy();

const signer = new VastSigner({ accessKey: 'AKIAEXAMPLE', secretKey: 'secret/key+example', region: '' });
await measure('sign (SigV4) and hash a 1 KiB body', () =>
  signer.sign({
    method: 'GET',
    host: target.host,
    path: '/bucket/schema/table',
    query: [['data']],
    payloadHash: payloadHash(body),
  }),
);

const transport = new VastTransport({ endpoints: [url], accessKey: 'AKIAEXAMPLE', secretKey: 'secret' });
const req = { method: 'GET', path: '/bucket/schema/table', query: [['data']], headers, body } as const;
await measure('VastTransport.request', () => transport.request(req));
await measure('VastTransport.stream, read to the end', async () => {
  const res = await transport.stream(req);
  for await (const _ of res.body);
});
transport.close();
child.kill();
